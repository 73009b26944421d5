#!/usr/bin/env bash
# The CLI test runner: runs every tests/cli/t_*.sh, each in a fresh temporary directory, and
# prints "ok t_name" or "FAIL t_name" (with the failed assertion and the output it saw).
#
#   MODELDECK_BIN=/abs/path/to/modeldeck sh tests/cli/run.sh [NAME-FILTER...]
#
# A filter keeps the test files whose name contains it ("roles", "t_audit"). Exits 1 when a
# test failed, 2 when there is nothing to run or MODELDECK_BIN is unusable.

# Invoked as `sh run.sh`: carry on in bash.
if [ -z "${BASH_VERSION:-}" ]; then
    exec bash "$0" "$@"
fi
set -u

here=$(cd "$(dirname "$0")" && pwd)

if [ -z "${MODELDECK_BIN:-}" ]; then
    echo "run.sh: set MODELDECK_BIN to the modeldeck binary (an absolute path)" >&2
    exit 2
fi
case $MODELDECK_BIN in
/*) ;;
*) MODELDECK_BIN=$(cd "$(dirname "$MODELDECK_BIN")" && pwd)/$(basename "$MODELDECK_BIN") ;;
esac
if [ ! -x "$MODELDECK_BIN" ]; then
    echo "run.sh: MODELDECK_BIN=$MODELDECK_BIN is not an executable file" >&2
    exit 2
fi
export MODELDECK_BIN
for tool in sqlite3 python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: $tool is needed" >&2; exit 2; }
done

# Longest a single test file may run before it is stopped and counted as failed.
limit=${CLI_TEST_TIMEOUT:-300}
have_timeout=false
command -v timeout >/dev/null 2>&1 && have_timeout=true

logs=$(mktemp -d "${TMPDIR:-/tmp}/modeldeck-cli-logs.XXXXXX")
trap 'rm -rf "$logs"' EXIT

now_ms() { date +%s%3N; }

selected() { # name: true when no filter is given or the name contains one of them
    [ $# -gt 1 ] || return 0
    local name=$1 f
    shift
    for f in "$@"; do
        case $name in *"$f"*) return 0 ;; esac
    done
    return 1
}

passed=0
failed=0
failures=""
suite_start=$(now_ms)
for test in "$here"/t_*.sh; do
    [ -f "$test" ] || continue
    name=$(basename "$test" .sh)
    selected "$name" "$@" || continue
    dir=$(mktemp -d "${TMPDIR:-/tmp}/modeldeck-cli.XXXXXX")
    log="$logs/$name.log"
    start=$(now_ms)
    run=(bash "$test")
    $have_timeout && run=(timeout --kill-after=10 "$limit" bash "$test")
    (
        cd "$dir" || exit 1
        unset MODELDECK_USER MODELDECK_DB MODELDECK_FAULT MODELDECK_NOW XDG_DATA_HOME
        T_DIR=$dir exec "${run[@]}"
    ) </dev/null >"$log" 2>&1
    rc=$?
    secs=$(awk -v ms=$(($(now_ms) - start)) 'BEGIN { printf "%.1f", ms / 1000 }')
    chmod -R u+rwx "$dir" 2>/dev/null
    rm -rf "$dir"
    if [ "$rc" -eq 0 ]; then
        echo "ok $name (${secs}s)"
        passed=$((passed + 1))
    else
        [ "$rc" -eq 124 ] && echo "test stopped after ${limit}s (timeout)" >>"$log"
        echo "FAIL $name (${secs}s, exit $rc)"
        sed 's/^/    /' "$log"
        failed=$((failed + 1))
        failures="$failures $name"
    fi
done

total=$((passed + failed))
if [ "$total" -eq 0 ]; then
    echo "run.sh: no test file matches: $*" >&2
    exit 2
fi
secs=$(awk -v ms=$(($(now_ms) - suite_start)) 'BEGIN { printf "%.1f", ms / 1000 }')
if [ "$failed" -eq 0 ]; then
    echo "all $passed CLI tests passed (${secs}s)"
    exit 0
fi
echo "$failed of $total CLI tests failed (${secs}s):$failures"
exit 1
