/* jobs_webhook: a retrain whose backend is a webhook, posted to a real server on 127.0.0.1,
 * plain or TLS (loopback.h): statuses, retries, timeouts, certificate trust, secrets taken from
 * the environment and kept out of the store; and the edges of both backends: workers that ignore
 * SIGTERM, cancels mid-run, reasons that look like templates. The command backend:
 * check_jobs.c; the fixture both share: jobs_fixture.h. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "jobs.h"
#include "jobs_fixture.h"
#include "policies.h"
#include "sql.h"
#include "testutil.h"

Suite *suite_jobs_webhook(void);

/* The URL every webhook in these cases is posted to. */
static const char *srv_url(void)
{
    return lb_url(&jobs_srv, "/hooks/retrain");
}

/* A webhook backend for `url`: a bearer token from TOKEN_ENV, a body template using every
 * `${...}` field; the caller adjusts it before jobs_set_backend. */
static json_t *hook(const char *url)
{
    json_t *b =
        json_pack("{s:s, s:s, s:{s:s, s:s}, s:[s], s:i, s:i, s:i}", "type", "webhook", "url", url,
                  "headers", "Authorization", "Bearer ${" TOKEN_ENV "}", "X-Source", "modeldeck",
                  "secret_env", TOKEN_ENV, "timeout_s", 2, "retries", 0, "backoff_ms", 10);
    json_object_set_new(b, "body",
                        json_pack("{s:s, s:s, s:s, s:s, s:s}", "model", "${model}", "version",
                                  "${version}", "reason", "${reason}", "job", "${job}", "source",
                                  "modeldeck"));
    return b;
}

/* Whether `needle` occurs in the file's bytes (a missing file holds nothing). */
static bool file_has(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    while ((got = fread(buf + n, 1, cap - n, f)) > 0)
        if ((n += got) == cap)
            buf = realloc(buf, cap *= 2);
    fclose(f);
    bool found = memmem(buf, n, needle, strlen(needle)) != NULL;
    free(buf);
    return found;
}

/* `secret` is in no row (tu_snapshot), no byte of the database files, nor in what show and
 * list print. */
static void assert_secret_absent(md_store *s, int64_t id, const char *secret)
{
    char *snap = tu_snapshot(s);
    tu_assert_lacks(snap, secret, "the store snapshot");
    free(snap);
    char path[600];
    const char *suffix[] = {"", "-wal", "-journal"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s%s", md_store_path(s), suffix[i]);
        ck_assert_msg(!file_has(path, secret), "the secret is in %s", path);
    }
    json_t *o = jobs_show(s, id), *list = NULL;
    md_err err;
    ck_assert_int_eq(md_jobs_list(s, NULL, &list, &err), MD_OK);
    char *shown = json_dumps(o, 0), *listed = json_dumps(list, 0);
    tu_assert_lacks(shown, secret, "job show");
    tu_assert_lacks(listed, secret, "jobs list");
    free(shown);
    free(listed);
    json_decref(o);
    json_decref(list);
}

/* ---- webhook backend ------------------------------------------------------------------------- */

START_TEST(webhook_ok_posts_body_with_secret_header)
{
    md_store *s = jobs_world();
    jobs_srv.resp_body = "{\"run\":\"r-17\"}";
    lb_start(&jobs_srv, (int[]){202, 0});
    jobs_set_backend(s, hook(srv_url()));
    const char *reason = "drift \"high\" on c:\\tmp, \xc3\xa9t\xc3\xa9";
    int64_t id = jobs_queue(s, reason);
    jobs_run(s, id);
    lb_stop(&jobs_srv);

    json_t *o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "succeeded");
    ck_assert_str_eq(jobs_str(o, "backend"), "webhook");
    jobs_assert_int(o, "http_status", 202);
    jobs_assert_int(o, "attempts", 1);
    jobs_assert_null(o, "exit_status");
    jobs_assert_null(o, "error");
    tu_assert_has(jobs_str(o, "log_tail"), "r-17");
    json_decref(o);

    ck_assert_int_eq(jobs_srv.requests, 1);
    tu_assert_has(jobs_srv.last, "POST /hooks/retrain HTTP/1.1\r\n");
    tu_assert_has(jobs_srv.last, "\r\nAuthorization: Bearer " TOKEN "\r\n");
    tu_assert_has(jobs_srv.last, "\r\nX-Source: modeldeck\r\n");
    tu_assert_has(jobs_srv.last, "\r\nContent-Type: application/json\r\n");
    json_t *b = lb_body(&jobs_srv);
    char job[24];
    snprintf(job, sizeof job, "%lld", (long long)id);
    ck_assert_str_eq(jobs_str(b, "model"), "churn");
    ck_assert_str_eq(jobs_str(b, "reason"), reason);
    ck_assert_str_eq(jobs_str(b, "job"), job);
    ck_assert_str_eq(jobs_str(b, "version"), "0"); /* no production version */
    ck_assert_str_eq(jobs_str(b, "source"), "modeldeck");
    json_decref(b);

    assert_secret_absent(s, id, TOKEN);
    jobs_audit a = jobs_audit_of(s, id);
    ck_assert_str_eq(a.trail, "olga:retrain.queue olga:retrain.start olga:retrain.finish");
    tu_assert_has(a.finish, "\"http_status\":202");
    md_store_close(s);
}
END_TEST

START_TEST(webhook_client_error_not_retried)
{
    md_store *s = jobs_world();
    jobs_srv.resp_body = "{\"error\":\"unknown model\"}";
    lb_start(&jobs_srv, (int[]){404, 200, 0});
    json_t *b = hook(srv_url());
    json_object_set_new(b, "retries", json_integer(3));
    jobs_set_backend(s, b);
    int64_t id = jobs_queue(s, "drift");
    jobs_run(s, id);
    lb_stop(&jobs_srv);
    ck_assert_int_eq(jobs_srv.requests, 1);
    json_t *o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "failed");
    jobs_assert_int(o, "http_status", 404);
    jobs_assert_int(o, "attempts", 1);
    tu_assert_has(jobs_str(o, "error"), "HTTP 404");
    tu_assert_has(jobs_str(o, "log_tail"), "unknown model");
    json_decref(o);
    char st[32];
    jobs_audit a = jobs_audit_of(s, id);
    jobs_finish_state(&a, st);
    ck_assert_str_eq(st, "failed");
    md_store_close(s);
}
END_TEST

START_TEST(webhook_server_error_then_ok)
{
    md_store *s = jobs_world();
    lb_start(&jobs_srv, (int[]){503, 200, 0});
    json_t *b = hook(srv_url());
    json_object_set_new(b, "retries", json_integer(2));
    jobs_set_backend(s, b);
    int64_t id = jobs_queue(s, "drift");
    jobs_run(s, id);
    lb_stop(&jobs_srv);
    ck_assert_int_eq(jobs_srv.requests, 2);
    json_t *o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "succeeded");
    jobs_assert_int(o, "http_status", 200);
    jobs_assert_int(o, "attempts", 2);
    json_decref(o);
    md_store_close(s);
}
END_TEST

START_TEST(webhook_timeout)
{
    md_store *s = jobs_world();
    jobs_srv.delay_ms = 10000; /* never answers in time; lb_stop cuts it short */
    lb_start(&jobs_srv, (int[]){200, 0});
    json_t *b = hook(srv_url());
    json_object_set_new(b, "timeout_s", json_integer(1));
    jobs_set_backend(s, b);
    int64_t id = jobs_queue(s, "drift");
    int64_t took = jobs_run(s, id);
    lb_stop(&jobs_srv);
    ck_assert_int_ge(took, 900);
    ck_assert_int_lt(took, 2500);
    json_t *o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "timeout");
    jobs_assert_null(o, "http_status");
    jobs_assert_int(o, "attempts", 1);
    tu_assert_has(jobs_str(o, "error"), "timed out");
    json_decref(o);
    char st[32];
    jobs_audit a = jobs_audit_of(s, id);
    jobs_finish_state(&a, st);
    ck_assert_str_eq(st, "timeout");
    md_store_close(s);
}
END_TEST

START_TEST(webhook_untrusted_certificate_refused)
{
    md_store *s = jobs_world();
    const char *pem = lb_tls_setup(&jobs_srv, "IP:127.0.0.1");
    lb_start(&jobs_srv, (int[]){200, 0});
    json_t *b = hook(srv_url());
    json_object_set_new(b, "retries", json_integer(2));
    jobs_set_backend(s, b);
    int64_t id = jobs_queue(s, "drift");
    jobs_run(s, id);
    /* nothing, the token least of all, went over the wire */
    ck_assert_int_eq(jobs_srv.requests, 0);
    ck_assert_str_eq(jobs_srv.last, "");
    json_t *o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "failed");
    tu_assert_has(jobs_str(o, "error"), "certificate");
    jobs_assert_int(o, "attempts", 1); /* not worth a retry */
    jobs_assert_null(o, "http_status");
    json_decref(o);

    /* the same server, trusted through ca_file: the refusal was about trust */
    b = hook(srv_url());
    json_object_set_new(b, "ca_file", json_string(pem));
    jobs_set_backend(s, b);
    id = jobs_queue(s, "drift, trusted");
    jobs_run(s, id);
    lb_stop(&jobs_srv);
    o = jobs_show(s, id);
    ck_assert_msg(strcmp(jobs_str(o, "state"), "succeeded") == 0, "state %s: %s",
                  jobs_str(o, "state"), jobs_str(o, "error"));
    json_decref(o);
    ck_assert_int_eq(jobs_srv.requests, 1);
    json_t *body = lb_body(&jobs_srv);
    ck_assert_str_eq(jobs_str(body, "reason"), "drift, trusted");
    json_decref(body);
    md_store_close(s);
}
END_TEST

/* A header naming a variable secret_env does not list is refused when the policy is set, naming
 * the variable and not its value. A job queued before that check existed (its spec is edited
 * here) fails when it runs, the same way, and sends nothing; so does an unset listed variable. */
START_TEST(webhook_unlisted_env_refused)
{
    md_store *s = jobs_world();
    lb_start(&jobs_srv, (int[]){200, 0});
    json_t *leaky = hook(srv_url());
    json_object_set_new(json_object_get(leaky, "headers"), "X-Api-Key",
                        json_string("${" HIDDEN_ENV "}"));
    json_t *doc = json_pack("{s:{s:O}}", "retrain", "backend", leaky);
    const char *path = tu_path("leaky.json");
    ck_assert_int_eq(json_dump_file(doc, path, 0), 0);
    json_decref(doc);
    char *before = tu_snapshot(s);
    md_actor admin = tu_actor("admin");
    int64_t rev = 0;
    md_err err;
    ck_assert_int_eq(md_policy_set(s, &admin, "churn", path, "leaky", &rev, NULL, &err),
                     MD_INVALID);
    tu_assert_has(err.msg, HIDDEN_ENV);
    tu_assert_lacks(err.msg, HIDDEN, "the error");
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);

    jobs_set_backend(s, hook(srv_url()));
    int64_t id = jobs_queue(s, "drift");
    char *spec = json_dumps(leaky, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(leaky);
    md_status rc = md_sql_run(s, &err, "UPDATE jobs SET spec = ? WHERE id = ?", "ti", spec, id);
    free(spec);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    jobs_run(s, id);
    json_t *o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "failed");
    tu_assert_has(jobs_str(o, "error"), HIDDEN_ENV);
    jobs_assert_null(o, "http_status");
    json_decref(o);
    assert_secret_absent(s, id, HIDDEN);
    assert_secret_absent(s, id, TOKEN);
    jobs_audit a = jobs_audit_of(s, id);
    ck_assert_str_eq(a.trail, "olga:retrain.queue olga:retrain.start olga:retrain.finish");
    tu_assert_lacks(a.finish, HIDDEN, "the audit");

    unsetenv(TOKEN_ENV);
    id = jobs_queue(s, "drift, no token");
    jobs_run(s, id);
    o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "failed");
    tu_assert_has(jobs_str(o, "error"), TOKEN_ENV);
    json_decref(o);
    lb_stop(&jobs_srv);
    ck_assert_int_eq(jobs_srv.requests, 0);
    md_store_close(s);
}
END_TEST

/* ---- edges: workers that ignore SIGTERM, cancels mid-run, reasons that look like templates --- */

/* A timeout stops the whole group: here the shell dies on SIGTERM at once, but a worker it
 * started ignores SIGTERM (as training workers often do) and must still be stopped. */
START_TEST(timeout_kills_workers_that_ignore_sigterm)
{
    md_store *s = jobs_world();
    const char *pidfile = tu_path("cmd.pid");
    char script[800];
    snprintf(script, sizeof script,
             "echo $$ > '%s'; (trap '' TERM; exec sleep 30) & echo started; wait", pidfile);
    jobs_set_command(s, script, 1);
    int64_t id = jobs_queue(s, "drift");
    int64_t took = jobs_run(s, id);
    pid_t pgid = jobs_pid_from(pidfile, 0);
    ck_assert_int_gt(pgid, 0);
    bool gone = jobs_group_gone(pgid, 1500);
    jobs_group_kill(pgid);
    json_t *o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "timeout");
    json_decref(o);
    ck_assert_int_lt(took, 4000);
    ck_assert_msg(gone, "a worker of the timed-out command is still running");
    md_store_close(s);
}
END_TEST

/* The audit's last word on a cancelled job says it was cancelled, not "failed". */
START_TEST(finish_audit_of_cancelled_job_says_cancelled)
{
    md_store *s = jobs_world();
    pid_t pgid;
    int64_t took;
    int64_t id = jobs_cancel_while_running(s, &pgid, &took);
    json_t *o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "cancelled");
    json_decref(o);
    char st[32];
    jobs_audit a = jobs_audit_of(s, id);
    jobs_finish_state(&a, st);
    ck_assert_msg(strcmp(st, "") == 0 || strcmp(st, "cancelled") == 0,
                  "the job is cancelled but its retrain.finish audit row says %s: %s", st,
                  a.finish);
    md_store_close(s);
}
END_TEST

/* A reason is data: "${reason}" or "${job}" in it reaches the body as written (and a supervisor
 * that loops forever on it is killed after 2 s). */
START_TEST(webhook_reason_is_not_a_template)
{
    md_store *s = jobs_world();
    lb_start(&jobs_srv, (int[]){200, 0});
    jobs_set_backend(s, hook(srv_url()));
    const char *reason = "rerun: ${job} was wrong, see ${reason}";
    int64_t id = jobs_queue(s, reason);
    int status = jobs_reap_within(jobs_run_elsewhere(md_store_path(s), id, false), 2000);
    lb_stop(&jobs_srv);
    ck_assert_msg(status != -1, "the supervisor hung building the body");
    ck_assert_int_eq(jobs_srv.requests, 1);
    json_t *b = lb_body(&jobs_srv);
    ck_assert_str_eq(jobs_str(b, "reason"), reason);
    json_decref(b);
    md_store_close(s);
}
END_TEST

/* Cancelling a running webhook job stops its retries: no retrain is triggered afterwards. */
START_TEST(cancel_stops_webhook_retries)
{
    md_store *s = jobs_world();
    lb_start(&jobs_srv, (int[]){503, 200, 0});
    json_t *b = hook(srv_url());
    json_object_set_new(b, "retries", json_integer(3));
    json_object_set_new(b, "backoff_ms", json_integer(800));
    jobs_set_backend(s, b);
    int64_t id = jobs_queue(s, "drift");
    pid_t child = jobs_run_elsewhere(md_store_path(s), id, false);
    for (int64_t end = tu_now_ms() + 3000; jobs_srv.requests < 1 && tu_now_ms() < end;)
        tu_nap_ms(5);
    md_err err;
    md_status rc = md_job_cancel(s, &jobs_otto, id, "not now", &err);
    int status = jobs_reap_within(child, 4000);
    lb_stop(&jobs_srv);
    ck_assert_msg(rc == MD_OK, "cancel: %s", err.msg);
    ck_assert_int_ne(status, -1);
    json_t *o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "cancelled");
    json_decref(o);
    ck_assert_msg(jobs_srv.requests == 1,
                  "the webhook was posted %d times; the cancel came after 1",
                  (int)jobs_srv.requests);
    md_store_close(s);
}
END_TEST

/* Cancelling a running webhook job does not signal the supervisor's own process group (a
 * supervisor started from a shell leads one; so does `modeldeck demo`). */
START_TEST(cancel_does_not_signal_the_supervisor)
{
    md_store *s = jobs_world();
    jobs_srv.delay_ms = 400;
    lb_start(&jobs_srv, (int[]){200, 0});
    jobs_set_backend(s, hook(srv_url()));
    int64_t id = jobs_queue(s, "drift");
    pid_t child = jobs_run_elsewhere(md_store_path(s), id, true);
    for (int64_t end = tu_now_ms() + 3000; jobs_srv.requests < 1 && tu_now_ms() < end;)
        tu_nap_ms(5);
    md_err err;
    md_status rc = md_job_cancel(s, &jobs_otto, id, "not now", &err);
    int status = jobs_reap_within(child, 4000);
    lb_stop(&jobs_srv);
    ck_assert_msg(rc == MD_OK, "cancel: %s", err.msg);
    ck_assert_msg(status != -1 && WIFEXITED(status),
                  "the supervisor was killed by the cancel (signal %d)",
                  status != -1 && WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    json_t *o = jobs_show(s, id);
    ck_assert_str_eq(jobs_str(o, "state"), "cancelled");
    json_decref(o);
    md_store_close(s);
}
END_TEST

Suite *suite_jobs_webhook(void)
{
    Suite *s = suite_create("jobs_webhook");
    TCase *web = tcase_create("webhook");
    tcase_set_timeout(web, 20);
    tcase_add_checked_fixture(web, jobs_setup, jobs_teardown);
    tcase_add_test(web, webhook_ok_posts_body_with_secret_header);
    tcase_add_test(web, webhook_client_error_not_retried);
    tcase_add_test(web, webhook_server_error_then_ok);
    tcase_add_test(web, webhook_timeout);
    tcase_add_test(web, webhook_untrusted_certificate_refused);
    tcase_add_test(web, webhook_unlisted_env_refused);
    suite_add_tcase(s, web);

    TCase *edges = tcase_create("edges");
    tcase_set_timeout(edges, 20);
    tcase_add_checked_fixture(edges, jobs_setup, jobs_teardown);
    tcase_add_test(edges, timeout_kills_workers_that_ignore_sigterm);
    tcase_add_test(edges, finish_audit_of_cancelled_job_says_cancelled);
    tcase_add_test(edges, webhook_reason_is_not_a_template);
    tcase_add_test(edges, cancel_stops_webhook_retries);
    tcase_add_test(edges, cancel_does_not_signal_the_supervisor);
    suite_add_tcase(s, edges);
    return s;
}
