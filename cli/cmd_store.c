/* init, info and store-wide settings. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tui.h"
#include "mem.h"
#include "settings.h"
#include "text.h"
#include "users.h"

/* The identity that creates a store: MODELDECK_USER only for --allow-user-override stores. */
static int creator_identity(cli_ctx *c, bool allow, char name[65])
{
    const char *over = getenv("MODELDECK_USER");
    if (over && *over && !allow) {
        md_err err;
        md_err_set(&err, MD_REFUSED,
                   "MODELDECK_USER is set, but only stores created with --allow-user-override "
                   "honour it; unset it or pass --allow-user-override");
        return cli_fail(c, &err);
    }
    if (over && *over && !md_valid_username(over)) {
        md_err err;
        md_err_set(&err, MD_INVALID,
                   "MODELDECK_USER: '%s' is not a valid user name (letters, digits, '_', '.', "
                   "'-'; at most 64)",
                   over);
        return cli_fail(c, &err);
    }
    if (over && *over)
        snprintf(name, 65, "%s", over);
    else
        md_identity_os(name);
    return 0;
}

int cmd_init(cli_ctx *c, int argc, char **argv)
{
    bool allow = false;
    const cli_opt opts[] = {{"--allow-user-override", CLI_FLAG, &allow}, {0}};
    if (c->help)
        return cli_print_help(c);
    int rc = cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL);
    char who[65], *path = NULL;
    const char *source;
    md_err err;
    if (rc || (rc = creator_identity(c, allow, who)))
        return rc;
    if (c->read_only) {
        md_err_set(&err, MD_REFUSED, "this session is read-only (--read-only); cannot create a "
                                     "store");
        return cli_fail(c, &err);
    }
    if (md_store_resolve_path(c->db_flag, &path, &source, &err) != MD_OK ||
        md_store_create(path, who, allow, &c->store, &err) != MD_OK) {
        free(path);
        return cli_fail(c, &err);
    }
    if (c->json)
        cli_print_json(json_pack("{s:s, s:s, s:b}", "path", path, "admin", who,
                                 "allow_user_override", allow));
    else
        printf("created store %s; %s is its admin%s\n", path, who,
               allow ? " (MODELDECK_USER is honoured)" : "");
    free(path);
    return 0;
}

static const char *identity_source(const md_actor *a)
{
    return a->source == MD_ID_OVERRIDE ? "MODELDECK_USER" : "OS user";
}

static json_t *info_json(const char *path, const char *source, const md_store_info *in,
                         const md_actor *a, unsigned roles, bool exists)
{
    json_t *o = json_pack("{s:s, s:s, s:b, s:i, s:s}", "store", path, "store_source", source,
                          "exists", exists, "latest_schema", md_store_latest_schema(),
                          "sqlite_version", sqlite3_libversion());
    if (!exists)
        return o;
    json_object_set_new(o, "schema_version", json_integer(in->schema_version));
    json_object_set_new(o, "store_id", json_string(in->store_id ? in->store_id : ""));
    json_object_set_new(o, "created_at", json_string(in->created_at ? in->created_at : ""));
    json_object_set_new(o, "created_by", json_string(in->created_by ? in->created_by : ""));
    json_object_set_new(o, "journal_mode", json_string(in->journal_mode ? in->journal_mode : ""));
    json_object_set_new(o, "allow_user_override", json_boolean(in->allow_user_override));
    json_object_set_new(o, "user", json_string(a->name));
    json_object_set_new(o, "identity_source", json_string(identity_source(a)));
    json_object_set_new(o, "roles", md_roles_json(roles));
    json_object_set_new(o, "read_only_session", json_boolean(a->read_only));
    json_object_set_new(o, "read_only_store", json_boolean(in->read_only));
    if (in->read_only)
        json_object_set_new(o, "read_only_reason",
                            json_string(in->read_only_reason ? in->read_only_reason : ""));
    return o;
}

static void info_text(const char *path, const char *source, const md_store_info *in,
                      const md_actor *a, unsigned roles, bool exists)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s (from %s)", path, source);
    cli_kv("store", buf);
    if (!exists) {
        cli_kv("status", "not created yet (run 'modeldeck init')");
        return;
    }
    snprintf(buf, sizeof buf, "%d (latest %d), journal %s", in->schema_version,
             md_store_latest_schema(), in->journal_mode ? in->journal_mode : "?");
    cli_kv("schema", buf);
    snprintf(buf, sizeof buf, "%s by %s", in->created_at ? in->created_at : "?",
             in->created_by ? in->created_by : "?");
    cli_kv("created", buf);
    cli_kv("store id", in->store_id);
    snprintf(buf, sizeof buf, "%s (%s)", a->name, identity_source(a));
    cli_kv("user", buf);
    md_roles_format(roles, buf, sizeof buf);
    cli_kv("roles", buf);
    if (in->read_only)
        snprintf(buf, sizeof buf, "yes, store-wide (set by %s at %s: %s)",
                 in->read_only_by ? in->read_only_by : "?",
                 in->read_only_at ? in->read_only_at : "?",
                 in->read_only_reason ? in->read_only_reason : "");
    else
        snprintf(buf, sizeof buf, "%s", a->read_only ? "yes, this session (--read-only)" : "no");
    cli_kv("read-only", buf);
    cli_kv("MODELDECK_USER", in->allow_user_override ? "honoured" : "refused");
    cli_kv("sqlite", sqlite3_libversion());
}

int cmd_info(cli_ctx *c, int argc, char **argv)
{
    if (c->help)
        return cli_print_help(c);
    int rc = cli_parse(c, argc, argv, NULL, NULL, 0, 0, NULL);
    char *path = NULL;
    const char *source = "";
    md_err err;
    if (rc)
        return rc;
    if (md_store_resolve_path(c->db_flag, &path, &source, &err) != MD_OK)
        return cli_fail(c, &err);
    FILE *f = fopen(path, "rb");
    bool exists = f != NULL;
    if (f)
        fclose(f);
    md_store_info in = {0};
    unsigned roles = 0;
    if (exists && ((rc = cli_open(c)) != 0 || md_store_get_info(c->store, &in, &err) != MD_OK ||
                   md_user_roles(c->store, c->actor.name, &roles, &err) != MD_OK)) {
        free(path);
        md_store_info_free(&in);
        return rc ? rc : cli_fail(c, &err);
    }
    const char *config = tui_config_path();
    const char *const *themes = tui_theme_dirs();
    FILE *cf = fopen(config, "r");
    if (cf)
        fclose(cf);
    tui_problems *cp = md_xmalloc(sizeof *cp);
    tui_config_check(cp);
    if (c->json) {
        json_t *o = info_json(path, source, &in, &c->actor, roles, exists), *td = json_array(),
               *pa = json_array();
        for (const char *const *d = themes; *d; d++)
            json_array_append_new(td, json_string(*d));
        for (size_t i = 0; i < cp->n; i++)
            json_array_append_new(pa, json_string(cp->item[i].text));
        json_object_set_new(o, "console_config", json_string(config));
        json_object_set_new(o, "console_config_exists", json_boolean(cf != NULL));
        json_object_set_new(o, "console_config_problems", pa);
        json_object_set_new(o, "console_config_problems_total",
                            json_integer((json_int_t)cp->total));
        json_object_set_new(o, "theme_dirs", td);
        cli_print_json(o);
    } else {
        info_text(path, source, &in, &c->actor, roles, exists);
        char buf[640];
        snprintf(buf, sizeof buf, "%s%s", config, cf ? "" : " (absent: defaults)");
        cli_kv("console config", buf);
        for (size_t i = 0; i < cp->n; i++) {
            char *t = cli_safe(cp->item[i].text);
            cli_kv("config problem", t);
            free(t);
        }
        if (cp->total > cp->n) {
            snprintf(buf, sizeof buf, "%zu more, not listed", cp->total - cp->n);
            cli_kv("config problem", buf);
        }
        size_t n = 0;
        buf[0] = '\0';
        for (const char *const *d = themes; *d; d++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", n ? ", " : "", *d);
        cli_kv("theme dirs", buf);
    }
    free(cp);
    md_store_info_free(&in);
    free(path);
    return 0;
}

static int store_read_only(cli_ctx *c, int argc, char **argv)
{
    const char *reason = NULL, *pos[1];
    const cli_opt opts[] = {{"--reason", CLI_STR, &reason}, {0}};
    int rc = cli_parse(c, argc, argv, opts, pos, 1, 1, NULL);
    if (rc)
        return rc;
    bool on = strcmp(pos[0], "on") == 0;
    if (!on && strcmp(pos[0], "off") != 0)
        return cli_usage_error(c, "say 'on' or 'off', not '%s'", pos[0]);
    if (on && (!reason || !*reason))
        return cli_usage_error(c, "--reason is required to make the store read-only");
    md_err err;
    if ((rc = cli_open(c)) != 0)
        return rc;
    if (md_store_set_read_only(c->store, &c->actor, on, reason, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json)
        return cli_print_json(json_pack("{s:b}", "read_only", on));
    printf("the store is now %s\n", on ? "read-only" : "writable");
    return 0;
}

int cmd_store(cli_ctx *c, int argc, char **argv)
{
    static const cli_command subs[] = {
        {"read-only", store_read_only, "switch store-wide read-only mode (admin)",
         "store read-only on|off [--reason R]"},
        {NULL, NULL, NULL, NULL}};
    return cli_dispatch(c, "store", subs, argc, argv);
}
