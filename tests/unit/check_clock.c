/* clock: ISO-8601 in, UTC text out, and the injectable clock. */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "testutil.h"

static int64_t parse_ok(const char *s)
{
    int64_t ms = 0;
    md_err err;
    md_status rc = md_time_parse(s, &ms, &err);
    ck_assert_msg(rc == MD_OK, "%s: %s", s, err.msg);
    return ms;
}

START_TEST(iso_forms)
{
    ck_assert_int_eq(parse_ok("1970-01-01"), 0);
    ck_assert_int_eq(parse_ok("1970-01-01T00:00:01Z"), 1000);
    ck_assert_int_eq(parse_ok("2026-10-01T00:30:00+02:00"), parse_ok("2026-09-30T22:30:00Z"));
    ck_assert_int_eq(parse_ok("2026-10-01T23:30:00-0130"), parse_ok("2026-10-02T01:00:00Z"));
    ck_assert_int_eq(parse_ok("2026-10-01 12:00:00.250Z"), parse_ok("2026-10-01T12:00:00Z") + 250);
    ck_assert_int_eq(parse_ok("2024-02-29T00:00:00Z") - parse_ok("2024-02-28T00:00:00Z"),
                     86400000);
    ck_assert_int_eq(parse_ok("1732600000"), 1732600000000LL);
    ck_assert_int_eq(parse_ok("1732600000.5"), 1732600000500LL);
}
END_TEST

START_TEST(iso_rejects)
{
    const char *bad[] = {"2026-02-30", "2026-13-01", "2026-10-01T25:00Z", "2026-10-01T10:00+2",
                         "yesterday", "2026-10-01T10:00:00Zjunk", "", "2023-02-29"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms;
        md_err err;
        ck_assert_msg(md_time_parse(bad[i], &ms, &err) == MD_INVALID, "accepted '%s'", bad[i]);
    }
    int64_t ms;
    md_err err;
    ck_assert_int_eq(md_time_parse_iso("2026-10-01T10:00:00", true, &ms, &err), MD_INVALID);
}
END_TEST

START_TEST(format_round_trip)
{
    char text[MD_TIME_TEXT_MAX];
    md_time_format(0, text);
    ck_assert_str_eq(text, "1970-01-01T00:00:00.000Z");
    md_time_format(-1, text);
    ck_assert_str_eq(text, "1969-12-31T23:59:59.999Z");
    for (int64_t ms = -86400000LL * 800; ms < 86400000LL * 40000; ms += 86400000LL * 37 + 12345) {
        md_time_format(ms, text);
        ck_assert_int_eq(parse_ok(text), ms);
    }
}
END_TEST

START_TEST(injected_clock)
{
    md_clock c;
    md_err err;
    setenv("MODELDECK_NOW", "2026-10-01T08:00:00Z", 1);
    ck_assert_int_eq(md_clock_from_env(&c, &err), MD_OK);
    ck_assert_int_eq(md_clock_now_ms(&c), parse_ok("2026-10-01T08:00:00Z"));
    setenv("MODELDECK_NOW", "soon", 1);
    ck_assert_int_eq(md_clock_from_env(&c, &err), MD_INVALID);
    ck_assert_ptr_nonnull(strstr(err.msg, "MODELDECK_NOW"));
    unsetenv("MODELDECK_NOW");
    ck_assert_int_eq(md_clock_from_env(&c, &err), MD_OK);
    ck_assert(!c.fixed);
}
END_TEST

Suite *suite_clock(void)
{
    Suite *s = suite_create("clock");
    TCase *tc = tcase_create("clock");
    tcase_add_test(tc, iso_forms);
    tcase_add_test(tc, iso_rejects);
    tcase_add_test(tc, format_round_trip);
    tcase_add_test(tc, injected_clock);
    suite_add_tcase(s, tc);
    return s;
}
