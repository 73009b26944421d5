/* Stored latency figures under a changed SLA (`model edit --sla-ms`). A window's share of
 * latencies over the SLA is stored when an ingest computes it; a new SLA (or none) gives every
 * stored window of the model that share again, from the window's stored parts, as an ingest
 * would compute it now: exact where the window keeps its latencies (or counted them against
 * this SLA), else read from its bins with the bound that carries. The percentiles do not depend
 * on the SLA and stay as stored. `evaluate`, the calibration views and the console then read
 * the SLA in force, not the one of the day the window was ingested. A latency incident still
 * open (or acknowledged) that cites windows whose share moved off the share its evidence holds
 * gets one note listing them: its evidence is from before, until `evaluate` applies the rules
 * again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incidents.h"
#include "json.h"
#include "mem.h"
#include "models.h"
#include "sql.h"
#include "window.h"

typedef struct {
    int64_t id, version;
    char *kind, *key, *latency;
} stored;

static void stored_read(sqlite3_stmt *st, void *elem)
{
    stored *w = elem;
    w->id = sqlite3_column_int64(st, 0);
    w->version = sqlite3_column_int64(st, 1);
    w->kind = md_sql_col_text(st, 2);
    w->key = md_sql_col_text(st, 3);
    w->latency = md_sql_col_text(st, 4);
}

/* Both absent or null, or the same number. */
static bool same_figure(const json_t *a, const json_t *b)
{
    bool na = !a || json_is_null(a), nb = !b || json_is_null(b);
    if (na || nb)
        return na && nb;
    return json_is_number(a) && json_is_number(b) && json_number_value(a) == json_number_value(b);
}

/* The latency figures of one stored window under lim, from its parts (NULL: none). */
static md_status figures_now(md_store *s, const md_baseline *b, const stored *w,
                             const md_model_limits *lim, json_t **out, md_err *err)
{
    *out = NULL;
    md_window_part *parts;
    size_t n;
    if (md_window_parts_load(s, w->version, w->kind, w->key, &parts, &n, err) != MD_OK)
        return err->code;
    md_window m;
    md_window_init(&m, b, 0);
    md_status rc = MD_OK;
    for (size_t i = 0; rc == MD_OK && i < n; i++)
        rc = md_window_add_part(&m, b, parts[i].blob, parts[i].n, err);
    if (rc == MD_OK && n > 0)
        *out = md_window_latency_json(&m, lim);
    if (rc != MD_OK) { /* say which window, and that nothing changed */
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        md_err_set(err, rc, "%s window %s: %s; the SLA is left as it was", w->kind, w->key, why);
    }
    md_window_free(&m);
    md_window_parts_free(parts, n);
    return rc;
}

/* A share as a note words it: six significant digits, or "none". */
static void share_text(const json_t *v, char out[32])
{
    if (json_is_number(v))
        snprintf(out, 32, "%.6g", json_number_value(v));
    else
        snprintf(out, 32, "none");
}

/* An unresolved latency incident's evidence from a window whose share over the SLA the change
 * moved off the share that evidence holds, as a line of the incident's note. */
typedef struct {
    int64_t incident;
    char *line; /* "v1 2026-10-01: 0.248 (its evidence: 0.498)" */
} moved;

typedef struct {
    moved *v;
    size_t n, cap;
} moved_list;

/* The latency incidents not resolved whose evidence from window w holds a share other than
 * `now` (the window's share after the change): a line each into m. */
static md_status cited(md_store *s, const stored *w, const json_t *now, moved_list *m, md_err *err)
{
    md_evidence_ref *e;
    size_t n;
    if (md_incidents_evidence_of_window(s, w->version, w->kind, w->key, "latency", &e, &n, err) !=
        MD_OK)
        return err->code;
    for (size_t i = 0; i < n; i++) {
        json_t *d = json_loads(e[i].detail, 0, NULL);
        json_t *then = json_object_get(d, "over_sla");
        if (!same_figure(then, now)) {
            char was[32], is[32];
            share_text(then, was);
            share_text(now, is);
            m->v = md_xgrow(m->v, &m->cap, m->n + 1, sizeof *m->v);
            m->v[m->n++] =
                (moved){e[i].incident, md_xasprintf("v%lld %s: %s (its evidence: %s)",
                                                    (long long)w->version, w->key, is, was)};
        }
        json_decref(d);
    }
    md_evidence_refs_free(e, n);
    return MD_OK;
}

#define NOTE_LINES 12 /* windows a note lists; more are counted */

/* One note for each incident in m, listing its windows in the order they were restated. */
static md_status note_moved(md_store *s, const char *actor, const moved_list *m,
                            const md_model_limits *lim, int64_t *noted, md_err *err)
{
    md_status rc = MD_OK;
    for (size_t i = 0; rc == MD_OK && i < m->n; i++) {
        bool first = true;
        for (size_t j = 0; first && j < i; j++)
            first = m->v[j].incident != m->v[i].incident;
        if (!first)
            continue;
        size_t count = 0;
        char *list = md_xstrdup("");
        for (size_t j = i; j < m->n; j++) {
            if (m->v[j].incident != m->v[i].incident || count++ >= NOTE_LINES)
                continue;
            char *more = md_xasprintf("%s%s%s", list, *list ? "; " : "", m->v[j].line);
            free(list);
            list = more;
        }
        char head[160], tail[48] = "";
        if (lim->has_sla)
            snprintf(head, sizeof head,
                     "the model's SLA is now %lld ms: the share of latencies over it moved in %zu "
                     "window%s this incident cites",
                     (long long)lim->sla_ms, count, count == 1 ? "" : "s");
        else
            snprintf(head, sizeof head,
                     "the model has no SLA now: no share of latencies over one in the %zu "
                     "window%s this incident cites",
                     count, count == 1 ? "" : "s");
        if (count > NOTE_LINES)
            snprintf(tail, sizeof tail, "; and %zu more", count - NOTE_LINES);
        char *note = md_xasprintf("%s (%s%s); its evidence is from before the change "
                                  "(modeldeck evaluate applies the rules again)",
                                  head, list, tail);
        rc = md_incident_note_as(s, actor, m->v[i].incident, note, err);
        *noted += rc == MD_OK;
        free(note);
        free(list);
    }
    return rc;
}

/* Sets window w's stored over_sla and its bound to those in `now`; *changed when they differ. */
static md_status restate(md_store *s, const stored *w, const json_t *now, bool *changed,
                         md_err *err)
{
    json_t *was = json_loads(w->latency, 0, NULL);
    if (!json_is_object(was)) {
        json_decref(was);
        return md_err_set(err, MD_ERROR, "the stored latency figures of %s window %s are damaged",
                          w->kind, w->key);
    }
    const char *keys[] = {"over_sla", "over_sla_error"};
    *changed = false;
    for (size_t i = 0; i < 2; i++) {
        json_t *v = json_object_get(now, keys[i]);
        if (same_figure(json_object_get(was, keys[i]), v))
            continue;
        *changed = true;
        json_object_set(was, keys[i], v ? v : json_null());
    }
    md_status rc = MD_OK;
    if (*changed) {
        char *text = md_json_dump(was, MD_JSON_COMPACT);
        rc = md_sql_run(s, err, "UPDATE windows SET latency = ? WHERE id = ?", "ti", text, w->id);
        free(text);
    }
    json_decref(was);
    return rc;
}

md_status md_latency_restate(md_store *s, const char *actor, int64_t model_id, bool has_sla,
                             int64_t sla_ms, md_sla_restated *out, md_err *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    if (md_sql_prepare(s,
                       "SELECT w.id, w.version_id, w.kind, w.window, w.latency FROM windows w"
                       " JOIN versions v ON v.id = w.version_id"
                       " WHERE v.model_id = ? AND w.latency IS NOT NULL"
                       " ORDER BY w.version_id, w.id",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "i", model_id);
    stored *ws = NULL;
    size_t n = 0;
    /* read first, then written: no update runs under the statement reading the rows */
    md_status rc = md_sql_collect(s, st, sizeof *ws, stored_read, (void **)&ws, &n, err);
    md_model_limits lim = {has_sla, sla_ms};
    moved_list m = {NULL, 0, 0};
    md_baseline b;
    int64_t loaded = 0; /* the version whose baseline b holds */
    for (size_t i = 0; rc == MD_OK && i < n; i++) {
        if (ws[i].version != loaded) {
            if (loaded)
                md_baseline_free(&b);
            loaded = 0;
            if ((rc = md_baseline_load(s, ws[i].version, &b, err)) != MD_OK)
                break;
            loaded = ws[i].version;
        }
        json_t *now;
        bool changed = false;
        rc = figures_now(s, &b, &ws[i], &lim, &now, err);
        if (rc == MD_OK && now) {
            rc = restate(s, &ws[i], now, &changed, err);
            out->windows++;
            out->changed += changed;
        }
        if (rc == MD_OK && changed)
            rc = cited(s, &ws[i], json_object_get(now, "over_sla"), &m, err);
        json_decref(now);
    }
    if (rc == MD_OK)
        rc = note_moved(s, actor, &m, &lim, &out->noted, err);
    for (size_t i = 0; i < m.n; i++)
        free(m.v[i].line);
    free(m.v);
    if (loaded)
        md_baseline_free(&b);
    for (size_t i = 0; i < n; i++) {
        free(ws[i].kind);
        free(ws[i].key);
        free(ws[i].latency);
    }
    free(ws);
    return rc;
}
