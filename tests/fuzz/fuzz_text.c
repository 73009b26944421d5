/* Fuzz target: text that crosses a trust boundary (core/text.h), DESIGN principle 7.
 *
 * md_utf8_valid must agree with the RFC 3629 validator written here. What the sanitizers
 * return must be valid UTF-8 holding no C0 control and no DEL (md_text_sanitize_lines: no
 * line feed excepted), no C1 control, no bidi control or mark and no byte order mark, so that
 * nothing from data can move the cursor, recolour the screen or reorder the text around it;
 * and text with none of those must come back unchanged. md_utf8_repair must return valid
 * UTF-8, and valid input unchanged. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_file.h"
#include "text.h"

/* The code point at s (valid UTF-8), and its length. */
static unsigned decode(const unsigned char *s, size_t *len)
{
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    if (s[0] < 0xE0) {
        *len = 2;
        return (s[0] & 0x1Fu) << 6 | (s[1] & 0x3Fu);
    }
    if (s[0] < 0xF0) {
        *len = 3;
        return (s[0] & 0x0Fu) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu);
    }
    *len = 4;
    return (s[0] & 0x07u) << 18 | (s[1] & 0x3Fu) << 12 | (s[2] & 0x3Fu) << 6 | (s[3] & 0x3Fu);
}

/* Code points that must not reach the terminal (lines: a line feed may). */
static bool unsafe(unsigned cp, bool lines)
{
    if (cp == '\n' && lines)
        return false;
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
           cp == 0x200F || cp == 0xFEFF;
}

/* Whether s (valid UTF-8) holds an unsafe code point. */
static bool has_unsafe(const char *s, bool lines)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t len; *p; p += len)
        if (unsafe(decode(p, &len), lines))
            return true;
    return false;
}

static void check_safe(const char *what, const char *in, char *out, bool lines)
{
    if (!out)
        md_fuzz_fail("%s returned NULL", what);
    size_t n = strlen(out);
    if (!md_fuzz_utf8_ok((const unsigned char *)out, n))
        md_fuzz_fail("%s returned invalid UTF-8", what);
    if (has_unsafe(out, lines))
        md_fuzz_fail("%s let a control through: '%s'", what, out);
    bool in_ok = md_fuzz_utf8_ok((const unsigned char *)in, strlen(in));
    if (in_ok && !has_unsafe(in, lines) && strcmp(in, out) != 0)
        md_fuzz_fail("%s changed safe text '%s' into '%s'", what, in, out);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    bool want = md_fuzz_utf8_ok(data, size) != 0;
    if (md_utf8_valid((const char *)data, size) != want)
        md_fuzz_fail("md_utf8_valid says %s, RFC 3629 %s", want ? "invalid" : "valid",
                     want ? "valid" : "invalid");

    char *s = malloc(size + 1); /* the sanitizers take C strings: up to the first NUL byte */
    memcpy(s, data, size);
    s[size] = '\0';
    check_safe("md_text_sanitize", s, md_text_sanitize(s), false);
    check_safe("md_text_sanitize_value", s, md_text_sanitize_value(s), false);
    check_safe("md_text_sanitize_lines", s, md_text_sanitize_lines(s), true);

    char *r = md_utf8_repair(s);
    size_t n = strlen(r);
    if (!md_fuzz_utf8_ok((const unsigned char *)r, n))
        md_fuzz_fail("md_utf8_repair returned invalid UTF-8");
    if (md_fuzz_utf8_ok((const unsigned char *)s, strlen(s)) && strcmp(r, s) != 0)
        md_fuzz_fail("md_utf8_repair changed valid text");
    free(r);
    free(s);
    return 0;
}
