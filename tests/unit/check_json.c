/* json: canonical text for hashing and comparing, and numbers that read back exactly. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "numparse.h"
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

/* The digits of the shortest decimal that reads back, by definition: one length after another. */
static int digits_by_definition(double v)
{
    char s[40];
    for (int d = 1; d < 17; d++) {
        snprintf(s, sizeof s, "%.*e", d - 1, v);
        if (strtod(s, NULL) == v)
            return d;
    }
    return 17;
}

/* md_repr_digits prints a normal double at 15 digits and strips the zeros, instead of trying
 * every length: it must find the same length as trying them all, for doubles of every shape
 * (any bits; short decimals at every scale; subnormals; powers of ten and their neighbours;
 * whole numbers), and the writers built on it must write what Python's repr writes. */
START_TEST(repr_digits_are_the_shortest)
{
    uint64_t state = 20261127;
    for (int i = 0; i < 60000; i++) {
        uint64_t r = tu_random(&state), bits = r;
        double v, scale = pow(10, (double)(int)(r % 41) - 20);
        switch (i % 5) {
        case 0: /* any finite double */
            bits = (bits & ~(0x7FFULL << 52)) | ((r >> 11) % 2047) << 52;
            memcpy(&v, &bits, 8);
            break;
        case 1: /* a decimal of 1 to 12 digits at some scale */
            v = round((double)(r >> 11) / 9007199254740992.0 * pow(10, (double)(r % 12 + 1))) *
                scale;
            break;
        case 2: /* subnormal */
            bits &= 0x800FFFFFFFFFFFFFULL;
            memcpy(&v, &bits, 8);
            break;
        case 3: /* a power of ten, or a neighbour */
            v = pow(10, (double)(int)(r % 617) - 308);
            v = r % 3 == 0 ? v : nextafter(v, r % 3 == 1 ? INFINITY : 0);
            break;
        default: /* a whole number */
            v = (double)(r >> (r % 53));
            break;
        }
        ck_assert_msg(md_repr_digits(v) == digits_by_definition(v), "%.17g: %d digits, want %d", v,
                      md_repr_digits(v), digits_by_definition(v));
    }
    static const struct {
        double v;
        const char *repr;
    } py[] = {{1e-05, "1e-05"},
              {1e16, "1e+16"},
              {123456789012345680.0, "1.2345678901234568e+17"},
              {5e-324, "5e-324"},
              {2.2250738585072014e-308, "2.2250738585072014e-308"},
              {1e23, "1e+23"},
              {0.0001, "0.0001"},
              {1234.5, "1234.5"},
              {100.0, "100.0"},
              {1e-07, "1e-07"},
              {4.35, "4.35"},
              {0.30000000000000004, "0.30000000000000004"},
              {-0.0, "-0.0"}};
    for (size_t i = 0; i < sizeof py / sizeof py[0]; i++) {
        char a[40], b[32];
        md_fmt_pyrepr(py[i].v, a);
        md_fmt_double(py[i].v, b);
        ck_assert_msg(strcmp(a, py[i].repr) == 0, "md_fmt_pyrepr: %s, want %s", a, py[i].repr);
        ck_assert_msg(strcmp(b, py[i].repr) == 0, "md_fmt_double: %s, want %s", b, py[i].repr);
    }
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

/* A JSON file (a policy, a contract) read with or without a UTF-8 byte order mark; a mistake
 * named with its line and column. */
START_TEST(files_read_with_a_byte_order_mark)
{
    const char *texts[] = {"{\"a\": 1}", "\xEF\xBB\xBF{\"a\": 1}"};
    for (int i = 0; i < 2; i++) {
        const char *path = tu_path("doc.json");
        FILE *f = fopen(path, "wb");
        fputs(texts[i], f);
        fclose(f);
        json_t *v;
        md_err err;
        ck_assert_int_eq(md_json_load_path(path, &v, &err), MD_OK);
        ck_assert_int_eq(json_integer_value(json_object_get(v, "a")), 1);
        json_decref(v);
    }
    FILE *f = fopen(tu_path("bad.json"), "wb");
    fputs("\xEF\xBB\xBF{\"a\": }", f);
    fclose(f);
    json_t *v;
    md_err err;
    ck_assert_int_eq(md_json_load_path(tu_path("bad.json"), &v, &err), MD_INVALID);
    ck_assert_msg(strstr(err.msg, "bad.json:1: invalid JSON at column"), "%s", err.msg);
    tu_cleanup();
}
END_TEST

Suite *suite_json(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("json");
    tcase_set_timeout(tc, 60); /* a busy machine: Check's 4 s are close for the longest checks */
    tcase_add_test(tc, canonical_object_sorts_and_compacts);
    tcase_add_test(tc, canonical_object_errors_name_the_field);
    tcase_add_test(tc, shortest_round_trip_reals);
    tcase_add_test(tc, repr_digits_are_the_shortest);
    tcase_add_test(tc, dump_escapes_controls_and_nulls_nonfinite);
    tcase_add_test(tc, files_read_with_a_byte_order_mark);
    suite_add_tcase(s, tc);
    return s;
}
