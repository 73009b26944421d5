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

/* The digits of "YYYY-MM-DDTHH:MM:SSZ" as numbers (0..9), or false when p is not of that shape
 * (any byte off). With SSE2 the 20 bytes are checked in two overlapping 16-byte blocks: each
 * byte minus the template's must not exceed 9 where a digit goes and 0 where a separator does. */
static bool iso_digits(const char *p, int d[14])
{
    static const int pos[] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
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
    if (_mm_movemask_epi8(ok) != 0xFFFF)
        return false;
    for (int i = 0; i < 14; i++)
        d[i] = p[pos[i]] - '0';
    return true;
#else
    if (p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' || p[16] != ':' || p[19] != 'Z')
        return false;
    for (int i = 0; i < 14; i++) {
        unsigned c = (unsigned char)p[pos[i]] - '0';
        if (c > 9)
            return false;
        d[i] = (int)c;
    }
    return true;
#endif
}

/* The common shape "YYYY-MM-DDTHH:MM:SSZ" without any allocation or sscanf. Rows come in
 * time order mostly, so the last date's day number is kept per thread. */
static bool fast_iso(const char *p, size_t n, int64_t *ms)
{
    static _Thread_local int last_ymd = -1;
    static _Thread_local int64_t last_days;
    int d[14];
    if (n != 20 || !iso_digits(p, d))
        return false;
    int y = d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3], mo = d[4] * 10 + d[5],
        da = d[6] * 10 + d[7], h = d[8] * 10 + d[9], mi = d[10] * 10 + d[11],
        s = d[12] * 10 + d[13];
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || da < 1 || da > mdays[mo - 1] || h > 23 || mi > 59 || s > 59)
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
        if (!(f->num > -1e13 && f->num < 1e13))
            return false;
        *ms = (int64_t)floor(f->num * 1000.0); /* floor: 23:59:59.9999 stays in its day */
        return true;
    }
    if (f->kind != MD_F_TEXT || f->n == 0 || f->n > 40)
        return false;
    if (fast_iso(f->p, f->n, ms))
        return true;
    char buf[48];
    memcpy(buf, f->p, f->n);
    buf[f->n] = '\0';
    if (f->n > 4 && buf[4] == '-')
        return md_time_parse_iso(buf, true, ms, NULL) == MD_OK;
    double v;
    if (!md_parse_number(f->p, f->n, &v) || !(v > -1e13 && v < 1e13))
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
