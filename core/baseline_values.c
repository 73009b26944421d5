/* What a baseline build holds of a numeric feature's values while it reads them, and what it
 * writes out past its memory budget: each value offered to the KS sample, whole numbers counted
 * in a table while they can be, the others in arrays (sized ahead for the file's rows), and all
 * of them out as sorted runs (core/spill) when the budget is full. Part of core/baseline.c's
 * build (core/baseline_int.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "baseline_int.h"
#include "mem.h"
#include "reader.h"
#include "sort.h"

static void reserve_doubles(double **v, size_t *cap, size_t want)
{
    if (want > *cap) {
        *v = md_xrealloc(*v, want * sizeof **v);
        *cap = want;
    }
}

/* Entries a table may have whatever it counts (32 KiB). */
#define WHOLE_FREE 4096

/* Keys written from a table at a time. */
#define WHOLE_RUN 65536

/* A piece of a run: the first begins it, the others lengthen it. */
static md_status put_piece(build *b, int64_t tag, const uint64_t *keys, size_t n, bool first,
                           md_err *err)
{
    return first ? md_spill_put(b->spill, b->owner, tag, SPILL_STREAM, keys, n, err)
                 : md_spill_put_more(b->spill, b->owner, tag, SPILL_STREAM, keys, n, err);
}

/* The values f's table counts, out as one sorted run of its stream (tag: its place), written
 * a piece at a time. */
static md_status spill_table(build *b, const fcol *f, int64_t tag, md_err *err)
{
    uint64_t *keys = md_xmalloc(WHOLE_RUN * sizeof *keys);
    size_t m = 0;
    bool first = true;
    md_status rc = MD_OK;
    for (size_t v = 0; rc == MD_OK && v < f->wcap; v++)
        for (uint64_t k = 0; rc == MD_OK && k < f->whole[v]; k++) {
            keys[m++] = md_double_key((double)v);
            if (m == WHOLE_RUN) {
                rc = put_piece(b, tag, keys, m, first, err);
                first = false;
                m = 0;
            }
        }
    if (rc == MD_OK && m)
        rc = put_piece(b, tag, keys, m, first, err);
    free(keys);
    return rc;
}

/* The end of f's table (a value came that it cannot count, the other half has no table, or
 * the tables fill the budget at a spill): the values it counts go to vals, in order, when `room`
 * more values fit the budget, else out as a sorted run; values go to vals from then on. */
void md_baseline_unwhole(build *b, fcol *f, size_t room)
{
    f->unwhole = true;
    size_t n = f->nwhole;
    b->held -= f->wcap; /* the table's memory, counted as values */
    if (n && n <= room) {
        reserve_doubles(&f->vals, &f->cap, f->nvals + n);
        for (size_t v = 0; v < f->wcap; v++)
            for (uint64_t k = 0; k < f->whole[v]; k++)
                f->vals[f->nvals++] = (double)v;
        b->held += n;
    } else if (n) {
        md_err err;
        md_status rc = spill_table(b, f, f - b->f, &err);
        if (rc != MD_OK && b->unwhole_rc == MD_OK) {
            b->unwhole_rc = rc;
            b->unwhole_err = err;
        }
        b->spilled_values += n;
    }
    free(f->whole);
    f->whole = NULL;
    f->wcap = f->nwhole = 0;
}

/* Grows f's table to hold whole number w, when a table that wide is worth its memory: up to
 * WHOLE_FREE entries, or twice as many as the values it is on course to count by the end of
 * what this build reads (a value held costs as much as an entry); false when it is not (its
 * values then go to vals). An entry counts as a value held against the budget. */
static bool table_room(build *b, fcol *f, size_t w)
{
    size_t cap = f->wcap ? f->wcap : 8;
    while (cap <= w)
        cap *= 2;
    size_t at = md_reader_offset(b->r), read = at > b->from ? at - b->from : 1,
           span = b->to > b->from + read ? b->to - b->from : read;
    double expect = (double)(f->nwhole + 1) * (double)span / (double)read;
    if (cap > WHOLE_FREE && (double)cap > 2 * expect)
        return false;
    f->whole = md_xrealloc(f->whole, cap * sizeof *f->whole);
    memset(f->whole + f->wcap, 0, (cap - f->wcap) * sizeof *f->whole);
    b->held += cap - f->wcap;
    f->wcap = cap;
    return true;
}

void md_baseline_add_number(build *b, fcol *f, double x)
{
    md_ks_pool_offer(&f->ks, md_ks_priority(b->row_at, f->seed), x);
    if (f->rule &&
        ((f->rule->has_min && x < f->rule->min) || (f->rule->has_max && x > f->rule->max)))
        f->violations++;
    f->numbers = true;
    if (!f->unwhole && x >= 0 && x < MD_WHOLE_MAX && !signbit(x)) {
        size_t w = (size_t)x;
        if ((double)w == x && (w < f->wcap || table_room(b, f, w))) {
            f->whole[w]++;
            f->nwhole++;
            return;
        }
    }
    if (!f->unwhole)
        md_baseline_unwhole(b, f, b->budget > b->held ? b->budget - b->held : 0);
    if (f->nvals == f->cap)
        f->vals = md_xgrow(f->vals, &f->cap, f->nvals + 1, sizeof *f->vals);
    f->vals[f->nvals++] = x;
    b->held++;
}

/* The entries of every table still counting, held as values. */
static size_t table_entries(const build *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->nf; i++)
        n += b->f[i].numeric && !b->f[i].unwhole ? b->f[i].wcap : 0;
    return n;
}

/* n values (doubles) out as one sorted run of stream `tag`, turned into keys in place. */
static md_status spill_doubles(build *b, int64_t tag, double *v, size_t n, md_err *err)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t k = md_double_key(v[i]);
        memcpy(&v[i], &k, sizeof k);
    }
    uint64_t *keys = (uint64_t *)(void *)v;
    md_sort_u64(keys, n);
    return md_spill_put(b->spill, b->owner, tag, SPILL_STREAM, keys, n, err);
}

/* Past the budget: every value held goes out as sorted runs (the profile merges them back),
 * and the arrays are used again. */
md_status md_baseline_spill_values(build *b, md_err *err)
{
    /* the tables stay while all of them together take at most half the budget; else they end,
     * their values out as runs */
    size_t tables = table_entries(b), kept = 0;
    for (size_t i = 0; i < b->nf; i++) {
        fcol *f = &b->f[i];
        if (f->numeric && !f->unwhole && f->wcap) {
            if (tables <= b->budget / 2) {
                kept += f->wcap;
            } else {
                md_baseline_unwhole(b, f, 0);
                if (b->unwhole_rc != MD_OK) {
                    *err = b->unwhole_err;
                    return err->code;
                }
            }
        }
        if (f->numeric && f->nvals && spill_doubles(b, (int64_t)i, f->vals, f->nvals, err) != MD_OK)
            return err->code;
        b->spilled_values += f->numeric ? f->nvals : 0;
        f->nvals = 0;
    }
    if (b->ns && spill_doubles(b, SPILL_SCORES, b->scores, b->ns, err) != MD_OK)
        return err->code;
    md_sort_u64(b->pairs, b->np);
    if (b->np &&
        md_spill_put(b->spill, b->owner, SPILL_PAIRS, SPILL_STREAM, b->pairs, b->np, err) != MD_OK)
        return err->code;
    b->spilled_rows += b->ns;
    b->spilled_labeled += b->np;
    b->spilled_values += b->ns + b->np;
    b->ns = b->np = 0;
    b->held = kept;
    return MD_OK;
}

/* Sizes the value arrays for the rows the range is likely to hold, a little over, so that
 * they are not grown (and copied) by doubling while the file is read. */
void md_baseline_reserve(build *b, size_t at)
{
    if (b->to <= b->from || at <= b->from)
        return;
    double per_row = (double)(at - b->from) / (double)b->good;
    size_t rows = (size_t)((double)(b->to - b->from) / per_row * 1.02) + 64;
    size_t tables = table_entries(b);              /* a fixed cost: not values a row */
    size_t per = (b->held - tables) / b->good + 1, /* values a row, rows held */
        most = (b->budget > tables ? b->budget - tables : 0) / per + 64;
    rows = rows < most ? rows : most;
    for (size_t i = 0; i < b->nf; i++)
        if (b->f[i].numeric && b->f[i].col >= 0 && b->f[i].unwhole) /* not while a table counts */
            reserve_doubles(&b->f[i].vals, &b->f[i].cap, rows);
    reserve_doubles(&b->scores, &b->scap, rows);
    if (b->np && b->pcap < rows) {
        b->pairs = md_xrealloc(b->pairs, rows * sizeof *b->pairs);
        b->pcap = rows;
    }
}
