/* A window's values (its labeled rows' score keys, for the exact AUC, and its latency keys)
 * and their summaries (core/window.h): the keys read in order (from memory, from the spill
 * file's runs, or from a pass's two threads' sorted keys at once), each stream summarized as
 * its distinct values with two counts each or folded into a histogram, the exact AUC read with
 * the scores, and summaries written to and read from a window's stored part. Part of
 * core/window.c's window (core/window_int.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "sort.h"
#include "window_int.h"

#define KEYS_AT_ONCE 4096 /* keys read from a window's stream per call */

void md_vsum_free(md_vsum *s)
{
    free(s->v);
    free(s->a);
    free(s->b);
    memset(s, 0, sizeof *s);
}

static size_t score_hist_bin(double s)
{
    size_t b = (size_t)(s * MD_SCORE_HIST_BINS);
    return b >= MD_SCORE_HIST_BINS ? MD_SCORE_HIST_BINS - 1 : b;
}

size_t md_lat_hist_bin(double v)
{
    if (!(v > 0))
        return 0;
    double b = floor(log(v / 1e-3) / log(1.01)) + 1;
    return b < 1 ? 1 : (b >= MD_LAT_HIST_BINS ? MD_LAT_HIST_BINS - 1 : (size_t)b);
}

double md_lat_hist_value(size_t i)
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
        size_t bin = latency ? md_lat_hist_bin(s->v[i]) : score_hist_bin(s->v[i]);
        a[bin] += s->a[i];
        b[bin] += s->b[i];
    }
    md_vsum_free(s);
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
    size_t bin = latency ? md_lat_hist_bin(v) : score_hist_bin(v);
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

void md_window_summary_of(md_vsum *s, md_window *w, int stream)
{
    vsum_of_keys(s, w, stream, SIZE_MAX, NULL);
}

void md_vsum_merge(md_vsum *dst, md_vsum *src, bool latency)
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
    md_vsum_free(dst);
    *dst = out;
    if (dst->k > MD_EXACT_DISTINCT_MAX)
        vsum_to_hist(dst, latency);
}

void md_vsum_write(md_wbuf *o, const md_vsum *s, bool latency, uint64_t format)
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

void md_vsum_read(md_rbuf *in, md_vsum *s, bool latency, uint64_t format)
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

void md_window_join_summaries(md_window *d, md_window *s)
{
    md_window_summarize_known(d, SIZE_MAX, SIZE_MAX);
    md_window_summarize_known(s, SIZE_MAX, SIZE_MAX);
    md_vsum_merge(&d->sscore, &s->sscore, false);
    md_vsum_merge(&d->slat, &s->slat, true);
    d->has_auc_kept = false; /* the AUC of the joined summary, as of parts joined */
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

double md_window_auc_exact(md_window *w, bool *ok)
{
    keysrc it = open_keys(w, 0);
    double auc = auc_stream(&it, ok);
    close_keys(&it);
    return auc;
}
