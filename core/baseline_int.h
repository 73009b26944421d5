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

typedef struct {
    int64_t col;
    bool numeric;       /* every non-missing value so far is a number */
    int64_t since;      /* the row (among good rows) from which it is collected */
    int64_t flipped_at; /* categorical after all: texts of rows before this come from a
                           second pass; -1 when it never flipped */
    const md_contract_rule *rule;
    bool forced; /* the contract set the kind */
    int64_t missing, violations;
    double *vals;
    size_t nvals, cap;
    double *more; /* the second half's values (vals has the first's), for the profile */
    size_t nmore;
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
} build;

/* The profile of what b collected (its pairs sorted or merged on the way), on every core; all
 * but the source's SHA-256. */
void md_baseline_profile(build *b, const char *path, const char *actor, md_baseline *out);

#endif
