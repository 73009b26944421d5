/* What the console's screens read: the registry at a glance, a version's drift as a grid, the
 * versions of a model with their evidence, the header's counts.
 *
 * Why: a screen must come up in milliseconds on a store with thousands of versions and a model
 * with 300 features over a year of windows. These reads return flat C arrays built by one query
 * each (no JSON in between), and keep every SQL statement in core. */
#ifndef MD_OVERVIEW_H
#define MD_OVERVIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"
#include "store.h"

/* One model on the registry screen. Optional numbers carry has_* flags. */
typedef struct {
    char *name, *use_case, *owner, *pattern, *fallback, *serving;
    int64_t production;   /* the production version's number, 0 when none */
    int64_t versions;     /* how many versions */
    char *drift;          /* worst drift status in the production version's latest window, or NULL */
    char *last_window;    /* that window's key, or NULL */
    char *perf_window;    /* the latest window with ΔAUC or ECE (labels lag), or NULL */
    bool has_delta_auc, has_ece;
    double delta_auc, ece;                  /* of perf_window */
    int64_t open_incidents, worst_severity; /* the queue's (not resolved, not snoozed), and
                                             * its worst: 1..4 (P1..P4), 0 when none */
    char *last_deploy;    /* when a version last entered production, or NULL */
    int64_t pending;      /* pending promotion requests */
} md_model_row;

md_status md_overview_models(md_store *s, md_model_row **rows, size_t *n, md_err *err);
void md_model_rows_free(md_model_row *rows, size_t n);

/* One version on the model screen: stage and the evidence the gates read. */
typedef struct {
    int64_t number;
    char *status, *created_at, *created_by, *status_at;
    bool has_share;
    double share;
    bool has_auc, has_delta_auc, has_ece, has_max_psi;
    double auc, delta_auc, ece, max_psi; /* means over the version's latest `evidence` windows
                                            (max_psi: the largest); none without windows */
    int evidence;                        /* the policy's promotion.evidence_windows */
    int64_t windows;
    bool baseline;
    bool has_base_auc;
    double base_auc;          /* the baseline's (holdout) AUC, kept apart from the windows' */
    int64_t request;          /* its oldest pending request's id, 0 when none */
    int64_t approvals, required; /* of that request */
    int64_t pending;             /* its pending requests (to staging and to production, say) */
} md_version_row;

md_status md_overview_versions(md_store *s, const char *model, md_version_row **rows, size_t *n,
                               md_err *err);
void md_version_rows_free(md_version_row *rows, size_t n);

/* The drift of one version as a grid: features (rows) by windows (columns). Values are NaN
 * where the metric is null; status is 0 ok, 1 warn, 2 alert, -1 no cell. */
#define MD_GRID_METRICS(X)                                                                         \
    X(PSI, "psi", "PSI")                                                                           \
    X(KS, "ks", "KS D")                                                                            \
    X(MISSING, "missing", "missing Δ")                                                             \
    X(SCHEMA, "schema", "schema changes")

typedef enum {
#define MD_X(id, name, title) MD_GRID_##id,
    MD_GRID_METRICS(MD_X)
#undef MD_X
    MD_GRID_METRIC_COUNT
} md_grid_metric;

const char *md_grid_metric_name(md_grid_metric m);
const char *md_grid_metric_title(md_grid_metric m);

typedef struct {
    int64_t version;
    char **features; /* nf */
    char **windows;  /* nw, oldest first */
    size_t nf, nw;
    double *value[MD_GRID_METRIC_COUNT]; /* nf * nw each, [f * nw + w] */
    signed char *status;                 /* nf * nw */
    int64_t *present;                    /* nf * nw: the values PSI and KS are over (-1: none) */
    /* nf * nw: the level each test gives the cell's figures under the model's policy in force,
     * two bits per test (md_grid_level): the status is the worst of them, and those at the
     * status's level are what made a warn or alert cell so, whatever the metric shown. */
    uint16_t *levels;
} md_grid;

/* The level test t gives cell `cell` (f * nw + w). */
static inline md_level md_grid_level(const md_grid *g, size_t cell, md_drift_test t)
{
    return (md_level)((g->levels[cell] >> (2 * (int)t)) & 3);
}

/* `number` 0: the production version. */
md_status md_overview_grid(md_store *s, const char *model, int64_t number, md_grid *g,
                           md_err *err);
void md_grid_free(md_grid *g);

/* The header's counts: active, not snoozed incidents by severity (P1..P4 in [1..4]), pending
 * promotion requests, and the store's change counter (PRAGMA data_version: it moves when
 * another connection commits). */
typedef struct {
    int64_t incidents[5];
    int64_t pending;
} md_header_counts;

md_status md_overview_header(md_store *s, md_header_counts *c, md_err *err);

/* When what the store shows next changes with no write to it (ms since the epoch, by the
 * store's clock; 0 when nothing is due): the first snooze of an active incident to run out, or
 * the first pending request to expire. A console open that long reads the store again then. */
md_status md_overview_next_change(md_store *s, int64_t *at_ms, md_err *err);
/* (the store's change counter is md_store_data_version in store.h) */

#endif
