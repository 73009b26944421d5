/* concurrency: two processes writing at once; every action lands, the chain holds. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit.h"
#include "models.h"
#include "testutil.h"
#include "versions.h"

#define PER_PROCESS 1000

static void teardown(void)
{
    tu_cleanup();
}

/* A writer process: its own connection, PER_PROCESS version registrations. Exit status =
 * number of failed actions (capped), 100 when the store cannot be opened. */
static void writer(const char *user)
{
    md_open_opts o = {MD_OPEN_EXISTING, false};
    md_store *s;
    md_err err;
    if (md_store_open(tu_path("store.db"), &o, &s, &err) != MD_OK)
        _exit(100);
    md_actor a = tu_actor(user);
    int failed = 0;
    for (int i = 0; i < PER_PROCESS; i++) {
        md_version_spec v = {.artifact_uri = user};
        if (md_version_add(s, &a, "churn", &v, "load", NULL, &err) != MD_OK) {
            if (failed++ == 0)
                fprintf(stderr, "%s: %s\n", user, err.msg);
        }
    }
    md_store_close(s);
    _exit(failed > 99 ? 99 : failed);
}

START_TEST(two_writers_thousand_actions_each)
{
    md_store *s = tu_store();
    tu_user(s, "w1", "operator");
    tu_user(s, "w2", "operator");
    md_actor admin = tu_actor("admin");
    md_model_spec m = {.name = "churn", .use_case = "retention", .owner = "crm"};
    md_err err;
    ck_assert_int_eq(md_model_add(s, &admin, &m, NULL, &err), MD_OK);
    int64_t audit_before = tu_count(s, "SELECT count(*) FROM audit");
    md_store_close(s);
    pid_t p1 = fork();
    if (p1 == 0)
        writer("w1");
    pid_t p2 = fork();
    if (p2 == 0)
        writer("w2");
    int st1, st2;
    ck_assert_int_eq(waitpid(p1, &st1, 0), p1);
    ck_assert_int_eq(waitpid(p2, &st2, 0), p2);
    ck_assert_msg(WIFEXITED(st1) && WEXITSTATUS(st1) == 0, "writer 1 status %d", st1);
    ck_assert_msg(WIFEXITED(st2) && WEXITSTATUS(st2) == 0, "writer 2 status %d", st2);
    md_open_opts o = {MD_OPEN_EXISTING, false};
    ck_assert_int_eq(md_store_open(tu_path("store.db"), &o, &s, &err), MD_OK);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM versions"), 2 * PER_PROCESS);
    ck_assert_int_eq(tu_count(s, "SELECT count(DISTINCT number) FROM versions"), 2 * PER_PROCESS);
    ck_assert_int_eq(tu_count(s, "SELECT max(number) FROM versions"), 2 * PER_PROCESS);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM versions WHERE created_by = 'w1'"),
                     PER_PROCESS);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit"), audit_before + 2 * PER_PROCESS);
    md_audit_verdict v;
    ck_assert_int_eq(md_audit_verify(s, &v, &err), MD_OK);
    ck_assert_msg(v.ok, "%s", v.problem);
    ck_assert_int_eq(v.rows, audit_before + 2 * PER_PROCESS);
    md_store_close(s);
}
END_TEST

Suite *suite_concurrency(void)
{
    Suite *s = suite_create("concurrency");
    TCase *tc = tcase_create("concurrency");
    tcase_set_timeout(tc, 600);
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, two_writers_thousand_actions_each);
    suite_add_tcase(s, tc);
    return s;
}
