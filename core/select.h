/* Order statistics without a sort: the values at a few ranks of a large unsorted set, and how
 * many values fall in each bin of edges taken from those ranks.
 *
 * Why: a baseline's PSI edges are 11 quantiles of each numeric feature and its bins count the
 * values between them; sorting every feature's values to find them was most of a baseline
 * build's time. Here three reads of the values do it: their range, a histogram over buckets of
 * that range, and the values of the few buckets that hold a wanted rank, which are sorted. The
 * ranks and values are those md_sort_doubles would give (-0.0 before 0.0). */
#ifndef MD_SELECT_H
#define MD_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A picked bucket's first value, which is kept as a count instead of copies: a bucket often
 * holds one value many times (a whole number, zero in a zero-inflated feature). Its copies
 * sit after the `lower` other values below it, in sorted order. */
typedef struct {
    double v;
    size_t copies, lower;
} md_select_run;

typedef struct {
    uint64_t lo; /* the smallest key (md_double_key, with -0.0 taken as 0.0) ... */
    double vlo;  /* ... and its value */
    bool linear; /* a value's bucket: (value - vlo) * scale, else (key - lo) >> shift */
    double scale;
    unsigned shift;
    size_t nbuckets;
    size_t *below;      /* [k]: values in buckets before bucket k; [nbuckets]: n */
    size_t *at;         /* [k]: where bucket k's values start in picked; SIZE_MAX if not picked */
    double *picked;     /* the values of the buckets holding a wanted rank, sorted, but for ... */
    md_select_run *run; /* ... [k]: each such bucket's first value and its copies */
} md_select;

/* The n = na + nb finite values of a and b (either may be empty), set up to give the values
 * at the nwant ranks in want (each < n). */
void md_select_init(md_select *s, const double *a, size_t na, const double *b, size_t nb,
                    const size_t *want, size_t nwant);

/* The value at a rank given to md_select_init: what md_sort_doubles would put there. */
double md_select_value(const md_select *s, size_t rank);

/* counts[bin(ctx, x)] += 1 for every value x. bin must not decrease as x grows, and each point
 * where it steps up must lie between the values of two wanted ranks r and r + 1 (both ends
 * included), as quantile edges do (numpy's linear method takes both neighbours' ranks). */
void md_select_count(const md_select *s, size_t (*bin)(const void *ctx, double x), const void *ctx,
                     int64_t *counts);

void md_select_free(md_select *s);

#endif
