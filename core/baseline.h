/* Building a version's baseline profile from training or holdout data.
 *
 * Why: see profile.h. One pass settles each feature's kind, rejects bad rows and collects the
 * values; a feature that turns out categorical after numbers were seen gets its earlier texts
 * from a second pass. A large CSV file is read in two halves by two threads, whose values join
 * in file order; whenever the halves cannot stand for one pass (a bad row or a feature whose
 * kind the halves disagree on), the file is read again by one thread. The profile, the audit
 * row and (with --replace) the removal of windows computed against the old profile are one
 * transaction. */
#ifndef MD_BASELINE_H
#define MD_BASELINE_H

#include "authz.h"
#include "logrows.h"
#include "pass.h"

typedef struct {
    md_read_opts read;
    const char *contract_path;
    uint64_t seed; /* for the KS sample; 0 takes the default */
    int threads;   /* 0: up to 2, as the machine allows */
    size_t split_min; /* 0: CSV files below 16 MiB are read by one thread (tests set it small) */
    size_t values_in_memory; /* 0: MD_BASELINE_VALUES_IN_MEMORY before spilling (tests set less) */
    bool no_whole_tables;    /* every value kept as such, none counted in a table of whole
                                numbers (tests compare the two) */
    md_progress_fn progress; /* called now and then while the file is read; may be NULL */
    void *progress_ctx;
} md_baseline_opts;

typedef struct {
    int64_t rows, bad_rows, labeled;
    int64_t positives; /* labeled rows with label 1 */
    size_t numeric, categorical;
    int64_t violations;
    int64_t dropped_windows;
    bool parallel;                  /* two threads read the file */
    size_t spilled_values;          /* values past the memory budget, written to a temporary file */
    char first_bad[MD_ERR_MSG_MAX]; /* the first skipped row's message */
    /* categorical features with a value in nearly every row (an id column that is not
     * --id-col?): the first few, with their counts, and whether their values read as
     * timestamps (a timestamp column that is not --ts-col) */
    struct {
        char name[64];
        int64_t distinct, values;
        bool timestamps;
    } id_like[4];
    size_t nid_like;
    /* categorical features whose values are nearly all numbers (a stray '?' or '#N/A' in an
     * export, where a number was meant): the first few, with the texts that are not numbers
     * and their rows, the most frequent first */
    struct {
        char name[64];
        int64_t values, numbers;
        int64_t distinct_numbers; /* the categories among them that are numbers */
        struct {
            char text[24];
            int64_t rows;
        } stray[3];
        size_t nstray;
    } mostly_numbers[4];
    size_t nmostly_numbers;
} md_baseline_report;

#define MD_BASELINE_DEFAULT_SEED 20261001u

md_status md_baseline_build(md_store *s, const md_actor *actor, const char *model,
                            int64_t number, const char *path, const md_baseline_opts *opts,
                            md_baseline_report *rep, md_err *err);

/* Loads the baseline of MODEL vNUMBER. */
md_status md_baseline_get(md_store *s, const char *model, int64_t number, md_baseline *b,
                          md_err *err);

#endif
