/* The meaning of a field in a data file: missing, a number, a label, a timestamp.
 *
 * Why: baseline and ingest must read values by one set of rules (docs/METRICS.md), or the
 * window compared with its baseline would not be the same kind of thing. */
#ifndef MD_VALUES_H
#define MD_VALUES_H

#include <stdbool.h>
#include <stdint.h>

#include "numparse.h"
#include "reader.h"

/* Empty text, NA, NaN, null (any case), JSON null, an absent key. The common case (text that
 * cannot be one of the words) inline. */
bool md_value_missing_slow(const md_field *f);
static inline __attribute__((always_inline)) bool md_value_missing(const md_field *f)
{
    if (f->kind == MD_F_TEXT && f->n > 0 && (f->n > 4 || (f->p[0] | 0x20) != 'n'))
        return false;
    return md_value_missing_slow(f);
}
/* A finite number (JSON number, or text in the number grammar). The common case inline. */
bool md_value_number_slow(const md_field *f, double *out);
static inline __attribute__((always_inline)) bool md_value_number(const md_field *f, double *out)
{
#ifdef MD_PARSE_WINDOW
    if (f->kind == MD_F_TEXT && f->padded && md_parse_window(f->p, f->n, out))
        return true;
#endif
    return md_value_number_slow(f, out);
}
/* 0/1, 0.0/1.0, true/false; *ok false for anything else. */
bool md_value_label(const md_field *f, int *label);
/* ISO-8601 with a zone, or epoch seconds (text or JSON number); milliseconds since the epoch.
 * Epoch seconds cover the years ISO-8601 writes with four digits, 0001 to 9999: a number past
 * them is not a timestamp (epoch milliseconds, most likely). */
bool md_value_time(const md_field *f, int64_t *ms);
#define MD_EPOCH_MIN_S (-62135596800.0) /* 0001-01-01T00:00:00Z */
#define MD_EPOCH_END_S 253402300800.0   /* 10000-01-01T00:00:00Z */
/* The longest text read as a timestamp (a fraction of a second may have any number of digits;
 * "2026-10-01T13:04:05.123456789123456789+05:30" is 44). */
#define MD_TS_FIELD_MAX 64

/* Window keys: "2026-10-01" (day) or "2026-10-01T13" (hour). */
typedef enum { MD_WINDOW_DAY, MD_WINDOW_HOUR } md_window_kind;
int64_t md_window_index(int64_t ms, md_window_kind kind);
void md_window_key(int64_t index, md_window_kind kind, char out[20]);
const char *md_window_kind_name(md_window_kind kind);

#endif
