/* Internal to core: stage moves inside a transaction the caller already opened.
 *
 * Why: promotion, rollback and marking all move versions between stages; they differ in who may
 * do it and what must be true first, not in how the move is recorded. This is the one place a
 * version's status changes: it checks the legal-move table, archives the old production
 * version when a new one arrives, and writes the stage history and the audit row. */
#ifndef MD_REGISTRY_TX_H
#define MD_REGISTRY_TX_H

#include <jansson.h>

#include "versions.h"

typedef struct {
    const char *actor;
    const char *action; /* audit action, e.g. "version.mark", "promotion.execute" */
    const char *reason;
    bool has_share;
    double share;
    const json_t *extra; /* merged into the audit details; may be NULL */
} md_transition;

/* Moves version `version_id` to `to`. Requires an open write transaction. */
md_status md_registry_transition(md_store *s, int64_t version_id, const char *to,
                                 const md_transition *t, md_err *err);

/* Refuses (MD_REFUSED, naming where a `from` version may go) a move the registry forbids. */
md_status md_registry_check_move(md_store *s, const char *label, const char *from, const char *to,
                                 md_err *err);

/* The id and status of MODEL's version NUMBER; MD_NOTFOUND names what is missing. */
md_status md_version_lookup(md_store *s, const char *model, int64_t number, int64_t *id,
                            char status[16], md_err *err);

#endif
