#!/usr/bin/env bash
# A retrain queued from the console runs in its own supervisor: the console stays live, and the
# job's outcome reaches the status line when the store changes (success, then a failure with
# the backend's error).
. "$(dirname "$0")/lib.sh"

before=$(md --json jobs list | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')
start_console -u olga
keys :
type_text "model churn"
keys Enter
wait_for "stage history"
keys t
wait_for "Queue a retrain of churn"
type_text "drift on email_open_rate"
keys Enter
wait_for "retrain job" 3
wait_for "(churn): succeeded" 10
# the console answered keys while the job ran, and the jobs screen has it
keys 6
wait_for "retrain jobs: $((before + 1))"

# a backend that fails: the status line says so, with the backend's error
cat >"$T_DIR/policy.json" <<'JSON'
{"retrain": {"backend": {"type": "command", "argv": ["/bin/sh", "-c", "echo no GPU quota >&2; exit 3"], "timeout_s": 60}}}
JSON
md_as demo policy set churn "$T_DIR/policy.json" --reason "e2e: a failing backend" >/dev/null ||
    fail "policy set"
keys 1
wait_for "USE CASE"
keys j Enter
wait_for "stage history"
keys t
wait_for "Queue a retrain of churn"
type_text "again"
keys Enter
wait_for "(churn): failed: exited with status 3" 10
state=$(md --json jobs list | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(max(d, key=lambda j: j["id"])["state"])')
[ "$state" = failed ] || fail "the last job is $state, not failed"
keys Q
wait_exit
[ "$EXIT_CODE" = 0 ] || fail "exit code $EXIT_CODE"
