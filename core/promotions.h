/* Promotion requests: gated, four-eyes, executed in the transaction of the last approval.
 *
 * Why: nothing reaches staging or production on one person's word or past a failing gate. A
 * request records the gates (delta AUC against the champion, the largest recent PSI, ECE, open
 * P1 incidents, a baseline) as they stood when it was made; approvers other than the requester
 * add their approval; when the policy's number is reached the gates are evaluated again and,
 * if none blocks (or an admin recorded an override), the stage move happens in the same
 * transaction as the last approval, with both gate tables kept. Requests expire after the TTL. */
#ifndef MD_PROMOTIONS_H
#define MD_PROMOTIONS_H

#include <jansson.h>

#include "authz.h"
#include "policy.h"

/* Evaluates the gates for moving version `vid` to `target` under policy `p`; gates overridden
 * in request `request_id` (0: none) pass. *table is the gate table (JSON array), *blocking
 * lists the blocking gates ("" when none). */
md_status md_gates_evaluate(md_store *s, int64_t vid, const char *target, const md_policy *p,
                            int64_t request_id, json_t **table, char blocking[256], md_err *err);

/* Creates a request; *id receives it and *gates its gate table (caller owns). */
md_status md_promote_request(md_store *s, const md_actor *a, const char *model, int64_t number,
                             const char *target, const char *reason, int64_t *id, json_t **gates,
                             md_err *err);

typedef struct {
    int approvals, required;
    bool executed;
    char blocking[256]; /* gates that stopped execution, "" when none */
} md_decision;

/* The stages MODEL vNUMBER may be asked to move to now (staging, production: those the registry
 * allows from its stage, without a live request for the same move), for a console to offer
 * only those; *n = 0 with `why` saying why each is not, when none is. */
md_status md_promote_targets(md_store *s, const char *model, int64_t number, const char *out[2],
                             int *n, char why[256], md_err *err);

/* Approves (approver); `overrides` names gates an admin overrides, with `override_reason`. */
md_status md_request_approve(md_store *s, const md_actor *a, int64_t id, const char *comment,
                             const char *const *overrides, const char *override_reason,
                             md_decision *out, md_err *err);
/* The gates that would block request `id` if its approvals were complete now (its recorded
 * overrides pass): "" when none. Reads only; what an admin's override would have to name. */
md_status md_request_blocking_now(md_store *s, int64_t id, char blocking[256], md_err *err);
md_status md_request_reject(md_store *s, const md_actor *a, int64_t id, const char *comment,
                            md_err *err);
/* Withdraws pending request `id` with a reason (required): state withdrawn, audited as
 * promotion.withdraw. Its requester may, who cannot decide it, or an admin; the move it asked
 * for may be asked again. */
md_status md_request_withdraw(md_store *s, const md_actor *a, int64_t id, const char *reason,
                              md_err *err);

/* Marks pending requests past their expiry as expired (audited). */
md_status md_requests_expire(md_store *s, const md_actor *a, int *expired, md_err *err);

md_status md_requests_list(md_store *s, const char *model, const char *state, json_t **out,
                           md_err *err);
md_status md_request_show(md_store *s, int64_t id, json_t **out, md_err *err);
/* The gate overrides ever recorded on MODEL vNUMBER: a JSON array of {gate, request, actor,
 * at, reason}, oldest first. */
md_status md_version_overrides(md_store *s, const char *model, int64_t number, json_t **out,
                               md_err *err);

#endif
