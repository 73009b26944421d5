#!/usr/bin/env bash
# A store an older modeldeck wrote (schema 9, Hosmer-Lemeshow p-values on g degrees of freedom)
# opened in the console: upgraded, and the status line says how many windows were recomputed
# and what to run next, within 80 columns.
. "$(dirname "$0")/lib.sh"

sqlite3 "$DB" "UPDATE windows SET hl_pvalue = hl_pvalue * 0.5 WHERE hl_pvalue IS NOT NULL;
               ALTER TABLE drift DROP COLUMN new_distinct;
               ALTER TABLE drift DROP COLUMN new_estimated;
               ALTER TABLE drift DROP COLUMN psi_max;
               PRAGMA user_version = 9;" || fail "sqlite3"
n=$(sqlite3 "$DB" "SELECT count(*) FROM windows WHERE hl_pvalue IS NOT NULL")
start_console -u olga
wait_for "store upgraded to schema 14, $n windows recomputed: run 'modeldeck evaluate'"
[ "$(sqlite3 "$DB" "PRAGMA user_version")" = 14 ] || fail "the store was not upgraded"
