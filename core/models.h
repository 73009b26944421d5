/* The registry's models: what each model is for, who owns it and where its predictions go.
 *
 * Why: an operator paged at night needs, in one place, the integration point the model feeds
 * (e.g. "CDP segment high_churn_risk"), how it is deployed, its latency SLA and what happens when
 * it is switched off (the fallback). Names are slugs so they work as identifiers everywhere. */
#ifndef MD_MODELS_H
#define MD_MODELS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "authz.h"

#define MD_PATTERNS(X)                                                                             \
    X(BATCH, "batch", "scored on a schedule, e.g. a nightly audience refresh")                     \
    X(REALTIME, "realtime", "scored per request, under a latency SLA")                             \
    X(HYBRID, "hybrid", "batch scores refreshed in real time")

#define MD_FALLBACKS(X)                                                                            \
    X(RULES, "rules", "fall back to business rules")                                               \
    X(LAST_GOOD, "last-good", "fall back to the last good version")                               \
    X(SUPPRESS, "suppress", "suppress the decision")

/* True when `name` is one of the X-macro list's names. */
bool md_pattern_valid(const char *name);
bool md_fallback_valid(const char *name);

typedef struct {
    int64_t id;
    char *name;
    char *use_case;
    char *owner;
    char *description;
    char *integration;
    char *pattern;
    char *fallback;
    bool has_sla;
    int64_t sla_ms;
    char *created_at;
    char *created_by;
    char *updated_at;
    int64_t production_version; /* 0: none */
    char *production_since;     /* when the production version got there; NULL: none */
    char *serving;              /* "model", or the fallback in use after a rollback --fallback */
    int64_t version_count;
} md_model;

/* For add: name, use_case and owner are required; NULL optional fields take defaults.
 * For edit: NULL fields stay unchanged; sla: 0 unchanged, 1 set to sla_ms, -1 clear. */
typedef struct {
    const char *name;
    const char *use_case;
    const char *owner;
    const char *description;
    const char *integration;
    const char *pattern;
    const char *fallback;
    int sla;
    int64_t sla_ms;
} md_model_spec;

md_status md_model_add(md_store *s, const md_actor *actor, const md_model_spec *spec,
                       const char *reason, md_err *err);
/* What a changed SLA did to the latency figures stored with a model's windows. */
typedef struct {
    int64_t windows; /* stored windows with latencies, read again */
    int64_t changed; /* of them, those whose over_sla (or its bound) changed */
    int64_t noted;   /* unresolved latency incidents citing a changed share: one note each */
} md_sla_restated;

/* *changed (if not NULL) tells whether anything differed; an edit that changes nothing
 * writes nothing. An edit that changes the SLA gives the model's stored windows their share
 * over it (md_latency_restate), in the same transaction, and tells in *restated (if not NULL;
 * zeros when the SLA did not change). */
md_status md_model_edit(md_store *s, const md_actor *actor, const char *name,
                        const md_model_spec *changes, const char *reason, bool *changed,
                        md_sla_restated *restated, md_err *err);

/* Gives each stored window of model `model_id` that has latencies its share over the SLA
 * (none when !has_sla) from the window's stored parts, as an ingest would compute it now
 * (core/latency_restate.c; inside the caller's write transaction). A latency incident not
 * resolved whose evidence from those windows holds another share gets one note by `actor`
 * listing them (its evidence is from before; `evaluate` applies the rules again). */
md_status md_latency_restate(md_store *s, const char *actor, int64_t model_id, bool has_sla,
                             int64_t sla_ms, md_sla_restated *out, md_err *err);

md_status md_model_get(md_store *s, const char *name, md_model *out, md_err *err);
md_status md_model_list(md_store *s, md_model **models, size_t *n, md_err *err);
void md_model_free(md_model *m);
void md_models_free(md_model *models, size_t n);

json_t *md_model_json(const md_model *m);

/* Validation shared with other modules: a text field that must be valid UTF-8 and at most
 * `max` bytes (`required`: non-blank). */
md_status md_check_text(const char *field, const char *value, size_t max, bool required,
                        md_err *err);
/* A reason, when given: valid UTF-8, at most 2048 bytes. */
md_status md_check_text_reason(const char *reason, md_err *err);

#endif
