#!/usr/bin/env bash
# A categorical feature whose values turned unique per row, in the drill-down at 80x24: the
# count of new categories, about so many past the 1,000 a window names, and PSI shown as the
# range it is then.
. "$(dirname "$0")/lib.sh"

"$PY" - "$T_DIR" <<'PY' || fail "cannot write the logs"
import random, sys
d = sys.argv[1]
rnd = random.Random(11)
with open(d + "/base.csv", "w") as f:
    f.write("ts,score,label,segment\n")
    for i in range(400):
        f.write("2026-11-01T00:00:00Z,%.3f,%d,%s\n" % (rnd.random(), i % 2, "ab"[i % 2]))
with open(d + "/log.csv", "w") as f:
    f.write("ts,score,label,segment\n")
    for i in range(4000):
        seg = "a" if i % 4 == 0 else "trk-%05d" % i
        f.write("2026-11-24T12:00:00Z,%.3f,%d,%s\n" % (rnd.random(), i % 2, seg))
PY
md_as demo model add uniq --use-case "new categories" --owner ops >/dev/null || fail "model add"
md_as demo version add uniq --artifact s3://m/uniq >/dev/null || fail "version add"
md_as demo baseline uniq 1 "$T_DIR/base.csv" >/dev/null || fail "baseline"
md_as demo ingest uniq 1 "$T_DIR/log.csv" >/dev/null || fail "ingest"

start_console -u ada
keys :
type_text "drift uniq 1"
keys Enter
wait_for "drift uniq v1 PSI"
keys Enter
wait_for "schema changes 3000"
settle
# 3,000 distinct, estimated from the 1,000 kept: within 10%
n=$(screen | grep -oE "~[0-9]+ new:" | tr -dc 0-9)
[ -n "$n" ] || fail "no estimated count of new categories: $(screen | grep 'schema changes')"
[ "$n" -gt 2700 ] && [ "$n" -lt 3300 ] || fail "about $n new categories, not about 3000"
expect_screen_matches "^ PSI [0-9.]+ to [0-9.]+ \(null p99"
