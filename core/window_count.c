/* A window's numeric values while a pass counts them, and after: listed as counter numbers
 * while few, counted once a counter each is cheaper, added up when two threads' windows merge,
 * folded into KS counters and PSI bins when the window is computed, and released once it is
 * stored (core/window.h). */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "window.h"

static void drop_list(md_wfeat *f)
{
    free(f->list);
    f->list = NULL;
    f->nlist = f->listcap = 0;
}

/* Room in wf's list for n more counter numbers, while a list is cheaper (2 bytes a value: up
 * to half as many values as counters); else the window counts, from its list on, and NULL. */
static uint16_t *list_room(md_wfeat *wf, const md_bfeature *f, size_t n)
{
    size_t ncounters = md_bfeature_ncounters(f);
    if (!wf->counters.lo && wf->nlist + n <= ncounters / 2) {
        wf->list = md_xgrow(wf->list, &wf->listcap, wf->nlist + n, sizeof *wf->list);
        uint16_t *at = wf->list + wf->nlist;
        wf->nlist += n;
        return at;
    }
    if (!wf->counters.lo) {
        md_counters_init(&wf->counters, ncounters);
        md_bfeature_count_list(wf->list, wf->nlist, &wf->counters);
        drop_list(wf);
    }
    return NULL;
}

void md_window_count(md_wfeat *wf, const md_bfeature *f, const double *val, size_t n)
{
    uint16_t *list = list_room(wf, f, n);
    if (list)
        md_bfeature_list(f, val, n, list);
    else
        md_bfeature_count(f, val, n, &wf->counters);
}

void md_window_count_slow(md_wfeat *wf, const md_bfeature *f, size_t c)
{
    uint16_t *list = list_room(wf, f, 1);
    if (list)
        *list = (uint16_t)c;
    else
        md_counters_add1(&wf->counters, c);
}

/* Adds counters s into d (the same length). While both are 16-bit and no sum carries (the
 * usual case: the loops below are vectorized), lane by lane; else counter by counter. */
static void counters_add(md_counters *d, const md_counters *s)
{
    if (!d->hi && !s->hi) {
        uint32_t carry = 0;
        for (size_t i = 0; i < d->n; i++)
            carry |= ((uint32_t)d->lo[i] + s->lo[i]) >> 16;
        if (!carry) {
            for (size_t i = 0; i < d->n; i++)
                d->lo[i] = (uint16_t)(d->lo[i] + s->lo[i]);
            return;
        }
    }
    for (size_t i = 0; i < d->n; i++) {
        uint32_t v = md_counters_get(d, i) + md_counters_get(s, i);
        d->lo[i] = (uint16_t)v;
        if (v >> 16 || d->hi) {
            if (!d->hi)
                d->hi = md_xcalloc(d->n, sizeof *d->hi);
            d->hi[i] = (uint16_t)(v >> 16);
        }
    }
}

void md_window_merge_counts(md_wfeat *d, md_wfeat *s, const md_bfeature *f)
{
    size_t ncounters = md_bfeature_ncounters(f);
    if (!d->counters.lo && !s->counters.lo && d->nlist + s->nlist <= ncounters / 2) {
        if (s->nlist) { /* two short lists are one */
            d->list = md_xgrow(d->list, &d->listcap, d->nlist + s->nlist, sizeof *d->list);
            memcpy(d->list + d->nlist, s->list, s->nlist * sizeof *s->list);
            d->nlist += s->nlist;
        }
    } else {
        if (!d->counters.lo) { /* d's list goes into counters: s's own, when it has them */
            if (s->counters.lo) {
                d->counters = s->counters;
                s->counters = (md_counters){0};
            } else {
                md_counters_init(&d->counters, ncounters);
            }
            md_bfeature_count_list(d->list, d->nlist, &d->counters);
            drop_list(d);
        }
        if (s->counters.lo)
            counters_add(&d->counters, &s->counters);
        md_bfeature_count_list(s->list, s->nlist, &d->counters);
    }
    md_counters_free(&s->counters);
    drop_list(s);
}

void md_window_fold(md_window *w, const md_baseline *b)
{
    for (size_t i = 0; i < w->nf; i++) {
        md_wfeat *f = &w->f[i];
        const md_bfeature *bf = &b->features[i];
        if (bf->kind != MD_NUMERIC)
            continue;
        if (!f->ks) { /* else a second count adds to the first */
            f->bins = md_xcalloc(bf->nbins + 1, sizeof *f->bins);
            f->ks = md_xcalloc(2 * bf->ks_k + 1, sizeof *f->ks);
        }
        if (f->counters.lo)
            md_bfeature_fold(bf, &f->counters, f->ks, f->bins);
        md_bfeature_fold_list(bf, f->list, f->nlist, f->ks, f->bins);
        md_counters_free(&f->counters);
        drop_list(f);
    }
}

void md_window_release(md_window *w)
{
    for (size_t i = 0; i < w->nf; i++) {
        md_wfeat *f = &w->f[i];
        if (f->cat) /* categorical: its counts are small */
            continue;
        free(f->bins);
        free(f->ks);
        md_counters_free(&f->counters);
        f->bins = NULL;
        f->ks = NULL;
        drop_list(f);
    }
    free(w->pairs);
    free(w->mpairs);
    free(w->lat);
    w->pairs = w->lat = NULL;
    w->mpairs = NULL;
    w->np = w->nl = w->pcap = w->lcap = 0;
}
