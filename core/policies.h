/* Policies in the store: the shipped defaults, and per-model overrides kept as revisions.
 *
 * Why: thresholds, gates, approvals and retrain backends differ between a nightly churn model
 * and a real-time next-best-action one, and who changed them, when and why matters as much as
 * any promotion. An override is a partial document merged over the defaults; it is checked as a
 * whole before it is stored, so a malformed policy never replaces a working one. */
#ifndef MD_POLICIES_H
#define MD_POLICIES_H

#include <jansson.h>

#include "authz.h"
#include "policy.h"

/* The effective document for `model` (NULL: the defaults) and its revision (0: defaults). */
md_status md_policy_document(md_store *s, const char *model, json_t **doc, int64_t *revision,
                             md_err *err);
/* The effective policy, parsed. */
md_status md_policy_load(md_store *s, const char *model, md_policy *out, md_err *err);
/* What a new policy did to the drift statuses stored with a model's windows: feature-window
 * statuses raised and lowered, and the windows they are in. */
typedef struct {
    int64_t raised, lowered, windows;
    int64_t examined; /* stored feature-windows read */
    /* drift.psi.null_quantile or min_rows changed: they shape figures an ingest stores (the
     * null's PSI, the small-window test), which the stored windows keep until recomputed */
    bool figures_kept;
} md_restatus;

/* Gives each stored feature-window of model `model_id` the status policy p gives its stored
 * figures, the reading `evaluate` makes of them (inside the caller's write transaction). */
md_status md_drift_restatus(md_store *s, int64_t model_id, const md_drift_policy *p,
                            md_restatus *out, md_err *err);

/* Stores the override in `path` for `model` as its next revision (admin), and gives the
 * model's stored drift statuses under it (md_drift_restatus; `changed` may be NULL). */
md_status md_policy_set(md_store *s, const md_actor *actor, const char *model, const char *path,
                        const char *reason, int64_t *revision, md_restatus *changed, md_err *err);

#endif
