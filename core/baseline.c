#include "baseline.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "catcache.h"
#include "json.h"
#include "mem.h"
#include "perf.h"
#include "registry_tx.h"
#include "sort.h"
#include "sql.h"
#include "stats.h"
#include "values.h"

typedef struct {
    int64_t col;
    bool numeric;               /* every non-missing value so far is a number */
    int64_t since;              /* the row (among good rows) from which it is collected */
    int64_t flipped_at;         /* categorical after all: texts of rows before this come from a
                                   second pass; -1 when it never flipped */
    const md_contract_rule *rule;
    bool forced;                /* the contract set the kind */
    int64_t missing, violations;
    double *vals;
    size_t nvals, cap;
    double *more; /* the second half's values, sorted as vals are, for the profile to merge */
    size_t nmore;
    md_strmap cats;
    int64_t *cnt;
    size_t cnt_cap;
    md_catcache *cc; /* short texts met, once the feature is categorical */
} fcol;

typedef struct {
    md_reader *r;
    md_colmap m;
    const md_baseline_opts *o;
    md_contract contract;
    bool has_contract;
    fcol *f;
    size_t nf, fcap;
    int64_t *col_feature; /* reader column -> feature, -1 for special columns */
    size_t ncols;
    int64_t good;         /* good rows read so far */
    uint64_t *pairs;      /* labeled (score, label) keys */
    size_t np, pcap;
    double *scores;
    size_t ns, scap;
    double *more_scores; /* the second half's scores and pairs, sorted, to be merged */
    size_t more_ns;
    uint64_t *more_pairs;
    size_t more_np;
    int64_t rows;
    md_baseline_report *rep;
    size_t from, to; /* the bytes this build reads, for sizing its arrays (0, 0: unknown) */
    bool sorted;     /* the numeric features' values, the scores and the pairs are sorted */
} build;

/* ---- columns ----------------------------------------------------------------------------------- */

static void add_feature(build *b, int64_t col)
{
    b->f = md_xgrow(b->f, &b->fcap, b->nf + 1, sizeof *b->f);
    fcol *f = &b->f[b->nf];
    memset(f, 0, sizeof *f);
    f->col = col;
    f->numeric = true;
    f->since = b->good;   /* a JSON key that appears late: the rows before lacked it */
    f->missing = b->good;
    f->flipped_at = -1;
    md_strmap_init(&f->cats);
    const char *name = md_reader_col(b->r, (size_t)col);
    int64_t ci = b->has_contract ? md_strmap_find(&b->contract.names, name, strlen(name)) : -1;
    if (ci >= 0) {
        f->rule = &b->contract.rules[ci];
        f->forced = b->contract.has_kind[ci];
        f->numeric = !f->forced || b->contract.kinds[ci] == MD_NUMERIC;
    }
    b->col_feature[col] = (int64_t)b->nf++;
}

/* Maps any columns the reader has that we have not seen (all of them for CSV at the start,
 * new JSON keys later). */
static void sync_columns(build *b)
{
    size_t n = md_reader_ncols(b->r);
    if (n == b->ncols)
        return;
    md_colmap_refresh(b->r, &b->o->read.cols, &b->m);
    b->col_feature = md_xrealloc(b->col_feature, n * sizeof *b->col_feature);
    for (size_t i = b->ncols; i < n; i++) {
        b->col_feature[i] = -1;
        if (!md_colmap_special(&b->m, (int64_t)i))
            add_feature(b, (int64_t)i);
    }
    b->ncols = n;
    /* A JSON key that turned out to be a special column stops being a feature. */
    for (size_t i = 0; i < b->nf; i++)
        if (md_colmap_special(&b->m, b->f[i].col))
            b->f[i].col = -1;
}

/* ---- the two passes ----------------------------------------------------------------------------- */

typedef void (*row_fn)(build *b, const md_field *f, const md_rowvals *v);

/* A value the contract declared numeric but that is not a number makes the row bad. */
static bool contract_types_ok(build *b, const md_field *fl, const char **col, char *why,
                              size_t cap)
{
    if (!b->has_contract) /* only a contract forces a kind */
        return true;
    for (size_t i = 0; i < b->nf; i++) {
        fcol *f = &b->f[i];
        double x;
        if (f->col < 0 || !f->forced || !f->numeric || md_value_missing(&fl[f->col]) ||
            md_value_number(&fl[f->col], &x))
            continue;
        char text[40];
        size_t n;
        const char *t = md_field_text(&fl[f->col], text, &n);
        *col = md_reader_col(b->r, (size_t)f->col);
        snprintf(why, cap, "'%.*s' is not a number, as the contract requires", (int)(n > 60 ? 60 : n),
                 t);
        return false;
    }
    return true;
}

/* One categorical value: a short text met before takes the cache (md_catcache.h), anything
 * else the feature's category map. */
static void count_category(fcol *f, const md_field *v)
{
    uint64_t lo = 0, hi = 0;
    size_t slot = 0;
    bool cacheable = md_catcache_key(v, &lo, &hi);
    if (cacheable) {
        if (!f->cc)
            f->cc = md_xcalloc(1, sizeof *f->cc);
        slot = md_catcache_slot(f->cc, lo, hi);
        if (md_catcache_found(f->cc, slot)) {
            f->cnt[f->cc->val[slot]]++;
            f->violations += f->cc->flag[slot];
            return;
        }
    }
    char buf[40];
    size_t n;
    const char *t = md_field_text(v, buf, &n);
    int64_t k = md_strmap_intern(&f->cats, t, n);
    f->cnt = md_xgrow_zero(f->cnt, &f->cnt_cap, (size_t)k + 1, sizeof *f->cnt);
    f->cnt[k]++;
    bool outside = f->rule && f->rule->has_allowed && md_strmap_find(&f->rule->allowed, t, n) < 0;
    f->violations += outside;
    if (cacheable && k <= INT32_MAX)
        md_catcache_put(f->cc, slot, lo, hi, (int32_t)k, outside);
}

static void add_number(fcol *f, double x)
{
    if (f->nvals == f->cap)
        f->vals = md_xgrow(f->vals, &f->cap, f->nvals + 1, sizeof *f->vals);
    f->vals[f->nvals++] = x;
    if (f->rule && ((f->rule->has_min && x < f->rule->min) || (f->rule->has_max && x > f->rule->max)))
        f->violations++;
}

/* A value of a feature still taken for numeric; a value that is not a number turns the feature
 * categorical, and the texts of the rows before it are collected by a second pass. A number is
 * tried first: it is never a missing value. */
static void collect_value(build *b, fcol *f, const md_field *v)
{
    double x;
    if (f->numeric && md_value_number(v, &x)) {
        add_number(f, x);
        return;
    }
    if (md_value_missing(v)) {
        f->missing++;
        f->violations += f->rule && f->rule->present && !f->rule->nullable;
        return;
    }
    if (f->numeric) {
        f->numeric = false;
        f->flipped_at = f->nvals ? b->good : f->since; /* no numbers before: nothing to recollect */
        free(f->vals);
        f->vals = NULL;
        f->nvals = f->cap = 0;
    }
    count_category(f, v);
}

/* Second pass: the texts a flipped feature had before it flipped. */
static void recollect_row(build *b, const md_field *fl, const md_rowvals *v)
{
    (void)v;
    for (size_t i = 0; i < b->nf; i++) {
        fcol *f = &b->f[i];
        if (f->col >= 0 && f->flipped_at > b->good && b->good >= f->since &&
            !md_value_missing(&fl[f->col]))
            count_category(f, &fl[f->col]);
    }
    b->good++;
}

static void collect_row(build *b, const md_field *fl, const md_rowvals *v)
{
    static const md_field absent = {MD_F_ABSENT, false, NULL, 0, 0};
    for (size_t i = 0; i < b->nf; i++)
        collect_value(b, &b->f[i], b->f[i].col >= 0 ? &fl[b->f[i].col] : &absent);
    b->good++;
    b->scores = md_xgrow(b->scores, &b->scap, b->ns + 1, sizeof *b->scores);
    b->scores[b->ns++] = v->score;
    if (v->has_label) {
        b->pairs = md_xgrow(b->pairs, &b->pcap, b->np + 1, sizeof *b->pairs);
        b->pairs[b->np++] = md_pair_key(v->score, v->label);
    }
}

/* Rows read before the arrays are sized for the whole range, from the bytes those rows took. */
#define SIZE_AFTER 1024

static void reserve_doubles(double **v, size_t *cap, size_t want)
{
    if (want > *cap) {
        *v = md_xrealloc(*v, want * sizeof **v);
        *cap = want;
    }
}

/* Sizes the value arrays for the rows the range is likely to hold, a little over, so that
 * they are not grown (and copied) by doubling while the file is read. */
static void reserve(build *b, size_t at)
{
    if (b->to <= b->from || at <= b->from)
        return;
    double per_row = (double)(at - b->from) / (double)b->good;
    size_t rows = (size_t)((double)(b->to - b->from) / per_row * 1.02) + 64;
    for (size_t i = 0; i < b->nf; i++)
        if (b->f[i].numeric && b->f[i].col >= 0)
            reserve_doubles(&b->f[i].vals, &b->f[i].cap, rows);
    reserve_doubles(&b->scores, &b->scap, rows);
    if (b->np && b->pcap < rows) {
        b->pairs = md_xrealloc(b->pairs, rows * sizeof *b->pairs);
        b->pcap = rows;
    }
}

static md_status pass(build *b, row_fn fn, bool first, md_err *err)
{
    const md_field *fl;
    bool done = false;
    char why[256];
    const char *col = NULL;
    md_reader_rewind(b->r);
    for (;;) {
        if (md_reader_next(b->r, &fl, &done, err) != MD_OK)
            return err->code;
        if (done)
            return MD_OK;
        sync_columns(b);
        md_rowvals v;
        bool ok = md_row_read(fl, &b->m, false, &v, &col, why, sizeof why) &&
                  contract_types_ok(b, fl, &col, why, sizeof why);
        if (ok) {
            fn(b, fl, &v);
            if (first && b->good == SIZE_AFTER)
                reserve(b, md_reader_offset(b->r));
            continue;
        }
        if (!first)
            continue;
        md_err_set(err, MD_ERROR, "%s:%llu: column %s: %s", md_reader_path(b->r),
                   (unsigned long long)md_reader_line(b->r), col, why);
        if (b->rep->bad_rows == 0)
            snprintf(b->rep->first_bad, sizeof b->rep->first_bad, "%s", err->msg);
        if (++b->rep->bad_rows > b->o->read.max_bad_rows)
            return err->code;
    }
}

/* ---- from collected values to the profile ---------------------------------------------------- */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* The KS sample: all values, or MD_KS_SAMPLE_MAX drawn without replacement (partial
 * Fisher-Yates), as sorted distinct values with multiplicities. */
static void ks_sample(md_bfeature *out, double *vals, size_t n, uint64_t seed)
{
    size_t take = n <= MD_KS_SAMPLE_MAX ? n : MD_KS_SAMPLE_MAX;
    double *s = md_xmalloc((take ? take : 1) * sizeof *s);
    uint64_t state = seed;
    for (size_t i = 0; i < take; i++) {
        size_t j = i + (n > take ? (size_t)(splitmix64(&state) % (n - i)) : 0);
        double t = vals[i];
        vals[i] = vals[j];
        vals[j] = t;
        s[i] = vals[i];
    }
    md_sort_doubles(s, take);
    out->ks_values = md_xmalloc((take ? take : 1) * sizeof *out->ks_values);
    out->ks_counts = md_xmalloc((take ? take : 1) * sizeof *out->ks_counts);
    out->ks_k = 0;
    for (size_t i = 0; i < take; i++) {
        if (out->ks_k && out->ks_values[out->ks_k - 1] == s[i]) {
            out->ks_counts[out->ks_k - 1]++;
            continue;
        }
        out->ks_values[out->ks_k] = s[i];
        out->ks_counts[out->ks_k++] = 1;
    }
    out->ks_n = (int64_t)take;
    free(s);
}

/* numpy.unique(numpy.quantile(sorted, linspace(0, 1, 11))). */
static double *quantile_edges(const double *sorted, size_t n, size_t *nedges)
{
    double q[MD_QUANTILE_BINS + 1];
    double *e = md_xmalloc(sizeof q);
    md_linspace01(MD_QUANTILE_BINS, q);
    md_quantiles_linear(sorted, n, q, MD_QUANTILE_BINS + 1, e);
    *nedges = md_unique(e, MD_QUANTILE_BINS + 1);
    return e;
}

/* Sorted values of one feature (or the scores): sorted here, or two sorted halves merged into
 * an array of exactly their size. */
static void sort_values(double **v, size_t *n, size_t *cap, double **more, size_t *nmore,
                        bool sorted)
{
    if (!*more) {
        if (!sorted)
            md_sort_doubles(*v, *n);
        return;
    }
    double *out = md_xmalloc((*n + *nmore + 1) * sizeof *out);
    md_merge_doubles(*v, *n, *more, *nmore, out);
    free(*v);
    free(*more);
    *v = out;
    *more = NULL;
    *n += *nmore;
    *cap = *n + 1;
    *nmore = 0;
}

static void sort_pairs(build *b)
{
    if (!b->more_pairs) {
        if (!b->sorted)
            md_sort_u64(b->pairs, b->np);
        return;
    }
    uint64_t *out = md_xmalloc((b->np + b->more_np + 1) * sizeof *out);
    md_merge_u64(b->pairs, b->np, b->more_pairs, b->more_np, out);
    free(b->pairs);
    free(b->more_pairs);
    b->pairs = out;
    b->more_pairs = NULL;
    b->np += b->more_np;
    b->pcap = b->np + 1;
    b->more_np = 0;
}

static void numeric_profile(md_bfeature *out, fcol *f, bool sorted, uint64_t seed)
{
    out->kind = MD_NUMERIC;
    sort_values(&f->vals, &f->nvals, &f->cap, &f->more, &f->nmore, sorted);
    if (f->nvals == 0) {
        out->edges = md_xcalloc(1, sizeof *out->edges);
        out->counts = md_xcalloc(1, sizeof *out->counts);
        out->ks_values = md_xcalloc(1, sizeof *out->ks_values);
        out->ks_counts = md_xcalloc(1, sizeof *out->ks_counts);
        return;
    }
    out->edges = quantile_edges(f->vals, f->nvals, &out->nedges);
    out->nbins = out->nedges >= 2 ? out->nedges - 1 : 2;
    out->counts = md_xcalloc(out->nbins, sizeof *out->counts);
    /* the values are sorted and a value's bin never falls as the value grows: each bin's count
     * is where the next bin's values start, found by binary search */
    size_t from = 0;
    for (size_t j = 0; j < out->nbins; j++) {
        size_t lo = from, hi = f->nvals;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (md_bfeature_bin(out, f->vals[mid]) <= j)
                lo = mid + 1;
            else
                hi = mid;
        }
        out->counts[j] = (int64_t)(lo - from);
        from = lo;
    }
    ks_sample(out, f->vals, f->nvals, seed);
}

static void feature_profile(build *b, size_t i, md_bfeature *out, uint64_t seed)
{
    fcol *f = &b->f[i];
    out->name = md_xstrdup(md_reader_col(b->r, (size_t)f->col));
    out->rows = b->rows;
    out->missing = f->missing;
    md_strmap_init(&out->cats);
    md_strmap_init(&out->rule.allowed);
    if (f->rule) { /* copy the contract rule; the allowed set is rebuilt from its keys */
        out->rule = *f->rule;
        md_strmap_init(&out->rule.allowed);
        for (size_t k = 0; k < md_strmap_size(&f->rule->allowed); k++)
            md_strmap_intern(&out->rule.allowed, md_strmap_key(&f->rule->allowed, k),
                             strlen(md_strmap_key(&f->rule->allowed, k)));
    }
    if (f->numeric) {
        numeric_profile(out, f, b->sorted, seed + i);
        return;
    }
    out->kind = MD_CATEGORICAL;
    out->cats = f->cats;
    md_strmap_init(&f->cats);
    out->cat_counts = f->cnt;
    f->cnt = NULL;
}

static void score_profile(build *b, md_baseline *out)
{
    sort_values(&b->scores, &b->ns, &b->scap, &b->more_scores, &b->more_ns, b->sorted);
    out->score_edges = quantile_edges(b->scores, b->ns, &out->n_score_edges);
    sort_pairs(b);
    out->labeled = (int64_t)b->np;
    out->positives = 0;
    for (size_t i = 0; i < b->np; i++)
        out->positives += md_pair_label(b->pairs[i]);
    if (b->np == 0)
        return;
    out->auc = md_auc_sorted_pairs(b->pairs, b->np, &out->has_auc);
    size_t k = md_baseline_score_bins(out);
    int64_t *n = md_xcalloc(k, sizeof *n), *y = md_xcalloc(k, sizeof *y);
    double *sum = md_xcalloc(k, sizeof *sum);
    md_ksum brier = {0, 0};
    for (size_t i = 0; i < b->np; i++) {
        double s = md_pair_score(b->pairs[i]);
        int lab = md_pair_label(b->pairs[i]);
        size_t bin = md_baseline_score_bin(out, s);
        n[bin]++, sum[bin] += s, y[bin] += lab;
        md_ksum_add(&brier, (s - lab) * (s - lab));
    }
    md_deciles d = {k, n, sum, y, (int64_t)b->np};
    out->has_brier = true;
    out->brier = md_ksum_value(&brier) / (double)b->np;
    out->ece = md_ece(&d);
    free(n);
    free(y);
    free(sum);
}

/* The profile's parts, shared out over the cores: task 0 is the score, task i + 1 feature i. */
typedef struct {
    build *b;
    md_baseline *out;
    size_t *slot; /* feature -> its place in out->features, or SIZE_MAX when dropped */
    atomic_size_t next;
} profile_work;

static void *profile_tasks(void *arg)
{
    profile_work *w = arg;
    for (size_t t; (t = atomic_fetch_add(&w->next, 1)) <= w->b->nf;) {
        if (t == 0)
            score_profile(w->b, w->out);
        else if (w->slot[t - 1] != SIZE_MAX)
            feature_profile(w->b, t - 1, &w->out->features[w->slot[t - 1]], w->out->seed);
    }
    return NULL;
}

static void make_profile(build *b, const char *path, const char *actor, md_baseline *out)
{
    memset(out, 0, sizeof *out);
    out->rows = b->rows;
    out->seed = b->o->seed ? b->o->seed : MD_BASELINE_DEFAULT_SEED;
    profile_work w = {.b = b, .out = out, .slot = md_xmalloc((b->nf + 1) * sizeof *w.slot)};
    for (size_t i = 0; i < b->nf; i++)
        w.slot[i] = b->f[i].col >= 0 ? out->nfeatures++ : SIZE_MAX;
    out->features = md_xcalloc(out->nfeatures + 1, sizeof *out->features);
    atomic_init(&w.next, 0);
    pthread_t t;
    bool helper =
        sysconf(_SC_NPROCESSORS_ONLN) > 1 && pthread_create(&t, NULL, profile_tasks, &w) == 0;
    profile_tasks(&w);
    if (helper)
        pthread_join(t, NULL);
    free(w.slot);
    char sha[65];
    md_reader_sha256(b->r, sha);
    out->source = md_xstrdup(path);
    out->source_sha256 = md_xstrdup(sha);
    out->created_by = md_xstrdup(actor);
    const md_columns *c = &b->m.names;
    out->col_ts = md_xstrdup(b->m.ts >= 0 ? c->ts : NULL);
    out->col_id = md_xstrdup(b->m.id >= 0 ? c->id : NULL);
    out->col_score = md_xstrdup(c->score);
    out->col_label = md_xstrdup(b->m.label >= 0 ? c->label : NULL);
    out->col_latency = md_xstrdup(b->m.latency >= 0 ? c->latency : NULL);
}

/* ---- the command ---------------------------------------------------------------------------------- */

static md_status check_contract_names(build *b, md_err *err)
{
    for (size_t i = 0; b->has_contract && i < md_strmap_size(&b->contract.names); i++) {
        const char *name = md_strmap_key(&b->contract.names, i);
        int64_t col = md_reader_find(b->r, name);
        if (col < 0 || b->col_feature[col] < 0)
            return md_err_set(err, MD_ERROR, "%s: the contract names feature '%s', which is not "
                                             "a feature column of %s",
                              b->o->contract_path, name, md_reader_path(b->r));
    }
    return MD_OK;
}

/* Forgets what was collected, as if nothing had been read. */
static void collected_free(build *b)
{
    for (size_t i = 0; i < b->nf; i++) {
        free(b->f[i].vals);
        free(b->f[i].more);
        md_strmap_free(&b->f[i].cats);
        free(b->f[i].cnt);
        free(b->f[i].cc);
    }
    free(b->f);
    free(b->col_feature);
    free(b->pairs);
    free(b->scores);
    free(b->more_pairs);
    free(b->more_scores);
    b->more_pairs = NULL;
    b->more_scores = NULL;
    b->more_np = b->more_ns = 0;
    b->f = NULL;
    b->col_feature = NULL;
    b->pairs = NULL;
    b->scores = NULL;
    b->nf = b->fcap = b->ncols = b->np = b->pcap = b->ns = b->scap = 0;
    b->good = 0;
    b->sorted = false;
}

static void build_free(build *b)
{
    collected_free(b);
    if (b->has_contract)
        md_contract_free(&b->contract);
    md_reader_close(b->r);
}

/* ---- two halves ---------------------------------------------------------------------------- */

typedef struct {
    build h;
    md_baseline_opts o;
    md_baseline_report rep;
    md_err err;
    md_status rc;
} half;

/* Sorts what a half collected, on its own thread: the halves are then merged, not sorted
 * again. The first half to finish sorts while the other still reads (the file hash shares a
 * core with one of them). */
static void sort_collected(build *b)
{
    for (size_t i = 0; i < b->nf; i++)
        if (b->f[i].numeric)
            md_sort_doubles(b->f[i].vals, b->f[i].nvals);
    md_sort_doubles(b->scores, b->ns);
    md_sort_u64(b->pairs, b->np);
    b->sorted = true;
}

static void *read_half(void *arg)
{
    half *x = arg;
    x->rc = pass(&x->h, collect_row, true, &x->err);
    if (x->rc == MD_OK)
        sort_collected(&x->h);
    return NULL;
}

static bool flipped_late(const build *b)
{
    for (size_t i = 0; i < b->nf; i++)
        if (b->f[i].flipped_at > b->f[i].since)
            return true;
    return false;
}

/* Whether the two halves together are what one pass would have collected. */
static bool halves_agree(const build *a, const half *x, size_t split)
{
    if (x->rc != MD_OK || x->rep.bad_rows || md_reader_offset(a->r) != split || x->h.nf != a->nf ||
        flipped_late(a) || flipped_late(&x->h))
        return false;
    for (size_t i = 0; i < a->nf; i++)
        if (a->f[i].col != x->h.f[i].col || a->f[i].numeric != x->h.f[i].numeric)
            return false;
    return true;
}

/* Adds the second half's counts to the first's; its sorted values wait beside the first's for
 * the profile, which merges them on either core. */
static void join_half(build *a, build *h)
{
    for (size_t i = 0; i < a->nf; i++) {
        fcol *f = &a->f[i], *g = &h->f[i];
        f->missing += g->missing;
        f->violations += g->violations;
        if (f->numeric) {
            f->more = g->vals;
            f->nmore = g->nvals;
            g->vals = NULL;
            g->nvals = 0;
            continue;
        }
        for (size_t k = 0; k < md_strmap_size(&g->cats); k++) {
            int64_t j =
                md_strmap_intern(&f->cats, md_strmap_key(&g->cats, k), md_strmap_len(&g->cats, k));
            f->cnt = md_xgrow_zero(f->cnt, &f->cnt_cap, (size_t)j + 1, sizeof *f->cnt);
            f->cnt[j] += g->cnt[k];
        }
    }
    a->more_scores = h->scores;
    a->more_ns = h->ns;
    a->more_pairs = h->pairs;
    a->more_np = h->np;
    h->scores = NULL;
    h->pairs = NULL;
    h->ns = h->np = 0;
    a->good += h->good;
}

/* Reads the file as two halves on two threads; *joined is false when one pass must read it
 * instead (nothing then stays collected). Errors are the first half's, which one pass would
 * have met first. */
static md_status read_halves(build *b, size_t split, bool *joined, md_err *err)
{
    *joined = false;
    half *x = md_xcalloc(1, sizeof *x);
    x->o = *b->o;
    x->o.read.max_bad_rows = 0; /* any trouble: one pass, with the right line numbers */
    x->h = (build){.o = &x->o,
                   .rep = &x->rep,
                   .contract = b->contract,
                   .has_contract = b->has_contract,
                   .from = split,
                   .to = md_reader_size(b->r)};
    pthread_t t;
    bool started =
        md_reader_open_range(b->r, split, md_reader_size(b->r), &x->h.r, &x->err) == MD_OK &&
        md_colmap_resolve(x->h.r, &b->o->read.cols, false, &x->h.m, &x->err) == MD_OK;
    if (started) {
        sync_columns(&x->h);
        started = pthread_create(&t, NULL, read_half, x) == 0;
    }
    md_status rc = MD_OK;
    if (started) {
        md_reader_set_limit(b->r, split);
        b->to = split;
        rc = pass(b, collect_row, true, err);
        if (rc == MD_OK)
            sort_collected(b);
        b->to = md_reader_size(b->r);
        md_reader_set_limit(b->r, 0);
        pthread_join(t, NULL);
        *joined = rc == MD_OK && halves_agree(b, x, split);
        if (*joined)
            join_half(b, &x->h);
        b->rep->parallel = *joined;
    }
    if (!*joined && rc == MD_OK) { /* start over */
        collected_free(b);
        b->rep->bad_rows = 0;
        b->rep->first_bad[0] = '\0';
        sync_columns(b);
    }
    x->h.has_contract = false; /* b's */
    build_free(&x->h);
    free(x);
    return rc;
}

static md_status read_file(build *b, const char *path, md_err *err)
{
    const md_read_opts *ro = &b->o->read;
    if (b->o->contract_path && md_contract_load(b->o->contract_path, &b->contract, err) != MD_OK)
        return err->code;
    b->has_contract = b->o->contract_path != NULL;
    if (md_reader_open(path, ro->format, &b->r, err) != MD_OK ||
        md_colmap_resolve(b->r, &ro->cols, false, &b->m, err) != MD_OK)
        return err->code;
    sync_columns(b);
    b->from = md_reader_data_start(b->r);
    b->to = md_reader_size(b->r);
    bool joined = false;
    int threads = b->o->threads > 0 ? b->o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    size_t split = md_reader_format(b->r) == MD_FMT_CSV && threads >= 2
                       ? md_reader_split_point(b->r, b->o->split_min)
                       : 0;
    if (split && read_halves(b, split, &joined, err) != MD_OK)
        return err->code;
    if (!joined && pass(b, collect_row, true, err) != MD_OK)
        return err->code;
    if (md_reader_format(b->r) == MD_FMT_JSONL && b->m.score < 0)
        return md_err_set(err, MD_ERROR, "%s: no record has a score key '%s'", path,
                          b->m.names.score);
    if (check_contract_names(b, err) != MD_OK)
        return err->code;
    bool flipped = false;
    for (size_t i = 0; i < b->nf; i++)
        flipped |= b->f[i].flipped_at > b->f[i].since;
    b->good = 0;
    if (flipped && pass(b, recollect_row, false, err) != MD_OK)
        return err->code;
    b->rows = (int64_t)(b->ns + b->more_ns);
    if (b->rows == 0)
        return md_err_set(err, MD_ERROR, "%s: no rows to build a baseline from", path);
    return MD_OK;
}

/* Drops what was computed against the old profile: windows, their parts and ingests. */
static md_status drop_old(md_store *s, int64_t vid, int64_t *dropped, md_err *err)
{
    if (md_sql_int(s, dropped, err, "SELECT count(*) FROM windows WHERE version_id = ?", "i",
                   vid) ||
        md_sql_run(s, err, "DELETE FROM windows WHERE version_id = ?", "i", vid) ||
        md_sql_run(s, err, "DELETE FROM ingests WHERE version_id = ?", "i", vid) ||
        md_sql_run(s, err, "DELETE FROM baselines WHERE version_id = ?", "i", vid))
        return err->code;
    return MD_OK;
}

static md_status store_profile(md_store *s, const md_actor *a, const char *model, int64_t number,
                               const md_baseline *p, build *b, md_err *err)
{
    if (md_write_begin(s, a, MD_PERM_MONITOR_WRITE, err) != MD_OK)
        return err->code;
    int64_t vid, exists = 0;
    char status[16];
    md_status rc = md_version_lookup(s, model, number, &vid, status, err);
    if (rc == MD_OK)
        rc = md_sql_int(s, &exists, err, "SELECT count(*) FROM baselines WHERE version_id = ?",
                        "i", vid);
    if (rc == MD_OK && exists && !b->o->read.replace)
        rc = md_err_set(err, MD_ERROR,
                        "%s v%lld already has a baseline; pass --replace to rebuild it (windows "
                        "computed against the old one are dropped)",
                        model, (long long)number);
    if (rc == MD_OK && exists)
        rc = drop_old(s, vid, &b->rep->dropped_windows, err);
    if (rc == MD_OK)
        rc = md_baseline_save(s, vid, p, err);
    char *object = md_xasprintf("version:%s/%lld", model, (long long)number);
    json_t *d = json_pack("{s:s, s:s, s:I, s:I, s:I, s:b, s:I}", "source", p->source, "sha256",
                          p->source_sha256, "rows", (json_int_t)p->rows, "features",
                          (json_int_t)p->nfeatures, "bad_rows", (json_int_t)b->rep->bad_rows,
                          "replaced", exists != 0, "dropped_windows",
                          (json_int_t)b->rep->dropped_windows);
    if (rc == MD_OK)
        rc = md_audit_append(s, a->name, exists ? "baseline.replace" : "baseline.set", object,
                             "baseline built", d, NULL, err);
    json_decref(d);
    free(object);
    return md_tx_end(s, rc, err);
}

md_status md_baseline_build(md_store *s, const md_actor *a, const char *model, int64_t number,
                            const char *path, const md_baseline_opts *o, md_baseline_report *rep,
                            md_err *err)
{
    memset(rep, 0, sizeof *rep);
    int64_t vid;
    char status[16];
    if (md_authz_check(s, a, MD_PERM_MONITOR_WRITE, err) != MD_OK ||
        md_version_lookup(s, model, number, &vid, status, err) != MD_OK)
        return err->code; /* fail fast, before reading a large file */
    build b = {.o = o, .rep = rep};
    md_baseline p = {0};
    md_status rc = read_file(&b, path, err);
    if (rc == MD_OK) {
        make_profile(&b, path, a->name, &p);
        rc = store_profile(s, a, model, number, &p, &b, err);
    }
    rep->rows = b.rows;
    rep->labeled = (int64_t)b.np;
    for (size_t i = 0; i < b.nf; i++) {
        rep->violations += b.f[i].violations;
        if (b.f[i].col >= 0)
            b.f[i].numeric ? rep->numeric++ : rep->categorical++;
    }
    md_baseline_free(&p);
    build_free(&b);
    return rc;
}

md_status md_baseline_get(md_store *s, const char *model, int64_t number, md_baseline *b,
                          md_err *err)
{
    int64_t vid;
    char status[16];
    if (md_version_lookup(s, model, number, &vid, status, err) != MD_OK)
        return err->code;
    md_status rc = md_baseline_load(s, vid, b, err);
    if (rc == MD_NOTFOUND)
        md_err_set(err, MD_NOTFOUND, "%s v%lld has no baseline (build one with 'modeldeck "
                                     "baseline %s %lld FILE')",
                   model, (long long)number, model, (long long)number);
    return rc;
}
