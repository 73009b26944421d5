#include "rowsample.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "sort.h"

static inline uint64_t mix(uint64_t a, uint64_t b)
{
    unsigned __int128 m = (unsigned __int128)a * b;
    return (uint64_t)m ^ (uint64_t)(m >> 64);
}

static inline uint64_t word(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

#define K0 0xa0761d6478bd642fULL
#define K1 0xe7037ed1a0b428dbULL
#define K2 0x8ebc6af09c88c6e3ULL

/* Every byte, 16 at a time. */
static uint64_t hash_all(const char *p, size_t n, uint64_t seed)
{
    uint64_t h = seed ^ mix(n ^ K0, K1);
    for (; n >= 16; p += 16, n -= 16)
        h = mix(word(p) ^ K1 ^ h, word(p + 8) ^ K2);
    char tail[16] = {0};
    memcpy(tail, p, n);
    return mix(mix(word(tail) ^ K1 ^ h, word(tail + 8) ^ K2 ^ n), K0);
}

uint64_t md_rowsample_id(int64_t ts_ms, uint64_t who)
{
    uint64_t h = mix((uint64_t)ts_ms ^ K0, who ^ K1);
    return mix(h ^ K2, h >> 29 ^ K0);
}

/* An id of n <= 16 bytes as two words, its bytes first and zeros after: one round. */
static inline uint64_t short_id(uint64_t lo, uint64_t hi, size_t n)
{
    return mix(lo ^ K1 ^ n, hi ^ K2 ^ MD_ROWSAMPLE_SEED);
}

static inline uint64_t by_id(int64_t ts_ms, uint64_t h)
{
    return md_rowsample_with(mix((uint64_t)ts_ms ^ K0, h ^ K1), h);
}

uint64_t md_rowsample_by_id(int64_t ts_ms, const char *id, size_t n)
{
    if (n > 16)
        return by_id(ts_ms, hash_all(id, n, MD_ROWSAMPLE_SEED));
    char t[16] = {0};
    memcpy(t, id, n);
    return by_id(ts_ms, short_id(word(t), word(t + 8), n));
}

uint64_t md_rowsample_by_padded_id(int64_t ts_ms, const char *id, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return md_rowsample_by_id(ts_ms, id, n); /* the masks keep a word's low bytes: its first */
#else
    static const uint64_t low_bytes[9] = {/* a word's low k bytes, for k = 0 .. 8 */
                                          0,
                                          0xFFULL,
                                          0xFFFFULL,
                                          0xFFFFFFULL,
                                          0xFFFFFFFFULL,
                                          0xFFFFFFFFFFULL,
                                          0xFFFFFFFFFFFFULL,
                                          0xFFFFFFFFFFFFFFULL,
                                          ~0ULL};
    if (n > 16)
        return by_id(ts_ms, hash_all(id, n, MD_ROWSAMPLE_SEED));
    /* the 16 bytes from the id's start are readable (16 are, past its end), its own kept */
    uint64_t lo = word(id) & low_bytes[n < 8 ? n : 8],
             hi = word(id + 8) & low_bytes[n > 8 ? n - 8 : 0];
    return by_id(ts_ms, short_id(lo, hi, n));
#endif
}

unsigned md_rowsample_first_shift(size_t bytes, size_t limit)
{
    unsigned shift = 0;
    for (size_t rows = bytes / 24; rows > 2 * limit && shift < 32; rows /= 2)
        shift++;
    return shift;
}

uint64_t md_rowsample_step(uint64_t h, const char *p, size_t n)
{
    return hash_all(p, n, h);
}

static void thin(md_rowsample *s, unsigned shift)
{
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        if (md_rowsample_picks(shift, s->v[i]))
            s->v[k++] = s->v[i];
    s->n = k;
    s->shift = shift;
}

void md_rowsample_add(md_rowsample *s, uint64_t id, size_t limit)
{
    if (!md_rowsample_picks(s->shift, id))
        return;
    s->v = md_xgrow(s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = id;
    if (s->n > limit) /* repeats of one row count here: finish takes them out */
        md_rowsample_finish(s, limit);
}

void md_rowsample_finish(md_rowsample *s, size_t limit)
{
    md_sort_u64(s->v, s->n);
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        if (k == 0 || s->v[i] != s->v[k - 1])
            s->v[k++] = s->v[i];
    s->n = k;
    while (s->n > limit && s->shift < 64)
        thin(s, s->shift + 1);
}

void md_rowsample_merge(md_rowsample *a, md_rowsample *b)
{
    unsigned shift = a->shift > b->shift ? a->shift : b->shift;
    thin(a, shift);
    thin(b, shift);
    a->v = md_xgrow(a->v, &a->cap, a->n + b->n + 1, sizeof *a->v);
    if (b->n)
        memcpy(a->v + a->n, b->v, b->n * sizeof *b->v);
    a->n += b->n;
    b->n = 0;
}

void md_rowsample_free(md_rowsample *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}

md_rowsample_overlap md_rowsample_compare(const md_rowsample *a, const md_rowsample *b)
{
    unsigned shift = a->shift > b->shift ? a->shift : b->shift;
    md_rowsample_overlap o = {0, 0, 0};
    size_t i = 0, j = 0;
    while (i < a->n || j < b->n) {
        bool ia = i < a->n && md_rowsample_picks(shift, a->v[i]);
        bool jb = j < b->n && md_rowsample_picks(shift, b->v[j]);
        if (i < a->n && !ia) {
            i++;
        } else if (j < b->n && !jb) {
            j++;
        } else if (ia && jb && a->v[i] == b->v[j]) {
            o.a++, o.b++, o.both++, i++, j++;
        } else if (ia && (!jb || a->v[i] < b->v[j])) {
            o.a++, i++;
        } else {
            o.b++, j++;
        }
    }
    return o;
}

void md_rowsample_blob(const md_rowsample *s, unsigned char **out, size_t *n)
{
    *n = s->n * 8;
    *out = md_xmalloc(*n + 1);
    for (size_t i = 0; i < s->n; i++)
        for (int b = 0; b < 8; b++)
            (*out)[8 * i + (size_t)b] = (unsigned char)(s->v[i] >> (8 * b));
}

bool md_rowsample_from_blob(const void *blob, size_t n, unsigned shift, md_rowsample *s)
{
    memset(s, 0, sizeof *s);
    if (n % 8 || shift > 64)
        return false;
    const unsigned char *p = blob;
    s->n = s->cap = n / 8;
    s->v = md_xmalloc((s->n + 1) * sizeof *s->v);
    s->shift = shift;
    for (size_t i = 0; i < s->n; i++) {
        uint64_t v = 0;
        for (int b = 7; b >= 0; b--)
            v = v << 8 | p[8 * i + (size_t)b];
        s->v[i] = v;
    }
    return true;
}
