/* Sorting many numbers fast: LSD radix sort on 64-bit (and 32-bit) keys.
 *
 * Why: exact AUC and exact quantiles need sorted data; a window can hold millions of scores.
 * Doubles are mapped to keys whose unsigned order is their numeric order (negatives flipped).
 * From 262,144 elements on, the halves are sorted one after the other and merged, so a sort
 * needs scratch memory of half its array's size, not all of it. */
#ifndef MD_SORT_H
#define MD_SORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

void md_sort_u64(uint64_t *v, size_t n);
void md_sort_doubles(double *v, size_t n); /* no NaNs; -0.0 before 0.0 */

/* Two sorted arrays into one (out holds na + nb), as sorting both together would order them. */
void md_merge_u64(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, uint64_t *out);
/* In place: a holds n sorted keys and room for m more, into which src's m sorted keys go. */
void md_merge_u64_down(uint64_t *a, size_t n, const uint64_t *src, size_t m);

/* The same for 32-bit keys (scores keyed by millionths, below: half the memory and memory
 * traffic of 64-bit keys). */
void md_sort_u32(uint32_t *v, size_t n);
void md_merge_u32_down(uint32_t *a, size_t n, const uint32_t *src, size_t m);

/* Order-preserving key of a double, and back. -0.0 sorts as 0.0 does (before it). */
uint64_t md_double_key(double v);
double md_key_double(uint64_t k);

/* md_double_key of a double's bits, inline for loops over many values: the sign bit set for
 * positives, every bit flipped for negatives, without a branch. */
static inline uint64_t md_bits_key(uint64_t u)
{
    return u ^ ((uint64_t)((int64_t)u >> 63) | 0x8000000000000000ULL);
}

static inline uint64_t md_double_key_inline(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return md_bits_key(u);
}

/* (score, label) packed so that sorting the keys sorts by score: (bits(score) << 1) | label,
 * for scores in [0, 1]. */
uint64_t md_pair_key(double score, int label);
double md_pair_score(uint64_t k);
int md_pair_label(uint64_t k);

/* Scores written with at most six decimals, as scoring logs mostly are, are keyed more tightly:
 * (millionths << 1) | label, 21 bits, held in 32 and ordered by a radix sort in two passes where
 * a double's bits take six. md_score_millionths: true, with *m, when score (in [0, 1]) is m / 10^6
 * correctly rounded, the double a decimal of at most six places reads as; md_millionths_score:
 * back. A set of keys is all of one kind or all of the other: the two kinds do not compare. */
static inline bool md_score_millionths(double score, uint64_t *m)
{
    uint64_t q = (uint64_t)(score * 1e6 + 0.5);
    *m = q;
    return (double)q / 1e6 == score; /* -0.0 is 0 millionths, as md_pair_key makes it +0.0 */
}

static inline double md_millionths_score(uint64_t m)
{
    return (double)m / 1e6;
}

#endif
