#!/usr/bin/env bash
# The console's end-to-end tests: builds the demo store once (fixed clock), then runs every
# tests/e2e/t_*.sh in its own directory and prints ok/FAIL per test.
#
#   MODELDECK_BIN=/abs/path/to/modeldeck sh tests/e2e/run.sh [NAME-FILTER...]
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${MODELDECK_BIN:?set MODELDECK_BIN to the modeldeck binary}"
case $MODELDECK_BIN in /*) ;; *) MODELDECK_BIN=$(cd "$(dirname "$MODELDECK_BIN")" && pwd)/$(basename "$MODELDECK_BIN") ;; esac
export MODELDECK_BIN
command -v tmux >/dev/null || { echo "e2e: tmux is needed" >&2; exit 2; }
export MODELDECK_NOW=2026-11-26T09:00:00Z
work=$(mktemp -d "${TMPDIR:-/tmp}/modeldeck-e2e-run.XXXXXX")
trap 'rm -rf "$work"' EXIT
export E2E_DEMO="$work/demo.db"
MODELDECK_USER=demo "$MODELDECK_BIN" --db "$E2E_DEMO" demo >"$work/demo.log" 2>&1 || {
    echo "e2e: the demo store could not be built:" >&2
    cat "$work/demo.log" >&2
    exit 1
}
limit=${E2E_TEST_TIMEOUT:-180}
passed=0 failed=0 failures=""
for test in "$here"/t_*.sh; do
    name=$(basename "$test" .sh)
    if [ $# -gt 0 ]; then
        keep=false
        for f in "$@"; do case $name in *"$f"*) keep=true ;; esac; done
        $keep || continue
    fi
    dir=$(mktemp -d "$work/$name.XXXXXX")
    start=$(date +%s%3N)
    (cd "$dir" && T_DIR=$dir ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$dir/asan" \
        timeout --kill-after=10 "$limit" bash "$test") </dev/null >"$dir/log" 2>&1
    rc=$?
    # a sanitizer report from any process of the test fails it
    if ls "$dir"/asan.* >/dev/null 2>&1; then
        { echo "sanitizer reports:"; cat "$dir"/asan.*; } >>"$dir/log"
        rc=1
    fi
    secs=$(awk -v ms=$(($(date +%s%3N) - start)) 'BEGIN { printf "%.1f", ms / 1000 }')
    if [ $rc -eq 0 ]; then
        echo "ok $name (${secs}s)"
        passed=$((passed + 1))
    else
        echo "FAIL $name (${secs}s, exit $rc)"
        sed 's/^/    /' "$dir/log"
        failed=$((failed + 1))
        failures="$failures $name"
    fi
done
total=$((passed + failed))
[ $total -gt 0 ] || { echo "e2e: no test matches: $*" >&2; exit 2; }
if [ $failed -eq 0 ]; then
    echo "all $passed console tests passed"
    exit 0
fi
echo "$failed of $total console tests failed:$failures"
exit 1
