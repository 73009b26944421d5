# Promise: the audit trail is a tamper-evident, append-only hash chain that anyone can re-verify.
# Every row's hash is the SHA-256 of the netstrings of prev_hash, seq, at, actor, action, object,
# reason and details (an independent Python recomputation must agree); the store's triggers
# refuse UPDATE and DELETE; if someone drops them and edits a row, `audit verify` exits 1 and
# names the first broken row; dropping the triggers alone also fails verification; and
# `audit export` emits every row, with the same hashes, as JSON Lines.
. "$(dirname "$0")/lib.sh"

new_store alice
md_as alice user add bob --role operator --reason "on call"
expect_exit 0
# Multi-byte text: netstring lengths count bytes, not characters.
# shellcheck disable=SC1111 # the typographic quotes are part of the data
md_as alice model add churn --use-case "churn risk – naïve baseline" --owner "crm 👩‍💻" \
    --reason "kick-off: “first” model"
expect_exit 0
md_as bob version add churn --artifact s3://models/churn/1 --params '{"z": 1, "a": [1, 2]}' \
    --threshold 0.35 --reason "trained on Q1"
expect_exit 0
md_as bob version add churn --artifact s3://models/churn/2 # no reason: stored as ''
expect_exit 0
md_as bob version mark churn 2 challenger --share 0.2 --reason "20% trial"
expect_exit 0
md_as alice model edit churn --description $'two\nlines' --reason "describe it"
expect_exit 0
ROWS=7

expect_verified
expect_stdout_contains "$ROWS rows"
expect_sql "select count(*) from audit" "$ROWS"
expect_sql "select group_concat(seq) from (select seq from audit order by seq)" "1,2,3,4,5,6,7"

md --json audit verify
expect_exit 0
expect_json 'd["ok"]' true
expect_json 'd["rows"]' "$ROWS"
expect_json 'd["first_broken"]' null
expect_json 'd["triggers_intact"]' true
expect_json 'd["head"]' "$(sql 'select hash from audit order by seq desc limit 1')"

# ---- an independent recomputation of every hash ----------------------------------------------

cat >"$T_DIR/recompute.py" <<'PYEOF'
import hashlib, sqlite3, sys

def netstring(text):
    b = text.encode("utf-8")
    return str(len(b)).encode("ascii") + b":" + b + b","

db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
prev = "0" * 64
problems = []
n = 0
for row in db.execute("SELECT seq, at, actor, action, object, reason, details, prev_hash, hash"
                      " FROM audit ORDER BY seq"):
    seq, at, actor, action, obj, reason, details, prev_hash, stored = row
    n += 1
    if seq != n:
        problems.append("row %d: expected seq %d" % (seq, n))
    if prev_hash != prev:
        problems.append("row %d: prev_hash %s, expected %s" % (seq, prev_hash, prev))
    h = hashlib.sha256()
    for field in (prev_hash, str(seq), at, actor, action, obj, reason, details):
        h.update(netstring(field))
    if h.hexdigest() != stored:
        problems.append("row %d: stored hash %s, recomputed %s" % (seq, stored, h.hexdigest()))
    prev = stored
print("%d rows" % n)
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
PYEOF
run_cmd "$PY" "$T_DIR/recompute.py" "$DB"
expect_exit 0
expect_stdout_contains "$ROWS rows"
# The recomputation really did see multi-byte text and an empty reason.
expect_sql "select count(*) from audit where length(cast(reason as blob)) > length(reason)" 1
expect_sql "select count(*) from audit where reason = ''" 1
expect_sql "select prev_hash from audit where seq = 1" "$(printf '0%.0s' $(seq 64))"

# ---- the triggers refuse UPDATE and DELETE ----------------------------------------------------

row2=$(sql "select * from audit where seq = 2")
run_cmd sqlite3 "$DB" "UPDATE audit SET reason = 'x' WHERE seq = 2"
[ "$RC" -ne 0 ] || fail "UPDATE of an audit row succeeded"
expect_stderr_contains "append-only"
run_cmd sqlite3 "$DB" "DELETE FROM audit WHERE seq = $ROWS"
[ "$RC" -ne 0 ] || fail "DELETE of an audit row succeeded"
expect_stderr_contains "append-only"
expect_sql "select * from audit where seq = 2" "$row2"
expect_sql "select count(*) from audit" "$ROWS"
expect_verified

# Copies of the store, for the "row deleted" and "triggers dropped, nothing edited" cases below.
sqlite3 "$DB" "VACUUM INTO '$T_DIR/copy.db'" || fail "cannot copy the store"
sqlite3 "$DB" "VACUUM INTO '$T_DIR/deleted.db'" || fail "cannot copy the store"

# The export: one JSON object per row, in order, with the stored hashes.
md_as alice audit export
expect_exit 0
expect_stderr_empty
cp "$OUT" "$T_DIR/export.jsonl"
sqlite3 -separator ' ' "$DB" "select seq, hash, prev_hash from audit order by seq" >"$T_DIR/table.txt"
run_cmd "$PY" - "$T_DIR/export.jsonl" "$T_DIR/table.txt" <<'PYEOF'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert lines[-1] == "", "the export does not end with a newline"
rows = [json.loads(l) for l in lines[:-1]]
table = [l.split() for l in open(sys.argv[2]).read().splitlines()]
assert len(rows) == len(table), "%d exported rows, %d in the table" % (len(rows), len(table))
keys = {"seq", "at", "actor", "action", "object", "reason", "details", "prev_hash", "hash"}
for r, (seq, h, prev) in zip(rows, table):
    assert isinstance(r, dict), "line is not a JSON object: %r" % r
    assert set(r) == keys, "row %s has keys %s" % (r.get("seq"), sorted(r))
    assert str(r["seq"]) == seq, "seq %s, table %s" % (r["seq"], seq)
    assert r["hash"] == h, "row %s: exported hash %s, stored %s" % (seq, r["hash"], h)
    assert r["prev_hash"] == prev, "row %s: exported prev_hash differs" % seq
    assert isinstance(r["details"], dict), "row %s: details is not an object" % seq
print("ok %d" % len(rows))
PYEOF
expect_exit 0
expect_stdout_contains "ok $ROWS"
md_as alice audit export --after-seq 5
expect_exit 0
expect_eq "export --after-seq 5 lines" "$(wc -l <"$OUT" | tr -d ' ')" 2
expect_eq "export --after-seq 5 first row" "$(head -n 1 "$OUT")" "$(sed -n 6p "$T_DIR/export.jsonl")"
md_as alice audit export --output "$T_DIR/export-file.jsonl"
expect_exit 0
expect_stdout_empty
cmp -s "$T_DIR/export.jsonl" "$T_DIR/export-file.jsonl" || fail "audit export --output differs from stdout export"

# ---- tampering: drop the triggers, edit row 3 -------------------------------------------------

run_cmd sqlite3 "$DB" "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;
                       UPDATE audit SET reason = 'nothing to see here' WHERE seq = 3;"
expect_exit 0
expect_sql "select reason from audit where seq = 3" "nothing to see here"

md audit verify
expect_error 1 "audit verify" "row 3"
expect_stdout_empty
expect_stderr_not_contains "row 2"
expect_stderr_contains "altered"
md --json audit verify
expect_exit 1
expect_json_doc
expect_json 'd["ok"]' false
expect_json 'd["first_broken"]' 3
expect_json 'd["rows"]' 2 # rows checked before the break
expect_json 'd["triggers_intact"]' false
expect_stderr_contains "row 3"
run_cmd "$PY" "$T_DIR/recompute.py" "$DB" # the independent check agrees
expect_exit 1
expect_stdout_contains "row 3: stored hash"

# Re-hashing the edited row to hide the edit breaks the next row's link instead.
run_cmd "$PY" - "$DB" <<'PYEOF'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
r = db.execute("SELECT prev_hash, seq, at, actor, action, object, reason, details FROM audit"
               " WHERE seq = 3").fetchone()
h = hashlib.sha256()
for f in r:
    b = str(f).encode("utf-8")
    h.update(str(len(b)).encode() + b":" + b + b",")
db.execute("UPDATE audit SET hash = ? WHERE seq = 3", (h.hexdigest(),))
db.commit()
PYEOF
expect_exit 0
md --json audit verify
expect_exit 1
expect_json 'd["first_broken"]' 4
expect_json 'd["problem"]' "row 4: its prev_hash does not match the previous row's hash"

# Deleting a row is caught as well: verify names the row after the gap.
DB="$T_DIR/deleted.db"
run_cmd sqlite3 "$DB" "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 6;"
expect_exit 0
md --json audit verify
expect_exit 1
expect_json 'd["first_broken"]' 7
expect_json 'd["problem"]' "row 7: rows are missing before it"

# ---- dropping the triggers alone also fails verification -----------------------------------------

DB="$T_DIR/copy.db"
expect_verified
run_cmd sqlite3 "$DB" "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;"
expect_exit 0
run_cmd "$PY" "$T_DIR/recompute.py" "$DB" # every hash still holds...
expect_exit 0
md audit verify # ...but the chain is no longer protected
expect_error 1 "audit verify" "triggers"
expect_stdout_empty
md --json audit verify
expect_exit 1
expect_json 'd["ok"]' false
expect_json 'd["triggers_intact"]' false
expect_json 'd["first_broken"]' null
expect_json 'd["rows"]' "$ROWS"

# Dropping just one of them is enough.
DB="$T_DIR/one.db"
new_store alice
run_cmd sqlite3 "$DB" "DROP TRIGGER audit_no_delete"
expect_exit 0
md audit verify
expect_error 1 "audit verify" "triggers"
