#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "settings.h"
#include "users.h"

static char dir[256];

const char *tu_dir(void)
{
    if (!dir[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/mdtest.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        ck_assert_ptr_nonnull(mkdtemp(dir));
    }
    return dir;
}

const char *tu_path(const char *name)
{
    static char slots[8][512];
    static int next;
    char *p = slots[next++ % 8];
    snprintf(p, 512, "%s/%s", tu_dir(), name);
    return p;
}

md_store *tu_store(void)
{
    md_store *s = NULL;
    md_err err;
    unsetenv("MODELDECK_USER");
    unsetenv("MODELDECK_FAULT");
    md_status rc = md_store_create(tu_path("store.db"), "admin", true, &s, &err);
    ck_assert_msg(rc == MD_OK, "store: %s", err.msg);
    return s;
}

md_actor tu_actor(const char *name)
{
    md_actor a;
    memset(&a, 0, sizeof a);
    snprintf(a.name, sizeof a.name, "%s", name);
    a.source = MD_ID_OVERRIDE;
    return a;
}

void tu_user(md_store *s, const char *name, const char *roles)
{
    md_actor admin = tu_actor("admin");
    unsigned mask;
    md_err err;
    ck_assert_int_eq(md_roles_parse_list(roles, &mask, &err), MD_OK);
    md_status rc = md_user_add(s, &admin, name, mask, "test", &err);
    ck_assert_msg(rc == MD_OK, "user add %s: %s", name, err.msg);
}

int64_t tu_count(md_store *s, const char *sql)
{
    int64_t v = -1;
    md_err err;
    md_status rc = md_sql_int(s, &v, &err, sql, "");
    ck_assert_msg(rc == MD_OK, "%s: %s", sql, err.msg);
    return v;
}

int tu_exec(md_store *s, const char *sql)
{
    return sqlite3_exec(md_store_db(s), sql, NULL, NULL, NULL);
}

void tu_cleanup(void)
{
    if (!dir[0])
        return;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    dir[0] = '\0';
}

char *tu_snapshot(md_store *s)
{
    /* every table the schema has, so a table added later is covered without a word */
    sqlite3_stmt *names;
    ck_assert_int_eq(sqlite3_prepare_v2(md_store_db(s),
                                        "SELECT name FROM sqlite_schema WHERE type = 'table' AND"
                                        " name NOT LIKE 'sqlite_%' ORDER BY name",
                                        -1, &names, NULL),
                     SQLITE_OK);
    size_t cap = 0, n = 0;
    char *out = NULL;
    while (sqlite3_step(names) == SQLITE_ROW) {
        char sql[160];
        const char *name = (const char *)sqlite3_column_text(names, 0);
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", name);
        sqlite3_stmt *probe;
        ck_assert_int_eq(sqlite3_prepare_v2(md_store_db(s), sql, -1, &probe, NULL), SQLITE_OK);
        int ncol = sqlite3_column_count(probe);
        sqlite3_finalize(probe);
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY %s", name,
                 ncol > 1 ? "1, 2" : "1");
        out = md_xgrow(out, &cap, n + strlen(sql) + 2, 1);
        n += (size_t)snprintf(out + n, cap - n, "%s\n", sql);
        sqlite3_stmt *st;
        ck_assert_int_eq(sqlite3_prepare_v2(md_store_db(s), sql, -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                char blob[48];
                const char *v = (const char *)sqlite3_column_text(st, c);
                if (sqlite3_column_type(st, c) == SQLITE_BLOB) { /* length and a checksum */
                    const unsigned char *b = sqlite3_column_blob(st, c);
                    unsigned long h = 5381;
                    for (int i = 0; i < sqlite3_column_bytes(st, c); i++)
                        h = h * 33 + b[i];
                    snprintf(blob, sizeof blob, "blob:%d:%lx", sqlite3_column_bytes(st, c), h);
                    v = blob;
                }
                size_t len = strlen(v ? v : "NULL") + 2;
                out = md_xgrow(out, &cap, n + len + 1, 1);
                n += (size_t)snprintf(out + n, cap - n, "%s|", v ? v : "NULL");
            }
            out = md_xgrow(out, &cap, n + 2, 1);
            out[n++] = '\n';
            out[n] = '\0';
        }
        sqlite3_finalize(st);
    }
    sqlite3_finalize(names);
    return out ? out : md_xstrdup("");
}

int64_t tu_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void tu_nap_ms(int ms)
{
    nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000L}, NULL);
}

void tu_assert_has(const char *text, const char *needle)
{
    ck_assert_msg(text && strstr(text, needle), "\"%s\" not in \"%s\"", needle,
                  text ? text : "(null)");
}

void tu_assert_lacks(const char *text, const char *needle, const char *where)
{
    ck_assert_msg(!text || !strstr(text, needle), "\"%s\" found in %s", needle, where);
}

uint64_t tu_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
