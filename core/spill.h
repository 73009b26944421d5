/* Sorted runs of 64-bit keys in a temporary file, merged back in order.
 *
 * Why: exact AUC and latency percentiles need every labeled score (and latency) of a window in
 * order; a 20-million-row log would not fit the memory budget. Past a cap, each window's keys
 * are sorted and written out as a run; at the end a k-way merge streams them back, with the
 * keys still in memory, in ascending order. */
#ifndef MD_SPILL_H
#define MD_SPILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct md_spill md_spill;

md_spill *md_spill_new(void);
void md_spill_free(md_spill *s);
/* Appends a sorted run for (tag, stream), written by `owner`. Thread-safe. */
md_status md_spill_put(md_spill *s, int owner, int64_t tag, int stream, const uint64_t *keys,
                       size_t n, md_err *err);
/* md_spill_put, but keys that go on the run `owner` wrote last for (tag, stream), none below
 * its last key, lengthen that run when it is the file's last (else they are a run of their
 * own): a sorted stream written in pieces is one run to merge back, not many. The caller
 * begins the stream with md_spill_put and writes nothing else as `owner` for (tag, stream)
 * between its pieces. */
md_status md_spill_put_more(md_spill *s, int owner, int64_t tag, int stream, const uint64_t *keys,
                            size_t n, md_err *err);
/* Forgets every run `owner` wrote (its work was discarded). */
void md_spill_drop(md_spill *s, int owner);
/* Keys spilled for (tag, stream). */
size_t md_spill_count(md_spill *s, int64_t tag, int stream);

/* Ascending iteration over the runs of (tag, stream) and a sorted array in memory. */
typedef struct md_keys md_keys;
md_keys *md_keys_open(md_spill *s, int64_t tag, int stream, const uint64_t *mem, size_t n);
/* Every key of (tag, stream) and the array, each run in its order, one after the other:
 * for what does not need them merged (counts), without the merge's cost. */
md_keys *md_keys_open_any_order(md_spill *s, int64_t tag, int stream, const uint64_t *mem,
                                size_t n);
bool md_keys_next(md_keys *it, uint64_t *key);
/* Up to max next keys into out, in order; how many (0 at the end). */
size_t md_keys_take(md_keys *it, uint64_t *out, size_t max);
/* True when every run was read back whole (false on an I/O error). */
bool md_keys_ok(const md_keys *it);
/* How many keys the iterator hands out in all. */
size_t md_keys_total(const md_keys *it);
void md_keys_close(md_keys *it);

#endif
