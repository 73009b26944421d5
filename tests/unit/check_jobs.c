/* jobs: a retrain from queue to outcome. A command runs under the supervisor (exit status, log
 * tail, the environment it gets, timeout, cancel from another process); a webhook is posted to
 * a real server on 127.0.0.1, plain or TLS, run in a thread of the test process (statuses,
 * retries, timeouts, certificate trust, secrets taken from the environment and kept out of the
 * store). Every state change leaves an audit row, and the outcome outlives the connection.
 *
 * Jobs that are cancelled while running run in a forked process with its own connection, as the
 * detached supervisor does; the test process only ever cancels. Whether a process group is gone
 * is read from /proc, zombies not counting: the container's init need not reap orphans. */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "jobs.h"
#include "models.h"
#include "policies.h"
#include "testutil.h"

Suite *suite_jobs(void);

#define TOKEN_ENV  "MD_T_JOB_TOKEN"
#define TOKEN      "tok-Qz81-s3cr3t-VALUE"
#define HIDDEN_ENV "MD_T_JOB_HIDDEN"
#define HIDDEN     "hid-7Wm2-VALUE"

static md_actor op, otto;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap_ms(int ms)
{
    nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000L}, NULL);
}

static void assert_has(const char *text, const char *needle)
{
    ck_assert_msg(text && strstr(text, needle), "\"%s\" not in \"%s\"", needle,
                  text ? text : "(null)");
}

static void assert_lacks(const char *text, const char *needle, const char *where)
{
    ck_assert_msg(!text || !strstr(text, needle), "\"%s\" found in %s", needle, where);
}

/* ---- the loopback server (plain or TLS), answering from a script of statuses ----------------- */

typedef struct {
    int statuses[8]; /* answer i gets statuses[i]; the last one repeats */
    int nstatus;
    int delay_ms;          /* before each answer; cut short when the server stops */
    const char *resp_body; /* NULL: "{}" */
    SSL_CTX *tls;          /* non-NULL: speak TLS */
    int port, fd, stop[2];
    bool running;
    pthread_t thread;
    atomic_int requests; /* complete requests read */
    char last[16384];    /* the last request (read it after srv_stop) */
} srv;

static srv S;
static EVP_PKEY *key;
static X509 *cert;

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

/* Headers and a Content-Length body; false on EOF or the socket's timeout. */
static bool read_request(conn *c, char *buf, size_t cap)
{
    size_t n = 0, want = SIZE_MAX;
    buf[0] = '\0';
    while (n < want && n + 1 < cap) {
        int got = conn_read(c, buf + n, cap - n - 1);
        if (got <= 0)
            return false;
        n += (size_t)got;
        buf[n] = '\0';
        const char *end = strstr(buf, "\r\n\r\n");
        const char *cl = strcasestr(buf, "\r\nContent-Length:");
        if (want == SIZE_MAX && end)
            want = (size_t)(end + 4 - buf) + (cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
    }
    return n >= want;
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
    static char req[sizeof s->last];
    if ((!c.ssl || SSL_accept(c.ssl) == 1) && read_request(&c, req, sizeof req)) {
        snprintf(s->last, sizeof s->last, "%s", req);
        int i = atomic_fetch_add(&s->requests, 1);
        struct pollfd p = {s->stop[0], POLLIN, 0};
        if (poll(&p, 1, s->delay_ms) == 0) {
            const char *body = s->resp_body ? s->resp_body : "{}";
            char head[256];
            int n = snprintf(head, sizeof head,
                             "HTTP/1.1 %d Scripted\r\nContent-Type: application/json\r\n"
                             "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                             s->statuses[i < s->nstatus ? i : s->nstatus - 1], strlen(body));
            conn_write(&c, head, (size_t)n);
            conn_write(&c, body, strlen(body));
        }
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

/* Starts S on a free port of 127.0.0.1, scripted by the statuses (ended by 0). */
static void srv_start(const int *statuses)
{
    while (S.nstatus < 8 && statuses[S.nstatus])
        S.statuses[S.nstatus] = statuses[S.nstatus], S.nstatus++;
    S.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    ck_assert_int_ge(S.fd, 0);
    ck_assert_int_eq(bind(S.fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(S.fd, (struct sockaddr *)&a, &len), 0);
    ck_assert_int_eq(listen(S.fd, 16), 0);
    S.port = ntohs(a.sin_port);
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

static const char *srv_url(void)
{
    static char buf[96];
    snprintf(buf, sizeof buf, "%s://127.0.0.1:%d/hooks/retrain", S.tls ? "https" : "http",
             S.port);
    return buf;
}

/* The body of the last request, parsed (after srv_stop). */
static json_t *srv_body(void)
{
    const char *at = strstr(S.last, "\r\n\r\n");
    ck_assert_ptr_nonnull(at);
    json_error_t je;
    json_t *b = json_loads(at + 4, 0, &je);
    ck_assert_msg(b != NULL, "the body is not JSON (%s): %s", je.text, at + 4);
    return b;
}

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

/* A P-256 key and a self-signed certificate for 127.0.0.1, served by S; returns its PEM file. */
static const char *tls_setup(void)
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
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"md jobs test",
                               -1, -1, 0);
    X509_set_issuer_name(cert, name);
    add_ext(cert, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert, NID_key_usage, "critical,digitalSignature,keyCertSign");
    add_ext(cert, NID_subject_alt_name, "IP:127.0.0.1");
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

/* Whether group `pgid` has no live process within `ms`. */
static bool group_gone(pid_t pgid, int ms)
{
    for (int64_t end = now_ms() + ms;; nap_ms(20)) {
        if (group_live(pgid) == 0)
            return true;
        if (now_ms() > end)
            return false;
    }
}

static void group_kill(pid_t pgid)
{
    if (pgid > 1)
        kill(-pgid, SIGKILL);
}

/* The pid a command wrote into `path` with `echo $$`, waiting up to `ms` for it (0: none). */
static pid_t pid_from(const char *path, int ms)
{
    for (int64_t end = now_ms() + ms;; nap_ms(10)) {
        FILE *f = fopen(path, "r");
        int pid = 0;
        bool got = f && fscanf(f, "%d\n", &pid) == 1 && pid > 0;
        if (f)
            fclose(f);
        if (got)
            return pid;
        if (now_ms() > end)
            return 0;
    }
}

/* Runs job `id` in a forked process on its own connection to the store at `db`, like the
 * detached supervisor. With `leader`, the process leads its own group, as a supervisor started
 * from an interactive shell does. Exit status 0: md_job_run returned MD_OK. */
static pid_t run_elsewhere(const char *db, int64_t id, bool leader)
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
        int code = md_store_open(db, &o, &c, &err) == MD_OK && md_job_run(c, id, &err) == MD_OK
                       ? 0
                       : 1;
        if (code)
            fprintf(stderr, "job %lld elsewhere: %s\n", (long long)id, err.msg);
        _exit(code);
    }
    return pid;
}

/* The wait status of `pid` if it ends within `ms`; else it is killed and -1 comes back. */
static int reap_within(pid_t pid, int ms)
{
    int status;
    for (int64_t end = now_ms() + ms;; nap_ms(10)) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return status;
        if (now_ms() > end)
            break;
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

/* ---- the store, the policy, the jobs --------------------------------------------------------- */

/* A store with model churn, operators olga and otto, viewer vic and analyst ana. */
static md_store *world(void)
{
    md_store *s = tu_store();
    tu_user(s, "olga", "operator");
    tu_user(s, "otto", "operator");
    tu_user(s, "vic", "viewer");
    tu_user(s, "ana", "analyst");
    op = tu_actor("olga");
    otto = tu_actor("otto");
    md_err err;
    md_model_spec m = {.name = "churn", .use_case = "retention", .owner = "crm"};
    ck_assert_int_eq(md_model_add(s, &op, &m, NULL, &err), MD_OK);
    return s;
}

/* Stores {"retrain": {"backend": b}} (b is stolen) as churn's policy override, via a file. */
static void set_backend(md_store *s, json_t *b)
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

static void set_command(md_store *s, const char *script, int timeout_s)
{
    set_backend(s, json_pack("{s:s, s:[s,s,s], s:i}", "type", "command", "argv", "/bin/sh", "-c",
                             script, "timeout_s", timeout_s));
}

/* A webhook backend for `url`: a bearer token from TOKEN_ENV, a body template using every
 * placeholder; the caller adjusts it before set_backend. */
static json_t *hook(const char *url)
{
    json_t *b = json_pack("{s:s, s:s, s:{s:s, s:s}, s:[s], s:i, s:i, s:i}", "type", "webhook",
                          "url", url, "headers", "Authorization", "Bearer ${" TOKEN_ENV "}",
                          "X-Source", "modeldeck", "secret_env", TOKEN_ENV, "timeout_s", 2,
                          "retries", 0, "backoff_ms", 10);
    json_object_set_new(b, "body",
                        json_pack("{s:s, s:s, s:s, s:s, s:s}", "model", "${model}", "version",
                                  "${version}", "reason", "${reason}", "job", "${job}", "source",
                                  "modeldeck"));
    return b;
}

static int64_t queue(md_store *s, const char *reason)
{
    int64_t id = 0;
    md_err err;
    md_status rc = md_retrain(s, &op, "churn", reason, 0, &id, &err);
    ck_assert_msg(rc == MD_OK, "retrain: %s", err.msg);
    ck_assert_int_gt(id, 0);
    return id;
}

/* Runs job `id` here; returns the milliseconds it took. */
static int64_t run(md_store *s, int64_t id)
{
    md_err err;
    int64_t t0 = now_ms();
    md_status rc = md_job_run(s, id, &err);
    ck_assert_msg(rc == MD_OK, "job run: %s", err.msg);
    return now_ms() - t0;
}

static json_t *show(md_store *s, int64_t id)
{
    json_t *o = NULL;
    md_err err;
    md_status rc = md_job_show(s, id, &o, &err);
    ck_assert_msg(rc == MD_OK, "job show: %s", err.msg);
    return o;
}

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void assert_int(const json_t *o, const char *k, json_int_t want)
{
    const json_t *v = json_object_get(o, k);
    ck_assert_msg(json_is_integer(v), "%s is not a number", k);
    ck_assert_int_eq(json_integer_value(v), want);
}

static void assert_null(const json_t *o, const char *k)
{
    ck_assert_msg(json_is_null(json_object_get(o, k)), "%s is not null", k);
}

/* The job's audit trail, "actor:action" separated by spaces, and the details of its last
 * retrain.finish and retrain.cancel rows (canonical JSON; "" when none). */
typedef struct {
    char trail[512];
    char finish[256], cancel[256];
    char cancel_reason[128];
} audit_seen;

static md_status audit_collect(const md_audit_row *row, void *ctx, md_err *err)
{
    (void)err;
    audit_seen *a = ctx;
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

static audit_seen audit_of(md_store *s, int64_t id)
{
    audit_seen a;
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

/* The state the audit's retrain.finish row gives ("" when there is none). */
static void finish_state(const audit_seen *a, char out[32])
{
    json_t *d = json_loads(a->finish, 0, NULL);
    snprintf(out, 32, "%s", d ? jstr(d, "state") ? jstr(d, "state") : "?" : "");
    json_decref(d);
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
    assert_lacks(snap, secret, "the store snapshot");
    free(snap);
    char path[600];
    const char *suffix[] = {"", "-wal", "-journal"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s%s", md_store_path(s), suffix[i]);
        ck_assert_msg(!file_has(path, secret), "the secret is in %s", path);
    }
    json_t *o = show(s, id), *list = NULL;
    md_err err;
    ck_assert_int_eq(md_jobs_list(s, NULL, &list, &err), MD_OK);
    char *shown = json_dumps(o, 0), *listed = json_dumps(list, 0);
    assert_lacks(shown, secret, "job show");
    assert_lacks(listed, secret, "jobs list");
    free(shown);
    free(listed);
    json_decref(o);
    json_decref(list);
}

/* ---- fixture --------------------------------------------------------------------------------- */

static void (*old_sigpipe)(int);

static void setup(void)
{
    memset(&S, 0, sizeof S);
    old_sigpipe = signal(SIGPIPE, SIG_IGN); /* the server writes to clients that gave up */
    const char *proxies[] = {"http_proxy", "https_proxy", "all_proxy", "HTTPS_PROXY",
                             "ALL_PROXY"};
    for (size_t i = 0; i < sizeof proxies / sizeof proxies[0]; i++)
        unsetenv(proxies[i]);
    setenv("no_proxy", "*", 1);
    setenv(TOKEN_ENV, TOKEN, 1);
    setenv(HIDDEN_ENV, HIDDEN, 1);
    prctl(PR_SET_CHILD_SUBREAPER, 1); /* orphans of the commands come back here to be reaped */
}

static void teardown(void)
{
    srv_stop();
    SSL_CTX_free(S.tls);
    X509_free(cert);
    EVP_PKEY_free(key);
    S.tls = NULL, cert = NULL, key = NULL;
    signal(SIGPIPE, old_sigpipe);
    unsetenv(TOKEN_ENV);
    unsetenv(HIDDEN_ENV);
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    tu_cleanup();
}

/* ---- command backend ------------------------------------------------------------------------- */

START_TEST(command_succeeds_with_output_and_env)
{
    md_store *s = world();
    set_command(s,
                "echo \"model=$MODELDECK_MODEL reason=$MODELDECK_REASON job=$MODELDECK_JOB_ID\";"
                " echo on-stderr >&2; exit 0",
                30);
    int64_t id = queue(s, "drift on 3 features, 2 windows");
    json_t *o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "queued");
    ck_assert_str_eq(jstr(o, "backend"), "command");
    ck_assert_str_eq(jstr(o, "requested_by"), "olga");
    assert_null(o, "started_at");
    json_decref(o);

    run(s, id);
    o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "succeeded");
    assert_int(o, "exit_status", 0);
    assert_int(o, "attempts", 1);
    assert_null(o, "http_status");
    assert_null(o, "error");
    ck_assert_ptr_nonnull(jstr(o, "started_at"));
    ck_assert_ptr_nonnull(jstr(o, "finished_at"));
    char want[96];
    snprintf(want, sizeof want, "model=churn reason=drift on 3 features, 2 windows job=%lld\n",
             (long long)id);
    assert_has(jstr(o, "log_tail"), want);
    assert_has(jstr(o, "log_tail"), "on-stderr\n");
    json_decref(o);

    /* a second supervisor does not run it again */
    md_err err;
    ck_assert_int_eq(md_job_run(s, id, &err), MD_ERROR);
    assert_has(err.msg, "not queued");
    o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "succeeded");
    json_decref(o);

    json_t *list = NULL;
    ck_assert_int_eq(md_jobs_list(s, "churn", &list, &err), MD_OK);
    ck_assert_uint_eq(json_array_size(list), 1);
    ck_assert_str_eq(jstr(json_array_get(list, 0), "state"), "succeeded");
    ck_assert_ptr_null(json_object_get(json_array_get(list, 0), "log_tail")); /* show has it */
    json_decref(list);

    audit_seen a = audit_of(s, id);
    ck_assert_str_eq(a.trail, "olga:retrain.queue olga:retrain.start olga:retrain.finish");
    char st[32];
    finish_state(&a, st);
    ck_assert_str_eq(st, "succeeded");
    md_store_close(s);
}
END_TEST

START_TEST(command_failure_keeps_status_and_tail)
{
    md_store *s = world();
    set_command(s, "echo 'loading features'; echo 'training data missing' >&2; exit 3", 30);
    int64_t id = queue(s, "weekly retrain");
    run(s, id);
    json_t *o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "failed");
    assert_int(o, "exit_status", 3);
    assert_has(jstr(o, "log_tail"), "loading features\ntraining data missing\n");
    assert_has(jstr(o, "error"), "status 3");
    json_decref(o);
    audit_seen a = audit_of(s, id);
    ck_assert_str_eq(a.trail, "olga:retrain.queue olga:retrain.start olga:retrain.finish");
    char st[32];
    finish_state(&a, st);
    ck_assert_str_eq(st, "failed");
    assert_has(a.finish, "\"exit_status\":3");

    /* a command that cannot be started fails the same way, saying so */
    set_command(s, "exec /nonexistent/trainer", 30);
    id = queue(s, "again");
    run(s, id);
    o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "failed");
    assert_int(o, "exit_status", 127);
    json_decref(o);
    md_store_close(s);
}
END_TEST

START_TEST(command_timeout_kills_the_group)
{
    md_store *s = world();
    const char *pidfile = tu_path("cmd.pid");
    char script[800];
    snprintf(script, sizeof script,
             "echo $$ > '%s'; echo started; sleep 30 & sleep 30; echo never", pidfile);
    set_command(s, script, 1);
    int64_t id = queue(s, "drift");
    int64_t took = run(s, id);
    pid_t pgid = pid_from(pidfile, 0);
    ck_assert_int_gt(pgid, 0);
    bool gone = group_gone(pgid, 2000);
    group_kill(pgid);
    ck_assert_msg(gone, "the command's process group outlived its timeout");
    ck_assert_int_ge(took, 1000);
    ck_assert_int_lt(took, 3000);
    json_t *o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "timeout");
    assert_null(o, "exit_status");
    assert_has(jstr(o, "error"), "timed out after 1 s");
    assert_has(jstr(o, "log_tail"), "started\n");
    assert_lacks(jstr(o, "log_tail"), "never", "the log tail");
    json_decref(o);
    audit_seen a = audit_of(s, id);
    ck_assert_str_eq(a.trail, "olga:retrain.queue olga:retrain.start olga:retrain.finish");
    char st[32];
    finish_state(&a, st);
    ck_assert_str_eq(st, "timeout");
    md_store_close(s);
}
END_TEST

START_TEST(cancel_queued)
{
    md_store *s = world();
    set_command(s, "echo ran", 30);
    int64_t id = queue(s, "drift");
    md_actor vic = tu_actor("vic");
    md_err err;
    ck_assert_int_eq(md_job_cancel(s, &vic, id, "not mine to cancel", &err), MD_REFUSED);
    ck_assert_int_eq(md_job_cancel(s, &otto, id, "  ", &err), MD_INVALID);
    ck_assert_int_eq(md_job_cancel(s, &otto, id + 1, "no such job", &err), MD_NOTFOUND);
    ck_assert_int_eq(md_job_cancel(s, &otto, id, "wrong training window", &err), MD_OK);
    json_t *o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "cancelled");
    ck_assert_ptr_nonnull(jstr(o, "finished_at"));
    json_decref(o);

    /* a supervisor that comes late does nothing; a second cancel is refused */
    ck_assert_int_eq(md_job_run(s, id, &err), MD_ERROR);
    ck_assert_int_eq(md_job_cancel(s, &otto, id, "again", &err), MD_ERROR);
    assert_has(err.msg, "cancelled");
    o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "cancelled");
    assert_null(o, "started_at");
    assert_null(o, "exit_status");
    ck_assert_str_eq(jstr(o, "log_tail"), "");
    json_decref(o);

    audit_seen a = audit_of(s, id);
    ck_assert_str_eq(a.trail, "olga:retrain.queue otto:retrain.cancel");
    ck_assert_str_eq(a.cancel, "{\"was\":\"queued\"}");
    ck_assert_str_eq(a.cancel_reason, "wrong training window");
    md_store_close(s);
}
END_TEST

/* Starts a `sleep 30` job in another process and cancels it once the command runs (otto).
 * *pgid: the command's process group. */
static int64_t cancel_while_running(md_store *s, pid_t *pgid, int64_t *took)
{
    const char *pidfile = tu_path("running.pid");
    char script[800];
    snprintf(script, sizeof script, "echo $$ > '%s'; echo started; sleep 30; echo never",
             pidfile);
    set_command(s, script, 60);
    int64_t id = queue(s, "drift");
    pid_t child = run_elsewhere(md_store_path(s), id, false);
    *pgid = pid_from(pidfile, 5000);
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT coalesce(pid, 0) FROM jobs WHERE id = %lld", (long long)id);
    for (int64_t end = now_ms() + 5000; *pgid && tu_count(s, sql) != *pgid && now_ms() < end;)
        nap_ms(10); /* the supervisor records the command's pid just after starting it */
    if (!*pgid || tu_count(s, sql) != *pgid) {
        reap_within(child, 0);
        group_kill(*pgid);
        ck_abort_msg("the command did not start in another process");
    }
    json_t *o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "running");
    json_decref(o);

    md_err err;
    int64_t t0 = now_ms();
    md_status rc = md_job_cancel(s, &otto, id, "wrong training window", &err);
    int status = reap_within(child, 4000);
    *took = now_ms() - t0;
    bool gone = group_gone(*pgid, 2000);
    group_kill(*pgid);
    ck_assert_msg(rc == MD_OK, "cancel: %s", err.msg);
    ck_assert_msg(status != -1, "the supervisor did not end after the cancel");
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the supervisor ended badly (status %#x)", status);
    ck_assert_msg(gone, "the cancelled command is still running");
    return id;
}

START_TEST(cancel_running_from_another_process)
{
    md_store *s = world();
    pid_t pgid;
    int64_t took;
    int64_t id = cancel_while_running(s, &pgid, &took);
    ck_assert_int_lt(took, 2500);
    json_t *o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "cancelled");
    assert_has(jstr(o, "log_tail"), "started\n");
    assert_lacks(jstr(o, "log_tail"), "never", "the log tail");
    json_decref(o);
    audit_seen a = audit_of(s, id);
    ck_assert_str_eq(a.trail, "olga:retrain.queue olga:retrain.start otto:retrain.cancel "
                              "olga:retrain.finish");
    ck_assert_str_eq(a.cancel, "{\"was\":\"running\"}");
    md_store_close(s);
}
END_TEST

START_TEST(only_operators_retrain)
{
    md_store *s = world();
    set_command(s, "true", 30);
    const char *readers[] = {"vic", "ana"};
    for (size_t i = 0; i < 2; i++) {
        md_actor a = tu_actor(readers[i]);
        char *before = tu_snapshot(s);
        int64_t id = 0;
        md_err err;
        ck_assert_int_eq(md_retrain(s, &a, "churn", "please", 0, &id, &err), MD_REFUSED);
        assert_has(err.msg, "needs the operator or admin role");
        char *after = tu_snapshot(s);
        ck_assert_str_eq(before, after); /* not even an audit row */
        free(before);
        free(after);
        ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM jobs"), 0);
    }
    md_err err;
    int64_t id = 0;
    ck_assert_int_eq(md_retrain(s, &op, "nosuch", "drift", 0, &id, &err), MD_NOTFOUND);
    ck_assert_int_eq(md_retrain(s, &op, "churn", "", 0, &id, &err), MD_INVALID);
    ck_assert_int_eq(md_retrain(s, &op, "churn", NULL, 0, &id, &err), MD_INVALID);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM jobs"), 0);
    id = queue(s, "drift on 4 features");
    md_actor admin = tu_actor("admin");
    int64_t id2 = 0;
    ck_assert_int_eq(md_retrain(s, &admin, "churn", "as admin", 0, &id2, &err), MD_OK);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM jobs WHERE state = 'queued'"), 2);
    ck_assert_str_eq(audit_of(s, id).trail, "olga:retrain.queue");
    ck_assert_str_eq(audit_of(s, id2).trail, "admin:retrain.queue");
    md_store_close(s);
}
END_TEST

START_TEST(outcome_survives_reopen)
{
    md_store *s = world();
    set_command(s, "echo 'epoch 1/1 loss=0.41'; exit 4", 30);
    int64_t id = queue(s, "drift");
    run(s, id);
    char path[600];
    snprintf(path, sizeof path, "%s", md_store_path(s));
    md_store_close(s);

    md_open_opts opts = {.mode = MD_OPEN_EXISTING};
    md_err err;
    ck_assert_int_eq(md_store_open(path, &opts, &s, &err), MD_OK);
    json_t *o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "failed");
    assert_int(o, "exit_status", 4);
    assert_int(o, "attempts", 1);
    ck_assert_str_eq(jstr(o, "log_tail"), "epoch 1/1 loss=0.41\n");
    assert_has(jstr(o, "error"), "status 4");
    ck_assert_str_eq(jstr(o, "reason"), "drift");
    ck_assert_ptr_nonnull(jstr(o, "finished_at"));
    json_decref(o);
    md_store_close(s);
}
END_TEST

/* ---- webhook backend ------------------------------------------------------------------------- */

START_TEST(webhook_ok_posts_body_with_secret_header)
{
    md_store *s = world();
    S.resp_body = "{\"run\":\"r-17\"}";
    srv_start((int[]){202, 0});
    set_backend(s, hook(srv_url()));
    const char *reason = "drift \"high\" on c:\\tmp, \xc3\xa9t\xc3\xa9";
    int64_t id = queue(s, reason);
    run(s, id);
    srv_stop();

    json_t *o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "succeeded");
    ck_assert_str_eq(jstr(o, "backend"), "webhook");
    assert_int(o, "http_status", 202);
    assert_int(o, "attempts", 1);
    assert_null(o, "exit_status");
    assert_null(o, "error");
    assert_has(jstr(o, "log_tail"), "r-17");
    json_decref(o);

    ck_assert_int_eq(S.requests, 1);
    assert_has(S.last, "POST /hooks/retrain HTTP/1.1\r\n");
    assert_has(S.last, "\r\nAuthorization: Bearer " TOKEN "\r\n");
    assert_has(S.last, "\r\nX-Source: modeldeck\r\n");
    assert_has(S.last, "\r\nContent-Type: application/json\r\n");
    json_t *b = srv_body();
    char job[24];
    snprintf(job, sizeof job, "%lld", (long long)id);
    ck_assert_str_eq(jstr(b, "model"), "churn");
    ck_assert_str_eq(jstr(b, "reason"), reason);
    ck_assert_str_eq(jstr(b, "job"), job);
    ck_assert_str_eq(jstr(b, "version"), "0"); /* no production version */
    ck_assert_str_eq(jstr(b, "source"), "modeldeck");
    json_decref(b);

    assert_secret_absent(s, id, TOKEN);
    audit_seen a = audit_of(s, id);
    ck_assert_str_eq(a.trail, "olga:retrain.queue olga:retrain.start olga:retrain.finish");
    assert_has(a.finish, "\"http_status\":202");
    md_store_close(s);
}
END_TEST

START_TEST(webhook_client_error_not_retried)
{
    md_store *s = world();
    S.resp_body = "{\"error\":\"unknown model\"}";
    srv_start((int[]){404, 200, 0});
    json_t *b = hook(srv_url());
    json_object_set_new(b, "retries", json_integer(3));
    set_backend(s, b);
    int64_t id = queue(s, "drift");
    run(s, id);
    srv_stop();
    ck_assert_int_eq(S.requests, 1);
    json_t *o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "failed");
    assert_int(o, "http_status", 404);
    assert_int(o, "attempts", 1);
    assert_has(jstr(o, "error"), "HTTP 404");
    assert_has(jstr(o, "log_tail"), "unknown model");
    json_decref(o);
    char st[32];
    audit_seen a = audit_of(s, id);
    finish_state(&a, st);
    ck_assert_str_eq(st, "failed");
    md_store_close(s);
}
END_TEST

START_TEST(webhook_server_error_then_ok)
{
    md_store *s = world();
    srv_start((int[]){503, 200, 0});
    json_t *b = hook(srv_url());
    json_object_set_new(b, "retries", json_integer(2));
    set_backend(s, b);
    int64_t id = queue(s, "drift");
    run(s, id);
    srv_stop();
    ck_assert_int_eq(S.requests, 2);
    json_t *o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "succeeded");
    assert_int(o, "http_status", 200);
    assert_int(o, "attempts", 2);
    json_decref(o);
    md_store_close(s);
}
END_TEST

START_TEST(webhook_timeout)
{
    md_store *s = world();
    S.delay_ms = 10000; /* never answers in time; srv_stop cuts it short */
    srv_start((int[]){200, 0});
    json_t *b = hook(srv_url());
    json_object_set_new(b, "timeout_s", json_integer(1));
    set_backend(s, b);
    int64_t id = queue(s, "drift");
    int64_t took = run(s, id);
    srv_stop();
    ck_assert_int_ge(took, 900);
    ck_assert_int_lt(took, 2500);
    json_t *o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "timeout");
    assert_null(o, "http_status");
    assert_int(o, "attempts", 1);
    assert_has(jstr(o, "error"), "timed out");
    json_decref(o);
    char st[32];
    audit_seen a = audit_of(s, id);
    finish_state(&a, st);
    ck_assert_str_eq(st, "timeout");
    md_store_close(s);
}
END_TEST

START_TEST(webhook_untrusted_certificate_refused)
{
    md_store *s = world();
    const char *pem = tls_setup();
    srv_start((int[]){200, 0});
    json_t *b = hook(srv_url());
    json_object_set_new(b, "retries", json_integer(2));
    set_backend(s, b);
    int64_t id = queue(s, "drift");
    run(s, id);
    ck_assert_int_eq(S.requests, 0); /* nothing, the token least of all, went over the wire */
    ck_assert_str_eq(S.last, "");
    json_t *o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "failed");
    assert_has(jstr(o, "error"), "certificate");
    assert_int(o, "attempts", 1); /* not worth a retry */
    assert_null(o, "http_status");
    json_decref(o);

    /* the same server, trusted through ca_file: the refusal was about trust */
    b = hook(srv_url());
    json_object_set_new(b, "ca_file", json_string(pem));
    set_backend(s, b);
    id = queue(s, "drift, trusted");
    run(s, id);
    srv_stop();
    o = show(s, id);
    ck_assert_msg(strcmp(jstr(o, "state"), "succeeded") == 0, "state %s: %s", jstr(o, "state"),
                  jstr(o, "error"));
    json_decref(o);
    ck_assert_int_eq(S.requests, 1);
    json_t *body = srv_body();
    ck_assert_str_eq(jstr(body, "reason"), "drift, trusted");
    json_decref(body);
    md_store_close(s);
}
END_TEST

/* A header naming a variable secret_env does not list is refused when the policy is set, naming
 * the variable and not its value. A job queued before that check existed (its spec is edited
 * here) fails when it runs, the same way, and sends nothing; so does an unset listed variable. */
START_TEST(webhook_unlisted_env_refused)
{
    md_store *s = world();
    srv_start((int[]){200, 0});
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
    assert_has(err.msg, HIDDEN_ENV);
    assert_lacks(err.msg, HIDDEN, "the error");
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);

    set_backend(s, hook(srv_url()));
    int64_t id = queue(s, "drift");
    char *spec = json_dumps(leaky, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(leaky);
    md_status rc = md_sql_run(s, &err, "UPDATE jobs SET spec = ? WHERE id = ?", "ti", spec, id);
    free(spec);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    run(s, id);
    json_t *o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "failed");
    assert_has(jstr(o, "error"), HIDDEN_ENV);
    assert_null(o, "http_status");
    json_decref(o);
    assert_secret_absent(s, id, HIDDEN);
    assert_secret_absent(s, id, TOKEN);
    audit_seen a = audit_of(s, id);
    ck_assert_str_eq(a.trail, "olga:retrain.queue olga:retrain.start olga:retrain.finish");
    assert_lacks(a.finish, HIDDEN, "the audit");

    unsetenv(TOKEN_ENV);
    id = queue(s, "drift, no token");
    run(s, id);
    o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "failed");
    assert_has(jstr(o, "error"), TOKEN_ENV);
    json_decref(o);
    srv_stop();
    ck_assert_int_eq(S.requests, 0);
    md_store_close(s);
}
END_TEST

/* ---- edges: workers that ignore SIGTERM, cancels mid-run, reasons that look like templates --- */

/* A timeout stops the whole group: here the shell dies on SIGTERM at once, but a worker it
 * started ignores SIGTERM (as training workers often do) and must still be stopped. */
START_TEST(timeout_kills_workers_that_ignore_sigterm)
{
    md_store *s = world();
    const char *pidfile = tu_path("cmd.pid");
    char script[800];
    snprintf(script, sizeof script,
             "echo $$ > '%s'; (trap '' TERM; exec sleep 30) & echo started; wait", pidfile);
    set_command(s, script, 1);
    int64_t id = queue(s, "drift");
    int64_t took = run(s, id);
    pid_t pgid = pid_from(pidfile, 0);
    ck_assert_int_gt(pgid, 0);
    bool gone = group_gone(pgid, 1500);
    group_kill(pgid);
    json_t *o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "timeout");
    json_decref(o);
    ck_assert_int_lt(took, 4000);
    ck_assert_msg(gone, "a worker of the timed-out command is still running");
    md_store_close(s);
}
END_TEST

/* The audit's last word on a cancelled job says it was cancelled, not "failed". */
START_TEST(finish_audit_of_cancelled_job_says_cancelled)
{
    md_store *s = world();
    pid_t pgid;
    int64_t took;
    int64_t id = cancel_while_running(s, &pgid, &took);
    json_t *o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "cancelled");
    json_decref(o);
    char st[32];
    audit_seen a = audit_of(s, id);
    finish_state(&a, st);
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
    md_store *s = world();
    srv_start((int[]){200, 0});
    set_backend(s, hook(srv_url()));
    const char *reason = "rerun: ${job} was wrong, see ${reason}";
    int64_t id = queue(s, reason);
    int status = reap_within(run_elsewhere(md_store_path(s), id, false), 2000);
    srv_stop();
    ck_assert_msg(status != -1, "the supervisor hung building the body");
    ck_assert_int_eq(S.requests, 1);
    json_t *b = srv_body();
    ck_assert_str_eq(jstr(b, "reason"), reason);
    json_decref(b);
    md_store_close(s);
}
END_TEST

/* Cancelling a running webhook job stops its retries: no retrain is triggered afterwards. */
START_TEST(cancel_stops_webhook_retries)
{
    md_store *s = world();
    srv_start((int[]){503, 200, 0});
    json_t *b = hook(srv_url());
    json_object_set_new(b, "retries", json_integer(3));
    json_object_set_new(b, "backoff_ms", json_integer(800));
    set_backend(s, b);
    int64_t id = queue(s, "drift");
    pid_t child = run_elsewhere(md_store_path(s), id, false);
    for (int64_t end = now_ms() + 3000; S.requests < 1 && now_ms() < end;)
        nap_ms(5);
    md_err err;
    md_status rc = md_job_cancel(s, &otto, id, "not now", &err);
    int status = reap_within(child, 4000);
    srv_stop();
    ck_assert_msg(rc == MD_OK, "cancel: %s", err.msg);
    ck_assert_int_ne(status, -1);
    json_t *o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "cancelled");
    json_decref(o);
    ck_assert_msg(S.requests == 1, "the webhook was posted %d times; the cancel came after 1",
                  (int)S.requests);
    md_store_close(s);
}
END_TEST

/* Cancelling a running webhook job does not signal the supervisor's own process group (a
 * supervisor started from a shell leads one; so does `modeldeck demo`). */
START_TEST(cancel_does_not_signal_the_supervisor)
{
    md_store *s = world();
    S.delay_ms = 400;
    srv_start((int[]){200, 0});
    set_backend(s, hook(srv_url()));
    int64_t id = queue(s, "drift");
    pid_t child = run_elsewhere(md_store_path(s), id, true);
    for (int64_t end = now_ms() + 3000; S.requests < 1 && now_ms() < end;)
        nap_ms(5);
    md_err err;
    md_status rc = md_job_cancel(s, &otto, id, "not now", &err);
    int status = reap_within(child, 4000);
    srv_stop();
    ck_assert_msg(rc == MD_OK, "cancel: %s", err.msg);
    ck_assert_msg(status != -1 && WIFEXITED(status),
                  "the supervisor was killed by the cancel (signal %d)",
                  status != -1 && WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    json_t *o = show(s, id);
    ck_assert_str_eq(jstr(o, "state"), "cancelled");
    json_decref(o);
    md_store_close(s);
}
END_TEST

Suite *suite_jobs(void)
{
    Suite *s = suite_create("jobs");
    TCase *cmd = tcase_create("command");
    tcase_set_timeout(cmd, 20);
    tcase_add_checked_fixture(cmd, setup, teardown);
    tcase_add_test(cmd, command_succeeds_with_output_and_env);
    tcase_add_test(cmd, command_failure_keeps_status_and_tail);
    tcase_add_test(cmd, command_timeout_kills_the_group);
    tcase_add_test(cmd, cancel_queued);
    tcase_add_test(cmd, cancel_running_from_another_process);
    tcase_add_test(cmd, only_operators_retrain);
    tcase_add_test(cmd, outcome_survives_reopen);
    suite_add_tcase(s, cmd);

    TCase *web = tcase_create("webhook");
    tcase_set_timeout(web, 20);
    tcase_add_checked_fixture(web, setup, teardown);
    tcase_add_test(web, webhook_ok_posts_body_with_secret_header);
    tcase_add_test(web, webhook_client_error_not_retried);
    tcase_add_test(web, webhook_server_error_then_ok);
    tcase_add_test(web, webhook_timeout);
    tcase_add_test(web, webhook_untrusted_certificate_refused);
    tcase_add_test(web, webhook_unlisted_env_refused);
    suite_add_tcase(s, web);

    TCase *edges = tcase_create("edges");
    tcase_set_timeout(edges, 20);
    tcase_add_checked_fixture(edges, setup, teardown);
    tcase_add_test(edges, timeout_kills_workers_that_ignore_sigterm);
    tcase_add_test(edges, finish_audit_of_cancelled_job_says_cancelled);
    tcase_add_test(edges, webhook_reason_is_not_a_template);
    tcase_add_test(edges, cancel_stops_webhook_retries);
    tcase_add_test(edges, cancel_does_not_signal_the_supervisor);
    suite_add_tcase(s, edges);
    return s;
}
