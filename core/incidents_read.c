/* The incident queue and one incident, read: the rows of a filter, streamed or as JSON, one
 * incident with its evidence (and why each piece met its rule, core/incidents_why.c) and notes,
 * and the active counts by severity. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "incidents.h"
#include "json.h"
#include "policies.h"
#include "sql.h"

/* Seconds between two stored times, or null. */
static json_t *seconds_between(const char *from, const char *to)
{
    int64_t a, b;
    if (!from || !to || md_time_parse_iso(from, false, &a, NULL) ||
        md_time_parse_iso(to, false, &b, NULL))
        return json_null();
    return json_real((double)(b - a) / 1000.0);
}

#define INCIDENT_SELECT                                                                            \
    "SELECT i.id, m.name, v.number, i.kind, i.key, i.severity, i.state, i.title, i.opened_at,"     \
    " i.acked_at, i.acked_by, i.resolved_at, i.resolved_by, i.assignee, i.snoozed_until,"          \
    " i.last_evidence_at, (SELECT count(*) FROM incident_evidence e WHERE e.incident_id = i.id)"  \
    " FROM incidents i JOIN models m ON m.id = i.model_id"                                         \
    " LEFT JOIN versions v ON v.id = i.version_id "

static const char *col_text(sqlite3_stmt *st, int c)
{
    return (const char *)sqlite3_column_text(st, c);
}

static void read_row(sqlite3_stmt *st, const char *now, md_incident_row *r)
{
    r->id = sqlite3_column_int64(st, 0);
    r->model = col_text(st, 1);
    r->version = md_sql_col_null(st, 2) ? 0 : sqlite3_column_int64(st, 2);
    r->kind = col_text(st, 3);
    r->key = col_text(st, 4);
    r->severity = col_text(st, 5);
    r->state = col_text(st, 6);
    r->title = col_text(st, 7);
    r->opened_at = col_text(st, 8);
    r->acked_at = col_text(st, 9);
    r->acked_by = col_text(st, 10);
    r->resolved_at = col_text(st, 11);
    r->resolved_by = col_text(st, 12);
    r->assignee = col_text(st, 13);
    r->snoozed_until = col_text(st, 14);
    r->snoozed = r->snoozed_until && strcmp(r->snoozed_until, now) > 0;
    r->last_evidence_at = col_text(st, 15);
    r->evidence_count = sqlite3_column_int64(st, 16);
}

static json_t *incident_json(const md_incident_row *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(r->id));
    json_object_set_new(o, "model", md_json_str_or_null(r->model));
    json_object_set_new(o, "version", md_json_int_or_null(r->version > 0, r->version));
    json_object_set_new(o, "kind", md_json_str_or_null(r->kind));
    json_object_set_new(o, "key", md_json_str_or_null(r->key));
    json_object_set_new(o, "severity", md_json_str_or_null(r->severity));
    json_object_set_new(o, "state", md_json_str_or_null(r->state));
    json_object_set_new(o, "title", md_json_str_or_null(r->title));
    json_object_set_new(o, "opened_at", md_json_str_or_null(r->opened_at));
    json_object_set_new(o, "acknowledged_at", md_json_str_or_null(r->acked_at));
    json_object_set_new(o, "acknowledged_by", md_json_str_or_null(r->acked_by));
    json_object_set_new(o, "resolved_at", md_json_str_or_null(r->resolved_at));
    json_object_set_new(o, "resolved_by", md_json_str_or_null(r->resolved_by));
    json_object_set_new(o, "assignee", md_json_str_or_null(r->assignee));
    json_object_set_new(o, "snoozed_until", md_json_str_or_null(r->snoozed_until));
    json_object_set_new(o, "snoozed", json_boolean(r->snoozed));
    json_object_set_new(o, "last_evidence_at", md_json_str_or_null(r->last_evidence_at));
    json_object_set_new(o, "evidence_count", json_integer(r->evidence_count));
    json_object_set_new(o, "time_to_ack_s", seconds_between(r->opened_at, r->acked_at));
    json_object_set_new(o, "time_to_resolve_s", seconds_between(r->opened_at, r->resolved_at));
    return o;
}

md_status md_incidents_each(md_store *s, const md_incident_filter *f, md_incident_fn fn,
                            void *ctx, md_err *err)
{
    char now[MD_TIME_TEXT_MAX];
    md_store_now_text(s, now);
    const char *state = f->state ? f->state : "active";
    static const char *const states[] = {"open", "acknowledged", "resolved", "active", "all"};
    bool known = false;
    for (size_t i = 0; i < 5; i++)
        known |= strcmp(state, states[i]) == 0;
    if (!known)
        return md_err_set(err, MD_INVALID, "state '%s' is not open, acknowledged, resolved, "
                                           "active or all",
                          state);
    char sev[3] = ""; /* P1..P4, in either case */
    if (f->severity) {
        const char *v = f->severity;
        if ((v[0] != 'P' && v[0] != 'p') || v[1] < '1' || v[1] > '4' || v[2])
            return md_err_set(err, MD_INVALID, "severity '%s' is not P1, P2, P3 or P4", v);
        snprintf(sev, sizeof sev, "P%c", v[1]);
    }
    sqlite3_stmt *st;
    if (md_sql_prepare(s,
                       INCIDENT_SELECT
                       "WHERE (?1 IS NULL OR m.name = ?1)"
                       " AND (?2 = 'all' OR (?2 = 'active' AND i.state <> 'resolved')"
                       "      OR i.state = ?2)"
                       " AND (?3 IS NULL OR i.severity = ?3) AND (?4 IS NULL OR i.assignee = ?4)"
                       " AND (?5 OR i.snoozed_until IS NULL OR i.snoozed_until <= ?6)"
                       " ORDER BY i.severity, i.opened_at, i.id",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "ttttit", f->model, state, f->severity ? sev : NULL, f->assignee,
                (int64_t)f->include_snoozed, now);
    md_status rc = MD_OK;
    for (bool row = true; rc == MD_OK;) {
        rc = md_sql_step(s, st, &row, err);
        if (rc != MD_OK || !row)
            break;
        md_incident_row r;
        read_row(st, now, &r);
        if (fn(ctx, &r) != 0)
            break;
    }
    sqlite3_finalize(st);
    return rc;
}

static int append_json(void *ctx, const md_incident_row *r)
{
    json_array_append_new(ctx, incident_json(r));
    return 0;
}

md_status md_incidents_list(md_store *s, const md_incident_filter *f, json_t **out, md_err *err)
{
    json_t *a = json_array();
    md_status rc = md_incidents_each(s, f, append_json, a, err);
    if (rc != MD_OK)
        json_decref(a);
    *out = rc == MD_OK ? a : NULL;
    return rc;
}

static md_status append_rows(md_store *s, const char *sql, int64_t id, json_t *into,
                             const char *const *keys, int ncols, md_err *err)
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
        for (int c = 0; c < ncols; c++) {
            json_t *v = sqlite3_column_type(st, c) == SQLITE_INTEGER
                            ? json_integer(sqlite3_column_int64(st, c))
                            : md_json_str_or_null(col_text(st, c));
            if (strcmp(keys[c], "detail") == 0) {
                json_decref(v);
                v = md_json_load_or_string((const char *)sqlite3_column_text(st, c));
            }
            json_object_set_new(o, keys[c], v);
        }
        json_array_append_new(into, o);
    }
    sqlite3_finalize(st);
    return rc;
}

md_status md_incident_show(md_store *s, int64_t id, json_t **out, md_err *err)
{
    char now[MD_TIME_TEXT_MAX];
    md_store_now_text(s, now);
    sqlite3_stmt *st;
    *out = NULL;
    md_status rc = md_sql_row_by_id(s, INCIDENT_SELECT "WHERE i.id = ?", id, "incident", &st, err);
    json_t *o = NULL;
    if (rc == MD_OK) {
        md_incident_row r;
        read_row(st, now, &r);
        o = incident_json(&r);
    }
    sqlite3_finalize(st);
    if (rc != MD_OK)
        return rc;
    static const char *const ev[] = {"version", "window_kind", "window", "feature",
                                     "severity", "at", "detail"};
    static const char *const notes[] = {"at", "actor", "text"};
    json_t *e = json_array(), *n = json_array();
    rc = append_rows(s,
                     "SELECT v.number, e.window_kind, e.window, e.feature, e.severity, e.at,"
                     " e.detail FROM incident_evidence e LEFT JOIN versions v"
                     " ON v.id = e.version_id WHERE e.incident_id = ? ORDER BY e.window, e.feature",
                     id, e, ev, 7, err);
    if (rc == MD_OK)
        rc = append_rows(s, "SELECT at, actor, text FROM incident_notes WHERE incident_id = ?"
                            " ORDER BY id",
                         id, n, notes, 3, err);
    md_policy p;
    if (rc == MD_OK && (rc = md_policy_load(s, md_json_text(o, "model"), &p, err)) == MD_OK) {
        size_t i; /* why each piece met its rule, under the policy now in force */
        json_t *x;
        json_array_foreach(e, i, x)
        {
            char why[512];
            md_incident_why(md_json_text(o, "kind"), json_object_get(x, "detail"), &p, why,
                            sizeof why);
            json_object_set_new(x, "reason", json_string(why));
        }
        md_policy_free(&p);
    }
    json_object_set_new(o, "evidence", e);
    json_object_set_new(o, "notes", n);
    if (rc != MD_OK)
        json_decref(o);
    *out = rc == MD_OK ? o : NULL;
    return rc;
}

md_status md_incident_counts(md_store *s, int64_t out[5], md_err *err)
{
    char now[MD_TIME_TEXT_MAX];
    md_store_now_text(s, now);
    memset(out, 0, 5 * sizeof *out);
    sqlite3_stmt *st;
    if (md_sql_prepare(s,
                       "SELECT t.severity, sum(t.active) - (SELECT count(*) FROM incidents i"
                       " WHERE i.snoozed_until > ?1 AND i.severity = t.severity AND"
                       " i.state <> 'resolved') FROM incident_tally t GROUP BY t.severity",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "t", now);
    md_status rc = MD_OK;
    for (bool row = true; rc == MD_OK;) {
        rc = md_sql_step(s, st, &row, err);
        if (rc != MD_OK || !row)
            break;
        const char *sev = (const char *)sqlite3_column_text(st, 0);
        out[sev[1] - '0'] = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return rc;
}
