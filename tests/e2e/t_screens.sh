#!/usr/bin/env bash
# Every screen opens with the rows the store holds (counted with the CLI), and golden screens
# of the queue, approvals, jobs, audit and scorecard at 80x24.
. "$(dirname "$0")/lib.sh"

count() { "$PY" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

start_console -u olga
# 4: the incident queue holds every active, not snoozed incident
active=$(md --json incidents list | count 'len(d)')
keys 4
wait_for "Incidents active"
rows=$(screen | grep -cE '^ +[0-9]+ P[1-4] ')
[ "$rows" = "$active" ] || fail "incident rows: $rows on screen, $active in the store"
golden incidents_80x24

# the queue's filters: s cycles the severity; asking for P1 again shows P1, not what s left
keys :
type_text "incidents p1"
keys Enter
wait_for "Incidents P1 active"
keys s
wait_for "Incidents P2 active"
keys :
type_text "incidents p1"
keys Enter
wait_for "Incidents P1 active"
keys 4 # the screen as it was left
wait_for "Incidents P1 active"

# 5: approvals, the pending requests
pending=$(md --json requests list --state pending | count 'len(d)')
keys 5
wait_for "Approvals ($pending pending)"
golden approvals_80x24

# 6: jobs and proposals
jobs=$(md --json jobs list | count 'len(d)')
keys 6
wait_for "retrain jobs: $jobs"
expect_screen_contains "succeeded"
expect_screen_contains "failed"
golden jobs_80x24

# 7: audit, verified
rowsn=$(md --json audit verify | count 'd["rows"]')
keys 7
wait_for "chain verified: $rowsn rows, OK"
golden audit_80x24 'head [0-9a-f]{12}'
# another operator acts: the list shows the new row within the refresh, counted as not yet
# verified until v verifies the chain again
md_as olga incidents note 12 "looked at the feed" >/dev/null || fail "incidents note"
wait_for "+1 unverified (v)"
expect_screen_contains "incident.note"
keys v
wait_for "chain verified: $((rowsn + 1)) rows, OK"

# 8: scorecard: overall and one row per model
keys 8
wait_for "Scorecard"
expect_screen_contains "overall"
for m in $(md --json model list | count '" ".join(x["name"] for x in d)'); do
    expect_screen_contains "$m"
done
golden scorecard_80x24

# 3: calibration of a model
keys :
type_text "calibration churn"
keys Enter
wait_for "calibration churn"
expect_screen_contains "ECE"
expect_screen_contains "churn"

# a latency incident's evidence leads with its share over the SLA, which 80 columns keep
inc=$(md --json incidents list --state all | count '[x["id"] for x in d if x["kind"] == "latency"][0]')
share=$(md --json incidents show "$inc" | count '"%.2f" % d["evidence"][0]["detail"]["over_sla"]')
keys :
type_text "incidents all"
keys Enter
wait_for "Incidents all"
keys /
type_text "LATENCY over" # in any case
keys Enter
keys g Enter
wait_for "Incident #$inc"
settle
expect_screen_contains " over_sla=$share"
screen | grep -F "over_sla=$share" | grep -q "ece=.*over_sla" &&
    fail "the share over the SLA should come before the calibration figures"
keys Escape

# / matches the words the queue shows: "acked" (stored as acknowledged), "calib" (calibration)
md_as olga incidents ack 3 >/dev/null || fail "incidents ack 3"
keys /
type_text acked
keys Enter
wait_for "[/acked]"
rows=$(screen | grep -cE '^ +[0-9]+ P[1-4] ')
[ "$rows" = 1 ] || fail "/acked keeps $rows rows, expected incident 3 alone"
expect_screen_contains "email-send-time"
keys /
type_text calib
keys Enter
wait_for "[/calib]"
calib=$(md --json incidents list --state all | count 'sum(i["kind"] == "calibration" for i in d)')
rows=$(screen | grep -cE '^ +[0-9]+ P[1-4] ')
[ "$rows" = "$calib" ] || fail "/calib keeps $rows rows, $calib calibration incidents in the store"
keys Escape
wait_gone "[/calib]"

# :audit ACTION narrows the trail; :audit alone shows it whole again (7 keeps it as left)
keys :
type_text "audit rollback"
keys Enter
wait_for "Audit (action rollback)"
keys 1
wait_for "USE CASE"
keys 7
wait_for "Audit (action rollback)"
keys :
type_text audit
keys Enter
wait_gone "(action rollback)"
wait_for "Audit"

# 1: back to the registry, cursor where it was
keys 1
wait_for "USE CASE"
keys Q
wait_exit
