# Promise: `audit verify` fails whenever the audit table is no longer append-only -- not only
# when the triggers are dropped, but also when they are replaced by triggers of the same name
# that no longer refuse anything. (t_audit_chain.sh covers dropped triggers and edited rows.)
. "$(dirname "$0")/lib.sh"

new_store alice
md_as alice model add churn --use-case u --owner o
expect_exit 0
sqlite3 "$DB" "VACUUM INTO '$T_DIR/pristine.db'" || fail "cannot copy the store"

# neutered TRIGGER STATEMENT: replaces TRIGGER with a same-named one that never fires, shows that
# STATEMENT (an UPDATE or DELETE on audit, run on a scratch copy) now goes through, and expects
# `audit verify` on the store -- whose rows are all intact -- to fail over the triggers.
neutered() {
    local trigger=$1 statement=$2 event
    case $trigger in *update) event=UPDATE ;; *) event=DELETE ;; esac
    DB="$T_DIR/$trigger.db"
    cp "$T_DIR/pristine.db" "$DB"
    run_cmd sqlite3 "$DB" "DROP TRIGGER $trigger;
        CREATE TRIGGER $trigger BEFORE $event ON audit WHEN 0 BEGIN SELECT 1; END;"
    expect_exit 0
    cp "$DB" "$T_DIR/scratch.db"
    run_cmd sqlite3 "$T_DIR/scratch.db" "$statement"
    expect_exit 0 # the table is no longer protected...
    md audit verify # ...so the chain, intact as it is, must not be reported as safe
    expect_error 1 "audit verify" "trigger"
    expect_stdout_not_contains "audit chain verified"
    md --json audit verify
    expect_exit 1
    expect_json 'd["ok"]' false
    expect_json 'd["triggers_intact"]' false
}

run_case neutered audit_no_update "UPDATE audit SET reason = 'x' WHERE seq = 1"
run_case neutered audit_no_delete "DELETE FROM audit WHERE seq = 2"
# The untouched store still verifies (the check above is not simply always failing).
DB="$T_DIR/pristine.db"
expect_verified
end_cases
