/* A baseline's profile from the values a build collected: PSI edges and counts, the KS sample,
 * score deciles and the baseline's AUC, Brier and ECE, one feature per core at a time. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline_int.h"
#include "mem.h"
#include "perf.h"
#include "select.h"
#include "sort.h"
#include "stats.h"
#include "tasks.h"

uint64_t md_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

uint64_t md_ks_priority(uint64_t row_at, uint64_t seed)
{
    return row_at ^ seed; /* row_at is mixed already: evenly spread, and so is this */
}

/* Entry order: by priority (a tie, which a 64-bit hash all but never makes, by the value, so
 * that the sample does not hang on the order values come in). */
static inline bool below(const ks_entry *x, const ks_entry *y)
{
    if (__builtin_expect(x->pri != y->pri, 1))
        return x->pri < y->pri;
    return md_double_key_inline(x->val) < md_double_key_inline(y->val);
}

/* Puts the k lowest entries of e[0..n) first (quickselect, Hoare's partition). */
static void lowest_first(ks_entry *e, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        ks_entry pivot = e[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        for (;;) {
            while (below(&e[i], &pivot))
                i++;
            while (below(&pivot, &e[j]))
                j--;
            if (i >= j)
                break;
            ks_entry t = e[i];
            e[i++] = e[j];
            e[j--] = t;
        }
        if (k - 1 <= j) /* the k-th lowest is in [lo, j] */
            hi = j;
        else
            lo = j + 1;
    }
}

#define KS_BUCKETS 4096

/* Down to the MD_KS_SAMPLE_MAX lowest; the cut drops to the highest of them. The priorities
 * are hashes, spread evenly below the cut: a histogram of them finds the bucket that holds the
 * last one kept, and only that bucket's few entries are ordered. */
static void ks_compact(ks_pool *h)
{
    if (h->n <= MD_KS_SAMPLE_MAX)
        return;
    uint64_t span = h->full ? h->cut : UINT64_MAX; /* every priority is at most this */
    int bits = span ? 64 - __builtin_clzll(span) : 1, shift = bits > 12 ? bits - 12 : 0;
    uint32_t count[KS_BUCKETS] = {0}; /* 2^12 */
    for (size_t i = 0; i < h->n; i++)
        count[h->e[i].pri >> shift]++;
    size_t edge = 0, under = 0; /* the bucket holding the last entry kept; entries under it */
    while (under + count[edge] < MD_KS_SAMPLE_MAX)
        under += count[edge++];
    size_t keep = 0; /* entries under the bucket to the front, the bucket's aside */
    ks_entry *t = md_xmalloc((count[edge] + 1) * sizeof *t);
    size_t nt = 0;
    for (size_t i = 0; i < h->n; i++) {
        uint64_t b = h->e[i].pri >> shift;
        if (__builtin_expect(b == edge, 0))
            t[nt++] = h->e[i];
        h->e[keep] = h->e[i]; /* keep <= i: in place; kept or not, no branch to mispredict */
        keep += b < edge;
    }
    lowest_first(t, nt, MD_KS_SAMPLE_MAX - under); /* keep == under */
    memcpy(h->e + keep, t, (MD_KS_SAMPLE_MAX - under) * sizeof *t);
    free(t);
    h->n = MD_KS_SAMPLE_MAX;
    uint64_t top = 0;
    for (size_t i = 0; i < h->n; i++)
        top = h->e[i].pri > top ? h->e[i].pri : top;
    h->cut = top;
    h->full = true;
}

void md_ks_pool_offer(ks_pool *h, uint64_t pri, double x)
{
    if (h->full && pri > h->cut)
        return; /* not among the lowest */
    if (!h->e)
        h->e = md_xmalloc(2 * MD_KS_SAMPLE_MAX * sizeof *h->e);
    h->e[h->n++] = (ks_entry){pri, x};
    if (h->n == 2 * MD_KS_SAMPLE_MAX)
        ks_compact(h);
}

void md_ks_pool_join(ks_pool *to, ks_pool *from)
{
    for (size_t i = 0; i < from->n; i++)
        md_ks_pool_offer(to, from->e[i].pri, from->e[i].val);
    md_ks_pool_free(from);
}

void md_ks_pool_free(ks_pool *h)
{
    free(h->e);
    memset(h, 0, sizeof *h);
}

/* The KS sample (all values, or the MD_KS_SAMPLE_MAX of lowest priority), as sorted distinct
 * values with multiplicities. */
static void ks_sample(md_bfeature *out, ks_pool *h)
{
    ks_compact(h);
    size_t take = h->n;
    double *s = md_xmalloc((take ? take : 1) * sizeof *s);
    for (size_t i = 0; i < take; i++)
        s[i] = h->e[i].val;
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

/* ---- from the spilled runs ---------------------------------------------------------------- */

/* Values past the memory budget: how many of stream `tag` the runs hold. */
static size_t spilled(const build *b, int64_t tag)
{
    return b->spill ? md_spill_count(b->spill, tag, SPILL_STREAM) : 0;
}

/* The values still in memory, a then c, as keys in ascending order: the run that joins the
 * spilled ones (the caller frees it). */
static uint64_t *memory_keys(const double *a, size_t na, const double *c, size_t nc)
{
    uint64_t *mem = md_xmalloc((na + nc + 1) * sizeof *mem);
    for (size_t i = 0; i < na; i++)
        mem[i] = md_double_key(a[i]);
    for (size_t i = 0; i < nc; i++)
        mem[na + i] = md_double_key(c[i]);
    md_sort_u64(mem, na + nc);
    return mem;
}

static void keys_done(build *b, md_keys *it)
{
    if (!md_keys_ok(it))
        b->spill_failed = true;
    md_keys_close(it);
}

/* The values at the ranks a quantile asks for, read off the ascending stream. */
typedef struct {
    size_t rank[2 * (MD_QUANTILE_BINS + 1)];
    double value[2 * (MD_QUANTILE_BINS + 1)];
    size_t n;
} at_ranks;

static int cmp_size(const void *x, const void *y)
{
    size_t p = *(const size_t *)x, q = *(const size_t *)y;
    return p < q ? -1 : p > q;
}

static double ranked_value(const void *ctx, size_t i)
{
    const at_ranks *r = ctx;
    for (size_t k = 0; k < r->n; k++)
        if (r->rank[k] == i)
            return r->value[k];
    return 0.0; /* every rank asked for was noted first */
}

/* numpy.unique(numpy.quantile(values, linspace(0, 1, 11))) of the n >= 1 values of `tag` (its
 * runs and the nmem in memory), in one ascending pass over them. */
static double *quantile_edges_spilled(build *b, int64_t tag, const uint64_t *mem, size_t nmem,
                                      size_t n, size_t *nedges)
{
    double q[MD_QUANTILE_BINS + 1];
    double *e = md_xmalloc(sizeof q);
    wanted w = {.n = 0};
    md_linspace01(MD_QUANTILE_BINS, q);
    md_quantiles_linear_at(note_rank, &w, n, q, MD_QUANTILE_BINS + 1, e);
    at_ranks r = {.n = 0};
    qsort(w.rank, w.n, sizeof *w.rank, cmp_size);
    for (size_t k = 0; k < w.n; k++)
        if (r.n == 0 || r.rank[r.n - 1] != w.rank[k])
            r.rank[r.n++] = w.rank[k];
    uint64_t keys[4096];
    md_keys *it = md_keys_open(b->spill, tag, SPILL_STREAM, mem, nmem);
    size_t at = 0, next = 0;
    for (size_t got; next < r.n && (got = md_keys_take(it, keys, 4096)) > 0; at += got)
        while (next < r.n && r.rank[next] < at + got) {
            r.value[next] = md_key_double(keys[r.rank[next] - at]);
            next++;
        }
    keys_done(b, it);
    md_quantiles_linear_at(ranked_value, &r, n, q, MD_QUANTILE_BINS + 1, e);
    *nedges = md_unique(e, MD_QUANTILE_BINS + 1);
    return e;
}

/* Edges and bin counts of a feature some of whose values were spilled: the edges from one pass
 * over the values merged in order, the counts from one over each run in turn (a run is sorted:
 * a value repeated is binned once). */
static void numeric_spilled(build *b, size_t i, md_bfeature *out, size_t n)
{
    fcol *f = &b->f[i];
    size_t nmem = f->nvals + f->nmore;
    uint64_t *mem = memory_keys(f->vals, f->nvals, f->more, f->nmore), keys[4096], last = 0;
    out->edges = quantile_edges_spilled(b, (int64_t)i, mem, nmem, n, &out->nedges);
    out->nbins = out->nedges >= 2 ? out->nedges - 1 : 2;
    out->counts = md_xcalloc(out->nbins, sizeof *out->counts);
    size_t bin = 0;
    bool any = false;
    md_keys *it = md_keys_open_any_order(b->spill, (int64_t)i, SPILL_STREAM, mem, nmem);
    for (size_t got; (got = md_keys_take(it, keys, 4096)) > 0;)
        for (size_t k = 0; k < got; k++) {
            if (!any || keys[k] != last)
                bin = md_bfeature_bin(out, md_key_double(keys[k]));
            out->counts[bin]++;
            last = keys[k], any = true;
        }
    keys_done(b, it);
    free(mem);
}

/* ---- from a table of whole numbers ------------------------------------------------------- */

/* A table's values at given ranks: running counts, and the value at a rank found by them. */
typedef struct {
    const uint64_t *below; /* [v]: values under v */
    size_t n;              /* entries */
} table_ranks;

static double table_value(const void *ctx, size_t rank)
{
    const table_ranks *t = ctx;
    size_t lo = 0, hi = t->n - 1; /* the last v with below[v] <= rank */
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (t->below[mid] <= rank)
            lo = mid;
        else
            hi = mid - 1;
    }
    return (double)lo;
}

/* Edges and bin counts of a feature whose values are all whole numbers its table counts: the
 * quantiles from the running counts, each value binned once for all its copies. */
static void numeric_whole(fcol *f, md_bfeature *out)
{
    uint64_t *below = md_xmalloc(f->wcap * sizeof *below), sum = 0;
    for (size_t v = 0; v < f->wcap; v++) {
        below[v] = sum;
        sum += f->whole[v];
    }
    table_ranks t = {below, f->wcap};
    double q[MD_QUANTILE_BINS + 1];
    md_linspace01(MD_QUANTILE_BINS, q);
    out->edges = md_xmalloc(sizeof q);
    md_quantiles_linear_at(table_value, &t, f->nwhole, q, MD_QUANTILE_BINS + 1, out->edges);
    out->nedges = md_unique(out->edges, MD_QUANTILE_BINS + 1);
    out->nbins = out->nedges >= 2 ? out->nedges - 1 : 2;
    out->counts = md_xcalloc(out->nbins, sizeof *out->counts);
    for (size_t v = 0; v < f->wcap; v++)
        if (f->whole[v])
            out->counts[md_bfeature_bin(out, (double)v)] += (int64_t)f->whole[v];
    free(below);
}

static void numeric_profile(build *b, size_t i, md_bfeature *out)
{
    fcol *f = &b->f[i];
    out->kind = MD_NUMERIC;
    if (f->nwhole) { /* a table, never ended: every value a whole number it counts */
        numeric_whole(f, out);
        ks_sample(out, &f->ks);
        return;
    }
    size_t more = spilled(b, (int64_t)i);
    if (more) {
        numeric_spilled(b, i, out, f->nvals + f->nmore + more);
        ks_sample(out, &f->ks);
        return;
    }
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
    ks_sample(out, &f->ks);
}

static void feature_profile(build *b, size_t i, md_bfeature *out)
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
        numeric_profile(b, i, out);
        return;
    }
    out->kind = MD_CATEGORICAL;
    out->cats = f->cats;
    md_strmap_init(&f->cats);
    out->cat_counts = f->cnt;
    f->cnt = NULL;
}

/* What the labeled pairs give, in ascending order: AUC, positives, Brier, the deciles, ECE. */
typedef struct {
    uint64_t twice_u, neg_below, pos; /* AUC's tallies (md_auc_sorted_pairs) */
    uint64_t group, gp, gn;           /* the score being tallied: its pairs of each label */
    int64_t *n, *y;
    double *sum;
    md_ksum brier;
    int64_t labeled;
} pair_tally;

static void close_group(pair_tally *t)
{
    t->twice_u += 2 * t->neg_below * t->gp + t->gp * t->gn;
    t->neg_below += t->gn;
    t->pos += t->gp;
    t->gp = t->gn = 0;
}

static void tally_pair(pair_tally *t, const md_baseline *out, uint64_t key)
{
    if (t->labeled && key >> 1 != t->group)
        close_group(t);
    t->group = key >> 1;
    key & 1 ? t->gp++ : t->gn++;
    double s = md_pair_score(key);
    int lab = md_pair_label(key);
    size_t bin = md_baseline_score_bin(out, s);
    t->n[bin]++, t->sum[bin] += s, t->y[bin] += lab;
    md_ksum_add(&t->brier, (s - lab) * (s - lab));
    t->labeled++;
}

static void score_profile(build *b, md_baseline *out)
{
    size_t more_scores = spilled(b, SPILL_SCORES), more_pairs = spilled(b, SPILL_PAIRS);
    if (more_scores) {
        uint64_t *mem = memory_keys(b->scores, b->ns, b->more_scores, b->more_ns);
        out->score_edges =
            quantile_edges_spilled(b, SPILL_SCORES, mem, b->ns + b->more_ns,
                                   b->ns + b->more_ns + more_scores, &out->n_score_edges);
        free(mem);
    } else {
        md_select sel;
        out->score_edges =
            quantile_edges(&sel, b->scores, b->ns, b->more_scores, b->more_ns, &out->n_score_edges);
        md_select_free(&sel);
    }
    md_baseline_index_scores(out);
    b->pairs = sort_pairs(b->pairs, &b->np, &b->pcap, b->more_pairs, b->more_np, b->sorted);
    b->more_pairs = NULL, b->more_np = 0;
    size_t k = md_baseline_score_bins(out);
    pair_tally t = {.n = md_xcalloc(k, sizeof *t.n),
                    .y = md_xcalloc(k, sizeof *t.y),
                    .sum = md_xcalloc(k, sizeof *t.sum)};
    if (more_pairs) {
        uint64_t keys[4096];
        md_keys *it = md_keys_open(b->spill, SPILL_PAIRS, SPILL_STREAM, b->pairs, b->np);
        for (size_t got; (got = md_keys_take(it, keys, 4096)) > 0;)
            for (size_t i = 0; i < got; i++)
                tally_pair(&t, out, keys[i]);
        keys_done(b, it);
    } else {
        for (size_t i = 0; i < b->np; i++)
            tally_pair(&t, out, b->pairs[i]);
    }
    close_group(&t);
    out->labeled = t.labeled;
    out->positives = (int64_t)t.pos;
    if (t.labeled) {
        out->auc = md_auc_finish(t.twice_u, t.pos, t.neg_below, &out->has_auc);
        md_deciles d = {k, t.n, t.sum, t.y, t.labeled};
        out->has_brier = true;
        out->brier = md_ksum_value(&t.brier) / (double)t.labeled;
        out->ece = md_ece(&d);
    }
    free(t.n);
    free(t.y);
    free(t.sum);
}

/* The profile's parts, shared out over the cores: task 0 is the score, task i + 1 feature i. */
typedef struct {
    build *b;
    md_baseline *out;
    size_t *slot; /* feature -> its place in out->features, or SIZE_MAX when dropped */
} profile_work;

static void profile_task(void *ctx, size_t t)
{
    profile_work *w = ctx;
    if (t == 0)
        score_profile(w->b, w->out);
    else if (w->slot[t - 1] != SIZE_MAX)
        feature_profile(w->b, t - 1, &w->out->features[w->slot[t - 1]]);
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
    md_tasks_run(b->nf + 1, sysconf(_SC_NPROCESSORS_ONLN) > 1, profile_task, &w);
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
