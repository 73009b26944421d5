/* Short category texts remembered by their bytes, for the row loops of the baseline and the
 * ingest.
 *
 * Why: each row has a few categorical values, and a category map lookup hashes the text's bytes,
 * probes, and compares against a key held elsewhere in memory. A text of at most 15 bytes in
 * the read buffer fits two words together with its length, so a cache keyed by those words
 * finds it with two loads, two multiplies and two compares. Each thread keeps its own cache per
 * categorical feature; what it maps a text to (a category number, and whether the contract
 * allows it) is whatever the caller found the first time. Longer texts, unescaped ones and JSON
 * strings take the map. */
#ifndef MD_CATCACHE_H
#define MD_CATCACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "reader.h"

#define MD_CATCACHE_SLOTS 128 /* half of them used at most, so probes stay short */

typedef struct {
    uint64_t lo[MD_CATCACHE_SLOTS], hi[MD_CATCACHE_SLOTS]; /* hi == 0: free (hi has the length) */
    int32_t val[MD_CATCACHE_SLOTS];
    bool flag[MD_CATCACHE_SLOTS];
    size_t n;
} md_catcache;

static inline uint64_t md_catcache_word(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* The key of a short text in the read buffer (16 readable bytes after its start); false for
 * texts that are not there, empty, or longer than 15 bytes. */
static inline bool md_catcache_key(const md_field *v, uint64_t *lo, uint64_t *hi)
{
    size_t n = v->n;
    if (v->kind != MD_F_TEXT || !v->padded || n - 1 >= 15)
        return false;
    uint64_t a = md_catcache_word(v->p), b = md_catcache_word(v->p + 8);
    *lo = n >= 8 ? a : a & ((1ULL << (8 * n)) - 1);
    *hi = (n > 8 ? b & ((1ULL << (8 * (n - 8))) - 1) : 0) | (uint64_t)n << 56;
    return true;
}

/* The key's slot: where it is, or the free slot where it would go (md_catcache_put). */
static inline size_t md_catcache_slot(const md_catcache *c, uint64_t lo, uint64_t hi)
{
    size_t i = (size_t)(((lo * 0x9E3779B97F4A7C15ULL) ^ (hi * 0xC2B2AE3D27D4EB4FULL)) >> 57);
    while (c->hi[i] && (c->lo[i] != lo || c->hi[i] != hi))
        i = (i + 1) & (MD_CATCACHE_SLOTS - 1);
    return i;
}

static inline bool md_catcache_found(const md_catcache *c, size_t slot)
{
    return c->hi[slot] != 0;
}

/* A text's look at the cache: its key and the slot where it is or would go, when it is short
 * enough to have one (cacheable). */
typedef struct {
    uint64_t lo, hi;
    size_t slot;
    bool cacheable;
} md_catcache_probe;

/* True when the cache holds v, at p->slot; else p says whether and where it could go. */
static inline bool md_catcache_look(const md_catcache *c, const md_field *v, md_catcache_probe *p)
{
    p->slot = 0;
    p->lo = p->hi = 0;
    p->cacheable = md_catcache_key(v, &p->lo, &p->hi);
    if (!p->cacheable)
        return false;
    p->slot = md_catcache_slot(c, p->lo, p->hi);
    return md_catcache_found(c, p->slot);
}

/* Remembers the key in its (free) slot, while the cache has room. */
static inline void md_catcache_put(md_catcache *c, size_t slot, uint64_t lo, uint64_t hi,
                                   int32_t val, bool flag)
{
    if (c->n >= MD_CATCACHE_SLOTS / 2)
        return;
    c->lo[slot] = lo;
    c->hi[slot] = hi;
    c->val[slot] = val;
    c->flag[slot] = flag;
    c->n++;
}

#endif
