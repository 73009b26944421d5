/* Retrain proposals: the policy's rule over a model's production windows opens one (drift on
 * enough features for enough consecutive windows), and an operator accepts it, which queues the
 * retrain it proposes, or dismisses it; each in one audited transaction (core/proposals.h). */
#include "proposals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "jobs.h"
#include "json.h"
#include "models.h"
#include "policies.h"
#include "sql.h"

md_status md_proposals_check(md_store *s, const char *actor, int64_t mid, const char *model,
                             const md_policy *p, bool *opened, md_err *err)
{
    *opened = false;
    int m = p->retrain.consecutive_windows, k = p->retrain.min_alert_features;
    sqlite3_stmt *st;
    if (md_sql_prepare(s,
                       "SELECT w.window, (SELECT count(*) FROM drift d WHERE d.window_id = w.id"
                       " AND d.status = 'alert') FROM windows w JOIN versions v"
                       " ON v.id = w.version_id WHERE v.model_id = ? AND v.status = 'production'"
                       " ORDER BY w.window DESC LIMIT ?",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "ii", mid, (int64_t)m);
    json_t *ev = json_array();
    int seen = 0, hot = 0;
    md_status rc = MD_OK;
    for (bool row = true; rc == MD_OK;) {
        rc = md_sql_step(s, st, &row, err);
        if (rc != MD_OK || !row)
            break;
        seen++;
        hot += sqlite3_column_int64(st, 1) >= k;
        json_array_append_new(ev, json_pack("{s:s, s:I}", "window",
                                            (const char *)sqlite3_column_text(st, 0),
                                            "alerting_features",
                                            (json_int_t)sqlite3_column_int64(st, 1)));
    }
    sqlite3_finalize(st);
    int64_t open_now = 0;
    if (rc == MD_OK && seen == m && hot == m)
        rc = md_sql_int(s, &open_now, err,
                        "SELECT count(*) FROM proposals WHERE model_id = ? AND state = 'open'", "i",
                        mid);
    if (rc == MD_OK && seen == m && hot == m && !open_now) {
        char at[MD_TIME_TEXT_MAX], obj[32], *text = md_json_canonical(ev);
        md_store_now_text(s, at);
        rc = md_sql_run(s, err,
                        "INSERT INTO proposals(model_id, state, created_at, evidence)"
                        " VALUES (?, 'open', ?, ?)",
                        "itt", mid, at, text);
        snprintf(obj, sizeof obj, "proposal:%lld",
                 (long long)sqlite3_last_insert_rowid(md_store_db(s)));
        json_t *d = json_pack("{s:s, s:O}", "model", model, "windows", ev);
        if (rc == MD_OK)
            rc = md_audit_append(s, actor, "proposal.open", obj,
                                 "the retrain rule holds: drift on enough features for enough "
                                 "windows",
                                 d, NULL, err);
        json_decref(d);
        free(text);
        *opened = rc == MD_OK;
    }
    json_decref(ev);
    return rc;
}

typedef struct {
    int64_t id, model_id;
    char state[16];
    char *model;
} proposal_ref;

static md_status load_proposal(md_store *s, int64_t id, proposal_ref *r, md_err *err)
{
    sqlite3_stmt *st;
    memset(r, 0, sizeof *r);
    md_status rc =
        md_sql_row_by_id(s,
                         "SELECT p.model_id, p.state, m.name FROM proposals p JOIN models m"
                         " ON m.id = p.model_id WHERE p.id = ?",
                         id, "proposal", &st, err);
    if (rc == MD_OK) {
        r->id = id;
        r->model_id = sqlite3_column_int64(st, 0);
        snprintf(r->state, sizeof r->state, "%s", (const char *)sqlite3_column_text(st, 1));
        r->model = md_sql_col_text(st, 2);
    }
    sqlite3_finalize(st);
    if (rc == MD_OK && strcmp(r->state, "open") != 0)
        rc = md_err_set(err, MD_ERROR, "proposal %lld is %s, not open", (long long)id, r->state);
    return rc;
}

static md_status decide_proposal(md_store *s, const md_actor *a, int64_t id, const char *reason,
                                 bool accept, int64_t *job, md_err *err)
{
    if (md_check_text("--reason", reason, 2048, true, err) != MD_OK)
        return err->code;
    proposal_ref r;
    md_policy p = {0};
    md_status rc = load_proposal(s, id, &r, err); /* the model, for its policy */
    if (rc == MD_OK && accept)
        rc = md_policy_load(s, r.model, &p, err);
    free(r.model);
    if (rc == MD_OK)
        rc = md_write_begin(s, a, MD_PERM_OPS_ACTION, err);
    if (rc != MD_OK) {
        md_policy_free(&p);
        return rc;
    }
    char at[MD_TIME_TEXT_MAX], obj[32];
    md_store_now_text(s, at);
    rc = load_proposal(s, id, &r, err); /* still open, now inside the write */
    if (rc == MD_OK && accept)
        rc = md_job_queue(s, a->name, r.model_id, r.model, p.retrain.backend, reason, id, job, err);
    if (rc == MD_OK)
        rc = md_sql_run(s, err,
                        "UPDATE proposals SET state = ?, decided_at = ?, decided_by = ?, job_id = ?"
                        " WHERE id = ?",
                        "tttIi", accept ? "accepted" : "dismissed", at, a->name, (int)accept,
                        accept ? *job : 0, id);
    snprintf(obj, sizeof obj, "proposal:%lld", (long long)id);
    if (rc == MD_OK)
        rc = md_audit_append(s, a->name, accept ? "proposal.accept" : "proposal.dismiss", obj,
                             reason, NULL, NULL, err);
    free(r.model);
    md_policy_free(&p);
    return md_tx_end(s, rc, err);
}

md_status md_proposal_accept(md_store *s, const md_actor *a, int64_t id, const char *reason,
                             int64_t *job, md_err *err)
{
    return decide_proposal(s, a, id, reason, true, job, err);
}

md_status md_proposal_dismiss(md_store *s, const md_actor *a, int64_t id, const char *reason,
                              md_err *err)
{
    int64_t none = 0;
    return decide_proposal(s, a, id, reason, false, &none, err);
}

md_status md_proposals_list(md_store *s, const char *model, const char *state, json_t **out,
                            md_err *err)
{
    sqlite3_stmt *st;
    *out = NULL;
    if (md_sql_prepare(s,
                       "SELECT p.id, m.name, p.state, p.created_at, p.evidence, p.decided_at,"
                       " p.decided_by, p.job_id FROM proposals p JOIN models m"
                       " ON m.id = p.model_id WHERE (?1 IS NULL OR m.name = ?1)"
                       " AND (?2 IS NULL OR ?2 = 'all' OR p.state = ?2) ORDER BY p.id DESC",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "tt", model, state);
    json_t *a = json_array();
    md_status rc = MD_OK;
    for (bool row = true; rc == MD_OK;) {
        rc = md_sql_step(s, st, &row, err);
        if (rc != MD_OK || !row)
            break;
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
        json_object_set_new(o, "model", md_json_str_or_null((const char *)sqlite3_column_text(st, 1)));
        json_object_set_new(o, "state", md_json_str_or_null((const char *)sqlite3_column_text(st, 2)));
        json_object_set_new(o, "created_at",
                            md_json_str_or_null((const char *)sqlite3_column_text(st, 3)));
        json_object_set_new(o, "evidence",
                            md_json_load_or_string((const char *)sqlite3_column_text(st, 4)));
        json_object_set_new(o, "decided_at",
                            md_json_str_or_null((const char *)sqlite3_column_text(st, 5)));
        json_object_set_new(o, "decided_by",
                            md_json_str_or_null((const char *)sqlite3_column_text(st, 6)));
        json_object_set_new(o, "job", md_json_int_or_null(!md_sql_col_null(st, 7),
                                                          sqlite3_column_int64(st, 7)));
        json_array_append_new(a, o);
    }
    sqlite3_finalize(st);
    if (rc == MD_OK)
        *out = a;
    else
        json_decref(a);
    return rc;
}
