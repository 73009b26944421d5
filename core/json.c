#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "numparse.h"
#include "text.h"

void md_fmt_double(double v, char out[32])
{
    if (!isfinite(v)) {
        snprintf(out, 32, "%s", isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
        return;
    }
    int prec = md_repr_digits(v);
    /* As Python's repr: the shortest digits that read back the same, positional when the
     * exponent is in [-4, 16) (2700.0, 0.00123), scientific otherwise (1e-05, 1.5e+16); a
     * whole number keeps ".0" so it reads back as a real. */
    snprintf(out, 32, "%.*e", prec - 1, v);
    int exp10 = atoi(strchr(out, 'e') + 1);
    if (exp10 < -4 || exp10 >= 16)
        return;
    int decimals = prec - 1 - exp10;
    snprintf(out, 32, "%.*f", decimals > 0 ? decimals : 0, v);
    if (decimals <= 0)
        strcat(out, ".0");
}

/* A growing output buffer. */
typedef struct {
    char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    b->p = md_xgrow(b->p, &b->cap, b->n + n + 1, 1);
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void puts_(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void put_string(buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    put(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(b, s + run, i - run);
        run = i + 1;
        char esc[7] = {'\\', (char)c, 0};
        switch (c) {
        case '"': case '\\': break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
        }
        puts_(b, esc);
    }
    put(b, s + run, n - run);
    put(b, "\"", 1);
}

static void newline(buf *b, int flags, int depth)
{
    if (flags & MD_JSON_COMPACT)
        return;
    put(b, "\n", 1);
    for (int i = 0; i < depth; i++)
        put(b, "  ", 2);
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void dump(buf *b, const json_t *v, int flags, int depth);

static void dump_object(buf *b, const json_t *v, int flags, int depth)
{
    size_t n = json_object_size(v), i = 0;
    const char **keys = md_xcalloc(n ? n : 1, sizeof *keys);
    const char *k;
    json_t *val;
    json_object_foreach((json_t *)v, k, val) keys[i++] = k;
    if (flags & MD_JSON_SORT_KEYS)
        qsort(keys, n, sizeof *keys, cmp_keys);
    put(b, "{", 1);
    for (i = 0; i < n; i++) {
        if (i)
            put(b, ",", 1);
        newline(b, flags, depth + 1);
        put_string(b, keys[i], strlen(keys[i]));
        puts_(b, (flags & MD_JSON_COMPACT) ? ":" : ": ");
        dump(b, json_object_get(v, keys[i]), flags, depth + 1);
    }
    if (n)
        newline(b, flags, depth);
    put(b, "}", 1);
    free(keys);
}

static void dump_array(buf *b, const json_t *v, int flags, int depth)
{
    size_t n = json_array_size(v);
    put(b, "[", 1);
    for (size_t i = 0; i < n; i++) {
        if (i)
            put(b, ",", 1);
        newline(b, flags, depth + 1);
        dump(b, json_array_get(v, i), flags, depth + 1);
    }
    if (n)
        newline(b, flags, depth);
    put(b, "]", 1);
}

static void dump(buf *b, const json_t *v, int flags, int depth)
{
    char num[32];
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        dump_object(b, v, flags, depth);
        break;
    case JSON_ARRAY:
        dump_array(b, v, flags, depth);
        break;
    case JSON_STRING:
        put_string(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        puts_(b, num);
        break;
    case JSON_REAL:
        if (!isfinite(json_real_value(v))) {
            puts_(b, "null");
            break;
        }
        md_fmt_double(json_real_value(v), num);
        puts_(b, num);
        break;
    case JSON_TRUE:
        puts_(b, "true");
        break;
    case JSON_FALSE:
        puts_(b, "false");
        break;
    default:
        puts_(b, "null");
    }
}

char *md_json_dump(const json_t *v, int flags)
{
    buf b = {0};
    if (v)
        dump(&b, v, flags, 0);
    else
        puts_(&b, "null");
    return b.p;
}

char *md_json_canonical(const json_t *v)
{
    return md_json_dump(v, MD_JSON_COMPACT | MD_JSON_SORT_KEYS);
}

md_status md_json_canonical_object(const char *text, const char *what, char **out, md_err *err)
{
    json_error_t je;
    json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!v)
        return md_err_set(err, MD_INVALID, "%s: invalid JSON at line %d column %d: %s", what,
                          je.line, je.column, je.text);
    if (!json_is_object(v)) {
        json_decref(v);
        return md_err_set(err, MD_INVALID, "%s: expected a JSON object such as {\"depth\": 6}",
                          what);
    }
    *out = md_json_canonical(v);
    json_decref(v);
    return MD_OK;
}

const char *md_json_text(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

int64_t md_json_int(const json_t *o, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(o, key));
}

json_t *md_json_str_or_null(const char *s)
{
    if (!s)
        return json_null();
    json_t *v = json_string(s);
    if (v)
        return v;
    char *fixed = md_utf8_repair(s); /* never drop a field over one bad byte */
    v = json_string(fixed);
    free(fixed);
    return v ? v : json_null();
}

json_t *md_json_int_or_null(int present, int64_t v)
{
    return present ? json_integer(v) : json_null();
}

json_t *md_json_load_or_string(const char *text)
{
    if (!text)
        return json_null();
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    return v ? v : json_string(text);
}

md_status md_json_load_path(const char *path, json_t **out, md_err *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return md_err_set(err, MD_ERROR, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return md_err_set(err, MD_ERROR, "%s is not a regular file", path);
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        return md_err_set(err, MD_ERROR, "cannot read %s: %s", path, strerror(errno));
    }
    /* a UTF-8 byte order mark (Windows editors write one) is no part of the JSON */
    unsigned char bom[3];
    if (fread(bom, 1, 3, f) != 3 || memcmp(bom, "\xEF\xBB\xBF", 3) != 0)
        rewind(f);
    json_error_t je;
    *out = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        json_decref(*out);
        *out = NULL;
        return md_err_set(err, MD_ERROR, "cannot read %s", path);
    }
    if (!*out)
        return md_err_set(err, MD_INVALID, "%s:%d: invalid JSON at column %d: %s", path, je.line,
                          je.column, je.text);
    return MD_OK;
}
