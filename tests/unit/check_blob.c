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

Suite *suite_blob(void)
{
    Suite *s = suite_create("blob");
    TCase *tc = tcase_create("blob");
    tcase_add_test(tc, stored_numbers_keep_their_bytes);
    suite_add_tcase(s, tc);
    return s;
}
