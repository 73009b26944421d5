/* Fuzz target: the CSV reader (core/reader.c), against a reference written here.
 *
 * The reference is a plain RFC 4180 state machine over the whole input. Where it finds the
 * input clean (a UTF-8 BOM at most at the start; valid UTF-8 without control characters but
 * tab and line ends; LF or CRLF line ends; quotes only around whole fields, doubled inside; a
 * header of distinct non-empty names; every record as many fields as the header; blank lines
 * skipped), the reader must give exactly its records, and the same again when the file is
 * read as two ranges split at a line boundary, as the two-thread pass reads it. On any input
 * the reader must not fail the sanitizers, every field it hands out must be valid UTF-8
 * without a NUL byte, and every error must name the file (and a record's, its line). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_file.h"
#include "reader.h"

#define MAX_FIELDS 4096

typedef struct {
    char **text; /* each field's text, unescaped */
    size_t *len;
    size_t *count; /* fields of each record */
    size_t nrec, nfield, cap_f, cap_r;
    bool quoted_newline; /* a quoted field holds a CR or LF: a line split may fall inside it */
} ref_csv;

static void ref_add_field(ref_csv *c, const char *p, size_t n)
{
    if (c->nfield == c->cap_f) {
        c->cap_f = c->cap_f ? 2 * c->cap_f : 64;
        c->text = realloc(c->text, c->cap_f * sizeof *c->text);
        c->len = realloc(c->len, c->cap_f * sizeof *c->len);
    }
    c->text[c->nfield] = malloc(n + 1);
    memcpy(c->text[c->nfield], p, n);
    c->len[c->nfield++] = n;
}

static void ref_end_record(ref_csv *c, size_t fields)
{
    if (c->nrec == c->cap_r) {
        c->cap_r = c->cap_r ? 2 * c->cap_r : 64;
        c->count = realloc(c->count, c->cap_r * sizeof *c->count);
    }
    c->count[c->nrec++] = fields;
}

static void ref_free(ref_csv *c)
{
    for (size_t i = 0; i < c->nfield; i++)
        free(c->text[i]);
    free(c->text);
    free(c->len);
    free(c->count);
}

/* Parses s[0..n) into c; false when the input is not clean (see the top). */
static bool ref_parse(const unsigned char *s, size_t n, ref_csv *c)
{
    size_t i = 0;
    if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        i = 3;
    if (!md_fuzz_utf8_ok(s + i, n - i))
        return false;
    for (size_t k = i; k < n; k++) /* controls: binary files (a compressed one, say) */
        if (s[k] < 0x20 && s[k] != '\t' && s[k] != '\n' && s[k] != '\r')
            return false;
    char *buf = malloc(n + 1);
    while (i < n) {
        /* a blank line */
        if (s[i] == '\n') {
            i++;
            continue;
        }
        if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
            i += 2;
            continue;
        }
        size_t fields = 0;
        for (;;) { /* one field */
            size_t m = 0;
            if (i < n && s[i] == '"') {
                for (i++;; i++) {
                    if (i >= n) {
                        free(buf);
                        return false; /* unterminated */
                    }
                    if (s[i] == '"') {
                        if (i + 1 < n && s[i + 1] == '"') {
                            buf[m++] = '"';
                            i++;
                            continue;
                        }
                        i++;
                        break;
                    }
                    c->quoted_newline |= s[i] == '\n' || s[i] == '\r';
                    buf[m++] = (char)s[i];
                }
            } else {
                while (i < n && s[i] != ',' && s[i] != '\n' && s[i] != '\r') {
                    if (s[i] == '"') {
                        free(buf);
                        return false; /* a quote inside an unquoted field */
                    }
                    buf[m++] = (char)s[i++];
                }
            }
            ref_add_field(c, buf, m);
            fields++;
            if (i < n && s[i] == ',') {
                i++;
                continue;
            }
            if (i >= n)
                break;
            if (s[i] == '\n') {
                i++;
                break;
            }
            if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
                i += 2;
                break;
            }
            free(buf);
            return false; /* a lone CR, or text after a closing quote */
        }
        ref_end_record(c, fields);
    }
    free(buf);
    return true;
}

/* The header's names are distinct and not empty. */
static bool ref_header_ok(const ref_csv *c)
{
    if (c->nrec == 0)
        return false;
    for (size_t a = 0; a < c->count[0]; a++) {
        if (c->len[a] == 0)
            return false;
        for (size_t b = 0; b < a; b++)
            if (c->len[a] == c->len[b] && memcmp(c->text[a], c->text[b], c->len[a]) == 0)
                return false;
    }
    return true;
}

/* An error names the file first; a record's error (`record`) names its line too. */
static void check_error(const md_err *err, const char *path, bool record)
{
    size_t n = strlen(path);
    if (strncmp(err->msg, path, n) != 0 || (err->msg[n] != ':' && err->msg[n] != ' '))
        md_fuzz_fail("error does not start with the file's name: %s", err->msg);
    if (record && (err->msg[n] != ':' || err->msg[n + 1] < '1' || err->msg[n + 1] > '9'))
        md_fuzz_fail("a record's error names no line: %s", err->msg);
}

static void check_fields(const md_field *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (f[i].kind != MD_F_TEXT)
            md_fuzz_fail("CSV field %zu is not text", i);
        if (f[i].n &&
            (!md_fuzz_utf8_ok((const unsigned char *)f[i].p, f[i].n) || memchr(f[i].p, 0, f[i].n)))
            md_fuzz_fail("field %zu handed out with invalid UTF-8 or a NUL byte", i);
    }
}

/* Reads records from r, checking each against the reference from record *at on (when ref). */
static void read_all(md_reader *r, const char *path, const ref_csv *ref, size_t *at, size_t *off)
{
    size_t ncols = md_reader_ncols(r);
    for (int guard = 0; guard < 100000; guard++) {
        const md_field *f;
        bool done = false;
        md_err err = {0};
        if (md_reader_next(r, &f, &done, &err) != MD_OK) {
            check_error(&err, path, true);
            if (ref)
                md_fuzz_fail("clean input, record %zu refused: %s", *at, err.msg);
            if (!md_reader_skippable(r))
                return;
            continue;
        }
        if (done)
            return;
        check_fields(f, ncols);
        if (!ref)
            continue;
        if (*at >= ref->nrec)
            md_fuzz_fail("the reader gives more records than the %zu there are", ref->nrec - 1);
        if (ref->count[*at] != ncols)
            md_fuzz_fail("clean input, record %zu has %zu fields, header %zu", *at, ref->count[*at],
                         ncols);
        for (size_t i = 0; i < ncols; i++)
            if (f[i].n != ref->len[*off + i] || memcmp(f[i].p, ref->text[*off + i], f[i].n) != 0)
                md_fuzz_fail("record %zu field %zu: '%.*s', expected '%.*s'", *at, i, (int)f[i].n,
                             f[i].p, (int)ref->len[*off + i], ref->text[*off + i]);
        *off += ncols;
        ++*at;
    }
    md_fuzz_fail("the reader does not come to an end");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ref_csv ref = {0};
    bool clean = ref_parse(data, size, &ref) && ref.nfield <= MAX_FIELDS;
    bool header_ok = clean && ref_header_ok(&ref);
    for (size_t k = 1; header_ok && k < ref.nrec; k++)
        clean &= ref.count[k] == ref.count[0];
    const char *path = md_fuzz_file(".csv", data, size);

    md_reader *r = NULL;
    md_err err = {0};
    if (md_reader_open(path, MD_FMT_CSV, &r, &err) != MD_OK) {
        check_error(&err, path, false);
        if (header_ok)
            md_fuzz_fail("clean header refused: %s", err.msg);
        ref_free(&ref);
        return 0;
    }
    if (clean && !header_ok)
        md_fuzz_fail("a header the reference refuses was accepted");
    const ref_csv *want = clean ? &ref : NULL;
    if (want) { /* the columns, in order */
        if (md_reader_ncols(r) != ref.count[0])
            md_fuzz_fail("%zu columns, expected %zu", md_reader_ncols(r), ref.count[0]);
        for (size_t i = 0; i < ref.count[0]; i++)
            if (strlen(md_reader_col(r, i)) != ref.len[i] ||
                memcmp(md_reader_col(r, i), ref.text[i], ref.len[i]) != 0)
                md_fuzz_fail("column %zu named '%s', expected '%.*s'", i, md_reader_col(r, i),
                             (int)ref.len[i], ref.text[i]);
    }
    size_t at = 1, off = clean ? ref.count[0] : 0;
    read_all(r, path, want, &at, &off);
    if (want && at != ref.nrec)
        md_fuzz_fail("the reader gives %zu records, expected %zu", at - 1, ref.nrec - 1);
    md_reader_close(r);

    /* two ranges, split at the line boundary past the middle of the data */
    if (want && !ref.quoted_newline && md_reader_open(path, MD_FMT_CSV, &r, &err) == MD_OK) {
        size_t start = md_reader_data_start(r), end = md_reader_size(r);
        size_t split = md_reader_boundary(r, start + (end - start) / 2);
        md_reader *r2 = NULL;
        if (split > start && split < end &&
            md_reader_open_range(r, split, end, &r2, &err) == MD_OK) {
            md_reader_set_limit(r, split);
            at = 1, off = ref.count[0];
            read_all(r, path, want, &at, &off);
            read_all(r2, path, want, &at, &off);
            if (at != ref.nrec)
                md_fuzz_fail("read in two ranges split at %zu: %zu records, expected %zu", split,
                             at - 1, ref.nrec - 1);
        }
        md_reader_close(r2);
        md_reader_close(r);
    }
    ref_free(&ref);
    return 0;
}
