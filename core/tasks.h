/* Tasks shared out over two cores.
 *
 * Why: the steps after a pass (merging two threads' windows, making each window's numbers) and
 * around it (building a baseline's split indexes, its profile's parts) are many independent
 * tasks of uneven size; the calling thread and one helper each take the next task not yet
 * taken, so that neither core idles while the other has a queue. */
#ifndef MD_TASKS_H
#define MD_TASKS_H

#include <stdbool.h>
#include <stddef.h>

/* Runs task(ctx, i) for every i in [0, n), on the calling thread and, when `two` and n > 1, a
 * helper thread (if one can be started); returns when all are done. */
void md_tasks_run(size_t n, bool two, void (*task)(void *ctx, size_t i), void *ctx);

#endif
