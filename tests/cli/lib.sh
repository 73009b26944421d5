# shellcheck shell=bash
# Assertion helpers for the CLI tests. Sourced by every tests/cli/t_*.sh (bash).
#
# A test runs in its own temporary directory ($T_DIR, also the working directory). It calls
# run_cmd / md / md_as to run a command, which leaves the exit code in $RC and stdout/stderr in
# files, then asserts with expect_*. The first failed assertion prints what was expected, the
# command, its exit code, stdout and stderr, and the test line, and ends the test with exit 1.
#
# Run one test on its own:  MODELDECK_BIN=$PWD/build/modeldeck bash tests/cli/t_basics.sh

set -u

: "${MODELDECK_BIN:?set MODELDECK_BIN to the modeldeck binary to test}"
case $MODELDECK_BIN in /*) ;; *) MODELDECK_BIN=$(cd "$(dirname "$MODELDECK_BIN")" && pwd)/$(basename "$MODELDECK_BIN") ;; esac
export MODELDECK_BIN

# No ambient configuration leaks into a test; a test sets these on purpose when it needs them.
unset MODELDECK_USER MODELDECK_DB MODELDECK_FAULT MODELDECK_NOW XDG_DATA_HOME
export LC_ALL=C.UTF-8

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

if [ -z "${T_DIR:-}" ]; then # run by hand, not by run.sh
    T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/modeldeck-cli.XXXXXX")
    trap 'chmod -R u+rwx "$T_DIR" 2>/dev/null; rm -rf "$T_DIR"' EXIT
fi
cd "$T_DIR" || exit 1
# A command that forgot --db must never reach the real user's store.
export HOME="$T_DIR/home"

DB="$T_DIR/store.db"
_CAP="$T_DIR/.capture"
mkdir -p "$_CAP"
OUT="$_CAP/stdout"
ERR="$_CAP/stderr"
RC=
LAST_CMD="(no command run yet)"
: >"$OUT"
: >"$ERR"

# ---- running -------------------------------------------------------------------------------

# run_cmd CMD [ARGS...]: runs it, capturing stdout in $OUT, stderr in $ERR, exit code in $RC.
run_cmd() {
    LAST_CMD=$(printf '%q ' "$@")
    # (the outer 2>/dev/null only hides bash's own "Killed" notice for a command that dies by
    # a signal; the command's stderr still goes to $ERR)
    { "$@" >"$OUT" 2>"$ERR"; } 2>/dev/null
    RC=$?
    return 0
}

# md ARGS...: modeldeck on the test store ($DB), as the OS user.
md() { run_cmd "$MODELDECK_BIN" --db "$DB" "$@"; }

# md_as USER ARGS...: modeldeck on the test store with MODELDECK_USER=USER.
md_as() {
    local user=$1
    shift
    run_cmd env MODELDECK_USER="$user" "$MODELDECK_BIN" --db "$DB" "$@"
}

# ---- failing -------------------------------------------------------------------------------

_show_file() { # label file
    if [ -s "$2" ]; then
        printf '  %s:\n' "$1"
        head -n 40 "$2" | sed 's/^/    | /'
        [ "$(wc -l <"$2")" -le 40 ] || printf '    | ... (%s lines in all)\n' "$(wc -l <"$2")"
    else
        printf '  %s: (empty)\n' "$1"
    fi
}

# fail MESSAGE: reports the failed assertion with the last command and its output; ends the test.
fail() {
    local where="" i
    for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do # the test's lines, innermost first
        case ${BASH_SOURCE[$i]} in
        */lib.sh | lib.sh) ;;
        *)
            if [ -z "$where" ]; then
                where="$(basename "${BASH_SOURCE[$i]}") line ${BASH_LINENO[$((i - 1))]}"
            else
                where="$where, called from line ${BASH_LINENO[$((i - 1))]}"
            fi
            ;;
        esac
    done
    {
        printf 'assertion failed (%s): %s\n' "$where" "$1"
        printf '  command: %s\n' "$LAST_CMD"
        printf '  exit code: %s\n' "$RC"
        _show_file stdout "$OUT"
        _show_file stderr "$ERR"
    } >&2
    exit 1
}

# ---- assertions on the last command ----------------------------------------------------------

expect_exit() { # N
    [ "$RC" = "$1" ] || fail "expected exit code $1, got $RC"
}

expect_stdout_contains() { grep -qF -- "$1" "$OUT" || fail "stdout should contain: $1"; }
expect_stderr_contains() { grep -qF -- "$1" "$ERR" || fail "stderr should contain: $1"; }
expect_stdout_not_contains() { ! grep -qF -- "$1" "$OUT" || fail "stdout should not contain: $1"; }
expect_stderr_not_contains() { ! grep -qF -- "$1" "$ERR" || fail "stderr should not contain: $1"; }
expect_stderr_matches() { grep -qE -- "$1" "$ERR" || fail "stderr should match /$1/"; }
expect_stdout_matches() { grep -qE -- "$1" "$OUT" || fail "stdout should match /$1/"; }
expect_stdout_empty() { [ ! -s "$OUT" ] || fail "stdout should be empty"; }
expect_stderr_empty() { [ ! -s "$ERR" ] || fail "stderr should be empty"; }

# expect_error N COMMAND-WORDS FRAGMENT: exit N and stderr "modeldeck: COMMAND-WORDS: ...FRAGMENT...".
expect_error() {
    expect_exit "$1"
    grep -qF -- "modeldeck: $2: " "$ERR" || fail "stderr should start with 'modeldeck: $2: '"
    [ -z "${3:-}" ] || expect_stderr_contains "$3"
}

# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
    [ "$2" = "$3" ] || fail "$1: expected '$3', got '$2'"
}

# ---- JSON (python3, no jq) -------------------------------------------------------------------

# expect_json_doc [FILE]: the file (default: last stdout) is exactly one JSON document.
expect_json_doc() {
    local f=${1:-$OUT} msg
    msg=$("$PY" -c 'import json,sys; json.loads(open(sys.argv[1], encoding="utf-8").read())' "$f" 2>&1) ||
        fail "stdout is not one JSON document: $(printf '%s' "$msg" | tail -n 1)"
}

# json_get EXPR [FILE]: evaluates the Python expression EXPR with d = the parsed JSON document
# (default: last stdout). Strings print raw; anything else prints as compact JSON (null, true,
# 3, [...]). Use in $(...); on error it prints the reason to stderr and prints nothing.
json_get() {
    "$PY" - "$1" "${2:-$OUT}" <<'PYEOF'
import json, sys
expr, path = sys.argv[1], sys.argv[2]
try:
    d = json.loads(open(path, encoding="utf-8").read())
    v = eval(expr, {"json": json}, {"d": d})
except Exception as e:
    sys.stderr.write("json_get %r: %s: %s\n" % (expr, type(e).__name__, e))
    sys.exit(1)
print(v if isinstance(v, str) else json.dumps(v, sort_keys=True, separators=(",", ":")))
PYEOF
}

# expect_json EXPR EXPECTED [FILE]: json_get EXPR prints EXPECTED.
expect_json() {
    local got
    got=$(json_get "$1" "${3:-$OUT}" 2>"$_CAP/json_err") ||
        fail "cannot evaluate $1 on the JSON output: $(cat "$_CAP/json_err")"
    [ "$got" = "$2" ] || fail "JSON $1: expected $2, got $got"
}

# ---- the store, read directly with sqlite3 ---------------------------------------------------

# sql QUERY [DB]: prints the result of QUERY (use in $(...)).
sql() {
    sqlite3 -batch "${2:-$DB}" "$1" 2>"$_CAP/sql_err" || {
        echo "sqlite3 failed on: $1: $(cat "$_CAP/sql_err")" >&2
        return 1
    }
}

# expect_sql QUERY EXPECTED [DB]
expect_sql() {
    local got
    got=$(sqlite3 -batch "${3:-$DB}" "$1" 2>"$_CAP/sql_err") || fail "sqlite3 failed on '$1': $(cat "$_CAP/sql_err")"
    [ "$got" = "$2" ] || fail "store: '$1' gave '$got', expected '$2'"
}

# snapshot [NAME]: saves a full dump of the store's contents (every table, every row).
snapshot() {
    sqlite3 -batch "$DB" .dump >"$_CAP/snap.${1:-default}" 2>"$_CAP/sql_err" ||
        fail "sqlite3 .dump failed: $(cat "$_CAP/sql_err")"
}

# expect_unchanged [NAME]: the store's contents equal the snapshot's, row for row.
expect_unchanged() {
    local name=${1:-default}
    sqlite3 -batch "$DB" .dump >"$_CAP/snap.now" 2>"$_CAP/sql_err" ||
        fail "sqlite3 .dump failed: $(cat "$_CAP/sql_err")"
    if ! cmp -s "$_CAP/snap.$name" "$_CAP/snap.now"; then
        diff "$_CAP/snap.$name" "$_CAP/snap.now" | head -n 20 | sed 's/^/    /' >"$_CAP/snap.diff"
        fail "the store changed (should be unchanged); dump diff:
$(cat "$_CAP/snap.diff")"
    fi
}

# expect_verified: `audit verify` on the test store passes. Leaves its output as the last command.
expect_verified() {
    md audit verify
    expect_exit 0
    expect_stdout_contains "audit chain verified"
    expect_stderr_empty
}

# new_store ADMIN: creates $DB with --allow-user-override; ADMIN (via MODELDECK_USER) is its admin.
new_store() {
    md_as "$1" init --allow-user-override
    expect_exit 0
}

# new_churn_store USER: a new store with model churn and its version 1, by USER (the admin).
new_churn_store() {
    new_store "$1"
    md_as "$1" model add churn --use-case "churn risk" --owner crm
    expect_exit 0
    md_as "$1" version add churn --artifact s3://models/churn/1
    expect_exit 0
}

# ---- independent cases in one file ---------------------------------------------------------------

# run_case FUNCTION [ARGS...]: runs FUNCTION in a subshell, so that a failed assertion ends only that case
# (and anything it changes stays inside it); end_cases then fails the test if any case failed.
_CASES_FAILED=""
run_case() {
    ("$@") || _CASES_FAILED="$_CASES_FAILED '$1${2:+ $2}'"
}
end_cases() {
    [ -z "$_CASES_FAILED" ] || {
        echo "failed cases:$_CASES_FAILED" >&2
        exit 1
    }
}
