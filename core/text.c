#include "text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

/* Decodes one UTF-8 sequence at s (n bytes available). Returns its length, or 0 if invalid. */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, min = 0x80, c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, min = 0x800, c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

bool md_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t len = utf8_decode(p + i, n - i, &cp);
        if (!len)
            return false;
        i += len;
    }
    return true;
}

/* Codepoints that change how following text is laid out or interpreted. */
static bool is_unsafe_cp(unsigned cp)
{
    return (cp >= 0x80 && cp <= 0x9F) ||    /* C1 controls, CSI among them */
           (cp >= 0x202A && cp <= 0x202E) || /* bidi embeddings and overrides */
           (cp >= 0x2066 && cp <= 0x2069) || /* bidi isolates */
           cp == 0x200E || cp == 0x200F || cp == 0xFEFF;
}

static const char replacement[] = "\xEF\xBF\xBD";

typedef enum { SAN_TEXT, SAN_LINES, SAN_VALUE } san_mode;

static char *sanitize(const char *s, san_mode mode);

char *md_text_sanitize(const char *s)
{
    return sanitize(s, SAN_TEXT);
}

char *md_text_sanitize_value(const char *s)
{
    return sanitize(s, SAN_VALUE);
}

char *md_text_sanitize_lines(const char *s)
{
    return sanitize(s, SAN_LINES);
}

static char *sanitize(const char *s, san_mode mode)
{
    if (!s)
        return md_xstrdup("");
    size_t n = strlen(s);
    char *out = md_xmalloc(n * 3 + 1); /* worst case: every byte becomes U+FFFD */
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t len = utf8_decode(p + i, n - i, &cp);
        if (len == 1 && mode == SAN_LINES && cp == '\n') {
            out[o++] = '\n';
        } else if (len == 1 && mode != SAN_VALUE && (cp == '\t' || cp == '\n' || cp == '\r')) {
            out[o++] = ' ';
        } else if (len == 1 && (cp < 0x20 || cp == 0x7F)) {
            out[o++] = '^';
            out[o++] = (char)(cp ^ 0x40);
        } else if (!len || is_unsafe_cp(cp)) {
            memcpy(out + o, replacement, 3);
            o += 3;
            len = len ? len : 1;
        } else {
            memcpy(out + o, p + i, len);
            o += len;
        }
        i += len;
    }
    out[o] = '\0';
    return out;
}

char *md_utf8_repair(const char *s)
{
    size_t n = strlen(s), o = 0;
    char *out = md_xmalloc(n * 3 + 1);
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t len = utf8_decode(p + i, n - i, &cp);
        if (len) {
            memcpy(out + o, p + i, len);
            o += len;
            i += len;
        } else {
            memcpy(out + o, replacement, 3);
            o += 3;
            i++;
        }
    }
    out[o] = '\0';
    return out;
}

bool md_valid_slug(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64 || !(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(islower(c) || isdigit(c) || c == '_' || c == '-') || c > 0x7F)
            return false;
    }
    return true;
}

bool md_valid_username(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64 || !(isalnum((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c > 0x7F || !(isalnum(c) || c == '_' || c == '.' || c == '-'))
            return false;
    }
    return true;
}

bool md_valid_sha256_hex(const char *s)
{
    if (!s || strlen(s) != 64)
        return false;
    for (size_t i = 0; i < 64; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return true;
}

void md_ascii_lower(char *s)
{
    for (; s && *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

void md_text_span(double seconds, char *out, size_t cap)
{
    long long s = seconds > 0 ? (long long)seconds : 0;
    if (s < 60)
        snprintf(out, cap, "%llds", s);
    else if (s < 3600)
        snprintf(out, cap, "%lldm", s / 60);
    else if (s < 86400)
        snprintf(out, cap, "%lldh %lldm", s / 3600, s % 3600 / 60);
    else
        snprintf(out, cap, "%lldd %lldh", s / 86400, s % 86400 / 3600);
}
