/* The streaming pass of an ingest: a scoring log into per-window sufficient statistics.
 *
 * Why: this is the hot loop of modeldeck. Rows are read once; numeric features go through in
 * batches, one feature at a time, so each feature's sample values and counters stay in cache;
 * and two threads count the file's pieces as the file hash reads them (one read of the file
 * for both: core/sha256.h), their windows merged at the end. A piece cut inside a quoted CSV
 * field fails to read (its last record runs into its end), and the pass then starts over on
 * one thread, as it does when a piece meets any bad row, so that every message names the
 * right line. */
#ifndef MD_PASS_H
#define MD_PASS_H

#include "logrows.h"
#include "rowsample.h"
#include "values.h"
#include "window.h"

typedef void (*md_progress_fn)(void *ctx, size_t done, size_t total);

typedef struct {
    const md_baseline *b;
    const md_read_opts *ro;
    md_window_kind window;
    md_progress_fn progress;
    void *progress_ctx;
    int threads; /* 0: as many as the machine has, at most 2 */
    size_t keys_in_memory; /* 0: MD_KEYS_IN_MEMORY (tests set it small to exercise spilling) */
    size_t split_min;      /* 0: files below 16 MiB are read by one thread (tests set it small) */
    const md_model_limits *lim; /* the SLA latencies are counted against (NULL: none) */
    /* the file's hash, started with md_file_hash_start_feed: two threads take its pieces (when
     * the file is worth two threads); NULL: one thread reads the file */
    struct md_file_hasher *feed;
} md_pass_config;

typedef struct {
    md_window *w; /* sorted by index */
    size_t nw;
    int64_t rows, labeled, bad_rows;
    char first_bad[MD_ERR_MSG_MAX];
    size_t bytes;  /* the file's size when it was opened */
    char **absent; /* baseline features whose column never appeared */
    size_t nabsent;
    char **new_columns; /* columns the baseline does not know */
    size_t nnew;
    bool parallel; /* two threads did the work */
    md_spill *spill; /* the windows' spilled keys; freed with the result */
    md_rowsample sample; /* the rows' identities, finished (md_rowsample.h) */
    bool label_column;   /* the file has the label column (either reader found it) */
    bool id_column;      /* rows have ids: the sample's identities name them by id */
} md_pass_result;

/* Labeled scores and latencies one thread keeps in memory before spilling sorted runs. */
#define MD_KEYS_IN_MEMORY (1u << 20)

md_status md_pass_run(const char *path, const md_pass_config *c, md_pass_result *out,
                      md_err *err);
void md_pass_result_free(md_pass_result *r);

#endif
