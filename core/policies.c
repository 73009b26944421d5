#include "policies.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "json.h"
#include "mem.h"
#include "models.h"
#include "sql.h"

static json_t *defaults(void)
{
    json_t *d = json_loads(md_policy_default_text(), 0, NULL);
    if (!d)
        md_fatal("the built-in default policy is not JSON");
    return d;
}

/* The latest override of model `mid`, or NULL. */
static md_status latest_override(md_store *s, int64_t mid, json_t **doc, int64_t *rev,
                                 md_err *err)
{
    sqlite3_stmt *st;
    *doc = NULL;
    *rev = 0;
    if (md_sql_prepare(s,
                       "SELECT revision, document FROM policies WHERE model_id = ?"
                       " ORDER BY revision DESC LIMIT 1",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "i", mid);
    bool row;
    md_status rc = md_sql_step(s, st, &row, err);
    if (rc == MD_OK && row) {
        *rev = sqlite3_column_int64(st, 0);
        *doc = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL);
    }
    sqlite3_finalize(st);
    return rc;
}

md_status md_policy_document(md_store *s, const char *model, json_t **doc, int64_t *revision,
                             md_err *err)
{
    json_t *base = defaults(), *over = NULL;
    *revision = 0;
    *doc = NULL;
    if (model) {
        int64_t mid;
        md_status rc = md_sql_int(s, &mid, err, "SELECT id FROM models WHERE name = ?", "t", model);
        if (rc == MD_NOTFOUND)
            rc = md_err_set(err, MD_NOTFOUND, "no model '%s'", model);
        if (rc == MD_OK)
            rc = latest_override(s, mid, &over, revision, err);
        if (rc != MD_OK) {
            json_decref(base);
            return rc;
        }
    }
    *doc = over ? md_policy_merge(base, over) : json_incref(base);
    json_decref(base);
    json_decref(over);
    return MD_OK;
}

md_status md_policy_load(md_store *s, const char *model, md_policy *out, md_err *err)
{
    json_t *doc;
    int64_t rev;
    memset(out, 0, sizeof *out);
    if (md_policy_document(s, model, &doc, &rev, err) != MD_OK)
        return err->code;
    md_status rc = md_policy_parse(doc, model ? "the model's policy" : "the default policy", out,
                                   err);
    json_decref(doc);
    return rc;
}

md_status md_policy_set(md_store *s, const md_actor *a, const char *model, const char *path,
                        const char *reason, int64_t *revision, md_restatus *changed, md_err *err)
{
    md_restatus restated = {0, 0, 0, 0, false};
    json_t *over;
    if (md_json_load_path(path, &over, err) != MD_OK)
        return err->code;
    json_t *base = defaults(), *merged = md_policy_merge(base, over);
    md_policy check = {0};
    md_status rc = json_is_object(over)
                       ? md_policy_parse(merged, path, &check, err)
                       : md_err_set(err, MD_INVALID, "%s: expected a JSON object", path);
    json_decref(base);
    json_decref(merged);
    if (rc == MD_OK && md_write_begin(s, a, MD_PERM_POLICY_WRITE, err) == MD_OK) {
        int64_t mid = 0, next = 0;
        rc = md_sql_int(s, &mid, err, "SELECT id FROM models WHERE name = ?", "t", model);
        if (rc == MD_NOTFOUND)
            rc = md_err_set(err, MD_NOTFOUND, "no model '%s'", model);
        if (rc == MD_OK)
            rc = md_sql_int(s, &next, err,
                            "SELECT coalesce(max(revision), 0) + 1 FROM policies WHERE model_id = ?",
                            "i", mid);
        md_policy was = {0}; /* the one in force until now */
        if (rc == MD_OK)
            rc = md_policy_load(s, model, &was, err);
        char at[MD_TIME_TEXT_MAX], *text = md_json_canonical(over);
        md_store_now_text(s, at);
        if (rc == MD_OK)
            rc = md_sql_run(s, err,
                            "INSERT INTO policies(model_id, revision, document, at, actor, reason)"
                            " VALUES (?,?,?,?,?,?)",
                            "iitttt", mid, next, text, at, a->name, reason ? reason : "");
        /* the windows already stored take the new thresholds in the same transaction */
        if (rc == MD_OK)
            rc = md_drift_restatus(s, mid, &check.drift, &restated, err);
        restated.figures_kept = rc == MD_OK && restated.examined > 0 &&
                                (was.drift.psi_null_quantile != check.drift.psi_null_quantile ||
                                 was.drift.psi_min_rows != check.drift.psi_min_rows);
        md_policy_free(&was);
        char *object = md_xasprintf("model:%s", model);
        json_t *d =
            json_pack("{s:I, s:O, s:{s:I, s:I, s:I, s:b}}", "revision", (json_int_t)next,
                      "override", over, "drift_statuses", "raised", (json_int_t)restated.raised,
                      "lowered", (json_int_t)restated.lowered, "windows",
                      (json_int_t)restated.windows, "stored_figures_kept", restated.figures_kept);
        if (rc == MD_OK)
            rc = md_audit_append(s, a->name, "policy.set", object, reason, d, NULL, err);
        json_decref(d);
        free(object);
        free(text);
        rc = md_tx_end(s, rc, err);
        *revision = next;
    } else if (rc == MD_OK) {
        rc = err->code;
    }
    md_policy_free(&check);
    json_decref(over);
    if (changed)
        *changed = rc == MD_OK ? restated : (md_restatus){0, 0, 0, 0, false};
    return rc;
}
