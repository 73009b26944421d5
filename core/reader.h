/* Reading scoring logs and training data: CSV (RFC 4180) and JSON Lines, one record at a time.
 *
 * Why: logs are large and hostile. The reader maps the file, walks it once, and hands out each
 * record's fields as slices (unescaping only quoted fields with doubled quotes), so memory does
 * not grow with the file. Every malformed input (a ragged row, an unterminated quote, invalid
 * UTF-8, a record over 1 MiB, invalid JSON) is an error naming file, line and column. */
#ifndef MD_READER_H
#define MD_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "strmap.h"

typedef enum { MD_FMT_AUTO, MD_FMT_CSV, MD_FMT_JSONL } md_format;

typedef enum {
    MD_F_ABSENT = 0, /* a JSON key not in this record */
    MD_F_TEXT,       /* CSV field or JSON string */
    MD_F_NUMBER,     /* JSON number: num, and its text for categorical use */
    MD_F_NULL,       /* JSON null */
    MD_F_BOOL,       /* JSON true/false: num is 1 or 0, text "true"/"false" */
    MD_F_OTHER,      /* JSON array or object: text is its compact JSON */
} md_field_kind;

typedef struct {
    md_field_kind kind;
    bool padded;   /* 16 readable bytes before the text's end and after it (the read buffer) */
    const char *p; /* text, not NUL-terminated */
    size_t n;
    double num;
} md_field;

#define MD_RECORD_MAX (1u << 20) /* 1 MiB */

typedef struct md_reader md_reader;

/* Parses --format's value ("csv", "jsonl"); MD_FMT_AUTO picks by extension (.jsonl, .ndjson,
 * .json: JSON Lines; anything else: CSV). */
md_status md_format_parse(const char *text, md_format *out, md_err *err);

/* Opens `path`; for CSV reads the header. JSON Lines columns are the keys in order of first
 * appearance, and grow as new keys appear (md_reader_ncols after each record). */
md_status md_reader_open(const char *path, md_format fmt, md_reader **out, md_err *err);
void md_reader_close(md_reader *r);

size_t md_reader_ncols(const md_reader *r);
const char *md_reader_col(const md_reader *r, size_t i);
/* Index of the column named `name`, or -1. */
int64_t md_reader_find(const md_reader *r, const char *name);
md_format md_reader_format(const md_reader *r);
const char *md_reader_path(const md_reader *r);

/* A second reader over bytes [start, end) of the same file, for a parallel pass: CSV columns
 * are the parent's header; lines count from 1 at `start`. */
md_status md_reader_open_range(const md_reader *parent, size_t start, size_t end,
                               md_reader **out, md_err *err);
/* A reader of pieces of the same file that another thread read (md_file_hash_piece): no
 * file of its own; CSV columns are the parent's header. md_reader_piece hands it the next piece:
 * n bytes at file offset `off`, whole lines, written to (p[n] and after). Its line numbers are
 * unknown (0): a pass that meets a bad row in a piece reads the file again in order. */
md_reader *md_reader_open_pieces(const md_reader *parent);
void md_reader_piece(md_reader *r, size_t off, char *p, size_t n);
/* Data below this many bytes is read as fast by one thread as by two. */
#define MD_TWO_THREADS_MIN (16u << 20)
/* Where to split the file for two readers: the first line boundary at or after the middle of
 * the data, or 0 when the data is smaller than `min` bytes (0: 16 MiB) and not worth it. */
size_t md_reader_split_point(const md_reader *r, size_t min);
/* The first line boundary at or after byte `at` (the offset just past a newline), or 0 when
 * there is none before the end of the file. */
size_t md_reader_boundary(const md_reader *r, size_t at);
/* Stops before the first record that starts at or after byte `limit` (0: no limit). Another
 * thread may lower the limit while the reader runs: it stops at the first record at or past
 * the new limit it sees (md_reader_offset tells where). */
void md_reader_set_limit(md_reader *r, size_t limit);
/* File offset of the first record (after the header and any byte order mark). */
size_t md_reader_data_start(const md_reader *r);
/* The line the next record would start on. */
uint64_t md_reader_next_line(const md_reader *r);

/* Goes back to the first record (after the header), for a second pass. */
void md_reader_rewind(md_reader *r);

/* Next record: *fields points at ncols fields (valid until the next call); *done at the end. */
md_status md_reader_next(md_reader *r, const md_field **fields, bool *done, md_err *err);
/* After md_reader_next failed: true when the error was a bad record (ragged, invalid UTF-8,
 * over 1 MiB, not a JSON object, ...) and the reader has moved past it, so that reading on gives
 * the next record (--max-bad-rows); false when nothing after it can be read (an unterminated
 * quote, a file cut short, a read error). */
bool md_reader_skippable(const md_reader *r);
/* Line where the current record starts (1-based). */
uint64_t md_reader_line(const md_reader *r);
/* Bytes consumed so far and the file size, for progress. */
size_t md_reader_offset(const md_reader *r);
size_t md_reader_size(const md_reader *r);

/* The text of a field for categorical use; numbers are formatted into buf. */
const char *md_field_text(const md_field *f, char buf[40], size_t *len);

#endif
