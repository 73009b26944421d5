#!/usr/bin/env bash
# An admin approves a promotion past the gate that blocks it, from the approvals screen: the
# dialog names the gate, the reason is required, the override is recorded on the version and
# audited, and the version moves. An approver who is no admin is told why `o` is not theirs.
. "$(dirname "$0")/lib.sh"

md_as ann approve 11 --comment "holdout looks right" >/dev/null || fail "ann approves"
start_console -u oncall
keys 5
wait_for "Approvals (2 pending)"
keys o
wait_for "needs the admin role"
keys Q
wait_exit

start_console -u demo
keys 5
wait_for "Approvals (2 pending)"
wait_for "o: approve past ece"
keys o
wait_for "approve past the gates"
expect_screen_contains "Gates blocking now: ece."
keys Enter # a reason is required: the dialog stays and says so
wait_for "override reason: cannot be empty"
expect_screen_contains "approve past the gates"
type_text "CRM launch; ECE reviewed by the data science team"
keys Enter
wait_for "approved: email-send-time v2 moved to production"
md version show email-send-time 2 >"$T_DIR/v2.txt" || fail "version show"
grep -q "ece   11       demo  CRM launch" "$T_DIR/v2.txt" || fail "the override is not on the version:
$(cat "$T_DIR/v2.txt")"
[ "$(md --json audit list --action gate.override | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 1 ] ||
    fail "the override is not audited"
keys Q
wait_exit
