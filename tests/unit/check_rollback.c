/* rollback: the last good version across histories of promotions and rollbacks, the versions a
 * rollback may return to, the fallback that takes the model out of service, and compare's
 * candidate beside its champion; on the promote tests' store (promote_fixture.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "promote_fixture.h"
#include "promotions.h"
#include "scorecard.h"
#include "testutil.h"
#include "versions.h"

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
    md_status rc = md_rollback(s, &pf_olga, "churn", to, NULL, "conversion fell", &res, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    ck_assert_int_eq(json_integer_value(json_object_get(res, "to")), expect_to);
    json_decref(res);
    ck_assert_str_eq(pf_status_of(s, expect_to), "production");
}

START_TEST(last_good_across_histories)
{
    md_store *s = pf_world();
    pf_write_policy(s, "{\"promotion\": {\"gates\": {\"delta_auc\": {\"min\": -1}, \"max_psi\":"
                       " {\"max\": 100}, \"ece\": {\"max\": 1}}}}");
    md_err err;
    json_t *res;
    /* only v1 ever served: nothing to return to */
    expect_last_good(s, 0);
    expect_targets(s, "");
    char *before = tu_snapshot(s);
    ck_assert_int_eq(md_rollback(s, &pf_olga, "churn", 0, NULL, "bad", &res, &err), MD_REFUSED);
    ck_assert_ptr_nonnull(strstr(err.msg, "no earlier production version"));
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);

    pf_promote(s, 2, "production"); /* v1 -> v2 */
    expect_last_good(s, 1);
    for (int i = 0; i < 2; i++) {
        pf_add_version(s);
        pf_baseline(s, 3 + i, 0.3);
    }
    pf_promote(s, 3, "production"); /* v2 -> v3 */
    expect_last_good(s, 2);
    roll_back(s, 0, 2); /* v3 rolled back: it never counts as good again */
    ck_assert_str_eq(pf_status_of(s, 3), "archived");
    expect_last_good(s, 1);
    expect_targets(s, "v3r v1");    /* the most recently in production first */
    pf_promote(s, 4, "production"); /* v2 -> v4 */
    expect_last_good(s, 2);
    roll_back(s, 0, 2);
    expect_last_good(s, 1);
    roll_back(s, 0, 1);
    expect_last_good(s, 0); /* v2, v3 and v4 each left production by a rollback */
    expect_targets(s, "v2r v4r v3r");
    ck_assert_int_eq(md_rollback(s, &pf_olga, "churn", 0, NULL, "bad", &res, &err), MD_REFUSED);
    /* --to names any version that served before; never one that did not */
    roll_back(s, 3, 3);
    int64_t v5 = pf_add_version(s);
    ck_assert_int_eq(md_rollback(s, &pf_olga, "churn", v5, NULL, "bad", &res, &err), MD_REFUSED);
    ck_assert_ptr_nonnull(strstr(err.msg, "never been in production"));
    ck_assert_int_eq(md_rollback(s, &pf_olga, "churn", 3, NULL, "bad", &res, &err), MD_ERROR);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM stage_history WHERE action = 'rollback'"
                                 " AND to_status = 'production'"),
                     4);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit WHERE action = 'rollback' AND"
                                 " object = 'model:churn'"),
                     4);
    /* roles and input */
    ck_assert_int_eq(md_rollback(s, &pf_ann, "churn", 1, NULL, "bad", &res, &err), MD_REFUSED);
    ck_assert_int_eq(md_rollback(s, &pf_olga, "churn", 1, NULL, "", &res, &err), MD_INVALID);
    ck_assert_int_eq(md_rollback(s, &pf_olga, "nope", 1, NULL, "bad", &res, &err), MD_NOTFOUND);
    pf_expect_chain_ok(s);
    md_store_close(s);
}
END_TEST

START_TEST(fallback_takes_the_model_out)
{
    md_store *s = pf_world();
    md_err err;
    json_t *res;
    ck_assert_int_eq(md_rollback(s, &pf_olga, "churn", 0, "sometimes", "bad", &res, &err),
                     MD_INVALID);
    ck_assert_int_eq(md_rollback(s, &pf_olga, "churn", 1, "rules", "bad", &res, &err), MD_INVALID);
    ck_assert_int_eq(md_rollback(s, &pf_olga, "churn", 0, "rules", "tracking broken", &res, &err),
                     MD_OK);
    ck_assert_str_eq(json_string_value(json_object_get(res, "serving")), "rules");
    json_decref(res);
    ck_assert_str_eq(pf_status_of(s, 1), "archived");
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM models WHERE serving = 'rules'"), 1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM versions WHERE status = 'production'"), 0);
    ck_assert_int_eq(pf_audit_count(s, "rollback.fallback"), 1);
    /* nothing left to take out */
    ck_assert_int_eq(md_rollback(s, &pf_olga, "churn", 0, "suppress", "bad", &res, &err), MD_ERROR);
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
    md_store *s = pf_world();
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
    ck_assert_double_eq_tol(json_real_value(json_object_get(o, "auc_vs_champion")), da - db, 1e-12);
    /* the gate reads the same difference */
    int64_t id;
    json_t *gates;
    ck_assert_int_eq(
        md_promote_request(s, &pf_olga, "churn", 2, "production", "r", &id, &gates, &err), MD_OK);
    ck_assert_double_eq_tol(
        json_real_value(json_object_get(pf_gate_row(gates, "delta_auc"), "value")), da - db, 1e-12);
    json_decref(gates);
    json_decref(o);
    /* a challenger with its traffic share */
    ck_assert_int_eq(md_version_mark(s, &pf_olga, "churn", 2, "challenger", 0.1, "A/B", &err),
                     MD_OK);
    ck_assert_int_eq(md_version_mark(s, &pf_olga, "churn", 2, "challenger", 1.5, "A/B", &err),
                     MD_INVALID);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM versions WHERE status = 'challenger' AND"
                                 " traffic_share = 0.1"),
                     1);
    md_store_close(s);
}
END_TEST

Suite *suite_rollback(void)
{
    Suite *s = suite_create("rollback");
    TCase *tc = tcase_create("rollback");
    tcase_add_checked_fixture(tc, pf_setup, pf_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, last_good_across_histories);
    tcase_add_test(tc, fallback_takes_the_model_out);
    tcase_add_test(tc, compare_puts_candidate_beside_champion);
    suite_add_tcase(s, tc);
    return s;
}
