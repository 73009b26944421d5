#include "sort.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

uint64_t md_double_key(double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    return (u >> 63) ? ~u : u | 0x8000000000000000ULL;
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

void md_sort_u64(uint64_t *v, size_t n)
{
    if (n < 2)
        return;
    if (n < SMALL) {
        qsort(v, n, sizeof *v, cmp_u64);
        return;
    }
    uint64_t *tmp = md_xmalloc(n * sizeof *tmp), *src = v, *dst = tmp;
    size_t count[256];
    for (int shift = 0; shift < 64; shift += 8) {
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> shift) & 0xFF]++;
        if (count[(src[0] >> shift) & 0xFF] == n)
            continue; /* every key shares this byte */
        size_t sum = 0;
        for (int b = 0; b < 256; b++) {
            size_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 0xFF]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
    free(tmp);
}

void md_sort_doubles(double *v, size_t n)
{
    uint64_t *k = md_xmalloc((n ? n : 1) * sizeof *k);
    for (size_t i = 0; i < n; i++)
        k[i] = md_double_key(v[i]);
    md_sort_u64(k, n);
    for (size_t i = 0; i < n; i++)
        v[i] = md_key_double(k[i]);
    free(k);
}
