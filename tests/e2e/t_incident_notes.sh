#!/usr/bin/env bash
# An incident's notes (handover at night): the detail shows the latest four; Tab gives the keys
# to the notes, which then show more and scroll to the oldest, and Enter shows a note whole.
# Ctrl-C in the note dialog cancels the dialog, as Esc does, and the console goes on.
. "$(dirname "$0")/lib.sh"

for i in 1 2 3 4 5 6; do
    md_as olga incidents note 9 "note $i: a handover text long enough not to fit on one line of an eighty column terminal, ending here $i" >/dev/null ||
        fail "incidents note 9 ($i)"
done
start_console -u oncall
keys 4
wait_for "Incidents"
keys /
type_text channel
keys Enter
wait_for "[/channel]"
keys j Enter
wait_for "Incident #9"
wait_for "notes (6)   Tab: move here"
expect_screen_contains "note 6: a handover"
expect_screen_not_contains "note 1: a handover"
keys Tab
wait_for "notes (6)   Enter: the whole note  Tab: back to the evidence"
wait_for "note 6 of 6 by olga"
keys g
wait_for "note 1 of 6 by olga"
expect_screen_contains "note 1: a handover"
keys Enter
wait_for "note by olga"
wait_for "ending here 1"
keys Escape
wait_gone "note by olga"
keys Tab
wait_for "notes (6)   Tab: move here"
keys e
wait_for "note:"
type_text "half typed"
keys C-c
wait_gone "half typed"
expect_screen_contains "Incident #9"
[ "$(md incidents show 9 --json | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["notes"]))')" = 6 ] ||
    fail "a cancelled note was recorded"
keys Q
wait_exit
[ "$EXIT_CODE" = 0 ] || fail "the console ended with $EXIT_CODE"
