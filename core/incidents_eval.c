/* Running the incident rules again over a model's stored windows (`modeldeck evaluate`): the
 * facts each window's drift and calibration rows hold, read back and handed to the same rules
 * an ingest applies (core/incidents.c), under the policy in force now. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "incidents.h"
#include "json.h"
#include "mem.h"
#include "policies.h"
#include "registry_tx.h"
#include "sql.h"

/* ---- the facts of stored windows --------------------------------------------------------------- */

static void feature_read(sqlite3_stmt *st, void *elem)
{
    md_feature_facts *f = elem;
    f->feature = (const char *)md_sql_col_text(st, 0);
    f->has_psi = !md_sql_col_null(st, 1);
    f->psi = sqlite3_column_double(st, 1);
    f->psi_null = sqlite3_column_double(st, 2);
    f->has_ks = !md_sql_col_null(st, 3);
    f->ks = sqlite3_column_double(st, 3);
    f->ks_p = sqlite3_column_double(st, 4);
    f->missing_delta = sqlite3_column_double(st, 5);
    f->schema_changes = sqlite3_column_int64(st, 6);
    f->violations = sqlite3_column_int64(st, 7);
    f->present = sqlite3_column_int64(st, 8);
    f->missing_pvalue = md_sql_col_null(st, 9) ? NAN : sqlite3_column_double(st, 9);
    f->mix_pvalue = md_sql_col_null(st, 10) ? NAN : sqlite3_column_double(st, 10);
}

static md_status stored_features(md_store *s, int64_t wid, md_window_facts *w, md_err *err)
{
    sqlite3_stmt *st;
    if (md_sql_prepare(s,
                       "SELECT feature, psi, psi_null_p99, ks, ks_pvalue, missing_delta,"
                       " schema_changes, violations, present, missing_pvalue, mix_pvalue FROM drift"
                       " WHERE window_id = ?"
                       " ORDER BY position",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "i", wid);
    return md_sql_collect(s, st, sizeof *w->f, feature_read, (void **)&w->f, &w->nf, err);
}

static void free_facts(md_window_facts *w)
{
    for (size_t i = 0; i < w->nf; i++)
        free((char *)w->f[i].feature);
    free(w->f);
    free((char *)w->window_kind);
    free((char *)w->window);
}

static void window_facts_read(sqlite3_stmt *st, md_window_facts *w)
{
    memset(w, 0, sizeof *w);
    w->version_id = sqlite3_column_int64(st, 1);
    w->version_number = sqlite3_column_int64(st, 2);
    w->production = strcmp((const char *)sqlite3_column_text(st, 3), "production") == 0;
    w->window_kind = md_sql_col_text(st, 4);
    w->window = md_sql_col_text(st, 5);
    w->has_ece = !md_sql_col_null(st, 6);
    w->ece = sqlite3_column_double(st, 6);
    w->has_hl_p = !md_sql_col_null(st, 7);
    w->hl_p = sqlite3_column_double(st, 7);
    w->has_delta = !md_sql_col_null(st, 8);
    w->delta_auc = sqlite3_column_double(st, 8);
    w->labeled = sqlite3_column_int64(st, 10);
    w->positives = sqlite3_column_int64(st, 11);
    w->has_auc = !md_sql_col_null(st, 12);
    w->auc = sqlite3_column_double(st, 12);
    if (!md_sql_col_null(st, 14)) {
        w->base_labeled = sqlite3_column_int64(st, 13);
        w->base_positives = sqlite3_column_int64(st, 14);
    }
    json_t *dec = md_json_load_or_string((const char *)sqlite3_column_text(st, 15));
    w->hl_adequate = md_hl_adequate(dec);
    json_decref(dec);
    json_t *lat = md_json_load_or_string((const char *)sqlite3_column_text(st, 9));
    json_t *over = json_object_get(lat, "over_sla");
    w->has_over_sla = json_is_number(over);
    w->over_sla = json_number_value(over);
    json_decref(lat);
}

static md_status evaluate_model(md_store *s, const char *actor, int64_t mid, const char *model,
                                md_incident_tally *t, md_err *err)
{
    md_policy p;
    if (md_policy_load(s, model, &p, err) != MD_OK)
        return err->code;
    sqlite3_stmt *st;
    md_status rc = md_sql_prepare(s,
                                  "SELECT w.id, w.version_id, v.number, v.status, w.kind, w.window,"
                                  " w.ece, w.hl_pvalue, w.delta_auc, w.latency, w.labeled,"
                                  " w.positives, w.auc, b.labeled, b.positives, w.deciles"
                                  " FROM windows w"
                                  " JOIN versions v ON v.id = w.version_id"
                                  " LEFT JOIN baselines b ON b.version_id = w.version_id"
                                  " WHERE v.model_id = ?"
                                  " ORDER BY w.window",
                                  &st, err);
    if (rc == MD_OK)
        md_sql_bind(st, "i", mid);
    for (bool row = rc == MD_OK; rc == MD_OK;) {
        rc = md_sql_step(s, st, &row, err);
        if (rc != MD_OK || !row)
            break;
        md_window_facts w;
        window_facts_read(st, &w);
        w.model_id = mid;
        w.model = model;
        rc = stored_features(s, sqlite3_column_int64(st, 0), &w, err);
        if (rc == MD_OK)
            rc = md_incidents_apply(s, actor, &w, &p, t, err);
        free_facts(&w);
    }
    if (st)
        sqlite3_finalize(st);
    md_policy_free(&p);
    return rc;
}

typedef struct {
    int64_t id;
    char *name;
} model_ref;

static void model_ref_read(sqlite3_stmt *st, void *elem)
{
    model_ref *m = elem;
    m->id = sqlite3_column_int64(st, 0);
    m->name = md_sql_col_text(st, 1);
}

md_status md_incidents_evaluate(md_store *s, const md_actor *a, const char *model,
                                md_incident_tally *t, md_err *err)
{
    memset(t, 0, sizeof *t);
    if (md_write_begin(s, a, MD_PERM_INCIDENT_WRITE, err) != MD_OK)
        return err->code;
    sqlite3_stmt *st;
    model_ref *ms = NULL;
    size_t n = 0;
    md_status rc = md_sql_prepare(s, "SELECT id, name FROM models WHERE ?1 IS NULL OR name = ?1",
                                  &st, err);
    if (rc == MD_OK) {
        md_sql_bind(st, "t", model);
        rc = md_sql_collect(s, st, sizeof *ms, model_ref_read, (void **)&ms, &n, err);
    }
    if (rc == MD_OK && model && n == 0)
        rc = md_err_set(err, MD_NOTFOUND, "no model '%s'", model);
    for (size_t i = 0; rc == MD_OK && i < n; i++)
        rc = evaluate_model(s, a->name, ms[i].id, ms[i].name, t, err);
    for (size_t i = 0; i < n; i++)
        free(ms[i].name);
    free(ms);
    md_incident_tally_free(t); /* the counts stay */
    return md_tx_end(s, rc, err);
}
