#!/usr/bin/env bash
# The console's config: a bad line is named and skipped while the rest applies; the count of
# problems and the first show at start, and 'modeldeck info' lists them all, bindings that take
# a key from another action included.
. "$(dirname "$0")/lib.sh"

CFG="$XDG_CONFIG_HOME/modeldeck/config"
mkdir -p "$(dirname "$CFG")"
cat >"$CFG" <<'CONF'
# acknowledging with a capital, on purpose
bind.ack = A
refresh = 99
bind.close = w
bind.snooze = x
CONF

# the message wraps, at spaces, onto the rows above the status line: read them as one text
message_has() {
    local i
    for ((i = 0; i < 60; i++)); do
        screen | tail -n 4 | tr '\n' ' ' | tr -s ' ' | grep -qF -- "$1" && return 0
        sleep 0.05
    done
    fail "the message should say: $1"
}
start_console -u olga
message_has "3 config problems ('modeldeck info' lists them), the first: $CFG:3: refresh: expected whole seconds from 1 to 60 (line skipped)"
keys 4
wait_for "Incidents active"
# a, unbound now, does nothing; A acknowledges
keys a
settle
expect_screen_not_contains "Acknowledge #12"
keys A
wait_for "Acknowledge #12"
keys Enter
wait_for "incident 12 acknowledged by olga"
# the help names the new key
keys '?'
wait_for "Help: Incidents"
expect_screen_matches "^ *A +ack +acknowledge"
# resolve, its key x taken by snooze, is listed without one
expect_screen_matches "^ +resolve +resolve"
keys Escape
keys Q
wait_exit

md info >"$T_DIR/info.txt" || fail "modeldeck info"
grep -qF "config problem   $CFG:3: refresh: expected whole seconds from 1 to 60 (line skipped)" "$T_DIR/info.txt" ||
    fail "info should name line 3: $(cat "$T_DIR/info.txt")"
grep -qF "$CFG:4: bind.close = w: w keeps its own action on the incidents screen (why) and on the approvals screen (withdraw), and close does not answer to it there" "$T_DIR/info.txt" ||
    fail "info should name line 4: $(cat "$T_DIR/info.txt")"
grep -qF "$CFG:5: bind.snooze = x: x was resolve's key on the incidents screen, and resolve has no key left" "$T_DIR/info.txt" ||
    fail "info should name line 5: $(cat "$T_DIR/info.txt")"
[ "$(grep -c "config problem" "$T_DIR/info.txt")" = 3 ] || fail "info should list 3 problems: $(cat "$T_DIR/info.txt")"
n=$(md info --json | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["console_config_problems"]))')
[ "$n" = 3 ] || fail "info --json should list 3 problems, not $n"
n=$(md info --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["console_config_problems_total"])')
[ "$n" = 3 ] || fail "info --json should count 3 problems, not $n"

# more problems than the list keeps: the first ones in line order are listed, all are counted
{
    for i in $(seq 1 30); do echo "nonsense$i = 1"; done
    echo "bind.close = w"
} >"$CFG"
md info --json >"$T_DIR/info.json" || fail "modeldeck info --json"
got=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); p=d["console_config_problems"]; print(len(p), d["console_config_problems_total"], p[0].split(": ")[0].rsplit(":", 1)[1], p[-1].split(": ")[0].rsplit(":", 1)[1])' "$T_DIR/info.json")
[ "$got" = "24 31 1 24" ] || fail "info should list lines 1 to 24 of 31 problems: $got"

# a clean config: no message at start, none in info
printf 'bind.ack = x\nbind.resolve = a\n' >"$CFG"
md info >"$T_DIR/info.txt" || fail "modeldeck info"
! grep -q "config problem" "$T_DIR/info.txt" || fail "a swap of two keys is no problem: $(cat "$T_DIR/info.txt")"
start_console -u olga
wait_for "Registry"
settle
expect_screen_not_contains "config"
keys Q
wait_exit
