#!/usr/bin/env bash
# Bring the compose stack up with podman-compose (3 Celery workers, the scheduler, PostgreSQL, Redis and
# a mail sink, from locally built images), break it on purpose, and check it recovers
# (scripts/stack_test.py prints one `stack: <check>: ok|FAILED (why)` line per check), then take it
# down with its volumes. Exits 1 when any check failed. `make test-faults` runs it when
# POWERDESK_CONTAINER_SMOKE=1 (CI sets it).
#
# Usage (as root): bash scripts/stack-test.sh [--keep] [--skip-scaling]
#   --keep          leave the stack running afterwards (take it down with
#                   STACK_PROJECT=powerdesk-stacktest STACK_FILES=compose.stack-test.yaml bash scripts/stack.sh down -v)
#   --skip-scaling  skip the 1/2/3-worker timing of a 6-point study
set -euo pipefail
cd "$(dirname "$0")/.."

KEEP=0
TEST_ARGS=()
for arg in "$@"; do
    case "$arg" in
        --keep) KEEP=1 ;;
        --skip-scaling) TEST_ARGS+=(--skip-scaling) ;;
        *) echo "unknown argument: $arg" >&2; exit 2 ;;
    esac
done

export STACK_PROJECT=powerdesk-stacktest
export STACK_FILES=compose.stack-test.yaml
export STACK_CONF_DIR=/var/tmp/powerdesk-stacktest
# shellcheck source=scripts/stack.sh
. scripts/stack.sh

PYTHON="${PYTHON:-$(command -v python3)}"
[[ -x .venv/bin/python ]] && PYTHON=.venv/bin/python
[[ -x .venv/bin/podman-compose ]] && export PATH="$PWD/.venv/bin:$PATH"
command -v podman-compose >/dev/null || stack_fail "podman-compose is missing (make install-test installs it)"

# Secrets of this test's own, never the operator's instance/stack.env.
export POSTGRES_PASSWORD="pg-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export SECRET_KEY="sk-$(head -c 36 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export POWERDESK_ADMIN_PASSWORD="admin-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
STACK_ENV_DIR=$(mktemp -d)
stack_secrets() { :; }  # the variables above are the secrets

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
POWERDESK_PORT=18060
port_free "$POWERDESK_PORT" || POWERDESK_PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export POWERDESK_PORT
URL="http://127.0.0.1:$POWERDESK_PORT"

finish() {
    local rc=$?
    if [[ $rc -ne 0 ]]; then
        printf '\n---- stack logs (last lines of each service) ----\n' >&2
        for service in migrate app worker scheduler postgres redis mailsink; do
            for name in $(podman ps -a --format '{{.Names}}' --filter "label=io.podman.compose.project=$STACK_PROJECT" \
                    --filter "label=io.podman.compose.service=$service" 2>/dev/null); do
                printf -- '-- %s --\n' "$name" >&2
                podman logs --tail 25 "$name" >&2 2>&1 || true
            done
        done
    fi
    if [[ $KEEP -eq 0 ]]; then
        stack_compose down -v >/dev/null 2>&1 || true
    fi
    rm -rf "$STACK_ENV_DIR"
    [[ $rc -eq 0 ]] && echo "stack test passed" || echo "stack test FAILED" >&2
    exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

started=$(date +%s)
stack_build
stack_compose down -v >/dev/null 2>&1 || true
# The daily price email's time has passed (00:00 UK), so the scheduler sends it when it starts (its catch-up).
export PRICE_EMAIL_TIME=00:00
stack_log "publishing the app on $URL"
export STACK_EXTRA_SERVICES=mailsink
(stack_start --scale worker=3) >"$STACK_ENV_DIR/up.log" 2>&1 \
    || { cat "$STACK_ENV_DIR/up.log" >&2; stack_fail "bringing the stack up failed"; }

deadline=$(( $(date +%s) + 300 ))
until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$URL/ready" || true)" == 200 ]]; do
    (( $(date +%s) < deadline )) || stack_fail "$URL/ready not 200 within 300 s"
    sleep 3
done
stack_log "stack ready $(( $(date +%s) - started ))s after the start (images included)"
for service in postgres redis app; do
    (STACK_HEALTHY_TIMEOUT_S=0 stack_wait_healthy "$service") && echo "stack: healthcheck $service: ok" \
        || { echo "stack: healthcheck $service: FAILED ($(stack_container "$service") unhealthy)"; exit 1; }
done

"$PYTHON" scripts/stack_test.py --url "$URL" --project "$STACK_PROJECT" \
    --admin-password "$POWERDESK_ADMIN_PASSWORD" "${TEST_ARGS[@]}"
stack_log "stack test took $(( $(date +%s) - started ))s"
