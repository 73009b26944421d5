#include "values.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "clock.h"
#include "numparse.h"

bool md_value_missing_slow(const md_field *f)
{
    switch (f->kind) {
    case MD_F_ABSENT:
    case MD_F_NULL:
        return true;
    case MD_F_TEXT:
        if (f->n == 0)
            return true;
        if (f->n > 4 || (f->p[0] | 0x20) != 'n') /* the common case: a value */
            return false;
        if (f->n == 2)
            return strncasecmp(f->p, "na", 2) == 0;
        if (f->n == 3)
            return strncasecmp(f->p, "nan", 3) == 0;
        if (f->n == 4)
            return strncasecmp(f->p, "null", 4) == 0;
        return false;
    default:
        return false;
    }
}

bool md_value_number_slow(const md_field *f, double *out)
{
    if (f->kind == MD_F_NUMBER) {
        *out = f->num;
        return true;
    }
    if (f->kind != MD_F_TEXT)
        return false;
    return f->padded ? md_parse_number_padded_slow(f->p, f->n, out)
                     : md_parse_number(f->p, f->n, out);
}

bool md_value_label(const md_field *f, int *label)
{
    double v;
    if (f->kind == MD_F_TEXT && f->n == 1 && (f->p[0] == '0' || f->p[0] == '1')) {
        *label = f->p[0] == '1'; /* the common spelling */
        return true;
    }
    if (f->kind == MD_F_BOOL) {
        *label = (int)f->num;
        return true;
    }
    if (f->kind == MD_F_TEXT && f->n == 4 && strncasecmp(f->p, "true", 4) == 0) {
        *label = 1;
        return true;
    }
    if (f->kind == MD_F_TEXT && f->n == 5 && strncasecmp(f->p, "false", 5) == 0) {
        *label = 0;
        return true;
    }
    if (!md_value_number(f, &v) || (v != 0 && v != 1))
        return false;
    *label = v == 1;
    return true;
}

/* Whether p is of the shape "YYYY-MM-DDTHH:MM:SSZ" (any byte off: false). With SSE2 the 20
 * bytes are checked in two overlapping 16-byte blocks: each byte minus the template's must not
 * exceed 9 where a digit goes and 0 where a separator does. */
static bool iso_shape(const char *p)
{
#ifdef __SSE2__
    static const char head_t[16] = "0000", tail_t[16] = "-00-00T00:00:00Z";
    static const unsigned char head_max[16] = {9,   9,   9,   9,   255, 255, 255, 255,
                                               255, 255, 255, 255, 255, 255, 255, 255},
                               tail_max[16] = {0, 9, 9, 0, 9, 9, 0, 9, 9, 0, 9, 9, 0, 9, 9, 0};
    __m128i head = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(const void *)p),
                                _mm_loadu_si128((const __m128i *)(const void *)head_t));
    __m128i tail = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 4)),
                                _mm_loadu_si128((const __m128i *)(const void *)tail_t));
    __m128i ok = _mm_and_si128(
        _mm_cmpeq_epi8(_mm_min_epu8(head, _mm_loadu_si128((const __m128i *)(const void *)head_max)),
                       head),
        _mm_cmpeq_epi8(_mm_min_epu8(tail, _mm_loadu_si128((const __m128i *)(const void *)tail_max)),
                       tail));
    return _mm_movemask_epi8(ok) == 0xFFFF;
#else
    static const char shape[] = "0000-00-00T00:00:00Z";
    for (int i = 0; i < 20; i++)
        if (shape[i] == '0' ? (unsigned)((unsigned char)p[i] - '0') > 9 : p[i] != shape[i])
            return false;
    return true;
#endif
}

/* The two digits at p as a number (the shape is checked). */
static inline int two_digits(const char *p)
{
    return (p[0] - '0') * 10 + (p[1] - '0');
}

/* The common shape "YYYY-MM-DDTHH:MM:SSZ" without any allocation or sscanf. Rows come in
 * time order mostly, so the last date's day number is kept per thread. */
static bool fast_iso(const char *p, size_t n, int64_t *ms)
{
    static _Thread_local int last_ymd = -1;
    static _Thread_local int64_t last_days;
    if (n != 20 || !iso_shape(p))
        return false;
    int y = two_digits(p) * 100 + two_digits(p + 2), mo = two_digits(p + 5),
        da = two_digits(p + 8), h = two_digits(p + 11), mi = two_digits(p + 14),
        s = two_digits(p + 17);
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || mo < 1 || mo > 12 || da < 1 || da > mdays[mo - 1] || h > 23 || mi > 59 || s > 59)
        return false;
    if (mo == 2 && da == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return false;
    int ymd = (y * 16 + mo) * 32 + da;
    if (ymd != last_ymd) {
        last_days = md_days_from_civil(y, (unsigned)mo, (unsigned)da);
        last_ymd = ymd;
    }
    *ms = (last_days * 86400 + h * 3600 + mi * 60 + s) * 1000;
    return true;
}

bool md_value_time(const md_field *f, int64_t *ms)
{
    if (f->kind == MD_F_NUMBER) {
        if (!(f->num >= MD_EPOCH_MIN_S && f->num < MD_EPOCH_END_S))
            return false;
        *ms = (int64_t)floor(f->num * 1000.0); /* floor: 23:59:59.9999 stays in its day */
        return true;
    }
    if (f->kind != MD_F_TEXT || f->n == 0 || f->n > MD_TS_FIELD_MAX)
        return false;
    if (fast_iso(f->p, f->n, ms))
        return true;
    if (memchr(f->p, '\0', f->n)) /* the C string below would end early */
        return false;
    char buf[MD_TS_FIELD_MAX + 1];
    memcpy(buf, f->p, f->n);
    buf[f->n] = '\0';
    if ((f->n > 4 && buf[4] == '-') || md_time_is_iso_basic(buf, f->n))
        return md_time_parse_iso(buf, true, ms, NULL) == MD_OK;
    double v;
    if (!md_parse_number(f->p, f->n, &v) || !(v >= MD_EPOCH_MIN_S && v < MD_EPOCH_END_S))
        return false;
    *ms = (int64_t)floor(v * 1000.0);
    return true;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t md_window_index(int64_t ms, md_window_kind kind)
{
    return floor_div(ms, kind == MD_WINDOW_DAY ? 86400000 : 3600000);
}

void md_window_key(int64_t index, md_window_kind kind, char out[20])
{
    int64_t day = kind == MD_WINDOW_DAY ? index : floor_div(index, 24);
    int64_t y;
    unsigned m, d;
    md_civil_from_days(day, &y, &m, &d);
    if (kind == MD_WINDOW_DAY)
        snprintf(out, 20, "%04lld-%02u-%02u", (long long)y, m, d);
    else
        snprintf(out, 20, "%04lld-%02u-%02uT%02d", (long long)y, m, d, (int)(index - day * 24));
}

const char *md_window_kind_name(md_window_kind kind)
{
    return kind == MD_WINDOW_DAY ? "day" : "hour";
}
