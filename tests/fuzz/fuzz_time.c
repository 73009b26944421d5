/* Fuzz target: timestamps in data files (md_value_time, core/values.c and core/clock.c), the
 * values that put each row in its window.
 *
 * The reference is written here from the grammar core/clock.h documents, with the C library's
 * timegm for the calendar: ISO-8601 extended (YYYY-MM-DD, or with [Tt ]HH:MM[:SS[(.|,)frac]]
 * and a zone Z, z, +HH, +HHMM or +HH:MM) or basic (YYYYMMDD[Tt ]HHMM[SS[(.|,)frac]] and a
 * zone), fractions truncated to the millisecond, a leap second :60 read as :59.999 and only
 * where it falls at 23:59:60 UTC; or epoch seconds in the number grammar, floored to the
 * millisecond. Times in UTC must fall in the years 0001 to 9999; a field longer than
 * MD_TS_FIELD_MAX is no time. The reader's fast path for "YYYY-MM-DDTHH:MM:SSZ" and the general
 * parser must both give the reference's instant, or both refuse. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz.h"
#include "values.h"

#define PAD 16

static bool num(const char **p, const char *end, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (*p + i >= end || (*p)[i] < '0' || (*p)[i] > '9')
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool at(const char *p, const char *end, char c)
{
    return p < end && *p == c;
}

/* Seconds since the epoch of a UTC date and time, by timegm; false for no such date. */
static bool utc_seconds(int y, int mo, int d, int h, int mi, int s, int64_t *out)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    time_t t = timegm(&tm);
    /* timegm normalises 2026-02-30 into March: a date that moved was not a date */
    if (tm.tm_year != y - 1900 || tm.tm_mon != mo - 1 || tm.tm_mday != d)
        return false;
    *out = (int64_t)t;
    return true;
}

static bool ref_iso(const char *s, size_t n, bool basic, int64_t *ms)
{
    const char *p = s, *end = s + n;
    int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, zh = 0, zm = 0, sign = 0;
    if (!num(&p, end, 4, &y) || (!basic && !at(p++, end, '-')) || !num(&p, end, 2, &mo) ||
        (!basic && !at(p++, end, '-')) || !num(&p, end, 2, &d) || y < 1 || mo < 1 || mo > 12 ||
        d < 1)
        return false;
    if (p < end) { /* a time, and then a zone, which data must have */
        if (*p != 'T' && *p != 't' && *p != ' ')
            return false;
        p++;
        if (!num(&p, end, 2, &h) || (!basic && !at(p++, end, ':')) || !num(&p, end, 2, &mi))
            return false;
        bool secs = basic ? p < end && *p >= '0' && *p <= '9' : at(p, end, ':');
        if (secs) {
            p += !basic;
            if (!num(&p, end, 2, &sec))
                return false;
            if (at(p, end, '.') || at(p, end, ',')) {
                p++;
                int digits = 0;
                for (; p < end && *p >= '0' && *p <= '9'; p++, digits++)
                    if (digits < 3)
                        frac = frac * 10 + (*p - '0');
                if (digits == 0)
                    return false;
                for (; digits < 3; digits++)
                    frac *= 10;
            }
        }
        if (at(p, end, 'Z') || at(p, end, 'z')) {
            p++;
        } else if (at(p, end, '+') || at(p, end, '-')) {
            sign = *p++ == '-' ? -1 : 1;
            if (!num(&p, end, 2, &zh))
                return false;
            if (at(p, end, ':')) {
                p++;
                if (!num(&p, end, 2, &zm))
                    return false;
            } else if (p < end && !num(&p, end, 2, &zm)) {
                return false;
            }
        } else {
            return false; /* no zone */
        }
        if (h > 23 || mi > 59 || sec > 60 || zh > 23 || zm > 59)
            return false;
    }
    int64_t t;
    if (p != end || !utc_seconds(y, mo, d, h, mi, sec == 60 ? 59 : sec, &t))
        return false;
    t -= sign * (zh * 3600 + zm * 60);
    if (sec == 60 && ((t % 86400) + 86400) % 86400 != 86399)
        return false; /* a leap second comes only in the last minute of a UTC day */
    if (t < -62135596800 || t >= 253402300800)
        return false;
    *ms = t * 1000 + (sec == 60 ? 999 : frac);
    return true;
}

/* The number grammar of docs/METRICS.md, by strtod. */
static bool ref_epoch(const char *s, size_t n, int64_t *ms)
{
    size_t i = 0, digits = 0;
    i += i < n && (s[i] == '+' || s[i] == '-');
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        digits++;
    if (i < n && s[i] == '.')
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    if (digits == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        i += i < n && (s[i] == '+' || s[i] == '-');
        size_t e = 0;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            e++;
        if (e == 0)
            return false;
    }
    if (i != n)
        return false;
    char buf[MD_TS_FIELD_MAX + 1];
    memcpy(buf, s, n);
    buf[n] = '\0';
    double v = strtod(buf, NULL);
    if (!(v >= MD_EPOCH_MIN_S && v < MD_EPOCH_END_S))
        return false;
    *ms = (int64_t)floor(v * 1000.0);
    return true;
}

static bool ref_time(const char *s, size_t n, int64_t *ms)
{
    if (n == 0 || n > MD_TS_FIELD_MAX || memchr(s, '\0', n))
        return false;
    if (n > 4 && s[4] == '-')
        return ref_iso(s, n, false, ms);
    bool basic = n >= 11 && (s[8] == 'T' || s[8] == 't' || s[8] == ' ');
    for (int i = 0; basic && i < 8; i++)
        basic = s[i] >= '0' && s[i] <= '9';
    return basic ? ref_iso(s, n, true, ms) : ref_epoch(s, n, ms);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MD_TS_FIELD_MAX + 8)
        return 0;
    const char *s = (const char *)data;
    int64_t want = 0, got = 0;
    bool want_ok = ref_time(s, size, &want);

    char *buf = malloc(size + 2 * PAD); /* the read buffer's padding, as the reader has it */
    memset(buf, '0', PAD);
    memset(buf + PAD + size, 'Z', PAD);
    memcpy(buf + PAD, s, size);
    md_field f = {MD_F_TEXT, true, buf + PAD, size, 0};
    bool ok = md_value_time(&f, &got);
    if (ok != want_ok)
        md_fuzz_fail("'%.*s' %s as a timestamp, expected %s", (int)size, s,
                     ok ? "accepted" : "refused", want_ok ? "accepted" : "refused");
    if (ok && got != want)
        md_fuzz_fail("'%.*s' read as %lld ms, expected %lld", (int)size, s, (long long)got,
                     (long long)want);
    free(buf);
    return 0;
}
