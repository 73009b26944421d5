/* latency figures under the model's SLA: the share over it stays exact when latencies fold into
 * bins (or carries its bound); a changed SLA restates the stored windows at once and notes the
 * latency incidents whose evidence it changed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incidents.h"
#include "ingest.h"
#include "json.h"
#include "mem.h"
#include "models.h"
#include "monitoring.h"
#include "results.h"
#include "testutil.h"

static void teardown(void)
{
    tu_cleanup();
}

/* A log of `n` rows in one window with distinct latencies around the SLA; over[j] counts the
 * latencies, as the file spells them, above 100 ms (j = 0) and 120 ms (j = 1). */
static const char *latency_log(const char *name, int n, int offset, int64_t over[2])
{
    size_t cap = (size_t)n * 64 + 64, len = 0;
    char *text = malloc(cap);
    len += (size_t)snprintf(text, cap, "ts,score,label,lat\n");
    for (int i = 0; i < n; i++) {
        char lat[32]; /* 60 .. 140 ms, all distinct */
        snprintf(lat, sizeof lat, "%.3f", 60 + (double)(2 * i + offset) * 0.001);
        over[0] += strtod(lat, NULL) > 100;
        over[1] += strtod(lat, NULL) > 120;
        len +=
            (size_t)snprintf(text + len, cap - len, "2026-10-01T10:00:00Z,0.5,%d,%s\n", i % 2, lat);
    }
    const char *path = mon_write_file(name, text);
    free(text);
    return path;
}

/* 500 rows in the window of `day` with latencies from 60 to 140 ms (two decimals), above
 * either SLA some of them; over[j] counts those above 100 ms (j = 0) and 120 ms (j = 1). */
static const char *wide_latency_log(const char *name, const char *day, int64_t over[2])
{
    char *text = md_xstrdup("ts,score,label,lat\n");
    for (int i = 0; i < 500; i++) {
        char *more = md_xasprintf("%s%sT10:00:00Z,0.5,%d,%.2f\n", text, day, i % 2, 60 + i * 0.16);
        free(text);
        text = more;
        over[0] += 60 + i * 0.16 > 100.005;
        over[1] += 60 + i * 0.16 > 120.005;
    }
    ck_assert(over[0] > over[1] && over[1] > 0);
    const char *path = mon_write_file(name, text);
    free(text);
    return path;
}

static json_t *latency_of(md_store *s)
{
    json_t *doc;
    md_err err;
    ck_assert_int_eq(md_calibration_json(s, "churn", 1, NULL, &doc, &err), MD_OK);
    json_t *lat = json_object_get(json_array_get(json_object_get(doc, "windows"), 0), "latency");
    ck_assert(json_is_object(lat));
    json_incref(lat);
    json_decref(doc);
    return lat;
}

START_TEST(over_sla_stays_exact_when_latencies_fold_into_bins)
{
    md_store *s = mon_store();
    md_ingest_opts o = {0};
    o.read.cols.latency = "lat";
    md_ingest_report rep;
    md_err err;
    int64_t over[2] = {0, 0};
    /* two ingests of 40,000 distinct latencies each: 80,000 in the window, past the 65,536 a
     * window keeps exactly, so the latencies fold into bins */
    ck_assert_int_eq(mon_ingest(s, latency_log("l1.csv", 40000, 0, over), &o, &rep, &err), MD_OK);
    ck_assert_int_eq(mon_ingest(s, latency_log("l2.csv", 40000, 1, over), &o, &rep, &err), MD_OK);
    json_t *lat = latency_of(s);
    ck_assert(json_is_false(json_object_get(lat, "exact")));
    ck_assert_int_eq(json_integer_value(json_object_get(lat, "n")), 80000);
    ck_assert(json_real_value(json_object_get(lat, "over_sla")) == (double)over[0] / 80000.0);
    ck_assert(json_real_value(json_object_get(lat, "over_sla_error")) == 0.0);
    json_decref(lat);
    /* a new SLA: the counts were kept against the old one, so the stored share is read again
     * from the bins, with the bound it carries, at once (not at the next ingest) */
    md_model_spec change = {.sla = 1, .sla_ms = 120};
    md_sla_restated r;
    ck_assert_int_eq(md_model_edit(s, &mon_op, "churn", &change, "looser", NULL, &r, &err), MD_OK);
    ck_assert_int_eq(r.windows, 1);
    ck_assert_int_eq(r.changed, 1);
    for (int round = 0; round < 2; round++) {
        if (round == 1) /* and an ingest of more rows into it keeps to the new SLA */
            ck_assert_int_eq(mon_ingest(s, latency_log("l3.csv", 10, 7, over), &o, &rep, &err),
                             MD_OK);
        double truth = (double)over[1] / (round ? 80010.0 : 80000.0);
        lat = latency_of(s);
        double got = json_real_value(json_object_get(lat, "over_sla")),
               bound = json_real_value(json_object_get(lat, "over_sla_error"));
        ck_assert(bound > 0 && bound < 0.05);
        ck_assert_msg(fabs(got - truth) <= bound, "%.17g vs %.17g, bound %g", got, truth, bound);
        ck_assert(fabs(got - (double)over[0] / 80000.0) > bound); /* not the old SLA's share */
        json_decref(lat);
    }
    md_store_close(s);
}
END_TEST

/* Latencies a window keeps exactly: a changed SLA gives the exact share over the new one, and
 * an SLA taken away leaves no share; the percentiles stay as they were. */
START_TEST(sla_change_restates_stored_windows)
{
    md_store *s = mon_store();
    md_ingest_opts o = {0};
    o.read.cols.latency = "lat";
    md_ingest_report rep;
    md_err err;
    int64_t over[2] = {0, 0};
    ck_assert_int_eq(mon_ingest(s, wide_latency_log("e1.csv", "2026-10-01", over), &o, &rep, &err),
                     MD_OK);
    json_t *before = latency_of(s);
    ck_assert(json_real_value(json_object_get(before, "over_sla")) == (double)over[0] / 500.0);
    md_model_spec change = {.sla = 1, .sla_ms = 120};
    md_sla_restated r;
    ck_assert_int_eq(md_model_edit(s, &mon_op, "churn", &change, "looser", NULL, &r, &err), MD_OK);
    ck_assert_int_eq(r.windows, 1);
    ck_assert_int_eq(r.changed, 1);
    json_t *lat = latency_of(s);
    ck_assert(json_is_true(json_object_get(lat, "exact")));
    ck_assert(json_real_value(json_object_get(lat, "over_sla")) == (double)over[1] / 500.0);
    ck_assert(json_is_null(json_object_get(lat, "over_sla_error")));
    const char *same[] = {"p50", "p95", "p99", "n"};
    for (size_t i = 0; i < 4; i++)
        ck_assert(json_equal(json_object_get(lat, same[i]), json_object_get(before, same[i])));
    json_decref(lat);
    /* the same SLA again: nothing to restate */
    ck_assert_int_eq(md_model_edit(s, &mon_op, "churn", &change, NULL, NULL, &r, &err), MD_OK);
    ck_assert_int_eq(r.windows, 0);
    /* no SLA: no share */
    md_model_spec none = {.sla = -1};
    ck_assert_int_eq(md_model_edit(s, &mon_op, "churn", &none, "no SLA", NULL, &r, &err), MD_OK);
    ck_assert_int_eq(r.changed, 1);
    lat = latency_of(s);
    ck_assert(json_is_null(json_object_get(lat, "over_sla")));
    json_decref(lat);
    json_decref(before);
    md_store_close(s);
}
END_TEST

/* Notes on incident `id` that tell of a moved share. */
static int64_t restate_notes(md_store *s, int64_t id)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM incident_notes WHERE incident_id = %lld"
             " AND text LIKE '%%share of latencies over%%'",
             (long long)id);
    return tu_count(s, sql);
}

/* A latency incident still open cites shares under the old SLA: the change gives it one note
 * (audited, by the editor) listing the windows whose share moved off its evidence's, however
 * many it cites; a change back to the evidence's shares, an incident of another kind citing the
 * same window, and a resolved incident get none. */
START_TEST(sla_change_notes_open_latency_incidents)
{
    md_store *s = mon_store();
    md_ingest_opts o = {0};
    o.read.cols.latency = "lat";
    md_ingest_report rep;
    md_err err;
    int64_t over[2] = {0, 0}, over2[2] = {0, 0};
    ck_assert_int_eq(mon_ingest(s, wide_latency_log("n1.csv", "2026-10-01", over), &o, &rep, &err),
                     MD_OK);
    ck_assert_int_eq(mon_ingest(s, wide_latency_log("n2.csv", "2026-10-02", over2), &o, &rep, &err),
                     MD_OK);
    /* half of them over 100 ms: the rules opened one latency incident, citing both windows */
    int64_t lat_id = tu_count(s, "SELECT id FROM incidents WHERE kind = 'latency'"
                                 " AND state = 'open'");
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM incident_evidence e JOIN incidents i"
                                 " ON i.id = e.incident_id WHERE i.kind = 'latency'"),
                     2);
    /* and one of another kind citing the first window */
    ck_assert_int_eq(tu_exec(s, "INSERT INTO incidents(model_id, version_id, kind, key, severity,"
                                " state, title, opened_at, last_evidence_at)"
                                " SELECT model_id, version_id, 'drift', 'x', 'P3', 'open', 'x',"
                                " opened_at, opened_at FROM incidents WHERE kind = 'latency';"
                                "INSERT INTO incident_evidence SELECT (SELECT max(id) FROM"
                                " incidents), version_id, window_kind, window, 'x', severity, at,"
                                " detail FROM incident_evidence WHERE window = '2026-10-01' AND"
                                " incident_id = (SELECT id FROM incidents WHERE kind = 'latency')"),
                     0);
    int64_t drift_id = tu_count(s, "SELECT id FROM incidents WHERE kind = 'drift'");
    int64_t audit_before = tu_count(s, "SELECT count(*) FROM audit WHERE action = 'incident.note'");

    md_model_spec looser = {.sla = 1, .sla_ms = 120};
    md_sla_restated r;
    ck_assert_int_eq(md_model_edit(s, &mon_op, "churn", &looser, "looser", NULL, &r, &err), MD_OK);
    ck_assert_int_eq(r.changed, 2);
    ck_assert_int_eq(r.noted, 1);
    ck_assert_int_eq(restate_notes(s, lat_id), 1);
    ck_assert_int_eq(restate_notes(s, drift_id), 0);
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM incident_notes WHERE incident_id = %lld AND actor = 'olga'"
             " AND text LIKE '%%SLA is now 120 ms: the share of latencies over it moved in 2"
             " windows this incident cites (v1 2026-10-01: %.6g (its evidence: %.6g)%%'",
             (long long)lat_id, (double)over[1] / 500.0, (double)over[0] / 500.0);
    ck_assert_msg(tu_count(s, sql) == 1, "%s", sql);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit WHERE action = 'incident.note'"),
                     audit_before + 1);
    ck_assert_int_eq(tu_count(s,
                              "SELECT json_extract(details, '$.latency_restated.incidents_noted')"
                              " FROM audit WHERE action = 'model.edit' ORDER BY seq DESC LIMIT 1"),
                     1);
    /* back to the SLA the evidence was computed under: the shares are the evidence's again */
    md_model_spec back = {.sla = 1, .sla_ms = 100};
    ck_assert_int_eq(md_model_edit(s, &mon_op, "churn", &back, NULL, NULL, &r, &err), MD_OK);
    ck_assert_int_eq(r.changed, 2);
    ck_assert_int_eq(r.noted, 0);
    ck_assert_int_eq(restate_notes(s, lat_id), 1);
    /* a resolved incident is history: not noted */
    md_actor admin = tu_actor("admin");
    ck_assert_int_eq(md_incident_resolve(s, &admin, lat_id, "fixed upstream", &err), MD_OK);
    md_model_spec none = {.sla = -1};
    ck_assert_int_eq(md_model_edit(s, &mon_op, "churn", &none, "no SLA", NULL, &r, &err), MD_OK);
    ck_assert_int_eq(r.changed, 2);
    ck_assert_int_eq(r.noted, 0);
    ck_assert_int_eq(restate_notes(s, lat_id), 1);
    ck_assert_int_eq(restate_notes(s, drift_id), 0);
    md_store_close(s);
}
END_TEST

Suite *suite_latency(void)
{
    Suite *s = suite_create("latency");
    TCase *tc = tcase_create("latency");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, over_sla_stays_exact_when_latencies_fold_into_bins);
    tcase_add_test(tc, sla_change_restates_stored_windows);
    tcase_add_test(tc, sla_change_notes_open_latency_incidents);
    suite_add_tcase(s, tc);
    return s;
}
