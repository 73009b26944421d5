#!/usr/bin/env bash
# Promise: baseline and ingest show a progress bar on stderr when it is a terminal (a pipeline's
# log, a file, gets none), and clear it before the report: a training set or a scoring log of
# some size says how far the reading has come.
. "$(dirname "$0")/lib.sh"

command -v script >/dev/null || fail "script(1) (util-linux) is needed to give a command a terminal"

new_churn_store alice
# enough rows that the bar moves on past its first report (every 65,536 rows)
"$PY" - "$T_DIR" <<'PY'
import sys
d = sys.argv[1]
with open(d + "/train.csv", "w") as f:
    f.write("ts,score,label,x\n")
    for i in range(150000):
        f.write("2026-09-01T00:00:00Z,%.4f,%d,%d\n" % ((i % 997) / 997, i % 2, i % 13))
with open(d + "/log.csv", "w") as f:
    f.write("ts,score,label,x\n")
    for i in range(150000):
        f.write("2026-10-%02dT12:00:00Z,%.4f,%d,%d\n" % (1 + i % 3, (i % 991) / 991, i % 2, i % 11))
PY

# on a terminal (script(1) gives the command one; stdout and stderr both reach it)
on_tty() { # NAME ARGS...: runs modeldeck as alice on a terminal; its output in $T_DIR/NAME.tty
    local name=$1
    shift
    MODELDECK_USER=alice script -qec "$(printf '%q ' "$MODELDECK_BIN" --db "$DB" "$@")" /dev/null \
        >"$T_DIR/$name.tty" 2>&1
}
on_tty baseline baseline churn 1 "$T_DIR/train.csv" || fail "baseline on a terminal failed"
grep -q 'baseline \[ *\]   0%' "$T_DIR/baseline.tty" || fail "no baseline bar at 0%"
grep -aqE 'baseline \[#+ *\] +[1-9][0-9]?%' "$T_DIR/baseline.tty" || fail "the baseline bar never moved"
# the bar is cleared (carriage return, erase line) before the report is printed
grep -aq $'\r\033\\[Kchurn v1: baseline built from 150000 rows' "$T_DIR/baseline.tty" ||
    fail "the baseline bar is not cleared before the report"
on_tty ingest ingest churn 1 "$T_DIR/log.csv" || fail "ingest on a terminal failed"
grep -aqE 'ingest \[#+ *\] +[1-9][0-9]?%' "$T_DIR/ingest.tty" || fail "the ingest bar never moved"
grep -aq $'\r\033\\[Kchurn v1: ingested 150000 rows' "$T_DIR/ingest.tty" ||
    fail "the ingest bar is not cleared before the report"

# to a file: no bar, no control characters
md_as alice baseline churn 1 "$T_DIR/train.csv" --replace
expect_exit 0
expect_stderr_empty
md_as alice ingest churn 1 "$T_DIR/log.csv" --replace
expect_exit 0
expect_stderr_empty
