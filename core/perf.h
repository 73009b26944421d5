/* Performance and calibration numbers from sufficient statistics.
 *
 * Why: the same definitions (docs/METRICS.md) serve a baseline, a fresh window and a window
 * rebuilt from several ingests; they take counts and sums, never rows. */
#ifndef MD_PERF_H
#define MD_PERF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* AUC (= sklearn roc_auc_score) over pair keys sorted ascending (md_pair_key). *ok is false
 * with a single class. */
double md_auc_sorted_pairs(const uint64_t *keys, size_t n, bool *ok);
/* AUC from its tallies: twice the Mann-Whitney U (ties counted half, so whole), the positives
 * and the negatives; *ok false with one class. */
double md_auc_finish(uint64_t twice_u, uint64_t pos, uint64_t neg, bool *ok);

/* AUC from distinct scores in ascending order with their positive and negative counts. */
double md_auc_distinct(const int64_t *pos, const int64_t *neg, size_t k, bool *ok);

typedef struct {
    size_t k;              /* bins */
    const int64_t *n;      /* rows per bin */
    const double *sum_s;   /* sum of scores per bin */
    const int64_t *sum_y;  /* positives per bin */
    int64_t labeled;
} md_deciles;

double md_ece(const md_deciles *d);
/* Hosmer-Lemeshow statistic and p-value; *ok false when fewer than 3 bins qualify. */
double md_hosmer_lemeshow(const md_deciles *d, double *pvalue, bool *ok);

#endif
