#!/usr/bin/env bash
# Promise: a decile's score edges never print as a value they are not: a lowest score of 3e-05
# is not 0.0000, a highest of 0.99996 is not 1.0000; edges of ordinary size keep four decimals.
. "$(dirname "$0")/lib.sh"

new_churn_store alice
"$PY" - "$T_DIR/base.csv" "$T_DIR/log.csv" <<'PY'
import random, sys
r = random.Random(11)
def scores(n):
    return [0.00003, 0.99996] + [0.05 + 0.9 * r.random() for _ in range(n - 2)]
with open(sys.argv[1], "w") as f:
    f.write("score,label\n")
    for s in scores(1000):
        f.write("%r,%d\n" % (s, r.random() < s))
with open(sys.argv[2], "w") as f:
    f.write("ts,score,label\n")
    for s in scores(500):
        f.write("2026-11-20T10:00:00Z,%r,%d\n" % (s, r.random() < s))
PY
md_as alice baseline churn 1 "$T_DIR/base.csv"
expect_exit 0
md_as alice ingest churn 1 "$T_DIR/log.csv"
expect_exit 0
md_as alice --json calibration churn 1 --window 2026-11-20
expect_exit 0
expect_json '[d["windows"][0]["deciles"][0]["lo"], d["windows"][0]["deciles"][-1]["hi"]]' \
    '[3e-05,0.99996]'
md_as alice calibration churn 1 --window 2026-11-20
expect_exit 0
expect_stdout_matches '^1 +0\.00003 +0\.[0-9]{4} '
expect_stdout_matches '^10 +0\.[0-9]{4} +0\.99996 '
expect_stdout_not_contains "0.0000 "
expect_stdout_not_contains "1.0000 "
