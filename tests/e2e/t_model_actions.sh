#!/usr/bin/env bash
# A model without versions: a version's action says there is none instead of doing nothing,
# and the model's own actions say what they can do (rollback: nothing; retrain opens). And the
# mark dialog offers only the marks the version can take, and checks a challenger's share before
# it asks for the reason.
. "$(dirname "$0")/lib.sh"

md_as demo model add empty-model --use-case test --owner crm >/dev/null || fail "model add"
start_console -u oncall
keys :
type_text "model empty-model"
keys Enter
wait_for "versions: none yet"
keys p
wait_for "promote: no version yet (modeldeck version add registers one)"
# nothing to return to and nothing to take out: the rollback says so instead of offering a list
keys b
wait_for "rollback: empty-model has no production version and none that served before"
keys t
wait_for "Queue a retrain of empty-model"
keys Escape
wait_gone "Queue a retrain of empty-model"
keys Q
wait_exit

# a challenger's share that is no share is refused at once, before the reason is asked for
start_console -u olga
keys 1 j Enter
wait_for "Registry › churn"
keys m
wait_for "mark as"
# v3 has a pending request: archiving or rejecting it waits for the request's rejection, so
# the list offers neither
expect_screen_contains "│ shadow"
expect_screen_not_contains "│ archived"
expect_screen_not_contains "│ rejected"
keys Enter
wait_for "share (0-1]:"
keys C-u
type_text "abc"
keys Enter
wait_for "a share is a number in (0, 1], such as 0.1"
expect_screen_not_contains "reason:"
keys Escape
wait_gone "a share is a number"
# a version no mark can move says so at once: production, archived
keys j m
wait_for "mark: the production version leaves production only when another version is"
keys j m
wait_for "mark: v1 is archived: no mark moves it; it returns only to production, by a"
expect_screen_not_contains "mark as"
keys Q
wait_exit
