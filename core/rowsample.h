/* Which rows two scoring logs share, without keeping the rows: each row's 64-bit identity (the
 * scoring event it records), and a sample of the identities that the hash picks, the same in every
 * file.
 *
 * Why: a re-delivered or corrected log must take the place of the ingest it corrects, and a log
 * that only reuses a file name (tomorrow's daily.csv) must not. Row counts per window cannot
 * tell the two apart; the rows themselves can. A row is picked when the top `shift` bits of its
 * identity are 0 (shift < 32): any two samples, taken to the larger of their shifts, are
 * samples of the same rows, so the rows they share estimate the rows the files share. */
#ifndef MD_ROWSAMPLE_H
#define MD_ROWSAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MD_ROWSAMPLE_KEEP   4096u      /* identities an ingest stores at most */
#define MD_ROWSAMPLE_MEMORY (1u << 16) /* identities a pass holds at most */

typedef struct {
    uint64_t *v;
    size_t n, cap;
    unsigned shift; /* identities whose top `shift` bits are 0 */
} md_rowsample;

/* A row's identity: the scoring event it records, its timestamp (as read, in ms) and who was
 * scored. With an id column, md_rowsample_by_id: a hash of the timestamp and the id's text
 * picks it, and the id's hash alone is its bottom half: the same rows delivered again with other
 * columns corrected (scores too), their labels filled in, their columns in another order,
 * another timestamp notation or as JSON Lines are the same rows, and a batch scored at one
 * time (a date-only timestamp) is sampled row by row. In a log without ids,
 * md_rowsample_id(ts, the score's bits) picks it and the bottom half is a sum of hashes of its
 * other fields but the label, each with its column's name (hashed only for the rows picked):
 * rows that share a timestamp and score are told apart, and the same rows in another timestamp
 * notation, score spelling or column order, or as JSON Lines, are the same rows. Which kind a
 * stored sample holds is kept beside it; kinds are never compared with each other. Samples
 * stored before (MD_ROWSAMPLE_BY_FIELD_TEXT) hashed every field's text in column order,
 * timestamp and score included: they cannot be compared with today's. */
#define MD_ROWSAMPLE_BY_ID         "id"
#define MD_ROWSAMPLE_BY_FIELDS     "values"
#define MD_ROWSAMPLE_BY_FIELD_TEXT "fields"
uint64_t md_rowsample_id(int64_t ts_ms, uint64_t who);
uint64_t md_rowsample_by_id(int64_t ts_ms, const char *id, size_t n);
/* The same, for an id followed by 16 readable bytes (a field of the read buffer: md_field's
 * padded), read in place instead of copied out. */
uint64_t md_rowsample_by_padded_id(int64_t ts_ms, const char *id, size_t n);
static inline uint64_t md_rowsample_with(uint64_t id, uint64_t h)
{
    return (id & 0xFFFFFFFF00000000ULL) | (h & 0xFFFFFFFFULL);
}
uint64_t md_rowsample_step(uint64_t h, const char *p, size_t n);
#define MD_ROWSAMPLE_SEED 0x243f6a8885a308d3ULL
/* The shift a file of `bytes` starts at: the most rows it can have (24 bytes each) picked
 * thin enough to stay within `limit` at the end, so that few rows are kept and sorted. */
unsigned md_rowsample_first_shift(size_t bytes, size_t limit);

static inline bool md_rowsample_picks(unsigned shift, uint64_t id)
{
    return shift == 0 || (id >> (64 - shift)) == 0;
}

/* Adds a row; past `limit` identities the shift grows and the sample thins. */
void md_rowsample_add(md_rowsample *s, uint64_t id, size_t limit);
/* Sorted and without duplicates, at most `limit` identities. */
void md_rowsample_finish(md_rowsample *s, size_t limit);
/* b's identities into a (both finished or not); b is emptied. */
void md_rowsample_merge(md_rowsample *a, md_rowsample *b);
void md_rowsample_free(md_rowsample *s);

/* How two finished samples overlap, at the larger shift: identities in each and in both. */
typedef struct {
    size_t a, b, both;
} md_rowsample_overlap;
md_rowsample_overlap md_rowsample_compare(const md_rowsample *a, const md_rowsample *b);

/* Stored form: little-endian identities; false when the blob is not one. */
void md_rowsample_blob(const md_rowsample *s, unsigned char **out, size_t *n);
bool md_rowsample_from_blob(const void *blob, size_t n, unsigned shift, md_rowsample *s);

#endif
