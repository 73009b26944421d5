#include "window.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mem.h"
#include "perf.h"
#include "sort.h"
#include "window_int.h"

/* 5: KS counters and histograms coded as tokens (md_put_counts32_halves, md_put_counts64_tokens,
 * about 40% smaller); 4: new categories past the bound (core/newcats.c); 3: exact values coded by
 * md_put_ascending_f64, then their counts; 2: each value's 8 bytes beside its counts, and the
 * over-SLA count at the end; 1 had no over-SLA count */
#define PART_FORMAT  5
#define KEYS_AT_ONCE 4096 /* keys read from a window's stream per call */

static void init(md_window *w, const md_baseline *b, int64_t index, bool counting)
{
    memset(w, 0, sizeof *w);
    w->index = index;
    w->sorted = true; /* no keys yet */
    w->ndec = md_baseline_score_bins(b);
    w->dn = md_xcalloc(w->ndec, sizeof *w->dn);
    w->dy = md_xcalloc(w->ndec, sizeof *w->dy);
    w->ds = md_xcalloc(w->ndec, sizeof *w->ds);
    w->nf = b->nfeatures;
    w->f = md_xcalloc(w->nf + 1, sizeof *w->f);
    for (size_t i = 0; i < w->nf; i++) {
        const md_bfeature *bf = &b->features[i];
        md_wfeat *f = &w->f[i];
        md_strmap_init(&f->newcats);
        f->newcut = UINT64_MAX;
        if (bf->kind == MD_NUMERIC && counting && bf->ks_k) {
            continue; /* listed, then counted (md_window_count), folded at the end */
        } else if (bf->kind == MD_NUMERIC) {
            f->bins = md_xcalloc(bf->nbins + 1, sizeof *f->bins);
            f->ks = md_xcalloc(2 * bf->ks_k + 1, sizeof *f->ks);
        } else {
            f->cat = md_xcalloc(md_strmap_size(&bf->cats) + 1, sizeof *f->cat);
        }
    }
}

void md_window_init(md_window *w, const md_baseline *b, int64_t index)
{
    init(w, b, index, false);
}

void md_window_init_counting(md_window *w, const md_baseline *b, int64_t index, bool has_sla,
                             int64_t sla_ms)
{
    init(w, b, index, true);
    w->millionths = true;
    w->over_state = has_sla ? MD_OVER_COUNTED : MD_OVER_NO_SLA;
    w->over_sla_ms = has_sla ? sla_ms : 0;
}

void md_window_over_join(md_window *w, md_over_state state, int64_t sla_ms, int64_t over)
{
    w->lat_over += over;
    if (state == MD_OVER_NONE || w->over_state == MD_OVER_UNKNOWN)
        return;
    if (w->over_state == MD_OVER_NONE) {
        w->over_state = state;
        w->over_sla_ms = sla_ms;
    } else if (state != w->over_state || (state == MD_OVER_COUNTED && sla_ms != w->over_sla_ms)) {
        w->over_state = MD_OVER_UNKNOWN;
    }
}

static void vsum_free(md_vsum *s)
{
    free(s->v);
    free(s->a);
    free(s->b);
    memset(s, 0, sizeof *s);
}

void md_window_free(md_window *w)
{
    for (size_t i = 0; i < w->nf; i++) {
        md_wfeat *f = &w->f[i];
        free(f->bins);
        free(f->ks);
        md_counters_free(&f->counters);
        free(f->list);
        free(f->cat);
        md_strmap_free(&f->newcats);
        free(f->newcnt);
    }
    free(w->f);
    free(w->dn);
    free(w->dy);
    free(w->ds);
    free(w->pairs);
    free(w->mpairs);
    free(w->lat);
    vsum_free(&w->sscore);
    vsum_free(&w->slat);
    memset(w, 0, sizeof *w);
}

/* ---- value summaries ------------------------------------------------------------------------- */

static size_t score_hist_bin(double s)
{
    size_t b = (size_t)(s * MD_SCORE_HIST_BINS);
    return b >= MD_SCORE_HIST_BINS ? MD_SCORE_HIST_BINS - 1 : b;
}

static size_t lat_hist_bin(double v)
{
    if (!(v > 0))
        return 0;
    double b = floor(log(v / 1e-3) / log(1.01)) + 1;
    return b < 1 ? 1 : (b >= MD_LAT_HIST_BINS ? MD_LAT_HIST_BINS - 1 : (size_t)b);
}

static double lat_hist_value(size_t i)
{
    return i == 0 ? 0 : 1e-3 * pow(1.01, (double)i - 0.5);
}

static void vsum_grow(md_vsum *s)
{
    size_t cap = s->cap;
    s->v = md_xgrow(s->v, &cap, s->k + 1, sizeof *s->v);
    cap = s->cap;
    s->a = md_xgrow(s->a, &cap, s->k + 1, sizeof *s->a);
    s->b = md_xgrow(s->b, &s->cap, s->k + 1, sizeof *s->b);
}

static inline void vsum_push(md_vsum *s, double v, int64_t a, int64_t b)
{
    if (s->k == s->cap) /* summaries built from keys are sized once (vsum_from_keys) */
        vsum_grow(s);
    s->v[s->k] = v, s->a[s->k] = a, s->b[s->k] = b;
    s->k++;
}

/* Folds an exact summary into a histogram (scores uniform on [0, 1]; latency log-spaced). */
static void vsum_to_hist(md_vsum *s, bool latency)
{
    if (s->hist)
        return;
    size_t nb = latency ? MD_LAT_HIST_BINS : MD_SCORE_HIST_BINS;
    int64_t *a = md_xcalloc(nb, sizeof *a), *b = md_xcalloc(nb, sizeof *b);
    for (size_t i = 0; i < s->k; i++) {
        size_t bin = latency ? lat_hist_bin(s->v[i]) : score_hist_bin(s->v[i]);
        a[bin] += s->a[i];
        b[bin] += s->b[i];
    }
    vsum_free(s);
    s->hist = true;
    s->a = a, s->b = b, s->k = nb, s->cap = nb;
}

/* Keys of one stream in ascending order: the spill file's runs and an array of 64-bit keys
 * (md_keys), or one or two sorted arrays of millionths keys, merged as they are read (a pass's
 * two threads' keys of one window, which are then never written out merged). Two arrays each
 * end in a sentinel above every key (with_sentinel). */
typedef struct {
    md_keys *it;
    const uint32_t *a, *b;
    size_t na, nb, ia, ib;
} keysrc;

/* The window's millionths keys followed by a sentinel (UINT32_MAX: keys have 21 bits). */
static void with_sentinel(md_window *w)
{
    if (w->pcap <= w->np) {
        w->mpairs = md_xrealloc(w->mpairs, (w->np + 1) * sizeof *w->mpairs);
        w->pcap = w->np + 1;
    }
    w->mpairs[w->np] = UINT32_MAX;
}

static size_t keys_total(const keysrc *k)
{
    return k->it ? md_keys_total(k->it) : k->na + k->nb;
}

/* Up to max next keys into out (as 64-bit keys); how many (0 at the end). Which array gives
 * the next millionths key is a coin toss in real data: a mask, not a branch. */
static size_t keys_take(keysrc *k, uint64_t *out, size_t max)
{
    if (k->it)
        return md_keys_take(k->it, out, max);
    size_t i = k->ia, j = k->ib, left = k->na - i + k->nb - j, n = left < max ? left : max;
    if (!k->b)
        for (size_t o = 0; o < n; o++)
            out[o] = k->a[i++];
    else /* an array's sentinel makes the other give the rest */
        for (size_t o = 0; o < n; o++) {
            uint64_t x = k->a[i], y = k->b[j], from_b = y < x, mask = -from_b;
            out[o] = x ^ ((x ^ y) & mask); /* y where from_b, else x: no branch */
            j += from_b;
            i += from_b ^ 1;
        }
    k->ia = i, k->ib = j;
    return n;
}

/* The window's keys of one stream (0: pairs, 1: latencies) in ascending order: the runs it
 * spilled and the array it still holds (sorted here). */
static keysrc open_keys(md_window *w, int stream)
{
    keysrc k = {0};
    if (stream == 0 && w->millionths) { /* never spilled (the spill file's keys are doubles) */
        if (!w->sorted)
            md_sort_u32(w->mpairs, w->np);
        k.a = w->mpairs, k.na = w->np;
        return k;
    }
    uint64_t *mem = stream ? w->lat : w->pairs;
    size_t n = stream ? w->nl : w->np;
    if (!w->sorted)
        md_sort_u64(mem, n);
    k.it = md_keys_open(w->spill, w->index, stream, mem, n);
    return k;
}

static void close_keys(keysrc *k)
{
    md_keys_close(k->it);
}

/* Adds one distinct value (ascending) to a summary, folding it into a histogram once there
 * are too many. */
static void vsum_add(md_vsum *s, double v, int64_t a, int64_t b, bool latency)
{
    if (!s->hist) {
        vsum_push(s, v, a, b);
        if (s->k > MD_EXACT_DISTINCT_MAX)
            vsum_to_hist(s, latency);
        return;
    }
    size_t bin = latency ? lat_hist_bin(v) : score_hist_bin(v);
    s->a[bin] += a;
    s->b[bin] += b;
}

/* Distinct values among n ascending keys (a pair key's score once, whatever its label). */
static size_t distinct_keys(const uint64_t *k, size_t n, bool latency)
{
    unsigned shift = latency ? 0 : 1;
    size_t d = n > 0;
    for (size_t i = 1; i < n; i++)
        d += k[i] >> shift != k[i - 1] >> shift;
    return d;
}

/* Distinct scores among n ascending millionths keys. */
static size_t distinct_millionths(const uint32_t *k, size_t n)
{
    size_t d = n > 0;
    for (size_t i = 1; i < n; i++)
        d += k[i] >> 1 != k[i - 1] >> 1;
    return d;
}

/* Mann-Whitney's U (twice over) over ascending pair keys, one key at a time: gp, gn are the
 * positives and negatives of the current score. A new score closes that group; whether a key
 * starts one is as good as random, so it is a mask, not a branch (the first key closes an empty
 * group, which adds nothing). */
typedef struct {
    uint64_t twice_u, neg_below, pos, gp, gn, id;
} auc_acc;

static inline void auc_step(auc_acc *u, uint64_t key)
{
    uint64_t same = -(uint64_t)(key >> 1 == u->id), close = ~same;
    u->twice_u += (2 * u->neg_below * u->gp + u->gp * u->gn) & close;
    u->neg_below += u->gn & close, u->pos += u->gp & close;
    u->gp = (u->gp & same) + (key & 1);
    u->gn = (u->gn & same) + (~key & 1);
    u->id = key >> 1;
}

static double auc_end(auc_acc *u, bool *ok)
{
    u->twice_u += 2 * u->neg_below * u->gp + u->gp * u->gn;
    u->neg_below += u->gn, u->pos += u->gp;
    *ok = u->pos > 0 && u->neg_below > 0;
    return *ok ? (double)u->twice_u / (2.0 * (double)u->pos * (double)u->neg_below) : 0;
}

/* The score of a pair key's upper bits (the key shifted right by one). */
static inline double pair_score(uint64_t id, bool millionths)
{
    return millionths ? md_millionths_score(id) : md_pair_score(id << 1);
}

/* The smallest pair-key id (a key shifted right by one) whose score's histogram bin is past
 * `bin`: ids ascend with the scores, so ascending keys change bin there only. A double's bin is
 * floor(score * bins), exact, which ends at (bin + 1) / bins; a millionth's is found from its
 * estimate by the bin function itself (monotone in the millionths). */
static uint64_t bin_end(size_t bin, bool millionths)
{
    if (bin + 1 >= MD_SCORE_HIST_BINS)
        return UINT64_MAX;
    if (!millionths)
        return md_pair_key((double)(bin + 1) / MD_SCORE_HIST_BINS, 0) >> 1;
    uint64_t m = (uint64_t)((double)(bin + 1) * 1e6 / MD_SCORE_HIST_BINS);
    while (m > 0 && score_hist_bin(md_millionths_score(m - 1)) > bin)
        m--;
    while (score_hist_bin(md_millionths_score(m)) <= bin)
        m++;
    return m;
}

/* Ascending pair keys into histogram s (`u`, when not NULL, takes their AUC): each key's bin
 * worked out only where the bins change, each bin's counts added up in registers. */
static void hist_from_keys(md_vsum *s, keysrc *it, bool millionths, auc_acc *u)
{
    uint64_t keys[KEYS_AT_ONCE], end = 0;
    size_t bin = 0;
    int64_t pos = 0, n = 0;
    auc_acc acc = u ? *u : (auc_acc){0};
    for (size_t got; (got = keys_take(it, keys, KEYS_AT_ONCE)) > 0;)
        for (size_t i = 0; i < got; i++) {
            uint64_t key = keys[i];
            if (__builtin_expect(key >> 1 >= end, 0)) { /* (the first key too: end is 0) */
                s->a[bin] += pos, s->b[bin] += n - pos;
                pos = n = 0;
                bin = score_hist_bin(pair_score(key >> 1, millionths));
                end = bin_end(bin, millionths);
            }
            pos += (int64_t)(key & 1);
            n++;
            if (u)
                auc_step(&acc, key);
        }
    s->a[bin] += pos, s->b[bin] += n - pos;
    if (u)
        *u = acc;
}

/* From ascending keys: pair keys for scores (`millionths`: keyed so; `u`, when not NULL, takes
 * their AUC in the same read), double keys for latency. `distinct`: how many distinct values they
 * hold, or SIZE_MAX when not known. Too many known to be there: the histogram at once, instead of
 * an exact summary filled first and folded. */
static void vsum_from_keys(md_vsum *s, keysrc *it, bool latency, bool millionths, size_t distinct,
                           auc_acc *u)
{
    memset(s, 0, sizeof *s);
    size_t most = keys_total(it);
    most = distinct < most ? distinct : most;
    if (distinct != SIZE_MAX && distinct > MD_EXACT_DISTINCT_MAX) {
        vsum_to_hist(s, latency);
        if (!latency) { /* scores: each key straight into its bin, without grouping first */
            hist_from_keys(s, it, millionths, u);
            return;
        }
    } else if ((s->cap = most < MD_EXACT_DISTINCT_MAX + 1 ? most : MD_EXACT_DISTINCT_MAX + 1)) {
        /* room for as many distinct values as there can be, so the arrays never move */
        s->v = md_xmalloc(s->cap * sizeof *s->v);
        s->a = md_xmalloc(s->cap * sizeof *s->a);
        s->b = md_xmalloc(s->cap * sizeof *s->b);
    }
    uint64_t keys[KEYS_AT_ONCE], id = 0;
    int64_t a = 0, b = 0;
    bool open = false;
    auc_acc acc = u ? *u : (auc_acc){0}; /* in registers, not stored with each key */
    for (size_t got; (got = keys_take(it, keys, KEYS_AT_ONCE)) > 0;)
        for (size_t i = 0; i < got; i++) {
            uint64_t key = keys[i], kid = latency ? key : key >> 1;
            if (open && kid != id) {
                vsum_add(s, latency ? md_key_double(id) : pair_score(id, millionths), a, b,
                         latency);
                a = b = 0;
            }
            id = kid, open = true;
            a += latency | (key & 1); /* positives (latencies: every value) */
            b += !latency & !(key & 1);
            if (u)
                auc_step(&acc, key);
        }
    if (open)
        vsum_add(s, latency ? md_key_double(id) : pair_score(id, millionths), a, b, latency);
    if (u)
        *u = acc;
}

size_t md_window_keys_distinct(const md_window *w, int stream)
{
    if (md_spill_count(w->spill, w->index, stream) != 0)
        return SIZE_MAX;
    if (stream == 0 && w->millionths)
        return distinct_millionths(w->mpairs, w->np);
    return distinct_keys(stream ? w->lat : w->pairs, stream ? w->nl : w->np, stream == 1);
}

size_t md_window_pairs_distinct_with(md_window *d, md_window *s)
{
    if (!d->millionths || !s->millionths || !d->sorted || !s->sorted ||
        md_spill_count(d->spill, d->index, 0) != 0)
        return SIZE_MAX;
    size_t dd = distinct_millionths(d->mpairs, d->np), ds = distinct_millionths(s->mpairs, s->np);
    if (dd > MD_EXACT_DISTINCT_MAX || ds > MD_EXACT_DISTINCT_MAX)
        return MD_EXACT_DISTINCT_MAX + 1; /* so many at least: a histogram */
    with_sentinel(d);
    with_sentinel(s);
    keysrc k = {NULL, d->mpairs, s->mpairs, d->np, s->np, 0, 0};
    uint64_t keys[KEYS_AT_ONCE], last = UINT64_MAX;
    size_t n = 0;
    for (size_t got; (got = keys_take(&k, keys, KEYS_AT_ONCE)) > 0;)
        for (size_t i = 0; i < got; i++) {
            n += keys[i] >> 1 != last;
            last = keys[i] >> 1;
        }
    return n;
}

/* A summary of one stream of the window's keys (distinct: keys_distinct's, or SIZE_MAX to count
 * them here; u: when not NULL, the pairs' AUC too). */
static void vsum_of_keys(md_vsum *s, md_window *w, int stream, size_t distinct, auc_acc *u)
{
    keysrc it = open_keys(w, stream);
    if (distinct == SIZE_MAX)
        distinct = md_window_keys_distinct(w, stream);
    vsum_from_keys(s, &it, stream == 1, w->millionths, distinct, u);
    close_keys(&it);
}

static void vsum_of_window(md_vsum *s, md_window *w, int stream)
{
    vsum_of_keys(s, w, stream, SIZE_MAX, NULL);
}

static void vsum_merge(md_vsum *dst, md_vsum *src, bool latency)
{
    if (dst->hist || src->hist) {
        vsum_to_hist(dst, latency);
        vsum_to_hist(src, latency);
        for (size_t i = 0; i < dst->k; i++)
            dst->a[i] += src->a[i], dst->b[i] += src->b[i];
        return;
    }
    md_vsum out = {0};
    size_t i = 0, j = 0;
    while (i < dst->k || j < src->k) {
        bool take_d = j >= src->k || (i < dst->k && dst->v[i] <= src->v[j]);
        bool both = take_d && j < src->k && i < dst->k && dst->v[i] == src->v[j];
        if (both)
            vsum_push(&out, dst->v[i], dst->a[i] + src->a[j], dst->b[i] + src->b[j]), i++, j++;
        else if (take_d)
            vsum_push(&out, dst->v[i], dst->a[i], dst->b[i]), i++;
        else
            vsum_push(&out, src->v[j], src->a[j], src->b[j]), j++;
    }
    vsum_free(dst);
    *dst = out;
    if (dst->k > MD_EXACT_DISTINCT_MAX)
        vsum_to_hist(dst, latency);
}

static void vsum_write(md_wbuf *o, const md_vsum *s, bool latency, uint64_t format)
{
    md_put_u64(o, s->hist);
    md_put_u64(o, s->k);
    if (s->hist) {
        void (*put)(md_wbuf *, const int64_t *, size_t) =
            format >= 5 ? md_put_counts64_tokens : md_put_counts64;
        put(o, s->a, s->k);
        if (!latency)
            put(o, s->b, s->k);
        return;
    }
    if (format >= 3)
        md_put_ascending_f64(o, s->v, s->k);
    for (size_t i = 0; i < s->k; i++) {
        if (format < 3)
            md_put_f64(o, s->v[i]);
        md_put_u64(o, (uint64_t)s->a[i]);
        if (!latency)
            md_put_u64(o, (uint64_t)s->b[i]);
    }
}

static void vsum_read(md_rbuf *in, md_vsum *s, bool latency, uint64_t format)
{
    memset(s, 0, sizeof *s);
    bool hist = md_get_u64(in) != 0;
    uint64_t k = md_get_u64(in);
    size_t nb = latency ? MD_LAT_HIST_BINS : MD_SCORE_HIST_BINS;
    if (in->bad || (hist && k != nb) || (!hist && k > MD_EXACT_DISTINCT_MAX)) {
        in->bad = true;
        return;
    }
    if (hist) {
        s->hist = true;
        s->k = s->cap = nb;
        s->a = md_xcalloc(nb, sizeof *s->a);
        s->b = md_xcalloc(nb, sizeof *s->b);
        void (*get)(md_rbuf *, int64_t *, size_t) =
            format >= 5 ? md_get_counts64_tokens_add : md_get_counts64_add;
        get(in, s->a, nb);
        if (!latency)
            get(in, s->b, nb);
        return;
    }
    if (format < 3) {
        for (uint64_t i = 0; i < k && !in->bad; i++) {
            double v = md_get_f64(in);
            int64_t a = (int64_t)md_get_u64(in), b = latency ? 0 : (int64_t)md_get_u64(in);
            vsum_push(s, v, a, b);
        }
        return;
    }
    double *v = md_xmalloc((k ? k : 1) * sizeof *v);
    md_get_ascending_f64(in, v, k);
    for (uint64_t i = 0; i < k && !in->bad; i++) {
        int64_t a = (int64_t)md_get_u64(in), b = latency ? 0 : (int64_t)md_get_u64(in);
        vsum_push(s, v[i], a, b);
    }
    free(v);
}

static void free_pairs(md_window *w)
{
    free(w->pairs);
    free(w->mpairs);
    w->pairs = NULL;
    w->mpairs = NULL;
    w->np = w->pcap = 0;
}

void md_window_summarize_with(md_window *w, md_window *s, size_t distinct_pairs,
                              size_t distinct_lat)
{
    if (w->merged)
        return;
    auc_acc u = {0};
    if (s) { /* both sorted millionths keys (md_window_pairs_distinct_with) */
        with_sentinel(w);
        with_sentinel(s);
    }
    keysrc k = open_keys(w, 0);
    if (s)
        k.b = s->mpairs, k.nb = s->np;
    vsum_from_keys(&w->sscore, &k, false, w->millionths, distinct_pairs, &u);
    close_keys(&k);
    vsum_of_keys(&w->slat, w, 1, distinct_lat, NULL);
    w->auc_kept = auc_end(&u, &w->auc_kept_ok);
    w->has_auc_kept = true;
    free_pairs(w);
    if (s)
        free_pairs(s);
    free(w->lat);
    w->lat = NULL;
    w->nl = w->lcap = 0;
    w->merged = true;
}

void md_window_summarize_known(md_window *w, size_t distinct_pairs, size_t distinct_lat)
{
    md_window_summarize_with(w, NULL, distinct_pairs, distinct_lat);
}

static void summarize_values(md_window *w)
{
    md_window_summarize_known(w, SIZE_MAX, SIZE_MAX);
}

void md_window_join_summaries(md_window *d, md_window *s)
{
    summarize_values(d);
    summarize_values(s);
    vsum_merge(&d->sscore, &s->sscore, false);
    vsum_merge(&d->slat, &s->slat, true);
    d->has_auc_kept = false; /* the AUC of the joined summary, as of parts joined */
}

/* ---- parts ------------------------------------------------------------------------------------ */

static void write_feature(md_wbuf *o, const md_wfeat *f, const md_bfeature *bf, unsigned format)
{
    md_put_u64(o, f->absent);
    md_put_u64(o, (uint64_t)f->missing);
    md_put_u64(o, (uint64_t)f->type_errors);
    md_put_u64(o, (uint64_t)f->violations);
    md_put_u64(o, (uint64_t)f->present);
    if (bf->kind == MD_NUMERIC) {
        md_put_counts64(o, f->bins, bf->nbins);
        if (format >= 5)
            md_put_counts32_halves(o, f->ks, 2 * bf->ks_k + 1);
        else
            md_put_counts32(o, f->ks, 2 * bf->ks_k + 1);
        return;
    }
    md_put_counts64(o, f->cat, md_strmap_size(&bf->cats));
    md_put_u64(o, md_strmap_size(&f->newcats));
    for (size_t i = 0; i < md_strmap_size(&f->newcats); i++) {
        const char *k = md_strmap_key(&f->newcats, i);
        md_put_u64(o, strlen(k));
        md_put_bytes(o, k, strlen(k));
        md_put_u64(o, (uint64_t)f->newcnt[i]);
    }
    if (format >= 4) {
        md_put_u64(o, (uint64_t)f->newother);
        md_put_u64(o, f->newcut);
    }
}

void md_window_serialize(md_window *w, const md_baseline *b, md_wbuf *o)
{
    md_window_serialize_as(w, b, o, PART_FORMAT);
}

void md_window_serialize_as(md_window *w, const md_baseline *b, md_wbuf *o, unsigned format)
{
    md_put_u64(o, format);
    md_put_u64(o, (uint64_t)w->rows);
    md_put_u64(o, (uint64_t)w->labeled);
    md_put_u64(o, w->ndec);
    for (size_t i = 0; i < w->ndec; i++) {
        md_put_u64(o, (uint64_t)w->dn[i]);
        md_put_u64(o, (uint64_t)w->dy[i]);
        md_put_f64(o, w->ds[i].sum);
        md_put_f64(o, w->ds[i].c);
    }
    md_put_f64(o, w->brier.sum);
    md_put_f64(o, w->brier.c);
    md_put_u64(o, w->nf);
    for (size_t i = 0; i < w->nf; i++) {
        if (b->features[i].kind == MD_CATEGORICAL) /* the same names whatever the row order */
            md_newcats_settle(&w->f[i], &b->features[i]);
        write_feature(o, &w->f[i], &b->features[i], format);
    }
    md_vsum ts = {0}, tl = {0};
    if (!w->merged) { /* summaries of the fresh values, leaving the values for compute */
        vsum_of_window(&ts, w, 0);
        vsum_of_window(&tl, w, 1);
    }
    vsum_write(o, w->merged ? &w->sscore : &ts, false, format);
    vsum_write(o, w->merged ? &w->slat : &tl, true, format);
    vsum_free(&ts);
    vsum_free(&tl);
    if (format < 2)
        return;
    md_put_u64(o, (uint64_t)w->over_state);
    md_put_u64(o, (uint64_t)w->over_sla_ms);
    md_put_u64(o, (uint64_t)w->lat_over);
}

static void read_feature(md_rbuf *in, md_wfeat *f, const md_bfeature *bf, uint64_t format)
{
    f->absent |= md_get_u64(in) != 0;
    f->missing += (int64_t)md_get_u64(in);
    f->type_errors += (int64_t)md_get_u64(in);
    f->violations += (int64_t)md_get_u64(in);
    f->present += (int64_t)md_get_u64(in);
    if (bf->kind == MD_NUMERIC) {
        md_get_counts64_add(in, f->bins, bf->nbins);
        if (format >= 5)
            md_get_counts32_halves_add(in, f->ks, 2 * bf->ks_k + 1);
        else
            md_get_counts32_add(in, f->ks, 2 * bf->ks_k + 1);
        return;
    }
    md_get_counts64_add(in, f->cat, md_strmap_size(&bf->cats));
    uint64_t nnew = md_get_u64(in);
    for (uint64_t i = 0; i < nnew && !in->bad; i++) {
        uint64_t len = md_get_u64(in);
        const unsigned char *k = md_get_bytes(in, len);
        int64_t count = (int64_t)md_get_u64(in);
        if (k)
            md_newcats_add(f, bf, (const char *)k, len, count);
    }
    if (format >= 4) {
        int64_t other = (int64_t)md_get_u64(in);
        uint64_t cut = md_get_u64(in);
        md_newcats_merge(f, bf, NULL, NULL, other, cut);
    }
}

md_status md_window_add_part(md_window *w, const md_baseline *b, const void *blob, size_t n,
                             md_err *err)
{
    md_rbuf in = {blob, n, 0, false};
    summarize_values(w);
    w->has_auc_kept = false; /* the part's rows join the summary */
    uint64_t format = md_get_u64(&in);
    if (format < 1 || format > PART_FORMAT)
        return md_err_set(err, MD_ERROR, "a stored window part has an unknown format");
    w->rows += (int64_t)md_get_u64(&in);
    w->labeled += (int64_t)md_get_u64(&in);
    if (md_get_u64(&in) != w->ndec)
        return md_err_set(err, MD_ERROR, "a stored window part does not match the baseline");
    for (size_t i = 0; i < w->ndec && !in.bad; i++) {
        w->dn[i] += (int64_t)md_get_u64(&in);
        w->dy[i] += (int64_t)md_get_u64(&in);
        md_ksum_add(&w->ds[i], md_get_f64(&in));
        md_ksum_add(&w->ds[i], md_get_f64(&in));
    }
    md_ksum_add(&w->brier, md_get_f64(&in));
    md_ksum_add(&w->brier, md_get_f64(&in));
    if (md_get_u64(&in) != w->nf)
        return md_err_set(err, MD_ERROR, "a stored window part does not match the baseline");
    for (size_t i = 0; i < w->nf && !in.bad; i++)
        read_feature(&in, &w->f[i], &b->features[i], format);
    md_vsum ps, pl;
    vsum_read(&in, &ps, false, format);
    vsum_read(&in, &pl, true, format);
    if (!in.bad) {
        vsum_merge(&w->sscore, &ps, false);
        vsum_merge(&w->slat, &pl, true);
    }
    vsum_free(&ps);
    vsum_free(&pl);
    if (format == 1) {
        md_window_over_join(w, MD_OVER_UNKNOWN, 0, 0);
    } else {
        uint64_t state = md_get_u64(&in), sla = md_get_u64(&in), over = md_get_u64(&in);
        if (state > MD_OVER_COUNTED)
            in.bad = true;
        else
            md_window_over_join(w, (md_over_state)state, (int64_t)sla, (int64_t)over);
    }
    if (in.bad || in.pos != in.n)
        return md_err_set(err, MD_ERROR, "a stored window part is damaged");
    return MD_OK;
}

/* ---- performance ----------------------------------------------------------------------------- */

static json_t *deciles_json(const md_window *w, const md_baseline *b, const double *sums)
{
    json_t *a = json_array();
    for (size_t i = 0; i < w->ndec; i++) {
        double lo = b->n_score_edges ? b->score_edges[i < b->n_score_edges ? i : 0] : 0;
        double hi = b->n_score_edges >= 2 ? b->score_edges[i + 1] : lo;
        json_t *o = json_pack("{s:I, s:f, s:f, s:I}", "decile", (json_int_t)i + 1, "lo", lo, "hi",
                              hi, "n", (json_int_t)w->dn[i]);
        double n = (double)w->dn[i];
        json_object_set_new(o, "expected", w->dn[i] ? json_real(sums[i] / n) : json_null());
        json_object_set_new(o, "observed",
                            w->dn[i] ? json_real((double)w->dy[i] / n) : json_null());
        json_array_append_new(a, o);
    }
    return a;
}

/* Mann-Whitney over ascending pair keys (md_auc_sorted_pairs, streamed). */
static double auc_stream(keysrc *it, bool *ok)
{
    uint64_t keys[KEYS_AT_ONCE];
    auc_acc u = {0};
    for (size_t got; (got = keys_take(it, keys, KEYS_AT_ONCE)) > 0;)
        for (size_t i = 0; i < got; i++)
            auc_step(&u, keys[i]);
    return auc_end(&u, ok);
}

/* AUC over the window: exact from the values, or from the merged summary. */
static void auc_of(md_window *w, md_window_result *r)
{
    r->auc_exact = true;
    if (w->has_auc_kept) { /* exact, read when the values were summarized */
        r->auc = w->auc_kept;
        r->has_auc = w->auc_kept_ok;
        return;
    }
    if (!w->merged) { /* exact, over every labeled row, in order */
        keysrc it = open_keys(w, 0);
        r->auc = auc_stream(&it, &r->has_auc);
        close_keys(&it);
        return;
    }
    const md_vsum *s = &w->sscore;
    r->auc = md_auc_distinct(s->a, s->b, s->k, &r->has_auc);
    if (!s->hist || !r->has_auc)
        return;
    double pos = 0, neg = 0, tied = 0;
    for (size_t i = 0; i < s->k; i++)
        pos += (double)s->a[i], neg += (double)s->b[i], tied += (double)s->a[i] * (double)s->b[i];
    r->auc_exact = false;
    r->auc_error = tied / (2 * pos * neg); /* ties inside a bin count half; truth is 0 or 1 */
}

static void performance(md_window *w, const md_baseline *b, md_window_result *r)
{
    double *sums = md_xcalloc(w->ndec, sizeof *sums);
    for (size_t i = 0; i < w->ndec; i++)
        sums[i] = md_ksum_value(&w->ds[i]);
    r->deciles = deciles_json(w, b, sums);
    if (w->labeled > 0) {
        md_deciles d = {w->ndec, w->dn, sums, w->dy, w->labeled};
        r->has_perf = true;
        r->brier = md_ksum_value(&w->brier) / (double)w->labeled;
        r->ece = md_ece(&d);
        r->hl_stat = md_hosmer_lemeshow(&d, &r->hl_p, &r->has_hl);
        auc_of(w, r);
        r->has_delta = r->has_auc && b->has_auc;
        r->delta_auc = r->auc - b->auc;
    }
    free(sums);
}

/* The value at sorted position idx of the summary (counts in a), and whether it is exact. */
static double vsum_at(const md_vsum *s, int64_t idx)
{
    int64_t cum = 0;
    for (size_t i = 0; i < s->k; i++) {
        cum += s->a[i];
        if (idx < cum)
            return s->hist ? lat_hist_value(i) : s->v[i];
    }
    return s->k ? (s->hist ? lat_hist_value(s->k - 1) : s->v[s->k - 1]) : 0;
}

/* numpy.percentile(x, 100 q), linear, over the summary (numpy's _lerp). */
static double vsum_quantile(const md_vsum *s, int64_t n, double q)
{
    double vi = (double)(n - 1) * q;
    if (vi >= (double)(n - 1))
        return vsum_at(s, n - 1);
    int64_t prev = (int64_t)floor(vi);
    double a = vsum_at(s, prev), b = vsum_at(s, prev + 1), g = vi - (double)prev;
    double diff = b - a;
    return g >= 0.5 ? b - diff * (1 - g) : a + diff * g;
}

json_t *md_window_latency_json(md_window *w, const md_model_limits *lim)
{
    md_vsum tmp = {0};
    const md_vsum *s = &w->slat;
    if (!w->merged) {
        vsum_of_window(&tmp, w, 1);
        s = &tmp;
    }
    int64_t n = 0, over = 0, straddle = 0;
    size_t sla_bin = lim->has_sla ? lat_hist_bin((double)lim->sla_ms) : 0;
    for (size_t i = 0; i < s->k; i++) {
        n += s->a[i];
        double v = s->hist ? lat_hist_value(i) : s->v[i];
        over += lim->has_sla && v > (double)lim->sla_ms ? s->a[i] : 0;
        straddle += s->hist && i == sla_bin ? s->a[i] : 0; /* on either side of the SLA */
    }
    /* From the histogram the count is off by at most the bin holding the SLA; the count kept
     * row by row is exact when it was kept against the SLA in force now. */
    bool counted =
        lim->has_sla && w->over_state == MD_OVER_COUNTED && w->over_sla_ms == lim->sla_ms;
    if (s->hist && counted)
        over = w->lat_over;
    json_t *o = NULL;
    if (n > 0) {
        o = json_pack("{s:f, s:f, s:f, s:I, s:b}", "p50", vsum_quantile(s, n, 0.5), "p95",
                      vsum_quantile(s, n, 0.95), "p99", vsum_quantile(s, n, 0.99), "n",
                      (json_int_t)n, "exact", !s->hist);
        json_object_set_new(o, "over_sla",
                            lim->has_sla ? json_real((double)over / (double)n) : json_null());
        /* log-spaced bins 1% wide: a value read from one is within half a bin of the truth */
        json_object_set_new(o, "relative_error", s->hist ? json_real(0.005) : json_null());
        json_t *over_error = json_null();
        if (s->hist && lim->has_sla)
            over_error = json_real(counted ? 0.0 : (double)straddle / (double)n);
        json_object_set_new(o, "over_sla_error", over_error);
    }
    vsum_free(&tmp);
    return o;
}

void md_window_compute(md_window *w, const md_baseline *b, const md_drift_policy *p,
                       const md_model_limits *lim, md_window_result *r)
{
    memset(r, 0, sizeof *r);
    r->auc_exact = true; /* nothing approximate until a summary says so */
    r->rows = w->rows;
    r->labeled = w->labeled;
    for (size_t i = 0; i < w->ndec; i++)
        r->positives += w->dy[i];
    r->ndrift = w->nf;
    r->drift = md_xcalloc(w->nf + 1, sizeof *r->drift);
    for (size_t i = 0; i < w->nf; i++) {
        if (b->features[i].kind == MD_CATEGORICAL)
            md_newcats_settle(&w->f[i], &b->features[i]);
        md_window_drift_row(w, b, i, p, &r->drift[i]);
        r->status = r->drift[i].status > r->status ? r->drift[i].status : r->status;
    }
    performance(w, b, r);
    r->latency = md_window_latency_json(w, lim);
}

void md_window_result_free(md_window_result *r)
{
    for (size_t i = 0; i < r->ndrift; i++) {
        json_decref(r->drift[i].new_categories);
        json_decref(r->drift[i].hist);
    }
    free(r->drift);
    json_decref(r->deciles);
    json_decref(r->latency);
    memset(r, 0, sizeof *r);
}
