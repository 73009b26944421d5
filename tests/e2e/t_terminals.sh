#!/usr/bin/env bash
# The console renders cleanly on a vt100, without colour, and in the C locale (ASCII glyphs),
# and a description full of escape sequences is shown inert.
. "$(dirname "$0")/lib.sh"

check_clean() { # no replacement characters, no raw escape remnants, the frame is there
    expect_screen_contains "Registry"
    expect_screen_contains "${1:-b2b-lead-scoring}"
    expect_screen_not_contains $'\xef\xbf\xbd'
    expect_screen_not_contains $'\e'
}

start_console -u olga -e TERM=vt100
check_clean
keys j Enter
wait_for "stage history"
check_clean "promotion.execute"
keys Q
wait_exit
stop_console

start_console -u olga -e NO_COLOR=1
check_clean
keys Q
wait_exit
stop_console

# the C locale: ASCII only (| for the header's separators, no box drawing)
start_console -u olga -e LANG=C -e LC_ALL=C
check_clean
expect_line 0 " | olga (operator)"
expect_screen_not_contains "│"
keys j Enter
wait_for "stage history"
expect_screen_not_contains "›"
keys Q
wait_exit
stop_console

# hostile text: a description carrying colour, a title change and a bell
md_as olga model edit churn --description $'\e[31mRED\e[0m\e]0;pwned\a tail' --reason test >/dev/null ||
    fail "cannot set the description"
start_console -u olga
keys j Enter
wait_for "stage history"
expect_screen_contains "^[[31mRED^[[0m^[]0;pwned^G tail"
title=$(tmux -L "$SOCK" display-message -p -t md '#{pane_title}')
[ "$title" != pwned ] || fail "an escape sequence from data reached the terminal (title changed)"
keys Q
wait_exit
