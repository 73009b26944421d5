#include "ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "json.h"
#include "mem.h"
#include "models.h"
#include "policies.h"
#include "registry_tx.h"
#include "sql.h"

/* Archived versions that were in production once, the most recently in production first, each
 * with whether it left production by a rollback. */
static const char targets_sql[] =
    "SELECT v.number, coalesce((SELECT h.action FROM stage_history h"
    "  WHERE h.version_id = v.id AND h.from_status = 'production' ORDER BY h.id DESC"
    "  LIMIT 1), '') = 'rollback'"
    " FROM versions v JOIN models m ON m.id = v.model_id"
    " WHERE m.name = ?1 AND v.status = 'archived'"
    "   AND EXISTS (SELECT 1 FROM stage_history h WHERE h.version_id = v.id"
    "               AND h.to_status = 'production')"
    " ORDER BY (SELECT max(h.id) FROM stage_history h WHERE h.version_id = v.id"
    "           AND h.to_status = 'production') DESC";

static void target_read(sqlite3_stmt *st, void *elem)
{
    *(md_rollback_target *)elem =
        (md_rollback_target){sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1) != 0};
}

md_status md_rollback_targets(md_store *s, const char *model, md_rollback_target **out, size_t *n,
                              md_err *err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (md_sql_prepare(s, targets_sql, &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "t", model);
    md_status rc = md_sql_collect(s, st, sizeof **out, target_read, (void **)out, n, err);
    if (rc != MD_OK) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

/* The latest of them that did not leave production by a rollback. */
md_status md_last_good(md_store *s, const char *model, int64_t *number, md_err *err)
{
    md_rollback_target *t;
    size_t n;
    *number = 0;
    if (md_rollback_targets(s, model, &t, &n, err) != MD_OK)
        return err->code;
    for (size_t i = 0; i < n && !*number; i++)
        *number = t[i].rolled_back ? 0 : t[i].number;
    free(t);
    return MD_OK;
}

static md_status production_of(md_store *s, const char *model, int64_t *vid, int64_t *number,
                               md_err *err)
{
    sqlite3_stmt *st;
    *vid = *number = 0;
    if (md_sql_prepare(s,
                       "SELECT v.id, v.number FROM versions v JOIN models m ON m.id = v.model_id"
                       " WHERE m.name = ? AND v.status = 'production'",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "t", model);
    bool row;
    md_status rc = md_sql_step(s, st, &row, err);
    if (rc == MD_OK && row) {
        *vid = sqlite3_column_int64(st, 0);
        *number = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return rc;
}

/* The version to return to: --to, which must have served before, or the last good one. */
static md_status pick_target(md_store *s, const char *model, int64_t to, int64_t current,
                             int64_t *vid, int64_t *number, md_err *err)
{
    char status[16];
    if (!to) {
        if (md_last_good(s, model, &to, err) != MD_OK)
            return err->code;
        if (!to)
            return md_err_set(err, MD_REFUSED,
                              "%s has no earlier production version to return to (none, or "
                              "each was itself rolled back); name one with --to, or take the "
                              "model out with --fallback rules|suppress",
                              model);
    }
    if (to == current)
        return md_err_set(err, MD_ERROR, "v%lld is already in production", (long long)to);
    if (md_version_lookup(s, model, to, vid, status, err) != MD_OK)
        return err->code;
    int64_t served = 0;
    if (md_sql_int(s, &served, err,
                   "SELECT count(*) FROM stage_history WHERE version_id = ? AND"
                   " to_status = 'production'",
                   "i", *vid) != MD_OK)
        return err->code;
    if (!served || strcmp(status, "archived") != 0)
        return md_err_set(err, MD_REFUSED,
                          "v%lld is %s and %s been in production; a rollback returns to a "
                          "version that served before",
                          (long long)to, status, served ? "has" : "has never");
    *number = to;
    return MD_OK;
}

static md_status do_rollback(md_store *s, const md_actor *a, const char *model, int64_t to,
                             const char *fallback, const char *reason, json_t *res, md_err *err)
{
    int64_t cur = 0, curnum = 0, vid = 0, target = 0;
    md_status rc = production_of(s, model, &cur, &curnum, err);
    if (rc == MD_OK && !cur && fallback)
        rc = md_err_set(err, MD_ERROR, "%s has no production version to take out", model);
    md_transition t = {a->name, "rollback", reason, false, 0, NULL};
    if (rc == MD_OK && !fallback)
        rc = pick_target(s, model, to, curnum, &vid, &target, err);
    if (rc == MD_OK && cur) /* leaves production by a rollback: never "last good" again */
        rc = md_registry_transition(s, cur, "archived", &t, err);
    if (rc == MD_OK && !fallback)
        rc = md_registry_transition(s, vid, "production", &t, err);
    if (rc == MD_OK)
        rc = md_sql_run(s, err, "UPDATE models SET serving = ? WHERE name = ?", "tt",
                        fallback ? fallback : "model", model);
    json_object_set_new(res, "model", json_string(model));
    json_object_set_new(res, "from", md_json_int_or_null(cur != 0, curnum));
    json_object_set_new(res, "to", md_json_int_or_null(!fallback && target, target));
    json_object_set_new(res, "serving", json_string(fallback ? fallback : "model"));
    return rc;
}

md_status md_rollback(md_store *s, const md_actor *a, const char *model, int64_t to,
                      const char *fallback, const char *reason, json_t **result, md_err *err)
{
    *result = NULL;
    if (fallback && strcmp(fallback, "rules") != 0 && strcmp(fallback, "suppress") != 0)
        return md_err_set(err, MD_INVALID, "--fallback must be rules or suppress");
    if (fallback && to)
        return md_err_set(err, MD_INVALID, "--to and --fallback exclude each other");
    if (md_check_text("--reason", reason, 2048, true, err) != MD_OK)
        return err->code;
    if (md_write_begin(s, a, MD_PERM_OPS_ACTION, err) != MD_OK)
        return err->code;
    int64_t mid;
    md_status rc = md_sql_int(s, &mid, err, "SELECT id FROM models WHERE name = ?", "t", model);
    if (rc == MD_NOTFOUND)
        rc = md_err_set(err, MD_NOTFOUND, "no model '%s'", model);
    json_t *res = json_object();
    if (rc == MD_OK)
        rc = do_rollback(s, a, model, to, fallback, reason, res, err);
    char *object = md_xasprintf("model:%s", model);
    if (rc == MD_OK)
        rc = md_audit_append(s, a->name, fallback ? "rollback.fallback" : "rollback", object,
                             reason, res, NULL, err);
    free(object);
    rc = md_tx_end(s, rc, err);
    if (rc == MD_OK)
        *result = res;
    else
        json_decref(res);
    return rc;
}

/* ---- compare ------------------------------------------------------------------------------------ */

static json_t *nullable_real(sqlite3_stmt *st, int c)
{
    return md_sql_col_null(st, c) ? json_null() : json_real(sqlite3_column_double(st, c));
}

static md_status version_side(md_store *s, const char *model, int64_t number, int n,
                              json_t **out, md_err *err)
{
    int64_t vid;
    char status[16];
    if (md_version_lookup(s, model, number, &vid, status, err) != MD_OK)
        return err->code;
    sqlite3_stmt *st;
    if (md_sql_prepare(
            s,
            "WITH recent AS (SELECT * FROM windows WHERE version_id = ?1 ORDER BY window DESC"
            " LIMIT ?2)"
            " SELECT (SELECT count(*) FROM recent), (SELECT avg(auc) FROM recent),"
            " (SELECT avg(delta_auc) FROM recent), (SELECT avg(ece) FROM recent),"
            " (SELECT avg(brier) FROM recent),"
            " (SELECT max(psi) FROM drift WHERE window_id IN (SELECT id FROM recent)),"
            " (SELECT count(*) FROM incidents WHERE version_id = ?1 AND state <> 'resolved'),"
            " (SELECT auc FROM baselines WHERE version_id = ?1),"
            " (SELECT ece FROM baselines WHERE version_id = ?1),"
            " (SELECT min(window) FROM recent), (SELECT max(window) FROM recent)",
            &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "ii", vid, (int64_t)n);
    bool row;
    md_status rc = md_sql_step(s, st, &row, err);
    if (rc == MD_OK) {
        json_t *o = json_pack("{s:I, s:s, s:I}", "version", (json_int_t)number, "status", status,
                              "windows", (json_int_t)sqlite3_column_int64(st, 0));
        json_object_set_new(o, "auc", nullable_real(st, 1));
        json_object_set_new(o, "delta_auc", nullable_real(st, 2));
        json_object_set_new(o, "ece", nullable_real(st, 3));
        json_object_set_new(o, "brier", nullable_real(st, 4));
        json_object_set_new(o, "max_psi", nullable_real(st, 5));
        json_object_set_new(o, "open_incidents", json_integer(sqlite3_column_int64(st, 6)));
        json_object_set_new(o, "baseline_auc", nullable_real(st, 7));
        json_object_set_new(o, "baseline_ece", nullable_real(st, 8));
        /* The AUC the delta_auc gate uses: recent windows, else the baseline's holdout. */
        bool win = !md_sql_col_null(st, 1), base = !md_sql_col_null(st, 7);
        json_object_set_new(o, "gate_auc", win || base ? json_real(sqlite3_column_double(st, win ? 1 : 7))
                                                      : json_null());
        json_object_set_new(o, "gate_auc_from", win ? json_string("windows")
                                                : base ? json_string("baseline") : json_null());
        json_object_set_new(o, "from", md_json_str_or_null((const char *)sqlite3_column_text(st, 9)));
        json_object_set_new(o, "to", md_json_str_or_null((const char *)sqlite3_column_text(st, 10)));
        *out = o;
    }
    sqlite3_finalize(st);
    return rc;
}

static md_status default_sides(md_store *s, const char *model, int64_t *a, int64_t *b,
                               md_err *err)
{
    int64_t vid;
    md_status rc = MD_OK;
    if (!*b && (rc = production_of(s, model, &vid, b, err)) == MD_OK && !*b)
        rc = md_err_set(err, MD_NOTFOUND, "%s has no production version; name two versions",
                        model);
    if (rc == MD_OK && !*a) {
        rc = md_sql_int(s, a, err,
                        "SELECT v.number FROM versions v JOIN models m ON m.id = v.model_id"
                        " WHERE m.name = ? AND v.status IN ('challenger', 'shadow', 'staging',"
                        " 'candidate') ORDER BY v.number DESC LIMIT 1",
                        "t", model);
        if (rc == MD_NOTFOUND)
            rc = md_err_set(err, MD_NOTFOUND, "%s has no candidate, staging, challenger or "
                                              "shadow version to compare",
                            model);
    }
    return rc;
}

md_status md_compare_json(md_store *s, const char *model, int64_t a, int64_t b, json_t **out,
                          md_err *err)
{
    md_policy p;
    *out = NULL;
    if (md_policy_load(s, model, &p, err) != MD_OK)
        return err->code;
    int n = p.promotion.evidence_windows;
    md_policy_free(&p);
    json_t *ja = NULL, *jb = NULL;
    if (default_sides(s, model, &a, &b, err) != MD_OK ||
        version_side(s, model, a, n, &ja, err) != MD_OK ||
        version_side(s, model, b, n, &jb, err) != MD_OK) {
        json_decref(ja);
        return err->code;
    }
    json_t *aa = json_object_get(ja, "gate_auc"), *ab = json_object_get(jb, "gate_auc");
    json_t *o = json_pack("{s:s, s:I, s:o, s:o}", "model", model, "windows", (json_int_t)n,
                          "candidate", ja, "champion", jb);
    json_object_set_new(o, "auc_vs_champion",
                        json_is_number(aa) && json_is_number(ab)
                            ? json_real(json_number_value(aa) - json_number_value(ab))
                            : json_null());
    *out = o;
    return MD_OK;
}
