#!/usr/bin/env bash
# Bring the production compose stack (compose.yaml: PostgreSQL, Redis, migrate, gunicorn app, Celery
# workers, scheduler) up or down with podman-compose, from images built here: the app image from the
# Dockerfile, PostgreSQL and Redis from containers/, all on the Debian base that
# scripts/build-base-image.sh makes (no registry pull). Data lives in named volumes.
#
# Usage (as root, like the container smoke test):
#   bash scripts/stack.sh up [--scale worker=N]   build what is missing or changed, then start
#   bash scripts/stack.sh down [-v]               stop and remove the containers; -v also the volumes
#   bash scripts/stack.sh compose ARGS...         any podman-compose command against the stack
# Environment: POSTGRES_PASSWORD, SECRET_KEY, POWERDESK_ADMIN_PASSWORD (generated into
# instance/stack.env on first use when unset, and reused), POWERDESK_PORT (8050), STACK_PROJECT
# (powerdesk), STACK_FILES (extra compose files, e.g. compose.stack-test.yaml), OCI_RUNTIME.
# With Docker, the same compose.yaml works as it is: `docker compose up -d --scale worker=3`.
set -euo pipefail
cd "$(dirname "$0")/.."

STACK_PROJECT="${STACK_PROJECT:-powerdesk}"
BASE_IMAGE="${BASE_IMAGE:-localhost/powerdesk-python:3.11-slim}"
export BASE_IMAGE
export POWERDESK_IMAGE="${POWERDESK_IMAGE:-localhost/powerdesk:latest}"
export POSTGRES_IMAGE="${POSTGRES_IMAGE:-localhost/powerdesk-postgres:15}"
export REDIS_IMAGE="${REDIS_IMAGE:-localhost/powerdesk-redis:7}"

stack_log() { printf '[stack] %s\n' "$*" >&2; }
stack_fail() { printf '[stack] FAILED: %s\n' "$*" >&2; exit 1; }

# podman's own defaults fail here: crun refuses hosts with hybrid cgroups, and as root podman asks for
# nofile=1048576, above many hosts' hard limit. One containers.conf for every podman call of the stack
# (build, create, exec, healthcheck) picks a runtime that starts containers and limits within the host's.
stack_podman_conf() {
    local conf_dir="${STACK_CONF_DIR:-/var/tmp/powerdesk-stack}" runtime="${OCI_RUNTIME:-}" nofile nproc
    mkdir -p "$conf_dir"
    nofile=$(ulimit -Hn); [[ "$nofile" == unlimited || "$nofile" -gt 65536 ]] && nofile=65536
    nproc=$(ulimit -Hu); [[ "$nproc" == unlimited || "$nproc" -gt 4096 ]] && nproc=4096
    if [[ -z "$runtime" ]]; then
        for candidate in crun runc; do
            command -v "$candidate" >/dev/null || continue
            if podman --runtime "$(command -v "$candidate")" run --rm --network none \
                --ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc" "$BASE_IMAGE" true >/dev/null 2>&1; then
                runtime=$(command -v "$candidate")
                break
            fi
        done
    fi
    [[ -n "$runtime" ]] || stack_fail "no OCI runtime (crun, runc) can start a container from $BASE_IMAGE"
    cat > "$conf_dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "$runtime"
CONF
    export CONTAINERS_CONF="$conf_dir/containers.conf"
}

stack_secrets() {
    local env_file=instance/stack.env
    mkdir -p instance
    if [[ ! -f "$env_file" ]]; then
        umask 077
        {
            echo "POSTGRES_PASSWORD=${POSTGRES_PASSWORD:-$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')}"
            echo "SECRET_KEY=${SECRET_KEY:-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')}"
            echo "POWERDESK_ADMIN_PASSWORD=${POWERDESK_ADMIN_PASSWORD:-admin-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')}"
        } > "$env_file"
        stack_log "wrote $env_file (POSTGRES_PASSWORD, SECRET_KEY, POWERDESK_ADMIN_PASSWORD): keep it"
    fi
    set -a
    # shellcheck disable=SC1090
    . "$env_file"
    set +a
}

stack_compose() {
    local files=(-f compose.yaml) extra
    for extra in ${STACK_FILES:-}; do files+=(-f "$extra"); done
    podman-compose --project-name "$STACK_PROJECT" "${files[@]}" "$@"
}

# stack_image TAG CONTEXT [BUILD ARGS...]: build one image; its log is kept, and shown when it fails.
stack_image() {
    local tag=$1 context=$2 log
    shift 2
    log="${CONTAINERS_CONF%/*}/build-$(basename "${tag%%:*}").log"
    podman build --format docker --build-arg "BASE_IMAGE=$BASE_IMAGE" "$@" -t "$tag" "$context" >"$log" 2>&1 \
        || { tail -n 40 "$log" >&2; stack_fail "building $tag failed (log: $log)"; }
}

stack_build() {
    if ! podman image exists "$BASE_IMAGE"; then
        stack_log "base image $BASE_IMAGE missing: building it (debootstrap)"
        BASE_IMAGE="$BASE_IMAGE" bash scripts/build-base-image.sh
    fi
    stack_podman_conf
    local mounts=() started
    [[ -f /etc/ssl/certs/ca-certificates.crt ]] && mounts=(-v /etc/ssl/certs:/etc/ssl/certs:ro
        --build-arg PIP_CERT=/etc/ssl/certs/ca-certificates.crt)
    started=$(date +%s)
    stack_image "$POSTGRES_IMAGE" containers/postgres
    stack_image "$REDIS_IMAGE" containers/redis
    stack_image "$POWERDESK_IMAGE" . "${mounts[@]}"
    stack_log "images ready in $(( $(date +%s) - started ))s (cached layers are reused)"
}

stack_container() {
    podman ps -a --format '{{.Names}}' --filter "label=io.podman.compose.project=$STACK_PROJECT" \
        --filter "label=io.podman.compose.service=$1" | head -n 1
}

# stack_wait_healthy SERVICE: run the image's healthcheck until it passes (podman without systemd runs
# no healthcheck timers, so nothing else would).
stack_wait_healthy() {
    local name deadline=$(( $(date +%s) + ${STACK_HEALTHY_TIMEOUT_S:-180} ))
    name=$(stack_container "$1")
    [[ -n "$name" ]] || stack_fail "no container for $1"
    until podman healthcheck run "$name" >/dev/null 2>&1; do
        (( $(date +%s) < deadline )) || stack_fail "$1 ($name) not healthy within ${STACK_HEALTHY_TIMEOUT_S:-180} s"
        sleep 2
    done
}

# stack_start [UP ARGS...]: start in compose.yaml's order, one stage at a time: PostgreSQL and Redis
# until healthy, then the one-shot migrate until it exits 0, then the app, workers and scheduler.
# podman-compose before podman 4.6 ignores `condition: service_healthy`, and podman 4.3 cannot start a
# container whose --requires chain is two deep ("not found in input list"), so each stage is started
# with --no-deps once the previous one is ready.
stack_start() {
    local migrate code
    # --no-build: the images were just built with the host's CA bundle and runtime; compose would rebuild.
    stack_compose up -d --no-build --no-deps postgres redis ${STACK_EXTRA_SERVICES:-}
    stack_wait_healthy postgres
    stack_wait_healthy redis
    stack_compose up -d --no-build --no-deps migrate
    migrate=$(stack_container migrate)
    code=$(podman wait "$migrate")
    [[ "$code" == 0 ]] || { podman logs --tail 40 "$migrate" >&2; stack_fail "migrate exited $code"; }
    stack_compose up -d --no-build --no-deps "$@" app worker scheduler
}

stack_up() {
    stack_build
    stack_secrets
    stack_start "$@"
}

stack_down() {
    stack_podman_conf
    stack_secrets
    stack_compose down "$@"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    command -v podman-compose >/dev/null || stack_fail "podman-compose is missing: pip install podman-compose (make install-test installs it)"
    case "${1:-}" in
        up) shift; stack_up "$@" ;;
        down) shift; stack_down "$@" ;;
        compose) shift; stack_podman_conf; stack_secrets; stack_compose "$@" ;;
        *) sed -n '2,16p' "$0"; exit 2 ;;
    esac
fi
