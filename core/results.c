#include "results.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "json.h"
#include "mem.h"
#include "models.h"
#include "registry_tx.h"
#include "sql.h"

md_status md_results_version(md_store *s, const char *model, int64_t number, int64_t *vid,
                             int64_t *resolved, md_err *err)
{
    char status[16];
    if (number <= 0) {
        md_model m;
        if (md_model_get(s, model, &m, err) != MD_OK)
            return err->code;
        number = m.production_version;
        md_model_free(&m);
        if (number <= 0)
            return md_err_set(err, MD_NOTFOUND,
                              "%s has no production version; name the version to read", model);
    }
    *resolved = number;
    return md_version_lookup(s, model, number, vid, status, err);
}

static json_t *col_real(sqlite3_stmt *st, int c)
{
    return md_sql_col_null(st, c) ? json_null() : json_real(sqlite3_column_double(st, c));
}

static json_t *col_json(sqlite3_stmt *st, int c)
{
    return md_json_load_or_string((const char *)sqlite3_column_text(st, c));
}

static json_t *drift_row(sqlite3_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "window", md_json_str_or_null((const char *)sqlite3_column_text(st, 0)));
    json_object_set_new(o, "feature", md_json_str_or_null((const char *)sqlite3_column_text(st, 1)));
    json_object_set_new(o, "kind", md_json_str_or_null((const char *)sqlite3_column_text(st, 2)));
    json_object_set_new(o, "rows", json_integer(sqlite3_column_int64(st, 3)));
    json_object_set_new(o, "psi", col_real(st, 4));
    json_object_set_new(o, "psi_null_p99", col_real(st, 5));
    json_object_set_new(o, "ks", col_real(st, 6));
    json_object_set_new(o, "ks_pvalue", col_real(st, 7));
    json_object_set_new(o, "missing_rate", col_real(st, 8));
    json_object_set_new(o, "missing_delta", col_real(st, 9));
    json_object_set_new(o, "schema_changes", json_integer(sqlite3_column_int64(st, 10)));
    json_object_set_new(o, "new_categories", col_json(st, 11));
    json_object_set_new(o, "violations", json_integer(sqlite3_column_int64(st, 12)));
    json_object_set_new(o, "status", md_json_str_or_null((const char *)sqlite3_column_text(st, 13)));
    json_object_set_new(o, "present", json_integer(sqlite3_column_int64(st, 14)));
    json_object_set_new(o, "type_errors", json_integer(sqlite3_column_int64(st, 15)));
    json_object_set_new(o, "absent", json_boolean(sqlite3_column_int64(st, 16)));
    json_object_set_new(o, "window_kind",
                        md_json_str_or_null((const char *)sqlite3_column_text(st, 17)));
    json_object_set_new(o, "hist", col_json(st, 18));
    json_object_set_new(o, "missing_pvalue", col_real(st, 19));
    json_object_set_new(o, "mix_pvalue", col_real(st, 20));
    json_object_set_new(o, "new_categories_distinct",
                        md_sql_col_null(st, 21) ? json_null()
                                                : json_integer(sqlite3_column_int64(st, 21)));
    json_object_set_new(o, "new_categories_estimated", json_boolean(sqlite3_column_int64(st, 22)));
    json_object_set_new(o, "psi_max", col_real(st, 23));
    return o;
}

static json_t *calibration_row(sqlite3_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "window", md_json_str_or_null((const char *)sqlite3_column_text(st, 0)));
    json_object_set_new(o, "window_kind",
                        md_json_str_or_null((const char *)sqlite3_column_text(st, 1)));
    json_object_set_new(o, "rows", json_integer(sqlite3_column_int64(st, 2)));
    json_object_set_new(o, "labeled", json_integer(sqlite3_column_int64(st, 3)));
    json_object_set_new(o, "auc", col_real(st, 4));
    json_object_set_new(o, "auc_exact", json_boolean(sqlite3_column_int64(st, 5)));
    json_object_set_new(o, "auc_error", col_real(st, 6));
    json_object_set_new(o, "delta_auc", col_real(st, 7));
    json_object_set_new(o, "brier", col_real(st, 8));
    json_object_set_new(o, "ece", col_real(st, 9));
    json_object_set_new(o, "hl_stat", col_real(st, 10));
    json_object_set_new(o, "hl_pvalue", col_real(st, 11));
    json_object_set_new(o, "deciles", col_json(st, 12));
    json_object_set_new(o, "latency", col_json(st, 13));
    /* the window's worst feature drift status, named so that no one reads it as calibration's */
    json_object_set_new(o, "drift_status",
                        md_json_str_or_null((const char *)sqlite3_column_text(st, 14)));
    return o;
}

typedef json_t *(*row_json)(sqlite3_stmt *st);

/* A window key as ingest writes them: 2026-10-01 (day) or 2026-10-01T13 (hour). */
static bool window_key_shape(const char *w)
{
    size_t n = strlen(w);
    if (n != 10 && n != 13)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool sep = i == 4 || i == 7 || i == 10;
        if (sep ? w[i] != (i == 10 ? 'T' : '-') : (w[i] < '0' || w[i] > '9'))
            return false;
    }
    char date[11];
    int64_t ms;
    memcpy(date, w, 10);
    date[10] = '\0';
    int hour = n == 13 ? (w[11] - '0') * 10 + (w[12] - '0') : 0;
    return md_time_parse_iso(date, false, &ms, NULL) == MD_OK && hour <= 23; /* a real day */
}

/* A window asked for that the version does not have: what it has instead. */
static md_status no_such_window(md_store *s, const char *model, int64_t resolved, int64_t vid,
                                const char *window, md_err *err)
{
    char have[160] = "";
    size_t len = 0;
    sqlite3_stmt *st;
    if (md_sql_prepare(s,
                       "SELECT kind, count(*), min(window), max(window) FROM windows"
                       " WHERE version_id = ? GROUP BY kind ORDER BY kind",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "i", vid);
    for (bool row = true; md_sql_step(s, st, &row, err) == MD_OK && row && len < sizeof have;) {
        long long n = sqlite3_column_int64(st, 1);
        len += (size_t)snprintf(have + len, sizeof have - len, "%s%lld %s window%s, %s .. %s",
                                len ? "; " : "", n, (const char *)sqlite3_column_text(st, 0),
                                n == 1 ? "" : "s", (const char *)sqlite3_column_text(st, 2),
                                (const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    int64_t baselines = 0;
    if (!len) /* what is missing before there are windows */
        md_sql_int(s, &baselines, err, "SELECT count(*) FROM baselines WHERE version_id = ?", "i",
                   vid);
    if (!len)
        snprintf(have, sizeof have, "no windows yet: %s %s %lld FILE",
                 baselines ? "modeldeck ingest" : "no baseline either; modeldeck baseline", model,
                 (long long)resolved);
    bool kind = strcmp(window, "day") == 0 || strcmp(window, "hour") == 0;
    return md_err_set(err, MD_NOTFOUND, "%s v%lld has no %s%s%s (%s)", model, (long long)resolved,
                      kind ? "" : "window ", window, kind ? " windows" : "", have);
}

/* `window`: one window's key, a kind (day, hour: its windows), or NULL: all. */
static md_status query(md_store *s, const char *model, int64_t number, const char *window,
                       const char *sql, const char *key, row_json fn, json_t **out, md_err *err)
{
    int64_t vid, resolved;
    *out = NULL;
    const char *kind = NULL;
    if (window && (strcmp(window, "day") == 0 || strcmp(window, "hour") == 0))
        kind = window, window = NULL;
    else if (window && !window_key_shape(window))
        return md_err_set(err, MD_INVALID,
                          "--window: '%s' is neither a window (2026-10-01, 2026-10-01T13) nor a "
                          "kind of window (day, hour)",
                          window);
    if (md_results_version(s, model, number, &vid, &resolved, err) != MD_OK)
        return err->code;
    sqlite3_stmt *st;
    if (md_sql_prepare(s, sql, &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "itt", vid, window, kind);
    json_t *rows = json_array();
    md_status rc = MD_OK;
    for (bool row = true; rc == MD_OK;) {
        rc = md_sql_step(s, st, &row, err);
        if (rc != MD_OK || !row)
            break;
        json_array_append_new(rows, fn(st));
    }
    sqlite3_finalize(st);
    if (rc == MD_OK && window && json_array_size(rows) == 0) {
        int64_t have = 0;
        rc = md_sql_int(s, &have, err,
                        "SELECT count(*) FROM windows WHERE version_id = ? AND window = ?", "it",
                        vid, window);
        if (rc == MD_OK && have == 0)
            rc = no_such_window(s, model, resolved, vid, window, err);
    }
    if (rc == MD_OK && kind && json_array_size(rows) == 0) { /* windows of the other kind */
        int64_t other = 0;
        rc = md_sql_int(s, &other, err, "SELECT count(*) FROM windows WHERE version_id = ?", "i",
                        vid);
        if (rc == MD_OK && other > 0)
            rc = no_such_window(s, model, resolved, vid, kind, err);
    }
    if (rc != MD_OK) {
        json_decref(rows);
        return rc;
    }
    *out = json_pack("{s:s, s:I, s:o}", "model", model, "version", (json_int_t)resolved, key,
                     rows);
    return MD_OK;
}

md_status md_drift_json(md_store *s, const char *model, int64_t number, const char *window,
                        json_t **out, md_err *err)
{
    return query(s, model, number, window,
                 "SELECT w.window, d.feature, d.kind, d.rows, d.psi, d.psi_null_p99, d.ks,"
                 " d.ks_pvalue, d.missing_rate, d.missing_delta, d.schema_changes,"
                 " d.new_categories, d.violations, d.status, d.present, d.type_errors, d.absent,"
                 " w.kind, d.hist, d.missing_pvalue, d.mix_pvalue, d.new_distinct,"
                 " d.new_estimated, d.psi_max FROM drift d JOIN windows w"
                 " ON w.id = d.window_id"
                 " WHERE w.version_id = ?1 AND (?2 IS NULL OR w.window = ?2)"
                 " AND (?3 IS NULL OR w.kind = ?3) ORDER BY w.kind, w.window, d.position",
                 "drift", drift_row, out, err);
}

md_status md_calibration_json(md_store *s, const char *model, int64_t number, const char *window,
                              json_t **out, md_err *err)
{
    return query(s, model, number, window,
                 "SELECT window, kind, rows, labeled, auc, auc_exact, auc_error, delta_auc,"
                 " brier, ece, hl_stat, hl_pvalue, deciles, latency, status FROM windows"
                 " WHERE version_id = ?1 AND (?2 IS NULL OR window = ?2)"
                 " AND (?3 IS NULL OR kind = ?3) ORDER BY kind, window",
                 "windows", calibration_row, out, err);
}
