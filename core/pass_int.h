/* The streaming pass's insides, shared by its parts: core/pass.c (one thread's share: windows,
 * the row loop, its batches) and core/pass_parallel.c (two threads over the file's pieces,
 * their windows merged). */
#ifndef MD_PASS_INT_H
#define MD_PASS_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catcache.h"
#include "pass.h"
#include "sha256.h"

/* Rows of one window whose numeric values are counted feature by feature: enough that each
 * feature's split index, brought into the cache once, serves many values; as many as fit in
 * BATCH_BYTES, so that a model with hundreds of features does not hold hundreds of megabytes.
 *
 * The batch is shared by BATCH_SLOTS windows, a slot each: logs come in rough time order, and
 * rows of the window before (late ones) or after (early ones) are mixed in with the current
 * window's, as often as every few hundred rows around a day's start and all the time for hourly
 * windows. With one window per batch, each such row would count the batch out while it is still
 * small; with a slot each, a window's values are counted when its slot is full, or when a fifth
 * window takes the slot used least lately. */
#define BATCH_ROWS  32768
#define BATCH_BYTES (2u << 20)
#define BATCH_SLOTS 4

/* A feature the file has, as the row loop reads it. */
typedef struct {
    size_t col;     /* its reader column */
    size_t feature; /* its place in the baseline and in a window's features */
    size_t v;       /* numeric: its numeric feature number, for the batch ... */
    double *val;    /* ... its values in the current slot ... */
    size_t n;       /* ... and how many */
    /* numeric, when its split index has a table of whole numbers (and no contract bounds to
     * check values against): the table, its first whole number and its length. A value
     * written as plain digits is counted from its text, without a double or the batch
     * (counts, ages and days: half the numeric columns of the bench's log). */
    const uint32_t *ints;
    int64_t ilo;
    size_t nints;
} fslot;

/* A part of the batch that holds the values of one window's rows. */
typedef struct {
    size_t w;      /* the window, a place in worker.w; SIZE_MAX: none yet */
    size_t rows;   /* rows in the slot */
    size_t *n;     /* [numeric feature]: its values in the slot, while the slot is not current */
    uint64_t used; /* when it last became current */
} batch_slot;

/* One thread's share of the pass. */
typedef struct {
    const md_pass_config *c;
    md_reader *r;
    md_colmap m;
    int64_t *fcol; /* feature -> reader column, -1 while absent */
    size_t ncols;
    md_window *w;
    size_t nw, wcap, last;
    int64_t *slots; /* window index -> position in w */
    size_t nslots;
    size_t slot_rows;   /* rows a slot holds: a quarter of BATCH_BYTES (of BATCH_ROWS at most) */
    batch_slot slot[BATCH_SLOTS];
    size_t cur;         /* the slot the fslots' val and n are of */
    uint64_t tick;
    size_t *slot_n;     /* the slots' n */
    double *batch_val;  /* [slot][numeric feature][value]: each numeric feature's values */
    size_t *vslot;      /* feature -> its numeric feature number, for batch_val */
    size_t numeric;     /* numeric features in the baseline */
    fslot *num, *cat;   /* the numeric and categorical features the file has ... */
    size_t nnum, ncat;
    size_t *gone;       /* ... and those it does not have (yet) */
    size_t ngone;
    md_catcache *cc;    /* [feature]: a categorical feature's baseline categories met */
    int64_t rows, labeled, bad_rows;
    md_rowsample sample; /* the good rows' identities */
    int64_t max_bad;
    char first_bad[MD_ERR_MSG_MAX];
    md_status rc;
    md_err err;
    bool progress; /* this worker reports progress */
    md_spill *spill;
    int owner;   /* this worker's runs in the spill */
    size_t held; /* keys held in memory by this worker's windows */
    /* Aligned to a cache line, which pads the worker to whole lines: no line holds both a
     * worker's fields and another thread's data (two workers sit side by side on a stack,
     * beside other locals). Unaligned, the same ingest took about 3% more CPU. */
    _Alignas(64) char end[1];
} worker;

/* One thread's share of the pass: set up over reader r, run to the reader's end (again over
 * each piece it is handed), its windows' keys sorted, freed with its windows. */
void md_pass_worker_init(worker *k, const md_pass_config *c, md_reader *r, md_spill *sp);
void md_pass_run_worker(worker *k);
void md_pass_fold_all(worker *k);
void md_pass_worker_free(worker *k);
/* The worker's window of this index, made when it has none (w may move). */
md_window *md_pass_window_for(worker *k, int64_t index);
/* Moves *w, another worker's window, into k when k has no window of its index (no copy
 * of its counts, no merge), leaving *w empty; false when k has one to merge it into. */
bool md_pass_window_adopt(worker *k, md_window *w);

/* Threads the pass uses: 1 or 2. */
int md_pass_threads(const md_pass_config *c);
/* Workers a and b (each over a reader of md_reader_open_pieces: b's is rb, and b is set up here,
 * on its own thread, as owner 1 of the spill sp) read the feed's pieces of the data
 * [from, size), each taking the next piece when done with one; b is merged into a. False when
 * a piece met a bad row or was cut inside a record, or the pieces fell short: then the feed is
 * stopped and the pass has to start over with a fresh worker. Either way b is set up. */
bool md_pass_try_pieces(worker *a, worker *b, md_reader *rb, md_spill *sp, md_file_hasher *feed,
                        size_t from, size_t size);

#endif
