/* The special columns of a data file (timestamp, id, score, label, latency) and their checks.
 *
 * Why: a baseline and an ingest read rows by the same rules, and a bad row is reported the same
 * way: file, line, column and why. */
#ifndef MD_LOGROWS_H
#define MD_LOGROWS_H

#include <stdbool.h>
#include <stdint.h>

#include "profile.h"
#include "reader.h"

typedef struct {
    int64_t ts, id, score, label, latency; /* column index, or -1 */
    md_columns names;                      /* with the defaults filled in */
} md_colmap;

typedef struct {
    int64_t ts_ms;
    double score;
    bool has_label;
    int label;
    bool has_latency;
    double latency;
} md_rowvals;

/* Options shared by `baseline` and `ingest`. */
typedef struct {
    md_columns cols;    /* names; NULL takes the defaults ts, score, label */
    md_format format;
    int64_t max_bad_rows;
    double max_bad_share; /* > 0: bad rows allowed as a share of all (--max-bad-rows N%) */
    bool replace;
} md_read_opts;

/* Resolves role columns in the reader's current columns. `explicit_*` say whether the user
 * named them (a named column that is missing is an error; a default one may be absent).
 * `need_ts`: the timestamp column is required (ingest). */
md_status md_colmap_resolve(const md_reader *r, const md_columns *names, bool need_ts,
                            md_colmap *m, md_err *err);
/* Re-resolves after JSON Lines added columns (never fails; missing stays -1). */
void md_colmap_refresh(const md_reader *r, const md_columns *names, md_colmap *m);

/* Reads and checks the special columns of one record; the timestamp only with need_ts (an
 * ingest: a baseline does not use its timestamps, so any text there is fine). On a bad row
 * returns false with the column and the reason. */
bool md_row_read(const md_field *f, const md_colmap *m, bool need_ts, md_rowvals *out,
                 const char **bad_col, char *why, size_t cap);

/* The error of the bad row that --max-bad-rows does not allow (the n-th, over max) says so
 * after what was wrong with it (when max > 0: with none allowed, the row's error is enough). */
md_status md_over_bad_rows(md_err *err, int64_t n, int64_t max);
/* --max-bad-rows N%: once the file is read, bad rows over that share of its rows fail it. */
md_status md_bad_share_check(const md_read_opts *o, const char *path, int64_t good, int64_t bad,
                             const char *first_bad, md_err *err);

/* True when column i is one of the special columns. */
bool md_colmap_special(const md_colmap *m, int64_t i);

/* Default column names filled in. */
md_columns md_columns_defaults(const md_columns *given);

#endif
