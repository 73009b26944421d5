/* The baseline build's insides, shared by its parts: core/baseline.c (reading the file, in
 * one pass or two halves, and storing the profile) and core/baseline_profile.c (the profile
 * from the collected values). Nothing else includes this. */
#ifndef MD_BASELINE_INT_H
#define MD_BASELINE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "baseline.h"
#include "catcache.h"
#include "profile.h"
#include "spill.h"

/* Values a build holds in memory, over both threads, before it writes them out as sorted runs
 * (md_spill) and builds the profile from the runs merged: about 32 MiB. */
#define MD_BASELINE_VALUES_IN_MEMORY (4u << 20)

/* Whole numbers a feature's table counts: 0 to 65,535 (at most half a mebibyte a feature). */
#define MD_WHOLE_MAX 65536

/* Spill streams: each numeric feature's values (tag: the feature's place), the scores and the
 * labeled pairs. */
#define SPILL_STREAM 2
#define SPILL_SCORES (-1)
#define SPILL_PAIRS  (-2)

/* A numeric feature's KS sample while its values are read: the MD_KS_SAMPLE_MAX values of
 * lowest priority, a hash of the seed, the feature and where the row starts in the file, so
 * that the sample is the same whatever the threads or the memory budget. Candidates below the
 * cut gather up to twice that many, then the lowest half stays and the cut drops to its top. */
typedef struct {
    uint64_t pri;
    double val;
} ks_entry;

typedef struct {
    ks_entry *e;
    size_t n;
    uint64_t cut; /* a priority above it is not among the lowest (0 before the first) */
    bool full;    /* the cut is in force */
} ks_pool;

typedef struct {
    int64_t col;
    bool numeric;       /* every non-missing value so far is a number */
    int64_t since;      /* the row (among good rows) from which it is collected */
    int64_t flipped_at; /* categorical after all: texts of rows before this come from a
                           second pass; -1 when it never flipped */
    bool numbers;       /* a number was met (counted, held or written out) */
    const md_contract_rule *rule;
    bool forced; /* the contract set the kind */
    int64_t missing, violations;
    /* While every value so far is a whole number below MD_WHOLE_MAX (counts, days, ages), a
     * table of how many there are of each (value v at whole[v]) stands for them: no array of
     * values to write and read back, no selection. The first other value ends it (unwhole): its
     * values go to vals, or straight out as a sorted run when they would not fit the budget; so
     * does a value that would make the table wider than it is worth, and a spill when the
     * tables fill more than half the budget. */
    uint64_t *whole;
    size_t wcap;   /* entries whole has (a power of two); each counts as a value held */
    size_t nwhole; /* the values it counts */
    bool unwhole;  /* values go to vals */
    double *vals;
    size_t nvals, cap;
    double *more; /* the second half's values (vals has the first's), for the profile */
    size_t nmore;
    uint64_t seed; /* the KS sample's priorities for this feature */
    ks_pool ks;
    md_strmap cats;
    int64_t *cnt;
    size_t cnt_cap;
    md_catcache *cc; /* short texts met, once the feature is categorical */
} fcol;

typedef struct {
    md_reader *r;
    md_colmap m;
    const md_baseline_opts *o;
    md_contract contract;
    bool has_contract;
    fcol *f;
    size_t nf, fcap;
    int64_t *col_feature; /* reader column -> feature, -1 for special columns */
    size_t ncols;
    int64_t good;    /* good rows read so far */
    uint64_t *pairs; /* labeled (score, label) keys */
    size_t np, pcap;
    double *scores;
    size_t ns, scap;
    double *more_scores; /* the second half's scores, and its pairs sorted to be merged */
    size_t more_ns;
    uint64_t *more_pairs;
    size_t more_np;
    int64_t rows;
    md_baseline_report *rep;
    size_t from, to; /* the bytes this build reads, for sizing its arrays (0, 0: unknown) */
    bool sorted;     /* the pairs are sorted */
    size_t progress; /* this build reports its reading, its bytes times this; 0: it does not */
    uint64_t row_at; /* the current row's place in the file, hashed (the KS sample's priority) */
    md_spill *spill; /* values written out past the budget, shared by the two halves */
    int owner;       /* this half's runs in it */
    size_t held, budget; /* values held in memory, and how many this thread may hold */
    size_t spilled_rows, spilled_labeled; /* the scores and pairs written out ... */
    size_t spilled_values;                /* ... and every value, features' too */
    bool spill_failed; /* reading the runs back failed: the profile is not to be stored */
    md_status unwhole_rc; /* writing a table's values out failed (the pass stops) ... */
    md_err unwhole_err;   /* ... and why */
} build;

/* Rows read before the value arrays are sized for the whole range (md_baseline_reserve). */
#define MD_BASELINE_SIZE_AFTER 1024

/* core/baseline_values.c: x, a number of feature f in the row at b->row_at, collected (its KS
 * sample, its table or its array); the end of f's table, its values into vals when `room` more
 * values fit the budget, else out as a sorted run; every value held out as sorted runs (the
 * tables stay while they take at most half the budget), past the budget; the arrays sized, from the
 * bytes the first rows took (at: where reading is). */
void md_baseline_add_number(build *b, fcol *f, double x);
void md_baseline_unwhole(build *b, fcol *f, size_t room);
md_status md_baseline_spill_values(build *b, md_err *err);
void md_baseline_reserve(build *b, size_t at);

/* The profile of what b collected (its pairs sorted or merged on the way), on every core; all
 * but the source's SHA-256. */
void md_baseline_profile(build *b, const char *path, const char *actor, md_baseline *out);

/* x, a value of feature f in the row at b->row_at, offered to its KS sample. */
void md_ks_pool_offer(ks_pool *h, uint64_t pri, double x);
/* Every value of `from` offered to `to` (the two halves joined); from is emptied. */
void md_ks_pool_join(ks_pool *to, ks_pool *from);
void md_ks_pool_free(ks_pool *h);
/* The KS sample priority of feature seed `seed` in the row at `row_at`. */
uint64_t md_ks_priority(uint64_t row_at, uint64_t seed);
/* 64 bits mixed (splitmix64's finalizer). */
uint64_t md_mix64(uint64_t z);

#endif
