#include "versions.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "clock.h"
#include "json.h"
#include "mem.h"
#include "models.h"
#include "registry_tx.h"
#include "sql.h"
#include "text.h"

static const char *const status_names[] = {
#define MD_X(id, name, what) name,
    MD_VERSION_STATUSES(MD_X)
#undef MD_X
};

bool md_version_status_valid(const char *name)
{
    for (size_t i = 0; name && i < sizeof status_names / sizeof status_names[0]; i++)
        if (strcmp(name, status_names[i]) == 0)
            return true;
    return false;
}

/* ---- validation: a spec as the caller gave it -> the values we store --------------------- */

typedef struct {
    char *artifact_sha256, *data_sha256, *data_from, *data_to, *params, *metrics;
} clean_spec;

static void clean_free(clean_spec *c)
{
    free(c->artifact_sha256);
    free(c->data_sha256);
    free(c->data_from);
    free(c->data_to);
    free(c->params);
    free(c->metrics);
}

static md_status clean_sha(const char *field, const char *in, char **out, md_err *err)
{
    if (!in)
        return MD_OK;
    if (!md_valid_sha256_hex(in))
        return md_err_set(err, MD_INVALID,
                          "%s: '%.80s' is not a SHA-256 digest (64 hexadecimal digits)", field,
                          in);
    *out = md_xstrdup(in);
    md_ascii_lower(*out);
    return MD_OK;
}

static md_status clean_time(const char *field, const char *in, char **out, int64_t *ms,
                            md_err *err)
{
    if (!in)
        return MD_OK;
    if (md_time_parse_iso(in, false, ms, err) != MD_OK)
        return md_err_prefix(err, "%s", field);
    char text[MD_TIME_TEXT_MAX];
    md_time_format(*ms, text);
    *out = md_xstrdup(text);
    return MD_OK;
}

static md_status check_plain_fields(const md_version_spec *v, md_err *err)
{
    if (md_check_text("--artifact", v->artifact_uri, 2048, true, err) ||
        md_check_text("--data", v->data_uri, 2048, false, err) ||
        md_check_text("--code-ref", v->code_ref, 256, false, err) ||
        md_check_text("--notes", v->notes, 8192, false, err))
        return err->code;
    if (v->has_threshold && !(isfinite(v->threshold) && v->threshold >= 0 && v->threshold <= 1))
        return md_err_set(err, MD_INVALID, "--threshold: %g is outside [0, 1]", v->threshold);
    return MD_OK;
}

static md_status clean(const md_version_spec *v, clean_spec *c, md_err *err)
{
    memset(c, 0, sizeof *c);
    int64_t from = 0, to = 0;
    if (check_plain_fields(v, err) ||
        clean_sha("--sha256", v->artifact_sha256, &c->artifact_sha256, err) ||
        clean_sha("--data-sha256", v->data_sha256, &c->data_sha256, err) ||
        clean_time("--data-from", v->data_from, &c->data_from, &from, err) ||
        clean_time("--data-to", v->data_to, &c->data_to, &to, err) ||
        (v->params && md_json_canonical_object(v->params, "--params", &c->params, err)) ||
        (v->metrics && md_json_canonical_object(v->metrics, "--metrics", &c->metrics, err))) {
        clean_free(c);
        return err->code;
    }
    if (c->data_from && c->data_to && from > to) {
        clean_free(c);
        return md_err_set(err, MD_INVALID, "--data-from is after --data-to");
    }
    return MD_OK;
}

/* ---- adding ------------------------------------------------------------------------------ */

static md_status stage_event(md_store *s, int64_t version_id, const char *from, const char *to,
                             const char *actor, const char *reason, const char *action,
                             int64_t seq, md_err *err)
{
    char at[MD_TIME_TEXT_MAX];
    md_store_now_text(s, at);
    return md_sql_run(s, err,
                      "INSERT INTO stage_history(version_id, from_status, to_status, at, actor,"
                      " reason, audit_seq, action) VALUES (?,?,?,?,?,?,?,?)",
                      "itttttIt", version_id, from, to, at, actor, reason ? reason : "", 1, seq,
                      action);
}

static json_t *add_details(const md_version_spec *v, const clean_spec *c)
{
    json_t *d = json_object();
    json_object_set_new(d, "artifact_uri", md_json_str_or_null(v->artifact_uri));
    json_object_set_new(d, "artifact_sha256", md_json_str_or_null(c->artifact_sha256));
    json_object_set_new(d, "data_uri", md_json_str_or_null(v->data_uri));
    json_object_set_new(d, "data_sha256", md_json_str_or_null(c->data_sha256));
    json_object_set_new(d, "code_ref", md_json_str_or_null(v->code_ref));
    json_object_set_new(d, "threshold",
                        v->has_threshold ? json_real(v->threshold) : json_null());
    return d;
}

static md_status insert_version(md_store *s, const md_actor *a, int64_t model_id, int64_t number,
                                const md_version_spec *v, const clean_spec *c, md_err *err)
{
    char at[MD_TIME_TEXT_MAX];
    md_store_now_text(s, at);
    return md_sql_run(s, err,
                      "INSERT INTO versions(model_id, number, created_at, created_by,"
                      " artifact_uri, artifact_sha256, data_uri, data_sha256, data_from, data_to,"
                      " code_ref, params, threshold, metrics, notes, status_at)"
                      " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                      "iitttttttttt" "Dttt", model_id, number, at, a->name, v->artifact_uri,
                      c->artifact_sha256, v->data_uri, c->data_sha256, c->data_from, c->data_to,
                      v->code_ref, c->params, (int)v->has_threshold, v->threshold, c->metrics,
                      v->notes, at);
}

static md_status model_id(md_store *s, const char *model, int64_t *id, md_err *err)
{
    md_status rc = md_sql_int(s, id, err, "SELECT id FROM models WHERE name = ?", "t", model);
    if (rc == MD_NOTFOUND)
        return md_err_set(err, MD_NOTFOUND, "no model '%s' (see 'modeldeck model list')", model);
    return rc;
}

md_status md_version_add(md_store *s, const md_actor *actor, const char *model,
                         const md_version_spec *v, const char *reason, int64_t *number,
                         md_err *err)
{
    clean_spec c;
    if (clean(v, &c, err) != MD_OK)
        return err->code;
    if (md_write_begin(s, actor, MD_PERM_VERSION_WRITE, err) != MD_OK) {
        clean_free(&c);
        return err->code;
    }
    int64_t mid = 0, num = 0, seq = 0;
    md_status rc = model_id(s, model, &mid, err);
    if (rc == MD_OK)
        rc = md_sql_int(s, &num, err,
                        "SELECT coalesce(max(number), 0) + 1 FROM versions WHERE model_id = ?",
                        "i", mid);
    if (rc == MD_OK)
        rc = insert_version(s, actor, mid, num, v, &c, err);
    int64_t vid = sqlite3_last_insert_rowid(md_store_db(s));
    char *object = md_xasprintf("version:%s/%lld", model, (long long)num);
    json_t *d = add_details(v, &c);
    if (rc == MD_OK)
        rc = md_audit_append(s, actor->name, "version.add", object, reason, d, &seq, err);
    if (rc == MD_OK)
        rc = stage_event(s, vid, NULL, "candidate", actor->name, reason, "version.add", seq,
                         err);
    json_decref(d);
    free(object);
    clean_free(&c);
    rc = md_tx_end(s, rc, err);
    if (rc == MD_OK && number)
        *number = num;
    return rc;
}

/* ---- stage moves ------------------------------------------------------------------------- */

md_status md_version_lookup(md_store *s, const char *model, int64_t number, int64_t *id,
                            char status[16], md_err *err)
{
    int64_t mid;
    if (model_id(s, model, &mid, err) != MD_OK)
        return err->code;
    sqlite3_stmt *st;
    if (md_sql_prepare(s, "SELECT id, status FROM versions WHERE model_id = ? AND number = ?",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "ii", mid, number);
    bool row;
    md_status rc = md_sql_step(s, st, &row, err);
    if (rc == MD_OK && !row)
        rc = md_err_set(err, MD_NOTFOUND, "model '%s' has no version %lld", model,
                        (long long)number);
    if (rc == MD_OK) {
        *id = sqlite3_column_int64(st, 0);
        snprintf(status, 16, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    return rc;
}

/* "staging, challenger or archived": where a version in `from` may go. */
static void legal_targets(md_store *s, const char *from, char *buf, size_t cap)
{
    sqlite3_stmt *st;
    md_err ignored;
    snprintf(buf, cap, "nowhere: it is final");
    if (md_sql_prepare(s, "SELECT to_status FROM status_transitions WHERE from_status = ?", &st,
                       &ignored) != MD_OK)
        return;
    md_sql_bind(st, "t", from);
    size_t o = 0;
    while (sqlite3_step(st) == SQLITE_ROW && o < cap)
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", o ? ", " : "",
                              (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

md_status md_registry_check_move(md_store *s, const char *label, const char *from, const char *to,
                                 md_err *err)
{
    if (strcmp(from, to) == 0)
        return md_err_set(err, MD_ERROR, "%s is already %s", label, to);
    int64_t ok = 0;
    if (md_sql_int(s, &ok, err,
                   "SELECT count(*) FROM status_transitions WHERE from_status = ? AND"
                   " to_status = ?",
                   "tt", from, to) != MD_OK)
        return err->code;
    if (ok)
        return MD_OK;
    char legal[160];
    legal_targets(s, from, legal, sizeof legal);
    return md_err_set(err, MD_REFUSED, "%s is %s and cannot move to %s (it may go to: %s)", label,
                      from, to, legal);
}

typedef struct {
    int64_t model_id, number;
    char *model, *status;
} version_ref;

static md_status version_ref_read(md_store *s, int64_t vid, version_ref *r, md_err *err)
{
    sqlite3_stmt *st;
    memset(r, 0, sizeof *r);
    if (md_sql_prepare(s,
                       "SELECT v.model_id, v.number, m.name, v.status FROM versions v"
                       " JOIN models m ON m.id = v.model_id WHERE v.id = ?",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "i", vid);
    bool row;
    md_status rc = md_sql_step(s, st, &row, err);
    if (rc == MD_OK && !row)
        rc = md_err_set(err, MD_NOTFOUND, "no version with id %lld", (long long)vid);
    if (rc == MD_OK) {
        r->model_id = sqlite3_column_int64(st, 0);
        r->number = sqlite3_column_int64(st, 1);
        r->model = md_sql_col_text(st, 2);
        r->status = md_sql_col_text(st, 3);
    }
    sqlite3_finalize(st);
    return rc;
}

static json_t *transition_details(const version_ref *r, const char *to, const md_transition *t)
{
    json_t *d = json_pack("{s:s, s:s}", "from", r->status, "to", to);
    if (t->has_share)
        json_object_set_new(d, "traffic_share", json_real(t->share));
    if (t->extra)
        json_object_update(d, (json_t *)t->extra);
    return d;
}

static md_status archive_current_production(md_store *s, const version_ref *r,
                                            const md_transition *t, md_err *err)
{
    int64_t other = 0;
    md_status rc = md_sql_int(s, &other, err,
                              "SELECT id FROM versions WHERE model_id = ? AND"
                              " status = 'production'",
                              "i", r->model_id);
    if (rc == MD_NOTFOUND)
        return MD_OK;
    if (rc != MD_OK)
        return rc;
    char *why = md_xasprintf("replaced by version %lld: %s", (long long)r->number,
                             t->reason ? t->reason : "");
    md_transition sub = {t->actor, t->action, why, false, 0, NULL};
    rc = md_registry_transition(s, other, "archived", &sub, err);
    free(why);
    return rc;
}

md_status md_registry_transition(md_store *s, int64_t vid, const char *to, const md_transition *t,
                                 md_err *err)
{
    if (!md_tx_active(s))
        md_fatal("md_registry_transition outside a transaction");
    version_ref r;
    md_status rc = version_ref_read(s, vid, &r, err);
    char *label = md_xasprintf("version %s/%lld", r.model ? r.model : "?", (long long)r.number);
    if (rc == MD_OK)
        rc = md_registry_check_move(s, label, r.status, to, err);
    if (rc == MD_OK && strcmp(to, "production") == 0)
        rc = archive_current_production(s, &r, t, err);
    char at[MD_TIME_TEXT_MAX];
    md_store_now_text(s, at);
    if (rc == MD_OK)
        rc = md_sql_run(s, err,
                        "UPDATE versions SET status = ?, status_at = ?, traffic_share = ?"
                        " WHERE id = ?",
                        "ttDi", to, at, (int)t->has_share, t->share, vid);
    int64_t seq = 0;
    char *object = md_xasprintf("version:%s/%lld", r.model ? r.model : "?", (long long)r.number);
    json_t *d = rc == MD_OK ? transition_details(&r, to, t) : NULL;
    if (rc == MD_OK)
        rc = md_audit_append(s, t->actor, t->action, object, t->reason, d, &seq, err);
    if (rc == MD_OK)
        rc = stage_event(s, vid, r.status, to, t->actor, t->reason, t->action, seq, err);
    json_decref(d);
    free(object);
    free(label);
    free(r.model);
    free(r.status);
    return rc;
}

static md_status check_mark(const char *from, const char *to, double share, md_err *err)
{
    if (!md_version_status_valid(to))
        return md_err_set(err, MD_INVALID,
                          "'%s' is not a stage (challenger, shadow, rejected or archived)", to);
    if (strcmp(to, "staging") == 0 || strcmp(to, "production") == 0)
        return md_err_set(err, MD_REFUSED,
                          "moving a version to %s takes a promotion request and its approvals "
                          "('modeldeck promote')",
                          to);
    if (strcmp(to, "candidate") == 0)
        return md_err_set(err, MD_REFUSED, "a version cannot return to candidate");
    if (from && strcmp(from, "production") == 0)
        return md_err_set(err, MD_REFUSED,
                          "the production version leaves production only when another version "
                          "is promoted or by a rollback");
    bool challenger = strcmp(to, "challenger") == 0;
    if (challenger && !(share > 0 && share <= 1))
        return md_err_set(err, MD_INVALID, "a challenger needs a traffic share in (0, 1]");
    if (!challenger && share != 0)
        return md_err_set(err, MD_INVALID, "only a challenger takes a traffic share");
    return MD_OK;
}

/* A version with a pending promotion request is not archived or rejected: the request, once
 * approved, would put the retired version on the stage it asks for. */
static md_status no_pending_request(md_store *s, const char *model, int64_t number, int64_t vid,
                                    const char *to, md_err *err)
{
    if (strcmp(to, "archived") != 0 && strcmp(to, "rejected") != 0)
        return MD_OK;
    char now[MD_TIME_TEXT_MAX];
    md_store_now_text(s, now);
    int64_t req = 0;
    if (md_sql_int(s, &req, err,
                   "SELECT coalesce(min(id), 0) FROM requests WHERE version_id = ? AND"
                   " state = 'pending' AND expires_at > ?",
                   "it", vid, now) != MD_OK)
        return err->code;
    if (req == 0)
        return MD_OK;
    return md_err_set(err, MD_REFUSED,
                      "%s v%lld has a pending promotion request (#%lld), which would put it on "
                      "its stage once approved: an approver rejects it first (modeldeck reject "
                      "%lld --comment TEXT), then the version can be marked %s",
                      model, (long long)number, (long long)req, (long long)req, to);
}

md_status md_version_mark(md_store *s, const md_actor *actor, const char *model, int64_t number,
                          const char *to, double share, const char *reason, md_err *err)
{
    if (check_mark(NULL, to, share, err) != MD_OK ||
        md_check_text("--reason", reason, 2048, true, err) != MD_OK)
        return err->code;
    if (md_write_begin(s, actor, MD_PERM_VERSION_WRITE, err) != MD_OK)
        return err->code;
    int64_t vid = 0;
    char from[16];
    md_status rc = md_version_lookup(s, model, number, &vid, from, err);
    if (rc == MD_OK)
        rc = check_mark(from, to, share, err);
    if (rc == MD_OK)
        rc = no_pending_request(s, model, number, vid, to, err);
    md_transition t = {actor->name, "version.mark", reason, share > 0, share, NULL};
    if (rc == MD_OK)
        rc = md_registry_transition(s, vid, to, &t, err);
    return md_tx_end(s, rc, err);
}

md_status md_version_mark_targets(md_store *s, const char *model, int64_t number, const char *to[4],
                                  int *n, md_err *err)
{
    static const char *const marks[] = {"challenger", "shadow", "rejected", "archived"};
    *n = 0;
    int64_t vid = 0;
    char from[16];
    if (md_version_lookup(s, model, number, &vid, from, err) != MD_OK)
        return err->code;
    char label[96];
    snprintf(label, sizeof label, "v%lld", (long long)number);
    md_err first = {0}, e;
    for (int i = 0; i < 4; i++) {
        double share = i == 0 ? 1 : 0; /* any share: the mark dialog asks for it */
        md_status rc = check_mark(from, marks[i], share, &e);
        if (rc == MD_OK)
            rc = md_registry_check_move(s, label, from, marks[i], &e);
        if (rc == MD_OK)
            rc = no_pending_request(s, model, number, vid, marks[i], &e);
        if (rc == MD_OK)
            to[(*n)++] = marks[i];
        else if (rc == MD_REFUSED || rc == MD_ERROR) {
            if (!first.code)
                first = e;
        } else {
            *err = e;
            return rc;
        }
    }
    if (*n)
        return MD_OK;
    if (!strcmp(from, "archived"))
        return md_err_set(err, MD_REFUSED,
                          "%s is archived: no mark moves it; it returns only to production, "
                          "by a rollback",
                          label);
    if (!strcmp(from, "rejected"))
        return md_err_set(err, MD_REFUSED, "%s is rejected, which is final", label);
    *err = first;
    return MD_REFUSED;
}

/* ---- reading ----------------------------------------------------------------------------- */

static const char version_select[] =
    "SELECT v.id, m.name, v.number, v.status, v.traffic_share, v.created_at, v.created_by,"
    " v.artifact_uri, v.artifact_sha256, v.data_uri, v.data_sha256, v.data_from, v.data_to,"
    " v.code_ref, v.params, v.threshold, v.metrics, v.notes, v.status_at"
    " FROM versions v JOIN models m ON m.id = v.model_id"
    " WHERE m.name = ?1 AND (?2 = 0 OR v.number = ?2) ORDER BY v.number";

static void version_read(sqlite3_stmt *st, void *elem)
{
    md_version *v = elem;
    v->id = sqlite3_column_int64(st, 0);
    v->model = md_sql_col_text(st, 1);
    v->number = sqlite3_column_int64(st, 2);
    v->status = md_sql_col_text(st, 3);
    v->has_share = !md_sql_col_null(st, 4);
    v->traffic_share = sqlite3_column_double(st, 4);
    v->created_at = md_sql_col_text(st, 5);
    v->created_by = md_sql_col_text(st, 6);
    v->artifact_uri = md_sql_col_text(st, 7);
    v->artifact_sha256 = md_sql_col_text(st, 8);
    v->data_uri = md_sql_col_text(st, 9);
    v->data_sha256 = md_sql_col_text(st, 10);
    v->data_from = md_sql_col_text(st, 11);
    v->data_to = md_sql_col_text(st, 12);
    v->code_ref = md_sql_col_text(st, 13);
    v->params = md_sql_col_text(st, 14);
    v->has_threshold = !md_sql_col_null(st, 15);
    v->threshold = sqlite3_column_double(st, 15);
    v->metrics = md_sql_col_text(st, 16);
    v->notes = md_sql_col_text(st, 17);
    v->status_at = md_sql_col_text(st, 18);
}

static md_status version_query(md_store *s, const char *model, int64_t number, md_version **out,
                               size_t *n, md_err *err)
{
    int64_t mid;
    *out = NULL;
    *n = 0;
    if (model_id(s, model, &mid, err) != MD_OK)
        return err->code;
    sqlite3_stmt *st;
    if (md_sql_prepare(s, version_select, &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "ti", model, number);
    md_status rc = md_sql_collect(s, st, sizeof **out, version_read, (void **)out, n, err);
    if (rc != MD_OK) {
        md_versions_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

md_status md_version_get(md_store *s, const char *model, int64_t number, md_version *out,
                         md_err *err)
{
    md_version *list;
    size_t n;
    memset(out, 0, sizeof *out);
    if (number <= 0)
        return md_err_set(err, MD_INVALID, "version numbers start at 1");
    if (version_query(s, model, number, &list, &n, err) != MD_OK)
        return err->code;
    if (n == 0) {
        free(list);
        return md_err_set(err, MD_NOTFOUND, "model '%s' has no version %lld", model,
                          (long long)number);
    }
    *out = list[0];
    free(list);
    return MD_OK;
}

md_status md_version_list(md_store *s, const char *model, md_version **out, size_t *n,
                          md_err *err)
{
    return version_query(s, model, 0, out, n, err);
}

void md_version_free(md_version *v)
{
    if (!v)
        return;
    char **f[] = {&v->model,       &v->status,   &v->created_at,  &v->created_by,
                  &v->artifact_uri, &v->artifact_sha256, &v->data_uri, &v->data_sha256,
                  &v->data_from,   &v->data_to,  &v->code_ref,    &v->params,
                  &v->metrics,     &v->notes,    &v->status_at};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        free(*f[i]);
        *f[i] = NULL;
    }
}

void md_versions_free(md_version *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        md_version_free(&v[i]);
    free(v);
}

json_t *md_version_json(const md_version *v)
{
    json_t *o = json_object();
    json_object_set_new(o, "model", md_json_str_or_null(v->model));
    json_object_set_new(o, "number", json_integer(v->number));
    json_object_set_new(o, "status", md_json_str_or_null(v->status));
    json_object_set_new(o, "traffic_share", v->has_share ? json_real(v->traffic_share)
                                                         : json_null());
    json_object_set_new(o, "status_at", md_json_str_or_null(v->status_at));
    json_object_set_new(o, "created_at", md_json_str_or_null(v->created_at));
    json_object_set_new(o, "created_by", md_json_str_or_null(v->created_by));
    json_object_set_new(o, "artifact_uri", md_json_str_or_null(v->artifact_uri));
    json_object_set_new(o, "artifact_sha256", md_json_str_or_null(v->artifact_sha256));
    json_object_set_new(o, "data_uri", md_json_str_or_null(v->data_uri));
    json_object_set_new(o, "data_sha256", md_json_str_or_null(v->data_sha256));
    json_object_set_new(o, "data_from", md_json_str_or_null(v->data_from));
    json_object_set_new(o, "data_to", md_json_str_or_null(v->data_to));
    json_object_set_new(o, "code_ref", md_json_str_or_null(v->code_ref));
    json_object_set_new(o, "params", v->params ? md_json_load_or_string(v->params) : json_null());
    json_object_set_new(o, "threshold", v->has_threshold ? json_real(v->threshold) : json_null());
    json_object_set_new(o, "metrics",
                        v->metrics ? md_json_load_or_string(v->metrics) : json_null());
    json_object_set_new(o, "notes", md_json_str_or_null(v->notes));
    return o;
}

/* ---- history ----------------------------------------------------------------------------- */

static void stage_event_read(sqlite3_stmt *st, void *elem)
{
    md_stage_event *e = elem;
    e->number = sqlite3_column_int64(st, 0);
    e->from = md_sql_col_text(st, 1);
    e->to = md_sql_col_text(st, 2);
    e->at = md_sql_col_text(st, 3);
    e->actor = md_sql_col_text(st, 4);
    e->reason = md_sql_col_text(st, 5);
    e->audit_seq = sqlite3_column_int64(st, 6);
    e->action = md_sql_col_text(st, 7);
}

md_status md_stage_history(md_store *s, const char *model, int64_t number, md_stage_event **out,
                           size_t *n, md_err *err)
{
    int64_t mid;
    *out = NULL;
    *n = 0;
    if (model_id(s, model, &mid, err) != MD_OK)
        return err->code;
    sqlite3_stmt *st;
    if (md_sql_prepare(s,
                       "SELECT v.number, h.from_status, h.to_status, h.at, h.actor, h.reason,"
                       " h.audit_seq, h.action FROM stage_history h"
                       " JOIN versions v ON v.id = h.version_id WHERE v.model_id = ?1 AND (?2 = 0 OR v.number = ?2) ORDER BY h.id",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "ii", mid, number);
    md_status rc = md_sql_collect(s, st, sizeof **out, stage_event_read, (void **)out, n, err);
    if (rc != MD_OK) {
        md_stage_events_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

void md_stage_events_free(md_stage_event *ev, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(ev[i].from);
        free(ev[i].to);
        free(ev[i].at);
        free(ev[i].actor);
        free(ev[i].reason);
        free(ev[i].action);
    }
    free(ev);
}

json_t *md_stage_event_json(const md_stage_event *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "version", json_integer(e->number));
    json_object_set_new(o, "from", md_json_str_or_null(e->from));
    json_object_set_new(o, "to", md_json_str_or_null(e->to));
    json_object_set_new(o, "at", md_json_str_or_null(e->at));
    json_object_set_new(o, "actor", md_json_str_or_null(e->actor));
    json_object_set_new(o, "reason", md_json_str_or_null(e->reason));
    json_object_set_new(o, "action", md_json_str_or_null(e->action));
    json_object_set_new(o, "audit_seq", json_integer(e->audit_seq));
    return o;
}
