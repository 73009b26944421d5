#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "authz.h"
#include "fault.h"
#include "mem.h"
#include "sql.h"
#include "stats.h"
#include "store_int.h"

sqlite3 *md_store_db(md_store *s)
{
    return s->db;
}

const char *md_store_path(const md_store *s)
{
    return s->path;
}

const char *md_store_upgrade_note(const md_store *s, bool brief)
{
    return brief ? s->upgrade_brief : s->upgrade_note;
}

const md_clock *md_store_clock(const md_store *s)
{
    return &s->clock;
}

int64_t md_store_now_ms(const md_store *s)
{
    return s->sim_now ? s->sim_now : md_clock_now_ms(&s->clock);
}

void md_store_set_now(md_store *s, int64_t ms)
{
    s->sim_now = ms;
}

void md_store_now_text(const md_store *s, char out[MD_TIME_TEXT_MAX])
{
    md_time_format(md_store_now_ms(s), out);
}

int md_store_latest_schema(void)
{
    return md_migration_count;
}

/* ---- paths ---------------------------------------------------------------------------- */

md_status md_store_resolve_path(const char *flag, char **path, const char **source, md_err *err)
{
    const char *env = getenv("MODELDECK_DB"), *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    if (flag && *flag) {
        *source = "--db";
        *path = md_xstrdup(flag);
    } else if (env && *env) {
        *source = "MODELDECK_DB";
        *path = md_xstrdup(env);
    } else if (xdg && *xdg == '/') {
        *source = "XDG_DATA_HOME";
        *path = md_xasprintf("%s/modeldeck/modeldeck.db", xdg);
    } else if (home && *home) {
        *source = "HOME";
        *path = md_xasprintf("%s/.local/share/modeldeck/modeldeck.db", home);
    } else {
        return md_err_set(err, MD_INVALID,
                          "no store path: pass --db PATH or set MODELDECK_DB (HOME is not set)");
    }
    return MD_OK;
}

/* Creates every missing directory above `path` with mode 0700. */
static md_status make_parent_dirs(const char *path, md_err *err)
{
    char *dir = md_xstrdup(path);
    char *slash = strrchr(dir, '/');
    md_status rc = MD_OK;
    if (slash && slash != dir) {
        *slash = '\0';
        for (char *p = dir + 1; rc == MD_OK; p++) {
            bool end = *p == '\0';
            if (*p != '/' && !end)
                continue;
            *p = '\0';
            if (mkdir(dir, 0700) != 0 && errno != EEXIST)
                rc = md_err_set(err, MD_ERROR, "cannot create directory %s: %s", dir,
                                strerror(errno));
            if (end)
                break;
            *p = '/';
        }
    }
    free(dir);
    return rc;
}

/* ---- transactions ------------------------------------------------------------------------ */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void md_store_set_lock_wait(md_store *s, int total_ms, md_lock_wait_fn waiting, void *ctx)
{
    s->lock_wait_ms = total_ms > 0 ? total_ms : 0;
    s->waiting = waiting;
    s->waiting_ctx = ctx;
    int each = s->lock_wait_ms ? s->lock_wait_ms / 10 : BUSY_TIMEOUT_MS; /* a tenth, then say so */
    sqlite3_busy_timeout(s->db, each < BUSY_TIMEOUT_MS ? (each > 50 ? each : 50) : BUSY_TIMEOUT_MS);
}

/* Runs BEGIN IMMEDIATE or COMMIT, retrying while another writer holds the lock. */
static int exec_retrying(md_store *s, const char *sql)
{
    long total = s->lock_wait_ms ? s->lock_wait_ms : BUSY_TOTAL_MS, pause = 5;
    int64_t start = mono_ms();
    bool told = false;
    for (;;) {
        int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL); /* the busy handler waits first */
        int64_t waited = mono_ms() - start;
        if ((rc & 0xFF) != SQLITE_BUSY || waited >= total) {
            if (told)
                s->waiting(s->waiting_ctx, true, waited);
            return rc;
        }
        if (s->waiting && !told) {
            s->waiting(s->waiting_ctx, false, waited);
            told = true;
        }
        sleep_ms(pause);
        pause = pause < 200 ? pause * 2 : 200;
    }
}

md_status md_tx_begin(md_store *s, md_err *err)
{
    if (s->in_tx)
        md_fatal("nested store transaction");
    if (exec_retrying(s, "BEGIN IMMEDIATE") != SQLITE_OK)
        return md_sql_fail(s, err, "cannot start a write");
    s->in_tx = true;
    return MD_OK;
}

md_status md_tx_commit(md_store *s, md_err *err)
{
    if (md_fault_hit("tx.commit", err))
        return md_tx_end(s, err->code, err);
    if (exec_retrying(s, "COMMIT") != SQLITE_OK) {
        md_sql_fail(s, err, "cannot commit");
        md_tx_rollback(s);
        return err->code;
    }
    s->in_tx = false;
    return MD_OK;
}

void md_tx_rollback(md_store *s)
{
    if (!s->in_tx)
        return;
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->in_tx = false;
}

bool md_tx_active(md_store *s)
{
    return s->in_tx;
}

md_status md_tx_end(md_store *s, md_status rc, md_err *err)
{
    if (rc == MD_OK)
        return md_tx_commit(s, err);
    md_tx_rollback(s);
    return rc;
}

/* ---- settings ---------------------------------------------------------------------------- */

md_status md_setting_get(md_store *s, const char *key, char **value, md_err *err)
{
    sqlite3_stmt *st;
    *value = NULL;
    if (md_sql_prepare(s, "SELECT value FROM settings WHERE key = ?", &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "t", key);
    bool row;
    md_status rc = md_sql_step(s, st, &row, err);
    if (rc == MD_OK && row)
        *value = md_sql_col_text(st, 0);
    else if (rc == MD_OK)
        rc = MD_NOTFOUND;
    sqlite3_finalize(st);
    return rc;
}

md_status md_setting_put(md_store *s, const char *key, const char *value, md_err *err)
{
    return md_sql_run(s, err,
                      "INSERT INTO settings(key, value) VALUES (?, ?)"
                      " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                      "tt", key, value);
}

/* ---- opening, migrating ---------------------------------------------------------------- */

static md_status pragma_int(md_store *s, const char *pragma, int64_t *v, md_err *err)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA %s", pragma);
    return md_sql_int(s, v, err, sql, "");
}

/* Refuses SQLite files that belong to someone else before we add tables to them. */
static md_status check_ours(md_store *s, int64_t version, md_err *err)
{
    int64_t app = 0, tables = 0;
    if (pragma_int(s, "application_id", &app, err) != MD_OK)
        return err->code;
    if (version > 0 && app == MD_APPLICATION_ID)
        return MD_OK;
    if (md_sql_int(s, &tables, err, "SELECT count(*) FROM sqlite_schema", "") != MD_OK)
        return err->code;
    if (version == 0 && app == 0 && tables == 0)
        return MD_OK;
    return md_err_set(err, MD_ERROR, "%s is an SQLite database but not a modeldeck store",
                      s->path);
}

/* chi2.sf(x, k) for migrations that recompute p-values; NULL when either is. */
static void sql_chi2_sf(sqlite3_context *c, int n, sqlite3_value **v)
{
    (void)n;
    if (sqlite3_value_type(v[0]) == SQLITE_NULL || sqlite3_value_type(v[1]) == SQLITE_NULL)
        sqlite3_result_null(c);
    else
        sqlite3_result_double(c,
                              md_chi2_sf(sqlite3_value_double(v[0]), sqlite3_value_double(v[1])));
}

/* A migration that recomputed stored figures, in the audit chain: by the OS user who ran the
 * binary that upgraded the store (the note for that user is written once all migrations ran:
 * note_upgrade). */
static md_status audit_migration(md_store *s, int index, int changed, md_err *err)
{
    const md_recompute *r = &md_migration_recomputes[index];
    char reason[256], who[65];
    snprintf(reason, sizeof reason, "%s; '%s' %s", r->what, r->command, r->purpose);
    md_identity_os(who);
    json_t *d = json_pack("{s:i, s:i}", "schema", index + 1, "rows", changed);
    md_status rc = md_audit_append(s, who, "store.migrate", "store", reason, d, NULL, err);
    json_decref(d);
    int n = s->nrecomputed;
    if (rc == MD_OK && n < (int)(sizeof s->recomputed / sizeof *s->recomputed)) {
        s->recomputed_by[n] = index;
        s->recomputed[n] = changed;
        s->nrecomputed++;
    }
    return rc;
}

/* What the upgrade from schema `from` recomputed, for the user, in full and brief: the schema
 * named is the one the store has now; when several migrations recomputed, each with its count,
 * and the last one's command (each says what to run next, `modeldeck evaluate` so far). */
static void note_upgrade(md_store *s, int64_t from)
{
    if (!s->nrecomputed)
        return;
    const md_recompute *r = &md_migration_recomputes[s->recomputed_by[s->nrecomputed - 1]];
    int n = 0, to = md_migration_count;
    char what[320] = "";
    size_t len = 0;
    for (int i = 0; i < s->nrecomputed; i++) {
        n += s->recomputed[i];
        const char *w = md_migration_recomputes[s->recomputed_by[i]].what;
        if (s->nrecomputed == 1)
            len += (size_t)snprintf(what + len, sizeof what - len, "%s", w);
        else if (len < sizeof what)
            len += (size_t)snprintf(what + len, sizeof what - len, "%s%s (%d)", i ? ", " : "", w,
                                    s->recomputed[i]);
    }
    const char *pl = n == 1 ? "" : "s";
    snprintf(s->upgrade_note, sizeof s->upgrade_note,
             "the store was upgraded from schema %lld to %d, recomputing %d window%s: %s; '%s' %s",
             (long long)from, to, n, pl, what, r->command, r->purpose);
    snprintf(s->upgrade_brief, sizeof s->upgrade_brief,
             "store upgraded to schema %d, %d window%s recomputed: run '%s'", to, n, pl,
             r->command);
}

/* PRAGMA foreign_key_check of each table named (only those a rebuild can break: a dangling row
 * elsewhere is no business of the migration): an error naming the first row whose parent is
 * missing. */
static md_status foreign_keys_hold(md_store *s, const char *const *tables, md_err *err)
{
    md_status rc = MD_OK;
    for (; rc == MD_OK && *tables; tables++) {
        char sql[96];
        snprintf(sql, sizeof sql, "PRAGMA foreign_key_check(%s)", *tables);
        sqlite3_stmt *st;
        if (md_sql_prepare(s, sql, &st, err) != MD_OK)
            return err->code;
        bool row;
        rc = md_sql_step(s, st, &row, err);
        if (rc == MD_OK && row)
            rc = md_err_set(err, MD_ERROR, "row %lld of %s names a missing row of %s",
                            (long long)sqlite3_column_int64(st, 1),
                            (const char *)sqlite3_column_text(st, 0),
                            (const char *)sqlite3_column_text(st, 2));
        sqlite3_finalize(st);
    }
    return rc;
}

static md_status apply_migration_tx(md_store *s, int index, const char *const *rebuild, md_err *err)
{
    if (md_tx_begin(s, err) != MD_OK)
        return err->code;
    int64_t now;
    md_status rc = pragma_int(s, "user_version", &now, err);
    if (rc == MD_OK && now == index) { /* another process may have migrated meanwhile */
        char sql[96];
        snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d",
                 MD_APPLICATION_ID, index + 1);
        rc = md_sql_exec(s, md_migrations[index], err);
        int changed = sqlite3_changes(s->db);
        if (rc == MD_OK && md_migration_recomputes[index].step)
            rc = md_migration_recomputes[index].step(s, &changed, err);
        if (rc == MD_OK && rebuild)
            rc = foreign_keys_hold(s, rebuild, err);
        if (rc == MD_OK && md_migration_recomputes[index].what && changed > 0)
            rc = audit_migration(s, index, changed, err);
        if (rc == MD_OK)
            rc = md_sql_exec(s, sql, err);
        if (rc != MD_OK)
            md_err_prefix(err, "migration %d", index + 1);
    }
    return md_tx_end(s, rc, err);
}

static md_status apply_migration(md_store *s, int index, md_err *err)
{
    const char *const *rebuild = md_migration_recomputes[index].rebuild_checks;
    /* outside a transaction, where SQLite takes it; on again whatever happens below */
    if (rebuild && md_sql_exec(s, "PRAGMA foreign_keys = OFF", err) != MD_OK)
        return err->code;
    md_status rc = apply_migration_tx(s, index, rebuild, err);
    if (rebuild) {
        md_err on;
        if (md_sql_exec(s, "PRAGMA foreign_keys = ON", &on) != MD_OK && rc == MD_OK) {
            *err = on;
            rc = err->code;
        }
    }
    return rc;
}

/* existing: the command works on a store that must be there (not init): an empty file is not
 * one, and is left as it was. */
static md_status migrate(md_store *s, bool read_only, bool existing, md_err *err)
{
    int64_t version;
    if (pragma_int(s, "user_version", &version, err) != MD_OK)
        return md_err_prefix(err, "%s", s->path);
    if (check_ours(s, version, err) != MD_OK)
        return err->code;
    if (existing && version == 0)
        return md_err_set(err, MD_ERROR, "%s is not initialized (run 'modeldeck init')", s->path);
    /* Only once the file is known to be ours: a no-op when it is already in WAL mode, and it
     * converts an empty file that someone else created (mktemp). */
    if (!read_only && md_sql_exec(s, "PRAGMA journal_mode = WAL", err) != MD_OK)
        return err->code;
    if (version > md_migration_count)
        return md_err_set(err, MD_ERROR,
                          "%s has schema %lld, newer than this modeldeck knows (%d); upgrade "
                          "modeldeck",
                          s->path, (long long)version, md_migration_count);
    if (version < md_migration_count && read_only)
        return md_err_set(err, MD_REFUSED,
                          "%s has schema %lld and needs upgrading to %d; run once without "
                          "--read-only",
                          s->path, (long long)version, md_migration_count);
    if (version < md_migration_count &&
        sqlite3_create_function(s->db, "md_chi2_sf", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                sql_chi2_sf, NULL, NULL) != SQLITE_OK)
        return md_err_set(err, MD_ERROR, "%s: %s", s->path, sqlite3_errmsg(s->db));
    for (int i = (int)version; i < md_migration_count; i++)
        if (apply_migration(s, i, err) != MD_OK)
            return err->code;
    note_upgrade(s, version);
    return MD_OK;
}

static md_status configure(md_store *s, md_err *err)
{
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    return md_sql_exec(s, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL", err);
}

static md_status create_file(const char *path, md_err *err)
{
    if (make_parent_dirs(path, err) != MD_OK)
        return err->code;
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0)
        return md_err_set(err, MD_ERROR, "cannot create %s: %s", path,
                          errno == EEXIST ? "a file is already there" : strerror(errno));
    close(fd);
    return MD_OK;
}

static md_status check_exists(const char *path, md_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            return md_err_set(err, MD_ERROR, "no store at %s (create one with 'modeldeck init')",
                              path);
        return md_err_set(err, MD_ERROR, "cannot open %s: %s", path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode))
        return md_err_set(err, MD_ERROR, "cannot open %s: not a regular file", path);
    return MD_OK;
}

void md_store_unlink(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char *p = md_xasprintf("%s%s", path, suffixes[i]);
        unlink(p);
        free(p);
    }
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* A store that is only half made (an interrupted init) is not one to work on. */
static md_status check_initialized(md_store *s, md_err *err)
{
    char *id = NULL;
    md_err ignored;
    md_setting_get(s, "store_id", &id, &ignored);
    bool ok = id != NULL;
    free(id);
    if (ok)
        return MD_OK;
    return md_err_set(err, MD_ERROR, "%s is not initialized (run 'modeldeck init')", s->path);
}

md_status md_store_open(const char *path, const md_open_opts *opts, md_store **out, md_err *err)
{
    bool create = opts->mode == MD_OPEN_CREATE && !file_exists(path);
    *out = NULL;
    md_store *s = md_xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->kept_lock, NULL);
    s->path = md_xstrdup(path);
    md_status rc = md_clock_from_env(&s->clock, err);
    if (rc == MD_OK)
        rc = create ? create_file(path, err) : check_exists(path, err);
    bool created = create && rc == MD_OK;
    if (rc == MD_OK &&
        sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL) !=
            SQLITE_OK)
        rc = md_err_set(err, MD_ERROR, "cannot open %s: %s", path,
                        s->db ? sqlite3_errmsg(s->db) : "out of memory");
    if (rc == MD_OK)
        rc = configure(s, err);
    if (rc == MD_OK)
        rc = migrate(s, opts->read_only, opts->mode == MD_OPEN_EXISTING, err);
    if (rc == MD_OK && opts->mode == MD_OPEN_EXISTING)
        rc = check_initialized(s, err);
    if (rc == MD_OK && opts->read_only)
        rc = md_sql_exec(s, "PRAGMA query_only = ON", err);
    if (rc != MD_OK && s->db && sqlite3_errcode(s->db) == SQLITE_NOTADB)
        md_err_set(err, MD_ERROR, "%s is not a modeldeck store (not an SQLite database)", path);
    if (rc != MD_OK) {
        md_store_close(s);
        if (created)
            md_store_unlink(path);
        return rc;
    }
    s->created = created;
    *out = s;
    return MD_OK;
}

bool md_store_created(const md_store *s)
{
    return s->created;
}

void md_store_close(md_store *s)
{
    if (!s)
        return;
    md_tx_rollback(s);
    for (size_t i = 0; i < s->nkept; i++) {
        sqlite3_finalize(s->kept[i].st);
        free(s->kept[i].text);
    }
    pthread_mutex_destroy(&s->kept_lock);
    if (s->db)
        sqlite3_close_v2(s->db);
    free(s->path);
    free(s);
}

/* ---- info -------------------------------------------------------------------------------- */

static char *setting_or_null(md_store *s, const char *key)
{
    char *v = NULL;
    md_err ignored;
    md_setting_get(s, key, &v, &ignored);
    return v;
}

static bool setting_flag(md_store *s, const char *key)
{
    char *v = setting_or_null(s, key);
    bool on = v && strcmp(v, "1") == 0;
    free(v);
    return on;
}

bool md_store_allows_user_override(md_store *s)
{
    return setting_flag(s, "allow_user_override");
}

md_status md_store_get_info(md_store *s, md_store_info *info, md_err *err)
{
    memset(info, 0, sizeof *info);
    int64_t v;
    if (pragma_int(s, "user_version", &v, err) != MD_OK)
        return err->code;
    info->schema_version = (int)v;
    info->store_id = setting_or_null(s, "store_id");
    info->created_at = setting_or_null(s, "created_at");
    info->created_by = setting_or_null(s, "created_by");
    info->allow_user_override = setting_flag(s, "allow_user_override");
    info->read_only = setting_flag(s, "read_only");
    info->read_only_by = setting_or_null(s, "read_only_by");
    info->read_only_at = setting_or_null(s, "read_only_at");
    info->read_only_reason = setting_or_null(s, "read_only_reason");
    sqlite3_stmt *st;
    if (md_sql_prepare(s, "PRAGMA journal_mode", &st, err) != MD_OK)
        return err->code;
    bool row;
    if (md_sql_step(s, st, &row, err) == MD_OK && row)
        info->journal_mode = md_sql_col_text(st, 0);
    sqlite3_finalize(st);
    return MD_OK;
}

void md_store_info_free(md_store_info *info)
{
    free(info->store_id);
    free(info->created_at);
    free(info->created_by);
    free(info->read_only_by);
    free(info->read_only_at);
    free(info->read_only_reason);
    free(info->journal_mode);
    memset(info, 0, sizeof *info);
}

md_status md_store_data_version(md_store *s, int64_t *version, md_err *err)
{
    return pragma_int(s, "data_version", version, err);
}
