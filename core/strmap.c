#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

static inline uint64_t mix(uint64_t h)
{
    h ^= h >> 32;
    h *= 0xD6E8FEB86659FD93ULL;
    h ^= h >> 32;
    return h;
}

static inline uint64_t load64(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

static inline uint64_t load32(const char *p)
{
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
}

/* Eight bytes per step (a multiply and a shift each), the last few with overlapping loads,
 * then a final mix: category values are short, and an ingest hashes one per categorical
 * feature per row. The length is in the seed, so overlapping loads cannot make two lengths
 * collide. */
static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (n * 0xA0761D6478BD642FULL), w;
    if (n >= 8) {
        const char *end = s + n - 8;
        for (; s < end; s += 8) {
            h = (h ^ load64(s)) * 0xBF58476D1CE4E5B9ULL;
            h ^= h >> 29;
        }
        w = load64(end);
    } else if (n >= 4) {
        w = load32(s) << 32 | load32(s + n - 4);
    } else if (n > 0) {
        w = (uint64_t)(unsigned char)s[0] << 16 | (uint64_t)(unsigned char)s[n / 2] << 8 |
            (unsigned char)s[n - 1];
    } else {
        w = 0;
    }
    return mix((h ^ w) * 0x94D049BB133111EBULL);
}

void md_strmap_init(md_strmap *m)
{
    memset(m, 0, sizeof *m);
}

void md_strmap_free(md_strmap *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->lens);
    free(m->hashes);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

static size_t probe(const md_strmap *m, const char *key, size_t len, uint64_t h)
{
    size_t mask = m->nslots - 1, i = (size_t)h & mask;
    for (;; i = (i + 1) & mask) {
        int64_t k = m->slots[i];
        if (k < 0 || (m->hashes[k] == h && m->lens[k] == len && memcmp(m->keys[k], key, len) == 0))
            return i;
    }
}

int64_t md_strmap_find(const md_strmap *m, const char *key, size_t len)
{
    if (!m->nslots)
        return -1;
    return m->slots[probe(m, key, len, hash_bytes(key, len))];
}

static void rehash(md_strmap *m)
{
    size_t n = m->nslots ? m->nslots * 2 : 16;
    free(m->slots);
    m->slots = md_xmalloc(n * sizeof *m->slots);
    memset(m->slots, 0xff, n * sizeof *m->slots); /* all -1 */
    m->nslots = n;
    for (size_t k = 0; k < m->n; k++)
        m->slots[probe(m, m->keys[k], m->lens[k], m->hashes[k])] = (int64_t)k;
}

int64_t md_strmap_intern(md_strmap *m, const char *key, size_t len)
{
    if ((m->n + 1) * 2 > m->nslots)
        rehash(m);
    uint64_t h = hash_bytes(key, len);
    size_t slot = probe(m, key, len, h);
    if (m->slots[slot] >= 0)
        return m->slots[slot];
    size_t cap = m->cap;
    m->keys = md_xgrow(m->keys, &cap, m->n + 1, sizeof *m->keys);
    cap = m->cap;
    m->lens = md_xgrow(m->lens, &cap, m->n + 1, sizeof *m->lens);
    m->hashes = md_xgrow(m->hashes, &m->cap, m->n + 1, sizeof *m->hashes);
    char *copy = md_xmalloc(len + 1);
    memcpy(copy, key, len);
    copy[len] = '\0';
    m->keys[m->n] = copy;
    m->lens[m->n] = len;
    m->hashes[m->n] = h;
    m->slots[slot] = (int64_t)m->n;
    return (int64_t)m->n++;
}
