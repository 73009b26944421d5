/* Rollback and comparison: back to the last good version in one action, and the evidence to
 * decide between a challenger and its champion.
 *
 * Why: at 3 a.m. the operator needs one action that returns production to the version that last
 * served well (the latest earlier production version that was not itself rolled back), or takes
 * the model out so its integration point uses its fallback; and an approver needs the
 * candidate and the champion side by side on the same measures. */
#ifndef MD_OPS_H
#define MD_OPS_H

#include <jansson.h>
#include <stdbool.h>

#include "authz.h"

/* The version a rollback of `model` would return to (0 when none). */
md_status md_last_good(md_store *s, const char *model, int64_t *number, md_err *err);

/* A version a rollback may return to: archived, and in production once. */
typedef struct {
    int64_t number;
    bool rolled_back; /* it left production by a rollback, so it is not "last good" */
} md_rollback_target;

/* Every version a rollback of `model` may return to (by --to), the most recently in production
 * first; *out is freed with free(). The first one not rolled back is md_last_good's. */
md_status md_rollback_targets(md_store *s, const char *model, md_rollback_target **out, size_t *n,
                              md_err *err);

/* Rolls production back to `to` (0: the last good version), or with `fallback` ("rules" or
 * "suppress") takes the model out. *result describes what happened. */
md_status md_rollback(md_store *s, const md_actor *a, const char *model, int64_t to,
                      const char *fallback, const char *reason, json_t **result, md_err *err);

/* Versions a and b side by side (0: the newest non-production version, and production). */
md_status md_compare_json(md_store *s, const char *model, int64_t a, int64_t b, json_t **out,
                          md_err *err);

#endif
