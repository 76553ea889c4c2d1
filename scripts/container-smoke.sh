#!/usr/bin/env bash
# Build the Powerdesk image with podman and smoke-test it end to end:
#   /health (liveness) is 200 and /ready reports a working, current database; / redirects to /login;
#   a wrong admin password is refused and the right one logs in (CSRF form + cookie jar); the image
#   HEALTHCHECK passes and the server is not root; a second container on the first one's instance
#   volume finds the data there (its `flask setup` adds 0 demo rows, a user created in the first
#   container logs in, the admin's session cookie still works); arguments to
#   `podman run` replace the server (`... powerdesk flask --app app user list`).
#
# Usage: bash scripts/container-smoke.sh        (as root; needs podman, crun or runc, debootstrap, curl, python3)
#   SMOKE_PORT=18050      host port to publish (default: 18050, or a free one if taken)
#   SMOKE_TIMEOUT=120     seconds to wait for /health
#   IMAGE=powerdesk       tag of the built image (kept afterwards, and its previous build removed;
#                         the container and its volume are always removed)
#   BASE_IMAGE=...        base image (default: localhost/powerdesk-python:3.11-slim, built
#                         by scripts/build-base-image.sh when missing)
#   OCI_RUNTIME=...       runtime for podman (default: the first of crun, runc that can start a container)
#   PIP_INDEX_URL / PIP_EXTRA_INDEX_URL   passed to the build when set
#   PIP_CERT_BUNDLE=/etc/ssl/certs/ca-certificates.crt   host CA bundle mounted into the build
#   --print-runtime       print the podman runtime arguments it would use, and exit
set -euo pipefail

cd "$(dirname "$0")/.."

IMAGE="${IMAGE:-powerdesk}"
BASE_IMAGE="${BASE_IMAGE:-localhost/powerdesk-python:3.11-slim}"
TIMEOUT="${SMOKE_TIMEOUT:-120}"
CA_BUNDLE="${PIP_CERT_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
# podman's default OCI runtime may be missing or unusable: Debian's podman package brings crun, which
# refuses to run on hosts with hybrid cgroups (v1 controllers plus a v2 mount, as here), and some
# containers.conf files name runc. Use $OCI_RUNTIME, else the first of crun and runc that is installed
# and can start a container from the base image (checked once the base image exists).
RUNTIME=()
pick_runtime() {
    local candidate path errors="" found=0
    if [[ -n "${OCI_RUNTIME:-}" ]]; then
        RUNTIME=(--runtime "$OCI_RUNTIME")
        return
    fi
    for candidate in crun runc; do
        path=$(command -v "$candidate" 2>/dev/null) || continue
        found=1
        if ! podman image exists "$BASE_IMAGE" 2>/dev/null \
            || podman run --rm --runtime "$path" "${ULIMITS[@]}" --network none "$BASE_IMAGE" true \
                >/dev/null 2>"$WORK/runtime.err"; then
            RUNTIME=(--runtime "$path")
            return
        fi
        errors+=$'\n'"    $path: $(tr '\n' ' ' <"$WORK/runtime.err")"
    done
    [[ $found -eq 1 ]] || fail "no OCI runtime found: apt-get install -y crun runc (or set OCI_RUNTIME)"
    fail "no installed OCI runtime can start a container:$errors"
}
# Explicit limits: as root podman asks for nofile=1048576, which fails ('setrlimit RLIMIT_NOFILE:
# Operation not permitted') where the host's hard limit is lower. Stay at or under the host's.
limit_at_most() {
    local hard
    hard=$(ulimit -H "$1")
    if [[ "$hard" == unlimited ]] || (( hard > $2 )); then echo "$2"; else echo "$hard"; fi
}
NOFILE=$(limit_at_most -n 65536)
NPROC=$(limit_at_most -u 4096)
ULIMITS=(--ulimit "nofile=$NOFILE:$NOFILE" --ulimit "nproc=$NPROC:$NPROC")
NAME="powerdesk-smoke-$$"
CONTAINER="$NAME-1"
VOLUME="$NAME-instance"
ADMIN_PASSWORD="smoke-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
WORK=$(mktemp -d)
FAILED=1

log() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nFAIL: %s\n' "$*" >&2; exit 1; }

for tool in podman curl python3; do
    command -v "$tool" >/dev/null || fail "missing $tool (apt-get install -y podman crun runc debootstrap curl python3)"
done
if [[ "${1:-}" == "--print-runtime" ]]; then
    pick_runtime
    echo "${RUNTIME[*]}"
    rm -rf "$WORK"
    exit 0
fi

cleanup() {
    local rc=$?
    if [[ $FAILED -ne 0 && -n "$CONTAINER" ]] && podman container exists "$CONTAINER" 2>/dev/null; then
        printf '\n---- container logs (%s) ----\n' "$CONTAINER" >&2
        podman logs "$CONTAINER" >&2 2>&1 || true
        printf -- '---- end of container logs ----\n' >&2
    fi
    podman rm -f "$NAME-1" "$NAME-2" >/dev/null 2>&1 || true
    podman volume rm -f "$VOLUME" >/dev/null 2>&1 || true
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
    log "base image $BASE_IMAGE missing: building it (debootstrap, about a minute)"
    start=$(date +%s)
    BASE_IMAGE="$BASE_IMAGE" bash scripts/build-base-image.sh || fail "building the base image failed"
    echo "    base image took $(( $(date +%s) - start ))s"
fi
pick_runtime
echo "    podman ${RUNTIME[*]} ${ULIMITS[*]}"

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
previous_id=$(podman image inspect "$IMAGE" --format '{{.Id}}' 2>/dev/null || true)
# --format docker keeps HEALTHCHECK (the OCI image format has no such field).
start=$(date +%s)
podman build "${RUNTIME[@]}" "${ULIMITS[@]}" --format docker \
    "${build_mounts[@]}" "${build_args[@]}" -t "$IMAGE" . \
    || fail "podman build failed"
image_id=$(podman image inspect "$IMAGE" --format '{{.Id}}')
echo "    build took $(( $(date +%s) - start ))s; image size: $(podman image inspect "$IMAGE" --format '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}')"
# Each source change leaves the previous build untagged: remove it (its cached layers that the new
# build shares stay), so repeated runs on one machine do not fill the disk. Fails harmlessly if in use.
if [[ -n "$previous_id" && "$previous_id" != "$image_id" ]]; then
    podman image rm "$previous_id" >/dev/null 2>&1 || true
fi

# ---------------------------------------------------------------- run
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT="${SMOKE_PORT:-18050}"
if [[ -z "${SMOKE_PORT:-}" ]] && ! port_free "$PORT"; then
    PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
BASE_URL="http://127.0.0.1:$PORT"

# start_container NAME: the image's default command (setup, then gunicorn) on the instance volume
start_container() {
    CONTAINER=$1
    # podman without systemd logs an error about healthcheck timers; harmless, the
    # healthcheck is run explicitly below.
    podman run -d "${RUNTIME[@]}" "${ULIMITS[@]}" --name "$CONTAINER" \
        -p "127.0.0.1:$PORT:8050" -v "$VOLUME:/app/instance" \
        -e POWERDESK_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
        "$IMAGE" >/dev/null 2>"$WORK/run.err" || { cat "$WORK/run.err" >&2; fail "podman run failed"; }
}

log "starting $NAME-1 on $BASE_URL with a new volume $VOLUME"
podman volume rm -f "$VOLUME" >/dev/null 2>&1 || true
started=$(date +%s)
start_container "$NAME-1"

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

# login JAR USER PASSWORD: prints "HTTP-status redirect-url" of the login form's POST
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
        --data-urlencode "csrf_token=$token" --data-urlencode "username=$2" \
        --data-urlencode "password=$3" "$BASE_URL/login")
    echo "$result"
}

log "waiting for /health (up to ${TIMEOUT}s)"
wait_healthy
echo "    healthy $(( $(date +%s) - started ))s after podman run"
check_health_json

log "GET / without a session redirects to /login"
read -r code location < <(curl -s -o /dev/null -w '%{http_code} %{redirect_url}\n' --max-time 30 "$BASE_URL/")
[[ "$code" =~ ^30[12378]$ && "$location" == *"/login"* ]] || fail "GET / gave '$code $location', expected a redirect to /login"
echo "    $code -> $location"

log "login as admin with a wrong password is refused"
read -r code location < <(login bad admin "not-the-password")
[[ "$code" == 401 ]] || fail "wrong password gave HTTP $code, expected 401"
echo "    $code"

log "login as admin with POWERDESK_ADMIN_PASSWORD"
read -r code location < <(login good admin "$ADMIN_PASSWORD")
[[ "$code" =~ ^30[12378]$ && ( "$location" == "$BASE_URL/" || "$location" == "$BASE_URL" ) ]] || fail "login gave '$code $location', expected a redirect to /"
echo "    $code -> $location"
code=$(curl -s -b "$WORK/cookies-good.txt" -o /dev/null -w '%{http_code}' --max-time 30 "$BASE_URL/")
[[ "$code" == 200 ]] || fail "GET / with the session cookie gave HTTP $code, expected 200"
echo "    GET / with session: $code"

log "image HEALTHCHECK and non-root user"
podman healthcheck run "$CONTAINER" >"$WORK/healthcheck.txt" 2>&1 \
    || fail "podman healthcheck run failed (HEALTHCHECK missing or unhealthy): $(cat "$WORK/healthcheck.txt")"
uid=$(podman exec "$CONTAINER" id -u)
[[ "$uid" != 0 ]] || fail "container runs as root"
echo "    healthcheck ok; uid $uid"

log "a new container on the same instance volume"
# The admin would be re-created from POWERDESK_ADMIN_PASSWORD on an empty database, so logging in as
# admin proves nothing about the volume. What only the volume keeps: a user made in the first
# container (its password is nowhere else), the generated SECRET_KEY and session rows behind the
# admin's cookie, and the demo data, which the second container's `flask setup` must find loaded.
VIEWER_PASSWORD="viewer-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
printf '%s\n' "$VIEWER_PASSWORD" | podman exec -i "$CONTAINER" \
    flask --app app user create smoke-viewer --role viewer --password-stdin >/dev/null 2>"$WORK/create.err" \
    || fail "'flask user create' in the running container failed: $(cat "$WORK/create.err")"
grep -Eq 'Database ready; [1-9][0-9]* demo price rows added' <(podman logs "$CONTAINER" 2>&1) \
    || fail "the first 'flask setup' did not load the demo data"
started=$(date +%s)
podman stop "$CONTAINER" >/dev/null 2>>"$WORK/run.err" || fail "podman stop failed: $(cat "$WORK/run.err")"
echo "    first container stopped in $(( $(date +%s) - started ))s"
podman rm "$CONTAINER" >/dev/null 2>>"$WORK/run.err"
started=$(date +%s)
start_container "$NAME-2"
wait_healthy
echo "    second container healthy $(( $(date +%s) - started ))s after podman run"
check_health_json
setup_line=$(podman logs "$CONTAINER" 2>&1 | grep 'Database ready;' || true)
[[ "$setup_line" == "Database ready; 0 demo price rows added"* ]] \
    || fail "the second container's 'flask setup' said '$setup_line', expected 0 demo rows added: the volume's data is gone"
echo "    second setup: $setup_line"
code=$(curl -s -b "$WORK/cookies-good.txt" -o /dev/null -w '%{http_code}' --max-time 30 "$BASE_URL/")
[[ "$code" == 200 ]] || fail "the admin's session from the first container gave HTTP $code on /, expected 200"
echo "    admin session from the first container: $code"
read -r code location < <(login viewer smoke-viewer "$VIEWER_PASSWORD")
[[ "$code" =~ ^30[12378]$ && ( "$location" == "$BASE_URL/" || "$location" == "$BASE_URL" ) ]] \
    || fail "login as smoke-viewer (created in the first container) gave '$code $location'"
echo "    login as the user created in the first container: $code -> $location"

log "arguments replace the server: flask --app app user list"
podman run --rm "${RUNTIME[@]}" "${ULIMITS[@]}" -v "$VOLUME:/app/instance" "$IMAGE" \
    flask --app app user list >"$WORK/users.txt" 2>"$WORK/users.err" \
    || { cat "$WORK/users.err" >&2; fail "'flask --app app user list' in a one-off container failed"; }
grep -Eq '^admin +admin +active' "$WORK/users.txt" && grep -Eq '^smoke-viewer +viewer +active' "$WORK/users.txt" \
    || { cat "$WORK/users.txt" >&2; fail "'user list' does not show admin and smoke-viewer"; }
sed 's/^/    /' "$WORK/users.txt"

FAILED=0
log "container smoke test passed ($IMAGE on $BASE_URL)"
