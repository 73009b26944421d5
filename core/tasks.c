#include "tasks.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct {
    size_t n;
    void (*task)(void *ctx, size_t i);
    void *ctx;
    atomic_size_t next;
} tasks;

static void *take_tasks(void *arg)
{
    tasks *t = arg;
    for (size_t i; (i = atomic_fetch_add(&t->next, 1)) < t->n;)
        t->task(t->ctx, i);
    return NULL;
}

void md_tasks_run(size_t n, bool two, void (*task)(void *ctx, size_t i), void *ctx)
{
    tasks t = {n, task, ctx, 0};
    atomic_init(&t.next, 0);
    pthread_t helper;
    bool started = two && n > 1 && pthread_create(&helper, NULL, take_tasks, &t) == 0;
    take_tasks(&t);
    if (started)
        pthread_join(helper, NULL);
}
