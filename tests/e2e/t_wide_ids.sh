#!/usr/bin/env bash
# IDs are never cut: a store that has raised 100,000 incidents shows incident 123456 whole in
# the queue, its ID column as wide as its largest ID, the other columns narrower around it.
. "$(dirname "$0")/lib.sh"

# The demo's incident 12 again under a six-digit ID, with a key of its own (one active incident
# per model, kind and key): what a long-lived store holds, without raising 123,456 incidents.
"$PY" - "$DB" <<'PY' || fail "cannot add the wide incident"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("""INSERT INTO incidents (id, model_id, version_id, kind, key, severity, state, title,
              opened_at, last_evidence_at)
              SELECT 123456, model_id, version_id, kind, 'wide_id_feature', severity, state,
                     'Drift on wide_id_feature', opened_at, last_evidence_at
              FROM incidents WHERE id = 12""")
db.commit()
PY

start_console -u olga
keys 4
wait_for "Incidents active"
settle
expect_screen_matches '^ +ID SEV '
expect_screen_matches '^123456 P1  open '
expect_screen_matches '^    12 P1  open '
# every row's ID ends in the same column as the title's
screen | awk '/^ +ID SEV / { col = index($0, "ID") + 1 }
              col && /^ *[0-9]+ P[1-4] / { if (index($0, " P") - 1 != col) bad = bad $0 "\n" }
              END { printf "%s", bad; exit bad != "" || !col }' >"$T_DIR/misaligned" ||
    fail "IDs not aligned under ID: $(cat "$T_DIR/misaligned")"
# the cursor on it: the status line names it
keys /
type_text "wide_id"
keys Enter
settle
screen | tail -n 1 | grep -q "#123456: " || fail "the status line should name #123456"
# a filter that leaves only short IDs gives the room back
keys Escape
keys :
type_text "incidents p3"
keys Enter
wait_for "Incidents P3 active"
settle
expect_screen_matches '^  ID SEV '
keys Q
wait_exit
[ "$EXIT_CODE" = 0 ] || fail "exit code $EXIT_CODE"
