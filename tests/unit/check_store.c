/* store: migrations, opening rules, paths and permissions, statements kept for reuse. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "mem.h"
#include "monitoring.h"
#include "policies.h"
#include "promotions.h"
#include "settings.h"
#include "sql.h"
#include "testutil.h"

static void teardown(void)
{
    tu_cleanup();
}

/* The schema as text: every object's SQL, in a stable order. */
static char *schema_text(md_store *s)
{
    sqlite3_stmt *st;
    md_err err;
    ck_assert_int_eq(md_sql_prepare(s,
                                    "SELECT group_concat(sql, ';') FROM (SELECT sql FROM"
                                    " sqlite_schema WHERE sql IS NOT NULL ORDER BY name)",
                                    &st, &err),
                     MD_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    char *t = md_sql_col_text(st, 0);
    sqlite3_finalize(st);
    return t;
}

START_TEST(empty_to_latest)
{
    md_store *s = tu_store();
    ck_assert_int_eq(tu_count(s, "PRAGMA user_version"), md_store_latest_schema());
    ck_assert_int_eq(tu_count(s, "PRAGMA application_id"), MD_APPLICATION_ID);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM sqlite_schema WHERE name IN ('models',"
                                 " 'versions', 'audit', 'users', 'user_roles', 'stage_history')"),
                     6);
    ck_assert_int_eq(tu_count(s, "PRAGMA foreign_keys"), 1);
    md_store_info info;
    md_err err;
    ck_assert_int_eq(md_store_get_info(s, &info, &err), MD_OK);
    ck_assert_str_eq(info.journal_mode, "wal");
    ck_assert_str_eq(info.created_by, "admin");
    md_store_info_free(&info);
    md_store_close(s);
}
END_TEST

START_TEST(latest_to_latest_changes_nothing)
{
    md_store *s = tu_store();
    char *before = schema_text(s);
    int64_t audit = tu_count(s, "SELECT count(*) FROM audit");
    md_store_close(s);
    for (int i = 0; i < 3; i++) {
        md_open_opts o = {MD_OPEN_EXISTING, false};
        md_err err;
        ck_assert_int_eq(md_store_open(tu_path("store.db"), &o, &s, &err), MD_OK);
        ck_assert_int_eq(sqlite3_total_changes(md_store_db(s)), 0);
        ck_assert_str_eq(md_store_upgrade_note(s, false), "");
        char *after = schema_text(s);
        ck_assert_str_eq(before, after);
        ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit"), audit);
        free(after);
        md_store_close(s);
    }
    free(before);
}
END_TEST

START_TEST(newer_schema_refused)
{
    md_store *s = tu_store();
    ck_assert_int_eq(tu_exec(s, "PRAGMA user_version = 999"), SQLITE_OK);
    md_store_close(s);
    md_open_opts o = {MD_OPEN_EXISTING, false};
    md_err err;
    ck_assert_int_eq(md_store_open(tu_path("store.db"), &o, &s, &err), MD_ERROR);
    ck_assert_ptr_nonnull(strstr(err.msg, "newer"));
}
END_TEST

/* One text of a query's single value (NULL as "null"). */
static char *one_text(md_store *s, const char *sql)
{
    sqlite3_stmt *st;
    md_err err;
    ck_assert_int_eq(md_sql_prepare(s, sql, &st, &err), MD_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    char *t = md_sql_col_text(st, 0);
    sqlite3_finalize(st);
    return t ? t : strdup("null");
}

/* A store of schema 9 held the Hosmer-Lemeshow p-value on g degrees of freedom; migration 10
 * puts every stored one on g - 2, as a fresh ingest computes it, in one audited step. A window
 * without a p-value keeps none, one already right is not counted, and one whose deciles are
 * not JSON (edited by hand) is left as it is rather than lock the store at schema 9. */
START_TEST(hl_pvalue_migration_recomputes_stored_windows)
{
    md_store *s = mon_store();
    char *log = mon_rows_csv(6000, 6, 0, false, true);
    md_ingest_report rep;
    md_err err;
    ck_assert_int_eq(mon_ingest(s, mon_write_file("log.csv", log), NULL, &rep, &err), MD_OK);
    free(log);
    const char *values = "SELECT group_concat(window || '=' || iif(hl_pvalue IS NULL, 'null',"
                         " printf('%.17g', hl_pvalue)), ' ') FROM (SELECT * FROM windows"
                         " ORDER BY window)";
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM windows WHERE hl_pvalue IS NOT NULL"), 6);
    char *want = one_text(s, "SELECT group_concat(window || '=' || CASE window"
                             " WHEN '2026-10-01' THEN 'null' WHEN '2026-10-02' THEN '0.5'"
                             " ELSE printf('%.17g', hl_pvalue) END, ' ')"
                             " FROM (SELECT * FROM windows ORDER BY window)");
    /* as schema 9 left them: other p-values (but 10-03's), one window with none, one edited */
    ck_assert_int_eq(tu_exec(s, "UPDATE windows SET hl_pvalue = hl_pvalue * 1.5 + 0.01"
                                " WHERE window >= '2026-10-04'"),
                     SQLITE_OK);
    ck_assert_int_eq(tu_exec(s, "UPDATE windows SET hl_pvalue = NULL WHERE window = '2026-10-01'"),
                     SQLITE_OK);
    ck_assert_int_eq(tu_exec(s, "UPDATE windows SET hl_pvalue = 0.5, deciles = 'not json'"
                                " WHERE window = '2026-10-02'"),
                     SQLITE_OK);
    char *before = one_text(s, values);
    /* schema 9 had none of migration 11's columns either */
    ck_assert_int_eq(tu_exec(s, "ALTER TABLE drift DROP COLUMN new_distinct;"
                                "ALTER TABLE drift DROP COLUMN new_estimated;"
                                "ALTER TABLE drift DROP COLUMN psi_max;"
                                "PRAGMA user_version = 9"),
                     SQLITE_OK);
    int64_t audit = tu_count(s, "SELECT count(*) FROM audit");
    md_store_close(s);
    md_open_opts o = {MD_OPEN_EXISTING, false};
    ck_assert_int_eq(md_store_open(tu_path("store.db"), &o, &s, &err), MD_OK);
    ck_assert_int_eq(tu_count(s, "PRAGMA user_version"), md_store_latest_schema());
    char *got = one_text(s, values);
    ck_assert_str_eq(got, want);
    ck_assert_str_ne(before, want);
    /* the user is told, and what to run next (the CLI prints it, the console shows it) */
    /* naming the schema the store has now, not the migration's */
    char note[512], brief[96];
    snprintf(note, sizeof note,
             "the store was upgraded from schema 9 to %d, recomputing 3 windows: hl_pvalue on"
             " g - 2 degrees of freedom; 'modeldeck evaluate' applies the incident rules to the"
             " new values",
             md_store_latest_schema());
    snprintf(brief, sizeof brief,
             "store upgraded to schema %d, 3 windows recomputed: run 'modeldeck evaluate'",
             md_store_latest_schema());
    ck_assert_str_eq(md_store_upgrade_note(s, false), note);
    ck_assert_str_eq(md_store_upgrade_note(s, true), brief);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit"), audit + 1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit WHERE action = 'store.migrate' AND"
                                 " object = 'store' AND json_extract(details, '$.schema') = 10 AND"
                                 " json_extract(details, '$.rows') = 3"),
                     1);
    md_audit_verdict v;
    ck_assert_int_eq(md_audit_verify(s, &v, &err), MD_OK);
    ck_assert_msg(v.ok, "%s", v.problem);
    free(want), free(before), free(got);
    md_store_close(s);
}
END_TEST

/* Stores up to schema 12 read a difference of ratios a rounding error below the threshold it
 * equals as below it (0.3 - 0.1 is 0.19999999999999998, missing delta's alert is 0.2); migration
 * 13 gives stored drift rows the status a fresh ingest gives them, audited, and says so. */
START_TEST(threshold_migration_restatuses_stored_rows)
{
    md_store *s = mon_store();
    char *log = mon_rows_csv(3000, 3, 0, false, true);
    md_ingest_report rep;
    md_err err;
    ck_assert_int_eq(mon_ingest(s, mon_write_file("log.csv", log), NULL, &rep, &err), MD_OK);
    free(log);
    const char *row = "(SELECT d.rowid FROM drift d JOIN windows w ON w.id = d.window_id"
                      " WHERE w.window = '2026-10-02' AND d.kind = 'numeric' AND d.status = 'ok'"
                      " ORDER BY d.position LIMIT 1)";
    char *sql = md_xasprintf("UPDATE drift SET missing_delta = 0.3 - 0.1, missing_pvalue = NULL,"
                             " status = 'warn' WHERE rowid = %s",
                             row);
    char *pick = md_xasprintf("SELECT %s", row);
    int64_t rowid = tu_count(s, pick);
    free(pick);
    ck_assert_int_gt(rowid, 0);
    ck_assert_int_eq(tu_exec(s, sql), SQLITE_OK);
    free(sql);
    ck_assert_int_eq(tu_exec(s, "UPDATE windows SET status = 'warn' WHERE window = '2026-10-02'"
                                " AND status = 'ok'"),
                     SQLITE_OK);
    ck_assert_int_eq(tu_count(s, "SELECT 0.3 - 0.1 < 0.2"), 1); /* the case at hand */
    ck_assert_int_eq(tu_exec(s, "PRAGMA user_version = 12"), SQLITE_OK);
    int64_t audit = tu_count(s, "SELECT count(*) FROM audit");
    md_store_close(s);
    md_open_opts o = {MD_OPEN_EXISTING, false};
    ck_assert_int_eq(md_store_open(tu_path("store.db"), &o, &s, &err), MD_OK);
    ck_assert_int_eq(tu_count(s, "PRAGMA user_version"), md_store_latest_schema());
    char *got =
        md_xasprintf("SELECT status = 'alert' FROM drift WHERE rowid = %lld", (long long)rowid);
    ck_assert_int_eq(tu_count(s, got), 1);
    free(got);
    ck_assert_int_eq(
        tu_count(s, "SELECT status = 'alert' FROM windows WHERE window = '2026-10-02'"), 1);
    /* only that row changed: every other stored status is what the ingest gave it */
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit"), audit + 1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit WHERE action = 'store.migrate' AND"
                                 " json_extract(details, '$.schema') = 13 AND"
                                 " json_extract(details, '$.rows') = 1"),
                     1);
    ck_assert_str_eq(md_store_upgrade_note(s, true),
                     "store upgraded to schema 14, 1 window recomputed: run 'modeldeck evaluate'");
    md_store_close(s);
    /* opened again: nothing left to do, nothing said */
    ck_assert_int_eq(md_store_open(tu_path("store.db"), &o, &s, &err), MD_OK);
    ck_assert_str_eq(md_store_upgrade_note(s, true), "");
    /* a policy this binary cannot read: its model's statuses stay, and the store still opens */
    sql = md_xasprintf("UPDATE drift SET status = 'warn' WHERE rowid = %lld;"
                       "INSERT INTO policies(model_id, revision, document, at, actor, reason)"
                       " SELECT id, 99, '{\"drift\": {\"psi\": {\"warn\": \"high\"}}}',"
                       " '2026-10-01T00:00:00Z', 'admin', 'edited' FROM models;"
                       "PRAGMA user_version = 12",
                       (long long)rowid);
    ck_assert_int_eq(tu_exec(s, sql), SQLITE_OK);
    free(sql);
    md_store_close(s);
    ck_assert_int_eq(md_store_open(tu_path("store.db"), &o, &s, &err), MD_OK);
    ck_assert_int_eq(tu_count(s, "PRAGMA user_version"), md_store_latest_schema());
    got = md_xasprintf("SELECT status = 'warn' FROM drift WHERE rowid = %lld", (long long)rowid);
    ck_assert_int_eq(tu_count(s, got), 1);
    free(got);
    md_policy p;
    ck_assert_int_eq(md_policy_load(s, "churn", &p, &err), MD_INVALID); /* unreadable indeed */
    /* from schema 9, with a policy readable again: both recomputing migrations changed rows,
     * and the note names each with its count, the brief one their sum */
    int64_t hl = tu_count(s, "SELECT count(*) FROM windows WHERE hl_pvalue IS NOT NULL");
    ck_assert_int_gt(hl, 0);
    ck_assert_int_eq(tu_exec(s, "DELETE FROM policies WHERE revision = 99;"
                                "UPDATE windows SET hl_pvalue = hl_pvalue / 2;"
                                "ALTER TABLE drift DROP COLUMN new_distinct;"
                                "ALTER TABLE drift DROP COLUMN new_estimated;"
                                "ALTER TABLE drift DROP COLUMN psi_max;"
                                "PRAGMA user_version = 9"),
                     SQLITE_OK);
    md_store_close(s);
    ck_assert_int_eq(md_store_open(tu_path("store.db"), &o, &s, &err), MD_OK);
    char *want = md_xasprintf(
        "the store was upgraded from schema 9 to 14, recomputing %lld windows: hl_pvalue on g - 2"
        " degrees of freedom (%lld), drift statuses within 1e-12 of a threshold read as meeting"
        " it (1); 'modeldeck evaluate' applies the incident rules to the new statuses",
        (long long)hl + 1, (long long)hl);
    ck_assert_str_eq(md_store_upgrade_note(s, false), want);
    free(want);
    want = md_xasprintf("store upgraded to schema 14, %lld windows recomputed: run 'modeldeck"
                        " evaluate'",
                        (long long)hl + 1);
    ck_assert_str_eq(md_store_upgrade_note(s, true), want);
    free(want);
    md_store_close(s);
}
END_TEST

/* The requests table as schemas 1 to 13 had it (no 'withdrawn' state, no withdrawal columns),
 * built in place of the current one as migration 14 builds it the other way. */
static void requests_as_schema_13(md_store *s)
{
    ck_assert_int_eq(
        tu_exec(s, "PRAGMA foreign_keys = OFF;"
                   "CREATE TABLE requests_old (id INTEGER PRIMARY KEY,"
                   " model_id INTEGER NOT NULL REFERENCES models(id),"
                   " version_id INTEGER NOT NULL REFERENCES versions(id),"
                   " target TEXT NOT NULL CHECK (target IN ('staging', 'production')),"
                   " state TEXT NOT NULL CHECK (state IN ('pending', 'executed', 'rejected',"
                   " 'expired')), requested_by TEXT NOT NULL, requested_at TEXT NOT NULL,"
                   " reason TEXT NOT NULL, expires_at TEXT NOT NULL,"
                   " approvals_required INTEGER NOT NULL, gates_at_request TEXT NOT NULL,"
                   " gates_at_execution TEXT, decided_at TEXT);"
                   "INSERT INTO requests_old SELECT id, model_id, version_id, target, state,"
                   " requested_by, requested_at, reason, expires_at, approvals_required,"
                   " gates_at_request, gates_at_execution, decided_at FROM requests;"
                   "DROP TRIGGER approvals_four_eyes;"
                   "DROP TABLE requests;"
                   "ALTER TABLE requests_old RENAME TO requests;"
                   "CREATE TRIGGER approvals_four_eyes BEFORE INSERT ON approvals"
                   "  WHEN NEW.approver = (SELECT requested_by FROM requests WHERE id ="
                   " NEW.request_id)  BEGIN SELECT RAISE(ABORT, 'four eyes: a requester cannot"
                   " decide their own request'); END;"
                   "CREATE INDEX requests_model ON requests(model_id, state);"
                   "PRAGMA user_version = 13;"
                   "PRAGMA foreign_keys = ON"),
        SQLITE_OK);
}

/* Migration 14 builds the requests table again, so that a request may be withdrawn: every
 * request keeps its row and its approvals and overrides their links; the four-eyes trigger and
 * the index are there again; foreign keys are on after it. A store whose rows name a missing
 * request is not upgraded: the migration checks the keys it had to turn off, and nothing of it
 * stays; a dangling row elsewhere (an incident note) is none of its business. */
START_TEST(withdrawal_migration_keeps_requests)
{
    md_store *s = tu_world();
    md_actor op = tu_actor("operator"), ap = tu_actor("approver"), ad = tu_actor("admin");
    md_err err;
    int64_t id, other;
    json_t *gates;
    ck_assert_int_eq(
        md_promote_request(s, &op, "churn", 1, "production", "ready", &id, &gates, &err), MD_OK);
    json_decref(gates);
    ck_assert_int_eq(
        md_promote_request(s, &op, "churn", 1, "staging", "try it", &other, &gates, &err), MD_OK);
    json_decref(gates);
    md_decision d;
    ck_assert_int_eq(md_request_approve(s, &ap, id, "fine", NULL, NULL, &d, &err), MD_OK);
    const char *over[] = {"baseline_present", NULL};
    ck_assert_int_eq(md_request_approve(s, &ad, id, "past it", over, "audit asked", &d, &err),
                     MD_OK);
    ck_assert_int_eq(md_request_reject(s, &ap, other, "not now", &err), MD_OK);
    const char *rows =
        "SELECT group_concat(id || state || requested_by || coalesce(decided_at, ''))"
        " || (SELECT group_concat(request_id || approver || decision) FROM approvals)"
        " || (SELECT group_concat(request_id || gate || actor) FROM gate_overrides)"
        " FROM requests";
    char *before = md_xasprintf("%lld", (long long)tu_count(s, "SELECT count(*) FROM approvals"));
    char *was = NULL;
    {
        sqlite3_stmt *st;
        ck_assert_int_eq(sqlite3_prepare_v2(md_store_db(s), rows, -1, &st, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        was = md_xstrdup((const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    requests_as_schema_13(s);
    ck_assert_int_ne(tu_exec(s, "UPDATE requests SET state = 'withdrawn' WHERE id = 1"), SQLITE_OK);
    /* a dangling row the rebuild cannot have made is not the migration's to judge */
    ck_assert_int_eq(tu_exec(s, "PRAGMA foreign_keys = OFF;"
                                "INSERT INTO incident_notes(incident_id, at, actor, text)"
                                " VALUES (4242, 'x', 'y', 'z');"
                                "PRAGMA foreign_keys = ON"),
                     SQLITE_OK);
    md_store_close(s);

    md_open_opts o = {MD_OPEN_EXISTING, false};
    ck_assert_int_eq(md_store_open(tu_path("store.db"), &o, &s, &err), MD_OK);
    ck_assert_int_eq(tu_count(s, "PRAGMA user_version"), md_store_latest_schema());
    ck_assert_int_eq(tu_count(s, "PRAGMA foreign_keys"), 1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM pragma_foreign_key_check"), 1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM pragma_foreign_key_check('approvals')"), 0);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM sqlite_schema WHERE"
                                 " (type = 'trigger' AND name = 'approvals_four_eyes') OR"
                                 " (type = 'index' AND name = 'requests_model')"),
                     2);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM sqlite_schema WHERE name LIKE '%_new'"), 0);
    {
        sqlite3_stmt *st;
        ck_assert_int_eq(sqlite3_prepare_v2(md_store_db(s), rows, -1, &st, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), was);
        sqlite3_finalize(st);
    }
    char *after = md_xasprintf("%lld", (long long)tu_count(s, "SELECT count(*) FROM approvals"));
    ck_assert_str_eq(before, after);
    /* four eyes still held by the store, and the keys enforced */
    ck_assert_int_ne(
        tu_exec(s, "INSERT INTO approvals VALUES (2, 'operator', 'approve', 'x', 'y')"), SQLITE_OK);
    ck_assert_int_ne(tu_exec(s, "INSERT INTO approvals VALUES (99, 'ann', 'approve', 'x', 'y')"),
                     SQLITE_OK);
    ck_assert_int_eq(tu_exec(s, "UPDATE requests SET state = 'withdrawn' WHERE id = 2;"
                                "UPDATE requests SET state = 'rejected' WHERE id = 2"),
                     SQLITE_OK);

    /* a dangling approval: the upgrade stops, and the store stays at schema 13 as it was */
    requests_as_schema_13(s);
    ck_assert_int_eq(tu_exec(s, "PRAGMA foreign_keys = OFF;"
                                "INSERT INTO approvals VALUES (77, 'ann', 'approve', 'x', 'y');"
                                "PRAGMA foreign_keys = ON"),
                     SQLITE_OK);
    md_store_close(s);
    ck_assert_int_ne(md_store_open(tu_path("store.db"), &o, &s, &err), MD_OK);
    ck_assert_msg(strstr(err.msg, "migration 14: row") &&
                      strstr(err.msg, "of approvals names a"
                                      " missing row of requests"),
                  "%s", err.msg);
    md_open_opts raw = {MD_OPEN_EXISTING, true}; /* read-only: no migration */
    ck_assert_int_ne(md_store_open(tu_path("store.db"), &raw, &s, &err), MD_OK);
    ck_assert_msg(strstr(err.msg, "has schema 13 and needs upgrading"), "%s", err.msg);
    free(before);
    free(after);
    free(was);
}
END_TEST

START_TEST(foreign_files_refused)
{
    md_open_opts o = {MD_OPEN_EXISTING, false};
    md_store *s;
    md_err err;
    /* Someone else's SQLite database is not touched. */
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(tu_path("other.db"), &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    ck_assert_int_eq(md_store_open(tu_path("other.db"), &o, &s, &err), MD_ERROR);
    ck_assert_ptr_nonnull(strstr(err.msg, "not a modeldeck store"));
    ck_assert_int_eq(sqlite3_open(tu_path("other.db"), &db), SQLITE_OK);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL);
    sqlite3_step(st);
    ck_assert_int_eq(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
    /* A text file. */
    FILE *f = fopen(tu_path("notes.txt"), "w");
    fputs("hello, this is not a database at all, just some words to fill a page\n", f);
    fclose(f);
    ck_assert_int_eq(md_store_open(tu_path("notes.txt"), &o, &s, &err), MD_ERROR);
    ck_assert_ptr_nonnull(strstr(err.msg, "not a modeldeck store"));
    /* Nothing there. */
    ck_assert_int_eq(md_store_open(tu_path("missing.db"), &o, &s, &err), MD_ERROR);
    ck_assert_ptr_nonnull(strstr(err.msg, "modeldeck init"));
    ck_assert_int_eq(access(tu_path("missing.db"), F_OK), -1);
}
END_TEST

START_TEST(new_store_is_private)
{
    const char *path = tu_path("a/b/c/store.db");
    md_store *s;
    md_err err;
    ck_assert_int_eq(md_store_create(path, "admin", false, &s, &err), MD_OK);
    md_store_close(s);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    ck_assert_int_eq(stat(tu_path("a/b/c"), &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0700);
    ck_assert_int_eq(stat(tu_path("a"), &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0700);
}
END_TEST

START_TEST(init_twice_refused)
{
    md_store *s = tu_store();
    md_err err;
    int64_t audit = tu_count(s, "SELECT count(*) FROM audit");
    ck_assert_int_eq(md_store_init(s, "mallory", true, &err), MD_ERROR);
    ck_assert_ptr_nonnull(strstr(err.msg, "already initialized"));
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit"), audit);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM users WHERE name = 'mallory'"), 0);
    md_store_close(s);
}
END_TEST

START_TEST(interrupted_init_is_completed_not_used)
{
    md_open_opts create = {MD_OPEN_CREATE, false}, existing = {MD_OPEN_EXISTING, false};
    md_store *s;
    md_err err;
    ck_assert_int_eq(md_store_open(tu_path("half.db"), &create, &s, &err), MD_OK);
    md_store_close(s); /* schema made, never initialized */
    ck_assert_int_eq(md_store_open(tu_path("half.db"), &existing, &s, &err), MD_ERROR);
    ck_assert_ptr_nonnull(strstr(err.msg, "not initialized"));
    ck_assert_int_eq(md_store_create(tu_path("half.db"), "admin", false, &s, &err), MD_OK);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit"), 1);
    md_store_close(s);
}
END_TEST

START_TEST(path_resolution_order)
{
    char *path;
    const char *src;
    md_err err;
    setenv("HOME", "/home/h", 1);
    setenv("XDG_DATA_HOME", "/xdg", 1);
    setenv("MODELDECK_DB", "/env/store.db", 1);
    ck_assert_int_eq(md_store_resolve_path("/flag.db", &path, &src, &err), MD_OK);
    ck_assert_str_eq(path, "/flag.db");
    ck_assert_str_eq(src, "--db");
    free(path);
    ck_assert_int_eq(md_store_resolve_path(NULL, &path, &src, &err), MD_OK);
    ck_assert_str_eq(path, "/env/store.db");
    free(path);
    unsetenv("MODELDECK_DB");
    ck_assert_int_eq(md_store_resolve_path(NULL, &path, &src, &err), MD_OK);
    ck_assert_str_eq(path, "/xdg/modeldeck/modeldeck.db");
    free(path);
    unsetenv("XDG_DATA_HOME");
    ck_assert_int_eq(md_store_resolve_path(NULL, &path, &src, &err), MD_OK);
    ck_assert_str_eq(path, "/home/h/.local/share/modeldeck/modeldeck.db");
    free(path);
}
END_TEST

START_TEST(read_only_session_cannot_write_even_raw)
{
    md_store *s = tu_store();
    md_store_close(s);
    md_open_opts o = {MD_OPEN_EXISTING, true};
    md_err err;
    ck_assert_int_eq(md_store_open(tu_path("store.db"), &o, &s, &err), MD_OK);
    ck_assert_int_ne(tu_exec(s, "INSERT INTO settings VALUES ('x', 'y')"), SQLITE_OK);
    md_store_close(s);
}
END_TEST

START_TEST(data_version_sees_other_writers)
{
    md_store *a = tu_store(), *b;
    md_open_opts o = {MD_OPEN_EXISTING, false};
    md_err err;
    ck_assert_int_eq(md_store_open(tu_path("store.db"), &o, &b, &err), MD_OK);
    int64_t v1, v2;
    ck_assert_int_eq(md_store_data_version(a, &v1, &err), MD_OK);
    tu_user(b, "zoe", "viewer");
    ck_assert_int_eq(md_store_data_version(a, &v2, &err), MD_OK);
    ck_assert_int_ne(v1, v2);
    md_store_close(b);
    md_store_close(a);
}
END_TEST

typedef struct {
    md_store *s;
    int wrong; /* answers that were not the count asked for */
} kept_race;

static void *count_below(void *arg)
{
    kept_race *r = arg;
    md_err err;
    for (int64_t i = 0; i < 3000; i++) {
        int64_t got = -1, x = i % 250; /* the keys are 0 .. 200 and 202 */
        int64_t want = x <= 201 ? x : x == 202 ? 201 : 202;
        if (md_sql_int(r->s, &got, &err, "SELECT count(*) FROM t WHERE k < ?", "i", x) != MD_OK ||
            got != want)
            r->wrong++;
    }
    return NULL;
}

/* md_sql_run and md_sql_int keep their prepared statements for the next call with the same
 * SQL: the text decides, not where it lies (a buffer written anew runs its new text); a kept
 * statement starts with no old bindings, works again after a failed step and after a rollback,
 * and a statement in use is not handed out twice (two threads on one store). */
START_TEST(kept_statements_run_what_they_are_given)
{
    md_store *s = tu_store();
    md_err err;
    ck_assert_int_eq(md_sql_exec(s, "CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT NOT NULL)", &err),
                     MD_OK);
    char sql[64];
    int64_t got = 0;
    for (int i = 1; i <= 3; i++) { /* one buffer, three texts */
        snprintf(sql, sizeof sql, "SELECT %d * 10", i);
        ck_assert_int_eq(md_sql_int(s, &got, &err, sql, NULL), MD_OK);
        ck_assert_int_eq(got, i * 10);
    }
    for (int64_t k = 0; k < 200; k++)
        ck_assert_int_eq(md_sql_run(s, &err, "INSERT INTO t(k, v) VALUES (?, ?)", "it", k, "x"),
                         MD_OK);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM t"), 200);
    /* a failed step (the key is taken, then v is NULL), then the same statement again */
    ck_assert_int_ne(
        md_sql_run(s, &err, "INSERT INTO t(k, v) VALUES (?, ?)", "it", (int64_t)5, "y"), MD_OK);
    ck_assert_int_ne(md_sql_run(s, &err, "INSERT INTO t(k, v) VALUES (?, ?)", "i", (int64_t)500),
                     MD_OK); /* no old binding left for v */
    ck_assert_int_eq(
        md_sql_run(s, &err, "INSERT INTO t(k, v) VALUES (?, ?)", "it", (int64_t)200, "z"), MD_OK);
    ck_assert_int_eq(md_tx_begin(s, &err), MD_OK);
    ck_assert_int_eq(
        md_sql_run(s, &err, "INSERT INTO t(k, v) VALUES (?, ?)", "it", (int64_t)201, "w"), MD_OK);
    md_tx_rollback(s);
    ck_assert_int_eq(
        md_sql_run(s, &err, "INSERT INTO t(k, v) VALUES (?, ?)", "it", (int64_t)202, "v"), MD_OK);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM t"), 202);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM t WHERE k = 201"), 0);
    /* two threads on one store, one SQL (a job's cancel watch does this): each call gets a
     * statement no one else is stepping, and its own answer */
    pthread_t t;
    kept_race a = {s, 0}, b = {s, 0};
    pthread_create(&t, NULL, count_below, &a);
    count_below(&b);
    pthread_join(t, NULL);
    ck_assert_int_eq(a.wrong, 0);
    ck_assert_int_eq(b.wrong, 0);
    md_store_close(s);
}
END_TEST

/* A write that meets another writer's lock waits as long as its store is set to, says so once
 * partway and once at the end (the console's status line and its dropped keys), and gives up
 * with a message naming the wait; once the lock is gone, the next write goes through. */
typedef struct {
    int started, ended;
    int64_t waited;
} lock_calls;

static void on_lock_wait(void *ctx, bool done, int64_t waited_ms)
{
    lock_calls *c = ctx;
    if (done) {
        c->ended++;
        c->waited = waited_ms;
    } else {
        c->started++;
    }
}

START_TEST(a_write_waits_for_the_lock_as_long_as_set)
{
    md_store *s = tu_store();
    md_store_close(s);
    md_open_opts o = {MD_OPEN_EXISTING, false};
    md_err err;
    ck_assert_int_eq(md_store_open(tu_path("store.db"), &o, &s, &err), MD_OK);
    sqlite3 *other;
    ck_assert_int_eq(sqlite3_open(tu_path("store.db"), &other), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    lock_calls calls = {0};
    md_store_set_lock_wait(s, 1500, on_lock_wait, &calls);
    ck_assert_int_eq(md_tx_begin(s, &err), MD_ERROR);
    ck_assert_msg(strstr(err.msg, "the store stayed locked by another writer for 1 s"), "%s",
                  err.msg);
    ck_assert_int_eq(calls.started, 1);
    ck_assert_int_eq(calls.ended, 1);
    ck_assert_int_ge(calls.waited, 1500);
    ck_assert_int_lt(calls.waited, 6000);
    ck_assert_int_eq(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    calls = (lock_calls){0};
    ck_assert_int_eq(md_tx_begin(s, &err), MD_OK); /* no wait: nothing said */
    md_tx_rollback(s);
    ck_assert_int_eq(calls.started + calls.ended, 0);
    sqlite3_close(other);
    md_store_close(s);
}
END_TEST

Suite *suite_store(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("store");
    tcase_set_timeout(tc, 60); /* a busy machine: Check's 4 s are close for the longest checks */
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, empty_to_latest);
    tcase_add_test(tc, latest_to_latest_changes_nothing);
    tcase_add_test(tc, newer_schema_refused);
    tcase_add_test(tc, foreign_files_refused);
    tcase_add_test(tc, hl_pvalue_migration_recomputes_stored_windows);
    tcase_add_test(tc, threshold_migration_restatuses_stored_rows);
    tcase_add_test(tc, withdrawal_migration_keeps_requests);
    tcase_add_test(tc, new_store_is_private);
    tcase_add_test(tc, init_twice_refused);
    tcase_add_test(tc, interrupted_init_is_completed_not_used);
    tcase_add_test(tc, path_resolution_order);
    tcase_add_test(tc, read_only_session_cannot_write_even_raw);
    tcase_add_test(tc, data_version_sees_other_writers);
    tcase_add_test(tc, kept_statements_run_what_they_are_given);
    tcase_add_test(tc, a_write_waits_for_the_lock_as_long_as_set);
    suite_add_tcase(s, tc);
    return s;
}
