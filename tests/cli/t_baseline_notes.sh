#!/usr/bin/env bash
# Promise: a baseline too thin to compare windows with is built, and says what it lacks: a
# handful of rows (noisy PSI and KS), no feature columns (nothing for drift), labels of one class
# or none (no baseline AUC, so no ΔAUC). A holdout of ordinary size says none of it. drift of a
# version whose baseline has no features says so (exit 0: its windows exist).
. "$(dirname "$0")/lib.sh"

new_churn_store alice
md_as alice version add churn --artifact s3://models/churn/2 >/dev/null

printf 'score\n0.5\n' >"$T_DIR/one.csv"
md_as alice baseline churn 1 "$T_DIR/one.csv"
expect_exit 0
expect_stdout_contains "note: 1 row: quantile edges and the KS sample drawn from so few values"
expect_stdout_contains "note: no feature columns: drift has nothing to compare"
expect_stdout_contains "note: no labeled rows: no baseline AUC"
# its windows have no drift rows: drift says why, and is no error (the windows are there)
printf 'ts,score\n2026-10-01T00:00:00Z,0.4\n2026-10-02T00:00:00Z,0.6\n' >"$T_DIR/log.csv"
md_as alice ingest churn 1 "$T_DIR/log.csv"
expect_exit 0
md_as alice drift churn 1
expect_exit 0
expect_stdout_contains "no features: the baseline has no feature columns"

printf 'score,label,x\n0.5,1,3\n0.2,1,4\n' >"$T_DIR/two.csv"
md_as alice --json baseline churn 1 "$T_DIR/two.csv" --replace
expect_exit 0
expect_json '[d["rows"], d["labeled"], d["positives"], d["numeric"]]' '[2,2,2,1]'
md_as alice baseline churn 2 "$T_DIR/two.csv"
expect_exit 0
expect_stdout_contains "note: every labeled row is a 1: no baseline AUC, so windows have no ΔAUC"

"$PY" - "$T_DIR/base.csv" <<'PY'
import random, sys
r = random.Random(3)
with open(sys.argv[1], "w") as f:
    f.write("score,label,x,ch\n")
    for i in range(500):
        s = r.random()
        f.write("%.4f,%d,%.3f,%s\n" % (s, r.random() < s, r.gauss(0, 1), r.choice("abc")))
PY
md_as alice baseline churn 2 "$T_DIR/base.csv" --replace
expect_exit 0
grep -q "note:" "$OUT" && fail "an ordinary baseline got a note: $(cat "$OUT")"
true

# a feature of numbers with a stray text is categorical: the note says which texts, and that its
# numbers are categories (a window's number the baseline never held is new), not that every
# window will alert
"$PY" - "$T_DIR/mixed.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("score,label,tier\n")
    for i in range(200):
        f.write("0.5,%d,%s\n" % (i % 2, "?" if i == 5 else str(i % 3 + 1)))
PY
md_as alice --json baseline churn 2 "$T_DIR/mixed.csv" --replace
expect_exit 0
expect_json '[(m["feature"], m["numbers"], m["distinct_numbers"]) for m in d["mostly_number_features"]]' \
    '[["tier",199,3]]'
md_as alice baseline churn 2 "$T_DIR/mixed.csv" --replace
expect_stdout_contains "feature tier is categorical: 199 of its 200 values are numbers, but not '?' (1 row): its numbers are read as categories (3 distinct)"
grep -q "every window will alert" "$OUT" && fail "the note claims every window will alert"
true
