/* Status codes and the caller-owned error struct every core function fills.
 *
 * Why: one way to fail across the whole engine. A function returns an md_status and, on failure,
 * leaves a human message in the caller's md_err; the CLI maps the status to an exit code and the
 * console shows the message as the core words it. */
#ifndef MD_ERR_H
#define MD_ERR_H

#include <stddef.h>

/* X(name, exit code, label). The exit code is the CLI's public contract. */
#define MD_STATUSES(X)                                                                             \
    X(OK, 0, "ok")                                                                                 \
    X(ERROR, 1, "error")                                                                           \
    X(INVALID, 2, "invalid argument")                                                              \
    X(REFUSED, 3, "refused")                                                                       \
    X(NOTFOUND, 4, "not found")

typedef enum {
#define MD_X(name, code, label) MD_##name = code,
    MD_STATUSES(MD_X)
#undef MD_X
} md_status;

#define MD_ERR_MSG_MAX 1024

typedef struct {
    md_status code;
    char msg[MD_ERR_MSG_MAX];
} md_err;

/* Sets code and a printf-style message; returns code so callers can `return md_err_set(...)`.
 * A message longer than the buffer is cut at a UTF-8 boundary and ends in "...". */
md_status md_err_set(md_err *err, md_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Puts "prefix: " in front of an existing message (adds context on the way up). */
md_status md_err_prefix(md_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void md_err_clear(md_err *err);
const char *md_status_label(md_status code);

#endif
