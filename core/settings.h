/* Store-wide settings that are state changes: initialization and the read-only switch.
 *
 * Why: whoever creates a store becomes its first admin, in the same transaction as the
 * settings and the first audit row; and an admin can freeze a store (during an investigation,
 * an audit, a migration) so that every mutation is refused the same way --read-only does. */
#ifndef MD_SETTINGS_H
#define MD_SETTINGS_H

#include <stdbool.h>

#include "authz.h"

/* Initializes a freshly created store: settings, `creator` as admin, audit row "store.init".
 * With allow_user_override, MODELDECK_USER is honoured by this store (tests, demos). */
md_status md_store_init(md_store *s, const char *creator, bool allow_user_override,
                        md_err *err);

/* Creates (or completes an interrupted creation of) the store at `path` and initializes it;
 * on failure a file this call created is removed, so nothing half-made stays behind. */
md_status md_store_create(const char *path, const char *creator, bool allow_user_override,
                          md_store **out, md_err *err);

/* True when md_store_init has run on this store. */
bool md_store_initialized(md_store *s);

/* Whether an admin froze the store (the store-wide read-only mode). */
bool md_store_is_read_only(md_store *s);
/* Turns the store-wide read-only mode on or off (admin). */
md_status md_store_set_read_only(md_store *s, const md_actor *actor, bool on, const char *reason,
                                 md_err *err);

#endif
