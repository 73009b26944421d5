#include "blob.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "numparse.h"

void md_wbuf_free(md_wbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

void md_put_bytes(md_wbuf *b, const void *p, size_t n)
{
    b->p = md_xgrow(b->p, &b->cap, b->n + n, 1);
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

/* Room for n more bytes. */
static inline unsigned char *room(md_wbuf *b, size_t n)
{
    if (b->cap - b->n < n)
        b->p = md_xgrow(b->p, &b->cap, b->n + n, 1);
    return b->p + b->n;
}

#define COUNTS_CHUNK 4096 /* bytes of counters written between checks for room */

/* v as a varint at o (room for 10 bytes): seven bits a byte, the low ones first. Returns the
 * byte after it. */
static inline unsigned char *varint(unsigned char *o, uint64_t v)
{
    for (; v >= 0x80; v >>= 7)
        *o++ = (unsigned char)(v | 0x80);
    *o++ = (unsigned char)v;
    return o;
}

void md_put_u64(md_wbuf *b, uint64_t v)
{
    b->n = (size_t)(varint(room(b, 10), v) - b->p);
}

void md_put_f64(md_wbuf *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    unsigned char *o = room(b, 8);
    for (int i = 0; i < 8; i++) /* little-endian whatever the machine */
        o[i] = (unsigned char)(u >> (8 * i));
    b->n += 8;
}

static inline __attribute__((always_inline)) uint64_t count_at(const void *c, size_t i, bool wide)
{
    return wide ? (uint64_t)((const int64_t *)c)[i] : ((const uint32_t *)c)[i];
}

/* The counters, zero runs folded: a run's length and the counter after it, as varints, written
 * a chunk at a time into room made for it (a pair takes 20 bytes at most). */
static inline __attribute__((always_inline)) void put_counts(md_wbuf *b, const void *c, size_t n,
                                                             bool wide)
{
    for (size_t i = 0; i < n;) {
        unsigned char *o = room(b, COUNTS_CHUNK + 20), *end = o + COUNTS_CHUNK;
        while (i < n && o < end) {
            size_t run = 0;
            /* a window of few values leaves long runs of zeros: passed 8 bytes at a time */
            for (uint64_t w; !wide && i + run + 2 <= n; run += 2) {
                memcpy(&w, (const uint32_t *)c + i + run, 8);
                if (w)
                    break;
            }
            while (i + run < n && count_at(c, i + run, wide) == 0)
                run++;
            o = varint(o, run);
            i += run;
            if (i < n)
                o = varint(o, count_at(c, i++, wide));
        }
        b->n = (size_t)(o - b->p);
    }
}

/* Counters from, from + step, ... below n as tokens (md_put_counts32_halves), a chunk at a
 * time. */
static inline __attribute__((always_inline)) void put_tokens(md_wbuf *b, const void *c, size_t n,
                                                             size_t from, size_t step, bool wide)
{
    for (size_t i = from; i < n;) {
        unsigned char *o = room(b, COUNTS_CHUNK + 20), *end = o + COUNTS_CHUNK;
        while (i < n && o < end) {
            uint64_t v = count_at(c, i, wide);
            if (v) {
                o = varint(o, v << 1);
                i += step;
                continue;
            }
            uint64_t r = 0;
            for (; i < n && count_at(c, i, wide) == 0; i += step)
                r++;
            o = varint(o, (r - 1) << 1 | 1);
        }
        b->n = (size_t)(o - b->p);
    }
}

void md_put_counts32_halves(md_wbuf *b, const uint32_t *c, size_t n)
{
    put_tokens(b, c, n, 0, 2, false);
    put_tokens(b, c, n, 1, 2, false);
}

void md_put_counts64_tokens(md_wbuf *b, const int64_t *c, size_t n)
{
    put_tokens(b, c, n, 0, 1, true);
}

void md_put_counts32(md_wbuf *b, const uint32_t *c, size_t n)
{
    put_counts(b, c, n, false);
}

void md_put_counts64(md_wbuf *b, const int64_t *c, size_t n)
{
    put_counts(b, c, n, true);
}

uint64_t md_get_u64(md_rbuf *b)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (b->pos >= b->n) {
            b->bad = true;
            return 0;
        }
        unsigned char byte = b->p[b->pos++];
        v |= (uint64_t)(byte & 0x7F) << shift;
        if (!(byte & 0x80))
            return v;
    }
    b->bad = true;
    return 0;
}

double md_get_f64(md_rbuf *b)
{
    const unsigned char *p = md_get_bytes(b, 8);
    if (!p)
        return 0;
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u |= (uint64_t)p[i] << (8 * i);
    double v;
    memcpy(&v, &u, 8);
    return v;
}

const unsigned char *md_get_bytes(md_rbuf *b, size_t n)
{
    if (b->bad || n > b->n - b->pos) {
        b->bad = true;
        return NULL;
    }
    const unsigned char *p = b->p + b->pos;
    b->pos += n;
    return p;
}

void md_get_counts32_add(md_rbuf *b, uint32_t *c, size_t n)
{
    for (size_t i = 0; i < n && !b->bad;) {
        uint64_t run = md_get_u64(b);
        if (run > n - i) {
            b->bad = true;
            return;
        }
        i += run;
        if (i < n)
            c[i++] += (uint32_t)md_get_u64(b);
    }
}

/* Tokens into counters from, from + step, ... below n; a run past them, a count of 0, or one
 * past 32 bits for 32-bit counters (past 63 bits cannot be written), marks the blob bad. */
static inline __attribute__((always_inline)) void get_tokens(md_rbuf *b, void *c, size_t n,
                                                             size_t from, size_t step, bool wide)
{
    for (size_t i = from; i < n && !b->bad;) {
        uint64_t t = md_get_u64(b), v = t >> 1;
        size_t left = (n - i + step - 1) / step; /* counters left: i, i + step, ... below n */
        if (t & 1 ? v >= left : v == 0 || (!wide && v > UINT32_MAX)) {
            b->bad = true;
            return;
        }
        if (t & 1) { /* v + 1 zeros */
            i += step * (v + 1);
            continue;
        }
        if (wide)
            ((int64_t *)c)[i] += (int64_t)v;
        else
            ((uint32_t *)c)[i] += (uint32_t)v;
        i += step;
    }
}

void md_get_counts32_halves_add(md_rbuf *b, uint32_t *c, size_t n)
{
    get_tokens(b, c, n, 0, 2, false);
    get_tokens(b, c, n, 1, 2, false);
}

void md_get_counts64_tokens_add(md_rbuf *b, int64_t *c, size_t n)
{
    get_tokens(b, c, n, 0, 1, true);
}

void md_get_counts64_add(md_rbuf *b, int64_t *c, size_t n)
{
    for (size_t i = 0; i < n && !b->bad;) {
        uint64_t run = md_get_u64(b);
        if (run > n - i) {
            b->bad = true;
            return;
        }
        i += run;
        if (i < n)
            c[i++] += (int64_t)md_get_u64(b);
    }
}

/* ---- ascending doubles -------------------------------------------------------------------------
 */

#define DECIMALS_MAX 15
#define SIGN_BIT     0x8000000000000000ULL
#define WHOLE_MAX    9007199254740992.0 /* 2^53: whole numbers below it are exact doubles */

static inline uint64_t bits_of(double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    return u;
}

static inline double of_bits(uint64_t u)
{
    double v;
    memcpy(&v, &u, 8);
    return v;
}

/* Order-preserving keys: ascending doubles, ascending keys. */
static inline uint64_t key_of(double v)
{
    uint64_t u = bits_of(v);
    return (u & SIGN_BIT) ? ~u : u | SIGN_BIT;
}

static inline double of_key(uint64_t k)
{
    return of_bits((k & SIGN_BIT) ? k & ~SIGN_BIT : ~k);
}

/* m / 10^d, as it is read back (both exact, one correctly rounded division). */
static inline double decimal(int64_t m, int d)
{
    return (double)m / md_pow10_exact[d];
}

/* True (and *m) when v is m / 10^d with |m| < 2^53, to the bit. */
static bool whole_at(double v, int d, int64_t *m)
{
    double x = nearbyint(v * md_pow10_exact[d]);
    if (!(fabs(x) < WHOLE_MAX))
        return false;
    *m = (int64_t)x;
    return bits_of(decimal(*m, d)) == bits_of(v);
}

/* The fewest decimals that write each of v[0..k) exactly, or -1. More decimals can take an
 * earlier value past 2^53, so each time d grows every value is checked again. */
static int decimals_of(const double *v, size_t k)
{
    int d = 0;
    int64_t m;
    for (size_t i = 0; i < k; i++) {
        if (whole_at(v[i], d, &m))
            continue;
        if (++d > DECIMALS_MAX)
            return -1;
        i = (size_t)-1; /* from the first value again */
    }
    return d;
}

void md_put_ascending_f64(md_wbuf *b, const double *v, size_t k)
{
    int d = decimals_of(v, k);
    md_put_u64(b, (uint64_t)(d + 1)); /* 0: keys */
    uint64_t prev = d < 0 ? 0 : SIGN_BIT;
    for (size_t i = 0; i < k; i++) {
        int64_t m = 0;
        if (d >= 0 && !whole_at(v[i], d, &m)) /* cannot be: decimals_of checked each */
            md_fatal("md_put_ascending_f64: %.17g is not whole at %d decimals", v[i], d);
        uint64_t u = d < 0 ? key_of(v[i]) : (uint64_t)m ^ SIGN_BIT;
        md_put_u64(b, u - prev);
        prev = u;
    }
}

void md_get_ascending_f64(md_rbuf *b, double *v, size_t k)
{
    uint64_t mode = md_get_u64(b);
    if (mode > DECIMALS_MAX + 1) {
        b->bad = true;
        return;
    }
    int d = (int)mode - 1;
    uint64_t prev = d < 0 ? 0 : SIGN_BIT;
    for (size_t i = 0; i < k && !b->bad; i++) {
        uint64_t step = md_get_u64(b);
        if (i > 0 && (step == 0 || prev + step < prev)) { /* not ascending */
            b->bad = true;
            return;
        }
        prev += step;
        if (d < 0) {
            v[i] = of_key(prev);
            continue;
        }
        int64_t m = (int64_t)(prev ^ SIGN_BIT);
        if (m <= -(INT64_C(1) << 53) || m >= (INT64_C(1) << 53)) {
            b->bad = true;
            return;
        }
        v[i] = decimal(m, d);
    }
}
