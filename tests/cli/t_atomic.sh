# Promise: a state change and its audit row are one transaction. If the process is killed
# between the change and its audit row (MODELDECK_FAULT=audit.append:kill) or just before COMMIT
# (tx.commit:kill), or fails there (audit.append, tx.commit), the store shows neither the change
# nor a new audit row, the chain still verifies, and the same command then succeeds normally.
. "$(dirname "$0")/lib.sh"

new_store alice
md_as alice user add dave --role operator
expect_exit 0
md_as alice model add churn --use-case "churn risk" --owner crm
expect_exit 0
md_as alice version add churn --artifact s3://models/churn/1
expect_exit 0

# survives LABEL CHECK-SQL EXPECT-BEFORE EXPECT-AFTER ARGS...
# Runs `modeldeck ARGS` (as alice) under each injected fault and checks that nothing changed:
# the whole store dump is identical, CHECK-SQL still gives EXPECT-BEFORE, the audit row count is
# the same and `audit verify` passes. Then runs it without a fault and checks it took effect:
# CHECK-SQL gives EXPECT-AFTER and exactly one audit row was added.
survives() {
    local label=$1 check=$2 before=$3 after=$4
    shift 4
    local audit fault
    audit=$(sql "select count(*) from audit")
    expect_sql "$check" "$before"
    for fault in audit.append:kill tx.commit:kill audit.append tx.commit; do
        snapshot
        run_cmd env MODELDECK_USER=alice MODELDECK_FAULT="$fault" "$MODELDECK_BIN" --db "$DB" "$@"
        case $fault in
        *:kill)
            [ "$RC" -eq 137 ] || fail "$label with MODELDECK_FAULT=$fault: expected death by SIGKILL (137), got $RC"
            ;;
        *)
            expect_error 1 "$label" "injected fault at $fault"
            ;;
        esac
        expect_stdout_empty # it never claimed success
        expect_unchanged
        expect_sql "$check" "$before"
        expect_sql "select count(*) from audit" "$audit"
        expect_verified
    done
    md_as alice "$@"
    expect_exit 0
    expect_sql "$check" "$after"
    expect_sql "select count(*) from audit" "$((audit + 1))"
    expect_verified
}

survives "model add" "select count(*) from models where name = 'fraud'" 0 1 \
    model add fraud --use-case fraud --owner risk --reason "new model"
expect_sql "select action || ' ' || object from audit order by seq desc limit 1" "model.add model:fraud"

survives "version add" "select count(*) || ' ' || coalesce(max(number), 0) from versions" "1 1" "2 2" \
    version add churn --artifact s3://models/churn/2 --params '{"depth": 6}'
expect_sql "select count(*) from stage_history" 2

survives "version mark" "select status from versions where number = 2" candidate shadow \
    version mark churn 2 shadow --reason "score beside v1"
expect_sql "select count(*) from stage_history" 3

survives "version mark" "select status || ' ' || coalesce(traffic_share, '-') from versions where number = 1" \
    "candidate -" "challenger 0.3" \
    version mark churn 1 challenger --share 0.3 --reason "30% trial"

survives "user add" "select count(*) from users where name = 'erin'" 0 1 \
    user add erin --role approver
expect_sql "select count(*) from user_roles where user = 'erin'" 1

survives "user grant" "select count(*) from user_roles where user = 'erin'" 1 2 \
    user grant erin --role analyst

survives "user revoke" "select count(*) from user_roles where user = 'erin'" 2 1 \
    user revoke erin --role analyst

survives "model edit" "select owner || ' ' || coalesce(sla_ms, '-') from models where name = 'churn'" "crm -" "crm-platform 250" \
    model edit churn --owner crm-platform --sla-ms 250

survives "store read-only" "select value from settings where key = 'read_only'" 0 1 \
    store read-only on --reason "freeze"
survives "store read-only" "select value from settings where key = 'read_only'" 1 0 \
    store read-only off

# A fault point that is not reached changes nothing about the outcome.
md_as alice version add churn --artifact s3://models/churn/3
run_cmd env MODELDECK_USER=alice MODELDECK_FAULT=no.such.point "$MODELDECK_BIN" --db "$DB" version add churn --artifact s3://models/churn/4
expect_exit 0
expect_sql "select max(number) from versions" 4

# A killed writer leaves no lock behind: the next writer goes straight through.
run_cmd env MODELDECK_USER=alice MODELDECK_FAULT=audit.append:kill "$MODELDECK_BIN" --db "$DB" version add churn --artifact s3://x
[ "$RC" -eq 137 ] || fail "expected death by SIGKILL (137), got $RC"
md_as dave version add churn --artifact s3://models/churn/5
expect_exit 0
expect_stderr_empty
expect_sql "select max(number) || ' ' || created_by from versions where number = (select max(number) from versions)" "5 dave"
expect_verified

# ---- init is atomic too -----------------------------------------------------------------------

DB="$T_DIR/fresh.db"
for fault in audit.append tx.commit; do
    run_cmd env MODELDECK_USER=alice MODELDECK_FAULT=$fault "$MODELDECK_BIN" --db "$DB" init --allow-user-override
    expect_error 1 "init" "injected fault at $fault"
    for f in "$DB" "$DB-wal" "$DB-shm" "$DB-journal"; do
        [ ! -e "$f" ] || fail "a failed init left $f behind"
    done
done
# Killed mid-init, the half-made file is not taken for a store, and init completes it.
run_cmd env MODELDECK_USER=alice MODELDECK_FAULT=audit.append:kill "$MODELDECK_BIN" --db "$DB" init --allow-user-override
[ "$RC" -eq 137 ] || fail "expected death by SIGKILL (137), got $RC"
md_as alice model list
expect_error 1 "model list" "not initialized"
expect_sql "select count(*) from users" 0
expect_sql "select count(*) from audit" 0
new_store alice
expect_sql "select count(*) from audit" 1
expect_verified
