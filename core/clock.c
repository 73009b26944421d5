#include "clock.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Civil-date arithmetic in the proleptic Gregorian calendar (era-based, valid for any year). */
int64_t md_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void md_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

void md_time_format(int64_t ms, char out[MD_TIME_TEXT_MAX])
{
    int64_t days = floor_div(ms, 86400000);
    int64_t rem = ms - days * 86400000;
    int64_t y;
    unsigned mo, d;
    md_civil_from_days(days, &y, &mo, &d);
    snprintf(out, MD_TIME_TEXT_MAX, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", (long long)y, mo, d,
             (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60),
             (int)(rem % 1000));
}

/* Reads exactly n digits at *p into *out and advances *p. */
static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool days_in_month_ok(int y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

/* Parses an optional zone suffix; returns the offset in minutes east of UTC. */
static bool parse_zone(const char **p, bool *has_zone, int *offset_min)
{
    const char *s = *p;
    *has_zone = false;
    *offset_min = 0;
    if (*s == 'Z' || *s == 'z') {
        *has_zone = true;
        *p = s + 1;
        return true;
    }
    if (*s != '+' && *s != '-')
        return true;
    int sign = *s == '-' ? -1 : 1, hh, mm = 0;
    s++;
    if (!digits(&s, 2, &hh))
        return false;
    if (*s == ':') { /* then the minutes: "+05:" is not an offset */
        s++;
        if (!digits(&s, 2, &mm))
            return false;
    } else if (isdigit((unsigned char)*s) && !digits(&s, 2, &mm)) {
        return false;
    }
    if (hh > 23 || mm > 59)
        return false;
    *has_zone = true;
    *offset_min = sign * (hh * 60 + mm);
    *p = s;
    return true;
}

/* Fraction of a second after '.' or ','; keeps whole milliseconds (truncated, so that a time
 * never moves into the next second, day or window). */
static bool parse_fraction(const char **p, int *ms)
{
    const char *s = *p;
    if (*s != '.' && *s != ',') {
        *ms = 0;
        return true;
    }
    s++;
    if (!isdigit((unsigned char)*s))
        return false;
    int v = 0, digits = 0;
    for (; isdigit((unsigned char)*s); s++)
        if (digits < 3)
            v = v * 10 + (*s - '0'), digits++;
    for (; digits < 3; digits++)
        v *= 10;
    *ms = v;
    *p = s;
    return true;
}

static md_status bad_time(md_err *err, const char *s, const char *why)
{
    return md_err_set(err, MD_INVALID, "'%s' is not an ISO-8601 time (%s)", s, why);
}

/* HH:MM[:SS[.fff]], or in the basic format (no colons) HHMM[SS[.fff]]. */
static bool parse_clock_part(const char **p, bool basic, int *hh, int *mi, int *ss, int *ms)
{
    *ss = 0;
    *ms = 0;
    if (!digits(p, 2, hh) || (!basic && **p != ':'))
        return false;
    *p += !basic;
    if (!digits(p, 2, mi))
        return false;
    if (basic ? isdigit((unsigned char)**p) : **p == ':') {
        *p += !basic;
        if (!digits(p, 2, ss) || !parse_fraction(p, ms))
            return false;
    }
    return *hh <= 23 && *mi <= 59 && *ss <= 60; /* :60 is a leap second, folded below */
}

bool md_time_is_iso_basic(const char *s, size_t n)
{
    if (n < 11 || (s[8] != 'T' && s[8] != 't' && s[8] != ' ')) /* as the extended form takes */
        return false;
    for (int i = 0; i < 8; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

md_status md_time_parse_iso(const char *s, bool require_zone, int64_t *out, md_err *err)
{
    const char *p = s;
    int y, mo, d, hh = 0, mi = 0, ss = 0, ms = 0, off = 0;
    bool has_zone = false, has_time = false;
    bool basic = md_time_is_iso_basic(s, strlen(s)); /* 20261001T1000Z */
    if (!digits(&p, 4, &y) || (!basic && *p++ != '-') || !digits(&p, 2, &mo) ||
        (!basic && *p++ != '-') || !digits(&p, 2, &d))
        return bad_time(err, s, "expected YYYY-MM-DD");
    if (!days_in_month_ok(y, mo, d) || y < 1)
        return bad_time(err, s, y < 1 ? "years run from 0001" : "no such date");
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        has_time = true;
        if (!parse_clock_part(&p, basic, &hh, &mi, &ss, &ms))
            return bad_time(err, s,
                            basic ? "expected HHMM[SS[.fff]]" : "expected HH:MM[:SS[.fff]]");
        if (!parse_zone(&p, &has_zone, &off))
            return bad_time(err, s, "bad zone offset");
    }
    if (*p)
        return bad_time(err, s, "unexpected text after the time");
    if (require_zone && has_time && !has_zone)
        return bad_time(err, s, "needs Z or an offset such as +02:00");
    int64_t days = md_days_from_civil(y, (unsigned)mo, (unsigned)d);
    int64_t secs = days * 86400 + hh * 3600 + mi * 60 + (ss == 60 ? 59 : ss) - off * 60;
    if (ss == 60 && ((secs % 86400) + 86400) % 86400 != 86399) /* in UTC, 23:59:59 */
        return bad_time(err, s, "second 60 is a leap second, which comes only at 23:59 UTC");
    if (secs < -62135596800 || secs >= 253402300800) /* 0001-01-01 .. 9999-12-31 in UTC */
        return bad_time(err, s, "in UTC it falls outside the years 0001 to 9999");
    *out = secs * 1000 + (ss == 60 ? 999 : ms);
    return MD_OK;
}

md_status md_time_parse_epoch(const char *s, int64_t *out, md_err *err)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (!isdigit((unsigned char)*p))
        return md_err_set(err, MD_INVALID, "'%s' is not epoch seconds", s);
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (*end || errno || !isfinite(v) || fabs(v) > 1e13)
        return md_err_set(err, MD_INVALID, "'%s' is not epoch seconds", s);
    *out = (int64_t)llround(v * 1000.0);
    return MD_OK;
}

md_status md_time_parse(const char *s, int64_t *ms, md_err *err)
{
    size_t n = strspn(s, "0123456789");
    if ((n == 4 && s[4] == '-') || md_time_is_iso_basic(s, strlen(s)))
        return md_time_parse_iso(s, false, ms, err);
    if (md_time_parse_epoch(s, ms, NULL) == MD_OK)
        return MD_OK;
    return md_err_set(err, MD_INVALID,
                      "'%s' is not a time (ISO-8601 such as 2026-10-01T00:00:00Z, or epoch seconds)",
                      s);
}

md_status md_clock_from_env(md_clock *clock, md_err *err)
{
    const char *v = getenv("MODELDECK_NOW");
    clock->fixed = false;
    clock->fixed_ms = 0;
    if (!v || !*v)
        return MD_OK;
    if (md_time_parse(v, &clock->fixed_ms, err) != MD_OK)
        return md_err_prefix(err, "MODELDECK_NOW");
    clock->fixed = true;
    return MD_OK;
}

int64_t md_clock_now_ms(const md_clock *clock)
{
    if (clock && clock->fixed)
        return clock->fixed_ms;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
