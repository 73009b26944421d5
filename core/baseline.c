#include "baseline.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "clock.h"
#include "baseline_int.h"
#include "json.h"
#include "mem.h"
#include "registry_tx.h"
#include "sha256.h"
#include "sort.h"
#include "sql.h"
#include "values.h"

/* ---- columns ----------------------------------------------------------------------------------- */

static void add_feature(build *b, int64_t col)
{
    b->f = md_xgrow(b->f, &b->fcap, b->nf + 1, sizeof *b->f);
    fcol *f = &b->f[b->nf];
    memset(f, 0, sizeof *f);
    f->col = col;
    f->numeric = true;
    f->since = b->good;   /* a JSON key that appears late: the rows before lacked it */
    f->missing = b->good;
    f->flipped_at = -1;
    f->unwhole = b->o->no_whole_tables;
    uint64_t seed = b->o->seed ? b->o->seed : MD_BASELINE_DEFAULT_SEED;
    f->seed = md_mix64(seed * 0x9E3779B97F4A7C15ULL + b->nf);
    md_strmap_init(&f->cats);
    const char *name = md_reader_col(b->r, (size_t)col);
    int64_t ci = b->has_contract ? md_strmap_find(&b->contract.names, name, strlen(name)) : -1;
    if (ci >= 0) {
        f->rule = &b->contract.rules[ci];
        f->forced = b->contract.has_kind[ci];
        f->numeric = !f->forced || b->contract.kinds[ci] == MD_NUMERIC;
    }
    b->col_feature[col] = (int64_t)b->nf++;
}

/* Maps any columns the reader has that we have not seen (all of them for CSV at the start,
 * new JSON keys later). */
static void sync_columns(build *b)
{
    size_t n = md_reader_ncols(b->r);
    if (n == b->ncols)
        return;
    md_colmap_refresh(b->r, &b->o->read.cols, &b->m);
    b->col_feature = md_xrealloc(b->col_feature, n * sizeof *b->col_feature);
    for (size_t i = b->ncols; i < n; i++) {
        b->col_feature[i] = -1;
        if (!md_colmap_special(&b->m, (int64_t)i))
            add_feature(b, (int64_t)i);
    }
    b->ncols = n;
    /* A JSON key that turned out to be a special column stops being a feature. */
    for (size_t i = 0; i < b->nf; i++)
        if (md_colmap_special(&b->m, b->f[i].col))
            b->f[i].col = -1;
}

/* ---- the two passes ----------------------------------------------------------------------------- */

typedef void (*row_fn)(build *b, const md_field *f, const md_rowvals *v);

/* A value the contract declared numeric but that is not a number makes the row bad. */
static bool contract_types_ok(build *b, const md_field *fl, const char **col, char *why,
                              size_t cap)
{
    if (!b->has_contract) /* only a contract forces a kind */
        return true;
    for (size_t i = 0; i < b->nf; i++) {
        fcol *f = &b->f[i];
        double x;
        if (f->col < 0 || !f->forced || !f->numeric || md_value_missing(&fl[f->col]) ||
            md_value_number(&fl[f->col], &x))
            continue;
        char text[40];
        size_t n;
        const char *t = md_field_text(&fl[f->col], text, &n);
        *col = md_reader_col(b->r, (size_t)f->col);
        snprintf(why, cap, "'%.*s' is not a number, as the contract requires", (int)(n > 60 ? 60 : n),
                 t);
        return false;
    }
    return true;
}

/* A short text the feature's cache has (core/catcache.h), counted; false for anything else, *p
 * then saying where it would go. Tried before any other test: no missing value is ever put in
 * the cache. */
static bool count_cached(fcol *f, const md_field *v, md_catcache_probe *p)
{
    if (!f->cc)
        f->cc = md_xcalloc(1, sizeof *f->cc);
    if (!md_catcache_look(f->cc, v, p))
        return false;
    f->cnt[f->cc->val[p->slot]]++;
    f->violations += f->cc->flag[p->slot];
    return true;
}

/* A categorical value the cache did not have (p: its look there): the feature's category map,
 * and a short text remembered in the cache. */
static void count_uncached(fcol *f, const md_field *v, const md_catcache_probe *p)
{
    char buf[40];
    size_t n;
    const char *t = md_field_text(v, buf, &n);
    int64_t k = md_strmap_intern(&f->cats, t, n);
    f->cnt = md_xgrow_zero(f->cnt, &f->cnt_cap, (size_t)k + 1, sizeof *f->cnt);
    f->cnt[k]++;
    bool outside = f->rule && f->rule->has_allowed && md_strmap_find(&f->rule->allowed, t, n) < 0;
    f->violations += outside;
    if (p->cacheable && k <= INT32_MAX)
        md_catcache_put(f->cc, p->slot, p->lo, p->hi, (int32_t)k, outside);
}

/* One categorical value: a short text met before takes the cache, anything else the feature's
 * category map. */
static void count_category(fcol *f, const md_field *v)
{
    md_catcache_probe p;
    if (!count_cached(f, v, &p))
        count_uncached(f, v, &p);
}

/* A value of a feature still taken for numeric; a value that is not a number turns the feature
 * categorical, and the texts of the rows before it are collected by a second pass. A number is
 * tried first: it is never a missing value. */
static void collect_value(build *b, fcol *f, const md_field *v)
{
    double x;
    md_catcache_probe p;
    if (f->numeric ? md_value_number(v, &x) : count_cached(f, v, &p)) {
        if (f->numeric)
            md_baseline_add_number(b, f, x);
        return;
    }
    if (md_value_missing(v)) {
        f->missing++;
        f->violations += f->rule && f->rule->present && !f->rule->nullable;
        return;
    }
    if (f->numeric) {
        f->numeric = false;
        /* no numbers before: nothing to recollect */
        f->flipped_at = f->numbers ? b->good : f->since;
        free(f->vals);
        f->vals = NULL;
        f->nvals = f->cap = 0;
        b->held -= f->wcap;
        free(f->whole);
        f->whole = NULL;
        f->wcap = f->nwhole = 0;
        md_ks_pool_free(&f->ks); /* and any runs it spilled are not read */
        count_category(f, v);
        return;
    }
    count_uncached(f, v, &p); /* the cache was looked at above */
}

/* Second pass: the texts a flipped feature had before it flipped. */
static void recollect_row(build *b, const md_field *fl, const md_rowvals *v)
{
    (void)v;
    for (size_t i = 0; i < b->nf; i++) {
        fcol *f = &b->f[i];
        if (f->col >= 0 && f->flipped_at > b->good && b->good >= f->since &&
            !md_value_missing(&fl[f->col]))
            count_category(f, &fl[f->col]);
    }
    b->good++;
}

static void collect_row(build *b, const md_field *fl, const md_rowvals *v)
{
    static const md_field absent = {MD_F_ABSENT, false, NULL, 0, 0};
    for (size_t i = 0; i < b->nf; i++)
        collect_value(b, &b->f[i], b->f[i].col >= 0 ? &fl[b->f[i].col] : &absent);
    b->good++;
    b->scores = md_xgrow(b->scores, &b->scap, b->ns + 1, sizeof *b->scores);
    b->scores[b->ns++] = v->score;
    if (v->has_label) {
        b->pairs = md_xgrow(b->pairs, &b->pcap, b->np + 1, sizeof *b->pairs);
        b->pairs[b->np++] = md_pair_key(v->score, v->label);
    }
    b->held += 1 + v->has_label;
}

static md_status pass(build *b, row_fn fn, bool first, md_err *err)
{
    const md_field *fl;
    bool done = false;
    char why[256];
    const char *col = NULL;
    md_reader_rewind(b->r);
    for (uint64_t n = 0;; n++) {
        if (b->progress && b->o->progress && (n & 0xFFFF) == 0) /* the other half at its pace */
            b->o->progress(b->o->progress_ctx, (md_reader_offset(b->r) - b->from) * b->progress,
                           md_reader_size(b->r));
        bool skip = false;
        size_t at = md_reader_offset(b->r); /* where the row starts: its KS sample priority */
        if (md_reader_next(b->r, &fl, &done, err) != MD_OK) {
            if (!md_reader_skippable(b->r))
                return err->code;
            skip = true; /* a bad record, the reader past it */
        }
        if (done)
            return MD_OK;
        md_rowvals v;
        if (!skip) {
            sync_columns(b);
            if (md_row_read(fl, &b->m, false, &v, &col, why, sizeof why) &&
                contract_types_ok(b, fl, &col, why, sizeof why)) {
                b->row_at = md_mix64(at);
                fn(b, fl, &v);
                if (b->unwhole_rc != MD_OK) {
                    *err = b->unwhole_err;
                    return b->unwhole_rc;
                }
                if (first && b->good == MD_BASELINE_SIZE_AFTER)
                    md_baseline_reserve(b, md_reader_offset(b->r));
                if (b->held > b->budget && md_baseline_spill_values(b, err) != MD_OK)
                    return err->code;
                continue;
            }
        }
        if (!first)
            continue;
        if (!skip)
            md_err_set(err, MD_ERROR, "%s:%llu: column %s: %s", md_reader_path(b->r),
                       (unsigned long long)md_reader_line(b->r), col, why);
        if (b->rep->bad_rows == 0)
            snprintf(b->rep->first_bad, sizeof b->rep->first_bad, "%s", err->msg);
        if (++b->rep->bad_rows > b->o->read.max_bad_rows)
            return md_over_bad_rows(err, b->rep->bad_rows, b->o->read.max_bad_rows);
    }
}

/* ---- the command ---------------------------------------------------------------------------------- */

static md_status check_contract_names(build *b, md_err *err)
{
    for (size_t i = 0; b->has_contract && i < md_strmap_size(&b->contract.names); i++) {
        const char *name = md_strmap_key(&b->contract.names, i);
        int64_t col = md_reader_find(b->r, name);
        if (col < 0 || b->col_feature[col] < 0)
            return md_err_set(err, MD_INVALID, /* names are kept in the order of the list */
                              "%s: features[%zu].name: the contract names feature '%s', which "
                              "is not a feature column of %s",
                              b->o->contract_path, i, name, md_reader_path(b->r));
    }
    return MD_OK;
}

/* Forgets what was collected, as if nothing had been read. */
static void collected_free(build *b)
{
    for (size_t i = 0; i < b->nf; i++) {
        free(b->f[i].whole);
        free(b->f[i].vals);
        free(b->f[i].more);
        md_ks_pool_free(&b->f[i].ks);
        md_strmap_free(&b->f[i].cats);
        free(b->f[i].cnt);
        free(b->f[i].cc);
    }
    free(b->f);
    free(b->col_feature);
    free(b->pairs);
    free(b->scores);
    free(b->more_pairs);
    free(b->more_scores);
    b->more_pairs = NULL;
    b->more_scores = NULL;
    b->more_np = b->more_ns = 0;
    b->f = NULL;
    b->col_feature = NULL;
    b->pairs = NULL;
    b->scores = NULL;
    b->nf = b->fcap = b->ncols = b->np = b->pcap = b->ns = b->scap = 0;
    b->good = 0;
    b->sorted = false;
    b->held = 0;
    b->unwhole_rc = MD_OK;
    b->spilled_rows = b->spilled_labeled = b->spilled_values = 0;
    if (b->spill) { /* what either half wrote out */
        md_spill_drop(b->spill, 0);
        md_spill_drop(b->spill, 1);
    }
}

static void build_free(build *b)
{
    collected_free(b);
    md_spill_free(b->spill);
    b->spill = NULL;
    if (b->has_contract)
        md_contract_free(&b->contract);
    md_reader_close(b->r);
}

/* ---- two halves ---------------------------------------------------------------------------- */

typedef struct {
    build h;
    md_baseline_opts o;
    md_baseline_report rep;
    md_err err;
    md_status rc;
} half;

/* The second half, on its own thread: read, and its pairs sorted for the profile to merge. */
static void *read_half(void *arg)
{
    half *x = arg;
    x->rc = pass(&x->h, collect_row, true, &x->err);
    if (x->rc == MD_OK)
        md_sort_u64(x->h.pairs, x->h.np);
    return NULL;
}

static bool flipped_late(const build *b)
{
    for (size_t i = 0; i < b->nf; i++)
        if (b->f[i].flipped_at > b->f[i].since)
            return true;
    return false;
}

/* Whether the two halves together are what one pass would have collected. */
static bool halves_agree(const build *a, const half *x, size_t split)
{
    if (x->rc != MD_OK || x->rep.bad_rows || md_reader_offset(a->r) != split || x->h.nf != a->nf ||
        flipped_late(a) || flipped_late(&x->h))
        return false;
    /* feature i of each half is the column of the same name: JSON Lines keys are numbered in
     * the order a half meets them, and a key first met late in the first half but early in the
     * second would otherwise pair two features' values */
    for (size_t i = 0; i < a->nf; i++)
        if (a->f[i].col != x->h.f[i].col || a->f[i].numeric != x->h.f[i].numeric ||
            (a->f[i].col >= 0 && strcmp(md_reader_col(a->r, (size_t)a->f[i].col),
                                        md_reader_col(x->h.r, (size_t)x->h.f[i].col)) != 0))
            return false;
    return true;
}

/* Values the two halves may still take into memory together. */
static size_t room(const build *a, const build *h)
{
    size_t held = a->held + h->held;
    return a->budget > held ? a->budget - held : 0;
}

/* Adds the second half's counts to the first's; its values wait beside the first's (in file
 * order after them) for the profile, and its sorted pairs to be merged with the first's. */
static md_status join_half(build *a, build *h, md_err *err)
{
    for (size_t i = 0; i < a->nf; i++) {
        fcol *f = &a->f[i], *g = &h->f[i];
        f->missing += g->missing;
        f->violations += g->violations;
        if (f->numeric) {
            md_ks_pool_join(&f->ks, &g->ks);
            if (!f->unwhole && !g->unwhole) { /* two tables are one */
                size_t before = f->wcap;
                f->whole = md_xgrow_zero(f->whole, &f->wcap, g->wcap, sizeof *f->whole);
                a->held += f->wcap - before;
                for (size_t v = 0; v < g->wcap; v++)
                    f->whole[v] += g->whole[v];
                f->nwhole += g->nwhole;
                h->held -= g->wcap; /* its table is a's now */
                free(g->whole);
                g->whole = NULL;
                g->wcap = g->nwhole = 0;
                continue;
            }
            if (!f->unwhole) /* values beside values, the two halves' within one budget */
                md_baseline_unwhole(a, f, room(a, h));
            if (!g->unwhole)
                md_baseline_unwhole(h, g, room(a, h));
            f->more = g->vals;
            f->nmore = g->nvals;
            g->vals = NULL;
            g->nvals = 0;
            continue;
        }
        for (size_t k = 0; k < md_strmap_size(&g->cats); k++) {
            int64_t j =
                md_strmap_intern(&f->cats, md_strmap_key(&g->cats, k), md_strmap_len(&g->cats, k));
            f->cnt = md_xgrow_zero(f->cnt, &f->cnt_cap, (size_t)j + 1, sizeof *f->cnt);
            f->cnt[j] += g->cnt[k];
        }
    }
    a->more_scores = h->scores;
    a->more_ns = h->ns;
    a->more_pairs = h->pairs;
    a->more_np = h->np;
    h->scores = NULL;
    h->pairs = NULL;
    h->ns = h->np = 0;
    a->good += h->good;
    a->spilled_rows += h->spilled_rows;
    a->spilled_labeled += h->spilled_labeled;
    a->spilled_values += h->spilled_values;
    md_status rc = a->unwhole_rc != MD_OK ? a->unwhole_rc : h->unwhole_rc;
    if (rc != MD_OK)
        *err = a->unwhole_rc != MD_OK ? a->unwhole_err : h->unwhole_err;
    return rc;
}

/* Reads the file as two halves on two threads; *joined is false when one pass must read it
 * instead (nothing then stays collected). Errors are the first half's, which one pass would
 * have met first. */
static md_status read_halves(build *b, size_t split, bool *joined, md_err *err)
{
    *joined = false;
    half *x = md_xcalloc(1, sizeof *x);
    x->o = *b->o;
    x->o.read.max_bad_rows = 0; /* any trouble: one pass, with the right line numbers */
    x->h = (build){.o = &x->o,
                   .rep = &x->rep,
                   .contract = b->contract,
                   .has_contract = b->has_contract,
                   .from = split,
                   .to = md_reader_size(b->r),
                   .spill = b->spill,
                   .owner = 1,
                   .budget = b->budget / 2};
    pthread_t t;
    bool started =
        md_reader_open_range(b->r, split, md_reader_size(b->r), &x->h.r, &x->err) == MD_OK &&
        md_colmap_resolve(x->h.r, &b->o->read.cols, false, &x->h.m, &x->err) == MD_OK;
    if (started) {
        sync_columns(&x->h);
        started = pthread_create(&t, NULL, read_half, x) == 0;
    }
    md_status rc = MD_OK;
    if (started) {
        md_reader_set_limit(b->r, split);
        b->to = split;
        size_t budget = b->budget;
        b->budget /= 2;  /* one budget, the two halves' values together */
        b->progress = 2; /* the first half tells for both */
        rc = pass(b, collect_row, true, err);
        b->progress = 1;
        if (rc == MD_OK)
            md_sort_u64(b->pairs, b->np);
        b->to = md_reader_size(b->r);
        b->budget = budget;
        md_reader_set_limit(b->r, 0);
        pthread_join(t, NULL);
        *joined = rc == MD_OK && halves_agree(b, x, split);
        if (*joined) {
            b->sorted = true; /* both halves' pairs */
            rc = join_half(b, &x->h, err);
        }
        b->rep->parallel = *joined;
    }
    if (!*joined && rc == MD_OK) { /* start over */
        collected_free(b);
        b->rep->bad_rows = 0;
        b->rep->first_bad[0] = '\0';
        sync_columns(b);
    }
    x->h.has_contract = false; /* b's, and so is the spill */
    x->h.spill = NULL;
    build_free(&x->h);
    free(x);
    return rc;
}

static md_status read_file(build *b, const char *path, md_err *err)
{
    const md_read_opts *ro = &b->o->read;
    if (b->o->contract_path && md_contract_load(b->o->contract_path, &b->contract, err) != MD_OK)
        return err->code;
    b->has_contract = b->o->contract_path != NULL;
    if (md_reader_open(path, ro->format, &b->r, err) != MD_OK ||
        md_colmap_resolve(b->r, &ro->cols, false, &b->m, err) != MD_OK)
        return err->code;
    sync_columns(b);
    b->spill = md_spill_new(); /* a file only once values go out */
    b->budget = b->o->values_in_memory ? b->o->values_in_memory : MD_BASELINE_VALUES_IN_MEMORY;
    b->from = md_reader_data_start(b->r);
    b->to = md_reader_size(b->r);
    bool joined = false;
    int threads = b->o->threads > 0 ? b->o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    /* CSV or JSON Lines (whose halves agree when keys come in one order; else one pass) */
    size_t split = threads >= 2 ? md_reader_split_point(b->r, b->o->split_min) : 0;
    if (split && read_halves(b, split, &joined, err) != MD_OK)
        return err->code;
    if (!joined && pass(b, collect_row, true, err) != MD_OK)
        return err->code;
    if (md_reader_format(b->r) == MD_FMT_JSONL && b->m.score < 0)
        return md_err_set(err, MD_ERROR, "%s: no record has a score key '%s'", path,
                          b->m.names.score);
    if (check_contract_names(b, err) != MD_OK)
        return err->code;
    bool flipped = false;
    for (size_t i = 0; i < b->nf; i++)
        flipped |= b->f[i].flipped_at > b->f[i].since;
    b->good = 0;
    if (flipped && pass(b, recollect_row, false, err) != MD_OK)
        return err->code;
    b->rows = (int64_t)(b->ns + b->more_ns + b->spilled_rows);
    if (b->rows == 0 && b->rep->bad_rows)
        return md_err_set(err, MD_ERROR,
                          "%s: no rows to build a baseline from: all %lld were bad; the first: %s",
                          path, (long long)b->rep->bad_rows, b->rep->first_bad);
    if (b->rows == 0)
        return md_err_set(err, MD_ERROR, "%s: no rows to build a baseline from", path);
    return md_bad_share_check(&b->o->read, path, b->rows, b->rep->bad_rows, b->rep->first_bad, err);
}

/* Drops what was computed against the old profile: windows, their parts and ingests. */
static md_status drop_old(md_store *s, int64_t vid, int64_t *dropped, md_err *err)
{
    if (md_sql_int(s, dropped, err, "SELECT count(*) FROM windows WHERE version_id = ?", "i",
                   vid) ||
        md_sql_run(s, err, "DELETE FROM windows WHERE version_id = ?", "i", vid) ||
        md_sql_run(s, err, "DELETE FROM ingests WHERE version_id = ?", "i", vid) ||
        md_sql_run(s, err, "DELETE FROM baselines WHERE version_id = ?", "i", vid))
        return err->code;
    return MD_OK;
}

/* A version's baseline is replaced only when asked: the windows computed against it go. */
static md_status already(const char *model, int64_t number, md_err *err)
{
    return md_err_set(err, MD_REFUSED,
                      "%s v%lld already has a baseline; pass --replace to rebuild it (windows "
                      "computed against the old one are dropped)",
                      model, (long long)number);
}

static md_status store_profile(md_store *s, const md_actor *a, const char *model, int64_t number,
                               const md_baseline *p, build *b, md_err *err)
{
    if (md_write_begin(s, a, MD_PERM_MONITOR_WRITE, err) != MD_OK)
        return err->code;
    int64_t vid, exists = 0;
    char status[16];
    md_status rc = md_version_lookup(s, model, number, &vid, status, err);
    if (rc == MD_OK)
        rc = md_sql_int(s, &exists, err, "SELECT count(*) FROM baselines WHERE version_id = ?",
                        "i", vid);
    if (rc == MD_OK && exists && !b->o->read.replace)
        rc = already(model, number, err);
    if (rc == MD_OK && exists)
        rc = drop_old(s, vid, &b->rep->dropped_windows, err);
    if (rc == MD_OK)
        rc = md_baseline_save(s, vid, p, err);
    char *object = md_xasprintf("version:%s/%lld", model, (long long)number);
    json_t *d = json_pack("{s:s, s:s, s:I, s:I, s:I, s:b, s:I}", "source", p->source, "sha256",
                          p->source_sha256, "rows", (json_int_t)p->rows, "features",
                          (json_int_t)p->nfeatures, "bad_rows", (json_int_t)b->rep->bad_rows,
                          "replaced", exists != 0, "dropped_windows",
                          (json_int_t)b->rep->dropped_windows);
    if (rc == MD_OK)
        rc = md_audit_append(s, a->name, exists ? "baseline.replace" : "baseline.set", object,
                             "baseline built", d, NULL, err);
    json_decref(d);
    free(object);
    return md_tx_end(s, rc, err);
}

/* A categorical feature (not by its contract) whose values are at least 95% numbers: the
 * texts that are not turned it categorical, and its numbers are categories, so a window's number
 * the baseline never held counts as a new one. Noted with those texts, the most frequent first,
 * and how many distinct numbers it holds. */
static void note_mostly_numbers(const build *b, const md_baseline *p, md_baseline_report *rep)
{
    size_t cap = sizeof rep->mostly_numbers / sizeof rep->mostly_numbers[0];
    for (size_t i = 0, j = 0; i < b->nf && rep->nmostly_numbers < cap; i++) {
        if (b->f[i].col < 0)
            continue;
        const md_bfeature *f = &p->features[j++];
        if (f->kind != MD_CATEGORICAL || b->f[i].forced)
            continue;
        __typeof__(rep->mostly_numbers[0]) m = {.values = f->rows - f->missing};
        for (size_t c = 0; c < md_strmap_size(&f->cats); c++) {
            const char *t = md_strmap_key(&f->cats, c);
            md_field v = {.kind = MD_F_TEXT, .p = t, .n = strlen(t)};
            double x;
            if (md_value_number(&v, &x)) {
                m.numbers += f->cat_counts[c];
                m.distinct_numbers++;
                continue;
            }
            size_t at = m.nstray; /* kept by rows, most first */
            while (at > 0 && m.stray[at - 1].rows < f->cat_counts[c])
                at--;
            if (at == sizeof m.stray / sizeof m.stray[0])
                continue;
            m.nstray += m.nstray < sizeof m.stray / sizeof m.stray[0];
            memmove(&m.stray[at + 1], &m.stray[at], (m.nstray - 1 - at) * sizeof m.stray[0]);
            snprintf(m.stray[at].text, sizeof m.stray[at].text, "%s", t);
            m.stray[at].rows = f->cat_counts[c];
        }
        if (m.numbers == 0 || m.numbers * 100 < m.values * 95)
            continue;
        snprintf(m.name, sizeof m.name, "%s", f->name);
        rep->mostly_numbers[rep->nmostly_numbers++] = m;
    }
}

/* Whether a category list reads as timestamps: its first few values all do, as an ingest
 * reads a timestamp column (ISO-8601 with a zone). */
static bool reads_as_timestamps(const md_strmap *cats)
{
    size_t n = md_strmap_size(cats), look = n < 20 ? n : 20;
    for (size_t i = 0; i < look; i++) {
        int64_t ms;
        if (md_time_parse_iso(md_strmap_key(cats, i), true, &ms, NULL) != MD_OK)
            return false;
    }
    return look > 0;
}

md_status md_baseline_build(md_store *s, const md_actor *a, const char *model, int64_t number,
                            const char *path, const md_baseline_opts *o, md_baseline_report *rep,
                            md_err *err)
{
    memset(rep, 0, sizeof *rep);
    int64_t vid;
    char status[16];
    int64_t exists = 0;
    if (md_authz_check(s, a, MD_PERM_MONITOR_WRITE, err) != MD_OK ||
        md_version_lookup(s, model, number, &vid, status, err) != MD_OK ||
        md_sql_int(s, &exists, err, "SELECT count(*) FROM baselines WHERE version_id = ?", "i",
                   vid) != MD_OK)
        return err->code; /* fail fast, before reading a large file */
    if (exists && !o->read.replace)
        return already(model, number, err);
    build b = {.o = o, .rep = rep, .progress = 1};
    md_baseline p = {0};
    md_file_hasher *hash = md_file_hash_start_behind(path); /* beside the reading, the profile */
    md_status rc = read_file(&b, path, err);
    if (rc == MD_OK) {
        char sha[65];
        md_baseline_profile(&b, path, a->name, &p);
        rc = md_file_hash_finish(hash, md_reader_size(b.r), sha, err);
        if (rc == MD_OK && b.spill_failed)
            rc = md_err_set(err, MD_ERROR,
                            "%s: the values written to a temporary file (past %zu "
                            "in memory) could not be read back",
                            path, b.budget);
        hash = NULL;
        p.source_sha256 = md_xstrdup(sha);
    }
    md_file_hash_cancel(hash); /* the reading failed */
    if (rc == MD_OK)
        rc = store_profile(s, a, model, number, &p, &b, err);
    if (rc == MD_OK)
        note_mostly_numbers(&b, &p, rep);
    /* a categorical feature with a distinct value in (nearly) every row compares windows on
     * categories they will not share: every window value is a new category */
    for (size_t i = 0; rc == MD_OK && i < p.nfeatures; i++) {
        const md_bfeature *f = &p.features[i];
        int64_t values = f->rows - f->missing, distinct = (int64_t)md_strmap_size(&f->cats);
        bool numbers = false; /* said already: the numbers it was meant to hold */
        for (size_t k = 0; k < rep->nmostly_numbers; k++)
            numbers |= strcmp(rep->mostly_numbers[k].name, f->name) == 0;
        if (f->kind != MD_CATEGORICAL || values < 100 || distinct * 10 < values * 9 || numbers ||
            rep->nid_like == sizeof rep->id_like / sizeof rep->id_like[0])
            continue;
        snprintf(rep->id_like[rep->nid_like].name, sizeof rep->id_like[0].name, "%s", f->name);
        rep->id_like[rep->nid_like].distinct = distinct;
        rep->id_like[rep->nid_like].timestamps = reads_as_timestamps(&f->cats);
        rep->id_like[rep->nid_like++].values = values;
    }
    rep->rows = b.rows;
    rep->labeled = p.labeled;
    rep->spilled_values = b.spilled_values;
    rep->positives = p.positives;
    for (size_t i = 0; i < b.nf; i++) {
        rep->violations += b.f[i].violations;
        if (b.f[i].col >= 0)
            b.f[i].numeric ? rep->numeric++ : rep->categorical++;
    }
    md_baseline_free(&p);
    build_free(&b);
    return rc;
}

md_status md_baseline_get(md_store *s, const char *model, int64_t number, md_baseline *b,
                          md_err *err)
{
    int64_t vid;
    char status[16];
    if (md_version_lookup(s, model, number, &vid, status, err) != MD_OK)
        return err->code;
    md_status rc = md_baseline_load(s, vid, b, err);
    if (rc == MD_NOTFOUND)
        md_err_set(err, MD_NOTFOUND, "%s v%lld has no baseline (build one with 'modeldeck "
                                     "baseline %s %lld FILE')",
                   model, (long long)number, model, (long long)number);
    return rc;
}
