# shellcheck shell=bash
# Helpers for the console's end-to-end tests: the real binary in tmux, keys in, screens out.
#
# Each test gets its own tmux server (-L), its own directory ($T_DIR, the working directory)
# and its own copy of the demo store ($DB) that run.sh built once with a fixed clock. The
# console runs inside a small wrapper that records the terminal settings before and after and
# the exit code, so every test can check the terminal was restored.
#
# Run one test on its own:  MODELDECK_BIN=$PWD/build/modeldeck bash tests/e2e/t_registry.sh

set -u
: "${MODELDECK_BIN:?set MODELDECK_BIN to the modeldeck binary to test}"
case $MODELDECK_BIN in /*) ;; *) MODELDECK_BIN=$(cd "$(dirname "$MODELDECK_BIN")" && pwd)/$(basename "$MODELDECK_BIN") ;; esac
E2E_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

unset MODELDECK_USER MODELDECK_DB MODELDECK_FAULT XDG_DATA_HOME NO_COLOR
# The clock every demo store and every console of the suite sees: golden screens stay golden.
export MODELDECK_NOW=${MODELDECK_NOW:-2026-11-26T09:00:00Z}
export LC_ALL=C.UTF-8 LANG=C.UTF-8
export TERM=xterm-256color

if [ -z "${T_DIR:-}" ]; then # run by hand, not by run.sh
    T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/modeldeck-e2e.XXXXXX")
    trap 'tmux -L "$SOCK" kill-server 2>/dev/null; rm -rf "$T_DIR"' EXIT
else # the test's tmux server (and the console's pane) end with the test, pass or fail
    trap 'tmux -L "$SOCK" kill-server 2>/dev/null' EXIT
fi
cd "$T_DIR" || exit 1
export HOME="$T_DIR/home" XDG_CONFIG_HOME="$T_DIR/config"
mkdir -p "$HOME" "$XDG_CONFIG_HOME"
SOCK="md-e2e-$$-$RANDOM"
DB="$T_DIR/store.db"
SCREEN_FILE="$T_DIR/screen.txt"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

# The demo store, built once per run (run.sh sets E2E_DEMO), else here.
if [ -z "${E2E_DEMO:-}" ] || [ ! -f "$E2E_DEMO" ]; then
    E2E_DEMO="$T_DIR/demo.db"
    MODELDECK_USER=demo "$MODELDECK_BIN" --db "$E2E_DEMO" demo >/dev/null || {
        echo "cannot build the demo store" >&2
        exit 1
    }
fi
cp "$E2E_DEMO" "$DB"

fail() {
    local where="" i
    for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
        case ${BASH_SOURCE[$i]} in
        */lib.sh | lib.sh) ;;
        *) where="${where:+$where, from }$(basename "${BASH_SOURCE[$i]}") line ${BASH_LINENO[$((i - 1))]}" ;;
        esac
    done
    {
        printf 'assertion failed (%s): %s\n' "$where" "$1"
        if tmux -L "$SOCK" has-session -t md 2>/dev/null; then
            printf '  screen:\n'
            tmux -L "$SOCK" capture-pane -p -t md | sed 's/^/    | /'
        fi
        [ -s "$T_DIR/stderr" ] && { printf '  stderr:\n'; sed 's/^/    | /' "$T_DIR/stderr"; }
    } >&2
    exit 1
}

# ---- starting and stopping ------------------------------------------------------------------

# start_console [-s WxH] [-u USER] [-e VAR=VALUE]... [-- MODELDECK-ARGS...]
start_console() {
    local size=80x24 user=olga envs=()
    while [ $# -gt 0 ]; do
        case $1 in
        -s) size=$2; shift 2 ;;
        -u) user=$2; shift 2 ;;
        -e) envs+=("$2"); shift 2 ;;
        --) shift; break ;;
        *) break ;;
        esac
    done
    stop_console
    rm -f "$T_DIR/exit" "$T_DIR/stty.before" "$T_DIR/stty.after"
    {
        echo '#!/bin/sh'
        echo "stty -g >'$T_DIR/stty.before'"
        echo 'trap : INT # Ctrl-C is the console'"'"'s: this wrapper waits on and records its exit'
        printf 'env MODELDECK_USER=%q' "$user"
        local e
        for e in "${envs[@]}"; do printf ' %q' "$e"; done
        printf ' %q --db %q' "$MODELDECK_BIN" "$DB"
        for e in "$@"; do printf ' %q' "$e"; done
        printf " 2>'%s'\n" "$T_DIR/stderr"
        echo "echo \$? >'$T_DIR/exit'"
        echo "stty -g >'$T_DIR/stty.after'"
        echo 'exec sleep 600'
    } >"$T_DIR/console.sh"
    chmod +x "$T_DIR/console.sh"
    # a server that is still going away when the new session asks for it fails the start
    # ("server exited unexpectedly"): asked again once it is gone
    local try
    for try in 1 2 3; do
        tmux -L "$SOCK" -f /dev/null new-session -d -s md -x "${size%x*}" -y "${size#*x}" \
            "$T_DIR/console.sh" && break
        [ "$try" -lt 3 ] || fail "tmux cannot start"
        stop_console
        sleep 0.2
    done
    tmux -L "$SOCK" set-option -t md status off >/dev/null
    [ -z "${WAIT_FIRST-Registry}" ] || wait_for "${WAIT_FIRST-Registry}"
}

# The console's process id (the modeldeck inside the pane).
console_pid() {
    pgrep -P "$(tmux -L "$SOCK" display-message -p -t md '#{pane_pid}')" -f "$MODELDECK_BIN" | head -n 1
}

# wait_exit: waits for the console to end; checks the terminal came back as it was.
wait_exit() {
    local i
    for ((i = 0; i < 200; i++)); do
        [ -s "$T_DIR/stty.after" ] && break
        sleep 0.05
    done
    [ -s "$T_DIR/stty.after" ] || fail "the console did not exit"
    cmp -s "$T_DIR/stty.before" "$T_DIR/stty.after" || fail "the terminal settings were not restored"
    EXIT_CODE=$(cat "$T_DIR/exit")
}

# stop_console: ends the tmux server and waits until it no longer answers.
stop_console() {
    tmux -L "$SOCK" kill-server 2>/dev/null || true
    local i
    for ((i = 0; i < 100; i++)); do
        tmux -L "$SOCK" list-sessions >/dev/null 2>&1 || return 0
        sleep 0.05
    done
}

# ---- keys and screens -------------------------------------------------------------------------

keys() { tmux -L "$SOCK" send-keys -t md "$@"; }   # tmux key names: Enter Escape Up C-l ...
type_text() { tmux -L "$SOCK" send-keys -t md -l -- "$1"; }

screen() {
    tmux -L "$SOCK" capture-pane -p -t md >"$SCREEN_FILE"
    cat "$SCREEN_FILE"
}

# wait_for TEXT [SECONDS]: until the screen shows TEXT.
wait_for() {
    local text=$1 limit=${2:-5} i
    for ((i = 0; i < limit * 20; i++)); do
        screen | grep -qF -- "$text" && return 0
        sleep 0.05
    done
    fail "the screen never showed: $text"
}

wait_gone() {
    local text=$1 limit=${2:-5} i
    for ((i = 0; i < limit * 20; i++)); do
        screen | grep -qF -- "$text" || return 0
        sleep 0.05
    done
    fail "the screen still shows: $text"
}

# settle: waits until two captures 100 ms apart are equal (the frame is complete).
settle() {
    local a b i
    a=$(screen)
    for ((i = 0; i < 40; i++)); do
        sleep 0.1
        b=$(screen)
        [ "$a" = "$b" ] && return 0
        a=$b
    done
}

expect_screen_contains() { screen | grep -qF -- "$1" || fail "the screen should show: $1"; }
expect_screen_not_contains() { ! screen | grep -qF -- "$1" || fail "the screen should not show: $1"; }
expect_screen_matches() { screen | grep -qE -- "$1" || fail "the screen should match /$1/"; }
# expect_line N TEXT: line N (0-based) contains TEXT.
expect_line() {
    local line
    line=$(screen | sed -n "$(($1 + 1))p")
    case $line in *"$2"*) ;; *) fail "line $1 should contain '$2', is '$line'" ;; esac
}

# golden NAME [REGEX...]: the settled screen equals tests/e2e/golden/NAME.txt (UPDATE_GOLDEN=1
# writes it); each REGEX (sed -E) marks text that differs from store to store (a random store id
# feeds the audit hashes) and is masked on both sides.
golden() {
    settle
    local name=$1 re
    shift
    for re in "$@"; do
        sed -E -i "s/$re/~masked~/g" "$SCREEN_FILE"
    done
    local want="$E2E_HERE/golden/$name.txt"
    if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
        cp "$SCREEN_FILE" "$want"
        return 0
    fi
    [ -f "$want" ] || fail "no golden screen $want (run with UPDATE_GOLDEN=1 to write it)"
    diff -u "$want" "$SCREEN_FILE" >"$T_DIR/golden.diff" ||
        fail "the screen differs from golden/$name.txt:
$(cat "$T_DIR/golden.diff")"
}

# The raw bytes the console wrote are not visible through tmux; escape-sequence checks look at
# what tmux rendered: a sequence that reached the terminal would have been interpreted, not shown.

# ---- the store --------------------------------------------------------------------------------

md() { "$MODELDECK_BIN" --db "$DB" "$@"; }
md_as() { local u=$1; shift; MODELDECK_USER=$u "$MODELDECK_BIN" --db "$DB" "$@"; }
json_get() { # EXPR FILE
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[2])); v=eval(sys.argv[1]); print(v if isinstance(v,str) else json.dumps(v))' "$1" "$2"
}

# small_window_csv OUT KIND [ROWS DAY]: ROWS (40) rows of churn v2's own baseline values in one
# window, DAY (2026-11-27); KIND 0: scores all 0.5, labels alternating; 1: scores spread from 0.05
# up, labels alternating; unlabeled: scores spread over [0, 1), no label column, over 9 hours
small_window_csv() {
    md --json baseline show churn 2 >"$T_DIR/base.json" || fail "baseline show churn 2"
    "$PY" - "$T_DIR/base.json" "$2" "${3:-40}" "${4:-2026-11-27}" >"$1" <<'PY' ||
import json, sys
b = json.load(open(sys.argv[1]))
kind, rows, day = sys.argv[2], int(sys.argv[3]), sys.argv[4]
feats = b["features"]
labeled = kind != "unlabeled"
print(",".join(["ts", "score"] + (["label"] if labeled else []) + [f["name"] for f in feats]))
for i in range(rows):
    if kind == "unlabeled":
        row = ["%sT%02d:00:00Z" % (day, i % 9), "%.3f" % (i * 7919 % 1000 / 1000)]
    else:
        score = "%.2f" % (0.05 + i / 50) if kind == "1" else "0.5"
        row = ["%sT%02d:00:00Z" % (day, i % 24), score, str(i % 2)]
    for f in feats:
        if f["kind"] == "numeric":
            v = f["ks_sample"]["values"]
            row.append(repr(v[i * 37 % len(v)]))
        else:
            row.append(sorted(f["counts"])[i % len(f["counts"])])
    print(",".join(row))
PY
        fail "cannot write the window's rows"
}
