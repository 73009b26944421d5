#include "window.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mem.h"
#include "perf.h"
#include "window_int.h"

/* 5: KS counters and histograms coded as tokens (md_put_counts32_halves, md_put_counts64_tokens,
 * about 40% smaller); 4: new categories past the bound (core/newcats.c); 3: exact values coded by
 * md_put_ascending_f64, then their counts; 2: each value's 8 bytes beside its counts, and the
 * over-SLA count at the end; 1 had no over-SLA count */
#define PART_FORMAT  5

static void init(md_window *w, const md_baseline *b, int64_t index, bool counting)
{
    memset(w, 0, sizeof *w);
    w->index = index;
    w->sorted = true; /* no keys yet */
    w->ndec = md_baseline_score_bins(b);
    w->dn = md_xcalloc(w->ndec, sizeof *w->dn);
    w->dy = md_xcalloc(w->ndec, sizeof *w->dy);
    w->ds = md_xcalloc(w->ndec, sizeof *w->ds);
    w->nf = b->nfeatures;
    w->f = md_xcalloc(w->nf + 1, sizeof *w->f);
    for (size_t i = 0; i < w->nf; i++) {
        const md_bfeature *bf = &b->features[i];
        md_wfeat *f = &w->f[i];
        md_strmap_init(&f->newcats);
        f->newcut = UINT64_MAX;
        if (bf->kind == MD_NUMERIC && counting && bf->ks_k) {
            continue; /* listed, then counted (md_window_count), folded at the end */
        } else if (bf->kind == MD_NUMERIC) {
            f->bins = md_xcalloc(bf->nbins + 1, sizeof *f->bins);
            f->ks = md_xcalloc(2 * bf->ks_k + 1, sizeof *f->ks);
        } else {
            f->cat = md_xcalloc(md_strmap_size(&bf->cats) + 1, sizeof *f->cat);
        }
    }
}

void md_window_init(md_window *w, const md_baseline *b, int64_t index)
{
    init(w, b, index, false);
}

void md_window_init_counting(md_window *w, const md_baseline *b, int64_t index, bool has_sla,
                             int64_t sla_ms)
{
    init(w, b, index, true);
    w->millionths = true;
    w->over_state = has_sla ? MD_OVER_COUNTED : MD_OVER_NO_SLA;
    w->over_sla_ms = has_sla ? sla_ms : 0;
}

void md_window_over_join(md_window *w, md_over_state state, int64_t sla_ms, int64_t over)
{
    w->lat_over += over;
    if (state == MD_OVER_NONE || w->over_state == MD_OVER_UNKNOWN)
        return;
    if (w->over_state == MD_OVER_NONE) {
        w->over_state = state;
        w->over_sla_ms = sla_ms;
    } else if (state != w->over_state || (state == MD_OVER_COUNTED && sla_ms != w->over_sla_ms)) {
        w->over_state = MD_OVER_UNKNOWN;
    }
}

void md_window_free(md_window *w)
{
    for (size_t i = 0; i < w->nf; i++) {
        md_wfeat *f = &w->f[i];
        free(f->bins);
        free(f->ks);
        md_counters_free(&f->counters);
        free(f->list);
        free(f->cat);
        md_strmap_free(&f->newcats);
        free(f->newcnt);
    }
    free(w->f);
    free(w->dn);
    free(w->dy);
    free(w->ds);
    free(w->pairs);
    free(w->mpairs);
    free(w->lat);
    md_vsum_free(&w->sscore);
    md_vsum_free(&w->slat);
    memset(w, 0, sizeof *w);
}

/* ---- parts ------------------------------------------------------------------------------------ */

static void write_feature(md_wbuf *o, const md_wfeat *f, const md_bfeature *bf, unsigned format)
{
    md_put_u64(o, f->absent);
    md_put_u64(o, (uint64_t)f->missing);
    md_put_u64(o, (uint64_t)f->type_errors);
    md_put_u64(o, (uint64_t)f->violations);
    md_put_u64(o, (uint64_t)f->present);
    if (bf->kind == MD_NUMERIC) {
        md_put_counts64(o, f->bins, bf->nbins);
        if (format >= 5)
            md_put_counts32_halves(o, f->ks, 2 * bf->ks_k + 1);
        else
            md_put_counts32(o, f->ks, 2 * bf->ks_k + 1);
        return;
    }
    md_put_counts64(o, f->cat, md_strmap_size(&bf->cats));
    md_put_u64(o, md_strmap_size(&f->newcats));
    for (size_t i = 0; i < md_strmap_size(&f->newcats); i++) {
        const char *k = md_strmap_key(&f->newcats, i);
        md_put_u64(o, strlen(k));
        md_put_bytes(o, k, strlen(k));
        md_put_u64(o, (uint64_t)f->newcnt[i]);
    }
    if (format >= 4) {
        md_put_u64(o, (uint64_t)f->newother);
        md_put_u64(o, f->newcut);
    }
}

void md_window_serialize(md_window *w, const md_baseline *b, md_wbuf *o)
{
    md_window_serialize_as(w, b, o, PART_FORMAT);
}

void md_window_serialize_as(md_window *w, const md_baseline *b, md_wbuf *o, unsigned format)
{
    md_put_u64(o, format);
    md_put_u64(o, (uint64_t)w->rows);
    md_put_u64(o, (uint64_t)w->labeled);
    md_put_u64(o, w->ndec);
    for (size_t i = 0; i < w->ndec; i++) {
        md_put_u64(o, (uint64_t)w->dn[i]);
        md_put_u64(o, (uint64_t)w->dy[i]);
        md_put_f64(o, w->ds[i].sum);
        md_put_f64(o, w->ds[i].c);
    }
    md_put_f64(o, w->brier.sum);
    md_put_f64(o, w->brier.c);
    md_put_u64(o, w->nf);
    for (size_t i = 0; i < w->nf; i++) {
        if (b->features[i].kind == MD_CATEGORICAL) /* the same names whatever the row order */
            md_newcats_settle(&w->f[i], &b->features[i]);
        write_feature(o, &w->f[i], &b->features[i], format);
    }
    md_vsum ts = {0}, tl = {0};
    if (!w->merged) { /* summaries of the fresh values, leaving the values for compute */
        md_window_summary_of(&ts, w, 0);
        md_window_summary_of(&tl, w, 1);
    }
    md_vsum_write(o, w->merged ? &w->sscore : &ts, false, format);
    md_vsum_write(o, w->merged ? &w->slat : &tl, true, format);
    md_vsum_free(&ts);
    md_vsum_free(&tl);
    if (format < 2)
        return;
    md_put_u64(o, (uint64_t)w->over_state);
    md_put_u64(o, (uint64_t)w->over_sla_ms);
    md_put_u64(o, (uint64_t)w->lat_over);
}

static void read_feature(md_rbuf *in, md_wfeat *f, const md_bfeature *bf, uint64_t format)
{
    f->absent |= md_get_u64(in) != 0;
    f->missing += (int64_t)md_get_u64(in);
    f->type_errors += (int64_t)md_get_u64(in);
    f->violations += (int64_t)md_get_u64(in);
    f->present += (int64_t)md_get_u64(in);
    if (bf->kind == MD_NUMERIC) {
        md_get_counts64_add(in, f->bins, bf->nbins);
        if (format >= 5)
            md_get_counts32_halves_add(in, f->ks, 2 * bf->ks_k + 1);
        else
            md_get_counts32_add(in, f->ks, 2 * bf->ks_k + 1);
        return;
    }
    md_get_counts64_add(in, f->cat, md_strmap_size(&bf->cats));
    uint64_t nnew = md_get_u64(in);
    for (uint64_t i = 0; i < nnew && !in->bad; i++) {
        uint64_t len = md_get_u64(in);
        const unsigned char *k = md_get_bytes(in, len);
        int64_t count = (int64_t)md_get_u64(in);
        if (k)
            md_newcats_add(f, bf, (const char *)k, len, count);
    }
    if (format >= 4) {
        int64_t other = (int64_t)md_get_u64(in);
        uint64_t cut = md_get_u64(in);
        md_newcats_merge(f, bf, NULL, NULL, other, cut);
    }
}

md_status md_window_add_part(md_window *w, const md_baseline *b, const void *blob, size_t n,
                             md_err *err)
{
    md_rbuf in = {blob, n, 0, false};
    md_window_summarize_known(w, SIZE_MAX, SIZE_MAX);
    w->has_auc_kept = false; /* the part's rows join the summary */
    uint64_t format = md_get_u64(&in);
    if (format < 1 || format > PART_FORMAT)
        return md_err_set(err, MD_ERROR, "a stored window part has an unknown format");
    w->rows += (int64_t)md_get_u64(&in);
    w->labeled += (int64_t)md_get_u64(&in);
    if (md_get_u64(&in) != w->ndec)
        return md_err_set(err, MD_ERROR, "a stored window part does not match the baseline");
    for (size_t i = 0; i < w->ndec && !in.bad; i++) {
        w->dn[i] += (int64_t)md_get_u64(&in);
        w->dy[i] += (int64_t)md_get_u64(&in);
        md_ksum_add(&w->ds[i], md_get_f64(&in));
        md_ksum_add(&w->ds[i], md_get_f64(&in));
    }
    md_ksum_add(&w->brier, md_get_f64(&in));
    md_ksum_add(&w->brier, md_get_f64(&in));
    if (md_get_u64(&in) != w->nf)
        return md_err_set(err, MD_ERROR, "a stored window part does not match the baseline");
    for (size_t i = 0; i < w->nf && !in.bad; i++)
        read_feature(&in, &w->f[i], &b->features[i], format);
    md_vsum ps, pl;
    md_vsum_read(&in, &ps, false, format);
    md_vsum_read(&in, &pl, true, format);
    if (!in.bad) {
        md_vsum_merge(&w->sscore, &ps, false);
        md_vsum_merge(&w->slat, &pl, true);
    }
    md_vsum_free(&ps);
    md_vsum_free(&pl);
    if (format == 1) {
        md_window_over_join(w, MD_OVER_UNKNOWN, 0, 0);
    } else {
        uint64_t state = md_get_u64(&in), sla = md_get_u64(&in), over = md_get_u64(&in);
        if (state > MD_OVER_COUNTED)
            in.bad = true;
        else
            md_window_over_join(w, (md_over_state)state, (int64_t)sla, (int64_t)over);
    }
    if (in.bad || in.pos != in.n)
        return md_err_set(err, MD_ERROR, "a stored window part is damaged");
    return MD_OK;
}

/* ---- performance ----------------------------------------------------------------------------- */

static json_t *deciles_json(const md_window *w, const md_baseline *b, const double *sums)
{
    json_t *a = json_array();
    for (size_t i = 0; i < w->ndec; i++) {
        double lo = b->n_score_edges ? b->score_edges[i < b->n_score_edges ? i : 0] : 0;
        double hi = b->n_score_edges >= 2 ? b->score_edges[i + 1] : lo;
        json_t *o = json_pack("{s:I, s:f, s:f, s:I}", "decile", (json_int_t)i + 1, "lo", lo, "hi",
                              hi, "n", (json_int_t)w->dn[i]);
        double n = (double)w->dn[i];
        json_object_set_new(o, "expected", w->dn[i] ? json_real(sums[i] / n) : json_null());
        json_object_set_new(o, "observed",
                            w->dn[i] ? json_real((double)w->dy[i] / n) : json_null());
        json_array_append_new(a, o);
    }
    return a;
}

/* AUC over the window: exact from the values, or from the merged summary. */
static void auc_of(md_window *w, md_window_result *r)
{
    r->auc_exact = true;
    if (w->has_auc_kept) { /* exact, read when the values were summarized */
        r->auc = w->auc_kept;
        r->has_auc = w->auc_kept_ok;
        return;
    }
    if (!w->merged) { /* exact, over every labeled row, in order */
        r->auc = md_window_auc_exact(w, &r->has_auc);
        return;
    }
    const md_vsum *s = &w->sscore;
    r->auc = md_auc_distinct(s->a, s->b, s->k, &r->has_auc);
    if (!s->hist || !r->has_auc)
        return;
    double pos = 0, neg = 0, tied = 0;
    for (size_t i = 0; i < s->k; i++)
        pos += (double)s->a[i], neg += (double)s->b[i], tied += (double)s->a[i] * (double)s->b[i];
    r->auc_exact = false;
    r->auc_error = tied / (2 * pos * neg); /* ties inside a bin count half; truth is 0 or 1 */
}

static void performance(md_window *w, const md_baseline *b, md_window_result *r)
{
    double *sums = md_xcalloc(w->ndec, sizeof *sums);
    for (size_t i = 0; i < w->ndec; i++)
        sums[i] = md_ksum_value(&w->ds[i]);
    r->deciles = deciles_json(w, b, sums);
    if (w->labeled > 0) {
        md_deciles d = {w->ndec, w->dn, sums, w->dy, w->labeled};
        r->has_perf = true;
        r->brier = md_ksum_value(&w->brier) / (double)w->labeled;
        r->ece = md_ece(&d);
        r->hl_stat = md_hosmer_lemeshow(&d, &r->hl_p, &r->has_hl);
        auc_of(w, r);
        r->has_delta = r->has_auc && b->has_auc;
        r->delta_auc = r->auc - b->auc;
    }
    free(sums);
}

/* The value at sorted position idx of the summary (counts in a), and whether it is exact. */
static double vsum_at(const md_vsum *s, int64_t idx)
{
    int64_t cum = 0;
    for (size_t i = 0; i < s->k; i++) {
        cum += s->a[i];
        if (idx < cum)
            return s->hist ? md_lat_hist_value(i) : s->v[i];
    }
    return s->k ? (s->hist ? md_lat_hist_value(s->k - 1) : s->v[s->k - 1]) : 0;
}

/* numpy.percentile(x, 100 q), linear, over the summary (numpy's _lerp). */
static double vsum_quantile(const md_vsum *s, int64_t n, double q)
{
    double vi = (double)(n - 1) * q;
    if (vi >= (double)(n - 1))
        return vsum_at(s, n - 1);
    int64_t prev = (int64_t)floor(vi);
    double a = vsum_at(s, prev), b = vsum_at(s, prev + 1), g = vi - (double)prev;
    double diff = b - a;
    return g >= 0.5 ? b - diff * (1 - g) : a + diff * g;
}

json_t *md_window_latency_json(md_window *w, const md_model_limits *lim)
{
    md_vsum tmp = {0};
    const md_vsum *s = &w->slat;
    if (!w->merged) {
        md_window_summary_of(&tmp, w, 1);
        s = &tmp;
    }
    int64_t n = 0, over = 0, straddle = 0;
    size_t sla_bin = lim->has_sla ? md_lat_hist_bin((double)lim->sla_ms) : 0;
    for (size_t i = 0; i < s->k; i++) {
        n += s->a[i];
        double v = s->hist ? md_lat_hist_value(i) : s->v[i];
        over += lim->has_sla && v > (double)lim->sla_ms ? s->a[i] : 0;
        straddle += s->hist && i == sla_bin ? s->a[i] : 0; /* on either side of the SLA */
    }
    /* From the histogram the count is off by at most the bin holding the SLA; the count kept
     * row by row is exact when it was kept against the SLA in force now. */
    bool counted =
        lim->has_sla && w->over_state == MD_OVER_COUNTED && w->over_sla_ms == lim->sla_ms;
    if (s->hist && counted)
        over = w->lat_over;
    json_t *o = NULL;
    if (n > 0) {
        o = json_pack("{s:f, s:f, s:f, s:I, s:b}", "p50", vsum_quantile(s, n, 0.5), "p95",
                      vsum_quantile(s, n, 0.95), "p99", vsum_quantile(s, n, 0.99), "n",
                      (json_int_t)n, "exact", !s->hist);
        json_object_set_new(o, "over_sla",
                            lim->has_sla ? json_real((double)over / (double)n) : json_null());
        /* log-spaced bins 1% wide: a value read from one is within half a bin of the truth */
        json_object_set_new(o, "relative_error", s->hist ? json_real(0.005) : json_null());
        json_t *over_error = json_null();
        if (s->hist && lim->has_sla)
            over_error = json_real(counted ? 0.0 : (double)straddle / (double)n);
        json_object_set_new(o, "over_sla_error", over_error);
    }
    md_vsum_free(&tmp);
    return o;
}

void md_window_compute(md_window *w, const md_baseline *b, const md_drift_policy *p,
                       const md_model_limits *lim, md_window_result *r)
{
    memset(r, 0, sizeof *r);
    r->auc_exact = true; /* nothing approximate until a summary says so */
    r->rows = w->rows;
    r->labeled = w->labeled;
    for (size_t i = 0; i < w->ndec; i++)
        r->positives += w->dy[i];
    r->ndrift = w->nf;
    r->drift = md_xcalloc(w->nf + 1, sizeof *r->drift);
    for (size_t i = 0; i < w->nf; i++) {
        if (b->features[i].kind == MD_CATEGORICAL)
            md_newcats_settle(&w->f[i], &b->features[i]);
        md_window_drift_row(w, b, i, p, &r->drift[i]);
        r->status = r->drift[i].status > r->status ? r->drift[i].status : r->status;
    }
    performance(w, b, r);
    r->latency = md_window_latency_json(w, lim);
}

void md_window_result_free(md_window_result *r)
{
    for (size_t i = 0; i < r->ndrift; i++) {
        json_decref(r->drift[i].new_categories);
        json_decref(r->drift[i].hist);
    }
    free(r->drift);
    json_decref(r->deciles);
    json_decref(r->latency);
    memset(r, 0, sizeof *r);
}
