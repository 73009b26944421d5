/* Time: UTC only, milliseconds since the epoch, ISO-8601 text in the store.
 *
 * Why: every row the store keeps is compared and sorted by time; one representation
 * ("2026-11-26T06:05:35.123Z", which sorts as text) and one injectable clock (MODELDECK_NOW)
 * keep tests deterministic and windows unambiguous. */
#ifndef MD_CLOCK_H
#define MD_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define MD_TIME_TEXT_MAX 32

/* The clock a store uses: the system clock, or a fixed instant from MODELDECK_NOW. */
typedef struct {
    bool fixed;
    int64_t fixed_ms;
} md_clock;

/* Reads MODELDECK_NOW (ISO-8601 or epoch seconds); unset or empty means the system clock. */
md_status md_clock_from_env(md_clock *clock, md_err *err);
int64_t md_clock_now_ms(const md_clock *clock);

/* Parses ISO-8601: YYYY-MM-DD, or YYYY-MM-DD[T ]HH:MM[:SS[.frac]] with Z or an offset (+HH,
 * +HHMM, +HH:MM); or the basic format with a time, YYYYMMDDTHHMM[SS[.frac]] and the same
 * zones. Without a zone the time is read as UTC unless `require_zone`. */
md_status md_time_parse_iso(const char *s, bool require_zone, int64_t *ms, md_err *err);
/* Whether the n bytes at s start as ISO-8601's basic format with a time (YYYYMMDDT..., or 't' or
 * a space for the 'T'): never a number, where a basic date alone would read as epoch seconds. */
bool md_time_is_iso_basic(const char *s, size_t n);
/* Parses epoch seconds written as a decimal number ("1732600000", "1732600000.25"). */
md_status md_time_parse_epoch(const char *s, int64_t *ms, md_err *err);
/* Either of the two. */
md_status md_time_parse(const char *s, int64_t *ms, md_err *err);

/* Writes "YYYY-MM-DDTHH:MM:SS.mmmZ". */
void md_time_format(int64_t ms, char out[MD_TIME_TEXT_MAX]);

/* Days since 1970-01-01 for a proleptic Gregorian date, and back. */
int64_t md_days_from_civil(int64_t y, unsigned m, unsigned d);
void md_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#endif
