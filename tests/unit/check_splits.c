/* splits: the split index an ingest counts numeric values with (core/splits.c).
 *
 * Every value's counter, folded, must land in the KS counter a plain binary search over the
 * sample gives (md_bfeature_ks_slot) and in the PSI bin numpy.histogram's rule gives
 * (md_bfeature_bin). The features below are shaped to reach every path of the lookup: both
 * kinds of bucket, crowded buckets that need the search, values outside the points, values
 * equal to points and their neighbouring doubles, -0.0, negative and subnormal values, a
 * constant baseline and a single sample value. A score's decile (md_baseline_score_bin) is
 * checked against numpy.searchsorted's rule the same way, and the KS statistic a window's
 * counters give against scipy's formula evaluated at every point. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "profile.h"
#include "stats.h"
#include "window.h"
#include "testutil.h"

/* A change of 20 points in the missing rate meets the alert at 0.2 and one of 5 points the warn
 * at 0.05, though in doubles 0.3 - 0.1 is 0.19999999999999998 and 0.15 - 0.1 is
 * 0.04999999999999999; a KS D of 0.3 - 0.2 (0.09999999999999998) meets min_d 0.1. Just under
 * a threshold stays under it. */
START_TEST(thresholds_meet_differences_of_ratios_as_counted)
{
    static md_bfeature f;
    memset(&f, 0, sizeof f);
    f.kind = MD_CATEGORICAL;
    md_strmap_init(&f.cats);
    md_strmap_init(&f.rule.allowed);
    md_strmap_intern(&f.cats, "a", 1);
    int64_t base[] = {900};
    f.cat_counts = base;
    f.rows = 1000, f.missing = 100;
    md_baseline b = {0};
    b.features = &f;
    b.nfeatures = 1;
    md_drift_policy p;
    md_drift_policy_default(&p);
    struct {
        int64_t missing;
        md_level want;
    } cases[] = {
        {300, MD_LEVEL_ALERT}, {299, MD_LEVEL_WARN}, {150, MD_LEVEL_WARN}, {149, MD_LEVEL_OK}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t win[] = {1000 - cases[i].missing};
        md_wfeat wf = {0};
        wf.cat = win;
        wf.present = win[0];
        wf.missing = cases[i].missing;
        md_strmap_init(&wf.newcats);
        md_window w = {0};
        w.rows = 1000;
        w.f = &wf;
        w.nf = 1;
        md_drift_row r;
        md_window_drift_row(&w, &b, 0, &p, &r);
        md_level lv[MD_DRIFT_TEST_COUNT];
        md_drift_row_levels(&r, &p, lv);
        ck_assert_msg(lv[MD_DRIFT_TEST_MISSING] == cases[i].want,
                      "%lld of 1000 missing against 100: delta %.17g gives level %d, want %d",
                      (long long)cases[i].missing, r.missing_delta, (int)lv[MD_DRIFT_TEST_MISSING],
                      (int)cases[i].want);
        json_decref(r.new_categories);
        json_decref(r.hist);
        md_strmap_free(&wf.newcats);
    }
    ck_assert(md_ks_reaches(&p, true, 0.3 - 0.2, 1e-6));
    ck_assert(!md_ks_reaches(&p, true, 0.0999999, 1e-6));
    ck_assert(!md_ks_reaches(&p, true, 0.3 - 0.2, 0.5));
    ck_assert(!md_ks_reaches(&p, false, 0.5, 1e-6));
    md_strmap_free(&f.cats);
    md_strmap_free(&f.rule.allowed);
}
END_TEST

Suite *suite_splits(void);

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
    return tu_random(&rng_state);
}

static double unif(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A feature profiled the way a baseline does it: KS sample = the distinct values, edges = the
 * unique deciles. */
static void make_feature(md_bfeature *f, double *v, size_t n)
{
    memset(f, 0, sizeof *f);
    f->kind = MD_NUMERIC;
    qsort(v, n, sizeof *v, cmp_double);
    double q[MD_QUANTILE_BINS + 1];
    f->edges = malloc(sizeof q);
    md_linspace01(MD_QUANTILE_BINS, q);
    md_quantiles_linear(v, n, q, MD_QUANTILE_BINS + 1, f->edges);
    f->nedges = md_unique(f->edges, MD_QUANTILE_BINS + 1);
    f->nbins = f->nedges >= 2 ? f->nedges - 1 : 2;
    f->ks_values = malloc(n * sizeof *f->ks_values);
    f->ks_counts = calloc(n, sizeof *f->ks_counts);
    for (size_t i = 0; i < n; i++) {
        if (f->ks_k == 0 || v[i] != f->ks_values[f->ks_k - 1])
            f->ks_values[f->ks_k++] = v[i];
        f->ks_counts[f->ks_k - 1]++;
    }
    f->ks_n = (int64_t)n;
    md_bfeature_index(f);
}

static void free_feature(md_bfeature *f)
{
    free(f->edges);
    free(f->ks_values);
    free(f->ks_counts);
    md_splits_free(&f->splits);
}

/* Counts the probes through the index, folds, and compares with the reference counts. */
static void check_probes(const md_bfeature *f, const double *x, size_t n, const char *what)
{
    size_t nks = 2 * f->ks_k + 1;
    md_counters counters;
    md_counters_init(&counters, md_bfeature_ncounters(f));
    uint32_t *ks = calloc(nks, sizeof *ks), *want_ks = calloc(nks, sizeof *want_ks);
    int64_t bins[MD_QUANTILE_BINS + 2] = {0}, want_bins[MD_QUANTILE_BINS + 2] = {0};
    md_bfeature_count(f, x, n, &counters);
    md_bfeature_fold(f, &counters, ks, bins);
    const md_splits *s = &f->splits;
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(md_bfeature_counter(f, x[i]) < md_bfeature_ncounters(f),
                      "%s: the counter of %.17g is out of range", what, x[i]);
        /* a whole number read from its digits (an ingest's row loop), inside the table's span
         * and past either end of it */
        if (s->ints && x[i] == floor(x[i]) && fabs(x[i]) < 1e15)
            ck_assert_msg(md_splits_whole_counter(s->ints, (int64_t)s->ilo, s->nints,
                                                  (int64_t)x[i]) == md_bfeature_counter(f, x[i]),
                          "%s: the table's counter of whole number %.17g is not its counter", what,
                          x[i]);
        want_ks[md_bfeature_ks_slot(f, x[i])]++;
        want_bins[md_bfeature_bin(f, x[i])]++;
    }
    for (size_t j = 0; j < nks; j++)
        ck_assert_msg(ks[j] == want_ks[j], "%s: KS counter %zu is %u, want %u", what, j, ks[j],
                      want_ks[j]);
    for (size_t j = 0; j < MD_QUANTILE_BINS + 2; j++)
        ck_assert_msg(bins[j] == want_bins[j], "%s: PSI bin %zu is %lld, want %lld", what, j,
                      (long long)bins[j], (long long)want_bins[j]);
    /* a window with few values lists their counter numbers instead (md_bfeature_list): the
     * same counters, and the same KS counters and bins folded from the list */
    uint16_t *list = malloc((n + 1) * sizeof *list);
    md_counters again;
    md_counters_init(&again, md_bfeature_ncounters(f));
    md_bfeature_list(f, x, n, list);
    md_bfeature_count_list(list, n, &again);
    for (size_t c = 0; c < md_bfeature_ncounters(f); c++)
        ck_assert_msg(md_counters_get(&again, c) == md_counters_get(&counters, c),
                      "%s: listed counter %zu differs", what, c);
    memset(ks, 0, nks * sizeof *ks);
    memset(bins, 0, sizeof bins);
    md_bfeature_fold_list(f, list, n, ks, bins);
    ck_assert_msg(memcmp(ks, want_ks, nks * sizeof *ks) == 0, "%s: KS from a list", what);
    ck_assert_msg(memcmp(bins, want_bins, sizeof bins) == 0, "%s: bins from a list", what);
    free(list);
    md_counters_free(&again);
    md_counters_free(&counters);
    free(ks);
    free(want_ks);
}

/* Probes: uniform over a range wider than the points, every whole number in it (for the
 * whole-number table, up to 5,000 of them), every point, its neighbours and -0.0. */
static double *probes(const md_bfeature *f, double lo, double hi, size_t *n)
{
    size_t k = f->ks_k, m = 9000 + 3 * k + 3 * f->nedges + 8, i = 0;
    double *x = malloc(m * sizeof *x);
    for (; i < 4000; i++)
        x[i] = lo + (hi - lo) * unif();
    for (double w = ceil(lo); w <= hi && i < 9000; w++)
        x[i++] = w;
    for (size_t j = 0; j < k; j++) {
        x[i++] = f->ks_values[j];
        x[i++] = nextafter(f->ks_values[j], -INFINITY);
        x[i++] = nextafter(f->ks_values[j], INFINITY);
    }
    for (size_t j = 0; j < f->nedges; j++) {
        x[i++] = f->edges[j];
        x[i++] = nextafter(f->edges[j], -INFINITY);
        x[i++] = nextafter(f->edges[j], INFINITY);
    }
    x[i++] = -0.0;
    x[i++] = 0.0;
    x[i++] = DBL_MAX;
    x[i++] = -DBL_MAX;
    x[i++] = DBL_MIN;
    x[i++] = -DBL_TRUE_MIN;
    *n = i;
    return x;
}

static void check_shape(const char *what, double *v, size_t n, double lo, double hi)
{
    md_bfeature f;
    make_feature(&f, v, n);
    size_t np;
    double *x = probes(&f, lo, hi, &np);
    check_probes(&f, x, np, what);
    free(x);
    free_feature(&f);
}

START_TEST(counters_fold_into_the_reference_ks_slots_and_bins)
{
    enum { N = 10000 };
    double *v = malloc(N * sizeof *v);
    for (size_t i = 0; i < N; i++) /* 6 decimals, as scoring logs write them */
        v[i] = round(unif() * 1e6) / 1e6;
    check_shape("uniform", v, N, -0.5, 1.5);
    for (size_t i = 0; i < N; i++) /* a standard normal around zero, both signs */
        v[i] = sqrt(-2 * log(unif() + 1e-300)) * cos(6.283185307179586 * unif());
    check_shape("normal", v, N, -6, 6);
    for (size_t i = 0; i < N; i++) /* heavy tail over many binades */
        v[i] = exp(20 * unif() - 5);
    check_shape("lognormal", v, N, 0, 1e7);
    for (size_t i = 0; i < N; i++) /* small counts, mostly zero: ties everywhere */
        v[i] = (double)(rnd() % 100 < 70 ? 0 : rnd() % 12);
    check_shape("counts", v, N, -2, 15);
    for (size_t i = 0; i < N; i++) /* whole numbers of both signs over a wider span */
        v[i] = (double)(int)(rnd() % 3001) - 1500;
    check_shape("signed counts", v, N, -1600, 1600);
    for (size_t i = 0; i < N; i++) /* whole numbers spread too wide for the table */
        v[i] = (double)(rnd() % 100000);
    check_shape("wide counts", v, N, -10, 100010);
    for (size_t i = 0; i < N; i++) /* a tight cluster and one far value: crowded buckets */
        v[i] = i == 0 ? 1e12 : 1000 + (double)(rnd() % 5000) * 1e-9;
    check_shape("cluster", v, N, 999, 1001);
    for (size_t i = 0; i < N; i++) /* subnormals next to normal values */
        v[i] = (rnd() & 1) ? DBL_TRUE_MIN * (double)(rnd() % 1000) : (double)(rnd() % 1000);
    check_shape("subnormal", v, N, -1, 1001);
    for (size_t i = 0; i < N; i++) /* the extremes of the double range */
        v[i] = (rnd() & 1) ? DBL_MAX * unif() : -DBL_MAX * unif();
    check_shape("extremes", v, N, -DBL_MAX, DBL_MAX);
    for (size_t i = 0; i < 50; i++) /* a constant baseline: "== c" and "!= c" */
        v[i] = 42;
    check_shape("constant", v, 50, 40, 44);
    v[0] = -3.5; /* a single value */
    check_shape("single", v, 1, -5, 5);
    v[0] = -0.0; /* negative zero and zero are one value */
    v[1] = 0.0;
    v[2] = 1;
    check_shape("zeros", v, 3, -1, 2);
    free(v);
}
END_TEST

/* A window with one value more than 65,535 times (zeros in a zero-inflated feature, a default
 * filled in): its 16-bit counter carries, and every count stays exact. */
START_TEST(counters_carry_past_sixteen_bits)
{
    double v[] = {0, 1, 1, 2, 3, 5, 8};
    md_bfeature f;
    make_feature(&f, v, sizeof v / sizeof v[0]);
    const double what[] = {1.0, 1.5, 3.0, 8.0, 100.0};
    const size_t times[] = {200000, 70000, 65535, 65536, 131072};
    size_t n = 0;
    for (size_t k = 0; k < 5; k++)
        n += times[k];
    double *x = malloc(n * sizeof *x);
    size_t i = 0;
    for (size_t k = 0; k < 5; k++)
        for (size_t j = 0; j < times[k]; j++)
            x[i++] = what[k];
    for (size_t j = 0; j < n; j++) { /* in no order */
        size_t r = j + rnd() % (n - j);
        double t = x[j];
        x[j] = x[r];
        x[r] = t;
    }
    md_counters c;
    md_counters_init(&c, md_bfeature_ncounters(&f));
    md_bfeature_count(&f, x, n, &c);
    ck_assert_ptr_nonnull(c.hi); /* carried */
    for (size_t k = 0; k < 5; k++)
        ck_assert_uint_eq(md_counters_get(&c, md_bfeature_counter(&f, what[k])), times[k]);
    md_counters_free(&c);
    check_probes(&f, x, n, "past 16 bits"); /* folded into KS counters and bins, and listed */
    free(x);
    free_feature(&f);
}
END_TEST

/* A window feature's values folded: its KS counters and PSI bins (list or counters). */
static void fold_wfeat(const md_bfeature *f, const md_wfeat *wf, uint32_t *ks, int64_t *bins)
{
    if (wf->counters.lo)
        md_bfeature_fold(f, &wf->counters, ks, bins);
    md_bfeature_fold_list(f, wf->list, wf->nlist, ks, bins);
}

/* Two parts of a window counted apart (two threads' pieces), each a list while it holds few
 * values and counters from then on, merged unfolded: the KS counters and bins of one window
 * that counted them all, whichever side holds the list, both lists fitting in one or not, and
 * counters whose sum passes 16 bits. */
START_TEST(window_parts_merged_unfolded_count_as_one)
{
    double v[] = {0, 1, 1, 2, 3, 5, 8, 13, 21, 34};
    md_bfeature f;
    make_feature(&f, v, sizeof v / sizeof v[0]);
    size_t ncounters = md_bfeature_ncounters(&f), nks = 2 * f.ks_k + 1;
    const size_t sizes[][2] = {{2, 3},
                               {ncounters / 4, ncounters / 4},
                               {3, ncounters},
                               {ncounters, 3},
                               {ncounters, ncounters * 3},
                               {40000, 40000},
                               {0, 5},
                               {5, 0}};
    for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
        size_t na = sizes[t][0], nb = sizes[t][1];
        double *x = malloc((na + nb + 1) * sizeof *x);
        for (size_t i = 0; i < na + nb; i++) /* a value repeated 80,000 times in the last */
            x[i] = na == 40000 ? 1.0 : (double)(rnd() % 40) - 2.5 * (double)(rnd() & 1);
        md_wfeat a = {0}, b = {0}, whole = {0};
        md_window_count(&a, &f, x, na);
        md_window_count(&b, &f, x + na, nb);
        md_window_count(&whole, &f, x, na + nb);
        md_window_merge_counts(&a, &b, &f);
        ck_assert_ptr_null(b.list);
        ck_assert_ptr_null(b.counters.lo);
        ck_assert_msg(!a.list || !a.counters.lo, "case %zu: a list and counters", t);
        uint32_t *ks = calloc(nks, sizeof *ks), *want = calloc(nks, sizeof *want);
        int64_t bins[MD_QUANTILE_BINS + 2] = {0}, want_bins[MD_QUANTILE_BINS + 2] = {0};
        fold_wfeat(&f, &a, ks, bins);
        fold_wfeat(&f, &whole, want, want_bins);
        ck_assert_msg(memcmp(ks, want, nks * sizeof *ks) == 0, "case %zu: KS counters", t);
        ck_assert_msg(memcmp(bins, want_bins, sizeof bins) == 0, "case %zu: bins", t);
        if (na == 40000)
            ck_assert_ptr_nonnull(a.counters.hi); /* carried in the merge */
        free(ks);
        free(want);
        free(x);
        md_counters_free(&a.counters);
        md_counters_free(&whole.counters);
        free(a.list);
        free(whole.list);
    }
    free_feature(&f);
}
END_TEST

START_TEST(equal_values_and_gaps_have_their_own_counters)
{
    double v[] = {1, 2, 2, 3, 5, 8};
    md_bfeature f;
    make_feature(&f, v, 6);
    /* split points: the sample 1 2 3 5 8 and the deciles, e.g. 1.5 between 1 and 2 */
    ck_assert_uint_eq(md_bfeature_counter(&f, 0.5), 0);
    ck_assert_uint_eq(md_bfeature_counter(&f, 1), 1);
    ck_assert_uint_ne(md_bfeature_counter(&f, 2), md_bfeature_counter(&f, 2.0000001));
    ck_assert_uint_eq(md_bfeature_counter(&f, 9), md_bfeature_ncounters(&f) - 1);
    ck_assert_uint_eq(md_bfeature_counter(&f, 8), md_bfeature_ncounters(&f) - 2);
    free_feature(&f);
}
END_TEST

/* A score's decile: numpy.searchsorted(edges, s, side='right') - 1, clipped to the bins, for
 * every count of edges a baseline can have (none, one, a constant score's two, up to eleven)
 * and scores at, just beside and between the edges, by search and by the edges' table (edges
 * and scores on the table's part boundaries too, and several edges in one part). */
START_TEST(score_bins_follow_searchsorted)
{
    for (int round = 0; round < 40; round++) {
        size_t n = (size_t)round % 12;
        double edges[11];
        for (size_t j = 0; j < n; j++) {
            edges[j] = unif();
            if (round % 3 == 1) /* on a part boundary */
                edges[j] = (double)(rnd() % (MD_SCORE_LUT + 1)) / MD_SCORE_LUT;
            if (round % 3 == 2 && j > 0) /* inside the first edge's part */
                edges[j] = edges[0] + unif() / (2 * MD_SCORE_LUT);
        }
        qsort(edges, n, sizeof *edges, cmp_double);
        if (n >= 2 && rnd() % 2)
            edges[0] = 0, edges[n - 1] = 1;
        md_baseline b = {0};
        b.score_edges = edges;
        b.n_score_edges = n;
        md_baseline t = b;
        md_baseline_index_scores(&t);
        size_t k = md_baseline_score_bins(&b);
        for (int i = 0; i < 2000; i++) {
            double s = unif();
            if (n && i % 3 == 0) {
                s = edges[rnd() % n];
                s = i % 2 ? s : nextafter(s, i % 4 ? 2.0 : -1.0);
                s = s < 0 ? 0 : s > 1 ? 1 : s;
            } else if (i % 3 == 1 && i % 2) {
                s = (double)(rnd() % (MD_SCORE_LUT + 1)) / MD_SCORE_LUT;
            }
            size_t at_or_below = 0;
            for (size_t j = 0; j < n; j++)
                at_or_below += edges[j] <= s;
            size_t want = at_or_below == 0 ? 0 : at_or_below - 1 >= k ? k - 1 : at_or_below - 1;
            ck_assert_msg(md_baseline_score_bin(&b, s) == want,
                          "%zu edges, s = %.17g: bin %zu by search, want %zu", n, s,
                          md_baseline_score_bin(&b, s), want);
            ck_assert_msg(md_baseline_score_bin(&t, s) == want,
                          "%zu edges, s = %.17g: bin %zu by table, want %zu", n, s,
                          md_baseline_score_bin(&t, s), want);
        }
    }
}
END_TEST

/* scipy.stats.ks_2samp's D from the same counters: |cdf_S - cdf_W| in doubles, each CDF a
 * count divided by its sample's size, at every sample value and just below it. */
static double ks_by_definition(const md_bfeature *f, const uint32_t *ks, int64_t nw)
{
    double d = 0, nS = (double)f->ks_n, nW = (double)nw;
    int64_t cs = 0, cw = 0;
    for (size_t j = 0; j <= f->ks_k; j++) {
        cw += ks[2 * j];
        d = fmax(d, fabs((double)cs / nS - (double)cw / nW));
        if (j < f->ks_k) {
            cw += ks[2 * j + 1];
            cs += f->ks_counts[j];
            d = fmax(d, fabs((double)cs / nS - (double)cw / nW));
        }
    }
    return d;
}

/* The drift row, under the default policy, of a window of n values of the one feature f, with
 * the window's counts in wf. */
static md_drift_row row_of(md_bfeature *f, md_wfeat *wf, int64_t n)
{
    md_baseline b = {0};
    b.features = f;
    b.nfeatures = 1;
    wf->present = n;
    md_strmap_init(&wf->newcats);
    md_window w = {0};
    w.rows = n;
    w.f = wf;
    w.nf = 1;
    md_drift_policy p;
    md_drift_policy_default(&p);
    md_drift_row r;
    md_window_drift_row(&w, &b, 0, &p, &r);
    json_decref(r.new_categories);
    json_decref(r.hist);
    md_strmap_free(&wf->newcats);
    return r;
}

/* Feature 0's drift row for a window with these KS counters (and one PSI bin, unused). */
static double ks_of(md_bfeature *f, uint32_t *ks, int64_t nw)
{
    int64_t base_counts[MD_QUANTILE_BINS + 2] = {1}, bins[MD_QUANTILE_BINS + 2] = {nw};
    int64_t *counts = f->counts;
    size_t nbins = f->nbins;
    f->counts = base_counts;
    f->nbins = 1;
    md_wfeat wf = {0};
    wf.ks = ks;
    wf.bins = bins;
    md_drift_row r = row_of(f, &wf, nw);
    f->counts = counts;
    f->nbins = nbins;
    return r.ks;
}

/* A categorical feature's drift row: the category counts' exact test is computed (and
 * decides PSI's part of the status) where PSI's chi-square null does not hold, under
 * drift.psi.min_rows values or with a category expecting fewer than 5 of them, and is null
 * where it holds. */
static md_drift_row cat_row(const int64_t *base, size_t k, int64_t *win, int64_t n)
{
    static md_bfeature f;
    memset(&f, 0, sizeof f);
    f.kind = MD_CATEGORICAL;
    md_strmap_init(&f.cats);
    md_strmap_init(&f.rule.allowed);
    const char *names[] = {"a", "b", "c", "d"}; /* k <= 4 */
    for (size_t i = 0; i < k; i++) {
        md_strmap_intern(&f.cats, names[i], 1);
        f.rows += base[i];
    }
    f.cat_counts = (int64_t *)base;
    md_wfeat wf = {0};
    wf.cat = win;
    md_drift_row r = row_of(&f, &wf, n);
    md_strmap_free(&f.cats);
    md_strmap_free(&f.rule.allowed);
    return r;
}

START_TEST(categorical_psi_takes_the_exact_test_where_its_null_fails)
{
    int64_t even[] = {5000, 5000}, w1[] = {60, 40};
    md_drift_row r = cat_row(even, 2, w1, 100); /* 50 expected apiece: the null holds */
    ck_assert(isnan(r.mix_pvalue));
    int64_t w2[] = {30, 20};
    r = cat_row(even, 2, w2, 50); /* under min_rows */
    ck_assert(!isnan(r.mix_pvalue));
    /* "c" and "d" expect 4.5 each of 300: chance explains their absence (0.985^300 = 1.1%),
     * though PSI, about 0.15, is over the warn level and far over its null's quantile */
    int64_t rare[] = {4850, 4850, 150, 150}, w3[] = {150, 150, 0, 0};
    r = cat_row(rare, 4, w3, 300);
    ck_assert(!isnan(r.mix_pvalue));
    ck_assert(r.has_psi && r.psi > 0.1 && r.psi > 3 * r.psi_null);
    ck_assert_double_gt(r.mix_pvalue, 0.01);
    ck_assert_int_eq(r.status, MD_LEVEL_OK);
    int64_t w4[] = {280, 10, 5, 5};
    r = cat_row(rare, 4, w4, 300); /* a real shift: the test sees it */
    ck_assert_double_lt(r.mix_pvalue, 0.01);
    ck_assert_int_eq(r.status, MD_LEVEL_ALERT);
    int64_t w5[] = {2400, 2500, 50, 50};
    r = cat_row(rare, 4, w5, 5000); /* 75 expected: the null holds */
    ck_assert(isnan(r.mix_pvalue));
}
END_TEST

/* The statistic compares the gaps as whole numbers and takes doubles only where a gap reaches
 * the largest: it must give scipy's D to the last bit. Random counters over samples of 1 to
 * 3,000 values (zeros, ties, windows larger and smaller than the sample), windows that are
 * the sample scaled (every gap equal, or zero), windows so large that the doubles decide
 * every gap, and windows of a few values (walked from value to value, not point by point:
 * an hour of a sparse log), at the ends too. */
START_TEST(ks_statistic_is_scipys_to_the_bit)
{
    for (int round = 0; round < 420; round++) {
        size_t n = 1 + (size_t)(rnd() % (round < 200 ? 300 : 3000));
        double *v = malloc(n * sizeof *v);
        for (size_t i = 0; i < n; i++)
            v[i] = (double)(rnd() % (round % 2 ? n : 1 + n / 7)); /* ties in half the rounds */
        md_bfeature f;
        make_feature(&f, v, n);
        size_t nks = 2 * f.ks_k + 1;
        uint32_t *ks = calloc(nks, sizeof *ks);
        int64_t nw = 0;
        int shape = round % 6;
        for (size_t few = 1 + rnd() % (1 + f.ks_k / 10), i = 0; shape == 5 && i < few; i++) {
            size_t at = i == 0 && round % 4 == 1 ? 0 : i == 1 && round % 3 ? nks - 1 : rnd() % nks;
            ks[at] += 1 + (uint32_t)(rnd() % 2);
        }
        for (size_t j = 0; j < nks; j++) {
            if (shape == 5) {
                nw += ks[j];
                continue;
            }
            uint32_t c = (uint32_t)(rnd() % 50);
            if (shape == 1) /* the sample itself, scaled: D = 0 */
                c = j % 2 ? 3 * (uint32_t)f.ks_counts[j / 2] : 0;
            else if (shape == 2) /* scaled and moved below the first value: equal gaps */
                c = j % 2 ? 2 * (uint32_t)f.ks_counts[j / 2] : j == 0 ? 7 : 0;
            else if (shape == 3 && rnd() % 3) /* sparse */
                c = 0;
            else if (shape == 4) /* past 2^50 for nS * nW: doubles at every point */
                c = (uint32_t)(rnd() % 4000000000u);
            ks[j] = c;
            nw += c;
        }
        if (nw == 0)
            nw = ks[nks - 1] = 1;
        double got = ks_of(&f, ks, nw), want = ks_by_definition(&f, ks, nw);
        ck_assert_msg(memcmp(&got, &want, sizeof got) == 0,
                      "round %d (%zu values, window of %lld): D = %.17g, want %.17g", round, n,
                      (long long)nw, got, want);
        if (shape == 1)
            ck_assert_msg(got == 0, "round %d: a scaled sample has D = %.17g", round, got);
        free(ks);
        free(v);
        free_feature(&f);
    }
    /* Ten values against the same ten moved up one: every gap is 1/10 exactly, but in doubles
     * 0.2 - 0.1 is 0.1, 0.3 - 0.2 is 0.09999999999999998 and 0.8 - 0.7 is 0.10000000000000009:
     * D is the largest of the tied gaps, not the first. */
    double v[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    md_bfeature f;
    make_feature(&f, v, 10);
    uint32_t ks[21] = {0};
    for (size_t j = 1; j < 10; j++)
        ks[2 * j + 1] = 1; /* equal to values 1 .. 9 */
    ks[20] = 1;            /* and one above them all */
    double got = ks_of(&f, ks, 10);
    ck_assert_msg(got == 0.8 - 0.7 && got == ks_by_definition(&f, ks, 10),
                  "tied gaps: D = %.17g, want %.17g", got, 0.8 - 0.7);
    free_feature(&f);
}
END_TEST

Suite *suite_splits(void)
{
    Suite *s = suite_create("splits");
    TCase *tc = tcase_create("splits");
    tcase_set_timeout(tc, 60); /* a busy machine: Check's 4 s are close for the longest checks */
    tcase_add_test(tc, counters_fold_into_the_reference_ks_slots_and_bins);
    tcase_add_test(tc, counters_carry_past_sixteen_bits);
    tcase_add_test(tc, window_parts_merged_unfolded_count_as_one);
    tcase_add_test(tc, equal_values_and_gaps_have_their_own_counters);
    tcase_add_test(tc, score_bins_follow_searchsorted);
    tcase_add_test(tc, ks_statistic_is_scipys_to_the_bit);
    tcase_add_test(tc, categorical_psi_takes_the_exact_test_where_its_null_fails);
    tcase_add_test(tc, thresholds_meet_differences_of_ratios_as_counted);
    suite_add_tcase(s, tc);
    return s;
}
