#include "numparse.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double md_pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Validates the grammar and gathers the decimal significand and exponent. Returns false when
 * the text is not a number; *fast says whether Clinger's fast path applies. */
static bool scan(const char *s, size_t n, bool *neg, uint64_t *mant, int *exp10, bool *fast)
{
    size_t i = 0;
    int digits = 0, dropped = 0, frac = 0;
    *neg = false;
    *mant = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        *neg = s[i++] == '-';
    bool any = false;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, any = true) {
        if (*mant == 0 && s[i] == '0')
            continue; /* leading zeros carry no information */
        if (digits < 19)
            *mant = *mant * 10 + (uint64_t)(s[i] - '0'), digits++;
        else
            dropped++;
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, any = true) {
            if (*mant == 0 && s[i] == '0') {
                frac++;
                continue;
            }
            if (digits < 19)
                *mant = *mant * 10 + (uint64_t)(s[i] - '0'), digits++, frac++;
            else
                dropped++; /* beyond 19 digits: strtod decides */
        }
    }
    if (!any)
        return false;
    long e = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        if (i >= n || s[i] < '0' || s[i] > '9')
            return false;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (e < 100000)
                e = e * 10 + (s[i] - '0');
        e = eneg ? -e : e;
    }
    if (i != n)
        return false;
    *exp10 = (int)(e - frac);
    *fast = dropped == 0 && *mant <= (UINT64_C(1) << 53) && *exp10 >= -22 && *exp10 <= 22;
    return true;
}

/* How many of the 8 bytes in w (first byte lowest) are ASCII digits before the first that is
 * not: 0..8. */
static inline unsigned digit_run(uint64_t w)
{
    uint64_t m = ((w & 0xF0F0F0F0F0F0F0F0ULL) ^ 0x3030303030303030ULL) |
                 (((w + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) ^ 0x3030303030303030ULL);
    uint64_t nz = (((m & 0x7F7F7F7F7F7F7F7FULL) + 0x7F7F7F7F7F7F7F7FULL) | m) &
                  0x8080808080808080ULL; /* 0x80 in each byte that is not a digit */
    return nz ? (unsigned)__builtin_ctzll(nz) >> 3 : 8;
}

/* The value of the first d (1..8) digit bytes of w. */
static inline uint64_t digits_value(uint64_t w, unsigned d)
{
    uint64_t x = (w - 0x3030303030303030ULL) & (d == 8 ? ~0ULL : (1ULL << (8 * d)) - 1);
    x <<= 8 * (8 - d); /* the digits in the high bytes, zeros before them */
    x = ((x & 0x0F0F0F0F0F0F0F0FULL) * 2561) >> 8;
    x = ((x & 0x00FF00FF00FF00FFULL) * 6553601) >> 16;
    return ((x & 0x0000FFFF0000FFFFULL) * 42949672960001ULL) >> 32;
}

static const uint64_t pow10_int[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

/* The common shape, [-+]?d{0,8}[.d{0,8}] with at least one digit, eight bytes at a time. Reads
 * up to 10 bytes past the field: only for text with padding after it (md_parse_number_padded).
 * A digit run that continues past the field ends in p != n, and the general path decides. */
static inline bool parse_swar(const char *s, size_t n, double *out)
{
    size_t p = 0;
    bool neg = s[0] == '-';
    p += neg || s[0] == '+';
    uint64_t w;
    memcpy(&w, s + p, 8);
    unsigned di = digit_run(w), df = 0;
    uint64_t ip = di ? digits_value(w, di) : 0, fp = 0;
    p += di;
    if (di == 8)
        return false;
    if (s[p] == '.' && p < n) {
        memcpy(&w, s + p + 1, 8);
        df = digit_run(w);
        if (df == 8)
            return false;
        fp = df ? digits_value(w, df) : 0;
        p += 1 + df;
    }
    if (p != n || di + df == 0)
        return false;
    double v = df ? (double)(ip * pow10_int[df] + fp) / md_pow10_exact[df] : (double)ip;
    *out = neg ? -v : v;
    return true;
}

/* The same shape with up to 19 digits, a byte at a time, reading nothing past the field. */
static inline bool parse_simple(const char *s, size_t n, double *out)
{
    const char *p = s, *e = s + n;
    bool neg = *p == '-';
    p += neg || *p == '+';
    uint64_t m = 0;
    const char *d0 = p;
    for (; p < e && (unsigned)(*p - '0') < 10; p++)
        m = m * 10 + (uint64_t)(*p - '0');
    size_t digits = (size_t)(p - d0), frac = 0;
    if (p < e && *p == '.') {
        const char *f0 = ++p;
        for (; p < e && (unsigned)(*p - '0') < 10; p++)
            m = m * 10 + (uint64_t)(*p - '0');
        frac = (size_t)(p - f0);
        digits += frac;
    }
    if (p != e || digits == 0 || digits > 19 || m > (UINT64_C(1) << 53) || frac > 22)
        return false;
    double v = frac ? (double)m / md_pow10_exact[frac] : (double)m;
    *out = neg ? -v : v;
    return true;
}

static bool parse_general(const char *s, size_t n, double *out);

#ifdef MD_PARSE_WINDOW
const unsigned char md_tail_ones[32] = {
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
#endif

bool md_parse_number_padded_slow(const char *s, size_t n, double *out)
{
    if (n > 0 && parse_swar(s, n, out))
        return true;
    return md_parse_number(s, n, out);
}

bool md_parse_number(const char *s, size_t n, double *out)
{
    if (n > 0 && parse_simple(s, n, out))
        return true;
    return parse_general(s, n, out);
}

static bool parse_general(const char *s, size_t n, double *out)
{
    bool neg, fast;
    uint64_t mant;
    int e;
    if (n == 0 || !scan(s, n, &neg, &mant, &e, &fast))
        return false;
    double v;
    if (fast) {
        v = (double)mant;
        v = e >= 0 ? v * md_pow10_exact[e] : v / md_pow10_exact[-e];
    } else {
        char buf[512];
        char *heap = n < sizeof buf ? NULL : malloc(n + 1);
        char *p = heap ? heap : buf;
        if (!p)
            return false;
        memcpy(p, s, n);
        p[n] = '\0';
        v = strtod(p, NULL); /* the grammar was checked; LC_NUMERIC is "C" */
        free(heap);
        v = fabs(v);
    }
    if (!isfinite(v))
        return false;
    *out = neg ? -v : v;
    return true;
}

/* Whether v, written with `digits` significant digits, reads back as v. */
static bool reads_back(double v, int digits, char *s, size_t cap)
{
    snprintf(s, cap, "%.*e", digits - 1, v);
    return strtod(s, NULL) == v;
}

int md_repr_digits(double v)
{
    char s[40];
    if (!isfinite(v))
        return 17;
    if (fabs(v) >= DBL_MIN) {
        /* A normal double: a decimal of p <= 15 digits that reads back as v lies within half
         * an ulp of it (2^-53 of it at most), closer than half a step of 15 digits (5e-16 of
         * it at least), so printing 15 digits gives that decimal with zeros after it. */
        if (reads_back(v, 15, s, sizeof s)) {
            const char *e = strchr(s, 'e');
            int digits = 15;
            while (digits > 1 && e[-1] == '0')
                e--, digits--;
            return digits;
        }
        return reads_back(v, 16, s, sizeof s) ? 16 : 17;
    }
    int digits = 1; /* zero and subnormals, whose ulps are coarser: one length after another */
    while (digits < 17 && !reads_back(v, digits, s, sizeof s))
        digits++;
    return digits;
}

void md_fmt_pyrepr(double v, char out[40])
{
    if (!isfinite(v)) {
        snprintf(out, 40, "%s", isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
        return;
    }
    char sci[40];
    int prec = md_repr_digits(v) - 1;
    snprintf(sci, sizeof sci, "%.*e", prec, v);
    char *epos = strchr(sci, 'e');
    int exp10 = atoi(epos + 1);
    char digits[24];
    size_t nd = 0;
    for (const char *p = sci; p < epos; p++)
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
    digits[nd] = '\0';
    const char *sign = v < 0 || (v == 0 && signbit(v)) ? "-" : "";
    if (exp10 < -4 || exp10 >= 16) {
        snprintf(out, 40, "%s%c%s%s%se%c%02d", sign, digits[0], nd > 1 ? "." : "",
                 nd > 1 ? digits + 1 : "", "", exp10 < 0 ? '-' : '+', abs(exp10));
    } else if (exp10 < 0) {
        snprintf(out, 40, "%s0.%0*d%s", sign, -exp10 - 1, 0, digits);
        if (-exp10 - 1 == 0) /* "%0*d" with width 0 still prints one zero */
            snprintf(out, 40, "%s0.%s", sign, digits);
    } else if ((size_t)exp10 + 1 >= nd) {
        snprintf(out, 40, "%s%s%0*d.0", sign, digits, (int)((size_t)exp10 + 1 - nd), 0);
        if ((size_t)exp10 + 1 == nd)
            snprintf(out, 40, "%s%s.0", sign, digits);
    } else {
        snprintf(out, 40, "%s%.*s.%s", sign, exp10 + 1, digits, digits + exp10 + 1);
    }
}

void md_fmt_edge(double v, int digits, bool fixed, char out[40])
{
    if (!isfinite(v)) {
        snprintf(out, 40, "%s", isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
        return;
    }
    bool whole = v == floor(v);
    for (int d = digits; d <= 17; d++) {
        snprintf(out, 40, fixed ? "%.*f" : "%.*g", d, v);
        double back = strtod(out, NULL);
        if (whole || back != floor(back))
            return;
    }
    /* 17 decimals still show zero: a value that small needs an exponent */
    snprintf(out, 40, "%.*g", digits > 0 ? digits : 1, v);
}
