/* http: the outbound JSON POST against real servers on 127.0.0.1 -- plain and TLS, answering
 * from a script (loopback.h, which says why a real server) -- and ${NAME} expansion. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "loopback.h"
#include "testutil.h"

Suite *suite_http(void);

#define SECRET "Bearer SECRET123"

static lb_server S;

static void setup(void)
{
    lb_setup(&S);
}

static void teardown(void)
{
    lb_teardown(&S);
    tu_cleanup();
}

/* ---- helpers for the cases ---- */

static const char *const secret_headers[] = {"X-Md-Test: yes", "Authorization: " SECRET, NULL};

static md_http_request req_to(const char *u)
{
    return (md_http_request){.url = u, .body = "{\"model\":\"churn\"}", .timeout_ms = 2000,
                             .headers = secret_headers, .backoff_ms = 10};
}

static void assert_no_secret(const md_http_result *res, const md_err *err)
{
    ck_assert_msg(!strstr(err->msg, "SECRET123"), "secret in err: %s", err->msg);
    ck_assert_msg(!strstr(res->error, "SECRET123"), "secret in error: %s", res->error);
    ck_assert_msg(!strstr(res->body_tail, "SECRET123"), "secret in body_tail");
}

static md_status post(const md_http_request *req, md_http_result *res, md_err *err)
{
    md_err_clear(err);
    md_status rc = md_http_post_json(req, res, err);
    assert_no_secret(res, err);
    return rc;
}

/* ---- the cases ---- */

START_TEST(ok_body_and_headers_arrive)
{
    static char big[5001];
    for (int i = 0; i < 5000; i++)
        big[i] = (char)('a' + i % 26);
    memcpy(big + 4997, "END", 4);
    S.resp_body = big;
    lb_start(&S, (int[]){200, 0});
    md_http_request req = req_to(lb_url(&S, "/hook"));
    md_http_result res;
    md_err err;
    ck_assert_int_eq(post(&req, &res, &err), MD_OK);
    ck_assert_int_eq(res.status, 200);
    ck_assert_int_eq(res.attempts, 1);
    ck_assert(!res.timed_out && !res.cancelled);
    ck_assert_uint_eq(strlen(res.body_tail), 1023);
    ck_assert_str_eq(res.body_tail, big + 5000 - 1023);
    lb_stop(&S);
    ck_assert_int_eq(S.requests, 1);
    tu_assert_has(S.last, "POST /hook HTTP/1.1\r\n");
    tu_assert_has(S.last, "\r\nContent-Type: application/json\r\n");
    tu_assert_has(S.last, "\r\nX-Md-Test: yes\r\n");
    tu_assert_has(S.last, "\r\nAuthorization: " SECRET "\r\n");
    tu_assert_has(S.last, "\r\nUser-Agent: modeldeck");
    tu_assert_has(S.last, "\r\n\r\n{\"model\":\"churn\"}");
}
END_TEST

START_TEST(short_body_and_null_result)
{
    S.resp_body = "{\"queued\":true}";
    lb_start(&S, (int[]){202, 0});
    md_http_request req = req_to(lb_url(&S, "/hook"));
    md_http_result res;
    md_err err;
    ck_assert_int_eq(post(&req, &res, &err), MD_OK);
    ck_assert_str_eq(res.body_tail, "{\"queued\":true}");
    ck_assert_str_eq(res.error, "");
    ck_assert_int_eq(md_http_post_json(&req, NULL, &err), MD_OK);
    ck_assert_int_eq(S.requests, 2);
}
END_TEST

/* The tail is kept across many small reads and does not start inside a UTF-8 sequence. */
START_TEST(body_tail_across_reads)
{
    static char body[5001];
    for (int i = 0; i < 5000; i += 2)
        memcpy(body + i, "\xc3\xa9", 2); /* U+00E9 */
    S.resp_body = body;
    S.chunk = 700;
    lb_start(&S, (int[]){200, 0});
    md_http_request req = req_to(lb_url(&S, "/hook"));
    md_http_result res;
    md_err err;
    ck_assert_int_eq(post(&req, &res, &err), MD_OK);
    ck_assert_uint_eq(strlen(res.body_tail), 1022); /* 1023 bytes, less the half character */
    ck_assert_str_eq(res.body_tail, body + 5000 - 1022);
}
END_TEST

/* libcurl 7.88 sends "Expect: 100-continue" for bodies over 1 MiB, then waits a second for an
 * answer most webhook receivers never give. */
START_TEST(large_body_sent_at_once)
{
    size_t n = (1u << 20) + 4096;
    char *body = malloc(n + 1);
    memset(body, ' ', n);
    body[0] = '[', body[n - 1] = ']', body[n] = '\0';
    lb_start(&S, (int[]){200, 0});
    md_http_request req = req_to(lb_url(&S, "/hook"));
    req.body = body;
    md_http_result res;
    md_err err;
    int64_t t0 = tu_now_ms();
    md_status rc = post(&req, &res, &err);
    int64_t took = tu_now_ms() - t0;
    free(body);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    ck_assert_int_lt(took, 700);
    lb_stop(&S);
    ck_assert_ptr_null(strcasestr(S.last, "Expect:"));
    tu_assert_has(S.last, "\r\nContent-Length: 1052672\r\n");
}
END_TEST

START_TEST(client_error_not_retried)
{
    lb_start(&S, (int[]){404, 200, 0});
    md_http_request req = req_to(lb_url(&S, "/hook?token=abc"));
    req.retries = 3;
    md_http_result res;
    md_err err;
    ck_assert_int_eq(post(&req, &res, &err), MD_ERROR);
    ck_assert_int_eq(res.status, 404);
    ck_assert_int_eq(res.attempts, 1);
    ck_assert_int_eq(S.requests, 1);
    char want[128];
    snprintf(want, sizeof want, "HTTP 404 from http://127.0.0.1:%d/hook", S.port);
    tu_assert_has(err.msg, want);
    ck_assert_ptr_null(strstr(err.msg, "token"));
}
END_TEST

START_TEST(server_error_then_ok)
{
    const int first[] = {503, 429};
    for (int i = 0; i < 2; i++) {
        lb_start(&S, (int[]){first[i], 200, 0});
        md_http_request req = req_to(lb_url(&S, "/hook"));
        req.retries = 3;
        req.backoff_ms = 100;
        md_http_result res;
        md_err err;
        int64_t t0 = tu_now_ms();
        ck_assert_int_eq(post(&req, &res, &err), MD_OK);
        ck_assert_int_ge(tu_now_ms() - t0, 100);
        ck_assert_int_eq(res.status, 200);
        ck_assert_int_eq(res.attempts, 2);
        ck_assert_int_eq(S.requests, 2);
        lb_stop(&S);
        memset(&S, 0, sizeof S);
    }
}
END_TEST

START_TEST(server_error_gives_up)
{
    lb_start(&S, (int[]){500, 0});
    md_http_request req = req_to(lb_url(&S, "/hook"));
    req.retries = 2;
    req.backoff_ms = 50;
    md_http_result res;
    md_err err;
    int64_t t0 = tu_now_ms();
    ck_assert_int_eq(post(&req, &res, &err), MD_ERROR);
    int64_t took = tu_now_ms() - t0;
    ck_assert_int_ge(took, 150); /* 50 + 100: the pause doubles */
    ck_assert_int_lt(took, 2000);
    ck_assert_int_eq(res.attempts, 3);
    ck_assert_int_eq(S.requests, 3);
    ck_assert_int_eq(res.status, 500);
    tu_assert_has(err.msg, "HTTP 500 from");
    tu_assert_has(err.msg, "after 3 attempts");
}
END_TEST

START_TEST(timeout)
{
    S.delay_ms = 5000;
    lb_start(&S, (int[]){200, 0});
    md_http_request req = req_to(lb_url(&S, "/slow"));
    req.timeout_ms = 200;
    req.retries = 1;
    md_http_result res;
    md_err err;
    int64_t t0 = tu_now_ms();
    ck_assert_int_eq(post(&req, &res, &err), MD_ERROR);
    int64_t took = tu_now_ms() - t0;
    ck_assert_int_ge(took, 400);
    ck_assert_int_lt(took, 1500);
    ck_assert(res.timed_out);
    ck_assert_int_eq(res.attempts, 2);
    ck_assert_int_eq(res.status, 0);
    tu_assert_has(err.msg, "timed out");
    tu_assert_has(err.msg, "after 2 attempts");
}
END_TEST

START_TEST(connection_refused)
{
    int port, fd = lb_bound_socket(false, &port); /* bound, never listening: refused */
    char u[64];
    snprintf(u, sizeof u, "http://127.0.0.1:%d/hook", port);
    md_http_request req = req_to(u);
    req.retries = 2;
    md_http_result res;
    md_err err;
    ck_assert_int_eq(post(&req, &res, &err), MD_ERROR);
    close(fd);
    ck_assert_int_eq(res.attempts, 3);
    ck_assert_int_eq(res.status, 0);
    ck_assert(!res.timed_out);
    ck_assert_str_ne(res.error, "");
    tu_assert_has(err.msg, "could not connect");
}
END_TEST

START_TEST(tls_untrusted_refused)
{
    lb_tls_setup(&S, "IP:127.0.0.1");
    lb_start(&S, (int[]){200, 0});
    md_http_request req = req_to(lb_url(&S, "/hook"));
    req.retries = 2;
    md_http_result res;
    md_err err;
    ck_assert_int_eq(post(&req, &res, &err), MD_ERROR);
    ck_assert_int_eq(res.attempts, 1); /* not a transient failure */
    ck_assert_int_eq(res.status, 0);
    ck_assert_int_eq(S.requests, 0);
    tu_assert_has(err.msg, "TLS: certificate");
}
END_TEST

START_TEST(tls_trusted_with_ca_file)
{
    const char *pem = lb_tls_setup(&S, "IP:127.0.0.1");
    lb_start(&S, (int[]){200, 0});
    md_http_request req = req_to(lb_url(&S, "/hook"));
    req.ca_file = pem;
    md_http_result res;
    md_err err;
    ck_assert_msg(post(&req, &res, &err) == MD_OK, "%s", err.msg);
    ck_assert_int_eq(res.status, 200);
    lb_stop(&S);
    ck_assert_int_eq(S.requests, 1);
    tu_assert_has(S.last, "\r\nX-Md-Test: yes\r\n");
}
END_TEST

START_TEST(tls_wrong_host_refused)
{
    const char *pem = lb_tls_setup(&S, "DNS:elsewhere.invalid");
    lb_start(&S, (int[]){200, 0});
    md_http_request req = req_to(lb_url(&S, "/hook"));
    req.ca_file = pem;
    md_http_result res;
    md_err err;
    ck_assert_int_eq(post(&req, &res, &err), MD_ERROR);
    tu_assert_has(err.msg, "TLS: certificate");
    ck_assert_int_eq(S.requests, 0);
}
END_TEST

START_TEST(other_schemes_refused)
{
    lb_start(&S, (int[]){200, 0});
    char ftp[64], gopher[64], bare[64], upper[64];
    snprintf(ftp, sizeof ftp, "ftp://127.0.0.1:%d/x", S.port);
    snprintf(gopher, sizeof gopher, "gopher://127.0.0.1:%d/x", S.port);
    snprintf(bare, sizeof bare, "127.0.0.1:%d/hook", S.port);
    snprintf(upper, sizeof upper, "HTTP://127.0.0.1:%d/hook", S.port);
    const char *bad[] = {"file:///etc/passwd", ftp, gopher, bare, "dict://127.0.0.1/", "",
                         "http://"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        md_http_request req = req_to(bad[i]);
        md_http_result res;
        md_err err;
        ck_assert_msg(post(&req, &res, &err) == MD_INVALID, "accepted %s", bad[i]);
        ck_assert_int_eq(res.attempts, 0);
    }
    ck_assert_int_eq(S.requests, 0);
    md_http_request req = req_to(upper);
    md_err err;
    ck_assert_int_eq(md_http_post_json(&req, NULL, &err), MD_OK);
    ck_assert_int_eq(md_http_post_json(NULL, NULL, &err), MD_INVALID);
    req.body = NULL;
    ck_assert_int_eq(md_http_post_json(&req, NULL, &err), MD_INVALID);
}
END_TEST

START_TEST(redirect_not_followed)
{
    S.location = "file:///etc/passwd";
    lb_start(&S, (int[]){307, 0});
    md_http_request req = req_to(lb_url(&S, "/hook"));
    req.retries = 2;
    md_http_result res;
    md_err err;
    ck_assert_int_eq(post(&req, &res, &err), MD_ERROR);
    ck_assert_int_eq(res.status, 307);
    ck_assert_int_eq(res.attempts, 1);
    ck_assert_int_eq(S.requests, 1);
    tu_assert_has(err.msg, "HTTP 307");
}
END_TEST

typedef struct {
    volatile int *flag;
    int after_ms;
} canceller;

static void *cancel_later(void *arg)
{
    canceller *c = arg;
    struct timespec ts = {0, c->after_ms * 1000000L};
    nanosleep(&ts, NULL);
    __atomic_store_n(c->flag, 1, __ATOMIC_RELAXED);
    return NULL;
}

/* Posts with a cancel flag raised after `after_ms`; returns the elapsed milliseconds. */
static int64_t post_cancelled(md_http_request *req, int after_ms, md_http_result *res)
{
    volatile int flag = after_ms < 0;
    canceller c = {&flag, after_ms};
    pthread_t t;
    md_err err;
    req->cancel = &flag;
    if (after_ms >= 0)
        ck_assert_int_eq(pthread_create(&t, NULL, cancel_later, &c), 0);
    int64_t t0 = tu_now_ms();
    ck_assert_int_eq(post(req, res, &err), MD_ERROR);
    int64_t took = tu_now_ms() - t0;
    if (after_ms >= 0)
        pthread_join(t, NULL);
    ck_assert(res->cancelled);
    tu_assert_has(err.msg, "cancelled");
    return took;
}

START_TEST(cancel_before_first_attempt)
{
    lb_start(&S, (int[]){200, 0});
    md_http_request req = req_to(lb_url(&S, "/hook"));
    md_http_result res;
    post_cancelled(&req, -1, &res);
    ck_assert_int_eq(res.attempts, 0);
    ck_assert_int_eq(S.requests, 0);
}
END_TEST

START_TEST(cancel_stops_retries)
{
    lb_start(&S, (int[]){503, 0});
    md_http_request req = req_to(lb_url(&S, "/hook"));
    req.retries = 10;
    req.backoff_ms = 5000;
    md_http_result res;
    ck_assert_int_lt(post_cancelled(&req, 100, &res), 1000);
    ck_assert_int_eq(res.attempts, 1);
    ck_assert_int_eq(res.status, 503);
    ck_assert_int_eq(S.requests, 1);
}
END_TEST

START_TEST(cancel_during_transfer)
{
    S.delay_ms = 5000;
    lb_start(&S, (int[]){200, 0});
    md_http_request req = req_to(lb_url(&S, "/slow"));
    req.timeout_ms = 10000;
    req.retries = 3;
    md_http_result res;
    ck_assert_int_lt(post_cancelled(&req, 100, &res), 2500); /* progress callback: ~1 s */
    ck_assert_int_eq(res.attempts, 1);
    ck_assert(!res.timed_out);
}
END_TEST

START_TEST(secrets_stay_out)
{
    lb_start(&S, (int[]){401, 0});
    char u[128];
    snprintf(u, sizeof u, "http://alice:hunter2@127.0.0.1:%d/hook?key=SECRET123#SECRET123", S.port);
    md_http_request req = req_to(u);
    md_http_result res;
    md_err err;
    ck_assert_int_eq(post(&req, &res, &err), MD_ERROR); /* post() asserts no SECRET123 */
    ck_assert_ptr_null(strstr(err.msg, "hunter2"));
    ck_assert_ptr_null(strstr(err.msg, "alice"));
    lb_stop(&S);
    tu_assert_has(S.last, "\r\nAuthorization: " SECRET "\r\n"); /* ours, not the URL's */
    const char *const injected[] = {"X-Token: " SECRET "\r\nX-Other: 1", NULL};
    const char *const nameless[] = {"Authorization " SECRET, NULL};
    const char *const spaced[] = {"Bad Name: " SECRET, NULL};
    const char *const *bad[] = {injected, nameless, spaced};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        req.headers = bad[i];
        ck_assert_int_eq(post(&req, &res, &err), MD_INVALID);
        ck_assert_int_eq(res.attempts, 0);
    }
    tu_assert_has(err.msg, "header 1");
}
END_TEST

static void *post_thrice(void *arg)
{
    md_http_request req = req_to(arg);
    for (int i = 0; i < 3; i++) {
        md_err err;
        if (md_http_post_json(&req, NULL, &err) != MD_OK)
            return (void *)1;
    }
    return NULL;
}

START_TEST(concurrent_callers)
{
    lb_start(&S, (int[]){200, 0});
    const char *u = lb_url(&S, "/hook");
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, post_thrice, (void *)u), 0);
    for (int i = 0; i < 4; i++) {
        void *failed;
        pthread_join(t[i], &failed);
        ck_assert_ptr_null(failed);
    }
    ck_assert_int_eq(S.requests, 12);
}
END_TEST

/* ---- ${NAME} expansion ---- */

static const char *const allowed[] = {"MD_T_TOKEN", "MD_T_HOST", "MD_T_UNSET", NULL};

static md_status expand(const char *text, char **out, md_err *err)
{
    setenv("MD_T_TOKEN", "tok-VALUE", 1);
    setenv("MD_T_HOST", "ml.example", 1);
    setenv("MD_T_HIDDEN", "hidden-VALUE", 1);
    unsetenv("MD_T_UNSET");
    md_err_clear(err);
    md_status rc = md_http_expand_env(text, allowed, out, err);
    ck_assert_ptr_null(strstr(err->msg, "VALUE"));
    return rc;
}

START_TEST(expand_env)
{
    char *out;
    md_err err;
    ck_assert_int_eq(expand("Authorization: Bearer ${MD_T_TOKEN}", &out, &err), MD_OK);
    ck_assert_str_eq(out, "Authorization: Bearer tok-VALUE");
    free(out);
    ck_assert_int_eq(expand("https://${MD_T_HOST}/${MD_T_TOKEN}${MD_T_TOKEN}?$x=$", &out, &err),
                     MD_OK);
    ck_assert_str_eq(out, "https://ml.example/tok-VALUEtok-VALUE?$x=$");
    free(out);
    ck_assert_int_eq(expand("no placeholders, $HOME stays", &out, &err), MD_OK);
    ck_assert_str_eq(out, "no placeholders, $HOME stays");
    free(out);
    ck_assert_int_eq(expand("", &out, &err), MD_OK);
    ck_assert_str_eq(out, "");
    free(out);
}
END_TEST

START_TEST(expand_env_errors)
{
    char *out;
    md_err err;
    ck_assert_int_eq(expand("x ${MD_T_HIDDEN}", &out, &err), MD_REFUSED);
    tu_assert_has(err.msg, "MD_T_HIDDEN");
    ck_assert_ptr_null(out);
    ck_assert_int_eq(expand("${MD_T_TOKEN} ${MD_T_UNSET}", &out, &err), MD_NOTFOUND);
    tu_assert_has(err.msg, "MD_T_UNSET");
    ck_assert_ptr_null(out);
    ck_assert_int_eq(expand("${MD_T_TOKEN} ${MD_T_HOST", &out, &err), MD_INVALID);
    tu_assert_has(err.msg, "byte 15");
    ck_assert_ptr_null(out);
    ck_assert_int_eq(expand("a ${} b", &out, &err), MD_INVALID);
    ck_assert_int_eq(expand("${MD_T_TO", &out, &err), MD_INVALID);
    ck_assert_int_eq(md_http_expand_env("${MD_T_TOKEN}", NULL, &out, &err), MD_REFUSED);
    ck_assert_ptr_null(out);
}
END_TEST

Suite *suite_http(void)
{
    Suite *s = suite_create("http");
    TCase *tc = tcase_create("http");
    tcase_set_timeout(tc, 10);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, ok_body_and_headers_arrive);
    tcase_add_test(tc, short_body_and_null_result);
    tcase_add_test(tc, body_tail_across_reads);
    tcase_add_test(tc, large_body_sent_at_once);
    tcase_add_test(tc, client_error_not_retried);
    tcase_add_test(tc, server_error_then_ok);
    tcase_add_test(tc, server_error_gives_up);
    tcase_add_test(tc, timeout);
    tcase_add_test(tc, connection_refused);
    tcase_add_test(tc, tls_untrusted_refused);
    tcase_add_test(tc, tls_trusted_with_ca_file);
    tcase_add_test(tc, tls_wrong_host_refused);
    tcase_add_test(tc, other_schemes_refused);
    tcase_add_test(tc, redirect_not_followed);
    tcase_add_test(tc, cancel_before_first_attempt);
    tcase_add_test(tc, cancel_stops_retries);
    tcase_add_test(tc, cancel_during_transfer);
    tcase_add_test(tc, secrets_stay_out);
    tcase_add_test(tc, concurrent_callers);
    tcase_add_test(tc, expand_env);
    tcase_add_test(tc, expand_env_errors);
    suite_add_tcase(s, tc);
    return s;
}
