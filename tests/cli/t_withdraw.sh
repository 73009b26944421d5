#!/usr/bin/env bash
# Promise: a requester withdraws their own pending promotion request (four eyes keep them from
# rejecting it), an admin anyone's: with a reason, audited, exit 0, the request then closed and
# the same move free to be asked again. Anyone else is refused (exit 3), a request no longer
# pending too (exit 1), a missing reason is a usage error (exit 2); a refusal changes nothing.
. "$(dirname "$0")/lib.sh"

new_churn_store alice
for u in dave:operator erin:operator,approver; do
    md_as alice user add "${u%%:*}" --role "${u#*:}" --reason "team setup"
    expect_exit 0
done
md_as dave --json promote churn 1 --to staging --reason "try it"
expect_exit 0
REQ=$(json_get 'd["id"]')

md_as dave withdraw "$REQ"
expect_error 2 "withdraw" "--reason is required"
snapshot
md_as erin withdraw "$REQ" --reason "not hers"
expect_error 3 "withdraw" "only dave, who asked, or an admin may withdraw request $REQ"
expect_unchanged

md_as dave --json withdraw "$REQ" --reason "wrong version: v2 is the one"
expect_exit 0
expect_json '[d["id"], d["state"]]' "[$REQ,\"withdrawn\"]"
md_as erin --json requests show "$REQ"
expect_json '[d["state"], d["withdrawn_by"], d["withdraw_reason"], d["decided_at"] is not None]' \
    '["withdrawn","dave","wrong version: v2 is the one",true]'
md_as erin requests show "$REQ"
expect_stdout_contains "request $REQ: churn v1 to staging, withdrawn"
expect_stdout_matches "withdrawn +by dave at [0-9T:.-]+Z: wrong version: v2 is the one"
md_as erin --json requests list --state withdrawn
expect_json '[r["id"] for r in d]' "[$REQ]"
md_as erin --json audit list --object "request:$REQ"
expect_json '[(r["action"], r["actor"], r["reason"]) for r in d if r["action"] == "promotion.withdraw"]' \
    '[["promotion.withdraw","dave","wrong version: v2 is the one"]]'
md_as erin approve "$REQ" --comment "too late"
expect_error 1 "approve" "request $REQ is withdrawn, not pending"
md_as dave withdraw "$REQ" --reason "twice"
expect_error 1 "withdraw" "is withdrawn, not pending"

# the move may be asked again at once; an admin withdraws a request whose requester is away
md_as dave --json promote churn 1 --to staging --reason "try it again"
expect_exit 0
REQ2=$(json_get 'd["id"]')
md_as alice withdraw "$REQ2" --reason "dave is on leave; asked anew"
expect_exit 0
expect_stdout_contains "request $REQ2 withdrawn"
md_as erin requests list --state nonsense
expect_error 2 "requests list" "--state: no state 'nonsense'"
expect_verified
