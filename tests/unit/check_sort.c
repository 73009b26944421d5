/* sort: md_sort_u64 and md_sort_doubles (core/sort.c) against qsort, on both sides of the sizes
 * where they switch from qsort to radix, from 8-bit to 11-bit digits and from one sort to two
 * halves merged; md_merge_u64 and md_merge_doubles against sorting both halves together. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sort.h"
#include "testutil.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A small linear congruential step: the same numbers everywhere. */
static uint64_t next(uint64_t z)
{
    return z * 6364136223846793005ULL + 1442695040888963407ULL;
}

static int cmp_key(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* md_sort_u64 against qsort, on every size class of its digits: random keys, keys that
 * share their top bytes (doubles of one range), keys alike but for one digit, and equal keys. */
START_TEST(radix_sort_equals_qsort)
{
    static const size_t sizes[] = {1,     2,      255,    256,    1000,  65535,
                                   65536, 200000, 262143, 262144, 300001};
    uint64_t z = 1;
    for (size_t si = 0; si < LEN(sizes); si++) {
        size_t n = sizes[si];
        uint64_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
        for (int shape = 0; shape < 4; shape++) {
            for (size_t i = 0; i < n; i++) {
                z = next(z);
                double d = (double)(z >> 40) / 1e6;
                uint64_t u;
                memcpy(&u, &d, sizeof u);
                a[i] = shape == 0 ? z : shape == 1 ? u : shape == 2 ? (z >> 60) << 23 : 42;
            }
            memcpy(b, a, n * sizeof *a);
            md_sort_u64(a, n);
            qsort(b, n, sizeof *b, cmp_key);
            ck_assert_msg(memcmp(a, b, n * sizeof *a) == 0, "n = %zu, shape %d", n, shape);
        }
        free(a);
        free(b);
    }
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
                double u = (double)(z >> 11) / 9007199254740992.0;      /* [0, 1) */
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

/* Two sorted halves merged are what sorting them together gives, bit for bit (-0.0 before 0.0
 * as the sort has them): empty sides, one side all below the other, interleaved, heavy ties. */
START_TEST(merge_equals_sorting_both)
{
    static const size_t sizes[][2] = {{0, 0}, {0, 5}, {5, 0}, {1, 1}, {300, 7}, {1000, 1000}};
    uint64_t z = 11;
    for (size_t si = 0; si < LEN(sizes); si++) {
        size_t na = sizes[si][0], nb = sizes[si][1], n = na + nb;
        double *d = malloc((n + 1) * sizeof *d), *dm = malloc((n + 1) * sizeof *dm);
        uint64_t *u = malloc((n + 1) * sizeof *u), *um = malloc((n + 1) * sizeof *um);
        for (int shape = 0; shape < 3; shape++) {
            for (size_t i = 0; i < n; i++) {
                z = next(z);
                double x = shape == 0   ? (double)(int64_t)(z >> 40) / 1e3 - 8e3 /* interleaved */
                           : shape == 1 ? (i < na ? -1.0 : 1.0) * (double)(z >> 54) /* apart */
                                        : ((z >> 61) & 1 ? -0.0 : 0.0);             /* ties */
                d[i] = x;
                u[i] = shape == 2 ? z >> 62 : z;
            }
            md_sort_doubles(d, na);
            md_sort_doubles(d + na, nb);
            md_merge_doubles(d, na, d + na, nb, dm);
            md_sort_doubles(d, n);
            ck_assert_msg(memcmp(d, dm, n * sizeof *d) == 0, "doubles %zu + %zu, shape %d", na,
                          nb, shape);
            md_sort_u64(u, na);
            md_sort_u64(u + na, nb);
            md_merge_u64(u, na, u + na, nb, um);
            md_sort_u64(u, n);
            ck_assert_msg(memcmp(u, um, n * sizeof *u) == 0, "keys %zu + %zu, shape %d", na, nb,
                          shape);
        }
        free(d);
        free(dm);
        free(u);
        free(um);
    }
}
END_TEST

Suite *suite_sort(void)
{
    Suite *s = suite_create("sort");
    TCase *tc = tcase_create("sort");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, radix_sort_equals_qsort);
    tcase_add_test(tc, double_sort_orders_by_value);
    tcase_add_test(tc, merge_equals_sorting_both);
    suite_add_tcase(s, tc);
    return s;
}
