#include "select.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "sort.h"

/* Buckets for n values: about one for every 16 values, a power of two from 16 to 8,192 (the
 * four histograms, 256 KiB at most, stay in the core's second-level cache). */
static size_t buckets_for(size_t n)
{
    size_t k = 16;
    while (k < 8192 && k * 16 < n)
        k *= 2;
    return k;
}

/* A value's key with -0.0 taken as 0.0: equal values share a bucket. */
static inline uint64_t bucket_key(double x)
{
    return md_double_key_inline(x + 0.0);
}

/* The bucket holding rank r: the last k with below[k] <= r. */
static size_t bucket_of_rank(const md_select *s, size_t r)
{
    size_t lo = 0, hi = s->nbuckets; /* below[lo] <= r < below[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->below[mid] <= r)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* A value's bucket: by key (a range of one sign, where keys follow the values' magnitude, so a
 * wide range is spread evenly over its binades) or linearly in the value (a range that reaches
 * zero, where keys would leave a gap of a thousand binades between the smallest magnitudes and
 * zero, with most buckets empty and the rest crowded). Either way it never falls as the value
 * grows, and equal values share one. */
static inline size_t bucket_of(const md_select *s, double x)
{
    if (s->linear) {
        size_t k = (size_t)((x - s->vlo) * s->scale);
        return k < s->nbuckets ? k : s->nbuckets - 1;
    }
    return (size_t)((bucket_key(x) - s->lo) >> s->shift);
}

void md_select_init(md_select *s, const double *a, size_t na, const double *b, size_t nb,
                    const size_t *want, size_t nwant)
{
    memset(s, 0, sizeof *s);
    if (na + nb == 0)
        return;
    const double *part[2] = {a, b};
    size_t len[2] = {na, nb};
    uint64_t lo = UINT64_MAX, hi = 0;
    for (int p = 0; p < 2; p++)
        for (size_t i = 0; i < len[p]; i++) {
            uint64_t k = bucket_key(part[p][i]);
            lo = k < lo ? k : lo;
            hi = k > hi ? k : hi;
        }
    size_t want_buckets = buckets_for(na + nb);
    double vlo = md_key_double(lo), vhi = md_key_double(hi), span = vhi - vlo;
    s->lo = lo;
    s->vlo = vlo;
    s->linear = vlo <= 0 && vhi >= 0 && span > 0 && isfinite((double)want_buckets / span);
    if (s->linear) {
        s->nbuckets = want_buckets;
        s->scale = (double)want_buckets / span;
    } else {
        while (((hi - lo) >> s->shift) >= want_buckets)
            s->shift++;
        s->nbuckets = (size_t)((hi - lo) >> s->shift) + 1;
    }
    /* four histograms, for values i mod 4: a run of equal values does not wait on one counter */
    size_t nk = s->nbuckets, *count = md_xcalloc(4 * nk, sizeof *count);
    for (int p = 0; p < 2; p++) {
        const double *v = part[p];
        size_t i = 0;
        for (; i + 4 <= len[p]; i += 4)
            for (size_t c = 0; c < 4; c++)
                count[c * nk + bucket_of(s, v[i + c])]++;
        for (; i < len[p]; i++)
            count[bucket_of(s, v[i])]++;
    }
    s->below = md_xmalloc((nk + 1) * sizeof *s->below);
    s->below[0] = 0;
    for (size_t k = 0; k < nk; k++)
        s->below[k + 1] =
            s->below[k] + count[k] + count[nk + k] + count[2 * nk + k] + count[3 * nk + k];
    free(count);

    /* the buckets of the wanted ranks, and where their values go in picked, in bucket order */
    unsigned char *mark = md_xcalloc(s->nbuckets, 1);
    for (size_t i = 0; i < nwant; i++)
        mark[bucket_of_rank(s, want[i])] = 1;
    s->at = md_xmalloc(s->nbuckets * sizeof *s->at);
    size_t *next = md_xmalloc(s->nbuckets * sizeof *next), npicked = 0;
    for (size_t k = 0; k < s->nbuckets; k++) {
        s->at[k] = mark[k] ? npicked : SIZE_MAX;
        npicked += mark[k] ? s->below[k + 1] - s->below[k] : 0;
    }
    memcpy(next, s->at, s->nbuckets * sizeof *next);
    s->picked = md_xmalloc((npicked ? npicked : 1) * sizeof *s->picked);
    s->run = md_xcalloc(s->nbuckets, sizeof *s->run);
    for (int p = 0; p < 2; p++)
        for (size_t i = 0; i < len[p]; i++) {
            double x = part[p][i];
            size_t k = bucket_of(s, x);
            if (!mark[k])
                continue;
            md_select_run *r = &s->run[k];
            if (mark[k] == 1) { /* the bucket's first value */
                r->v = x;
                mark[k] = 2;
            }
            if (memcmp(&x, &r->v, sizeof x) == 0) /* the same bits: -0.0 is not 0.0 */
                r->copies++;
            else
                s->picked[next[k]++] = x;
        }
    /* the other values of each picked bucket sorted on its own, unless they are all one */
    for (size_t k = 0; k < s->nbuckets; k++) {
        if (!mark[k])
            continue;
        double *v = s->picked + s->at[k];
        size_t n = next[k] - s->at[k], i = 1;
        while (i < n && md_double_key_inline(v[i]) == md_double_key_inline(v[0]))
            i++;
        if (i < n)
            md_sort_doubles(v, n);
        uint64_t key = md_double_key_inline(s->run[k].v);
        size_t below = 0, above = n; /* the others below the first value, as the sort has them */
        while (below < above) {
            size_t mid = below + (above - below) / 2;
            if (md_double_key_inline(v[mid]) < key)
                below = mid + 1;
            else
                above = mid;
        }
        s->run[k].lower = below;
    }
    free(next);
    free(mark);
}

double md_select_value(const md_select *s, size_t rank)
{
    size_t k = bucket_of_rank(s, rank), o = rank - s->below[k];
    const md_select_run *r = &s->run[k];
    if (o < r->lower)
        return s->picked[s->at[k] + o];
    return o < r->lower + r->copies ? r->v : s->picked[s->at[k] + o - r->copies];
}

/* A number whose bucket is k: the bucket's first key; linearly, where k starts, give or take
 * the rounding of that, which a step or two of the last digit mends. */
static double in_bucket(const md_select *s, size_t k)
{
    if (!s->linear)
        return md_key_double(s->lo + ((uint64_t)k << s->shift));
    double x = s->vlo + (double)k / s->scale;
    for (int i = 0; i < 64 && bucket_of(s, x) < k; i++)
        x = nextafter(x, INFINITY);
    for (int i = 0; i < 64 && bucket_of(s, x) > k; i++)
        x = nextafter(x, -INFINITY);
    return x;
}

/* A bucket that holds no wanted rank has no step of bin in it: a step lies between the values
 * of wanted ranks r and r + 1, and a step between two numbers of the bucket would put one of
 * those values between them, in the bucket (buckets hold ranges of numbers). So its values all
 * have the bin of any number of the bucket. A picked bucket's first value is binned once for all
 * its copies, its other values one by one. */
void md_select_count(const md_select *s, size_t (*bin)(const void *ctx, double x), const void *ctx,
                     int64_t *counts)
{
    for (size_t k = 0; k < s->nbuckets; k++) {
        size_t n = s->below[k + 1] - s->below[k];
        if (n == 0)
            continue;
        if (s->at[k] == SIZE_MAX) {
            counts[bin(ctx, in_bucket(s, k))] += (int64_t)n;
            continue;
        }
        counts[bin(ctx, s->run[k].v)] += (int64_t)s->run[k].copies;
        for (size_t i = 0; i < n - s->run[k].copies; i++)
            counts[bin(ctx, s->picked[s->at[k] + i])]++;
    }
}

void md_select_free(md_select *s)
{
    free(s->below);
    free(s->at);
    free(s->picked);
    free(s->run);
    memset(s, 0, sizeof *s);
}
