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
wait_for "back to v1, the last good version"
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
wait_for "back to v1, the last good version"
keys Enter
wait_for "reason:"
type_text "conversion fell after the release"
keys Enter
wait_for "nba-realtime: v1 in production"
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
# v2 left production by a rollback: offered, but not as last good; the list stops at its end,
# so keys past the last choice still pick the last one
keys b
wait_for "back to v2 (it left production by a rollback)"
expect_screen_not_contains "last good version"
keys j j j j j j Enter
wait_for "fallback (suppress)"
type_text "stop serving while we investigate"
keys Enter
wait_for "nba-realtime is out of service (suppress)"
# the stage history follows the moves made since it opened: the take-out is on screen
settle
screen | grep -qE " v1 +production +archived +olga +rollback +stop serving" ||
    fail "the stage history does not show the take-out"
md --json model show nba-realtime >"$T_DIR/m.json"
[ "$(json_get 'd["production_version"]' "$T_DIR/m.json")" = null ] || fail "a version is still in production"
# out of service: only returns are offered, nothing left to take out
keys b
wait_for "back to v1 (it left production by a rollback)"
expect_screen_not_contains "take the model out"
keys Escape
# the registry: no production version, DEPLOYED says OUT and FALLBACK names the one serving;
# /out keeps the models out of service
keys 1
wait_for "USE CASE"
screen | grep -qE "^nba-realtime .* - +- +1 P3 +OUT suppress" ||
    fail "the registry should show nba-realtime out of service, its fallback suppress serving"
keys /
type_text out
keys Enter
wait_for "[/out]"
expect_screen_contains "nba-realtime"
expect_screen_not_contains "churn "
keys Q
wait_exit
