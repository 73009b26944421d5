/* Ingesting a scoring log: one streaming pass into windows, then one transaction.
 *
 * Why: this is what pipelines run on every scoring batch. The pass reads each row once and
 * keeps per window only sufficient statistics (memory depends on features x bins x windows);
 * the store sees nothing until the whole file has been read and checked, and then everything
 * (the ingest record, its parts, the recomputed windows, the audit row) lands in one
 * transaction or not at all. */
#ifndef MD_INGEST_H
#define MD_INGEST_H

#include "authz.h"
#include "logrows.h"
#include "pass.h"
#include "values.h"

typedef struct {
    md_read_opts read;
    md_window_kind window;
    bool window_unset;       /* no --window: the kind the version's windows have (else window) */
    md_progress_fn progress; /* called now and then during the pass; may be NULL */
    void *progress_ctx;
    int threads;            /* 0: up to 2, as the machine allows */
    size_t keys_in_memory;  /* 0: the default budget before spilling (see pass.h) */
    size_t split_min;       /* 0: the default size below which one thread reads the file */
    size_t piece;           /* 0: MD_FEED_PIECE, the bytes the file is read in for two threads */
    size_t windows_at_once; /* 0: the default number of windows made and stored at a time */
    const int64_t
        *replace_ids; /* --replace-ingest: these earlier ingests go, whatever their rows */
    size_t nreplace_ids;
} md_ingest_opts;

typedef struct {
    const char *source;
    int64_t ingest_id;
    int64_t rows, bad_rows, labeled;
    size_t windows;       /* windows this file touched */
    size_t recomputed;    /* windows whose results changed (with parts of other files) */
    size_t emptied;       /* windows a replacement left without rows (gone) */
    char first_window[20], last_window[20];
    size_t alerts, warns; /* drift rows by status over the touched windows */
    char sha256[65];
    bool replaced;             /* --replace dropped earlier ingests ... */
    int64_t *replaced_ids;     /* ... these ... */
    size_t nreplaced;
    bool replaced_by_rows;     /* ... holding this file's rows (else: of the same content) */
    char replaced_source[256]; /* ... read from this file ... */
    int64_t replaced_rows;     /* ... with this many rows in all */
    int64_t *kept_ids;         /* --replace kept these ingests of a file of the same name, whose
                                  rows are not this file's (yesterday's daily.csv) */
    size_t nkept;
    int64_t *shared_ids; /* earlier ingests that hold 10% or more of this file's rows, below the
                            rules (a rolling export): kept, both counted, and said */
    size_t nshared;
    bool parallel;
    int incidents_opened, incidents_updated;
    bool proposal_opened; /* the retrain rule now holds */
    char first_bad[MD_ERR_MSG_MAX];
    int64_t future_rows;    /* rows in windows starting more than a day after the store's clock */
    size_t future_windows;  /* ... and those windows (a timestamp column gone wrong) */
    int64_t epoch_rows;     /* rows dated in 1970: a missing timestamp written as 0? */
    char label_absent[128]; /* the label column, when the baseline had labels and the file has
                               no such column ("" otherwise) */
    char **absent;        /* baseline features missing from the file */
    size_t nabsent;
    char **new_columns;   /* columns the baseline does not know */
    size_t nnew;
    md_window_kind window; /* the windows' kind: given, or the version's (window_unset) */
} md_ingest_report;

md_status md_ingest(md_store *s, const md_actor *actor, const char *model, int64_t number,
                    const char *path, const md_ingest_opts *opts, md_ingest_report *rep,
                    md_err *err);
void md_ingest_report_free(md_ingest_report *rep);

#endif
