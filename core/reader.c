#include "reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "mem.h"
#include "numparse.h"
#include "reader_int.h"
#include "text.h"

#define READ_BUF (4u << 20) /* holds at least one whole record (<= 1 MiB) past any position */
/* The common CSV record is short: the fast path keeps only this much ahead of it, and reads the
 * next part of the file when less than AHEAD_MIN is left, so the bytes it cuts were copied in
 * a moment before and are still in the core's cache. */
#define AHEAD     (256u << 10)
#define AHEAD_MIN (32u << 10)

md_status md_format_parse(const char *text, md_format *out, md_err *err)
{
    if (!text || strcmp(text, "auto") == 0)
        *out = MD_FMT_AUTO;
    else if (strcmp(text, "csv") == 0)
        *out = MD_FMT_CSV;
    else if (strcmp(text, "jsonl") == 0)
        *out = MD_FMT_JSONL;
    else
        return md_err_set(err, MD_INVALID, "--format: '%s' is not csv or jsonl", text);
    return MD_OK;
}

/* .jsonl, .ndjson and .json in any case (ROWS.JSONL from a Windows share, too). */
static md_format by_extension(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && (strcasecmp(dot, ".jsonl") == 0 || strcasecmp(dot, ".ndjson") == 0 ||
                strcasecmp(dot, ".json") == 0))
        return MD_FMT_JSONL;
    return MD_FMT_CSV;
}

size_t md_reader_ncols(const md_reader *r)
{
    return md_strmap_size(&r->cols);
}

const char *md_reader_col(const md_reader *r, size_t i)
{
    return md_strmap_key(&r->cols, i);
}

int64_t md_reader_find(const md_reader *r, const char *name)
{
    return md_strmap_find(&r->cols, name, strlen(name));
}

md_format md_reader_format(const md_reader *r)
{
    return r->fmt;
}

const char *md_reader_path(const md_reader *r)
{
    return r->path;
}

uint64_t md_reader_line(const md_reader *r)
{
    return r->record_line;
}

size_t md_reader_offset(const md_reader *r)
{
    return r->off + r->pos;
}

size_t md_reader_size(const md_reader *r)
{
    return r->file_size;
}

/* When fewer than `need` bytes are left past pos, moves them to the front and reads until the
 * buffer holds `upto` bytes or the range ends. */
static void fill_to(md_reader *r, size_t need, size_t upto)
{
    if (r->eof || r->size - r->pos >= need)
        return;
    memmove(r->base, r->base + r->pos, r->size - r->pos);
    r->off += r->pos;
    r->size -= r->pos;
    r->pos = 0;
    while (r->size < upto) {
        size_t want = upto - r->size, left = r->end - (r->off + r->size);
        ssize_t n = read(r->fd, r->base + r->size, want < left ? want : left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            r->eof = true;
            r->io_error = n < 0;
            struct stat st;
            r->cut = n == 0 && r->off + r->size < r->end; /* e.g. a log rotation's copytruncate */
            if (r->cut)
                r->cut_to = fstat(r->fd, &st) == 0 ? (size_t)st.st_size : r->off + r->size;
            break;
        }
        r->size += (size_t)n;
    }
    r->base[r->size] = '\n'; /* the sentinel that ends every field scan */
}

void md_reader_fill(md_reader *r)
{
    fill_to(r, MD_RECORD_MAX + 2, READ_BUF);
}

static void fill_ahead(md_reader *r)
{
    fill_to(r, AHEAD_MIN, AHEAD);
}

/* ---- errors -------------------------------------------------------------------------------- */

md_status md_reader_fail_at(md_reader *r, md_err *err, uint64_t line, const char *col,
                            const char *fmt, ...)
{
    if (r->cut) /* whatever the record looks like, what went wrong is that the file was cut */
        return md_err_set(err, MD_ERROR,
                          "%s changed while it was read: it had %zu bytes when opened, %zu now",
                          r->path, r->file_size, r->cut_to);
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (col)
        return md_err_set(err, MD_ERROR, "%s:%llu: column %s: %s", r->path,
                          (unsigned long long)line, col, msg);
    return md_err_set(err, MD_ERROR, "%s:%llu: %s", r->path, (unsigned long long)line, msg);
}

/* Moves past the rest of the line at pos (what is left of a bad record), reading on as needed;
 * counted as a line when count_line (JSON Lines counts its lines as it starts them). */
void md_reader_skip_line(md_reader *r, bool count_line)
{
    for (;;) {
        const char *nl = memchr(r->base + r->pos, '\n', r->size - r->pos);
        if (nl) {
            r->pos = (size_t)(nl - r->base) + 1;
            r->line += count_line;
            return;
        }
        r->pos = r->size;
        if (r->eof)
            return;
        md_reader_fill(r);
    }
}

/* A bad record the reader has moved past: the next call reads the one after it. */
static md_status skippable(md_reader *r, md_status rc)
{
    r->skippable = !r->cut; /* a cut file is not a bad row */
    return rc;
}

/* ---- fields ---------------------------------------------------------------------------------- */

/* Bytes that end an unquoted CSV field. The buffer always ends in a '\n' sentinel, so the scan
 * needs no bounds check. */
static const unsigned char field_end[256] = {[','] = 1, ['\n'] = 1, ['\r'] = 1};

const char *md_field_text(const md_field *f, char buf[40], size_t *len)
{
    if (f->kind == MD_F_NUMBER && !f->p) {
        md_fmt_pyrepr(f->num, buf);
        *len = strlen(buf);
        return buf;
    }
    *len = f->n;
    return f->p ? f->p : "";
}

/* ---- CSV ------------------------------------------------------------------------------------- */

static void scratch_put(md_reader *r, const char *p, size_t n)
{
    r->scratch = md_xgrow(r->scratch, &r->scratch_cap, r->scratch_n + n + 1, 1);
    memcpy(r->scratch + r->scratch_n, p, n);
    r->scratch_n += n;
}

/* A quoted field starting at r->pos (on the opening quote). Leaves pos after the closing quote. */
static md_status csv_quoted(md_reader *r, size_t idx, const char *col, md_err *err)
{
    const char *b = r->base;
    size_t start = ++r->pos, seg = start;
    bool copied = false;
    size_t off = r->scratch_n;
    for (;;) {
        const char *q = memchr(b + r->pos, '"', r->size - r->pos);
        for (const char *nl = b + r->pos; q ? nl < q : nl < b + r->size; nl++)
            r->line += *nl == '\n';
        if (!q && !r->eof) /* a field that long is most often a quote that never closes */
            return md_reader_fail_at(r, err, r->record_line, col,
                                     "record longer than 1 MiB: its quoted field does not close "
                                     "within it (an unterminated quote?)");
        if (!q)
            return md_reader_fail_at(r, err, r->record_line, col, "unterminated quoted field");
        r->pos = (size_t)(q - b);
        if (r->pos + 1 < r->size && b[r->pos + 1] == '"') { /* a doubled quote */
            scratch_put(r, b + seg, r->pos + 1 - seg);
            copied = true;
            r->pos += 2;
            seg = r->pos;
            continue;
        }
        break;
    }
    md_field *f = &r->fields[idx];
    f->kind = MD_F_TEXT;
    f->padded = !copied;
    if (copied) {
        scratch_put(r, b + seg, r->pos - seg);
        r->scratch_off[idx] = off + 1;
        f->n = r->scratch_n - off;
    } else {
        r->scratch_off[idx] = 0;
        f->p = b + start;
        f->n = r->pos - start;
    }
    r->pos++; /* the closing quote */
    return MD_OK;
}

static void csv_unquoted(md_reader *r, size_t idx)
{
    const unsigned char *b = (const unsigned char *)r->base;
    size_t start = r->pos, p = start;
    while (!field_end[b[p]])
        p++;
    r->pos = p < r->size ? p : r->size;
    md_field *f = &r->fields[idx];
    f->kind = MD_F_TEXT;
    f->padded = true;
    f->p = r->base + start;
    f->n = r->pos - start;
    r->scratch_off[idx] = 0;
}

/* Consumes a line ending (LF, CRLF or a lone CR); true when one was there or at EOF. */
static bool csv_end_of_record(md_reader *r)
{
    if (r->pos >= r->size)
        return true;
    char c = r->base[r->pos];
    if (c == '\n') {
        r->pos++;
        r->line++;
        r->lf = true;
        return true;
    }
    bool crlf = c == '\r' && r->pos + 1 < r->size && r->base[r->pos + 1] == '\n';
    if (c == '\r' && (crlf || !r->lf)) { /* CRLF; or CR alone, in a file whose lines end so */
        r->pos += crlf ? 2 : 1;
        r->line++;
        r->lf |= crlf;
        return true;
    }
    return false;
}

static const char *col_name(md_reader *r, size_t i, bool header)
{
    if (header || i >= md_reader_ncols(r))
        return NULL;
    return md_reader_col(r, i);
}

/* Field i of the record failed for `what`: named by its column, else by its place (`bare`:
 * the same without "in the text", in the name of a header's column, or in a field past the last
 * column). */
static md_status fail_in_field(md_reader *r, size_t i, bool header, const char *what,
                               const char *bare, md_err *err)
{
    const char *col = col_name(r, i, header);
    uint64_t at = r->record_line;
    if (col)
        return md_reader_fail_at(r, err, at, col, "%s", what);
    if (header)
        return md_reader_fail_at(r, err, at, NULL, "%s in the name of column %zu", bare, i + 1);
    return md_reader_fail_at(r, err, at, NULL, "%s in field %zu, past the last column", bare,
                             i + 1);
}

/* Finds the field holding the first invalid UTF-8 byte, for the message. */
static md_status bad_utf8(md_reader *r, size_t n, bool header, md_err *err)
{
    for (size_t i = 0; i < n; i++) {
        const char *p = r->scratch_off[i] ? r->scratch + r->scratch_off[i] - 1 : r->fields[i].p;
        if (!md_utf8_valid(p, r->fields[i].n))
            return skippable(r, fail_in_field(r, i, header, "invalid UTF-8", "invalid UTF-8", err));
    }
    return skippable(r, md_reader_fail_at(r, err, r->record_line, NULL, "invalid UTF-8"));
}

/* Text that needs no closer look: ASCII without a NUL byte (a word has one when a byte's
 * borrow reaches its top bit). */
static bool plain_text(const char *p, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if ((w | ((w - 0x0101010101010101ULL) & ~w)) & 0x8080808080808080ULL)
            return false;
    }
    for (; i < n; i++)
        if (((unsigned char)p[i] & 0x80) || p[i] == '\0')
            return false;
    return true;
}

/* A record that is not plain text: a NUL byte (text cut short wherever it is shown; a binary
 * file, or UTF-16, read as text) or invalid UTF-8, named with its field. */
static md_status odd_text(md_reader *r, size_t count, bool header, size_t start, size_t len,
                          md_err *err)
{
    if (!memchr(r->base + start, '\0', len))
        return md_utf8_valid(r->base + start, len) ? MD_OK : bad_utf8(r, count, header, err);
    for (size_t i = 0; i < count; i++) {
        const char *p = r->scratch_off[i] ? r->scratch + r->scratch_off[i] - 1 : r->fields[i].p;
        if (memchr(p, '\0', r->fields[i].n))
            return skippable(r, fail_in_field(r, i, header, "a NUL byte (0x00) in the text",
                                              "a NUL byte (0x00)", err));
    }
    return skippable(
        r, md_reader_fail_at(r, err, r->record_line, NULL, "a NUL byte (0x00) in the text"));
}

/* Reads one CSV record into fields; *n receives the field count (0 for a blank line). */
static md_status csv_record_general(md_reader *r, size_t *n, bool header, md_err *err)
{
    md_reader_fill(r); /* the whole record is in the buffer, up to its limit */
    size_t start = r->pos, count = 0;
    r->plain = 0;
    r->scratch_n = 0;
    r->record_line = r->line;
    if (csv_end_of_record(r)) { /* a blank line */
        *n = 0;
        return MD_OK;
    }
    for (;;) {
        ensure_fields(r, count + 1);
        const char *col = col_name(r, count, header);
        if (r->base[r->pos] == '"') {
            if (csv_quoted(r, count, col, err) != MD_OK)
                return err->code;
        } else {
            csv_unquoted(r, count);
        }
        count++;
        if (r->pos - start > MD_RECORD_MAX) { /* named by the field that went past it */
            fail_in_field(r, count - 1, header, "record longer than 1 MiB",
                          "record longer than 1 MiB, reached", err);
            md_reader_skip_line(r, true); /* the field that made it too long has ended */
            return skippable(r, err->code);
        }
        if (r->pos < r->size && r->base[r->pos] == ',') {
            r->pos++;
            if (r->pos < r->size)
                continue;
            ensure_fields(r, count + 1); /* "a,b," ends in an empty field */
            r->fields[count] = (md_field){MD_F_TEXT, true, r->base + r->pos, 0, 0};
            r->scratch_off[count++] = 0;
            break;
        }
        if (!csv_end_of_record(r)) {
            md_reader_fail_at(r, err, r->record_line, col,
                              r->base[r->pos] == '\r'
                                  ? "a carriage return inside the field (a field holding one "
                                    "is quoted)"
                                  : "unexpected character after a closing quote");
            md_reader_skip_line(r, true);
            return skippable(r, err->code);
        }
        break;
    }
    for (size_t i = 0; i < count; i++) /* scratch may have moved while growing */
        if (r->scratch_off[i])
            r->fields[i].p = r->scratch + r->scratch_off[i] - 1;
    if (!plain_text(r->base + start, r->pos - start)) {
        md_status rc = odd_text(r, count, header, start, r->pos - start, err);
        if (rc != MD_OK)
            return rc;
    }
    *n = count;
    return MD_OK;
}

#ifndef __SSE2__
/* The first byte at or after p that is ',', '\n', '\r', '"' or not ASCII. The buffer ends in a
 * '\n' sentinel, so the scan needs no bounds check. */
static inline size_t next_special(const unsigned char *b, size_t p)
{
    while (!field_end[b[p]] && b[p] != '"' && b[p] < 0x80 && b[p])
        p++;
    return p;
}
#endif

#ifdef __SSE2__
/* The 16 bytes at p, as bit masks: newlines; field ends (commas and newlines); bytes the fast
 * path does not take (quotes, carriage returns, NUL bytes); and bytes past ASCII. */
static inline void classify16(const unsigned char *p, uint32_t *nl, uint32_t *ends, uint32_t *odd,
                              uint32_t *high)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    *nl = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
    *ends = *nl | (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')));
    *odd = (uint32_t)_mm_movemask_epi8(_mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))),
        _mm_cmpeq_epi8(v, _mm_setzero_si128())));
    *high = (uint32_t)_mm_movemask_epi8(v);
}

/* The same for the 32 bytes at p, two blocks of 16 in one set of masks. The buffer ends in a
 * '\n' sentinel with 32 bytes of padding after it: a record's blocks never leave it. */
static inline void classify32(const unsigned char *p, uint32_t *nl, uint32_t *ends, uint32_t *odd,
                              uint32_t *high)
{
    uint32_t nl2, ends2, odd2, high2;
    classify16(p, nl, ends, odd, high);
    classify16(p + 16, &nl2, &ends2, &odd2, &high2);
    *nl |= nl2 << 16;
    *ends |= ends2 << 16;
    *odd |= odd2 << 16;
    *high |= high2 << 16;
}
#endif

/* The common record: no quotes, no carriage returns. Anything else goes to the general parser,
 * from the start of the record. With SSE2 the record is classified 32 bytes at a time and its
 * fields are cut at the set bits, so no byte is looked at twice. */
static md_status csv_record(md_reader *r, size_t *n, bool header, md_err *err)
{
    fill_ahead(r);
again:;
    const unsigned char *b = (const unsigned char *)r->base;
    size_t start = r->pos, p = start, count = 0;
    bool high = false;
    if (p >= r->size || b[p] == '\n' || b[p] == '\r')
        return csv_record_general(r, n, header, err);
#ifdef __SSE2__
    /* in locals: for the compiler, the stores into the fields could change them. fields[0,
     * plain) need only their text set; fp is the next field, fs where its text starts */
    md_field *fields = r->fields, *fp = fields, *plain = fields + r->plain;
    const char *fs = (const char *)b + start;
    for (size_t block = start;; block += 32) {
        if (block - start > MD_RECORD_MAX)
            return csv_record_general(r, n, header, err);
        uint32_t nl, ends, odd, high32;
        classify32(b + block, &nl, &ends, &odd, &high32);
        /* up to the record's end (a newline in bit 31: the shift leaves 0, less one is all) */
        uint32_t mine = nl ? ((nl & -nl) << 1) - 1 : 0xFFFFFFFFu;
        if (__builtin_expect((odd | high32) & mine, 0)) {
            if (odd & mine)
                return csv_record_general(r, n, header, err); /* a quote or a CR */
            high = true;
        }
        for (uint32_t m = ends & mine; m; m &= m - 1) {
            const char *e = (const char *)b + block + (size_t)__builtin_ctz(m);
            if (__builtin_expect(fp == plain, 0)) { /* a field past any record before */
                size_t at = (size_t)(fp - fields);
                ensure_fields(r, at + 1);
                fields = r->fields;
                fp = fields + at;
                *fp = (md_field){MD_F_TEXT, true, NULL, 0, 0};
                r->scratch_off[at] = 0;
                plain = fields + (r->plain = at + 1);
            }
            fp->p = fs;
            fp->n = (size_t)(e - fs);
            fp++;
            fs = e + 1; /* after a comma; after the newline it is not used */
        }
        if (nl)
            break;
    }
    count = (size_t)(fp - fields);
    p = (size_t)(fs - 1 - (const char *)b); /* the newline, the last end taken */
    if (p >= r->size && !r->eof && r->size - r->pos < MD_RECORD_MAX + 2) {
        md_reader_fill(r); /* the record goes on past what was read ahead: read more */
        goto again;
    }
    if (p - start > MD_RECORD_MAX || (p >= r->size && !r->eof))
        return csv_record_general(r, n, header, err); /* too long, or the sentinel mid-record */
#else
    size_t fstart = start;
    for (;;) {
        p = next_special(b, p);
        unsigned char c = b[p];
        if (c >= 0x80) {
            high = true;
            p++;
            continue;
        }
        if (c == '"' || c == '\r' || c == '\0' || p - start > MD_RECORD_MAX)
            return csv_record_general(r, n, header, err);
        ensure_fields(r, count + 1);
        r->fields[count] = (md_field){MD_F_TEXT, true, r->base + fstart, p - fstart, 0};
        r->scratch_off[count++] = 0;
        if (c == '\n' && p >= r->size && !r->eof && r->size - r->pos < MD_RECORD_MAX + 2) {
            md_reader_fill(r); /* the record goes on past what was read ahead: read more */
            goto again;
        }
        if (c == '\n' && p >= r->size && !r->eof)
            return csv_record_general(r, n, header, err); /* the sentinel, mid-record */
        if (c == '\n')
            break;
        fstart = ++p; /* a comma */
    }
#endif
    r->record_line = r->line++;
    r->lf = true; /* the fast path ends records at a newline only */
    r->pos = p < r->size ? p + 1 : r->size;
    if (high && !md_utf8_valid(r->base + start, p - start))
        return bad_utf8(r, count, header, err);
    *n = count;
    return MD_OK;
}

static md_status csv_header(md_reader *r, md_err *err)
{
    size_t n = 0;
    /* what reading ahead holds: csv_record reads on itself when the header runs past it (a
     * wider fill here would read and map the whole 4 MiB buffer before the first row) */
    for (fill_ahead(r); n == 0 && r->pos < r->size; fill_ahead(r)) {
        bool brace = r->base[r->pos] == '{';
        if (csv_record(r, &n, true, err) != MD_OK)
            return brace ? md_err_set(err, MD_ERROR,
                                      "%s: reads as JSON Lines, not CSV (its first line starts "
                                      "with '{'): %s",
                                      r->path,
                                      r->fmt_given ? "read it with --format jsonl"
                                                   : "name it .jsonl or add --format jsonl")
                         : err->code;
    }
    if (n == 0)
        return md_err_set(err, MD_ERROR, "%s: empty file (no header line)", r->path);
    for (size_t i = 0; i < n; i++) {
        const md_field *f = &r->fields[i];
        if (f->n == 0)
            return md_reader_fail_at(r, err, r->record_line, NULL, "header column %zu has no name", i + 1);
        if (md_strmap_find(&r->cols, f->p, f->n) >= 0)
            return md_reader_fail_at(r, err, r->record_line, NULL, "header names column '%.*s' twice",
                           (int)(f->n > 64 ? 64 : f->n), f->p);
        md_strmap_intern(&r->cols, f->p, f->n);
    }
    return MD_OK;
}

static md_status csv_next(md_reader *r, bool *done, md_err *err)
{
    size_t n = 0, want = md_reader_ncols(r);
    while (n == 0) {
        fill_ahead(r);
        if (r->pos >= r->size || past_limit(r)) {
            *done = true;
            return r->io_error || r->cut ? md_reader_fail_at(r, err, r->line, NULL, "read error")
                                         : MD_OK; /* a cut file: md_reader_fail_at says so */
        }
        if (csv_record(r, &n, false, err) != MD_OK)
            return err->code;
    }
    if (n < want) /* the first column without a field named */
        return skippable(r, md_reader_fail_at(r, err, r->record_line, md_reader_col(r, n),
                                              "missing: expected %zu fields as in the header, "
                                              "found %zu",
                                              want, n));
    if (n > want)
        return skippable(r, md_reader_fail_at(r, err, r->record_line, NULL,
                                              "expected %zu fields as in the header, found %zu "
                                              "(field %zu is past the last column, %s)",
                                              want, n, want + 1, md_reader_col(r, want - 1)));
    return MD_OK;
}

/* ---- opening ------------------------------------------------------------------------------- */

/* The buffer, with 16 bytes before it and 32 after its sentinel: field scans and number
 * parsing read whole 16- or 32-byte blocks around a field without bounds checks. */
static void alloc_buffer(md_reader *r, size_t start)
{
    r->mem = md_xcalloc(16 + READ_BUF + 1 + 32, 1);
    r->base = r->mem + 16;
    /* the part reading ahead fills, mapped at once (a long record maps more as it comes) */
    size_t bytes = r->end > start ? r->end - start : 0;
    md_prefault(r->mem, 16 + (bytes < AHEAD ? bytes : AHEAD));
    ensure_fields(r, 1); /* the record loops do arithmetic on fields from the first record on */
}

static md_status open_file(md_reader *r, md_err *err)
{
    /* not blocking: a FIFO without a writer would wait for one before being turned down */
    r->fd = open(r->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (r->fd < 0 && strcmp(r->path, "-") == 0)
        return md_err_set(err, MD_ERROR,
                          "cannot read standard input ('-'): a data file is read "
                          "from two places at once and hashed; write it to a file "
                          "first");
    if (r->fd < 0)
        return md_err_set(err, MD_ERROR, "cannot open %s: %s", r->path, strerror(errno));
    struct stat st;
    if (fstat(r->fd, &st) != 0 || !S_ISREG(st.st_mode))
        return md_err_set(err, MD_ERROR, "%s is not a regular file%s", r->path,
                          S_ISFIFO(st.st_mode) ? " (a pipe: a data file is read from two places "
                                                 "at once and hashed; write it to a file first)"
                                               : "");
    fcntl(r->fd, F_SETFL, fcntl(r->fd, F_GETFL) & ~O_NONBLOCK);
    r->file_size = (size_t)st.st_size;
    r->end = r->file_size;
    posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    alloc_buffer(r, 0);
    fill_ahead(r);
    if (r->io_error)
        return md_err_set(err, MD_ERROR, "cannot read %s: %s", r->path, strerror(errno));
    return MD_OK;
}

md_status md_reader_open(const char *path, md_format fmt, md_reader **out, md_err *err)
{
    md_reader *r = md_xcalloc(1, sizeof *r);
    r->path = md_xstrdup(path);
    r->fmt = fmt == MD_FMT_AUTO ? by_extension(path) : fmt;
    r->fmt_given = fmt != MD_FMT_AUTO;
    r->line = 1;
    r->fd = -1;
    md_strmap_init(&r->cols);
    *out = NULL;
    md_status rc = open_file(r, err);
    if (rc == MD_OK && r->size >= 3 && memcmp(r->base, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3; /* UTF-8 byte order mark */
    if (rc == MD_OK)
        rc = md_reader_check_kind(r, err);
    if (rc == MD_OK && r->fmt == MD_FMT_CSV)
        rc = csv_header(r, err);
    r->data_pos = md_reader_offset(r);
    r->data_line = r->line;
    if (rc != MD_OK) {
        md_reader_close(r);
        return rc;
    }
    *out = r;
    return MD_OK;
}

md_status md_reader_open_range(const md_reader *parent, size_t start, size_t end,
                               md_reader **out, md_err *err)
{
    md_reader *r = md_reader_twin(parent);
    *out = NULL;
    r->fd = open(r->path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
        md_reader_close(r);
        return md_err_set(err, MD_ERROR, "cannot open %s: %s", parent->path, strerror(errno));
    }
    r->end = end;
    alloc_buffer(r, start);
    r->data_pos = start;
    r->data_line = 1;
    md_reader_rewind(r);
    *out = r;
    return MD_OK;
}

void md_reader_set_limit(md_reader *r, size_t limit)
{
    atomic_store_explicit(&r->limit, limit, memory_order_relaxed);
}

size_t md_reader_data_start(const md_reader *r)
{
    return r->data_pos;
}

uint64_t md_reader_next_line(const md_reader *r)
{
    return r->line;
}

void md_reader_rewind(md_reader *r)
{
    if (lseek(r->fd, (off_t)r->data_pos, SEEK_SET) < 0)
        r->io_error = true;
    r->off = r->data_pos;
    r->size = r->pos = 0;
    r->eof = r->io_error;
    r->line = r->data_line;
    fill_ahead(r);
}

md_status md_reader_next(md_reader *r, const md_field **fields, bool *done, md_err *err)
{
    *done = false;
    r->skippable = false;
    md_status rc = r->fmt == MD_FMT_CSV ? csv_next(r, done, err) : md_jsonl_next(r, done, err);
    *fields = r->fields;
    return rc;
}

bool md_reader_skippable(const md_reader *r)
{
    return r->skippable;
}

void md_reader_close(md_reader *r)
{
    if (!r)
        return;
    free(r->mem);
    if (r->fd >= 0)
        close(r->fd);
    md_jsonl_free(r);
    md_strmap_free(&r->cols);
    free(r->fields);
    free(r->scratch);
    free(r->scratch_off);
    free(r->path);
    free(r);
}
