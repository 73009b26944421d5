# Promise: `audit export` either delivers the whole trail or says why it could not. A write error
# on stdout (a full disk) is an error with a message on stderr; --output writes the file
# completely or not at all (no partial or temporary file is left, an existing file is replaced
# only on success); a refused export leaves an existing file alone. (The export's content is
# checked in t_audit_chain.sh, its role check in t_roles.sh.)
. "$(dirname "$0")/lib.sh"

new_store alice
md_as alice user add bob --role viewer
expect_exit 0
md_as alice model add churn --use-case u --owner o
expect_exit 0
ROWS=$(sql "select count(*) from audit")

stdout_full() {
    if [ ! -c /dev/full ]; then
        echo "note: /dev/full is not available; skipped the full-disk check" >&2
        return 0
    fi
    LAST_CMD="env MODELDECK_USER=alice $MODELDECK_BIN --db $DB audit export >/dev/full"
    env MODELDECK_USER=alice "$MODELDECK_BIN" --db "$DB" audit export >/dev/full 2>"$ERR"
    RC=$?
    : >"$OUT"
    expect_error 1 "audit export" # exit 1 and a "modeldeck: audit export: <why>" line
}

output_missing_dir() {
    md_as alice audit export --output "$T_DIR/nodir/audit.jsonl"
    expect_error 1 "audit export" "$T_DIR/nodir"
    [ ! -e "$T_DIR/nodir" ] || fail "export created $T_DIR/nodir"
}

output_replaces() {
    printf 'old line\n' >"$T_DIR/audit.jsonl"
    md_as alice audit export --output "$T_DIR/audit.jsonl"
    expect_exit 0
    expect_stdout_empty
    expect_eq "exported lines" "$(wc -l <"$T_DIR/audit.jsonl" | tr -d ' ')" "$ROWS"
    ! grep -q 'old line' "$T_DIR/audit.jsonl" || fail "the old content survived the export"
    "$PY" -c 'import json, sys
for line in open(sys.argv[1]):
    assert isinstance(json.loads(line), dict)' "$T_DIR/audit.jsonl" ||
        fail "the export is not one JSON object per line"
    expect_eq "files beside the export" "$(cd "$T_DIR" && ls -d audit.jsonl*)" "audit.jsonl"
}

refused_keeps_file() {
    printf 'keep me\n' >"$T_DIR/keep.jsonl"
    md_as bob audit export --output "$T_DIR/keep.jsonl"
    expect_error 3 "audit export" "may not export"
    expect_eq "file after a refused export" "$(cat "$T_DIR/keep.jsonl")" "keep me"
    expect_eq "files beside it" "$(cd "$T_DIR" && ls -d keep.jsonl*)" "keep.jsonl"
}

run_case stdout_full
run_case output_missing_dir
run_case output_replaces
run_case refused_keeps_file
end_cases
