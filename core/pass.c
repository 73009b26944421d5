#include "pass.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catcache.h"
#include "mem.h"
#include "sort.h"

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
    int64_t max_bad;
    char first_bad[MD_ERR_MSG_MAX];
    md_status rc;
    md_err err;
    bool progress; /* this worker reports progress */
    size_t progress_scale;
    md_spill *spill;
    int owner;   /* this worker's runs in the spill */
    size_t held; /* keys held in memory by this worker's windows */
    size_t held_base; /* counted against the budget too: what the thread holds elsewhere */
    /* for the other thread, which may take over the end of this worker's range: where the
     * next record starts and whether the worker has stopped */
    _Atomic size_t at;
    atomic_bool stopped;
} worker;

/* ---- windows by index ------------------------------------------------------------------------ */

static size_t slot_of(const worker *k, int64_t index)
{
    size_t mask = k->nslots - 1, i = (size_t)((uint64_t)index * 0x9E3779B97F4A7C15ULL) & mask;
    while (k->slots[i] >= 0 && k->w[k->slots[i]].index != index)
        i = (i + 1) & mask;
    return i;
}

static void rehash(worker *k)
{
    free(k->slots);
    k->nslots = k->nslots ? k->nslots * 2 : 64;
    k->slots = md_xmalloc(k->nslots * sizeof *k->slots);
    memset(k->slots, 0xff, k->nslots * sizeof *k->slots);
    for (size_t i = 0; i < k->nw; i++)
        k->slots[slot_of(k, k->w[i].index)] = (int64_t)i;
}

static md_window *window_for(worker *k, int64_t index)
{
    if (k->nw && k->w[k->last].index == index)
        return &k->w[k->last];
    if ((k->nw + 1) * 2 > k->nslots)
        rehash(k);
    size_t slot = slot_of(k, index);
    if (k->slots[slot] < 0) {
        k->w = md_xgrow(k->w, &k->wcap, k->nw + 1, sizeof *k->w);
        const md_model_limits *lim = k->c->lim;
        md_window_init_counting(&k->w[k->nw], k->c->b, index, lim && lim->has_sla,
                                lim ? lim->sla_ms : 0);
        k->w[k->nw].spill = k->spill;
        k->slots[slot] = (int64_t)k->nw++;
    }
    k->last = (size_t)k->slots[slot];
    return &k->w[k->last];
}

/* ---- columns ----------------------------------------------------------------------------------- */

/* Where a numeric feature's values start in slot s. */
static double *slot_values(const worker *k, size_t s, size_t v)
{
    return k->batch_val + (s * k->numeric + v) * k->slot_rows;
}

/* The row loop's lists of features, from the columns found; the batch must be empty. */
static void plan(worker *k)
{
    const md_baseline *b = k->c->b;
    k->nnum = k->ncat = k->ngone = 0;
    for (size_t i = 0; i < b->nfeatures; i++) {
        if (k->fcol[i] < 0) {
            k->gone[k->ngone++] = i;
            continue;
        }
        fslot q = {(size_t)k->fcol[i], i, 0, NULL, 0};
        if (b->features[i].kind == MD_NUMERIC) {
            q.v = k->vslot[i];
            q.val = slot_values(k, k->cur, q.v);
            k->num[k->nnum++] = q;
        } else {
            k->cat[k->ncat++] = q;
        }
    }
}

static void flush_all(worker *k);

static void sync_columns_now(worker *k, size_t n)
{
    k->ncols = n;
    md_colmap_refresh(k->r, &k->c->ro->cols, &k->m);
    bool found = false;
    for (size_t i = 0; i < k->c->b->nfeatures; i++)
        if (k->fcol[i] < 0) {
            k->fcol[i] = md_reader_find(k->r, k->c->b->features[i].name);
            found |= k->fcol[i] >= 0;
        }
    if (found) {
        flush_all(k);
        plan(k);
    }
}

/* New columns (JSON Lines keys that appear late) mapped; checked once a row. */
static inline void sync_columns(worker *k)
{
    size_t n = md_reader_ncols(k->r);
    if (n != k->ncols)
        sync_columns_now(k, n);
}

/* ---- accumulating -------------------------------------------------------------------------------- */

/* Counts the current slot's numeric values into its window, feature by feature: each
 * feature's split index stays in cache while its values go through it. */
static void flush_slot(worker *k)
{
    batch_slot *sl = &k->slot[k->cur];
    if (sl->rows == 0)
        return;
    const md_baseline *b = k->c->b;
    md_window *w = &k->w[sl->w];
    for (fslot *q = k->num; q < k->num + k->nnum; q++) {
        const md_bfeature *bf = &b->features[q->feature];
        size_t n = q->n;
        if (n == 0)
            continue;
        const double *val = q->val;
        md_wfeat *f = &w->f[q->feature];
        f->present += (int64_t)n;
        /* without ks_k the baseline has no values of this feature to compare with */
        if (bf->ks_k) {
            if (!f->counters) /* the window was folded: count again, fold adds up */
                f->counters = md_xcalloc(md_bfeature_ncounters(bf), sizeof *f->counters);
            md_bfeature_count(bf, val, n, f->counters);
        }
        const md_contract_rule *r = &bf->rule;
        if (r->present && (r->has_min || r->has_max))
            for (size_t j = 0; j < n; j++)
                f->violations += (r->has_min && val[j] < r->min) || (r->has_max && val[j] > r->max);
        q->n = 0;
    }
    sl->rows = 0;
}

/* Makes slot s the one the row loop fills. */
static void switch_slot(worker *k, size_t s)
{
    if (s == k->cur)
        return;
    for (fslot *q = k->num; q < k->num + k->nnum; q++) {
        k->slot[k->cur].n[q->v] = q->n;
        q->n = k->slot[s].n[q->v];
        q->val = slot_values(k, s, q->v);
    }
    k->cur = s;
}

/* The current slot becomes window wi's: the one that has it, else an empty one, else the one
 * used least lately, counted out first. */
static void use_slot(worker *k, size_t wi)
{
    size_t pick = SIZE_MAX, empty = SIZE_MAX, oldest = 0;
    for (size_t s = 0; s < BATCH_SLOTS; s++) {
        if (k->slot[s].w == wi)
            pick = s;
        else if (k->slot[s].rows == 0 && empty == SIZE_MAX)
            empty = s;
        if (k->slot[s].used < k->slot[oldest].used)
            oldest = s;
    }
    if (pick == SIZE_MAX)
        pick = empty != SIZE_MAX ? empty : oldest;
    switch_slot(k, pick);
    k->slot[pick].used = ++k->tick;
    if (k->slot[pick].w != wi) {
        flush_slot(k);
        k->slot[pick].w = wi;
    }
}

/* Every slot counted out. */
static void flush_all(worker *k)
{
    for (size_t s = 0; s < BATCH_SLOTS; s++)
        if (k->slot[s].rows) {
            switch_slot(k, s);
            flush_slot(k);
        }
}

/* Readies the worker's windows for merging: counters folded, keys sorted. */
static void fold_all(worker *k)
{
    for (size_t i = 0; i < k->nw; i++) {
        md_window_fold(&k->w[i], k->c->b);
        md_window_sort_keys(&k->w[i]);
    }
}

/* One categorical value: a short text met before takes the cache (md_catcache.h), anything
 * else the baseline's category map, and a baseline category is then remembered. */
static void add_categorical(const md_bfeature *bf, md_wfeat *f, const md_field *v, md_catcache *cc)
{
    uint64_t lo = 0, hi = 0;
    size_t slot = 0;
    bool cacheable = md_catcache_key(v, &lo, &hi);
    if (cacheable) {
        slot = md_catcache_slot(cc, lo, hi);
        if (md_catcache_found(cc, slot)) {
            f->present++;
            f->cat[cc->val[slot]]++;
            f->violations += cc->flag[slot];
            return;
        }
    }
    char buf[40];
    size_t n;
    const char *t = md_field_text(v, buf, &n);
    f->present++;
    int64_t c = md_strmap_find(&bf->cats, t, n);
    const md_contract_rule *r = &bf->rule;
    bool outside = r->has_allowed && md_strmap_find(&r->allowed, t, n) < 0;
    f->violations += outside;
    if (c >= 0) {
        f->cat[c]++;
        if (cacheable)
            md_catcache_put(cc, slot, lo, hi, (int32_t)c, outside);
    } else {
        int64_t i = md_strmap_intern(&f->newcats, t, n);
        f->newcnt = md_xgrow_zero(f->newcnt, &f->newcap, (size_t)i + 1, sizeof *f->newcnt);
        f->newcnt[i]++;
    }
}

static void add_perf(md_window *w, const md_baseline *b, const md_rowvals *v)
{
    if (v->has_label) {
        size_t bin = md_baseline_score_bin(b, v->score);
        double e = v->score - v->label;
        w->labeled++;
        w->dn[bin]++;
        w->dy[bin] += v->label;
        md_ksum_add(&w->ds[bin], v->score);
        md_ksum_add(&w->brier, e * e);
        w->sorted = false;
        w->pairs = md_xgrow(w->pairs, &w->pcap, w->np + 1, sizeof *w->pairs);
        w->pairs[w->np++] = md_pair_key(v->score, v->label);
    }
    if (v->has_latency) {
        w->lat_over += w->over_state == MD_OVER_COUNTED && v->latency > (double)w->over_sla_ms;
        w->sorted = false;
        w->lat = md_xgrow(w->lat, &w->lcap, w->nl + 1, sizeof *w->lat);
        w->lat[w->nl++] = md_double_key(v->latency + 0.0);
    }
}

/* Keys a thread holds in memory before its windows' keys go to the spill file. */
static size_t key_budget(const worker *k)
{
    return k->c->keys_in_memory ? k->c->keys_in_memory : MD_KEYS_IN_MEMORY;
}

/* Writes every window's keys out as sorted runs, to stay within the memory budget. */
static md_status spill_all(worker *k)
{
    for (size_t i = 0; i < k->nw; i++) {
        md_window *w = &k->w[i];
        md_sort_u64(w->pairs, w->np);
        md_sort_u64(w->lat, w->nl);
        if ((w->np && md_spill_put(k->spill, k->owner, w->index, 0, w->pairs, w->np, &k->err)) ||
            (w->nl && md_spill_put(k->spill, k->owner, w->index, 1, w->lat, w->nl, &k->err)))
            return k->err.code;
        free(w->pairs); /* give the memory back: capacities would add up over many windows */
        free(w->lat);
        w->pairs = w->lat = NULL;
        w->np = w->nl = w->pcap = w->lcap = 0;
    }
    k->held = 0;
    return MD_OK;
}

static void add_missing(const md_baseline *b, md_window *w, size_t i)
{
    const md_contract_rule *r = &b->features[i].rule;
    w->f[i].missing++;
    w->f[i].violations += r->present && !r->nullable;
}

static void accumulate(worker *k, md_window *w, const md_field *fl, const md_rowvals *v)
{
    size_t wi = (size_t)(w - k->w);
    if (k->slot[k->cur].w != wi)
        use_slot(k, wi);
    k->held += v->has_label + v->has_latency;
    const md_baseline *b = k->c->b;
    w->rows++;
    add_perf(w, b, v);
    for (fslot *q = k->num, *end = q + k->nnum; q < end; q++) {
        const md_field *x = &fl[q->col];
        if (__builtin_expect(md_value_number(x, q->val + q->n), 1)) /* never a missing value */
            q->n++;
        else if (md_value_missing(x))
            add_missing(b, w, q->feature);
        else
            w->f[q->feature].type_errors++;
    }
    for (fslot *q = k->cat, *end = q + k->ncat; q < end; q++) {
        const md_field *x = &fl[q->col];
        if (md_value_missing(x))
            add_missing(b, w, q->feature);
        else
            add_categorical(&b->features[q->feature], &w->f[q->feature], x, &k->cc[q->feature]);
    }
    for (size_t j = 0; j < k->ngone; j++)
        add_missing(b, w, k->gone[j]);
    if (++k->slot[k->cur].rows == k->slot_rows)
        flush_slot(k);
}

static bool bad_row(worker *k, const char *col, const char *why)
{
    md_err_set(&k->err, MD_ERROR, "%s:%llu: column %s: %s", md_reader_path(k->r),
               (unsigned long long)md_reader_line(k->r), col, why);
    if (k->bad_rows == 0)
        snprintf(k->first_bad, sizeof k->first_bad, "%s", k->err.msg);
    return ++k->bad_rows <= k->max_bad;
}

/* Reads rows until the reader is done (its limit or the end) or a row fails. */
static void *run(void *arg)
{
    worker *k = arg;
    const md_field *fl;
    bool done = false;
    char why[256];
    const char *col;
    for (uint64_t n = 0;; n++) {
        atomic_store_explicit(&k->at, md_reader_offset(k->r), memory_order_relaxed);
        if (md_reader_next(k->r, &fl, &done, &k->err) != MD_OK) {
            k->rc = k->err.code;
            break;
        }
        if (done)
            break;
        sync_columns(k);
        md_rowvals v;
        if (!md_row_read(fl, &k->m, true, &v, &col, why, sizeof why)) {
            if (!bad_row(k, col, why)) {
                k->rc = MD_ERROR;
                break;
            }
            continue;
        }
        k->rows++;
        k->labeled += v.has_label;
        accumulate(k, window_for(k, md_window_index(v.ts_ms, k->c->window)), fl, &v);
        if (k->held + k->held_base > key_budget(k) && (k->rc = spill_all(k)) != MD_OK)
            break;
        if (k->progress && k->c->progress && (n & 0xFFFF) == 0)
            k->c->progress(k->c->progress_ctx, md_reader_offset(k->r) * k->progress_scale,
                           md_reader_size(k->r));
    }
    flush_all(k);
    atomic_store(&k->stopped, true);
    return NULL;
}

/* ---- workers ------------------------------------------------------------------------------------ */

/* batch: the buffer for numeric values, or NULL to make one */
static void worker_init(worker *k, const md_pass_config *c, md_reader *r, md_spill *sp,
                        double *batch)
{
    memset(k, 0, sizeof *k);
    atomic_init(&k->at, 0);
    atomic_init(&k->stopped, false);
    k->c = c;
    k->spill = sp;
    k->r = r;
    k->max_bad = c->ro->max_bad_rows;
    k->progress_scale = 1;
    size_t nf = c->b->nfeatures + 1;
    k->fcol = md_xmalloc(nf * sizeof *k->fcol);
    for (size_t i = 0; i < nf; i++)
        k->fcol[i] = -1;
    k->vslot = md_xmalloc(nf * sizeof *k->vslot);
    size_t numeric = 0;
    for (size_t i = 0; i < c->b->nfeatures; i++)
        k->vslot[i] = c->b->features[i].kind == MD_NUMERIC ? numeric++ : SIZE_MAX;
    k->numeric = numeric;
    size_t rows = numeric ? BATCH_BYTES / (numeric * sizeof *k->batch_val) : BATCH_ROWS;
    rows = rows > BATCH_ROWS ? BATCH_ROWS : rows;
    k->slot_rows = rows / BATCH_SLOTS < 64 ? 64 : rows / BATCH_SLOTS;
    k->slot_n = md_xcalloc(BATCH_SLOTS * (numeric + 1), sizeof *k->slot_n);
    for (size_t s = 0; s < BATCH_SLOTS; s++)
        k->slot[s] = (batch_slot){SIZE_MAX, 0, k->slot_n + s * (numeric + 1), 0};
    k->batch_val = batch ? batch
                         : md_xmalloc_prefaulted(BATCH_SLOTS * (numeric ? numeric : 1) *
                                                 k->slot_rows * sizeof *k->batch_val);
    k->num = md_xmalloc(nf * sizeof *k->num);
    k->cat = md_xmalloc(nf * sizeof *k->cat);
    k->gone = md_xmalloc(nf * sizeof *k->gone);
    k->cc = md_xcalloc(nf, sizeof *k->cc);
    md_colmap_refresh(r, &c->ro->cols, &k->m);
    sync_columns(k);
    plan(k);
}

static void worker_free(worker *k, bool keep_windows)
{
    if (!keep_windows) {
        for (size_t i = 0; i < k->nw; i++)
            md_window_free(&k->w[i]);
        free(k->w);
    }
    free(k->slots);
    free(k->fcol);
    free(k->batch_val);
    free(k->slot_n);
    free(k->vslot);
    free(k->num);
    free(k->cat);
    free(k->gone);
    free(k->cc);
}

static int threads_wanted(const md_pass_config *c)
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
        md_window_merge_fresh(&g->a->w[g->into[i]], &g->b->w[i], g->a->c->b);
    return NULL;
}

/* Moves the second worker's windows (folded) into the first: the first's windows are found
 * (or made) first, then merged window by window on both cores (a merge of sorted keys takes a
 * while for a large window). */
static void merge_into(worker *a, worker *b)
{
    merging g = {a, b, md_xmalloc((b->nw + 1) * sizeof *g.into), 0};
    for (size_t i = 0; i < b->nw; i++) {
        md_window *w = window_for(a, b->w[i].index); /* may move a->w: places, not pointers */
        md_window_fold(w, a->c->b);
        g.into[i] = (size_t)(w - a->w);
    }
    atomic_init(&g.next, 0);
    pthread_t t;
    bool helper = b->nw > 1 && threads_wanted(a->c) > 1 &&
                  pthread_create(&t, NULL, merge_some, &g) == 0;
    merge_some(&g);
    if (helper)
        pthread_join(t, NULL);
    free(g.into);
    a->rows += b->rows;
    a->labeled += b->labeled;
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
            worker_init(&t->w, taker->c, rt, taker->spill, taker->batch_val);
            taker->batch_val = NULL;
            t->lender = taker;
            t->w.owner = owner;
            t->w.max_bad = 0;
            t->used = true;
            /* one thread, one budget for keys; the taken ranges get half of it at least */
            size_t budget = key_budget(taker);
            t->w.held_base = taker->held < budget / 2 ? taker->held : budget / 2;
        }
        t->w.r = rt;
        t->cut[t->n] = cut;
        run(&t->w);
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
    worker_free(&t->w, false);
}

static void *second_half(void *arg)
{
    halves *h = arg;
    run(h->b);
    if (h->b->rc == MD_OK && md_reader_offset(h->b->r) == md_reader_size(h->b->r))
        take_over(h, h->b, h->a, h->split, &h->tb, 3);
    fold_all(h->b);
    if (h->tb.used)
        fold_all(&h->tb.w);
    return NULL;
}

/* The second half on its own thread (worker b over reader r2), checked and merged; false when
 * the first worker has to finish the file alone. */
static bool try_parallel(worker *a, worker *b, md_reader *r, size_t split, size_t take_min,
                         size_t *taken_n)
{
    b->max_bad = 0; /* any trouble: redo it on the first thread, with the right line numbers */
    halves h = {.a = a, .b = b, .r = r, .split = split, .take_min = take_min ? take_min : TAKE_MIN};
    md_reader_set_limit(r, split);
    pthread_t t;
    bool started = pthread_create(&t, NULL, second_half, &h) == 0;
    a->progress_scale = started ? 2 : 1;
    run(a);
    if (started && a->rc == MD_OK && md_reader_offset(r) == split)
        take_over(&h, a, b, md_reader_size(r), &h.ta, 2);
    fold_all(a); /* beside b; should a have to go on, its counting starts over and adds up */
    if (h.ta.used)
        fold_all(&h.ta.w);
    if (started)
        pthread_join(t, NULL);
    md_reader_set_limit(r, 0);
    a->progress_scale = 1;
    bool ok = started && a->rc == MD_OK && b->rc == MD_OK && take_ok(a, split, &h.tb) &&
              take_ok(b, md_reader_size(r), &h.ta);
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

/* Features never seen (by either reader) and columns the baseline does not know. */
static void note_columns(const worker *a, const worker *b, md_pass_result *out)
{
    const md_baseline *bl = a->c->b;
    for (size_t i = 0; i < bl->nfeatures; i++) {
        if (a->fcol[i] >= 0 || (b && b->fcol[i] >= 0))
            continue;
        out->absent = md_xrealloc(out->absent, (out->nabsent + 1) * sizeof *out->absent);
        out->absent[out->nabsent++] = md_xstrdup(bl->features[i].name);
        for (size_t k = 0; k < out->nw; k++)
            out->w[k].f[i].absent = true;
    }
    const worker *ws[] = {a, b};
    for (int w = 0; w < 2 && ws[w]; w++) {
        for (size_t c = 0; c < md_reader_ncols(ws[w]->r); c++) {
            const char *name = md_reader_col(ws[w]->r, c);
            bool known = md_colmap_special(&ws[w]->m, (int64_t)c);
            for (size_t i = 0; !known && i < bl->nfeatures; i++)
                known = strcmp(bl->features[i].name, name) == 0;
            for (size_t i = 0; !known && i < out->nnew; i++)
                known = strcmp(out->new_columns[i], name) == 0;
            if (known)
                continue;
            out->new_columns =
                md_xrealloc(out->new_columns, (out->nnew + 1) * sizeof *out->new_columns);
            out->new_columns[out->nnew++] = md_xstrdup(name);
        }
    }
}

static int cmp_window(const void *x, const void *y)
{
    int64_t p = ((const md_window *)x)->index, q = ((const md_window *)y)->index;
    return p < q ? -1 : p > q;
}

static md_status finish(worker *a, worker *b, md_pass_result *out, md_err *err)
{
    if (a->rc != MD_OK) {
        *err = a->err;
        return a->rc;
    }
    if (a->rows == 0)
        return md_err_set(err, MD_ERROR, "%s: no rows to ingest", md_reader_path(a->r));
    out->w = a->w;
    out->nw = a->nw;
    a->w = NULL;
    a->nw = 0;
    qsort(out->w, out->nw, sizeof *out->w, cmp_window);
    out->rows = a->rows;
    out->labeled = a->labeled;
    out->bad_rows = a->bad_rows;
    snprintf(out->first_bad, sizeof out->first_bad, "%s", a->first_bad);
    out->bytes = md_reader_size(a->r);
    note_columns(a, b, out);
    return MD_OK;
}

md_status md_pass_run(const char *path, const md_pass_config *c, md_pass_result *out,
                      md_err *err)
{
    memset(out, 0, sizeof *out);
    md_reader *r, *r2 = NULL;
    md_colmap m;
    if (md_reader_open(path, c->ro->format, &r, err) != MD_OK)
        return err->code;
    if (md_colmap_resolve(r, &c->ro->cols, true, &m, err) != MD_OK) {
        md_reader_close(r);
        return err->code;
    }
    worker a, b;
    out->spill = md_spill_new();
    worker_init(&a, c, r, out->spill, NULL);
    a.progress = true;
    size_t split = threads_wanted(c) < 2 ? 0
                   : c->split_at         ? md_reader_boundary(r, c->split_at)
                                         : md_reader_split_point(r, c->split_min);
    md_err ignored;
    bool two = split && md_reader_open_range(r, split, md_reader_size(r), &r2, &ignored) == MD_OK;
    if (two) {
        worker_init(&b, c, r2, out->spill, NULL);
        b.owner = 1;
    }
    out->parallel = two && try_parallel(&a, &b, r, split, c->take_min, &out->taken);
    if (!out->parallel && a.rc == MD_OK)
        run(&a); /* the whole file, or the rest after a split that did not hold */
    fold_all(&a);
    md_status rc = finish(&a, out->parallel ? &b : NULL, out, err);
    if (two)
        worker_free(&b, false);
    worker_free(&a, false);
    md_reader_close(r2);
    md_reader_close(r);
    if (rc != MD_OK)
        md_pass_result_free(out);
    return rc;
}

void md_pass_result_free(md_pass_result *r)
{
    for (size_t i = 0; i < r->nw; i++)
        md_window_free(&r->w[i]);
    free(r->w);
    for (size_t i = 0; i < r->nabsent; i++)
        free(r->absent[i]);
    for (size_t i = 0; i < r->nnew; i++)
        free(r->new_columns[i]);
    free(r->absent);
    free(r->new_columns);
    md_spill_free(r->spill);
    memset(r, 0, sizeof *r);
}
