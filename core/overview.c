#include "overview.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "incidents.h"
#include "mem.h"
#include "policies.h"
#include "sql.h"
#include "window.h"

static bool opt_double(sqlite3_stmt *st, int c, double *out)
{
    if (md_sql_col_null(st, c))
        return false;
    *out = sqlite3_column_double(st, c);
    return true;
}

/* ---- the registry ------------------------------------------------------------------------------ */

static const char models_sql[] =
    "SELECT m.name, m.use_case, m.owner, m.pattern, m.fallback, m.serving, coalesce(p.number, 0),"
    " (SELECT count(*) FROM versions x WHERE x.model_id = m.id), lw.window,"
    " (SELECT CASE max(CASE d.status WHEN 'alert' THEN 2 WHEN 'warn' THEN 1 ELSE 0 END)"
    "         WHEN 2 THEN 'alert' WHEN 1 THEN 'warn' WHEN 0 THEN 'ok' END"
    "  FROM drift d WHERE d.window_id = lw.id),"
    " pw.window, pw.delta_auc, pw.ece,"
    /* the queue's incidents, as the header counts them: not resolved, not snoozed (the snoozed,
     * few, subtracted through their own index: "+" keeps the planner off the model's index,
     * which holds every incident the model ever had) */
    " coalesce((SELECT sum(t.active) FROM incident_tally t WHERE t.model_id = m.id), 0)"
    " - (SELECT count(*) FROM incidents i WHERE i.snoozed_until > ?1 AND +i.model_id = m.id"
    "    AND i.state <> 'resolved'),"
    " (SELECT min(CAST(substr(t.severity, 2) AS INTEGER)) FROM incident_tally t"
    "  WHERE t.model_id = m.id AND t.active > (SELECT count(*) FROM incidents i"
    "  WHERE i.snoozed_until > ?1 AND +i.model_id = m.id AND i.severity = t.severity"
    "  AND i.state <> 'resolved')),"
    " (SELECT max(h.at) FROM stage_history h JOIN versions v ON v.id = h.version_id"
    "  WHERE v.model_id = m.id AND h.to_status = 'production'),"
    " (SELECT count(*) FROM requests r WHERE r.model_id = m.id AND r.state = 'pending')"
    " FROM models m LEFT JOIN versions p ON p.model_id = m.id AND p.status = 'production'"
    " LEFT JOIN windows lw ON lw.id = (SELECT id FROM windows WHERE version_id = p.id"
    "                                  ORDER BY window DESC LIMIT 1)"
    /* labels may arrive weeks after the scores: ΔAUC and ECE are of the latest window that has
     * them, both of that one window, and the row says which */
    " LEFT JOIN windows pw ON pw.id = (SELECT id FROM windows WHERE version_id = p.id"
    "                                  AND (delta_auc IS NOT NULL OR ece IS NOT NULL)"
    "                                  ORDER BY window DESC LIMIT 1)"
    " ORDER BY m.name";

static void model_row_read(sqlite3_stmt *st, void *elem)
{
    md_model_row *r = elem;
    r->name = md_sql_col_text(st, 0);
    r->use_case = md_sql_col_text(st, 1);
    r->owner = md_sql_col_text(st, 2);
    r->pattern = md_sql_col_text(st, 3);
    r->fallback = md_sql_col_text(st, 4);
    r->serving = md_sql_col_text(st, 5);
    r->production = sqlite3_column_int64(st, 6);
    r->versions = sqlite3_column_int64(st, 7);
    r->last_window = md_sql_col_text(st, 8);
    r->drift = md_sql_col_text(st, 9);
    r->perf_window = md_sql_col_text(st, 10);
    r->has_delta_auc = opt_double(st, 11, &r->delta_auc);
    r->has_ece = opt_double(st, 12, &r->ece);
    r->open_incidents = sqlite3_column_int64(st, 13);
    r->worst_severity = sqlite3_column_int64(st, 14);
    r->last_deploy = md_sql_col_text(st, 15);
    r->pending = sqlite3_column_int64(st, 16);
}

md_status md_overview_models(md_store *s, md_model_row **rows, size_t *n, md_err *err)
{
    sqlite3_stmt *st;
    *rows = NULL;
    *n = 0;
    if (md_sql_prepare(s, models_sql, &st, err) != MD_OK)
        return err->code;
    char now[MD_TIME_TEXT_MAX];
    md_store_now_text(s, now);
    md_sql_bind(st, "t", now);
    return md_sql_collect(s, st, sizeof **rows, model_row_read, (void **)rows, n, err);
}

void md_model_rows_free(md_model_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        md_model_row *r = &rows[i];
        free(r->name);
        free(r->use_case);
        free(r->owner);
        free(r->pattern);
        free(r->fallback);
        free(r->serving);
        free(r->drift);
        free(r->last_window);
        free(r->perf_window);
        free(r->last_deploy);
    }
    free(rows);
}

/* ---- a model's versions ------------------------------------------------------------------------- */

static const char versions_sql[] =
    /* each version's ?2 latest windows, numbered in one pass (not a sort per window) */
    "WITH recent AS (SELECT * FROM (SELECT w.*, row_number() OVER (PARTITION BY w.version_id"
    "                               ORDER BY w.window DESC) AS newest"
    "                FROM versions v JOIN windows w ON w.version_id = v.id"
    "                WHERE v.model_id = (SELECT id FROM models WHERE name = ?1))"
    "                WHERE newest <= ?2)"
    " SELECT v.number, v.status, v.created_at, v.created_by, v.status_at, v.traffic_share,"
    " (SELECT avg(auc) FROM recent r WHERE r.version_id = v.id),"
    " (SELECT avg(delta_auc) FROM recent r WHERE r.version_id = v.id),"
    " (SELECT avg(ece) FROM recent r WHERE r.version_id = v.id),"
    " (SELECT max(d.psi) FROM drift d JOIN recent r ON r.id = d.window_id"
    "  WHERE r.version_id = v.id),"
    " (SELECT count(*) FROM windows w WHERE w.version_id = v.id), b.id IS NOT NULL,"
    " coalesce(q.id, 0), coalesce(q.approvals_required, 0),"
    " (SELECT count(*) FROM approvals a WHERE a.request_id = q.id AND a.decision = 'approve'),"
    " b.auc,"
    " (SELECT count(*) FROM requests p WHERE p.version_id = v.id AND p.state = 'pending')"
    " FROM versions v LEFT JOIN baselines b ON b.version_id = v.id"
    /* one row a version: the oldest of its pending requests, and how many it has */
    " LEFT JOIN requests q ON q.id = (SELECT min(id) FROM requests p"
    "  WHERE p.version_id = v.id AND p.state = 'pending')"
    " WHERE v.model_id = (SELECT id FROM models WHERE name = ?1)"
    " ORDER BY v.number DESC";

static void version_row_read(sqlite3_stmt *st, void *elem)
{
    md_version_row *r = elem;
    r->number = sqlite3_column_int64(st, 0);
    r->status = md_sql_col_text(st, 1);
    r->created_at = md_sql_col_text(st, 2);
    r->created_by = md_sql_col_text(st, 3);
    r->status_at = md_sql_col_text(st, 4);
    r->has_share = opt_double(st, 5, &r->share);
    r->has_auc = opt_double(st, 6, &r->auc);
    r->has_delta_auc = opt_double(st, 7, &r->delta_auc);
    r->has_ece = opt_double(st, 8, &r->ece);
    r->has_max_psi = opt_double(st, 9, &r->max_psi);
    r->windows = sqlite3_column_int64(st, 10);
    r->baseline = sqlite3_column_int(st, 11) != 0;
    r->request = sqlite3_column_int64(st, 12);
    r->required = sqlite3_column_int64(st, 13);
    r->approvals = sqlite3_column_int64(st, 14);
    r->has_base_auc = opt_double(st, 15, &r->base_auc);
    r->pending = sqlite3_column_int64(st, 16);
}

md_status md_overview_versions(md_store *s, const char *model, md_version_row **rows, size_t *n,
                               md_err *err)
{
    *rows = NULL;
    *n = 0;
    int64_t mid;
    md_status rc = md_sql_int(s, &mid, err, "SELECT id FROM models WHERE name = ?", "t", model);
    if (rc == MD_NOTFOUND)
        return md_err_set(err, MD_NOTFOUND, "no model '%s'", model);
    md_policy p;
    if (rc != MD_OK || md_policy_load(s, model, &p, err) != MD_OK)
        return err->code;
    int evidence = p.promotion.evidence_windows;
    md_policy_free(&p);
    sqlite3_stmt *st;
    if (md_sql_prepare(s, versions_sql, &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "ti", model, (int64_t)evidence);
    if (md_sql_collect(s, st, sizeof **rows, version_row_read, (void **)rows, n, err) != MD_OK)
        return err->code;
    for (size_t i = 0; i < *n; i++)
        (*rows)[i].evidence = evidence;
    return MD_OK;
}

void md_version_rows_free(md_version_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].status);
        free(rows[i].created_at);
        free(rows[i].created_by);
        free(rows[i].status_at);
    }
    free(rows);
}

/* ---- the drift grid ----------------------------------------------------------------------------- */

static const char *const metric_names[] = {
#define MD_X(id, name, title) name,
    MD_GRID_METRICS(MD_X)
#undef MD_X
};
static const char *const metric_titles[] = {
#define MD_X(id, name, title) title,
    MD_GRID_METRICS(MD_X)
#undef MD_X
};

const char *md_grid_metric_name(md_grid_metric m)
{
    return m < MD_GRID_METRIC_COUNT ? metric_names[m] : "?";
}

const char *md_grid_metric_title(md_grid_metric m)
{
    return m < MD_GRID_METRIC_COUNT ? metric_titles[m] : "?";
}

/* The distinct texts of one column, in the statement's order. */
static md_status text_list(md_store *s, const char *sql, int64_t vid, char ***out, size_t *n,
                           md_err *err)
{
    sqlite3_stmt *st;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    if (md_sql_prepare(s, sql, &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "i", vid);
    md_status rc = MD_OK;
    for (bool row = true; rc == MD_OK;) {
        rc = md_sql_step(s, st, &row, err);
        if (rc != MD_OK || !row)
            break;
        *out = md_xgrow(*out, &cap, *n + 1, sizeof **out);
        (*out)[(*n)++] = md_sql_col_text(st, 0);
    }
    sqlite3_finalize(st);
    return rc;
}

static void texts_free(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

/* The level each test gives a stored row under p, two bits per test (md_grid_level). */
static uint16_t test_levels(sqlite3_stmt *st, int first, const md_drift_policy *p)
{
    md_drift_row figures;
    md_level lv[MD_DRIFT_TEST_COUNT];
    md_drift_row_stored(st, first, &figures);
    md_drift_row_levels(&figures, p, lv);
    uint16_t bits = 0;
    for (int t = 0; t < MD_DRIFT_TEST_COUNT; t++)
        bits |= (uint16_t)(lv[t] << (2 * t));
    return bits;
}

typedef struct {
    int64_t id;
    size_t at; /* the window's place in g->windows */
} window_id;

static int by_id(const void *a, const void *b)
{
    int64_t x = ((const window_id *)a)->id, y = ((const window_id *)b)->id;
    return x < y ? -1 : x > y;
}

/* The version's windows, oldest first, and their ids by id (for the cells' lookup). */
static md_status grid_windows(md_store *s, int64_t vid, md_grid *g, window_id **ids, md_err *err)
{
    sqlite3_stmt *st;
    *ids = NULL;
    if (md_sql_prepare(s, "SELECT id, window FROM windows WHERE version_id = ? ORDER BY window",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "i", vid);
    size_t cap = 0, icap = 0;
    md_status rc = MD_OK;
    for (bool row = true; rc == MD_OK;) {
        rc = md_sql_step(s, st, &row, err);
        if (rc != MD_OK || !row)
            break;
        g->windows = md_xgrow(g->windows, &cap, g->nw + 1, sizeof *g->windows);
        *ids = md_xgrow(*ids, &icap, g->nw + 1, sizeof **ids);
        (*ids)[g->nw] = (window_id){sqlite3_column_int64(st, 0), g->nw};
        g->windows[g->nw++] = md_sql_col_text(st, 1);
    }
    sqlite3_finalize(st);
    if (*ids)
        qsort(*ids, g->nw, sizeof **ids, by_id);
    return rc;
}

/* Every cell from the stored drift rows, read in the store's order (no sort: rows of one
 * window come together, in their features' order). *unknown: a row of a feature not in
 * g->features. */
static md_status grid_cells(md_store *s, int64_t vid, const md_drift_policy *p, md_grid *g,
                            const window_id *ids, bool *unknown, md_err *err)
{
    *unknown = false;
    md_strmap names;
    md_strmap_init(&names);
    for (size_t i = 0; i < g->nf; i++)
        md_strmap_intern(&names, g->features[i], strlen(g->features[i]));
    sqlite3_stmt *st;
    if (md_sql_prepare(s,
                       "SELECT d.window_id, d.feature, d.psi, d.ks, d.missing_delta,"
                       " d.schema_changes, d.status, d.present, " MD_DRIFT_FIGURES_SQL
                       " FROM windows w JOIN drift d ON d.window_id = w.id"
                       " WHERE w.version_id = ?",
                       &st, err) != MD_OK) {
        md_strmap_free(&names);
        return err->code;
    }
    md_sql_bind(st, "i", vid);
    md_status rc = MD_OK;
    window_id key = {-1, g->nw};
    for (bool row = true; rc == MD_OK;) {
        rc = md_sql_step(s, st, &row, err);
        if (rc != MD_OK || !row)
            break;
        int64_t wid = sqlite3_column_int64(st, 0);
        if (wid != key.id) {
            key.id = wid;
            const window_id *hit = bsearch(&key, ids, g->nw, sizeof *ids, by_id);
            key.at = hit ? hit->at : g->nw;
        }
        const char *name = (const char *)sqlite3_column_text(st, 1);
        int64_t f = md_strmap_find(&names, name, (size_t)sqlite3_column_bytes(st, 1));
        if (f < 0)
            *unknown = true;
        if (f < 0 || key.at == g->nw)
            continue;
        size_t i = (size_t)f * g->nw + key.at;
        for (int m = 0; m < MD_GRID_METRIC_COUNT; m++)
            g->value[m][i] = md_sql_col_null(st, 2 + m) ? NAN : sqlite3_column_double(st, 2 + m);
        const char *status = (const char *)sqlite3_column_text(st, 6);
        g->status[i] = (signed char)(status[0] == 'a' ? 2 : status[0] == 'w' ? 1 : 0);
        g->present[i] = md_sql_col_null(st, 7) ? -1 : sqlite3_column_int64(st, 7);
        g->levels[i] = test_levels(st, 8, p);
    }
    sqlite3_finalize(st);
    md_strmap_free(&names);
    return rc;
}

static void grid_alloc(md_grid *g)
{
    size_t cells = g->nf * g->nw;
    for (int m = 0; m < MD_GRID_METRIC_COUNT; m++) {
        free(g->value[m]);
        g->value[m] = md_xmalloc((cells ? cells : 1) * sizeof(double));
        for (size_t i = 0; i < cells; i++)
            g->value[m][i] = NAN;
    }
    free(g->status);
    g->status = md_xmalloc(cells ? cells : 1);
    memset(g->status, -1, cells);
    free(g->present);
    g->present = md_xmalloc((cells ? cells : 1) * sizeof *g->present);
    for (size_t i = 0; i < cells; i++)
        g->present[i] = -1;
    free(g->levels);
    g->levels = md_xcalloc(cells ? cells : 1, sizeof *g->levels);
}

md_status md_overview_grid(md_store *s, const char *model, int64_t number, md_grid *g, md_err *err)
{
    memset(g, 0, sizeof *g);
    int64_t vid;
    md_status rc;
    md_policy p; /* the one in force: the tests that decide each cell */
    if (number > 0) {
        rc = md_sql_int(s, &vid, err,
                        "SELECT v.id FROM versions v JOIN models m ON m.id = v.model_id"
                        " WHERE m.name = ? AND v.number = ?",
                        "ti", model, number);
    } else {
        rc = md_sql_int(s, &vid, err,
                        "SELECT v.id FROM versions v JOIN models m ON m.id = v.model_id"
                        " WHERE m.name = ? AND v.status = 'production'",
                        "t", model);
    }
    if (rc == MD_NOTFOUND)
        return number > 0 ? md_err_set(err, MD_NOTFOUND, "no version %s/%lld", model,
                                       (long long)number)
                          : md_err_set(err, MD_NOTFOUND, "%s has no production version", model);
    if (rc != MD_OK)
        return rc;
    md_sql_int(s, &g->version, err, "SELECT number FROM versions WHERE id = ?", "i", vid);
    /* features in column order: the baseline's, which every window's drift rows follow (a new
     * baseline drops the windows); should a stored row name another, the rows' own */
    rc = text_list(s,
                   "SELECT f.name FROM baseline_features f JOIN baselines b"
                   " ON b.id = f.baseline_id WHERE b.version_id = ? ORDER BY f.position",
                   vid, &g->features, &g->nf, err);
    window_id *ids = NULL;
    if (rc == MD_OK)
        rc = grid_windows(s, vid, g, &ids, err);
    if (rc == MD_OK)
        rc = md_policy_load(s, model, &p, err);
    if (rc == MD_OK) {
        bool unknown = false;
        grid_alloc(g);
        rc = grid_cells(s, vid, &p.drift, g, ids, &unknown, err);
        if (rc == MD_OK && unknown) {
            texts_free(g->features, g->nf);
            rc = text_list(s,
                           "SELECT d.feature FROM drift d JOIN windows w ON w.id = d.window_id"
                           " WHERE w.version_id = ?1 GROUP BY d.feature"
                           " ORDER BY min(d.position), d.feature",
                           vid, &g->features, &g->nf, err);
            grid_alloc(g);
            if (rc == MD_OK)
                rc = grid_cells(s, vid, &p.drift, g, ids, &unknown, err);
        }
        md_policy_free(&p);
    }
    free(ids);
    if (rc != MD_OK)
        md_grid_free(g);
    return rc;
}

void md_grid_free(md_grid *g)
{
    for (size_t i = 0; i < g->nf; i++)
        free(g->features[i]);
    for (size_t i = 0; i < g->nw; i++)
        free(g->windows[i]);
    free(g->features);
    free(g->windows);
    for (int m = 0; m < MD_GRID_METRIC_COUNT; m++)
        free(g->value[m]);
    free(g->status);
    free(g->present);
    free(g->levels);
    memset(g, 0, sizeof *g);
}

/* ---- the header ---------------------------------------------------------------------------------- */

md_status md_overview_next_change(md_store *s, int64_t *at_ms, md_err *err)
{
    *at_ms = 0;
    char now[MD_TIME_TEXT_MAX];
    md_store_now_text(s, now);
    sqlite3_stmt *st;
    if (md_sql_prepare(s,
                       "SELECT min(t) FROM (SELECT min(snoozed_until) AS t FROM incidents"
                       " WHERE snoozed_until > ?1 AND state <> 'resolved'"
                       " UNION ALL SELECT min(expires_at) FROM requests"
                       " WHERE state = 'pending' AND expires_at > ?1)",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "t", now);
    bool row;
    md_status rc = md_sql_step(s, st, &row, err);
    const char *t = rc == MD_OK && row ? (const char *)sqlite3_column_text(st, 0) : NULL;
    md_err ignored; /* a time no one could write: nothing is due */
    if (t && md_time_parse_iso(t, false, at_ms, &ignored) != MD_OK)
        *at_ms = 0;
    sqlite3_finalize(st);
    return rc;
}

md_status md_overview_header(md_store *s, md_header_counts *c, md_err *err)
{
    memset(c, 0, sizeof *c);
    if (md_incident_counts(s, c->incidents, err) != MD_OK)
        return err->code;
    char now[MD_TIME_TEXT_MAX];
    md_store_now_text(s, now);
    return md_sql_int(s, &c->pending, err,
                      "SELECT count(*) FROM requests WHERE state = 'pending' AND expires_at > ?",
                      "t", now);
}
