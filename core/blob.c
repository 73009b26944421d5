#include "blob.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

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
