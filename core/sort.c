#include "sort.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

uint64_t md_double_key(double v)
{
    return md_double_key_inline(v);
}

double md_key_double(uint64_t k)
{
    uint64_t u = (k >> 63) ? k & 0x7FFFFFFFFFFFFFFFULL : ~k;
    double v;
    memcpy(&v, &u, 8);
    return v;
}

uint64_t md_pair_key(double score, int label)
{
    double s = score + 0.0; /* -0.0 becomes +0.0 */
    uint64_t u;
    memcpy(&u, &s, 8);
    return (u << 1) | (uint64_t)(label != 0);
}

double md_pair_score(uint64_t k)
{
    uint64_t u = k >> 1;
    double v;
    memcpy(&v, &u, 8);
    return v;
}

int md_pair_label(uint64_t k)
{
    return (int)(k & 1);
}

#define SMALL 256

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* By key, as the radix sort orders them: -0.0 before 0.0, so that every size sorts alike and
 * sorted halves merge into what one sort gives. */
static int cmp_double(const void *a, const void *b)
{
    uint64_t x = md_double_key(*(const double *)a), y = md_double_key(*(const double *)b);
    return x < y ? -1 : x > y;
}

/* The elements are `w` bytes wide: 8 (64-bit keys or doubles) or 4 (32-bit keys, such as
 * scores keyed by their millionths: half the memory and traffic). Element i's bits: */
static inline __attribute__((always_inline)) uint64_t bits_at(const void *v, size_t i, size_t w)
{
    if (w == 4) {
        uint32_t u;
        memcpy(&u, (const char *)v + 4 * i, 4);
        return u;
    }
    uint64_t u;
    memcpy(&u, (const char *)v + 8 * i, 8);
    return u;
}

static inline __attribute__((always_inline)) void put_at(void *v, size_t i, uint64_t u, size_t w)
{
    if (w == 4) {
        uint32_t t = (uint32_t)u;
        memcpy((char *)v + 4 * i, &t, 4);
    } else {
        memcpy((char *)v + 8 * i, &u, 8);
    }
}

/* The sort key of an element's bits: the value itself, or for doubles md_double_key of it,
 * without a branch. */
static inline __attribute__((always_inline)) uint64_t key_of(uint64_t u, bool doubles)
{
    return doubles ? md_bits_key(u) : u;
}

static inline __attribute__((always_inline)) uint64_t key_at(const void *v, size_t i, bool doubles,
                                                             size_t w)
{
    return key_of(bits_at(v, i, w), doubles);
}

/* A digit's counts into where each bucket's keys start (the counts before it). */
static inline void to_offsets(size_t *c, size_t buckets)
{
    size_t sum = 0;
    for (size_t b = 0; b < buckets; b++) {
        size_t t = c[b];
        c[b] = sum;
        sum += t;
    }
}

/* LSD radix sort with `bits`-bit digits of w-byte elements (unsigned integers, or doubles by
 * their keys, sorted where they are): every digit's histogram in one read of the keys, then one
 * scatter per digit that tells keys apart (in real data the top digits are often alike). */
static inline __attribute__((always_inline)) void radix(void *v, size_t n, unsigned bits,
                                                        bool doubles, size_t w)
{
    size_t buckets = (size_t)1 << bits, passes = (8 * w + bits - 1) / bits;
    uint64_t mask = buckets - 1;
    size_t *count = md_xcalloc(passes * buckets, sizeof *count);
    /* Small keys (such as scores keyed by millionths: 21 bits) need only their low digits
     * counted: the others are all zero, and no pass is made over them. */
    uint64_t any = 0;
    if (!doubles)
        for (size_t i = 0; i < n; i++)
            any |= bits_at(v, i, w);
    if (!doubles && any >> (2 * bits) == 0) {
        for (size_t i = 0; i < n; i++) {
            uint64_t k = bits_at(v, i, w);
            count[k & mask]++;
            count[buckets + ((k >> bits) & mask)]++;
        }
        passes = 2;
    } else {
        for (size_t i = 0; i < n; i++) {
            uint64_t k = key_at(v, i, doubles, w);
#pragma GCC unroll 8
            for (size_t d = 0; d < passes; d++)
                count[d * buckets + ((k >> (bits * d)) & mask)]++;
        }
    }
    char *tmp = NULL, *src = v, *dst = NULL;
    for (size_t d = 0; d < passes; d++) {
        size_t *c = count + d * buckets;
        unsigned shift = (unsigned)(bits * d);
        if (c[(key_at(src, 0, doubles, w) >> shift) & mask] == n)
            continue; /* every key has this digit */
        if (!tmp)
            dst = tmp = md_xmalloc_prefaulted(n * w);
        to_offsets(c, buckets);
        for (size_t i = 0; i < n; i++) {
            uint64_t u = bits_at(src, i, w);
            put_at(dst, c[(key_of(u, doubles) >> shift) & mask]++, u, w);
        }
        char *t = src;
        src = dst;
        dst = t;
    }
    if (src != (char *)v)
        memcpy(v, src, n * w);
    free(tmp);
    free(count);
}

/* Few elements: qsort. Many: radix, with 11-bit digits (6 passes instead of 8 for 64 bits) from
 * about 64k elements, where their 2,048-entry histograms pay off. The digit width, the element
 * kind and width are constants in each copy, so that the loops over the digits are unrolled. */
static inline __attribute__((always_inline)) void sort_small(void *v, size_t n, bool doubles,
                                                             size_t w)
{
    if (n < 2)
        return;
    if (n < SMALL)
        qsort(v, n, w, doubles ? cmp_double : w == 4 ? cmp_u32 : cmp_u64);
    else if (n >= 65536)
        radix(v, n, 11, doubles, w);
    else
        radix(v, n, 8, doubles, w);
}

/* From this many elements on, the two halves are sorted one after the other and merged: a
 * radix sort's scratch is as large as what it sorts, so this halves the memory a sort adds on
 * top of its array (a window's scores at the end of an ingest: up to 8 MB a thread). */
#define HALVES_MIN (1u << 18)

/* a holds n elements ascending by key_at and room for m more; src's m ascending elements are
 * merged in from the top down, the larger key of the two sides first, without a branch on
 * which (equal keys are equal values: their order does not matter). */
static inline __attribute__((always_inline)) void merge_down(void *a, size_t n, const void *src,
                                                             size_t m, bool doubles, size_t w)
{
    size_t i = n, j = m, k = n + m;
    while (i > 0 && j > 0) {
        uint64_t x = bits_at(a, i - 1, w), z = bits_at(src, j - 1, w);
        bool from_a = key_of(x, doubles) > key_of(z, doubles);
        put_at(a, --k, from_a ? x : z, w);
        i -= from_a;
        j -= !from_a;
    }
    if (j) /* what is left of src; a's rest is in place */
        memcpy(a, src, j * w);
}

/* Sorts v by key_at. */
static inline __attribute__((always_inline)) void sort_any(void *v, size_t n, bool doubles,
                                                           size_t w)
{
    if (n < HALVES_MIN) {
        sort_small(v, n, doubles, w);
        return;
    }
    size_t h = n / 2, m = n - h;
    char *a = v, *hi = md_xmalloc(m * w);
    sort_small(a, h, doubles, w);
    sort_small(a + w * h, m, doubles, w);
    memcpy(hi, a + w * h, m * w);
    merge_down(a, h, hi, m, doubles, w);
    free(hi);
}

void md_merge_u64_down(uint64_t *a, size_t n, const uint64_t *src, size_t m)
{
    merge_down(a, n, src, m, false, 8);
}

void md_sort_u64(uint64_t *v, size_t n)
{
    sort_any(v, n, false, 8);
}

void md_merge_u32_down(uint32_t *a, size_t n, const uint32_t *src, size_t m)
{
    merge_down(a, n, src, m, false, 4);
}

void md_sort_u32(uint32_t *v, size_t n)
{
    sort_any(v, n, false, 4);
}

void md_sort_doubles(double *v, size_t n)
{
    sort_any(v, n, true, 8);
}

/* Both inputs ascending; the smaller key first, without a branch on which (the two sides take
 * turns at random). Equal keys are equal values, so their order does not matter. */
void md_merge_u64(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, uint64_t *out)
{
    size_t i = 0, j = 0, k = 0;
    while (i < na && j < nb) {
        bool from_b = b[j] < a[i];
        out[k++] = from_b ? b[j] : a[i];
        j += from_b;
        i += !from_b;
    }
    if (i < na) /* one side is left over, already in order (an empty side may be NULL) */
        memcpy(out + k, a + i, 8 * (na - i));
    if (j < nb)
        memcpy(out + k, b + j, 8 * (nb - j));
}
