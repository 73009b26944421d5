#include "authz.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sql.h"
#include "text.h"

static const char *const role_names[] = {
#define MD_X(id, name, what) name,
    MD_ROLES(MD_X)
#undef MD_X
};
static const char *const role_descriptions[] = {
#define MD_X(id, name, what) what,
    MD_ROLES(MD_X)
#undef MD_X
};
static const char *const perm_names[] = {
#define MD_X(id, name, roles, what) name,
    MD_PERMS(MD_X)
#undef MD_X
};
static const char *const perm_descriptions[] = {
#define MD_X(id, name, roles, what) what,
    MD_PERMS(MD_X)
#undef MD_X
};
static const unsigned perm_roles[] = {
#define MD_X(id, name, roles, what) roles,
    MD_PERMS(MD_X)
#undef MD_X
};

const char *md_role_name(md_role r)
{
    return r < MD_ROLE_COUNT ? role_names[r] : "?";
}

const char *md_role_description(md_role r)
{
    return r < MD_ROLE_COUNT ? role_descriptions[r] : "?";
}

int md_role_parse(const char *name)
{
    for (int i = 0; i < MD_ROLE_COUNT; i++)
        if (strcmp(name, role_names[i]) == 0)
            return i;
    return -1;
}

md_status md_roles_parse_list(const char *list, unsigned *mask, md_err *err)
{
    *mask = 0;
    char item[32];
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        int r = -1;
        if (n > 0 && n < sizeof item) {
            memcpy(item, p, n);
            item[n] = '\0';
            r = md_role_parse(item);
        }
        if (r < 0)
            return md_err_set(err, MD_INVALID,
                              "unknown role '%.*s' (roles: viewer, analyst, operator, approver, "
                              "admin)",
                              (int)(n < 40 ? n : 40), p);
        *mask |= 1u << r;
        p += n;
        if (*p == ',' && *++p == '\0')
            return md_err_set(err, MD_INVALID, "a role list must not end with ','");
    }
    if (!*mask)
        return md_err_set(err, MD_INVALID, "no role given");
    return MD_OK;
}

void md_roles_format(unsigned mask, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < MD_ROLE_COUNT && o < cap; i++)
        if (mask & (1u << i))
            o += (size_t)snprintf(buf + o, cap - o, "%s%s", o ? "," : "", role_names[i]);
    if (!mask)
        snprintf(buf, cap, "none");
}

/* "operator or admin" for the refusal message. */
static void roles_as_alternatives(unsigned mask, char *buf, size_t cap)
{
    size_t o = 0;
    int total = __builtin_popcount(mask), seen = 0;
    buf[0] = '\0';
    for (int i = 0; i < MD_ROLE_COUNT && o < cap; i++) {
        if (!(mask & (1u << i)))
            continue;
        const char *sep = seen == 0 ? "" : (seen == total - 1 ? " or " : ", ");
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", sep, role_names[i]);
        seen++;
    }
}

const char *md_perm_name(md_perm p)
{
    return p < MD_PERM_COUNT ? perm_names[p] : "?";
}

const char *md_perm_description(md_perm p)
{
    return p < MD_PERM_COUNT ? perm_descriptions[p] : "?";
}

unsigned md_perm_roles(md_perm p)
{
    return p < MD_PERM_COUNT ? perm_roles[p] : 0;
}

void md_identity_os(char out[65])
{
    struct passwd *pw = getpwuid(geteuid());
    if (pw && pw->pw_name && md_valid_username(pw->pw_name))
        snprintf(out, 65, "%s", pw->pw_name);
    else
        snprintf(out, 65, "uid-%lu", (unsigned long)geteuid());
}

md_status md_actor_resolve(md_store *s, bool read_only, md_actor *actor, md_err *err)
{
    const char *over = getenv("MODELDECK_USER");
    memset(actor, 0, sizeof *actor);
    actor->read_only = read_only;
    if (!over || !*over) {
        md_identity_os(actor->name);
        actor->source = MD_ID_OS;
        return MD_OK;
    }
    if (!md_store_allows_user_override(s))
        return md_err_set(err, MD_REFUSED,
                          "MODELDECK_USER is set, but this store was not created with 'init "
                          "--allow-user-override'; unset it to act as the OS user");
    if (!md_valid_username(over))
        return md_err_set(err, MD_INVALID, "MODELDECK_USER: '%s' is not a valid user name", over);
    snprintf(actor->name, sizeof actor->name, "%s", over);
    actor->source = MD_ID_OVERRIDE;
    return MD_OK;
}

md_status md_user_roles(md_store *s, const char *user, unsigned *mask, md_err *err)
{
    sqlite3_stmt *st;
    *mask = 0;
    if (md_sql_prepare(s, "SELECT role FROM user_roles WHERE user = ?", &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "t", user);
    bool row = true;
    md_status rc = MD_OK;
    while (rc == MD_OK && row) {
        rc = md_sql_step(s, st, &row, err);
        if (rc == MD_OK && row) {
            int r = md_role_parse((const char *)sqlite3_column_text(st, 0));
            if (r >= 0)
                *mask |= 1u << r;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

static bool store_read_only(md_store *s, char **who, char **reason)
{
    char *v = NULL;
    md_err ignored;
    md_setting_get(s, "read_only", &v, &ignored);
    bool on = v && strcmp(v, "1") == 0;
    free(v);
    if (on) {
        md_setting_get(s, "read_only_by", who, &ignored);
        md_setting_get(s, "read_only_reason", reason, &ignored);
    }
    return on;
}

/* Refuses when the session or the store is read-only. */
static md_status check_mode(md_store *s, const md_actor *actor, md_perm perm, md_err *err)
{
    const char *what = perm_descriptions[perm];
    if (actor->read_only)
        return md_err_set(err, MD_REFUSED, "this session is read-only (--read-only); cannot %s",
                          what);
    char *who = NULL, *reason = NULL;
    if (perm == MD_PERM_STORE_MODE || !store_read_only(s, &who, &reason))
        return MD_OK;
    md_err_set(err, MD_REFUSED, "the store is read-only (set by %s: %s); cannot %s",
               who ? who : "an admin", reason && *reason ? reason : "no reason given", what);
    free(who);
    free(reason);
    return MD_REFUSED;
}

md_status md_authz_role(md_store *s, const md_actor *actor, md_perm perm, md_err *err)
{
    unsigned held;
    if (md_user_roles(s, actor->name, &held, err) != MD_OK)
        return err->code;
    if (held & perm_roles[perm])
        return MD_OK;
    char need[96], have[96];
    roles_as_alternatives(perm_roles[perm], need, sizeof need);
    md_roles_format(held, have, sizeof have);
    return md_err_set(err, MD_REFUSED, "%s may not %s: that needs the %s role (holds: %s)",
                      actor->name, perm_descriptions[perm], need, have);
}

/* The checks shared by md_write_begin (inside its transaction) and md_authz_check. */
static md_status check(md_store *s, const md_actor *actor, md_perm perm, md_err *err)
{
    if (check_mode(s, actor, perm, err) != MD_OK)
        return err->code;
    return md_authz_role(s, actor, perm, err);
}

md_status md_authz_check(md_store *s, const md_actor *actor, md_perm perm, md_err *err)
{
    return check(s, actor, perm, err);
}

md_status md_write_begin(md_store *s, const md_actor *actor, md_perm perm, md_err *err)
{
    if (actor->read_only)
        return check(s, actor, perm, err);
    if (md_tx_begin(s, err) != MD_OK)
        return err->code;
    md_status rc = check(s, actor, perm, err);
    if (rc != MD_OK)
        md_tx_rollback(s);
    return rc;
}
