/* A baseline's profile from the values a build collected: PSI edges and counts, the KS sample,
 * score deciles and the baseline's AUC, Brier and ECE, one feature per core at a time. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline_int.h"
#include "mem.h"
#include "perf.h"
#include "select.h"
#include "sort.h"
#include "stats.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* The i-th of the values of a then b. */
static double *value_ref(double *a, size_t na, double *b, size_t i)
{
    return i < na ? &a[i] : &b[i - na];
}

/* The KS sample: all values, or MD_KS_SAMPLE_MAX drawn without replacement (partial
 * Fisher-Yates over the values in file order: a holds the first rows', b the rest's), as sorted
 * distinct values with multiplicities. */
static void ks_sample(md_bfeature *out, double *a, size_t na, double *b, size_t nb, uint64_t seed)
{
    size_t n = na + nb, take = n <= MD_KS_SAMPLE_MAX ? n : MD_KS_SAMPLE_MAX;
    double *s = md_xmalloc((take ? take : 1) * sizeof *s);
    uint64_t state = seed;
    for (size_t i = 0; i < take; i++) {
        size_t j = i + (n > take ? (size_t)(splitmix64(&state) % (n - i)) : 0);
        double *x = value_ref(a, na, b, i), *y = value_ref(a, na, b, j), t = *x;
        *x = *y;
        *y = t;
        s[i] = *x;
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

/* The ranks a quantile asks for, noted instead of read (the value returned is not used). */
typedef struct {
    size_t rank[2 * (MD_QUANTILE_BINS + 1)];
    size_t n;
} wanted;

static double note_rank(const void *ctx, size_t i)
{
    wanted *w = (wanted *)ctx;
    w->rank[w->n++] = i;
    return 0.0;
}

static double selected_at(const void *ctx, size_t i)
{
    return md_select_value(ctx, i);
}

/* numpy.unique(numpy.quantile(values, linspace(0, 1, 11))) of the n >= 1 values of a then b,
 * found by md_select, which s holds afterwards for counting. */
static double *quantile_edges(md_select *s, const double *a, size_t na, const double *b, size_t nb,
                              size_t *nedges)
{
    double q[MD_QUANTILE_BINS + 1];
    double *e = md_xmalloc(sizeof q);
    wanted w = {.n = 0};
    md_linspace01(MD_QUANTILE_BINS, q);
    md_quantiles_linear_at(note_rank, &w, na + nb, q, MD_QUANTILE_BINS + 1, e);
    md_select_init(s, a, na, b, nb, w.rank, w.n);
    md_quantiles_linear_at(selected_at, s, na + nb, q, MD_QUANTILE_BINS + 1, e);
    *nedges = md_unique(e, MD_QUANTILE_BINS + 1);
    return e;
}

/* The pairs in order: sorted here, or, when the second half's sorted pairs wait at `more`,
 * both merged into an array of exactly their size (v and more freed; *n and *cap count both). */
static uint64_t *sort_pairs(uint64_t *v, size_t *n, size_t *cap, uint64_t *more, size_t nmore,
                            bool sorted)
{
    if (!more) {
        if (!sorted)
            md_sort_u64(v, *n);
        return v;
    }
    uint64_t *out = md_xmalloc((*n + nmore + 1) * sizeof *out);
    md_merge_u64(v, *n, more, nmore, out);
    free(v);
    free(more);
    *cap = *n += nmore;
    return out;
}

static size_t feature_bin(const void *ctx, double x)
{
    return md_bfeature_bin(ctx, x);
}

static void numeric_profile(md_bfeature *out, fcol *f, uint64_t seed)
{
    out->kind = MD_NUMERIC;
    if (f->nvals + f->nmore == 0) {
        out->edges = md_xcalloc(1, sizeof *out->edges);
        out->counts = md_xcalloc(1, sizeof *out->counts);
        out->ks_values = md_xcalloc(1, sizeof *out->ks_values);
        out->ks_counts = md_xcalloc(1, sizeof *out->ks_counts);
        return;
    }
    md_select s;
    out->edges = quantile_edges(&s, f->vals, f->nvals, f->more, f->nmore, &out->nedges);
    out->nbins = out->nedges >= 2 ? out->nedges - 1 : 2;
    out->counts = md_xcalloc(out->nbins, sizeof *out->counts);
    md_select_count(&s, feature_bin, out, out->counts);
    md_select_free(&s);
    ks_sample(out, f->vals, f->nvals, f->more, f->nmore, seed);
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
        numeric_profile(out, f, seed + i);
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
    md_select sel;
    out->score_edges =
        quantile_edges(&sel, b->scores, b->ns, b->more_scores, b->more_ns, &out->n_score_edges);
    md_select_free(&sel);
    md_baseline_index_scores(out);
    b->pairs = sort_pairs(b->pairs, &b->np, &b->pcap, b->more_pairs, b->more_np, b->sorted);
    b->more_pairs = NULL, b->more_np = 0;
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

void md_baseline_profile(build *b, const char *path, const char *actor, md_baseline *out)
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
    out->source = md_xstrdup(path);
    out->created_by = md_xstrdup(actor);
    const md_columns *c = &b->m.names;
    /* a timestamp column named for the scoring logs is kept though holdout data lacks it */
    out->col_ts = md_xstrdup(b->m.ts >= 0 || strcmp(c->ts, "ts") != 0 ? c->ts : NULL);
    out->col_id = md_xstrdup(b->m.id >= 0 ? c->id : NULL);
    out->col_score = md_xstrdup(c->score);
    out->col_label = md_xstrdup(b->m.label >= 0 ? c->label : NULL);
    out->col_latency = md_xstrdup(b->m.latency >= 0 ? c->latency : NULL);
}
