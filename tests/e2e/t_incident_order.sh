#!/usr/bin/env bash
# O sorts the incident queue: core's order (severity, then age), the latest evidence first (the
# age column then says how long since it), the oldest first, by model, and back. Each order is
# checked against the incidents' own fields from the CLI; the cursor stays on its incident, and
# a reload or a filter keeps the order.
. "$(dirname "$0")/lib.sh"

# the IDs of the active queue in the order KEY gives (severity, latest, oldest, model), ties in
# core's order; "latest first" negates the times, so they are taken as numbers
PYDEF='
import datetime
def json_ms(t):
    return datetime.datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp()
'
expected() {
    md --json incidents list | "$PY" -c "$PYDEF"'
import json, sys
d = json.load(sys.stdin)
core = lambda x: (x["severity"], x["opened_at"], x["id"])
key = {"severity": lambda x: core(x),
       "latest": lambda x: (-json_ms(x["last_evidence_at"]), core(x)),
       "oldest": lambda x: (x["opened_at"], core(x)),
       "model": lambda x: (x["model"], core(x))}[sys.argv[1]]
print(" ".join(str(x["id"]) for x in sorted(d, key=key)))' "$1"
}
# the incident under the cursor: Enter opens it, Esc comes back to the queue
cursor_at() {
    keys Enter
    wait_for "Incident #"
    screen | grep -oE 'Incident #[0-9]+' | head -n 1
    keys Escape
    wait_gone "Incident #"
}
shown() { screen | awk '/^ +[0-9]+ P[1-4] / { printf "%s%s", sep, $1; sep = " " } END { print "" }'; }
crumb() { screen | sed -n 2p | sed 's/ *$//'; }

start_console -u olga
keys 4
wait_for "Incidents active"
[ "$(shown)" = "$(expected severity)" ] || fail "core's order: $(shown), expected $(expected severity)"
expect_screen_matches ' AGE ASSIGNEE'

# the cursor on the third row: it stays on that incident through every order
keys j j
at=$(cursor_at)
[ -n "$at" ] || fail "the status line names the incident under the cursor"

keys O
wait_for "Incidents active by latest evidence"
[ "$(shown)" = "$(expected latest)" ] || fail "latest evidence first: $(shown), expected $(expected latest)"
expect_screen_matches ' LAST ASSIGNEE'
# the age column is the time since the latest evidence: it never falls down the rows
screen | awk '/^ +[0-9]+ P[1-4] / { print $(NF - 1) }' | "$PY" -c '
import sys
unit = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
v = [int(x[:-1]) * unit[x[-1]] for x in sys.stdin.read().split()]
sys.exit(0 if v == sorted(v) else 1)' || fail "LAST should grow down the rows"
[ "$(cursor_at)" = "$at" ] || fail "the cursor should stay on $at"

keys O
wait_for "Incidents active by oldest first"
[ "$(shown)" = "$(expected oldest)" ] || fail "oldest first: $(shown), expected $(expected oldest)"
expect_screen_matches ' AGE ASSIGNEE'

keys O
wait_for "Incidents active by model"
[ "$(shown)" = "$(expected model)" ] || fail "by model: $(shown), expected $(expected model)"
[ "$(cursor_at)" = "$at" ] || fail "the cursor should stay on $at"

# a reload and a filter keep the order; another operator's change comes in sorted
keys R
settle
[ "$(crumb)" = " Incidents active by model" ] || fail "R kept the order: $(crumb)"
md_as olga incidents ack 12 >/dev/null || fail "incidents ack 12"
wait_for "acked"
[ "$(shown)" = "$(expected model)" ] || fail "by model after a change: $(shown)"
keys s
wait_for "Incidents P1 active by model"
keys s s s
wait_for "Incidents P4 active by model" # none: an empty queue, sorted
expect_screen_contains "no incidents match"
keys s
wait_for "Incidents active by model"

# and back to core's order
keys O
settle
[ "$(crumb)" = " Incidents active" ] || fail "back to core's order: $(crumb)"
[ "$(shown)" = "$(expected severity)" ] || fail "core's order again: $(shown)"
keys Q
wait_exit
