#!/usr/bin/env bash
# A long audit chain: the audit screen verifies it on a thread of its own, so the keys stay live
# while it runs (a million rows take seconds), and quitting does not wait for it. The rows are
# appended here in Python, each hashed as the chain defines it (prev_hash, seq, at, actor,
# action, object, reason, details as netstrings, SHA-256): `audit verify` accepting them checks
# that definition against the engine's.
. "$(dirname "$0")/lib.sh"

ROWS=${E2E_AUDIT_ROWS:-600000} # the sanitizers' pass: fewer, each verified slower
"$PY" - "$DB" "$ROWS" <<'PY' || fail "cannot extend the audit chain"
import hashlib, sqlite3, sys
db, n = sqlite3.connect(sys.argv[1]), int(sys.argv[2])
seq, prev = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
def net(s):
    b = s.encode()
    return str(len(b)).encode() + b":" + b + b","
rows = []
for i in range(n):
    seq += 1
    at = "2026-11-26T%02d:%02d:%02d.%03dZ" % (9 + i // 3600000 % 10, i // 60000 % 60, i // 1000 % 60, i % 1000)
    f = [prev, str(seq), at, "olga", "incident.note", "incident:12", "", "{}"]
    h = hashlib.sha256(b"".join(net(x) for x in f)).hexdigest()
    rows.append((seq, at, "olga", "incident.note", "incident:12", "", "{}", prev, h))
    prev = h
db.executemany("INSERT INTO audit(seq, at, actor, action, object, reason, details, prev_hash,"
               " hash) VALUES (?,?,?,?,?,?,?,?,?)", rows)
db.commit()
PY
total=$(md --json audit verify | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["rows"] if d["ok"] else "broken")')
[ "$total" -gt "$ROWS" ] || fail "audit verify does not accept the appended rows: $total"

start_console -u olga
keys 7
wait_for "verifying the chain" 10
expect_screen_contains "of $total"
# the keys answer while the chain is being verified
wait_for "seq $total, incident.note by olga"
keys j
wait_for "seq $((total - 1)), incident.note by olga" 1
expect_screen_contains "verifying the chain"
keys v
wait_for "the chain is being verified" 1
wait_for "chain verified: $total rows, OK" 60
# v again, then quit at once: the console leaves without waiting for the verification
keys v
wait_for "verifying the chain" 5
keys q
start=$(date +%s%N)
wait_exit
ms=$((($(date +%s%N) - start) / 1000000))
[ "$EXIT_CODE" = 0 ] || fail "the console exited with $EXIT_CODE"
# a second at most; under the sanitizers LeakSanitizer's scan of the heap at exit adds most of a
# second of its own (about 0.6 s here, more on a loaded machine), which is not the console's
limit=1000
case ${ASAN_OPTIONS:-} in *detect_leaks=1*) limit=3000 ;; esac
[ "$ms" -lt "$limit" ] || fail "quitting took $ms ms (over $limit) while the chain was being verified"
