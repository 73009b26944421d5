/* The loopback test server (loopback.h): one connection at a time, read in full, answered from
 * the script after an optional delay. */
#include "loopback.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

/* Not in lb_server: a test may clear its server between runs and must still restore this. */
static void (*old_sigpipe)(int);

void lb_setup(lb_server *s)
{
    memset(s, 0, sizeof *s);
    old_sigpipe = signal(SIGPIPE, SIG_IGN);
    const char *proxies[] = {"http_proxy", "https_proxy", "all_proxy", "HTTPS_PROXY", "ALL_PROXY"};
    for (size_t i = 0; i < sizeof proxies / sizeof proxies[0]; i++)
        unsetenv(proxies[i]);
    setenv("no_proxy", "*", 1);
}

void lb_teardown(lb_server *s)
{
    lb_stop(s);
    SSL_CTX_free(s->tls);
    X509_free(s->cert);
    EVP_PKEY_free(s->key);
    s->tls = NULL, s->cert = NULL, s->key = NULL;
    signal(SIGPIPE, old_sigpipe);
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
static bool stopping(lb_server *s, int ms)
{
    struct pollfd p = {s->stop[0], POLLIN, 0};
    return poll(&p, 1, ms) > 0;
}

static void respond(lb_server *s, conn *c, int index)
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

static void serve(lb_server *s, int fd)
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
    lb_server *s = arg;
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

int lb_bound_socket(bool listening, int *port)
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

void lb_start(lb_server *s, const int *statuses)
{
    while (s->nstatus < 8 && statuses[s->nstatus])
        s->statuses[s->nstatus] = statuses[s->nstatus], s->nstatus++;
    s->fd = lb_bound_socket(true, &s->port);
    ck_assert_int_eq(pipe(s->stop), 0);
    ck_assert_int_eq(pthread_create(&s->thread, NULL, srv_main, s), 0);
    s->running = true;
}

void lb_stop(lb_server *s)
{
    if (!s->running)
        return;
    ck_assert_int_eq(write(s->stop[1], "x", 1), 1);
    pthread_join(s->thread, NULL);
    close(s->fd);
    close(s->stop[0]);
    close(s->stop[1]);
    s->running = false;
}

const char *lb_url(const lb_server *s, const char *path)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s://127.0.0.1:%d%s", s->tls ? "https" : "http", s->port, path);
    return buf;
}

json_t *lb_body(const lb_server *s)
{
    const char *at = strstr(s->last, "\r\n\r\n");
    ck_assert_ptr_nonnull(at);
    json_error_t je;
    json_t *b = json_loads(at + 4, 0, &je);
    ck_assert_msg(b != NULL, "the body is not JSON (%s): %s", je.text, at + 4);
    return b;
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

const char *lb_tls_setup(lb_server *s, const char *san)
{
    EVP_PKEY *key = s->key = EVP_EC_gen("P-256");
    X509 *cert = s->cert = X509_new();
    ck_assert_ptr_nonnull(key);
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"md test", -1, -1,
                               0);
    X509_set_issuer_name(cert, name);
    add_ext(cert, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert, NID_key_usage, "critical,digitalSignature,keyCertSign");
    add_ext(cert, NID_subject_alt_name, san);
    ck_assert_int_gt(X509_sign(cert, key, EVP_sha256()), 0);
    s->tls = SSL_CTX_new(TLS_server_method());
    ck_assert_int_eq(SSL_CTX_use_certificate(s->tls, cert), 1);
    ck_assert_int_eq(SSL_CTX_use_PrivateKey(s->tls, key), 1);
    const char *path = tu_path("cert.pem");
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(PEM_write_X509(f, cert), 1);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}
