/* Promotion requests, read: the list (a request past its TTL reads as expired from that moment,
 * before the store marks it), one request with its gate tables, decisions and overrides, and the
 * overrides ever recorded on a version. The writing side is core/promotions.c. */
#include <string.h>

#include "json.h"
#include "promotions.h"
#include "registry_tx.h"
#include "sql.h"

#define REQUEST_SELECT                                                                             \
    "SELECT r.id, m.name, v.number, r.target, CASE WHEN r.state = 'pending' AND"                   \
    " r.expires_at <= ?1 THEN 'expired' ELSE r.state END, r.requested_by, r.requested_at,"         \
    " r.reason, r.expires_at, r.approvals_required, r.gates_at_request, r.gates_at_execution,"     \
    " r.decided_at, (SELECT count(*) FROM approvals a WHERE a.request_id = r.id AND"               \
    " a.decision = 'approve'), r.withdrawn_by, r.withdraw_reason"                                  \
    " FROM requests r JOIN models m ON m.id = r.model_id"                                          \
    " JOIN versions v ON v.id = r.version_id "

static json_t *str_col(sqlite3_stmt *st, int c)
{
    return md_json_str_or_null((const char *)sqlite3_column_text(st, c));
}

static json_t *request_row(sqlite3_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
    json_object_set_new(o, "model", str_col(st, 1));
    json_object_set_new(o, "version", json_integer(sqlite3_column_int64(st, 2)));
    json_object_set_new(o, "to", str_col(st, 3));
    json_object_set_new(o, "state", str_col(st, 4));
    json_object_set_new(o, "requested_by", str_col(st, 5));
    json_object_set_new(o, "requested_at", str_col(st, 6));
    json_object_set_new(o, "reason", str_col(st, 7));
    json_object_set_new(o, "expires_at", str_col(st, 8));
    json_object_set_new(o, "approvals_required", json_integer(sqlite3_column_int64(st, 9)));
    json_object_set_new(o, "approvals", json_integer(sqlite3_column_int64(st, 13)));
    json_object_set_new(o, "gates_at_request",
                        md_json_load_or_string((const char *)sqlite3_column_text(st, 10)));
    json_object_set_new(o, "gates_at_execution",
                        md_json_load_or_string((const char *)sqlite3_column_text(st, 11)));
    json_object_set_new(o, "decided_at", str_col(st, 12));
    json_object_set_new(o, "withdrawn_by", str_col(st, 14));
    json_object_set_new(o, "withdraw_reason", str_col(st, 15));
    return o;
}

md_status md_requests_list(md_store *s, const char *model, const char *state, json_t **out,
                           md_err *err)
{
    char now[MD_TIME_TEXT_MAX];
    md_store_now_text(s, now);
    sqlite3_stmt *st;
    *out = NULL;
    if (md_sql_prepare(s, REQUEST_SELECT "ORDER BY r.id DESC", &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "t", now);
    json_t *a = json_array();
    md_status rc = MD_OK;
    for (bool row = true; rc == MD_OK;) {
        rc = md_sql_step(s, st, &row, err);
        if (rc != MD_OK || !row)
            break;
        json_t *o = request_row(st);
        const char *m = json_string_value(json_object_get(o, "model"));
        const char *stt = json_string_value(json_object_get(o, "state"));
        if ((model && strcmp(m, model) != 0) || (state && strcmp(state, "all") != 0 &&
                                                 strcmp(stt, state) != 0))
            json_decref(o);
        else
            json_array_append_new(a, o);
    }
    sqlite3_finalize(st);
    if (rc != MD_OK)
        json_decref(a);
    else
        *out = a;
    return rc;
}

/* The rows of a query of four text columns about request `id`, each an object with those keys. */
static md_status text_rows(md_store *s, const char *sql, int64_t id, const char *const keys[4],
                           json_t *into, md_err *err)
{
    sqlite3_stmt *st;
    if (md_sql_prepare(s, sql, &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "i", id);
    md_status rc = MD_OK;
    for (bool row = true; rc == MD_OK;) {
        rc = md_sql_step(s, st, &row, err);
        if (rc != MD_OK || !row)
            break;
        json_t *o = json_object();
        for (int c = 0; c < 4; c++)
            json_object_set_new(o, keys[c], str_col(st, c));
        json_array_append_new(into, o);
    }
    sqlite3_finalize(st);
    return rc;
}

md_status md_request_show(md_store *s, int64_t id, json_t **out, md_err *err)
{
    char now[MD_TIME_TEXT_MAX];
    md_store_now_text(s, now);
    sqlite3_stmt *st;
    *out = NULL;
    if (md_sql_prepare(s, REQUEST_SELECT "WHERE r.id = ?2", &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "ti", now, id);
    bool row;
    md_status rc = md_sql_step(s, st, &row, err);
    if (rc == MD_OK && !row)
        rc = md_err_set(err, MD_NOTFOUND, "no promotion request %lld", (long long)id);
    json_t *o = rc == MD_OK ? request_row(st) : NULL;
    sqlite3_finalize(st);
    json_t *dec = json_array(), *ov = json_array();
    static const char *const decision_keys[4] = {"approver", "decision", "at", "comment"},
                             *override_keys[4] = {"gate", "actor", "at", "reason"};
    if (rc == MD_OK)
        rc = text_rows(s,
                       "SELECT approver, decision, at, comment FROM approvals WHERE request_id = ?"
                       " ORDER BY at",
                       id, decision_keys, dec, err);
    if (rc == MD_OK)
        rc = text_rows(s, "SELECT gate, actor, at, reason FROM gate_overrides WHERE request_id = ?",
                       id, override_keys, ov, err);
    if (o) {
        json_object_set_new(o, "decisions", dec);
        json_object_set_new(o, "overrides", ov);
    } else {
        json_decref(dec);
        json_decref(ov);
    }
    if (rc != MD_OK)
        json_decref(o);
    else
        *out = o;
    return rc;
}

md_status md_version_overrides(md_store *s, const char *model, int64_t number, json_t **out,
                               md_err *err)
{
    int64_t vid;
    char status[16];
    *out = NULL;
    if (md_version_lookup(s, model, number, &vid, status, err) != MD_OK)
        return err->code;
    sqlite3_stmt *st;
    if (md_sql_prepare(s,
                       "SELECT gate, request_id, actor, at, reason FROM gate_overrides"
                       " WHERE version_id = ? ORDER BY id",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "i", vid);
    json_t *a = json_array();
    md_status rc = MD_OK;
    for (bool row = true; rc == MD_OK;) {
        rc = md_sql_step(s, st, &row, err);
        if (rc != MD_OK || !row)
            break;
        json_array_append_new(
            a, json_pack("{s:s, s:I, s:s, s:s, s:s}", "gate", sqlite3_column_text(st, 0),
                         "request", (json_int_t)sqlite3_column_int64(st, 1), "actor",
                         sqlite3_column_text(st, 2), "at", sqlite3_column_text(st, 3), "reason",
                         sqlite3_column_text(st, 4)));
    }
    sqlite3_finalize(st);
    if (rc == MD_OK)
        *out = a;
    else
        json_decref(a);
    return rc;
}
