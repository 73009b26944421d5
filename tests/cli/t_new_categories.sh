#!/usr/bin/env bash
# Promise: a categorical feature whose values turn unique per row (an id, a tracking code in a
# campaign name) is counted, not kept: every row of a new category counts as a schema change,
# the window names at most 1,000 of them, drift says how many there were (about, past those)
# and that PSI is then a range. A handful of new categories are all named, their count exact.
. "$(dirname "$0")/lib.sh"

new_churn_store alice
"$PY" - "$T_DIR" <<'PY'
import random, sys
r = random.Random(5)
d = sys.argv[1]
with open(d + "/base.csv", "w") as f:
    f.write("score,label,ch\n")
    for i in range(3000):
        s = r.random()
        f.write("%.4f,%d,%s\n" % (s, r.random() < s, r.choice("abc")))
with open(d + "/unique.csv", "w") as f:
    f.write("ts,score,label,ch\n")
    for i in range(20000):
        s = r.random()
        ch = "a" if i % 4 == 0 else "trk-%07d" % i
        f.write("2026-10-01T%02d:00:00Z,%.4f,%d,%s\n" % (i % 24, s, r.random() < s, ch))
with open(d + "/few.csv", "w") as f:
    f.write("ts,score,label,ch\n")
    for i in range(3000):
        s = r.random()
        ch = "new-%02d" % ((i // 2) % 30) if i % 2 else r.choice("abc")
        f.write("2026-10-02T%02d:00:00Z,%.4f,%d,%s\n" % (i % 24, s, r.random() < s, ch))
PY
md_as alice baseline churn 1 "$T_DIR/base.csv"
expect_exit 0
md_as alice ingest churn 1 "$T_DIR/unique.csv"
expect_exit 0
md_as alice ingest churn 1 "$T_DIR/few.csv"
expect_exit 0

md_as alice --json drift churn 1 --window 2026-10-01
expect_exit 0
expect_json 'd["drift"][0]["schema_changes"]' 15000
expect_json 'd["drift"][0]["new_categories_estimated"]' true
expect_json 'abs(d["drift"][0]["new_categories_distinct"] - 15000) < 1500' true
expect_json 'len(d["drift"][0]["hist"]) <= 1003' true
expect_json 'len(d["drift"][0]["new_categories"])' 20
expect_json 'd["drift"][0]["psi"] < d["drift"][0]["psi_max"]' true
md_as alice drift churn 1 --window 2026-10-01
expect_exit 0
expect_stdout_contains "2026-10-01 ch: about "
expect_stdout_contains " distinct, these 20: trk-"
expect_stdout_contains "; PSI between "

md_as alice --json drift churn 1 --window 2026-10-02
expect_exit 0
expect_json 'd["drift"][0]["schema_changes"]' 1500
expect_json 'd["drift"][0]["new_categories_distinct"]' 30
expect_json 'd["drift"][0]["new_categories_estimated"]' false
expect_json 'd["drift"][0]["psi_max"]' null
md_as alice drift churn 1 --window 2026-10-02
expect_stdout_contains "2026-10-02 ch: 30 distinct, the first 20: new-00, new-01,"
grep -q "PSI between" "$OUT" && fail "an exact PSI was given as a range: $(cat "$OUT")"
true
