#!/usr/bin/env bash
# Every way out restores the terminal: q, Q, :q, SIGTERM, SIGHUP and a fatal error.
. "$(dirname "$0")/lib.sh"

start_console -u vic
keys q
wait_exit
[ "$EXIT_CODE" = 0 ] || fail "q: exit $EXIT_CODE"
stop_console

start_console -u vic
keys j Enter
wait_for "stage history"
keys Q
wait_exit
[ "$EXIT_CODE" = 0 ] || fail "Q: exit $EXIT_CODE"
stop_console

start_console -u vic
keys :
type_text q
keys Enter
wait_exit
stop_console

for sig in TERM HUP; do
    start_console -u vic
    pid=$(console_pid)
    [ -n "$pid" ] || fail "no console process"
    kill -s "$sig" "$pid"
    wait_exit
    case $sig in TERM) want=143 ;; HUP) want=129 ;; esac
    [ "$EXIT_CODE" = "$want" ] || fail "SIG$sig: exit $EXIT_CODE, expected $want"
    stop_console
done

# a fatal error inside the console (injected): the terminal is restored before it ends
WAIT_FIRST="" start_console -u vic -e MODELDECK_FAULT=console.fatal
wait_exit
[ "$EXIT_CODE" != 0 ] || fail "a fatal error exited 0"
grep -q "injected fault at console.fatal" "$T_DIR/stderr" || fail "the fatal error was not reported on stderr"
