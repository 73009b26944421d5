/* baseline: what a baseline takes from its file (each feature's kind read over the whole file,
 * not its timestamps, numbers turned categorical by a stray text, a contract's features) and what
 * an ingest takes from its baseline (column names, the roles it counts as features); a second
 * baseline, or an ingest without one, is refused. The rest of docs/METRICS.md's edge cases:
 * check_monitor.c; the fixture: monitoring.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "ingest.h"
#include "mem.h"
#include "monitoring.h"
#include "testutil.h"
#include "versions.h"

Suite *suite_baseline(void);

static void teardown(void)
{
    tu_cleanup();
}

START_TEST(baseline_kind_settles_on_the_whole_file)
{
    md_store *s = mon_store();
    /* x looks numeric for three rows, then is not: categorical, with every row's text. */
    mon_baseline_v2(s, "score,label,x\n0.2,0,1\n0.4,1,2\n0.6,0,2\n0.8,1,abc\n0.5,1,\n");
    md_baseline b;
    md_err err;
    ck_assert_int_eq(md_baseline_get(s, "churn", 2, &b, &err), MD_OK);
    md_bfeature *x = &b.features[0];
    ck_assert_int_eq(x->kind, MD_CATEGORICAL);
    ck_assert_int_eq(x->missing, 1);
    ck_assert_int_eq(x->cat_counts[md_strmap_find(&x->cats, "2", 1)], 2);
    ck_assert_int_eq(x->cat_counts[md_strmap_find(&x->cats, "1", 1)], 1);
    ck_assert_int_eq(x->cat_counts[md_strmap_find(&x->cats, "abc", 3)], 1);
    md_baseline_free(&b);
    /* A JSON key that first appears late: the rows before it count as missing. */
    md_version_spec v = {.artifact_uri = "s3://m/3"};
    ck_assert_int_eq(md_version_add(s, &mon_op, "churn", &v, NULL, NULL, &err), MD_OK);
    md_baseline_opts bo = {0};
    md_baseline_report rep;
    const char *path = mon_write_file("b3.jsonl", "{\"score\": 0.1}\n{\"score\": 0.2}\n"
                                                  "{\"score\": 0.3, \"late\": 5}\n"
                                                  "{\"score\": 0.4, \"late\": \"five\"}\n");
    ck_assert_int_eq(md_baseline_build(s, &mon_op, "churn", 3, path, &bo, &rep, &err), MD_OK);
    ck_assert_int_eq(md_baseline_get(s, "churn", 3, &b, &err), MD_OK);
    ck_assert_int_eq(b.nfeatures, 1);
    ck_assert_int_eq(b.features[0].missing, 2);
    ck_assert_int_eq(b.features[0].kind, MD_CATEGORICAL);
    ck_assert_int_eq(md_strmap_size(&b.features[0].cats), 2); /* "5" and "five" */
    md_baseline_free(&b);
    md_store_close(s);
}
END_TEST

/* Builds version `number`'s baseline from `text`, its columns named as `cols` says. */
static void baseline_named(md_store *s, int64_t number, md_columns cols, const char *text)
{
    md_baseline_opts bo = {.read.cols = cols};
    md_baseline_report brep;
    md_err err;
    md_status rc = md_baseline_build(s, &mon_op, "churn", number, mon_write_file("b.csv", text),
                                     &bo, &brep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
}

/* An ingest takes the column names its baseline was built with where its flags name none: a
 * label column named only for the baseline still labels the log's rows, and the id column is
 * no unknown column; a log without that label column is no error (labels come later). */
START_TEST(ingest_takes_the_baselines_column_names)
{
    md_store *s = mon_store();
    mon_add_version_2(s);
    md_err err;
    baseline_named(s, 2, (md_columns){.id = "cid", .score = "prob", .label = "y"},
                   "cid,prob,y,x\n1,0.2,0,1\n2,0.6,1,2\n3,0.4,0,3\n");
    md_ingest_opts o = {0};
    md_ingest_report rep;
    md_status rc =
        md_ingest(s, &mon_op, "churn", 2,
                  mon_write_file("l.csv", "ts,cid,prob,y,x\n2026-10-01T00:00:00Z,1,0.3,1,1\n"
                                          "2026-10-01T00:00:00Z,2,0.7,0,2\n"),
                  &o, &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    ck_assert_int_eq(rep.labeled, 2);
    ck_assert_int_eq(rep.nnew, 0);
    md_ingest_report_free(&rep);
    rc = md_ingest(s, &mon_op, "churn", 2,
                   mon_write_file("l2.csv", "ts,cid,prob,x\n2026-10-02T00:00:00Z,1,0.3,1\n"), &o,
                   &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    ck_assert_int_eq(rep.labeled, 0);
    md_ingest_report_free(&rep);
    /* a log with the usual names while the baseline's were others: the usual ones are read */
    rc = md_ingest(s, &mon_op, "churn", 2,
                   mon_write_file("l3.csv", "ts,score,label,x\n2026-10-03T00:00:00Z,0.3,1,1\n"), &o,
                   &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    ck_assert_int_eq(rep.labeled, 1);
    md_ingest_report_free(&rep);
    /* neither: the message says whose name it looked for */
    rc =
        md_ingest(s, &mon_op, "churn", 2,
                  mon_write_file("l4.csv", "ts,p,x\n2026-10-03T00:00:00Z,0.3,1\n"), &o, &rep, &err);
    ck_assert_int_eq(rc, MD_ERROR);
    ck_assert_msg(strstr(err.msg, "no score column 'prob' (the baseline's name for it; name it "
                                  "with --score-col)"),
                  "%s", err.msg);
    md_store_close(s);
}
END_TEST

/* A role takes the usual column only when the baseline's name is missing and the usual one is
 * no feature of the baseline: a baseline built with --ts-col time from a file whose 'ts' column
 * became a feature does not read that feature as the log's timestamp (it would alert on every
 * window), and the message says how to rebuild. In JSON Lines, where keys appear record by
 * record, a key by the baseline's name that appears after records read the usual key leaves
 * the file with both: refused at its line, nothing stored, on one thread and on two. */
START_TEST(a_role_falls_back_to_its_usual_column_only_when_that_is_no_feature)
{
    md_store *s = mon_store();
    mon_add_version_2(s);
    md_err err;
    static const char base[] = "ts,score,label,x\n2026-09-01T00:00:00Z,0.2,0,1\n"
                               "2026-09-02T00:00:00Z,0.6,1,2\n";
    baseline_named(s, 2, (md_columns){.ts = "time"}, base);
    md_ingest_opts o = {0};
    md_ingest_report rep;
    md_status rc =
        md_ingest(s, &mon_op, "churn", 2,
                  mon_write_file("l.csv", "ts,score,label,x\n2026-10-01T00:00:00Z,0.3,1,1\n"), &o,
                  &rep, &err);
    ck_assert_int_eq(rc, MD_ERROR);
    ck_assert_msg(strstr(err.msg, "no timestamp column 'time' (the baseline's name for it; name "
                                  "it with --ts-col); column 'ts' is one of the baseline's "
                                  "features: to read it as the timestamp, build the baseline "
                                  "again with --ts-col ts --replace"),
                  "%s", err.msg);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM ingests"), 0);

    /* JSON Lines: the baseline of version 3 names the score 's'; the log's first half has
     * 'score' */
    md_version_spec v = {.artifact_uri = "s3://m/3"};
    ck_assert_int_eq(md_version_add(s, &mon_op, "churn", &v, NULL, NULL, &err), MD_OK);
    baseline_named(s, 3, (md_columns){.score = "s"},
                   "ts,s,label,x\n2026-09-01T00:00:00Z,0.2,0,1\n2026-09-02T00:00:00Z,0.6,1,2\n");
    size_t cap = 64 * 4096, len = 0;
    char *text = malloc(cap);
    for (int i = 0; i < 2000; i++) { /* the key 's' only in the second half */
        len += (size_t)snprintf(text + len, cap - len,
                                "{\"ts\":\"2026-10-01T00:00:%02dZ\",\"%s\":0.%d,\"x\":%d}\n",
                                i % 60, i < 1000 ? "score" : "s", 1 + i % 9, i);
    }
    const char *log = mon_write_file("l.jsonl", text);
    free(text);
    /* on two threads, in pieces of 4 KiB, the pieces from line 1001 on have only 's': the two
     * threads disagree, or one of them meets 's' after 'score' */
    for (int threads = 1; threads <= 2; threads++) {
        md_ingest_opts t = {.threads = threads, .split_min = 1, .piece = 4096};
        rc = md_ingest(s, &mon_op, "churn", 3, log, &t, &rep, &err);
        ck_assert_int_eq(rc, MD_ERROR);
        ck_assert_msg(strstr(err.msg, "l.jsonl:1001: key 's', the baseline's name for the score, "
                                      "first appears here, and the records before took the "
                                      "score from key 'score': the file has both; name the one "
                                      "to read with --score-col"),
                      "threads %d: %s", threads, err.msg);
        ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM ingests"), 0);
    }
    md_store_close(s);
}
END_TEST

/* A baseline does not use its timestamps: zone-less ones (a holdout extract's), or any text,
 * are no bad rows, and the column is no feature. */
START_TEST(baseline_ignores_its_timestamps)
{
    md_store *s = mon_store();
    mon_baseline_v2(s,
                    "ts,score,label,x\n2026-09-01 10:00:00,0.2,0,1\nyesterday,0.6,1,2\n,0.4,0,3\n");
    md_baseline b;
    md_err err;
    int64_t vid = tu_count(s, "SELECT v.id FROM versions v JOIN models m ON m.id = v.model_id"
                              " WHERE m.name = 'churn' AND v.number = 2");
    ck_assert_int_eq(md_baseline_load(s, vid, &b, &err), MD_OK);
    ck_assert_int_eq(b.nfeatures, 1);
    ck_assert_str_eq(b.features[0].name, "x");
    md_baseline_free(&b);
    md_store_close(s);
}
END_TEST

/* A timestamp column the baseline took for a feature (built without --ts-col) is named as such
 * in its report; an ingest reading that column as its timestamp (or any column it reads as the
 * id, score, label or latency that the baseline counts as a feature) is refused, naming the
 * rebuild, instead of alerting on every window. */
START_TEST(ingest_refuses_a_role_the_baseline_counts_as_a_feature)
{
    md_store *s = mon_store();
    mon_add_version_2(s);
    md_err err;
    size_t cap = 200 * 64, len = 0;
    char *text = malloc(cap);
    len += (size_t)snprintf(text, cap, "event_time,score,label,x\n");
    for (int i = 0; i < 200; i++)
        len += (size_t)snprintf(text + len, cap - len, "2026-09-01T10:%02d:%02dZ,0.%d,%d,%d\n",
                                i / 60, i % 60, 1 + i % 8, i % 2, i % 7);
    md_baseline_opts bo = {0};
    md_baseline_report brep;
    ck_assert_int_eq(
        md_baseline_build(s, &mon_op, "churn", 2, mon_write_file("b2.csv", text), &bo, &brep, &err),
        MD_OK);
    ck_assert_int_eq(brep.nid_like, 1);
    ck_assert_str_eq(brep.id_like[0].name, "event_time");
    ck_assert(brep.id_like[0].timestamps);
    md_ingest_opts o = {.read.cols.ts = "event_time"};
    md_ingest_report rep;
    ck_assert_int_eq(
        md_ingest(s, &mon_op, "churn", 2, mon_write_file("l2.csv", text), &o, &rep, &err),
        MD_INVALID);
    ck_assert_msg(strstr(err.msg, "--ts-col event_time: the baseline of churn v2 counts "
                                  "event_time as a feature") &&
                      strstr(err.msg, "modeldeck baseline churn 2 FILE --ts-col event_time"),
                  "%s", err.msg);
    md_ingest_report_free(&rep);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM ingests"), 0);
    free(text);
    md_store_close(s);
}
END_TEST

/* A feature of numbers turned categorical by a stray text or two is named in the baseline's
 * report with those texts, the most frequent first; one of real categories is not. */
START_TEST(baseline_names_numbers_turned_categorical)
{
    md_store *s = mon_store();
    mon_add_version_2(s);
    md_err err;
    size_t cap = 200 * 48, len = 0;
    char *text = malloc(cap);
    len += (size_t)snprintf(text, cap, "score,label,spend,plan\n");
    for (int i = 0; i < 200; i++)
        len += (size_t)snprintf(text + len, cap - len, "0.5,%d,%s,%s\n", i % 2,
                                i == 7 || i == 9 ? "#N/A"
                                : i == 8         ? "?"
                                                 : "12.5",
                                i % 3 ? "basic" : "7");
    md_baseline_opts bo = {0};
    md_baseline_report rep;
    ck_assert_int_eq(
        md_baseline_build(s, &mon_op, "churn", 2, mon_write_file("b2.csv", text), &bo, &rep, &err),
        MD_OK);
    ck_assert_int_eq(rep.nmostly_numbers, 1);
    ck_assert_str_eq(rep.mostly_numbers[0].name, "spend");
    ck_assert_int_eq(rep.mostly_numbers[0].values, 200);
    ck_assert_int_eq(rep.mostly_numbers[0].numbers, 197);
    ck_assert_int_eq(rep.mostly_numbers[0].distinct_numbers, 1); /* 12.5 alone */
    ck_assert_uint_eq(rep.mostly_numbers[0].nstray, 2);
    ck_assert_str_eq(rep.mostly_numbers[0].stray[0].text, "#N/A");
    ck_assert_int_eq(rep.mostly_numbers[0].stray[0].rows, 2);
    ck_assert_str_eq(rep.mostly_numbers[0].stray[1].text, "?");
    free(text);
    md_store_close(s);
}
END_TEST

/* A second baseline without --replace is refused (exit 3, as an ingest's refusal), before the
 * file is read. */
START_TEST(second_baseline_refused_before_reading)
{
    md_store *s = mon_store();
    md_baseline_opts bo = {0};
    md_baseline_report rep;
    md_err err;
    ck_assert_int_eq(
        md_baseline_build(s, &mon_op, "churn", 1, tu_path("no-such.csv"), &bo, &rep, &err),
        MD_REFUSED);
    ck_assert_msg(strstr(err.msg, "churn v1 already has a baseline; pass --replace"), "%s",
                  err.msg);
    md_store_close(s);
}
END_TEST

/* A contract naming a feature the file lacks is a mistake in the contract (exit 2, as its other
 * mistakes), named with both files. */
START_TEST(contract_of_a_feature_not_in_the_file)
{
    md_store *s = mon_store();
    mon_add_version_2(s);
    md_err err;
    char *contract =
        md_xstrdup(mon_write_file("c.json", "[{\"name\": \"x\"}, {\"name\": \"nope\", \"type\": "
                                            "\"numeric\"}]"));
    md_baseline_opts bo = {.contract_path = contract};
    md_baseline_report rep;
    ck_assert_int_eq(
        md_baseline_build(s, &mon_op, "churn", 2,
                          mon_write_file("b2.csv", "score,label,x\n0.2,0,1\n0.6,1,2\n"), &bo, &rep,
                          &err),
        MD_INVALID);
    ck_assert_msg(strstr(err.msg, "c.json: features[1].name: the contract names feature 'nope', "
                                  "which is not a feature column of") &&
                      strstr(err.msg, "b2.csv"),
                  "%s", err.msg);
    free(contract);
    md_store_close(s);
}
END_TEST

START_TEST(no_baseline_no_ingest)
{
    md_store *s = mon_store();
    mon_add_version_2(s);
    md_err err;
    md_ingest_opts o = {0};
    md_ingest_report rep;
    ck_assert_int_eq(
        md_ingest(s, &mon_op, "churn", 2, mon_write_file("l.csv", "ts,score\n"), &o, &rep, &err),
        MD_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(err.msg, "no baseline"));
    md_ingest_report_free(&rep);
    md_actor viewer = tu_actor("vic");
    tu_user(s, "vic", "viewer");
    ck_assert_int_eq(
        md_ingest(s, &viewer, "churn", 1, mon_write_file("l.csv", "ts,score\n"), &o, &rep, &err),
        MD_REFUSED);
    md_ingest_report_free(&rep);
    md_store_close(s);
}
END_TEST

/* Builds the baseline of `path` once with each of the n options (versions 2 on), each report
 * checked (its rows; values spilled when the options set a budget; two threads when asked) and
 * kept in reps, and each profile the first one's. */
static void expect_same_profiles(md_store *s, const char *path, const md_baseline_opts *opts, int n,
                                 int64_t rows, md_baseline_report *reps)
{
    json_t *first = NULL;
    for (int i = 0; i < n; i++) {
        md_version_spec v = {.artifact_uri = "s3://m/same"};
        md_baseline_report *rep = &reps[i];
        md_err err;
        ck_assert_int_eq(md_version_add(s, &mon_op, "churn", &v, NULL, NULL, &err), MD_OK);
        ck_assert_msg(md_baseline_build(s, &mon_op, "churn", i + 2, path, &opts[i], rep, &err) ==
                          MD_OK,
                      "run %d: %s", i, err.msg);
        ck_assert_int_eq(rep->rows, rows);
        ck_assert_msg((rep->spilled_values > 0) == (opts[i].values_in_memory > 0),
                      "run %d: %zu values spilled", i, rep->spilled_values);
        ck_assert(rep->parallel == (opts[i].threads == 2));
        json_t *p = mon_profile_of(s, i + 2);
        if (!first) {
            first = p;
            continue;
        }
        char *want = md_json_dump(first, MD_JSON_COMPACT), *got = md_json_dump(p, MD_JSON_COMPACT);
        ck_assert_msg(json_equal(first, p), "run %d differs:\n%.600s\n%.600s", i, want, got);
        free(want);
        free(got);
        json_decref(p);
    }
    json_decref(first);
}

/* A baseline past its memory budget writes its values out as sorted runs and builds the same
 * profile from them merged back: the same edges and counts, KS sample (drawn by where each row
 * starts in the file, not by the order values come in), score deciles and AUC, read by one
 * thread or two. */
START_TEST(profile_past_the_memory_budget_is_the_same)
{
    md_store *s = mon_store();
    mon_rng = 7;
    char *text = mon_rows_csv(30000, 1, 0.3, true, true);
    const char *path = mon_write_file("big.csv", text);
    free(text);
    md_baseline_opts opts[] = {{.threads = 1},
                               {.threads = 1, .values_in_memory = 5000},
                               {.threads = 2, .split_min = 1},
                               {.threads = 2, .split_min = 1, .values_in_memory = 5000}};
    md_baseline_report reps[4];
    expect_same_profiles(s, path, opts, 4, 30000, reps);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(reps[i].labeled, 30000);
    md_store_close(s);
}
END_TEST

/* Whole numbers are counted in a table per feature instead of kept one by one, until a value
 * that is not one (a fraction, a number past the table, -0) or one that would make the table
 * wider than the values it is on course to count are worth ends the table: its values then join
 * the others in memory, or go out as a sorted run past the budget, in each half or where the
 * halves meet; past the budget, small tables stay (a budget of 20,000) or end (500). Every way
 * gives the profile of keeping every value (edges, counts, KS sample). */
START_TEST(whole_number_tables_give_the_same_profile)
{
    md_store *s = mon_store();
    enum { ROWS = 70000 }; /* a table past one run of keys written out (65,536) */
    size_t cap = (size_t)ROWS * 80, len = 0;
    char *text = md_xmalloc(cap);
    len +=
        (size_t)snprintf(text + len, cap - len, "score,label,n,late,half2,big,zeros,one,sparse\n");
    mon_rng = 11;
    for (int i = 0; i < ROWS; i++) {
        double u = mon_unif();
        int n = (int)(-log(1 - u) * 40); /* whole, ties, a tail */
        len += (size_t)snprintf(
            text + len, cap - len, "%.3f,%d,%d,%s,%s,%d,%s,7,%s\n", mon_unif(), i % 2, n,
            i == ROWS - 1 ? "2.5" : (i % 3 ? "4" : "17"), /* a fraction in the last row */
            i > ROWS * 7 / 10 && i % 5 == 0 ? "0.25" : (i % 4 ? "1" : "3"), /* in the second half */
            i == ROWS / 3 ? 70000 : n * 3, /* past the table once */
            i % 1000 == 999 ? "-0" : "0",  /* -0 is not 0 */
            i % 100     ? ""
            : i == 1000 ? "60000"
                        : "5"); /* a wide table for few values: none */
    }
    const char *path = mon_write_file("whole.csv", text);
    free(text);
    md_baseline_opts opts[] = {{.threads = 1, .no_whole_tables = true},
                               {.threads = 1},
                               {.threads = 1, .values_in_memory = 500},
                               {.threads = 2, .split_min = 1},
                               {.threads = 2, .split_min = 1, .values_in_memory = 500},
                               {.threads = 2, .split_min = 1, .no_whole_tables = true},
                               {.threads = 1, .values_in_memory = 20000}, /* tables kept */
                               {.threads = 2, .split_min = 1, .values_in_memory = 20000}};
    md_baseline_report reps[8];
    expect_same_profiles(s, path, opts, 8, ROWS, reps);
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(reps[i].numeric, 7);
    md_store_close(s);
}
END_TEST

/* A feature whose numbers were written out past the budget, or counted in a table of whole
 * numbers, and which then meets a text (after rows without a value, the numbers all written
 * out by then) is categorical: every value before the text is counted as its category all the
 * same, as when nothing was written out or counted. */
START_TEST(categorical_after_spilled_numbers)
{
    md_store *s = mon_store();
    enum { ROWS = 3000 };
    size_t cap = (size_t)ROWS * 40, len = 0;
    char *text = md_xmalloc(cap);
    len += (size_t)snprintf(text + len, cap - len, "score,label,x,w,n\n");
    for (int i = 0; i < ROWS; i++)
        len += (size_t)snprintf(text + len, cap - len, "0.%03d,%d,%s,%d,%s\n", i % 1000, i % 2,
                                i < 2000    ? (i % 3 ? "1.25" : "2.5")
                                : i == 2990 ? "oops"
                                            : "",
                                i % 4,
                                i < 1400    ? (i % 5 ? "3" : "12")
                                : i == 1500 ? "none"
                                            : "");
    const char *path = mon_write_file("flip.csv", text);
    free(text);
    json_t *first = NULL;
    for (int i = 0; i < 3; i++) {
        md_version_spec v = {.artifact_uri = "s3://m/flip"};
        md_baseline_opts bo = {
            .threads = 1, .values_in_memory = i == 1 ? 500 : 0, .no_whole_tables = i == 2};
        md_baseline_report rep;
        md_err err;
        ck_assert_int_eq(md_version_add(s, &mon_op, "churn", &v, NULL, NULL, &err), MD_OK);
        ck_assert_msg(md_baseline_build(s, &mon_op, "churn", i + 2, path, &bo, &rep, &err) == MD_OK,
                      "%s", err.msg);
        ck_assert_int_eq(rep.categorical, 2);
        ck_assert_msg((rep.spilled_values > 0) == (i == 1), "%zu values spilled",
                      rep.spilled_values);
        json_t *p = mon_profile_of(s, i + 2);
        json_t *x = json_array_get(json_object_get(p, "features"), 0);
        ck_assert_str_eq(json_string_value(json_object_get(x, "name")), "x");
        json_t *counts = json_object_get(x, "counts");
        char *dump = md_json_dump(counts, MD_JSON_COMPACT);
        ck_assert_msg(json_integer_value(json_object_get(counts, "1.25")) == 1333 &&
                          json_integer_value(json_object_get(counts, "2.5")) == 667 &&
                          json_integer_value(json_object_get(counts, "oops")) == 1,
                      "run %d: %s", i, dump);
        free(dump);
        json_t *n = json_object_get(json_array_get(json_object_get(p, "features"), 2), "counts");
        ck_assert_int_eq(json_integer_value(json_object_get(n, "3")), 1120);
        ck_assert_int_eq(json_integer_value(json_object_get(n, "12")), 280);
        if (!first) {
            first = p;
            continue;
        }
        ck_assert_msg(json_equal(first, p), "run %d differs", i);
        json_decref(p);
    }
    json_decref(first);
    md_store_close(s);
}
END_TEST

/* A JSON Lines key first met late in the first half and at the start of the second: the two
 * halves number their keys in different orders, and the profile is still that of one pass
 * (each feature's own values). */
START_TEST(jsonl_key_late_in_the_first_half)
{
    md_store *s = mon_store();
    enum { ROWS = 30000 };
    size_t cap = (size_t)ROWS * 80, len = 0;
    char *text = md_xmalloc(cap);
    for (int i = 0; i < ROWS; i++)
        if (i < ROWS * 45 / 100)
            len += (size_t)snprintf(text + len, cap - len,
                                    "{\"score\": 0.%03d, \"label\": %d, \"a\": %d, \"c\": %d}\n",
                                    i % 1000, i % 2, i % 7, 100 + i % 3);
        else
            len += (size_t)snprintf(
                text + len, cap - len,
                "{\"score\": 0.%03d, \"label\": %d, \"a\": %d, \"b\": 9, \"c\": %d}\n", i % 1000,
                i % 2, i % 7, 100 + i % 3);
    const char *path = mon_write_file("late.jsonl", text);
    free(text);
    json_t *first = NULL;
    for (int threads = 1; threads <= 2; threads++) {
        md_version_spec v = {.artifact_uri = "s3://m/late"};
        md_baseline_opts bo = {.threads = threads, .split_min = 1};
        md_baseline_report rep;
        md_err err;
        ck_assert_int_eq(md_version_add(s, &mon_op, "churn", &v, NULL, NULL, &err), MD_OK);
        ck_assert_msg(md_baseline_build(s, &mon_op, "churn", threads + 1, path, &bo, &rep, &err) ==
                          MD_OK,
                      "%s", err.msg);
        json_t *p = mon_profile_of(s, threads + 1), *fs = json_object_get(p, "features");
        for (size_t i = 0; i < json_array_size(fs); i++) {
            json_t *f = json_array_get(fs, i);
            const char *name = json_string_value(json_object_get(f, "name"));
            json_t *edges = json_object_get(f, "edges");
            if (strcmp(name, "b") == 0)
                ck_assert_msg(json_array_size(edges) == 1 &&
                                  json_real_value(json_array_get(edges, 0)) == 9,
                              "threads %d: b's edges", threads);
            if (strcmp(name, "c") == 0)
                ck_assert_msg(json_real_value(json_array_get(edges, 0)) == 100,
                              "threads %d: c's edges", threads);
        }
        if (!first) {
            first = p;
            continue;
        }
        ck_assert_msg(json_equal(first, p), "two threads differ from one");
        json_decref(p);
    }
    json_decref(first);
    md_store_close(s);
}
END_TEST

/* JSON Lines read as two halves where they agree (keys in one order) and in one pass where
 * they do not (a key first met in the second half): the same profile either way as one thread
 * reads, KS sample included. */
START_TEST(jsonl_baseline_in_halves)
{
    md_store *s = mon_store();
    for (int shuffled = 0; shuffled < 2; shuffled++) {
        size_t cap = 30000 * 96, len = 0;
        char *text = md_xmalloc(cap);
        mon_rng = 9;
        for (int i = 0; i < 30000; i++) {
            double x = mon_unif() * 4 - 2, sc = round(mon_unif() * 1000) / 1000;
            if (shuffled && i > 20000) /* another key order, and a key first met here */
                len += (size_t)snprintf(text + len, cap - len,
                                        "{\"x\": %.4f, \"score\": %.3f, \"n\": %d, \"late\": %d}\n",
                                        x, sc, i % 6, i % 3);
            else
                len += (size_t)snprintf(text + len, cap - len,
                                        "{\"score\": %.3f, \"label\": %d, \"x\": %.4f, \"n\": %d}\n",
                                        sc, i % 2, x, i % 6);
        }
        const char *path = mon_write_file(shuffled ? "b2.jsonl" : "b1.jsonl", text);
        free(text);
        json_t *first = NULL;
        for (int threads = 1; threads <= 2; threads++) {
            md_version_spec v = {.artifact_uri = "s3://m/jsonl"};
            md_baseline_opts bo = {.threads = threads, .split_min = 1};
            md_baseline_report rep;
            md_err err;
            int64_t number = 2 + 2 * shuffled + (threads - 1);
            ck_assert_int_eq(md_version_add(s, &mon_op, "churn", &v, NULL, NULL, &err), MD_OK);
            ck_assert_msg(md_baseline_build(s, &mon_op, "churn", number, path, &bo, &rep, &err) ==
                              MD_OK,
                          "%s", err.msg);
            ck_assert_int_eq(rep.rows, 30000);
            ck_assert(rep.parallel == (threads == 2 && !shuffled));
            json_t *p = mon_profile_of(s, number);
            if (!first) {
                first = p;
                continue;
            }
            ck_assert_msg(json_equal(first, p), "shuffled %d: two threads differ", shuffled);
            json_decref(p);
        }
        json_decref(first);
    }
    md_store_close(s);
}
END_TEST

/* Values past the budget go to $TMPDIR; where that cannot take them, the baseline fails with
 * the directory named and a way out, and nothing is stored. */
START_TEST(spill_directory_unusable)
{
    md_store *s = mon_store();
    mon_add_version_2(s);
    char *text = mon_rows_csv(3000, 1, 0, false, true);
    const char *path = mon_write_file("b2.csv", text);
    free(text);
    setenv("TMPDIR", "/nonexistent/spill", 1);
    md_baseline_opts bo = {.threads = 1, .values_in_memory = 500};
    md_baseline_report rep;
    md_err err;
    ck_assert_int_eq(md_baseline_build(s, &mon_op, "churn", 2, path, &bo, &rep, &err), MD_ERROR);
    unsetenv("TMPDIR");
    ck_assert_msg(strstr(err.msg, "/nonexistent/spill") && strstr(err.msg, "TMPDIR"), "%s",
                  err.msg);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM baselines"), 1); /* v1's only */
    md_store_close(s);
}
END_TEST

Suite *suite_baseline(void)
{
    Suite *s = suite_create("baseline");
    TCase *tc = tcase_create("baseline");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, baseline_kind_settles_on_the_whole_file);
    tcase_add_test(tc, no_baseline_no_ingest);
    tcase_add_test(tc, ingest_takes_the_baselines_column_names);
    tcase_add_test(tc, baseline_ignores_its_timestamps);
    tcase_add_test(tc, a_role_falls_back_to_its_usual_column_only_when_that_is_no_feature);
    tcase_add_test(tc, contract_of_a_feature_not_in_the_file);
    tcase_add_test(tc, second_baseline_refused_before_reading);
    tcase_add_test(tc, baseline_names_numbers_turned_categorical);
    tcase_add_test(tc, ingest_refuses_a_role_the_baseline_counts_as_a_feature);
    tcase_add_test(tc, profile_past_the_memory_budget_is_the_same);
    tcase_add_test(tc, whole_number_tables_give_the_same_profile);
    tcase_add_test(tc, categorical_after_spilled_numbers);
    tcase_add_test(tc, jsonl_key_late_in_the_first_half);
    tcase_add_test(tc, spill_directory_unusable);
    tcase_add_test(tc, jsonl_baseline_in_halves);
    suite_add_tcase(s, tc);
    return s;
}
