/* blob: the bytes statistics are stored as (core/blob). Window parts written by any version
 * must read back, so the encodings are fixed. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "testutil.h"

/* Stored window parts are varints (LEB128: seven bits a byte, the low ones first) and
 * little-endian doubles; parts written by any version must read back, so the bytes are fixed.
 * Known encodings, then 100,000 random values of every length written into one growing buffer
 * and read back. */
START_TEST(stored_numbers_keep_their_bytes)
{
    static const struct {
        uint64_t v;
        const char *bytes;
        size_t n;
    } known[] = {{0, "\x00", 1},
                 {1, "\x01", 1},
                 {127, "\x7f", 1},
                 {128, "\x80\x01", 2},
                 {300, "\xac\x02", 2},
                 {16384, "\x80\x80\x01", 3},
                 {UINT64_MAX, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        md_wbuf w = {0};
        md_put_u64(&w, known[i].v);
        ck_assert_uint_eq(w.n, known[i].n);
        ck_assert_msg(memcmp(w.p, known[i].bytes, w.n) == 0, "%llu",
                      (unsigned long long)known[i].v);
        md_wbuf_free(&w);
    }
    md_wbuf w = {0};
    md_put_f64(&w, 1.0);
    ck_assert_uint_eq(w.n, 8);
    ck_assert(memcmp(w.p, "\x00\x00\x00\x00\x00\x00\xf0\x3f", 8) == 0);
    md_wbuf_free(&w);

    uint64_t state = 7, *v = malloc(100000 * sizeof *v);
    double *d = malloc(100000 * sizeof *d);
    for (size_t i = 0; i < 100000; i++) {
        uint64_t r = tu_random(&state);
        v[i] = r >> (r % 64); /* every length from 1 to 10 bytes */
        d[i] = (double)(int64_t)tu_random(&state) / 1e6;
        md_put_u64(&w, v[i]);
        md_put_f64(&w, d[i]);
    }
    md_rbuf rd = {w.p, w.n, 0, false};
    for (size_t i = 0; i < 100000; i++) {
        ck_assert_uint_eq(md_get_u64(&rd), v[i]);
        double x = md_get_f64(&rd);
        ck_assert(memcmp(&x, &d[i], sizeof x) == 0);
    }
    ck_assert(!rd.bad);
    ck_assert_uint_eq(rd.pos, w.n);
    md_wbuf_free(&w);
    free(v);
    free(d);
}
END_TEST

/* n counters written by put are the bytes want (nw of them); none write nothing. */
static void expect_bytes(void (*put)(md_wbuf *, const uint32_t *, size_t), const uint32_t *c,
                         size_t n, const char *want, size_t nw)
{
    md_wbuf w = {0};
    put(&w, c, n);
    ck_assert_uint_eq(w.n, nw);
    ck_assert(memcmp(w.p, want, nw) == 0);
    md_wbuf_free(&w);
    put(&w, c, 0);
    ck_assert_uint_eq(w.n, 0);
    md_wbuf_free(&w);
}

/* Counters as stored: (zero run, counter) pairs of varints, the bytes of a small case spelled
 * out, and large ones (long runs, counters of every width, tens of kilobytes of output, after
 * other bytes in the buffer) read back as written, 32-bit and 64-bit alike; and as tokens
 * (KS counters in halves, histograms in order), read back added to what is there. */
START_TEST(counters_fold_zero_runs)
{
    const uint32_t small[] = {0, 0, 3, 300, 0, 0, 0};
    expect_bytes(md_put_counts32, small, 7, "\x02\x03\x00\xac\x02\x03", 6);
    md_wbuf w = {0};

    uint64_t state = 11;
    for (size_t n = 1; n <= 60000; n = n * 7 + 3) {
        uint32_t *c32 = calloc(n, sizeof *c32), *back32 = calloc(n, sizeof *back32),
                 *halves = calloc(n, sizeof *halves);
        int64_t *c64 = calloc(n, sizeof *c64), *back64 = calloc(n, sizeof *back64),
                *tokens = calloc(n, sizeof *tokens);
        for (size_t i = 0; i < n; i++) {
            uint64_t r = tu_random(&state);
            if (r % 3 == 0 || (i / 1000) % 4 == 1) /* scattered zeros, and runs of 1000 */
                continue;
            c32[i] = (uint32_t)(r >> (r % 64 | 32));
            c64[i] = (int64_t)(tu_random(&state) >> (r % 64 | 1));
        }
        for (size_t i = 0; i < n; i++) /* odd ones mostly zero, as a KS sample's equal ones */
            c32[i] = i % 2 && i % 5 ? 0 : c32[i];
        md_put_u64(&w, 42); /* counters need not start the buffer */
        md_put_counts32(&w, c32, n);
        md_put_counts64(&w, c64, n);
        md_put_counts32_halves(&w, c32, n);
        md_put_counts64_tokens(&w, c64, n);
        md_rbuf rd = {w.p, w.n, 0, false};
        ck_assert_uint_eq(md_get_u64(&rd), 42);
        md_get_counts32_add(&rd, back32, n);
        md_get_counts64_add(&rd, back64, n);
        for (size_t i = 0; i < n; i++)
            halves[i] = (uint32_t)(i % 3), tokens[i] = (int64_t)(i % 5);
        md_get_counts32_halves_add(&rd, halves, n);
        md_get_counts64_tokens_add(&rd, tokens, n);
        ck_assert(!rd.bad);
        ck_assert_uint_eq(rd.pos, w.n);
        ck_assert(memcmp(c32, back32, n * sizeof *c32) == 0);
        ck_assert(memcmp(c64, back64, n * sizeof *c64) == 0);
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(halves[i] == c32[i] + (uint32_t)(i % 3) &&
                              tokens[i] == c64[i] + (int64_t)(i % 5),
                          "tokens: n %zu, %zu", n, i);
        md_wbuf_free(&w);
        free(c32), free(back32), free(halves), free(c64), free(back64), free(tokens);
    }
}
END_TEST

/* KS counters as halves of tokens (format 5 parts): the bytes of a small case spelled out, the
 * even counters then the odd ones (large ones: counters_fold_zero_runs). A run past the end, a
 * count of 0, a 32-bit count past 32 bits and a blob cut short are bad. */
START_TEST(ks_counters_as_halves_of_tokens)
{
    /* evens 5 7 0 9: 10, 14, a run of one (1), 18; odds 0 0 0: a run of three (5) */
    const uint32_t small[] = {5, 0, 7, 0, 0, 0, 9};
    expect_bytes(md_put_counts32_halves, small, 7, "\x0a\x0e\x01\x12\x05", 5);

    uint32_t out[7] = {0};
    const struct {
        const char *bytes;
        size_t n;
    } bad[] = {
        {"\x0a\x0e\x07", 3},         /* evens: a run of four where two are left */
        {"\x00", 1},                 /* a count of 0 */
        {"\x80\x80\x80\x80\x20", 5}, /* a count of 2^32 */
        {"\x0a\x0e\x01", 3},         /* cut short */
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        md_rbuf rd = {(const unsigned char *)bad[k].bytes, bad[k].n, 0, false};
        md_get_counts32_halves_add(&rd, out, 7);
        ck_assert_msg(rd.bad, "case %zu", k);
    }
}
END_TEST

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Sorted, each value once (the shape of a window's exact scores or latencies). */
static size_t ascending(double *v, size_t n)
{
    qsort(v, n, sizeof *v, by_value);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || v[i] != v[k - 1])
            v[k++] = v[i];
    return k;
}

/* md_put_ascending_f64 into a buffer after other bytes, read back to the bit; its size. */
static size_t round_trip(const double *v, size_t k)
{
    md_wbuf w = {0};
    md_put_u64(&w, 9);
    md_put_ascending_f64(&w, v, k);
    md_put_u64(&w, 7);
    double *back = calloc(k + 1, sizeof *back);
    md_rbuf rd = {w.p, w.n, 0, false};
    ck_assert_uint_eq(md_get_u64(&rd), 9);
    md_get_ascending_f64(&rd, back, k);
    ck_assert_uint_eq(md_get_u64(&rd), 7);
    ck_assert(!rd.bad);
    ck_assert_uint_eq(rd.pos, w.n);
    for (size_t i = 0; i < k; i++)
        ck_assert_msg(memcmp(&back[i], &v[i], sizeof *v) == 0, "%zu: %.17g read as %.17g", i, v[i],
                      back[i]);
    size_t n = w.n;
    md_wbuf_free(&w);
    free(back);
    return n;
}

/* A window's exact values as stored: scores written with six decimals take a byte or two
 * each instead of eight; values of any bits (negative, subnormal, huge, 17 digits, -0.0)
 * come back to the bit; steps that do not ascend, or a cut-off buffer, are damage. */
START_TEST(ascending_values_come_back_to_the_bit)
{
    enum { N = 60000 };
    double *v = malloc(N * sizeof *v);
    uint64_t state = 5;
    char text[40];
    for (size_t i = 0; i < N; i++) { /* scores as a log writes them */
        snprintf(text, sizeof text, "%.6f", (double)(tu_random(&state) % 1000001) / 1e6);
        v[i] = strtod(text, NULL);
    }
    size_t k = ascending(v, N);
    size_t bytes = round_trip(v, k);
    ck_assert_msg(bytes < 2 * k + 16, "%zu values in %zu bytes", k, bytes);
    for (size_t i = 0; i < N; i++) { /* latencies in ms with two decimals, and negatives */
        int64_t c = (int64_t)(tu_random(&state) % 2000001) - (i % 3 == 0 ? 500000 : 0);
        snprintf(text, sizeof text, "%.2f", (double)c / 100);
        v[i] = strtod(text, NULL);
    }
    k = ascending(v, N);
    ck_assert(round_trip(v, k) < 4 * k + 16);
    for (size_t i = 0; i < N; i++) { /* any bits but NaN */
        uint64_t u = tu_random(&state);
        memcpy(&v[i], &u, sizeof u);
        if (isnan(v[i]))
            v[i] = (double)i;
    }
    v[0] = 5e-324;
    v[1] = -0.0;
    v[2] = 0.1 + 0.2; /* 17 digits */
    v[3] = INFINITY;
    k = ascending(v, N);
    round_trip(v, k);
    const double few[] = {-0.0}, one[] = {0.30000000000000004}, mixed[] = {-2.5, -0.125, 0, 3};
    /* a large magnitude whole at no decimals, then a value that needs one: more decimals
     * would take the first past 2^53 */
    const double large[] = {-1e15, 0.5}, larger[] = {-1e15, -0.5}, up[] = {0.5, 1e15};
    round_trip(large, 2);
    round_trip(larger, 2);
    round_trip(up, 2);
    round_trip(few, 1);
    round_trip(one, 1);
    round_trip(mixed, 4);
    round_trip(NULL, 0);
    free(v);

    const double two[] = {0.25, 0.5};
    md_wbuf w = {0};
    md_put_ascending_f64(&w, two, 2);
    double back[2];
    md_rbuf cut = {w.p, w.n - 1, 0, false};
    md_get_ascending_f64(&cut, back, 2);
    ck_assert(cut.bad);
    ck_assert_uint_eq(w.p[w.n - 1], 25); /* two decimals: 25 after 25 */
    w.p[w.n - 1] = 0;                    /* the same value twice: no longer ascending */
    md_rbuf flat = {w.p, w.n, 0, false};
    md_get_ascending_f64(&flat, back, 2);
    ck_assert(flat.bad);
    md_wbuf_free(&w);
}
END_TEST

Suite *suite_blob(void)
{
    Suite *s = suite_create("blob");
    TCase *tc = tcase_create("blob");
    tcase_add_test(tc, stored_numbers_keep_their_bytes);
    tcase_add_test(tc, counters_fold_zero_runs);
    tcase_add_test(tc, ks_counters_as_halves_of_tokens);
    tcase_add_test(tc, ascending_values_come_back_to_the_bit);
    suite_add_tcase(s, tc);
    return s;
}
