/* jobs: a retrain from queue to outcome with the command backend. A command runs under the
 * supervisor (exit status, log tail, the environment it gets, timeout, cancel from another
 * process); every state change leaves an audit row, and the outcome outlives the connection.
 * The webhook backend and the edges: check_jobs_webhook.c; their fixture: jobs_fixture.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs.h"
#include "jobs_fixture.h"
#include "testutil.h"

Suite *suite_jobs(void);

/* ---- command backend ------------------------------------------------------------------------- */

START_TEST(command_succeeds_with_output_and_env)
{
    md_store *s = jobs_world();
    jobs_set_command(
        s,
        "echo \"model=$MODELDECK_MODEL reason=$MODELDECK_REASON job=$MODELDECK_JOB_ID\";"
        " echo on-stderr >&2; exit 0",
        30);
    int64_t id = jobs_queue(s, "drift on 3 features, 2 windows");
    json_t *o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "queued");
    ck_assert_str_eq(jobs_str(o, "backend"), "command");
    ck_assert_str_eq(jobs_str(o, "requested_by"), "olga");
    jobs_assert_null(o, "started_at");
    json_decref(o);

    jobs_run(s, id);
    o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "succeeded");
    jobs_assert_int(o, "exit_status", 0);
    jobs_assert_int(o, "attempts", 1);
    jobs_assert_null(o, "http_status");
    jobs_assert_null(o, "error");
    ck_assert_ptr_nonnull(jobs_str(o, "started_at"));
    ck_assert_ptr_nonnull(jobs_str(o, "finished_at"));
    char want[96];
    snprintf(want, sizeof want, "model=churn reason=drift on 3 features, 2 windows job=%lld\n",
             (long long)id);
    tu_assert_has(jobs_str(o, "log_tail"), want);
    tu_assert_has(jobs_str(o, "log_tail"), "on-stderr\n");
    json_decref(o);

    /* a second supervisor does not run it again */
    md_err err;
    ck_assert_int_eq(md_job_run(s, id, &err), MD_ERROR);
    tu_assert_has(err.msg, "not queued");
    o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "succeeded");
    json_decref(o);

    json_t *list = NULL;
    ck_assert_int_eq(md_jobs_list(s, "churn", &list, &err), MD_OK);
    ck_assert_uint_eq(json_array_size(list), 1);
    ck_assert_str_eq(jobs_str(json_array_get(list, 0), "state"), "succeeded");
    ck_assert_ptr_null(json_object_get(json_array_get(list, 0), "log_tail")); /* show has it */
    json_decref(list);

    jobs_audit a = jobs_audit_of(s, id);
    ck_assert_str_eq(a.trail, "olga:retrain.queue olga:retrain.start olga:retrain.finish");
    char st[32];
    jobs_finish_state(&a, st);
    ck_assert_str_eq(st, "succeeded");
    md_store_close(s);
}
END_TEST

START_TEST(command_failure_keeps_status_and_tail)
{
    md_store *s = jobs_world();
    jobs_set_command(s, "echo 'loading features'; echo 'training data missing' >&2; exit 3", 30);
    int64_t id = jobs_queue(s, "weekly retrain");
    jobs_run(s, id);
    json_t *o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "failed");
    jobs_assert_int(o, "exit_status", 3);
    tu_assert_has(jobs_str(o, "log_tail"), "loading features\ntraining data missing\n");
    tu_assert_has(jobs_str(o, "error"), "status 3");
    json_decref(o);
    jobs_audit a = jobs_audit_of(s, id);
    ck_assert_str_eq(a.trail, "olga:retrain.queue olga:retrain.start olga:retrain.finish");
    char st[32];
    jobs_finish_state(&a, st);
    ck_assert_str_eq(st, "failed");
    tu_assert_has(a.finish, "\"exit_status\":3");

    /* a command that cannot be started fails the same way, saying so */
    jobs_set_command(s, "exec /nonexistent/trainer", 30);
    id = jobs_queue(s, "again");
    jobs_run(s, id);
    o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "failed");
    jobs_assert_int(o, "exit_status", 127);
    json_decref(o);
    md_store_close(s);
}
END_TEST

START_TEST(command_timeout_kills_the_group)
{
    md_store *s = jobs_world();
    const char *pidfile = tu_path("cmd.pid");
    char script[800];
    snprintf(script, sizeof script, "echo $$ > '%s'; echo started; sleep 30 & sleep 30; echo never",
             pidfile);
    jobs_set_command(s, script, 1);
    int64_t id = jobs_queue(s, "drift");
    int64_t took = jobs_run(s, id);
    pid_t pgid = jobs_pid_from(pidfile, 0);
    ck_assert_int_gt(pgid, 0);
    bool gone = jobs_group_gone(pgid, 2000);
    jobs_group_kill(pgid);
    ck_assert_msg(gone, "the command's process group outlived its timeout");
    ck_assert_int_ge(took, 1000);
    ck_assert_int_lt(took, 3000);
    json_t *o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "timeout");
    jobs_assert_null(o, "exit_status");
    tu_assert_has(jobs_str(o, "error"), "timed out after 1 s");
    tu_assert_has(jobs_str(o, "log_tail"), "started\n");
    tu_assert_lacks(jobs_str(o, "log_tail"), "never", "the log tail");
    json_decref(o);
    jobs_audit a = jobs_audit_of(s, id);
    ck_assert_str_eq(a.trail, "olga:retrain.queue olga:retrain.start olga:retrain.finish");
    char st[32];
    jobs_finish_state(&a, st);
    ck_assert_str_eq(st, "timeout");
    md_store_close(s);
}
END_TEST

START_TEST(cancel_queued)
{
    md_store *s = jobs_world();
    jobs_set_command(s, "echo ran", 30);
    int64_t id = jobs_queue(s, "drift");
    md_actor vic = tu_actor("vic");
    md_err err;
    ck_assert_int_eq(md_job_cancel(s, &vic, id, "not mine to cancel", &err), MD_REFUSED);
    ck_assert_int_eq(md_job_cancel(s, &jobs_otto, id, "  ", &err), MD_INVALID);
    ck_assert_int_eq(md_job_cancel(s, &jobs_otto, id + 1, "no such job", &err), MD_NOTFOUND);
    ck_assert_int_eq(md_job_cancel(s, &jobs_otto, id, "wrong training window", &err), MD_OK);
    json_t *o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "cancelled");
    ck_assert_ptr_nonnull(jobs_str(o, "finished_at"));
    json_decref(o);

    /* a supervisor that comes late does nothing; a second cancel is refused */
    ck_assert_int_eq(md_job_run(s, id, &err), MD_ERROR);
    ck_assert_int_eq(md_job_cancel(s, &jobs_otto, id, "again", &err), MD_ERROR);
    tu_assert_has(err.msg, "cancelled");
    o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "cancelled");
    jobs_assert_null(o, "started_at");
    jobs_assert_null(o, "exit_status");
    ck_assert_str_eq(jobs_str(o, "log_tail"), "");
    json_decref(o);

    jobs_audit a = jobs_audit_of(s, id);
    ck_assert_str_eq(a.trail, "olga:retrain.queue otto:retrain.cancel");
    ck_assert_str_eq(a.cancel, "{\"was\":\"queued\"}");
    ck_assert_str_eq(a.cancel_reason, "wrong training window");
    md_store_close(s);
}
END_TEST

START_TEST(cancel_running_from_another_process)
{
    md_store *s = jobs_world();
    pid_t pgid;
    int64_t took;
    int64_t id = jobs_cancel_while_running(s, &pgid, &took);
    ck_assert_int_lt(took, 2500);
    json_t *o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "cancelled");
    tu_assert_has(jobs_str(o, "log_tail"), "started\n");
    tu_assert_lacks(jobs_str(o, "log_tail"), "never", "the log tail");
    json_decref(o);
    jobs_audit a = jobs_audit_of(s, id);
    ck_assert_str_eq(a.trail, "olga:retrain.queue olga:retrain.start otto:retrain.cancel "
                              "olga:retrain.finish");
    ck_assert_str_eq(a.cancel, "{\"was\":\"running\"}");
    md_store_close(s);
}
END_TEST

START_TEST(only_operators_retrain)
{
    md_store *s = jobs_world();
    jobs_set_command(s, "true", 30);
    const char *readers[] = {"vic", "ana"};
    for (size_t i = 0; i < 2; i++) {
        md_actor a = tu_actor(readers[i]);
        char *before = tu_snapshot(s);
        int64_t id = 0;
        md_err err;
        ck_assert_int_eq(md_retrain(s, &a, "churn", "please", 0, &id, &err), MD_REFUSED);
        tu_assert_has(err.msg, "needs the operator or admin role");
        char *after = tu_snapshot(s);
        ck_assert_str_eq(before, after); /* not even an audit row */
        free(before);
        free(after);
        ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM jobs"), 0);
    }
    md_err err;
    int64_t id = 0;
    ck_assert_int_eq(md_retrain(s, &jobs_op, "nosuch", "drift", 0, &id, &err), MD_NOTFOUND);
    ck_assert_int_eq(md_retrain(s, &jobs_op, "churn", "", 0, &id, &err), MD_INVALID);
    ck_assert_int_eq(md_retrain(s, &jobs_op, "churn", NULL, 0, &id, &err), MD_INVALID);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM jobs"), 0);
    id = jobs_queue(s, "drift on 4 features");
    md_actor admin = tu_actor("admin");
    int64_t id2 = 0;
    ck_assert_int_eq(md_retrain(s, &admin, "churn", "as admin", 0, &id2, &err), MD_OK);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM jobs WHERE state = 'queued'"), 2);
    ck_assert_str_eq(jobs_audit_of(s, id).trail, "olga:retrain.queue");
    ck_assert_str_eq(jobs_audit_of(s, id2).trail, "admin:retrain.queue");
    md_store_close(s);
}
END_TEST

START_TEST(outcome_survives_reopen)
{
    md_store *s = jobs_world();
    jobs_set_command(s, "echo 'epoch 1/1 loss=0.41'; exit 4", 30);
    int64_t id = jobs_queue(s, "drift");
    jobs_run(s, id);
    char path[600];
    snprintf(path, sizeof path, "%s", md_store_path(s));
    md_store_close(s);

    md_open_opts opts = {.mode = MD_OPEN_EXISTING};
    md_err err;
    ck_assert_int_eq(md_store_open(path, &opts, &s, &err), MD_OK);
    json_t *o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "failed");
    jobs_assert_int(o, "exit_status", 4);
    jobs_assert_int(o, "attempts", 1);
    ck_assert_str_eq(jobs_str(o, "log_tail"), "epoch 1/1 loss=0.41\n");
    tu_assert_has(jobs_str(o, "error"), "status 4");
    ck_assert_str_eq(jobs_str(o, "reason"), "drift");
    ck_assert_ptr_nonnull(jobs_str(o, "finished_at"));
    json_decref(o);
    md_store_close(s);
}
END_TEST

Suite *suite_jobs(void)
{
    Suite *s = suite_create("jobs");
    TCase *cmd = tcase_create("command");
    tcase_set_timeout(cmd, 20);
    tcase_add_checked_fixture(cmd, jobs_setup, jobs_teardown);
    tcase_add_test(cmd, command_succeeds_with_output_and_env);
    tcase_add_test(cmd, command_failure_keeps_status_and_tail);
    tcase_add_test(cmd, command_timeout_kills_the_group);
    tcase_add_test(cmd, cancel_queued);
    tcase_add_test(cmd, cancel_running_from_another_process);
    tcase_add_test(cmd, only_operators_retrain);
    tcase_add_test(cmd, outcome_survives_reopen);
    suite_add_tcase(s, cmd);
    return s;
}
