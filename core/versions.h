/* The registry's versions: lineage, evaluation and the stage each version is in.
 *
 * Why: to approve, roll back or explain a model, people need to know exactly what a version
 * is (artifact and its SHA-256, training-data snapshot and its time range, code ref,
 * hyperparameters, threshold, evaluation metrics) and how it moved between stages (who, when,
 * why). The store itself enforces the legal stage moves and one production version per model.
 *
 * Stages: candidate -> staging -> production -> archived, plus challenger (with a traffic share),
 * shadow and rejected. Moves into staging or production, and out of production, belong to the
 * promotion and rollback workflows; md_version_mark covers the others. */
#ifndef MD_VERSIONS_H
#define MD_VERSIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "authz.h"

#define MD_VERSION_STATUSES(X)                                                                     \
    X(CANDIDATE, "candidate", "registered, not yet released")                                     \
    X(STAGING, "staging", "approved for staging")                                                  \
    X(PRODUCTION, "production", "serving decisions")                                               \
    X(ARCHIVED, "archived", "retired; may return to production by rollback")                       \
    X(CHALLENGER, "challenger", "serving a share of traffic beside the champion")                  \
    X(SHADOW, "shadow", "scoring beside the champion without acting")                              \
    X(REJECTED, "rejected", "turned down; final")

bool md_version_status_valid(const char *name);

typedef struct {
    int64_t id;
    char *model;
    int64_t number;
    char *status;
    bool has_share;
    double traffic_share;
    char *created_at;
    char *created_by;
    char *artifact_uri;
    char *artifact_sha256;
    char *data_uri;
    char *data_sha256;
    char *data_from;
    char *data_to;
    char *code_ref;
    char *params;  /* canonical JSON object text, or NULL */
    bool has_threshold;
    double threshold;
    char *metrics; /* canonical JSON object text, or NULL */
    char *notes;
    char *status_at;
} md_version;

typedef struct {
    const char *artifact_uri; /* required */
    const char *artifact_sha256;
    const char *data_uri;
    const char *data_sha256;
    const char *data_from; /* ISO-8601; stored normalized to UTC */
    const char *data_to;
    const char *code_ref;
    const char *params;  /* JSON object */
    const char *metrics; /* JSON object */
    const char *notes;
    bool has_threshold;
    double threshold;
} md_version_spec;

/* Registers the next version of `model` as a candidate; *number receives its number. */
md_status md_version_add(md_store *s, const md_actor *actor, const char *model,
                         const md_version_spec *spec, const char *reason, int64_t *number,
                         md_err *err);

/* Moves a version to challenger (share in (0,1]), shadow, rejected or archived. */
md_status md_version_mark(md_store *s, const md_actor *actor, const char *model, int64_t number,
                          const char *status, double share, const char *reason, md_err *err);

/* The marks `model` v`number` can take now, of challenger, shadow, rejected and archived, in
 * that order, by the rules md_version_mark applies (stage moves, production, a pending
 * request): *n of them into to[]. None: MD_REFUSED and why (a rejected version is final, an
 * archived one returns only to production by a rollback). */
md_status md_version_mark_targets(md_store *s, const char *model, int64_t number, const char *to[4],
                                  int *n, md_err *err);

md_status md_version_get(md_store *s, const char *model, int64_t number, md_version *out,
                         md_err *err);
md_status md_version_list(md_store *s, const char *model, md_version **out, size_t *n,
                          md_err *err);
void md_version_free(md_version *v);
void md_versions_free(md_version *v, size_t n);
json_t *md_version_json(const md_version *v);

typedef struct {
    int64_t number; /* the version */
    char *from;     /* NULL for the registration */
    char *to;
    char *at;
    char *actor;
    char *reason;
    char *action; /* what moved it: "mark", "promotion.execute", "rollback", ... */
    int64_t audit_seq;
} md_stage_event;

/* Stage history of one version (number > 0) or of every version of the model (number 0),
 * oldest first. */
md_status md_stage_history(md_store *s, const char *model, int64_t number, md_stage_event **out,
                           size_t *n, md_err *err);
void md_stage_events_free(md_stage_event *ev, size_t n);
json_t *md_stage_event_json(const md_stage_event *e);

#endif
