/* The promote tests' fixture, shared by check_promote.c (four eyes, the gates and their
 * overrides) and check_rollback.c (rollback and compare): a store filled through the real engine
 * (baselines and ingests of generated scoring logs), its users, the requests that move a version
 * and what is read back after them. */
#ifndef MD_TEST_PROMOTE_FIXTURE_H
#define MD_TEST_PROMOTE_FIXTURE_H

#include <jansson.h>
#include <stdint.h>

#include "authz.h"
#include "promotions.h"
#include "store.h"

/* Set by pf_setup: operator olga, approvers ann and bob, oncall (operator and approver),
 * analyst ada, and admin (who created the store). */
extern md_actor pf_olga, pf_ann, pf_bob, pf_oncall, pf_ada, pf_admin;

/* The checked fixture of every promote and rollback test case. */
void pf_setup(void);
void pf_teardown(void);

/* ---- the world ---- */

/* Users of each kind; churn with v1 in production (a half-blind model) and v2 a better one;
 * both with a baseline and three daily windows. */
md_store *pf_world(void);
/* Seeds the generator of the scoring logs (pf_world seeds it with 7). */
void pf_seed(uint64_t seed);
/* A new version of churn (by olga); returns its number. */
int64_t pf_add_version(md_store *s);
/* A baseline for churn v`number` from a generated log of 3000 rows, by olga: the score is the
 * true probability except for a share `blind` of rows, where it is the base rate. */
void pf_baseline(md_store *s, int64_t number, double blind);
/* Sets churn's policy override to `json` (by admin, via a file). */
void pf_write_policy(md_store *s, const char *json);

/* ---- requests ---- */

/* A request by `a` to move churn v`number` to `to`; returns its id. */
int64_t pf_request(md_store *s, const md_actor *a, int64_t number, const char *to);
/* `a` approves request `id`, without overrides. */
md_status pf_approve(md_store *s, const md_actor *a, int64_t id, md_decision *d, md_err *err);
/* Olga asks, Ann and Bob approve: the version must reach `to`. Returns the request's id. */
int64_t pf_promote(md_store *s, int64_t number, const char *to);

/* ---- reading back ---- */

/* The status of churn v`number` (a static buffer, one of four used in turn). */
const char *pf_status_of(md_store *s, int64_t number);
/* How many approvals request `id` has. */
int64_t pf_count_approvals(md_store *s, int64_t id);
/* How many audit rows have `action`. */
int64_t pf_audit_count(md_store *s, const char *action);
/* Fails the test unless the audit chain verifies. */
void pf_expect_chain_ok(md_store *s);
/* The row of gate `gate` in a gate table (fails the test when there is none). */
json_t *pf_gate_row(json_t *table, const char *gate);

#endif
