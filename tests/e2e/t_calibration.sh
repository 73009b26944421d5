#!/usr/bin/env bash
# Calibration: a line under the figures applies the policy's calibration rule
# (incidents.calibration) to the window shown, each part with its threshold, and gives the
# verdict the incident rules reach (worked out here from `calibration --json` and the policy);
# a window asked for and not there is said, as on the drift screen; stepping past the last
# window says so in plain words, and the words go once the cursor moves.
. "$(dirname "$0")/lib.sh"

# check_rule MODEL VERSION: the rule line of the window in the breadcrumbs is the one the
# figures and the policy give
check_rule() {
    local model=$1 version=$2 window
    settle
    window=$(screen | sed -n 2p | awk '{print $NF}')
    md --json calibration "$model" "$version" --window "$window" >"$T_DIR/cal.json" ||
        fail "calibration --json $model $version --window $window"
    md --json policy show "$model" >"$T_DIR/pol.json" || fail "policy show $model"
    "$PY" - "$T_DIR/cal.json" "$T_DIR/pol.json" "$(screen | sed -n 5p)" <<'PY' || fail "the calibration rule's line"
import json, sys
w = json.load(open(sys.argv[1]))["windows"][0]
p = json.load(open(sys.argv[2]))["policy"]["incidents"]["calibration"]
line = sys.argv[3]
def adequate(deciles):  # md_hl_adequate
    cells = small = 0
    for d in deciles:
        n, m = d["n"], d["expected"]
        if not n > 0 or m is None or not 0 < m < 1:
            continue
        for e in (n * m, n * (1 - m)):
            if e < 1:
                return False
            cells += 1
            small += e < 5
    return cells > 0 and 5 * small <= cells
ece, hl, labeled = w["ece"], w["hl_pvalue"], w["labeled"]
ece_over = ece is not None and ece > p["ece_max"]
ece_counts = ece is not None and labeled >= p["ece_min_labeled"]
hl_testable = hl is not None and adequate(w["deciles"])
hl_low = hl is not None and hl < p["hl_pvalue"]
if (ece_over and ece_counts) or (hl_testable and hl_low):
    want = ["miscalibrated"]
elif (ece is not None and not ece_over) or (hl_testable and not hl_low):
    want = ["within policy"]
else:
    want = ["too few labels to judge", "no verdict"]
if not any(line.endswith(": " + v) for v in want):
    sys.exit("window %s: the line reads %r, the rule gives %s" % (w["window"], line, want[0]))
if ece is not None and ("> %g" % p["ece_max"] in line) != ece_over:
    sys.exit("window %s: ECE %s against %g, the line reads %r" % (w["window"], ece, p["ece_max"], line))
if ece_over and not ece_counts and "%d" % labeled not in line:
    sys.exit("window %s: ECE over %d labeled rows cannot decide alone: %r" % (w["window"], labeled, line))
print("%s %s: %s" % (w["window"], want[0], line.strip()))
PY
}

start_console -u ada
keys :
type_text "calibration email-send-time"
keys Enter
wait_for "calibration email-send-time v1"
check_rule email-send-time 1
expect_line 4 ": miscalibrated" # the demo's calibration drift, incident 3
expect_line 4 "HL p 8.4e-44 < 0.01" # scipy.stats.chi2.sf(hl_stat, g - 2), g = 10
keys :
type_text "calibration churn"
keys Enter
wait_for "calibration churn v2"
check_rule churn 2
expect_line 4 ": within policy"

# the latest window: ] says so in words, and [ takes the words away
keys ']'
wait_for "next: this is the latest window"
expect_screen_not_contains "window_next"
keys '['
wait_gone "this is the latest window"
expect_screen_contains "(46/47)"
check_rule churn 2

# a window the version does not have: said, the latest shown, until the cursor moves
keys :
type_text "calibration churn 2 2030-01-01"
keys Enter
wait_for "no window 2030-01-01: at the latest"
expect_screen_contains "calibration churn v2 2026-11-25"
keys '['
wait_gone "no window 2030-01-01"
expect_screen_contains "window 2026-11-24 (46/47)"
keys Q
wait_exit
[ "$EXIT_CODE" = 0 ] || fail "exit code $EXIT_CODE"

# a window of 40 labeled rows: ECE alone cannot decide there, nor HL's small deciles
small_window_csv "$T_DIR/small.csv" 1
md_as olga ingest churn 2 "$T_DIR/small.csv" >/dev/null || fail "ingest of the small window"
start_console -u ada
keys :
type_text "calibration churn 2 2026-11-27"
keys Enter
wait_for "calibration churn v2 2026-11-27"
check_rule churn 2
expect_line 4 "(40 labeled < 2000)"
expect_line 4 "HL untested: too few labels to judge"
keys Q
wait_exit
[ "$EXIT_CODE" = 0 ] || fail "exit code $EXIT_CODE"

# a log with a latency column: the window's percentiles and its share over the model's SLA,
# as `calibration --json` has them (a latency incident's evidence leads here)
start_console -u ada
keys :
type_text "calibration nba-realtime"
keys Enter
wait_for "calibration nba-realtime"
settle
window=$(screen | sed -n 2p | awk '{print $NF}')
want=$(md --json calibration nba-realtime --window "$window" | "$PY" -c '
import json, sys
l = json.load(sys.stdin)["windows"][0]["latency"]
g = lambda v: "%.4g" % v
print("latency p50 %s ms  p95 %s  p99 %s  over the" % (g(l["p50"]), g(l["p95"]), g(l["p99"])))')
expect_screen_contains "$want"
keys Q
wait_exit
