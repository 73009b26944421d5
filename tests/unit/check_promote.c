/* promote: four eyes, gates and their overrides, and rollback to the last good version, on a
 * store filled through the real engine (baselines and ingests of generated scoring logs). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "baseline.h"
#include "incidents.h"
#include "ingest.h"
#include "models.h"
#include "ops.h"
#include "overview.h"
#include "policies.h"
#include "promotions.h"
#include "scorecard.h"
#include "testutil.h"
#include "versions.h"

static md_actor olga, ann, bob, oncall, ada, admin;

static void setup(void)
{
    olga = tu_actor("olga");
    ann = tu_actor("ann");
    bob = tu_actor("bob");
    oncall = tu_actor("oncall");
    ada = tu_actor("ada");
    admin = tu_actor("admin");
}

static void teardown(void)
{
    tu_cleanup();
}

/* ---- a world -------------------------------------------------------------------------------- */

static uint64_t rng;
static double unif(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void)
{
    double z = 0;
    for (int i = 0; i < 12; i++)
        z += unif();
    return z - 6;
}

/* A scoring log: the label follows x; the score is the true probability, except for a share
 * `blind` of rows where the model knows nothing and says the base rate (0.5): calibrated
 * either way, with a lower AUC the blinder it is. z is a second numeric feature and ch a
 * category. Rows spread over `days` days from 2026-10-`day0`. */
static const char *log_file(const char *name, int n, int day0, int days, double blind)
{
    const char *path = tu_path(name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("ts,score,label,x,z,ch\n", f);
    static const char *const ch[] = {"email", "web", "app"};
    for (int i = 0; i < n; i++) {
        double x = gauss(), z = gauss();
        double p = 1 / (1 + exp(-1.5 * x));
        int y = unif() < p;
        double s = unif() < blind ? 0.5 : p;
        fprintf(f, "2026-10-%02dT%02d:%02d:00Z,%.4f,%d,%.4f,%.4f,%s\n", day0 + i % days, i % 24,
                i % 60, s, y, x, z, ch[(int)(unif() * 3)]);
    }
    fclose(f);
    return path;
}

static void baseline(md_store *s, int64_t number, double blind)
{
    md_baseline_opts bo = {0};
    md_baseline_report rep;
    md_err err;
    char name[32];
    snprintf(name, sizeof name, "base%lld.csv", (long long)number);
    md_status rc = md_baseline_build(s, &olga, "churn", number, log_file(name, 3000, 1, 1, blind),
                                     &bo, &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
}

static void ingest(md_store *s, int64_t number, double blind)
{
    md_ingest_opts o = {0};
    md_ingest_report rep;
    md_err err;
    char name[32];
    snprintf(name, sizeof name, "log%lld.csv", (long long)number);
    md_status rc = md_ingest(s, &olga, "churn", number, log_file(name, 6000, 2, 3, blind), &o,
                             &rep, &err);
    md_ingest_report_free(&rep);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
}

static int64_t add_version(md_store *s)
{
    md_version_spec v = {.artifact_uri = "s3://m/churn"};
    int64_t n;
    md_err err;
    ck_assert_int_eq(md_version_add(s, &olga, "churn", &v, "build", &n, &err), MD_OK);
    return n;
}

static int64_t request(md_store *s, const md_actor *a, int64_t number, const char *to)
{
    int64_t id;
    json_t *gates;
    md_err err;
    md_status rc = md_promote_request(s, a, "churn", number, to, "better model", &id, &gates, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    json_decref(gates);
    return id;
}

static md_status approve(md_store *s, const md_actor *a, int64_t id, md_decision *d, md_err *err)
{
    return md_request_approve(s, a, id, "looks right", NULL, NULL, d, err);
}

/* Olga asks, Ann and Bob approve: the version must reach `to`. */
static int64_t promote(md_store *s, int64_t number, const char *to)
{
    int64_t id = request(s, &olga, number, to);
    md_decision d;
    md_err err;
    ck_assert_int_eq(approve(s, &ann, id, &d, &err), MD_OK);
    if (!d.executed)
        ck_assert_msg(approve(s, &bob, id, &d, &err) == MD_OK, "%s", err.msg);
    ck_assert_msg(d.executed, "v%lld to %s blocked by %s", (long long)number, to, d.blocking);
    return id;
}

static const char *status_of(md_store *s, int64_t number)
{
    static char buf[4][16];
    static int slot;
    md_version v;
    md_err err;
    ck_assert_int_eq(md_version_get(s, "churn", number, &v, &err), MD_OK);
    char *out = buf[slot++ % 4];
    snprintf(out, 16, "%s", v.status);
    md_version_free(&v);
    return out;
}

static void write_policy(md_store *s, const char *json)
{
    FILE *f = fopen(tu_path("policy.json"), "w");
    ck_assert_ptr_nonnull(f);
    fputs(json, f);
    fclose(f);
    int64_t rev;
    md_err err;
    md_status rc =
        md_policy_set(s, &admin, "churn", tu_path("policy.json"), "test", &rev, NULL, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
}

/* Users of each kind; churn with v1 in production (a half-blind model) and v2 a better one;
 * both with a baseline and three daily windows. */
static md_store *world(void)
{
    md_store *s = tu_store();
    tu_user(s, "olga", "operator");
    tu_user(s, "ann", "approver");
    tu_user(s, "bob", "approver");
    tu_user(s, "oncall", "operator,approver");
    tu_user(s, "ada", "analyst");
    md_model_spec m = {.name = "churn", .use_case = "retention", .owner = "crm"};
    md_err err;
    ck_assert_int_eq(md_model_add(s, &olga, &m, NULL, &err), MD_OK);
    rng = 7;
    add_version(s);
    add_version(s);
    baseline(s, 1, 0.5);
    baseline(s, 2, 0.1);
    promote(s, 1, "production");
    ingest(s, 1, 0.5);
    ingest(s, 2, 0.1);
    return s;
}

static int64_t count_approvals(md_store *s, int64_t id)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM approvals WHERE request_id = %lld",
             (long long)id);
    return tu_count(s, sql);
}

static int64_t audit_count(md_store *s, const char *action)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit WHERE action = '%s'", action);
    return tu_count(s, sql);
}

static void expect_chain_ok(md_store *s)
{
    md_audit_verdict v;
    md_err err;
    ck_assert_int_eq(md_audit_verify(s, &v, &err), MD_OK);
    ck_assert_msg(v.ok, "%s", v.problem);
}

/* ---- four eyes -------------------------------------------------------------------------------- */

START_TEST(requester_cannot_decide)
{
    md_store *s = world();
    int64_t id = request(s, &oncall, 2, "production"); /* oncall is operator and approver */
    char *before = tu_snapshot(s);
    md_decision d;
    md_err err;
    ck_assert_int_eq(approve(s, &oncall, id, &d, &err), MD_REFUSED);
    ck_assert_ptr_nonnull(strstr(err.msg, "four eyes"));
    ck_assert_int_eq(md_request_reject(s, &oncall, id, "no", &err), MD_REFUSED);
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    ck_assert_int_eq(count_approvals(s, id), 0);
    ck_assert_str_eq(status_of(s, 2), "candidate");
    md_store_close(s);
}
END_TEST

START_TEST(one_approver_counts_once)
{
    md_store *s = world();
    int64_t id = request(s, &olga, 2, "production");
    md_decision d;
    md_err err;
    ck_assert_int_eq(approve(s, &ann, id, &d, &err), MD_OK);
    ck_assert_int_eq(d.approvals, 1);
    ck_assert_int_eq(d.required, 2);
    ck_assert(!d.executed);
    ck_assert_int_eq(approve(s, &ann, id, &d, &err), MD_REFUSED);
    ck_assert_ptr_nonnull(strstr(err.msg, "counts once"));
    ck_assert_int_eq(md_request_reject(s, &ann, id, "changed my mind", &err), MD_REFUSED);
    ck_assert_int_eq(count_approvals(s, id), 1);
    ck_assert_str_eq(status_of(s, 2), "candidate");

    ck_assert_int_eq(approve(s, &bob, id, &d, &err), MD_OK);
    ck_assert_int_eq(d.approvals, 2);
    ck_assert(d.executed);
    ck_assert_str_eq(status_of(s, 2), "production");
    ck_assert_str_eq(status_of(s, 1), "archived");
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
    expect_chain_ok(s);
    md_store_close(s);
}
END_TEST

START_TEST(roles_decide_who_may)
{
    md_store *s = world();
    int64_t id = request(s, &olga, 2, "production");
    char *before = tu_snapshot(s);
    md_decision d;
    md_err err;
    int64_t other;
    json_t *gates;
    /* an operator cannot approve, an approver or an analyst cannot ask */
    ck_assert_int_eq(approve(s, &olga, id, &d, &err), MD_REFUSED);
    ck_assert_ptr_nonnull(strstr(err.msg, "approver"));
    ck_assert_int_eq(md_request_reject(s, &ada, id, "no", &err), MD_REFUSED);
    ck_assert_int_eq(md_promote_request(s, &ann, "churn", 2, "staging", "r", &other, &gates, &err),
                     MD_REFUSED);
    ck_assert_int_eq(md_promote_request(s, &ada, "churn", 2, "staging", "r", &other, &gates, &err),
                     MD_REFUSED);
    /* a second request for the same move while one is pending */
    ck_assert_int_eq(md_promote_request(s, &oncall, "churn", 2, "production", "r", &other, &gates,
                                        &err),
                     MD_ERROR);
    ck_assert_ptr_nonnull(strstr(err.msg, "already pending"));
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    /* an admin may approve */
    ck_assert_int_eq(approve(s, &admin, id, &d, &err), MD_OK);
    ck_assert_int_eq(d.approvals, 1);
    md_store_close(s);
}
END_TEST

/* The moves a console offers for a version are those md_promote_request takes: none already
 * asked, none from production; each offered one is taken. */
START_TEST(promote_targets_are_the_moves_taken)
{
    md_store *s = world();
    const char *to[2];
    int n;
    char why[256];
    md_err err;
    ck_assert_int_eq(md_promote_targets(s, "churn", 2, to, &n, why, &err), MD_OK);
    ck_assert_int_eq(n, 2);
    request(s, &olga, 2, "production");
    ck_assert_int_eq(md_promote_targets(s, "churn", 2, to, &n, why, &err), MD_OK);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(to[0], "staging");
    request(s, &olga, 2, "staging"); /* taken, as offered */
    ck_assert_int_eq(md_promote_targets(s, "churn", 2, to, &n, why, &err), MD_OK);
    ck_assert_int_eq(n, 0);
    ck_assert_msg(strstr(why, "for the move to production is already pending"), "%s", why);
    ck_assert_int_eq(md_promote_targets(s, "churn", 1, to, &n, why, &err), MD_OK);
    ck_assert_int_eq(n, 0); /* v1 serves: nowhere to be promoted */
    ck_assert_msg(strstr(why, "is already production"), "%s", why);
    int64_t id;
    json_t *gates;
    ck_assert_int_ne(
        md_promote_request(s, &olga, "churn", 1, "production", "again", &id, &gates, &err), MD_OK);
    md_store_close(s);
}
END_TEST

START_TEST(staging_needs_one_approval)
{
    md_store *s = world();
    int64_t id = request(s, &olga, 2, "staging");
    md_decision d;
    md_err err;
    ck_assert_int_eq(approve(s, &ann, id, &d, &err), MD_OK);
    ck_assert_int_eq(d.required, 1);
    ck_assert(d.executed);
    ck_assert_str_eq(status_of(s, 2), "staging");
    ck_assert_str_eq(status_of(s, 1), "production");
    md_store_close(s);
}
END_TEST

/* A version with a pending request is not archived or rejected (the request, approved, would
 * put it on its stage): refused with the request named, nothing written; once the request is
 * rejected, the mark goes through. A shadow mark is no retirement and goes through. */
START_TEST(a_version_with_a_pending_request_is_not_retired)
{
    md_store *s = world();
    int64_t id = request(s, &olga, 2, "production");
    md_err err;
    char *before = tu_snapshot(s);
    const char *retire[] = {"archived", "rejected"};
    for (size_t i = 0; i < 2; i++) {
        ck_assert_int_eq(md_version_mark(s, &olga, "churn", 2, retire[i], 0, "old", &err),
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
    ck_assert_int_eq(md_version_mark(s, &olga, "churn", 2, "shadow", 0, "watch it", &err), MD_OK);
    ck_assert_int_eq(md_request_reject(s, &ann, id, "not this one", &err), MD_OK);
    ck_assert_int_eq(md_version_mark(s, &olga, "churn", 2, "archived", 0, "old", &err), MD_OK);
    ck_assert_str_eq(status_of(s, 2), "archived");
    md_store_close(s);
}
END_TEST

START_TEST(rejection_is_final_and_expiry_closes)
{
    md_store *s = world();
    int64_t id = request(s, &olga, 2, "production");
    md_decision d;
    md_err err;
    ck_assert_int_eq(md_request_reject(s, &ann, id, "", &err), MD_INVALID);
    ck_assert_int_eq(md_request_reject(s, &ann, id, "ECE too high for the CRM team", &err), MD_OK);
    ck_assert_int_eq(approve(s, &bob, id, &d, &err), MD_ERROR);
    ck_assert_ptr_nonnull(strstr(err.msg, "rejected"));
    ck_assert_str_eq(status_of(s, 2), "candidate");

    /* a new request expires after the policy's 72 hours */
    id = request(s, &olga, 2, "production");
    ck_assert_int_eq(approve(s, &ann, id, &d, &err), MD_OK);
    int64_t due; /* when a console open till then shows it expired */
    ck_assert_int_eq(md_overview_next_change(s, &due, &err), MD_OK);
    ck_assert_int_gt(due, md_store_now_ms(s) + 72LL * 3600 * 1000 - 60000);
    ck_assert_int_le(due, md_store_now_ms(s) + 72LL * 3600 * 1000);
    md_store_set_now(s, md_store_now_ms(s) + 72LL * 3600 * 1000);
    ck_assert_int_eq(md_overview_next_change(s, &due, &err), MD_OK);
    ck_assert_int_eq(due, 0);
    char *before = tu_snapshot(s);
    ck_assert_int_ne(approve(s, &bob, id, &d, &err), MD_OK);
    ck_assert_ptr_nonnull(strstr(err.msg, "expired"));
    /* a refused or failed decision writes nothing, not even the expiry */
    ck_assert_int_eq(approve(s, &ada, id, &d, &err), MD_REFUSED);
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    json_t *r;
    ck_assert_int_eq(md_request_show(s, id, &r, &err), MD_OK);
    ck_assert_str_eq(json_string_value(json_object_get(r, "state")), "expired");
    json_decref(r);
    int n;
    ck_assert_int_eq(md_requests_expire(s, &olga, &n, &err), MD_OK);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM requests WHERE state = 'expired'"), 1);
    ck_assert_int_eq(audit_count(s, "promotion.expire"), 1);
    ck_assert_str_eq(status_of(s, 2), "candidate");
    expect_chain_ok(s);
    md_store_close(s);
}
END_TEST

/* ---- gates --------------------------------------------------------------------------------------- */

static json_t *gate_row(json_t *table, const char *gate)
{
    json_t *g;
    size_t i;
    json_array_foreach(table, i, g) if (strcmp(json_string_value(json_object_get(g, "gate")),
                                               gate) == 0) return g;
    ck_abort_msg("no gate %s", gate);
    return NULL;
}

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
    md_window_facts w = {.model_id = 1, .version_id = 1, .version_number = 1, .model = "churn",
                         .production = true, .window_kind = "day", .window = "2026-10-05",
                         .f = f, .nf = 3};
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
    md_store *s = world();
    int64_t number = 2;
    if (gc->policy)
        write_policy(s, gc->policy);
    if (gc->p1)
        open_p1(s);
    if (gc->no_baseline)
        number = add_version(s);
    int64_t id;
    json_t *gates;
    md_err err;
    ck_assert_int_eq(md_promote_request(s, &olga, "churn", number, "production", "r", &id, &gates,
                                        &err),
                     MD_OK);
    json_t *row = gate_row(gates, gc->gate);
    ck_assert_str_eq(json_string_value(json_object_get(row, "result")), gc->result);
    ck_assert(json_is_true(json_object_get(row, "blocking")));
    /* only this gate blocks */
    json_t *g;
    size_t i;
    json_array_foreach(gates, i, g) if (g != row) ck_assert_msg(
        !json_is_true(json_object_get(g, "blocking")), "%s blocks too",
        json_string_value(json_object_get(g, "gate")));
    json_decref(gates);

    md_decision d;
    ck_assert_int_eq(approve(s, &ann, id, &d, &err), MD_OK);
    ck_assert_int_eq(approve(s, &bob, id, &d, &err), MD_OK);
    ck_assert(!d.executed);
    ck_assert_str_eq(d.blocking, gc->gate);
    ck_assert_str_eq(status_of(s, number), "candidate");
    ck_assert_str_eq(status_of(s, 1), "production");
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
    ck_assert_int_eq(md_request_approve(s, &ann, id, "go", over, "urgent", &d, &err), MD_REFUSED);
    ck_assert_int_eq(md_request_approve(s, &admin, id, "go", over, "", &d, &err), MD_INVALID);
    const char *bad[] = {"speed", NULL};
    ck_assert_int_eq(md_request_approve(s, &admin, id, "go", bad, "urgent", &d, &err), MD_INVALID);
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);

    /* the admin's override is recorded, audited, and the promotion goes through */
    ck_assert_int_eq(md_request_approve(s, &admin, id, "go", over, "the campaign starts Monday",
                                        &d, &err),
                     MD_OK);
    ck_assert_msg(d.executed, "still blocked by %s", d.blocking);
    ck_assert_str_eq(status_of(s, number), "production");
    ck_assert_int_eq(audit_count(s, "gate.override"), 1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit WHERE action = 'gate.override' AND"
                                 " actor = 'admin' AND reason = 'the campaign starts Monday'"),
                     1);
    json_t *shown;
    ck_assert_int_eq(md_version_overrides(s, "churn", number, &shown, &err), MD_OK);
    ck_assert_int_eq(json_array_size(shown), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(shown, 0), "gate")),
                     gc->gate);
    json_decref(shown);
    expect_chain_ok(s);
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
    ck_assert_int_eq(md_model_add(s, &olga, &m, NULL, &err), MD_OK);
    rng = 9;
    add_version(s);
    baseline(s, 1, 0.2);
    /* no champion: delta_auc reads n/a, which does not block by default */
    int64_t id;
    json_t *gates;
    ck_assert_int_eq(md_promote_request(s, &olga, "churn", 1, "staging", "r", &id, &gates, &err),
                     MD_OK);
    ck_assert_str_eq(json_string_value(json_object_get(gate_row(gates, "delta_auc"), "result")),
                     "n/a");
    ck_assert(!json_is_true(json_object_get(gate_row(gates, "delta_auc"), "blocking")));
    json_decref(gates);
    md_request_reject(s, &ann, id, "wait", &err);
    write_policy(s, "{\"promotion\": {\"gates\": {\"delta_auc\": {\"na_blocks\": true}}}}");
    id = request(s, &olga, 1, "staging");
    md_decision d;
    ck_assert_int_eq(approve(s, &ann, id, &d, &err), MD_OK);
    ck_assert(!d.executed);
    ck_assert_str_eq(d.blocking, "delta_auc");
    md_store_close(s);
}
END_TEST

START_TEST(gates_are_evaluated_again_at_execution)
{
    md_store *s = world();
    int64_t id = request(s, &olga, 2, "production");
    md_decision d;
    md_err err;
    ck_assert_int_eq(approve(s, &ann, id, &d, &err), MD_OK);
    open_p1(s); /* after the request, before the last approval */
    ck_assert_int_eq(approve(s, &bob, id, &d, &err), MD_OK);
    ck_assert(!d.executed);
    ck_assert_str_eq(d.blocking, "no_open_p1");
    json_t *r;
    ck_assert_int_eq(md_request_show(s, id, &r, &err), MD_OK);
    json_t *at_req = json_object_get(r, "gates_at_request"),
           *at_exec = json_object_get(r, "gates_at_execution");
    ck_assert_str_eq(json_string_value(json_object_get(gate_row(at_req, "no_open_p1"), "result")),
                     "pass");
    ck_assert_str_eq(json_string_value(json_object_get(gate_row(at_exec, "no_open_p1"), "result")),
                     "fail");
    json_decref(r);
    /* the P1s resolved, an approver who already approved asks for the gates again */
    for (int64_t i = 1; i <= 3; i++)
        ck_assert_int_eq(md_incident_resolve(s, &olga, i, "fixed upstream", &err), MD_OK);
    ck_assert_int_eq(approve(s, &bob, id, &d, &err), MD_OK);
    ck_assert(d.executed);
    ck_assert_int_eq(count_approvals(s, id), 2);
    ck_assert_int_eq(audit_count(s, "promotion.recheck"), 1);
    ck_assert_str_eq(status_of(s, 2), "production");
    md_store_close(s);
}
END_TEST

/* ---- rollback ----------------------------------------------------------------------------------- */

static void expect_last_good(md_store *s, int64_t want)
{
    int64_t got;
    md_err err;
    ck_assert_int_eq(md_last_good(s, "churn", &got, &err), MD_OK);
    ck_assert_msg(got == want, "last good v%lld, expected v%lld", (long long)got, (long long)want);
}

/* The versions a rollback may return to, as "v2 v4r" (r: left production by a rollback), and
 * the first that was not rolled back is the last good one. */
static void expect_targets(md_store *s, const char *want)
{
    md_rollback_target *t;
    size_t n;
    md_err err;
    ck_assert_int_eq(md_rollback_targets(s, "churn", &t, &n, &err), MD_OK);
    char got[128] = "";
    int64_t good = 0, last_good;
    for (size_t i = 0; i < n; i++) {
        snprintf(got + strlen(got), sizeof got - strlen(got), "%sv%lld%s", i ? " " : "",
                 (long long)t[i].number, t[i].rolled_back ? "r" : "");
        if (!good && !t[i].rolled_back)
            good = t[i].number;
    }
    free(t);
    ck_assert_str_eq(got, want);
    ck_assert_int_eq(md_last_good(s, "churn", &last_good, &err), MD_OK);
    ck_assert_int_eq(good, last_good);
}

static void roll_back(md_store *s, int64_t to, int64_t expect_to)
{
    json_t *res;
    md_err err;
    md_status rc = md_rollback(s, &olga, "churn", to, NULL, "conversion fell", &res, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    ck_assert_int_eq(json_integer_value(json_object_get(res, "to")), expect_to);
    json_decref(res);
    ck_assert_str_eq(status_of(s, expect_to), "production");
}

START_TEST(last_good_across_histories)
{
    md_store *s = world();
    write_policy(s, "{\"promotion\": {\"gates\": {\"delta_auc\": {\"min\": -1}, \"max_psi\":"
                    " {\"max\": 100}, \"ece\": {\"max\": 1}}}}");
    md_err err;
    json_t *res;
    /* only v1 ever served: nothing to return to */
    expect_last_good(s, 0);
    expect_targets(s, "");
    char *before = tu_snapshot(s);
    ck_assert_int_eq(md_rollback(s, &olga, "churn", 0, NULL, "bad", &res, &err), MD_REFUSED);
    ck_assert_ptr_nonnull(strstr(err.msg, "no earlier production version"));
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);

    promote(s, 2, "production"); /* v1 -> v2 */
    expect_last_good(s, 1);
    for (int i = 0; i < 2; i++) {
        add_version(s);
        baseline(s, 3 + i, 0.3);
    }
    promote(s, 3, "production"); /* v2 -> v3 */
    expect_last_good(s, 2);
    roll_back(s, 0, 2); /* v3 rolled back: it never counts as good again */
    ck_assert_str_eq(status_of(s, 3), "archived");
    expect_last_good(s, 1);
    expect_targets(s, "v3r v1"); /* the most recently in production first */
    promote(s, 4, "production"); /* v2 -> v4 */
    expect_last_good(s, 2);
    roll_back(s, 0, 2);
    expect_last_good(s, 1);
    roll_back(s, 0, 1);
    expect_last_good(s, 0); /* v2, v3 and v4 each left production by a rollback */
    expect_targets(s, "v2r v4r v3r");
    ck_assert_int_eq(md_rollback(s, &olga, "churn", 0, NULL, "bad", &res, &err), MD_REFUSED);
    /* --to names any version that served before; never one that did not */
    roll_back(s, 3, 3);
    int64_t v5 = add_version(s);
    ck_assert_int_eq(md_rollback(s, &olga, "churn", v5, NULL, "bad", &res, &err), MD_REFUSED);
    ck_assert_ptr_nonnull(strstr(err.msg, "never been in production"));
    ck_assert_int_eq(md_rollback(s, &olga, "churn", 3, NULL, "bad", &res, &err), MD_ERROR);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM stage_history WHERE action = 'rollback'"
                                 " AND to_status = 'production'"),
                     4);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit WHERE action = 'rollback' AND"
                                 " object = 'model:churn'"),
                     4);
    /* roles and input */
    ck_assert_int_eq(md_rollback(s, &ann, "churn", 1, NULL, "bad", &res, &err), MD_REFUSED);
    ck_assert_int_eq(md_rollback(s, &olga, "churn", 1, NULL, "", &res, &err), MD_INVALID);
    ck_assert_int_eq(md_rollback(s, &olga, "nope", 1, NULL, "bad", &res, &err), MD_NOTFOUND);
    expect_chain_ok(s);
    md_store_close(s);
}
END_TEST

START_TEST(fallback_takes_the_model_out)
{
    md_store *s = world();
    md_err err;
    json_t *res;
    ck_assert_int_eq(md_rollback(s, &olga, "churn", 0, "sometimes", "bad", &res, &err), MD_INVALID);
    ck_assert_int_eq(md_rollback(s, &olga, "churn", 1, "rules", "bad", &res, &err), MD_INVALID);
    ck_assert_int_eq(md_rollback(s, &olga, "churn", 0, "rules", "tracking broken", &res, &err),
                     MD_OK);
    ck_assert_str_eq(json_string_value(json_object_get(res, "serving")), "rules");
    json_decref(res);
    ck_assert_str_eq(status_of(s, 1), "archived");
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM models WHERE serving = 'rules'"), 1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM versions WHERE status = 'production'"), 0);
    ck_assert_int_eq(audit_count(s, "rollback.fallback"), 1);
    /* nothing left to take out */
    ck_assert_int_eq(md_rollback(s, &olga, "churn", 0, "suppress", "bad", &res, &err), MD_ERROR);
    /* back in service by naming the version */
    roll_back(s, 1, 1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM models WHERE serving = 'model'"), 1);
    /* the scorecard counts both rollbacks, the one back into service too (SCORECARD.md) */
    json_t *card;
    ck_assert_int_eq(md_scorecard_json(s, "churn", 30, &card, &err), MD_OK);
    json_t *m0 = json_array_get(json_object_get(card, "models"), 0);
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_object_get(m0, "delivery"), "rollbacks")), 2);
    json_decref(card);
    md_store_close(s);
}
END_TEST

START_TEST(compare_puts_candidate_beside_champion)
{
    md_store *s = world();
    json_t *o;
    md_err err;
    ck_assert_int_eq(md_compare_json(s, "churn", 0, 0, &o, &err), MD_OK);
    json_t *a = json_object_get(o, "candidate"), *b = json_object_get(o, "champion");
    ck_assert_int_eq(json_integer_value(json_object_get(a, "version")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(b, "version")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(a, "windows")), 3);
    double da = json_real_value(json_object_get(a, "auc")),
           db = json_real_value(json_object_get(b, "auc"));
    ck_assert_msg(da > db, "the model that sees more should rank better: %g vs %g", da, db);
    ck_assert_double_eq_tol(json_real_value(json_object_get(o, "auc_vs_champion")), da - db,
                            1e-12);
    /* the gate reads the same difference */
    int64_t id;
    json_t *gates;
    ck_assert_int_eq(md_promote_request(s, &olga, "churn", 2, "production", "r", &id, &gates,
                                        &err),
                     MD_OK);
    ck_assert_double_eq_tol(json_real_value(json_object_get(gate_row(gates, "delta_auc"), "value")),
                            da - db, 1e-12);
    json_decref(gates);
    json_decref(o);
    /* a challenger with its traffic share */
    ck_assert_int_eq(md_version_mark(s, &olga, "churn", 2, "challenger", 0.1, "A/B", &err), MD_OK);
    ck_assert_int_eq(md_version_mark(s, &olga, "churn", 2, "challenger", 1.5, "A/B", &err),
                     MD_INVALID);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM versions WHERE status = 'challenger' AND"
                                 " traffic_share = 0.1"),
                     1);
    md_store_close(s);
}
END_TEST

Suite *suite_promote(void)
{
    Suite *s = suite_create("promote");
    TCase *tc = tcase_create("promote");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, requester_cannot_decide);
    tcase_add_test(tc, one_approver_counts_once);
    tcase_add_test(tc, roles_decide_who_may);
    tcase_add_test(tc, staging_needs_one_approval);
    tcase_add_test(tc, promote_targets_are_the_moves_taken);
    tcase_add_test(tc, rejection_is_final_and_expiry_closes);
    tcase_add_test(tc, a_version_with_a_pending_request_is_not_retired);
    tcase_add_loop_test(tc, each_failing_gate_blocks_until_overridden, 0,
                        (int)(sizeof gate_cases / sizeof gate_cases[0]));
    tcase_add_test(tc, not_available_blocks_only_where_the_policy_says);
    tcase_add_test(tc, gates_are_evaluated_again_at_execution);
    tcase_add_test(tc, last_good_across_histories);
    tcase_add_test(tc, fallback_takes_the_model_out);
    tcase_add_test(tc, compare_puts_candidate_beside_champion);
    suite_add_tcase(s, tc);
    return s;
}
