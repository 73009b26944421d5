/* Fuzz target: the JSON Lines reader (core/jsonl.c), checked record by record against jansson
 * reading the same line on its own.
 *
 * For each record the reader hands out, the line it came from is parsed here with
 * json_loadb: it must be a JSON object, and each of the reader's columns must hold what the
 * object has under that key (absent, null, a boolean, a number with its value, a string with
 * its bytes; arrays and objects as some text). Records the reader refuses must be lines that
 * are not a JSON object of that kind or not valid UTF-8, and every error must name the file
 * and the line. A number beyond a double's range (1e400), which jansson refuses, is read as
 * its text: here such a literal is made a JSON string before jansson reads the line. */
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_file.h"
#include "reader.h"

/* The start of line `line` (1-based) of data, and its length without the line end. */
static bool line_at(const uint8_t *data, size_t size, uint64_t line, const char **p, size_t *n)
{
    size_t i = 0;
    for (uint64_t l = 1; l < line; l++) {
        const uint8_t *nl = memchr(data + i, '\n', size - i);
        if (!nl)
            return false;
        i = (size_t)(nl - data) + 1;
    }
    const uint8_t *nl = memchr(data + i, '\n', size - i);
    *p = (const char *)data + i;
    *n = (nl ? (size_t)(nl - data) : size) - i;
    if (*n && (*p)[*n - 1] == '\r')
        (*n)--;
    if (line == 1 && *n >= 3 && memcmp(*p, "\xEF\xBB\xBF", 3) == 0) /* a byte order mark */
        *p += 3, *n -= 3;
    return true;
}

/* The line with each number literal that is infinite as a double made a string of its text;
 * NULL when it has none. Strings are stepped over by their quotes and escapes. */
static char *quote_huge(const char *p, size_t n, size_t *out_n)
{
    char *o = malloc(n * 3 + 1);
    size_t k = 0;
    bool any = false;
    for (size_t i = 0; i < n;) {
        if (p[i] == '"') { /* a string, copied whole */
            size_t j = i + 1;
            while (j < n && p[j] != '"')
                j += p[j] == '\\' ? 2 : 1;
            j = j < n ? j + 1 : n;
            memcpy(o + k, p + i, j - i);
            k += j - i, i = j;
            continue;
        }
        size_t j = i;
        while (j < n && strchr("0123456789+-.eE", p[j]))
            j++;
        if (j > i && (p[i] == '-' || (p[i] >= '0' && p[i] <= '9'))) {
            char *tok = malloc(j - i + 1);
            memcpy(tok, p + i, j - i);
            tok[j - i] = '\0';
            bool huge = isinf(strtod(tok, NULL));
            free(tok);
            if (huge) {
                o[k++] = '"';
                memcpy(o + k, p + i, j - i);
                k += j - i;
                o[k++] = '"';
                i = j, any = true;
                continue;
            }
        }
        if (j == i)
            j++;
        memcpy(o + k, p + i, j - i);
        k += j - i, i = j;
    }
    if (!any) {
        free(o);
        return NULL;
    }
    *out_n = k;
    return o;
}

static void check_field(const md_field *f, json_t *v, const char *key, uint64_t line)
{
    switch (f->kind) {
    case MD_F_ABSENT:
        if (v)
            md_fuzz_fail("line %llu: key '%s' is there, read as absent", (unsigned long long)line,
                         key);
        return;
    case MD_F_NULL:
        if (!json_is_null(v))
            md_fuzz_fail("line %llu: key '%s' read as null", (unsigned long long)line, key);
        return;
    case MD_F_BOOL:
        if (!json_is_boolean(v) || f->num != (json_is_true(v) ? 1 : 0))
            md_fuzz_fail("line %llu: key '%s' read as a boolean", (unsigned long long)line, key);
        return;
    case MD_F_NUMBER: {
        if (!json_is_number(v))
            md_fuzz_fail("line %llu: key '%s' read as a number", (unsigned long long)line, key);
        double want = json_number_value(v);
        if (f->num != want)
            md_fuzz_fail("line %llu: key '%s' read as %.17g, jansson %.17g",
                         (unsigned long long)line, key, f->num, want);
        if (!isfinite(f->num))
            md_fuzz_fail("line %llu: key '%s' read as a number that is not finite",
                         (unsigned long long)line, key);
        return;
    }
    case MD_F_TEXT:
        if (json_is_number(v)) { /* an integer past 64 bits, kept as its digits */
            char digits[512];
            bool ok = f->n > 0 && f->n < sizeof digits;
            for (size_t i = 0; ok && i < f->n; i++)
                ok = (f->p[i] >= '0' && f->p[i] <= '9') || (i == 0 && f->p[i] == '-');
            if (ok) {
                memcpy(digits, f->p, f->n);
                digits[f->n] = '\0';
                ok = strtod(digits, NULL) == json_number_value(v);
            }
            if (!ok)
                md_fuzz_fail("line %llu: key '%s', a number, read as the text '%.*s'",
                             (unsigned long long)line, key, (int)f->n, f->p);
            return;
        }
        if (!json_is_string(v) || json_string_length(v) != f->n ||
            memcmp(json_string_value(v), f->p, f->n) != 0)
            md_fuzz_fail("line %llu: key '%s' read as the text '%.*s'", (unsigned long long)line,
                         key, (int)f->n, f->p);
        return;
    case MD_F_OTHER:
        if (!json_is_array(v) && !json_is_object(v))
            md_fuzz_fail("line %llu: key '%s' read as an array or object", (unsigned long long)line,
                         key);
        return;
    }
    md_fuzz_fail("line %llu: key '%s' of an unknown kind %d", (unsigned long long)line, key,
                 (int)f->kind);
}

static void check_error(const md_err *err, const char *path)
{
    size_t n = strlen(path);
    if (strncmp(err->msg, path, n) != 0 || (err->msg[n] != ':' && err->msg[n] != ' '))
        md_fuzz_fail("error does not start with the file's name: %s", err->msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = md_fuzz_file(".jsonl", data, size);
    md_reader *r = NULL;
    md_err err = {0};
    if (md_reader_open(path, MD_FMT_JSONL, &r, &err) != MD_OK) {
        check_error(&err, path);
        return 0;
    }
    for (int guard = 0;; guard++) {
        if (guard > 100000)
            md_fuzz_fail("the reader does not come to an end");
        const md_field *f;
        bool done = false;
        if (md_reader_next(r, &f, &done, &err) != MD_OK) {
            check_error(&err, path);
            if (err.msg[strlen(path)] != ':')
                md_fuzz_fail("a record's error names no line: %s", err.msg);
            if (!md_reader_skippable(r))
                break;
            continue;
        }
        if (done)
            break;
        uint64_t line = md_reader_line(r);
        const char *p;
        size_t n;
        if (!line_at(data, size, line, &p, &n))
            md_fuzz_fail("a record on line %llu, past the end", (unsigned long long)line);
        json_error_t jerr;
        /* integers as doubles: the reader keeps those past 64 bits too */
        json_t *obj = json_loadb(p, n, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &jerr);
        size_t qn;
        char *quoted = obj ? NULL : quote_huge(p, n, &qn);
        if (quoted) { /* read as the reader reads it: 1e400 as its text */
            obj = json_loadb(quoted, qn, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &jerr);
            free(quoted);
        }
        if (!json_is_object(obj))
            md_fuzz_fail("line %llu read, but jansson reads no object there: '%.*s'",
                         (unsigned long long)line, (int)(n > 200 ? 200 : n), p);
        for (size_t c = 0; c < md_reader_ncols(r); c++)
            check_field(&f[c], json_object_get(obj, md_reader_col(r, c)), md_reader_col(r, c),
                        line);
        json_decref(obj);
    }
    md_reader_close(r);
    return 0;
}
