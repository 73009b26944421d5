/* The promote tests' fixture (promote_fixture.h).
 *
 * The scoring logs come from a generator of their own, seeded by pf_world (or pf_seed): the same
 * rows, and so the same figures, on every run. */
#include "promote_fixture.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "baseline.h"
#include "ingest.h"
#include "models.h"
#include "policies.h"
#include "testutil.h"
#include "versions.h"

md_actor pf_olga, pf_ann, pf_bob, pf_oncall, pf_ada, pf_admin;

/* ---- fixture --------------------------------------------------------------------------------- */

void pf_setup(void)
{
    pf_olga = tu_actor("olga");
    pf_ann = tu_actor("ann");
    pf_bob = tu_actor("bob");
    pf_oncall = tu_actor("oncall");
    pf_ada = tu_actor("ada");
    pf_admin = tu_actor("admin");
}

void pf_teardown(void)
{
    tu_cleanup();
}

/* ---- the world ------------------------------------------------------------------------------- */

static uint64_t rng;
static double unif(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}

void pf_seed(uint64_t seed)
{
    rng = seed;
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

void pf_baseline(md_store *s, int64_t number, double blind)
{
    md_baseline_opts bo = {0};
    md_baseline_report rep;
    md_err err;
    char name[32];
    snprintf(name, sizeof name, "base%lld.csv", (long long)number);
    md_status rc = md_baseline_build(s, &pf_olga, "churn", number,
                                     log_file(name, 3000, 1, 1, blind), &bo, &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
}

static void ingest(md_store *s, int64_t number, double blind)
{
    md_ingest_opts o = {0};
    md_ingest_report rep;
    md_err err;
    char name[32];
    snprintf(name, sizeof name, "log%lld.csv", (long long)number);
    md_status rc =
        md_ingest(s, &pf_olga, "churn", number, log_file(name, 6000, 2, 3, blind), &o, &rep, &err);
    md_ingest_report_free(&rep);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
}

int64_t pf_add_version(md_store *s)
{
    md_version_spec v = {.artifact_uri = "s3://m/churn"};
    int64_t n;
    md_err err;
    ck_assert_int_eq(md_version_add(s, &pf_olga, "churn", &v, "build", &n, &err), MD_OK);
    return n;
}

void pf_write_policy(md_store *s, const char *json)
{
    FILE *f = fopen(tu_path("policy.json"), "w");
    ck_assert_ptr_nonnull(f);
    fputs(json, f);
    fclose(f);
    int64_t rev;
    md_err err;
    md_status rc =
        md_policy_set(s, &pf_admin, "churn", tu_path("policy.json"), "test", &rev, NULL, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
}

md_store *pf_world(void)
{
    md_store *s = tu_store();
    tu_user(s, "olga", "operator");
    tu_user(s, "ann", "approver");
    tu_user(s, "bob", "approver");
    tu_user(s, "oncall", "operator,approver");
    tu_user(s, "ada", "analyst");
    md_model_spec m = {.name = "churn", .use_case = "retention", .owner = "crm"};
    md_err err;
    ck_assert_int_eq(md_model_add(s, &pf_olga, &m, NULL, &err), MD_OK);
    pf_seed(7);
    pf_add_version(s);
    pf_add_version(s);
    pf_baseline(s, 1, 0.5);
    pf_baseline(s, 2, 0.1);
    pf_promote(s, 1, "production");
    ingest(s, 1, 0.5);
    ingest(s, 2, 0.1);
    return s;
}

/* ---- requests -------------------------------------------------------------------------------- */

int64_t pf_request(md_store *s, const md_actor *a, int64_t number, const char *to)
{
    int64_t id;
    json_t *gates;
    md_err err;
    md_status rc = md_promote_request(s, a, "churn", number, to, "better model", &id, &gates, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    json_decref(gates);
    return id;
}

md_status pf_approve(md_store *s, const md_actor *a, int64_t id, md_decision *d, md_err *err)
{
    return md_request_approve(s, a, id, "looks right", NULL, NULL, d, err);
}

int64_t pf_promote(md_store *s, int64_t number, const char *to)
{
    int64_t id = pf_request(s, &pf_olga, number, to);
    md_decision d;
    md_err err;
    ck_assert_int_eq(pf_approve(s, &pf_ann, id, &d, &err), MD_OK);
    if (!d.executed)
        ck_assert_msg(pf_approve(s, &pf_bob, id, &d, &err) == MD_OK, "%s", err.msg);
    ck_assert_msg(d.executed, "v%lld to %s blocked by %s", (long long)number, to, d.blocking);
    return id;
}

/* ---- reading back ---------------------------------------------------------------------------- */

const char *pf_status_of(md_store *s, int64_t number)
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

int64_t pf_count_approvals(md_store *s, int64_t id)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM approvals WHERE request_id = %lld",
             (long long)id);
    return tu_count(s, sql);
}

int64_t pf_audit_count(md_store *s, const char *action)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit WHERE action = '%s'", action);
    return tu_count(s, sql);
}

void pf_expect_chain_ok(md_store *s)
{
    md_audit_verdict v;
    md_err err;
    ck_assert_int_eq(md_audit_verify(s, &v, &err), MD_OK);
    ck_assert_msg(v.ok, "%s", v.problem);
}

json_t *pf_gate_row(json_t *table, const char *gate)
{
    json_t *g;
    size_t i;
    json_array_foreach(table, i, g)
    {
        if (strcmp(json_string_value(json_object_get(g, "gate")), gate) == 0)
            return g;
    }
    ck_abort_msg("no gate %s", gate);
    return NULL;
}
