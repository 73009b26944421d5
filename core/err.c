#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void mark_truncated(char *buf, size_t cap)
{
    size_t end = cap - 4; /* room for "..." and NUL */
    while (end > 0 && ((unsigned char)buf[end] & 0xC0) == 0x80)
        end--; /* do not split a UTF-8 sequence */
    memcpy(buf + end, "...", 4);
}

static void vformat(char *buf, size_t cap, const char *fmt, va_list ap)
{
    int n = vsnprintf(buf, cap, fmt, ap);
    if (n < 0)
        snprintf(buf, cap, "(unformattable message)");
    else if ((size_t)n >= cap)
        mark_truncated(buf, cap);
}

md_status md_err_set(md_err *err, md_status code, const char *fmt, ...)
{
    if (!err)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vformat(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->code = code;
    return code;
}

md_status md_err_prefix(md_err *err, const char *fmt, ...)
{
    if (!err)
        return MD_ERROR;
    char prefix[MD_ERR_MSG_MAX], old[MD_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vformat(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    int n = snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
    if (n >= (int)sizeof err->msg)
        mark_truncated(err->msg, sizeof err->msg);
    return err->code;
}

void md_err_clear(md_err *err)
{
    if (!err)
        return;
    err->code = MD_OK;
    err->msg[0] = '\0';
}

const char *md_status_label(md_status code)
{
    switch (code) {
#define MD_X(name, c, label)                                                                       \
    case MD_##name:                                                                                \
        return label;
        MD_STATUSES(MD_X)
#undef MD_X
    }
    return "unknown";
}
