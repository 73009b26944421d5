# Promise: `init` and every other command treat what is already at the store path with care.
# A foreign SQLite database or a non-SQLite file is refused (exit 1) and left byte for byte as it
# was; an existing empty file (say, from mktemp) becomes a proper store, in WAL mode like any
# other; a directory is reported as such, not as a missing store; and an identity that is not a
# valid user name (MODELDECK_USER too long or malformed) is refused before any store is made.
. "$(dirname "$0")/lib.sh"

foreign_sqlite() {
    DB="$T_DIR/foreign.db"
    sqlite3 "$DB" "CREATE TABLE notes(x); INSERT INTO notes VALUES ('keep me');" || fail "sqlite3"
    snapshot
    local sum
    sum=$(sha256sum <"$DB")
    md init
    expect_error 1 "init" "not a modeldeck store"
    md model list
    expect_error 1 "model list" "not a modeldeck store"
    md info
    expect_exit 1
    expect_eq "foreign database bytes" "$(sha256sum <"$DB")" "$sum"
    expect_unchanged
}

not_sqlite() {
    DB="$T_DIR/notes.txt"
    printf 'my shopping list\n' >"$DB"
    md init
    expect_error 1 "init" "not a modeldeck store"
    expect_eq "file content" "$(cat "$DB")" "my shopping list"
    for f in "$DB-wal" "$DB-shm" "$DB-journal"; do
        [ ! -e "$f" ] || fail "init left $f behind"
    done
}

empty_file() {
    DB="$T_DIR/empty.db"
    : >"$DB"
    chmod 600 "$DB"
    # a command other than init finds no store there, and leaves the file as it was
    md model list
    expect_exit 1
    expect_stderr_contains "empty.db is not initialized (run 'modeldeck init')"
    md --read-only drift churn
    expect_exit 1
    expect_stderr_contains "is not initialized"
    [ ! -s "$DB" ] || fail "a command that found no store wrote into $DB"
    md init
    expect_exit 0
    md model add churn --use-case u --owner o
    expect_exit 0
    expect_verified
    md --json info
    expect_exit 0
    expect_json 'd["schema_version"] == d["latest_schema"]' true
    # Like a store init creates itself: WAL, so that readers run beside a writer.
    expect_json 'd["journal_mode"]' wal
}

a_directory() {
    DB="$T_DIR/adir"
    mkdir "$DB"
    md init
    expect_error 1 "init" "$DB"
    md model list
    expect_error 1 "model list" "$DB"
    expect_stderr_not_contains "no store at" # it is there; it is just not a file
    expect_stderr_not_contains "create one with 'modeldeck init'"
    [ -d "$DB" ] && [ -z "$(ls -A "$DB")" ] || fail "the directory was changed"
}

bad_identity() {
    local long
    long=$(printf 'u%.0s' $(seq 65)) # user names are at most 64 bytes
    DB="$T_DIR/long.db"
    md_as "$long" init --allow-user-override
    expect_error 2 "init" "not a valid user name"
    [ ! -e "$DB" ] || fail "init made a store for an invalid user name ($(sql 'select name from users'))"
    DB="$T_DIR/space.db"
    md_as "bad name" init --allow-user-override
    expect_error 2 "init" "not a valid user name"
    [ ! -e "$DB" ] || fail "init made a store for an invalid user name"
    # 64 bytes is fine, and that admin can then act.
    DB="$T_DIR/ok.db"
    new_store "${long:0:64}"
    md_as "${long:0:64}" user add bob --role viewer
    expect_exit 0
}

# A store an older modeldeck wrote (schema 9: Hosmer-Lemeshow p-values on g degrees of freedom)
# is upgraded on first open; the user is told on stderr what was recomputed and what to run
# next, and stdout stays the command's own (a script reading --json is not disturbed).
old_store_upgrade() {
    DB="$T_DIR/old.db"
    MODELDECK_USER=demo run_cmd "$MODELDECK_BIN" --db "$DB" demo
    expect_exit 0
    sqlite3 "$DB" "UPDATE windows SET hl_pvalue = hl_pvalue * 0.5 + 0.001 WHERE hl_pvalue IS NOT NULL;
                   ALTER TABLE drift DROP COLUMN new_distinct;
                   ALTER TABLE drift DROP COLUMN new_estimated;
                   ALTER TABLE drift DROP COLUMN psi_max;
                   PRAGMA user_version = 9;" || fail "sqlite3"
    local n
    n=$(sqlite3 "$DB" "SELECT count(*) FROM windows WHERE hl_pvalue IS NOT NULL")
    md_as olga --json model list
    expect_exit 0
    expect_json_doc "$OUT"
    expect_stderr_contains "modeldeck: the store was upgraded from schema 9 to 14, recomputing $n windows"
    expect_stderr_contains "'modeldeck evaluate'"
    md_as olga --json model list
    expect_exit 0
    expect_stderr_empty
}

run_case foreign_sqlite
run_case not_sqlite
run_case empty_file
run_case a_directory
run_case bad_identity
run_case old_store_upgrade
end_cases
