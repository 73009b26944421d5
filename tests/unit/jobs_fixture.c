/* The jobs tests' fixture (jobs_fixture.h).
 *
 * Jobs that are cancelled while running run in a forked process with its own connection, as the
 * detached supervisor does; the test process only ever cancels. Whether a process group is gone
 * is read from /proc, zombies not counting: the container's init need not reap orphans. */
#include "jobs_fixture.h"

#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit.h"
#include "jobs.h"
#include "models.h"
#include "policies.h"
#include "testutil.h"

md_actor jobs_op, jobs_otto;
lb_server jobs_srv;

/* ---- fixture --------------------------------------------------------------------------------- */

void jobs_setup(void)
{
    lb_setup(&jobs_srv);
    setenv(TOKEN_ENV, TOKEN, 1);
    setenv(HIDDEN_ENV, HIDDEN, 1);
    prctl(PR_SET_CHILD_SUBREAPER, 1); /* orphans of the commands come back here to be reaped */
}

void jobs_teardown(void)
{
    lb_teardown(&jobs_srv);
    unsetenv(TOKEN_ENV);
    unsetenv(HIDDEN_ENV);
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    tu_cleanup();
}

/* ---- the store, the policy, the jobs --------------------------------------------------------- */

md_store *jobs_world(void)
{
    md_store *s = tu_store();
    tu_user(s, "olga", "operator");
    tu_user(s, "otto", "operator");
    tu_user(s, "vic", "viewer");
    tu_user(s, "ana", "analyst");
    jobs_op = tu_actor("olga");
    jobs_otto = tu_actor("otto");
    md_err err;
    md_model_spec m = {.name = "churn", .use_case = "retention", .owner = "crm"};
    ck_assert_int_eq(md_model_add(s, &jobs_op, &m, NULL, &err), MD_OK);
    return s;
}

void jobs_set_backend(md_store *s, json_t *b)
{
    ck_assert_ptr_nonnull(b);
    json_t *doc = json_pack("{s:{s:o}}", "retrain", "backend", b);
    const char *path = tu_path("policy.json");
    ck_assert_int_eq(json_dump_file(doc, path, JSON_INDENT(2)), 0);
    json_decref(doc);
    md_actor admin = tu_actor("admin");
    int64_t rev = 0;
    md_err err;
    md_status rc =
        md_policy_set(s, &admin, "churn", path, "retrain backend for the test", &rev, NULL, &err);
    ck_assert_msg(rc == MD_OK, "policy: %s", err.msg);
    ck_assert_int_gt(rev, 0);
}

void jobs_set_command(md_store *s, const char *script, int timeout_s)
{
    jobs_set_backend(s, json_pack("{s:s, s:[s,s,s], s:i}", "type", "command", "argv", "/bin/sh",
                                  "-c", script, "timeout_s", timeout_s));
}

int64_t jobs_queue(md_store *s, const char *reason)
{
    int64_t id = 0;
    md_err err;
    md_status rc = md_retrain(s, &jobs_op, "churn", reason, 0, &id, &err);
    ck_assert_msg(rc == MD_OK, "retrain: %s", err.msg);
    ck_assert_int_gt(id, 0);
    return id;
}

int64_t jobs_run(md_store *s, int64_t id)
{
    md_err err;
    int64_t t0 = tu_now_ms();
    md_status rc = md_job_run(s, id, &err);
    ck_assert_msg(rc == MD_OK, "job run: %s", err.msg);
    return tu_now_ms() - t0;
}

json_t *jobs_show(md_store *s, int64_t id)
{
    json_t *o = NULL;
    md_err err;
    md_status rc = md_job_show(s, id, &o, &err);
    ck_assert_msg(rc == MD_OK, "job show: %s", err.msg);
    return o;
}

const char *jobs_str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

void jobs_assert_int(const json_t *o, const char *k, json_int_t want)
{
    const json_t *v = json_object_get(o, k);
    ck_assert_msg(json_is_integer(v), "%s is not a number", k);
    ck_assert_int_eq(json_integer_value(v), want);
}

void jobs_assert_null(const json_t *o, const char *k)
{
    ck_assert_msg(json_is_null(json_object_get(o, k)), "%s is not null", k);
}

/* md_audit_each's callback: adds one row of the job's to the jobs_audit at ctx. */
static md_status audit_collect(const md_audit_row *row, void *ctx, md_err *err)
{
    (void)err;
    jobs_audit *a = ctx;
    size_t n = strlen(a->trail);
    snprintf(a->trail + n, sizeof a->trail - n, "%s%s:%s", n ? " " : "", row->actor, row->action);
    if (strcmp(row->action, "retrain.finish") == 0)
        snprintf(a->finish, sizeof a->finish, "%s", row->details ? row->details : "");
    if (strcmp(row->action, "retrain.cancel") == 0) {
        snprintf(a->cancel, sizeof a->cancel, "%s", row->details ? row->details : "");
        snprintf(a->cancel_reason, sizeof a->cancel_reason, "%s", row->reason ? row->reason : "");
    }
    return MD_OK;
}

jobs_audit jobs_audit_of(md_store *s, int64_t id)
{
    jobs_audit a;
    memset(&a, 0, sizeof a);
    char obj[32];
    snprintf(obj, sizeof obj, "job:%lld", (long long)id);
    md_audit_filter f = {.object = obj};
    md_err err;
    ck_assert_int_eq(md_audit_each(s, &f, audit_collect, &a, &err), MD_OK);
    md_audit_verdict v;
    ck_assert_int_eq(md_audit_verify(s, &v, &err), MD_OK);
    ck_assert_msg(v.ok, "audit chain: %s", v.problem);
    return a;
}

void jobs_finish_state(const jobs_audit *a, char out[32])
{
    json_t *d = json_loads(a->finish, 0, NULL);
    snprintf(out, 32, "%s", d ? jobs_str(d, "state") ? jobs_str(d, "state") : "?" : "");
    json_decref(d);
}

/* ---- processes ------------------------------------------------------------------------------- */

/* Live (not zombie) processes in process group `pgid`, from /proc. */
static int group_live(pid_t pgid)
{
    DIR *d = opendir("/proc");
    ck_assert_ptr_nonnull(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        char path[300], buf[512], state;
        int ppid, pgrp;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[len] = '\0';
        const char *p = strrchr(buf, ')'); /* the command name may hold anything */
        if (p && sscanf(p + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 && pgrp == pgid &&
            state != 'Z' && state != 'X')
            n++;
    }
    closedir(d);
    return n;
}

bool jobs_group_gone(pid_t pgid, int ms)
{
    for (int64_t end = tu_now_ms() + ms;; tu_nap_ms(20)) {
        if (group_live(pgid) == 0)
            return true;
        if (tu_now_ms() > end)
            return false;
    }
}

void jobs_group_kill(pid_t pgid)
{
    if (pgid > 1)
        kill(-pgid, SIGKILL);
}

pid_t jobs_pid_from(const char *path, int ms)
{
    for (int64_t end = tu_now_ms() + ms;; tu_nap_ms(10)) {
        FILE *f = fopen(path, "r");
        int pid = 0;
        bool got = f && fscanf(f, "%d\n", &pid) == 1 && pid > 0;
        if (f)
            fclose(f);
        if (got)
            return pid;
        if (tu_now_ms() > end)
            return 0;
    }
}

pid_t jobs_run_elsewhere(const char *db, int64_t id, bool leader)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL); /* not Check's handler: it would signal the test's group too */
        signal(SIGINT, SIG_DFL);
        signal(SIGALRM, SIG_DFL);
        if (leader)
            setpgid(0, 0);
        md_store *c = NULL;
        md_err err;
        md_open_opts o = {.mode = MD_OPEN_EXISTING};
        int code =
            md_store_open(db, &o, &c, &err) == MD_OK && md_job_run(c, id, &err) == MD_OK ? 0 : 1;
        if (code)
            fprintf(stderr, "job %lld elsewhere: %s\n", (long long)id, err.msg);
        _exit(code);
    }
    return pid;
}

int jobs_reap_within(pid_t pid, int ms)
{
    int status;
    for (int64_t end = tu_now_ms() + ms;; tu_nap_ms(10)) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return status;
        if (tu_now_ms() > end)
            break;
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

int64_t jobs_cancel_while_running(md_store *s, pid_t *pgid, int64_t *took)
{
    const char *pidfile = tu_path("running.pid");
    char script[800];
    snprintf(script, sizeof script, "echo $$ > '%s'; echo started; sleep 30; echo never", pidfile);
    jobs_set_command(s, script, 60);
    int64_t id = jobs_queue(s, "drift");
    pid_t child = jobs_run_elsewhere(md_store_path(s), id, false);
    *pgid = jobs_pid_from(pidfile, 5000);
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT coalesce(pid, 0) FROM jobs WHERE id = %lld", (long long)id);
    for (int64_t end = tu_now_ms() + 5000; *pgid && tu_count(s, sql) != *pgid && tu_now_ms() < end;)
        tu_nap_ms(10); /* the supervisor records the command's pid just after starting it */
    if (!*pgid || tu_count(s, sql) != *pgid) {
        jobs_reap_within(child, 0);
        jobs_group_kill(*pgid);
        ck_abort_msg("the command did not start in another process");
    }
    json_t *o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "running");
    json_decref(o);

    md_err err;
    int64_t t0 = tu_now_ms();
    md_status rc = md_job_cancel(s, &jobs_otto, id, "wrong training window", &err);
    int status = jobs_reap_within(child, 4000);
    *took = tu_now_ms() - t0;
    bool gone = jobs_group_gone(*pgid, 2000);
    jobs_group_kill(*pgid);
    ck_assert_msg(rc == MD_OK, "cancel: %s", err.msg);
    ck_assert_msg(status != -1, "the supervisor did not end after the cancel");
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the supervisor ended badly (status %#x)", status);
    ck_assert_msg(gone, "the cancelled command is still running");
    return id;
}
