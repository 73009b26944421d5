/* clock: ISO-8601 in, UTC text out, and the injectable clock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "testutil.h"
#include "values.h"

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
    /* the basic format, with a time: the same instants */
    ck_assert_int_eq(parse_ok("20261001T103000Z"), parse_ok("2026-10-01T10:30:00Z"));
    ck_assert_int_eq(parse_ok("20261001T2330-0130"), parse_ok("2026-10-02T01:00:00Z"));
    ck_assert_int_eq(parse_ok("20261001T120000.250+02"), parse_ok("2026-10-01T10:00:00Z") + 250);
    /* and a log's field reads it too (a zone needed, as ever) */
    int64_t ms;
    md_field f = {MD_F_TEXT, false, "20261001T103000Z", 16, 0};
    ck_assert(md_value_time(&f, &ms) && ms == parse_ok("2026-10-01T10:30:00Z"));
    ck_assert_int_eq(parse_ok("20261001t103000Z"), parse_ok("2026-10-01T10:30:00Z"));
    ck_assert_int_eq(parse_ok("20261001 103000Z"), parse_ok("2026-10-01T10:30:00Z"));
    md_err err;
    ck_assert_int_eq(md_time_parse_iso("20261001T1030", true, &ms, &err), MD_INVALID);
    ck_assert_msg(strstr(err.msg, "needs Z or an offset"), "%s", err.msg);
}
END_TEST

/* Second 60 is a leap second: only in the last minute of a UTC day, where it stays in that day
 * (the last millisecond of 23:59:59); in any other minute it is an error that says why. */
START_TEST(leap_second)
{
    int64_t last = parse_ok("2016-12-31T23:59:59Z");
    ck_assert_int_eq(parse_ok("2016-12-31T23:59:60Z"), last + 999);
    ck_assert_int_eq(parse_ok("2017-01-01T01:59:60+02:00"), last + 999);
    ck_assert_int_eq(parse_ok("2016-12-31T22:29:60-01:30"), last + 999);
    ck_assert_int_eq(parse_ok("20161231T235960Z"), last + 999);
    int64_t ms;
    md_err err;
    static const char *const off_minute[] = {"2026-10-01T12:34:60Z", "2016-12-31T23:59:60+01:00",
                                             "2026-10-01T00:00:60Z"};
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(md_time_parse_iso(off_minute[i], true, &ms, &err), MD_INVALID);
        ck_assert_msg(strstr(err.msg, "leap second") && strstr(err.msg, off_minute[i]), "%s",
                      err.msg);
    }
    ck_assert_int_eq(md_time_parse_iso("2026-10-01T12:34:61Z", true, &ms, &err), MD_INVALID);
    /* a log's field: the same verdicts */
    md_field f = {MD_F_TEXT, false, "2016-12-31T23:59:60Z", 20, 0};
    ck_assert(md_value_time(&f, &ms) && ms == last + 999);
    f.p = "2026-10-01T12:34:60Z";
    ck_assert(!md_value_time(&f, &ms));
}
END_TEST

/* A fraction of a second of any length: milliseconds kept, the rest truncated, in a log's field
 * as in the parser. */
START_TEST(long_fraction)
{
    static const char t[] = "2026-10-01T13:04:05.12345678901234567890+05:30";
    int64_t want = parse_ok("2026-10-01T07:34:05Z") + 123, ms;
    ck_assert_int_eq(parse_ok(t), want);
    md_field f = {MD_F_TEXT, false, t, sizeof t - 1, 0};
    ck_assert(md_value_time(&f, &ms) && ms == want);
}
END_TEST

/* A log's timestamps go through md_value_time, whose fast path reads the common shape
 * "YYYY-MM-DDTHH:MM:SSZ" and keeps the last date's day number. Whatever the text, it must
 * agree with the general ISO-8601 parser: the same verdict and the same instant. The texts are
 * valid ones, ones with a part out of range, and ones with a byte changed; the dates jump
 * around so the kept day number is tested too. */
START_TEST(log_timestamps_equal_the_general_parser)
{
    uint64_t state = 20261126;
    const char noise[] = "0123456789-:TZ ./+x\x80";
    size_t accepted = 0;
    for (int i = 0; i < 200000; i++) {
        char text[32];
        uint64_t r = tu_random(&state);
        int y = 1960 + (int)(r % 150), mo = (int)((r >> 8) % 14), d = (int)((r >> 16) % 33),
            h = (int)((r >> 24) % 25), mi = (int)((r >> 32) % 61), sec = (int)((r >> 40) % 61);
        if (r >> 48 & 1) /* mostly in range, so most texts are valid */
            mo = 1 + mo % 12, d = 1 + d % 28, h %= 24, mi %= 60, sec %= 60;
        snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, sec);
        if ((r >> 50) % 4 == 0) /* one byte changed */
            text[(r >> 52) % 20] = noise[(r >> 57) % (sizeof noise - 1)];
        md_field f = {MD_F_TEXT, false, text, strlen(text), 0};
        int64_t fast = 0, general = 0;
        md_err err;
        bool ok = md_value_time(&f, &fast);
        bool want = md_time_parse_iso(text, true, &general, &err) == MD_OK;
        ck_assert_msg(ok == want, "'%s': md_value_time says %d, the ISO parser %d", text, ok, want);
        if (ok)
            ck_assert_msg(fast == general, "'%s': %lld vs %lld", text, (long long)fast,
                          (long long)general);
        accepted += ok;
    }
    ck_assert_uint_gt(accepted, 100000);
    ck_assert_uint_lt(accepted, 190000);
}
END_TEST

START_TEST(iso_rejects)
{
    const char *bad[] = {"2026-02-30",
                         "2026-13-01",
                         "2026-10-01T25:00Z",
                         "2026-10-01T10:00+2",
                         "yesterday",
                         "2026-10-01T10:00:00Zjunk",
                         "",
                         "2023-02-29",
                         "2026-10-01T10:00:00+05:",
                         "0000-01-01T00:00:00Z",
                         "9999-12-31T23:59:59-05:00",
                         "0001-01-01T00:30:00+01:00",
                         "20261301T1000Z",  /* no such month */
                         "20261001T10:00Z", /* basic date, extended time */
                         "20261001T1Z",
                         "2026100T1000Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms;
        md_err err;
        ck_assert_msg(md_time_parse(bad[i], &ms, &err) == MD_INVALID, "accepted '%s'", bad[i]);
    }
    int64_t ms;
    md_err err;
    ck_assert_int_eq(md_time_parse_iso("2026-10-01T10:00:00", true, &ms, &err), MD_INVALID);
    ck_assert_msg(strstr(err.msg, "needs Z or an offset"), "%s", err.msg);
    md_time_parse("9999-12-31T23:59:59-05:00", &ms, &err);
    ck_assert_msg(strstr(err.msg, "outside the years 0001 to 9999"), "%s", err.msg);
    ck_assert_int_eq(md_time_parse("9999-12-31T23:59:59+05:00", &ms, &err), MD_OK);
    ck_assert_int_eq(md_time_parse("0001-01-01T00:30:00-01:00", &ms, &err), MD_OK);
    md_field f = {MD_F_TEXT, false, "0000-06-01T00:00:00Z", 20, 0};
    ck_assert(!md_value_time(&f, &ms)); /* the fast path too */
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
    tcase_add_test(tc, leap_second);
    tcase_add_test(tc, long_fraction);
    tcase_add_test(tc, iso_rejects);
    tcase_add_test(tc, log_timestamps_equal_the_general_parser);
    tcase_add_test(tc, format_round_trip);
    tcase_add_test(tc, injected_clock);
    suite_add_tcase(s, tc);
    return s;
}
