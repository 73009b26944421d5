/* Identity, roles and permissions: who may change what.
 *
 * Why: policy lives in core (DESIGN principle 4). Identity is the OS user; roles live in the
 * store; every mutating core function starts with md_write_begin, which refuses, with the same
 * words for the CLI and the console, what the session (--read-only), the store (read-only
 * setting) or the actor's roles do not allow. Roles are read inside the write transaction, so a
 * revoke takes effect on the next action, even in a console that stays open. */
#ifndef MD_AUTHZ_H
#define MD_AUTHZ_H

#include <stdbool.h>

#include "err.h"
#include "store.h"

/* X(id, name, what it grants) */
#define MD_ROLES(X)                                                                                \
    X(VIEWER, "viewer", "read everything")                                                         \
    X(ANALYST, "analyst", "read, add notes, export")                                               \
    X(OPERATOR, "operator",                                                                        \
      "versions, baselines, ingest, incidents, retrain, rollback, promotion requests, "            \
      "challenger/shadow")                                                                         \
    X(APPROVER, "approver", "approve or reject promotion requests")                                \
    X(ADMIN, "admin", "everything, plus users, policy and gate overrides")

typedef enum {
#define MD_X(id, name, what) MD_ROLE_##id,
    MD_ROLES(MD_X)
#undef MD_X
        MD_ROLE_COUNT
} md_role;

#define MD_RBIT(id) (1u << MD_ROLE_##id)
#define MD_R_WRITERS (MD_RBIT(ANALYST) | MD_RBIT(OPERATOR) | MD_RBIT(APPROVER) | MD_RBIT(ADMIN))
#define MD_R_OPS (MD_RBIT(OPERATOR) | MD_RBIT(ADMIN))

/* X(id, name, roles that hold it, what it lets you do) */
#define MD_PERMS(X)                                                                                \
    X(STORE_MODE, "store.mode", MD_RBIT(ADMIN), "switch the store's read-only mode")               \
    X(USER_ADMIN, "user.admin", MD_RBIT(ADMIN), "manage users and roles")                          \
    X(MODEL_WRITE, "model.write", MD_R_OPS, "register and edit models")                            \
    X(VERSION_WRITE, "version.write", MD_R_OPS, "register versions and mark their stage")         \
    X(MONITOR_WRITE, "monitor.write", MD_R_OPS, "upload baselines and ingest scoring logs")        \
    X(INCIDENT_WRITE, "incident.write", MD_R_OPS, "acknowledge, assign and resolve incidents")     \
    X(OPS_ACTION, "ops.action", MD_R_OPS, "request promotions, retrain and roll back")             \
    X(APPROVE, "approve", MD_RBIT(APPROVER) | MD_RBIT(ADMIN), "approve or reject requests")        \
    X(POLICY_WRITE, "policy.write", MD_RBIT(ADMIN), "change policy")                               \
    X(GATE_OVERRIDE, "gate.override", MD_RBIT(ADMIN), "override a failing gate")                   \
    X(NOTE, "note", MD_R_WRITERS, "add notes")                                                     \
    X(EXPORT, "export", MD_R_WRITERS, "export data")

typedef enum {
#define MD_X(id, name, roles, what) MD_PERM_##id,
    MD_PERMS(MD_X)
#undef MD_X
        MD_PERM_COUNT
} md_perm;

const char *md_role_name(md_role r);
const char *md_role_description(md_role r);
/* Parses one role name; -1 when unknown. */
int md_role_parse(const char *name);
/* Parses "operator,approver" into a bit mask; names the bad item in err. */
md_status md_roles_parse_list(const char *list, unsigned *mask, md_err *err);
/* Writes "operator,approver" (or "none") into buf. */
void md_roles_format(unsigned mask, char *buf, size_t cap);

const char *md_perm_name(md_perm p);
const char *md_perm_description(md_perm p);
unsigned md_perm_roles(md_perm p);

typedef enum { MD_ID_OS, MD_ID_OVERRIDE } md_identity_source;

/* The person (or pipeline) acting in this session. */
typedef struct {
    char name[65];
    md_identity_source source;
    bool read_only; /* --read-only for this invocation */
} md_actor;

/* The OS user name (getpwuid of the effective uid; "uid-N" when it has no entry). */
void md_identity_os(char out[65]);

/* Resolves the actor: MODELDECK_USER when the store allows overrides, else the OS user.
 * MODELDECK_USER on a store that does not allow it is refused. */
md_status md_actor_resolve(md_store *s, bool read_only, md_actor *actor, md_err *err);

/* Roles held by `user` (0 when the user is unknown). */
md_status md_user_roles(md_store *s, const char *user, unsigned *mask, md_err *err);

/* Starts a write transaction for `actor` if the session, the store and the actor's roles allow
 * `perm`; on refusal nothing is started and MD_REFUSED comes back with the reason. Every
 * mutating core function begins here and ends with md_tx_end. */
md_status md_write_begin(md_store *s, const md_actor *actor, md_perm perm, md_err *err);

/* Only the role part, for reads that need a role (exports): read-only modes do not apply. */
md_status md_authz_role(md_store *s, const md_actor *actor, md_perm perm, md_err *err);

/* Refusal check without a transaction, for showing an action as unavailable. */
md_status md_authz_check(md_store *s, const md_actor *actor, md_perm perm, md_err *err);

#endif
