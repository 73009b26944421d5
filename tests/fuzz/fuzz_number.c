/* Fuzz target: numbers in data files (core/numparse.h, core/values.h).
 *
 * The oracle is independent of the parser: a matcher for METRICS.md's grammar,
 * [+-]?(d+.?d*|.d+)([eE][+-]?d+)?, and the C library's strtod for the correctly rounded value.
 * Every entry point must agree with it: text in the grammar whose value is finite is accepted
 * with exactly strtod's value; anything else is refused. The padded entry points read around
 * the text, so the bytes around it are taken from the input too (digits, dots, signs there
 * must not leak into the value). */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "numparse.h"
#include "values.h"

#define MAX_TEXT 600
#define PAD      16

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Whether s[0..n) is in the grammar. */
static bool in_grammar(const char *s, size_t n)
{
    size_t i = 0, before = 0, after = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < n && digit(s[i]))
        i++, before++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && digit(s[i]))
            i++, after++;
    }
    if (before + after == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t exp = 0;
        while (i < n && digit(s[i]))
            i++, exp++;
        if (exp == 0)
            return false;
    }
    return i == n;
}

/* Same value: equal, and for zero the same sign (numpy's float("-0") is -0.0 too). */
static bool same(double a, double b)
{
    return a == b && signbit(a) == signbit(b);
}

static void check(const char *what, const char *s, size_t n, bool ok, double got, bool want_ok,
                  double want)
{
    if (ok != want_ok)
        md_fuzz_fail("%s: '%.*s' %s, expected %s", what, (int)n, s, ok ? "accepted" : "refused",
                     want_ok ? "accepted" : "refused");
    if (ok && !same(got, want))
        md_fuzz_fail("%s: '%.*s' read as %.17g, strtod gives %.17g", what, (int)n, s, got, want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the first byte sets the padding's bytes: the text's own, or digits, or dots */
    if (size < 1 || size > MAX_TEXT + 1)
        return 0;
    unsigned mode = data[0];
    const char *s = (const char *)data + 1;
    size_t n = size - 1;

    char *z = malloc(n + 1);
    memcpy(z, s, n);
    z[n] = '\0';
    bool want_ok = in_grammar(s, n) && memchr(s, '\0', n) == NULL;
    double want = 0;
    if (want_ok) {
        want = strtod(z, NULL);
        want_ok = isfinite(want);
    }
    free(z);

    double got = 0;
    bool ok = md_parse_number(s, n, &got);
    check("md_parse_number", s, n, ok, got, want_ok, want);

    /* the text inside the read buffer: PAD readable bytes on both sides */
    unsigned char *buf = malloc(n + 2 * PAD);
    for (size_t i = 0; i < PAD; i++) {
        unsigned char fill = mode % 4 == 0   ? (unsigned char)'0' + (unsigned char)(i % 10)
                             : mode % 4 == 1 ? (unsigned char)'.'
                             : mode % 4 == 2 ? (n ? (unsigned char)s[i % n] : 'x')
                                             : (unsigned char)(mode + i);
        buf[i] = buf[PAD + n + i] = fill;
    }
    memcpy(buf + PAD, s, n);
    const char *p = (const char *)buf + PAD;
    ok = md_parse_number_padded(p, n, &got);
    check("md_parse_number_padded", p, n, ok, got, want_ok, want);

    md_field f = {MD_F_TEXT, true, p, n, 0};
    ok = md_value_number(&f, &got);
    check("md_value_number (padded)", p, n, ok, got, want_ok, want);
    f.padded = false;
    ok = md_value_number(&f, &got);
    check("md_value_number", p, n, ok, got, want_ok, want);
    free(buf);
    return 0;
}
