# Promise: the whole operator story runs headless in the demo store, each step leaves the result
# an operator would look for, and the scorecard's numbers equal what the story's own pinned
# timeline says they must be:
#   demo store -> a model "story" with v1 in production (two approvals) -> a slow scoring log
#   opens a latency incident -> ack -> retrain job (the default command backend) -> v2 with its
#   baseline -> promotion request by oncall -> oncall may not approve it (four eyes) -> ann and
#   bob approve (ann only once) -> v2 in production, v1 archived -> rollback to v1 -> the audit
#   chain verifies -> scorecard (90, 4, 2 and 1 days; per model and overall).
# Every change after the demo is made at a pinned MODELDECK_NOW, later than every time the demo
# wrote, and moving forward.
. "$(dirname "$0")/lib.sh"

HOUR=3600
DAY=86400
MODEL=story

# iso EPOCH-SECONDS: the store's time text for it (2026-11-26T06:05:35.000Z).
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S.000Z; }
# at OFFSET: pins the store clock at T + OFFSET seconds for the commands that follow.
at() {
    NOW_S=$((T + $1))
    NOW_ISO=$(iso "$NOW_S")
    export MODELDECK_NOW=$NOW_ISO
}
# save NAME: keeps the last stdout (a JSON document) as $T_DIR/NAME.json.
save() {
    expect_json_doc
    cp "$OUT" "$T_DIR/$1.json"
}

# ---- 1. the demo store ---------------------------------------------------------------------------

start_ms=$(date +%s%3N)
md demo
end_ms=$(date +%s%3N)
expect_exit 0
expect_stdout_contains "demo store"
[ $((end_ms - start_ms)) -lt 10000 ] || fail "modeldeck demo took $((end_ms - start_ms)) ms (limit 10000 ms)"
[ -s "$DB" ] || fail "modeldeck demo left no store at $DB"

# T: the next UTC midnight after the demo (the demo's history ends before the real now).
T=$(((($(date -u +%s) / DAY) + 1) * DAY))

# The story's timeline, in seconds after T.
V1_CREATED=$((8 * HOUR))           # model add, version add v1 (olga)
V1_BASELINE=$((8 * HOUR + 600))
REQ1=$((9 * HOUR))                 # olga asks for v1 in production
APP1_ANN=$((10 * HOUR))
EXEC1=$((12 * HOUR))               # bob's approval executes it: lead time 4 h
LOG_DAY=$((1 * DAY))               # the scoring log's rows are on day T+1
INGEST=$((2 * DAY + 2 * HOUR))     # the incident opens
ACK=$((2 * DAY + 2 * HOUR + 2700)) # olga acknowledges it 45 min later
RETRAIN=$((2 * DAY + 3 * HOUR))
V2_CREATED=$((3 * DAY + 8 * HOUR))
V2_BASELINE=$((3 * DAY + 8 * HOUR + 1200))
REQ2=$((3 * DAY + 9 * HOUR))       # oncall asks for v2 in production
SELF=$((3 * DAY + 9 * HOUR + 1800))
APP2_ANN=$((3 * DAY + 10 * HOUR))
APP2_ANN_AGAIN=$((3 * DAY + 10 * HOUR + 900))
EXEC2=$((3 * DAY + 11 * HOUR + 1800)) # bob's approval executes it: lead time 3.5 h
ROLLBACK=$((4 * DAY + 9 * HOUR))   # 21.5 h after v2 entered production
VERIFY=$((4 * DAY + 10 * HOUR))
CARD=$((4 * DAY + 12 * HOUR))

# Nothing in the store is as late as the story's first step: its history stays in time order.
md_as ada audit export
expect_exit 0
DEMO_ROWS=$(wc -l <"$OUT")
[ "$DEMO_ROWS" -gt 0 ] || fail "audit export of the demo store is empty"
latest=$("$PY" -c '
import json, sys
print(max(json.loads(l)["at"] for l in open(sys.argv[1]) if l.strip()))' "$OUT")
[[ "$latest" < "$(iso $((T + V1_CREATED)))" ]] ||
    fail "the demo store has a time ($latest) at or after the story's start $(iso $((T + V1_CREATED)))"

# The generator of baselines and scoring logs: deterministic (seeded), calibrated labels; the
# latency is around 18 ms, or around 90 ms (over the 50 ms SLA) when SLOW is 1.
cat >"$T_DIR/gen.py" <<'PYEOF'
import math, random, sys
path, seed, start, rows, lift, slow = sys.argv[1:7]
r = random.Random(int(seed))
start, rows, lift, slow = int(start), int(rows), float(lift), slow == "1"
with open(path, "w") as f:
    f.write("ts,score,label,recency_days,sessions_30d,channel,latency_ms\n")
    for i in range(rows):
        ts = start + (i * 86399) // rows
        rec = math.floor(-20 * math.log(1 - r.random()))
        ses = max(0, round(8 + 3 * r.gauss(0, 1)))
        ch = r.choice(["email", "web", "app", "sms"])
        z = -1.0 + (0.9 + lift) * (ses - 8) / 3 - 0.03 * rec + 0.4 * r.gauss(0, 1)
        s = 1 / (1 + math.exp(-z))
        lab = 1 if r.random() < s else 0
        lat = math.exp(math.log(90 if slow else 18) + 0.3 * r.gauss(0, 1))
        f.write(f"{ts},{s:.5f},{lab},{rec},{ses},{ch},{lat:.1f}\n")
PYEOF
gen() { "$PY" "$T_DIR/gen.py" "$@" || fail "the data generator failed: $*"; }

# ---- v1 in production (the setup of the story) ----------------------------------------------------

at $V1_CREATED
md_as olga model add $MODEL --use-case "story: next-best-offer on the web" --owner qa \
    --pattern realtime --sla-ms 50 --fallback last-good --reason "the story's model"
expect_exit 0
md_as olga --json version add $MODEL --artifact s3://models/story/1.pkl --threshold 0.5 --reason "first build"
expect_exit 0
expect_json 'd["number"]' 1
expect_json 'd["status"]' candidate
expect_json 'd["created_at"]' "$NOW_ISO"

# before its baseline, drift says what is missing, as an error a script cannot read as no drift
md_as olga drift $MODEL 1
expect_error 4 drift "$MODEL v1 has no windows yet, nor a baseline to compute them against: build one with 'modeldeck baseline $MODEL 1 FILE'"

gen "$T_DIR/base1.csv" 11 $((T - 3 * DAY)) 4000 0 0
at $V1_BASELINE
md_as olga baseline $MODEL 1 "$T_DIR/base1.csv" --latency-col latency_ms
expect_exit 0
expect_stdout_contains "baseline built from 4000 rows"
# the source's SHA-256 as sha256sum has it (hashed beside the reading)
expect_sql "SELECT source_sha256 FROM baselines WHERE source = '$T_DIR/base1.csv'" "$(sha256sum <"$T_DIR/base1.csv" | cut -d' ' -f1)"
# the columns ingests will take, and the AUC windows are compared with; without a version, the
# production one, which there is not yet
md_as vic baseline show $MODEL 1
expect_exit 0
expect_stdout_contains "  columns: ts ts, id -, score score, label label, latency latency_ms"
expect_stdout_contains "  performance: AUC 0."
md_as vic baseline show $MODEL
expect_error 4 "baseline show" "$MODEL has no production version: name one"

at $REQ1
md_as olga --json promote $MODEL 1 --to production --reason "first release"
expect_exit 0
REQ1_ID=$(json_get 'd["id"]')
[[ "$REQ1_ID" =~ ^[0-9]+$ ]] || fail "promote --json gave no integer id: '$REQ1_ID'"
at $APP1_ANN
md_as ann --json approve "$REQ1_ID" --comment "gates pass"
expect_exit 0
expect_json '[d["approvals"], d["required"], d["executed"]]' '[1,2,false]'
at $EXEC1
md_as bob --json approve "$REQ1_ID" --comment "approved"
expect_exit 0
expect_json '[d["approvals"], d["required"], d["executed"]]' '[2,2,true]'
md_as vic --json model show $MODEL
expect_exit 0
expect_json 'd["production_version"]' 1

# ---- 2. a scoring log with a clear problem: latency over the SLA ------------------------------------

gen "$T_DIR/log1.csv" 12 $((T + LOG_DAY)) 3000 0 1
at $INGEST
md_as olga ingest $MODEL 1 "$T_DIR/log1.csv" --latency-col latency_ms
expect_exit 0
expect_stdout_contains "ingested 3000 rows"
expect_stdout_contains "incidents: 1 opened"
expect_sql "SELECT sha256 FROM ingests WHERE source = '$T_DIR/log1.csv'" "$(sha256sum <"$T_DIR/log1.csv" | cut -d' ' -f1)"

md_as vic --json incidents list --model $MODEL --state all
expect_exit 0
expect_json 'len(d)' 1 # the latency problem and nothing else
expect_json '[d[0]["kind"], d[0]["key"], d[0]["severity"], d[0]["state"], d[0]["version"]]' \
    '["latency","","P2","open",1]'
INC=$(json_get 'd[0]["id"]')
expect_json 'd[0]["opened_at"]' "$(iso $((T + INGEST)))"
expect_json '[d[0]["acknowledged_at"], d[0]["time_to_ack_s"]]' '[null,null]'
md_as vic --json incidents list --state open
expect_exit 0
expect_json "[i['id'] for i in d if i['model'] == '$MODEL']" "[$INC]"
# filters: a severity in either case; a severity or model that does not exist is an error,
# not an empty queue
md_as vic --json incidents list --severity p2 --model $MODEL
expect_exit 0
expect_json "[i['id'] for i in d]" "[$INC]"
md_as vic incidents list --severity P5
expect_error 2 "incidents list" "severity 'P5' is not P1, P2, P3 or P4"
md_as vic incidents list --model no-such-model
expect_error 4 "incidents list" "no model 'no-such-model'"
for list in requests jobs proposals; do # the other queues' --model alike
    md_as vic $list list --model no-such-model
    expect_error 4 "$list list" "no model 'no-such-model'"
done
md_as vic --json incidents show "$INC"
expect_exit 0
expect_json 'd["evidence"][0]["window"]' "$(date -u -d "@$((T + LOG_DAY))" +%Y-%m-%d)"
expect_json 'd["evidence"][0]["detail"]["over_sla"] > 0.5' true

# --alerts: the JSON document holds what the text shows, the rows that are not ok (none here:
# the log's problem is its latency)
md_as vic --json drift $MODEL 1
expect_exit 0
expect_json 'len(d["drift"]) > 0 and all(r["status"] == "ok" for r in d["drift"])' true
md_as vic --json drift $MODEL 1 --alerts
expect_exit 0
expect_json 'd["drift"]' '[]'
md_as vic drift $MODEL 1 --alerts
expect_exit 0
expect_stdout_contains "no drift: every feature is ok"

# ---- 3. acknowledge ----------------------------------------------------------------------------------

at $ACK
md_as olga --json incidents ack "$INC" --reason "looking at the latency"
expect_exit 0
expect_json 'd["state"]' acknowledged
expect_json 'd["acknowledged_at"]' "$(iso $((T + ACK)))"
expect_json 'd["acknowledged_by"]' olga
expect_json 'd["time_to_ack_s"]' "$((ACK - INGEST)).0"
md_as vic --json incidents list --model $MODEL
expect_exit 0
expect_json '[(i["id"], i["state"], i["time_to_ack_s"]) for i in d]' "[[$INC,\"acknowledged\",$((ACK - INGEST)).0]]"
md_as olga incidents ack "$INC" # a second ack is an error
expect_error 1 "incidents ack" "not open"

# ---- 4. retrain with the default command backend ------------------------------------------------------

REASON="latency over the SLA since the release"
at $RETRAIN
md_as olga --json retrain $MODEL --reason "$REASON"
expect_exit 0
JOB=$(json_get 'd["id"]')
[[ "$JOB" =~ ^[0-9]+$ ]] || fail "retrain --json gave no integer job id: '$JOB'"
expect_json '[d["model"], d["backend"], d["requested_by"], d["reason"]]' "[\"$MODEL\",\"command\",\"olga\",\"$REASON\"]"
expect_json 'd["requested_at"]' "$NOW_ISO"
expect_json 'd["state"] in ("queued", "running", "succeeded")' true
# The supervisor runs detached: wait for it, at most 15 s.
state=""
for _ in $(seq 150); do
    md_as olga --json jobs show "$JOB"
    [ "$RC" = 0 ] || break
    state=$(json_get 'd["state"]')
    case $state in queued | running) sleep 0.1 ;; *) break ;; esac
done
expect_exit 0
[ "$state" = succeeded ] || fail "job $JOB did not succeed within 15 s (state '$state')"
expect_json '[d["exit_status"], d["attempts"], d["error"]]' '[0,1,null]'
expect_json 'json.dumps(d["log_tail"])' "\"retrain requested for $MODEL: $REASON\\n\"" # the echo's whole output
expect_json 'd["spec"]["argv"][0]' /bin/sh
expect_json 'd["started_at"] >= d["requested_at"] and d["finished_at"] >= d["started_at"]' true
md_as vic --json audit list --object "job:$JOB"
expect_exit 0
expect_json 'sorted(a["action"] for a in d)' '["retrain.finish","retrain.queue","retrain.start"]'

# ---- 5. v2, its baseline, and a promotion request by oncall --------------------------------------------

at $V2_CREATED
md_as olga --json version add $MODEL --artifact s3://models/story/2.pkl --threshold 0.5 --reason "retrained"
expect_exit 0
expect_json '[d["number"], d["status"], d["created_at"]]' "[2,\"candidate\",\"$NOW_ISO\"]"
gen "$T_DIR/base2.csv" 21 $((T - 3 * DAY)) 4000 0.5 0 # a stronger signal: a better model
at $V2_BASELINE
md_as olga baseline $MODEL 2 "$T_DIR/base2.csv" --latency-col latency_ms
expect_exit 0

at $REQ2
md_as oncall --json promote $MODEL 2 --to production --reason "retrained on fresh data"
expect_exit 0
save promote2
REQ=$(json_get 'd["id"]')
[[ "$REQ" =~ ^[0-9]+$ ]] || fail "promote --json gave no integer id: '$REQ'"
expect_json '[d["model"], d["version"], d["to"]]' "[\"$MODEL\",2,\"production\"]"
expect_json '[g["gate"] for g in d["gates"]]' '["delta_auc","max_psi","ece","no_open_p1","baseline_present"]'
expect_json '[g["gate"] for g in d["gates"] if g["blocking"]]' '[]'
expect_json '[g["result"] for g in d["gates"] if g["gate"] in ("delta_auc", "ece", "no_open_p1")]' '["pass","pass","pass"]'
expect_json '[g["value"] > 0 for g in d["gates"] if g["gate"] == "delta_auc"]' '[true]'

md_as vic --json requests show "$REQ"
expect_exit 0
expect_json '[d["state"], d["requested_by"], d["approvals"], d["approvals_required"]]' '["pending","oncall",0,2]'
expect_json '[d["requested_at"], d["expires_at"]]' "[\"$(iso $((T + REQ2)))\",\"$(iso $((T + REQ2 + 72 * HOUR)))\"]"
expect_json '[d["gates_at_execution"], d["decisions"], d["decided_at"]]' '[null,[],null]'
expect_json "d['gates_at_request'] == json.load(open('$T_DIR/promote2.json'))['gates']" true

# ---- 6. four eyes: oncall may not approve its own request ------------------------------------------------

at $SELF
md_as vic --json requests show "$REQ"
save req_before
md_as vic --json version list $MODEL
save versions_before
md_as vic --json audit list --object "request:$REQ"
save audit_req_before
md_as oncall approve "$REQ" --comment "lgtm"
expect_error 3 "approve" "four eyes"
expect_stdout_empty
md_as vic --json requests show "$REQ"
expect_json 'd["approvals"]' 0
expect_json "d == json.load(open('$T_DIR/req_before.json'))" true
md_as vic --json version list $MODEL
expect_json "d == json.load(open('$T_DIR/versions_before.json'))" true
expect_json '[(v["number"], v["status"]) for v in d]' '[[1,"production"],[2,"candidate"]]'
md_as vic --json audit list --object "request:$REQ"
expect_json "d == json.load(open('$T_DIR/audit_req_before.json'))" true

# ---- 7. two approvals, ann's counting once -------------------------------------------------------------------

at $APP2_ANN
md_as ann --json approve "$REQ" --comment "gates pass"
expect_exit 0
expect_json '[d["approvals"], d["required"], d["executed"]]' '[1,2,false]'
at $APP2_ANN_AGAIN
md_as ann approve "$REQ" --comment "really, ship it"
expect_error 3 "approve" "one approver counts once"
md_as vic --json requests show "$REQ"
expect_json '[d["state"], d["approvals"]]' '["pending",1]'
expect_json '[x["approver"] for x in d["decisions"]]' '["ann"]'
md_as vic --json version list $MODEL
expect_json '[(v["number"], v["status"]) for v in d]' '[[1,"production"],[2,"candidate"]]'

at $EXEC2
md_as bob --json approve "$REQ" --comment "approved"
expect_exit 0
expect_json '[d["approvals"], d["required"], d["executed"], d["blocking"]]' '[2,2,true,""]'
md_as vic --json version list $MODEL
expect_json '[(v["number"], v["status"], v["status_at"]) for v in d]' \
    "[[1,\"archived\",\"$NOW_ISO\"],[2,\"production\",\"$NOW_ISO\"]]"
md_as vic --json version show $MODEL 2
expect_json '[(h["from"], h["to"], h["action"], h["actor"], h["at"]) for h in d["history"]][-1]' \
    "[\"candidate\",\"production\",\"promotion.execute\",\"bob\",\"$NOW_ISO\"]"
md_as vic --json version show $MODEL 1
expect_json '[(h["from"], h["to"], h["action"]) for h in d["history"]][-1]' '["production","archived","promotion.execute"]'
md_as vic --json requests show "$REQ"
expect_json '[d["state"], d["approvals"], d["decided_at"]]' "[\"executed\",2,\"$NOW_ISO\"]"
expect_json '[x["approver"] for x in d["decisions"]]' '["ann","bob"]'
expect_json '[g["gate"] for g in d["gates_at_execution"] if g["blocking"]]' '[]'
expect_json 'len(d["gates_at_execution"])' 5

# ---- 8. rollback to v1 ----------------------------------------------------------------------------------------

at $ROLLBACK
md_as olga --json rollback $MODEL --reason "v2 answers wrong offers"
expect_exit 0
expect_json '[d["model"], d["from"], d["to"], d["serving"]]' "[\"$MODEL\",2,1,\"model\"]"
md_as vic --json version list $MODEL
expect_json '[(v["number"], v["status"]) for v in d]' '[[1,"production"],[2,"archived"]]'
md_as vic --json version show $MODEL 2
expect_json '[(h["from"], h["to"], h["action"], h["actor"], h["reason"], h["at"]) for h in d["history"]][-1]' \
    "[\"production\",\"archived\",\"rollback\",\"olga\",\"v2 answers wrong offers\",\"$NOW_ISO\"]"
md_as vic --json version show $MODEL 1
expect_json '[(h["from"], h["to"], h["action"], h["at"]) for h in d["history"]][-1]' \
    "[\"archived\",\"production\",\"rollback\",\"$NOW_ISO\"]"
md_as vic --json model show $MODEL
expect_json '[d["production_version"], d["production_since"]]' "[1,\"$NOW_ISO\"]"
md_as vic --json audit list --object "model:$MODEL" --action rollback
expect_json 'len(d)' 1

# ---- 9. the audit chain ----------------------------------------------------------------------------------------

at $VERIFY
expect_verified
# The story's own audit rows are in time order.
md_as ada audit export
expect_exit 0
"$PY" - "$OUT" "$DEMO_ROWS" >"$_CAP/order" <<'PYEOF' || fail "audit rows out of time order: $(cat "$_CAP/order")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rows.sort(key=lambda r: r["seq"])
story = rows[int(sys.argv[2]):]
bad = [(a["seq"], a["at"], b["seq"], b["at"]) for a, b in zip(story, story[1:]) if b["at"] < a["at"]]
if not story or bad:
    print(bad or "no rows after the demo's")
    sys.exit(1)
PYEOF

# ---- 10. the scorecard against the story's timeline -----------------------------------------------------------

at $CARD
# The story, as data, for the independent computation below (epoch seconds).
TIMELINE=$(
    cat <<EOF
{"now": $((T + CARD)),
 "deployments": [
   {"version": 1, "created": $((T + V1_CREATED)), "entered": $((T + EXEC1)), "left_by_rollback": null},
   {"version": 2, "created": $((T + V2_CREATED)), "entered": $((T + EXEC2)), "left_by_rollback": $((T + ROLLBACK))}],
 "rollbacks": [$((T + ROLLBACK))],
 "incidents": [{"opened": $((T + INGEST)), "acked": $((T + ACK)), "resolved": null, "severity": "P2"}],
 "promotions": [{"decided": $((T + EXEC1)), "approvals": 2, "required": 2, "overrides": 0},
                {"decided": $((T + EXEC2)), "approvals": 2, "required": 2, "overrides": 0}],
 "production_windows": ["$(date -u -d "@$((T + LOG_DAY))" +%Y-%m-%d)"]}
EOF
)

# check_card DAYS FILE: the model's card in FILE (scorecard --json output) equals the expected one.
check_card() {
    local msg
    msg=$("$PY" - "$1" "$2" "$TIMELINE" "$MODEL" <<'PYEOF' 2>&1
import datetime, json, sys
days, path, tl, model = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
doc = json.load(open(path))
now = tl["now"]
since = now - days * 86400
iso = lambda t: datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")

def summary(xs):
    xs = sorted(xs)
    if not xs:
        return {"n": 0, "mean": None, "p90": None}
    pos = (len(xs) - 1) * 0.9  # numpy.percentile, linear
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return {"n": len(xs), "mean": sum(xs) / len(xs), "p90": xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)}

deps = [d for d in tl["deployments"] if d["entered"] >= since]
failed = [d for d in deps if d["left_by_rollback"] is not None and d["left_by_rollback"] - d["entered"] <= 7 * 86400]
incs = [i for i in tl["incidents"] if i["opened"] >= since]
proms = [p for p in tl["promotions"] if p["decided"] >= since]
clean = [p for p in proms if p["approvals"] >= p["required"] and p["overrides"] == 0]
wins = [w for w in tl["production_windows"] if w >= iso(since)[:10]]
want = {
    "delivery": {
        "deployments": len(deps),
        "deployments_per_30_days": len(deps) * 30 / days,
        "lead_time_hours": summary([(d["entered"] - d["created"]) / 3600 for d in deps]),
        "rollbacks": sum(1 for r in tl["rollbacks"] if r >= since),
        "change_failure_rate": len(failed) / len(deps) if deps else None,
    },
    "operations": {
        "incidents": len(incs),
        "incidents_per_30_days": len(incs) * 30 / days,
        "by_severity": {s: sum(1 for i in incs if i["severity"] == s) for s in ("P1", "P2", "P3", "P4")},
        "open_now": sum(1 for i in tl["incidents"] if i["resolved"] is None),
        "time_to_acknowledge_s": summary([i["acked"] - i["opened"] for i in incs if i["acked"] is not None]),
        "time_to_resolve_s": summary([i["resolved"] - i["opened"] for i in incs if i["resolved"] is not None]),
    },
    "quality": {"windows": len(wins), "drift_alerts": 0},
    "governance": {
        "production_promotions": len(proms),
        "fully_approved_share": len(clean) / len(proms) if proms else None,
        "gate_overrides": 0,
    },
}

problems = []
def compare(want, got, where):
    number = isinstance(got, (int, float)) and not isinstance(got, bool)
    if isinstance(want, dict):
        if not isinstance(got, dict):
            problems.append(f"{where}: expected an object, got {got!r}")
            return
        for k, v in want.items():
            compare(v, got.get(k, "<missing>"), f"{where}.{k}")
    elif want is None:
        if got is not None:
            problems.append(f"{where}: expected null, got {got!r}")
    elif isinstance(want, float):
        if not number or abs(got - want) > 1e-6 * max(1, abs(want)):
            problems.append(f"{where}: expected {want!r}, got {got!r}")
    elif not isinstance(got, int) or isinstance(got, bool) or got != want:
        problems.append(f"{where}: expected {want!r}, got {got!r}")

if doc.get("days") != days:
    problems.append(f"days: expected {days}, got {doc.get('days')!r}")
if doc.get("to") != iso(now) or doc.get("from") != iso(since):
    problems.append(f"period: expected {iso(since)} .. {iso(now)}, got {doc.get('from')} .. {doc.get('to')}")
cards = [m for m in doc.get("models", []) if m.get("model") == model]
if len(cards) != 1:
    problems.append(f"expected one card for {model}, got {len(cards)}")
else:
    compare(want, cards[0], model)
    q = cards[0].get("quality", {})
    if not wins and [q.get("current_delta_auc"), q.get("ece_first"), q.get("ece_last")] != [None, None, None]:
        problems.append(f"{model}.quality: no window in the period, yet {q}")
print("; ".join(problems))
PYEOF
    )
    [ -z "$msg" ] || fail "scorecard --days $1 of $MODEL: $msg"
}

md_as vic --json scorecard $MODEL
expect_exit 0
save card_90
check_card 90 "$T_DIR/card_90.json"
# The headline numbers, spelled out (the same as check_card computes from the timeline):
expect_json '[m[k] for m in [d["models"][0]["delivery"]] for k in ("deployments", "rollbacks", "change_failure_rate")]' '[2,1,0.5]'
expect_json 'abs(d["models"][0]["delivery"]["lead_time_hours"]["mean"] - 3.75) < 1e-6' true
expect_json 'abs(d["models"][0]["delivery"]["lead_time_hours"]["p90"] - 3.95) < 1e-6' true
expect_json 'd["models"][0]["operations"]["time_to_acknowledge_s"]["mean"]' 2700.0
expect_json '[m[k] for m in [d["models"][0]["governance"]] for k in ("production_promotions", "fully_approved_share")]' '[2,1.0]'
expect_json '"overall" in d' false # only with no model named

# 4 days: the period starts exactly when v1 entered production (at or after the start counts).
for days in 4 2 1; do
    md_as vic --json scorecard $MODEL --days "$days"
    expect_exit 0
    save "card_$days"
    check_card "$days" "$T_DIR/card_$days.json"
done
expect_json 'd["models"][0]["delivery"]["change_failure_rate"]' null "$T_DIR/card_1.json"
expect_json 'd["models"][0]["delivery"]["change_failure_rate"]' 1.0 "$T_DIR/card_2.json"

# The whole portfolio: the story's card is the same as alone, and the overall card adds up the
# models' cards.
md_as vic --json model list
expect_exit 0
save models
expect_json "'$MODEL' in [m['name'] for m in d]" true
md_as vic --json scorecard
expect_exit 0
save card_all
check_card 90 "$T_DIR/card_all.json"
"$PY" - "$T_DIR/card_all.json" "$T_DIR/card_90.json" "$MODEL" "$T_DIR/models.json" >"$_CAP/overall" <<'PYEOF' ||
import json, sys
doc, alone, model = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
names = sorted(m["name"] for m in json.load(open(sys.argv[4])))
o, ms = doc["overall"], doc["models"]
mine = [m for m in ms if m["model"] == model][0]
problems = []
if mine != alone["models"][0]:
    problems.append("the story's card differs from `scorecard story`")
if sorted(m["model"] for m in ms) != names:
    problems.append(f"expected a card for each model ({names}), got {[m['model'] for m in ms]}")
def total(section, key):
    return sum(m[section][key] for m in ms)
for section, key in [("delivery", "deployments"), ("delivery", "rollbacks"), ("operations", "incidents"),
                     ("operations", "open_now"), ("quality", "windows"), ("quality", "drift_alerts"),
                     ("governance", "production_promotions"), ("governance", "gate_overrides")]:
    if o[section][key] != total(section, key):
        problems.append(f"overall {section}.{key} = {o[section][key]}, the models add up to {total(section, key)}")
    if o[section][key] < mine[section][key]:
        problems.append(f"overall {section}.{key} = {o[section][key]} < the story's {mine[section][key]}")
for sev in ("P1", "P2", "P3", "P4"):
    s = sum(m["operations"]["by_severity"][sev] for m in ms)
    if o["operations"]["by_severity"][sev] != s:
        problems.append(f"overall by_severity.{sev} = {o['operations']['by_severity'][sev]}, the models add up to {s}")
for section, key in [("delivery", "lead_time_hours"), ("operations", "time_to_acknowledge_s"),
                     ("operations", "time_to_resolve_s")]:
    n = sum(m[section][key]["n"] for m in ms)
    if o[section][key]["n"] != n:
        problems.append(f"overall {section}.{key}.n = {o[section][key]['n']}, the models add up to {n}")
    elif n:
        mean = sum(m[section][key]["mean"] * m[section][key]["n"] for m in ms if m[section][key]["n"]) / n
        if abs(o[section][key]["mean"] - mean) > 1e-6 * max(1, abs(mean)):
            problems.append(f"overall {section}.{key}.mean = {o[section][key]['mean']}, the models give {mean}")
deps = total("delivery", "deployments")
failed = sum(round(m["delivery"]["change_failure_rate"] * m["delivery"]["deployments"]) for m in ms
             if m["delivery"]["deployments"])
cfr = o["delivery"]["change_failure_rate"]
if deps and (cfr is None or abs(cfr - failed / deps) > 1e-9):
    problems.append(f"overall change_failure_rate = {cfr}, the models give {failed}/{deps}")
proms = total("governance", "production_promotions")
clean = sum(round(m["governance"]["fully_approved_share"] * m["governance"]["production_promotions"])
            for m in ms if m["governance"]["production_promotions"])
share = o["governance"]["fully_approved_share"]
if proms and (share is None or abs(share - clean / proms) > 1e-9):
    problems.append(f"overall fully_approved_share = {share}, the models give {clean}/{proms}")
if problems:
    print("; ".join(problems))
    sys.exit(1)
PYEOF
    fail "the overall card: $(cat "$_CAP/overall")"
