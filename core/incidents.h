/* Incidents: what the rules found in the windows, and what operators did about it.
 *
 * Why: an on-call operator needs one queue, deduplicated (one incident per model, kind and key
 * until it is resolved, new evidence appended to it), ordered by severity, with the evidence
 * behind each item and a lifecycle (open -> acknowledged -> resolved, plus snooze, assign and
 * notes) whose every step is audited and timed. Rules run inside the ingest's transaction, so an
 * ingest and the incidents it opens land together. */
#ifndef MD_INCIDENTS_H
#define MD_INCIDENTS_H

#include <jansson.h>
#include <stdbool.h>

#include "authz.h"
#include "policy.h"

#define MD_INCIDENT_KINDS(X)                                                                       \
    X(DRIFT, "drift", "Drift")                                                                     \
    X(SCHEMA, "schema", "Schema change")                                                           \
    X(CALIBRATION, "calibration", "Calibration drift")                                             \
    X(PERFORMANCE, "performance", "Performance drop")                                              \
    X(LATENCY, "latency", "Latency over the SLA")                                                  \
    X(DATA_QUALITY, "data_quality", "Missingness spike")

typedef enum {
#define MD_X(id, name, title) MD_INC_##id,
    MD_INCIDENT_KINDS(MD_X)
#undef MD_X
} md_incident_kind;

/* A window whose numbers an ingest --replace changed or took away: each incident not resolved
 * that holds evidence from it gets `note` (audited like any note), inside the caller's
 * transaction. */
md_status md_incidents_note_window(md_store *s, const char *actor, int64_t version_id,
                                   const char *kind, const char *window, const char *note,
                                   md_err *err);

/* The evidence one window of a version gives incidents of `incident_kind` ("latency") not
 * resolved: each row's incident and its figures (JSON text), by incident. */
typedef struct {
    int64_t incident;
    char *detail;
} md_evidence_ref;
md_status md_incidents_evidence_of_window(md_store *s, int64_t version_id, const char *kind,
                                          const char *window, const char *incident_kind,
                                          md_evidence_ref **out, size_t *n, md_err *err);
void md_evidence_refs_free(md_evidence_ref *e, size_t n);

/* A note on incident `id` by `actor`, audited, inside the caller's write transaction (no
 * permission check: the caller's own change is what the note tells of). */
md_status md_incident_note_as(md_store *s, const char *actor, int64_t id, const char *text,
                              md_err *err);

/* What one window of one version says, from a fresh computation or from the stored results. */
typedef struct {
    const char *feature;
    bool has_psi, has_ks;
    double psi, psi_null, ks, ks_p, missing_delta;
    double missing_pvalue; /* NaN: not known (results stored before it was kept) */
    double mix_pvalue;     /* categorical, the counts' exact test; NaN: numeric, or not known */
    int64_t present;       /* the window's values of the feature */
    int64_t schema_changes, violations;
} md_feature_facts;

typedef struct {
    int64_t model_id, version_id, version_number;
    const char *model;
    bool production;
    const char *window_kind, *window;
    bool has_ece, has_hl_p, has_delta, has_over_sla;
    double ece, hl_p, delta_auc, over_sla;
    int64_t labeled, positives;
    bool has_auc;
    double auc;
    md_feature_facts *f;
    size_t nf;
    /* the baseline's labeled rows and positives, for the error of the AUC the delta is
     * measured from (0 and 0: unknown; the window's own error is used alone) */
    int64_t base_labeled, base_positives;
    /* the Hosmer-Lemeshow p-value may decide: its chi-square holds (md_hl_adequate) */
    bool hl_adequate;
} md_window_facts;

/* Whether the Hosmer-Lemeshow statistic of these deciles (the "deciles" array of a window's
 * results) is near enough its chi-square to be tested: over the deciles it counts, every
 * expected count of positives and of negatives is at least 1, and four in five are at least
 * MD_CHI2_MIN_EXPECTED (Cochran). In small windows it is not, and its p-value runs low far
 * more often than it says (at 15 to 30 labeled rows, 3 to 5 times in 100 below 0.01 for a
 * calibrated model). */
bool md_hl_adequate(const json_t *deciles);

/* The calibration rule (incidents.calibration) over one window: ECE above ece_max over at
 * least ece_min_labeled labeled rows, or a Hosmer-Lemeshow p-value below hl_pvalue where its
 * chi-square holds. Each part says whether it could decide, so that a screen can say why a
 * high ECE or a low p-value opened nothing. */
typedef struct {
    bool has_ece, has_hl_p;
    double ece, hl_p;
    int64_t labeled;
    bool hl_adequate; /* md_hl_adequate of the window's deciles */
} md_calibration_figures;

typedef struct {
    bool ece_over;      /* ECE above ece_max */
    bool ece_counts;    /* over enough labeled rows for ECE to decide */
    bool hl_testable;   /* a p-value, and its chi-square holds */
    bool hl_low;        /* the p-value below hl_pvalue */
    bool miscalibrated; /* the rule opens (or adds to) a calibration incident */
} md_calibration_verdict;

md_calibration_verdict md_calibration_rule(const md_incident_policy *ip,
                                           const md_calibration_figures *f);

/* What a run of the rules did: incidents opened, incidents already open that got evidence
 * (each counted once however many windows it got), escalations. touched: the incidents seen so
 * far, for counting each once (md_incident_tally_free). */
typedef struct {
    int opened, updated, escalated;
    int64_t *touched;
    size_t ntouched;
    int64_t *raised; /* the incidents the window being applied raised again */
    size_t nraised;
} md_incident_tally;

void md_incident_tally_free(md_incident_tally *t);

/* Applies the rules to one window (inside the caller's write transaction). */
md_status md_incidents_apply(md_store *s, const char *actor, const md_window_facts *w,
                             const md_policy *p, md_incident_tally *t, md_err *err);

/* Re-runs the rules over every stored window of `model` (NULL: every model). */
md_status md_incidents_evaluate(md_store *s, const md_actor *actor, const char *model,
                                md_incident_tally *t, md_err *err);

/* Why evidence of an incident of this kind met its rule, under policy p (core/incidents_why.c):
 * the figures and the thresholds they crossed, one line. */
void md_incident_why(const char *kind, const json_t *detail, const md_policy *p, char *out,
                     size_t cap);

md_status md_incident_ack(md_store *s, const md_actor *a, int64_t id, const char *reason,
                          md_err *err);
md_status md_incident_assign(md_store *s, const md_actor *a, int64_t id, const char *user,
                             const char *reason, md_err *err);
md_status md_incident_snooze(md_store *s, const md_actor *a, int64_t id, const char *until,
                             const char *reason, md_err *err);
md_status md_incident_resolve(md_store *s, const md_actor *a, int64_t id, const char *reason,
                              md_err *err);
md_status md_incident_note(md_store *s, const md_actor *a, int64_t id, const char *text,
                           md_err *err);

typedef struct {
    const char *model;    /* NULL: all */
    const char *state;    /* "open", "acknowledged", "resolved", "active" (not resolved), "all" */
    const char *severity; /* "P1".."P4" or NULL */
    const char *assignee; /* NULL: anyone */
    bool include_snoozed;
} md_incident_filter;

/* One incident as the queue lists it. Strings are borrowed, valid during the callback only, and
 * NULL when absent; version is 0 when the incident is on the model as a whole. */
typedef struct {
    int64_t id, version, evidence_count;
    const char *model, *kind, *key, *severity, *state, *title;
    const char *opened_at, *acked_at, *acked_by, *resolved_at, *resolved_by;
    const char *assignee, *snoozed_until, *last_evidence_at;
    bool snoozed; /* snoozed_until is still ahead of the store's clock */
} md_incident_row;

/* Return non-zero to stop. */
typedef int (*md_incident_fn)(void *ctx, const md_incident_row *r);

/* The incidents `f` keeps, by severity, then age, one at a time: a queue of any length is read
 * without holding it. */
md_status md_incidents_each(md_store *s, const md_incident_filter *f, md_incident_fn fn,
                            void *ctx, md_err *err);
/* The same as a JSON array. */
md_status md_incidents_list(md_store *s, const md_incident_filter *f, json_t **out, md_err *err);
/* One incident with its evidence and notes. */
md_status md_incident_show(md_store *s, int64_t id, json_t **out, md_err *err);
/* Counts of active, not snoozed incidents by severity: P1..P4 in out[1..4]. */
md_status md_incident_counts(md_store *s, int64_t out[5], md_err *err);

#endif
