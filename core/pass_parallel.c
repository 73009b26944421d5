/* Two threads over the file's pieces (core/pass_int.h): the file hash reads the file once, a
 * piece at a time, on whichever thread asks for the next piece, and that thread counts the
 * piece's rows; the second worker's windows are merged into the first's at the end, on both
 * cores. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "pass_int.h"
#include "tasks.h"

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
} merging;

static void merge_one(void *ctx, size_t i)
{
    merging *g = ctx;
    if (g->into[i] != SIZE_MAX) /* and summarized, while its keys are in this core's cache */
        md_window_merge_fresh(&g->a->w[g->into[i]], &g->b->w[i], g->a->c->b);
}

/* Moves the second worker's windows (keys sorted) into the first: a window the first lacks
 * moves over whole; the others are merged window by window on both cores (a merge of sorted
 * keys takes a while for a large window). */
static void merge_into(worker *a, worker *b)
{
    merging g = {a, b, md_xmalloc((b->nw + 1) * sizeof *g.into)};
    for (size_t i = 0; i < b->nw; i++) {
        if (md_pass_window_adopt(a, &b->w[i])) {
            g.into[i] = SIZE_MAX;
            continue;
        }
        /* may move a->w: places, not pointers */
        g.into[i] = (size_t)(md_pass_window_for(a, b->w[i].index) - a->w);
    }
    md_tasks_run(b->nw, md_pass_threads(a->c) > 1, merge_one, &g);
    free(g.into);
    a->rows += b->rows;
    a->labeled += b->labeled;
    md_rowsample_merge(&a->sample, &b->sample);
}

/* Whether the two workers read each role from the same column, where both read it: in JSON
 * Lines one may fall back to a role's default key that the other never needed. */
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

/* ---- pieces: the file read once, by the hash ------------------------------------------------ */

/* One thread's share of a pass over the feed's pieces. */
typedef struct {
    worker *k;
    const md_pass_config *c; /* when k is set up on this thread: its config, */
    md_reader *r;            /* reader */
    md_spill *sp;            /* and spill file */
    md_file_hasher *feed;
    size_t from;         /* the data's start: what comes before it is the header */
    atomic_bool *failed; /* a piece did not read cleanly: both threads stop */
    size_t bytes;        /* the data this thread read */
} piecework;

static void *run_pieces(void *arg)
{
    piecework *pw = arg;
    worker *k = pw->k;
    if (pw->r) { /* the second worker: set up here, while the first one reads */
        md_pass_worker_init(k, pw->c, pw->r, pw->sp);
        k->owner = 1;
        k->max_bad = 0;
    }
    md_piece pc;
    while (!atomic_load_explicit(pw->failed, memory_order_relaxed) &&
           md_file_hash_piece(pw->feed, &pc)) {
        size_t skip = pc.off < pw->from ? pw->from - pc.off : 0;
        if (skip < pc.n) {
            md_reader_piece(k->r, pc.off + skip, pc.p + skip, pc.n - skip);
            md_pass_run_worker(k);
            /* a bad row, or a piece cut inside a quoted field (its last record runs into the
             * end and fails): the file is read again in order, for the right line numbers */
            if (k->rc != MD_OK || md_reader_offset(k->r) != pc.off + pc.n)
                atomic_store(pw->failed, true);
            pw->bytes += pc.n - skip;
        }
        md_file_hash_piece_done(pw->feed, &pc);
    }
    md_pass_fold_all(k);
    return NULL;
}

bool md_pass_try_pieces(worker *a, worker *b, md_reader *rb, md_spill *sp, md_file_hasher *feed,
                        size_t from, size_t size)
{
    a->max_bad = 0; /* a bad row: read again in order, with line numbers */
    atomic_bool failed;
    atomic_init(&failed, false);
    piecework pa = {a, NULL, NULL, NULL, feed, from, &failed, 0},
              pb = {b, a->c, rb, sp, feed, from, &failed, 0};
    pthread_t t;
    bool started = pthread_create(&t, NULL, run_pieces, &pb) == 0;
    if (started) {
        run_pieces(&pa);
        pthread_join(t, NULL);
    } else {
        md_pass_worker_init(b, a->c, rb, sp);
        b->owner = 1;
    }
    /* every byte of the data read once (a file cut short while it was read ends the feed
     * early), and both threads read each role from the same column */
    bool ok =
        started && !atomic_load(&failed) && pa.bytes + pb.bytes == size - from && roles_agree(a, b);
    if (ok)
        merge_into(a, b);
    else
        md_file_hash_unfeed(feed); /* the hash goes on alone; the pass starts over */
    return ok;
}
