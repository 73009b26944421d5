/* Stored latency figures under a changed SLA (`model edit --sla-ms`). A window's share of
 * latencies over the SLA is stored when an ingest computes it; a new SLA (or none) gives every
 * stored window of the model that share again, from the window's stored parts, as an ingest
 * would compute it now: exact where the window keeps its latencies (or counted them against
 * this SLA), else read from its bins with the bound that carries. The percentiles do not depend
 * on the SLA and stay as stored. `evaluate`, the calibration views and the console then read
 * the SLA in force, not the one of the day the window was ingested. A latency incident still
 * open (or acknowledged) that cites a window whose share changed gets a note saying so: the
 * share in its evidence is from before, until `evaluate` applies the rules again. */
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

/* A share as a note words it: four significant digits, or "none". */
static void share_text(const json_t *v, char out[32])
{
    if (json_is_number(v))
        snprintf(out, 32, "%.4g", json_number_value(v));
    else
        snprintf(out, 32, "none");
}

/* The latency incidents not resolved with evidence from window w, whose share over the SLA went
 * from `was` to `now`, are told so: their evidence is from before. */
static md_status note_incidents(md_store *s, const char *actor, const stored *w, const json_t *was,
                                const json_t *now, const md_model_limits *lim, size_t *noted,
                                md_err *err)
{
    char before[32], after[32], sla[48];
    share_text(was, before);
    share_text(now, after);
    if (lim->has_sla)
        snprintf(sla, sizeof sla, "the new SLA of %lld ms", (long long)lim->sla_ms);
    else
        snprintf(sla, sizeof sla, "no SLA (the model has none now)");
    char *note = md_xasprintf("window %s: its share of latencies over the SLA was restated under "
                              "%s (%s before, %s now); this evidence is from before the change "
                              "(modeldeck evaluate applies the rules again)",
                              w->key, sla, before, after);
    md_status rc = md_incidents_note_window(s, actor, w->version, w->kind, w->key, "latency", note,
                                            noted, err);
    free(note);
    return rc;
}

/* Sets window w's stored over_sla and its bound to those in `now`; *changed when they differ,
 * and then the latency incidents with evidence from it are noted (*noted counts them). */
static md_status restate(md_store *s, const char *actor, const stored *w, const json_t *now,
                         const md_model_limits *lim, bool *changed, size_t *noted, md_err *err)
{
    json_t *was = json_loads(w->latency, 0, NULL);
    if (!json_is_object(was)) {
        json_decref(was);
        return md_err_set(err, MD_ERROR, "the stored latency figures of %s window %s are damaged",
                          w->kind, w->key);
    }
    json_t *share_was = json_object_get(was, "over_sla");
    json_incref(share_was); /* the object below may replace it */
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
    if (rc == MD_OK && *changed)
        rc = note_incidents(s, actor, w, share_was, json_object_get(now, "over_sla"), lim, noted,
                            err);
    json_decref(share_was);
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
        size_t noted = 0;
        rc = figures_now(s, &b, &ws[i], &lim, &now, err);
        if (rc == MD_OK && now) {
            rc = restate(s, actor, &ws[i], now, &lim, &changed, &noted, err);
            out->windows++;
            out->changed += changed;
            out->noted += (int64_t)noted;
        }
        json_decref(now);
    }
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
