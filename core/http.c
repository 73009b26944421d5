/* Outbound HTTP over libcurl: the JSON POST behind retrain webhooks, and ${NAME} expansion for
 * the secrets their headers carry.
 *
 * Why a module: every remote call must get the same hardening (TLS verified, http/https only, no
 * redirects, bounded time and memory, cancellable, secrets kept out of messages), and libcurl's
 * defaults give none of it for free. One easy handle per call, so calls share no state.
 *
 * libcurl is loaded on the first call (dlopen), not at start: with what it links (TLS, SSH,
 * LDAP, Kerberos, IDN) it took every command about 7 ms to load, and most never call out. */
#include "http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mem.h"

#if LIBCURL_VERSION_NUM < 0x075500
#error "libcurl 7.85 or later is needed (CURLOPT_PROTOCOLS_STR)"
#endif

#ifdef MD_VERSION
#define USER_AGENT "modeldeck/" MD_VERSION
#else
#define USER_AGENT "modeldeck"
#endif

#define TAIL_MAX       (sizeof((md_http_result *)0)->body_tail - 1)
#define BACKOFF_MAX_MS 60000L
#define CANCEL_STEP_MS 50L

#define LIBCURL "libcurl.so.4" /* the soname of every libcurl 7 and 8 */

/* The libcurl functions this module calls, from the loaded library. */
static struct {
    CURLcode (*global_init)(long);
    const char *(*easy_strerror)(CURLcode);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    void (*easy_cleanup)(CURL *);
    CURLU *(*url)(void);
    CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
    CURLUcode (*url_get)(const CURLU *, CURLUPart, char **, unsigned int);
    const char *(*url_strerror)(CURLUcode);
    void (*url_cleanup)(CURLU *);
    void (*free)(void *);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
} lc;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static char init_error[256]; /* empty once libcurl is loaded and initialised */

static bool load(void *lib, void *fn, const char *name)
{
    void *sym = dlsym(lib, name);
    if (sym) /* POSIX: a data pointer from dlsym converts to a function pointer */
        memcpy(fn, &sym, sizeof sym);
    else if (!init_error[0])
        snprintf(init_error, sizeof init_error, "%s has no %s", LIBCURL, name);
    return sym != NULL;
}

static void global_init(void)
{
    void *lib = dlopen(LIBCURL, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(init_error, sizeof init_error, "cannot load %s: %s", LIBCURL, dlerror());
        return;
    }
    bool ok = true; /* init_error names the first symbol missing */
    ok &= load(lib, &lc.global_init, "curl_global_init");
    ok &= load(lib, &lc.easy_strerror, "curl_easy_strerror");
    ok &= load(lib, &lc.easy_init, "curl_easy_init");
    ok &= load(lib, &lc.easy_setopt, "curl_easy_setopt");
    ok &= load(lib, &lc.easy_perform, "curl_easy_perform");
    ok &= load(lib, &lc.easy_getinfo, "curl_easy_getinfo");
    ok &= load(lib, &lc.easy_cleanup, "curl_easy_cleanup");
    ok &= load(lib, &lc.url, "curl_url");
    ok &= load(lib, &lc.url_set, "curl_url_set");
    ok &= load(lib, &lc.url_get, "curl_url_get");
    ok &= load(lib, &lc.url_strerror, "curl_url_strerror");
    ok &= load(lib, &lc.url_cleanup, "curl_url_cleanup");
    ok &= load(lib, &lc.free, "curl_free");
    ok &= load(lib, &lc.slist_append, "curl_slist_append");
    ok &= load(lib, &lc.slist_free_all, "curl_slist_free_all");
    if (!ok)
        return; /* the library stays loaded: unloading what failed gains nothing */
    CURLcode rc = lc.global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK)
        snprintf(init_error, sizeof init_error, "libcurl: %s", lc.easy_strerror(rc));
}

/* Loads and initialises libcurl once; false (and why in err) when it cannot be. */
static bool curl_ready(md_err *err)
{
    pthread_once(&init_once, global_init);
    if (init_error[0])
        md_err_set(err, MD_ERROR, "%s", init_error);
    return !init_error[0];
}

/* One call's state, shared with libcurl's callbacks. */
typedef struct {
    md_http_result *res;
    volatile int *cancel;
    size_t tail_len;
    bool tail_cut;
    char errbuf[CURL_ERROR_SIZE];
} call;

/* An atomic read: the flag is raised from another thread. */
static bool cancelled(volatile int *flag)
{
    return flag && __atomic_load_n(flag, __ATOMIC_RELAXED);
}

/* Keeps the last TAIL_MAX bytes of the body in place; older bytes are dropped as data arrives. */
static size_t on_body(char *data, size_t size, size_t count, void *arg)
{
    call *c = arg;
    size_t len = size * count, keep = c->tail_len;
    if (len > TAIL_MAX) {
        data += len - TAIL_MAX;
        len = TAIL_MAX;
        c->tail_cut = true;
    }
    size_t drop = keep + len > TAIL_MAX ? keep + len - TAIL_MAX : 0;
    char *tail = c->res->body_tail;
    memmove(tail, tail + drop, keep - drop);
    memcpy(tail + keep - drop, data, len);
    c->tail_len = keep - drop + len;
    tail[c->tail_len] = '\0';
    c->tail_cut |= drop > 0;
    return size * count;
}

/* A cut tail must not start in the middle of a UTF-8 sequence. */
static void trim_partial_utf8(call *c)
{
    char *t = c->res->body_tail;
    size_t i = 0;
    while (c->tail_cut && i < 3 && ((unsigned char)t[i] & 0xC0) == 0x80)
        i++;
    memmove(t, t + i, c->tail_len - i + 1);
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt, (void)dn, (void)ut, (void)un;
    return cancelled(((call *)arg)->cancel); /* nonzero aborts the transfer */
}

/* Sleeps in short steps so the cancel flag is seen; false when it was raised. */
static bool pause_ms(long ms, volatile int *cancel)
{
    while (ms > 0 && !cancelled(cancel)) {
        long step = ms < CANCEL_STEP_MS ? ms : CANCEL_STEP_MS;
        struct timespec ts = {step / 1000, (step % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
    return !cancelled(cancel);
}

/* The URL as messages show it: no user:password@, query or fragment. Only http(s) passes. */
static md_status url_public(const char *url, char **shown, md_err *err)
{
    CURLU *u = lc.url();
    char *scheme = NULL, *s = NULL;
    if (!u)
        md_fatal("out of memory (URL)");
    CURLUcode uc = lc.url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
    if (!uc)
        uc = lc.url_get(u, CURLUPART_SCHEME, &scheme, 0);
    const CURLUPart hide[] = {CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_OPTIONS,
                              CURLUPART_QUERY, CURLUPART_FRAGMENT};
    for (size_t i = 0; !uc && i < sizeof hide / sizeof hide[0]; i++)
        uc = lc.url_set(u, hide[i], NULL, 0);
    if (!uc)
        uc = lc.url_get(u, CURLUPART_URL, &s, 0);
    md_status rc = MD_OK;
    if (uc)
        rc = md_err_set(err, MD_INVALID, "invalid URL (http:// or https:// expected): %s",
                        lc.url_strerror(uc));
    else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
        rc = md_err_set(err, MD_INVALID, "URL scheme \"%s\" refused: only http and https", scheme);
    else
        *shown = md_xstrdup(s);
    lc.free(scheme);
    lc.free(s);
    lc.url_cleanup(u);
    return rc;
}

static struct curl_slist *slist_add(struct curl_slist *list, const char *line)
{
    struct curl_slist *l = lc.slist_append(list, line);
    if (!l)
        md_fatal("out of memory (HTTP header)");
    return l;
}

/* "Name: value": a printable name without spaces, no CR or LF anywhere. Errors show names only. */
static md_status check_header(const char *h, size_t index, md_err *err)
{
    size_t n = 0;
    while (h[n] && h[n] != ':' && isgraph((unsigned char)h[n]))
        n++;
    if (n == 0 || h[n] != ':')
        return md_err_set(err, MD_INVALID, "HTTP header %zu is not \"Name: value\"", index + 1);
    if (strpbrk(h, "\r\n"))
        return md_err_set(err, MD_INVALID, "HTTP header %.*s: CR or LF in its value", (int)n, h);
    return MD_OK;
}

static md_status build_headers(const char *const *extra, struct curl_slist **out, md_err *err)
{
    /* "Expect:" stops libcurl waiting a second for "100 Continue" on bodies over 1 MiB. */
    *out = slist_add(slist_add(NULL, "Content-Type: application/json"), "Expect:");
    for (size_t i = 0; extra && extra[i]; i++) {
        md_status rc = check_header(extra[i], i, err);
        if (rc != MD_OK)
            return rc;
        *out = slist_add(*out, extra[i]);
    }
    return MD_OK;
}

#define SET(opt, val)                                                                              \
    do {                                                                                           \
        if (cc == CURLE_OK)                                                                        \
            cc = lc.easy_setopt(h, opt, val);                                                    \
    } while (0)

/* Every option, checked: an option this libcurl refuses must fail the call, not weaken it. */
static md_status setup(CURL *h, const md_http_request *req, call *c, struct curl_slist *hdrs,
                       md_err *err)
{
    long timeout = req->timeout_ms > 0 ? req->timeout_ms : 10000;
    CURLcode cc = CURLE_OK;
    SET(CURLOPT_URL, req->url);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_FOLLOWLOCATION, 0L); /* a 3xx is an error: secrets must not follow a redirect */
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_USERAGENT, USER_AGENT);
    SET(CURLOPT_HTTPHEADER, hdrs);
    SET(CURLOPT_POSTFIELDS, req->body);
    SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(req->body));
    SET(CURLOPT_TIMEOUT_MS, timeout);
    SET(CURLOPT_CONNECTTIMEOUT_MS, timeout);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, c);
    SET(CURLOPT_NOPROGRESS, 0L);
    SET(CURLOPT_XFERINFOFUNCTION, on_progress);
    SET(CURLOPT_XFERINFODATA, c);
    SET(CURLOPT_ERRORBUFFER, c->errbuf);
    if (req->ca_file)
        SET(CURLOPT_CAINFO, req->ca_file);
    if (cc != CURLE_OK)
        return md_err_set(err, MD_ERROR, "libcurl: %s", lc.easy_strerror(cc));
    return MD_OK;
}

#undef SET

static CURLcode attempt(CURL *h, call *c)
{
    md_http_result *res = c->res;
    c->tail_len = 0;
    c->tail_cut = false;
    c->errbuf[0] = res->body_tail[0] = res->error[0] = '\0';
    res->status = 0;
    CURLcode cc = lc.easy_perform(h);
    res->attempts++;
    lc.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
    res->timed_out = cc == CURLE_OPERATION_TIMEDOUT;
    if (cc != CURLE_OK)
        snprintf(res->error, sizeof res->error, "%s",
                 c->errbuf[0] ? c->errbuf : lc.easy_strerror(cc));
    trim_partial_utf8(c);
    return cc;
}

/* What a transport failure is called, and whether another attempt may fare better. */
static const struct transport_failure {
    CURLcode code;
    bool transient;
    const char *label;
} failures[] = {
    {CURLE_OPERATION_TIMEDOUT, true, "timed out posting to"},
    {CURLE_COULDNT_CONNECT, true, "could not connect to"},
    {CURLE_COULDNT_RESOLVE_HOST, true, "could not resolve the host of"},
    {CURLE_COULDNT_RESOLVE_PROXY, true, "could not resolve the proxy for"},
    {CURLE_SEND_ERROR, true, "connection lost posting to"},
    {CURLE_RECV_ERROR, true, "connection lost posting to"},
    {CURLE_PARTIAL_FILE, true, "connection lost posting to"},
    {CURLE_GOT_NOTHING, true, "empty reply from"},
    {CURLE_HTTP2, true, "HTTP/2 error with"},
    {CURLE_HTTP2_STREAM, true, "HTTP/2 error with"},
    {CURLE_PEER_FAILED_VERIFICATION, false, "TLS: certificate not trusted for"},
    {CURLE_SSL_CACERT_BADFILE, false, "TLS: cannot use the CA file for"},
    {CURLE_SSL_CONNECT_ERROR, false, "TLS: handshake failed with"},
    {CURLE_OK, false, "POST failed to"}, /* any other code */
};

static const struct transport_failure *failure(CURLcode cc)
{
    size_t i = 0;
    while (failures[i].code != CURLE_OK && failures[i].code != cc)
        i++;
    return &failures[i];
}

static bool retryable(CURLcode cc, long status)
{
    if (cc == CURLE_OK)
        return (status >= 500 && status <= 599) || status == 429;
    return failure(cc)->transient;
}

static md_status outcome(const md_http_result *res, CURLcode cc, const char *url, md_err *err)
{
    char after[40] = "";
    if (res->attempts > 1)
        snprintf(after, sizeof after, " after %d attempts", res->attempts);
    if (res->cancelled)
        return md_err_set(err, MD_ERROR, "cancelled posting to %s%s", url, after);
    if (cc == CURLE_OK && res->status >= 200 && res->status <= 299)
        return MD_OK;
    if (cc == CURLE_OK)
        return md_err_set(err, MD_ERROR, "HTTP %ld from %s%s", res->status, url, after);
    return md_err_set(err, MD_ERROR, "%s %s%s: %s", failure(cc)->label, url, after, res->error);
}

static md_status attempt_all(CURL *h, const md_http_request *req, call *c, const char *url,
                             md_err *err)
{
    long backoff = req->backoff_ms > 0 ? req->backoff_ms : 500;
    int left = req->retries > 0 ? req->retries : 0;
    CURLcode cc = CURLE_OK;
    for (;;) {
        if ((c->res->cancelled = cancelled(req->cancel)))
            break;
        cc = attempt(h, c);
        c->res->cancelled = cc == CURLE_ABORTED_BY_CALLBACK;
        if (!retryable(cc, c->res->status) || left-- <= 0)
            break;
        if (!pause_ms(backoff, req->cancel))
            continue; /* the check at the top records the cancel */
        backoff = backoff > BACKOFF_MAX_MS / 2 ? BACKOFF_MAX_MS : backoff * 2;
    }
    return outcome(c->res, cc, url, err);
}

static md_status run(const md_http_request *req, md_http_result *res, const char *url,
                     struct curl_slist *hdrs, md_err *err)
{
    CURL *h = lc.easy_init();
    if (!h)
        return md_err_set(err, MD_ERROR, "libcurl: cannot create a handle");
    call c = {.res = res, .cancel = req->cancel};
    md_status rc = setup(h, req, &c, hdrs, err);
    if (rc == MD_OK)
        rc = attempt_all(h, req, &c, url, err);
    lc.easy_cleanup(h);
    return rc;
}

md_status md_http_post_json(const md_http_request *req, md_http_result *res, md_err *err)
{
    md_http_result scratch;
    res = res ? res : &scratch;
    memset(res, 0, sizeof *res);
    if (!req || !req->url || !req->body)
        return md_err_set(err, MD_INVALID, "HTTP request without a URL or a body");
    if (!curl_ready(err))
        return err->code;
    char *url = NULL;
    struct curl_slist *hdrs = NULL;
    md_status rc = url_public(req->url, &url, err);
    if (rc == MD_OK)
        rc = build_headers(req->headers, &hdrs, err);
    if (rc == MD_OK)
        rc = run(req, res, url, hdrs, err);
    lc.slist_free_all(hdrs);
    free(url);
    return rc;
}

/* Writes the value of the variable whose name is the n bytes at `name`. */
static md_status expand_one(const char *name, size_t n, const char *const *allowed, FILE *out,
                            md_err *err)
{
    if (n == 0)
        return md_err_set(err, MD_INVALID, "empty variable name in \"${}\"");
    const char *const *a = allowed;
    while (a && *a && (strlen(*a) != n || memcmp(*a, name, n) != 0))
        a++;
    if (!a || !*a)
        return md_err_set(err, MD_REFUSED, "environment variable %.*s is not allowed here",
                          (int)n, name);
    const char *value = getenv(*a);
    if (!value)
        return md_err_set(err, MD_NOTFOUND, "environment variable %s is not set", *a);
    fputs(value, out);
    return MD_OK;
}

md_status md_http_expand_env(const char *text, const char *const *allowed, char **out, md_err *err)
{
    *out = NULL;
    if (!text)
        return md_err_set(err, MD_INVALID, "no text to expand");
    size_t len;
    FILE *f = open_memstream(out, &len);
    if (!f)
        md_fatal("out of memory (expanding)");
    md_status rc = MD_OK;
    const char *p = text, *d;
    while (rc == MD_OK && (d = strstr(p, "${"))) {
        fwrite(p, 1, (size_t)(d - p), f);
        const char *end = strchr(d + 2, '}');
        rc = end ? expand_one(d + 2, (size_t)(end - d - 2), allowed, f, err)
                 : md_err_set(err, MD_INVALID, "\"${\" without \"}\" at byte %zu",
                              (size_t)(d - text) + 1);
        p = end ? end + 1 : d;
    }
    fputs(rc == MD_OK ? p : "", f);
    if (fclose(f) != 0)
        md_fatal("out of memory (expanding)");
    if (rc != MD_OK) {
        free(*out);
        *out = NULL;
    }
    return rc;
}
