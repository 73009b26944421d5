/* Compact binary encoding for stored statistics (window parts, KS samples).
 *
 * Why: a window's sufficient statistics hold thousands of counters, mostly small or zero;
 * LEB128 varints and zero-run encoding keep them a few KB instead of tens. Reads are bounds-
 * checked so that a damaged blob is an error, not a crash. Doubles are stored as their 8 IEEE
 * bytes, little-endian. */
#ifndef MD_BLOB_H
#define MD_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    unsigned char *p;
    size_t n, cap;
} md_wbuf;

void md_wbuf_free(md_wbuf *b);
void md_put_bytes(md_wbuf *b, const void *p, size_t n);
void md_put_u64(md_wbuf *b, uint64_t v); /* varint */
void md_put_f64(md_wbuf *b, double v);
/* k ascending, distinct doubles (no NaN), each given back with its very bits: as whole
 * multiples of 10^-d, d the fewest decimals (at most 15) that write every one of them exactly
 * (a scoring log's scores and latencies, read from text with a few decimals: a byte or two
 * each), else as their order-preserving keys; either as varint steps from one to the next. */
void md_put_ascending_f64(md_wbuf *b, const double *v, size_t k);
/* Counters with runs of zeros folded: (zero-run length, value) pairs. */
void md_put_counts32(md_wbuf *b, const uint32_t *c, size_t n);
void md_put_counts64(md_wbuf *b, const int64_t *c, size_t n);
/* KS counters (core/profile.h: 2j + 1 for values equal to sample value j, 2j for values between
 * j - 1 and j), the even ones and then the odd ones, each a run of tokens: a count c > 0 as
 * varint(c << 1), r zeros as varint((r - 1) << 1 | 1). A continuous feature's values seldom
 * equal a sample value: its odd counters are long runs of zeros and its even ones dense, a byte
 * each where (zero run, value) pairs took two. */
void md_put_counts32_halves(md_wbuf *b, const uint32_t *c, size_t n);
/* Counters in the same tokens, in order (a score histogram: dense, a byte a bin). */
void md_put_counts64_tokens(md_wbuf *b, const int64_t *c, size_t n);

typedef struct {
    const unsigned char *p;
    size_t n, pos;
    bool bad; /* set on any read past the end or malformed varint */
} md_rbuf;

uint64_t md_get_u64(md_rbuf *b);
double md_get_f64(md_rbuf *b);
const unsigned char *md_get_bytes(md_rbuf *b, size_t n);
/* The k values md_put_ascending_f64 wrote, into v; b->bad when they are damaged or do not
 * ascend. */
void md_get_ascending_f64(md_rbuf *b, double *v, size_t k);
/* Adds the stored counters to c (n must match what was written). */
void md_get_counts32_add(md_rbuf *b, uint32_t *c, size_t n);
void md_get_counts32_halves_add(md_rbuf *b, uint32_t *c, size_t n);
void md_get_counts64_tokens_add(md_rbuf *b, int64_t *c, size_t n);
void md_get_counts64_add(md_rbuf *b, int64_t *c, size_t n);

#endif
