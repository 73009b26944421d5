#!/usr/bin/env bash
# The registry's and the model screen's figures say what they are of, and are what the CLI
# gives for it: on the registry, DRIFT of the latest window, dAUC and ECE of the latest labeled
# one (a row whose labels lag its drift is marked, and the line under the table names both
# windows); on the model screen, means over the policy's last evidence windows, the candidate
# without windows showing none of production's figures, and its baseline AUC in a column of
# its own.
. "$(dirname "$0")/lib.sh"

# row_field MODEL N: field N (1 DRIFT, 2 dAUC, 3 ECE) of the model's registry row
row_field() {
    screen | sed -nE "s/^$1 .* v[0-9]+ +([a-z-]+) +([^ ]+) +([^ ]+) .*/\\$2/p" | head -n 1
}
# fmt FORMAT PY-EXPR FILE: the JSON value formatted as the console prints it
fmt() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[3])); print(sys.argv[1] % eval(sys.argv[2]))' "$1" "$2" "$3"; }

start_console -u ada
expect_line 21 "DRIFT: latest window"
expect_line 21 "dAUC, ECE: latest labeled one"
keys j
wait_for "churn v2: DRIFT, dAUC and ECE of window 2026-11-25"
md --json calibration churn 2 --window 2026-11-25 >"$T_DIR/cal.json" || fail "calibration --json"
[ "$(row_field churn 2)" = "$(fmt %+.4f 'd["windows"][0]["delta_auc"]' "$T_DIR/cal.json")" ] ||
    fail "registry dAUC of churn is not the window's"
[ "$(row_field churn 3)" = "$(fmt %.4f 'd["windows"][0]["ece"]' "$T_DIR/cal.json")" ] ||
    fail "registry ECE of churn is not the window's"

# the model screen: means over the last evidence windows, as compare reads them
keys Enter
wait_for "stage history"
n=$(md --json policy show churn | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["policy"]["promotion"]["evidence_windows"])')
expect_screen_contains "AUC, dAUC, ECE mean of the last $n windows, MAX PSI their max"
expect_screen_matches "VER +STATUS +CREATED +AUC +dAUC +ECE +MAX PSI +WIN +BASE AUC +REQUEST"
md --json compare churn >"$T_DIR/cmp.json" || fail "compare --json"
want="v2 production $(md --json model show churn | "$PY" -c 'import json,sys; print([v for v in json.load(sys.stdin)["versions"] if v["number"] == 2][0]["created_at"][:10])')"
for k in auc delta_auc ece max_psi baseline_auc; do
    f=%.4f
    [ $k = delta_auc ] && f=%+.4f
    want="$want $(fmt $f "d['champion']['$k']" "$T_DIR/cmp.json")"
    [ $k = max_psi ] && want="$want $(md --json calibration churn 2 | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["windows"]))')"
done
got=$(screen | grep -E '^v2 ' | awk '{ $NF = $NF; print }')
[ "$got" = "$want" ] || fail "the champion's row: '$got', compare gives '$want'"
# the candidate has no windows: no production figures, and its holdout AUC apart
expect_screen_matches "^v3 +candidate +[0-9-]+ +- +- +- +- +0 +$(fmt %.4f 'd["candidate"]["baseline_auc"]' "$T_DIR/cmp.json") #10 0/2"
keys q
wait_for "USE CASE"

# scores of a day whose labels have not come yet: DRIFT moves to it, dAUC and ECE stay with
# the latest labeled window, and the row says so
small_window_csv "$T_DIR/unlabeled.csv" unlabeled 200 2026-11-26
md_as olga ingest churn 2 "$T_DIR/unlabeled.csv" >/dev/null || fail "ingest of the unlabeled day"
wait_for "churn v2: DRIFT of 2026-11-26; dAUC, ECE of 2026-11-25 (labels behind)"
[ "$(row_field churn 3)" = "$(fmt '%.4f*' 'd["windows"][0]["ece"]' "$T_DIR/cal.json")" ] ||
    fail "churn's ECE should be the labeled window's, marked older than DRIFT's"
[ "$(row_field churn 2)" = "$(fmt %+.4f 'd["windows"][0]["delta_auc"]' "$T_DIR/cal.json")" ] ||
    fail "churn's dAUC should stay the labeled window's"
[ "$(row_field b2b-lead-scoring 3)" = "$(row_field b2b-lead-scoring 3 | tr -d '*')" ] ||
    fail "a row whose figures are of its latest window is not marked"
keys Q
wait_exit
[ "$EXIT_CODE" = 0 ] || fail "exit code $EXIT_CODE"
