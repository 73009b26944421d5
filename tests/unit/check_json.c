/* json: canonical text for hashing and comparing, and numbers that read back exactly. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "testutil.h"

START_TEST(canonical_object_sorts_and_compacts)
{
    char *out = NULL;
    md_err err;
    ck_assert_int_eq(md_json_canonical_object("{ \"b\": 1, \"a\": [0.1, true, null] }", "--params",
                                              &out, &err),
                     MD_OK);
    ck_assert_str_eq(out, "{\"a\":[0.1,true,null],\"b\":1}");
    free(out);
}
END_TEST

START_TEST(canonical_object_errors_name_the_field)
{
    char *out = NULL;
    md_err err;
    ck_assert_int_eq(md_json_canonical_object("{\"a\": }", "--params", &out, &err), MD_INVALID);
    ck_assert_ptr_nonnull(strstr(err.msg, "--params"));
    ck_assert_ptr_nonnull(strstr(err.msg, "column"));
    ck_assert_int_eq(md_json_canonical_object("[1,2]", "--metrics", &out, &err), MD_INVALID);
    ck_assert_ptr_nonnull(strstr(err.msg, "object"));
    ck_assert_int_eq(md_json_canonical_object("{\"a\":1,\"a\":2}", "--params", &out, &err),
                     MD_INVALID);
}
END_TEST

START_TEST(shortest_round_trip_reals)
{
    double cases[] = {0.1, 0.4, 1.0 / 3.0, 1e-300, 123456789.125, -2.5, 5e-324, 1.7976931348623157e308,
                      0.30000000000000004};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        md_fmt_double(cases[i], buf);
        ck_assert_msg(strtod(buf, NULL) == cases[i], "%s does not read back", buf);
    }
    char buf[32];
    md_fmt_double(0.1, buf);
    ck_assert_str_eq(buf, "0.1");
    md_fmt_double(0.30000000000000004, buf);
    ck_assert_str_eq(buf, "0.30000000000000004");
}
END_TEST

START_TEST(dump_escapes_controls_and_nulls_nonfinite)
{
    json_t *v = json_pack("{s:s, s:f}", "s", "a\"b\\c\n\x01", "x", 1.5);
    json_object_set_new(v, "nan", json_real(NAN)); /* jansson refuses NaN; stays absent */
    char *out = md_json_dump(v, MD_JSON_COMPACT | MD_JSON_SORT_KEYS);
    ck_assert_str_eq(out, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"x\":1.5}");
    json_t *back = json_loads(out, 0, NULL);
    ck_assert(json_equal(back, v));
    json_decref(back);
    json_decref(v);
    free(out);
}
END_TEST

Suite *suite_json(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("json");
    tcase_add_test(tc, canonical_object_sorts_and_compacts);
    tcase_add_test(tc, canonical_object_errors_name_the_field);
    tcase_add_test(tc, shortest_round_trip_reals);
    tcase_add_test(tc, dump_escapes_controls_and_nulls_nonfinite);
    suite_add_tcase(s, tc);
    return s;
}
