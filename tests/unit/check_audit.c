/* audit: the chain verifies, refuses edits, and names the first row that was tampered with. */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "models.h"
#include "sql.h"
#include "testutil.h"
#include "users.h"

static void teardown(void)
{
    tu_cleanup();
}

/* A store with a handful of audited actions: rows 1..6. */
static md_store *busy_store(void)
{
    md_store *s = tu_store();
    tu_user(s, "olga", "operator");
    tu_user(s, "vic", "viewer");
    md_actor olga = tu_actor("olga");
    md_err err;
    const char *names[] = {"churn", "upsell", "nba"};
    for (int i = 0; i < 3; i++) {
        md_model_spec m = {.name = names[i], .use_case = "retention", .owner = "crm"};
        ck_assert_int_eq(md_model_add(s, &olga, &m, "launch", &err), MD_OK);
    }
    return s;
}

/* A watched verification counts its rows for another thread and ends when asked to: the
 * console's audit screen runs it on a thread and stops it when the screen closes. */
START_TEST(watched_verification_counts_and_stops)
{
    md_store *s = busy_store();
    md_err err;
    ck_assert_int_eq(md_tx_begin(s, &err), MD_OK);
    for (int i = 0; i < 3000; i++)
        ck_assert_int_eq(
            md_audit_append(s, "olga", "incident.note", "incident:1", "", NULL, NULL, &err), MD_OK);
    ck_assert_int_eq(md_tx_end(s, MD_OK, &err), MD_OK);
    md_audit_watch w;
    atomic_init(&w.stop, false);
    atomic_init(&w.checked, 0);
    md_audit_verdict v;
    ck_assert_int_eq(md_audit_verify_watched(s, &w, &v, &err), MD_OK);
    ck_assert(v.ok);
    ck_assert_int_eq(v.rows, 3006);
    ck_assert_int_eq(atomic_load(&w.checked), 3006);
    /* asked to stop: it ends at the first look at the watch, 1,024 rows in */
    atomic_store(&w.stop, true);
    ck_assert_int_eq(md_audit_verify_watched(s, &w, &v, &err), MD_ERROR);
    ck_assert_str_eq(err.msg, "stopped");
    ck_assert_int_eq(atomic_load(&w.checked), 1024);
    md_store_close(s);
}
END_TEST

START_TEST(chain_verifies_and_hashes_recompute)
{
    md_store *s = busy_store();
    md_audit_verdict v;
    md_err err;
    ck_assert_int_eq(md_audit_verify(s, &v, &err), MD_OK);
    ck_assert_msg(v.ok, "%s", v.problem);
    ck_assert_int_eq(v.rows, 6);
    ck_assert(v.triggers_intact);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit WHERE seq = 1 AND prev_hash = '"
                                 MD_AUDIT_GENESIS "'"),
                     1);
    /* Each row's prev_hash is the previous row's hash. */
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit a JOIN audit b ON b.seq = a.seq + 1"
                                 " WHERE b.prev_hash <> a.hash"),
                     0);
    md_store_close(s);
}
END_TEST

START_TEST(known_vector)
{
    /* Computed independently: printf '64:<zeros>,1:1,24:2026-01-01T00:00:00.000Z,5:alice,
     * 9:model.add,11:model:churn,6:launch,2:{},' | sha256sum */
    md_audit_row r = {1,           "2026-01-01T00:00:00.000Z", "alice", "model.add", "model:churn",
                      "launch",    "{}",                       MD_AUDIT_GENESIS, NULL};
    char hash[65];
    md_audit_hash(&r, hash);
    ck_assert_str_eq(hash, "60000233888cf03cdcdd47c2fdb41fcf4818fbf84dc881a0b32dca896a67092e");
}
END_TEST

START_TEST(triggers_refuse_update_and_delete)
{
    md_store *s = busy_store();
    ck_assert_int_ne(tu_exec(s, "UPDATE audit SET reason = 'nothing happened' WHERE seq = 2"),
                     SQLITE_OK);
    ck_assert_ptr_nonnull(strstr(sqlite3_errmsg(md_store_db(s)), "append-only"));
    ck_assert_int_ne(tu_exec(s, "DELETE FROM audit WHERE seq = 6"), SQLITE_OK);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit"), 6);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit WHERE reason = 'nothing happened'"),
                     0);
    md_store_close(s);
}
END_TEST

static md_audit_verdict verify(md_store *s)
{
    md_audit_verdict v;
    md_err err;
    ck_assert_int_eq(md_audit_verify(s, &v, &err), MD_OK);
    return v;
}

START_TEST(edited_row_is_named)
{
    md_store *s = busy_store();
    ck_assert_int_eq(tu_exec(s, "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;"
                                "UPDATE audit SET actor = 'vic' WHERE seq = 4"),
                     SQLITE_OK);
    md_audit_verdict v = verify(s);
    ck_assert(!v.ok);
    ck_assert_int_eq(v.bad_seq, 4);
    ck_assert_int_eq(v.rows, 3);
    ck_assert_ptr_nonnull(strstr(v.problem, "row 4"));
    ck_assert_ptr_nonnull(strstr(v.problem, "altered"));
    md_store_close(s);
}
END_TEST

START_TEST(rehashed_row_breaks_the_link)
{
    /* A forger who recomputes row 3's hash still breaks row 4's prev_hash. */
    md_store *s = busy_store();
    ck_assert_int_eq(tu_exec(s, "DROP TRIGGER audit_no_update"), SQLITE_OK);
    sqlite3_stmt *st;
    md_err err;
    ck_assert_int_eq(md_sql_prepare(s,
                                    "SELECT seq, at, actor, action, object, reason, details,"
                                    " prev_hash FROM audit WHERE seq = 3",
                                    &st, &err),
                     MD_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    md_audit_row r = {3,
                      (char *)sqlite3_column_text(st, 1),
                      (char *)sqlite3_column_text(st, 2),
                      (char *)sqlite3_column_text(st, 3),
                      (char *)sqlite3_column_text(st, 4),
                      "forged reason",
                      (char *)sqlite3_column_text(st, 6),
                      (char *)sqlite3_column_text(st, 7),
                      NULL};
    char hash[65];
    md_audit_hash(&r, hash);
    sqlite3_finalize(st);
    ck_assert_int_eq(md_sql_run(s, &err,
                                "UPDATE audit SET reason = 'forged reason', hash = ? WHERE seq = 3",
                                "t", hash),
                     MD_OK);
    md_audit_verdict v = verify(s);
    ck_assert(!v.ok);
    ck_assert_int_eq(v.bad_seq, 4);
    ck_assert_ptr_nonnull(strstr(v.problem, "prev_hash"));
    md_store_close(s);
}
END_TEST

START_TEST(deleted_row_is_found)
{
    md_store *s = busy_store();
    ck_assert_int_eq(tu_exec(s, "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 3"),
                     SQLITE_OK);
    md_audit_verdict v = verify(s);
    ck_assert(!v.ok);
    ck_assert_int_eq(v.bad_seq, 4);
    ck_assert_ptr_nonnull(strstr(v.problem, "missing"));
    md_store_close(s);
}
END_TEST

START_TEST(dropped_triggers_alone_fail_verification)
{
    md_store *s = busy_store();
    ck_assert_int_eq(tu_exec(s, "DROP TRIGGER audit_no_update"), SQLITE_OK);
    md_audit_verdict v = verify(s);
    ck_assert(!v.ok);
    ck_assert(!v.triggers_intact);
    ck_assert_int_eq(v.bad_seq, 0);
    ck_assert_ptr_nonnull(strstr(v.problem, "triggers"));
    md_store_close(s);
}
END_TEST

typedef struct {
    int n;
    int64_t seqs[16];
} collected;

static md_status collect(const md_audit_row *r, void *ctx, md_err *err)
{
    (void)err;
    collected *c = ctx;
    if (c->n < 16)
        c->seqs[c->n++] = r->seq;
    return MD_OK;
}

START_TEST(filters)
{
    md_store *s = busy_store(); /* 1 init, 2-3 user.add, 4-6 model.add */
    md_err err;
    collected c = {0};
    md_audit_filter f = {.action = "model", .newest_first = true, .limit = 2};
    ck_assert_int_eq(md_audit_each(s, &f, collect, &c, &err), MD_OK);
    ck_assert_int_eq(c.n, 2);
    ck_assert_int_eq(c.seqs[0], 6);
    ck_assert_int_eq(c.seqs[1], 5);
    c.n = 0;
    md_audit_filter g = {.actor = "admin"};
    ck_assert_int_eq(md_audit_each(s, &g, collect, &c, &err), MD_OK);
    ck_assert_int_eq(c.n, 3);
    c.n = 0;
    md_audit_filter h = {.object = "model:upsell"};
    ck_assert_int_eq(md_audit_each(s, &h, collect, &c, &err), MD_OK);
    ck_assert_int_eq(c.n, 1);
    ck_assert_int_eq(c.seqs[0], 5);
    c.n = 0;
    md_audit_filter k = {.after_seq = 4};
    ck_assert_int_eq(md_audit_each(s, &k, collect, &c, &err), MD_OK);
    ck_assert_int_eq(c.n, 2);
    c.n = 0;
    md_audit_filter mo = {.action = "mod"}; /* a prefix counts only up to a dot */
    ck_assert_int_eq(md_audit_each(s, &mo, collect, &c, &err), MD_OK);
    ck_assert_int_eq(c.n, 0);
    md_store_close(s);
}
END_TEST

Suite *suite_audit(void)
{
    Suite *s = suite_create("audit");
    TCase *tc = tcase_create("audit");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, chain_verifies_and_hashes_recompute);
    tcase_add_test(tc, watched_verification_counts_and_stops);
    tcase_add_test(tc, known_vector);
    tcase_add_test(tc, triggers_refuse_update_and_delete);
    tcase_add_test(tc, edited_row_is_named);
    tcase_add_test(tc, rehashed_row_breaks_the_link);
    tcase_add_test(tc, deleted_row_is_found);
    tcase_add_test(tc, dropped_triggers_alone_fail_verification);
    tcase_add_test(tc, filters);
    suite_add_tcase(s, tc);
    return s;
}
