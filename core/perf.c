#include "perf.h"

#include <math.h>

#include "sort.h"
#include "stats.h"

/* Mann-Whitney U over tie groups: each positive counts the negatives below it, plus half of
 * the negatives tied with it. Kept doubled, in integers, so that only the final division
 * rounds. */
double md_auc_finish(uint64_t twice_u, uint64_t pos, uint64_t neg, bool *ok)
{
    *ok = pos > 0 && neg > 0;
    return *ok ? (double)twice_u / (2.0 * (double)pos * (double)neg) : 0;
}

double md_auc_sorted_pairs(const uint64_t *keys, size_t n, bool *ok)
{
    uint64_t twice_u = 0, neg_below = 0, pos_total = 0;
    for (size_t i = 0; i < n;) {
        uint64_t score = keys[i] >> 1, gp = 0, gn = 0;
        for (; i < n && keys[i] >> 1 == score; i++)
            keys[i] & 1 ? gp++ : gn++;
        twice_u += 2 * neg_below * gp + gp * gn;
        neg_below += gn;
        pos_total += gp;
    }
    return md_auc_finish(twice_u, pos_total, neg_below, ok);
}

double md_auc_distinct(const int64_t *pos, const int64_t *neg, size_t k, bool *ok)
{
    uint64_t twice_u = 0, neg_below = 0, pos_total = 0;
    for (size_t i = 0; i < k; i++) {
        twice_u += 2 * neg_below * (uint64_t)pos[i] + (uint64_t)pos[i] * (uint64_t)neg[i];
        neg_below += (uint64_t)neg[i];
        pos_total += (uint64_t)pos[i];
    }
    return md_auc_finish(twice_u, pos_total, neg_below, ok);
}

double md_ece(const md_deciles *d)
{
    md_ksum e = {0, 0};
    for (size_t i = 0; i < d->k; i++) {
        if (d->n[i] == 0)
            continue;
        double n = (double)d->n[i];
        double expected = d->sum_s[i] / n, observed = (double)d->sum_y[i] / n;
        md_ksum_add(&e, n / (double)d->labeled * fabs(expected - observed));
    }
    return md_ksum_value(&e);
}

double md_hosmer_lemeshow(const md_deciles *d, double *pvalue, bool *ok)
{
    md_ksum h = {0, 0};
    int g = 0;
    for (size_t i = 0; i < d->k; i++) {
        if (d->n[i] == 0)
            continue;
        double n = (double)d->n[i], e = d->sum_s[i], o = (double)d->sum_y[i];
        double mean = e / n;
        if (!(mean > 0 && mean < 1))
            continue;
        md_ksum_add(&h, (o - e) * (o - e) / (e * (1 - e / n)));
        g++;
    }
    *ok = g >= 3;
    double stat = md_ksum_value(&h);
    /* g - 2 degrees of freedom, the test's usual form (docs/METRICS.md on what that means for a
     * model fitted on other rows) */
    *pvalue = *ok ? md_chi2_sf(stat, g - 2) : 0;
    return stat;
}
