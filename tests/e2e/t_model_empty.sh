#!/usr/bin/env bash
# A model without versions: a version's action says there is none instead of doing nothing,
# and the model's own actions (rollback's choices, retrain) still open.
. "$(dirname "$0")/lib.sh"

md_as demo model add empty-model --use-case test --owner crm >/dev/null || fail "model add"
start_console -u oncall
keys :
type_text "model empty-model"
keys Enter
wait_for "versions: none yet"
keys p
wait_for "promote: no version yet (modeldeck version add registers one)"
keys b
wait_for "take the model out: suppress"
keys Escape
wait_gone "take the model out: suppress"
keys t
wait_for "Queue a retrain of empty-model"
keys Escape
wait_gone "Queue a retrain of empty-model"
keys Q
wait_exit
