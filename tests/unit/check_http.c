/* http: the outbound JSON POST against real servers on 127.0.0.1 -- plain and TLS, run in a
 * thread of the test process and answering from a script -- and ${NAME} expansion.
 *
 * Why a real server: retries, timeouts, TLS trust and what reaches the wire are libcurl's
 * behaviour under our options; only a socket shows them. The TLS key and self-signed
 * certificate are made in memory at test time, so nothing secret or expiring is checked in. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "testutil.h"

Suite *suite_http(void);

#define SECRET "Bearer SECRET123"

/* The test server: answers request i with statuses[i] (the last one repeats). */
typedef struct {
    int statuses[8];
    int nstatus;
    int delay_ms;          /* before each answer; cut short when the server stops */
    const char *location;  /* a Location header, for 3xx */
    const char *resp_body; /* NULL: "{}" */
    size_t chunk;          /* > 0: the body goes out in pieces this big, 2 ms apart */
    SSL_CTX *tls;          /* non-NULL: speak TLS */
    /* filled in by the server */
    int port, fd, stop[2];
    bool running;
    pthread_t thread;
    atomic_int requests;   /* complete requests read */
    char last[16384];      /* the last request (read it after srv_stop) */
} srv;

static srv S;
static void (*old_sigpipe)(int);
static EVP_PKEY *key;
static X509 *cert;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the server ---- */

typedef struct {
    int fd;
    SSL *ssl;
} conn;

static int conn_read(conn *c, char *buf, size_t n)
{
    return c->ssl ? SSL_read(c->ssl, buf, (int)n) : (int)recv(c->fd, buf, n, 0);
}

static void conn_write(conn *c, const char *buf, size_t n)
{
    if (c->ssl)
        SSL_write(c->ssl, buf, (int)n);
    else
        (void)!send(c->fd, buf, n, MSG_NOSIGNAL);
}

/* Reads headers and a Content-Length body; buf keeps what fits. False on EOF or timeout. */
static bool read_request(conn *c, char *buf, size_t cap)
{
    char scratch[4096];
    size_t n = 0, want = SIZE_MAX;
    while (n < want) {
        bool fits = n + 1 < cap;
        int got = conn_read(c, fits ? buf + n : scratch, fits ? cap - n - 1 : sizeof scratch);
        if (got <= 0)
            return false;
        if (fits)
            buf[n + (size_t)got] = '\0';
        n += (size_t)got;
        const char *end = strstr(buf, "\r\n\r\n");
        const char *cl = strcasestr(buf, "\r\nContent-Length:");
        if (want == SIZE_MAX && end)
            want = (size_t)(end + 4 - buf) + (cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
    }
    return true;
}

/* Waits ms milliseconds unless the server is told to stop first (then true). */
static bool stopping(srv *s, int ms)
{
    struct pollfd p = {s->stop[0], POLLIN, 0};
    return poll(&p, 1, ms) > 0;
}

static void respond(srv *s, conn *c, int index)
{
    int status = s->statuses[index < s->nstatus ? index : s->nstatus - 1];
    const char *body = s->resp_body ? s->resp_body : "{}";
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d Scripted\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n%s%s%s\r\n",
                     status, strlen(body), s->location ? "Location: " : "",
                     s->location ? s->location : "", s->location ? "\r\n" : "");
    conn_write(c, head, (size_t)n);
    size_t len = strlen(body), step = s->chunk ? s->chunk : len;
    for (size_t at = 0; at < len; at += step) {
        conn_write(c, body + at, len - at < step ? len - at : step);
        if (s->chunk)
            nanosleep(&(struct timespec){0, 2000000}, NULL);
    }
}

static void serve(srv *s, int fd)
{
    conn c = {fd, NULL};
    struct timeval tv = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (s->tls) {
        c.ssl = SSL_new(s->tls);
        SSL_set_fd(c.ssl, fd);
    }
    char req[sizeof s->last];
    if ((!c.ssl || SSL_accept(c.ssl) == 1) && read_request(&c, req, sizeof req)) {
        snprintf(s->last, sizeof s->last, "%s", req);
        int index = atomic_fetch_add(&s->requests, 1);
        if (!stopping(s, s->delay_ms))
            respond(s, &c, index);
        if (c.ssl)
            SSL_shutdown(c.ssl);
    }
    SSL_free(c.ssl);
}

static void *srv_main(void *arg)
{
    srv *s = arg;
    for (;;) {
        struct pollfd p[2] = {{s->fd, POLLIN, 0}, {s->stop[0], POLLIN, 0}};
        if (poll(p, 2, -1) < 0 || p[1].revents)
            break;
        int c = accept(s->fd, NULL, NULL);
        if (c >= 0) {
            serve(s, c);
            close(c);
        }
    }
    return NULL;
}

/* A socket bound to 127.0.0.1 on a free port; listening when `listening`. */
static int bound_socket(bool listening, int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    if (listening)
        ck_assert_int_eq(listen(fd, 16), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* Starts S, scripted by the statuses (ended by 0). */
static void srv_start(const int *statuses)
{
    while (S.nstatus < 8 && statuses[S.nstatus])
        S.statuses[S.nstatus] = statuses[S.nstatus], S.nstatus++;
    S.fd = bound_socket(true, &S.port);
    ck_assert_int_eq(pipe(S.stop), 0);
    ck_assert_int_eq(pthread_create(&S.thread, NULL, srv_main, &S), 0);
    S.running = true;
}

static void srv_stop(void)
{
    if (!S.running)
        return;
    ck_assert_int_eq(write(S.stop[1], "x", 1), 1);
    pthread_join(S.thread, NULL);
    close(S.fd);
    close(S.stop[0]);
    close(S.stop[1]);
    S.running = false;
}

static const char *url(const char *path)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s://127.0.0.1:%d%s", S.tls ? "https" : "http", S.port, path);
    return buf;
}

/* ---- TLS material ---- */

static void add_ext(X509 *x, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(X509_add_ext(x, e, -1), 1);
    X509_EXTENSION_free(e);
}

/* A P-256 key and a self-signed certificate for `san`; S serves them; returns the PEM file. */
static const char *tls_setup(const char *san)
{
    key = EVP_EC_gen("P-256");
    cert = X509_new();
    ck_assert_ptr_nonnull(key);
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"md test", -1,
                               -1, 0);
    X509_set_issuer_name(cert, name);
    add_ext(cert, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert, NID_key_usage, "critical,digitalSignature,keyCertSign");
    add_ext(cert, NID_subject_alt_name, san);
    ck_assert_int_gt(X509_sign(cert, key, EVP_sha256()), 0);
    S.tls = SSL_CTX_new(TLS_server_method());
    ck_assert_int_eq(SSL_CTX_use_certificate(S.tls, cert), 1);
    ck_assert_int_eq(SSL_CTX_use_PrivateKey(S.tls, key), 1);
    const char *path = tu_path("cert.pem");
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(PEM_write_X509(f, cert), 1);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

static void setup(void)
{
    memset(&S, 0, sizeof S);
    old_sigpipe = signal(SIGPIPE, SIG_IGN); /* the server writes to clients that gave up */
    const char *proxies[] = {"http_proxy", "https_proxy", "all_proxy", "HTTPS_PROXY", "ALL_PROXY"};
    for (size_t i = 0; i < sizeof proxies / sizeof proxies[0]; i++)
        unsetenv(proxies[i]);
    setenv("no_proxy", "*", 1);
}

static void teardown(void)
{
    srv_stop();
    SSL_CTX_free(S.tls);
    X509_free(cert);
    EVP_PKEY_free(key);
    S.tls = NULL, cert = NULL, key = NULL;
    signal(SIGPIPE, old_sigpipe);
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

static void assert_has(const char *text, const char *needle)
{
    ck_assert_msg(strstr(text, needle) != NULL, "\"%s\" not in \"%s\"", needle, text);
}

/* ---- the cases ---- */

START_TEST(ok_body_and_headers_arrive)
{
    static char big[5001];
    for (int i = 0; i < 5000; i++)
        big[i] = (char)('a' + i % 26);
    memcpy(big + 4997, "END", 4);
    S.resp_body = big;
    srv_start((int[]){200, 0});
    md_http_request req = req_to(url("/hook"));
    md_http_result res;
    md_err err;
    ck_assert_int_eq(post(&req, &res, &err), MD_OK);
    ck_assert_int_eq(res.status, 200);
    ck_assert_int_eq(res.attempts, 1);
    ck_assert(!res.timed_out && !res.cancelled);
    ck_assert_uint_eq(strlen(res.body_tail), 1023);
    ck_assert_str_eq(res.body_tail, big + 5000 - 1023);
    srv_stop();
    ck_assert_int_eq(S.requests, 1);
    assert_has(S.last, "POST /hook HTTP/1.1\r\n");
    assert_has(S.last, "\r\nContent-Type: application/json\r\n");
    assert_has(S.last, "\r\nX-Md-Test: yes\r\n");
    assert_has(S.last, "\r\nAuthorization: " SECRET "\r\n");
    assert_has(S.last, "\r\nUser-Agent: modeldeck");
    assert_has(S.last, "\r\n\r\n{\"model\":\"churn\"}");
}
END_TEST

START_TEST(short_body_and_null_result)
{
    S.resp_body = "{\"queued\":true}";
    srv_start((int[]){202, 0});
    md_http_request req = req_to(url("/hook"));
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
    srv_start((int[]){200, 0});
    md_http_request req = req_to(url("/hook"));
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
    srv_start((int[]){200, 0});
    md_http_request req = req_to(url("/hook"));
    req.body = body;
    md_http_result res;
    md_err err;
    int64_t t0 = now_ms();
    md_status rc = post(&req, &res, &err);
    int64_t took = now_ms() - t0;
    free(body);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    ck_assert_int_lt(took, 700);
    srv_stop();
    ck_assert_ptr_null(strcasestr(S.last, "Expect:"));
    assert_has(S.last, "\r\nContent-Length: 1052672\r\n");
}
END_TEST

START_TEST(client_error_not_retried)
{
    srv_start((int[]){404, 200, 0});
    md_http_request req = req_to(url("/hook?token=abc"));
    req.retries = 3;
    md_http_result res;
    md_err err;
    ck_assert_int_eq(post(&req, &res, &err), MD_ERROR);
    ck_assert_int_eq(res.status, 404);
    ck_assert_int_eq(res.attempts, 1);
    ck_assert_int_eq(S.requests, 1);
    char want[128];
    snprintf(want, sizeof want, "HTTP 404 from http://127.0.0.1:%d/hook", S.port);
    assert_has(err.msg, want);
    ck_assert_ptr_null(strstr(err.msg, "token"));
}
END_TEST

START_TEST(server_error_then_ok)
{
    const int first[] = {503, 429};
    for (int i = 0; i < 2; i++) {
        srv_start((int[]){first[i], 200, 0});
        md_http_request req = req_to(url("/hook"));
        req.retries = 3;
        req.backoff_ms = 100;
        md_http_result res;
        md_err err;
        int64_t t0 = now_ms();
        ck_assert_int_eq(post(&req, &res, &err), MD_OK);
        ck_assert_int_ge(now_ms() - t0, 100);
        ck_assert_int_eq(res.status, 200);
        ck_assert_int_eq(res.attempts, 2);
        ck_assert_int_eq(S.requests, 2);
        srv_stop();
        memset(&S, 0, sizeof S);
    }
}
END_TEST

START_TEST(server_error_gives_up)
{
    srv_start((int[]){500, 0});
    md_http_request req = req_to(url("/hook"));
    req.retries = 2;
    req.backoff_ms = 50;
    md_http_result res;
    md_err err;
    int64_t t0 = now_ms();
    ck_assert_int_eq(post(&req, &res, &err), MD_ERROR);
    int64_t took = now_ms() - t0;
    ck_assert_int_ge(took, 150); /* 50 + 100: the pause doubles */
    ck_assert_int_lt(took, 2000);
    ck_assert_int_eq(res.attempts, 3);
    ck_assert_int_eq(S.requests, 3);
    ck_assert_int_eq(res.status, 500);
    assert_has(err.msg, "HTTP 500 from");
    assert_has(err.msg, "after 3 attempts");
}
END_TEST

START_TEST(timeout)
{
    S.delay_ms = 5000;
    srv_start((int[]){200, 0});
    md_http_request req = req_to(url("/slow"));
    req.timeout_ms = 200;
    req.retries = 1;
    md_http_result res;
    md_err err;
    int64_t t0 = now_ms();
    ck_assert_int_eq(post(&req, &res, &err), MD_ERROR);
    int64_t took = now_ms() - t0;
    ck_assert_int_ge(took, 400);
    ck_assert_int_lt(took, 1500);
    ck_assert(res.timed_out);
    ck_assert_int_eq(res.attempts, 2);
    ck_assert_int_eq(res.status, 0);
    assert_has(err.msg, "timed out");
    assert_has(err.msg, "after 2 attempts");
}
END_TEST

START_TEST(connection_refused)
{
    int port, fd = bound_socket(false, &port); /* bound, never listening: refused */
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
    assert_has(err.msg, "could not connect");
}
END_TEST

START_TEST(tls_untrusted_refused)
{
    tls_setup("IP:127.0.0.1");
    srv_start((int[]){200, 0});
    md_http_request req = req_to(url("/hook"));
    req.retries = 2;
    md_http_result res;
    md_err err;
    ck_assert_int_eq(post(&req, &res, &err), MD_ERROR);
    ck_assert_int_eq(res.attempts, 1); /* not a transient failure */
    ck_assert_int_eq(res.status, 0);
    ck_assert_int_eq(S.requests, 0);
    assert_has(err.msg, "TLS: certificate");
}
END_TEST

START_TEST(tls_trusted_with_ca_file)
{
    const char *pem = tls_setup("IP:127.0.0.1");
    srv_start((int[]){200, 0});
    md_http_request req = req_to(url("/hook"));
    req.ca_file = pem;
    md_http_result res;
    md_err err;
    ck_assert_msg(post(&req, &res, &err) == MD_OK, "%s", err.msg);
    ck_assert_int_eq(res.status, 200);
    srv_stop();
    ck_assert_int_eq(S.requests, 1);
    assert_has(S.last, "\r\nX-Md-Test: yes\r\n");
}
END_TEST

START_TEST(tls_wrong_host_refused)
{
    const char *pem = tls_setup("DNS:elsewhere.invalid");
    srv_start((int[]){200, 0});
    md_http_request req = req_to(url("/hook"));
    req.ca_file = pem;
    md_http_result res;
    md_err err;
    ck_assert_int_eq(post(&req, &res, &err), MD_ERROR);
    assert_has(err.msg, "TLS: certificate");
    ck_assert_int_eq(S.requests, 0);
}
END_TEST

START_TEST(other_schemes_refused)
{
    srv_start((int[]){200, 0});
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
    srv_start((int[]){307, 0});
    md_http_request req = req_to(url("/hook"));
    req.retries = 2;
    md_http_result res;
    md_err err;
    ck_assert_int_eq(post(&req, &res, &err), MD_ERROR);
    ck_assert_int_eq(res.status, 307);
    ck_assert_int_eq(res.attempts, 1);
    ck_assert_int_eq(S.requests, 1);
    assert_has(err.msg, "HTTP 307");
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
    int64_t t0 = now_ms();
    ck_assert_int_eq(post(req, res, &err), MD_ERROR);
    int64_t took = now_ms() - t0;
    if (after_ms >= 0)
        pthread_join(t, NULL);
    ck_assert(res->cancelled);
    assert_has(err.msg, "cancelled");
    return took;
}

START_TEST(cancel_before_first_attempt)
{
    srv_start((int[]){200, 0});
    md_http_request req = req_to(url("/hook"));
    md_http_result res;
    post_cancelled(&req, -1, &res);
    ck_assert_int_eq(res.attempts, 0);
    ck_assert_int_eq(S.requests, 0);
}
END_TEST

START_TEST(cancel_stops_retries)
{
    srv_start((int[]){503, 0});
    md_http_request req = req_to(url("/hook"));
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
    srv_start((int[]){200, 0});
    md_http_request req = req_to(url("/slow"));
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
    srv_start((int[]){401, 0});
    char u[128];
    snprintf(u, sizeof u, "http://alice:hunter2@127.0.0.1:%d/hook?key=SECRET123#SECRET123", S.port);
    md_http_request req = req_to(u);
    md_http_result res;
    md_err err;
    ck_assert_int_eq(post(&req, &res, &err), MD_ERROR); /* post() asserts no SECRET123 */
    ck_assert_ptr_null(strstr(err.msg, "hunter2"));
    ck_assert_ptr_null(strstr(err.msg, "alice"));
    srv_stop();
    assert_has(S.last, "\r\nAuthorization: " SECRET "\r\n"); /* ours, not the URL's */
    const char *const injected[] = {"X-Token: " SECRET "\r\nX-Other: 1", NULL};
    const char *const nameless[] = {"Authorization " SECRET, NULL};
    const char *const spaced[] = {"Bad Name: " SECRET, NULL};
    const char *const *bad[] = {injected, nameless, spaced};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        req.headers = bad[i];
        ck_assert_int_eq(post(&req, &res, &err), MD_INVALID);
        ck_assert_int_eq(res.attempts, 0);
    }
    assert_has(err.msg, "header 1");
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
    srv_start((int[]){200, 0});
    const char *u = url("/hook");
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
    assert_has(err.msg, "MD_T_HIDDEN");
    ck_assert_ptr_null(out);
    ck_assert_int_eq(expand("${MD_T_TOKEN} ${MD_T_UNSET}", &out, &err), MD_NOTFOUND);
    assert_has(err.msg, "MD_T_UNSET");
    ck_assert_ptr_null(out);
    ck_assert_int_eq(expand("${MD_T_TOKEN} ${MD_T_HOST", &out, &err), MD_INVALID);
    assert_has(err.msg, "byte 15");
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
