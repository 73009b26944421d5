# Promise: the CLI's basic contract holds -- help and version, exit codes for unknown commands
# and options, global flags accepted before or after the subcommand with the same result,
# `info` never creates a store, a second `init` fails and leaves the store alone, errors read
# "modeldeck: <command>: <why>" on stderr, and every --json output is exactly one JSON document.
. "$(dirname "$0")/lib.sh"

# ---- help, version, unknown commands -------------------------------------------------------

run_cmd "$MODELDECK_BIN" --help
expect_exit 0
expect_stdout_contains "usage: modeldeck"
expect_stdout_contains "Exit codes: 0 ok, 1 error, 2 usage, 3 refused"
expect_stderr_empty

run_cmd "$MODELDECK_BIN" help
expect_exit 0
expect_stdout_contains "usage: modeldeck"

run_cmd "$MODELDECK_BIN" --version
expect_exit 0
expect_stdout_matches '^modeldeck [0-9]+\.[0-9]+\.[0-9]+'
expect_stderr_empty
version_line=$(cat "$OUT")

run_cmd "$MODELDECK_BIN" model list --version # accepted after the subcommand too
expect_exit 0
expect_eq "--version after the subcommand" "$(cat "$OUT")" "$version_line"

run_cmd "$MODELDECK_BIN" model add --help # help for a command never opens a store
expect_exit 0
expect_stdout_contains "usage: modeldeck model add NAME --use-case U --owner O"
[ ! -e "$HOME" ] || fail "--help created $HOME"

# the monitoring commands say what their flags take, not only their usage line
run_cmd "$MODELDECK_BIN" ingest --help
expect_exit 0
expect_stdout_contains "usage: modeldeck ingest MODEL VERSION FILE"
expect_stdout_contains "--ts-col C         the timestamp: ISO-8601 with Z or an offset"
expect_stdout_contains "--max-bad-rows N   skip and count up to N bad rows"
run_cmd "$MODELDECK_BIN" baseline churn 1 base.csv --help
expect_exit 0
expect_stdout_contains "--contract FILE    a data contract"
run_cmd "$MODELDECK_BIN" drift --help
expect_exit 0
expect_stdout_contains "--window W         one window (2026-10-01, or 2026-10-01T13 by hour)"
[ ! -e "$HOME" ] || fail "--help created $HOME"

# a missing argument is named from the usage line
run_cmd "$MODELDECK_BIN" --db "$T_DIR/none.db" ingest churn
expect_exit 2
expect_stderr_contains "modeldeck: ingest: missing arguments: VERSION FILE"
run_cmd "$MODELDECK_BIN" --db "$T_DIR/none.db" model add
expect_exit 2
expect_stderr_contains "modeldeck: model add: missing argument: NAME"
run_cmd "$MODELDECK_BIN" --db "$T_DIR/none.db" ingest churn 1 log.csv --max-bad-rows 99999999999999999999
expect_exit 2
expect_stderr_contains "--max-bad-rows: '99999999999999999999' is out of range"

run_cmd "$MODELDECK_BIN" # nothing to do is a usage error
expect_exit 2

run_cmd "$MODELDECK_BIN" frobnicate
expect_exit 2
expect_stderr_contains "unknown command 'frobnicate'"
expect_stdout_empty

run_cmd "$MODELDECK_BIN" --db "$DB" model frobnicate
expect_error 2 "model" "unknown subcommand 'frobnicate'"

run_cmd "$MODELDECK_BIN" --db "$DB" model list --bogus
expect_error 2 "model list" "unknown option '--bogus'"

# an option given twice is an error, not the last one winning; an empty column name, a share
# without digits are usage errors too
run_cmd "$MODELDECK_BIN" --db "$DB" ingest churn 1 log.csv --score-col a --score-col score
expect_error 2 "ingest" "--score-col given twice"
run_cmd "$MODELDECK_BIN" --db "$DB" ingest churn 1 log.csv --score-col=
expect_error 2 "ingest" "--score-col needs a column name"
for share in % " 5%" "x%"; do
    run_cmd "$MODELDECK_BIN" --db "$DB" ingest churn 1 log.csv --max-bad-rows "$share"
    expect_error 2 "ingest" "--max-bad-rows: '$share' is not a share from 0% to 100%"
done

run_cmd "$MODELDECK_BIN" --db
expect_exit 2
expect_stderr_contains "--db needs a path"

run_cmd "$MODELDECK_BIN" --db "$DB" info --db=other.db
expect_exit 2
expect_stderr_contains "--db given twice"

# ---- info on a store that does not exist -----------------------------------------------------

md info
expect_exit 0
expect_stdout_contains "not created"
expect_stdout_contains "$DB"
[ ! -e "$DB" ] || fail "info created the store file $DB"

md --json info
expect_exit 0
expect_json_doc
expect_json 'd["exists"]' false
expect_json 'd["store"]' "$DB"
[ ! -e "$DB" ] || fail "info --json created the store file $DB"

md model list # any other command on a missing store is an error, and creates nothing
expect_error 1 "model list" "no store at $DB"
[ ! -e "$DB" ] || fail "model list created the store file $DB"

# ---- init, as the OS user ------------------------------------------------------------------

os_user=$("$PY" -c '
import os, pwd, re
try:
    n = pwd.getpwuid(os.geteuid()).pw_name
except KeyError:
    n = ""
ok = re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", n or "") and len(n) <= 64
print(n if ok else "uid-%d" % os.geteuid())')

md init
expect_exit 0
expect_stdout_contains "created store $DB"
expect_stdout_contains "$os_user is its admin"
[ -f "$DB" ] || fail "init did not create $DB"
expect_sql "select user || ':' || role from user_roles" "$os_user:admin"
expect_sql "select count(*) from audit" 1
expect_sql "select action || ' ' || actor from audit" "store.init $os_user"

md --json info
expect_exit 0
expect_json 'd["exists"]' true
expect_json 'd["user"]' "$os_user"
expect_json 'd["identity_source"]' "OS user"
expect_json 'd["roles"]' '["admin"]'
expect_json 'd["allow_user_override"]' false
expect_json 'd["journal_mode"]' wal

# A second init fails and leaves everything as it was.
snapshot
md init
expect_error 1 "init" "already initialized"
expect_stdout_empty
expect_unchanged
md init --allow-user-override # nor can a second init switch MODELDECK_USER on
expect_exit 1
expect_unchanged
expect_sql "select value from settings where key = 'allow_user_override'" 0

# ---- global flags before or after the subcommand ------------------------------------------------

md model add churn --use-case "churn risk" --owner crm-team --reason "first model"
expect_exit 0
expect_stdout_contains "model churn added"

# The same request, with the global flags in different places, gives byte-identical output.
run_cmd "$MODELDECK_BIN" --db "$DB" --json model show churn
expect_exit 0
cp "$OUT" "$T_DIR/show.front"
for form in "model show churn --json --db $DB" \
    "model --json show --db=$DB churn" \
    "--json model show churn --db $DB"; do
    # shellcheck disable=SC2086 # word splitting is the point: the path has no spaces
    run_cmd "$MODELDECK_BIN" $form
    expect_exit 0
    cmp -s "$OUT" "$T_DIR/show.front" || fail "'modeldeck $form' differs from 'modeldeck --db DB --json model show churn'"
done

run_cmd "$MODELDECK_BIN" --read-only --db "$DB" model list
expect_exit 0
cp "$OUT" "$T_DIR/list.front"
run_cmd "$MODELDECK_BIN" model list --db "$DB" --read-only
expect_exit 0
cmp -s "$OUT" "$T_DIR/list.front" || fail "model list with the global flags after the subcommand differs"
expect_stdout_contains "churn"

# Refusals are the same wherever --read-only stands.
snapshot
run_cmd "$MODELDECK_BIN" --read-only --db "$DB" model edit churn --owner x
expect_error 3 "model edit" "read-only"
run_cmd "$MODELDECK_BIN" model edit churn --owner x --db "$DB" --read-only
expect_error 3 "model edit" "read-only"
expect_unchanged

# ---- model show --json ---------------------------------------------------------------------

md --json model show churn
expect_exit 0
expect_json_doc
expect_json 'd["name"]' churn
expect_json 'd["production_version"]' null
expect_json '"production_version" in d' true
expect_json 'd["versions"]' '[]'

md version add churn --artifact s3://models/churn/1 --threshold 0.5 --params '{"depth": 6}'
expect_exit 0
expect_stdout_contains "churn v1 registered as candidate"
md version add churn --artifact s3://models/churn/2
expect_exit 0
md version mark churn 2 shadow --reason "score beside v1"
expect_exit 0
expect_stdout_contains "churn v2 is now shadow"

md --json model show churn
expect_exit 0
expect_json 'd["production_version"]' null
expect_json 'd["version_count"]' 2
expect_json '[v["number"] for v in d["versions"]]' '[1,2]'
expect_json '[v["status"] for v in d["versions"]]' '["candidate","shadow"]'
expect_json 'd["versions"][0]["params"]' '{"depth":6}'
expect_json 'd["versions"][0]["threshold"]' 0.5

# ---- not found, and stdout stays clean on errors ------------------------------------------------

md --json model show nosuch
expect_error 4 "model show" "no model 'nosuch'"
expect_stdout_empty
md version show churn 9
expect_error 4 "version show" "has no version 9"
md version show churn 0
expect_error 2 "version show" "start at 1"

# ---- every --json output is one JSON document -------------------------------------------------

json_cmds=(
    "info"
    "model list"
    "model show churn"
    "version list churn"
    "version show churn 1"
    "version show churn v2"
    "user list"
    "audit list"
    "audit verify"
    "model add fraud --use-case fraud --owner risk"
    "model edit fraud --owner risk-team"
    "version add fraud --artifact s3://f/1 --metrics {\"auc\":0.91}"
    "version mark fraud 1 challenger --share 0.25 --reason trial"
    "user add bob --role viewer"
    "user grant bob --role analyst"
    "user revoke bob --role analyst"
    "store read-only on --reason freeze"
    "store read-only off"
)
for c in "${json_cmds[@]}"; do
    # shellcheck disable=SC2086 # the commands above split on spaces on purpose
    md --json $c
    expect_exit 0
    expect_json_doc
done
md --json version show fraud 1
expect_json 'd["status"]' challenger
expect_json 'd["traffic_share"]' 0.25
expect_json '[h["to"] for h in d["history"]]' '["candidate","challenger"]'
md --json user list
expect_json '{u["name"]: u["roles"] for u in d}["bob"]' '["viewer"]'
md --json audit list --limit 3
expect_json 'len(d)' 3
expect_json '[r["action"] for r in d]' '["store.read_only.off","store.read_only.on","user.revoke"]'

# An edit that changes nothing writes nothing.
audit=$(sql "select count(*) from audit")
md --json model edit fraud --owner risk-team
expect_exit 0
expect_json 'd["changed"]' false
expect_sql "select count(*) from audit" "$audit"

# Text from the command line is shown sanitized: no raw escape sequence reaches the terminal.
md model show $'\e[2Jevil'
expect_error 4 "model show" "^[[2Jevil"
! grep -q $'\e' "$ERR" || fail "stderr carries a raw ESC byte"

# init --json is one document too.
run_cmd "$MODELDECK_BIN" --db "$T_DIR/second.db" --json init
expect_exit 0
expect_json_doc
expect_json 'd["path"]' "$T_DIR/second.db"
expect_json 'd["admin"]' "$os_user"
expect_json 'd["allow_user_override"]' false
