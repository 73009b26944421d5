/* user add|list|grant|revoke */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "users.h"

typedef md_status (*role_change)(md_store *, const md_actor *, const char *, unsigned,
                                 const char *, md_err *);

/* The shared shape of add, grant and revoke: NAME --role R[,R] [--reason R]. */
static int change_roles(cli_ctx *c, int argc, char **argv, role_change fn, const char *verb)
{
    const char *roles = NULL, *reason = NULL, *pos[1];
    const cli_opt opts[] = {{"--role", CLI_STR, &roles}, {"--reason", CLI_STR, &reason}, {0}};
    int rc = cli_parse(c, argc, argv, opts, pos, 1, 1, NULL);
    if (rc)
        return rc;
    if (!roles)
        return cli_usage_error(c, "--role is required");
    unsigned mask;
    md_err err;
    if (md_roles_parse_list(roles, &mask, &err) != MD_OK)
        return cli_usage_error(c, "--role: %s", err.msg);
    if ((rc = cli_open(c)) != 0)
        return rc;
    if (fn(c->store, &c->actor, pos[0], mask, reason, &err) != MD_OK)
        return cli_fail(c, &err);
    unsigned now = 0;
    md_user_roles(c->store, pos[0], &now, &err);
    if (c->json)
        return cli_print_json(json_pack("{s:s, s:o}", "name", pos[0], "roles", md_roles_json(now)));
    char buf[128];
    md_roles_format(now, buf, sizeof buf);
    char *safe = cli_safe(pos[0]);
    printf("%s %s; roles now: %s\n", safe, verb, buf);
    free(safe);
    return 0;
}

static int user_add(cli_ctx *c, int argc, char **argv)
{
    return change_roles(c, argc, argv, md_user_add, "added");
}

static int user_grant(cli_ctx *c, int argc, char **argv)
{
    return change_roles(c, argc, argv, md_user_grant, "updated");
}

static int user_revoke(cli_ctx *c, int argc, char **argv)
{
    return change_roles(c, argc, argv, md_user_revoke, "updated");
}

static int user_list(cli_ctx *c, int argc, char **argv)
{
    int rc = cli_parse(c, argc, argv, NULL, NULL, 0, 0, NULL);
    if (rc || (rc = cli_open(c)) != 0)
        return rc;
    md_user *users;
    size_t n;
    md_err err;
    if (md_user_list(c->store, &users, &n, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, md_user_json(&users[i]));
        cli_print_json(a);
    } else {
        static const char *const head[] = {"USER", "ROLES", "ADDED", "BY"};
        cli_table *t = cli_table_new(4, head);
        for (size_t i = 0; i < n; i++) {
            char roles[128];
            md_roles_format(users[i].roles, roles, sizeof roles);
            const char *row[] = {users[i].name, roles, users[i].created_at, users[i].created_by};
            cli_table_row(t, row);
        }
        cli_table_print(t);
        cli_table_free(t);
    }
    md_users_free(users, n);
    return 0;
}

int cmd_user(cli_ctx *c, int argc, char **argv)
{
    static const cli_command subs[] = {
        {"add", user_add, "add a user with roles (admin)",
         "user add NAME --role R[,R] [--reason R]"},
        {"list", user_list, "list users and their roles", "user list"},
        {"grant", user_grant, "give a user more roles (admin)",
         "user grant NAME --role R[,R] [--reason R]"},
        {"revoke", user_revoke, "take roles away (admin)",
         "user revoke NAME --role R[,R] [--reason R]"},
        {NULL, NULL, NULL, NULL}};
    return cli_dispatch(c, "user", subs, argc, argv);
}
