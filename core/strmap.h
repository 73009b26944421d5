/* A string -> index map (open addressing), for column names and categories.
 *
 * Why: an ingest looks up every categorical value of every row; a hash map keyed by the
 * bytes, owning copies of its keys, keeps that O(1) without allocating per row. */
#ifndef MD_STRMAP_H
#define MD_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char **keys;    /* owned copies, NUL-terminated */
    size_t *lens;
    uint64_t *hashes;
    int64_t *slots; /* index into keys, -1 when empty */
    size_t nslots;
    size_t n, cap;
} md_strmap;

void md_strmap_init(md_strmap *m);
void md_strmap_free(md_strmap *m);
/* The index of the key, or -1. */
int64_t md_strmap_find(const md_strmap *m, const char *key, size_t len);
/* The index of the key, adding it (index = previous size) when absent. */
int64_t md_strmap_intern(md_strmap *m, const char *key, size_t len);
static inline size_t md_strmap_size(const md_strmap *m)
{
    return m->n;
}
static inline const char *md_strmap_key(const md_strmap *m, size_t i)
{
    return m->keys[i];
}
static inline size_t md_strmap_len(const md_strmap *m, size_t i)
{
    return m->lens[i];
}

#endif
