#!/usr/bin/env bash
# Approvals through the console: an approver approves in the dialog and the store and the audit
# change; the model view's dialog names the stage the version goes to, and an approver who
# approved already is told so there; the requester (olga, and oncall who holds both roles) is
# refused by four eyes on screen; an incident is acknowledged and snoozed from the queue; a
# version with two pending requests is one row.
. "$(dirname "$0")/lib.sh"

start_console -u ann
keys 5
wait_for "Approvals (2 pending)"
expect_screen_contains "a: approve (yours makes 1 of 2)"
keys j
wait_for "#10 churn v3 -> production"
keys a
wait_for "Approve request #10"
type_text "gates pass"
keys Enter
wait_for "approved request 10 (1 of 2)"
keys Q
wait_exit
n=$(md requests show 10 --json | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(len([x for x in d["decisions"] if x["approver"]=="ann" and x["comment"]=="gates pass"]))')
[ "$n" = 1 ] || fail "ann's approval of request 10 is not in the store"
md --json audit list --limit 5 >"$T_DIR/audit.json"
"$PY" - "$T_DIR/audit.json" <<'PY' || fail "the approval is not in the audit trail"
import json, sys
rows = json.load(open(sys.argv[1]))
assert any(r["action"] == "promotion.approve" and r["actor"] == "ann" and r["object"] == "request:10"
           and r["reason"] == "gates pass" for r in rows), rows
PY
md audit verify >/dev/null || fail "audit verify fails after the approval"

# the same request from the model's view: its dialog names the stage the version goes to
start_console -u bob
keys 1 j Enter
wait_for "Registry › churn"
keys a
wait_for "Approve request 10: churn v3 to production, asked by olga."
expect_screen_contains "Approvals so far: 1 of 2."
keys Escape
wait_gone "Approve request 10"
keys Q
wait_exit
# ann approved it already: the model view says so instead of a dialog
start_console -u ann
keys 1 j Enter
wait_for "Registry › churn"
keys a
wait_for "you have already approved; one approver counts once"
expect_screen_not_contains "Approve request 10"
keys Q
wait_exit

start_console -u olga
keys 5
wait_for "four eyes: yours to withdraw (w), another approver's to decide"
keys a
wait_for "approve: four eyes"
# wider than 80 columns: the message takes the row above the status line, none of it cut
expect_line 22 "approve: four eyes: you requested this promotion; another approver must decide"
[ "$(screen | sed -n 24p | sed "s/ *$//")" = it ] || fail "the message's last word should be on the status line"
expect_screen_not_contains "comment"
keys Q
wait_exit

md_as oncall promote creative-classifier 2 --to staging --reason "try it" >/dev/null || fail "promote"
start_console -u oncall
keys 5
wait_for "#12 creative-classifier v2 -> staging"
expect_screen_contains "four eyes: yours to withdraw (w), another approver's to decide"
keys x
wait_for "reject: four eyes"
keys j
wait_for "a: approve (yours makes 1 of 2)"
keys Q
wait_exit

start_console -u olga
keys 4
wait_for "Incidents active"
keys a
wait_for "Acknowledge #12"
keys Enter
wait_for "incident 12 acknowledged by olga"
keys s
wait_for "Incidents P1 active"
keys z
wait_for "Snooze #12"
type_text "4h on it"
keys Enter
wait_for "Incidents P1 active (1 snoozed hidden)"
keys Q
wait_exit
[ "$(md incidents show 12 --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["snoozed_until"])')" = "2026-11-26T13:00:00.000Z" ] || fail "snooze"

# a version with two pending requests (to staging too) is one row in the model's view, its
# oldest request shown and the others counted on the status line
md_as olga promote churn 3 --to staging --reason "try it in staging" >/dev/null ||
    fail "a second request for churn v3"
start_console -u bob
keys 1 j Enter
wait_for "Registry › churn"
[ "$(screen | grep -c '^v3 ')" = 1 ] || fail "churn v3 should be one row: $(screen | grep '^v3 ')"
expect_screen_contains "candidate since 2026-11-23; 2 pending requests"
keys Q
wait_exit

# a request made in error is withdrawn by its requester (four eyes keep her from rejecting
# it), with a reason; another operator may not
start_console -u oncall
keys 5
wait_for "#13 churn v3 -> staging"
keys w
wait_for "withdraw: only olga, who asked, or an admin may withdraw it"
expect_screen_not_contains "Withdraw request"
keys Q
wait_exit
start_console -u olga
keys 5
wait_for "#13 churn v3 -> staging"
keys w
wait_for "Withdraw request #13: churn v3 -> staging, asked by olga"
expect_screen_contains "The same move may be asked again at once."
type_text "staging is not needed for v3"
keys Enter
wait_for "request 13 withdrawn"
wait_for "Approvals (3 pending)"
expect_screen_not_contains "#13 churn"
keys Q
wait_exit
got=$(md requests show 13 --json | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["state"], d["withdrawn_by"], d["withdraw_reason"])')
[ "$got" = "withdrawn olga staging is not needed for v3" ] || fail "request 13 should be withdrawn by olga: $got"
