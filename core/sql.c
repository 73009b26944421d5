/* Statements: preparing, binding, stepping, reading rows, and the kept-statement cache that
 * lets a command writing hundreds of rows parse each of its statements once (core/sql.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "mem.h"
#include "sql.h"
#include "store_int.h"

md_status md_sql_fail(md_store *s, md_err *err, const char *what)
{
    int code = sqlite3_extended_errcode(s->db);
    const char *msg = sqlite3_errmsg(s->db);
    if ((code & 0xFF) == SQLITE_BUSY || (code & 0xFF) == SQLITE_LOCKED)
        return md_err_set(err, MD_ERROR, "%s: the store stayed locked by another writer for %d s",
                          what, (s->lock_wait_ms ? s->lock_wait_ms : BUSY_TOTAL_MS) / 1000);
    if ((code & 0xFF) == SQLITE_READONLY)
        return md_err_set(err, MD_REFUSED, "%s: the store cannot be written (%s)", what, msg);
    return md_err_set(err, MD_ERROR, "%s: %s", what, msg);
}

md_status md_sql_prepare(md_store *s, const char *sql, sqlite3_stmt **st, md_err *err)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
        *st = NULL;
        return md_sql_fail(s, err, "store");
    }
    return MD_OK;
}

md_status md_sql_vbind(sqlite3_stmt *st, const char *types, va_list ap)
{
    /* more values than the statement has parameters: a mistake in the caller, whose arguments
     * would be read as the wrong types (fewer is fine: the rest are bound one by one) */
    if (types && strlen(types) > (size_t)sqlite3_bind_parameter_count(st))
        md_fatal("md_sql_vbind: %zu values for %d parameters in: %s", strlen(types),
                 sqlite3_bind_parameter_count(st), sqlite3_sql(st));
    int rc = SQLITE_OK;
    for (int i = 1; types && *types && rc == SQLITE_OK; types++, i++) {
        switch (*types) {
        case 't': {
            const char *v = va_arg(ap, const char *);
            rc = v ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
            break;
        }
        case 'i':
            rc = sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
            break;
        case 'I': {
            int present = va_arg(ap, int);
            int64_t v = va_arg(ap, int64_t);
            rc = present ? sqlite3_bind_int64(st, i, v) : sqlite3_bind_null(st, i);
            break;
        }
        case 'd':
            rc = sqlite3_bind_double(st, i, va_arg(ap, double));
            break;
        case 'D': {
            int present = va_arg(ap, int);
            double v = va_arg(ap, double);
            rc = present ? sqlite3_bind_double(st, i, v) : sqlite3_bind_null(st, i);
            break;
        }
        default:
            md_fatal("md_sql_vbind: unknown bind type '%c'", *types);
        }
    }
    return rc == SQLITE_OK ? MD_OK : MD_ERROR;
}

md_status md_sql_bind(sqlite3_stmt *st, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    md_status rc = md_sql_vbind(st, types, ap);
    va_end(ap);
    return rc;
}

md_status md_sql_step(md_store *s, sqlite3_stmt *st, bool *has_row, md_err *err)
{
    *has_row = false;
    if (!sqlite3_stmt_busy(st) && !sqlite3_stmt_readonly(st) && md_tx_active(s) &&
        md_fault_hit("sql.write", err))
        return err->code;
    int rc = sqlite3_step(st);
    *has_row = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return MD_OK;
    return md_sql_fail(s, err, "store");
}

md_status md_sql_row_by_id(md_store *s, const char *sql, int64_t id, const char *what,
                           sqlite3_stmt **st, md_err *err)
{
    if (md_sql_prepare(s, sql, st, err) != MD_OK) {
        *st = NULL;
        return err->code;
    }
    md_sql_bind(*st, "i", id);
    bool row;
    md_status rc = md_sql_step(s, *st, &row, err);
    if (rc == MD_OK && !row)
        rc = md_err_set(err, MD_NOTFOUND, "no %s %lld", what, (long long)id);
    if (rc != MD_OK) {
        sqlite3_finalize(*st);
        *st = NULL;
    }
    return rc;
}

/* A statement for sql: a kept one that no one is using, else a new one, kept while there is
 * room (*slot: where it is kept, NULL when it is not). */
static md_status take_stmt(md_store *s, const char *sql, sqlite3_stmt **st, kept_stmt **slot,
                           md_err *err)
{
    *slot = NULL;
    pthread_mutex_lock(&s->kept_lock);
    for (size_t i = 0; i < s->nkept && !*slot; i++) {
        kept_stmt *k = &s->kept[i];
        if (!k->busy && k->sql == sql && strcmp(k->text, sql) == 0) {
            k->busy = true;
            *slot = k;
        }
    }
    pthread_mutex_unlock(&s->kept_lock);
    if (*slot) {
        *st = (*slot)->st;
        sqlite3_clear_bindings(*st);
        return MD_OK;
    }
    if (md_sql_prepare(s, sql, st, err) != MD_OK)
        return err->code;
    pthread_mutex_lock(&s->kept_lock);
    if (s->nkept < KEPT_MAX) {
        *slot = &s->kept[s->nkept++];
        **slot = (kept_stmt){sql, md_xstrdup(sql), *st, true};
    }
    pthread_mutex_unlock(&s->kept_lock);
    return MD_OK;
}

/* Done with a statement from take_stmt: reset for the next caller, or finalized. */
static void give_stmt(md_store *s, sqlite3_stmt *st, kept_stmt *slot)
{
    if (!slot) {
        sqlite3_finalize(st);
        return;
    }
    sqlite3_reset(st);
    pthread_mutex_lock(&s->kept_lock);
    slot->busy = false;
    pthread_mutex_unlock(&s->kept_lock);
}

md_status md_sql_take(md_store *s, const char *sql, sqlite3_stmt **st, md_err *err)
{
    kept_stmt *slot;
    return take_stmt(s, sql, st, &slot, err);
}

void md_sql_done(md_store *s, sqlite3_stmt *st)
{
    if (!st)
        return;
    kept_stmt *slot = NULL;
    pthread_mutex_lock(&s->kept_lock);
    for (size_t i = 0; i < s->nkept && !slot; i++)
        if (s->kept[i].st == st)
            slot = &s->kept[i];
    pthread_mutex_unlock(&s->kept_lock);
    give_stmt(s, st, slot);
}

static md_status take_bound(md_store *s, sqlite3_stmt **st, kept_stmt **slot, md_err *err,
                            const char *sql, const char *types, va_list ap)
{
    if (take_stmt(s, sql, st, slot, err) != MD_OK)
        return err->code;
    if (md_sql_vbind(*st, types, ap) != MD_OK) {
        md_sql_fail(s, err, "store: bind");
        give_stmt(s, *st, *slot);
        return err->code;
    }
    return MD_OK;
}

md_status md_sql_run(md_store *s, md_err *err, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st;
    kept_stmt *slot;
    va_list ap;
    va_start(ap, types);
    md_status rc = take_bound(s, &st, &slot, err, sql, types, ap);
    va_end(ap);
    if (rc != MD_OK)
        return rc;
    bool row = true;
    while (rc == MD_OK && row)
        rc = md_sql_step(s, st, &row, err);
    give_stmt(s, st, slot);
    return rc;
}

md_status md_sql_int(md_store *s, int64_t *out, md_err *err, const char *sql, const char *types,
                     ...)
{
    sqlite3_stmt *st;
    kept_stmt *slot;
    va_list ap;
    va_start(ap, types);
    md_status rc = take_bound(s, &st, &slot, err, sql, types, ap);
    va_end(ap);
    if (rc != MD_OK)
        return rc;
    bool row;
    rc = md_sql_step(s, st, &row, err);
    if (rc == MD_OK && !row)
        rc = MD_NOTFOUND;
    else if (rc == MD_OK)
        *out = sqlite3_column_int64(st, 0);
    give_stmt(s, st, slot);
    return rc;
}

md_status md_sql_exec(md_store *s, const char *sql, md_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return MD_OK;
    md_sql_fail(s, err, "store");
    sqlite3_free(msg);
    return err->code;
}

md_status md_sql_collect(md_store *s, sqlite3_stmt *st, size_t size, md_row_reader read,
                         void **items, size_t *n, md_err *err)
{
    size_t cap = 0;
    *items = NULL;
    *n = 0;
    md_status rc = MD_OK;
    for (bool row = true; rc == MD_OK;) {
        rc = md_sql_step(s, st, &row, err);
        if (rc != MD_OK || !row)
            break;
        *items = md_xgrow(*items, &cap, *n + 1, size);
        void *elem = (char *)*items + *n * size;
        memset(elem, 0, size);
        read(st, elem);
        (*n)++;
    }
    sqlite3_finalize(st);
    return rc;
}

char *md_sql_col_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? md_xstrdup((const char *)t) : NULL;
}

bool md_sql_col_null(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL;
}
