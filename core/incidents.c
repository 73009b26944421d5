#include "incidents.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "clock.h"
#include "json.h"
#include "mem.h"
#include "models.h"
#include "policies.h"
#include "sql.h"
#include "text.h"

static const char *const kind_names[] = {
#define MD_X(id, name, title) name,
    MD_INCIDENT_KINDS(MD_X)
#undef MD_X
};
static const char *const kind_titles[] = {
#define MD_X(id, name, title) title,
    MD_INCIDENT_KINDS(MD_X)
#undef MD_X
};

/* ---- opening and appending ---------------------------------------------------------------- */

typedef struct {
    md_incident_kind kind;
    const char *key; /* feature, or "" */
    md_severity severity;
    json_t *detail;  /* borrowed */
} finding;

static md_severity adjust(md_severity s, const md_window_facts *w, const md_policy *p)
{
    if (!w->production && p->incidents.non_production_one_lower && s < MD_P4)
        return (md_severity)(s + 1);
    return s;
}

/* A note on an incident, audited. */
static md_status note_incident(md_store *s, const char *actor, int64_t id, const char *at,
                               const char *note, md_err *err)
{
    md_status rc = md_sql_run(s, err,
                              "INSERT INTO incident_notes(incident_id, at, actor, text)"
                              " VALUES (?,?,?,?)",
                              "ittt", id, at, actor, note);
    char *object = md_xasprintf("incident:%lld", (long long)id);
    json_t *d = json_pack("{s:s}", "note", note);
    if (rc == MD_OK)
        rc = md_audit_append(s, actor, "incident.note", object, "", d, NULL, err);
    json_decref(d);
    free(object);
    return rc;
}

/* Evidence figures as words: "psi=0.0591 ks=0.112" (four significant digits, nulls left out). */
static void figures(const char *canonical, char *out, size_t cap)
{
    json_t *d = md_json_load_or_string(canonical);
    const char *k;
    json_t *v;
    size_t n = 0;
    out[0] = '\0';
    json_object_foreach(d, k, v)
    {
        if (n < cap && json_is_integer(v))
            n += (size_t)snprintf(out + n, cap - n, "%s%s=%lld", n ? " " : "", k,
                                  (long long)json_integer_value(v));
        else if (n < cap && json_is_real(v))
            n += (size_t)snprintf(out + n, cap - n, "%s%s=%.4g", n ? " " : "", k,
                                  json_real_value(v));
    }
    json_decref(d);
}

/* The latest note on incident id about window w ("window W ..."), or NULL. */
static char *window_note(md_store *s, int64_t id, const char *w, md_err *err)
{
    sqlite3_stmt *st;
    char *text = NULL;
    if (md_sql_take(s,
                    "SELECT text FROM incident_notes WHERE incident_id = ? AND"
                    " text LIKE 'window ' || ? || ' %' ORDER BY id DESC LIMIT 1",
                    &st, err) != MD_OK)
        return NULL;
    md_sql_bind(st, "it", id, w);
    bool row = false;
    if (md_sql_step(s, st, &row, err) == MD_OK && row)
        text = md_sql_col_text(st, 0);
    md_sql_done(s, st);
    return text;
}

#define NO_LONGER "no longer meets this rule"

/* Whether evidence read another figure than it did: a key in both with another value (a key
 * added since, such as present, is no change of what the window showed). */
static bool differ(const char *before, const json_t *now)
{
    json_t *b = md_json_load_or_string(before);
    const char *k;
    json_t *v;
    bool out = !json_is_object(b);
    json_object_foreach(b, k, v)
    {
        const json_t *x = json_object_get(now, k);
        out |= x && !json_equal(v, (json_t *)x);
    }
    json_decref(b);
    return out;
}

/* The window's evidence, new or (the window recomputed since, or graver now) what it reads
 * now: what was there before goes into a note, so the incident's history keeps it; and when
 * the last word on the window was that it no longer met the rule, a note that it does again. */
static md_status add_evidence(md_store *s, const char *actor, int64_t id, const md_window_facts *w,
                              const finding *f, const char *at, md_err *err)
{
    char *detail = md_json_canonical(f->detail), *before = NULL, *was_sev = NULL;
    sqlite3_stmt *st;
    md_status rc = md_sql_take(s,
                               "SELECT detail, severity FROM incident_evidence WHERE"
                               " incident_id = ? AND version_id = ? AND window_kind = ? AND"
                               " window = ? AND feature = ?",
                               &st, err);
    if (rc == MD_OK) {
        md_sql_bind(st, "iittt", id, w->version_id, w->window_kind, w->window, f->key);
        bool row = false;
        rc = md_sql_step(s, st, &row, err);
        if (rc == MD_OK && row)
            before = md_sql_col_text(st, 0), was_sev = md_sql_col_text(st, 1);
        md_sql_done(s, st);
    }
    const char *sev = md_severity_name(f->severity);
    bool changed = before && (strcmp(was_sev, sev) != 0 || differ(before, f->detail)),
         newer = before && !changed && strcmp(before, detail) != 0; /* figures added since */
    if (rc == MD_OK && (!before || changed || newer))
        rc = md_sql_run(s, err,
                        "INSERT INTO incident_evidence(incident_id, version_id, window_kind,"
                        " window, feature, severity, at, detail) VALUES (?,?,?,?,?,?,?,?)"
                        " ON CONFLICT DO UPDATE SET severity = excluded.severity,"
                        " at = excluded.at, detail = excluded.detail",
                        "iittttt"
                        "t",
                        id, w->version_id, w->window_kind, w->window, f->key, sev, at, detail);
    char *last = rc == MD_OK && before ? window_note(s, id, w->window, err) : NULL;
    if (rc == MD_OK && (changed || (last && strstr(last, NO_LONGER)))) {
        char was[512];
        figures(before, was, sizeof was);
        char *note = changed ? md_xasprintf("window %s was recomputed; its evidence was brought "
                                            "up to date (it read %s %s)",
                                            w->window, was_sev, was)
                             : md_xasprintf("window %s meets this rule again", w->window);
        rc = note_incident(s, actor, id, at, note, err);
        free(note);
    }
    free(last);
    if (rc == MD_OK && (!before || changed))
        rc = md_sql_run(s, err, "UPDATE incidents SET last_evidence_at = ? WHERE id = ?", "ti", at,
                        id);
    free(detail);
    free(before);
    free(was_sev);
    return rc;
}

static md_status open_incident(md_store *s, const char *actor, const md_window_facts *w,
                               const finding *f, const char *at, int64_t *id, md_err *err)
{
    char *title = *f->key ? md_xasprintf("%s on %s (%s v%lld)", kind_titles[f->kind], f->key,
                                         w->model, (long long)w->version_number)
                          : md_xasprintf("%s (%s v%lld)", kind_titles[f->kind], w->model,
                                         (long long)w->version_number);
    md_status rc = md_sql_run(s, err,
                              "INSERT INTO incidents(model_id, version_id, kind, key, severity,"
                              " state, title, opened_at, last_evidence_at)"
                              " VALUES (?,?,?,?,?,'open',?,?,?)",
                              "iitttttt", w->model_id, w->version_id, kind_names[f->kind], f->key,
                              md_severity_name(f->severity), title, at, at);
    *id = sqlite3_last_insert_rowid(md_store_db(s));
    char *object = md_xasprintf("incident:%lld", (long long)*id);
    json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:O}", "model", w->model, "kind",
                          kind_names[f->kind], "key", f->key, "severity",
                          md_severity_name(f->severity), "version", (json_int_t)w->version_number,
                          "window", w->window, "evidence", f->detail);
    if (rc == MD_OK)
        rc = md_audit_append(s, actor, "incident.open", object, title, d, NULL, err);
    json_decref(d);
    free(object);
    free(title);
    return rc;
}

/* An incident the window being applied raised (md_incidents_apply's note_cleared). */
static void raised(md_incident_tally *t, int64_t id)
{
    t->raised = md_xrealloc(t->raised, (t->nraised + 1) * sizeof *t->raised);
    t->raised[t->nraised++] = id;
}

static md_status raise_finding(md_store *s, const char *actor, const md_window_facts *w,
                               const finding *f, md_incident_tally *t, md_err *err)
{
    char at[MD_TIME_TEXT_MAX], sev[4] = "";
    md_store_now_text(s, at);
    sqlite3_stmt *st;
    if (md_sql_take(s,
                    "SELECT id, severity FROM incidents WHERE model_id = ? AND kind = ? AND"
                    " key = ? AND state <> 'resolved'",
                    &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "itt", w->model_id, kind_names[f->kind], f->key);
    bool row;
    int64_t id = 0;
    md_status rc = md_sql_step(s, st, &row, err);
    if (rc == MD_OK && row) {
        id = sqlite3_column_int64(st, 0);
        snprintf(sev, sizeof sev, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    md_sql_done(s, st);
    if (rc != MD_OK)
        return rc;
    /* A window already answered for: by a resolved incident whose evidence reaches this window
     * or later (re-running the rules must not reopen what an operator closed), or as evidence
     * of the open one (nothing new to write). */
    int64_t known = 0, answered = 0;
    rc = md_sql_int(s, &answered, err,
                    "SELECT count(*) FROM incidents i JOIN incident_evidence e ON"
                    " e.incident_id = i.id WHERE i.model_id = ? AND i.kind = ? AND"
                    " i.key = ? AND i.state = 'resolved' AND e.window_kind = ? AND"
                    " e.window >= ?",
                    "ittt" "t", w->model_id, kind_names[f->kind], f->key, w->window_kind,
                    w->window);
    if (rc == MD_OK && answered)
        return MD_OK;
    if (rc == MD_OK && id)
        rc = md_sql_int(s, &known, err,
                        "SELECT count(*) FROM incident_evidence WHERE incident_id = ? AND"
                        " version_id = ? AND window_kind = ? AND window = ? AND feature = ?",
                        "iittt", id, w->version_id, w->window_kind, w->window, f->key);
    if (rc != MD_OK)
        return rc;
    bool graver = id && sev[1] - '0' > (int)f->severity;
    if (known && !graver) { /* raised again: its evidence stays, or is brought up to date */
        raised(t, id);
        return add_evidence(s, actor, id, w, f, at, err);
    }
    bool first = true; /* the first time this run meets the incident */
    for (size_t i = 0; id && i < t->ntouched; i++)
        first &= t->touched[i] != id;
    if (!id) {
        rc = open_incident(s, actor, w, f, at, &id, err);
        t->opened += rc == MD_OK;
    } else if (graver) { /* more severe evidence than before */
        rc = md_sql_run(s, err,
                        "UPDATE incidents SET severity = ?, snoozed_until = NULL WHERE id = ?",
                        "ti", md_severity_name(f->severity), id);
        char *object = md_xasprintf("incident:%lld", (long long)id);
        json_t *d = json_pack("{s:s, s:s, s:s}", "from", sev, "to", md_severity_name(f->severity),
                              "window", w->window);
        if (rc == MD_OK)
            rc = md_audit_append(s, actor, "incident.escalate", object, "more severe evidence", d,
                                 NULL, err);
        json_decref(d);
        free(object);
        t->escalated += rc == MD_OK;
    } else {
        t->updated += first;
    }
    if (rc == MD_OK && first) {
        t->touched = md_xrealloc(t->touched, (t->ntouched + 1) * sizeof *t->touched);
        t->touched[t->ntouched++] = id;
    }
    if (rc == MD_OK)
        raised(t, id);
    return rc == MD_OK ? add_evidence(s, actor, id, w, f, at, err) : rc;
}

void md_incident_tally_free(md_incident_tally *t)
{
    free(t->touched);
    free(t->raised);
    t->touched = t->raised = NULL;
    t->nraised = 0;
    t->ntouched = 0;
}

/* ---- the rules -------------------------------------------------------------------------------- */

static bool psi_alert(const md_feature_facts *f, const md_drift_policy *d)
{
    return md_psi_level(d, f->has_psi, f->psi, f->psi_null, f->present, f->mix_pvalue) ==
           MD_LEVEL_ALERT;
}

static bool ks_alert(const md_feature_facts *f, const md_drift_policy *d)
{
    return d->ks_level == MD_LEVEL_ALERT && md_ks_reaches(d, f->has_ks, f->ks, f->ks_p);
}

static md_status feature_rules(md_store *s, const char *actor, const md_window_facts *w,
                               const md_policy *p, md_incident_tally *t, md_err *err)
{
    size_t drifting = 0;
    for (size_t i = 0; i < w->nf; i++)
        drifting += psi_alert(&w->f[i], &p->drift) || ks_alert(&w->f[i], &p->drift);
    md_status rc = MD_OK;
    for (size_t i = 0; rc == MD_OK && i < w->nf; i++) {
        const md_feature_facts *ff = &w->f[i];
        json_t *d = json_pack("{s:o, s:o, s:o, s:o, s:f, s:I, s:I}", "psi",
                              ff->has_psi ? json_real(ff->psi) : json_null(), "psi_null_p99",
                              ff->has_psi ? json_real(ff->psi_null) : json_null(), "ks",
                              ff->has_ks ? json_real(ff->ks) : json_null(), "ks_pvalue",
                              ff->has_ks ? json_real(ff->ks_p) : json_null(), "missing_delta",
                              ff->missing_delta, "schema_changes", (json_int_t)ff->schema_changes,
                              "violations", (json_int_t)ff->violations);
        json_object_set_new(d, "present", json_integer(ff->present)); /* n, for the PSI rule */
        if (!isnan(ff->missing_pvalue)) /* the tests behind a small window's status */
            json_object_set_new(d, "missing_pvalue", json_real(ff->missing_pvalue));
        if (!isnan(ff->mix_pvalue))
            json_object_set_new(d, "mix_pvalue", json_real(ff->mix_pvalue));
        json_object_set_new(d, "drifting_features", json_integer((json_int_t)drifting));
        bool p1 = w->production && (int)drifting >= p->incidents.drift_p1_features;
        finding fs[3] = {
            {MD_INC_DRIFT, ff->feature, p1 ? MD_P1 : adjust(p->incidents.drift_sev, w, p), d},
            {MD_INC_SCHEMA, ff->feature, adjust(p->incidents.schema_sev, w, p), d},
            {MD_INC_DATA_QUALITY, ff->feature, adjust(p->incidents.dq_sev, w, p), d}};
        bool fire[3] = {psi_alert(ff, &p->drift) || ks_alert(ff, &p->drift),
                        ff->schema_changes > 0 || ff->violations > 0,
                        md_at_least(fabs(ff->missing_delta), p->incidents.missing_delta) &&
                            !(ff->missing_pvalue >= p->drift.missing_pvalue) &&
                            !(ff->present == 0 && ff->schema_changes > 0)}; /* absent: schema */
        for (int k = 0; rc == MD_OK && k < 3; k++)
            if (fire[k])
                rc = raise_finding(s, actor, w, &fs[k], t, err);
        json_decref(d);
    }
    return rc;
}

/* The standard error of an AUC over n1 positives and n2 negatives (Hanley & McNeil, 1982). */
static double auc_se(double a, double n1, double n2)
{
    double q1 = a / (2 - a), q2 = 2 * a * a / (1 + a);
    double v = (a * (1 - a) + (n1 - 1) * (q1 - a * a) + (n2 - 1) * (q2 - a * a)) / (n1 * n2);
    return v > 0 ? sqrt(v) : 0;
}

/* A drop in AUC beyond the threshold and beyond what chance explains: the window's AUC and
 * the baseline's are two independent estimates, so the error of their difference combines
 * both (the baseline's term drops out when its counts are unknown). */
static bool auc_dropped(const md_window_facts *w, double threshold, double z)
{
    if (!w->has_delta || !w->has_auc || w->delta_auc >= threshold)
        return false;
    double n1 = (double)w->positives, n2 = (double)(w->labeled - w->positives);
    if (!(n1 > 0 && n2 > 0))
        return false;
    double se = auc_se(w->auc, n1, n2), b1 = (double)w->base_positives,
           b2 = (double)(w->base_labeled - w->base_positives);
    if (b1 > 0 && b2 > 0) {
        double sb = auc_se(w->auc - w->delta_auc, b1, b2);
        se = sqrt(se * se + sb * sb);
    }
    return w->delta_auc < -z * se;
}

bool md_hl_adequate(const json_t *deciles)
{
    size_t cells = 0, small = 0;
    json_t *d;
    size_t i;
    json_array_foreach(deciles, i, d)
    {
        double n = json_number_value(json_object_get(d, "n"));
        json_t *mean = json_object_get(d, "expected");
        double m = json_number_value(mean);
        if (!(n > 0) || !json_is_number(mean) || !(m > 0 && m < 1))
            continue; /* a decile the statistic leaves out */
        double expected[2] = {n * m, n * (1 - m)};
        for (int k = 0; k < 2; k++) {
            if (expected[k] < 1)
                return false;
            cells++;
            small += expected[k] < MD_CHI2_MIN_EXPECTED;
        }
    }
    return cells > 0 && 5 * small <= cells;
}

md_calibration_verdict md_calibration_rule(const md_incident_policy *ip,
                                           const md_calibration_figures *f)
{
    md_calibration_verdict v = {.ece_over = f->has_ece && f->ece > ip->ece_max,
                                .ece_counts = f->has_ece && f->labeled >= ip->ece_min_labeled,
                                .hl_testable = f->has_hl_p && f->hl_adequate,
                                .hl_low = f->has_hl_p && f->hl_p < ip->hl_pvalue};
    v.miscalibrated = (v.ece_over && v.ece_counts) || (v.hl_testable && v.hl_low);
    return v;
}

static md_status window_rules(md_store *s, const char *actor, const md_window_facts *w,
                              const md_policy *p, md_incident_tally *t, md_err *err)
{
    const md_incident_policy *ip = &p->incidents;
    json_t *d = json_object();
    json_object_set_new(d, "ece", w->has_ece ? json_real(w->ece) : json_null());
    json_object_set_new(d, "hl_pvalue", w->has_hl_p ? json_real(w->hl_p) : json_null());
    json_object_set_new(d, "delta_auc", w->has_delta ? json_real(w->delta_auc) : json_null());
    json_object_set_new(d, "over_sla", w->has_over_sla ? json_real(w->over_sla) : json_null());
    json_object_set_new(d, "labeled", json_integer(w->labeled));
    bool perf_p1 = w->production && auc_dropped(w, ip->p1_delta_auc, ip->auc_z);
    finding fs[3] = {
        {MD_INC_CALIBRATION, "", adjust(ip->calibration_sev, w, p), d},
        {MD_INC_PERFORMANCE, "", perf_p1 ? MD_P1 : adjust(ip->performance_sev, w, p), d},
        {MD_INC_LATENCY, "", adjust(ip->latency_sev, w, p), d}};
    md_calibration_figures cf = {.has_ece = w->has_ece,
                                 .has_hl_p = w->has_hl_p,
                                 .ece = w->ece,
                                 .hl_p = w->hl_p,
                                 .labeled = w->labeled,
                                 .hl_adequate = w->hl_adequate};
    bool fire[3] = {md_calibration_rule(ip, &cf).miscalibrated,
                    auc_dropped(w, ip->delta_auc_min, ip->auc_z),
                    w->has_over_sla && w->over_sla > ip->max_share_over_sla};
    md_status rc = MD_OK;
    for (int k = 0; rc == MD_OK && k < 3; k++)
        if (fire[k])
            rc = raise_finding(s, actor, w, &fs[k], t, err);
    json_decref(d);
    return rc;
}

/* The incidents not resolved with evidence from this window, but for those the tally says the
 * window raised again (t may be NULL). */
static md_status window_incidents(md_store *s, int64_t version_id, const char *kind,
                                  const char *window, const md_incident_tally *t, int64_t **ids,
                                  size_t *n, md_err *err)
{
    sqlite3_stmt *st;
    md_status rc = md_sql_take(s,
                               "SELECT DISTINCT e.incident_id FROM incident_evidence e"
                               " JOIN incidents i ON i.id = e.incident_id"
                               " WHERE e.version_id = ? AND e.window_kind = ? AND e.window = ?"
                               " AND i.state <> 'resolved' ORDER BY e.incident_id",
                               &st, err);
    if (rc != MD_OK)
        return rc;
    md_sql_bind(st, "itt", version_id, kind, window);
    for (bool row = true; rc == MD_OK;) {
        rc = md_sql_step(s, st, &row, err);
        if (rc != MD_OK || !row)
            break;
        int64_t id = sqlite3_column_int64(st, 0);
        bool raised = false;
        for (size_t i = 0; t && i < t->nraised; i++)
            raised |= t->raised[i] == id;
        if (!raised) {
            *ids = md_xrealloc(*ids, (*n + 1) * sizeof **ids);
            (*ids)[(*n)++] = id;
        }
    }
    md_sql_done(s, st);
    return rc;
}

/* Open incidents with evidence from this window that the rules did not raise again (the window
 * was recomputed over more or other rows, or the policy changed): a note says so, once. */
static md_status note_cleared(md_store *s, const char *actor, const md_window_facts *w,
                              const md_incident_tally *t, md_err *err)
{
    int64_t *ids = NULL;
    size_t n = 0;
    md_status rc = window_incidents(s, w->version_id, w->window_kind, w->window, t, &ids, &n, err);
    char at[MD_TIME_TEXT_MAX];
    md_store_now_text(s, at);
    char *note = md_xasprintf("window %s " NO_LONGER " (its rows or the policy changed since; "
                              "modeldeck drift and calibration show it now); its evidence here is "
                              "from before",
                              w->window);
    for (size_t i = 0; rc == MD_OK && i < n; i++) { /* said last already: once is enough */
        char *last = window_note(s, ids[i], w->window, err);
        if (!last || !strstr(last, NO_LONGER))
            rc = note_incident(s, actor, ids[i], at, note, err);
        free(last);
    }
    free(note);
    free(ids);
    return rc;
}

md_status md_incidents_apply(md_store *s, const char *actor, const md_window_facts *w,
                             const md_policy *p, md_incident_tally *t, md_err *err)
{
    t->nraised = 0;
    if (feature_rules(s, actor, w, p, t, err) != MD_OK ||
        window_rules(s, actor, w, p, t, err) != MD_OK)
        return err->code;
    return note_cleared(s, actor, w, t, err);
}

/* ---- lifecycle ------------------------------------------------------------------------------------ */

typedef struct {
    char state[16];
    char *model;
} incident_ref;

static md_status load_ref(md_store *s, int64_t id, incident_ref *r, md_err *err)
{
    sqlite3_stmt *st;
    memset(r, 0, sizeof *r);
    md_status rc = md_sql_row_by_id(
        s,
        "SELECT i.state, m.name FROM incidents i JOIN models m ON m.id = i.model_id"
        " WHERE i.id = ?",
        id, "incident", &st, err);
    if (rc == MD_OK) {
        snprintf(r->state, sizeof r->state, "%s", (const char *)sqlite3_column_text(st, 0));
        r->model = md_sql_col_text(st, 1);
    }
    sqlite3_finalize(st);
    return rc;
}

/* One lifecycle step: the checks, the update, the audit row, in one transaction. */
typedef md_status (*step_fn)(md_store *s, int64_t id, const incident_ref *r, const char *at,
                             const void *arg, json_t *details, md_err *err);

static md_status lifecycle(md_store *s, const md_actor *a, md_perm perm, int64_t id,
                           const char *action, const char *reason, step_fn fn, const void *arg,
                           md_err *err)
{
    if (md_check_text_reason(reason, err) != MD_OK)
        return err->code;
    if (md_write_begin(s, a, perm, err) != MD_OK)
        return err->code;
    incident_ref r;
    char at[MD_TIME_TEXT_MAX];
    md_store_now_text(s, at);
    json_t *d = json_object();
    md_status rc = load_ref(s, id, &r, err);
    if (rc == MD_OK)
        rc = fn(s, id, &r, at, arg, d, err);
    char *object = md_xasprintf("incident:%lld", (long long)id);
    if (rc == MD_OK)
        rc = md_audit_append(s, a->name, action, object, reason, d, NULL, err);
    free(object);
    json_decref(d);
    free(r.model);
    return md_tx_end(s, rc, err);
}

static md_status do_ack(md_store *s, int64_t id, const incident_ref *r, const char *at,
                        const void *arg, json_t *d, md_err *err)
{
    const char *who = arg;
    if (strcmp(r->state, "open") != 0)
        return md_err_set(err, MD_ERROR, "incident %lld is %s, not open", (long long)id, r->state);
    json_object_set_new(d, "model", json_string(r->model));
    return md_sql_run(s, err,
                      "UPDATE incidents SET state = 'acknowledged', acked_at = ?, acked_by = ?"
                      " WHERE id = ?",
                      "tti", at, who, id);
}

md_status md_incident_ack(md_store *s, const md_actor *a, int64_t id, const char *reason,
                          md_err *err)
{
    return lifecycle(s, a, MD_PERM_INCIDENT_WRITE, id, "incident.ack", reason ? reason : "",
                     do_ack, a->name, err);
}

static md_status not_resolved(int64_t id, const incident_ref *r, md_err *err)
{
    if (strcmp(r->state, "resolved") == 0)
        return md_err_set(err, MD_ERROR, "incident %lld is resolved", (long long)id);
    return MD_OK;
}

static md_status do_assign(md_store *s, int64_t id, const incident_ref *r, const char *at,
                           const void *arg, json_t *d, md_err *err)
{
    (void)at;
    const char *user = arg;
    int64_t known = 0;
    if (not_resolved(id, r, err) ||
        md_sql_int(s, &known, err, "SELECT count(*) FROM users WHERE name = ?", "t", user))
        return err->code;
    if (!known)
        return md_err_set(err, MD_NOTFOUND, "no user '%s' to assign to", user);
    json_object_set_new(d, "assignee", json_string(user));
    return md_sql_run(s, err, "UPDATE incidents SET assignee = ? WHERE id = ?", "ti", user, id);
}

md_status md_incident_assign(md_store *s, const md_actor *a, int64_t id, const char *user,
                             const char *reason, md_err *err)
{
    return lifecycle(s, a, MD_PERM_INCIDENT_WRITE, id, "incident.assign", reason ? reason : "",
                     do_assign, user, err);
}

static md_status do_snooze(md_store *s, int64_t id, const incident_ref *r, const char *at,
                           const void *arg, json_t *d, md_err *err)
{
    const char *until = arg;
    if (not_resolved(id, r, err))
        return err->code;
    if (strcmp(until, at) <= 0)
        return md_err_set(err, MD_INVALID, "--until %s is not in the future", until);
    json_object_set_new(d, "until", json_string(until));
    return md_sql_run(s, err, "UPDATE incidents SET snoozed_until = ? WHERE id = ?", "ti", until,
                      id);
}

md_status md_incident_snooze(md_store *s, const md_actor *a, int64_t id, const char *until,
                             const char *reason, md_err *err)
{
    int64_t ms;
    char text[MD_TIME_TEXT_MAX];
    if (md_time_parse(until, &ms, err) != MD_OK)
        return md_err_prefix(err, "--until");
    md_time_format(ms, text);
    return lifecycle(s, a, MD_PERM_INCIDENT_WRITE, id, "incident.snooze", reason ? reason : "",
                     do_snooze, text, err);
}

static md_status do_resolve(md_store *s, int64_t id, const incident_ref *r, const char *at,
                            const void *arg, json_t *d, md_err *err)
{
    const char *who = arg;
    if (not_resolved(id, r, err))
        return err->code;
    json_object_set_new(d, "from", json_string(r->state));
    return md_sql_run(s, err,
                      "UPDATE incidents SET state = 'resolved', resolved_at = ?, resolved_by = ?,"
                      " snoozed_until = NULL WHERE id = ?",
                      "tti", at, who, id); /* never acknowledged: no time to acknowledge */
}

md_status md_incident_resolve(md_store *s, const md_actor *a, int64_t id, const char *reason,
                              md_err *err)
{
    if (!reason || !*reason)
        return md_err_set(err, MD_INVALID, "resolving an incident needs a reason");
    return lifecycle(s, a, MD_PERM_INCIDENT_WRITE, id, "incident.resolve", reason, do_resolve,
                     a->name, err);
}

static md_status do_note(md_store *s, int64_t id, const incident_ref *r, const char *at,
                         const void *arg, json_t *d, md_err *err)
{
    (void)r;
    const char *const *who_text = arg;
    json_object_set_new(d, "note", md_json_str_or_null(who_text[1]));
    return md_sql_run(s, err,
                      "INSERT INTO incident_notes(incident_id, at, actor, text) VALUES (?,?,?,?)",
                      "ittt", id, at, who_text[0], who_text[1]);
}

md_status md_incidents_note_window(md_store *s, const char *actor, int64_t version_id,
                                   const char *kind, const char *window, const char *note,
                                   md_err *err)
{
    int64_t *ids = NULL;
    size_t n = 0;
    md_status rc = window_incidents(s, version_id, kind, window, NULL, &ids, &n, err);
    char at[MD_TIME_TEXT_MAX];
    md_store_now_text(s, at);
    for (size_t i = 0; rc == MD_OK && i < n; i++)
        rc = note_incident(s, actor, ids[i], at, note, err);
    free(ids);
    return rc;
}

static void evidence_ref_read(sqlite3_stmt *st, void *elem)
{
    md_evidence_ref *e = elem;
    e->incident = sqlite3_column_int64(st, 0);
    e->detail = md_sql_col_text(st, 1);
}

md_status md_incidents_evidence_of_window(md_store *s, int64_t version_id, const char *kind,
                                          const char *window, const char *incident_kind,
                                          md_evidence_ref **out, size_t *n, md_err *err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (md_sql_prepare(s,
                       "SELECT e.incident_id, e.detail FROM incident_evidence e"
                       " JOIN incidents i ON i.id = e.incident_id"
                       " WHERE e.version_id = ? AND e.window_kind = ? AND e.window = ?"
                       " AND i.kind = ? AND i.state <> 'resolved' ORDER BY e.incident_id",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "ittt", version_id, kind, window, incident_kind);
    return md_sql_collect(s, st, sizeof **out, evidence_ref_read, (void **)out, n, err);
}

void md_evidence_refs_free(md_evidence_ref *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(e[i].detail);
    free(e);
}

md_status md_incident_note_as(md_store *s, const char *actor, int64_t id, const char *text,
                              md_err *err)
{
    char at[MD_TIME_TEXT_MAX];
    md_store_now_text(s, at);
    return note_incident(s, actor, id, at, text, err);
}

md_status md_incident_note(md_store *s, const md_actor *a, int64_t id, const char *text,
                           md_err *err)
{
    if (!text || !*text)
        return md_err_set(err, MD_INVALID, "a note needs text");
    const char *who_text[2] = {a->name, text};
    return lifecycle(s, a, MD_PERM_NOTE, id, "incident.note", "", do_note, who_text, err);
}
