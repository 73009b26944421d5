#include "ingest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "json.h"
#include "mem.h"
#include "models.h"
#include "incidents.h"
#include "ingest_int.h"
#include "proposals.h"
#include "pass.h"
#include "policies.h"
#include "profile.h"
#include "registry_tx.h"
#include "sort.h"
#include "sha256.h"
#include "sql.h"
#include "tasks.h"
#include "window.h"


/* ---- storing --------------------------------------------------------------------------------- */

static const char *level_text(md_level l)
{
    return md_level_name(l);
}

static void bind_opt(sqlite3_stmt *st, int col, bool has, double v)
{
    if (has)
        sqlite3_bind_double(st, col, v);
    else
        sqlite3_bind_null(st, col);
}

static md_status save_drift(md_store *s, int64_t wid, const md_window_result *r, md_err *err)
{
    sqlite3_stmt *st;
    if (md_sql_run(s, err, "DELETE FROM drift WHERE window_id = ?", "i", wid) ||
        md_sql_take(s,
                    "INSERT INTO drift(window_id, position, feature, kind, rows, present,"
                    " psi, psi_null_p99, ks, ks_pvalue, missing_rate, missing_delta,"
                    " schema_changes, type_errors, absent, new_categories, violations,"
                    " status, hist, missing_pvalue, mix_pvalue, new_distinct, new_estimated,"
                    " psi_max)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    &st, err))
        return err->code;
    md_status rc = MD_OK;
    for (size_t i = 0; rc == MD_OK && i < r->ndrift; i++) {
        const md_drift_row *d = &r->drift[i];
        char *cats = md_json_dump(d->new_categories, MD_JSON_COMPACT);
        char *hist = md_json_dump(d->hist, MD_JSON_COMPACT);
        sqlite3_reset(st);
        md_sql_bind(st, "iittii", wid, (int64_t)i, d->feature,
                    d->kind == MD_NUMERIC ? "numeric" : "categorical", d->rows, d->present);
        bind_opt(st, 7, d->has_psi, d->psi);
        bind_opt(st, 8, d->has_psi, d->psi_null);
        bind_opt(st, 9, d->has_ks, d->ks);
        bind_opt(st, 10, d->has_ks, d->ks_p);
        sqlite3_bind_double(st, 11, d->missing_rate);
        sqlite3_bind_double(st, 12, d->missing_delta);
        sqlite3_bind_int64(st, 13, d->schema_changes);
        sqlite3_bind_int64(st, 14, d->type_errors);
        sqlite3_bind_int64(st, 15, d->absent);
        sqlite3_bind_text(st, 16, cats, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 17, d->violations);
        sqlite3_bind_text(st, 18, level_text(d->status), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 19, hist, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(st, 20, d->missing_pvalue);
        bind_opt(st, 21, !isnan(d->mix_pvalue), d->mix_pvalue);
        if (d->kind == MD_CATEGORICAL)
            sqlite3_bind_int64(st, 22, d->new_distinct);
        else
            sqlite3_bind_null(st, 22);
        sqlite3_bind_int64(st, 23, d->new_estimated);
        bind_opt(st, 24, d->has_psi_max, d->psi_max);
        bool row;
        rc = md_sql_step(s, st, &row, err);
        free(cats);
        free(hist);
    }
    md_sql_done(s, st);
    return rc;
}

static md_status save_window(ingest *g, int64_t vid, const char *key, const md_window_result *r,
                             md_err *err)
{
    char at[MD_TIME_TEXT_MAX];
    md_store_now_text(g->s, at);
    char *dec = md_json_dump(r->deciles, MD_JSON_COMPACT);
    char *lat = r->latency ? md_json_dump(r->latency, MD_JSON_COMPACT) : NULL;
    const char *kind = md_window_kind_name(g->o->window);
    md_status rc = md_sql_run(
        g->s, err,
        "INSERT INTO windows(version_id, kind, window, rows, labeled, auc, auc_exact, auc_error,"
        " delta_auc, brier, ece, hl_stat, hl_pvalue, deciles, latency, status, updated_at,"
        " positives) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT(version_id, kind, window) DO UPDATE SET rows = excluded.rows,"
        " labeled = excluded.labeled, auc = excluded.auc, auc_exact = excluded.auc_exact,"
        " auc_error = excluded.auc_error, delta_auc = excluded.delta_auc,"
        " brier = excluded.brier, ece = excluded.ece, hl_stat = excluded.hl_stat,"
        " hl_pvalue = excluded.hl_pvalue, deciles = excluded.deciles,"
        " latency = excluded.latency, status = excluded.status,"
        " updated_at = excluded.updated_at, positives = excluded.positives",
        "ittiiDiDDDDDDttt" "ti", vid, kind, key, r->rows, r->labeled, (int)r->has_auc, r->auc,
        (int64_t)r->auc_exact, (int)!r->auc_exact, r->auc_error, (int)r->has_delta, r->delta_auc,
        (int)r->has_perf, r->brier, (int)r->has_perf, r->ece, (int)r->has_perf, r->hl_stat,
        (int)r->has_hl, r->hl_p, dec, lat, level_text(r->status), at, r->positives);
    free(dec);
    free(lat);
    int64_t wid = 0;
    if (rc == MD_OK)
        rc = md_sql_int(g->s, &wid, err,
                        "SELECT id FROM windows WHERE version_id = ? AND kind = ? AND window = ?",
                        "itt", vid, kind, key);
    return rc == MD_OK ? save_drift(g->s, wid, r, err) : rc;
}

/* The fresh window of this ingest with key `key`, or NULL. */
static md_window *fresh_window(ingest *g, const char *key)
{
    int64_t i = md_strmap_find(&g->fresh, key, strlen(key));
    return i < 0 ? NULL : &g->pass.w[i];
}

static void part_read(sqlite3_stmt *st, void *elem)
{
    md_window_part *p = elem;
    p->ingest_id = sqlite3_column_int64(st, 0);
    p->n = (size_t)sqlite3_column_bytes(st, 1);
    p->blob = md_xmalloc(p->n ? p->n : 1);
    memcpy(p->blob, sqlite3_column_blob(st, 1), p->n);
}

md_status md_window_parts_load(md_store *s, int64_t vid, const char *kind, const char *key,
                               md_window_part **parts, size_t *n, md_err *err)
{
    *parts = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (md_sql_prepare(s,
                       "SELECT p.ingest_id, p.state FROM window_parts p JOIN ingests i"
                       " ON i.id = p.ingest_id WHERE i.version_id = ? AND i.window_kind = ?"
                       " AND p.window = ? ORDER BY p.ingest_id",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "itt", vid, kind, key);
    return md_sql_collect(s, st, sizeof **parts, part_read, (void **)parts, n, err);
}

void md_window_parts_free(md_window_part *parts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(parts[i].blob);
    free(parts);
}

static void count_statuses(ingest *g, const md_window_result *r)
{
    for (size_t i = 0; i < r->ndrift; i++) {
        g->rep->alerts += r->drift[i].status == MD_LEVEL_ALERT;
        g->rep->warns += r->drift[i].status == MD_LEVEL_WARN;
    }
}

/* The incident rules over one recomputed window. */
static md_status apply_rules(ingest *g, int64_t vid, const char *key, const md_window_result *r,
                             md_err *err)
{
    md_feature_facts *f = md_xcalloc(r->ndrift + 1, sizeof *f);
    for (size_t i = 0; i < r->ndrift; i++) {
        const md_drift_row *d = &r->drift[i];
        f[i] = (md_feature_facts){.feature = d->feature,
                                  .has_psi = d->has_psi,
                                  .has_ks = d->has_ks,
                                  .psi = d->psi,
                                  .psi_null = d->psi_null,
                                  .ks = d->ks,
                                  .ks_p = d->ks_p,
                                  .missing_delta = d->missing_delta,
                                  .missing_pvalue = d->missing_pvalue,
                                  .mix_pvalue = d->mix_pvalue,
                                  .present = d->present,
                                  .schema_changes = d->schema_changes,
                                  .violations = d->violations};
    }
    json_t *over = r->latency ? json_object_get(r->latency, "over_sla") : NULL;
    md_window_facts w = {g->model_id, vid, g->number, g->model, g->production,
                         md_window_kind_name(g->o->window), key, r->has_perf, r->has_hl,
                         r->has_delta, json_is_number(over), r->ece, r->hl_p, r->delta_auc,
                         json_number_value(over), r->labeled, r->positives, r->has_auc, r->auc,
                         f, r->ndrift, 0, 0, false};
    if (g->b.positives >= 0) {
        w.base_labeled = g->b.labeled;
        w.base_positives = g->b.positives;
    }
    w.hl_adequate = md_hl_adequate(r->deciles);
    md_status rc = md_incidents_apply(g->s, g->actor, &w, &g->policy, &g->tally, err);
    free(f);
    return rc;
}

/* Recomputes one window from all its parts (this ingest's window directly when it is the only
 * one, keeping AUC and latency exact). */
static md_status recompute(ingest *g, int64_t vid, int64_t ingest_id, const char *key,
                           bool replaced_here, md_err *err)
{
    md_window_part *parts = NULL;
    size_t n = 0;
    md_window merged, *w = fresh_window(g, key);
    const char *kind = md_window_kind_name(g->o->window);
    /* the parts of other ingests, counted without reading them: a window only this ingest has
     * rows in (its part stored by save_parts) is computed already */
    int64_t others = 0;
    md_status rc = md_sql_int(g->s, &others, err,
                              "SELECT count(*) FROM window_parts p JOIN ingests i"
                              " ON i.id = p.ingest_id WHERE i.version_id = ? AND i.window_kind = ?"
                              " AND p.window = ? AND p.ingest_id <> ?",
                              "itti", vid, kind, key, ingest_id);
    bool only_ours = rc == MD_OK && others == 0 && w;
    if (rc == MD_OK && only_ours)
        n = 1;
    else if (rc == MD_OK)
        rc = md_window_parts_load(g->s, vid, kind, key, &parts, &n, err);
    if (rc == MD_OK && n == 0) {
        g->rep->emptied++;
        rc = md_sql_run(g->s, err,
                        "DELETE FROM windows WHERE version_id = ? AND kind = ? AND window = ?",
                        "itt", vid, kind, key);
    }
    /* the numbers behind incidents' evidence from this window changed (a corrected file took
     * its earlier rows out; the same content again changes nothing), or it is gone */
    if (rc == MD_OK && (n == 0 || (replaced_here && g->rep->replaced_by_rows))) {
        char *note = md_xasprintf(n == 0 ? "window %s is gone: its rows were replaced by ingest "
                                           "--replace of %s; evidence from it no longer stands"
                                         : "window %s was recomputed: ingest --replace of %s took "
                                           "earlier rows out; its evidence may no longer stand",
                                  key, g->rep->source);
        rc = md_incidents_note_window(g->s, g->actor, vid, md_window_kind_name(g->o->window), key,
                                      note, err);
        free(note);
    }
    if (rc == MD_OK && n > 0 && !only_ours) {
        md_window_init(&merged, &g->b, 0);
        for (size_t i = 0; rc == MD_OK && i < n; i++)
            rc = md_window_add_part(&merged, &g->b, parts[i].blob, parts[i].n, err);
        w = &merged;
        g->rep->recomputed++;
    }
    if (rc == MD_OK && n > 0) {
        md_window_result own, *r = only_ours ? &g->results[w - g->pass.w] : &own;
        if (!only_ours)
            md_window_compute(w, &g->b, &g->pol, &g->lim, &own);
        if (fresh_window(g, key))
            count_statuses(g, r);
        rc = save_window(g, vid, key, r, err);
        if (rc == MD_OK)
            rc = apply_rules(g, vid, key, r, err);
        if (!only_ours)
            md_window_result_free(&own);
    }
    if (n > 0 && !only_ours)
        md_window_free(&merged);
    md_window_parts_free(parts, only_ours ? 0 : n);
    return rc;
}

static md_status save_parts(ingest *g, int64_t ingest_id, size_t from, size_t to, md_err *err)
{
    md_status rc = MD_OK;
    for (size_t i = from; rc == MD_OK && i < to; i++) {
        md_wbuf *blob = &g->blobs[i];
        char key[20];
        md_window *w = &g->pass.w[i];
        md_window_key(w->index, g->o->window, key);
        sqlite3_stmt *st;
        rc = md_sql_take(g->s,
                         "INSERT INTO window_parts(ingest_id, window, rows, state)"
                         " VALUES (?,?,?,?)",
                         &st, err);
        if (rc == MD_OK) {
            md_sql_bind(st, "iti", ingest_id, key, w->rows);
            sqlite3_bind_blob(st, 4, blob->p ? (void *)blob->p : "", (int)blob->n, SQLITE_STATIC);
            bool row;
            rc = md_sql_step(g->s, st, &row, err);
            md_sql_done(g->s, st);
        }
        md_wbuf_free(blob);
    }
    return rc;
}

/* ---- the fresh windows' states and numbers, on every core ------------------------------------ */

/* Fresh windows made at a time: each one's state and numbers (some 30 KB) are held until
 * stored, and a year of hourly windows made at once would hold a quarter of a gigabyte. */
#define PRECOMPUTE_WINDOWS 256

static void precompute_one(void *ctx, size_t k)
{
    ingest *g = ctx;
    size_t i = g->from + k;
    md_window *w = &g->pass.w[i];
    md_window_fold(w, &g->b);
    md_window_serialize(w, &g->b, &g->blobs[i]);
    md_window_compute(w, &g->b, &g->pol, &g->lim, &g->results[i]);
    md_window_release(w); /* what is stored and shown is made */
}

/* Makes the fresh windows from `from` on, PRECOMPUTE_WINDOWS of them at most (or as many as
 * the options say). */
static void precompute(ingest *g, size_t from)
{
    if (!g->blobs) {
        g->blobs = md_xcalloc(g->pass.nw + 1, sizeof *g->blobs);
        g->results = md_xcalloc(g->pass.nw + 1, sizeof *g->results);
    }
    g->from = from;
    size_t most = g->o->windows_at_once ? g->o->windows_at_once : PRECOMPUTE_WINDOWS;
    g->until = from + most < g->pass.nw ? from + most : g->pass.nw;
    int threads = g->o->threads > 0 ? g->o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    md_tasks_run(g->until - from, threads > 1, precompute_one, g);
}

/* Frees the windows precompute made last. */
static void precomputed_free(ingest *g)
{
    for (size_t i = g->from; g->results && i < g->until; i++) {
        md_wbuf_free(&g->blobs[i]);
        md_window_result_free(&g->results[i]);
    }
    g->from = g->until;
}

/* A version's windows are all of one kind: an hour ingest beside day windows would leave the
 * day windows without its rows (and the other way round). */
static md_status same_kind(ingest *g, int64_t vid, md_err *err)
{
    const char *kind = md_window_kind_name(g->o->window);
    int64_t other = 0;
    md_status rc = md_sql_int(g->s, &other, err,
                              "SELECT count(*) FROM ingests WHERE version_id = ? AND"
                              " window_kind != ?",
                              "it", vid, kind);
    if (rc != MD_OK || other == 0)
        return rc;
    const char *was = g->o->window == MD_WINDOW_DAY ? "hour" : "day";
    return md_err_set(err, MD_ERROR, /* the store's state does not allow it: not a refusal */
                      "%s v%lld has %s windows: an ingest by %s would leave them without its "
                      "rows; ingest with --window %s (a new baseline, with --replace, starts the "
                      "windows afresh)",
                      g->model, (long long)g->number, was, kind, was);
}

static json_t *names_json(char **names, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, md_json_str_or_null(names[i]));
    return a;
}

static md_status insert_ingest(ingest *g, int64_t vid, const md_actor *a, const char *path,
                               int64_t *id, md_err *err)
{
    char at[MD_TIME_TEXT_MAX];
    md_store_now_text(g->s, at);
    json_t *nc = names_json(g->rep->new_columns, g->rep->nnew);
    char *newcols = md_json_dump(nc, MD_JSON_COMPACT);
    json_decref(nc);
    /* numbered past every ingest there ever was, replaced ones too: a number names one ingest
     * in summaries and notes for good (the table's own ids would reuse a replaced newest one) */
    char *seq = NULL;
    int64_t last = 0, top = 0;
    md_err ignored;
    if (md_setting_get(g->s, "ingest_seq", &seq, &ignored) == MD_OK)
        last = strtoll(seq, NULL, 10);
    free(seq);
    md_status rc = md_sql_int(g->s, &top, err, "SELECT coalesce(max(id), 0) FROM ingests", "");
    *id = (last > top ? last : top) + 1;
    char next[24];
    snprintf(next, sizeof next, "%lld", (long long)*id);
    if (rc == MD_OK)
        rc = md_setting_put(g->s, "ingest_seq", next, err);
    if (rc == MD_OK)
        rc = md_sql_run(g->s, err,
                        "INSERT INTO ingests(id, version_id, source, sha256, window_kind, rows,"
                        " bad_rows, windows, new_columns, at, actor)"
                        " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        "iitttiiittt", *id, vid, path, g->rep->sha256,
                        md_window_kind_name(g->o->window), g->rep->rows, g->rep->bad_rows,
                        (int64_t)g->pass.nw, newcols, at, a->name);
    free(newcols);
    if (rc == MD_OK)
        rc = md_ingest_keep_sample(g, *id, err);
    return rc;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static md_status store_all(ingest *g, const md_actor *a, const char *model, int64_t number,
                           const char *path, md_err *err)
{
    if (md_write_begin(g->s, a, MD_PERM_MONITOR_WRITE, err) != MD_OK)
        return err->code;
    int64_t vid = 0, id = 0;
    char status[16];
    keyset affected, replaced; /* windows to recompute; those a --replace touched */
    md_strmap_init(&affected);
    md_strmap_init(&replaced);
    md_status rc = md_version_lookup(g->s, model, number, &vid, status, err);
    g->production = strcmp(status, "production") == 0;
    g->actor = a->name;
    if (rc == MD_OK)
        rc = md_sql_int(g->s, &g->model_id, err, "SELECT id FROM models WHERE name = ?", "t",
                        model);
    if (rc == MD_OK)
        rc = same_kind(g, vid, err);
    /* kept as its absolute path: --replace recognizes the file however it is named next time */
    char *abs = realpath(path, NULL);
    const char *source = abs ? abs : path;
    if (rc == MD_OK)
        rc = md_ingest_drop_previous(g, vid, path, source, &affected, &replaced, err);
    if (rc == MD_OK)
        rc = insert_ingest(g, vid, a, source, &id, err);
    for (size_t i = 0; i < g->pass.nw; i++) {
        char key[20];
        md_window_key(g->pass.w[i].index, g->o->window, key);
        md_strmap_intern(&g->fresh, key, strlen(key)); /* the pass's windows are distinct */
    }
    /* every window in time order (window keys of one kind sort so): this file's, made and
     * stored PRECOMPUTE_WINDOWS at a time, and among them those only earlier ingests had rows
     * in (a --replace took them out) */
    size_t nold = 0, next = 0;
    const char **old = md_xmalloc((md_strmap_size(&affected) + 1) * sizeof *old);
    for (size_t i = 0; i < md_strmap_size(&affected); i++)
        if (!fresh_window(g, md_strmap_key(&affected, i)))
            old[nold++] = md_strmap_key(&affected, i);
    qsort(old, nold, sizeof *old, cmp_key);
    for (size_t from = 0; rc == MD_OK && from < g->pass.nw; from = g->until) {
        if (from > 0) {
            precomputed_free(g);
            precompute(g, from);
        }
        rc = save_parts(g, id, from, g->until, err);
        for (size_t i = from; rc == MD_OK && i < g->until; i++) {
            char key[20];
            md_window_key(g->pass.w[i].index, g->o->window, key);
            for (; rc == MD_OK && next < nold && strcmp(old[next], key) < 0; next++)
                rc = recompute(g, vid, id, old[next], true, err);
            if (rc == MD_OK)
                rc = recompute(g, vid, id, key, key_has(&replaced, key), err);
        }
    }
    for (; rc == MD_OK && next < nold; next++)
        rc = recompute(g, vid, id, old[next], true, err);
    free(old);
    bool proposed = false;
    if (rc == MD_OK)
        rc = md_proposals_check(g->s, a->name, g->model_id, model, &g->policy, &proposed, err);
    g->rep->proposal_opened = proposed;
    g->rep->ingest_id = id;
    g->rep->incidents_opened = g->tally.opened;
    g->rep->incidents_updated = g->tally.updated + g->tally.escalated;
    char *object = md_xasprintf("version:%s/%lld", model, (long long)number);
    json_t *d = json_pack(
        "{s:s, s:s, s:s, s:I, s:I, s:I, s:b, s:o, s:o}", "source", source, "sha256", g->rep->sha256,
        "window", md_window_kind_name(g->o->window), "rows", (json_int_t)g->rep->rows, "bad_rows",
        (json_int_t)g->rep->bad_rows, "windows", (json_int_t)g->pass.nw, "replaced",
        g->rep->replaced, "absent", names_json(g->rep->absent, g->rep->nabsent), "new_columns",
        names_json(g->rep->new_columns, g->rep->nnew));
    /* the ingest's number, and those it took the place of: --replace-ingest names them */
    json_object_set_new(d, "ingest", json_integer(id));
    json_t *gone = json_array();
    for (size_t i = 0; i < g->rep->nreplaced; i++)
        json_array_append_new(gone, json_integer(g->rep->replaced_ids[i]));
    json_object_set_new(d, "replaced_ingests", gone);
    if (rc == MD_OK)
        rc = md_audit_append(g->s, a->name, "ingest", object, "scoring log ingested", d, NULL,
                             err);
    json_decref(d);
    free(object);
    free(abs);
    md_strmap_free(&affected);
    md_strmap_free(&replaced);
    return md_tx_end(g->s, rc, err);
}

static md_status prepare(ingest *g, const char *model, int64_t number, md_err *err)
{
    int64_t vid;
    char status[16];
    md_model m;
    if (md_version_lookup(g->s, model, number, &vid, status, err) != MD_OK ||
        md_baseline_load(g->s, vid, &g->b, err) != MD_OK) {
        if (err->code == MD_NOTFOUND && strstr(err->msg, "baseline"))
            md_err_set(err, MD_NOTFOUND,
                       "%s v%lld has no baseline; build one first with 'modeldeck baseline %s "
                       "%lld FILE'",
                       model, (long long)number, model, (long long)number);
        return err->code;
    }
    if (md_model_get(g->s, model, &m, err) != MD_OK)
        return err->code;
    g->lim.has_sla = m.has_sla;
    g->lim.sla_ms = m.sla_ms;
    md_model_free(&m);
    if (md_policy_load(g->s, model, &g->policy, err) != MD_OK)
        return err->code;
    g->pol = g->policy.drift;
    g->model = model;
    g->number = number;
    return same_kind(g, vid, err); /* before the pass, not only after it */
}

/* A column this ingest reads as its timestamp, id, score, label or latency that the baseline
 * counts as a feature (built without naming it so) would be read as both: its values new
 * categories in every window, a schema alert each time. The baseline is what is wrong. */
static md_status roles_not_features(const ingest *g, const md_columns *given, md_err *err)
{
    md_columns c = md_columns_defaults(given);
    const char *names[] = {c.ts, c.id, c.score, c.label, c.latency},
               *flags[] = {"--ts-col", "--id-col", "--score-col", "--label-col", "--latency-col"};
    for (size_t r = 0; r < sizeof names / sizeof names[0]; r++)
        for (size_t i = 0; names[r] && i < g->b.nfeatures; i++)
            if (strcmp(names[r], g->b.features[i].name) == 0)
                return md_err_set(err, MD_INVALID,
                                  "%s %s: the baseline of %s v%lld counts %s as a feature (it was "
                                  "built without %s %s), and a column cannot be both; build it "
                                  "again: modeldeck baseline %s %lld FILE %s %s --replace",
                                  flags[r], names[r], g->model, (long long)g->number, names[r],
                                  flags[r], names[r], g->model, (long long)g->number, flags[r],
                                  names[r]);
    return MD_OK;
}

/* The report's copy of what the pass found. */
static void report_pass(md_ingest_report *rep, md_pass_result *p, md_window_kind kind,
                        int64_t now_ms)
{
    int64_t tomorrow = md_window_index(now_ms + 86400000, kind),
            y1971 = md_window_index(365 * 86400000LL, kind),
            eve = md_window_index(-86400000LL, kind); /* 1969-12-31: -1 for "none" */
    for (size_t i = 0; i < p->nw; i++) {
        if (p->w[i].index > tomorrow) {
            rep->future_windows++;
            rep->future_rows += p->w[i].rows;
        }
        if (p->w[i].index < y1971 && p->w[i].index >= eve)
            rep->epoch_rows += p->w[i].rows;
    }
    rep->rows = p->rows;
    rep->labeled = p->labeled;
    rep->bad_rows = p->bad_rows;
    rep->windows = p->nw;
    rep->parallel = p->parallel;
    snprintf(rep->first_bad, sizeof rep->first_bad, "%s", p->first_bad);
    md_window_key(p->w[0].index, kind, rep->first_window);
    md_window_key(p->w[p->nw - 1].index, kind, rep->last_window);
    rep->absent = p->absent, rep->nabsent = p->nabsent;
    rep->new_columns = p->new_columns, rep->nnew = p->nnew;
    p->absent = p->new_columns = NULL; /* the report owns them now */
    p->nabsent = p->nnew = 0;
}

md_status md_ingest(md_store *s, const md_actor *a, const char *model, int64_t number,
                    const char *path, const md_ingest_opts *o, md_ingest_report *rep, md_err *err)
{
    memset(rep, 0, sizeof *rep);
    rep->source = path;
    /* no kind named: the one the version's windows have, so that an hourly version's next log
     * needs no --window hour each time (a version's windows are all of one kind) */
    md_ingest_opts own = *o;
    int64_t vid, hourly;
    char status[16];
    md_err ignored; /* a version not found is prepare()'s to say */
    if (o->window_unset && md_version_lookup(s, model, number, &vid, status, &ignored) == MD_OK &&
        md_sql_int(s, &hourly, &ignored,
                   "SELECT window_kind = 'hour' FROM ingests WHERE version_id = ? LIMIT 1", "i",
                   vid) == MD_OK)
        own.window = hourly ? MD_WINDOW_HOUR : MD_WINDOW_DAY;
    o = &own;
    rep->window = o->window;
    ingest g = {.s = s, .o = o, .rep = rep};
    md_strmap_init(&g.fresh);
    md_pass_config pc = {.b = &g.b,
                         .ro = &o->read,
                         .window = o->window,
                         .progress = o->progress,
                         .progress_ctx = o->progress_ctx,
                         .threads = o->threads,
                         .keys_in_memory = o->keys_in_memory,
                         .split_min = o->split_min,
                         .lim = &g.lim};
    md_status rc = md_authz_check(s, a, MD_PERM_MONITOR_WRITE, err);
    /* the file's hash, which the pass's two threads read the file through (core/sha256.h) */
    md_file_hasher *hash = rc == MD_OK ? md_file_hash_start_feed(path, o->piece) : NULL;
    pc.feed = hash;
    if (rc == MD_OK)
        rc = prepare(&g, model, number, err);
    /* columns not named take the names the baseline was built with */
    md_read_opts ro = o->read;
    md_columns known = {g.b.col_ts, g.b.col_id, g.b.col_score, g.b.col_label, g.b.col_latency,
                        NULL,       0};
    for (size_t i = 0; rc == MD_OK && i < g.b.nfeatures; i++) {
        const char *f = g.b.features[i].name;
        known.features_named_default |= strcmp(f, "ts") == 0      ? MD_ROLE_TS
                                        : strcmp(f, "score") == 0 ? MD_ROLE_SCORE
                                        : strcmp(f, "label") == 0 ? MD_ROLE_LABEL
                                                                  : 0;
    }
    ro.cols.known = rc == MD_OK ? &known : NULL;
    pc.ro = &ro;
    if (rc == MD_OK)
        rc = roles_not_features(&g, &ro.cols, err);
    if (rc == MD_OK)
        rc = md_pass_run(path, &pc, &g.pass, err);
    if (rc == MD_OK) {
        rc = md_file_hash_finish(hash, g.pass.bytes, rep->sha256, err);
        hash = NULL;
    }
    md_file_hash_cancel(hash); /* the command failed first */
    if (rc == MD_OK) {
        report_pass(rep, &g.pass, o->window, md_store_now_ms(s));
        if (!g.pass.label_column && g.b.labeled > 0) /* a renamed column turns performance off */
            snprintf(rep->label_absent, sizeof rep->label_absent, "%s",
                     ro.cols.label   ? ro.cols.label
                     : g.b.col_label ? g.b.col_label
                                     : "label");
        precompute(&g, 0); /* the first windows before the transaction: the store waits less */
        rc = store_all(&g, a, model, number, path, err);
    }
    precomputed_free(&g);
    free(g.blobs);
    free(g.results);
    md_strmap_free(&g.fresh);
    md_incident_tally_free(&g.tally);
    md_pass_result_free(&g.pass);
    md_baseline_free(&g.b);
    md_policy_free(&g.policy);
    return rc;
}

void md_ingest_report_free(md_ingest_report *rep)
{
    for (size_t i = 0; i < rep->nabsent; i++)
        free(rep->absent[i]);
    for (size_t i = 0; i < rep->nnew; i++)
        free(rep->new_columns[i]);
    free(rep->absent);
    free(rep->new_columns);
    free(rep->replaced_ids);
    free(rep->kept_ids);
    free(rep->shared_ids);
    rep->absent = rep->new_columns = NULL;
    rep->replaced_ids = rep->kept_ids = rep->shared_ids = NULL;
    rep->nabsent = rep->nnew = rep->nreplaced = rep->nkept = rep->nshared = 0;
}
