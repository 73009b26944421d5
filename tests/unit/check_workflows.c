/* workflows: nothing is ever half-done. Each workflow (policy, ingest, incident lifecycle,
 * promotion request, approvals that execute, overrides, rejection, expiry, rollback, retrain,
 * cancel, proposals, marking) is stopped before each of its writes in turn ("sql.write@K"), on
 * the demo portfolio, and the store must be exactly as before; then the workflow runs through.
 * A kill (SIGKILL) in the middle of each leaves the store as before too. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit.h"
#include "demo.h"
#include "incidents.h"
#include "ingest.h"
#include "baseline.h"
#include "jobs.h"
#include "proposals.h"
#include "models.h"
#include "ops.h"
#include "policies.h"
#include "promotions.h"
#include "testutil.h"
#include "versions.h"

/* The demo store, built once for the suite (in the parent, before the tests fork). */
static char demo_path[512];

static void build_demo(void)
{
    const char *tmp = getenv("TMPDIR");
    char dir[256];
    snprintf(dir, sizeof dir, "%s/mdwf.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        abort();
    snprintf(demo_path, sizeof demo_path, "%s/demo.db", dir);
    md_demo_report rep;
    md_err err;
    if (md_demo_build(demo_path, 7, &rep, &err) != MD_OK) {
        fprintf(stderr, "demo: %s\n", err.msg);
        abort();
    }
}

static void remove_demo(void)
{
    md_store_unlink(demo_path);
    char *slash = strrchr(demo_path, '/');
    *slash = '\0';
    rmdir(demo_path);
}

static void teardown(void)
{
    unsetenv("MODELDECK_FAULT");
    tu_cleanup();
}

static md_store *open_copy(void)
{
    FILE *in = fopen(demo_path, "rb"), *out = fopen(tu_path("store.db"), "wb");
    ck_assert_ptr_nonnull(in);
    ck_assert_ptr_nonnull(out);
    char buf[1 << 16];
    for (size_t n; (n = fread(buf, 1, sizeof buf, in)) > 0;)
        ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
    fclose(in);
    ck_assert_int_eq(fclose(out), 0);
    md_open_opts o = {MD_OPEN_EXISTING, false};
    md_store *s;
    md_err err;
    ck_assert_int_eq(md_store_open(tu_path("store.db"), &o, &s, &err), MD_OK);
    return s;
}

static md_actor as(const char *name)
{
    return tu_actor(name);
}

static int64_t one(md_store *s, const char *sql)
{
    return tu_count(s, sql);
}

/* ---- the workflows ------------------------------------------------------------------------------ */

static int64_t pending_churn(md_store *s)
{
    return one(s, "SELECT r.id FROM requests r JOIN models m ON m.id = r.model_id WHERE"
                  " m.name = 'churn' AND r.state = 'pending'");
}

static int64_t pending_email(md_store *s)
{
    return one(s, "SELECT r.id FROM requests r JOIN models m ON m.id = r.model_id WHERE"
                  " m.name = 'email-send-time' AND r.state = 'pending'");
}

static int64_t open_incident(md_store *s)
{
    return one(s, "SELECT min(id) FROM incidents WHERE state = 'open'");
}

static md_status w_policy_set(md_store *s, md_err *err)
{
    FILE *f = fopen(tu_path("policy.json"), "w");
    fputs("{\"promotion\": {\"approvals\": {\"production\": 3}}}", f);
    fclose(f);
    md_actor a = as("demo");
    int64_t rev;
    return md_policy_set(s, &a, "churn", tu_path("policy.json"), "stricter", &rev, NULL, err);
}

/* A small model whose second log drifts: the ingest writes parts, windows, drift rows and
 * opens incidents. The drifted log also lacks x in one row of 40 (under the default
 * missingness thresholds, over a stricter policy's). */
static void csv(const char *name, double shift)
{
    FILE *f = fopen(tu_path(name), "w");
    fputs("ts,score,label,x,ch\n", f);
    for (int i = 0; i < 2000; i++) {
        char x[32] = "";
        if (shift == 0 || i % 40)
            snprintf(x, sizeof x, "%.3f", (double)(i % 101) / 10.0 + shift);
        fprintf(f, "2026-11-%02dT%02d:00:00Z,%.3f,%d,%s,%s\n", 1 + i % 2, i % 24,
                (double)(i % 997) / 997.0, i % 3 == 0, x, i % 5 ? "web" : "email");
    }
    fclose(f);
}

static void p_ingest(md_store *s)
{
    md_actor a = as("olga");
    md_err err;
    md_model_spec m = {.name = "tiny", .use_case = "test", .owner = "ops"};
    ck_assert_int_eq(md_model_add(s, &a, &m, NULL, &err), MD_OK);
    md_version_spec v = {.artifact_uri = "s3://tiny/1"};
    ck_assert_int_eq(md_version_add(s, &a, "tiny", &v, NULL, NULL, &err), MD_OK);
    csv("base.csv", 0);
    csv("drifted.csv", 4);
    md_baseline_opts bo = {0};
    md_baseline_report br;
    ck_assert_int_eq(md_baseline_build(s, &a, "tiny", 1, tu_path("base.csv"), &bo, &br, &err),
                     MD_OK);
}

static md_status w_ingest(md_store *s, md_err *err)
{
    md_actor a = as("olga");
    md_ingest_opts o = {0};
    md_ingest_report rep;
    md_status rc = md_ingest(s, &a, "tiny", 1, tu_path("drifted.csv"), &o, &rep, err);
    md_ingest_report_free(&rep);
    return rc;
}

/* tiny, ingested; then a stricter policy for it, so that running the rules again finds more */
static void p_evaluate(md_store *s)
{
    p_ingest(s);
    md_err err;
    ck_assert_int_eq(w_ingest(s, &err), MD_OK);
    FILE *f = fopen(tu_path("strict.json"), "w");
    fputs("{\"incidents\": {\"data_quality\": {\"missing_delta\": 0.01}}}", f);
    fclose(f);
    md_actor a = as("demo");
    int64_t rev;
    ck_assert_int_eq(
        md_policy_set(s, &a, "tiny", tu_path("strict.json"), "stricter", &rev, NULL, &err), MD_OK);
}

static md_status w_evaluate(md_store *s, md_err *err)
{
    md_actor a = as("olga");
    md_incident_tally t;
    md_status rc = md_incidents_evaluate(s, &a, "tiny", &t, err);
    if (rc == MD_OK)
        ck_assert_int_gt(t.opened, 0);
    return rc;
}

static md_status w_ack(md_store *s, md_err *err)
{
    md_actor a = as("oncall");
    return md_incident_ack(s, &a, open_incident(s), "on it", err);
}

static md_status w_assign(md_store *s, md_err *err)
{
    md_actor a = as("oncall");
    return md_incident_assign(s, &a, open_incident(s), "olga", "her model", err);
}

static md_status w_snooze(md_store *s, md_err *err)
{
    md_actor a = as("oncall");
    return md_incident_snooze(s, &a, open_incident(s), "2099-01-01T00:00:00Z", "later", err);
}

static md_status w_resolve(md_store *s, md_err *err)
{
    md_actor a = as("oncall");
    return md_incident_resolve(s, &a, open_incident(s), "fixed", err);
}

static md_status w_note(md_store *s, md_err *err)
{
    md_actor a = as("ada");
    return md_incident_note(s, &a, open_incident(s), "seen in the CRM export too", err);
}

static void p_reject_churn(md_store *s)
{
    md_actor a = as("ann");
    md_err err;
    ck_assert_int_eq(md_request_reject(s, &a, pending_churn(s), "not yet", &err), MD_OK);
}

static md_status w_request(md_store *s, md_err *err)
{
    md_actor a = as("olga");
    int64_t id, number = one(s, "SELECT v.number FROM versions v JOIN requests r ON"
                                " r.version_id = v.id WHERE r.state = 'rejected'");
    json_t *gates;
    md_status rc = md_promote_request(s, &a, "churn", number, "production", "again", &id, &gates,
                                      err);
    json_decref(gates);
    return rc;
}

static md_status w_approve_first(md_store *s, md_err *err)
{
    md_actor a = as("ann");
    md_decision d;
    return md_request_approve(s, &a, pending_churn(s), "ok", NULL, NULL, &d, err);
}

static void p_approve_churn(md_store *s)
{
    md_err err;
    ck_assert_int_eq(w_approve_first(s, &err), MD_OK);
}

static md_status w_approve_executes(md_store *s, md_err *err)
{
    md_actor a = as("bob");
    md_decision d;
    int64_t id = pending_churn(s);
    md_status rc = md_request_approve(s, &a, id, "ok", NULL, NULL, &d, err);
    if (rc == MD_OK)
        ck_assert_msg(d.executed, "blocked by %s", d.blocking);
    return rc;
}

static void p_approve_email(md_store *s)
{
    md_actor a = as("ann");
    md_decision d;
    md_err err;
    ck_assert_int_eq(md_request_approve(s, &a, pending_email(s), "ok", NULL, NULL, &d, &err),
                     MD_OK);
}

static md_status w_override(md_store *s, md_err *err)
{
    md_actor a = as("demo");
    md_decision d;
    const char *gates[] = {"delta_auc", "max_psi", "ece", "no_open_p1", "baseline_present", NULL};
    md_status rc = md_request_approve(s, &a, pending_email(s), "ok", gates, "campaign deadline",
                                      &d, err);
    if (rc == MD_OK)
        ck_assert_msg(d.executed, "blocked by %s", d.blocking);
    return rc;
}

static md_status w_reject(md_store *s, md_err *err)
{
    md_actor a = as("bob");
    return md_request_reject(s, &a, pending_churn(s), "not convinced", err);
}

static md_status w_expire(md_store *s, md_err *err)
{
    md_actor a = as("olga");
    md_store_set_now(s, md_store_now_ms(s) + 100LL * 3600 * 1000);
    int n;
    md_status rc = md_requests_expire(s, &a, &n, err);
    if (rc == MD_OK)
        ck_assert_int_eq(n, 2);
    return rc;
}

static md_status w_rollback(md_store *s, md_err *err)
{
    md_actor a = as("olga");
    json_t *res;
    md_status rc = md_rollback(s, &a, "churn", 0, NULL, "conversion fell", &res, err);
    json_decref(res);
    return rc;
}

static md_status w_fallback(md_store *s, md_err *err)
{
    md_actor a = as("olga");
    json_t *res;
    md_status rc = md_rollback(s, &a, "nba-realtime", 0, "rules", "latency", &res, err);
    json_decref(res);
    return rc;
}

static md_status w_retrain(md_store *s, md_err *err)
{
    md_actor a = as("olga");
    int64_t job;
    return md_retrain(s, &a, "churn", "drift on recency", 0, &job, err);
}

static void p_retrain(md_store *s)
{
    md_err err;
    ck_assert_int_eq(w_retrain(s, &err), MD_OK);
}

static md_status w_cancel(md_store *s, md_err *err)
{
    md_actor a = as("olga");
    return md_job_cancel(s, &a, one(s, "SELECT max(id) FROM jobs"), "wrong model", err);
}

static md_status w_accept(md_store *s, md_err *err)
{
    md_actor a = as("olga");
    int64_t job;
    return md_proposal_accept(s, &a, one(s, "SELECT min(id) FROM proposals WHERE state = 'open'"),
                              "yes", &job, err);
}

static md_status w_dismiss(md_store *s, md_err *err)
{
    md_actor a = as("olga");
    return md_proposal_dismiss(s, &a, one(s, "SELECT min(id) FROM proposals WHERE state = 'open'"),
                               "seasonal, expected", err);
}

static md_status w_mark(md_store *s, md_err *err)
{
    md_actor a = as("olga");
    int64_t number = one(s, "SELECT v.number FROM versions v JOIN models m ON m.id = v.model_id"
                            " WHERE m.name = 'churn' AND v.status = 'candidate'");
    return md_version_mark(s, &a, "churn", number, "challenger", 0.2, "A/B test", err);
}

static const struct {
    const char *name;
    void (*prepare)(md_store *s);
    md_status (*run)(md_store *s, md_err *err);
} workflows[] = {
    {"policy set", NULL, w_policy_set},
    {"ingest", p_ingest, w_ingest},
    {"evaluate", p_evaluate, w_evaluate},
    {"incident ack", NULL, w_ack},
    {"incident assign", NULL, w_assign},
    {"incident snooze", NULL, w_snooze},
    {"incident resolve", NULL, w_resolve},
    {"incident note", NULL, w_note},
    {"promotion request", p_reject_churn, w_request},
    {"approve", NULL, w_approve_first},
    {"approve and execute", p_approve_churn, w_approve_executes},
    {"approve with overrides", p_approve_email, w_override},
    {"reject", NULL, w_reject},
    {"expire", NULL, w_expire},
    {"rollback", NULL, w_rollback},
    {"rollback to a fallback", NULL, w_fallback},
    {"retrain", NULL, w_retrain},
    {"job cancel", p_retrain, w_cancel},
    {"proposal accept", NULL, w_accept},
    {"proposal dismiss", NULL, w_dismiss},
    {"version mark", NULL, w_mark},
};

static void expect_chain_ok(md_store *s)
{
    md_audit_verdict v;
    md_err err;
    ck_assert_int_eq(md_audit_verify(s, &v, &err), MD_OK);
    ck_assert_msg(v.ok, "%s", v.problem);
}

START_TEST(stopped_before_any_write_changes_nothing)
{
    md_store *s = open_copy();
    if (workflows[_i].prepare)
        workflows[_i].prepare(s);
    char *before = tu_snapshot(s);
    int64_t now = md_store_now_ms(s);
    md_store_set_now(s, now);
    md_err err;
    md_status rc = MD_ERROR;
    int k;
    for (k = 1; k < 400; k++) {
        char spec[32];
        snprintf(spec, sizeof spec, "sql.write@%d", k);
        setenv("MODELDECK_FAULT", spec, 1);
        md_store_set_now(s, now); /* the same moment each time (expiry moves it) */
        rc = workflows[_i].run(s, &err);
        unsetenv("MODELDECK_FAULT");
        if (rc == MD_OK)
            break; /* fewer than k writes: it ran through */
        ck_assert_msg(rc == MD_ERROR && strstr(err.msg, "injected fault"),
                      "%s stopped at write %d: %d %s", workflows[_i].name, k, rc, err.msg);
        char *after = tu_snapshot(s);
        ck_assert_msg(strcmp(before, after) == 0, "%s stopped at write %d changed the store",
                      workflows[_i].name, k);
        free(after);
    }
    ck_assert_msg(rc == MD_OK, "%s never ran through: %s", workflows[_i].name, err.msg);
    ck_assert_msg(k > 2, "%s wrote only %d time(s): not a workflow worth the name",
                  workflows[_i].name, k - 1);
    char *after = tu_snapshot(s);
    ck_assert_msg(strcmp(before, after) != 0, "%s changed nothing", workflows[_i].name);
    free(after);
    expect_chain_ok(s);
    free(before);
    md_store_close(s);
}
END_TEST

/* Counts the workflow's writes, then kills a child in the middle of them. */
START_TEST(killed_midway_changes_nothing)
{
    md_store *s = open_copy();
    if (workflows[_i].prepare)
        workflows[_i].prepare(s);
    char *before = tu_snapshot(s);
    int64_t now = md_store_now_ms(s);
    md_store_close(s);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        md_open_opts o = {MD_OPEN_EXISTING, false};
        md_store *c;
        md_err err;
        if (md_store_open(tu_path("store.db"), &o, &c, &err) != MD_OK)
            _exit(10);
        md_store_set_now(c, now);
        setenv("MODELDECK_FAULT", "sql.write@2:kill", 1);
        workflows[_i].run(c, &err);
        _exit(11);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "%s: not killed (%d)",
                  workflows[_i].name, status);
    md_open_opts o = {MD_OPEN_EXISTING, false};
    md_err err;
    ck_assert_int_eq(md_store_open(tu_path("store.db"), &o, &s, &err), MD_OK);
    char *after = tu_snapshot(s);
    ck_assert_msg(strcmp(before, after) == 0, "%s: a kill midway left part of it",
                  workflows[_i].name);
    expect_chain_ok(s);
    free(before);
    free(after);
    md_store_close(s);
}
END_TEST

Suite *suite_workflows(void)
{
    Suite *s = suite_create("workflows");
    TCase *tc = tcase_create("workflows");
    tcase_add_unchecked_fixture(tc, build_demo, remove_demo);
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_set_timeout(tc, 300);
    int n = (int)(sizeof workflows / sizeof workflows[0]);
    tcase_add_loop_test(tc, stopped_before_any_write_changes_nothing, 0, n);
    tcase_add_loop_test(tc, killed_midway_changes_nothing, 0, n);
    suite_add_tcase(s, tc);
    return s;
}
