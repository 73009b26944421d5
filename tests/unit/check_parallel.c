/* parallel: the numbers of an ingest or a baseline do not depend on how the rows arrive (one
 * ingest or several, one thread or two, pieces of any size taken by either thread, in memory or
 * spilled), and a bad row read by either thread is named by its real line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "ingest.h"
#include "mem.h"
#include "sql.h"
#include "monitoring.h"
#include "testutil.h"
#include "versions.h"
#include "window.h"

static void teardown(void)
{
    tu_cleanup();
}

START_TEST(split_ingests_equal_one)
{
    md_store *whole = mon_store(), *parts = mon_clone_store(whole, "parts.db");
    char *all = mon_rows_csv(2000, 3, 0.4, true, false);
    char *mid = mon_after_lines(all, 1000);
    char *first = md_xasprintf("ts,score,label,x,n,ch\n%.*s", (int)(mid - all), all);
    char *second = md_xasprintf("ts,score,label,x,n,ch\n%s", mid);
    char *both = md_xasprintf("ts,score,label,x,n,ch\n%s", all);
    md_ingest_report rep;
    md_err err;
    ck_assert_int_eq(mon_ingest(whole, mon_write_file("all.csv", both), NULL, &rep, &err), MD_OK);
    ck_assert_int_eq(mon_ingest(parts, mon_write_file("a.csv", first), NULL, &rep, &err), MD_OK);
    ck_assert_int_eq(mon_ingest(parts, mon_write_file("b.csv", second), NULL, &rep, &err), MD_OK);
    ck_assert_int_eq(tu_count(parts, "SELECT count(*) FROM window_parts"), 6);
    mon_expect_same_results(whole, parts);
    /* Few distinct scores: AUC stays exact after the merge. */
    ck_assert_int_eq(tu_count(parts, "SELECT count(*) FROM windows WHERE auc_exact = 0"), 0);
    free(all);
    free(first);
    free(second);
    free(both);
    md_store_close(parts);
    md_store_close(whole);
}
END_TEST

/* A window's part as stored by every part format there has been (1: no over-SLA count;
 * 2: exact values as 8 bytes each; 3: as decimals; 4: new categories past the bound; 5: KS
 * counters as tokens, smaller) reads back to the same numbers, and a window of parts of two
 * formats is one of today's: stores written by earlier versions keep working. Scores and
 * latencies here are few enough to be kept exactly, written with decimals, zeros among the
 * latencies. */
START_TEST(parts_of_every_format_read_back_alike)
{
    md_store *s = mon_store();
    size_t cap = 3000 * 80 + 64, len = 0;
    char *text = malloc(cap);
    len += (size_t)snprintf(text, cap, "ts,score,label,x,n,ch,lat\n");
    for (int i = 0; i < 3000; i++) {
        double score = round(mon_unif() * 1e5) / 1e5;
        len += (size_t)snprintf(text + len, cap - len,
                                "2026-10-01T%02d:00:00Z,%.5f,%d,%.4f,%d,web,%.1f\n", i % 24, score,
                                mon_unif() < score, mon_unif() * 3 - 1, i % 5,
                                i % 7 ? round(mon_unif() * 3000) / 10 : 0.0);
    }
    md_ingest_opts o = {0};
    o.read.cols.latency = "lat";
    md_ingest_report rep;
    md_err err;
    ck_assert_int_eq(mon_ingest(s, mon_write_file("lat.csv", text), &o, &rep, &err), MD_OK);
    free(text);
    int64_t vid = tu_count(s, "SELECT id FROM versions");
    md_baseline b;
    ck_assert_int_eq(md_baseline_load(s, vid, &b, &err), MD_OK);
    md_window_part *parts;
    size_t n;
    ck_assert_int_eq(md_window_parts_load(s, vid, "day", "2026-10-01", &parts, &n, &err), MD_OK);
    ck_assert_uint_eq(n, 1);
    md_window stored;
    md_window_init(&stored, &b, 0);
    ck_assert_int_eq(md_window_add_part(&stored, &b, parts[0].blob, parts[0].n, &err), MD_OK);
    md_drift_policy pol;
    md_drift_policy_default(&pol);
    md_model_limits lim = {true, 100};
    md_window_result want;
    md_window_compute(&stored, &b, &pol, &lim, &want);
    ck_assert(json_is_true(json_object_get(want.latency, "exact")));
    size_t sizes[6] = {0};
    for (unsigned format = 1; format <= 5; format++) {
        md_wbuf blob = {0};
        md_window_serialize_as(&stored, &b, &blob, format);
        sizes[format] = blob.n;
        md_window back;
        md_window_init(&back, &b, 0);
        ck_assert_int_eq(md_window_add_part(&back, &b, blob.p, blob.n, &err), MD_OK);
        md_window_result got;
        md_window_compute(&back, &b, &pol, &lim, &got);
        ck_assert_msg(got.auc == want.auc && got.brier == want.brier && got.ece == want.ece,
                      "format %u", format);
        ck_assert_msg(json_equal(got.deciles, want.deciles), "format %u", format);
        ck_assert_msg(json_equal(got.latency, want.latency), "format %u", format);
        for (size_t i = 0; i < want.ndrift; i++)
            ck_assert(got.drift[i].psi == want.drift[i].psi && got.drift[i].ks == want.drift[i].ks);
        md_window_result_free(&got);
        md_window_free(&back);
        md_wbuf_free(&blob);
    }
    ck_assert_msg(sizes[3] * 2 < sizes[2], "format 3: %zu bytes, format 2: %zu", sizes[3],
                  sizes[2]);
    ck_assert_msg(sizes[5] < sizes[4], "format 5: %zu bytes, format 4: %zu", sizes[5], sizes[4]);
    /* a window of parts stored by two versions (a format 4 part and a format 5 one) is the
     * window of two parts of today's */
    md_window mixed, same;
    md_window_init(&mixed, &b, 0);
    md_window_init(&same, &b, 0);
    for (unsigned k = 0; k < 2; k++) {
        md_wbuf old = {0}, now = {0};
        md_window_serialize_as(&stored, &b, &old, k ? 4 : 5);
        md_window_serialize(&stored, &b, &now);
        ck_assert_int_eq(md_window_add_part(&mixed, &b, old.p, old.n, &err), MD_OK);
        ck_assert_int_eq(md_window_add_part(&same, &b, now.p, now.n, &err), MD_OK);
        md_wbuf_free(&old);
        md_wbuf_free(&now);
    }
    md_window_result got_mixed, got_same;
    md_window_compute(&mixed, &b, &pol, &lim, &got_mixed);
    md_window_compute(&same, &b, &pol, &lim, &got_same);
    ck_assert(got_mixed.auc == got_same.auc && got_mixed.brier == got_same.brier);
    ck_assert(json_equal(got_mixed.deciles, got_same.deciles));
    ck_assert(json_equal(got_mixed.latency, got_same.latency));
    for (size_t i = 0; i < got_same.ndrift; i++)
        ck_assert(got_mixed.drift[i].psi == got_same.drift[i].psi &&
                  got_mixed.drift[i].ks == got_same.drift[i].ks);
    md_window_result_free(&got_mixed);
    md_window_result_free(&got_same);
    md_window_free(&mixed);
    md_window_free(&same);
    md_window_result_free(&want);
    md_window_free(&stored);
    md_window_parts_free(parts, n);
    md_baseline_free(&b);
    md_store_close(s);
}
END_TEST

static int cmp_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The row loop counts numeric values in batches kept for a few windows at a time. Rows of many
 * windows mixed row by row (each row another day, and with hourly windows another hour: far
 * more windows at once than there are batches) must give the numbers the same rows give
 * window by window, by day and by hour. */
START_TEST(windows_mixed_row_by_row_equal_windows_in_order)
{
    md_store *base = mon_store();
    char *rows = mon_rows_csv(9000, 9, 0.3, true, false); /* 9 days; 72 of their hours */
    char **line = malloc(9000 * sizeof *line);
    size_t n = 0;
    for (char *p = rows; *p; p = strchr(p, '\n') + 1)
        line[n++] = p;
    char *mixed = md_xasprintf("ts,score,label,x,n,ch\n%s", rows);
    for (size_t i = 0; i < n; i++)
        *strchr(line[i], '\n') = '\0';
    qsort(line, n, sizeof *line, cmp_line); /* by timestamp: window after window */
    size_t len = 0, cap = strlen(mixed) + 1;
    char *ordered = malloc(cap);
    len += (size_t)snprintf(ordered, cap, "ts,score,label,x,n,ch\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(ordered + len, cap - len, "%s\n", line[i]);
    char *mixed_path = md_xstrdup(mon_write_file("mixed.csv", mixed)); /* tu_path's buffer */
    char *ordered_path = md_xstrdup(mon_write_file("ordered.csv", ordered));
    for (int hourly = 0; hourly < 2; hourly++) {
        md_store *a = mon_clone_store(base, hourly ? "a-hour.db" : "a-day.db"),
                 *b = mon_clone_store(base, hourly ? "b-hour.db" : "b-day.db");
        md_ingest_opts o = {.threads = 1, .window = hourly ? MD_WINDOW_HOUR : MD_WINDOW_DAY};
        md_ingest_report rep;
        md_err err;
        ck_assert_int_eq(mon_ingest(a, mixed_path, &o, &rep, &err), MD_OK);
        ck_assert_int_eq(mon_ingest(b, ordered_path, &o, &rep, &err), MD_OK);
        ck_assert_int_eq(tu_count(a, "SELECT count(*) FROM windows"), hourly ? 72 : 9);
        mon_expect_same_results(a, b);
        md_store_close(b);
        md_store_close(a);
    }
    md_store_close(base);
    free(mixed_path);
    free(ordered_path);
    free(line);
    free(rows);
    free(mixed);
    free(ordered);
}
END_TEST

START_TEST(threads_and_spilling_do_not_change_numbers)
{
    md_store *plain = mon_store(), *busy = mon_clone_store(plain, "busy.db");
    char *log = mon_rows_csv(6000, 4, 0.3, true, true);
    const char *path = mon_write_file("log.csv", log);
    free(log);
    md_ingest_opts one = {.threads = 1};
    md_ingest_opts two = {.threads = 2, .split_min = 1, .piece = 8192, .keys_in_memory = 50};
    md_ingest_report rep;
    md_err err;
    ck_assert_int_eq(md_ingest(plain, &mon_op, "churn", 1, path, &one, &rep, &err), MD_OK);
    ck_assert(!rep.parallel);
    md_ingest_report_free(&rep);
    ck_assert_int_eq(md_ingest(busy, &mon_op, "churn", 1, path, &two, &rep, &err), MD_OK);
    ck_assert(rep.parallel);
    md_ingest_report_free(&rep);
    mon_expect_same_results(plain, busy);
    md_store_close(busy);
    md_store_close(plain);
}
END_TEST

/* Scores of six decimals are keyed by their millionths, and a window goes over to the doubles'
 * keys at its first score off that grid, or when its keys are spilled: windows all on the grid,
 * windows that leave it after some rows, on one thread or two (where one thread's window can
 * leave the grid and the other's not), spilled or not, give each window's AUC as Mann-Whitney
 * counts it here, pair by pair. */
START_TEST(scores_on_and_off_the_decimal_grid_give_exact_auc)
{
    enum { N = 8000, DAYS = 4 };
    size_t cap = (size_t)N * 96 + 64, len = 0;
    char *text = md_xmalloc(cap);
    double *score = md_xmalloc(N * sizeof *score);
    int *label = md_xmalloc(N * sizeof *label);
    len += (size_t)snprintf(text, cap, "ts,score,label,x,n,ch\n");
    for (int i = 0; i < N; i++) {
        double x = (mon_unif() + mon_unif() + mon_unif() - 1.5) * 2;
        double p = 1 / (1 + exp(-x)), q = round(p * 1e3) / 1e3;
        char s[32];
        /* day 2 leaves the grid in the file's first rows (the first piece: one thread), day 4 in
         * its last; those scores just off a tied score, which the grid would make equal */
        if ((i % DAYS == 1 && i < 8) || (i % DAYS == 3 && i > N - 400 && i % 3 == 0))
            snprintf(s, sizeof s, "%.7f", q + (i % 2 ? 4e-7 : -4e-7));
        else if (i % 3 == 0)
            snprintf(s, sizeof s, "%.6f", p);
        else
            snprintf(s, sizeof s, "%.3f", q); /* ties */
        score[i] = strtod(s, NULL);
        label[i] = mon_unif() < p;
        len += (size_t)snprintf(text + len, cap - len,
                                "2026-10-%02dT%02d:%02d:00Z,%s,%d,%.4f,%d,%s\n", 1 + i % DAYS,
                                (i * 7) % 24, i % 60, s, label[i], x, (int)(mon_unif() * 6), "web");
    }
    const char *path = mon_write_file("grid.csv", text);
    double want[DAYS];
    for (int d = 0; d < DAYS; d++) {
        uint64_t twice_u = 0, pos = 0, neg = 0;
        for (int i = d; i < N; i += DAYS)
            for (int j = d; j < N; j += DAYS)
                if (label[i] && !label[j])
                    twice_u += score[i] > score[j] ? 2 : score[i] == score[j];
        for (int i = d; i < N; i += DAYS)
            pos += label[i] != 0, neg += label[i] == 0;
        want[d] = (double)twice_u / (2.0 * (double)pos * (double)neg);
    }
    const md_ingest_opts how[] = {
        {.threads = 1},
        {.threads = 2, .split_min = 1, .piece = 4096},
        {.threads = 2, .split_min = 1, .piece = 8192, .keys_in_memory = 300}};
    md_store *first = NULL;
    for (size_t k = 0; k < sizeof how / sizeof *how; k++) {
        char name[32];
        snprintf(name, sizeof name, "grid%zu.db", k);
        md_store *s = first ? mon_clone_store(first, name) : mon_store();
        md_ingest_report rep;
        md_err err;
        if (first)
            ck_assert_int_eq(md_sql_exec(s, "DELETE FROM windows; DELETE FROM ingests", &err),
                             MD_OK);
        ck_assert_int_eq(md_ingest(s, &mon_op, "churn", 1, path, &how[k], &rep, &err), MD_OK);
        ck_assert(rep.parallel == (k > 0));
        md_ingest_report_free(&rep);
        sqlite3_stmt *st;
        ck_assert_int_eq(
            md_sql_prepare(s, "SELECT auc, auc_exact FROM windows ORDER BY window", &st, &err),
            MD_OK);
        bool row;
        for (int d = 0; d < DAYS; d++) {
            ck_assert_int_eq(md_sql_step(s, st, &row, &err), MD_OK);
            ck_assert(row);
            double got = sqlite3_column_double(st, 0);
            ck_assert_msg(got == want[d] && sqlite3_column_int(st, 1) == 1,
                          "way %zu, day %d: AUC %.17g, Mann-Whitney %.17g", k, d + 1, got, want[d]);
        }
        sqlite3_finalize(st);
        if (first) {
            mon_expect_same_results(first, s);
            md_store_close(s);
        } else {
            first = s;
        }
    }
    md_store_close(first);
    free(label);
    free(score);
    free(text);
}
END_TEST

/* (score, label) pairs ordered by score, for the test's own AUC. */
static int by_score(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* Two threads' windows of more distinct scores than a summary keeps exactly (65,536) are
 * summarized as soon as they are merged: their AUC stays exact, as one thread reads it from the
 * keys and as Mann-Whitney's rank sums give it here; their summaries (the stored parts) are
 * those one thread makes. Scores of `fmt` (a twentieth of them rounded to three decimals, for
 * ties), n rows over two days. */
static void many_scores(const char *fmt, int n)
{
    enum { DAYS = 2 };
    const int N = n;
    size_t cap = (size_t)N * 64 + 64, len = 0;
    char *text = md_xmalloc(cap);
    double *pairs[DAYS];
    size_t np[DAYS] = {0};
    for (int d = 0; d < DAYS; d++)
        pairs[d] = md_xmalloc(N * 2 * sizeof *pairs[d]);
    len += (size_t)snprintf(text, cap, "ts,score,label,x,n,ch\n");
    for (int i = 0; i < N; i++) {
        double x = (mon_unif() + mon_unif() + mon_unif() - 1.5) * 2;
        double p = 1 / (1 + exp(-x));
        if (i % 50 == 7 || i % 50 == 8) { /* on a histogram bin's edge (t / 64), and just below */
            int t = (i / 50) % 65;
            p = t / 64.0 - (i % 50 == 8 && t > 0 ? (strcmp(fmt, "%.6f") == 0 ? 1e-6 : 1e-9) : 0);
        }
        char sc[32];
        snprintf(sc, sizeof sc, i % 20 ? fmt : "%.3f", p); /* mostly distinct, some ties */
        int y = mon_unif() < p, d = i % DAYS;
        pairs[d][2 * np[d]] = strtod(sc, NULL);
        pairs[d][2 * np[d]++ + 1] = y;
        len += (size_t)snprintf(text + len, cap - len,
                                "2026-10-%02dT%02d:%02d:00Z,%s,%d,%.4f,%d,web\n", 1 + d,
                                (i * 7) % 24, i % 60, sc, y, x, (int)(mon_unif() * 6));
    }
    const char *path = mon_write_file("many.csv", text);
    double want[DAYS];
    for (int d = 0; d < DAYS; d++) { /* U from rank sums, ties at their mean rank */
        qsort(pairs[d], np[d], 2 * sizeof(double), by_score);
        double rank_sum = 0, pos = 0;
        for (size_t i = 0; i < np[d];) {
            size_t j = i;
            while (j < np[d] && pairs[d][2 * j] == pairs[d][2 * i])
                j++;
            double mean_rank = (double)(i + 1 + j) / 2;
            for (size_t k = i; k < j; k++)
                if (pairs[d][2 * k + 1] != 0)
                    rank_sum += mean_rank, pos++;
            i = j;
        }
        double neg = (double)np[d] - pos;
        want[d] = (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
    }
    md_store *one = mon_store(), *two = mon_clone_store(one, "two.db");
    md_ingest_opts by_one = {.threads = 1}, by_two = {.threads = 2, .split_min = 1};
    md_ingest_report rep;
    md_err err;
    ck_assert_int_eq(md_ingest(one, &mon_op, "churn", 1, path, &by_one, &rep, &err), MD_OK);
    md_ingest_report_free(&rep);
    ck_assert_int_eq(md_ingest(two, &mon_op, "churn", 1, path, &by_two, &rep, &err), MD_OK);
    ck_assert(rep.parallel);
    md_ingest_report_free(&rep);
    md_store *both[] = {one, two};
    for (int k = 0; k < 2; k++) {
        sqlite3_stmt *st;
        ck_assert_int_eq(md_sql_prepare(both[k],
                                        "SELECT auc, auc_exact FROM windows ORDER BY window", &st,
                                        &err),
                         MD_OK);
        bool row;
        for (int d = 0; d < DAYS; d++) {
            ck_assert_int_eq(md_sql_step(both[k], st, &row, &err), MD_OK);
            ck_assert(row);
            double got = sqlite3_column_double(st, 0);
            ck_assert_msg(fabs(got - want[d]) < 1e-12 && sqlite3_column_int(st, 1) == 1,
                          "%d thread(s), day %d: AUC %.17g, Mann-Whitney %.17g", k + 1, d + 1, got,
                          want[d]);
        }
        sqlite3_finalize(st);
    }
    mon_expect_same_results(one, two);
    /* a second log into both days: each window made again from its parts, the summaries */
    char *more = mon_rows_csv(400, DAYS, 0, false, true);
    const char *more_path = mon_write_file("more.csv", more);
    /* the scores' histograms, bin floor(score * 4096), the last bin taking 1: the AUC of the
     * joined summaries, ties within a bin counted half, and its bound, the ties' share */
    int64_t(*bin_pos)[MD_SCORE_HIST_BINS] = md_xcalloc(DAYS, sizeof *bin_pos),
    (*bin_neg)[MD_SCORE_HIST_BINS] = md_xcalloc(DAYS, sizeof *bin_neg);
    for (int d = 0; d < DAYS; d++)
        for (size_t i = 0; i < np[d]; i++) {
            size_t b = (size_t)floor(pairs[d][2 * i] * MD_SCORE_HIST_BINS);
            b = b < MD_SCORE_HIST_BINS ? b : MD_SCORE_HIST_BINS - 1;
            (pairs[d][2 * i + 1] != 0 ? bin_pos : bin_neg)[d][b]++;
        }
    for (const char *line = strchr(more, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
        int day, y;
        double sc;
        ck_assert_int_eq(sscanf(line, "2026-10-%dT%*[^,],%lf,%d", &day, &sc, &y), 3);
        size_t b = (size_t)floor(sc * MD_SCORE_HIST_BINS);
        b = b < MD_SCORE_HIST_BINS ? b : MD_SCORE_HIST_BINS - 1;
        (y ? bin_pos : bin_neg)[day - 1][b]++;
    }
    free(more);
    ck_assert_int_eq(md_ingest(one, &mon_op, "churn", 1, more_path, &by_one, &rep, &err), MD_OK);
    md_ingest_report_free(&rep);
    ck_assert_int_eq(md_ingest(two, &mon_op, "churn", 1, more_path, &by_two, &rep, &err), MD_OK);
    md_ingest_report_free(&rep);
    ck_assert_int_eq(tu_count(two, "SELECT count(*) FROM windows WHERE auc_exact = 0"), DAYS);
    mon_expect_same_results(one, two);
    sqlite3_stmt *st;
    ck_assert_int_eq(
        md_sql_prepare(two, "SELECT auc, auc_error FROM windows ORDER BY window", &st, &err),
        MD_OK);
    for (int d = 0; d < DAYS; d++) {
        double u = 0, ties = 0, pos = 0, neg = 0;
        for (size_t b = 0; b < MD_SCORE_HIST_BINS; b++) {
            u += (double)bin_pos[d][b] * (neg + 0.5 * (double)bin_neg[d][b]);
            ties += (double)bin_pos[d][b] * (double)bin_neg[d][b];
            pos += (double)bin_pos[d][b], neg += (double)bin_neg[d][b];
        }
        bool row;
        ck_assert_int_eq(md_sql_step(two, st, &row, &err), MD_OK);
        ck_assert(row);
        double auc = sqlite3_column_double(st, 0), bound = sqlite3_column_double(st, 1);
        ck_assert_msg(fabs(auc - u / (pos * neg)) < 1e-12 &&
                          fabs(bound - ties / (2 * pos * neg)) < 1e-12,
                      "day %d: AUC %.17g, bound %.17g; from the bins %.17g, %.17g", d + 1, auc,
                      bound, u / (pos * neg), ties / (2 * pos * neg));
    }
    sqlite3_finalize(st);
    free(bin_pos);
    free(bin_neg);
    md_store_close(two);
    md_store_close(one);
    for (int d = 0; d < DAYS; d++)
        free(pairs[d]);
    free(text);
}

/* Scores of nine decimals, keyed by their doubles. */
START_TEST(merged_windows_of_many_scores_keep_the_exact_auc)
{
    many_scores("%.9f", 200000);
}
END_TEST

/* Scores of six decimals, keyed by their millionths, which are read from both threads' keys at
 * once, never merged into one array: each thread's half of a day holds fewer distinct scores
 * than the bound, the day more; and each half more. */
START_TEST(merged_millionths_of_many_scores_keep_the_exact_auc)
{
    many_scores("%.6f", 200000);
}
END_TEST

START_TEST(merged_millionths_halves_of_many_scores_keep_the_exact_auc)
{
    many_scores("%.6f", 400000);
}
END_TEST

/* An ingest makes and stores its windows a few at a time (a year of hourly windows at once
 * would hold hundreds of megabytes): three at a time, the numbers, the incidents and the report
 * are those of all at once, through a second file over the same hours and a --replace that
 * leaves some of the first file's hours to the second file's rows alone. */
START_TEST(windows_made_a_few_at_a_time_equal_all_at_once)
{
    md_store *all = mon_store(), *few = mon_clone_store(all, "few.db");
    char *first = mon_rows_csv(3000, 5, 0.3, true, true);  /* 120 hours */
    char *second = mon_rows_csv(1500, 5, 0.6, true, true); /* the same hours */
    /* the first file corrected: its rows of hour 05 dropped */
    char *fixed = md_xmalloc(strlen(first) + 1), *to = fixed;
    for (const char *p = first; *p;) {
        const char *end = strchr(p, '\n') + 1;
        if (strncmp(p + 10, "T05:", 4) != 0)
            to += sprintf(to, "%.*s", (int)(end - p), p);
        p = end;
    }
    char *paths[3] = {md_xstrdup(mon_write_file("first.csv", first)),
                      md_xstrdup(mon_write_file("second.csv", second)),
                      md_xstrdup(mon_write_file("fixed.csv", fixed))};
    md_ingest_opts by_all[3] = {{.window = MD_WINDOW_HOUR},
                                {.window = MD_WINDOW_HOUR},
                                {.window = MD_WINDOW_HOUR, .read.replace = true}};
    for (int i = 0; i < 3; i++) {
        md_ingest_opts by_few = by_all[i];
        by_few.windows_at_once = 3;
        md_ingest_report ra, rf;
        md_err err;
        md_status rc = md_ingest(all, &mon_op, "churn", 1, paths[i], &by_all[i], &ra, &err);
        ck_assert_msg(rc == MD_OK, "%s: %s", paths[i], err.msg);
        rc = md_ingest(few, &mon_op, "churn", 1, paths[i], &by_few, &rf, &err);
        ck_assert_msg(rc == MD_OK, "%s, 3 windows at a time: %s", paths[i], err.msg);
        ck_assert_uint_eq(rf.windows, i == 2 ? 115 : 120);
        ck_assert_uint_eq(rf.windows, ra.windows);
        ck_assert_uint_eq(rf.recomputed, ra.recomputed);
        ck_assert_uint_eq(rf.alerts, ra.alerts);
        ck_assert_uint_eq(rf.warns, ra.warns);
        ck_assert_int_eq(rf.incidents_opened, ra.incidents_opened);
        ck_assert_int_eq(rf.incidents_updated, ra.incidents_updated);
        if (i == 2) /* the corrected file's 115 hours and the five it no longer has */
            ck_assert_uint_eq(rf.recomputed, 120);
        md_ingest_report_free(&ra);
        md_ingest_report_free(&rf);
        mon_expect_same_results(all, few);
    }
    const char *counts[] = {"SELECT count(*) FROM windows", "SELECT count(*) FROM window_parts",
                            "SELECT count(*) FROM incidents",
                            "SELECT count(*) FROM incident_evidence"};
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++)
        ck_assert_int_eq(tu_count(few, counts[i]), tu_count(all, counts[i]));
    ck_assert_int_eq(tu_count(few, "SELECT count(*) FROM windows"), 120);
    for (int i = 0; i < 3; i++)
        free(paths[i]);
    free(first);
    free(second);
    free(fixed);
    md_store_close(few);
    md_store_close(all);
}
END_TEST

/* Two threads take the file's pieces as the hash reads them, in whatever order they come
 * to each: pieces from far shorter than a row (each then runs on to the next line end) to a
 * few hundred rows, with the keys spilled or not, and the same rows after a byte order mark
 * with CRLF line ends and none after the last, give one thread's numbers, and the hash is the
 * file's. */
START_TEST(pieces_of_any_size_give_one_threads_numbers)
{
    md_store *plain = mon_store();
    char *log = mon_rows_csv(40000, 4, 0.3, true, true);
    char *path = md_xstrdup(mon_write_file("log.csv", log)); /* tu_path's buffers get reused */
    /* the same rows with a byte order mark, CRLF line ends and no line end after the last */
    size_t n = strlen(log);
    char *crlf = md_xmalloc(2 * n + 4), *o = crlf;
    o += sprintf(o, "\xEF\xBB\xBF");
    for (size_t i = 0; i + 1 < n; i++)
        o += log[i] == '\n' ? sprintf(o, "\r\n") : sprintf(o, "%c", log[i]);
    *o = '\0';
    char *crlf_path = md_xstrdup(mon_write_file("crlf.csv", crlf));
    free(crlf);
    free(log);
    md_ingest_opts one = {.threads = 1};
    md_ingest_report rep;
    md_err err;
    ck_assert_int_eq(md_ingest(plain, &mon_op, "churn", 1, path, &one, &rep, &err), MD_OK);
    ck_assert(!rep.parallel);
    char sha[65];
    snprintf(sha, sizeof sha, "%s", rep.sha256);
    md_ingest_report_free(&rep);
    const size_t pieces[] = {64, 1000, 4096, 65536, 4096};
    for (size_t i = 0; i < sizeof pieces / sizeof *pieces; i++) {
        char name[32];
        snprintf(name, sizeof name, "pieces%zu.db", i);
        md_store *busy = mon_clone_store(plain, name);
        ck_assert_int_eq(md_sql_exec(busy, "DELETE FROM windows; DELETE FROM ingests", &err),
                         MD_OK);
        md_ingest_opts two = {
            .threads = 2, .split_min = 1, .piece = pieces[i], .keys_in_memory = i == 2 ? 500 : 0};
        md_status rc =
            md_ingest(busy, &mon_op, "churn", 1, i == 4 ? crlf_path : path, &two, &rep, &err);
        ck_assert_msg(rc == MD_OK, "pieces of %zu bytes: %s", pieces[i], err.msg);
        ck_assert_msg(rep.parallel, "pieces of %zu bytes: one thread", pieces[i]);
        if (i < 4)
            ck_assert_str_eq(rep.sha256, sha);
        ck_assert_int_eq(rep.rows, 40000);
        md_ingest_report_free(&rep);
        mon_expect_same_results(plain, busy);
        md_store_close(busy);
    }
    free(crlf_path);
    free(path);
    md_store_close(plain);
}
END_TEST

/* A bad row in a piece: the pass starts over in order on one thread, which names the row's
 * real line; with --max-bad-rows it is skipped and counted as one thread counts it. */
START_TEST(bad_row_in_a_piece_names_the_right_line)
{
    md_store *s = mon_store(), *plain = mon_clone_store(s, "plain.db");
    char *rows = mon_rows_csv(40000, 2, 0, false, true);
    char *p = mon_after_lines(rows, 19989); /* line 19990 of the file */
    memcpy(strchr(p, ',') + 1, "7.000", 5); /* a score of 7 */
    const char *path = mon_write_file("bad.csv", rows);
    free(rows);
    const size_t pieces[] = {4096, 0};
    for (size_t i = 0; i < 2; i++) {
        md_ingest_opts two = {.threads = 2, .split_min = 1, .piece = pieces[i]};
        md_ingest_report rep;
        md_err err;
        ck_assert_int_eq(md_ingest(s, &mon_op, "churn", 1, path, &two, &rep, &err), MD_ERROR);
        md_ingest_report_free(&rep);
        ck_assert_msg(strstr(err.msg, "bad.csv:19990: column score"), "%s", err.msg);
        ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM ingests"), 0);
    }
    md_ingest_opts one = {.threads = 1}, two = {.threads = 2, .split_min = 1, .piece = 4096};
    one.read.max_bad_rows = two.read.max_bad_rows = 1;
    md_ingest_report rep;
    md_err err;
    ck_assert_int_eq(md_ingest(plain, &mon_op, "churn", 1, path, &one, &rep, &err), MD_OK);
    md_ingest_report_free(&rep);
    ck_assert_int_eq(md_ingest(s, &mon_op, "churn", 1, path, &two, &rep, &err), MD_OK);
    ck_assert(!rep.parallel);
    ck_assert_int_eq(rep.bad_rows, 1);
    ck_assert_msg(strstr(rep.first_bad, "bad.csv:19990: column score"), "%s", rep.first_bad);
    md_ingest_report_free(&rep);
    mon_expect_same_results(plain, s);
    md_store_close(plain);
    md_store_close(s);
}
END_TEST

START_TEST(a_piece_cut_inside_a_quoted_field_falls_back)
{
    md_store *plain = mon_store(), *busy = mon_clone_store(plain, "busy.db");
    /* One huge quoted category spanning the middle of the file, with newlines inside. */
    size_t cap = 200000;
    char *log = malloc(cap), *p = log;
    p += sprintf(p, "ts,score,label,x,n,ch\n");
    for (int i = 0; i < 400; i++)
        p += sprintf(p, "2026-10-01T00:00:00Z,0.%03d,%d,%d,1,web\n", i % 1000, i % 2, i % 7);
    p += sprintf(p, "2026-10-01T00:00:00Z,0.5,1,1,1,\"");
    for (int i = 0; i < 2000; i++)
        p += sprintf(p, "line %d\n", i);
    p += sprintf(p, "\"\n");
    for (int i = 0; i < 400; i++) /* the same window: the counts before the fallback stay */
        p += sprintf(p, "2026-10-01T00:00:00Z,0.%03d,%d,%d,1,app\n", i % 1000, i % 2, i % 5);
    const char *path = mon_write_file("q.csv", log);
    free(log);
    /* pieces of 4 KiB: some end inside the quoted field */
    md_ingest_opts one = {.threads = 1}, two = {.threads = 2, .split_min = 1, .piece = 4096};
    md_ingest_report rep;
    md_err err;
    ck_assert_int_eq(md_ingest(plain, &mon_op, "churn", 1, path, &one, &rep, &err), MD_OK);
    md_ingest_report_free(&rep);
    md_status rc = md_ingest(busy, &mon_op, "churn", 1, path, &two, &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    ck_assert(!rep.parallel);
    ck_assert_int_eq(rep.rows, 801);
    md_ingest_report_free(&rep);
    mon_expect_same_results(plain, busy);
    md_store_close(busy);
    md_store_close(plain);
}
END_TEST

START_TEST(bad_row_in_a_later_piece_names_the_right_line)
{
    md_store *s = mon_store();
    char *log = mon_rows_csv(3000, 2, 0, false, true);
    char *p = mon_after_lines(log, 2500); /* header + 2499 rows: row 2500 is on line 2501 */
    memcpy(p, "garbage-timestamp!!!", 20);
    const char *path = mon_write_file("log.csv", log);
    free(log);
    md_ingest_opts two = {.threads = 2, .split_min = 1, .piece = 8192};
    md_ingest_report rep;
    md_err err;
    ck_assert_int_eq(md_ingest(s, &mon_op, "churn", 1, path, &two, &rep, &err), MD_ERROR);
    ck_assert_msg(strstr(err.msg, "log.csv:2501: column ts"), "%s", err.msg);
    md_ingest_report_free(&rep);

    /* a record the reader cannot take (one field short), skipped: the rows around it count */
    log = mon_rows_csv(3000, 2, 0, false, true);
    p = mon_after_lines(log, 2700);
    char *comma = strchr(p, ',');
    memmove(p, comma + 1, strlen(comma + 1) + 1); /* line 2701 loses its first field */
    path = mon_write_file("log2.csv", log);
    free(log);
    two.read.max_bad_rows = 1;
    md_status rc = md_ingest(s, &mon_op, "churn", 1, path, &two, &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    ck_assert_int_eq(rep.rows, 2999);
    ck_assert_int_eq(rep.bad_rows, 1);
    ck_assert_msg(strstr(rep.first_bad, "log2.csv:2701: column ch: missing: expected 6 fields"),
                  "%s", rep.first_bad);
    md_ingest_report_free(&rep);
    md_store_close(s);
}
END_TEST

/* Builds `text` as the baseline of a new version, read by `threads` threads. */
static md_status baseline_new(md_store *s, const char *text, int threads, size_t max_bad,
                              int64_t *version, md_baseline_report *rep, md_err *err)
{
    md_version_spec v = {.artifact_uri = "s3://m/n"};
    ck_assert_int_eq(md_version_add(s, &mon_op, "churn", &v, NULL, version, err), MD_OK);
    md_baseline_opts bo = {.threads = threads, .split_min = threads > 1 ? 1 : 0};
    bo.read.max_bad_rows = (int64_t)max_bad;
    return md_baseline_build(s, &mon_op, "churn", *version, mon_write_file("bn.csv", text), &bo,
                             rep, err);
}

/* The baseline a file gives on two threads is the one it gives on one. */
static void expect_same_baseline(md_store *s, const char *text, bool parallel)
{
    int64_t one, two;
    md_baseline_report rep;
    md_err err;
    ck_assert_int_eq(baseline_new(s, text, 1, 0, &one, &rep, &err), MD_OK);
    ck_assert(!rep.parallel);
    md_status rc = baseline_new(s, text, 2, 0, &two, &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    ck_assert(rep.parallel == parallel);
    json_t *a = mon_profile_of(s, one), *b = mon_profile_of(s, two);
    char *ta = md_json_dump(a, MD_JSON_COMPACT), *tb = md_json_dump(b, MD_JSON_COMPACT);
    size_t at = 0; /* the first difference, shown briefly: a profile is long */
    while (ta[at] && ta[at] == tb[at])
        at++;
    size_t from = at > 40 ? at - 40 : 0;
    ck_assert_msg(ta[at] == tb[at], "profiles differ at byte %zu: one thread '%.80s', two '%.80s'",
                  at, ta + from, tb + from);
    free(ta);
    free(tb);
    json_decref(a);
    json_decref(b);
}

START_TEST(baseline_halves_equal_one_pass)
{
    md_store *s = mon_store();
    mon_rng = 7;
    char *text = mon_rows_csv(4000, 1, 0, true, true);
    expect_same_baseline(s, text, true); /* the halves join */
    /* x is a number in the first half and a word in the second: categorical, every text
     * counted, as one pass has it (the halves disagree, so one thread reads it again) */
    char *p = strstr(text + strlen(text) * 3 / 4, "\n") + 1;
    p = strchr(p, ',') + 1;
    p = strchr(p, ',') + 1;
    p = strchr(p, ',') + 1;
    memcpy(p, "word", 4);
    expect_same_baseline(s, text, false);
    free(text);
    /* past 10,000 values a feature's KS sample is drawn: the halves' values, taken in file
     * order, give the sample one pass gives */
    text = mon_rows_csv(12000, 1, 0, true, true);
    expect_same_baseline(s, text, true);
    free(text);
    md_store_close(s);
}
END_TEST

START_TEST(baseline_bad_row_in_second_half_names_the_right_line)
{
    md_store *s = mon_store();
    char *text = mon_rows_csv(3000, 1, 0, false, true);
    char *p = mon_after_lines(text, 2500); /* header + 2499 rows: row 2500 is on line 2501 */
    p = strchr(p, ',') + 1;
    memcpy(p, "1.5", 3); /* a score outside [0, 1] */
    int64_t v;
    md_baseline_report rep;
    md_err err;
    ck_assert_int_eq(baseline_new(s, text, 2, 0, &v, &rep, &err), MD_ERROR);
    ck_assert_msg(strstr(err.msg, "bn.csv:2501: column score"), "%s", err.msg);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM baselines"), 1); /* version 1's */
    md_status rc = baseline_new(s, text, 2, 1, &v, &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    ck_assert_int_eq(rep.bad_rows, 1);
    ck_assert_int_eq(rep.rows, 2999);
    ck_assert_msg(strstr(rep.first_bad, "bn.csv:2501: column score"), "%s", rep.first_bad);
    free(text);
    md_store_close(s);
}
END_TEST

Suite *suite_parallel(void)
{
    Suite *s = suite_create("parallel");
    TCase *tc = tcase_create("parallel");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, split_ingests_equal_one);
    tcase_add_test(tc, parts_of_every_format_read_back_alike);
    tcase_add_test(tc, threads_and_spilling_do_not_change_numbers);
    tcase_add_test(tc, scores_on_and_off_the_decimal_grid_give_exact_auc);
    tcase_add_test(tc, merged_windows_of_many_scores_keep_the_exact_auc);
    tcase_add_test(tc, merged_millionths_of_many_scores_keep_the_exact_auc);
    tcase_add_test(tc, merged_millionths_halves_of_many_scores_keep_the_exact_auc);
    tcase_add_test(tc, windows_made_a_few_at_a_time_equal_all_at_once);
    tcase_add_test(tc, windows_mixed_row_by_row_equal_windows_in_order);
    tcase_add_test(tc, pieces_of_any_size_give_one_threads_numbers);
    tcase_add_test(tc, bad_row_in_a_piece_names_the_right_line);
    tcase_add_test(tc, a_piece_cut_inside_a_quoted_field_falls_back);
    tcase_add_test(tc, bad_row_in_a_later_piece_names_the_right_line);
    tcase_add_test(tc, baseline_halves_equal_one_pass);
    tcase_add_test(tc, baseline_bad_row_in_second_half_names_the_right_line);
    suite_add_tcase(s, tc);
    return s;
}
