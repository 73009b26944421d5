/* numbers: the parser every value of a data file goes through (core/numparse.c).
 *
 * Its fast paths must give what glibc's strtod gives (correctly rounded) for every text of
 * the grammar, wherever the text sits in the read buffer, and must reject what the grammar
 * rejects. The texts are generated: up to 19 digits, a dot anywhere or nowhere, a sign or
 * none, leading and trailing zeros, and bytes around them that look like numbers too. And a
 * number rounded for a table (md_fmt_edge) never reads as a whole number it is not. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"
#include "testutil.h"

Suite *suite_numbers(void);

static uint64_t state = 20261126;

static uint64_t rnd(void)
{
    return tu_random(&state);
}

/* A number of the common shape: [sign] digits [. digits], at least one digit. */
static size_t gen_number(char *out)
{
    size_t n = 0, digits = 1 + rnd() % 19;
    uint64_t sign = rnd() % 4;
    if (sign == 1)
        out[n++] = '-';
    else if (sign == 2)
        out[n++] = '+';
    size_t dot = rnd() % 3 == 0 ? SIZE_MAX : rnd() % (digits + 1);
    for (size_t i = 0; i < digits; i++) {
        if (i == dot)
            out[n++] = '.';
        uint64_t r = rnd() % 10;
        out[n++] = (char)('0' + (i == 0 && rnd() % 4 == 0 ? 0 : r)); /* leading zeros too */
    }
    if (dot == digits)
        out[n++] = '.';
    out[n] = '\0';
    return n;
}

/* Parses text placed at `at` in a buffer padded on both sides with digit-like bytes. */
static bool parse_in_buffer(const char *text, size_t n, size_t at, double *out)
{
    char buf[96];
    memset(buf, '7', sizeof buf);
    buf[at - 1] = '.';
    memcpy(buf + at, text, n);
    buf[at + n] = ',';
    return md_parse_number_padded(buf + at, n, out);
}

START_TEST(fast_paths_equal_strtod)
{
    char text[32];
    for (int i = 0; i < 200000; i++) {
        size_t n = gen_number(text);
        double want = strtod(text, NULL), plain, padded;
        ck_assert_msg(md_parse_number(text, n, &plain), "'%s' rejected", text);
        ck_assert_msg(parse_in_buffer(text, n, 16 + rnd() % 40, &padded), "'%s' rejected", text);
        ck_assert_msg(memcmp(&plain, &want, sizeof want) == 0, "'%s': %.17g, strtod %.17g", text,
                      plain, want);
        ck_assert_msg(memcmp(&padded, &want, sizeof want) == 0,
                      "'%s' in a buffer: %.17g, "
                      "strtod %.17g",
                      text, padded, want);
    }
}
END_TEST

START_TEST(the_grammar_is_kept)
{
    static const struct {
        const char *text;
        double value;
    } good[] = {{"0", 0},          {"-0", -0.0},
                {"5.", 5},         {".5", 0.5},
                {"+7", 7},         {"007", 7},
                {"1e5", 1e5},      {"2.5E-3", 2.5e-3},
                {"-1.5e+2", -150}, {"123456789012345", 123456789012345.0},
                {"0.1", 0.1},      {"1234567890123456789", 1234567890123456789.0},
                {"1e-320", 1e-320}};
    static const char *bad[] = {"",    ".",   "-",  "+",    "1.2.3", "12a", "1e",
                                "--1", " 1",  "1 ", "0x10", "inf",   "nan", "1e400",
                                "-.",  "1e+", "١٢", "1,5",  "e5",    "+-1", "1..2"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        double plain, padded;
        size_t n = strlen(good[i].text);
        ck_assert_msg(md_parse_number(good[i].text, n, &plain), "'%s' rejected", good[i].text);
        ck_assert_msg(parse_in_buffer(good[i].text, n, 20, &padded), "'%s' rejected", good[i].text);
        ck_assert_msg(plain == good[i].value && signbit(plain) == signbit(good[i].value),
                      "'%s': %.17g", good[i].text, plain);
        ck_assert_msg(memcmp(&plain, &padded, sizeof plain) == 0, "'%s': %.17g vs %.17g",
                      good[i].text, plain, padded);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v;
        size_t n = strlen(bad[i]);
        ck_assert_msg(!md_parse_number(bad[i], n, &v), "'%s' accepted", bad[i]);
        ck_assert_msg(!parse_in_buffer(bad[i], n, 20, &v), "'%s' accepted in a buffer", bad[i]);
    }
}
END_TEST

/* A rounded edge never reads as a whole number it is not, and keeps its usual digits else. */
START_TEST(edges_do_not_round_to_what_they_are_not)
{
    static const struct {
        double v;
        int digits;
        bool fixed;
        const char *want;
    } cases[] = {
        {0.9996, 3, false, "0.9996"},  {0.99996, 4, true, "0.99996"}, {3e-05, 4, true, "0.00003"},
        {3e-05, 3, false, "3e-05"},    {0.6406, 3, false, "0.641"},   {0.6406, 4, true, "0.6406"},
        {1.0, 3, false, "1"},          {0.0, 4, true, "0.0000"},      {1.0, 4, true, "1.0000"},
        {-3e-05, 4, true, "-0.00003"}, {1e-300, 4, true, "1e-300"},   {2.99996, 4, true, "2.99996"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[40];
        md_fmt_edge(cases[i].v, cases[i].digits, cases[i].fixed, out);
        ck_assert_msg(strcmp(out, cases[i].want) == 0, "%.17g with %d %s: '%s', want '%s'",
                      cases[i].v, cases[i].digits, cases[i].fixed ? "decimals" : "digits", out,
                      cases[i].want);
    }
}
END_TEST

Suite *suite_numbers(void)
{
    Suite *s = suite_create("numbers");
    TCase *tc = tcase_create("numbers");
    /* 200,000 numbers against strtod take about 4 s under ASan, Check's default limit */
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, fast_paths_equal_strtod);
    tcase_add_test(tc, the_grammar_is_kept);
    tcase_add_test(tc, edges_do_not_round_to_what_they_are_not);
    suite_add_tcase(s, tc);
    return s;
}
