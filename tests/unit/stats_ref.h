/* The stats suite's reference values: scipy's χ² and binomial functions at the points
 * check_stats.c tests, computed with scipy 1.10.1 (/usr/bin/python3) and pasted as shortest
 * round-trip literals (Python's repr, so each is the exact double). */
#ifndef MD_TEST_STATS_REF_H
#define MD_TEST_STATS_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct chi2_row {
    double k, x, cdf, sf;
};
struct chi2_ppf_row {
    double k, p, x;
};
struct binom_row {
    int64_t k, n;
    double p;
    bool upper;
    double want;
};

extern const struct chi2_row chi2_rows[];
extern const size_t chi2_rows_n;
extern const struct chi2_ppf_row chi2_ppf_rows[];
extern const size_t chi2_ppf_rows_n;
extern const struct binom_row binom_rows[];
extern const size_t binom_rows_n;

#endif
