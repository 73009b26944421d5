/* A version's baseline profile: the reference every window is compared with.
 *
 * Why: drift is a comparison, and a comparison is only as good as its reference. The profile
 * holds per feature the PSI edges and counts, the KS sample (sorted distinct values with their
 * multiplicities), the missing rate and the contract; for the score, the decile edges and the
 * baseline AUC, Brier and ECE (docs/METRICS.md). It is built once per version from training or
 * holdout data and read by every ingest. */
#ifndef MD_PROFILE_H
#define MD_PROFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "store.h"
#include "strmap.h"

#define MD_KS_SAMPLE_MAX 10000
#define MD_PSI_FLOOR 1e-4
#define MD_QUANTILE_BINS 10
#define MD_SCORE_LUT 1024 /* equal parts of [0, 1] in the score edges' table */

typedef enum { MD_NUMERIC, MD_CATEGORICAL } md_kind;

/* A numeric feature's split index (core/splits.c): its split points are the KS sample's
 * distinct values and the PSI edges, sorted; a value has counter 2j + 1 when it equals point j
 * and 2j when it lies strictly between points j - 1 and j. */
typedef struct {
    double *mem;     /* NaN, the m points, then NaNs that end every scan */
    const double *p; /* mem + 1 */
    size_t m;
    uint16_t *grid; /* grid[g]: the first point in bucket g or later; grid[ngrid] = m */
    size_t ngrid;
    bool linear; /* buckets linear in the value ... */
    double lo, scale, gmax;
    uint64_t base; /* ... or the order-preserving key >> shift, minus base */
    unsigned shift;
    uint32_t *ks; /* per counter: its KS slot ... */
    uint8_t *bin; /* ... and its PSI bin */
    /* when every point is a whole number over a short span: the counter of each whole number
     * from ilo on, nints of them, looked up directly */
    uint32_t *ints;
    double ilo;
    size_t nints;
    /* ks_cum[j]: the KS sample's values below its distinct value j, for j = 0 .. ks_k (a
     * window's few values find the sample's CDF there without a walk over every value) */
    int64_t *ks_cum;
} md_splits;

/* A feature's data contract (all optional). */
typedef struct {
    bool present; /* the contract names this feature */
    bool nullable;
    bool has_min, has_max;
    double min, max;
    bool has_allowed;
    md_strmap allowed;
} md_contract_rule;

typedef struct {
    char *name;
    md_kind kind;
    int64_t rows, missing;
    /* numeric */
    double *edges;
    size_t nedges; /* 1: a constant baseline, compared as "== c" and "!= c" */
    int64_t *counts;
    size_t nbins;
    double *ks_values; /* the KS sample: sorted distinct values ... */
    int64_t *ks_counts; /* ... and their multiplicities */
    size_t ks_k;
    int64_t ks_n;
    /* categorical: baseline categories and their counts (index = strmap index) */
    md_strmap cats;
    int64_t *cat_counts;
    md_contract_rule rule;
    md_splits splits; /* numeric: built by md_bfeature_index */
} md_bfeature;

/* Which columns hold what; NULL for an optional column that is not there. */
typedef struct md_columns {
    const char *ts, *id, *score, *label, *latency;
    /* names taken where these are NULL (an ingest's: those its baseline was built with), before
     * the defaults; unlike a name given, one of them missing from a file is no error */
    const struct md_columns *known;
    /* on `known`: the roles (MD_ROLE_TS, MD_ROLE_SCORE, MD_ROLE_LABEL) whose default name the
     * baseline counts as a feature, so that a file lacking the baseline's name for the role does
     * not fall back to that feature's column */
    unsigned features_named_default;
} md_columns;
#define MD_ROLE_TS    1u
#define MD_ROLE_SCORE 2u
#define MD_ROLE_LABEL 4u

typedef struct {
    int64_t id;
    int64_t rows, labeled;
    int64_t positives; /* -1: not recorded (a baseline from before it was) */
    double *score_edges;
    size_t n_score_edges;
    /* score_lut[g]: the score edges at or below g / MD_SCORE_LUT, for md_baseline_score_bin;
     * set up by md_baseline_index_scores */
    uint8_t score_lut[MD_SCORE_LUT + 1];
    bool has_score_lut;
    bool has_auc;
    double auc;
    bool has_brier;
    double brier, ece;
    md_bfeature *features;
    size_t nfeatures;
    char *source, *source_sha256, *created_at, *created_by;
    char *col_ts, *col_id, *col_score, *col_label, *col_latency;
    uint64_t seed;
} md_baseline;

void md_baseline_free(md_baseline *b);
void md_bfeature_free(md_bfeature *f);

/* Loads the baseline of version `version_id`; MD_NOTFOUND when it has none. */
md_status md_baseline_load(md_store *s, int64_t version_id, md_baseline *b, md_err *err);
/* Writes the profile for version_id (inside the caller's write transaction). */
md_status md_baseline_save(md_store *s, int64_t version_id, const md_baseline *b, md_err *err);

/* The decile bins of the score: bin = searchsorted(edges, s, 'right') - 1 clipped. */
size_t md_baseline_score_bins(const md_baseline *b);
size_t md_baseline_score_bin(const md_baseline *b, double score);
/* Readies the score edges' table, which makes md_baseline_score_bin a load and a compare or
 * two instead of a search (call again when the edges change). */
void md_baseline_index_scores(md_baseline *b);

/* A numeric feature's PSI bin for value x (edges clipped, numpy.histogram's rule). */
size_t md_bfeature_bin(const md_bfeature *f, double x);

/* The split index (core/splits.c). md_bfeature_index builds it for a numeric feature with
 * baseline values; the others need it built. */
void md_bfeature_index(md_bfeature *f);
void md_splits_free(md_splits *s);
size_t md_bfeature_ncounters(const md_bfeature *f);
size_t md_bfeature_counter(const md_bfeature *f, double x);
/* The counter of whole number x from a split index's whole-number table (s->ints, when it has
 * one): what md_bfeature_counter gives for (double)x. The table runs from one below the first
 * split point to one above the last, so a whole number past either end has the counter of that
 * end (below every point, above every point). */
static inline size_t md_splits_whole_counter(const uint32_t *ints, int64_t ilo, size_t nints,
                                             int64_t x)
{
    int64_t at = x - ilo, last = (int64_t)nints - 1;
    return ints[at < 0 ? 0 : at > last ? last : at];
}

/* A pass's split counters: 16 bits each, and their carries, made when a counter first passes
 * 65,535 (a value repeated that often in one window): half the memory of 32-bit counters, which
 * a pass of many windows holds for every numeric feature and window, and half the cache. */
typedef struct {
    uint16_t *lo;
    uint16_t *hi; /* NULL until the first carry */
    size_t n;
} md_counters;
void md_counters_init(md_counters *c, size_t n);
void md_counters_free(md_counters *c);
void md_counters_carry(md_counters *c, size_t i);
static inline void md_counters_add1(md_counters *c, size_t i)
{
    if (__builtin_expect(++c->lo[i] == 0, 0))
        md_counters_carry(c, i);
}
static inline uint32_t md_counters_get(const md_counters *c, size_t i)
{
    return c->lo[i] | (c->hi ? (uint32_t)c->hi[i] << 16 : 0);
}

/* Adds each of the n values to its counter. */
void md_bfeature_count(const md_bfeature *f, const double *x, size_t n, md_counters *counters);
/* Writes each of the n values' counter number to list[i] (for few values, a list costs less
 * than a counter each); md_bfeature_count_list adds a list to counters, md_bfeature_fold_list
 * to the KS counters and PSI bins as md_bfeature_fold would. */
void md_bfeature_list(const md_bfeature *f, const double *x, size_t n, uint16_t *list);
void md_bfeature_count_list(const uint16_t *list, size_t n, md_counters *counters);
void md_bfeature_fold_list(const md_bfeature *f, const uint16_t *list, size_t n, uint32_t *ks,
                           int64_t *bins);
/* Adds the counters into the KS counters (2 * ks_k + 1) and the PSI bins. */
void md_bfeature_fold(const md_bfeature *f, const md_counters *counters, uint32_t *ks,
                      int64_t *bins);
/* The KS counter of x by binary search: 2j + 1 when x equals sample value j, 2j when it lies
 * strictly between values j - 1 and j. */
size_t md_bfeature_ks_slot(const md_bfeature *f, double x);

/* The profile as JSON for `baseline show` (with the KS sample when `with_sample`). */
json_t *md_baseline_json(const md_baseline *b, bool with_sample);

/* Parses a data contract document into rules keyed by feature name. */
typedef struct {
    md_strmap names;
    md_contract_rule *rules;
    md_kind *kinds;
    bool *has_kind;
    char *text; /* canonical JSON */
} md_contract;
md_status md_contract_load(const char *path, md_contract *c, md_err *err);
void md_contract_free(md_contract *c);

#endif
