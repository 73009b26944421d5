#!/usr/bin/env bash
# Sizes: below 80x24 the console says so and waits; back to a bigger size the view returns,
# using the room; a resize inside a dialog keeps the dialog.
. "$(dirname "$0")/lib.sh"

start_console -u olga
tmux -L "$SOCK" resize-window -t md -x 60 -y 20
wait_for "terminal too small (need 80x24"
expect_screen_not_contains "Registry"
tmux -L "$SOCK" resize-window -t md -x 100 -y 30
wait_for "Registry"
expect_screen_contains "USE CASE"
# the wider screen shows the use cases in full
expect_screen_contains "retention: monthly churn risk"

# a dialog survives a resize
keys j Enter
wait_for "stage history"
keys t
wait_for "Queue a retrain of churn"
tmux -L "$SOCK" resize-window -t md -x 80 -y 24
sleep 0.3
wait_for "Queue a retrain of churn"
tmux -L "$SOCK" resize-window -t md -x 70 -y 22
wait_for "terminal too small"
tmux -L "$SOCK" resize-window -t md -x 90 -y 26
wait_for "Queue a retrain of churn"
keys Escape
wait_gone "Queue a retrain"
# nothing was queued
n=$(md --json jobs list | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" = 2 ] || fail "a cancelled dialog queued a job ($n jobs)"
keys Q
wait_exit
