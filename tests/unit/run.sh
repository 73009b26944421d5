#!/bin/sh
# Runs the unit suites (tests/unit/check_main.c) side by side, one process per core
# (UNIT_JOBS sets how many): each suite's report is printed whole, in the runner's order, then
# the total. Exit 1 when a check failed, 2 when a suite could not run.
set -u
bin=${1:?usage: run.sh UNIT-TESTS-BINARY}
jobs=${UNIT_JOBS:-$(nproc 2>/dev/null || echo 1)}
out=$(mktemp -d "${TMPDIR:-/tmp}/md-unit.XXXXXX") || exit 2
trap 'rm -rf "$out"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
"$bin" --list >"$out/suites" || exit 2
start=$(date +%s)
export MD_UNIT_OUT="$out"
xargs -P "$jobs" -n 1 sh -c '"$1" "$2" >"$MD_UNIT_OUT/$2.log" 2>&1; echo $? >"$MD_UNIT_OUT/$2.rc"' \
    sh "$bin" <"$out/suites"
rc=0 checks=0 failed=0 suites=0
while read -r s; do
    suites=$((suites + 1))
    cat "$out/$s.log" 2>/dev/null
    src=$(cat "$out/$s.rc" 2>/dev/null || echo 2)
    line=$(grep -E '^[0-9]+%: Checks: ' "$out/$s.log" 2>/dev/null | tail -n 1)
    if [ -z "$line" ]; then
        echo "unit: suite $s did not report (exit $src)"
        rc=2
        continue
    fi
    n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
    f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+), Errors: ([0-9]+).*/\1 \2/')
    checks=$((checks + n))
    failed=$((failed + ${f% *} + ${f#* }))
    if [ "$src" != 0 ]; then # a failed check, or a sanitizer's report after the summary
        echo "unit: suite $s exited $src"
        [ "$rc" = 0 ] && rc=1
    fi
done <"$out/suites"
echo "unit: $checks checks in $suites suites, $failed failed, $jobs at a time ($(($(date +%s) - start)) s)"
exit "$rc"
