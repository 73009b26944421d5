/* Internal to core (and its tests): the only place SQL is prepared, bound and stepped.
 *
 * Why: prepared statements only, one error path, one transaction discipline. Bind formats:
 *   t  const char *          text, NULL binds NULL
 *   i  int64_t               integer
 *   I  int, int64_t          (present, value): NULL when present is 0
 *   d  double                real
 *   D  int, double           (present, value): NULL when present is 0 */
#ifndef MD_SQL_H
#define MD_SQL_H

#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "store.h"

sqlite3 *md_store_db(md_store *s);
/* True when md_store_open created the file. */
bool md_store_created(const md_store *s);
/* Removes a store file and its -wal, -shm and -journal companions. */
void md_store_unlink(const char *path);

md_status md_sql_prepare(md_store *s, const char *sql, sqlite3_stmt **st, md_err *err);
md_status md_sql_vbind(sqlite3_stmt *st, const char *types, va_list ap);
md_status md_sql_bind(sqlite3_stmt *st, const char *types, ...);
/* Steps once: MD_OK with a row (*has_row true) or done (*has_row false); errors fill err. */
md_status md_sql_step(md_store *s, sqlite3_stmt *st, bool *has_row, md_err *err);
/* The one row of sql (a query with one '?', the id): MD_OK with *st on it, for the caller to
 * read and finalize; else *st is NULL (finalized) and err says why, "no WHAT ID" (MD_NOTFOUND)
 * when there is no such row. */
md_status md_sql_row_by_id(md_store *s, const char *sql, int64_t id, const char *what,
                           sqlite3_stmt **st, md_err *err);
/* A statement for sql that md_sql_run's cache keeps (prepared once, while there is room), to
 * bind, step and read by hand: for a statement a command runs once per window or row. Give it
 * back with md_sql_done, never sqlite3_finalize. */
md_status md_sql_take(md_store *s, const char *sql, sqlite3_stmt **st, md_err *err);
/* Done with a statement from md_sql_take: reset for its next use (or finalized, if not kept). */
void md_sql_done(md_store *s, sqlite3_stmt *st);
/* Prepares, binds, steps to completion. */
md_status md_sql_run(md_store *s, md_err *err, const char *sql, const char *types, ...);
/* One integer from the first column of the first row; MD_NOTFOUND when there is no row. */
md_status md_sql_int(md_store *s, int64_t *out, md_err *err, const char *sql, const char *types,
                     ...);
/* Runs SQL text without parameters (schema, pragmas). */
md_status md_sql_exec(md_store *s, const char *sql, md_err *err);
/* The message of the last SQLite error as an md_err. */
md_status md_sql_fail(md_store *s, md_err *err, const char *what);

/* Steps `st` to its end, appending one zeroed element of `size` bytes per row to *items and
 * filling it with `read`; finalizes `st`. On failure, *items and *n hold what was read so far, for
 * the caller's own free function. */
typedef void (*md_row_reader)(sqlite3_stmt *st, void *elem);
md_status md_sql_collect(md_store *s, sqlite3_stmt *st, size_t size, md_row_reader read,
                         void **items, size_t *n, md_err *err);

/* Column text copied (NULL stays NULL); the caller frees. */
char *md_sql_col_text(sqlite3_stmt *st, int col);
bool md_sql_col_null(sqlite3_stmt *st, int col);

/* Transactions. Begin is BEGIN IMMEDIATE with retry; one level only. */
md_status md_tx_begin(md_store *s, md_err *err);
md_status md_tx_commit(md_store *s, md_err *err);
void md_tx_rollback(md_store *s);
bool md_tx_active(md_store *s);
/* Commits when rc is MD_OK, else rolls back; returns the final status. */
md_status md_tx_end(md_store *s, md_status rc, md_err *err);

/* Settings (inside or outside a transaction). */
md_status md_setting_get(md_store *s, const char *key, char **value, md_err *err);
md_status md_setting_put(md_store *s, const char *key, const char *value, md_err *err);

/* Schema migrations, in order; index i brings user_version from i to i + 1. */
extern const char *const md_migrations[];
extern const int md_migration_count;
/* Per migration, what it recomputes in stored rows (audited as store.migrate; what = NULL: only
 * the schema changes), and the command that then brings the rest up to date, and why. `step`,
 * when there is one, does the recomputing in C after the migration's SQL, in its transaction,
 * and says how many windows it changed; it reads only tables of the schema it migrates to. */
typedef struct {
    const char *what, *command, *purpose;
    md_status (*step)(md_store *s, int *changed, md_err *err);
    /* the migration builds a table again, which foreign keys would forbid: they are off while
     * it runs, and these tables' keys (the table's own and those naming it; NULL-terminated)
     * are checked before it commits. NULL: a migration that keeps foreign keys on. */
    const char *const *rebuild_checks;
} md_recompute;
extern const md_recompute md_migration_recomputes[];

/* The append-only triggers, kept here because `audit verify` checks that the store still holds
 * exactly these (a same-named trigger that never fires would otherwise pass). */
#define MD_AUDIT_NO_UPDATE_SQL                                                                     \
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"                                        \
    " BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END"
#define MD_AUDIT_NO_DELETE_SQL                                                                     \
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"                                        \
    " BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END"

#define MD_APPLICATION_ID 0x4D444B31 /* "MDK1" */

#endif
