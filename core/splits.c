/* The split index of a numeric feature: where a value falls among the feature's split points,
 * which are the KS sample's distinct values and the PSI edges, sorted.
 *
 * A value is either equal to split point j (counter 2j + 1) or strictly between points j - 1
 * and j (counter 2j). Both the KS counter and the PSI bin are functions of that counter, so an
 * ingest does one lookup and one increment per value and folds the counters into KS counters
 * and PSI bins once per window (md_bfeature_fold).
 *
 * The lookup: a bucket from the value (linear in the value, or the top bits of its
 * order-preserving key when the points spread over many binades; the index keeps whichever
 * leaves fewer points in crowded buckets), the bucket's first point from a table, and four
 * branch-free comparisons. Buckets are monotone in the value, so points in lower buckets are
 * below it and points in higher ones above it; a bucket holding more than four points takes a
 * binary search. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "mem.h"
#include "profile.h"

#define SCAN      4     /* points compared without a search */
#define PER_POINT 3     /* buckets per split point */
#define GRID_MAX  65536 /* buckets at most */
#define GRID_MIN  16
#define INTS_MAX  16384 /* whole numbers a table covers at most (64 KiB) */

_Static_assert(MD_KS_SAMPLE_MAX + MD_QUANTILE_BINS + 1 < UINT16_MAX,
               "split point indexes must fit the grid's 16 bits");
_Static_assert(2 * (MD_KS_SAMPLE_MAX + MD_QUANTILE_BINS + 1) + 1 <= UINT16_MAX,
               "counter numbers must fit a list's 16 bits (md_bfeature_list)");

size_t md_bfeature_ks_slot(const md_bfeature *f, double x)
{
    size_t lo = 0, hi = f->ks_k; /* first value greater than x */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (f->ks_values[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && f->ks_values[lo - 1] == x)
        return 2 * (lo - 1) + 1; /* equal to value lo - 1 */
    return 2 * lo;               /* strictly between values lo - 1 and lo */
}

static inline uint64_t value_key(double x)
{
    uint64_t u;
    x += 0.0; /* -0.0 as 0.0, which compares equal to it */
    memcpy(&u, &x, 8);
    return (u >> 63) ? ~u : u | 0x8000000000000000ULL;
}

/* The clamps below take no branch: values at or below the lowest point are common (zeros,
 * floors), and a branch on them would be mispredicted as often as they come. */
static inline size_t linear_bucket(const md_splits *s, double x)
{
    double t = (x - s->lo) * s->scale;
#ifdef __SSE2__
    t = _mm_cvtsd_f64(_mm_max_sd(_mm_set_sd(t), _mm_setzero_pd())); /* t > 0 ? t : 0, NaN too */
    t = _mm_cvtsd_f64(_mm_min_sd(_mm_set_sd(t), _mm_set_sd(s->gmax)));
#else
    t = t > 0 ? t : 0; /* NaN too */
    t = t < s->gmax ? t : s->gmax;
#endif
    return (size_t)(int64_t)t;
}

static inline size_t key_bucket(const md_splits *s, double x)
{
    uint64_t k = value_key(x) >> s->shift;
    k = (k - s->base) & -(uint64_t)(k >= s->base); /* below the first bucket: 0 */
    return k < s->ngrid - 1 ? (size_t)k : s->ngrid - 1;
}

static inline size_t bucket(const md_splits *s, double x)
{
    return s->linear ? linear_bucket(s, x) : key_bucket(s, x);
}

/* The counter of x, given the first point of its bucket and the bucket's size. */
static inline size_t counter_in(const md_splits *s, double x, size_t lo, size_t n)
{
    const double *p = s->p;
    size_t j;
    if (__builtin_expect(n > SCAN, 0)) { /* the first point greater than x in [lo, lo + n] */
        const double *b = p + lo;
        while (n > 1) {
            size_t half = n / 2;
            b = b[half] <= x ? b + half : b;
            n -= half;
        }
        j = (size_t)(b - p) + (*b <= x);
    } else { /* points past the bucket are above x, and NaN past the last point */
        j = lo + (p[lo] <= x) + (p[lo + 1] <= x) + (p[lo + 2] <= x) + (p[lo + 3] <= x);
    }
    return 2 * j - (p[j - 1] == x); /* p[-1] is NaN */
}

/* The counter of x, in bucket g: the bucket's points, scanned or searched. */
static inline size_t grid_counter(const md_splits *s, double x, size_t g)
{
    return counter_in(s, x, s->grid[g], (size_t)s->grid[g + 1] - s->grid[g]);
}

size_t md_bfeature_counter(const md_bfeature *f, double x)
{
    return grid_counter(&f->splits, x, bucket(&f->splits, x));
}

/* Reads every cache line of [p, p + bytes): in order, the hardware prefetcher streams them in,
 * where the lookups' scattered reads would each wait for a miss. */
static void warm(const void *p, size_t bytes)
{
    const volatile unsigned char *c = p;
    for (size_t i = 0; i < bytes; i += 64)
        (void)c[i];
}

/* The counter of x from the whole-number table; false when x is not a whole number in it. */
static inline bool int_counter(const md_splits *s, double x, size_t *c)
{
    double r = x - s->ilo;
    if (!(r >= 0 && r < (double)s->nints)) /* NaN too */
        return false;
    size_t k = (size_t)r; /* r may be rounded; ilo + k, a whole number, is exact */
    *c = s->ints[k];
    return s->ilo + (double)k == x;
}

void md_counters_init(md_counters *c, size_t n)
{
    c->lo = md_xcalloc(n, sizeof *c->lo);
    c->hi = NULL;
    c->n = n;
}

void md_counters_free(md_counters *c)
{
    free(c->lo);
    free(c->hi);
    c->lo = c->hi = NULL;
    c->n = 0;
}

void md_counters_carry(md_counters *c, size_t i)
{
    if (!c->hi)
        c->hi = md_xcalloc(c->n, sizeof *c->hi);
    c->hi[i]++;
}

/* Each of the n values' counter: added to `counters`, or, with `list`, written there in turn
 * (one body, specialized by its two callers). */
static inline __attribute__((always_inline)) void
count_values(const md_bfeature *f, const double *x, size_t n, md_counters *counters, uint16_t *list)
{
    const md_splits *s = &f->splits;
    const uint16_t *grid = s->grid;
#define COUNTED(i, c) (list ? (void)(list[i] = (uint16_t)(c)) : md_counters_add1(counters, c))
    if (s->ints) { /* whole numbers: one load each; anything else the grid below */
        for (size_t i = 0; i < n; i++) {
            size_t c;
            if (!int_counter(s, x[i], &c))
                c = grid_counter(s, x[i], bucket(s, x[i]));
            COUNTED(i, c);
        }
        return;
    }
    if (s->m > 512 && n > s->m) { /* a line of the index serves more than one value */
        warm(grid, (s->ngrid + 1) * sizeof *grid);
        warm(s->mem, (s->m + 1) * sizeof *s->mem);
        if (!list)
            warm(counters->lo, (2 * s->m + 1) * sizeof *counters->lo);
    }
    if (s->linear) {
        for (size_t i = 0; i < n; i++)
            COUNTED(i, grid_counter(s, x[i], linear_bucket(s, x[i])));
    } else {
        for (size_t i = 0; i < n; i++)
            COUNTED(i, grid_counter(s, x[i], key_bucket(s, x[i])));
    }
#undef COUNTED
}

void md_bfeature_count(const md_bfeature *f, const double *x, size_t n, md_counters *counters)
{
    count_values(f, x, n, counters, NULL);
}

void md_bfeature_list(const md_bfeature *f, const double *x, size_t n, uint16_t *list)
{
    count_values(f, x, n, NULL, list);
}

void md_bfeature_count_list(const uint16_t *list, size_t n, md_counters *counters)
{
    for (size_t i = 0; i < n; i++)
        md_counters_add1(counters, list[i]);
}

void md_bfeature_fold_list(const md_bfeature *f, const uint16_t *list, size_t n, uint32_t *ks,
                           int64_t *bins)
{
    const md_splits *s = &f->splits;
    for (size_t i = 0; i < n; i++) {
        ks[s->ks[list[i]]]++;
        bins[s->bin[list[i]]]++;
    }
}

size_t md_bfeature_ncounters(const md_bfeature *f)
{
    return 2 * f->splits.m + 1;
}

void md_bfeature_fold(const md_bfeature *f, const md_counters *counters, uint32_t *ks,
                      int64_t *bins)
{
    const md_splits *s = &f->splits;
    for (size_t c = 0; c < 2 * s->m + 1; c++) {
        uint32_t n = md_counters_get(counters, c);
        ks[s->ks[c]] += n;
        bins[s->bin[c]] += n;
    }
}

/* ---- building ------------------------------------------------------------------------------ */

/* grid[g]: the first point in bucket g or later; grid[ngrid]: m. Returns how many points sit
 * in buckets too crowded for the scan. */
static size_t fill_grid(md_splits *s)
{
    s->grid = md_xmalloc((s->ngrid + 1) * sizeof *s->grid);
    size_t g = 0, crowded = 0;
    for (size_t j = 0; j < s->m; j++) /* buckets are monotone in the value */
        for (size_t bj = bucket(s, s->p[j]); g <= bj; g++)
            s->grid[g] = (uint16_t)j;
    for (; g <= s->ngrid; g++)
        s->grid[g] = (uint16_t)s->m;
    for (g = 0; g < s->ngrid; g++) {
        size_t n = (size_t)s->grid[g + 1] - s->grid[g];
        crowded += n > SCAN ? n : 0;
    }
    return crowded;
}

static size_t key_grid(md_splits *s, size_t want)
{
    uint64_t lo = value_key(s->p[0]), hi = value_key(s->p[s->m - 1]);
    s->linear = false;
    s->shift = 0;
    while ((hi >> s->shift) - (lo >> s->shift) >= want - 1)
        s->shift++;
    s->base = lo >> s->shift;
    s->ngrid = (size_t)((hi >> s->shift) - s->base) + 1;
    return fill_grid(s);
}

/* False when the points' span is not a finite positive number. */
static bool linear_grid(md_splits *s, size_t want, size_t *crowded)
{
    double span = s->p[s->m - 1] - s->p[0];
    if (!(span > 0) || !isfinite(span) || !isfinite((double)(want - 1) / span))
        return false;
    s->linear = true;
    s->lo = s->p[0];
    s->ngrid = want;
    s->gmax = (double)(want - 1);
    s->scale = s->gmax / span;
    *crowded = fill_grid(s);
    return true;
}

/* What a value strictly between p[j - 1] and p[j] counts as: a value just above p[j - 1], or
 * just below p[0] for j = 0. When no double lies between them, the counter stays at zero and
 * any answer does. */
static double inside_gap(const md_splits *s, size_t j)
{
    return j == 0 ? nextafter(s->p[0], -INFINITY) : nextafter(s->p[j - 1], INFINITY);
}

/* Counts, ages, days and tickets: when every point is a whole number and they span at most
 * INTS_MAX, the counters of the whole numbers from one below the first point to one above the
 * last, so that such a value takes one load instead of a search. */
static void whole_numbers(md_splits *s)
{
    double lo = s->p[0], hi = s->p[s->m - 1];
    if (!(lo > -1e9 && hi < 1e9 && hi - lo + 3 <= INTS_MAX))
        return;
    for (size_t j = 0; j < s->m; j++)
        if (s->p[j] != floor(s->p[j]))
            return;
    s->ilo = lo - 1;
    s->nints = (size_t)(hi - lo) + 3;
    s->ints = md_xmalloc(s->nints * sizeof *s->ints);
    for (size_t k = 0; k < s->nints; k++) {
        double x = s->ilo + (double)k;
        s->ints[k] = (uint32_t)grid_counter(s, x, bucket(s, x));
    }
}

/* The points: the KS values and the PSI edges, both sorted, merged without duplicates. */
static size_t merge_points(const md_bfeature *f, double *v)
{
    const double *a = f->ks_values, *b = f->edges;
    size_t na = f->ks_k, nb = f->nedges, i = 0, j = 0, m = 0;
    while (i < na || j < nb) {
        double x = j == nb || (i < na && a[i] < b[j]) ? a[i++] : b[j++];
        if (m == 0 || x != v[m - 1])
            v[m++] = x + 0.0;
    }
    return m;
}

/* md_bfeature_ks_slot for a value at or above every value asked before: *k, the KS values at
 * or below the last one, only moves up. */
static size_t ks_slot_from(const md_bfeature *f, double x, size_t *k)
{
    while (*k < f->ks_k && f->ks_values[*k] <= x)
        ++*k;
    return *k > 0 && f->ks_values[*k - 1] == x ? 2 * (*k - 1) + 1 : 2 * *k;
}

void md_bfeature_index(md_bfeature *f)
{
    md_splits *s = &f->splits;
    if (f->kind != MD_NUMERIC || f->ks_k == 0 || s->grid)
        return;
    s->mem = md_xmalloc((f->ks_k + f->nedges + 1 + SCAN) * sizeof *s->mem);
    s->mem[0] = NAN; /* equal to nothing */
    size_t m = s->m = merge_points(f, s->mem + 1);
    for (size_t i = 0; i < SCAN; i++)
        s->mem[m + 1 + i] = NAN;
    s->p = s->mem + 1;

    size_t want = m * PER_POINT;
    want = want < GRID_MIN ? GRID_MIN : (want > GRID_MAX ? GRID_MAX : want);
    size_t by_key = key_grid(s, want), by_value;
    md_splits keyed = *s;
    if (linear_grid(s, want, &by_value) && by_value < by_key) {
        free(keyed.grid);
    } else {
        if (s->linear)
            free(s->grid);
        *s = keyed;
    }

    /* the counters in order: the gap below each point, then the point; their values never
     * fall, so one walk over the KS values gives every KS slot */
    s->ks = md_xmalloc((2 * m + 1) * sizeof *s->ks);
    s->bin = md_xmalloc(2 * m + 1);
    size_t k = 0;
    for (size_t j = 0; j <= m; j++) {
        double gap = inside_gap(s, j);
        s->ks[2 * j] = (uint32_t)ks_slot_from(f, gap, &k);
        s->bin[2 * j] = (uint8_t)md_bfeature_bin(f, gap);
        if (j < m) {
            s->ks[2 * j + 1] = (uint32_t)ks_slot_from(f, s->p[j], &k);
            s->bin[2 * j + 1] = (uint8_t)md_bfeature_bin(f, s->p[j]);
        }
    }
    whole_numbers(s);
    s->ks_cum = md_xmalloc((f->ks_k + 1) * sizeof *s->ks_cum);
    s->ks_cum[0] = 0;
    for (size_t j = 0; j < f->ks_k; j++)
        s->ks_cum[j + 1] = s->ks_cum[j] + f->ks_counts[j];
}

void md_splits_free(md_splits *s)
{
    free(s->mem);
    free(s->grid);
    free(s->ks);
    free(s->bin);
    free(s->ints);
    free(s->ks_cum);
    memset(s, 0, sizeof *s);
}
