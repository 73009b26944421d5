/* text: what reaches a terminal, and which names are accepted. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "text.h"

static void expect_sanitized(const char *in, const char *want)
{
    char *got = md_text_sanitize(in);
    ck_assert_str_eq(got, want);
    free(got);
}

START_TEST(sanitize_escapes_become_inert)
{
    expect_sanitized("plain", "plain");
    expect_sanitized("\x1b[2J\x1b]0;pwned\x07", "^[[2J^[]0;pwned^G");
    expect_sanitized("a\tb\nc\rd", "a b c d");
    expect_sanitized("del\x7f", "del^?");
    /* C1 CSI (U+009B) and bidi override (U+202E) are replaced. */
    expect_sanitized("x\xc2\x9b" "31m", "x\xEF\xBF\xBD" "31m");
    expect_sanitized("\xe2\x80\xae" "evil", "\xEF\xBF\xBD" "evil");
    /* Invalid UTF-8 bytes are replaced one for one; valid UTF-8 stays. */
    expect_sanitized("caf\xc3\xa9 \xff\xfe", "caf\xc3\xa9 \xEF\xBF\xBD\xEF\xBF\xBD");
    expect_sanitized(NULL, "");
}
END_TEST

/* A category from the data keeps a tab, CR or LF visible: "a<TAB>b" must not read as "a b". */
START_TEST(sanitized_values_show_tabs_and_breaks)
{
    char *got = md_text_sanitize_value("a\tb");
    ck_assert_str_eq(got, "a^Ib");
    free(got);
    got = md_text_sanitize_value("x\r\ny \x1b[1m");
    ck_assert_str_eq(got, "x^M^Jy ^[[1m");
    free(got);
    got = md_text_sanitize_value("caf\xc3\xa9 \xe2\x80\xae");
    ck_assert_str_eq(got, "caf\xc3\xa9 \xEF\xBF\xBD");
    free(got);
    expect_sanitized("a\tb", "a b"); /* free text keeps its spaces */
}
END_TEST

START_TEST(sanitized_output_has_no_control_bytes)
{
    char in[256];
    for (int i = 0; i < 255; i++)
        in[i] = (char)(i + 1);
    in[255] = '\0';
    char *out = md_text_sanitize(in);
    for (const unsigned char *p = (const unsigned char *)out; *p; p++)
        ck_assert_msg(*p >= 0x20 && *p != 0x7f, "control byte 0x%02x survived", *p);
    ck_assert(md_utf8_valid(out, strlen(out)));
    free(out);
}
END_TEST

START_TEST(utf8_validation)
{
    ck_assert(md_utf8_valid("h\xc3\xa9llo \xf0\x9f\x98\x80", 11));
    ck_assert(!md_utf8_valid("\xc0\xaf", 2));         /* overlong '/' */
    ck_assert(!md_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    ck_assert(!md_utf8_valid("\xf4\x90\x80\x80", 4)); /* beyond U+10FFFF */
    ck_assert(!md_utf8_valid("\xe2\x82", 2));         /* truncated */
}
END_TEST

START_TEST(names)
{
    ck_assert(md_valid_slug("churn"));
    ck_assert(md_valid_slug("b2b-lead_scoring2"));
    ck_assert(!md_valid_slug("Churn"));
    ck_assert(!md_valid_slug("-churn"));
    ck_assert(!md_valid_slug("churn model"));
    ck_assert(!md_valid_slug(""));
    ck_assert(!md_valid_slug("caf\xc3\xa9"));
    char long_name[80];
    memset(long_name, 'a', 65);
    long_name[65] = '\0';
    ck_assert(!md_valid_slug(long_name));
    long_name[64] = '\0';
    ck_assert(md_valid_slug(long_name));
    ck_assert(md_valid_username("alice.smith-2"));
    ck_assert(!md_valid_username("alice smith"));
    ck_assert(!md_valid_username(".hidden"));
    ck_assert(md_valid_sha256_hex(
        "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
    ck_assert(!md_valid_sha256_hex("e3b0c442"));
    ck_assert(!md_valid_sha256_hex(
        "g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}
END_TEST

Suite *suite_text(void)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("text");
    tcase_add_test(tc, sanitize_escapes_become_inert);
    tcase_add_test(tc, sanitized_values_show_tabs_and_breaks);
    tcase_add_test(tc, sanitized_output_has_no_control_bytes);
    tcase_add_test(tc, utf8_validation);
    tcase_add_test(tc, names);
    suite_add_tcase(s, tc);
    return s;
}
