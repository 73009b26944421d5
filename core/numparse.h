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

/* True (and *out) when s[0..n) is a finite number in the grammar above. */
bool md_parse_number(const char *s, size_t n, double *out);

/* The same, faster, for text with at least 16 readable bytes after it and before its end (it
 * lies in the reader's buffer, which has that much padding on both sides). */
bool md_parse_number_padded(const char *s, size_t n, double *out);

/* Writes v as Python's repr(float) does ("1.0", "1e+16", "2.5e-05", "0.1"). */
void md_fmt_pyrepr(double v, char out[40]);

#endif
