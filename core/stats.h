/* Statistical functions behind the monitoring numbers, written to equal their references.
 *
 * Why: drift and calibration statuses wake people at night; each function here is defined as
 * the scipy/numpy function named beside it and tested against values computed by it
 * (docs/METRICS.md). The χ² functions are built on lgamma (regularized incomplete gamma). */
#ifndef MD_STATS_H
#define MD_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* scipy.stats.chi2.cdf(x, k), .sf(x, k) and .ppf(p, k), for k > 0. */
double md_chi2_cdf(double x, double k);
double md_chi2_sf(double x, double k);
double md_chi2_ppf(double p, double k);

/* Binomial(n, p) tails: P(X >= k) (upper, scipy.stats.binom.sf(k - 1, n, p)) or P(X <= k)
 * (scipy.stats.binom.cdf(k, n, p)). */
double md_binom_tail(int64_t k, int64_t n, double p, bool upper);

/* scipy.special.kolmogorov(x): the survival function of the Kolmogorov distribution. */
double md_kolmogorov_sf(double x);

/* numpy.quantile(x, q) with the default linear method, over `sorted` (ascending, n >= 1);
 * writes nq values to out, bit-for-bit as numpy 1.22+ computes them. */
void md_quantiles_linear(const double *sorted, size_t n, const double *q, size_t nq,
                         double *out);

/* The same over values given one at a time: at(ctx, i) is the value at index i of the sorted
 * values (md_select finds them without sorting). Only the neighbours of each quantile's virtual
 * index are asked for. */
typedef double (*md_value_at)(const void *ctx, size_t i);
void md_quantiles_linear_at(md_value_at at, const void *ctx, size_t n, const double *q, size_t nq,
                            double *out);

/* numpy.linspace(0, 1, k + 1): the k + 1 probabilities 0, 1/k, ..., 1 (as numpy computes them). */
void md_linspace01(size_t k, double *out);

/* Sorts ascending and removes duplicates in place; returns the new length (numpy.unique). */
size_t md_unique(double *v, size_t n);

/* Neumaier-compensated summation. */
typedef struct {
    double sum;
    double c;
} md_ksum;
void md_ksum_add(md_ksum *k, double v);
double md_ksum_value(const md_ksum *k);

#endif
