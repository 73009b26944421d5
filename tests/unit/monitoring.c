/* The monitoring tests' fixture (check_monitor.c, check_baseline.c, check_parallel.c, ...): a
 * store with model churn, version 1 and a baseline of generated rows (a version 2 on request),
 * logs written as files, and the comparison of two stores' drift and calibration. */
#include "monitoring.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "ingest.h"
#include "json.h"
#include "mem.h"
#include "models.h"
#include "results.h"
#include "sql.h"
#include "testutil.h"
#include "versions.h"

md_actor mon_op;
uint64_t mon_rng = 42;

const char *mon_write_file(const char *name, const char *text)
{
    const char *path = tu_path(name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* A small deterministic generator (no libc rand: the same numbers everywhere). */
double mon_unif(void)
{
    mon_rng = mon_rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(mon_rng >> 11) / 9007199254740992.0;
}

/* Rows "ts,score,label,x,n,ch": x continuous, n integer-valued, ch a category. `shift` moves x,
 * `extra_cat` adds a category never seen in the baseline. */
char *mon_rows_csv(int n, int days, double shift, bool extra_cat, bool header)
{
    size_t cap = (size_t)n * 96 + 64, len = 0;
    char *out = malloc(cap);
    if (header)
        len += (size_t)snprintf(out, cap, "ts,score,label,x,n,ch\n");
    for (int i = 0; i < n; i++) {
        double x = (mon_unif() + mon_unif() + mon_unif() - 1.5) * 2 + shift;
        double s = round(1000.0 / (1 + exp(-x))) / 1000.0; /* few distinct scores */
        int y = mon_unif() < s;
        const char *cats[] = {"email", "web", "app", "sms"};
        const char *ch = extra_cat && mon_unif() < 0.2 ? "push" : cats[(int)(mon_unif() * 4)];
        len += (size_t)snprintf(out + len, cap - len,
                                "2026-10-%02dT%02d:%02d:00Z,%.3f,%d,%.4f,%d,%s\n", 1 + i % days,
                                (i * 7) % 24, i % 60, s, y, x, (int)(mon_unif() * 6), ch);
    }
    return out;
}

/* Where line `n` + 1 of text starts: just after its n-th newline. */
char *mon_after_lines(char *text, int n)
{
    for (int i = 0; i < n; i++)
        text = strchr(text, '\n') + 1;
    return text;
}

md_store *mon_store(void)
{
    md_store *s = tu_store();
    tu_user(s, "olga", "operator");
    mon_op = tu_actor("olga");
    md_err err;
    md_model_spec m = {
        .name = "churn", .use_case = "retention", .owner = "crm", .sla = 1, .sla_ms = 100};
    ck_assert_int_eq(md_model_add(s, &mon_op, &m, NULL, &err), MD_OK);
    md_version_spec v = {.artifact_uri = "s3://m/1"};
    ck_assert_int_eq(md_version_add(s, &mon_op, "churn", &v, NULL, NULL, &err), MD_OK);
    mon_rng = 42;
    char *base = mon_rows_csv(3000, 1, 0, false, true);
    const char *path = mon_write_file("base.csv", base);
    free(base);
    md_baseline_opts bo = {0};
    md_baseline_report rep;
    md_status rc = md_baseline_build(s, &mon_op, "churn", 1, path, &bo, &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    return s;
}

void mon_add_version_2(md_store *s)
{
    md_version_spec v = {.artifact_uri = "s3://m/2"};
    md_err err;
    ck_assert_int_eq(md_version_add(s, &mon_op, "churn", &v, NULL, NULL, &err), MD_OK);
}

void mon_baseline_v2(md_store *s, const char *text)
{
    mon_add_version_2(s);
    md_err err;
    md_baseline_opts bo = {0};
    md_baseline_report rep;
    md_status rc =
        md_baseline_build(s, &mon_op, "churn", 2, mon_write_file("b2.csv", text), &bo, &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
}

md_status mon_ingest(md_store *s, const char *path, const md_ingest_opts *extra,
                     md_ingest_report *rep, md_err *err)
{
    md_ingest_opts o = {0};
    if (extra)
        o = *extra;
    md_status rc = md_ingest(s, &mon_op, "churn", 1, path, &o, rep, err);
    md_ingest_report_free(rep);
    return rc;
}

/* Equal JSON, numbers within 1e-12 (sums of the same values in another order). */
bool mon_close_json(const json_t *a, const json_t *b, char *where, size_t cap)
{
    if (json_is_number(a) && json_is_number(b)) {
        double x = json_number_value(a), y = json_number_value(b);
        bool ok = fabs(x - y) <= 1e-12 * fmax(1, fmax(fabs(x), fabs(y)));
        if (!ok)
            snprintf(where, cap, "%.17g vs %.17g", x, y);
        return ok;
    }
    if (json_typeof(a) != json_typeof(b)) {
        snprintf(where, cap, "types differ");
        return false;
    }
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b))
            return snprintf(where, cap, "array sizes differ"), false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!mon_close_json(json_array_get(a, i), json_array_get(b, i), where, cap))
                return false;
        return true;
    }
    if (json_is_object(a)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)a, k, v)
        {
            if (strcmp(k, "auc_exact") == 0 || strcmp(k, "auc_error") == 0)
                continue;
            if (!mon_close_json(v, json_object_get(b, k), where, cap)) {
                size_t n = strlen(where);
                snprintf(where + n, cap - n, " at %s", k);
                return false;
            }
        }
        return true;
    }
    return json_equal((json_t *)a, (json_t *)b) || (snprintf(where, cap, "values differ"), false);
}

void mon_expect_same_results(md_store *a, md_store *b)
{
    json_t *da, *db, *ca, *cb;
    md_err err;
    char where[256] = "";
    ck_assert_int_eq(md_drift_json(a, "churn", 1, NULL, &da, &err), MD_OK);
    ck_assert_int_eq(md_drift_json(b, "churn", 1, NULL, &db, &err), MD_OK);
    ck_assert_int_eq(md_calibration_json(a, "churn", 1, NULL, &ca, &err), MD_OK);
    ck_assert_int_eq(md_calibration_json(b, "churn", 1, NULL, &cb, &err), MD_OK);
    ck_assert_msg(json_array_size(json_object_get(da, "drift")) > 0, "no drift rows");
    ck_assert_msg(mon_close_json(da, db, where, sizeof where), "drift differs: %s", where);
    ck_assert_msg(mon_close_json(ca, cb, where, sizeof where), "calibration differs: %s", where);
    json_decref(da);
    json_decref(db);
    json_decref(ca);
    json_decref(cb);
}

/* Copies the store file (with its baseline and no windows) for a second run. */
md_store *mon_clone_store(md_store *s, const char *name)
{
    md_err err;
    char *sql = md_xasprintf("VACUUM INTO '%s'", tu_path(name));
    ck_assert_int_eq(md_sql_exec(s, sql, &err), MD_OK);
    free(sql);
    md_open_opts o = {MD_OPEN_EXISTING, false};
    md_store *c;
    ck_assert_int_eq(md_store_open(tu_path(name), &o, &c, &err), MD_OK);
    return c;
}

/* The profile of `version` as JSON, without where and when it was made. */
json_t *mon_profile_of(md_store *s, int64_t version)
{
    md_baseline b;
    md_err err;
    ck_assert_int_eq(md_baseline_get(s, "churn", version, &b, &err), MD_OK);
    json_t *j = md_baseline_json(&b, true);
    json_object_del(j, "source");
    json_object_del(j, "created_at");
    md_baseline_free(&b);
    return j;
}
