/* baseline and ingest: the edge cases of docs/METRICS.md behave as written there (what a baseline
 * takes from its file: check_baseline.c; bad input: check_badinput.c; how the rows arrive:
 * check_parallel.c; the same values read two ways: check_reading.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "ingest.h"
#include "json.h"
#include "mem.h"
#include "models.h"
#include "overview.h"
#include "policies.h"
#include "monitoring.h"
#include "results.h"
#include "testutil.h"
#include "versions.h"

static void teardown(void)
{
    tu_cleanup();
}

/* n rows in one window with distinct scores (`from` + i over n + 1, seven decimals), labels
 * drawn from the scores; adds each (score, label) to s and y from *k on. */
static const char *score_log(const char *name, int n, double from, double *sc, int *y, int *k)
{
    size_t cap = (size_t)n * 48 + 64, len = 0;
    char *text = malloc(cap);
    len += (size_t)snprintf(text, cap, "ts,score,label\n");
    for (int i = 0; i < n; i++, ++*k) {
        char score[32];
        snprintf(score, sizeof score, "%.7f", from + (i + 1.0) / (n + 1.0) * (1 - from) * 0.999);
        sc[*k] = strtod(score, NULL);
        y[*k] = mon_unif() < sc[*k];
        len +=
            (size_t)snprintf(text + len, cap - len, "2026-10-01T10:00:00Z,%s,%d\n", score, y[*k]);
    }
    const char *path = mon_write_file(name, text);
    free(text);
    return path;
}

typedef struct {
    double score;
    int label;
} scored;

static int by_score(const void *a, const void *b)
{
    double x = ((const scored *)a)->score, z = ((const scored *)b)->score;
    return x < z ? -1 : x > z;
}

/* AUC over n (score, label) pairs, every score distinct: each positive outranks the negatives
 * below it. */
static double auc_of_pairs(const double *sc, const int *y, int n)
{
    scored *p = malloc((size_t)n * sizeof *p);
    for (int i = 0; i < n; i++)
        p[i] = (scored){sc[i], y[i]};
    qsort(p, (size_t)n, sizeof *p, by_score);
    double neg = 0, pos = 0, won = 0;
    for (int i = 0; i < n; i++) {
        won += p[i].label ? neg : 0;
        p[i].label ? pos++ : neg++;
    }
    free(p);
    return won / (pos * neg);
}

/* A window of more than 65,536 distinct scores keeps them as a histogram in its part: its AUC
 * is exact while this ingest's values are at hand, and once a later ingest recomputes it from
 * the parts it is marked approximate, with a bound that holds the exact AUC. */
START_TEST(auc_from_score_bins_stays_within_its_bound)
{
    md_store *s = mon_store();
    enum { N1 = 70000, N2 = 300 };
    double *sc = malloc((N1 + N2) * sizeof *sc);
    int *y = malloc((N1 + N2) * sizeof *y), k = 0;
    md_ingest_report rep;
    md_err err;
    ck_assert_int_eq(mon_ingest(s, score_log("s1.csv", N1, 0, sc, y, &k), NULL, &rep, &err), MD_OK);
    json_t *doc;
    ck_assert_int_eq(md_calibration_json(s, "churn", 1, NULL, &doc, &err), MD_OK);
    json_t *w = json_array_get(json_object_get(doc, "windows"), 0);
    ck_assert(json_is_true(json_object_get(w, "auc_exact")));
    ck_assert_double_eq_tol(json_real_value(json_object_get(w, "auc")), auc_of_pairs(sc, y, k),
                            1e-12);
    json_decref(doc);

    ck_assert_int_eq(mon_ingest(s, score_log("s2.csv", N2, 0.25, sc, y, &k), NULL, &rep, &err),
                     MD_OK);
    ck_assert_int_eq(md_calibration_json(s, "churn", 1, NULL, &doc, &err), MD_OK);
    w = json_array_get(json_object_get(doc, "windows"), 0);
    double auc = json_real_value(json_object_get(w, "auc")),
           bound = json_real_value(json_object_get(w, "auc_error")), truth = auc_of_pairs(sc, y, k);
    ck_assert(json_is_false(json_object_get(w, "auc_exact")));
    ck_assert_int_eq(json_integer_value(json_object_get(w, "labeled")), N1 + N2);
    ck_assert(bound > 0 && bound < 0.01);
    ck_assert_msg(fabs(auc - truth) <= bound, "%.17g vs %.17g, bound %g", auc, truth, bound);
    json_decref(doc);
    free(sc);
    free(y);
    md_store_close(s);
}
END_TEST

/* ---- edge cases -------------------------------------------------------------------------------- */

static json_t *drift_of(md_store *s, const char *feature)
{
    json_t *doc, *r;
    md_err err;
    size_t i;
    ck_assert_int_eq(md_drift_json(s, "churn", 2, NULL, &doc, &err), MD_OK);
    json_array_foreach(json_object_get(doc, "drift"), i, r) if (strcmp(
        json_string_value(json_object_get(r, "feature")), feature) == 0)
    {
        json_incref(r);
        json_decref(doc);
        return r;
    }
    json_decref(doc);
    ck_abort_msg("no drift row for %s", feature);
    return NULL;
}

static void ingest_v2(md_store *s, const char *text)
{
    md_ingest_opts o = {0};
    md_ingest_report rep;
    md_err err;
    md_status rc =
        md_ingest(s, &mon_op, "churn", 2, mon_write_file("l2.csv", text), &o, &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    md_ingest_report_free(&rep);
}

START_TEST(constant_baseline_column)
{
    md_store *s = mon_store();
    mon_baseline_v2(s, "score,label,c,e\n0.2,0,5,\n0.4,1,5,NA\n0.6,0,5,\n0.8,1,5,null\n");
    md_baseline b;
    md_err err;
    ck_assert_int_eq(md_baseline_get(s, "churn", 2, &b, &err), MD_OK);
    ck_assert_int_eq(b.features[0].nedges, 1); /* c: one edge, compared as == 5 and != 5 */
    ck_assert_int_eq(b.features[0].nbins, 2);
    ck_assert_int_eq(b.features[1].missing, 4); /* e: never present */
    md_baseline_free(&b);
    ingest_v2(s, "ts,score,label,c,e\n2026-10-01T00:00:00Z,0.3,1,5,1\n"
                 "2026-10-01T00:00:00Z,0.3,0,5,2\n2026-10-02T00:00:00Z,0.3,0,7,1\n"
                 "2026-10-02T00:00:00Z,0.3,1,5,3\n");
    json_t *r = drift_of(s, "c"); /* window 1: all equal to the constant */
    ck_assert(json_real_value(json_object_get(r, "psi")) == 0.0);
    ck_assert(json_real_value(json_object_get(r, "ks")) == 0.0);
    json_decref(r);
    json_t *doc, *row;
    size_t i;
    ck_assert_int_eq(md_drift_json(s, "churn", 2, "2026-10-02", &doc, &err), MD_OK);
    json_array_foreach(json_object_get(doc, "drift"), i, row)
    {
        const char *f = json_string_value(json_object_get(row, "feature"));
        if (strcmp(f, "c") == 0) { /* half the window left the constant: a = 0.5, e = 1e-4 */
            double want = (0.5 - 1.0) * log(0.5 / 1.0) + (0.5 - 1e-4) * log(0.5 / 1e-4);
            ck_assert(fabs(json_real_value(json_object_get(row, "psi")) - want) < 1e-12);
            ck_assert(json_real_value(json_object_get(row, "ks")) == 0.5);
        } else { /* e: no baseline values, nothing to compare */
            ck_assert(json_is_null(json_object_get(row, "psi")));
            ck_assert(json_is_null(json_object_get(row, "ks")));
        }
    }
    json_decref(doc);
    md_store_close(s);
}
END_TEST

/* Short category texts are counted through a cache keyed by their bytes, tried before anything
 * else; the spellings of a missing value are never put in it, so they stay missing however many
 * categories were met before them, in the baseline and in a window alike, and a category that
 * merely looks like one ("n", "nap") stays a category. */
START_TEST(missing_spellings_stay_missing_beside_cached_categories)
{
    md_store *s = mon_store();
    mon_baseline_v2(s, "score,label,ch\n0.2,0,web\n0.4,1,app\n0.6,0,web\n0.8,1,NA\n"
                       "0.3,0,app\n0.5,1,null\n0.7,0,NaN\n0.1,1,\n0.9,0,nap\n");
    md_baseline b;
    md_err err;
    ck_assert_int_eq(md_baseline_get(s, "churn", 2, &b, &err), MD_OK);
    ck_assert_int_eq(b.features[0].missing, 4);
    ck_assert_int_eq(md_strmap_size(&b.features[0].cats), 3); /* web, app, nap */
    md_baseline_free(&b);
    /* web and app fill the cache first; then each missing spelling after them */
    ingest_v2(s, "ts,score,label,ch\n2026-10-01T00:00:00Z,0.3,1,web\n"
                 "2026-10-01T00:00:00Z,0.3,0,app\n2026-10-01T00:00:00Z,0.3,0,web\n"
                 "2026-10-01T00:00:00Z,0.3,1,app\n2026-10-01T00:00:00Z,0.3,1,na\n"
                 "2026-10-01T00:00:00Z,0.3,0,NULL\n2026-10-01T00:00:00Z,0.3,1,nan\n"
                 "2026-10-01T00:00:00Z,0.3,0,\n2026-10-01T00:00:00Z,0.3,1,n\n"
                 "2026-10-01T00:00:00Z,0.3,0,NA\n");
    json_t *ch = drift_of(s, "ch");
    ck_assert(json_real_value(json_object_get(ch, "missing_rate")) == 0.5);
    json_t *fresh = json_object_get(ch, "new_categories");
    ck_assert_int_eq(json_array_size(fresh), 1);
    ck_assert_str_eq(json_string_value(json_array_get(fresh, 0)), "n");
    json_decref(ch);
    md_store_close(s);
}
END_TEST

START_TEST(schema_changes_alert)
{
    md_store *s = mon_store();
    mon_baseline_v2(s, "score,label,x,ch\n0.2,0,1,web\n0.4,1,2,app\n0.6,0,3,web\n0.8,1,4,app\n");
    /* x is absent; ch gains "push" twice; and a column the baseline does not know. */
    ingest_v2(s, "ts,score,label,ch,extra\n2026-10-01T00:00:00Z,0.3,1,web,1\n"
                 "2026-10-01T00:00:00Z,0.3,0,push,1\n2026-10-01T00:00:00Z,0.7,1,push,1\n");
    json_t *x = drift_of(s, "x"), *ch = drift_of(s, "ch");
    ck_assert_int_eq(json_integer_value(json_object_get(x, "schema_changes")), 1);
    ck_assert(json_real_value(json_object_get(x, "missing_rate")) == 1.0);
    ck_assert_str_eq(json_string_value(json_object_get(x, "status")), "alert");
    ck_assert_int_eq(json_integer_value(json_object_get(ch, "schema_changes")), 2);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(ch, "new_categories"), 0)),
                     "push");
    ck_assert_str_eq(json_string_value(json_object_get(ch, "status")), "alert");
    json_decref(x);
    json_decref(ch);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM ingests WHERE new_columns = '[\"extra\"]'"),
                     1);
    md_store_close(s);
}
END_TEST

/* The grid the console draws gives each cell the level of each test under the policy in
 * force, whichever metric is on screen: an absent column alerts by its schema change and its
 * missingness; once schema changes only warn, by its missingness alone, and a new category's
 * cell warns by its schema change. The status stays the worst of them. */
static unsigned levels_of(md_store *s, const char *feature)
{
    md_grid g;
    md_err err;
    ck_assert_int_eq(md_overview_grid(s, "churn", 2, &g, &err), MD_OK);
    ck_assert_uint_eq(g.nw, 1);
    unsigned out = 0;
    bool found = false;
    for (size_t f = 0; f < g.nf; f++) {
        if (strcmp(g.features[f], feature) != 0)
            continue;
        md_level worst = MD_LEVEL_OK;
        for (int t = 0; t < MD_DRIFT_TEST_COUNT; t++) {
            md_level l = md_grid_level(&g, f, (md_drift_test)t);
            out |= (unsigned)l << (2 * t);
            worst = l > worst ? l : worst;
        }
        ck_assert_int_eq(g.status[f], worst);
        found = true;
    }
    md_grid_free(&g);
    ck_assert_msg(found, "no grid row for %s", feature);
    return out;
}

#define AT(test, level) ((unsigned)(level) << (2 * MD_DRIFT_TEST_##test))

START_TEST(grid_gives_each_test_its_level)
{
    md_store *s = mon_store();
    mon_baseline_v2(s, "score,label,x,ch\n0.2,0,1,web\n0.4,1,2,app\n0.6,0,3,web\n0.8,1,4,app\n");
    ingest_v2(s, "ts,score,label,ch\n2026-10-01T00:00:00Z,0.3,1,web\n"
                 "2026-10-01T00:00:00Z,0.3,0,push\n2026-10-01T00:00:00Z,0.7,1,push\n");
    ck_assert_uint_eq(levels_of(s, "x"), AT(SCHEMA, MD_LEVEL_ALERT) | AT(MISSING, MD_LEVEL_ALERT));
    /* three rows: PSI decides nothing however large */
    ck_assert_uint_eq(levels_of(s, "ch"), AT(SCHEMA, MD_LEVEL_ALERT));
    md_actor admin = tu_actor("admin");
    int64_t rev;
    md_err err;
    const char *pol = mon_write_file("warn.json", "{\"drift\": {\"schema_change\": \"warn\"}}");
    ck_assert_int_eq(md_policy_set(s, &admin, "churn", pol, "schema warns", &rev, NULL, &err),
                     MD_OK);
    ck_assert_uint_eq(levels_of(s, "x"), AT(SCHEMA, MD_LEVEL_WARN) | AT(MISSING, MD_LEVEL_ALERT));
    ck_assert_uint_eq(levels_of(s, "ch"), AT(SCHEMA, MD_LEVEL_WARN));
    md_store_close(s);
}
END_TEST

/* The grid's rows are the baseline's features in its column order (every window's drift rows
 * follow the baseline); a stored row naming another feature still gets its own grid row. */
START_TEST(grid_rows_follow_the_baseline)
{
    md_store *s = mon_store();
    mon_baseline_v2(s, "score,label,x,ch\n0.2,0,1,web\n0.4,1,2,app\n0.6,0,3,web\n0.8,1,4,app\n");
    ingest_v2(s, "ts,score,label,x,ch\n2026-10-01T00:00:00Z,0.3,1,2,web\n"
                 "2026-10-02T00:00:00Z,0.7,0,3,app\n");
    for (int round = 0; round < 2; round++) {
        md_grid g;
        md_err err;
        ck_assert_int_eq(md_overview_grid(s, "churn", 2, &g, &err), MD_OK);
        ck_assert_uint_eq(g.nf, 2);
        ck_assert_uint_eq(g.nw, 2);
        ck_assert_str_eq(g.features[0], "x");
        ck_assert_str_eq(g.features[1], round ? "renamed" : "ch");
        ck_assert_str_eq(g.windows[0], "2026-10-01");
        for (size_t i = 0; i < g.nf * g.nw; i++)
            ck_assert_int_ge(g.status[i], 0); /* every cell read */
        md_grid_free(&g);
        md_err e2;
        ck_assert_int_eq(
            md_sql_exec(s, "UPDATE drift SET feature = 'renamed' WHERE feature = 'ch'", &e2),
            MD_OK);
    }
    md_store_close(s);
}
END_TEST

/* The model screen's version rows: means over each version's latest `evidence` windows
 * (promotion.evidence_windows), against the windows' own AUC and ECE read and averaged here;
 * a version without windows has none. */
START_TEST(version_rows_read_the_latest_windows)
{
    md_store *s = mon_store();
    mon_add_version_2(s);
    char *rows = mon_rows_csv(6000, 12, 0.1, false, true);
    md_ingest_report rep;
    md_err err;
    ck_assert_int_eq(mon_ingest(s, mon_write_file("12days.csv", rows), NULL, &rep, &err), MD_OK);
    free(rows);
    md_version_row *vr;
    size_t n;
    ck_assert_int_eq(md_overview_versions(s, "churn", &vr, &n, &err), MD_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(vr[0].number, 2);
    ck_assert(!vr[0].has_auc && vr[0].windows == 0);
    ck_assert_int_eq(vr[1].windows, 12);
    int k = vr[1].evidence;
    ck_assert(k >= 1 && k < 12);
    sqlite3_stmt *st;
    ck_assert_int_eq(md_sql_prepare(s,
                                    "SELECT auc, ece FROM windows w JOIN versions v"
                                    " ON v.id = w.version_id WHERE v.number = 1 ORDER BY window",
                                    &st, &err),
                     MD_OK);
    double auc[12], ece[12];
    bool row;
    for (int i = 0; i < 12; i++) {
        ck_assert_int_eq(md_sql_step(s, st, &row, &err), MD_OK);
        ck_assert(row);
        auc[i] = sqlite3_column_double(st, 0);
        ece[i] = sqlite3_column_double(st, 1);
    }
    sqlite3_finalize(st);
    double want_auc = 0, want_ece = 0;
    for (int i = 12 - k; i < 12; i++) {
        want_auc += auc[i] / k;
        want_ece += ece[i] / k;
    }
    ck_assert_msg(fabs(vr[1].auc - want_auc) < 1e-12, "%.17g vs %.17g", vr[1].auc, want_auc);
    ck_assert_msg(fabs(vr[1].ece - want_ece) < 1e-12, "%.17g vs %.17g", vr[1].ece, want_ece);
    md_version_rows_free(vr, n);
    md_store_close(s);
}
END_TEST

/* A new policy gives the windows already stored the statuses an ingest under it gives them (a
 * store where the policy came first is the reference), windows' worst statuses included, and
 * counts what it changed, in its audited transaction. */
START_TEST(policy_set_gives_stored_windows_its_statuses)
{
    md_store *s = mon_store();
    md_store *ref = mon_clone_store(s, "ref.db");
    mon_rng = 7;
    char *rows = mon_rows_csv(4000, 4, 0.35, true, true);
    const char *log = mon_write_file("log.csv", rows);
    free(rows);
    md_ingest_report rep;
    md_err err;
    ck_assert_int_eq(mon_ingest(s, log, NULL, &rep, &err), MD_OK);
    ck_assert_int_gt(tu_count(s, "SELECT count(*) FROM drift WHERE status = 'alert'"), 0);
    tu_exec(s, "CREATE TEMP TABLE before AS SELECT window_id, position, CASE status WHEN 'ok'"
               " THEN 0 WHEN 'warn' THEN 1 ELSE 2 END AS level FROM drift");
    /* schema changes only warn; PSI warns far lower and alerts far higher; KS needs D >= 0.5 */
    const char *pol =
        mon_write_file("policy.json", "{\"drift\": {\"psi\": {\"warn\": 0.001, \"alert\": 5},"
                                      " \"ks\": {\"min_d\": 0.5}, \"schema_change\": \"warn\"}}");
    md_actor admin = tu_actor("admin");
    int64_t rev;
    md_restatus ch;
    ck_assert_int_eq(md_policy_set(s, &admin, "churn", pol, "quieter", &rev, &ch, &err), MD_OK);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM drift WHERE status = 'alert'"), 0);
    const char *changed = "SELECT count(*) FROM drift d JOIN before b USING (window_id, position)"
                          " WHERE CASE d.status WHEN 'ok' THEN 0 WHEN 'warn' THEN 1 ELSE 2 END";
    char sql[512];
    snprintf(sql, sizeof sql, "%s < b.level", changed);
    ck_assert_int_gt(ch.lowered, 0);
    ck_assert_int_eq(ch.lowered, tu_count(s, sql));
    snprintf(sql, sizeof sql, "%s > b.level", changed);
    ck_assert_int_eq(ch.raised, tu_count(s, sql));
    ck_assert_int_eq(ch.windows, 4);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit WHERE action = 'policy.set' AND"
                                 " json_extract(details, '$.drift_statuses.lowered') > 0"),
                     1);
    /* the reference: the same policy, then the same log */
    ck_assert_int_eq(md_policy_set(ref, &admin, "churn", pol, "quieter", &rev, NULL, &err), MD_OK);
    ck_assert_int_eq(mon_ingest(ref, log, NULL, &rep, &err), MD_OK);
    mon_expect_same_results(s, ref);
    snprintf(sql, sizeof sql, "ATTACH '%s' AS r", tu_path("ref.db"));
    ck_assert_int_eq(tu_exec(s, sql), 0);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM windows w JOIN r.windows x USING (window)"
                                 " WHERE w.status = x.status"),
                     4);
    /* back to the defaults: every status as the ingest gave it, each one raised again */
    int64_t lowered = ch.lowered;
    ck_assert_int_eq(md_policy_set(s, &admin, "churn", mon_write_file("none.json", "{}"), "back",
                                   &rev, &ch, &err),
                     MD_OK);
    ck_assert_int_eq(ch.raised, lowered);
    ck_assert_int_eq(ch.lowered, 0);
    ck_assert(!ch.figures_kept);
    /* the null's quantile shapes a figure the windows keep: said */
    ck_assert_int_eq(md_policy_set(s, &admin, "churn",
                                   mon_write_file("q.json", "{\"drift\": {\"psi\": "
                                                            "{\"null_quantile\": 0.95}}}"),
                                   "q", &rev, &ch, &err),
                     MD_OK);
    ck_assert(ch.figures_kept);
    snprintf(sql, sizeof sql, "%s != b.level", changed);
    ck_assert_int_eq(tu_count(s, sql), 0);
    md_store_close(ref);
    md_store_close(s);
}
END_TEST

/* drift and calibration --window: one window's key, or a kind (day, hour) for its windows; a
 * key of no window, or the kind the version's windows are not, names the windows there are;
 * anything else is a usage error. */
START_TEST(window_filters_name_what_there_is)
{
    md_store *s = mon_store();
    char *log = mon_rows_csv(400, 2, 0, false, true);
    md_ingest_report rep;
    md_err err;
    ck_assert_int_eq(mon_ingest(s, mon_write_file("log.csv", log), NULL, &rep, &err), MD_OK);
    md_ingest_report_free(&rep);
    free(log);
    json_t *doc;
    ck_assert_int_eq(md_calibration_json(s, "churn", 1, "day", &doc, &err), MD_OK);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "windows")), 2);
    json_decref(doc);
    /* the other kind: a version's windows are all of one, so that is a mistake, not an empty
     * list (as a window it does not have) */
    ck_assert_int_eq(md_drift_json(s, "churn", 1, "hour", &doc, &err), MD_NOTFOUND);
    ck_assert_str_eq(err.msg,
                     "churn v1 has no hour windows (2 day windows, 2026-10-01 .. 2026-10-02)");
    ck_assert_int_eq(md_calibration_json(s, "churn", 1, "2026-10-02", &doc, &err), MD_OK);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "windows")), 1);
    json_decref(doc);
    ck_assert_int_eq(md_drift_json(s, "churn", 1, "2026-10-09", &doc, &err), MD_NOTFOUND);
    ck_assert_str_eq(err.msg, "churn v1 has no window 2026-10-09 (2 day windows, 2026-10-01 .. "
                              "2026-10-02)");
    ck_assert_int_eq(md_calibration_json(s, "churn", 1, "2026-10-01T05", &doc, &err), MD_NOTFOUND);
    const char *bad[] = {"bogus", "2026-13-01", "2026-02-30", "2026-10-01T24", "2026-10-1", "Day",
                         ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(md_drift_json(s, "churn", 1, bad[i], &doc, &err), MD_INVALID);
        ck_assert_msg(strstr(err.msg, "is neither a window (2026-10-01, 2026-10-01T13) nor a kind"),
                      "%s", err.msg);
    }
    /* hour windows beside day windows would each lack the other's rows: refused */
    log = mon_rows_csv(100, 3, 0, false, true);
    md_ingest_opts hour = {.window = MD_WINDOW_HOUR};
    char *before = tu_snapshot(s);
    ck_assert_int_eq(mon_ingest(s, mon_write_file("hour.csv", log), &hour, &rep, &err), MD_ERROR);
    ck_assert_str_eq(err.msg,
                     "churn v1 has day windows: an ingest by hour would leave them without "
                     "its rows; ingest with --window day (a new baseline, with --replace, "
                     "starts the windows afresh)");
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(after);
    free(before);
    /* no kind named (no --window): the version's, whichever it is; a new version's is day */
    md_ingest_opts unset = {.window = MD_WINDOW_DAY, .window_unset = true};
    ck_assert_int_eq(mon_ingest(s, mon_write_file("more.csv", log), &unset, &rep, &err), MD_OK);
    ck_assert_int_eq(rep.window, MD_WINDOW_DAY);
    md_ingest_report_free(&rep);
    free(log);
    mon_baseline_v2(s, "ts,score,label\n,0.2,0\n,0.4,1\n,0.6,0\n,0.8,1\n");
    const char *h1 = "ts,score,label\n2026-10-01T00:00:00Z,0.3,1\n",
               *h2 = "ts,score,label\n2026-10-01T05:00:00Z,0.3,0\n";
    ck_assert_int_eq(
        md_ingest(s, &mon_op, "churn", 2, mon_write_file("h1.csv", h1), &hour, &rep, &err), MD_OK);
    md_ingest_report_free(&rep);
    ck_assert_int_eq(
        md_ingest(s, &mon_op, "churn", 2, mon_write_file("h2.csv", h2), &unset, &rep, &err), MD_OK);
    ck_assert_int_eq(rep.window, MD_WINDOW_HOUR);
    md_ingest_report_free(&rep);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM ingests WHERE window_kind = 'hour'"), 2);
    md_store_close(s);
}
END_TEST

START_TEST(single_class_has_no_auc)
{
    md_store *s = mon_store();
    mon_baseline_v2(s, "score,label,x\n0.2,0,1\n0.4,1,2\n0.6,0,3\n0.8,1,4\n");
    ingest_v2(s, "ts,score,label,x\n2026-10-01T00:00:00Z,0.3,1,1\n2026-10-01T00:00:00Z,0.7,1,2\n"
                 "2026-10-02T00:00:00Z,0.3,,1\n");
    json_t *doc;
    md_err err;
    ck_assert_int_eq(md_calibration_json(s, "churn", 2, NULL, &doc, &err), MD_OK);
    json_t *w1 = json_array_get(json_object_get(doc, "windows"), 0);
    json_t *w2 = json_array_get(json_object_get(doc, "windows"), 1);
    ck_assert(json_is_null(json_object_get(w1, "auc")));
    ck_assert(json_is_null(json_object_get(w1, "delta_auc")));
    ck_assert(json_is_number(json_object_get(w1, "brier")));
    ck_assert_int_eq(json_integer_value(json_object_get(w2, "labeled")), 0);
    ck_assert(json_is_null(json_object_get(w2, "brier")));
    ck_assert(json_is_null(json_object_get(w2, "ece")));
    json_decref(doc);
    md_store_close(s);
}
END_TEST

Suite *suite_monitor(void)
{
    Suite *s = suite_create("monitor");
    TCase *tc = tcase_create("monitor");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, auc_from_score_bins_stays_within_its_bound);
    tcase_add_test(tc, constant_baseline_column);
    tcase_add_test(tc, missing_spellings_stay_missing_beside_cached_categories);
    tcase_add_test(tc, schema_changes_alert);
    tcase_add_test(tc, grid_gives_each_test_its_level);
    tcase_add_test(tc, grid_rows_follow_the_baseline);
    tcase_add_test(tc, version_rows_read_the_latest_windows);
    tcase_add_test(tc, policy_set_gives_stored_windows_its_statuses);
    tcase_add_test(tc, single_class_has_no_auc);
    tcase_add_test(tc, window_filters_name_what_there_is);
    suite_add_tcase(s, tc);
    return s;
}
