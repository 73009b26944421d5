/* Two threads over two halves of the file (core/pass_int.h): the thread done with its half
 * first takes over the far half of what the other has left, and the second worker's windows
 * are merged into the first's at the end, on both cores. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "pass_int.h"

int md_pass_threads(const md_pass_config *c)
{
    if (c->threads > 0)
        return c->threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 2 ? 2 : 1;
}

/* The second worker's windows, each merged into the first worker's window of its index. */
typedef struct {
    worker *a, *b;
    size_t *into; /* [i]: the place in a->w of b->w[i]'s window */
    atomic_size_t next;
} merging;

static void *merge_some(void *arg)
{
    merging *g = arg;
    for (size_t i; (i = atomic_fetch_add(&g->next, 1)) < g->b->nw;)
        if (g->into[i] != SIZE_MAX)
            md_window_merge_fresh(&g->a->w[g->into[i]], &g->b->w[i], g->a->c->b);
    return NULL;
}

/* Moves the second worker's windows (folded) into the first: a window the first lacks moves
 * over whole; the others are merged window by window on both cores (a merge of sorted keys
 * takes a while for a large window). */
static void merge_into(worker *a, worker *b)
{
    merging g = {a, b, md_xmalloc((b->nw + 1) * sizeof *g.into), 0};
    for (size_t i = 0; i < b->nw; i++) {
        if (md_pass_window_adopt(a, &b->w[i])) {
            g.into[i] = SIZE_MAX;
            continue;
        }
        /* may move a->w: places, not pointers */
        g.into[i] = (size_t)(md_pass_window_for(a, b->w[i].index) - a->w);
    }
    atomic_init(&g.next, 0);
    pthread_t t;
    bool helper =
        b->nw > 1 && md_pass_threads(a->c) > 1 && pthread_create(&t, NULL, merge_some, &g) == 0;
    merge_some(&g);
    if (helper)
        pthread_join(t, NULL);
    free(g.into);
    a->rows += b->rows;
    a->labeled += b->labeled;
    md_rowsample_merge(&a->sample, &b->sample);
}

/* Whichever thread finishes its half first takes over the end of the other's range, so both
 * cores stay busy to the end (the file hash shares a core with one of them, and rows cost
 * what they cost). */
#define TAKE_MIN   (4u << 20)  /* bytes the other thread has left, at least, to take half of */
#define TAKE_FLOOR (64u << 10) /* and never less: the cut stays well ahead of the other thread */
#define TAKES_MAX  4

typedef struct {
    worker w; /* the taken ranges' counts, merged at the end */
    bool used;
    size_t cut[TAKES_MAX];  /* where each taken range starts: the other thread stops there */
    size_t stop[TAKES_MAX]; /* where its reader stopped (its range's end when all went well) */
    size_t n;
    bool duplicate; /* the other thread read past the cut: the taken counts are dropped */
    worker *lender; /* whose batch buffer the taken ranges use */
} taken;

/* The two halves: worker a reads [start, split) on the calling thread, worker b [split, end)
 * on its own; each may take over from the other through its `taken`. */
typedef struct {
    worker *a, *b;
    md_reader *r; /* a's reader, over the whole file */
    size_t split;
    size_t take_min;
    taken ta, tb; /* what a took from b, what b took from a */
} halves;

/* While the victim has at least take_min bytes left before `stop`, the taker lowers the
 * victim's limit to a line boundary halfway through what it has left and reads from there to
 * `stop` itself, then repeats with the cut as the new stop. The victim publishes where each
 * record starts, and the cut is far ahead of that (take_min / 2, 32 KiB at least), so the
 * victim stops there; take_ok checks that it did. */
static void take_over(const halves *h, worker *taker, worker *victim, size_t stop, taken *t,
                      int owner)
{
    while (t->n < TAKES_MAX && !atomic_load(&victim->stopped)) {
        size_t from = atomic_load_explicit(&victim->at, memory_order_relaxed),
               start = md_reader_data_start(victim->r);
        if (from < start) /* not started yet: it is where its range starts */
            from = start;
        if (stop <= from || stop - from < (h->take_min > TAKE_FLOOR ? h->take_min : TAKE_FLOOR))
            return;
        size_t cut = md_reader_boundary(h->r, from + (stop - from) / 2);
        md_reader *rt;
        md_err ignored;
        if (!cut || cut <= from || cut >= stop ||
            md_reader_open_range(h->r, cut, stop, &rt, &ignored) != MD_OK)
            return;
        md_reader_set_limit(victim->r, cut);
        if (!t->used) {
            /* the taker's batch is flushed and idle: lent, not a second one (taken_free) */
            md_pass_worker_init(&t->w, taker->c, rt, taker->spill, taker->batch_val);
            taker->batch_val = NULL;
            t->lender = taker;
            t->w.owner = owner;
            t->w.max_bad = 0;
            t->used = true;
            /* one thread, one budget for keys; the taken ranges get half of it at least */
            size_t budget = md_pass_key_budget(taker);
            t->w.held_base = taker->held < budget / 2 ? taker->held : budget / 2;
        }
        t->w.r = rt;
        t->cut[t->n] = cut;
        md_pass_run_worker(&t->w);
        t->stop[t->n++] = md_reader_offset(rt);
        t->w.r = NULL; /* its buffer goes now; the worker's windows stay */
        md_reader_close(rt);
        if (t->w.rc != MD_OK || t->stop[t->n - 1] != stop)
            return; /* take_ok turns the pass down */
        stop = cut;
    }
}

/* After both threads are done: whether the victim's part (it was to stop at `stop`) and the
 * ranges taken from it tile its range. When the victim finished before it saw the one cut
 * made, the taken counts are a second copy of its own and are dropped; any other overlap
 * turns the pass down. */
static bool take_ok(const worker *victim, size_t stop, taken *t)
{
    size_t end = md_reader_offset(victim->r);
    if (!t->used)
        return end == stop;
    if (t->w.rc != MD_OK)
        return false;
    for (size_t i = 0; i < t->n; i++)
        if (t->stop[i] != (i ? t->cut[i - 1] : stop))
            return false;
    if (end == t->cut[t->n - 1])
        return true;
    t->duplicate = t->n == 1 && end == stop;
    return t->duplicate;
}

static void taken_free(taken *t, md_spill *sp, bool keep)
{
    if (!t->used)
        return;
    t->lender->batch_val = t->w.batch_val;
    t->w.batch_val = NULL;
    if (!keep || t->duplicate)
        md_spill_drop(sp, t->w.owner);
    md_pass_worker_free(&t->w, false);
}

static void *second_half(void *arg)
{
    halves *h = arg;
    md_pass_run_worker(h->b);
    if (h->b->rc == MD_OK && md_reader_offset(h->b->r) == md_reader_size(h->b->r))
        take_over(h, h->b, h->a, h->split, &h->tb, 3);
    md_pass_fold_all(h->b);
    if (h->tb.used)
        md_pass_fold_all(&h->tb.w);
    return NULL;
}

/* The second half on its own thread (worker b over reader r2), checked and merged; false when
 * the first worker has to finish the file alone. */
/* Whether the two halves read each role from the same column, where both read it: in JSON
 * Lines a half may fall back to a role's default key that the other half never needed. */
static bool roles_agree(const worker *a, const worker *b)
{
    const int64_t ia[] = {a->m.ts, a->m.id, a->m.score, a->m.label, a->m.latency},
                  ib[] = {b->m.ts, b->m.id, b->m.score, b->m.label, b->m.latency};
    const char *na[] = {a->m.names.ts, a->m.names.id, a->m.names.score, a->m.names.label,
                        a->m.names.latency},
               *nb[] = {b->m.names.ts, b->m.names.id, b->m.names.score, b->m.names.label,
                        b->m.names.latency};
    for (size_t i = 0; i < 5; i++)
        if (ia[i] >= 0 && ib[i] >= 0 && strcmp(na[i], nb[i]) != 0)
            return false;
    return true;
}

bool md_pass_try_parallel(worker *a, worker *b, md_reader *r, size_t split, size_t take_min,
                          size_t *taken_n)
{
    b->max_bad = 0; /* any trouble: redo it on the first thread, with the right line numbers */
    halves h = {.a = a, .b = b, .r = r, .split = split, .take_min = take_min ? take_min : TAKE_MIN};
    md_reader_set_limit(r, split);
    pthread_t t;
    bool started = pthread_create(&t, NULL, second_half, &h) == 0;
    a->progress_scale = started ? 2 : 1;
    md_pass_run_worker(a);
    if (started && a->rc == MD_OK && md_reader_offset(r) == split)
        take_over(&h, a, b, md_reader_size(r), &h.ta, 2);
    /* beside b; should a have to go on, its counting starts over and adds up */
    md_pass_fold_all(a);
    if (h.ta.used)
        md_pass_fold_all(&h.ta.w);
    if (started)
        pthread_join(t, NULL);
    md_reader_set_limit(r, 0);
    a->progress_scale = 1;
    bool ok = started && a->rc == MD_OK && b->rc == MD_OK && take_ok(a, split, &h.tb) &&
              take_ok(b, md_reader_size(r), &h.ta) && roles_agree(a, b) &&
              (!h.ta.used || roles_agree(a, &h.ta.w)) && (!h.tb.used || roles_agree(a, &h.tb.w));
    if (ok) {
        merge_into(a, b);
        *taken_n = (h.ta.duplicate ? 0 : h.ta.n) + (h.tb.duplicate ? 0 : h.tb.n);
        if (h.ta.used && !h.ta.duplicate)
            merge_into(a, &h.ta.w);
        if (h.tb.used && !h.tb.duplicate)
            merge_into(a, &h.tb.w);
    } else {
        md_spill_drop(a->spill, b->owner);
    }
    taken_free(&h.ta, a->spill, ok);
    taken_free(&h.tb, a->spill, ok);
    return ok;
}
