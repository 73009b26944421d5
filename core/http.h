/* Outbound HTTP: one JSON POST with timeouts, bounded retries and cancellation.
 *
 * Why: retrain webhooks (and later other connectors) call remote systems that are slow, flaky or
 * hostile. One small door keeps the rules in one place: TLS verification always on, only http
 * and https, no redirects followed, a capped response body, retries only where a retry can help,
 * and no header value (they carry tokens) ever copied into an error or a result. */
#ifndef MD_HTTP_H
#define MD_HTTP_H

#include <stdbool.h>

#include "err.h"

typedef struct {
    const char *url;            /* http:// or https:// (the scheme is required) */
    const char *body;           /* JSON text sent as the body (Content-Type: application/json) */
    const char *const *headers; /* extra "Name: value" lines, NULL-terminated; may be NULL */
    long timeout_ms;            /* per attempt (connect + transfer); 0 means 10000 */
    int retries;     /* extra attempts after the first, only for 5xx, 429, timeouts and connection
                        errors; never for other 4xx, 3xx or TLS failures */
    long backoff_ms; /* pause before the first retry; doubles each time, at most 60 s (0: 500) */
    const char *ca_file;  /* an extra CA bundle to trust (tests); NULL: the system's trust store.
                             It replaces libcurl's default bundle file; the default CA directory
                             (Debian: /etc/ssl/certs) stays trusted */
    volatile int *cancel; /* when non-NULL and nonzero, stop before the next attempt, during a
                             backoff pause (checked every 50 ms) and during a transfer (libcurl's
                             progress callback, run at least once a second). Read atomically:
                             raise it from another thread with __atomic_store_n */
} md_http_request;

typedef struct {
    long status;          /* the last HTTP status, 0 when no response */
    int attempts;         /* attempts made */
    bool timed_out;       /* the last attempt timed out */
    bool cancelled;       /* the cancel flag stopped the call */
    char body_tail[1024]; /* the last bytes of the last response body (NUL-terminated, raw:
                             sanitize before display) */
    char error[256];      /* the transport error of the last attempt, if any */
} md_http_result;

/* POSTs the body. MD_OK for a 2xx response; otherwise MD_ERROR with err saying what happened
 * ("HTTP 404 from https://host/path", "timed out posting to https://host/path after 3
 * attempts: ...", "TLS: certificate not trusted by https://host/path: ..."), or MD_INVALID
 * before any attempt for a bad request (missing url or body, a scheme other than http/https, a
 * header line without a name or with a CR/LF). Redirects are not followed: a 3xx is an error.
 * URLs in messages lose their user:password@, query and fragment; header values never appear
 * in err or res (they may hold secrets). res may be NULL. Thread safe. */
md_status md_http_post_json(const md_http_request *req, md_http_result *res, md_err *err);

/* Replaces ${NAME} in `text` with the environment variable NAME, only for names listed in
 * `allowed` (NULL-terminated; NULL allows none). Errors name the variable, never its value:
 * MD_REFUSED for an unlisted name, MD_NOTFOUND for an unset variable, MD_INVALID for "${"
 * without "}" or an empty name. A "$" not followed by "{" is kept as is. The caller frees *out
 * (NULL on error). */
md_status md_http_expand_env(const char *text, const char *const *allowed, char **out, md_err *err);

#endif
