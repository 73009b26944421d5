#!/usr/bin/env bash
# An incident's notes (handover at night): the detail shows the latest four; Tab gives the keys
# to the notes, which then show more and scroll to the oldest, and Enter shows a note whole.
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
keys Q
wait_exit
