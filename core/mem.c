#include "mem.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* The one process-wide setting in core: who restores the terminal when we must die. */
static md_fatal_hook fatal_hook;

void md_set_fatal_hook(md_fatal_hook hook)
{
    fatal_hook = hook;
}

_Noreturn void md_fatal(const char *fmt, ...)
{
    if (fatal_hook)
        fatal_hook();
    va_list ap;
    va_start(ap, fmt);
    fputs("modeldeck: fatal: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

void *md_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        md_fatal("out of memory (%zu bytes)", n);
    return p;
}

void *md_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        md_fatal("out of memory (%zu x %zu bytes)", count, size);
    return p;
}

void *md_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        md_fatal("out of memory (%zu bytes)", n);
    return q;
}

void *md_xgrow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 8;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            md_fatal("allocation overflow");
        c *= 2;
    }
    if (elem && c > SIZE_MAX / elem)
        md_fatal("allocation overflow");
    *cap = c;
    return md_xrealloc(p, c * elem);
}

void *md_xgrow_zero(void *p, size_t *cap, size_t need, size_t elem)
{
    size_t old = *cap;
    p = md_xgrow(p, cap, need, elem);
    if (*cap > old)
        memset((char *)p + old * elem, 0, (*cap - old) * elem);
    return p;
}

char *md_xstrdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    return memcpy(md_xmalloc(n), s, n);
}

char *md_xasprintf(const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        md_fatal("unformattable string");
    char *s = md_xmalloc((size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return s;
}

void md_prefault(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
    if (n < (256u << 10)) /* small blocks come from the heap, mapped already */
        return;
    uintptr_t page = 4096, lo = ((uintptr_t)p + page - 1) & ~(page - 1),
              hi = ((uintptr_t)p + n) & ~(page - 1);
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE); /* a hint: failure changes nothing */
#else
    (void)p;
    (void)n;
#endif
}

void *md_xmalloc_prefaulted(size_t n)
{
    void *p = md_xmalloc(n);
    md_prefault(p, n);
    return p;
}
