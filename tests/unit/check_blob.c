/* blob: the bytes statistics are stored as (core/blob). Window parts written by any version
 * must read back, so the encodings are fixed. */
#include <check.h>
#include <stdint.h>
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

/* Counters as stored: (zero run, counter) pairs of varints, the bytes of a small case spelled
 * out, and large ones (long runs, counters of every width, tens of kilobytes of output, after
 * other bytes in the buffer) read back as written, 32-bit and 64-bit alike. */
START_TEST(counters_fold_zero_runs)
{
    const uint32_t small[] = {0, 0, 3, 300, 0, 0, 0};
    md_wbuf w = {0};
    md_put_counts32(&w, small, 7);
    ck_assert_uint_eq(w.n, 6);
    ck_assert(memcmp(w.p, "\x02\x03\x00\xac\x02\x03", 6) == 0);
    md_wbuf_free(&w);
    md_put_counts32(&w, small, 0);
    ck_assert_uint_eq(w.n, 0);
    md_wbuf_free(&w);

    uint64_t state = 11;
    for (size_t n = 1; n <= 60000; n = n * 7 + 3) {
        uint32_t *c32 = calloc(n, sizeof *c32), *back32 = calloc(n, sizeof *back32);
        int64_t *c64 = calloc(n, sizeof *c64), *back64 = calloc(n, sizeof *back64);
        for (size_t i = 0; i < n; i++) {
            uint64_t r = tu_random(&state);
            if (r % 3 == 0 || (i / 1000) % 4 == 1) /* scattered zeros, and runs of 1000 */
                continue;
            c32[i] = (uint32_t)(r >> (r % 64 | 32));
            c64[i] = (int64_t)(tu_random(&state) >> (r % 64 | 1));
        }
        md_put_u64(&w, 42); /* counters need not start the buffer */
        md_put_counts32(&w, c32, n);
        md_put_counts64(&w, c64, n);
        md_rbuf rd = {w.p, w.n, 0, false};
        ck_assert_uint_eq(md_get_u64(&rd), 42);
        md_get_counts32_add(&rd, back32, n);
        md_get_counts64_add(&rd, back64, n);
        ck_assert(!rd.bad);
        ck_assert_uint_eq(rd.pos, w.n);
        ck_assert(memcmp(c32, back32, n * sizeof *c32) == 0);
        ck_assert(memcmp(c64, back64, n * sizeof *c64) == 0);
        md_wbuf_free(&w);
        free(c32), free(back32), free(c64), free(back64);
    }
}
END_TEST

Suite *suite_blob(void)
{
    Suite *s = suite_create("blob");
    TCase *tc = tcase_create("blob");
    tcase_add_test(tc, stored_numbers_keep_their_bytes);
    tcase_add_test(tc, counters_fold_zero_runs);
    suite_add_tcase(s, tc);
    return s;
}
