/* incidents and policy: the rules open, deduplicate and escalate; the lifecycle is audited and
 * timed; a malformed policy is named by its JSON path and leaves the store as it was. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "clock.h"
#include "incidents.h"
#include "models.h"
#include "overview.h"
#include "policies.h"
#include "testutil.h"
#include "versions.h"

static md_actor olga, ada, vic, admin;

static void setup(void)
{
    olga = tu_actor("olga");
    ada = tu_actor("ada");
    vic = tu_actor("vic");
    admin = tu_actor("admin");
}

static void teardown(void)
{
    tu_cleanup();
}

/* 2026-10-01T00:00:00Z */
#define T0 1790812800000LL
#define MIN 60000LL

static md_store *world(void)
{
    md_store *s = tu_store();
    tu_user(s, "olga", "operator");
    tu_user(s, "ann", "approver");
    tu_user(s, "ada", "analyst");
    tu_user(s, "vic", "viewer");
    md_model_spec m = {.name = "churn", .use_case = "retention", .owner = "crm"};
    md_err err;
    ck_assert_int_eq(md_model_add(s, &olga, &m, NULL, &err), MD_OK);
    md_version_spec v = {.artifact_uri = "s3://m/churn/1"};
    ck_assert_int_eq(md_version_add(s, &olga, "churn", &v, NULL, NULL, &err), MD_OK);
    md_store_set_now(s, T0);
    return s;
}

/* One window's facts through the rules, in a transaction of its own, as an ingest does. */
static md_incident_tally apply(md_store *s, const char *window, bool production,
                               md_feature_facts *f, size_t nf, const md_window_facts *extra)
{
    md_policy p;
    md_err err;
    ck_assert_int_eq(md_policy_load(s, "churn", &p, &err), MD_OK);
    md_window_facts w = {0};
    if (extra)
        w = *extra;
    w.model_id = 1;
    w.version_id = 1;
    w.version_number = 1;
    w.model = "churn";
    w.production = production;
    w.window_kind = "day";
    w.window = window;
    w.f = f;
    w.nf = nf;
    md_incident_tally t = {0};
    ck_assert_int_eq(md_tx_begin(s, &err), MD_OK);
    md_status rc = md_incidents_apply(s, "olga", &w, &p, &t, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    ck_assert_int_eq(md_tx_commit(s, &err), MD_OK);
    md_policy_free(&p);
    md_incident_tally_free(&t); /* the counts stay */
    return t;
}

static md_feature_facts drifting(const char *feature)
{
    return (md_feature_facts){.feature = feature,
                              .has_psi = true,
                              .psi = 0.4,
                              .psi_null = 0.02,
                              .present = 1000,
                              .mix_pvalue = NAN};
}

static md_feature_facts quiet(const char *feature)
{
    return (md_feature_facts){.feature = feature,
                              .has_psi = true,
                              .psi = 0.01,
                              .psi_null = 0.02,
                              .present = 1000,
                              .mix_pvalue = NAN};
}

static json_t *incident(md_store *s, int64_t id)
{
    json_t *o;
    md_err err;
    ck_assert_int_eq(md_incident_show(s, id, &o, &err), MD_OK);
    return o;
}

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void expect_chain_ok(md_store *s)
{
    md_audit_verdict v;
    md_err err;
    ck_assert_int_eq(md_audit_verify(s, &v, &err), MD_OK);
    ck_assert_msg(v.ok, "%s", v.problem);
}

/* ---- rules and dedup -------------------------------------------------------------------------- */

START_TEST(one_open_incident_per_model_kind_and_key)
{
    md_store *s = world();
    md_feature_facts f[3] = {drifting("x"), quiet("z"), quiet("ch")};
    md_incident_tally t = apply(s, "2026-10-01", true, f, 3, NULL);
    ck_assert_int_eq(t.opened, 1);
    /* the next window with the same finding appends evidence, opens nothing */
    t = apply(s, "2026-10-02", true, f, 3, NULL);
    ck_assert_int_eq(t.opened, 0);
    ck_assert_int_eq(t.updated, 1);
    /* the same window again (a re-ingest) adds no duplicate evidence */
    apply(s, "2026-10-02", true, f, 3, NULL);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incidents"), 1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incident_evidence"), 2);
    json_t *o = incident(s, 1);
    ck_assert_str_eq(str(o, "kind"), "drift");
    ck_assert_str_eq(str(o, "key"), "x");
    ck_assert_str_eq(str(o, "severity"), "P3");
    ck_assert_int_eq(json_array_size(json_object_get(o, "evidence")), 2);
    json_decref(o);
    /* another feature is another incident */
    f[1] = drifting("z");
    t = apply(s, "2026-10-03", true, f, 3, NULL);
    ck_assert_int_eq(t.opened, 1);
    ck_assert_int_eq(t.updated, 1);
    /* three drifting features on production: P1, and the open ones escalate */
    f[2] = drifting("ch");
    t = apply(s, "2026-10-04", true, f, 3, NULL);
    ck_assert_int_eq(t.opened, 1);
    ck_assert_int_eq(t.escalated, 2);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incidents WHERE severity = 'P1'"), 3);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit WHERE action = 'incident.escalate'"),
                     2);
    /* weaker evidence later never lowers a severity */
    f[1] = quiet("z");
    f[2] = quiet("ch");
    apply(s, "2026-10-05", true, f, 3, NULL);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incidents WHERE severity = 'P1'"), 3);
    expect_chain_ok(s);
    md_store_close(s);
}
END_TEST

START_TEST(a_resolved_incident_is_not_reopened)
{
    md_store *s = world();
    md_feature_facts f[1] = {drifting("x")};
    apply(s, "2026-10-01", true, f, 1, NULL);
    md_err err;
    ck_assert_int_eq(md_incident_resolve(s, &olga, 1, "upstream fixed", &err), MD_OK);
    /* the rules run again over the same window (evaluate, a re-ingest): it was answered for */
    char *before = tu_snapshot(s);
    md_incident_tally t = apply(s, "2026-10-01", true, f, 1, NULL);
    ck_assert_int_eq(t.opened + t.updated + t.escalated, 0);
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    /* a later window with the same finding is a new incident */
    t = apply(s, "2026-10-02", true, f, 1, NULL);
    ck_assert_int_eq(t.opened, 1);
    /* and the resolved one's window does not come back as its evidence */
    apply(s, "2026-10-01", true, f, 1, NULL);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incident_evidence WHERE incident_id = 2"),
                     1);
    /* resolved without an acknowledgement: no time to acknowledge */
    json_t *o = incident(s, 1);
    ck_assert(json_is_null(json_object_get(o, "acknowledged_at")));
    ck_assert(json_is_null(json_object_get(o, "time_to_ack_s")));
    json_decref(o);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incidents WHERE state = 'open'"), 1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incidents WHERE state = 'resolved'"), 1);
    md_store_close(s);
}
END_TEST

/* A run of the rules counts each incident once, however many windows add to it: an ingest of
 * five drifting windows opens one incident and updates none; the next run that adds to it
 * updates one. */
START_TEST(an_incident_counts_once_per_run)
{
    md_store *s = world();
    md_policy p;
    md_err err;
    ck_assert_int_eq(md_policy_load(s, "churn", &p, &err), MD_OK);
    md_feature_facts f[1] = {drifting("x")};
    const char *days[] = {"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05",
                          "2026-10-06", "2026-10-07"};
    for (int run = 0; run < 2; run++) {
        md_incident_tally t = {0};
        ck_assert_int_eq(md_tx_begin(s, &err), MD_OK);
        for (int d = run ? 5 : 0; d < (run ? 7 : 5); d++) {
            md_window_facts w = {.model_id = 1, .version_id = 1, .version_number = 1,
                                 .model = "churn", .production = true, .window_kind = "day",
                                 .window = days[d], .f = f, .nf = 1};
            ck_assert_int_eq(md_incidents_apply(s, "olga", &w, &p, &t, &err), MD_OK);
        }
        ck_assert_int_eq(md_tx_commit(s, &err), MD_OK);
        ck_assert_int_eq(t.opened, run ? 0 : 1);
        ck_assert_int_eq(t.updated, run ? 1 : 0);
        md_incident_tally_free(&t);
    }
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incident_evidence"), 7);
    md_policy_free(&p);
    md_store_close(s);
}
END_TEST

/* Hosmer-Lemeshow's chi-square holds where the deciles' expected counts are large enough: every
 * one at least 1 and four in five at least 5, over the deciles it counts. */
START_TEST(hl_adequate_by_expected_counts)
{
    /* 100 labeled rows in 10 deciles of 10, mean scores 0.05 .. 0.95: the two ends expect
     * 0.5 events or non-events */
    json_t *d = json_array();
    for (int i = 0; i < 10; i++)
        json_array_append_new(d, json_pack("{s:i, s:f}", "n", 10, "expected", 0.05 + 0.1 * i));
    ck_assert(!md_hl_adequate(d));
    /* 1000 rows: the ends expect 5 */
    for (size_t i = 0; i < 10; i++)
        json_object_set_new(json_array_get(d, i), "n", json_integer(100));
    ck_assert(md_hl_adequate(d));
    /* 300 rows: expected 1.5 at the ends and 4.5 next: 4 of 20 cells under 5, the limit */
    for (size_t i = 0; i < 10; i++)
        json_object_set_new(json_array_get(d, i), "n", json_integer(30));
    ck_assert(md_hl_adequate(d));
    json_object_set_new(json_array_get(d, 2), "n", json_integer(10)); /* 2.5 and 7.5: one more */
    ck_assert(!md_hl_adequate(d));
    /* empty deciles and those at 0 or 1 do not count (the statistic leaves them out) */
    json_t *e = json_array();
    json_array_append_new(e, json_pack("{s:i, s:n}", "n", 0, "expected"));
    json_array_append_new(e, json_pack("{s:i, s:f}", "n", 50, "expected", 1.0));
    json_array_append_new(e, json_pack("{s:i, s:f}", "n", 50, "expected", 0.5));
    ck_assert(md_hl_adequate(e));
    json_decref(e);
    json_decref(d);
    ck_assert(!md_hl_adequate(NULL));
}
END_TEST

/* The calibration rule's parts: a high ECE decides only over enough labeled rows, a low
 * Hosmer-Lemeshow p-value only where its chi-square holds; either alone is enough. */
START_TEST(calibration_rule_parts)
{
    md_incident_policy ip = {.ece_max = 0.05, .ece_min_labeled = 2000, .hl_pvalue = 0.01};
    md_calibration_figures f = {true, true, 0.175, 2e-42, 640, true};
    md_calibration_verdict v = md_calibration_rule(&ip, &f);
    ck_assert(v.ece_over && !v.ece_counts && v.hl_testable && v.hl_low && v.miscalibrated);
    f.hl_adequate = false; /* small deciles: nothing decides */
    v = md_calibration_rule(&ip, &f);
    ck_assert(v.ece_over && !v.hl_testable && !v.miscalibrated);
    f.labeled = 2000; /* enough labeled rows: ECE alone decides */
    ck_assert(md_calibration_rule(&ip, &f).miscalibrated);
    f.ece = 0.05; /* at the threshold is within it */
    v = md_calibration_rule(&ip, &f);
    ck_assert(!v.ece_over && !v.miscalibrated);
    f = (md_calibration_figures){false, true, NAN, 0.001, 10, true};
    v = md_calibration_rule(&ip, &f);
    ck_assert(!v.ece_over && !v.ece_counts && v.miscalibrated);
    f.has_hl_p = false;
    ck_assert(!md_calibration_rule(&ip, &f).miscalibrated);
}
END_TEST

START_TEST(window_rules_fire_on_their_thresholds)
{
    md_store *s = world();
    /* non-production findings are one severity lower */
    md_feature_facts f[1] = {drifting("x")};
    apply(s, "2026-10-01", false, f, 1, NULL);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incidents WHERE kind = 'drift' AND"
                                 " severity = 'P4'"),
                     1);
    /* schema changes and missingness */
    md_feature_facts g[2] = {{.feature = "ch", .schema_changes = 2},
                             {.feature = "z", .missing_delta = 0.25}};
    apply(s, "2026-10-01", true, g, 2, NULL);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incidents WHERE kind = 'schema' AND"
                                 " key = 'ch' AND severity = 'P2'"),
                     1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incidents WHERE kind = 'data_quality' AND"
                                 " key = 'z' AND severity = 'P3'"),
                     1);
    g[1].missing_delta = 0.19; /* under the policy's 0.2: nothing new */
    md_incident_tally t = apply(s, "2026-10-02", true, g + 1, 1, NULL);
    ck_assert_int_eq(t.opened + t.updated, 0);
    g[1].missing_delta = 0.4; /* over it, but a change chance explains (a window of 5 rows) */
    g[1].missing_pvalue = 0.05;
    t = apply(s, "2026-10-02", true, g + 1, 1, NULL);
    ck_assert_int_eq(t.opened + t.updated, 0);
    g[1].missing_pvalue = NAN; /* not known (stored before it was kept): the threshold alone */
    t = apply(s, "2026-10-02", true, g + 1, 1, NULL);
    ck_assert_int_eq(t.updated, 1);
    /* PSI far over its null but from 99 values: under drift.psi.min_rows, not evidence */
    md_feature_facts few = drifting("few");
    few.present = 99;
    t = apply(s, "2026-10-02", true, &few, 1, NULL);
    ck_assert_int_eq(t.opened + t.updated, 0);
    few.mix_pvalue = 0.02; /* a categorical one whose counts chance could explain */
    t = apply(s, "2026-10-02", true, &few, 1, NULL);
    ck_assert_int_eq(t.opened + t.updated, 0);
    few.mix_pvalue = 0.001; /* ... or not: its PSI counts at 99 values */
    t = apply(s, "2026-10-02", true, &few, 1, NULL);
    ck_assert_int_eq(t.opened, 1);
    few.present = 5000; /* enough values, but a rare category: the exact test still decides */
    few.mix_pvalue = 0.3;
    t = apply(s, "2026-10-03", true, &few, 1, NULL);
    ck_assert_int_eq(t.opened + t.updated, 0);
    few.present = 100; /* enough values: PSI counts without the exact test */
    few.mix_pvalue = NAN;
    t = apply(s, "2026-10-03", true, &few, 1, NULL);
    ck_assert_int_eq(t.updated, 1);

    /* calibration: ECE over the limit counts only with enough labels */
    md_window_facts w = {.has_ece = true, .ece = 0.08, .labeled = 1999};
    t = apply(s, "2026-10-03", true, NULL, 0, &w);
    ck_assert_int_eq(t.opened, 0);
    w.labeled = 2000;
    t = apply(s, "2026-10-03", true, NULL, 0, &w);
    ck_assert_int_eq(t.opened, 1);
    w = (md_window_facts){.has_hl_p = true, .hl_p = 0.02, .labeled = 500, .hl_adequate = true};
    t = apply(s, "2026-10-04", true, NULL, 0, &w);
    ck_assert_int_eq(t.opened + t.updated, 0);
    w.hl_p = 0.009;
    t = apply(s, "2026-10-04", true, NULL, 0, &w);
    ck_assert_int_eq(t.updated, 1);
    w.hl_adequate = false; /* too few labels for its chi-square: the p-value does not count */
    w.hl_p = 1e-6;
    t = apply(s, "2026-10-05", true, NULL, 0, &w);
    ck_assert_int_eq(t.opened + t.updated, 0);

    /* performance: a drop beyond the threshold and beyond what the sample explains */
    w = (md_window_facts){.has_auc = true, .auc = 0.70, .has_delta = true, .delta_auc = -0.04,
                          .labeled = 200, .positives = 20};
    t = apply(s, "2026-10-05", true, NULL, 0, &w); /* 20 positives: within noise */
    ck_assert_int_eq(t.opened, 0);
    w.labeled = 20000;
    w.positives = 2000;
    t = apply(s, "2026-10-05", true, NULL, 0, &w);
    ck_assert_int_eq(t.opened, 1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incidents WHERE kind = 'performance' AND"
                                 " severity = 'P2'"),
                     1);
    w.delta_auc = -0.06; /* at or below the P1 line on production */
    t = apply(s, "2026-10-06", true, NULL, 0, &w);
    ck_assert_int_eq(t.escalated, 1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incidents WHERE kind = 'performance' AND"
                                 " severity = 'P1'"),
                     1);

    /* latency: the share over the SLA */
    w = (md_window_facts){.has_over_sla = true, .over_sla = 0.01};
    t = apply(s, "2026-10-07", true, NULL, 0, &w);
    ck_assert_int_eq(t.opened, 0);
    w.over_sla = 0.011;
    t = apply(s, "2026-10-07", true, NULL, 0, &w);
    ck_assert_int_eq(t.opened, 1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incidents WHERE kind = 'latency'"), 1);
    md_store_close(s);
}
END_TEST

/* The tally the console reads must agree with a scan of the incidents, whatever happened. */
static void expect_tally_agrees(md_store *s)
{
    const char *scan = "SELECT model_id, severity, count(*) FROM incidents"
                       " WHERE state <> 'resolved' GROUP BY 1, 2";
    const char *tally = "SELECT model_id, severity, active FROM incident_tally WHERE active > 0";
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM (%s EXCEPT %s)", scan, tally);
    ck_assert_int_eq(tu_count(s, sql), 0);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM (%s EXCEPT %s)", tally, scan);
    ck_assert_int_eq(tu_count(s, sql), 0);
}

/* A window recomputed (rows added, a file corrected): the evidence from it is brought up to date
 * with a note keeping what it read, and when the rule no longer holds there a note says so,
 * once; an absent column is a schema change, not a missingness spike as well. */
START_TEST(recomputed_windows_update_their_evidence)
{
    md_store *s = world();
    md_feature_facts f[1] = {drifting("x")};
    apply(s, "2026-10-01", true, f, 1, NULL);
    f[0].psi = 0.5; /* more rows, still drifting */
    md_incident_tally t = apply(s, "2026-10-01", true, f, 1, NULL);
    ck_assert_int_eq(t.opened, 0);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incident_evidence WHERE detail LIKE "
                                 "'%\"psi\":0.5,%'"),
                     1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incident_notes WHERE text LIKE 'window "
                                 "2026-10-01 was recomputed; its evidence was brought up to date "
                                 "(it read P3 % psi=0.4 %'"),
                     1);
    apply(s, "2026-10-01", true, f, 1, NULL); /* the same again: nothing to say */
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incident_notes"), 1);
    f[0] = quiet("x");
    apply(s, "2026-10-01", true, f, 1, NULL);
    apply(s, "2026-10-01", true, f, 1, NULL);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incident_notes WHERE text LIKE 'window "
                                 "2026-10-01 no longer meets this rule%'"),
                     1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit WHERE action = 'incident.note'"), 2);
    /* it meets the rule again with the evidence it had (a corrected file undone): said so, and
     * the next change is said again */
    f[0] = drifting("x");
    f[0].psi = 0.5;
    apply(s, "2026-10-01", true, f, 1, NULL);
    apply(s, "2026-10-01", true, f, 1, NULL);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incident_notes WHERE text = 'window "
                                 "2026-10-01 meets this rule again'"),
                     1);
    f[0] = quiet("x");
    apply(s, "2026-10-01", true, f, 1, NULL);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incident_notes WHERE text LIKE 'window "
                                 "2026-10-01 no longer meets this rule%'"),
                     2);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incidents WHERE state = 'open'"), 1);

    md_feature_facts gone = {.feature = "y",
                             .missing_delta = 0.97,
                             .missing_pvalue = 0,
                             .schema_changes = 1,
                             .mix_pvalue = NAN};
    t = apply(s, "2026-10-02", true, &gone, 1, NULL);
    ck_assert_int_eq(t.opened, 1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incidents WHERE key = 'y'"), 1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incidents WHERE kind = 'schema'"), 1);
    md_store_close(s);
}
END_TEST

/* Why evidence met its rule: the figures beside the thresholds they crossed, under the policy in
 * force; `incidents show` gives it for each piece of evidence. */
START_TEST(evidence_says_why)
{
    md_store *s = world();
    md_policy p;
    md_err err;
    ck_assert_int_eq(md_policy_load(s, "churn", &p, &err), MD_OK);
    struct {
        const char *kind, *detail, *says;
    } cases[] = {
        {"drift", "{\"psi\": 0.4, \"psi_null_p99\": 0.02, \"ks\": 0.05, \"ks_pvalue\": 0.5}",
         "PSI 0.4 >= alert 0.25 and above its no-drift p99 0.02"},
        {"drift",
         "{\"psi\": 0.05, \"psi_null_p99\": 0.01, \"ks\": 0.2, \"ks_pvalue\": 1e-10, "
         "\"drifting_features\": 3}",
         "KS D 0.2 >= 0.1 with p 1e-10 < 0.01; 3 features drifting in this window"},
        {"calibration", "{\"ece\": 0.08, \"labeled\": 3000, \"hl_pvalue\": 0.5}",
         "ECE 0.08 > 0.05 over 3000 labeled rows"},
        {"data_quality", "{\"missing_delta\": 0.25, \"missing_pvalue\": 1e-9}",
         "missing rate +0.25 from the baseline's, at least 0.2; binomial p 1e-09 < 0.01"},
        {"latency", "{\"over_sla\": 0.15}", "15% of latencies over the model's SLA, more than 1%"},
        {"drift", "{\"psi\": 0.01, \"psi_null_p99\": 0.02}", "no longer meets the rule"},
        /* 42 values: PSI does not count there, KS did */
        {"drift",
         "{\"psi\": 0.75, \"psi_null_p99\": 0.44, \"present\": 42, \"ks\": 0.3, "
         "\"ks_pvalue\": 1e-05}",
         "KS D 0.3 >= 0.1"},
        {"data_quality", "{\"missing_delta\": 0.25, \"missing_pvalue\": 0.2}",
         "no longer meets the rule"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *d = json_loads(cases[i].detail, 0, NULL);
        char why[512];
        md_incident_why(cases[i].kind, d, &p, why, sizeof why);
        ck_assert_msg(strstr(why, cases[i].says), "case %zu: %s", i, why);
        ck_assert_msg(!strstr(cases[i].detail, "\"present\": 42") || !strstr(why, "PSI"), "%s",
                      why);
        json_decref(d);
    }
    p.drift.ks_level = MD_LEVEL_WARN; /* KS then opens no incident: no reason of one either */
    json_t *d = json_loads(cases[1].detail, 0, NULL);
    char why[512];
    md_incident_why("drift", d, &p, why, sizeof why);
    ck_assert_msg(!strstr(why, "KS"), "%s", why);
    /* the other features that drifted beside it are no reason of its own */
    ck_assert_msg(strstr(why, "no longer meets the rule"), "%s", why);
    json_decref(d);
    md_policy_free(&p);
    md_feature_facts f[1] = {drifting("x")};
    apply(s, "2026-10-01", true, f, 1, NULL);
    json_t *o = incident(s, 1), *e = json_array_get(json_object_get(o, "evidence"), 0);
    ck_assert_msg(strncmp(str(e, "reason"), "PSI 0.4 >= alert 0.25", 21) == 0, "%s",
                  str(e, "reason"));
    json_decref(o);
    md_store_close(s);
}
END_TEST

/* ---- lifecycle -------------------------------------------------------------------------------- */

/* The registry's INC column for churn: the queue's incidents and the worst of them. */
static void expect_registry_incidents(md_store *s, int64_t count, int64_t worst)
{
    md_model_row *rows;
    size_t n;
    md_err err;
    ck_assert_int_eq(md_overview_models(s, &rows, &n, &err), MD_OK);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(rows[0].open_incidents, count);
    ck_assert_int_eq(rows[0].worst_severity, worst);
    md_model_rows_free(rows, n);
}

START_TEST(lifecycle_is_audited_and_timed)
{
    md_store *s = world();
    md_feature_facts f[1] = {drifting("x")};
    apply(s, "2026-10-01", true, f, 1, NULL);
    md_err err;
    char *before = tu_snapshot(s);
    /* who may: a viewer nothing, an analyst notes only */
    ck_assert_int_eq(md_incident_ack(s, &vic, 1, NULL, &err), MD_REFUSED);
    ck_assert_int_eq(md_incident_note(s, &vic, 1, "hm", &err), MD_REFUSED);
    ck_assert_int_eq(md_incident_ack(s, &ada, 1, NULL, &err), MD_REFUSED);
    ck_assert_int_eq(md_incident_resolve(s, &olga, 1, "", &err), MD_INVALID);
    ck_assert_int_eq(md_incident_note(s, &olga, 1, "", &err), MD_INVALID);
    ck_assert_int_eq(md_incident_assign(s, &olga, 1, "nobody", NULL, &err), MD_NOTFOUND);
    ck_assert_int_eq(md_incident_ack(s, &olga, 99, NULL, &err), MD_NOTFOUND);
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);

    md_store_set_now(s, T0 + 10 * MIN);
    ck_assert_int_eq(md_incident_ack(s, &olga, 1, "looking", &err), MD_OK);
    ck_assert_int_eq(md_incident_ack(s, &olga, 1, NULL, &err), MD_ERROR);
    ck_assert_int_eq(md_incident_assign(s, &olga, 1, "ann", "CRM owns the feed", &err), MD_OK);
    ck_assert_int_eq(md_incident_note(s, &ada, 1, "the feed dropped at 02:00", &err), MD_OK);

    /* snooze: hidden from the queue and the counts until then; only a future time */
    char until[MD_TIME_TEXT_MAX];
    md_time_format(T0 - MIN, until);
    ck_assert_int_eq(md_incident_snooze(s, &olga, 1, until, "wait", &err), MD_INVALID);
    md_time_format(T0 + 120 * MIN, until);
    int64_t due;
    ck_assert_int_eq(md_overview_next_change(s, &due, &err), MD_OK);
    ck_assert_int_eq(due, 0); /* nothing snoozed, no request: nothing changes by itself */
    ck_assert_int_eq(md_incident_snooze(s, &olga, 1, until, "wait for the backfill", &err), MD_OK);
    /* a console open till then reads the store again when the snooze runs out */
    ck_assert_int_eq(md_overview_next_change(s, &due, &err), MD_OK);
    ck_assert_int_eq(due, T0 + 120 * MIN);
    int64_t counts[5];
    ck_assert_int_eq(md_incident_counts(s, counts, &err), MD_OK);
    ck_assert_int_eq(counts[3], 0);
    expect_registry_incidents(s, 0, 0); /* as the header and the queue */
    md_incident_filter flt = {.state = "active"};
    json_t *list;
    ck_assert_int_eq(md_incidents_list(s, &flt, &list, &err), MD_OK);
    ck_assert_int_eq(json_array_size(list), 0);
    json_decref(list);
    flt.include_snoozed = true;
    ck_assert_int_eq(md_incidents_list(s, &flt, &list, &err), MD_OK);
    ck_assert_int_eq(json_array_size(list), 1);
    json_decref(list);
    md_store_set_now(s, T0 + 121 * MIN); /* the snooze is over */
    ck_assert_int_eq(md_overview_next_change(s, &due, &err), MD_OK);
    ck_assert_int_eq(due, 0); /* past: due no more */
    ck_assert_int_eq(md_incident_counts(s, counts, &err), MD_OK);
    ck_assert_int_eq(counts[3], 1);
    expect_registry_incidents(s, 1, 3);
    expect_tally_agrees(s);

    md_store_set_now(s, T0 + 150 * MIN);
    ck_assert_int_eq(md_incident_resolve(s, &olga, 1, "feed restored", &err), MD_OK);
    ck_assert_int_eq(md_incident_resolve(s, &olga, 1, "again", &err), MD_ERROR);
    ck_assert_int_eq(md_incident_counts(s, counts, &err), MD_OK);
    ck_assert_int_eq(counts[3], 0);
    expect_tally_agrees(s);
    ck_assert_int_eq(md_incident_assign(s, &olga, 1, "ann", NULL, &err), MD_ERROR);
    json_t *o = incident(s, 1);
    ck_assert_str_eq(str(o, "state"), "resolved");
    ck_assert_str_eq(str(o, "acknowledged_by"), "olga");
    ck_assert_str_eq(str(o, "resolved_by"), "olga");
    ck_assert_str_eq(str(o, "assignee"), "ann");
    ck_assert_str_eq(str(o, "acknowledged_at"), "2026-10-01T00:10:00.000Z");
    ck_assert_double_eq_tol(json_number_value(json_object_get(o, "time_to_ack_s")), 600, 1e-3);
    ck_assert_double_eq_tol(json_number_value(json_object_get(o, "time_to_resolve_s")), 9000,
                            1e-3);
    json_t *notes = json_object_get(o, "notes");
    ck_assert_int_eq(json_array_size(notes), 1);
    ck_assert_str_eq(str(json_array_get(notes, 0), "actor"), "ada");
    json_decref(o);
    /* every step is in the audit log, under the incident */
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit WHERE object = 'incident:1'"), 6);
    expect_chain_ok(s);
    md_store_close(s);
}
END_TEST

START_TEST(more_severe_evidence_ends_a_snooze)
{
    md_store *s = world();
    md_feature_facts f[3] = {drifting("x"), quiet("z"), quiet("ch")};
    apply(s, "2026-10-01", true, f, 3, NULL);
    md_err err;
    char until[MD_TIME_TEXT_MAX];
    md_time_format(T0 + 600 * MIN, until);
    ck_assert_int_eq(md_incident_snooze(s, &olga, 1, until, "known", &err), MD_OK);
    f[1] = drifting("z");
    f[2] = drifting("ch");
    apply(s, "2026-10-02", true, f, 3, NULL);
    json_t *o = incident(s, 1);
    ck_assert_str_eq(str(o, "severity"), "P1");
    ck_assert(json_is_false(json_object_get(o, "snoozed")));
    json_decref(o);
    expect_tally_agrees(s); /* the severity changed: P3 left the tally, P1 entered it */
    int64_t counts[5];
    ck_assert_int_eq(md_incident_counts(s, counts, &err), MD_OK);
    ck_assert_int_eq(counts[1], tu_count(s, "SELECT count(*) FROM incidents WHERE severity = 'P1'"
                                           " AND state <> 'resolved'"));
    ck_assert_int_eq(counts[1] + counts[3], 3);
    md_store_close(s);
}
END_TEST

/* ---- policy ------------------------------------------------------------------------------------ */

static const char *policy_file(const char *text)
{
    const char *path = tu_path("policy.json");
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static const struct {
    const char *text, *says;
} bad_policies[] = {
    {"{\"drift\": {\"psi\": {\"alert\": \"high\"}}}", "drift.psi.alert: expected a number"},
    {"{\"drift\": {\"psi\": {\"warn\": 0.5}}}", "drift.psi.warn is above drift.psi.alert"},
    {"{\"promotion\": {\"approvals\": {\"production\": 0}}}",
     "promotion.approvals.production: expected a whole number in [1, 10]"},
    {"{\"promotion\": {\"gates\": {\"delta_acu\": {\"min\": 0}}}}",
     "promotion.gates.delta_acu: unknown key"},
    {"{\"promotion\": {\"gates\": {\"ece\": {\"maximum\": 0.1}}}}",
     "promotion.gates.ece.maximum: unknown key"},
    {"{\"incidents\": {\"drift\": {\"severity\": \"P5\"}}}",
     "incidents.drift.severity: expected \"P1\""},
    {"{\"retrain\": {\"backend\": {\"type\": \"ftp\"}}}", "retrain.backend.type"},
    {"{\"retrain\": {\"backend\": {\"type\": \"webhook\", \"url\": \"file:///etc/passwd\"}}}",
     "retrain.backend.url"},
    {"{\"retrain\": {\"backend\": {\"type\": \"webhook\", \"url\": \"https://ci/x\","
     " \"headers\": {\"Authorization\": \"Bearer ${TOKEN}\"}}}}",
     "${TOKEN} is not listed in retrain.backend.secret_env"},
    {"{\"retrain\": {\"backend\": {\"type\": \"webhook\", \"url\": \"https://ci/x\","
     " \"retries\": 50}}}",
     "retrain.backend.retries"},
    {"{\"retrain\": {\"backend\": {\"urll\": \"https://ci/x\"}}}", "retrain.backend.urll"},
    {"[1, 2]", "expected a JSON object"},
    {"{\"drift\": {\"psi\": {\"alert\": 0.3,}}}", "policy.json:1: invalid JSON"},
    {"{\"drift\": 1, \"drift\": 2}", "invalid JSON"},
};

START_TEST(a_malformed_policy_is_named_and_the_old_one_stays)
{
    md_store *s = world();
    md_err err;
    int64_t rev;
    ck_assert_int_eq(md_policy_set(s, &admin, "churn",
                                   policy_file("{\"drift\": {\"psi\": {\"alert\": 0.3}}}"), "first",
                                   &rev, NULL, &err),
                     MD_OK);
    char *before = tu_snapshot(s);
    md_status rc = md_policy_set(s, &admin, "churn", policy_file(bad_policies[_i].text), "oops",
                                 &rev, NULL, &err);
    ck_assert_int_eq(rc, MD_INVALID);
    ck_assert_msg(strstr(err.msg, bad_policies[_i].says), "'%s' does not say '%s'", err.msg,
                  bad_policies[_i].says);
    ck_assert_msg(strstr(err.msg, "policy.json"), "'%s' does not name the file", err.msg);
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    md_policy p;
    ck_assert_int_eq(md_policy_load(s, "churn", &p, &err), MD_OK);
    ck_assert_double_eq(p.drift.psi_alert, 0.3);
    md_policy_free(&p);
    md_store_close(s);
}
END_TEST

START_TEST(overrides_are_revisions_over_the_defaults)
{
    md_store *s = world();
    md_err err;
    int64_t rev;
    const char *one = policy_file("{\"promotion\": {\"approvals\": {\"production\": 3}}}");
    ck_assert_int_eq(md_policy_set(s, &olga, "churn", one, "r", &rev, NULL, &err), MD_REFUSED);
    ck_assert_int_eq(md_policy_set(s, &admin, "nope", one, "r", &rev, NULL, &err), MD_NOTFOUND);
    ck_assert_int_eq(md_policy_set(s, &admin, "churn", one, "CRM asks for three", &rev, NULL, &err),
                     MD_OK);
    ck_assert_int_eq(rev, 1);
    const char *two = policy_file("{\"promotion\": {\"request_ttl_hours\": 24}}");
    ck_assert_int_eq(md_policy_set(s, &admin, "churn", two, "shorter", &rev, NULL, &err), MD_OK);
    ck_assert_int_eq(rev, 2);
    json_t *doc;
    ck_assert_int_eq(md_policy_document(s, "churn", &doc, &rev, &err), MD_OK);
    ck_assert_int_eq(rev, 2);
    /* the latest revision replaces the earlier one; anything it does not set is the default */
    json_t *promo = json_object_get(doc, "promotion");
    ck_assert_double_eq(json_number_value(json_object_get(promo, "request_ttl_hours")), 24);
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_object_get(promo, "approvals"), "production")), 2);
    json_decref(doc);
    ck_assert_int_eq(md_policy_document(s, NULL, &doc, &rev, &err), MD_OK);
    ck_assert_int_eq(rev, 0);
    json_decref(doc);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit WHERE action = 'policy.set'"), 2);
    expect_chain_ok(s);
    md_store_close(s);
}
END_TEST

Suite *suite_incidents(void)
{
    Suite *s = suite_create("incidents");
    TCase *tc = tcase_create("incidents");
    tcase_set_timeout(tc, 60); /* a busy machine: Check's 4 s are close for the longest checks */
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, one_open_incident_per_model_kind_and_key);
    tcase_add_test(tc, a_resolved_incident_is_not_reopened);
    tcase_add_test(tc, hl_adequate_by_expected_counts);
    tcase_add_test(tc, calibration_rule_parts);
    tcase_add_test(tc, window_rules_fire_on_their_thresholds);
    tcase_add_test(tc, an_incident_counts_once_per_run);
    tcase_add_test(tc, lifecycle_is_audited_and_timed);
    tcase_add_test(tc, recomputed_windows_update_their_evidence);
    tcase_add_test(tc, evidence_says_why);
    tcase_add_test(tc, more_severe_evidence_ends_a_snooze);
    tcase_add_loop_test(tc, a_malformed_policy_is_named_and_the_old_one_stays, 0,
                        (int)(sizeof bad_policies / sizeof bad_policies[0]));
    tcase_add_test(tc, overrides_are_revisions_over_the_defaults);
    suite_add_tcase(s, tc);
    return s;
}
