/* Users and their roles.
 *
 * Why: identity is the OS user, but what a user may do is decided by the store, so that the
 * same person has the same rights from the CLI, the console and every jump host. A store always
 * keeps at least one admin. */
#ifndef MD_USERS_H
#define MD_USERS_H

#include <jansson.h>

#include "authz.h"

typedef struct {
    char *name;
    unsigned roles;
    char *created_at;
    char *created_by;
} md_user;

md_status md_user_add(md_store *s, const md_actor *actor, const char *name, unsigned roles,
                      const char *reason, md_err *err);
md_status md_user_grant(md_store *s, const md_actor *actor, const char *name, unsigned roles,
                        const char *reason, md_err *err);
/* Refuses to take the last admin role away. */
md_status md_user_revoke(md_store *s, const md_actor *actor, const char *name, unsigned roles,
                         const char *reason, md_err *err);

md_status md_user_list(md_store *s, md_user **users, size_t *n, md_err *err);
void md_users_free(md_user *users, size_t n);
json_t *md_user_json(const md_user *u);
/* ["operator","approver"] */
json_t *md_roles_json(unsigned roles);

#endif
