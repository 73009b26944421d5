/* atomic: a failure or a crash between a state change and its audit row leaves neither. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit.h"
#include "testutil.h"

static void teardown(void)
{
    unsetenv("MODELDECK_FAULT");
    tu_cleanup();
}

static void expect_chain_ok(md_store *s)
{
    md_audit_verdict v;
    md_err err;
    ck_assert_int_eq(md_audit_verify(s, &v, &err), MD_OK);
    ck_assert_msg(v.ok, "%s", v.problem);
}

/* Runs every action with the fault point armed (error mode): it fails, and nothing changed. */
static void check_point(const char *point)
{
    for (size_t i = 0; i < tu_n_actions; i++) {
        md_store *s = tu_world();
        md_actor admin = tu_actor("admin");
        char *before = tu_snapshot(s);
        md_err err;
        setenv("MODELDECK_FAULT", point, 1);
        md_status rc = tu_actions[i].fn(s, &admin, &err);
        unsetenv("MODELDECK_FAULT");
        ck_assert_msg(rc == MD_ERROR, "%s at %s: got %d", tu_actions[i].name, point, rc);
        ck_assert_ptr_nonnull(strstr(err.msg, "injected fault"));
        char *after = tu_snapshot(s);
        ck_assert_msg(strcmp(before, after) == 0, "%s changed the store despite a fault at %s",
                      tu_actions[i].name, point);
        expect_chain_ok(s);
        /* And the same action goes through once the fault is gone. */
        ck_assert_int_eq(tu_actions[i].fn(s, &admin, &err), MD_OK);
        free(before);
        free(after);
        md_store_close(s);
        tu_cleanup();
    }
}

START_TEST(failure_before_audit_row_leaves_nothing)
{
    check_point("audit.append");
}
END_TEST

START_TEST(failure_before_commit_leaves_nothing)
{
    check_point("tx.commit");
}
END_TEST

/* The process dies (SIGKILL) at the point, in a child with its own connection. */
static void check_kill(const char *point)
{
    for (size_t i = 0; i < tu_n_actions; i++) {
        md_store *s = tu_world();
        char *before = tu_snapshot(s);
        md_store_close(s);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            md_open_opts o = {MD_OPEN_EXISTING, false};
            md_store *c;
            md_err err;
            if (md_store_open(tu_path("store.db"), &o, &c, &err) != MD_OK)
                _exit(10);
            md_actor admin = tu_actor("admin");
            setenv("MODELDECK_FAULT", point, 1);
            tu_actions[i].fn(c, &admin, &err);
            _exit(11); /* not reached: the fault point kills the process */
        }
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                      "%s: child was not killed at %s (status %d)", tu_actions[i].name, point,
                      status);
        md_open_opts o = {MD_OPEN_EXISTING, false};
        md_err err;
        ck_assert_int_eq(md_store_open(tu_path("store.db"), &o, &s, &err), MD_OK);
        char *after = tu_snapshot(s);
        ck_assert_msg(strcmp(before, after) == 0, "%s: a kill at %s left part of the change",
                      tu_actions[i].name, point);
        expect_chain_ok(s);
        free(before);
        free(after);
        md_store_close(s);
        tu_cleanup();
    }
}

START_TEST(kill_before_audit_row_leaves_nothing)
{
    check_kill("audit.append:kill");
}
END_TEST

START_TEST(kill_before_commit_leaves_nothing)
{
    check_kill("tx.commit:kill");
}
END_TEST

START_TEST(fault_list_matches_whole_names)
{
    md_store *s = tu_world();
    md_actor admin = tu_actor("admin");
    md_err err;
    setenv("MODELDECK_FAULT", "audit.appendix,tx.com", 1);
    ck_assert_int_eq(tu_do_version_add(s, &admin, &err), MD_OK);
    setenv("MODELDECK_FAULT", "nothing,audit.append", 1);
    ck_assert_int_eq(tu_do_version_add(s, &admin, &err), MD_ERROR);
    md_store_close(s);
}
END_TEST

Suite *suite_atomic(void)
{
    Suite *s = suite_create("atomic");
    TCase *tc = tcase_create("atomic");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, failure_before_audit_row_leaves_nothing);
    tcase_add_test(tc, failure_before_commit_leaves_nothing);
    tcase_add_test(tc, kill_before_audit_row_leaves_nothing);
    tcase_add_test(tc, kill_before_commit_leaves_nothing);
    tcase_add_test(tc, fault_list_matches_whole_names);
    suite_add_tcase(s, tc);
    return s;
}
