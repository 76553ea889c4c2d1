#!/usr/bin/env bash
# Build the Powerdesk image with podman and smoke-test it end to end:
#   /health (liveness) is 200 and /ready reports a working, current database, / redirects to /login, the admin can
#   log in (CSRF form + cookie jar), the image HEALTHCHECK passes, a restart
#   (second `flask setup` on the same volume) comes back healthy, and arguments
#   to `podman run` replace the server (`... powerdesk flask --app app user list`).
#
# Usage: bash scripts/container-smoke.sh        (as root; needs podman, debootstrap, curl, python3)
#   SMOKE_PORT=18050      host port to publish (default: 18050, or a free one if taken)
#   SMOKE_TIMEOUT=120     seconds to wait for /health
#   IMAGE=powerdesk       tag of the built image (kept afterwards; the container is always removed)
#   BASE_IMAGE=...        base image (default: localhost/powerdesk-python:3.11-slim, built
#                         by scripts/build-base-image.sh when missing)
#   PIP_INDEX_URL / PIP_EXTRA_INDEX_URL   passed to the build when set
#   PIP_CERT_BUNDLE=/etc/ssl/certs/ca-certificates.crt   host CA bundle mounted into the build
set -euo pipefail

cd "$(dirname "$0")/.."

IMAGE="${IMAGE:-powerdesk}"
BASE_IMAGE="${BASE_IMAGE:-localhost/powerdesk-python:3.11-slim}"
TIMEOUT="${SMOKE_TIMEOUT:-120}"
CA_BUNDLE="${PIP_CERT_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
# podman's default OCI runtime may be one that is not installed (Debian's podman package brings
# crun, while some containers.conf files name runc): use whichever is present, or $OCI_RUNTIME.
RUNTIME=()
pick_runtime() {
    local candidate
    if [[ -n "${OCI_RUNTIME:-}" ]]; then
        RUNTIME=(--runtime "$OCI_RUNTIME")
        return
    fi
    for candidate in crun runc; do
        if command -v "$candidate" >/dev/null 2>&1; then
            RUNTIME=(--runtime "$(command -v "$candidate")")
            return
        fi
    done
    fail "no OCI runtime found: apt-get install -y crun (or runc), or set OCI_RUNTIME"
}
ULIMITS=(--ulimit nofile=20000:20000 --ulimit nproc=4096:4096)
CONTAINER="powerdesk-smoke-$$"
ADMIN_PASSWORD="smoke-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
WORK=$(mktemp -d)
FAILED=1

log() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nFAIL: %s\n' "$*" >&2; exit 1; }

for tool in podman curl python3; do
    command -v "$tool" >/dev/null || fail "missing $tool (apt-get install -y podman crun debootstrap curl python3)"
done
pick_runtime
if [[ "${1:-}" == "--print-runtime" ]]; then
    echo "${RUNTIME[*]}"
    rm -rf "$WORK"
    exit 0
fi

cleanup() {
    local rc=$?
    if [[ $FAILED -ne 0 ]] && podman container exists "$CONTAINER" 2>/dev/null; then
        printf '\n---- container logs (%s) ----\n' "$CONTAINER" >&2
        podman logs "$CONTAINER" >&2 2>&1 || true
        printf -- '---- end of container logs ----\n' >&2
    fi
    podman rm -f -v "$CONTAINER" >/dev/null 2>&1 || true
    rm -rf "$WORK"
    if [[ $FAILED -ne 0 ]]; then
        echo "container smoke test FAILED" >&2
        [[ $rc -ne 0 ]] || rc=1
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- build
if [[ "$BASE_IMAGE" == localhost/* ]] && ! podman image exists "$BASE_IMAGE"; then
    log "base image $BASE_IMAGE missing: building it (debootstrap, ~2 min)"
    BASE_IMAGE="$BASE_IMAGE" bash scripts/build-base-image.sh
fi

build_args=(--build-arg "BASE_IMAGE=$BASE_IMAGE")
build_mounts=()
if [[ -f "$CA_BUNDLE" ]]; then
    # The host may reach the package index through a TLS-intercepting proxy whose
    # CA is only in the host bundle: mount it read-only for the RUN steps.
    build_mounts+=(-v "$(dirname "$CA_BUNDLE"):$(dirname "$CA_BUNDLE"):ro")
    build_args+=(--build-arg "PIP_CERT=$CA_BUNDLE")
fi
[[ -z "${PIP_INDEX_URL:-}" ]] || build_args+=(--build-arg "PIP_INDEX_URL=$PIP_INDEX_URL")
[[ -z "${PIP_EXTRA_INDEX_URL:-}" ]] || build_args+=(--build-arg "PIP_EXTRA_INDEX_URL=$PIP_EXTRA_INDEX_URL")

log "building image $IMAGE from $BASE_IMAGE"
# --format docker keeps HEALTHCHECK (the OCI image format has no such field).
start=$(date +%s)
podman build "${RUNTIME[@]}" "${ULIMITS[@]}" --format docker \
    "${build_mounts[@]}" "${build_args[@]}" -t "$IMAGE" . \
    || fail "podman build failed"
echo "build took $(( $(date +%s) - start ))s; image size: $(podman image inspect "$IMAGE" --format '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}')"

# ---------------------------------------------------------------- run
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT="${SMOKE_PORT:-18050}"
if [[ -z "${SMOKE_PORT:-}" ]] && ! port_free "$PORT"; then
    PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
BASE_URL="http://127.0.0.1:$PORT"

log "starting $CONTAINER on $BASE_URL"
# podman without systemd logs an error about healthcheck timers; harmless, the
# healthcheck is run explicitly below.
podman run -d "${RUNTIME[@]}" "${ULIMITS[@]}" --name "$CONTAINER" \
    -p "127.0.0.1:$PORT:8050" \
    -e POWERDESK_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    "$IMAGE" >/dev/null 2>"$WORK/run.err" || { cat "$WORK/run.err" >&2; fail "podman run failed"; }

wait_healthy() {
    local deadline=$(( $(date +%s) + TIMEOUT )) code
    while :; do
        code=$(curl -s -o "$WORK/health.json" -w '%{http_code}' --max-time 5 "$BASE_URL/health" || true)
        [[ "$code" == 200 ]] && return 0
        if [[ "$(podman inspect "$CONTAINER" --format '{{.State.Running}}' 2>/dev/null)" != true ]]; then
            fail "container exited before /health answered (exit code $(podman inspect "$CONTAINER" --format '{{.State.ExitCode}}' 2>/dev/null))"
        fi
        (( $(date +%s) < deadline )) || fail "/health not 200 after ${TIMEOUT}s (last status: ${code:-none})"
        sleep 2
    done
}

check_health_json() {
    curl -s -o "$WORK/ready.json" --max-time 10 "$BASE_URL/ready" || true
    python3 - "$WORK/ready.json" <<'EOF' || fail "/ready does not report a working, current database: $(cat "$WORK/ready.json")"
import json, sys
body = json.load(open(sys.argv[1]))
print("    /ready:", json.dumps(body))
assert body.get("checks", {}).get("database") is True, "database not ready (unreachable or schema not current)"
assert body.get("status") == "ready", "not ready"
EOF
}

login() {
    local jar="$WORK/cookies-$1.txt" token result
    rm -f "$jar"
    curl -s -c "$jar" -b "$jar" -o "$WORK/login.html" --max-time 10 "$BASE_URL/login" || fail "GET /login failed"
    token=$(python3 - "$WORK/login.html" <<'EOF'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
for tag in re.findall(r"<input\b[^>]*>", html):
    if re.search(r"""name=["']csrf_token["']""", tag):
        match = re.search(r"""value=["']([^"']*)["']""", tag)
        if match:
            print(match.group(1))
            break
EOF
)
    [[ -n "$token" ]] || fail "no csrf_token hidden input on /login"
    result=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' --max-time 30 \
        --data-urlencode "csrf_token=$token" --data-urlencode "username=admin" \
        --data-urlencode "password=$2" "$BASE_URL/login")
    echo "$result"
}

log "waiting for /health (up to ${TIMEOUT}s)"
start=$(date +%s)
wait_healthy
echo "    healthy after $(( $(date +%s) - start ))s"
check_health_json

log "GET / without a session redirects to /login"
read -r code location < <(curl -s -o /dev/null -w '%{http_code} %{redirect_url}\n' --max-time 30 "$BASE_URL/")
[[ "$code" =~ ^30[12378]$ && "$location" == *"/login"* ]] || fail "GET / gave '$code $location', expected a redirect to /login"
echo "    $code -> $location"

log "login as admin with a wrong password is refused"
read -r code location < <(login bad "not-the-password")
[[ "$code" == 401 ]] || fail "wrong password gave HTTP $code, expected 401"
echo "    $code"

log "login as admin with POWERDESK_ADMIN_PASSWORD"
read -r code location < <(login good "$ADMIN_PASSWORD")
[[ "$code" =~ ^30[12378]$ && ( "$location" == "$BASE_URL/" || "$location" == "$BASE_URL" ) ]] || fail "login gave '$code $location', expected a redirect to /"
echo "    $code -> $location"
code=$(curl -s -b "$WORK/cookies-good.txt" -o /dev/null -w '%{http_code}' --max-time 30 "$BASE_URL/")
[[ "$code" == 200 ]] || fail "GET / with the session cookie gave HTTP $code, expected 200"
echo "    GET / with session: $code"

log "image HEALTHCHECK and non-root user"
podman healthcheck run "$CONTAINER" >/dev/null 2>&1 || fail "podman healthcheck run failed (HEALTHCHECK missing or unhealthy)"
uid=$(podman exec "$CONTAINER" id -u)
[[ "$uid" != 0 ]] || fail "container runs as root"
echo "    healthcheck ok; uid $uid"

log "restart: second 'flask setup' on the same instance volume"
podman restart "$CONTAINER" >/dev/null 2>>"$WORK/run.err" || fail "podman restart failed"
start=$(date +%s)
wait_healthy
echo "    healthy again after $(( $(date +%s) - start ))s"
check_health_json
read -r code location < <(login again "$ADMIN_PASSWORD")
[[ "$code" =~ ^30[12378]$ ]] || fail "login after restart gave HTTP $code"
echo "    login after restart: $code"

log "arguments replace the server: flask --app app user list"
podman run --rm "${RUNTIME[@]}" "${ULIMITS[@]}" --volumes-from "$CONTAINER" "$IMAGE" \
    flask --app app user list >"$WORK/users.txt" 2>"$WORK/users.err" \
    || { cat "$WORK/users.err" >&2; fail "'flask --app app user list' in a one-off container failed"; }
grep -q admin "$WORK/users.txt" || { cat "$WORK/users.txt" >&2; fail "'user list' does not show admin"; }
sed 's/^/    /' "$WORK/users.txt"

FAILED=0
log "container smoke test passed ($IMAGE on $BASE_URL)"
