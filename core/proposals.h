/* Retrain proposals: what the policy's retrain rule opens, and an operator accepts or dismisses.
 *
 * Why apart from jobs: a proposal is a decision waiting for a person, made by the ingest's rules
 * inside its transaction; a job is the remote work that an accepted proposal (or an operator)
 * queues. */
#ifndef MD_PROPOSALS_H
#define MD_PROPOSALS_H

#include <jansson.h>
#include <stdbool.h>

#include "authz.h"
#include "policy.h"

/* The retrain rule over `model`'s production windows (inside the caller's transaction): opens a
 * proposal when it holds and none is open. *opened tells whether it did. */
md_status md_proposals_check(md_store *s, const char *actor, int64_t model_id, const char *model,
                             const md_policy *p, bool *opened, md_err *err);
md_status md_proposal_accept(md_store *s, const md_actor *a, int64_t id, const char *reason,
                             int64_t *job, md_err *err);
md_status md_proposal_dismiss(md_store *s, const md_actor *a, int64_t id, const char *reason,
                              md_err *err);
md_status md_proposals_list(md_store *s, const char *model, const char *state, json_t **out,
                            md_err *err);

#endif
