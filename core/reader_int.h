/* The reader's insides, shared by its parts: core/reader.c (the buffer, opening, ranges, CSV),
 * core/reader_parts.c (split points, readers of pieces) and core/jsonl.c (JSON Lines). Nothing
 * outside the reader includes this. */
#ifndef MD_READER_INT_H
#define MD_READER_INT_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "mem.h"
#include "reader.h"
#include "strmap.h"

struct md_reader {
    char *path;
    md_format fmt;
    bool fmt_given; /* by --format, not by the file's extension */
    int fd;
    char *mem;        /* 16 bytes of padding, then the buffer */
    char *base;       /* the buffer: file bytes [off, off + size) */
    size_t size, pos; /* bytes in the buffer; the parse position in it */
    size_t off;       /* file offset of base[0] */
    size_t file_size;
    bool eof;   /* the buffer reaches the end of the file (or of the range) */
    size_t end; /* read no further than this file offset */
    /* no record starting at or after this offset (0: none); another thread may lower it */
    _Atomic size_t limit;
    bool io_error;
    bool cut;           /* the file ended before `end`: it was cut short while it was read ... */
    size_t cut_to;      /* ... to this size */
    bool skippable;     /* the last error was a bad record, and the reader is past it */
    bool lf;            /* records end in LF (or CRLF): a lone CR is no line end, but bad */
    uint64_t line;        /* line of the next byte */
    uint64_t record_line; /* line where the current record started */
    size_t data_pos;      /* file offset of the first byte after the header, for rewinding */
    uint64_t data_line;
    md_strmap cols;
    md_field *fields;
    size_t fields_cap;
    /* CSV: unescaped quoted fields live in scratch; fields remember offsets until fixed up. */
    char *scratch;
    size_t scratch_n, scratch_cap;
    size_t *scratch_off; /* per field: offset + 1 into scratch, 0 when the slice is in the map */
    size_t scratch_off_cap;
    /* fields[0..plain) are text in the buffer with scratch_off 0 (the fast CSV path keeps them
     * so and writes only where each field starts and its length); anything else sets it to 0 */
    size_t plain;
    /* JSON Lines: the current record's value and its compact texts. */
    json_t *json;
    bool big_ints; /* this line had numbers beyond jansson's range, read as marked strings (jsonl.c)
                    */
    char **owned;
    size_t owned_n, owned_cap;
    int64_t *key_col; /* the record's keys' columns, in the object's order */
    size_t key_col_cap;
    char *ints; /* the record's integers as text, each NUL-terminated, room made per record */
    size_t ints_n, ints_cap;
    struct md_arena_chunk *arena; /* what jansson allocated for the record (jsonl.c) */
};

/* A second reader of the parent's file, with its format, CSV header and line ends: no file
 * open, no buffer (core/reader_parts.c). */
md_reader *md_reader_twin(const md_reader *parent);

/* Keeps at least one maximal record ahead of pos in the buffer (or the rest of the file). */
void md_reader_fill(md_reader *r);

/* Moves past the rest of the line at pos; counted as a line when count_line. */
void md_reader_skip_line(md_reader *r, bool count_line);

/* An error at `line` (and column `col` when not NULL) of the reader's file. */
md_status md_reader_fail_at(md_reader *r, md_err *err, uint64_t line, const char *col,
                            const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* At or past the limit: checked before each record. */
static inline bool past_limit(const md_reader *r)
{
    size_t limit = atomic_load_explicit(&r->limit, memory_order_relaxed);
    return limit && r->off + r->pos >= limit;
}

/* Room for n fields. */
static inline void ensure_fields(md_reader *r, size_t n)
{
    if (n <= r->fields_cap && n <= r->scratch_off_cap)
        return;
    r->fields = md_xgrow(r->fields, &r->fields_cap, n, sizeof *r->fields);
    r->scratch_off = md_xgrow(r->scratch_off, &r->scratch_off_cap, n, sizeof *r->scratch_off);
}

/* JSON Lines (core/jsonl.c): the next record into fields, and what its records own. */
/* A file that is no CSV or JSON Lines (compressed, a spreadsheet, UTF-16, a JSON array) refused
 * as what it is (core/reader_kind.c). */
md_status md_reader_check_kind(const md_reader *r, md_err *err);
md_status md_jsonl_next(md_reader *r, bool *done, md_err *err);
void md_jsonl_free(md_reader *r);

#endif
