/* New categories past the bound a window keeps by name (core/newcats.c): memory that stays
 * bounded when a feature's values turn unique per row, the same names and counts whatever the
 * order rows come in or how they are split and merged, exact numbers below the bound, and
 * honest ones past it (rows exact, distinct estimated, PSI between two bounds). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "mem.h"
#include "monitoring.h"
#include "results.h"
#include "testutil.h"
#include "window.h"

#define DISTINCT 5000  /* categories c0000 ... c4999, category i seen 1 + i % 7 times */
#define HEAVY    10000 /* and "heavy", seen this many times */

static void teardown(void)
{
    tu_cleanup();
}

static void feat_init(md_wfeat *f)
{
    memset(f, 0, sizeof *f);
    md_strmap_init(&f->newcats);
    f->newcut = UINT64_MAX;
}

static void feat_free(md_wfeat *f)
{
    md_strmap_free(&f->newcats);
    free(f->newcnt);
}

static void cat_name(int i, char out[16])
{
    if (i == DISTINCT)
        snprintf(out, 16, "heavy");
    else
        snprintf(out, 16, "c%04d", i);
}

static int64_t true_count(int i)
{
    return i == DISTINCT ? HEAVY : 1 + i % 7;
}

/* Every occurrence once, as category numbers, shuffled with `seed`. */
static int *occurrences(uint64_t seed, size_t *n)
{
    size_t total = 0;
    for (int i = 0; i <= DISTINCT; i++)
        total += (size_t)true_count(i);
    int *o = md_xmalloc(total * sizeof *o);
    size_t k = 0;
    for (int i = 0; i <= DISTINCT; i++)
        for (int64_t j = 0; j < true_count(i); j++)
            o[k++] = i;
    mon_rng = seed;
    for (size_t i = total - 1; i > 0; i--) {
        size_t j = (size_t)(mon_unif() * (double)(i + 1));
        int t = o[i];
        o[i] = o[j];
        o[j] = t;
    }
    *n = total;
    return o;
}

static void add_range(md_wfeat *f, const md_bfeature *bf, const int *o, size_t from, size_t to)
{
    char name[16];
    for (size_t i = from; i < to; i++) {
        cat_name(o[i], name);
        md_newcats_add(f, bf, name, strlen(name), 1);
        ck_assert_uint_le(md_strmap_size(&f->newcats), MD_NEWCATS_NAMED + MD_NEWCATS_NAMED / 4);
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void expect_same(const md_wfeat *a, const md_wfeat *b)
{
    ck_assert_uint_eq(md_strmap_size(&a->newcats), md_strmap_size(&b->newcats));
    ck_assert_int_eq(a->newother, b->newother);
    ck_assert_uint_eq(a->newcut, b->newcut);
    for (size_t i = 0; i < md_strmap_size(&a->newcats); i++) {
        const char *k = md_strmap_key(&a->newcats, i);
        int64_t j = md_strmap_find(&b->newcats, k, strlen(k));
        ck_assert_msg(j >= 0, "%s is named in one and not the other", k);
        ck_assert_int_eq(a->newcnt[i], b->newcnt[j]);
    }
}

/* Past the bound: memory stays within it all along, the names kept are the lowest-ranked ones
 * with their exact counts, every other row is counted, and the distinct count is estimated
 * within 10% (about 3 standard errors; the ranks are fixed, so the figure is too). */
START_TEST(past_the_bound_keeps_the_lowest_ranked_exactly)
{
    md_bfeature bf = {.kind = MD_CATEGORICAL};
    size_t n;
    int *o = occurrences(7, &n);
    md_wfeat f;
    feat_init(&f);
    add_range(&f, &bf, o, 0, n);
    md_newcats_settle(&f, &bf);
    ck_assert_uint_eq(md_strmap_size(&f.newcats), MD_NEWCATS_NAMED);

    uint64_t rank[DISTINCT + 1];
    char name[16];
    for (int i = 0; i <= DISTINCT; i++) {
        cat_name(i, name);
        rank[i] = md_category_rank(name, strlen(name));
    }
    uint64_t sorted[DISTINCT + 1];
    memcpy(sorted, rank, sizeof rank);
    qsort(sorted, DISTINCT + 1, sizeof *sorted, cmp_u64);
    int64_t named_rows = 0;
    for (int i = 0; i <= DISTINCT; i++) {
        cat_name(i, name);
        int64_t j = md_strmap_find(&f.newcats, name, strlen(name));
        bool lowest = rank[i] <= sorted[MD_NEWCATS_NAMED - 1];
        ck_assert_msg((j >= 0) == lowest, "%s: named %d, among the lowest ranks %d", name, j >= 0,
                      lowest);
        if (j >= 0) {
            ck_assert_int_eq(f.newcnt[j], true_count(i));
            named_rows += f.newcnt[j];
        }
    }
    ck_assert_int_eq(named_rows + f.newother, (int64_t)n);
    bool estimated;
    int64_t d = md_newcats_distinct(&f, &bf, &estimated);
    ck_assert(estimated);
    ck_assert_msg(fabs((double)d - (DISTINCT + 1)) < 0.1 * (DISTINCT + 1), "distinct %lld",
                  (long long)d);
    feat_free(&f);
    free(o);
}
END_TEST

/* The same rows in another order, or in two parts merged (a pass on two threads, a later
 * ingest into the same window) keep the same names, counts and cut. */
START_TEST(order_and_merging_change_nothing)
{
    md_bfeature bf = {.kind = MD_CATEGORICAL};
    size_t n, n2;
    int *o = occurrences(7, &n), *o2 = occurrences(99, &n2);
    md_wfeat one, other, a, b;
    feat_init(&one);
    feat_init(&other);
    feat_init(&a);
    feat_init(&b);
    add_range(&one, &bf, o, 0, n);
    add_range(&other, &bf, o2, 0, n2);
    add_range(&a, &bf, o2, 0, n2 / 3); /* a part past the bound, merged into one that is not */
    add_range(&b, &bf, o2, n2 / 3, n2);
    md_newcats_merge(&b, &bf, &a.newcats, a.newcnt, a.newother, a.newcut);
    md_newcats_settle(&one, &bf);
    md_newcats_settle(&other, &bf);
    md_newcats_settle(&b, &bf);
    expect_same(&one, &other);
    expect_same(&one, &b);
    md_wfeat few, merged;
    feat_init(&few);
    feat_init(&merged);
    add_range(&few, &bf, o, 0, 500); /* and the other way round */
    ck_assert_uint_eq(few.newcut, UINT64_MAX);
    add_range(&merged, &bf, o, 500, n);
    md_newcats_merge(&few, &bf, &merged.newcats, merged.newcnt, merged.newother, merged.newcut);
    md_newcats_settle(&few, &bf);
    expect_same(&one, &few);
    feat_free(&one);
    feat_free(&other);
    feat_free(&a);
    feat_free(&b);
    feat_free(&few);
    feat_free(&merged);
    free(o);
    free(o2);
}
END_TEST

/* Up to the bound every new category is named and counted, and nothing is estimated. */
START_TEST(within_the_bound_everything_is_exact)
{
    md_bfeature bf = {.kind = MD_CATEGORICAL};
    md_wfeat f;
    feat_init(&f);
    char name[16];
    for (int r = 0; r < 3; r++)
        for (int i = 0; i < MD_NEWCATS_NAMED; i++) {
            cat_name(i, name);
            md_newcats_add(&f, &bf, name, strlen(name), 1 + r);
        }
    md_newcats_settle(&f, &bf);
    ck_assert_uint_eq(md_strmap_size(&f.newcats), MD_NEWCATS_NAMED);
    ck_assert_int_eq(f.newother, 0);
    bool estimated;
    ck_assert_int_eq(md_newcats_distinct(&f, &bf, &estimated), MD_NEWCATS_NAMED);
    ck_assert(!estimated);
    for (size_t i = 0; i < md_strmap_size(&f.newcats); i++)
        ck_assert_int_eq(f.newcnt[i], 6);
    feat_free(&f);
}
END_TEST

/* Categories the contract allows are not new categories to report: they stay named with their
 * counts past the bound, and the distinct count leaves them out. */
START_TEST(allowed_categories_stay_named)
{
    md_bfeature bf = {.kind = MD_CATEGORICAL};
    md_strmap_init(&bf.rule.allowed);
    bf.rule.has_allowed = true;
    md_strmap_intern(&bf.rule.allowed, "ok-1", 4);
    md_strmap_intern(&bf.rule.allowed, "ok-2", 4);
    md_wfeat f;
    feat_init(&f);
    char name[16];
    for (int i = 0; i < 4 * MD_NEWCATS_NAMED; i++) {
        cat_name(i, name);
        md_newcats_add(&f, &bf, name, strlen(name), 1);
        md_newcats_add(&f, &bf, i % 2 ? "ok-1" : "ok-2", 4, 1);
    }
    md_newcats_settle(&f, &bf);
    ck_assert_uint_eq(md_strmap_size(&f.newcats), MD_NEWCATS_NAMED + 2);
    ck_assert_int_eq(f.newcnt[md_strmap_find(&f.newcats, "ok-1", 4)], 2 * MD_NEWCATS_NAMED);
    ck_assert_int_eq(f.newcnt[md_strmap_find(&f.newcats, "ok-2", 4)], 2 * MD_NEWCATS_NAMED);
    ck_assert_int_eq(f.newother, 3 * MD_NEWCATS_NAMED);
    bool estimated;
    int64_t d = md_newcats_distinct(&f, &bf, &estimated);
    ck_assert(estimated);
    ck_assert_msg(fabs((double)d - 4 * MD_NEWCATS_NAMED) < 0.1 * 4 * MD_NEWCATS_NAMED, "%lld",
                  (long long)d);
    feat_free(&f);
    md_strmap_free(&bf.rule.allowed);
}
END_TEST

/* A log whose `ch` turned unique per row, with one heavy new category: 6,000 rows on one day,
 * every third row "web", one in six "flood", the rest unique. */
static char *unique_log(int from, int to, bool header)
{
    size_t cap = (size_t)(to - from) * 64 + 64, len = 0;
    char *out = md_xmalloc(cap);
    if (header)
        len += (size_t)snprintf(out, cap, "ts,score,label,x,n,ch\n");
    for (int i = from; i < to; i++) {
        char ch[16];
        snprintf(ch, sizeof ch, "u%05d", i);
        len += (size_t)snprintf(out + len, cap - len,
                                "2026-10-01T%02d:%02d:00Z,0.%03d,%d,%.2f,%d,%s\n", i % 24, i % 60,
                                100 + i % 800, i % 2, (i % 50) / 10.0, i % 6,
                                i % 3 == 0   ? "web"
                                : i % 6 == 1 ? "flood"
                                             : ch);
    }
    return out;
}

static json_t *ch_row(md_store *s)
{
    json_t *d;
    md_err err;
    ck_assert_int_eq(md_drift_json(s, "churn", 1, NULL, &d, &err), MD_OK);
    json_t *rows = json_object_get(d, "drift"), *r, *found = NULL;
    size_t i;
    json_array_foreach(rows, i, r) if (strcmp(json_string_value(json_object_get(r, "feature")),
                                              "ch") == 0) found = json_incref(r);
    json_decref(d);
    ck_assert_ptr_nonnull(found);
    return found;
}

/* Through ingest: the rows of new categories are counted exactly, the distinct count is
 * estimated and says so, the window keeps no more than the bound of names, PSI is a lower
 * bound with psi_max above it and the true PSI (from the counts the log was made with) between
 * them; one pass, two threads and two ingests into the same window agree. */
START_TEST(ingest_past_the_bound)
{
    md_store *one = mon_store(), *two = mon_clone_store(one, "two.db"),
             *par = mon_clone_store(one, "par.db");
    char *all = unique_log(0, 6000, true), *head = unique_log(0, 2500, true),
         *tail = unique_log(2500, 6000, true);
    md_ingest_report rep;
    md_err err;
    md_ingest_opts serial = {.threads = 1},
                   split = {.threads = 2, .split_min = 1, .piece = 16 << 10};
    ck_assert_int_eq(mon_ingest(one, mon_write_file("all.csv", all), &serial, &rep, &err), MD_OK);
    ck_assert_int_eq(mon_ingest(par, mon_write_file("all.csv", all), &split, &rep, &err), MD_OK);
    ck_assert(rep.parallel);
    ck_assert_int_eq(mon_ingest(two, mon_write_file("head.csv", head), NULL, &rep, &err), MD_OK);
    ck_assert_int_eq(mon_ingest(two, mon_write_file("tail.csv", tail), NULL, &rep, &err), MD_OK);
    mon_expect_same_results(one, two);
    mon_expect_same_results(one, par);

    json_t *r = ch_row(one);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "schema_changes")), 4000);
    ck_assert(json_is_true(json_object_get(r, "new_categories_estimated")));
    double d = (double)json_integer_value(json_object_get(r, "new_categories_distinct"));
    ck_assert_msg(fabs(d - 3001) < 300, "distinct %g", d);
    ck_assert_uint_le(json_object_size(json_object_get(r, "hist")), MD_NEWCATS_NAMED + 4);
    ck_assert_uint_eq(json_array_size(json_object_get(r, "new_categories")), 20);

    /* PSI by its definition over every category: "web" 2,000, "flood" 1,000 and 3,000 of one
     * row each, against the baseline's shares */
    md_baseline b;
    ck_assert_int_eq(md_baseline_get(one, "churn", 1, &b, &err), MD_OK);
    const md_bfeature *bf = NULL;
    for (size_t i = 0; i < b.nfeatures; i++)
        if (strcmp(b.features[i].name, "ch") == 0)
            bf = &b.features[i];
    ck_assert_ptr_nonnull(bf);
    double m = 0, want = 0;
    for (size_t i = 0; i < md_strmap_size(&bf->cats); i++)
        m += (double)bf->cat_counts[i];
    for (size_t i = 0; i < md_strmap_size(&bf->cats); i++) {
        double e = fmax((double)bf->cat_counts[i] / m, 1e-4),
               a = fmax(strcmp(md_strmap_key(&bf->cats, i), "web") ? 0 : 2000.0 / 6000, 1e-4);
        want += (a - e) * log(a / e);
    }
    want += (1000.0 / 6000 - 1e-4) * log(1000.0 / 6000 / 1e-4);  /* flood */
    want += 3000 * (1.0 / 6000 - 1e-4) * log(1.0 / 6000 / 1e-4); /* the unique ones */
    double psi = json_real_value(json_object_get(r, "psi")),
           most = json_real_value(json_object_get(r, "psi_max"));
    ck_assert_msg(psi <= want + 1e-12 && want <= most + 1e-12, "%g <= %g <= %g", psi, want, most);
    md_baseline_free(&b);
    json_decref(r);
    free(all);
    free(head);
    free(tail);
    md_store_close(one);
    md_store_close(two);
    md_store_close(par);
}
END_TEST

Suite *suite_newcats(void)
{
    Suite *s = suite_create("newcats");
    TCase *tc = tcase_create("newcats");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, past_the_bound_keeps_the_lowest_ranked_exactly);
    tcase_add_test(tc, order_and_merging_change_nothing);
    tcase_add_test(tc, within_the_bound_everything_is_exact);
    tcase_add_test(tc, allowed_categories_stay_named);
    tcase_add_test(tc, ingest_past_the_bound);
    suite_add_tcase(s, tc);
    return s;
}
