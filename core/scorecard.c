#include "scorecard.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "json.h"
#include "mem.h"
#include "sort.h"
#include "sql.h"
#include "stats.h"

/* The statements filter "(?1 = 0 OR x.model_id = ?1)": for one model the "?1 = 0 OR " goes,
 * so that SQLite can use the per-model indexes (it plans before it sees ?1). */
static char *for_model(const char *sql, int64_t mid)
{
    static const char any[] = "?1 = 0 OR ";
    char *out = md_xstrdup(sql);
    if (!mid)
        return out;
    for (char *p; (p = strstr(out, any));)
        memmove(p, p + sizeof any - 1, strlen(p + sizeof any - 1) + 1);
    return out;
}

/* Values from one query: the first column of every row, as doubles. */
typedef struct {
    double *v;
    size_t n, cap;
} series;

/* Values from one query: column c of every row into out[c] (c < ncols), as doubles, NULLs
 * left out. */
static md_status collect_columns(md_store *s, series *out, int ncols, md_err *err, const char *sql,
                                 int64_t mid, const char *since)
{
    sqlite3_stmt *st;
    memset(out, 0, (size_t)ncols * sizeof *out);
    char *text = for_model(sql, mid);
    md_status prc = md_sql_prepare(s, text, &st, err);
    free(text);
    if (prc != MD_OK)
        return err->code;
    md_sql_bind(st, "it", mid, since);
    md_status rc = MD_OK;
    for (bool row = true; rc == MD_OK;) {
        rc = md_sql_step(s, st, &row, err);
        if (rc != MD_OK || !row)
            break;
        for (int c = 0; c < ncols; c++) {
            if (md_sql_col_null(st, c))
                continue;
            out[c].v = md_xgrow(out[c].v, &out[c].cap, out[c].n + 1, sizeof *out[c].v);
            out[c].v[out[c].n++] = sqlite3_column_double(st, c);
        }
    }
    sqlite3_finalize(st);
    return rc;
}

static md_status collect(md_store *s, series *out, md_err *err, const char *sql, int64_t mid,
                         const char *since)
{
    return collect_columns(s, out, 1, err, sql, mid, since);
}

static json_t *mean_of(const series *x)
{
    if (!x->n)
        return json_null();
    md_ksum k = {0, 0};
    for (size_t i = 0; i < x->n; i++)
        md_ksum_add(&k, x->v[i]);
    return json_real(md_ksum_value(&k) / (double)x->n);
}

/* numpy.percentile(x, q), linear. */
static json_t *percentile_of(series *x, double q)
{
    if (!x->n)
        return json_null();
    md_sort_doubles(x->v, x->n);
    double out;
    md_quantiles_linear(x->v, x->n, &q, 1, &out);
    return json_real(out);
}

/* Least-squares slope of y against 0, 1, 2, ... (per window). */
static json_t *slope_of(const series *y)
{
    if (y->n < 2)
        return json_null();
    double n = (double)y->n, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (size_t i = 0; i < y->n; i++) {
        sx += (double)i, sy += y->v[i], sxx += (double)i * (double)i, sxy += (double)i * y->v[i];
    }
    return json_real((n * sxy - sx * sy) / (n * sxx - sx * sx));
}

static json_t *summary(series *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "n", json_integer((json_int_t)x->n));
    json_object_set_new(o, "mean", mean_of(x));
    json_object_set_new(o, "p90", percentile_of(x, 0.9));
    free(x->v);
    return o;
}

static int64_t count_of(md_store *s, const char *sql, int64_t mid, const char *since)
{
    int64_t n = 0;
    md_err ignored;
    char *text = for_model(sql, mid);
    md_sql_int(s, &n, &ignored, text, "it", mid, since);
    free(text);
    return n;
}

/* Seconds between two stored times, in SQL: julianday's difference, rounded to the
 * milliseconds the times carry (a double day count is not exact in seconds). */
#define SECONDS(a, b) "round((julianday(" b ") - julianday(" a ")) * 86400000.0) / 1000.0"
/* Production entries by promotion in the period. */
#define PROMOTIONS                                                                                 \
    " FROM stage_history h JOIN versions v ON v.id = h.version_id WHERE (?1 = 0 OR v.model_id = ?1)"          \
    " AND h.to_status = 'production' AND h.action = 'promotion.execute' AND h.at >= ?2"

static json_t *delivery(md_store *s, int64_t mid, const char *since, int days)
{
    series lead;
    md_err err;
    int64_t deploys = count_of(s, "SELECT count(*)" PROMOTIONS, mid, since);
    int64_t failed = count_of(s,
                              "SELECT count(*)" PROMOTIONS " AND EXISTS (SELECT 1 FROM"
                              " stage_history x WHERE x.version_id = h.version_id AND"
                              " x.from_status = 'production' AND x.action LIKE 'rollback%' AND"
                              " x.id > h.id AND julianday(x.at) - julianday(h.at) <= 7)",
                              mid, since);
    collect(s, &lead, &err, "SELECT " SECONDS("v.created_at", "h.at") " / 3600.0" PROMOTIONS, mid,
            since);
    json_t *o = json_object();
    json_object_set_new(o, "deployments", json_integer(deploys));
    json_object_set_new(o, "deployments_per_30_days", json_real((double)deploys * 30.0 / days));
    json_object_set_new(o, "lead_time_hours", summary(&lead));
    /* every rollback command, to a version, to a fallback, or back into service after one:
     * each audits one row on its model (and others on the versions it moves) */
    json_object_set_new(o, "rollbacks",
                        json_integer(count_of(s,
                                              "SELECT count(*) FROM audit WHERE action IN"
                                              " ('rollback', 'rollback.fallback') AND"
                                              " object LIKE 'model:%' AND (?1 = 0 OR object ="
                                              " 'model:' || (SELECT name FROM models WHERE"
                                              " id = ?1)) AND at >= ?2",
                                              mid, since)));
    json_object_set_new(o, "change_failure_rate",
                        deploys ? json_real((double)failed / (double)deploys) : json_null());
    return o;
}

#define INCIDENTS " FROM incidents WHERE (?1 = 0 OR model_id = ?1) AND opened_at >= ?2"
#define INCIDENT_TIMES                                                                             \
    "SELECT " SECONDS("opened_at", "acked_at") ", " SECONDS("opened_at", "resolved_at") ", 1"
#define INCIDENT_SEVERITIES                                                                        \
    ", CASE severity WHEN 'P1' THEN 1 END, CASE severity WHEN 'P2' THEN 1 END"                      \
    ", CASE severity WHEN 'P3' THEN 1 END, CASE severity WHEN 'P4' THEN 1 END"

static json_t *operations(md_store *s, int64_t mid, const char *since, int days)
{
    /* one pass over the period's incidents: the times to acknowledge and to resolve, and the
     * severity of each (a table of 50,000 is read once, not seven times) */
    series t[7];
    md_err err;
    collect_columns(s, t, 7, &err, INCIDENT_TIMES INCIDENT_SEVERITIES INCIDENTS, mid, since);
    series *ack = &t[0], *res = &t[1];
    int64_t n = (int64_t)t[2].n;
    json_t *o = json_object(), *sev = json_object();
    static const char *const sevs[] = {"P1", "P2", "P3", "P4"};
    for (int i = 0; i < 4; i++)
        json_object_set_new(sev, sevs[i], json_integer((json_int_t)t[3 + i].n));
    for (int c = 2; c < 7; c++)
        free(t[c].v);
    json_object_set_new(o, "incidents", json_integer(n));
    json_object_set_new(o, "incidents_per_30_days", json_real((double)n * 30.0 / days));
    json_object_set_new(o, "by_severity", sev);
    json_object_set_new(o, "open_now", json_integer(count_of(s,
                                                             "SELECT count(*) FROM incidents WHERE"
                                                             " (?1 = 0 OR model_id = ?1) AND state <>"
                                                             " 'resolved' AND ?2 IS NOT NULL",
                                                             mid, since)));
    json_object_set_new(o, "time_to_acknowledge_s", summary(ack));
    json_object_set_new(o, "time_to_resolve_s", summary(res));
    return o;
}

#define PROD_WINDOWS                                                                               \
    " FROM windows w JOIN versions v ON v.id = w.version_id WHERE (?1 = 0 OR v.model_id = ?1) AND"            \
    " v.status = 'production' AND w.window >= substr(?2, 1, 10)"

static json_t *quality(md_store *s, int64_t mid, const char *since)
{
    if (!mid) { /* windows of different models do not make one series: per model only */
        json_t *o = json_object();
        json_object_set_new(o, "windows", json_integer(count_of(s, "SELECT count(*)" PROD_WINDOWS,
                                                                 mid, since)));
        json_object_set_new(o, "current_delta_auc", json_null());
        json_object_set_new(o, "ece_first", json_null());
        json_object_set_new(o, "ece_last", json_null());
        json_object_set_new(o, "ece_trend_per_window", json_null());
        json_object_set_new(o, "drift_alerts",
                            json_integer(count_of(s,
                                                  "SELECT count(*) FROM drift d JOIN windows w ON"
                                                  " w.id = d.window_id JOIN versions v ON"
                                                  " v.id = w.version_id WHERE ?1 = 0 AND"
                                                  " v.status = 'production' AND d.status = 'alert'"
                                                  " AND w.window >= substr(?2, 1, 10)",
                                                  mid, since)));
        return o;
    }
    series ece, dauc;
    md_err err;
    collect(s, &ece, &err, "SELECT w.ece" PROD_WINDOWS " ORDER BY w.window", mid, since);
    collect(s, &dauc, &err, "SELECT w.delta_auc" PROD_WINDOWS " ORDER BY w.window", mid, since);
    json_t *o = json_object();
    json_object_set_new(o, "windows", json_integer((json_int_t)ece.n));
    json_object_set_new(o, "current_delta_auc", dauc.n ? json_real(dauc.v[dauc.n - 1]) : json_null());
    json_object_set_new(o, "ece_first", ece.n ? json_real(ece.v[0]) : json_null());
    json_object_set_new(o, "ece_last", ece.n ? json_real(ece.v[ece.n - 1]) : json_null());
    json_object_set_new(o, "ece_trend_per_window", slope_of(&ece));
    json_object_set_new(o, "drift_alerts",
                        json_integer(count_of(s,
                                              "SELECT count(*) FROM drift d JOIN windows w ON"
                                              " w.id = d.window_id JOIN versions v ON"
                                              " v.id = w.version_id WHERE (?1 = 0 OR v.model_id = ?1) AND"
                                              " v.status = 'production' AND d.status = 'alert'"
                                              " AND w.window >= substr(?2, 1, 10)",
                                              mid, since)));
    free(ece.v);
    free(dauc.v);
    return o;
}

static json_t *governance(md_store *s, int64_t mid, const char *since)
{
    int64_t executed = count_of(s,
                                "SELECT count(*) FROM requests WHERE (?1 = 0 OR model_id = ?1) AND"
                                " target = 'production' AND state = 'executed' AND"
                                " decided_at >= ?2",
                                mid, since);
    int64_t clean = count_of(s,
                             "SELECT count(*) FROM requests r WHERE (?1 = 0 OR model_id = ?1) AND"
                             " target = 'production' AND state = 'executed' AND decided_at >= ?2"
                             " AND (SELECT count(*) FROM approvals a WHERE a.request_id = r.id"
                             " AND a.decision = 'approve') >= r.approvals_required AND NOT EXISTS"
                             " (SELECT 1 FROM gate_overrides g WHERE g.request_id = r.id)",
                             mid, since);
    json_t *o = json_object();
    json_object_set_new(o, "production_promotions", json_integer(executed));
    json_object_set_new(o, "fully_approved_share",
                        executed ? json_real((double)clean / (double)executed) : json_null());
    json_object_set_new(o, "gate_overrides",
                        json_integer(count_of(s,
                                              "SELECT count(*) FROM gate_overrides g JOIN"
                                              " versions v ON v.id = g.version_id WHERE"
                                              " (?1 = 0 OR v.model_id = ?1) AND g.at >= ?2",
                                              mid, since)));
    return o;
}

static json_t *card(md_store *s, int64_t mid, const char *since, int days)
{
    json_t *o = json_object();
    json_object_set_new(o, "delivery", delivery(s, mid, since, days));
    json_object_set_new(o, "operations", operations(s, mid, since, days));
    json_object_set_new(o, "quality", quality(s, mid, since));
    json_object_set_new(o, "governance", governance(s, mid, since));
    return o;
}

md_status md_scorecard_json(md_store *s, const char *model, int days, json_t **out, md_err *err)
{
    *out = NULL;
    if (days <= 0 || days > 3650)
        return md_err_set(err, MD_INVALID, "--days must be between 1 and 3650");
    char since[MD_TIME_TEXT_MAX], now[MD_TIME_TEXT_MAX];
    int64_t t = md_store_now_ms(s);
    md_time_format(t, now);
    md_time_format(t - (int64_t)days * 86400000, since);
    sqlite3_stmt *st;
    if (md_sql_prepare(s, "SELECT id, name FROM models WHERE ?1 IS NULL OR name = ?1 ORDER BY name",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "t", model);
    json_t *models = json_array();
    md_status rc = MD_OK;
    for (bool row = true; rc == MD_OK;) {
        rc = md_sql_step(s, st, &row, err);
        if (rc != MD_OK || !row)
            break;
        json_t *c = card(s, sqlite3_column_int64(st, 0), since, days);
        json_object_set_new(c, "model", json_string((const char *)sqlite3_column_text(st, 1)));
        json_array_append_new(models, c);
    }
    sqlite3_finalize(st);
    if (rc == MD_OK && model && json_array_size(models) == 0)
        rc = md_err_set(err, MD_NOTFOUND, "no model '%s'", model);
    if (rc != MD_OK) {
        json_decref(models);
        return rc;
    }
    *out = json_pack("{s:i, s:s, s:s, s:o}", "days", days, "from", since, "to", now, "models",
                     models);
    if (!model)
        json_object_set_new(*out, "overall", card(s, 0, since, days));
    return MD_OK;
}
