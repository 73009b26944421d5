#include "models.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "json.h"
#include "mem.h"
#include "sql.h"
#include "text.h"

static const char *const pattern_names[] = {
#define MD_X(id, name, what) name,
    MD_PATTERNS(MD_X)
#undef MD_X
};
static const char *const fallback_names[] = {
#define MD_X(id, name, what) name,
    MD_FALLBACKS(MD_X)
#undef MD_X
};

static bool in_list(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(name, list[i]) == 0)
            return true;
    return false;
}

bool md_pattern_valid(const char *name)
{
    return in_list(name, pattern_names, sizeof pattern_names / sizeof pattern_names[0]);
}

bool md_fallback_valid(const char *name)
{
    return in_list(name, fallback_names, sizeof fallback_names / sizeof fallback_names[0]);
}

md_status md_check_text(const char *field, const char *value, size_t max, bool required,
                        md_err *err)
{
    if (!value)
        return required ? md_err_set(err, MD_INVALID, "%s is required", field) : MD_OK;
    size_t n = strlen(value);
    if (required && strspn(value, " \t\r\n") == n)
        return md_err_set(err, MD_INVALID, "%s must not be empty", field);
    if (n > max)
        return md_err_set(err, MD_INVALID, "%s is %zu bytes long; at most %zu are allowed", field,
                          n, max);
    if (!md_utf8_valid(value, n))
        return md_err_set(err, MD_INVALID, "%s is not valid UTF-8", field);
    return MD_OK;
}

md_status md_check_text_reason(const char *reason, md_err *err)
{
    return md_check_text("--reason", reason, 2048, false, err);
}

#define NAME_HELP "lower-case letters, digits, '_' and '-', starting with a letter or digit"

static md_status check_spec(const md_model_spec *m, bool adding, md_err *err)
{
    if (adding && !md_valid_slug(m->name))
        return md_err_set(err, MD_INVALID, "'%s' is not a valid model name (%s; at most 64)",
                          m->name ? m->name : "", NAME_HELP);
    if (md_check_text("--use-case", m->use_case, 256, adding || m->use_case, err) ||
        md_check_text("--owner", m->owner, 256, adding || m->owner, err) ||
        md_check_text("--description", m->description, 8192, false, err) ||
        md_check_text("--integration", m->integration, 1024, false, err))
        return err->code;
    if (m->pattern && !md_pattern_valid(m->pattern))
        return md_err_set(err, MD_INVALID, "--pattern: '%s' is not batch, realtime or hybrid",
                          m->pattern);
    if (m->fallback && !md_fallback_valid(m->fallback))
        return md_err_set(err, MD_INVALID,
                          "--fallback: '%s' is not rules, last-good or suppress", m->fallback);
    if (m->sla == 1 && (m->sla_ms <= 0 || m->sla_ms > 3600000))
        return md_err_set(err, MD_INVALID, "--sla-ms: %lld is outside 1..3600000",
                          (long long)m->sla_ms);
    return MD_OK;
}

static json_t *spec_json(const md_model_spec *m)
{
    json_t *o = json_object();
    const char *keys[] = {"use_case", "owner", "description", "integration", "pattern",
                          "fallback"};
    const char *vals[] = {m->use_case,    m->owner,   m->description,
                          m->integration, m->pattern, m->fallback};
    for (size_t i = 0; i < 6; i++)
        if (vals[i])
            json_object_set_new(o, keys[i], md_json_str_or_null(vals[i]));
    if (m->sla)
        json_object_set_new(o, "sla_ms", md_json_int_or_null(m->sla == 1, m->sla_ms));
    return o;
}

md_status md_model_add(md_store *s, const md_actor *actor, const md_model_spec *m,
                       const char *reason, md_err *err)
{
    if (check_spec(m, true, err) != MD_OK)
        return err->code;
    if (md_write_begin(s, actor, MD_PERM_MODEL_WRITE, err) != MD_OK)
        return err->code;
    int64_t exists = 0;
    md_status rc = md_sql_int(s, &exists, err, "SELECT count(*) FROM models WHERE name = ?", "t",
                              m->name);
    if (rc == MD_OK && exists)
        rc = md_err_set(err, MD_ERROR, "model '%s' already exists (change it with 'model edit')",
                        m->name);
    char at[MD_TIME_TEXT_MAX];
    md_store_now_text(s, at);
    if (rc == MD_OK)
        rc = md_sql_run(s, err,
                        "INSERT INTO models(name, use_case, owner, description, integration,"
                        " pattern, sla_ms, fallback, created_at, created_by, updated_at)"
                        " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        "ttttttItttt", m->name, m->use_case, m->owner,
                        m->description ? m->description : "",
                        m->integration ? m->integration : "", m->pattern ? m->pattern : "batch",
                        m->sla == 1, m->sla_ms, m->fallback ? m->fallback : "last-good", at,
                        actor->name, at);
    char *object = md_xasprintf("model:%s", m->name);
    json_t *d = spec_json(m);
    if (rc == MD_OK)
        rc = md_audit_append(s, actor->name, "model.add", object, reason, d, NULL, err);
    json_decref(d);
    free(object);
    return md_tx_end(s, rc, err);
}

/* Adds {"field": {"from": old, "to": new}} to `changes` when they differ. */
static void diff_text(json_t *changes, const char *field, const char *old, const char *new)
{
    if (!new || (old && strcmp(old, new) == 0))
        return;
    json_object_set_new(changes, field,
                        json_pack("{s:o, s:o}", "from", md_json_str_or_null(old), "to",
                                  md_json_str_or_null(new)));
}

static json_t *edit_changes(const md_model *cur, const md_model_spec *c)
{
    json_t *ch = json_object();
    diff_text(ch, "use_case", cur->use_case, c->use_case);
    diff_text(ch, "owner", cur->owner, c->owner);
    diff_text(ch, "description", cur->description, c->description);
    diff_text(ch, "integration", cur->integration, c->integration);
    diff_text(ch, "pattern", cur->pattern, c->pattern);
    diff_text(ch, "fallback", cur->fallback, c->fallback);
    bool sla_differs = (c->sla == 1 && (!cur->has_sla || cur->sla_ms != c->sla_ms)) ||
                       (c->sla == -1 && cur->has_sla);
    if (sla_differs)
        json_object_set_new(ch, "sla_ms",
                            json_pack("{s:o, s:o}", "from",
                                      md_json_int_or_null(cur->has_sla, cur->sla_ms), "to",
                                      md_json_int_or_null(c->sla == 1, c->sla_ms)));
    return ch;
}

static md_status apply_edit(md_store *s, const md_model *cur, const md_model_spec *c,
                            const char *at, md_err *err)
{
    bool has_sla = c->sla ? c->sla == 1 : cur->has_sla;
    int64_t sla = c->sla == 1 ? c->sla_ms : cur->sla_ms;
    return md_sql_run(
        s, err,
        "UPDATE models SET use_case = ?, owner = ?, description = ?, integration = ?,"
        " pattern = ?, fallback = ?, sla_ms = ?, updated_at = ? WHERE id = ?",
        "ttttttIti", c->use_case ? c->use_case : cur->use_case, c->owner ? c->owner : cur->owner,
        c->description ? c->description : cur->description,
        c->integration ? c->integration : cur->integration,
        c->pattern ? c->pattern : cur->pattern, c->fallback ? c->fallback : cur->fallback,
        (int)has_sla, sla, at, cur->id);
}

md_status md_model_edit(md_store *s, const md_actor *actor, const char *name,
                        const md_model_spec *c, const char *reason, bool *changed,
                        md_sla_restated *restated, md_err *err)
{
    if (changed)
        *changed = false;
    if (restated)
        *restated = (md_sla_restated){0, 0, 0};
    if (check_spec(c, false, err) != MD_OK)
        return err->code;
    if (md_write_begin(s, actor, MD_PERM_MODEL_WRITE, err) != MD_OK)
        return err->code;
    md_model cur;
    md_status rc = md_model_get(s, name, &cur, err);
    if (rc != MD_OK)
        return md_tx_end(s, rc, err);
    json_t *ch = edit_changes(&cur, c);
    char at[MD_TIME_TEXT_MAX];
    md_store_now_text(s, at);
    if (json_object_size(ch) > 0) {
        rc = apply_edit(s, &cur, c, at, err);
        char *object = md_xasprintf("model:%s", name);
        json_t *d = json_pack("{s:O}", "changes", ch);
        md_sla_restated r = {0, 0, 0};
        if (rc == MD_OK && json_object_get(ch, "sla_ms")) {
            rc = md_latency_restate(s, actor->name, cur.id, c->sla == 1, c->sla_ms, &r, err);
            json_object_set_new(d, "latency_restated",
                                json_pack("{s:I, s:I, s:I}", "windows", (json_int_t)r.windows,
                                          "changed", (json_int_t)r.changed, "incidents_noted",
                                          (json_int_t)r.noted));
        }
        if (rc == MD_OK)
            rc = md_audit_append(s, actor->name, "model.edit", object, reason, d, NULL, err);
        json_decref(d);
        free(object);
        if (changed)
            *changed = rc == MD_OK;
        if (restated && rc == MD_OK)
            *restated = r;
    }
    json_decref(ch);
    md_model_free(&cur);
    return md_tx_end(s, rc, err);
}

static const char model_select[] =
    "SELECT m.id, m.name, m.use_case, m.owner, m.description, m.integration, m.pattern,"
    " m.sla_ms, m.fallback, m.created_at, m.created_by, m.updated_at,"
    " p.number, p.status_at,"
    " (SELECT count(*) FROM versions c WHERE c.model_id = m.id), m.serving"
    " FROM models m LEFT JOIN versions p ON p.model_id = m.id AND p.status = 'production'"
    " WHERE (?1 IS NULL OR m.name = ?1) ORDER BY m.name";

static void model_read(sqlite3_stmt *st, void *elem)
{
    md_model *m = elem;
    m->id = sqlite3_column_int64(st, 0);
    m->name = md_sql_col_text(st, 1);
    m->use_case = md_sql_col_text(st, 2);
    m->owner = md_sql_col_text(st, 3);
    m->description = md_sql_col_text(st, 4);
    m->integration = md_sql_col_text(st, 5);
    m->pattern = md_sql_col_text(st, 6);
    m->has_sla = !md_sql_col_null(st, 7);
    m->sla_ms = sqlite3_column_int64(st, 7);
    m->fallback = md_sql_col_text(st, 8);
    m->created_at = md_sql_col_text(st, 9);
    m->created_by = md_sql_col_text(st, 10);
    m->updated_at = md_sql_col_text(st, 11);
    m->production_version = sqlite3_column_int64(st, 12);
    m->production_since = md_sql_col_text(st, 13);
    m->version_count = sqlite3_column_int64(st, 14);
    m->serving = md_sql_col_text(st, 15);
}

static md_status model_query(md_store *s, const char *name, md_model **out, size_t *n,
                             md_err *err)
{
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    if (md_sql_prepare(s, model_select, &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "t", name);
    md_status rc = md_sql_collect(s, st, sizeof **out, model_read, (void **)out, n, err);
    if (rc != MD_OK) {
        md_models_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

md_status md_model_get(md_store *s, const char *name, md_model *out, md_err *err)
{
    md_model *list;
    size_t n;
    memset(out, 0, sizeof *out);
    if (model_query(s, name ? name : "", &list, &n, err) != MD_OK)
        return err->code;
    if (n == 0) {
        free(list);
        return md_err_set(err, MD_NOTFOUND, "no model '%s' (see 'modeldeck model list')",
                          name ? name : "");
    }
    *out = list[0];
    free(list);
    return MD_OK;
}

md_status md_model_list(md_store *s, md_model **models, size_t *n, md_err *err)
{
    return model_query(s, NULL, models, n, err);
}

void md_model_free(md_model *m)
{
    if (!m)
        return;
    char **fields[] = {&m->name,       &m->use_case,   &m->owner,      &m->description,
                       &m->integration, &m->pattern,   &m->fallback,   &m->created_at,
                       &m->created_by, &m->updated_at, &m->production_since, &m->serving};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        free(*fields[i]);
        *fields[i] = NULL;
    }
}

void md_models_free(md_model *models, size_t n)
{
    for (size_t i = 0; i < n; i++)
        md_model_free(&models[i]);
    free(models);
}

json_t *md_model_json(const md_model *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", md_json_str_or_null(m->name));
    json_object_set_new(o, "use_case", md_json_str_or_null(m->use_case));
    json_object_set_new(o, "owner", md_json_str_or_null(m->owner));
    json_object_set_new(o, "description", md_json_str_or_null(m->description));
    json_object_set_new(o, "integration", md_json_str_or_null(m->integration));
    json_object_set_new(o, "pattern", md_json_str_or_null(m->pattern));
    json_object_set_new(o, "sla_ms", md_json_int_or_null(m->has_sla, m->sla_ms));
    json_object_set_new(o, "fallback", md_json_str_or_null(m->fallback));
    json_object_set_new(o, "production_version",
                        md_json_int_or_null(m->production_version > 0, m->production_version));
    json_object_set_new(o, "production_since", md_json_str_or_null(m->production_since));
    json_object_set_new(o, "serving", md_json_str_or_null(m->serving));
    json_object_set_new(o, "version_count", json_integer(m->version_count));
    json_object_set_new(o, "created_at", md_json_str_or_null(m->created_at));
    json_object_set_new(o, "created_by", md_json_str_or_null(m->created_by));
    json_object_set_new(o, "updated_at", md_json_str_or_null(m->updated_at));
    return o;
}
