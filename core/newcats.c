/* A window's new categories (values of a categorical feature its baseline never had), kept by
 * name up to a bound (core/window.h, docs/METRICS.md "New categories").
 *
 * Why: a feature whose values turn unique per row (an id, a tracking code pasted into a
 * campaign name) would otherwise hold every value of the log, in memory and in the store.
 *
 * Which names are kept does not depend on the order rows come in, nor on how a pass splits
 * the file between threads, nor on how a window's ingests are merged: each category has a rank
 * (a hash of its text), and a window keeps the MD_NEWCATS_NAMED lowest-ranked new categories
 * it met (a bottom-k sample), with their exact counts, and counts the rows of the others.
 * While there are no more than NAMED_HIGH (a quarter more), every one is kept and every number
 * stays exact.
 *
 * How: newcut is the highest rank a window still names (UINT64_MAX at first). A category
 * ranked above it is not kept: its rows count in newother. When more than NAMED_HIGH are named,
 * the cut drops to the MD_NEWCATS_NAMED-th lowest rank and the names above it go, their rows
 * into newother. Since the cut only goes down, a category named at the end was never turned
 * away, so its count is exact; and the named set is every category met at or below the cut,
 * of which md_newcats_settle keeps the MD_NEWCATS_NAMED lowest. Categories the contract allows
 * are no new categories to report: they are always named, and never count against the bound. */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "window.h"

#define NAMED_HIGH (MD_NEWCATS_NAMED + MD_NEWCATS_NAMED / 4) /* then back down to the bound */

uint64_t md_category_rank(const char *t, size_t n)
{
    uint64_t h = 0xCBF29CE484222325ULL; /* FNV-1a, byte by byte: the same on every machine */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)t[i]) * 0x100000001B3ULL;
    h ^= h >> 30; /* splitmix64's finalizer: FNV's high bits alone are poorly mixed */
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBULL;
    return h ^ (h >> 31);
}

static bool allowed(const md_bfeature *bf, const char *t, size_t n)
{
    return bf->rule.has_allowed && md_strmap_find(&bf->rule.allowed, t, n) >= 0;
}

/* New categories named that count against the bound. */
static size_t bounded(const md_wfeat *f, const md_bfeature *bf)
{
    size_t n = 0;
    for (size_t i = 0; i < md_strmap_size(&f->newcats); i++)
        n += !allowed(bf, md_strmap_key(&f->newcats, i), md_strmap_len(&f->newcats, i));
    return n;
}

/* Keeps the names ranked at or below `cut` (and those the contract allows); the others' rows go
 * to newother. */
static void cut_to(md_wfeat *f, const md_bfeature *bf, uint64_t cut)
{
    f->newcut = cut < f->newcut ? cut : f->newcut;
    md_strmap kept;
    md_strmap_init(&kept);
    size_t n = md_strmap_size(&f->newcats), k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *t = md_strmap_key(&f->newcats, i);
        size_t len = md_strmap_len(&f->newcats, i);
        if (!allowed(bf, t, len) && md_category_rank(t, len) > f->newcut) {
            f->newother += f->newcnt[i];
            continue;
        }
        md_strmap_intern(&kept, t, len);
        f->newcnt[k++] = f->newcnt[i]; /* k <= i: in place */
    }
    memset(f->newcnt + k, 0, (n - k) * sizeof *f->newcnt);
    md_strmap_free(&f->newcats);
    f->newcats = kept;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Down to the MD_NEWCATS_NAMED lowest-ranked names (those the contract allows stay too). */
static void cut_to_bound(md_wfeat *f, const md_bfeature *bf)
{
    if (bounded(f, bf) <= MD_NEWCATS_NAMED) /* within it already (settled before, say) */
        return;
    size_t n = md_strmap_size(&f->newcats), m = 0;
    uint64_t *rank = md_xmalloc((n + 1) * sizeof *rank);
    for (size_t i = 0; i < n; i++) {
        const char *t = md_strmap_key(&f->newcats, i);
        size_t len = md_strmap_len(&f->newcats, i);
        if (!allowed(bf, t, len))
            rank[m++] = md_category_rank(t, len);
    }
    if (m > MD_NEWCATS_NAMED) {
        qsort(rank, m, sizeof *rank, cmp_u64);
        cut_to(f, bf, rank[MD_NEWCATS_NAMED - 1]);
    }
    free(rank);
}

void md_newcats_add(md_wfeat *f, const md_bfeature *bf, const char *t, size_t n, int64_t count)
{
    int64_t i = md_strmap_find(&f->newcats, t, n);
    if (i < 0) {
        if (f->newcut != UINT64_MAX && md_category_rank(t, n) > f->newcut && !allowed(bf, t, n)) {
            f->newother += count;
            return;
        }
        i = md_strmap_intern(&f->newcats, t, n);
        f->newcnt = md_xgrow_zero(f->newcnt, &f->newcap, (size_t)i + 1, sizeof *f->newcnt);
        f->newcnt[i] += count;
        /* a name more: past the bound, back down to it (the contract's names aside) */
        if (md_strmap_size(&f->newcats) > NAMED_HIGH && bounded(f, bf) > NAMED_HIGH)
            cut_to_bound(f, bf);
        return;
    }
    f->newcnt[i] += count;
}

void md_newcats_merge(md_wfeat *d, const md_bfeature *bf, const md_strmap *names,
                      const int64_t *counts, int64_t other, uint64_t cut)
{
    for (size_t i = 0; names && i < md_strmap_size(names); i++)
        md_newcats_add(d, bf, md_strmap_key(names, i), md_strmap_len(names, i), counts[i]);
    d->newother += other;
    if (cut < d->newcut)
        cut_to(d, bf, cut);
}

void md_newcats_settle(md_wfeat *f, const md_bfeature *bf)
{
    if (f->newcut != UINT64_MAX)
        cut_to_bound(f, bf);
}

int64_t md_newcats_distinct(const md_wfeat *f, const md_bfeature *bf, bool *estimated)
{
    int64_t named = 0;
    uint64_t top = 0; /* the highest rank named */
    for (size_t i = 0; i < md_strmap_size(&f->newcats); i++) {
        const char *t = md_strmap_key(&f->newcats, i);
        size_t len = md_strmap_len(&f->newcats, i);
        if (allowed(bf, t, len))
            continue;
        uint64_t r = md_category_rank(t, len);
        top = r > top ? r : top;
        named++;
    }
    *estimated = f->newcut != UINT64_MAX;
    if (!*estimated)
        return named;
    /* k minimum values: the k lowest of D uniform ranks, the k-th lowest u (a share of 2^64),
     * estimate D as (k - 1) / u, within about 1 / sqrt(k - 2) (3% for k = 1,000) */
    double u = ((double)top + 1.0) / 18446744073709551616.0;
    double d = (double)(named - 1) / u;
    int64_t at_least = named + 1; /* a cut means one was turned away at least */
    return d > (double)at_least ? (int64_t)(d + 0.5) : at_least;
}
