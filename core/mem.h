/* Allocation that never returns NULL.
 *
 * Why: a console that half-handles out-of-memory corrupts more than it saves. On failure we run
 * the registered fatal hook (the console uses it to restore the terminal), print one line and
 * exit(1) -- as htop does. */
#ifndef MD_MEM_H
#define MD_MEM_H

#include <stddef.h>

void *md_xmalloc(size_t n);
void *md_xcalloc(size_t count, size_t size);
void *md_xrealloc(void *p, size_t n);
/* Grows an array to hold at least `need` elements, doubling; updates *cap. */
void *md_xgrow(void *p, size_t *cap, size_t need, size_t elem);
/* md_xgrow that zeroes the elements it adds. */
void *md_xgrow_zero(void *p, size_t *cap, size_t need, size_t elem);
char *md_xstrdup(const char *s); /* NULL stays NULL */
/* Maps the pages of [p, p + n) of a large allocation in one call where the kernel can, instead
 * of one page fault per 4 KiB on first touch: for memory about to be written in full. */
void md_prefault(void *p, size_t n);
/* md_xmalloc for a large buffer the caller is about to fill, prefaulted. Not zeroed: a heap
 * block reused (glibc serves sizes it has seen freed from the heap) would be cleared for
 * nothing. */
void *md_xmalloc_prefaulted(size_t n);
char *md_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The fatal hook runs before the process exits on an unrecoverable error. */
typedef void (*md_fatal_hook)(void);
void md_set_fatal_hook(md_fatal_hook hook);
_Noreturn void md_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
