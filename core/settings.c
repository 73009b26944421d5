#include "settings.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "mem.h"
#include "sql.h"
#include "text.h"

static void random_id(char out[33])
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1)
        md_fatal("no randomness available from libcrypto");
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

bool md_store_initialized(md_store *s)
{
    char *v = NULL;
    md_err ignored;
    bool ok = md_setting_get(s, "store_id", &v, &ignored) == MD_OK && v;
    free(v);
    return ok;
}

static md_status put_init_settings(md_store *s, const char *creator, bool allow, const char *at,
                                   const char *id, md_err *err)
{
    const char *kv[][2] = {{"store_id", id},
                           {"created_at", at},
                           {"created_by", creator},
                           {"allow_user_override", allow ? "1" : "0"},
                           {"read_only", "0"}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
        if (md_setting_put(s, kv[i][0], kv[i][1], err) != MD_OK)
            return err->code;
    return MD_OK;
}

md_status md_store_init(md_store *s, const char *creator, bool allow, md_err *err)
{
    if (!md_valid_username(creator))
        return md_err_set(err, MD_INVALID, "'%s' is not a valid user name", creator);
    if (md_tx_begin(s, err) != MD_OK)
        return err->code;
    md_status rc = MD_OK;
    if (md_store_initialized(s))
        rc = md_err_set(err, MD_ERROR, "%s is already initialized", md_store_path(s));
    char at[MD_TIME_TEXT_MAX], id[33];
    md_store_now_text(s, at);
    random_id(id);
    if (rc == MD_OK)
        rc = put_init_settings(s, creator, allow, at, id, err);
    if (rc == MD_OK)
        rc = md_sql_run(s, err, "INSERT INTO users(name, created_at, created_by) VALUES (?,?,?)",
                        "ttt", creator, at, creator);
    if (rc == MD_OK)
        rc = md_sql_run(s, err, "INSERT INTO user_roles(user, role) VALUES (?, 'admin')", "t",
                        creator);
    json_t *d = json_pack("{s:s, s:b, s:i}", "store_id", id, "allow_user_override", allow,
                          "schema", md_store_latest_schema());
    if (rc == MD_OK)
        rc = md_audit_append(s, creator, "store.init", "store", "store created", d, NULL, err);
    json_decref(d);
    return md_tx_end(s, rc, err);
}

md_status md_store_set_read_only(md_store *s, const md_actor *actor, bool on, const char *reason,
                                 md_err *err)
{
    if (md_write_begin(s, actor, MD_PERM_STORE_MODE, err) != MD_OK)
        return err->code;
    char at[MD_TIME_TEXT_MAX];
    md_store_now_text(s, at);
    md_status rc = md_setting_put(s, "read_only", on ? "1" : "0", err);
    if (rc == MD_OK)
        rc = md_setting_put(s, "read_only_by", actor->name, err);
    if (rc == MD_OK)
        rc = md_setting_put(s, "read_only_at", at, err);
    if (rc == MD_OK)
        rc = md_setting_put(s, "read_only_reason", reason ? reason : "", err);
    json_t *d = json_pack("{s:b}", "read_only", on);
    if (rc == MD_OK)
        rc = md_audit_append(s, actor->name, on ? "store.read_only.on" : "store.read_only.off",
                             "store", reason, d, NULL, err);
    json_decref(d);
    return md_tx_end(s, rc, err);
}

md_status md_store_create(const char *path, const char *creator, bool allow, md_store **out,
                          md_err *err)
{
    md_open_opts opts = {.mode = MD_OPEN_CREATE};
    *out = NULL;
    md_store *s;
    if (md_store_open(path, &opts, &s, err) != MD_OK)
        return err->code;
    if (md_store_init(s, creator, allow, err) != MD_OK) {
        bool created = md_store_created(s);
        md_store_close(s);
        if (created)
            md_store_unlink(path);
        return err->code;
    }
    *out = s;
    return MD_OK;
}

bool md_store_is_read_only(md_store *s)
{
    char *v = NULL;
    md_err ignored;
    bool on = md_setting_get(s, "read_only", &v, &ignored) == MD_OK && v && strcmp(v, "1") == 0;
    free(v);
    return on;
}
