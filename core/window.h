/* A window's sufficient statistics, and the numbers computed from them.
 *
 * Why: every number of docs/METRICS.md is a function of counts and sums per window (and, for
 * AUC and latency percentiles, of the sorted values). An ingest accumulates these per window;
 * each ingest's statistics are stored as a part, and a window's results are recomputed from
 * all its parts whenever a later ingest adds rows to it. */
#ifndef MD_WINDOW_H
#define MD_WINDOW_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "blob.h"
#include "spill.h"
#include "policy.h"
#include "profile.h"
#include "stats.h"
#include "strmap.h"
#include "values.h"

#define MD_EXACT_DISTINCT_MAX 65536 /* distinct scores (or latencies) kept exactly per window */
#define MD_SCORE_HIST_BINS 4096
#define MD_LAT_HIST_BINS 2400

/* Per feature. */
typedef struct {
    int64_t missing, type_errors, violations, present;
    bool absent; /* the column was not in the file */
    int64_t *bins;      /* numeric: PSI bins */
    uint32_t *ks;       /* numeric: 2k + 1 counters around the KS sample's distinct values */
    md_counters counters; /* numeric, while a pass counts: split counters (lo NULL before the
                           * first count and after md_window_fold) */
    uint16_t *list;     /* the same while few values came: each one's counter number */
    size_t nlist, listcap;
    int64_t *cat;       /* categorical: per baseline category */
    md_strmap newcats;  /* categorical: values never seen in the baseline, by name ... */
    int64_t *newcnt;
    size_t newcap;
    int64_t newother; /* ... and the rows of those past the bound (core/newcats.c) */
    uint64_t newcut;  /* the highest md_category_rank still named; UINT64_MAX: all are */
} md_wfeat;

/* New categories a window keeps by name, per feature: the lowest-ranked, whatever the order
 * rows come in (core/newcats.c). */
#define MD_NEWCATS_NAMED 1000

/* A category's rank: a hash of its text, the same on every machine. */
uint64_t md_category_rank(const char *t, size_t n);
/* count rows of new category t (not a baseline category) into f. */
void md_newcats_add(md_wfeat *f, const md_bfeature *bf, const char *t, size_t n, int64_t count);
/* Another part's new categories into d: its names and counts (names may be NULL: none), its
 * rows past the bound and its cut. */
void md_newcats_merge(md_wfeat *d, const md_bfeature *bf, const md_strmap *names,
                      const int64_t *counts, int64_t other, uint64_t cut);
/* Down to exactly the names a window of these rows keeps, whatever the order they came in:
 * before the window is computed or stored. */
void md_newcats_settle(md_wfeat *f, const md_bfeature *bf);
/* Distinct new categories (not those the contract allows); *estimated when past the bound,
 * where it is estimated from the ranks of those kept. */
int64_t md_newcats_distinct(const md_wfeat *f, const md_bfeature *bf, bool *estimated);

/* What a window knows of its latencies over the SLA. */
typedef enum {
    MD_OVER_NONE,    /* nothing yet (a window being rebuilt from parts) */
    MD_OVER_UNKNOWN, /* a part from before the count was kept, or parts with different SLAs */
    MD_OVER_NO_SLA,  /* read while the model had no SLA */
    MD_OVER_COUNTED  /* lat_over counted against over_sla_ms */
} md_over_state;

/* Distinct values with two counts each (score: positives and negatives; latency: count), kept
 * exactly, or folded into a histogram when there are too many. */
typedef struct {
    bool hist;
    double *v;
    int64_t *a, *b;
    size_t k, cap;
} md_vsum;

typedef struct {
    int64_t index; /* days (or hours) since the epoch */
    int64_t rows, labeled;
    size_t ndec;
    int64_t *dn, *dy;
    md_ksum *ds;
    md_ksum brier;
    md_wfeat *f;
    size_t nf;
    /* the values behind AUC and latency percentiles */
    /* the labeled rows' (score, label) keys, np of them (room for pcap): in mpairs by the
     * scores' millionths (core/sort.h) while every score so far is on that grid and none went
     * to the spill file (whose runs are double keys), a pass's windows starting so; else in
     * pairs, md_pair_key(score, label) */
    uint64_t *pairs;
    uint32_t *mpairs;
    size_t np, pcap;
    bool millionths;
    uint64_t *lat; /* md_double_key(latency) */
    size_t nl, lcap;
    bool sorted;     /* pairs and lat are in ascending order */
    md_spill *spill; /* where sorted runs of pairs (stream 0) and latencies (1) went; tag: index */
    /* latencies over the SLA, counted one by one against the SLA in force when they were read,
     * so that over_sla stays exact when the latencies themselves fold into a histogram */
    md_over_state over_state;
    int64_t over_sla_ms; /* the SLA counted against (MD_OVER_COUNTED) */
    int64_t lat_over;
    /* when rebuilt from stored parts, or summarized (md_window_summarize): summaries instead of
     * values; of a summarized window's own values, the exact AUC */
    bool merged;
    md_vsum sscore, slat;
    bool has_auc_kept, auc_kept_ok;
    double auc_kept;
} md_window;

void md_window_init(md_window *w, const md_baseline *b, int64_t index);
void md_window_free(md_window *w);

/* A window for a pass: its numeric features count into split counters (md_bfeature_count)
 * instead of KS counters and PSI bins, until md_window_fold turns the one into the others. */
void md_window_init_counting(md_window *w, const md_baseline *b, int64_t index, bool has_sla,
                             int64_t sla_ms);
void md_window_fold(md_window *w, const md_baseline *b);

/* The window's pairs keyed by the scores' doubles from here on (core/sort.h), as the spill
 * file's runs and any window keyed so are. */
void md_window_pairs_as_doubles(md_window *w);

/* A fresh window's values (pairs and latencies) turned into the summaries its part stores,
 * its AUC kept exactly, and freed, where the summaries take less memory than the values (a
 * histogram past 65,536 distinct values; a third as many distinct values as values): done right
 * after a pass's merge, while they are in the cache. A window merged after (md_window_merge_fresh)
 * joins summaries, as parts join. */
void md_window_summarize(md_window *w);

/* Sorts the window's pairs and latencies (once: a merge of sorted windows stays sorted). */
void md_window_sort_keys(md_window *w);

/* Counts n values of numeric feature f (with baseline values) into window feature wf: listed
 * while they are few (a window of a few thousand rows holds a list, not tens of thousands of
 * counters, for each feature), counted from the value that makes a counter each cheaper. */
void md_window_count(md_wfeat *wf, const md_bfeature *f, const double *val, size_t n);

/* The same for one value whose counter c the caller found itself (a whole number read from
 * its text: md_bfeature's table of whole numbers). Inline once the window counts. */
void md_window_count_slow(md_wfeat *wf, const md_bfeature *f, size_t c);
static inline void md_window_count_counter(md_wfeat *wf, const md_bfeature *f, size_t c)
{
    if (__builtin_expect(wf->counters.lo != NULL, 1))
        md_counters_add1(&wf->counters, c);
    else
        md_window_count_slow(wf, f, c);
}

/* Adds fresh window s (same index, from another part of the same file) into d: split
 * counters and lists into d's while neither is folded (so that a merged window costs no more
 * memory than one counted whole), else both folded first; then d summarized where that takes
 * less memory (md_window_summarize), from both windows' millionths keys at once where they have
 * such keys: the merged keys are then never written out. */
void md_window_merge_fresh(md_window *d, md_window *s, const md_baseline *b);

/* Adds numeric feature s's split counters or list into d's (neither folded); s's are freed. */
void md_window_merge_counts(md_wfeat *d, md_wfeat *s, const md_bfeature *f);

/* Frees what only computing and serializing a fresh window needed (its folded counters and
 * keys), once both are done: a pass of many windows then holds each one's counters only
 * while it is worked on. */
void md_window_release(md_window *w);

/* Serializes the window (its values summarized) as a part; and adds a stored part to w. */
void md_window_serialize(md_window *w, const md_baseline *b, md_wbuf *out);
/* The same in an earlier part format (1 to the current one), as earlier versions stored it:
 * what they stored must keep reading back (tests). */
void md_window_serialize_as(md_window *w, const md_baseline *b, md_wbuf *out, unsigned format);
md_status md_window_add_part(md_window *w, const md_baseline *b, const void *blob, size_t n,
                             md_err *err);

/* Results. */
typedef struct {
    const char *feature;
    md_kind kind;
    int64_t rows, present, missing;
    bool has_psi;
    double psi, psi_null;
    bool has_ks;
    double ks, ks_p;
    double missing_rate, missing_delta;
    double missing_pvalue; /* the binomial test of the missing count against the baseline rate */
    double mix_pvalue;     /* the counts' exact test (NaN: numeric, or where PSI's null holds) */
    int64_t schema_changes, type_errors, violations;
    bool absent;
    json_t *new_categories; /* owned */
    int64_t new_distinct;   /* categorical: distinct new categories ... */
    bool new_estimated;     /* ... estimated: past the bound on names */
    bool has_psi_max;       /* PSI is a lower bound: the rows of new categories past the */
    double psi_max;         /* bound may add up to psi_max - psi */
    json_t *hist;           /* window proportions per bin (owned) */
    md_level status;
} md_drift_row;

typedef struct {
    int64_t rows, labeled, positives;
    bool has_auc, auc_exact;
    double auc, auc_error;
    bool has_delta;
    double delta_auc;
    bool has_perf; /* brier, ece */
    double brier, ece;
    bool has_hl;
    double hl_stat, hl_p;
    json_t *deciles; /* owned */
    json_t *latency; /* owned, or NULL */
    md_level status; /* the worst drift status */
    md_drift_row *drift;
    size_t ndrift;
} md_window_result;

typedef struct {
    bool has_sla;
    int64_t sla_ms;
} md_model_limits;

/* Feature i's drift row (core/drift.c). */
void md_window_drift_row(const md_window *w, const md_baseline *b, size_t i,
                         const md_drift_policy *p, md_drift_row *r);
/* The status policy p gives a drift row's figures (its status field is not read): the worst
 * of the levels its tests give them (md_drift_row_levels). */
md_level md_drift_row_level(const md_drift_row *r, const md_drift_policy *p);
void md_drift_row_levels(const md_drift_row *r, const md_drift_policy *p,
                         md_level out[MD_DRIFT_TEST_COUNT]);

/* A stored drift row's figures, as md_window_drift_row left them, are the columns
 * MD_DRIFT_FIGURES_SQL names (table alias d), read from column `first` on: whoever gives a
 * stored row a status (policy set, the console's grid) reads the same figures the same way. */
#define MD_DRIFT_FIGURES_SQL                                                                       \
    "d.psi, d.psi_null_p99, d.ks, d.ks_pvalue, d.missing_delta, d.missing_pvalue,"                 \
    " d.mix_pvalue, d.schema_changes, d.violations, d.present"
#define MD_DRIFT_FIGURES_COLS 10
void md_drift_row_stored(sqlite3_stmt *st, int first, md_drift_row *r);

/* One ingest's stored part of a window (window_parts.state, md_window_serialize). */
typedef struct {
    int64_t ingest_id;
    void *blob;
    size_t n;
} md_window_part;

/* The stored parts of version vid's `kind` window `key`, oldest ingest first (core/ingest.c). */
md_status md_window_parts_load(md_store *s, int64_t vid, const char *kind, const char *key,
                               md_window_part **parts, size_t *n, md_err *err);
void md_window_parts_free(md_window_part *parts, size_t n);

/* The latency figures of window w under the SLA in lim (p50, p95, p99, n, exact, over_sla and
 * their error bounds), or NULL when it has no latencies. Sorts w's values in place. */
json_t *md_window_latency_json(md_window *w, const md_model_limits *lim);

/* Computes everything for window w. Sorts w's values in place. */
void md_window_compute(md_window *w, const md_baseline *b, const md_drift_policy *p,
                       const md_model_limits *lim, md_window_result *out);
void md_window_result_free(md_window_result *r);

#endif
