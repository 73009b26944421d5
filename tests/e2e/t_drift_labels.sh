#!/usr/bin/env bash
# The heatmap's labels at 80x24: the position counters are never cut, however short the
# feature names beside them; a month label that would run off the right edge waits for the next
# page rather than show as "202…"; feature names too long for their column lose their middle,
# so that names differing only at the end stay apart; a page that opens on a month's last days
# labels the month that fills it.
. "$(dirname "$0")/lib.sh"

# model SHORT: two features named f0, f1 over 120 hourly windows (three-digit counters);
# model LONG: names that differ only at their end, longer than the name column at 80 columns
"$PY" - "$T_DIR" <<'PY' || fail "cannot write the logs"
import random, sys
d = sys.argv[1]
rnd = random.Random(7)
def log(path, names, stamps, per, shift=0.0):
    with open(path, "w") as f:
        f.write(",".join(["ts", "score", "label"] + names) + "\n")
        for ts in stamps:
            for _ in range(per):
                f.write(",".join([ts, "%.3f" % rnd.random(), str(rnd.randint(0, 1))] +
                                 ["%.3f" % rnd.gauss(shift, 1) for _ in names]) + "\n")
hours = ["2026-11-%02dT%02d:30:00Z" % (20 + h // 24, h % 24) for h in range(120)]
log(d + "/short_base.csv", ["f0", "f1"], hours[:1], 400)
log(d + "/short.csv", ["f0", "f1"], hours, 3)
long_names = ["customer_monetary_spend_last_7d", "customer_monetary_spend_last_30d"]
log(d + "/long_base.csv", long_names, ["2026-11-01T00:00:00Z"], 400)
log(d + "/long.csv", long_names, ["2026-11-%02dT12:00:00Z" % day for day in (24, 25)], 50)
# model DRIFTS: the same names, both drifting far: an incident each, titled by its feature
log(d + "/drifts_base.csv", long_names, ["2026-11-01T00:00:00Z"], 400)
log(d + "/drifts.csv", long_names, ["2026-11-24T12:00:00Z"], 300, shift=3.0)
# model DAYS: daily windows from August 29 to October 15
import datetime
day0 = datetime.date(2026, 8, 29)
days = [(day0 + datetime.timedelta(days=i)).isoformat() + "T12:00:00Z" for i in range(48)]
log(d + "/days_base.csv", ["f0"], ["2026-08-01T00:00:00Z"], 400)
log(d + "/days.csv", ["f0"], days, 3)
# model CATS: a categorical feature whose window has a new category too long for its column
with open(d + "/cats_base.csv", "w") as f:
    f.write("ts,score,label,segment\n")
    for i in range(400):
        f.write("2026-11-01T00:00:00Z,%.3f,%d,%s\n" % (rnd.random(), i % 2, "ab"[i % 2]))
with open(d + "/cats.csv", "w") as f:
    f.write("ts,score,label,segment\n")
    for i in range(200):
        f.write("2026-11-24T12:00:00Z,%.3f,%d,%s\n" % (rnd.random(), i % 2,
                ["a", "b", "a_segment_name_much_longer_than_the_label_column", "c\td"][i % 4]))
# model GAPS: one window whose feature went 10% missing, its values as before: a warn by
# missingness that the PSI map's shade does not show, so the cell carries the '*' mark
log(d + "/gaps_base.csv", ["f0"], ["2026-11-01T00:00:00Z"], 1000)
with open(d + "/gaps.csv", "w") as f:
    f.write("ts,score,label,f0\n")
    for i in range(1000):
        v = "" if i % 10 == 0 else "%.3f" % rnd.gauss(0, 1)
        f.write("2026-11-24T12:00:00Z,%.3f,%d,%s\n" % (rnd.random(), i % 2, v))
PY
for m in short long days cats drifts gaps; do
    md_as demo model add "$m" --use-case "labels" --owner ops >/dev/null || fail "model add $m"
    md_as demo version add "$m" --artifact "s3://m/$m" >/dev/null || fail "version add $m"
    md_as demo baseline "$m" 1 "$T_DIR/${m}_base.csv" >/dev/null || fail "baseline $m"
done
md_as demo ingest short 1 "$T_DIR/short.csv" --window hour >/dev/null || fail "ingest short"
md_as demo ingest long 1 "$T_DIR/long.csv" >/dev/null || fail "ingest long"
md_as demo ingest days 1 "$T_DIR/days.csv" >/dev/null || fail "ingest days"
md_as demo ingest cats 1 "$T_DIR/cats.csv" >/dev/null || fail "ingest cats"
md_as demo ingest drifts 1 "$T_DIR/drifts.csv" >/dev/null || fail "ingest drifts"
md_as demo ingest gaps 1 "$T_DIR/gaps.csv" >/dev/null || fail "ingest gaps"

# header_whole: the two header rows (counters, window labels) hold no cut text
header_whole() {
    screen | sed -n '4,5p' | grep -q "…" && fail "a header label is cut: $(screen | sed -n '4,5p')"
    return 0
}

start_console -u ada
keys :
type_text "drift short 1"
keys Enter
wait_for "drift short v1 PSI"
settle
expect_line 3 "win 90-120/120 " # the latest windows: the counter whole, a blank after it
expect_line 4 "feat 1-2/2 "
header_whole
keys H H H H # back to the first page of windows
settle
expect_line 3 "win 1-31/120 "
header_whole
# hourly windows on the calibration screen: the trends' range loses its years, not its place
keys :
type_text "calibration short 1"
keys Enter
wait_for "calibration short"
settle
expect_screen_matches "trends, windows 11-[0-9]{2}T[0-9]{2} … 11-[0-9]{2}T[0-9]{2} "

keys :
type_text "drift long 1"
keys Enter
wait_for "drift long v1 PSI"
settle
# 18 columns at 80: both ends of each name, told apart
expect_screen_contains "customer_…_last_7d│"
expect_screen_contains "customer_…last_30d│"
# the status line names the cell's feature; cut, it keeps both ends too
keys j
settle
screen | tail -n 1 | grep -qE "customer.*_30d$" ||
    fail "the status line lost the feature's end: $(screen | tail -n 1)"
keys k

keys :
type_text "drift days 1"
keys Enter
wait_for "drift days v1 PSI"
keys H H # the first page: Aug 29 .. the end of September, its month
settle
expect_line 3 "win 1-"
screen | sed -n '4p' | grep -q "2026-09" || fail "September has no label: $(screen | sed -n '4,5p')"
screen | sed -n '4p' | grep -q "2026-08" && fail "three days of August took the label: $(screen | sed -n '4,5p')"

# a warn by another test than the one shown is marked, as an alert is: '*' beside a calm shade
keys :
type_text "drift gaps 1"
keys Enter
wait_for "drift gaps v1 PSI"
settle
screen | tail -n 1 | grep -q "warn by missing" || fail "the gaps cell is no missingness warn: $(screen | tail -n 1)"
screen | grep -qE '^f0 +│(·|\.)\*' || fail "the warn cell has no '*': $(screen | grep '^f0')"
expect_screen_contains "*: warn"

# the drill-down of a categorical feature: a new category too long for the label column is cut
# before its "new" marker, never the marker
keys :
type_text "drift cats 1"
keys Enter
wait_for "drift cats v1 PSI"
keys Enter
wait_for "a_segment_name"
settle
screen | grep -F "a_segment_name" | grep -qE "a_segment_name[^ ]*… new" ||
    fail "the long new category lost its marker: $(screen | grep -F a_segment_name)"
# a tab inside a category shows as ^I, here and in the CLI, not as a space ("c d" is another)
expect_screen_contains "c^Id"
md drift cats 1 | grep -qF "c^Id" || fail "the CLI shows the tab as: $(md drift cats 1 | grep -F 'c')"
keys Escape

# the incident queue and an incident's evidence cut long names in the middle too: the two
# incidents (and their features) stay apart at 80 columns
keys :
type_text "incidents drifts"
keys Enter
wait_for "Incidents"
settle
expect_screen_matches "customer_.*_last_7d +[0-9]"
expect_screen_matches "customer_.*_last_30d +[0-9]"
keys /
type_text "30d"
keys Enter
keys g Enter
wait_for "Incident #"
settle
expect_screen_matches "customer…ast_30d +P"
keys Escape
keys Q
wait_exit
[ "$EXIT_CODE" = 0 ] || fail "exit code $EXIT_CODE"
