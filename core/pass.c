#include "pass.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "numparse.h"
#include "pass_int.h"
#include "sort.h"

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

md_window *md_pass_window_for(worker *k, int64_t index)
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

bool md_pass_window_adopt(worker *k, md_window *w)
{
    if ((k->nw + 1) * 2 > k->nslots)
        rehash(k);
    size_t slot = slot_of(k, w->index);
    if (k->slots[slot] >= 0)
        return false;
    k->w = md_xgrow(k->w, &k->wcap, k->nw + 1, sizeof *k->w);
    k->w[k->nw] = *w;
    k->slots[slot] = (int64_t)k->nw++;
    memset(w, 0, sizeof *w);
    return true;
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
        fslot q = {(size_t)k->fcol[i], i, 0, NULL, 0, NULL, 0, 0};
        const md_bfeature *bf = &b->features[i];
        if (bf->kind == MD_NUMERIC) {
            q.v = k->vslot[i];
            q.val = slot_values(k, k->cur, q.v);
            const md_contract_rule *r = &bf->rule;
            if (bf->ks_k && bf->splits.ints && !(r->present && (r->has_min || r->has_max))) {
                q.ints = bf->splits.ints;
                q.ilo = (int64_t)bf->splits.ilo; /* a whole number */
                q.nints = bf->splits.nints;
            }
            k->num[k->nnum++] = q;
        } else {
            k->cat[k->ncat++] = q;
        }
    }
}

static void flush_all(worker *k);

/* A role's column stays the one its first rows were read from. It can only change in JSON Lines,
 * when a key by the baseline's name for the role appears after records whose value came from
 * the key of the default name (a log keeping the usual names): the file holds both, and which
 * one is meant cannot be told. False, with the error, when that happens. */
static bool roles_kept(worker *k, const md_colmap *was)
{
    const int64_t before[] = {was->ts, was->score, was->label},
                  now[] = {k->m.ts, k->m.score, k->m.label};
    const char *const old_name[] = {was->names.ts, was->names.score, was->names.label},
                      *new_name[] = {k->m.names.ts, k->m.names.score, k->m.names.label};
    static const char *const role[] = {"timestamp", "score", "label"},
                             *flag[] = {"--ts-col", "--score-col", "--label-col"};
    for (size_t i = 0; i < 3; i++)
        if (before[i] >= 0 && now[i] != before[i]) {
            md_err_set(&k->err, MD_ERROR,
                       "%s:%llu: key '%s', the baseline's name for the %s, first appears here, "
                       "and the records before took the %s from key '%s': the file has both; "
                       "name the one to read with %s",
                       md_reader_path(k->r), (unsigned long long)md_reader_line(k->r), new_name[i],
                       role[i], role[i], old_name[i], flag[i]);
            return false;
        }
    return true;
}

static bool sync_columns_now(worker *k, size_t n)
{
    k->ncols = n;
    md_colmap was = k->m;
    md_colmap_refresh(k->r, &k->c->ro->cols, &k->m);
    if (!roles_kept(k, &was))
        return false;
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
    return true;
}

/* New columns (JSON Lines keys that appear late) mapped; checked once a row. False when a
 * role's column would change (roles_kept). */
static inline bool sync_columns(worker *k)
{
    size_t n = md_reader_ncols(k->r);
    return n == k->ncols || sync_columns_now(k, n);
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
        if (bf->ks_k)
            md_window_count(f, bf, val, n);
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

/* Readies the worker's windows for merging: keys sorted. (Counters are folded window by window
 * where they are needed: md_window_merge_fresh, and whoever computes a window.) */
void md_pass_fold_all(worker *k)
{
    for (size_t i = 0; i < k->nw; i++)
        md_window_sort_keys(&k->w[i]);
}

/* One categorical value the cache did not have (core/catcache.h; p: its look there): the
 * baseline's category map finds it, and a baseline category is then remembered in the cache
 * when its text is short. */
static void add_categorical(const md_bfeature *bf, md_wfeat *f, const md_field *v, md_catcache *cc,
                            const md_catcache_probe *p)
{
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
        if (p->cacheable)
            md_catcache_put(cc, p->slot, p->lo, p->hi, (int32_t)c, outside);
    } else {
        md_newcats_add(f, bf, t, n, 1);
    }
}

/* Room for one more key. An array past KEYS_SMALL keys grows at once to a mebibyte: a block
 * the size of the command's mmap threshold (cli/main.c), which grows on by remapping instead of
 * copying, and whose pages are touched only as keys come; a window's keys that grew by doubling
 * on the heap were copied, and their pages touched, about twice over. (Under another threshold
 * the block may come from the heap: the same keys, copied as before. Each such block takes a
 * mebibyte of address space, not of memory: the budget spills keys long before that adds up.) */
#define KEYS_SMALL  4096
#define KEYS_MAPPED ((size_t)1 << 20) /* bytes */
static inline void *key_room(void *keys, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return keys;
    if (*cap >= KEYS_SMALL && *cap < KEYS_MAPPED / size) {
        *cap = KEYS_MAPPED / size;
        return md_xrealloc(keys, KEYS_MAPPED);
    }
    return md_xgrow(keys, cap, n + 1, size);
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
        uint64_t m = 0;
        if (w->millionths && !md_score_millionths(v->score, &m))
            md_window_pairs_as_doubles(w); /* a score off the grid */
        if (w->millionths) {
            w->mpairs = key_room(w->mpairs, &w->pcap, w->np, sizeof *w->mpairs);
            w->mpairs[w->np++] = (uint32_t)(m << 1) | (v->label != 0);
        } else {
            w->pairs = key_room(w->pairs, &w->pcap, w->np, sizeof *w->pairs);
            w->pairs[w->np++] = md_pair_key(v->score, v->label);
        }
    }
    if (v->has_latency) {
        w->lat_over += w->over_state == MD_OVER_COUNTED && v->latency > (double)w->over_sla_ms;
        w->sorted = false;
        w->lat = key_room(w->lat, &w->lcap, w->nl, sizeof *w->lat);
        w->lat[w->nl++] = md_double_key(v->latency + 0.0);
    }
}

/* Keys a thread holds in memory before its windows' keys go to the spill file. */
static size_t md_pass_key_budget(const worker *k)
{
    return k->c->keys_in_memory ? k->c->keys_in_memory : MD_KEYS_IN_MEMORY;
}

/* Writes every window's keys out as sorted runs, to stay within the memory budget. */
static md_status spill_all(worker *k)
{
    for (size_t i = 0; i < k->nw; i++) {
        md_window *w = &k->w[i];
        md_window_pairs_as_doubles(w); /* the spill file's runs: double keys */
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
        uint64_t whole;
        /* plain digits, for a feature with a whole-number table: the counter at once, what the
         * same value read as a double and looked up counts */
        if (q->ints && x->kind == MD_F_TEXT && x->padded && md_parse_digits8(x->p, x->n, &whole)) {
            md_wfeat *f = &w->f[q->feature];
            f->present++;
            md_window_count_counter(
                f, &b->features[q->feature],
                md_splits_whole_counter(q->ints, q->ilo, q->nints, (int64_t)whole));
            continue;
        }
        if (__builtin_expect(md_value_number(x, q->val + q->n), 1)) /* never a missing value */
            q->n++;
        else if (md_value_missing(x))
            add_missing(b, w, q->feature);
        else
            w->f[q->feature].type_errors++;
    }
    for (fslot *q = k->cat, *end = q + k->ncat; q < end; q++) {
        const md_field *x = &fl[q->col];
        md_wfeat *f = &w->f[q->feature];
        md_catcache *cc = &k->cc[q->feature];
        md_catcache_probe p;
        /* a short text met before takes the cache, before any other test: no missing value is
         * ever put in it */
        if (__builtin_expect(md_catcache_look(cc, x, &p), 1)) {
            f->present++;
            f->cat[cc->val[p.slot]]++;
            f->violations += cc->flag[p.slot];
            continue;
        }
        if (md_value_missing(x))
            add_missing(b, w, q->feature);
        else
            add_categorical(&b->features[q->feature], f, x, cc, &p);
    }
    for (size_t j = 0; j < k->ngone; j++)
        add_missing(b, w, k->gone[j]);
    if (++k->slot[k->cur].rows == k->slot_rows)
        flush_slot(k);
}

/* A bad row, its error in k->err: counted, and true while --max-bad-rows allows it. */
static bool bad_row(worker *k)
{
    if (k->bad_rows == 0)
        snprintf(k->first_bad, sizeof k->first_bad, "%s", k->err.msg);
    if (++k->bad_rows <= k->max_bad)
        return true;
    md_over_bad_rows(&k->err, k->bad_rows, k->max_bad);
    return false;
}

static bool bad_value(worker *k, const char *col, const char *why)
{
    md_err_set(&k->err, MD_ERROR, "%s:%llu: column %s: %s", md_reader_path(k->r),
               (unsigned long long)md_reader_line(k->r), col, why);
    return bad_row(k);
}

/* The row into the worker's row sample (md_rowsample.h): a scoring event by its timestamp and
 * entity id; in a log without an id column, by its timestamp and score as read and every other
 * field but the label, each by its column's name (those hashed only for the rows the timestamp
 * and score pick). So the same rows in another timestamp notation, with the score spelled
 * otherwise, their columns in another order or as JSON Lines are the same rows. The id takes
 * part in the pick: a batch scored at one time (a date-only timestamp) is sampled row by row. */
static void sample_row(worker *k, const md_field *fl, const md_rowvals *v)
{
    char b[40];
    size_t n;
    if (k->m.id >= 0) { /* picked and named by timestamp and id */
        const md_field *f = &fl[k->m.id];
        uint64_t id;
        if (f->padded && f->p) {
            id = md_rowsample_by_padded_id(v->ts_ms, f->p, f->n);
        } else {
            const char *who = md_field_text(f, b, &n);
            id = md_rowsample_by_id(v->ts_ms, who, n);
        }
        if (md_rowsample_picks(k->sample.shift, id))
            md_rowsample_add(&k->sample, id, MD_ROWSAMPLE_MEMORY);
        return;
    }
    uint64_t score;
    memcpy(&score, &v->score, sizeof score);
    uint64_t id = md_rowsample_id(v->ts_ms, score);
    if (!md_rowsample_picks(k->sample.shift, id))
        return;
    uint64_t h = 0;
    for (size_t c = 0; c < k->ncols; c++) {
        int64_t i = (int64_t)c;
        if (i == k->m.label || i == k->m.ts || i == k->m.score) /* the label may come later */
            continue;
        const char *t = md_field_text(&fl[c], b, &n), *name = md_reader_col(k->r, c);
        if (n) /* empty and absent fields are no part of it; in any order, by name (and the
                * name's NUL byte, so that no name and value run into each other) */
            h += md_rowsample_step(md_rowsample_step(MD_ROWSAMPLE_SEED, name, strlen(name) + 1), t,
                                   n);
    }
    md_rowsample_add(&k->sample, md_rowsample_with(id, h), MD_ROWSAMPLE_MEMORY);
}

/* Reads rows until the reader is done (the end of its file or piece) or a row fails. */
void md_pass_run_worker(worker *k)
{
    const md_field *fl;
    bool done = false;
    char why[256];
    const char *col;
    for (uint64_t n = 0;; n++) {
        if (md_reader_next(k->r, &fl, &done, &k->err) != MD_OK) {
            if (md_reader_skippable(k->r) && bad_row(k))
                continue;
            k->rc = k->err.code;
            break;
        }
        if (done)
            break;
        if (!sync_columns(k)) {
            k->rc = k->err.code;
            break;
        }
        md_rowvals v;
        if (!md_row_read(fl, &k->m, true, &v, &col, why, sizeof why)) {
            if (!bad_value(k, col, why)) {
                k->rc = MD_ERROR;
                break;
            }
            continue;
        }
        k->rows++;
        k->labeled += v.has_label;
        sample_row(k, fl, &v);
        accumulate(k, md_pass_window_for(k, md_window_index(v.ts_ms, k->c->window)), fl, &v);
        if (k->held > md_pass_key_budget(k) && (k->rc = spill_all(k)) != MD_OK)
            break;
        if (k->progress && k->c->progress && (n & 0xFFFF) == 0)
            k->c->progress(k->c->progress_ctx, md_reader_offset(k->r), md_reader_size(k->r));
    }
    flush_all(k);
}

/* ---- workers ------------------------------------------------------------------------------------ */

void md_pass_worker_init(worker *k, const md_pass_config *c, md_reader *r, md_spill *sp)
{
    memset(k, 0, sizeof *k);
    k->c = c;
    k->spill = sp;
    k->r = r;
    k->max_bad = c->ro->max_bad_rows;
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
    k->batch_val = md_xmalloc_prefaulted(BATCH_SLOTS * (numeric ? numeric : 1) * k->slot_rows *
                                         sizeof *k->batch_val);
    k->num = md_xmalloc(nf * sizeof *k->num);
    k->cat = md_xmalloc(nf * sizeof *k->cat);
    k->gone = md_xmalloc(nf * sizeof *k->gone);
    k->cc = md_xcalloc(nf, sizeof *k->cc);
    k->sample.shift = md_rowsample_first_shift(md_reader_size(r), MD_ROWSAMPLE_MEMORY);
    md_colmap_refresh(r, &c->ro->cols, &k->m);
    (void)sync_columns(k); /* nothing read yet: no role can change */
    plan(k);
}

void md_pass_worker_free(worker *k)
{
    for (size_t i = 0; i < k->nw; i++)
        md_window_free(&k->w[i]);
    free(k->w);
    free(k->slots);
    free(k->fcol);
    free(k->batch_val);
    free(k->slot_n);
    free(k->vslot);
    free(k->num);
    free(k->cat);
    free(k->gone);
    free(k->cc);
    md_rowsample_free(&k->sample);
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
    /* the columns no feature and no role reads, each named once (a map, not a scan: a file
     * may have thousands of columns) */
    md_strmap seen;
    md_strmap_init(&seen);
    const worker *ws[] = {a, b};
    for (int w = 0; w < 2 && ws[w]; w++) {
        size_t ncols = md_reader_ncols(ws[w]->r);
        bool *feature = md_xcalloc(ncols + 1, sizeof *feature);
        for (size_t i = 0; i < bl->nfeatures; i++)
            if (ws[w]->fcol[i] >= 0 && (size_t)ws[w]->fcol[i] < ncols)
                feature[ws[w]->fcol[i]] = true;
        for (size_t c = 0; c < ncols; c++) {
            const char *name = md_reader_col(ws[w]->r, c);
            size_t before = md_strmap_size(&seen);
            if (feature[c] || md_colmap_special(&ws[w]->m, (int64_t)c) ||
                (size_t)md_strmap_intern(&seen, name, strlen(name)) < before)
                continue;
            out->new_columns =
                md_xrealloc(out->new_columns, (out->nnew + 1) * sizeof *out->new_columns);
            out->new_columns[out->nnew++] = md_xstrdup(name);
        }
        free(feature);
    }
    md_strmap_free(&seen);
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
    if (a->rows == 0 && a->bad_rows)
        return md_err_set(err, MD_ERROR, "%s: no rows to ingest: all %lld were bad; the first: %s",
                          md_reader_path(a->r), (long long)a->bad_rows, a->first_bad);
    if (a->rows == 0)
        return md_err_set(err, MD_ERROR, "%s: no rows to ingest", md_reader_path(a->r));
    if (md_bad_share_check(a->c->ro, md_reader_path(a->r), a->rows, a->bad_rows, a->first_bad,
                           err) != MD_OK)
        return err->code;
    out->w = a->w;
    out->nw = a->nw;
    a->w = NULL;
    a->nw = 0;
    qsort(out->w, out->nw, sizeof *out->w, cmp_window);
    out->rows = a->rows;
    out->labeled = a->labeled;
    out->sample = a->sample;
    memset(&a->sample, 0, sizeof a->sample);
    md_rowsample_finish(&out->sample, MD_ROWSAMPLE_MEMORY);
    out->bad_rows = a->bad_rows;
    snprintf(out->first_bad, sizeof out->first_bad, "%s", a->first_bad);
    out->bytes = md_reader_size(a->r);
    out->label_column = a->m.label >= 0 || (b && b->m.label >= 0);
    out->id_column = a->m.id >= 0;
    note_columns(a, b, out);
    return MD_OK;
}

md_status md_pass_run(const char *path, const md_pass_config *c, md_pass_result *out,
                      md_err *err)
{
    memset(out, 0, sizeof *out);
    md_reader *r, *r2 = NULL;
    md_colmap m;
    bool two = false;
    if (md_reader_open(path, c->ro->format, &r, err) != MD_OK)
        return err->code;
    if (md_colmap_resolve(r, &c->ro->cols, true, &m, err) != MD_OK) {
        md_reader_close(r);
        return err->code;
    }
    worker a, b;
    out->spill = md_spill_new();
    size_t from = md_reader_data_start(r), size = md_reader_size(r);
    bool pieces = c->feed && md_pass_threads(c) >= 2 &&
                  size - from >= (c->split_min ? c->split_min : MD_TWO_THREADS_MIN);
    md_reader *ra = pieces ? md_reader_open_pieces(r) : NULL;
    md_pass_worker_init(&a, c, pieces ? ra : r, out->spill);
    a.progress = true;
    if (pieces) {
        r2 = md_reader_open_pieces(r);
        two = true;
        out->parallel = md_pass_try_pieces(&a, &b, r2, out->spill, c->feed, from, size);
        if (!out->parallel) { /* in order on this thread, from the start */
            md_spill_drop(out->spill, 0);
            md_spill_drop(out->spill, 1);
            md_pass_worker_free(&a);
            md_pass_worker_init(&a, c, r, out->spill);
            a.progress = true;
        }
    } else if (c->feed) { /* one thread: the hash goes on beside it, reading for itself */
        md_file_hash_unfeed(c->feed);
    }
    if (!out->parallel)
        md_pass_run_worker(&a); /* the whole file, on one thread */
    md_pass_fold_all(&a);
    md_status rc = finish(&a, out->parallel ? &b : NULL, out, err);
    if (two)
        md_pass_worker_free(&b);
    md_pass_worker_free(&a);
    md_reader_close(r2);
    md_reader_close(ra);
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
    md_rowsample_free(&r->sample);
    memset(r, 0, sizeof *r);
}
