#!/usr/bin/env bash
# The registry at 80x24: the demo's six models with their numbers (golden), Enter opens a model
# with its versions and stage history, help lists the keys, the filter and the command line
# work, and q leaves the terminal as it was.
. "$(dirname "$0")/lib.sh"

start_console -u olga
golden registry_80x24
# every model of the store is a row
for m in $(md --json model list | "$PY" -c 'import json,sys; print(" ".join(x["name"] for x in json.load(sys.stdin)))'); do
    expect_screen_contains "${m:0:15}"
done
expect_line 0 "olga (operator)"
expect_line 0 "09:00 UTC"
expect_line 1 "Registry"

# Enter on churn: its versions and stage history
keys j Enter
wait_for "stage history"
expect_line 1 "Registry"
expect_screen_contains "churn"
expect_screen_contains "promotion.execute"
expect_screen_matches "v3 +candidate"
# the lineage of the version under the cursor (v3, then v2), as the registry holds it
lineage() { # VERSION FIELD: "vN data URI", "code REF" or "sha256 SHORT" from `model show --json`
    md --json model show churn | "$PY" -c '
import json, sys
v = [x for x in json.load(sys.stdin)["versions"] if x["number"] == int(sys.argv[1])][0]
print({"data": "v%d data %s" % (v["number"], v["data_uri"]), "code": "code " + v["code_ref"],
       "sha": "sha256 " + v["artifact_sha256"][:8]}[sys.argv[2]])' "$1" "$2"
}
for f in data code sha; do expect_screen_contains "$(lineage 3 $f)"; done
keys j
wait_for "$(lineage 2 data)"
expect_screen_contains "$(lineage 2 sha)"
keys k
wait_for "$(lineage 3 data)"

# in the stage history pane, Enter takes the highlighted move's version (v2), not the versions
# table's (v3); the status line tells the move with its reason
keys Tab
settle
for _ in $(seq 12); do
    screen | tail -n 1 | grep -qE ' v2 [a-z]+ -> ' && break
    keys k
    settle
done
screen | tail -n 1 | grep -qE ' v2 [a-z-]+ -> [a-z]+ by [a-z]+: .' ||
    fail "no move of v2 with its reason on the status line: $(screen | tail -n 1)"
keys Enter
wait_for "drift churn v2"
keys Escape
wait_for "stage history"
keys Tab

# help shows this view's keys, generated from the same table as the bindings
keys '?'
wait_for "Help: Model"
expect_screen_contains "request a promotion of this version"
keys Escape
wait_gone "Help: Model"

# back to the registry; the filter keeps the matching rows
keys Escape
wait_for "USE CASE"
keys /
type_text nba
keys Enter
wait_for "[/nba]"
expect_screen_contains "nba-realtime"
expect_screen_not_contains "b2b-lead"
# the inverse filter: a new / starts empty (the filter in force is a hint, Up brings it back)
keys /
wait_for "/ (Up: nba)"
keys Up
wait_gone "(Up: nba)"
keys Home
type_text '!'
keys Enter
wait_for "[/!nba]"
expect_screen_not_contains "nba-realtime"
expect_screen_contains "b2b-lead"
# n and N: the next and previous match, the rows the filter kept
keys n n
wait_for "creative-classifier: 2 versions"
keys N
wait_for "churn: 3 versions"
keys Escape
wait_gone "[/!nba]"
keys n
wait_for "next: no filter here (/ sets one)"
# the filter matches the words a row shows, the drift status too, in any case
keys /
type_text ALERT
keys Enter
wait_for "[/ALERT]"
expect_screen_contains "upsell-propensity"
expect_screen_not_contains "churn "
keys Escape
wait_gone "[/ALERT]"
# and the production version and the incidents it shows: /p1, /v2
keys /
type_text p1
keys Enter
wait_for "[/p1]"
expect_screen_contains "upsell-propensity"
expect_screen_not_contains "churn "
keys /
type_text v2
keys Enter
wait_for "[/v2]"
expect_screen_contains "nba-realtime"
expect_screen_contains "churn "
expect_screen_not_contains "upsell-propensity"
keys Escape
wait_gone "[/v2]"

# a command that is none says so; the next command line clears that
keys :
type_text foo
keys Enter
wait_for "no command 'foo' (:help lists them)"
# a model that is none: said so, and no screen opens on nothing
keys :
type_text "model nosuchmodel"
keys Enter
wait_for "no model 'nosuchmodel' (Tab completes model names)"
expect_screen_contains "USE CASE"
keys :
type_text "drift nosuchmodel"
keys Enter
wait_for "no model 'nosuchmodel' (Tab completes model names)"
expect_screen_contains "USE CASE"

# the command line with completion: ":mod<Tab>ups<Tab>" becomes ":model upsell-propensity"
keys :
type_text mod
keys Tab
type_text ups
# the terminal's cursor sits where typing goes: after ":model ups", then two to the left
cursor_x() { sleep 0.2; tmux -L "$SOCK" display-message -p -t md '#{cursor_x}'; }
[ "$(cursor_x)" = 10 ] || fail "the cursor should be at column 10 after ':model ups', is at $(cursor_x)"
keys Left Left
[ "$(cursor_x)" = 8 ] || fail "the cursor should follow Left to column 8, is at $(cursor_x)"
keys End
keys Tab Enter
wait_for "upsell-propensity"
wait_for "stage history"
expect_screen_not_contains "no command 'foo'"
# Up at the next : brings back the last command, to run again or edit
keys Escape
wait_for "USE CASE"
keys :
wait_for ": (Up: model upsell-propensity)"
keys Up Enter
wait_for "stage history"

keys q q
wait_exit
[ "$EXIT_CODE" = 0 ] || fail "exit code $EXIT_CODE after q"

# o sorts by the next column, what needs a look first; the cursor stays on its model
start_console -u olga
keys j
# a column of the table rows in screen order, one per line, counted from the row's end (the use
# case has spaces): 0 FALLBACK, 3 INC's severity, 5 ECE, 7 DRIFT; the name from the start
column_of() { screen | sed -n '4,9p' | awk -v f="$1" '{ print (f == "name") ? $1 : $(NF - f) }'; }
keys o
wait_for "Registry by drift, alerts first"
[ "$(column_of 7 | uniq | tr '\n' ' ')" = "alert ok " ] || fail "alerts should come first: $(column_of 7 | tr '\n' ' ')"
keys o o
wait_for "Registry by ECE, highest first"
column_of 5 | "$PY" -c 'import sys; v=[float(x) for x in sys.stdin.read().split()]; sys.exit(0 if len(v) == 6 and v == sorted(v, reverse=True) else 1)' ||
    fail "ECE should be highest first: $(column_of 5 | tr '\n' ' ')"
keys o
wait_for "Registry by incidents, worst first"
[ "$(column_of 3 | tr '\n' ' ')" = "P1 P2 P3 P3 P3 P3 " ] || fail "P1 first: $(column_of 3 | tr '\n' ' ')"
keys Enter
wait_for "Registry by incidents, worst first › churn"
keys q o o
settle
[ "$(screen | sed -n 2p | sed 's/ *$//')" = " Registry" ] || fail "by name again after the last order: $(screen | sed -n 2p)"
[ "$(column_of name | head -n 1)" = b2b-lead-scoring ] || fail "by name again after the last order"
keys q
wait_exit

# names too long for their column lose their middle: two that differ only at the end stay apart
md_as demo model add propensity-upsell-broadband-emea --use-case "upsell" --owner crm >/dev/null ||
    fail "model add emea"
md_as demo model add propensity-upsell-broadband-apac --use-case "upsell" --owner crm >/dev/null ||
    fail "model add apac"
start_console -u olga
expect_screen_matches "^propensit[^ ]*…[^ ]*-apac "
expect_screen_matches "^propensit[^ ]*…[^ ]*-emea "
keys q
wait_exit
