#!/usr/bin/env bash
# Read-only: nothing is hidden, the mutating actions are greyed out and say why; the header
# says READ-ONLY and still shows the pending requests and the clock; nothing can change the
# store.
. "$(dirname "$0")/lib.sh"

before=$(md audit verify --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["rows"])')
start_console -u oncall -- --read-only
expect_line 0 "READ-ONLY"
# at 80 columns READ-ONLY takes the roles' room, not the pending requests' or the clock's
expect_line 0 "│ 2 pending │"
expect_line 0 " UTC"
keys j Enter
wait_for "stage history"
# the actions are still listed in the help, marked unavailable with the reason
keys '?'
wait_for "Help: Model"
expect_screen_contains "(unavailable: this session is read-only"
keys Escape
# trying one says why, and opens no dialog
keys b
wait_for "rollback: this session is read-only"
expect_screen_not_contains "reason:"
keys Q
wait_exit
after=$(md audit verify --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["rows"])')
[ "$before" = "$after" ] || fail "the audit grew from $before to $after rows in a read-only session"

# a viewer sees the role as the reason, what it needs first (80 columns keep it)
start_console -u vic
keys j Enter
wait_for "stage history"
keys p
wait_for "promote: needs the operator or admin role (vic holds: viewer)"
# the help gives the reason whole, wrapped under the action, at 80 columns
keys '?'
wait_for "Help: Model"
expect_screen_contains "(unavailable: needs the operator or admin role (vic"
expect_screen_contains "holds: viewer))"
keys Escape
# and the approvals screen's line on what the viewer may do
keys 5
wait_for "Approvals"
wait_for "needs the approver or admin role (vic holds: viewer)"
keys Q
wait_exit

# a store an admin froze: the header says READ-ONLY and an action names who froze it and why
md_as demo store read-only on --reason "quarter-end freeze" >/dev/null || fail "store read-only on"
start_console -u oncall
expect_line 0 "READ-ONLY"
keys 4
wait_for "Incidents active"
keys a
wait_for "the store is read-only (set by demo: quarter-end freeze)"
keys Q
wait_exit
md_as demo store read-only off --reason "freeze over" >/dev/null || fail "store read-only off"
