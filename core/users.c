#include "users.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "mem.h"
#include "sql.h"
#include "text.h"

json_t *md_roles_json(unsigned roles)
{
    json_t *a = json_array();
    for (int i = 0; i < MD_ROLE_COUNT; i++)
        if (roles & (1u << i))
            json_array_append_new(a, json_string(md_role_name((md_role)i)));
    return a;
}

static md_status insert_roles(md_store *s, const char *name, unsigned roles, md_err *err)
{
    for (int i = 0; i < MD_ROLE_COUNT; i++) {
        if (!(roles & (1u << i)))
            continue;
        if (md_sql_run(s, err, "INSERT OR IGNORE INTO user_roles(user, role) VALUES (?, ?)",
                       "tt", name, md_role_name((md_role)i)) != MD_OK)
            return err->code;
    }
    return MD_OK;
}

static md_status audit_roles(md_store *s, const md_actor *actor, const char *action,
                             const char *name, unsigned roles, unsigned after, const char *reason,
                             md_err *err)
{
    char *object = md_xasprintf("user:%s", name);
    json_t *d = json_pack("{s:o, s:o}", "roles", md_roles_json(roles), "now_holds",
                          md_roles_json(after));
    md_status rc = md_audit_append(s, actor->name, action, object, reason, d, NULL, err);
    json_decref(d);
    free(object);
    return rc;
}

static md_status check_user_name(const char *name, md_err *err)
{
    if (!md_valid_username(name))
        return md_err_set(err, MD_INVALID,
                          "'%s' is not a valid user name (letters, digits, '_', '.', '-'; at most "
                          "64)",
                          name);
    return MD_OK;
}

md_status md_user_add(md_store *s, const md_actor *actor, const char *name, unsigned roles,
                      const char *reason, md_err *err)
{
    if (check_user_name(name, err) != MD_OK)
        return err->code;
    if (md_write_begin(s, actor, MD_PERM_USER_ADMIN, err) != MD_OK)
        return err->code;
    int64_t exists = 0;
    md_status rc = md_sql_int(s, &exists, err, "SELECT count(*) FROM users WHERE name = ?", "t",
                              name);
    if (rc == MD_OK && exists)
        rc = md_err_set(err, MD_ERROR, "user '%s' already exists (use 'user grant')", name);
    char at[MD_TIME_TEXT_MAX];
    md_store_now_text(s, at);
    if (rc == MD_OK)
        rc = md_sql_run(s, err, "INSERT INTO users(name, created_at, created_by) VALUES (?,?,?)",
                        "ttt", name, at, actor->name);
    if (rc == MD_OK)
        rc = insert_roles(s, name, roles, err);
    if (rc == MD_OK)
        rc = audit_roles(s, actor, "user.add", name, roles, roles, reason, err);
    return md_tx_end(s, rc, err);
}

static md_status require_user(md_store *s, const char *name, unsigned *held, md_err *err)
{
    int64_t exists = 0;
    if (md_sql_int(s, &exists, err, "SELECT count(*) FROM users WHERE name = ?", "t", name))
        return err->code;
    if (!exists)
        return md_err_set(err, MD_NOTFOUND, "no user '%s' (add one with 'user add')", name);
    return md_user_roles(s, name, held, err);
}

md_status md_user_grant(md_store *s, const md_actor *actor, const char *name, unsigned roles,
                        const char *reason, md_err *err)
{
    if (md_write_begin(s, actor, MD_PERM_USER_ADMIN, err) != MD_OK)
        return err->code;
    unsigned held = 0;
    md_status rc = require_user(s, name, &held, err);
    if (rc == MD_OK)
        rc = insert_roles(s, name, roles, err);
    if (rc == MD_OK)
        rc = audit_roles(s, actor, "user.grant", name, roles, held | roles, reason, err);
    return md_tx_end(s, rc, err);
}

static md_status delete_roles(md_store *s, const char *name, unsigned roles, md_err *err)
{
    for (int i = 0; i < MD_ROLE_COUNT; i++)
        if ((roles & (1u << i)) &&
            md_sql_run(s, err, "DELETE FROM user_roles WHERE user = ? AND role = ?", "tt", name,
                       md_role_name((md_role)i)) != MD_OK)
            return err->code;
    return MD_OK;
}

md_status md_user_revoke(md_store *s, const md_actor *actor, const char *name, unsigned roles,
                         const char *reason, md_err *err)
{
    if (md_write_begin(s, actor, MD_PERM_USER_ADMIN, err) != MD_OK)
        return err->code;
    unsigned held = 0;
    int64_t admins = 0;
    md_status rc = require_user(s, name, &held, err);
    if (rc == MD_OK && (roles & MD_RBIT(ADMIN)) && (held & MD_RBIT(ADMIN)))
        rc = md_sql_int(s, &admins, err, "SELECT count(*) FROM user_roles WHERE role = 'admin'",
                        "");
    if (rc == MD_OK && (roles & MD_RBIT(ADMIN)) && (held & MD_RBIT(ADMIN)) && admins <= 1)
        rc = md_err_set(err, MD_REFUSED,
                        "'%s' is the last admin; grant admin to someone else first", name);
    if (rc == MD_OK)
        rc = delete_roles(s, name, roles, err);
    if (rc == MD_OK)
        rc = audit_roles(s, actor, "user.revoke", name, roles, held & ~roles, reason, err);
    return md_tx_end(s, rc, err);
}

static void user_read(sqlite3_stmt *st, void *elem)
{
    md_user *u = elem;
    u->name = md_sql_col_text(st, 0);
    u->created_at = md_sql_col_text(st, 1);
    u->created_by = md_sql_col_text(st, 2);
}

md_status md_user_list(md_store *s, md_user **users, size_t *n, md_err *err)
{
    sqlite3_stmt *st;
    *users = NULL;
    *n = 0;
    if (md_sql_prepare(s, "SELECT name, created_at, created_by FROM users ORDER BY name", &st,
                       err) != MD_OK)
        return err->code;
    md_status rc = md_sql_collect(s, st, sizeof **users, user_read, (void **)users, n, err);
    for (size_t i = 0; rc == MD_OK && i < *n; i++)
        rc = md_user_roles(s, (*users)[i].name, &(*users)[i].roles, err);
    if (rc != MD_OK) {
        md_users_free(*users, *n);
        *users = NULL;
        *n = 0;
    }
    return rc;
}

void md_users_free(md_user *users, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(users[i].name);
        free(users[i].created_at);
        free(users[i].created_by);
    }
    free(users);
}

json_t *md_user_json(const md_user *u)
{
    return json_pack("{s:s, s:o, s:s, s:s}", "name", u->name, "roles", md_roles_json(u->roles),
                     "created_at", u->created_at, "created_by", u->created_by);
}
