#!/usr/bin/env bash
# Rounded figures never read as what they are not: a trend row's value for this window never
# shows outside the min and max printed beside it (they are rounded alike); a decile's score
# edge never shows as 0 or 1 when it is neither; and the drill-down into a feature shows, at 80
# columns, the missingness p-value its rule decides on.
. "$(dirname "$0")/lib.sh"

# trends_in_range MIN-ROWS: every "THIS min LO max HI" row on the screen has LO <= THIS <= HI as
# printed, and there are at least MIN-ROWS of them
trends_in_range() {
    settle
    screen | "$PY" -c '
import re, sys
rows = 0
for line in sys.stdin:
    m = re.search(r"(\S+)\s+min (\S+) max (\S+)\s*$", line)
    if not m or "-" in (m.group(1), m.group(2), m.group(3)):
        continue
    now, lo, hi = (float(x) for x in m.groups())
    rows += 1
    if not lo <= now <= hi:
        sys.exit("printed outside its own range: %r" % line.strip())
if rows < int(sys.argv[1]):
    sys.exit("%d trend rows with figures, expected %s" % (rows, sys.argv[1]))
' "$1" || fail "a trend row's figures"
}

# edges_honest MODEL VERSION WINDOW: each decile's printed range edges read as 0 or 1 only
# where calibration --json has exactly that
edges_honest() {
    settle
    md --json calibration "$1" "$2" --window "$3" >"$T_DIR/cal.json" || fail "calibration --json"
    screen | "$PY" -c '
import json, re, sys
deciles = json.load(open(sys.argv[1]))["windows"][0]["deciles"]
seen = 0
for line in sys.stdin:
    m = re.match(r"\s+(\d+) (\S+)\.\.(\S+)\s", line)
    if not m or not 1 <= int(m.group(1)) <= len(deciles):
        continue
    d = deciles[int(m.group(1)) - 1]
    seen += 1
    for shown, true in ((m.group(2), d["lo"]), (m.group(3), d["hi"])):
        if float(shown) in (0.0, 1.0) and float(shown) != true:
            sys.exit("decile %d shows an edge of %s for %r" % (d["decile"], shown, true))
if seen != len(deciles):
    sys.exit("%d decile rows on the screen, %d in the window" % (seen, len(deciles)))
' "$T_DIR/cal.json" || fail "a decile's edges"
}

start_console -u ada
keys :
type_text "calibration churn 2"
keys Enter
wait_for "calibration churn v2 2026-11-25"
# the top decile's upper edge is 0.9996: not 1
expect_screen_matches "^ +10 0\.641\.\.0\.9996 "
edges_honest churn 2 2026-11-25
# every window of the version: this window's figures inside their range
total=$(md --json calibration churn 2 | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["windows"]))')
for ((i = total; i >= 1; i--)); do
    wait_for "($i/$total)"
    trends_in_range 5
    keys '['
done

# the drill-down into a feature whose missingness alerts: the p-value in full at 80 columns
keys :
type_text "drift churn 2 2026-10-27 email_open_rate"
keys Enter
wait_for "drift churn v2"
keys Enter
wait_for "email_open_rate @ 2026-10-27"
md --json drift churn 2 >"$T_DIR/drift.json" || fail "drift --json"
p=$("$PY" -c '
import json, sys
r = [r for r in json.load(open(sys.argv[1]))["drift"]
     if r["window"] == "2026-10-27" and r["feature"] == "email_open_rate"][0]
print("missing %.3g (%+.3g, p %.2g)" % (r["missing_rate"], r["missing_delta"], r["missing_pvalue"]))
' "$T_DIR/drift.json")
expect_screen_contains "$p"
trends_in_range 3
for k in 1 2 3 4 5 6; do
    keys ']'
    trends_in_range 3
done
keys Q
wait_exit
[ "$EXIT_CODE" = 0 ] || fail "exit code $EXIT_CODE"
