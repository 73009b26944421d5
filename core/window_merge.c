/* Two fresh windows of one index, read by a pass's two threads, made one (core/window.h): the
 * statistics added, the keys behind AUC and latency percentiles merged in order (both kinds of
 * pair keys meeting as double keys), and a merged window summarized at once where its summary
 * is smaller than its keys. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "sort.h"
#include "window.h"
#include "window_int.h"

static void merge_feature(md_wfeat *d, md_wfeat *s, const md_bfeature *bf)
{
    d->missing += s->missing;
    d->type_errors += s->type_errors;
    d->violations += s->violations;
    d->present += s->present;
    d->absent |= s->absent;
    if (bf->kind == MD_NUMERIC && !d->ks) { /* neither is folded */
        md_window_merge_counts(d, s, bf);
        return;
    }
    if (bf->kind == MD_NUMERIC) {
        for (size_t i = 0; i < bf->nbins; i++)
            d->bins[i] += s->bins[i];
        for (size_t i = 0; i < 2 * bf->ks_k + 1; i++)
            d->ks[i] += s->ks[i];
        return;
    }
    for (size_t i = 0; i < md_strmap_size(&bf->cats); i++)
        d->cat[i] += s->cat[i];
    md_newcats_merge(d, bf, &s->newcats, s->newcnt, s->newother, s->newcut);
}

/* dst (n keys of `size` bytes, room for cap) with src's m keys after them. */
static void *append_keys(void *dst, size_t *n, size_t *cap, const void *src, size_t m, size_t size)
{
    dst = md_xgrow(dst, cap, *n + m, size);
    if (m)
        memcpy((char *)dst + *n * size, src, m * size);
    *n += m;
    return dst;
}

/* Merges ascending src into ascending dst, in place from the top down (dst grows, no second
 * array). Which side gives the next key is a coin toss in real data, so the choice takes no
 * branch: a mispredicted one would cost more than the copy. */
static void merge_keys(uint64_t **dst, size_t *n, size_t *cap, const uint64_t *src, size_t m)
{
    if (m == 0)
        return;
    if (*cap < *n + m) { /* exactly: a window's keys can be many, and doubling would waste */
        *dst = md_xrealloc(*dst, (*n + m) * sizeof **dst);
        *cap = *n + m;
    }
    md_merge_u64_down(*dst, *n, src, m);
    *n += m;
}

static void merge_keys32(uint32_t **dst, size_t *n, size_t *cap, const uint32_t *src, size_t m)
{
    if (m == 0)
        return;
    if (*cap < *n + m) {
        *dst = md_xrealloc(*dst, (*n + m) * sizeof **dst);
        *cap = *n + m;
    }
    md_merge_u32_down(*dst, *n, src, m);
    *n += m;
}

void md_window_pairs_as_doubles(md_window *w)
{
    if (!w->millionths)
        return;
    w->pairs = md_xmalloc((w->pcap ? w->pcap : 1) * sizeof *w->pairs);
    for (size_t i = 0; i < w->np; i++) /* the order stays: both keys order by score */
        w->pairs[i] = md_pair_key(md_millionths_score(w->mpairs[i] >> 1), (int)(w->mpairs[i] & 1));
    free(w->mpairs);
    w->mpairs = NULL;
    w->millionths = false;
}

/* A summary's exact form takes three numbers a distinct value (a histogram, a fixed few), a
 * key one: a window's values are summarized early only where that takes less memory, so that
 * many small windows of distinct scores (a day by the hour) keep their keys until made.
 * (distinct: SIZE_MAX when not known, the keys spilled.) */
static bool summary_smaller(size_t dp, size_t np, size_t dl, size_t nl)
{
    return dp != SIZE_MAX && dl != SIZE_MAX && (dp > MD_EXACT_DISTINCT_MAX || 3 * dp <= np) &&
           (dl > MD_EXACT_DISTINCT_MAX || 3 * dl <= nl);
}

void md_window_summarize(md_window *w)
{
    if (w->merged)
        return;
    md_window_sort_keys(w); /* (kept sorted through a pass's merge: nothing to do) */
    size_t dp = md_window_keys_distinct(w, 0), dl = md_window_keys_distinct(w, 1);
    if (summary_smaller(dp, w->np, dl, w->nl))
        md_window_summarize_known(w, dp, dl);
}

void md_window_sort_keys(md_window *w)
{
    if (w->sorted)
        return;
    if (w->millionths)
        md_sort_u32(w->mpairs, w->np);
    else
        md_sort_u64(w->pairs, w->np);
    md_sort_u64(w->lat, w->nl);
    w->sorted = true;
}

void md_window_merge_fresh(md_window *d, md_window *s, const md_baseline *b)
{
    bool folded = false;
    for (size_t i = 0; i < d->nf; i++)
        folded |= d->f[i].ks || s->f[i].ks;
    if (folded) {
        md_window_fold(d, b);
        md_window_fold(s, b);
    }
    md_window_over_join(d, s->over_state, s->over_sla_ms, s->lat_over);
    d->rows += s->rows;
    d->labeled += s->labeled;
    for (size_t i = 0; i < d->ndec; i++) {
        d->dn[i] += s->dn[i];
        d->dy[i] += s->dy[i];
        md_ksum_add(&d->ds[i], s->ds[i].sum);
        md_ksum_add(&d->ds[i], s->ds[i].c);
    }
    md_ksum_add(&d->brier, s->brier.sum);
    md_ksum_add(&d->brier, s->brier.c);
    for (size_t i = 0; i < d->nf; i++)
        merge_feature(&d->f[i], &s->f[i], &b->features[i]);
    if (d->merged || s->merged) { /* summarized already (md_window_summarize): summaries join */
        md_window_join_summaries(d, s);
        return;
    }
    if (d->millionths != s->millionths) { /* one kind of key in a window */
        md_window_pairs_as_doubles(d);
        md_window_pairs_as_doubles(s);
    }
    if (d->sorted && s->sorted) {
        merge_keys(&d->lat, &d->nl, &d->lcap, s->lat, s->nl);
        size_t dp = md_window_pairs_distinct_with(d, s); /* millionths keys: known before */
        if (dp != SIZE_MAX) {
            size_t dl = md_window_keys_distinct(d, 1);
            if (summary_smaller(dp, d->np + s->np, dl, d->nl)) { /* read from both windows */
                md_window_summarize_with(d, s, dp, dl);
                return;
            }
            merge_keys32(&d->mpairs, &d->np, &d->pcap, s->mpairs, s->np);
            return; /* its keys take less memory than a summary */
        }
        if (d->millionths)
            merge_keys32(&d->mpairs, &d->np, &d->pcap, s->mpairs, s->np);
        else
            merge_keys(&d->pairs, &d->np, &d->pcap, s->pairs, s->np);
    } else {
        if (d->millionths)
            d->mpairs =
                append_keys(d->mpairs, &d->np, &d->pcap, s->mpairs, s->np, sizeof *d->mpairs);
        else
            d->pairs = append_keys(d->pairs, &d->np, &d->pcap, s->pairs, s->np, sizeof *d->pairs);
        d->lat = append_keys(d->lat, &d->nl, &d->lcap, s->lat, s->nl, sizeof *d->lat);
        d->sorted = false;
    }
    md_window_summarize(d);
}
