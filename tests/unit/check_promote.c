/* promote: four eyes, gates and their overrides, on a store filled through the real engine
 * (baselines and ingests of generated scoring logs; promote_fixture.h). Rollback and compare:
 * check_rollback.c. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incidents.h"
#include "models.h"
#include "ops.h"
#include "overview.h"
#include "policies.h"
#include "promote_fixture.h"
#include "promotions.h"
#include "testutil.h"
#include "versions.h"

/* ---- four eyes ------------------------------------------------------------------------------- */

START_TEST(requester_cannot_decide)
{
    md_store *s = pf_world();
    int64_t id = pf_request(s, &pf_oncall, 2, "production"); /* oncall is operator and approver */
    char *before = tu_snapshot(s);
    md_decision d;
    md_err err;
    ck_assert_int_eq(pf_approve(s, &pf_oncall, id, &d, &err), MD_REFUSED);
    ck_assert_ptr_nonnull(strstr(err.msg, "four eyes"));
    ck_assert_int_eq(md_request_reject(s, &pf_oncall, id, "no", &err), MD_REFUSED);
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    ck_assert_int_eq(pf_count_approvals(s, id), 0);
    ck_assert_str_eq(pf_status_of(s, 2), "candidate");
    md_store_close(s);
}
END_TEST

START_TEST(one_approver_counts_once)
{
    md_store *s = pf_world();
    int64_t id = pf_request(s, &pf_olga, 2, "production");
    md_decision d;
    md_err err;
    ck_assert_int_eq(pf_approve(s, &pf_ann, id, &d, &err), MD_OK);
    ck_assert_int_eq(d.approvals, 1);
    ck_assert_int_eq(d.required, 2);
    ck_assert(!d.executed);
    ck_assert_int_eq(pf_approve(s, &pf_ann, id, &d, &err), MD_REFUSED);
    ck_assert_ptr_nonnull(strstr(err.msg, "counts once"));
    ck_assert_int_eq(md_request_reject(s, &pf_ann, id, "changed my mind", &err), MD_REFUSED);
    ck_assert_int_eq(pf_count_approvals(s, id), 1);
    ck_assert_str_eq(pf_status_of(s, 2), "candidate");

    ck_assert_int_eq(pf_approve(s, &pf_bob, id, &d, &err), MD_OK);
    ck_assert_int_eq(d.approvals, 2);
    ck_assert(d.executed);
    ck_assert_str_eq(pf_status_of(s, 2), "production");
    ck_assert_str_eq(pf_status_of(s, 1), "archived");
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM requests WHERE state = 'executed' AND"
                                 " gates_at_execution IS NOT NULL AND gates_at_request IS NOT NULL"
                                 " AND decided_at IS NOT NULL"),
                     2);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM stage_history h JOIN versions v ON"
                                 " v.id = h.version_id WHERE v.number = 2 AND h.actor = 'bob' AND"
                                 " h.to_status = 'production' AND h.action = 'promotion.execute'"),
                     1);
    int64_t good;
    ck_assert_int_eq(md_last_good(s, "churn", &good, &err), MD_OK);
    ck_assert_int_eq(good, 1);
    pf_expect_chain_ok(s);
    md_store_close(s);
}
END_TEST

START_TEST(roles_decide_who_may)
{
    md_store *s = pf_world();
    int64_t id = pf_request(s, &pf_olga, 2, "production");
    char *before = tu_snapshot(s);
    md_decision d;
    md_err err;
    int64_t other;
    json_t *gates;
    /* an operator cannot approve, an approver or an analyst cannot ask */
    ck_assert_int_eq(pf_approve(s, &pf_olga, id, &d, &err), MD_REFUSED);
    ck_assert_ptr_nonnull(strstr(err.msg, "approver"));
    ck_assert_int_eq(md_request_reject(s, &pf_ada, id, "no", &err), MD_REFUSED);
    ck_assert_int_eq(
        md_promote_request(s, &pf_ann, "churn", 2, "staging", "r", &other, &gates, &err),
        MD_REFUSED);
    ck_assert_int_eq(
        md_promote_request(s, &pf_ada, "churn", 2, "staging", "r", &other, &gates, &err),
        MD_REFUSED);
    /* a second request for the same move while one is pending */
    ck_assert_int_eq(
        md_promote_request(s, &pf_oncall, "churn", 2, "production", "r", &other, &gates, &err),
        MD_ERROR);
    ck_assert_ptr_nonnull(strstr(err.msg, "already pending"));
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    /* an admin may approve */
    ck_assert_int_eq(pf_approve(s, &pf_admin, id, &d, &err), MD_OK);
    ck_assert_int_eq(d.approvals, 1);
    md_store_close(s);
}
END_TEST

/* The moves a console offers for a version are those md_promote_request takes: none already
 * asked, none from production; each offered one is taken. */
START_TEST(promote_targets_are_the_moves_taken)
{
    md_store *s = pf_world();
    const char *to[2];
    int n;
    char why[256];
    md_err err;
    ck_assert_int_eq(md_promote_targets(s, "churn", 2, to, &n, why, &err), MD_OK);
    ck_assert_int_eq(n, 2);
    pf_request(s, &pf_olga, 2, "production");
    ck_assert_int_eq(md_promote_targets(s, "churn", 2, to, &n, why, &err), MD_OK);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(to[0], "staging");
    pf_request(s, &pf_olga, 2, "staging"); /* taken, as offered */
    ck_assert_int_eq(md_promote_targets(s, "churn", 2, to, &n, why, &err), MD_OK);
    ck_assert_int_eq(n, 0);
    ck_assert_msg(strstr(why, "for the move to production is already pending"), "%s", why);
    ck_assert_int_eq(md_promote_targets(s, "churn", 1, to, &n, why, &err), MD_OK);
    ck_assert_int_eq(n, 0); /* v1 serves: nowhere to be promoted */
    ck_assert_msg(strstr(why, "is already production"), "%s", why);
    int64_t id;
    json_t *gates;
    ck_assert_int_ne(
        md_promote_request(s, &pf_olga, "churn", 1, "production", "again", &id, &gates, &err),
        MD_OK);
    md_store_close(s);
}
END_TEST

START_TEST(staging_needs_one_approval)
{
    md_store *s = pf_world();
    int64_t id = pf_request(s, &pf_olga, 2, "staging");
    md_decision d;
    md_err err;
    ck_assert_int_eq(pf_approve(s, &pf_ann, id, &d, &err), MD_OK);
    ck_assert_int_eq(d.required, 1);
    ck_assert(d.executed);
    ck_assert_str_eq(pf_status_of(s, 2), "staging");
    ck_assert_str_eq(pf_status_of(s, 1), "production");
    md_store_close(s);
}
END_TEST

/* A version with a pending request is not archived or rejected (the request, approved, would
 * put it on its stage): refused with the request named, nothing written; once the request is
 * rejected, the mark goes through. A shadow mark is no retirement and goes through. */
START_TEST(a_version_with_a_pending_request_is_not_retired)
{
    md_store *s = pf_world();
    int64_t id = pf_request(s, &pf_olga, 2, "production");
    md_err err;
    char *before = tu_snapshot(s);
    const char *retire[] = {"archived", "rejected"};
    for (size_t i = 0; i < 2; i++) {
        ck_assert_int_eq(md_version_mark(s, &pf_olga, "churn", 2, retire[i], 0, "old", &err),
                         MD_REFUSED);
        char want[96];
        snprintf(want, sizeof want, "churn v2 has a pending promotion request (#%lld)",
                 (long long)id);
        ck_assert_msg(strstr(err.msg, want), "%s", err.msg);
    }
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    /* the console offers neither */
    const char *to[4];
    int n;
    ck_assert_int_eq(md_version_mark_targets(s, "churn", 2, to, &n, &err), MD_OK);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(to[0], "challenger");
    ck_assert_str_eq(to[1], "shadow");
    ck_assert_int_eq(md_version_mark(s, &pf_olga, "churn", 2, "shadow", 0, "watch it", &err),
                     MD_OK);
    ck_assert_int_eq(md_request_reject(s, &pf_ann, id, "not this one", &err), MD_OK);
    ck_assert_int_eq(md_version_mark(s, &pf_olga, "churn", 2, "archived", 0, "old", &err), MD_OK);
    ck_assert_str_eq(pf_status_of(s, 2), "archived");
    md_store_close(s);
}
END_TEST

/* A requester who asked for the wrong move withdraws it (four eyes keep them from rejecting it):
 * with a reason, audited, the approvals so far void, the move free to be asked again. Nobody
 * else but an admin may; only a pending request can be; a refusal writes nothing. */
START_TEST(a_requester_withdraws_a_pending_request)
{
    md_store *s = pf_world();
    int64_t id = pf_request(s, &pf_olga, 2, "production");
    md_decision d;
    md_err err;
    ck_assert_int_eq(pf_approve(s, &pf_ann, id, &d, &err), MD_OK);
    char *before = tu_snapshot(s);
    ck_assert_int_eq(md_request_withdraw(s, &pf_olga, id, "", &err), MD_INVALID);
    ck_assert_int_eq(md_request_withdraw(s, &pf_oncall, id, "not mine to keep", &err), MD_REFUSED);
    ck_assert_msg(strstr(err.msg, "only olga, who asked, or an admin may withdraw request"), "%s",
                  err.msg);
    ck_assert_int_eq(md_request_withdraw(s, &pf_ann, id, "an approver's", &err), MD_REFUSED);
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    ck_assert_int_eq(md_request_withdraw(s, &pf_olga, id, "v3 is the one to ship", &err), MD_OK);
    json_t *r;
    ck_assert_int_eq(md_request_show(s, id, &r, &err), MD_OK);
    ck_assert_str_eq(json_string_value(json_object_get(r, "state")), "withdrawn");
    ck_assert_str_eq(json_string_value(json_object_get(r, "withdrawn_by")), "olga");
    ck_assert_str_eq(json_string_value(json_object_get(r, "withdraw_reason")),
                     "v3 is the one to ship");
    ck_assert_ptr_nonnull(json_string_value(json_object_get(r, "decided_at")));
    json_decref(r);
    ck_assert_int_eq(pf_audit_count(s, "promotion.withdraw"), 1);
    char q[200];
    snprintf(q, sizeof q,
             "SELECT count(*) FROM audit WHERE action = 'promotion.withdraw' AND actor = 'olga'"
             " AND object = 'request:%lld' AND reason = 'v3 is the one to ship'",
             (long long)id);
    ck_assert_int_eq(tu_count(s, q), 1);
    ck_assert_str_eq(pf_status_of(s, 2), "candidate");
    /* closed: no decision, no second withdrawal */
    ck_assert_int_eq(pf_approve(s, &pf_bob, id, &d, &err), MD_ERROR);
    ck_assert_msg(strstr(err.msg, "is withdrawn, not pending"), "%s", err.msg);
    ck_assert_int_eq(md_request_withdraw(s, &pf_olga, id, "again", &err), MD_ERROR);
    /* the move is free again, and an admin may withdraw anyone's request */
    const char *to[2];
    int n;
    char why[256];
    ck_assert_int_eq(md_promote_targets(s, "churn", 2, to, &n, why, &err), MD_OK);
    ck_assert_int_eq(n, 2);
    int64_t again = pf_request(s, &pf_olga, 2, "production");
    ck_assert_int_eq(md_request_withdraw(s, &pf_admin, again, "olga is away; asked anew", &err),
                     MD_OK);
    /* an expired request is past withdrawing */
    int64_t late = pf_request(s, &pf_olga, 2, "production");
    md_store_set_now(s, md_store_now_ms(s) + 72LL * 3600 * 1000);
    ck_assert_int_eq(md_request_withdraw(s, &pf_olga, late, "too late", &err), MD_REFUSED);
    ck_assert_msg(strstr(err.msg, "expired"), "%s", err.msg);
    ck_assert_int_eq(pf_audit_count(s, "promotion.withdraw"), 2);
    pf_expect_chain_ok(s);
    md_store_close(s);
}
END_TEST

START_TEST(rejection_is_final_and_expiry_closes)
{
    md_store *s = pf_world();
    int64_t id = pf_request(s, &pf_olga, 2, "production");
    md_decision d;
    md_err err;
    ck_assert_int_eq(md_request_reject(s, &pf_ann, id, "", &err), MD_INVALID);
    ck_assert_int_eq(md_request_reject(s, &pf_ann, id, "ECE too high for the CRM team", &err),
                     MD_OK);
    ck_assert_int_eq(pf_approve(s, &pf_bob, id, &d, &err), MD_ERROR);
    ck_assert_ptr_nonnull(strstr(err.msg, "rejected"));
    ck_assert_str_eq(pf_status_of(s, 2), "candidate");

    /* a new request expires after the policy's 72 hours */
    id = pf_request(s, &pf_olga, 2, "production");
    ck_assert_int_eq(pf_approve(s, &pf_ann, id, &d, &err), MD_OK);
    int64_t due; /* when a console open till then shows it expired */
    ck_assert_int_eq(md_overview_next_change(s, &due, &err), MD_OK);
    ck_assert_int_gt(due, md_store_now_ms(s) + 72LL * 3600 * 1000 - 60000);
    ck_assert_int_le(due, md_store_now_ms(s) + 72LL * 3600 * 1000);
    md_store_set_now(s, md_store_now_ms(s) + 72LL * 3600 * 1000);
    ck_assert_int_eq(md_overview_next_change(s, &due, &err), MD_OK);
    ck_assert_int_eq(due, 0);
    char *before = tu_snapshot(s);
    ck_assert_int_ne(pf_approve(s, &pf_bob, id, &d, &err), MD_OK);
    ck_assert_ptr_nonnull(strstr(err.msg, "expired"));
    /* a refused or failed decision writes nothing, not even the expiry */
    ck_assert_int_eq(pf_approve(s, &pf_ada, id, &d, &err), MD_REFUSED);
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    json_t *r;
    ck_assert_int_eq(md_request_show(s, id, &r, &err), MD_OK);
    ck_assert_str_eq(json_string_value(json_object_get(r, "state")), "expired");
    json_decref(r);
    int n;
    ck_assert_int_eq(md_requests_expire(s, &pf_olga, &n, &err), MD_OK);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM requests WHERE state = 'expired'"), 1);
    ck_assert_int_eq(pf_audit_count(s, "promotion.expire"), 1);
    ck_assert_str_eq(pf_status_of(s, 2), "candidate");
    pf_expect_chain_ok(s);
    md_store_close(s);
}
END_TEST

/* ---- gates ----------------------------------------------------------------------------------- */

/* Opens a P1 on churn: three features drifting on a production window. */
static void open_p1(md_store *s)
{
    md_policy p;
    md_err err;
    ck_assert_int_eq(md_policy_load(s, "churn", &p, &err), MD_OK);
    md_feature_facts f[3] = {
        {.feature = "x", .has_psi = true, .psi = 0.9, .psi_null = 0.01, .present = 500},
        {.feature = "z", .has_psi = true, .psi = 0.8, .psi_null = 0.01, .present = 500},
        {.feature = "ch", .has_psi = true, .psi = 0.7, .psi_null = 0.01, .present = 500},
    };
    md_window_facts w = {.model_id = 1,
                         .version_id = 1,
                         .version_number = 1,
                         .model = "churn",
                         .production = true,
                         .window_kind = "day",
                         .window = "2026-10-05",
                         .f = f,
                         .nf = 3};
    md_incident_tally t = {0};
    ck_assert_int_eq(md_tx_begin(s, &err), MD_OK);
    ck_assert_int_eq(md_incidents_apply(s, "olga", &w, &p, &t, &err), MD_OK);
    ck_assert_int_eq(md_tx_commit(s, &err), MD_OK);
    md_policy_free(&p);
    md_incident_tally_free(&t);
    ck_assert_int_eq(t.opened, 3);
}

typedef struct {
    const char *gate, *policy; /* the override that makes it fail (or NULL) */
    bool p1, no_baseline;
    const char *result; /* what the gate reads: "fail" or "n/a" */
} gate_case;

static const gate_case gate_cases[] = {
    {"delta_auc", "{\"promotion\": {\"gates\": {\"delta_auc\": {\"min\": 0.5}}}}", false, false,
     "fail"},
    {"max_psi", "{\"promotion\": {\"gates\": {\"max_psi\": {\"max\": 0}}}}", false, false, "fail"},
    {"ece", "{\"promotion\": {\"gates\": {\"ece\": {\"max\": 0}}}}", false, false, "fail"},
    {"no_open_p1", NULL, true, false, "fail"},
    {"baseline_present", NULL, false, true, "n/a"},
};

START_TEST(each_failing_gate_blocks_until_overridden)
{
    const gate_case *gc = &gate_cases[_i];
    md_store *s = pf_world();
    int64_t number = 2;
    if (gc->policy)
        pf_write_policy(s, gc->policy);
    if (gc->p1)
        open_p1(s);
    if (gc->no_baseline)
        number = pf_add_version(s);
    int64_t id;
    json_t *gates;
    md_err err;
    ck_assert_int_eq(
        md_promote_request(s, &pf_olga, "churn", number, "production", "r", &id, &gates, &err),
        MD_OK);
    json_t *row = pf_gate_row(gates, gc->gate);
    ck_assert_str_eq(json_string_value(json_object_get(row, "result")), gc->result);
    ck_assert(json_is_true(json_object_get(row, "blocking")));
    /* only this gate blocks */
    json_t *g;
    size_t i;
    json_array_foreach(gates, i, g) if (g != row)
        ck_assert_msg(!json_is_true(json_object_get(g, "blocking")), "%s blocks too",
                      json_string_value(json_object_get(g, "gate")));
    json_decref(gates);

    md_decision d;
    ck_assert_int_eq(pf_approve(s, &pf_ann, id, &d, &err), MD_OK);
    ck_assert_int_eq(pf_approve(s, &pf_bob, id, &d, &err), MD_OK);
    ck_assert(!d.executed);
    ck_assert_str_eq(d.blocking, gc->gate);
    ck_assert_str_eq(pf_status_of(s, number), "candidate");
    ck_assert_str_eq(pf_status_of(s, 1), "production");
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM requests WHERE state = 'pending' AND"
                                 " gates_at_execution IS NOT NULL"),
                     1);

    /* what an override would have to name now (the console's o), read without a write */
    char now[256];
    char *unread = tu_snapshot(s);
    ck_assert_int_eq(md_request_blocking_now(s, id, now, &err), MD_OK);
    ck_assert_str_eq(now, gc->gate);
    char *read = tu_snapshot(s);
    ck_assert_str_eq(unread, read);
    free(unread);
    free(read);

    /* an approver cannot override; an admin without a reason cannot either */
    const char *over[] = {gc->gate, NULL};
    char *before = tu_snapshot(s);
    ck_assert_int_eq(md_request_approve(s, &pf_ann, id, "go", over, "urgent", &d, &err),
                     MD_REFUSED);
    ck_assert_int_eq(md_request_approve(s, &pf_admin, id, "go", over, "", &d, &err), MD_INVALID);
    const char *bad[] = {"speed", NULL};
    ck_assert_int_eq(md_request_approve(s, &pf_admin, id, "go", bad, "urgent", &d, &err),
                     MD_INVALID);
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);

    /* the admin's override is recorded, audited, and the promotion goes through */
    ck_assert_int_eq(
        md_request_approve(s, &pf_admin, id, "go", over, "the campaign starts Monday", &d, &err),
        MD_OK);
    ck_assert_msg(d.executed, "still blocked by %s", d.blocking);
    ck_assert_str_eq(pf_status_of(s, number), "production");
    ck_assert_int_eq(pf_audit_count(s, "gate.override"), 1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit WHERE action = 'gate.override' AND"
                                 " actor = 'admin' AND reason = 'the campaign starts Monday'"),
                     1);
    json_t *shown;
    ck_assert_int_eq(md_version_overrides(s, "churn", number, &shown, &err), MD_OK);
    ck_assert_int_eq(json_array_size(shown), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(shown, 0), "gate")),
                     gc->gate);
    json_decref(shown);
    pf_expect_chain_ok(s);
    md_store_close(s);
}
END_TEST

START_TEST(not_available_blocks_only_where_the_policy_says)
{
    md_store *s = tu_store();
    tu_user(s, "olga", "operator");
    tu_user(s, "ann", "approver");
    tu_user(s, "bob", "approver");
    md_model_spec m = {.name = "churn", .use_case = "retention", .owner = "crm"};
    md_err err;
    ck_assert_int_eq(md_model_add(s, &pf_olga, &m, NULL, &err), MD_OK);
    pf_seed(9);
    pf_add_version(s);
    pf_baseline(s, 1, 0.2);
    /* no champion: delta_auc reads n/a, which does not block by default */
    int64_t id;
    json_t *gates;
    ck_assert_int_eq(md_promote_request(s, &pf_olga, "churn", 1, "staging", "r", &id, &gates, &err),
                     MD_OK);
    ck_assert_str_eq(json_string_value(json_object_get(pf_gate_row(gates, "delta_auc"), "result")),
                     "n/a");
    ck_assert(!json_is_true(json_object_get(pf_gate_row(gates, "delta_auc"), "blocking")));
    json_decref(gates);
    md_request_reject(s, &pf_ann, id, "wait", &err);
    pf_write_policy(s, "{\"promotion\": {\"gates\": {\"delta_auc\": {\"na_blocks\": true}}}}");
    id = pf_request(s, &pf_olga, 1, "staging");
    md_decision d;
    ck_assert_int_eq(pf_approve(s, &pf_ann, id, &d, &err), MD_OK);
    ck_assert(!d.executed);
    ck_assert_str_eq(d.blocking, "delta_auc");
    md_store_close(s);
}
END_TEST

START_TEST(gates_are_evaluated_again_at_execution)
{
    md_store *s = pf_world();
    int64_t id = pf_request(s, &pf_olga, 2, "production");
    md_decision d;
    md_err err;
    ck_assert_int_eq(pf_approve(s, &pf_ann, id, &d, &err), MD_OK);
    open_p1(s); /* after the request, before the last approval */
    ck_assert_int_eq(pf_approve(s, &pf_bob, id, &d, &err), MD_OK);
    ck_assert(!d.executed);
    ck_assert_str_eq(d.blocking, "no_open_p1");
    json_t *r;
    ck_assert_int_eq(md_request_show(s, id, &r, &err), MD_OK);
    json_t *at_req = json_object_get(r, "gates_at_request"),
           *at_exec = json_object_get(r, "gates_at_execution");
    ck_assert_str_eq(
        json_string_value(json_object_get(pf_gate_row(at_req, "no_open_p1"), "result")), "pass");
    ck_assert_str_eq(
        json_string_value(json_object_get(pf_gate_row(at_exec, "no_open_p1"), "result")), "fail");
    json_decref(r);
    /* the P1s resolved, an approver who already approved asks for the gates again */
    for (int64_t i = 1; i <= 3; i++)
        ck_assert_int_eq(md_incident_resolve(s, &pf_olga, i, "fixed upstream", &err), MD_OK);
    ck_assert_int_eq(pf_approve(s, &pf_bob, id, &d, &err), MD_OK);
    ck_assert(d.executed);
    ck_assert_int_eq(pf_count_approvals(s, id), 2);
    ck_assert_int_eq(pf_audit_count(s, "promotion.recheck"), 1);
    ck_assert_str_eq(pf_status_of(s, 2), "production");
    md_store_close(s);
}
END_TEST

Suite *suite_promote(void)
{
    Suite *s = suite_create("promote");
    TCase *tc = tcase_create("promote");
    tcase_add_checked_fixture(tc, pf_setup, pf_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, requester_cannot_decide);
    tcase_add_test(tc, one_approver_counts_once);
    tcase_add_test(tc, roles_decide_who_may);
    tcase_add_test(tc, staging_needs_one_approval);
    tcase_add_test(tc, promote_targets_are_the_moves_taken);
    tcase_add_test(tc, rejection_is_final_and_expiry_closes);
    tcase_add_test(tc, a_requester_withdraws_a_pending_request);
    tcase_add_test(tc, a_version_with_a_pending_request_is_not_retired);
    tcase_add_loop_test(tc, each_failing_gate_blocks_until_overridden, 0,
                        (int)(sizeof gate_cases / sizeof gate_cases[0]));
    tcase_add_test(tc, not_available_blocks_only_where_the_policy_says);
    tcase_add_test(tc, gates_are_evaluated_again_at_execution);
    suite_add_tcase(s, tc);
    return s;
}
