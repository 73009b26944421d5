# Promise: who may change what is enforced for every mutating command. A role lacking a
# permission is refused with exit 3 and the refusal changes nothing (not even an audit row);
# --read-only refuses every mutation, even for the admin; `store read-only on` freezes the store
# for everyone until an admin turns it off; the last admin cannot be revoked; MODELDECK_USER is
# refused on stores not made with --allow-user-override; `audit export` needs analyst or above.
. "$(dirname "$0")/lib.sh"

new_store alice
for u in bob:viewer carol:analyst dave:operator erin:approver; do
    md_as alice user add "${u%%:*}" --role "${u#*:}" --reason "team setup"
    expect_exit 0
    expect_stdout_contains "${u%%:*} added; roles now: ${u#*:}"
done
md_as alice model add churn --use-case "churn risk" --owner crm
expect_exit 0
md_as alice version add churn --artifact s3://models/churn/1
expect_exit 0

# refused USER FRAGMENT ARGS...: ARGS run as USER exits 3 with FRAGMENT on stderr and the store
# is unchanged, audit trail included.
refused() {
    local user=$1 fragment=$2
    shift 2
    local audit
    audit=$(sql "select count(*) from audit")
    snapshot
    local words=() a
    for a in "$@"; do
        case $a in --*) ;; *) words+=("$a") ;; esac
    done
    md_as "$user" "$@"
    expect_exit 3
    expect_stderr_contains "modeldeck: ${words[0]} ${words[1]}: "
    expect_stderr_contains "$fragment"
    expect_stdout_empty
    expect_sql "select count(*) from audit" "$audit"
    expect_unchanged
}

# allowed USER ARGS...: ARGS run as USER succeeds and writes exactly one audit row by USER.
allowed() {
    local user=$1
    shift
    local audit
    audit=$(sql "select count(*) from audit")
    md_as "$user" "$@"
    expect_exit 0
    expect_stderr_empty
    expect_sql "select count(*) from audit" "$((audit + 1))"
    expect_sql "select actor from audit order by seq desc limit 1" "$user"
}

# ---- permissions by role ----------------------------------------------------------------------

for who in bob:viewer carol:analyst erin:approver; do
    u=${who%%:*} r=${who#*:}
    refused "$u" "$u may not register and edit models: that needs the operator or admin role (holds: $r)" \
        model add fraud --use-case fraud --owner risk
    refused "$u" "needs the operator or admin role" model edit churn --owner someone-else
    refused "$u" "$u may not register versions" version add churn --artifact s3://models/churn/x
    refused "$u" "needs the operator or admin role" version mark churn 1 shadow --reason try
    refused "$u" "needs the admin role" user add mallory --role admin
    refused "$u" "needs the admin role" user grant "$u" --role admin
    refused "$u" "needs the admin role" store read-only on --reason "not mine to freeze"
done
refused dave "dave may not manage users and roles: that needs the admin role (holds: operator)" \
    user add frank --role viewer
refused dave "needs the admin role" user grant dave --role admin
refused dave "needs the admin role" user revoke bob --role viewer
refused dave "needs the admin role" store read-only on --reason "not mine to freeze"
# Someone the store does not know holds no role at all.
refused mallory "mallory may not register versions" version add churn --artifact s3://x
refused mallory "(holds: none)" model add fraud --use-case fraud --owner risk

# The operator may do what the others may not; the admin may do everything.
allowed dave model add fraud --use-case fraud --owner risk
allowed dave model edit fraud --owner risk-team
allowed dave version add churn --artifact s3://models/churn/2
allowed dave version mark churn 2 shadow --reason "score beside v1"
allowed alice version add fraud --artifact s3://models/fraud/1
allowed alice version mark fraud 1 challenger --share 0.1 --reason "10% trial"
allowed alice user add frank --role viewer
allowed alice user grant frank --role operator
expect_sql "select count(*) from versions" 3
expect_sql "select group_concat(role) from (select role from user_roles where user = 'frank' order by role)" "operator,viewer"

# Reads need no role beyond being known... or even that.
for u in bob carol erin mallory; do
    md_as "$u" model list
    expect_exit 0
    expect_stdout_contains churn
    md_as "$u" audit verify
    expect_exit 0
done

# A revoke takes effect on the next action.
allowed alice user revoke frank --role operator
refused frank "needs the operator or admin role (holds: viewer)" version add churn --artifact s3://x

# ---- --read-only: even the admin may change nothing ---------------------------------------------

for args in "model add ro --use-case u --owner o" \
    "model edit churn --owner x" \
    "version add churn --artifact s3://ro" \
    "version mark churn 1 rejected --reason ro" \
    "user add ro --role viewer" \
    "user grant bob --role analyst" \
    "user revoke bob --role viewer" \
    "store read-only on --reason ro" \
    "store read-only off"; do
    # shellcheck disable=SC2086
    refused alice "read-only" --read-only $args
    # shellcheck disable=SC2086
    refused alice "read-only" $args --read-only
done
md_as alice --read-only model show churn # reads still work
expect_exit 0
run_cmd env MODELDECK_USER=alice "$MODELDECK_BIN" --db "$T_DIR/ro-new.db" --read-only init --allow-user-override
expect_error 3 "init" "read-only"
[ ! -e "$T_DIR/ro-new.db" ] || fail "init --read-only created a store"

# ---- store read-only on ... off ------------------------------------------------------------------

allowed alice store read-only on --reason "quarterly audit freeze"
expect_stdout_contains "the store is now read-only"
md_as dave info
expect_exit 0
expect_stdout_contains "quarterly audit freeze"
for u in alice dave; do
    refused "$u" "the store is read-only (set by alice: quarterly audit freeze)" \
        version add churn --artifact s3://frozen
    refused "$u" "quarterly audit freeze" model add frozen --use-case u --owner o
    refused "$u" "quarterly audit freeze" version mark churn 1 rejected --reason frozen
done
refused alice "quarterly audit freeze" user add frozen --role viewer
refused alice "quarterly audit freeze" model edit churn --owner x
refused dave "needs the admin role" store read-only off # only an admin lifts it
md_as dave version list churn # reads are fine
expect_exit 0
md_as alice store read-only on # turning it on needs a reason
expect_error 2 "store read-only" "--reason"
allowed alice store read-only off --reason "audit done"
expect_stdout_contains "the store is now writable"
allowed dave version add churn --artifact s3://models/churn/3
expect_sql "select group_concat(action, ' ') from (select action from audit where action like 'store.%' order by seq)" \
    "store.init store.read_only.on store.read_only.off"
expect_sql "select reason from audit where action = 'store.read_only.on'" "quarterly audit freeze"

# ---- the last admin ---------------------------------------------------------------------------

refused alice "'alice' is the last admin" user revoke alice --role admin
refused alice "last admin" user revoke alice --role admin,viewer
allowed alice user grant erin --role admin
allowed alice user revoke alice --role admin # now there is another admin
refused alice "needs the admin role" user add zed --role viewer
refused erin "'erin' is the last admin" user revoke erin --role admin
expect_sql "select group_concat(user) from user_roles where role = 'admin'" "erin"

# ---- audit export needs analyst, operator, approver or admin ----------------------------------

rows=$(sql "select count(*) from audit")
refused bob "bob may not export data: that needs the analyst, operator, approver or admin role" audit export
refused mallory "may not export data" audit export
for u in carol dave erin; do
    md_as "$u" audit export
    expect_exit 0
    expect_eq "audit export lines for $u" "$(wc -l <"$OUT" | tr -d ' ')" "$rows"
done
md_as carol audit export --output "$T_DIR/export.jsonl"
expect_exit 0
expect_eq "audit export --output lines" "$(wc -l <"$T_DIR/export.jsonl" | tr -d ' ')" "$rows"
md_as bob audit export --output "$T_DIR/bob.jsonl"
expect_exit 3
[ ! -e "$T_DIR/bob.jsonl" ] || fail "a refused export wrote $T_DIR/bob.jsonl"

# An invalid MODELDECK_USER is a usage error, not an identity.
md_as "bad name" model list
expect_error 2 "model list" "MODELDECK_USER"

expect_verified

# ---- MODELDECK_USER on a store made without --allow-user-override ------------------------------

DB="$T_DIR/plain.db"
md_as bob init # refused at creation, and no file is made
expect_error 3 "init" "MODELDECK_USER"
[ ! -e "$DB" ] || fail "a refused init created $DB"
md init # as the OS user
expect_exit 0
for args in "info" "model list" "audit verify" "user list" \
    "model add sneaky --use-case u --owner o" "user add bob --role admin"; do
    snapshot
    # shellcheck disable=SC2086
    md_as bob $args
    expect_exit 3
    expect_stderr_contains "MODELDECK_USER"
    expect_stderr_contains "--allow-user-override"
    expect_unchanged
done
expect_sql "select count(*) from audit" 1
md model list # without it, the OS user carries on
expect_exit 0
expect_verified
