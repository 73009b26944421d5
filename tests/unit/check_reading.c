/* reading: the same values count alike however they reach their counters. CSV fields in the
 * read buffer take fast paths (a short category text through a cache keyed by its bytes, a
 * whole number written as digits straight to its counter), JSON Lines values and anything
 * unusual the general ones: the same rows as CSV and as JSON Lines, or written two ways, give the
 * same baseline, drift and calibration. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "ingest.h"
#include "json.h"
#include "mem.h"
#include "models.h"
#include "monitoring.h"
#include "results.h"
#include "testutil.h"
#include "versions.h"

static void teardown(void)
{
    tu_cleanup();
}

/* Category name i: 'z's, then two letters that tell it apart, 1 + i % 20 bytes long (1-byte
 * names are single letters): names of one length differ only at their end. */
static void category_name(int i, char *out)
{
    size_t len = 1 + (size_t)(i % 20);
    if (len == 1) {
        out[0] = (char)('A' + i % 26);
        out[1] = '\0';
        return;
    }
    memset(out, 'z', len - 2);
    out[len - 2] = (char)('a' + i / 26 % 26);
    out[len - 1] = (char)('a' + i % 26);
    out[len] = '\0';
}

/* "ts,score,label,ch" rows as CSV, or the same rows as JSON Lines; categories from 0 to
 * ncats - 1. */
static char *category_rows(int n, int ncats, bool jsonl)
{
    size_t cap = (size_t)n * 120 + 64, len = 0;
    char *out = malloc(cap), name[32];
    if (!jsonl)
        len += (size_t)snprintf(out, cap, "ts,score,label,ch\n");
    for (int i = 0; i < n; i++) {
        category_name((int)(mon_unif() * ncats), name);
        double sc = round(mon_unif() * 1000) / 1000;
        int y = mon_unif() < sc, day = 1 + i % 2;
        if (jsonl)
            len += (size_t)snprintf(out + len, cap - len,
                                    "{\"ts\": \"2026-10-%02dT10:00:00Z\", \"score\": %.3f, "
                                    "\"label\": %d, \"ch\": \"%s\"}\n",
                                    day, sc, y, name);
        else
            len += (size_t)snprintf(out + len, cap - len, "2026-10-%02dT10:00:00Z,%.3f,%d,%s\n",
                                    day, sc, y, name);
    }
    return out;
}

/* Ingests text ta (as file fa) into store a and tb (as fb) into b, both on two threads in
 * pieces of 4 KiB, and expects the same drift and calibration from both. */
static void ingest_both_alike(md_store *a, const char *fa, const char *ta, md_store *b,
                              const char *fb, const char *tb)
{
    md_ingest_report rep;
    md_err err;
    md_ingest_opts two = {.threads = 2, .split_min = 1, .piece = 4096};
    md_status rc = mon_ingest(a, mon_write_file(fa, ta), &two, &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s: %s", fa, err.msg);
    rc = mon_ingest(b, mon_write_file(fb, tb), &two, &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s: %s", fb, err.msg);
    mon_expect_same_results(a, b);
}

/* Category counts do not depend on how a text reaches the counter: CSV fields in the read
 * buffer take the short-text cache, JSON strings the category map. The same rows as CSV and as
 * JSON Lines give the same baseline and the same drift: 120 names of 1 to 20 bytes (more than
 * the cache holds), 20 of them new in the log, 70 allowed by the contract. */
START_TEST(categories_count_alike_from_csv_and_json_lines)
{
    md_store *csv = tu_store();
    tu_user(csv, "olga", "operator");
    mon_op = tu_actor("olga");
    md_err err;
    md_model_spec m = {.name = "churn", .use_case = "retention", .owner = "crm"};
    ck_assert_int_eq(md_model_add(csv, &mon_op, &m, NULL, &err), MD_OK);
    md_version_spec v = {.artifact_uri = "s3://m/1"};
    ck_assert_int_eq(md_version_add(csv, &mon_op, "churn", &v, NULL, NULL, &err), MD_OK);
    size_t cap = 8192, len = 0;
    char contract[8192], name[32];
    len += (size_t)snprintf(contract, cap,
                            "[{\"name\": \"ch\", \"type\": \"categorical\", \"allowed\": [");
    for (int i = 0; i < 70; i++) {
        category_name(i, name);
        len += (size_t)snprintf(contract + len, cap - len, "%s\"%s\"", i ? ", " : "", name);
    }
    snprintf(contract + len, cap - len, "]}]");
    md_store *json = mon_clone_store(csv, "json.db");
    mon_rng = 7;
    char *base = category_rows(6000, 100, false);
    mon_rng = 7;
    char *base_json = category_rows(6000, 100, true);
    char *contract_path = md_xstrdup(mon_write_file("contract.json", contract));
    md_baseline_opts bo = {.contract_path = contract_path, .threads = 2, .split_min = 1};
    md_baseline_report brep;
    ck_assert_int_eq(md_baseline_build(csv, &mon_op, "churn", 1, mon_write_file("cbase.csv", base),
                                       &bo, &brep, &err),
                     MD_OK);
    int64_t csv_violations = brep.violations;
    ck_assert_int_gt(csv_violations, 0);
    ck_assert_int_eq(md_baseline_build(json, &mon_op, "churn", 1,
                                       mon_write_file("cbase.jsonl", base_json), &bo, &brep, &err),
                     MD_OK);
    ck_assert_int_eq(brep.violations, csv_violations);
    json_t *pc = mon_profile_of(csv, 1), *pj = mon_profile_of(json, 1);
    char where[256] = "";
    json_object_del(pc, "source_sha256");
    json_object_del(pj, "source_sha256");
    ck_assert_msg(mon_close_json(pc, pj, where, sizeof where), "baselines differ: %s", where);
    json_decref(pc);
    json_decref(pj);
    free(contract_path);
    free(base_json);
    mon_rng = 8;
    char *log_csv = category_rows(8000, 120, false);
    mon_rng = 8;
    char *log_json = category_rows(8000, 120, true);
    ingest_both_alike(csv, "clog.csv", log_csv, json, "clog.jsonl", log_json);
    json_t *d;
    ck_assert_int_eq(md_drift_json(csv, "churn", 1, NULL, &d, &err), MD_OK);
    json_t *row = json_array_get(json_object_get(d, "drift"), 0);
    ck_assert_int_eq(json_array_size(json_object_get(row, "new_categories")), 20);
    ck_assert_int_gt(json_integer_value(json_object_get(row, "violations")), 0);
    json_decref(d);
    free(base);
    free(log_csv);
    free(log_json);
    md_store_close(json);
    md_store_close(csv);
}
END_TEST

/* Ingests the same rows as CSV into `csv` and as JSON Lines into `json` (files NAME.csv and
 * NAME.jsonl), checks both give the same results, and gives the JSON side's drift. */
static json_t *ingest_alike(md_store *csv, md_store *json, const char *name, const char *tc,
                            const char *tj)
{
    md_ingest_report rep;
    md_err err;
    char path[64];
    snprintf(path, sizeof path, "%s.csv", name);
    ck_assert_int_eq(mon_ingest(csv, mon_write_file(path, tc), NULL, &rep, &err), MD_OK);
    snprintf(path, sizeof path, "%s.jsonl", name);
    md_status rc = mon_ingest(json, mon_write_file(path, tj), NULL, &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    mon_expect_same_results(csv, json);
    json_t *d;
    ck_assert_int_eq(md_drift_json(json, "churn", 1, NULL, &d, &err), MD_OK);
    return d;
}

/* JSON Lines keys that first appear partway through a window (here within the first batch of
 * numbers): the records before count them as missing, the records after as values, exactly as
 * the same rows in CSV with those fields empty. */
START_TEST(keys_that_appear_late_count_from_their_first_record)
{
    md_store *csv = mon_store(), *json = mon_clone_store(csv, "late.db");
    size_t cap = 1000 * 160, lc = 0, lj = 0;
    char *tc = malloc(cap), *tj = malloc(cap);
    lc += (size_t)snprintf(tc, cap, "ts,score,label,x,n,ch\n");
    const char *cats[] = {"email", "web", "app", "sms"};
    for (int i = 0; i < 1000; i++) {
        double x = (mon_unif() + mon_unif() - 1) * 3, s = round(1000 * mon_unif()) / 1000;
        int y = mon_unif() < s, n = (int)(mon_unif() * 6);
        const char *ch = cats[i % 4];
        bool late = i < 300; /* no x before record 300, no ch before record 600 */
        lc += (size_t)snprintf(tc + lc, cap - lc, "2026-10-01T%02d:00:00Z,%.3f,%d,", i % 24, s, y);
        lj +=
            (size_t)snprintf(tj + lj, cap - lj,
                             "{\"ts\": \"2026-10-01T%02d:00:00Z\", \"score\": %.3f, \"label\": %d, "
                             "\"n\": %d",
                             i % 24, s, y, n);
        lc += late ? (size_t)snprintf(tc + lc, cap - lc, ",%d,", n)
                   : (size_t)snprintf(tc + lc, cap - lc, "%.4f,%d,", x, n);
        if (!late)
            lj += (size_t)snprintf(tj + lj, cap - lj, ", \"x\": %.4f", x);
        if (i >= 600) {
            lc += (size_t)snprintf(tc + lc, cap - lc, "%s", ch);
            lj += (size_t)snprintf(tj + lj, cap - lj, ", \"ch\": \"%s\"", ch);
        }
        lc += (size_t)snprintf(tc + lc, cap - lc, "\n");
        lj += (size_t)snprintf(tj + lj, cap - lj, "}\n");
    }
    json_t *d = ingest_alike(csv, json, "late", tc, tj);
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(d, "drift"), i, row)
    {
        const char *f = json_string_value(json_object_get(row, "feature"));
        double want = strcmp(f, "x") == 0 ? 0.3 : strcmp(f, "ch") == 0 ? 0.6 : 0;
        ck_assert_msg(json_real_value(json_object_get(row, "missing_rate")) == want,
                      "%s: missing rate %g, want %g", f,
                      json_real_value(json_object_get(row, "missing_rate")), want);
    }
    json_decref(d);
    free(tc);
    free(tj);
    md_store_close(json);
    md_store_close(csv);
}
END_TEST

/* Numbers beyond a double's range (and integers beyond 64 bits) read in JSON Lines as the same
 * text reads in CSV: a numeric feature counts 1e400 as a type error, a categorical one as the
 * category it writes, and a column nothing reads takes no part; none of them stops the file. */
START_TEST(numbers_beyond_a_double_read_as_in_csv)
{
    md_store *csv = mon_store(), *json = mon_clone_store(csv, "big.db");
    const char *huge[] = {"1e400", "-2E+308", "1.5e99999", "18446744073709551616"};
    size_t cap = 400 * 200, lc = 0, lj = 0;
    char *tc = malloc(cap), *tj = malloc(cap);
    lc += (size_t)snprintf(tc, cap, "ts,score,label,x,n,ch,debug\n");
    for (int i = 0; i < 400; i++) {
        double x = (mon_unif() + mon_unif() - 1) * 3, s = round(1000 * mon_unif()) / 1000;
        int y = mon_unif() < s, n = (int)(mon_unif() * 6);
        const char *h = huge[i % 4];
        char xs[32];
        snprintf(xs, sizeof xs, "%.4f", x);
        const char *xv = i % 7 == 0 ? h : xs, *chv = i % 11 == 0 ? h : "web";
        lc += (size_t)snprintf(tc + lc, cap - lc, "2026-10-01T%02d:00:00Z,%.3f,%d,%s,%d,%s,%s\n",
                               i % 24, s, y, xv, n, chv, h);
        lj += (size_t)snprintf(
            tj + lj, cap - lj,
            "{\"ts\": \"2026-10-01T%02d:00:00Z\", \"score\": %.3f, \"label\": %d, "
            "\"x\": %s, \"n\": %d, \"ch\": %s%s%s, \"debug\": [%s, {\"d\": %s}]}\n",
            i % 24, s, y, xv, n, i % 11 ? "\"" : "", chv, i % 11 ? "\"" : "", h, h);
    }
    json_t *d = ingest_alike(csv, json, "big", tc, tj);
    md_ingest_report rep;
    md_err err;
    md_status rc;
    size_t i;
    json_t *row;
    int64_t x_errors = 0, ch_new = 0;
    json_array_foreach(json_object_get(d, "drift"), i, row)
    {
        const char *f = json_string_value(json_object_get(row, "feature"));
        if (strcmp(f, "x") == 0)
            x_errors += json_integer_value(json_object_get(row, "schema_changes"));
        if (strcmp(f, "ch") == 0)
            ch_new += (int64_t)json_array_size(json_object_get(row, "new_categories"));
    }
    ck_assert_int_gt(x_errors, 0); /* 1e400 and -2E+308 are no numbers x can count */
    ck_assert_int_gt(ch_new, 0);   /* each huge text a category the baseline never held */
    json_decref(d);
    /* a line of nothing but such numbers: each marked one is 8 bytes longer */
    size_t many = 3000, len = 0;
    char *dense = malloc(many * 6 + 100);
    len += (size_t)snprintf(dense, 100, "{\"ts\": 1759276800, \"score\": 0.5, \"d\": [");
    for (size_t k = 0; k < many; k++)
        len += (size_t)snprintf(dense + len, 7, "%s1e400", k ? "," : "");
    snprintf(dense + len, 8, "]}\n");
    rc = mon_ingest(json, mon_write_file("dense.jsonl", dense), NULL, &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    md_ingest_report_free(&rep);
    free(dense);
    /* a score beyond a double is no probability, named as in CSV */
    rc = mon_ingest(json, mon_write_file("score.jsonl", "{\"ts\": 1759276800, \"score\": 1e400}\n"),
                    NULL, &rep, &err);
    ck_assert_int_eq(rc, MD_ERROR);
    ck_assert_msg(strstr(err.msg, "score.jsonl:1: column score: '1e400'"), "%s", err.msg);
    free(tc);
    free(tj);
    md_store_close(json);
    md_store_close(csv);
}
END_TEST

/* A whole number written as plain digits is counted from its text and the baseline's
 * whole-number table (one past either end of the table counting as that end); anything else (a
 * sign, a dot, a ninth digit) is read as a double and counted from that. Both ways count a value
 * alike: the same log with every value of the whole-number feature n written as "d.0" gives the
 * same drift, through the windows' lists and counters both (n takes 13 counters, a window some
 * 400 values; the baseline's n runs from 0 to 5, the log's also below and far above). */
START_TEST(whole_numbers_count_alike_from_digits_and_doubles)
{
    md_store *digits = mon_store(), *doubles = mon_clone_store(digits, "doubles.db");
    static const char *const n_text[] = {"0",  "3",  "5",         "004",       "9",       "40",
                                         "-2", "+1", "123456789", "000000002", "99999999"};
    size_t cap = 900 * 96, ld = 0, lf = 0;
    char *td = malloc(cap), *tf = malloc(cap);
    ld += (size_t)snprintf(td, cap, "ts,score,label,x,n,ch\n");
    lf += (size_t)snprintf(tf, cap, "ts,score,label,x,n,ch\n");
    mon_rng = 11;
    for (int i = 0; i < 800; i++) {
        double sc = round(1000 * mon_unif()) / 1000, x = mon_unif() * 4 - 2;
        int y = mon_unif() < sc, k = (int)(mon_unif() * 6); /* mostly 0..5, the table's span */
        const char *n = mon_unif() < 0.8 ? (const char *[]){"0", "1", "2", "3", "4", "5"}[k]
                                         : n_text[(int)(mon_unif() * 11)];
        double v = strtod(n, NULL);
        const char *row = "2026-10-%02dT%02d:00:00Z,%.3f,%d,%.4f,";
        ld += (size_t)snprintf(td + ld, cap - ld, row, 1 + i % 2, i % 24, sc, y, x);
        lf += (size_t)snprintf(tf + lf, cap - lf, row, 1 + i % 2, i % 24, sc, y, x);
        ld += (size_t)snprintf(td + ld, cap - ld, "%s,web\n", n);
        lf += (size_t)snprintf(tf + lf, cap - lf, "%.1f,web\n", v);
    }
    ingest_both_alike(digits, "digits.csv", td, doubles, "doubles.csv", tf);
    free(td);
    free(tf);
    md_store_close(doubles);
    md_store_close(digits);
}
END_TEST

Suite *suite_reading(void)
{
    Suite *s = suite_create("reading");
    TCase *tc = tcase_create("reading");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, categories_count_alike_from_csv_and_json_lines);
    tcase_add_test(tc, keys_that_appear_late_count_from_their_first_record);
    tcase_add_test(tc, numbers_beyond_a_double_read_as_in_csv);
    tcase_add_test(tc, whole_numbers_count_alike_from_digits_and_doubles);
    suite_add_tcase(s, tc);
    return s;
}
