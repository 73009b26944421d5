#!/usr/bin/env bash
# A rollback through the dialog: the dialog says what will change, asks for a reason, and the
# store changes as the CLI would have done it (stage history, audit); Esc changes nothing.
. "$(dirname "$0")/lib.sh"

start_console -u olga
# nba-realtime: v2 in production, v1 its last good version
keys :
type_text "model nba-realtime"
keys Enter
wait_for "stage history"
keys b
wait_for "back to the last good version (v1)"
keys Enter
wait_for "Production nba-realtime: v2 -> v1"
expect_screen_contains "reason:"
# Enter without a reason is refused in the dialog; the complaint goes with the dialog
keys Enter
wait_for "reason: cannot be empty"
# Esc: nothing happens
keys Escape
wait_gone "reason:"
expect_screen_not_contains "cannot be empty"
[ "$(md --json model show nba-realtime | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["production_version"])')" = 2 ] ||
    fail "a cancelled rollback changed production"
# again, with a reason
keys b
wait_for "back to the last good version (v1)"
keys Enter
wait_for "reason:"
type_text "conversion fell after the release"
keys Enter
wait_for "nba-realtime rolled back"
md --json model show nba-realtime >"$T_DIR/m.json"
[ "$(json_get 'd["production_version"]' "$T_DIR/m.json")" = 1 ] || fail "v1 is not in production"
md --json audit list --limit 3 >"$T_DIR/a.json"
"$PY" - "$T_DIR/a.json" <<'PY' || fail "the audit has no rollback by olga with the reason"
import json, sys
rows = json.load(open(sys.argv[1]))
assert any(r["action"] == "rollback" and r["actor"] == "olga" and r["reason"] == "conversion fell after the release" for r in rows), rows
PY
md audit verify >/dev/null || fail "audit verify fails after the rollback"
# the screen shows the new state without a refresh key
wait_for "rollback"
keys Q
wait_exit
