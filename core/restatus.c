/* Stored drift statuses under a changed policy (`policy set`). A window's statuses are stored
 * when an ingest computes it; a new policy gives every stored feature-window its status again
 * from the figures stored beside it, as `evaluate` reads them, so that the drift views, the
 * retrain rule and the scorecard follow the thresholds in force, not those of the day the
 * window was ingested. */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "policies.h"
#include "sql.h"
#include "window.h"

typedef struct {
    int64_t window, position;
    md_level level;
} change;

static md_level level_of(const char *text)
{
    return strcmp(text, "alert") == 0  ? MD_LEVEL_ALERT
           : strcmp(text, "warn") == 0 ? MD_LEVEL_WARN
                                       : MD_LEVEL_OK;
}

/* The stored rows whose status policy p changes. */
static md_status changes(md_store *s, int64_t model_id, const md_drift_policy *p, change **out,
                         size_t *n, md_restatus *r, md_err *err)
{
    sqlite3_stmt *st;
    if (md_sql_prepare(s,
                       "SELECT d.window_id, d.position, " MD_DRIFT_FIGURES_SQL ", d.status"
                       " FROM drift d JOIN windows w ON w.id = d.window_id"
                       " JOIN versions v ON v.id = w.version_id"
                       " WHERE v.model_id = ? ORDER BY d.window_id, d.position",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "i", model_id);
    size_t cap = 0;
    bool row;
    md_status rc;
    while ((rc = md_sql_step(s, st, &row, err)) == MD_OK && row) {
        md_drift_row d;
        md_drift_row_stored(st, 2, &d);
        r->examined++;
        md_level was = level_of((const char *)sqlite3_column_text(st, 2 + MD_DRIFT_FIGURES_COLS)),
                 now = md_drift_row_level(&d, p);
        if (now == was)
            continue;
        *out = md_xgrow(*out, &cap, *n + 1, sizeof **out);
        (*out)[(*n)++] = (change){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), now};
        if (now > was)
            r->raised++;
        else
            r->lowered++;
    }
    sqlite3_finalize(st);
    return rc;
}

/* A window's status is its worst feature's (md_window_compute). */
static const char window_status_sql[] =
    "UPDATE windows SET status = (SELECT CASE max(CASE status WHEN 'alert' THEN 2"
    " WHEN 'warn' THEN 1 ELSE 0 END) WHEN 2 THEN 'alert' WHEN 1 THEN 'warn' ELSE 'ok' END"
    " FROM drift WHERE window_id = windows.id) WHERE id = ? AND status IS NOT"
    " (SELECT CASE max(CASE status WHEN 'alert' THEN 2 WHEN 'warn' THEN 1 ELSE 0 END)"
    " WHEN 2 THEN 'alert' WHEN 1 THEN 'warn' ELSE 'ok' END FROM drift WHERE window_id = ?)";

static md_status apply(md_store *s, const change *c, size_t n, md_restatus *r, md_err *err)
{
    sqlite3_stmt *row, *win;
    if (md_sql_prepare(s, "UPDATE drift SET status = ? WHERE window_id = ? AND position = ?", &row,
                       err) != MD_OK)
        return err->code;
    if (md_sql_prepare(s, window_status_sql, &win, err) != MD_OK) {
        sqlite3_finalize(row);
        return err->code;
    }
    md_status rc = MD_OK;
    bool more;
    for (size_t i = 0; rc == MD_OK && i < n; i++) {
        sqlite3_reset(row);
        md_sql_bind(row, "tii", md_level_name(c[i].level), c[i].window, c[i].position);
        rc = md_sql_step(s, row, &more, err);
        /* the window once its last changed row is in */
        if (rc == MD_OK && (i + 1 == n || c[i + 1].window != c[i].window)) {
            sqlite3_reset(win);
            md_sql_bind(win, "ii", c[i].window, c[i].window);
            rc = md_sql_step(s, win, &more, err);
            r->windows++;
        }
    }
    sqlite3_finalize(row);
    sqlite3_finalize(win);
    return rc;
}

md_status md_drift_restatus(md_store *s, int64_t model_id, const md_drift_policy *p,
                            md_restatus *out, md_err *err)
{
    memset(out, 0, sizeof *out);
    change *c = NULL;
    size_t n = 0;
    /* read first, then written: no update runs under the statement reading the rows */
    md_status rc = changes(s, model_id, p, &c, &n, out, err);
    if (rc == MD_OK)
        rc = apply(s, c, n, out, err);
    free(c);
    return rc;
}
