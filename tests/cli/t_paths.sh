# Promise: the store is found the documented way -- --db, else $MODELDECK_DB, else
# $XDG_DATA_HOME/modeldeck/modeldeck.db, else ~/.local/share/modeldeck/modeldeck.db -- and
# `info --json` says which path and where it came from. A store file is created 0600 and the
# directories made for it 0700 whatever the umask, and `info` never creates anything.
. "$(dirname "$0")/lib.sh"

mode() { stat -c %a "$1"; }

# expect_private FILE DIR...: FILE is 0600 and each DIR 0700.
expect_private() {
    local f=$1 d
    shift
    [ -f "$f" ] || fail "no store file at $f"
    expect_eq "mode of $f" "$(mode "$f")" 600
    for d in "$@"; do
        expect_eq "mode of directory $d" "$(mode "$d")" 700
    done
    for d in "$f-wal" "$f-shm"; do # SQLite's companions, when present, are as private
        [ ! -e "$d" ] || expect_eq "mode of $d" "$(mode "$d")" 600
    done
}

# mdx ARGS...: modeldeck with no --db, in a shell with umask 022 (the usual default).
mdx() { run_cmd sh -c 'umask 022; exec "$0" "$@"' "$MODELDECK_BIN" "$@"; }

# ---- XDG_DATA_HOME -----------------------------------------------------------------------------

export XDG_DATA_HOME="$T_DIR/xdg"
XDG_STORE="$XDG_DATA_HOME/modeldeck/modeldeck.db"

mdx info # nothing there yet: info says so and creates nothing
expect_exit 0
expect_stdout_contains "$XDG_STORE (from XDG_DATA_HOME)"
expect_stdout_contains "not created"
[ ! -e "$XDG_DATA_HOME" ] || fail "info created $XDG_DATA_HOME"

mdx init
expect_exit 0
expect_stdout_contains "created store $XDG_STORE"
expect_private "$XDG_STORE" "$XDG_DATA_HOME" "$XDG_DATA_HOME/modeldeck"

mdx --json info
expect_exit 0
expect_json 'd["store"]' "$XDG_STORE"
expect_json 'd["store_source"]' XDG_DATA_HOME
expect_json 'd["exists"]' true
mdx model add xdgmodel --use-case u --owner o # later commands find it the same way
expect_exit 0
expect_sql "select name from models" xdgmodel "$XDG_STORE"

# Whatever the umask, the modes are the same; every missing level is created 0700.
run_cmd env XDG_DATA_HOME="$T_DIR/open/a/b" sh -c 'umask 000; exec "$0" "$@"' "$MODELDECK_BIN" init
expect_exit 0
expect_private "$T_DIR/open/a/b/modeldeck/modeldeck.db" \
    "$T_DIR/open" "$T_DIR/open/a" "$T_DIR/open/a/b" "$T_DIR/open/a/b/modeldeck"
# A directory that already exists keeps its own mode.
mkdir -m 755 "$T_DIR/shared"
run_cmd env XDG_DATA_HOME="$T_DIR/shared" sh -c 'umask 022; exec "$0" "$@"' "$MODELDECK_BIN" init
expect_exit 0
expect_private "$T_DIR/shared/modeldeck/modeldeck.db" "$T_DIR/shared/modeldeck"
expect_eq "mode of the existing $T_DIR/shared" "$(mode "$T_DIR/shared")" 755
run_cmd env XDG_DATA_HOME="$T_DIR/tight" sh -c 'umask 077; exec "$0" "$@"' "$MODELDECK_BIN" init
expect_exit 0
expect_private "$T_DIR/tight/modeldeck/modeldeck.db" "$T_DIR/tight" "$T_DIR/tight/modeldeck"

# ---- MODELDECK_DB wins over XDG_DATA_HOME --------------------------------------------------------

export MODELDECK_DB="$T_DIR/env/dir/env.db"
mdx --json info
expect_exit 0
expect_json 'd["store"]' "$MODELDECK_DB"
expect_json 'd["store_source"]' MODELDECK_DB
expect_json 'd["exists"]' false
mdx model list # the XDG store is not consulted
expect_error 1 "model list" "no store at $MODELDECK_DB"
mdx init
expect_exit 0
expect_stdout_contains "created store $MODELDECK_DB"
expect_private "$MODELDECK_DB" "$T_DIR/env" "$T_DIR/env/dir"
mdx --json info
expect_json 'd["store"]' "$MODELDECK_DB"
expect_json 'd["store_source"]' MODELDECK_DB
expect_json 'd["exists"]' true
mdx model list
expect_exit 0
expect_stdout_not_contains xdgmodel
expect_sql "select count(*) from models" 0 "$MODELDECK_DB"

# ---- --db wins over MODELDECK_DB ------------------------------------------------------------------

FLAG_DB="$T_DIR/flag/flag.db"
for form in "--db $FLAG_DB" "--db=$FLAG_DB"; do
    # shellcheck disable=SC2086
    mdx $form --json info
    expect_exit 0
    expect_json 'd["store"]' "$FLAG_DB"
    expect_json 'd["store_source"]' "--db"
    # shellcheck disable=SC2086
    mdx --json info $form # after the command too
    expect_json 'd["store_source"]' "--db"
done
[ ! -e "$T_DIR/flag" ] || fail "info created $T_DIR/flag"
mdx init --db "$FLAG_DB"
expect_exit 0
expect_private "$FLAG_DB" "$T_DIR/flag"
mdx --db "$FLAG_DB" model add flagmodel --use-case u --owner o
expect_exit 0
expect_sql "select group_concat(name) from models" flagmodel "$FLAG_DB"
expect_sql "select count(*) from models" 0 "$MODELDECK_DB"
expect_sql "select group_concat(name) from models" xdgmodel "$XDG_STORE"

# An empty MODELDECK_DB counts as unset.
run_cmd env MODELDECK_DB= "$MODELDECK_BIN" --json info
expect_exit 0
expect_json 'd["store_source"]' XDG_DATA_HOME

# ---- no XDG_DATA_HOME: ~/.local/share ----------------------------------------------------------------

unset MODELDECK_DB XDG_DATA_HOME
export HOME="$T_DIR/home"
HOME_STORE="$HOME/.local/share/modeldeck/modeldeck.db"
mdx --json info
expect_exit 0
expect_json 'd["store"]' "$HOME_STORE"
expect_json 'd["store_source"]' HOME
[ ! -e "$HOME" ] || fail "info created $HOME"
# A relative XDG_DATA_HOME is not a valid one (XDG spec): it is ignored.
run_cmd env XDG_DATA_HOME=relative/xdg "$MODELDECK_BIN" --json info
expect_exit 0
expect_json 'd["store_source"]' HOME
mdx init
expect_exit 0
expect_private "$HOME_STORE" "$HOME" "$HOME/.local" "$HOME/.local/share" "$HOME/.local/share/modeldeck"
[ ! -e "$T_DIR/relative" ] && [ ! -e relative ] || fail "a relative XDG_DATA_HOME was used"
