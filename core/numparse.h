/* Numbers in data files: one grammar, parsed fast and correctly rounded.
 *
 * Why: an ingest parses tens of millions of numbers; strtod alone would dominate the pass. The
 * common case (up to 19 significant digits, exponent within ±22) is computed exactly with one
 * multiplication or division of exactly representable values (Clinger's fast path); everything
 * else goes to strtod. The grammar is docs/METRICS.md's: [+-]?(d+.?d*|.d+)([eE][+-]?d+)? and a
 * finite value. */
#ifndef MD_NUMPARSE_H
#define MD_NUMPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__) && defined(__x86_64__)
#define MD_PARSE_WINDOW 1
#include <emmintrin.h>
#endif

/* True (and *out) when s[0..n) is a finite number in the grammar above. */
bool md_parse_number(const char *s, size_t n, double *out);

/* The same, faster, for text with at least 16 readable bytes after it and before its end (it
 * lies in the reader's buffer, which has that much padding on both sides). The common shape
 * is parsed inline (md_parse_window); the rest by md_parse_number_padded_slow. */
static inline bool md_parse_number_padded(const char *s, size_t n, double *out);
bool md_parse_number_padded_slow(const char *s, size_t n, double *out);

extern const double md_pow10_exact[23]; /* 1e0 .. 1e22, each exact */

#ifdef MD_PARSE_WINDOW
extern const unsigned char md_tail_ones[32]; /* 16 zeros, then 16 0xFF */

/* The value of 8 digit values (0..9), the first in the lowest byte. */
static inline __attribute__((always_inline)) uint64_t md_eight_digits(uint64_t x)
{
    x = (x * 2561) >> 8;
    x = ((x & 0x00FF00FF00FF00FFULL) * 6553601) >> 16;
    return ((x & 0x0000FFFF0000FFFFULL) * 42949672960001ULL) >> 32;
}

/* [-+]?digits with at most one '.', no exponent, m bytes without the sign: the 8 or 16 bytes
 * that end with the text (16 readable bytes before its end are needed) are classified at once,
 * the dot is squeezed out and the digits are summed eight at a time, without a branch on their
 * shape. At most 15 digits stay below 2^53, so one correctly rounded division by an exact power
 * of ten gives the correctly rounded value. */

/* m <= 8 (the common case), in one 8-byte word. */
static inline __attribute__((always_inline)) bool md_parse_window8(const char *s, size_t n,
                                                                   size_t m, double *out)
{
    __m128i v = _mm_loadl_epi64((const __m128i *)(const void *)(s + n - 8));
    __m128i keep = _mm_loadl_epi64((const __m128i *)(const void *)(md_tail_ones + 8 + m));
    __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
    __m128i digit = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
    unsigned km = (unsigned)_mm_movemask_epi8(keep);
    unsigned dm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.'))) & km;
    unsigned gm = (unsigned)_mm_movemask_epi8(digit) & km;
    if ((gm | dm) != km || (dm & (dm - 1)) || gm == 0)
        return false;
    /* the text's digits' values; 0 elsewhere */
    uint64_t x = (uint64_t)_mm_cvtsi128_si64(_mm_and_si128(d, _mm_and_si128(digit, keep)));
    unsigned frac = dm ? 7 - (unsigned)__builtin_ctz(dm) : 0; /* digits after the dot */
    if (dm) { /* everything before the dot up one byte, over it */
        uint64_t top = frac ? ~0ULL << (8 * (8 - frac)) : 0;
        x = (x & top) | ((x << 8) & ~top);
    }
    double val = (double)md_eight_digits(x);
    val = frac ? val / md_pow10_exact[frac] : val;
    *out = s[0] == '-' ? -val : val;
    return true;
}

/* 8 < m <= 16, in one 16-byte block. */
static inline __attribute__((always_inline)) bool md_parse_window16(const char *s, size_t n,
                                                                    size_t m, double *out)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + n - 16));
    __m128i keep = _mm_loadu_si128((const __m128i *)(const void *)(md_tail_ones + m));
    __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
    __m128i digit = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
    unsigned km = (unsigned)_mm_movemask_epi8(keep);
    unsigned dm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.'))) & km;
    unsigned gm = (unsigned)_mm_movemask_epi8(digit) & km;
    if ((gm | dm) != km || (dm & (dm - 1)) || gm == 0 || m - (dm != 0) > 15)
        return false;
    d = _mm_and_si128(d, _mm_and_si128(digit, keep)); /* the digits' values; 0 elsewhere */
    uint64_t lo = (uint64_t)_mm_cvtsi128_si64(d),
             hi = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(d, d));
    unsigned frac = dm ? 15 - (unsigned)__builtin_ctz(dm) : 0; /* digits after the dot */
    if (dm) { /* move everything before the dot up one byte, over it */
        unsigned __int128 x = ((unsigned __int128)hi << 64) | lo, top = 0;
        if (frac)
            top = ~(unsigned __int128)0 << (8 * (16 - frac));
        x = (x & top) | ((x << 8) & ~top);
        lo = (uint64_t)x;
        hi = (uint64_t)(x >> 64);
    }
    uint64_t mant = md_eight_digits(lo) * 100000000 + md_eight_digits(hi);
    double val = frac ? (double)mant / md_pow10_exact[frac] : (double)mant;
    *out = s[0] == '-' ? -val : val;
    return true;
}

/* 1 to 8 decimal digits and nothing else (no sign, no dot), as their value: a whole number a
 * caller may take without a double (8 readable bytes before the text's end are needed). */
static inline __attribute__((always_inline)) bool md_parse_digits8(const char *s, size_t n,
                                                                   uint64_t *out)
{
    if (n - 1 >= 8)
        return false;
    __m128i v = _mm_loadl_epi64((const __m128i *)(const void *)(s + n - 8));
    __m128i keep = _mm_loadl_epi64((const __m128i *)(const void *)(md_tail_ones + 8 + n));
    __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
    __m128i digit = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
    unsigned km = (unsigned)_mm_movemask_epi8(keep);
    if (((unsigned)_mm_movemask_epi8(digit) & km) != km)
        return false;
    *out = md_eight_digits((uint64_t)_mm_cvtsi128_si64(_mm_and_si128(d, keep)));
    return true;
}

static inline __attribute__((always_inline)) bool md_parse_window(const char *s, size_t n,
                                                                  double *out)
{
    size_t sign = s[0] == '-' || s[0] == '+', m = n - sign;
    if (m - 1 < 8)
        return md_parse_window8(s, n, m, out);
    return m - 1 < 16 && md_parse_window16(s, n, m, out); /* m == 0 wraps around: no */
}
#else
/* 1 to 8 decimal digits and nothing else (no sign, no dot), as their value. */
static inline bool md_parse_digits8(const char *s, size_t n, uint64_t *out)
{
    if (n - 1 >= 8)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned char)s[i] - (unsigned)'0';
        if (d > 9)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}
#endif

static inline bool md_parse_number_padded(const char *s, size_t n, double *out)
{
#ifdef MD_PARSE_WINDOW
    if (md_parse_window(s, n, out))
        return true;
#endif
    return md_parse_number_padded_slow(s, n, out);
}

/* The significant digits of the shortest decimal that reads back as v (1 to 17): what
 * Python's repr(float) writes, found with at most three printf round trips for a normal
 * double instead of one per length. */
int md_repr_digits(double v);

/* Writes v as Python's repr(float) does ("1.0", "1e+16", "2.5e-05", "0.1"). */
void md_fmt_pyrepr(double v, char out[40]);

/* Writes v rounded for a table: `digits` decimals when `fixed` ("%.4f"), else `digits`
 * significant ones ("%.3g"), and as many more as it takes not to show a whole number v is not.
 * Why: a score range's edges must not read as the values they are not: an upper edge of 0.9996
 * is not 1, a lower edge of 3e-05 is not 0.0000. Non-finite values print as "nan", "inf". */
void md_fmt_edge(double v, int digits, bool fixed, char out[40]);

#endif
