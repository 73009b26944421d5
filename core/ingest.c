#include "ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "json.h"
#include "mem.h"
#include "models.h"
#include "profile.h"
#include "registry_tx.h"
#include "sort.h"
#include "sql.h"
#include "window.h"

typedef struct {
    md_store *s;
    const md_ingest_opts *o;
    md_baseline b;
    md_drift_policy pol;
    md_model_limits lim;
    md_reader *r;
    md_colmap m;
    int64_t *fcol; /* feature -> reader column, -1 while absent */
    size_t ncols;
    md_window *w;
    size_t nw, wcap, last;
    int64_t *slots; /* open addressing: window index -> position in w, by hash of the index */
    size_t nslots;
    md_ingest_report *rep;
    /* Numeric features are applied in batches, one feature at a time, so that its sample
     * values and counters stay in cache while the batch goes through them. */
    size_t batch_n;
    uint32_t *batch_win; /* window position per row */
    double *batch_val;   /* [feature][row] */
    uint8_t *batch_flag; /* [feature][row]: VALUE, MISSING or TYPE_ERROR */
} ingest;

#define BATCH 2048
enum { VALUE, MISSING, TYPE_ERROR, NOT_NUMERIC };

/* ---- windows by index ------------------------------------------------------------------------ */

static size_t slot_of(const ingest *g, int64_t index)
{
    size_t mask = g->nslots - 1, i = (size_t)((uint64_t)index * 0x9E3779B97F4A7C15ULL) & mask;
    while (g->slots[i] >= 0 && g->w[g->slots[i]].index != index)
        i = (i + 1) & mask;
    return i;
}

static void rehash(ingest *g)
{
    free(g->slots);
    g->nslots = g->nslots ? g->nslots * 2 : 64;
    g->slots = md_xmalloc(g->nslots * sizeof *g->slots);
    memset(g->slots, 0xff, g->nslots * sizeof *g->slots);
    for (size_t k = 0; k < g->nw; k++)
        g->slots[slot_of(g, g->w[k].index)] = (int64_t)k;
}

static md_window *window_for(ingest *g, int64_t index)
{
    if (g->nw && g->w[g->last].index == index)
        return &g->w[g->last];
    if ((g->nw + 1) * 2 > g->nslots)
        rehash(g);
    size_t slot = slot_of(g, index);
    if (g->slots[slot] < 0) {
        g->w = md_xgrow(g->w, &g->wcap, g->nw + 1, sizeof *g->w);
        md_window_init(&g->w[g->nw], &g->b, index);
        g->slots[slot] = (int64_t)g->nw++;
    }
    g->last = (size_t)g->slots[slot];
    return &g->w[g->last];
}

/* ---- columns --------------------------------------------------------------------------------- */

static void sync_columns(ingest *g)
{
    size_t n = md_reader_ncols(g->r);
    if (n == g->ncols)
        return;
    g->ncols = n;
    md_colmap_refresh(g->r, &g->o->read.cols, &g->m);
    for (size_t i = 0; i < g->b.nfeatures; i++)
        if (g->fcol[i] < 0)
            g->fcol[i] = md_reader_find(g->r, g->b.features[i].name);
}

/* ---- the pass -------------------------------------------------------------------------------- */

static void add_numeric(const md_bfeature *bf, md_wfeat *f, uint8_t flag, double x)
{
    if (flag == MISSING) {
        f->missing++;
        f->violations += bf->rule.present && !bf->rule.nullable;
        return;
    }
    if (flag == TYPE_ERROR) {
        f->type_errors++;
        return;
    }
    f->present++;
    if (bf->ks_k) {
        size_t bin;
        f->ks[md_bfeature_slot(bf, x, &bin)]++;
        f->bins[bin]++;
    } else {
        f->bins[md_bfeature_bin(bf, x)]++;
    }
    const md_contract_rule *r = &bf->rule;
    f->violations += r->present && ((r->has_min && x < r->min) || (r->has_max && x > r->max));
}

/* Applies the batched numeric values, feature by feature. */
static void flush_batch(ingest *g)
{
    for (size_t i = 0; i < g->b.nfeatures; i++) {
        const md_bfeature *bf = &g->b.features[i];
        if (bf->kind != MD_NUMERIC)
            continue;
        const double *val = g->batch_val + i * BATCH;
        const uint8_t *flag = g->batch_flag + i * BATCH;
        for (size_t r = 0; r < g->batch_n; r++)
            add_numeric(bf, &g->w[g->batch_win[r]].f[i], flag[r], val[r]);
    }
    g->batch_n = 0;
}

static void add_categorical(const md_bfeature *bf, md_wfeat *f, const md_field *v)
{
    char buf[40];
    size_t n;
    const char *t = md_field_text(v, buf, &n);
    f->present++;
    int64_t k = md_strmap_find(&bf->cats, t, n);
    if (k >= 0) {
        f->cat[k]++;
    } else {
        int64_t i = md_strmap_intern(&f->newcats, t, n);
        f->newcnt = md_xgrow_zero(f->newcnt, &f->newcap, (size_t)i + 1, sizeof *f->newcnt);
        f->newcnt[i]++;
    }
    const md_contract_rule *r = &bf->rule;
    f->violations += r->has_allowed && md_strmap_find(&r->allowed, t, n) < 0;
}

static void accumulate(ingest *g, md_window *w, const md_field *fl, const md_rowvals *v)
{
    size_t row = g->batch_n++;
    g->batch_win[row] = (uint32_t)(w - g->w);
    w->rows++;
    if (v->has_label) {
        size_t bin = md_baseline_score_bin(&g->b, v->score);
        w->labeled++;
        w->dn[bin]++;
        w->dy[bin] += v->label;
        md_ksum_add(&w->ds[bin], v->score);
        md_ksum_add(&w->brier, (v->score - v->label) * (v->score - v->label));
        w->pairs = md_xgrow(w->pairs, &w->pcap, w->np + 1, sizeof *w->pairs);
        w->pairs[w->np++] = md_pair_key(v->score, v->label);
    }
    if (v->has_latency) {
        w->lat = md_xgrow(w->lat, &w->lcap, w->nl + 1, sizeof *w->lat);
        w->lat[w->nl++] = md_double_key(v->latency + 0.0);
    }
    for (size_t i = 0; i < w->nf; i++) {
        const md_bfeature *bf = &g->b.features[i];
        const md_field *x = g->fcol[i] >= 0 ? &fl[g->fcol[i]] : NULL;
        bool missing = !x || md_value_missing(x);
        if (bf->kind == MD_NUMERIC) {
            double *val = &g->batch_val[i * BATCH + row];
            g->batch_flag[i * BATCH + row] =
                missing ? MISSING : (md_value_number(x, val) ? VALUE : TYPE_ERROR);
        } else if (missing) {
            w->f[i].missing++;
            w->f[i].violations += bf->rule.present && !bf->rule.nullable;
        } else {
            add_categorical(bf, &w->f[i], x);
        }
    }
    if (g->batch_n == BATCH)
        flush_batch(g);
}

static md_status bad_row(ingest *g, const char *col, const char *why, md_err *err)
{
    md_err_set(err, MD_ERROR, "%s:%llu: column %s: %s", md_reader_path(g->r),
               (unsigned long long)md_reader_line(g->r), col, why);
    if (g->rep->bad_rows == 0)
        snprintf(g->rep->first_bad, sizeof g->rep->first_bad, "%s", err->msg);
    return ++g->rep->bad_rows > g->o->read.max_bad_rows ? MD_ERROR : MD_OK;
}

static md_status run_pass(ingest *g, md_err *err)
{
    const md_field *fl;
    bool done = false;
    char why[256];
    const char *col;
    for (uint64_t n = 0;; n++) {
        if (md_reader_next(g->r, &fl, &done, err) != MD_OK)
            return err->code;
        if (done) {
            flush_batch(g);
            return MD_OK;
        }
        sync_columns(g);
        md_rowvals v;
        if (!md_row_read(fl, &g->m, true, &v, &col, why, sizeof why)) {
            if (bad_row(g, col, why, err) != MD_OK)
                return err->code;
            continue;
        }
        g->rep->rows++;
        g->rep->labeled += v.has_label;
        accumulate(g, window_for(g, md_window_index(v.ts_ms, g->o->window)), fl, &v);
        if (g->o->progress && (n & 0xFFFF) == 0)
            g->o->progress(g->o->progress_ctx, md_reader_offset(g->r), md_reader_size(g->r));
    }
}

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
        md_sql_prepare(s,
                       "INSERT INTO drift(window_id, position, feature, kind, rows, present,"
                       " psi, psi_null_p99, ks, ks_pvalue, missing_rate, missing_delta,"
                       " schema_changes, type_errors, absent, new_categories, violations,"
                       " status, hist) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
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
        bool row;
        rc = md_sql_step(s, st, &row, err);
        free(cats);
        free(hist);
    }
    sqlite3_finalize(st);
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
        " delta_auc, brier, ece, hl_stat, hl_pvalue, deciles, latency, status, updated_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT(version_id, kind, window) DO UPDATE SET rows = excluded.rows,"
        " labeled = excluded.labeled, auc = excluded.auc, auc_exact = excluded.auc_exact,"
        " auc_error = excluded.auc_error, delta_auc = excluded.delta_auc,"
        " brier = excluded.brier, ece = excluded.ece, hl_stat = excluded.hl_stat,"
        " hl_pvalue = excluded.hl_pvalue, deciles = excluded.deciles,"
        " latency = excluded.latency, status = excluded.status,"
        " updated_at = excluded.updated_at",
        "ittiiDiDDDDDDtttt", vid, kind, key, r->rows, r->labeled, (int)r->has_auc, r->auc,
        (int64_t)r->auc_exact, (int)!r->auc_exact, r->auc_error, (int)r->has_delta, r->delta_auc,
        (int)r->has_perf, r->brier, (int)r->has_perf, r->ece, (int)r->has_hl, r->hl_stat,
        (int)r->has_hl, r->hl_p, dec, lat, level_text(r->status), at);
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
    for (size_t i = 0; i < g->nw; i++) {
        char k[20];
        md_window_key(g->w[i].index, g->o->window, k);
        if (strcmp(k, key) == 0)
            return &g->w[i];
    }
    return NULL;
}

typedef struct {
    int64_t ingest_id;
    void *blob;
    size_t n;
} part;

static void part_read(sqlite3_stmt *st, void *elem)
{
    part *p = elem;
    p->ingest_id = sqlite3_column_int64(st, 0);
    p->n = (size_t)sqlite3_column_bytes(st, 1);
    p->blob = md_xmalloc(p->n ? p->n : 1);
    memcpy(p->blob, sqlite3_column_blob(st, 1), p->n);
}

static md_status load_parts(ingest *g, int64_t vid, const char *key, part **parts, size_t *n,
                            md_err *err)
{
    sqlite3_stmt *st;
    if (md_sql_prepare(g->s,
                       "SELECT p.ingest_id, p.state FROM window_parts p JOIN ingests i"
                       " ON i.id = p.ingest_id WHERE i.version_id = ? AND i.window_kind = ?"
                       " AND p.window = ? ORDER BY p.ingest_id",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "itt", vid, md_window_kind_name(g->o->window), key);
    return md_sql_collect(g->s, st, sizeof **parts, part_read, (void **)parts, n, err);
}

static void count_statuses(ingest *g, const md_window_result *r)
{
    for (size_t i = 0; i < r->ndrift; i++) {
        g->rep->alerts += r->drift[i].status == MD_LEVEL_ALERT;
        g->rep->warns += r->drift[i].status == MD_LEVEL_WARN;
    }
}

/* Recomputes one window from all its parts (this ingest's window directly when it is the only
 * one, keeping AUC and latency exact). */
static md_status recompute(ingest *g, int64_t vid, int64_t ingest_id, const char *key,
                           md_err *err)
{
    part *parts = NULL;
    size_t n = 0;
    md_status rc = load_parts(g, vid, key, &parts, &n, err);
    md_window merged, *w = fresh_window(g, key);
    bool only_ours = n == 1 && parts[0].ingest_id == ingest_id && w;
    if (rc == MD_OK && n == 0)
        rc = md_sql_run(g->s, err,
                        "DELETE FROM windows WHERE version_id = ? AND kind = ? AND window = ?",
                        "itt", vid, md_window_kind_name(g->o->window), key);
    if (rc == MD_OK && n > 0 && !only_ours) {
        md_window_init(&merged, &g->b, 0);
        for (size_t i = 0; rc == MD_OK && i < n; i++)
            rc = md_window_add_part(&merged, &g->b, parts[i].blob, parts[i].n, err);
        w = &merged;
        g->rep->recomputed++;
    }
    if (rc == MD_OK && n > 0) {
        md_window_result r;
        md_window_compute(w, &g->b, &g->pol, &g->lim, &r);
        if (fresh_window(g, key))
            count_statuses(g, &r);
        rc = save_window(g, vid, key, &r, err);
        md_window_result_free(&r);
    }
    if (n > 0 && !only_ours)
        md_window_free(&merged);
    for (size_t i = 0; i < n; i++)
        free(parts[i].blob);
    free(parts);
    return rc;
}

static md_status save_parts(ingest *g, int64_t ingest_id, md_err *err)
{
    md_status rc = MD_OK;
    for (size_t i = 0; rc == MD_OK && i < g->nw; i++) {
        md_wbuf blob = {0};
        char key[20];
        md_window_key(g->w[i].index, g->o->window, key);
        md_window_serialize(&g->w[i], &g->b, &blob);
        sqlite3_stmt *st;
        rc = md_sql_prepare(g->s,
                            "INSERT INTO window_parts(ingest_id, window, rows, state)"
                            " VALUES (?,?,?,?)",
                            &st, err);
        if (rc == MD_OK) {
            md_sql_bind(st, "iti", ingest_id, key, g->w[i].rows);
            sqlite3_bind_blob(st, 4, blob.p ? (void *)blob.p : "", (int)blob.n, SQLITE_STATIC);
            bool row;
            rc = md_sql_step(g->s, st, &row, err);
            sqlite3_finalize(st);
        }
        md_wbuf_free(&blob);
    }
    return rc;
}

typedef struct {
    char **keys;
    size_t n, cap;
} keyset;

static void key_add(keyset *k, const char *key)
{
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->keys[i], key) == 0)
            return;
    k->keys = md_xgrow(k->keys, &k->cap, k->n + 1, sizeof *k->keys);
    k->keys[k->n++] = md_xstrdup(key);
}

static void key_read(sqlite3_stmt *st, void *elem)
{
    *(char **)elem = md_sql_col_text(st, 0);
}

/* With --replace: the earlier ingest of the same file goes, and its windows are recomputed. */
static md_status drop_previous(ingest *g, int64_t vid, keyset *affected, md_err *err)
{
    int64_t old = 0;
    md_status rc = md_sql_int(g->s, &old, err,
                              "SELECT id FROM ingests WHERE version_id = ? AND sha256 = ?", "it",
                              vid, g->rep->sha256);
    if (rc == MD_NOTFOUND)
        return MD_OK;
    if (rc == MD_OK && !g->o->read.replace)
        return md_err_set(err, MD_ERROR,
                          "%s was already ingested for this version (ingest #%lld, same SHA-256); "
                          "pass --replace to ingest it again in place of the earlier one",
                          md_reader_path(g->r), (long long)old);
    sqlite3_stmt *st;
    char **keys = NULL;
    size_t n = 0;
    if (rc == MD_OK && (rc = md_sql_prepare(g->s, "SELECT window FROM window_parts WHERE"
                                                  " ingest_id = ?",
                                            &st, err)) == MD_OK) {
        md_sql_bind(st, "i", old);
        rc = md_sql_collect(g->s, st, sizeof *keys, key_read, (void **)&keys, &n, err);
    }
    for (size_t i = 0; i < n; i++) {
        key_add(affected, keys[i]);
        free(keys[i]);
    }
    free(keys);
    g->rep->replaced = true;
    return rc == MD_OK ? md_sql_run(g->s, err, "DELETE FROM ingests WHERE id = ?", "i", old) : rc;
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
    md_status rc = md_sql_run(g->s, err,
                              "INSERT INTO ingests(version_id, source, sha256, window_kind, rows,"
                              " bad_rows, windows, new_columns, at, actor)"
                              " VALUES (?,?,?,?,?,?,?,?,?,?)",
                              "itttiiittt", vid, path, g->rep->sha256,
                              md_window_kind_name(g->o->window), g->rep->rows, g->rep->bad_rows,
                              (int64_t)g->nw, newcols, at, a->name);
    free(newcols);
    *id = sqlite3_last_insert_rowid(md_store_db(g->s));
    return rc;
}

static md_status store_all(ingest *g, const md_actor *a, const char *model, int64_t number,
                           const char *path, md_err *err)
{
    if (md_write_begin(g->s, a, MD_PERM_MONITOR_WRITE, err) != MD_OK)
        return err->code;
    int64_t vid = 0, id = 0;
    char status[16];
    keyset affected = {0};
    md_status rc = md_version_lookup(g->s, model, number, &vid, status, err);
    if (rc == MD_OK)
        rc = drop_previous(g, vid, &affected, err);
    if (rc == MD_OK)
        rc = insert_ingest(g, vid, a, path, &id, err);
    if (rc == MD_OK)
        rc = save_parts(g, id, err);
    for (size_t i = 0; i < g->nw; i++) {
        char key[20];
        md_window_key(g->w[i].index, g->o->window, key);
        key_add(&affected, key);
    }
    for (size_t i = 0; rc == MD_OK && i < affected.n; i++)
        rc = recompute(g, vid, id, affected.keys[i], err);
    g->rep->ingest_id = id;
    char *object = md_xasprintf("version:%s/%lld", model, (long long)number);
    json_t *d = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:b, s:o, s:o}", "source", path,
                          "sha256", g->rep->sha256, "window", md_window_kind_name(g->o->window),
                          "rows", (json_int_t)g->rep->rows, "bad_rows",
                          (json_int_t)g->rep->bad_rows, "windows", (json_int_t)g->nw, "replaced",
                          g->rep->replaced, "absent", names_json(g->rep->absent, g->rep->nabsent),
                          "new_columns", names_json(g->rep->new_columns, g->rep->nnew));
    if (rc == MD_OK)
        rc = md_audit_append(g->s, a->name, "ingest", object, "scoring log ingested", d, NULL,
                             err);
    json_decref(d);
    free(object);
    for (size_t i = 0; i < affected.n; i++)
        free(affected.keys[i]);
    free(affected.keys);
    return md_tx_end(g->s, rc, err);
}

/* Absent baseline features and columns the baseline does not know, for the report. */
static void note_columns(ingest *g)
{
    md_ingest_report *rep = g->rep;
    for (size_t i = 0; i < g->b.nfeatures; i++) {
        if (g->fcol[i] >= 0)
            continue;
        rep->absent = md_xrealloc(rep->absent, (rep->nabsent + 1) * sizeof *rep->absent);
        rep->absent[rep->nabsent++] = md_xstrdup(g->b.features[i].name);
        for (size_t k = 0; k < g->nw; k++)
            g->w[k].f[i].absent = true;
    }
    for (size_t c = 0; c < md_reader_ncols(g->r); c++) {
        const char *name = md_reader_col(g->r, c);
        bool known = md_colmap_special(&g->m, (int64_t)c);
        for (size_t i = 0; !known && i < g->b.nfeatures; i++)
            known = strcmp(g->b.features[i].name, name) == 0;
        if (known)
            continue;
        rep->new_columns = md_xrealloc(rep->new_columns, (rep->nnew + 1) * sizeof *rep->new_columns);
        rep->new_columns[rep->nnew++] = md_xstrdup(name);
    }
}

static int cmp_window(const void *a, const void *b)
{
    int64_t x = ((const md_window *)a)->index, y = ((const md_window *)b)->index;
    return x < y ? -1 : x > y;
}

static md_status prepare(ingest *g, const char *model, int64_t number, const char *path,
                         md_err *err)
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
    md_drift_policy_default(&g->pol);
    g->fcol = md_xmalloc((g->b.nfeatures + 1) * sizeof *g->fcol);
    g->batch_win = md_xmalloc(BATCH * sizeof *g->batch_win);
    g->batch_val = md_xmalloc((g->b.nfeatures + 1) * BATCH * sizeof *g->batch_val);
    g->batch_flag = md_xmalloc((g->b.nfeatures + 1) * BATCH);
    for (size_t i = 0; i < g->b.nfeatures; i++)
        g->fcol[i] = -1;
    if (md_reader_open(path, g->o->read.format, &g->r, err) != MD_OK ||
        md_colmap_resolve(g->r, &g->o->read.cols, true, &g->m, err) != MD_OK)
        return err->code;
    sync_columns(g);
    return MD_OK;
}

md_status md_ingest(md_store *s, const md_actor *a, const char *model, int64_t number,
                    const char *path, const md_ingest_opts *o, md_ingest_report *rep, md_err *err)
{
    memset(rep, 0, sizeof *rep);
    ingest g = {.s = s, .o = o, .rep = rep};
    md_status rc = md_authz_check(s, a, MD_PERM_MONITOR_WRITE, err);
    if (rc == MD_OK)
        rc = prepare(&g, model, number, path, err);
    if (rc == MD_OK)
        rc = run_pass(&g, err);
    if (rc == MD_OK && rep->rows == 0)
        rc = md_err_set(err, MD_ERROR, "%s: no rows to ingest", path);
    if (rc == MD_OK) {
        md_reader_sha256(g.r, rep->sha256);
        note_columns(&g);
        qsort(g.w, g.nw, sizeof *g.w, cmp_window);
        g.nslots = 0; /* positions moved; the index map is not used any more */
        rep->windows = g.nw;
        md_window_key(g.w[0].index, o->window, rep->first_window);
        md_window_key(g.w[g.nw - 1].index, o->window, rep->last_window);
        rc = store_all(&g, a, model, number, path, err);
    }
    for (size_t i = 0; i < g.nw; i++)
        md_window_free(&g.w[i]);
    free(g.w);
    free(g.slots);
    free(g.fcol);
    free(g.batch_win);
    free(g.batch_val);
    free(g.batch_flag);
    md_baseline_free(&g.b);
    md_reader_close(g.r);
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
    rep->absent = rep->new_columns = NULL;
    rep->nabsent = rep->nnew = 0;
}
