#!/usr/bin/env bash
# The drift heatmap: the value under the cursor (status line) is the value
# `modeldeck drift --json` gives for that feature and window, for each metric, at cells the
# cursor reaches by moving left, down and a page of windows back; Enter drills into the feature.
. "$(dirname "$0")/lib.sh"

md --json drift churn 2 >"$T_DIR/drift.json" || fail "modeldeck drift --json failed"

md --json policy show churn >"$T_DIR/policy.json" || fail "modeldeck policy show failed"

# check_cell METRIC-LABEL JSON-KEY: the status line reads "LABEL VALUE [(NOTE)] STATUS [by TESTS]
# WINDOW FEATURE"; the JSON row for WINDOW and FEATURE must hold exactly VALUE under KEY, and the same
# status; a warn or alert names the tests whose level it is under the policy in force (worked
# out here from the row's figures, as docs/METRICS.md words the rule), whatever the metric shown.
check_cell() {
    local label=$1 key=$2 line
    settle
    line=$(screen | tail -n 1)
    "$PY" - "$T_DIR/drift.json" "$T_DIR/policy.json" "$label" "$key" "$line" <<'PY' || fail "heatmap cell vs drift --json"
import json, sys
doc = json.load(open(sys.argv[1]))
pol = json.load(open(sys.argv[2]))
pol = pol.get("policy", pol)["drift"]
label, key, line = sys.argv[3], sys.argv[4], sys.argv[5]
words, lw = line.split(), label.split()
at = [i for i in range(len(words)) if words[i:i + len(lw)] == lw]
if not at:
    sys.exit("the status line does not show a %s cell: %r" % (label, line))
rest = words[at[-1] + len(lw):]
value, rest = rest[0], rest[1:]
if rest[0].startswith("("):  # a note on the value: "(40 values < 100)"
    rest = rest[next(i for i, w in enumerate(rest) if w.endswith(")")) + 1:]
status, rest = rest[0], rest[1:]
named = []
if rest and rest[0] == "by":
    named, rest = rest[1].split("+"), rest[2:]
window, feature = rest[0], rest[1]
rows = [r for r in doc["drift"] if r["window"] == window and r["feature"] == feature]
if len(rows) != 1:
    sys.exit("no single drift row for %s %s in the JSON (status line %r)" % (window, feature, line))
r = rows[0]
want = r[key]
got = None if value == "null" else (int(value) if isinstance(want, int) else float(value))
if got != want:
    sys.exit("%s %s %s: the console shows %r, drift --json has %r" % (feature, window, key, value, want))
if status != r["status"]:
    sys.exit("%s %s: the console says %s, drift --json says %s" % (feature, window, status, r["status"]))
level = {"ok": 0, "warn": 1, "alert": 2}
def psi():
    p, x = pol["psi"], r["psi"]
    if x is None or not x > r["psi_null_p99"]:
        return 0
    if r["mix_pvalue"] is not None:
        if not r["mix_pvalue"] < p["small_pvalue"]:
            return 0
    elif r["present"] < p["min_rows"]:
        return 0
    return 2 if x >= p["alert"] else 1 if x >= p["warn"] else 0
def missing():
    p, x = pol["missing_delta"], abs(r["missing_delta"])
    if r["missing_pvalue"] is not None and not r["missing_pvalue"] < p["pvalue"]:
        return 0
    return 2 if x >= p["alert"] else 1 if x >= p["warn"] else 0
ks = pol["ks"]
tests = [("PSI", psi()),
         ("KS", level[ks["level"]] if r["ks"] is not None and r["ks_pvalue"] < ks["pvalue"]
          and r["ks"] >= ks["min_d"] else 0),
         ("missing", missing()),
         ("schema", level[pol["schema_change"]] if r["schema_changes"] > 0 else 0),
         ("contract", level[pol["schema_change"]] if r["violations"] > 0 else 0)]
expect = [name for name, lv in tests if lv and lv == level[status]]
if named != expect:
    sys.exit("%s %s: the console names %s for its %s, the figures give %s" % (feature, window, named, status, expect))
print("cell %s %s %s = %s (%s%s)" % (feature, window, key, value, status, " by " + "+".join(named) if named else ""))
PY
}

start_console -u ada
keys :
type_text "drift churn 2"
keys Enter
wait_for "drift churn v2 PSI"
check_cell PSI psi
# the version chooser: a letter moves to the next option starting with it and does not choose
keys v
wait_for "(shown)"
keys v
sleep 0.3
expect_screen_contains "(shown)"
keys Escape
wait_gone "(shown)"
expect_screen_contains "drift churn v2 PSI"
# it opens on the version shown: Enter keeps it
keys v
wait_for "(shown)"
keys Enter
wait_gone "(shown)"
settle
expect_screen_contains "drift churn v2 PSI"
keys h h h j j
check_cell PSI psi
keys m # KS
wait_for "drift churn v2 KS D"
check_cell "KS D" ks
keys H k # a page of windows back, and a feature up
check_cell "KS D" ks
keys m # missing delta
wait_for "drift churn v2 missing delta"
check_cell "missing delta" missing_delta
keys m # schema changes
wait_for "drift churn v2 schema changes"
check_cell "schema changes" schema_changes
keys G # the last feature
check_cell "schema changes" schema_changes

# an alerting cell: the first window in which email_open_rate alerts, reached from the first
# window and the first feature (windows and features in the order drift --json gives them)
read -r wi fi < <("$PY" - "$T_DIR/drift.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["drift"]
windows = sorted({r["window"] for r in rows})
features = list(dict.fromkeys(r["feature"] for r in rows))
hit = next(r for r in rows if r["feature"] == "email_open_rate" and r["status"] == "alert")
print(windows.index(hit["window"]), features.index("email_open_rate"))
PY
)
[ -n "$wi" ] || fail "no alerting email_open_rate window in the demo"
keys m # back to PSI
wait_for "drift churn v2 PSI"
keys g H H H H # the first feature, the first window
for ((i = 0; i < wi; i++)); do keys l; done
for ((i = 0; i < fi; i++)); do keys j; done
check_cell PSI psi
screen | tail -n 1 | grep -q " alert by missing .*email_open_rate" ||
    fail "the cell should be an email_open_rate alert, by its missingness"
keys m # KS: calm there, yet marked, and the status line says what for
check_cell "KS D" ks
screen | tail -n 1 | grep -q " alert by missing .*email_open_rate" ||
    fail "on the KS map the status line should name missingness behind the alert"
expect_screen_contains "!: alert *: warn by any test"
# the filter keeps the features whose name has the text, in any case
keys /
type_text EMAIL_Open
keys Enter
wait_for "[/EMAIL_Open]"
expect_screen_contains "email_open_rate"
expect_screen_not_contains "recency_days"
keys Escape
wait_gone "[/EMAIL_Open]"
expect_screen_contains "recency_days"
keys m # missing delta: what the alert is about
check_cell "missing delta" missing_delta

# Enter: the feature drill-down for the cell under the cursor
feature=$(screen | tail -n 1 | awk '{print $NF}')
keys Enter
wait_for "contract:" # the drill-down's own line: the feature's name is on the heatmap already
expect_screen_contains "$feature"
expect_screen_contains "baseline"
keys Escape
wait_gone "contract:" # back on the heatmap, whose title the drill-down shows too

# from an incident's evidence straight to the drift cell behind it
md --json incidents show 12 >"$T_DIR/inc.json" || fail "incidents show 12"
[ "$(json_get 'd["kind"]' "$T_DIR/inc.json")" = drift ] || fail "incident 12 of the demo is not a drift incident"
cell=$(json_get '"%s %s" % (d["evidence"][2]["window"], d["evidence"][2]["feature"])' "$T_DIR/inc.json")
keys :
type_text "incidents all"
keys Enter
wait_for "Incidents all"
keys /
type_text "$(json_get 'd["title"]' "$T_DIR/inc.json" | cut -c1-20)"
keys Enter
keys g Enter
wait_for "Incident #12"
# w: the evidence row's reason whole, where the status line cuts it at 80 columns
tail=$(json_get 'sorted(d["evidence"], key=lambda e: e["window"])[-1]["reason"][-14:]' "$T_DIR/inc.json")
settle
expect_screen_not_contains "$tail"
keys w
wait_for "$tail"
keys Escape
wait_gone "$tail"
keys g j j Enter
wait_for "drift $(json_get 'd["model"]' "$T_DIR/inc.json") v$(json_get 'd["version"]' "$T_DIR/inc.json")"
settle
screen | tail -n 1 | grep -qF " $cell" || fail "the heatmap should open on the evidence's cell ($cell)"
# over the incident: Esc comes back to it, and so does q (which quits only from a screen)
keys Escape
wait_for "Incident #12"
keys Enter
wait_for "drift $(json_get 'd["model"]' "$T_DIR/inc.json") v$(json_get 'd["version"]' "$T_DIR/inc.json")"
keys q
wait_for "Incident #12"
# a window the version no longer has (an ingest --replace emptied it): said, the latest shown
keys :
type_text "drift churn 2 2020-01-01 recency_days"
keys Enter
wait_for "no window 2020-01-01: at the latest"
# a feature the version has not: said, the cursor on the first
keys :
type_text "drift churn 2 2026-11-20 no_such_feature"
keys Enter
wait_for "no feature no_such_feature here: at the first"
keys Q
wait_exit
[ "$EXIT_CODE" = 0 ] || fail "exit code $EXIT_CODE"

# a window of a few rows: PSI alone decides nothing there (drift.psi.min_rows), and the status
# line says so, with the window's values
small_window_csv "$T_DIR/small.csv" 0
md_as olga ingest churn 2 "$T_DIR/small.csv" >/dev/null || fail "ingest of the small window"
md drift churn 2 --window 2026-11-27 | grep -q "^2026-11-27  recency_days  *[a-z]*  *40 " ||
    fail "drift should show the window's 40 values: $(md drift churn 2 --window 2026-11-27)"
md --json drift churn 2 >"$T_DIR/drift.json" || fail "modeldeck drift --json failed"
# 100 columns: the status line whole (at 80 the feature name, last, is what gets cut)
start_console -s 100x24 -u ada
keys :
type_text "drift churn 2"
keys Enter
wait_for "drift churn v2 PSI"
keys g # the first feature, recency_days; the cursor is on the newest window
settle
screen | tail -n 1 | grep -q " PSI [0-9.]* (40 values < 100) [a-z]" ||
    fail "the status line should say the small window's PSI alone counts from 100 values: $(screen | tail -n 1)"
check_cell PSI psi # and which tests, PSI not among them, decide the cell
keys Q
wait_exit
