/* sort: md_sort_u64, md_sort_u32 and md_sort_doubles (core/sort.c) against qsort, on both sides
 * of the sizes where they switch from qsort to radix, from 8-bit to 11-bit digits and from one
 * sort to two halves merged; md_merge_u64 and md_merge_u32_down against sorting both parts
 * together; md_select (core/select.c) against sorting. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "select.h"
#include "sort.h"
#include "stats.h"
#include "testutil.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A small linear congruential step: the same numbers everywhere. */
static uint64_t next(uint64_t z)
{
    return z * 6364136223846793005ULL + 1442695040888963407ULL;
}

/* z's top 53 bits as a number in [0, 1). */
static double unit(uint64_t z)
{
    return (double)(z >> 11) / 9007199254740992.0;
}

static int cmp_key(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_key32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* md_sort_u64 against qsort, on every size class of its digits: random keys, keys that
 * share their top bytes (doubles of one range), keys alike but for one digit, equal keys, the
 * pair keys of scores with six decimals (ties of one score and both labels), keys of a few
 * hundred tops with random low bits, the same scores keyed by their millionths (21 bits, whose
 * sort counts two digits only), and keys of 22 and 23 bits (either side of that); md_sort_u32
 * on the same keys' low 32 bits (the millionths and the 22 and 23 bits whole). */
START_TEST(radix_sort_equals_qsort)
{
    static const size_t sizes[] = {1,     2,      255,    256,    1000,  65535,
                                   65536, 200000, 262143, 262144, 300001};
    uint64_t z = 1;
    for (size_t si = 0; si < LEN(sizes); si++) {
        size_t n = sizes[si];
        uint64_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
        uint32_t *a32 = malloc(n * sizeof *a32), *b32 = malloc(n * sizeof *b32);
        for (int shape = 0; shape < 9; shape++) {
            uint64_t tops = n / 300 + 1;
            for (size_t i = 0; i < n; i++) {
                z = next(z);
                double d = (double)(z >> 40) / 1e6, score = (double)((z >> 20) % 1000001) / 1e6;
                uint64_t u;
                memcpy(&u, &d, sizeof u);
                a[i] = shape == 0   ? z
                       : shape == 1 ? u
                       : shape == 2 ? (z >> 60) << 23
                       : shape == 3 ? 42
                       : shape == 4 ? md_pair_key(score, (z >> 63) != 0)
                       : shape == 5 ? (((z >> 33) % tops) * 0x9E3779B97F4A7C15ULL & ~0ULL << 31) |
                                          (z >> 3 & 0x7FFFFFFF)
                       : shape == 6 ? ((z >> 20) % 1000001) << 1 | z >> 63
                       : shape == 7 ? z >> 42
                                    : z >> 41;
            }
            for (size_t i = 0; i < n; i++)
                a32[i] = b32[i] = (uint32_t)a[i];
            memcpy(b, a, n * sizeof *a);
            md_sort_u64(a, n);
            qsort(b, n, sizeof *b, cmp_key);
            ck_assert_msg(memcmp(a, b, n * sizeof *a) == 0, "n = %zu, shape %d", n, shape);
            md_sort_u32(a32, n);
            qsort(b32, n, sizeof *b32, cmp_key32);
            ck_assert_msg(memcmp(a32, b32, n * sizeof *a32) == 0, "32 bits: n = %zu, shape %d", n,
                          shape);
        }
        free(a);
        free(b);
        free(a32);
        free(b32);
    }
}
END_TEST

/* A score written with at most six decimals is keyed by its millionths, and its key gives back
 * the very double it was read as; a score off that grid, however near, is not keyed so. */
START_TEST(millionths_key_scores_of_six_decimals)
{
    uint64_t z = 7, m;
    for (int i = 0; i < 200000; i++) {
        z = next(z);
        uint64_t want = i < 2 ? (uint64_t)i * 1000000 : (z >> 20) % 1000001;
        char text[32];
        snprintf(text, sizeof text, i % 2 ? "%.6f" : "%.6g", (double)want / 1e6);
        double score = strtod(text, NULL);
        ck_assert_msg(md_score_millionths(score, &m) && m == want, "%s", text);
        ck_assert(md_millionths_score(m) == score);
        double up = nextafter(score, 2), down = nextafter(score, -1);
        ck_assert_msg(up > 1 || !md_score_millionths(up, &m), "just above %s", text);
        ck_assert_msg(down < 0 || !md_score_millionths(down, &m), "just below %s", text);
        snprintf(text, sizeof text, "%.7f", (double)want / 1e6 + 3e-7);
        ck_assert_msg(strtod(text, NULL) > 1 || !md_score_millionths(strtod(text, NULL), &m), "%s",
                      text);
    }
    ck_assert(md_score_millionths(-0.0, &m) && m == 0);
}
END_TEST

static int cmp_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* md_sort_doubles sorts in place by value: negatives (whose keys are flipped), both zeros,
 * infinities, subnormals and heavy ties, on both sides of the radix thresholds. A result is
 * checked against qsort by value (the zeros compare equal, so either order of them passes). */
START_TEST(double_sort_orders_by_value)
{
    static const size_t sizes[] = {2, 255, 256, 1000, 65536, 200000, 262144, 300001};
    static const double special[] = {-0.0,    0.0,     INFINITY, -INFINITY, 5e-324,
                                     -5e-324, DBL_MAX, -DBL_MAX, 1.0,       -1.0};
    uint64_t z = 7;
    for (size_t si = 0; si < LEN(sizes); si++) {
        size_t n = sizes[si];
        double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
        for (int shape = 0; shape < 3; shape++) {
            for (size_t i = 0; i < n; i++) {
                z = next(z);
                double u = unit(z);
                a[i] = shape == 0   ? (u - 0.5) * 1e6                   /* both signs */
                       : shape == 1 ? special[(z >> 20) % LEN(special)] /* ties, extremes */
                                    : -(double)((z >> 33) % 50) / 4;    /* negative, few */
            }
            memcpy(b, a, n * sizeof *a);
            md_sort_doubles(a, n);
            qsort(b, n, sizeof *b, cmp_value);
            for (size_t i = 0; i < n; i++)
                ck_assert_msg(a[i] == b[i], "n = %zu, shape %d, [%zu]: %.17g != %.17g", n, shape, i,
                              a[i], b[i]);
        }
        free(a);
        free(b);
    }
}
END_TEST

/* Two sorted halves merged are what sorting them together gives, 64-bit keys and 32-bit ones:
 * empty sides, one side all below the other, interleaved, heavy ties. */
START_TEST(merge_equals_sorting_both)
{
    static const size_t sizes[][2] = {{0, 0}, {0, 5}, {5, 0}, {1, 1}, {300, 7}, {1000, 1000}};
    uint64_t z = 11;
    for (size_t si = 0; si < LEN(sizes); si++) {
        size_t na = sizes[si][0], nb = sizes[si][1], n = na + nb;
        uint64_t *u = malloc((n + 1) * sizeof *u), *um = malloc((n + 1) * sizeof *um);
        for (int shape = 0; shape < 3; shape++) {
            for (size_t i = 0; i < n; i++) {
                z = next(z);
                u[i] = shape == 0   ? z                                  /* interleaved */
                       : shape == 1 ? (i < na ? z >> 1 : z | 1ULL << 63) /* apart */
                                    : z >> 62;                           /* ties */
            }
            /* 32 bits of each key (the top ones where the sides lie apart), merged in place from
             * the top down */
            uint32_t *v = malloc((n + 1) * sizeof *v), *w = malloc((nb + 1) * sizeof *w),
                     *all = malloc((n + 1) * sizeof *all);
            for (size_t i = 0; i < n; i++) {
                all[i] = (uint32_t)(u[i] >> (shape == 1 ? 32 : 0));
                (i < na ? v : w)[i < na ? i : i - na] = all[i];
            }
            md_sort_u32(v, na);
            md_sort_u32(w, nb);
            md_merge_u32_down(v, na, w, nb);
            qsort(all, n, sizeof *all, cmp_key32);
            ck_assert_msg(n == 0 || memcmp(v, all, n * sizeof *v) == 0,
                          "32 bits: keys %zu + %zu, shape %d", na, nb, shape);
            md_sort_u64(u, na);
            md_sort_u64(u + na, nb);
            md_merge_u64(u, na, u + na, nb, um);
            md_sort_u64(u, n);
            ck_assert_msg(memcmp(u, um, n * sizeof *u) == 0, "keys %zu + %zu, shape %d", na, nb,
                          shape);
            free(v);
            free(w);
            free(all);
        }
        free(u);
        free(um);
    }
}
END_TEST

/* Interior edges at or below x: numpy.histogram's bin of a clipped value, as md_bfeature_bin. */
typedef struct {
    const double *e;
    size_t n;
} edges;

static size_t edge_bin(const void *ctx, double x)
{
    const edges *g = ctx;
    size_t bin = 0;
    for (size_t i = 1; i + 1 < g->n; i++)
        bin += x >= g->e[i];
    return bin;
}

/* A value of the given shape from the random bits z (the shapes of select_equals_sorting). */
static double shaped(int shape, uint64_t z)
{
    double u = unit(z);
    switch (shape) {
    case 0:
        return (u - 0.5) * 1e6;
    case 1:
        return (double)((z >> 40) % 7) - 3.0 + ((z >> 20) & 1 ? -0.0 : 0.0);
    case 2:
        return 42.5;
    case 3:
        return u < 0.6 ? ((z >> 30) & 1 ? -0.0 : 0.0) : u;
    case 4:
        return exp((u - 0.5) * 92.0);
    case 5: /* a range around zero so narrow that buckets of it would be wider than a double */
        return (double)((z >> 40) % 5) * 5e-324 - 1e-323;
    default:
        return u < 0.001 ? (u - 0.0005) * 1e12 : 1.0 + u * 1e-9;
    }
}

static double rank_in(const void *ctx, size_t i)
{
    return md_select_value(ctx, i);
}

/* md_select gives, at every rank the 11 linear quantiles ask for, the value a sort puts there
 * (bit for bit: -0.0 before 0.0), and counts the values of the bins between the quantile edges
 * as binning each value does; the values come in two parts (a baseline's two halves) split
 * anywhere. Shapes: both signs; few values with both zeros; one value; most values zero; a
 * range of 40 orders of magnitude; subnormals around zero; a tight cluster with far outliers
 * (its buckets are crowded). */
START_TEST(select_equals_sorting)
{
    static const size_t sizes[] = {1, 2, 3, 17, 255, 1000, 4097, 65536, 200001};
    uint64_t z = 5;
    for (size_t si = 0; si < LEN(sizes); si++) {
        size_t n = sizes[si];
        double *v = malloc(n * sizeof *v), *sorted = malloc(n * sizeof *sorted);
        for (int shape = 0; shape < 7; shape++) {
            for (size_t i = 0; i < n; i++)
                v[i] = shaped(shape, z = next(z));
            memcpy(sorted, v, n * sizeof *v);
            md_sort_doubles(sorted, n);
            double q[MD_QUANTILE_BINS + 1], e[MD_QUANTILE_BINS + 1], e2[MD_QUANTILE_BINS + 1];
            md_linspace01(MD_QUANTILE_BINS, q);
            size_t want[2 * (MD_QUANTILE_BINS + 1)], nw = 0;
            for (size_t j = 0; j <= MD_QUANTILE_BINS; j++) {
                double at = (double)(n - 1) * q[j];
                size_t r = (size_t)at;
                want[nw++] = r;
                if (r + 1 < n)
                    want[nw++] = r + 1;
            }
            size_t split = (size_t)(z >> 33) % (n + 1);
            md_select sel;
            md_select_init(&sel, v, split, v + split, n - split, want, nw);
            for (size_t j = 0; j < nw; j++) {
                double got = md_select_value(&sel, want[j]);
                ck_assert_msg(memcmp(&got, &sorted[want[j]], sizeof got) == 0,
                              "n = %zu, shape %d, rank %zu: %.17g, sorted %.17g", n, shape, want[j],
                              got, sorted[want[j]]);
            }
            md_quantiles_linear(sorted, n, q, MD_QUANTILE_BINS + 1, e);
            md_quantiles_linear_at(rank_in, &sel, n, q, MD_QUANTILE_BINS + 1, e2);
            ck_assert(memcmp(e, e2, sizeof e) == 0);
            edges g = {e, md_unique(e, MD_QUANTILE_BINS + 1)};
            int64_t want_n[MD_QUANTILE_BINS + 1] = {0}, got_n[MD_QUANTILE_BINS + 1] = {0};
            for (size_t i = 0; i < n; i++)
                want_n[edge_bin(&g, v[i])]++;
            md_select_count(&sel, edge_bin, &g, got_n);
            for (size_t j = 0; j <= MD_QUANTILE_BINS; j++)
                ck_assert_msg(got_n[j] == want_n[j], "n = %zu, shape %d, bin %zu: %lld, want %lld",
                              n, shape, j, (long long)got_n[j], (long long)want_n[j]);
            md_select_free(&sel);
        }
        free(v);
        free(sorted);
    }
}
END_TEST

Suite *suite_sort(void)
{
    Suite *s = suite_create("sort");
    TCase *tc = tcase_create("sort");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, radix_sort_equals_qsort);
    tcase_add_test(tc, millionths_key_scores_of_six_decimals);
    tcase_add_test(tc, double_sort_orders_by_value);
    tcase_add_test(tc, merge_equals_sorting_both);
    tcase_add_test(tc, select_equals_sorting);
    suite_add_tcase(s, tc);
    return s;
}
