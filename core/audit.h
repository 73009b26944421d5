/* The audit chain: every state change leaves one hash-chained, append-only row.
 *
 * Why: approvers and auditors must be able to trust who did what, when and why, and see that
 * nobody rewrote history (DESIGN principle 3). Each row's hash is SHA-256 over the previous
 * row's hash and a canonical serialization of the row; triggers refuse UPDATE and DELETE; and
 * md_audit_verify recomputes the chain and names the first row that does not match.
 *
 * Canonical serialization (documented in docs/ARCHITECTURE.md so that anyone can re-verify):
 * the netstrings ("<byte length>:<bytes>,") of prev_hash, seq (decimal), at, actor, action,
 * object, reason and details, concatenated; hash = lower-case hex SHA-256 of that. The first
 * row's prev_hash is 64 zeros. */
#ifndef MD_AUDIT_H
#define MD_AUDIT_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "store.h"

#define MD_AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

typedef struct {
    int64_t seq;
    char *at;
    char *actor;
    char *action;
    char *object;
    char *reason;
    char *details; /* canonical JSON text */
    char *prev_hash;
    char *hash;
} md_audit_row;

/* Appends a row inside the caller's open write transaction. `details` is borrowed (NULL: {}).
 * *seq (if not NULL) receives the new row's sequence number. */
md_status md_audit_append(md_store *s, const char *actor, const char *action, const char *object,
                          const char *reason, const json_t *details, int64_t *seq, md_err *err);

/* The hash of a row, recomputed from its fields (hex, 64 chars + NUL). */
void md_audit_hash(const md_audit_row *row, char out[65]);

typedef struct {
    const char *actor;  /* exact user, or NULL */
    const char *action; /* exact action ("model.add") or a prefix before a dot ("model") */
    const char *object; /* exact object ("model:churn") or a prefix before '/' */
    const char *since;  /* rows at or after this ISO time */
    int64_t after_seq;  /* rows with seq > after_seq */
    int64_t limit;      /* 0: no limit */
    bool newest_first;
} md_audit_filter;

typedef md_status (*md_audit_cb)(const md_audit_row *row, void *ctx, md_err *err);

/* Calls cb for each matching row, in order; a non-OK return from cb stops the walk. */
md_status md_audit_each(md_store *s, const md_audit_filter *filter, md_audit_cb cb, void *ctx,
                        md_err *err);

/* The row as a JSON object (details parsed). */
json_t *md_audit_row_json(const md_audit_row *row);

typedef struct {
    bool ok;
    int64_t rows;         /* rows checked */
    int64_t bad_seq;      /* first broken row, 0 when none */
    bool triggers_intact; /* the append-only triggers are in place */
    char problem[256];    /* what is wrong, empty when ok */
    char head[65];        /* hash of the last row (the genesis value when empty) */
} md_audit_verdict;

/* Recomputes the whole chain. MD_OK means the check ran; verdict->ok says whether it holds. */
md_status md_audit_verify(md_store *s, md_audit_verdict *verdict, md_err *err);

/* For a verification on a thread of its own (the console's, on its own connection): another
 * thread reads `checked` (rows verified so far, every 1,024) and sets `stop` to end the walk
 * early, which then fails with "stopped". */
typedef struct {
    atomic_bool stop;
    atomic_llong checked;
} md_audit_watch;

/* md_audit_verify, watched; w may be NULL. */
md_status md_audit_verify_watched(md_store *s, md_audit_watch *w, md_audit_verdict *verdict,
                                  md_err *err);

#endif
