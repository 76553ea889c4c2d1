#!/usr/bin/env bash
# The test suite on a busy machine: keeps every core busy, then runs the tests N times in a row and stops
# at the first red run. Tests must never depend on wall-clock speed; this is how to check that they don't.
#
#   scripts/test-under-load.sh                   # `make test`'s pytest command, 3 times
#   RUNS=5 scripts/test-under-load.sh            # 5 times
#   scripts/test-under-load.sh tests/jobs tests/services   # only these tests (pytest arguments)
#
# Load: `stress-ng --cpu N` when installed, else one Python busy loop per core (LOAD_WORKERS overrides N,
# default: every core). PYTEST (default .venv/bin/pytest, or pytest on PATH) and PYTEST_FLAGS (default
# `-n 2 --dist loadgroup --ignore=tests/faults`, as `make test`) choose the command.
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS="${RUNS:-3}"
CORES="$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)"
LOAD_WORKERS="${LOAD_WORKERS:-$CORES}"
if [[ -z "${PYTEST:-}" ]]; then
    if [[ -x .venv/bin/pytest ]]; then PYTEST=.venv/bin/pytest; else PYTEST=pytest; fi
fi
read -r -a FLAGS <<< "${PYTEST_FLAGS:--n 2 --dist loadgroup --ignore=tests/faults}"
TARGETS=("$@")

LOAD_PIDS=()
stop_load() {
    for pid in "${LOAD_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    wait "${LOAD_PIDS[@]}" 2>/dev/null || true
}
trap stop_load EXIT INT TERM

if command -v stress-ng >/dev/null 2>&1; then
    stress-ng --cpu "$LOAD_WORKERS" --timeout 0 --quiet &
    LOAD_PIDS+=("$!")
    echo "load: stress-ng --cpu $LOAD_WORKERS (pid ${LOAD_PIDS[0]})"
else
    for _ in $(seq "$LOAD_WORKERS"); do
        python3 -c 'while True: pass' &
        LOAD_PIDS+=("$!")
    done
    echo "load: $LOAD_WORKERS Python busy loops (pids ${LOAD_PIDS[*]})"
fi

for run in $(seq "$RUNS"); do
    echo "=== run $run of $RUNS under load: $PYTEST ${FLAGS[*]} ${TARGETS[*]}"
    started=$(date +%s)
    if ! "$PYTEST" "${FLAGS[@]}" "${TARGETS[@]}"; then
        echo "=== run $run of $RUNS FAILED under load after $(( $(date +%s) - started )) s"
        exit 1
    fi
    echo "=== run $run of $RUNS passed in $(( $(date +%s) - started )) s"
done
echo "=== all $RUNS runs passed under load"
