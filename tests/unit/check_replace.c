/* replace: the same file twice is refused unless --replace, which replaces what it should and
 * nothing else. What an earlier ingest holds is told by its rows, not its file's name: the row
 * samples (rowsample.h) find the rows two logs share. Bad input: check_badinput.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "mem.h"
#include "monitoring.h"
#include "rowsample.h"
#include "testutil.h"

Suite *suite_replace(void);

static void teardown(void)
{
    tu_cleanup();
}

START_TEST(same_file_twice_refused_unless_replace)
{
    md_store *s = mon_store();
    char *log = mon_rows_csv(500, 2, 0, false, true);
    const char *path = mon_write_file("log.csv", log);
    free(log);
    md_ingest_report rep;
    md_err err;
    ck_assert_int_eq(mon_ingest(s, path, NULL, &rep, &err), MD_OK);
    char *first = tu_snapshot(s);
    ck_assert_int_eq(mon_ingest(s, path, NULL, &rep, &err), MD_REFUSED);
    ck_assert_ptr_nonnull(strstr(err.msg, "already ingested"));
    char *after = tu_snapshot(s);
    ck_assert_str_eq(first, after);
    md_ingest_opts o = {.read.replace = true};
    ck_assert_int_eq(mon_ingest(s, path, &o, &rep, &err), MD_OK);
    ck_assert(rep.replaced && !rep.replaced_by_rows);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM ingests"), 1);
    ck_assert_int_eq(rep.ingest_id, 2); /* a new number, not the replaced one's */
    ck_assert_int_eq(tu_count(s, "SELECT sum(rows) FROM windows"), 500);

    /* a copy under another name: the message names the file ingested before */
    char *text = NULL;
    size_t len = 0;
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    text = md_xmalloc(1u << 20);
    len = fread(text, 1, (1u << 20) - 1, f);
    text[len] = '\0';
    fclose(f);
    const char *copy = mon_write_file("copy.csv", text);
    ck_assert_int_eq(mon_ingest(s, copy, NULL, &rep, &err), MD_REFUSED);
    char *want = md_xasprintf("%s has the content (SHA-256) of %s, already ingested", copy, path);
    ck_assert_msg(strstr(err.msg, want), "%s", err.msg);
    free(want);

    /* the file corrected (its last row dropped): its rows again, refused without --replace;
     * with it, it replaces the earlier read */
    *strrchr(text, '\n') = '\0';
    *(strrchr(text, '\n') + 1) = '\0';
    path = mon_write_file("log.csv", text);
    ck_assert_int_eq(mon_ingest(s, path, NULL, &rep, &err), MD_REFUSED);
    ck_assert_msg(strstr(err.msg, "holds the rows of ingest #2"), "%s", err.msg);
    ck_assert_int_eq(mon_ingest(s, path, &o, &rep, &err), MD_OK);
    ck_assert(rep.replaced && rep.replaced_by_rows);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM ingests"), 1);
    ck_assert_int_eq(tu_count(s, "SELECT sum(rows) FROM windows"), 499);

    /* the same name over other days (a daily file): nothing of those days is replaced */
    char *other = mon_rows_csv(300, 2, 0, false, true);
    for (char *p = strstr(other, "2026-10-0"); p; p = strstr(p + 1, "2026-10-0"))
        p[9] = (char)(p[9] + 4); /* days 1-2 become 5-6 */
    path = mon_write_file("log.csv", other);
    ck_assert_int_eq(md_ingest(s, &mon_op, "churn", 1, path, &o, &rep, &err), MD_OK);
    ck_assert(!rep.replaced);
    ck_assert_int_eq(rep.nkept, 1); /* reported */
    md_ingest_report_free(&rep);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM ingests"), 2);
    ck_assert_int_eq(tu_count(s, "SELECT sum(rows) FROM windows"), 799);

    /* both in one file, corrected (its last row dropped), the name spelled another way: each
     * earlier ingest whose rows it holds is replaced */
    char *both = md_xasprintf("%s%s", text, strchr(other, '\n') + 1);
    *strrchr(both, '\n') = '\0';
    *(strrchr(both, '\n') + 1) = '\0';
    path = mon_write_file("log.csv", both);
    const char *slash = strrchr(path, '/');
    char *spelled = md_xasprintf("%.*s/./%s", (int)(slash - path), path, slash + 1);
    ck_assert_int_eq(md_ingest(s, &mon_op, "churn", 1, spelled, &o, &rep, &err), MD_OK);
    ck_assert(rep.replaced && rep.replaced_by_rows);
    ck_assert_int_eq(rep.nreplaced, 2);
    ck_assert_int_eq(rep.replaced_rows, 799);
    md_ingest_report_free(&rep);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM ingests"), 1);
    ck_assert_int_eq(tu_count(s, "SELECT sum(rows) FROM windows"), 798);
    char *q = md_xasprintf("SELECT count(*) FROM ingests WHERE source = '%s'", path);
    ck_assert_int_eq(tu_count(s, q), 1); /* kept as its absolute path */
    free(q);
    free(spelled);
    free(both);
    free(other);
    free(text);
    free(first);
    free(after);
    md_store_close(s);
}
END_TEST

/* The row samples: thinned past their limit to the rows whose identities' top bits are 0,
 * compared at the larger shift exactly as a count over the rows both picked, and stored and
 * read back unchanged. */
static uint64_t sample_id(int i)
{
    char row[64];
    snprintf(row, sizeof row, "row %d", i);
    return md_rowsample_id(1790000000000 + 1000 * (int64_t)i,
                           md_rowsample_step(MD_ROWSAMPLE_SEED, row, strlen(row)));
}

START_TEST(row_sample_overlap)
{
    md_rowsample a = {0}, b = {0}, half = {0};
    for (int i = 0; i < 20000; i++) {
        md_rowsample_add(&a, sample_id(i), 1000);
        md_rowsample_add(&a, sample_id(i), 1000); /* a row twice is one row */
    }
    for (int i = 10000; i < 40000; i++)
        md_rowsample_add(i < 25000 ? &b : &half, sample_id(i), 4000);
    md_rowsample_merge(&b, &half); /* two threads' samples */
    md_rowsample_finish(&a, 1000);
    md_rowsample_finish(&b, 1000);
    ck_assert_uint_le(a.n, 1000);
    ck_assert_uint_gt(a.shift, 0);
    /* the count by hand: rows 0-19999 and 10000-39999 that the larger shift picks */
    unsigned shift = a.shift > b.shift ? a.shift : b.shift;
    size_t in_a = 0, in_b = 0, both = 0;
    for (int i = 0; i < 40000; i++) {
        bool picked = md_rowsample_picks(shift, sample_id(i));
        in_a += picked && i < 20000;
        in_b += picked && i >= 10000;
        both += picked && i >= 10000 && i < 20000;
    }
    md_rowsample_overlap o = md_rowsample_compare(&a, &b);
    ck_assert_uint_eq(o.a, in_a);
    ck_assert_uint_eq(o.b, in_b);
    ck_assert_uint_eq(o.both, both);
    ck_assert_uint_gt(o.both, 50); /* about a quarter of b's, half of a's */
    unsigned char *blob;
    size_t bytes;
    md_rowsample_blob(&a, &blob, &bytes);
    md_rowsample back;
    ck_assert(md_rowsample_from_blob(blob, bytes, a.shift, &back));
    ck_assert_uint_eq(back.n, a.n);
    ck_assert_uint_eq(back.shift, a.shift);
    ck_assert(memcmp(back.v, a.v, a.n * sizeof *a.v) == 0);
    md_rowsample bad;
    ck_assert(!md_rowsample_from_blob(blob, bytes - 1, a.shift, &bad));
    free(blob);
    md_rowsample_free(&back);
    md_rowsample_free(&half);
    md_rowsample_free(&a);
    md_rowsample_free(&b);
}
END_TEST

/* An id read in place from the read buffer, with other bytes before and after it, picks and
 * names its row as the same id copied out does: at every length up to past the one-round
 * limit, so a wrong mask of either word would show. */
START_TEST(row_sample_id_read_in_place)
{
    char buf[16 + 40 + 16];
    for (size_t n = 0; n <= 40; n++) {
        memset(buf, 'x', sizeof buf);
        for (size_t i = 0; i < n; i++)
            buf[16 + i] = (char)('a' + (i * 7 + n) % 26);
        char copy[41];
        memcpy(copy, buf + 16, n);
        int64_t ts = 1790000000000 + (int64_t)n;
        ck_assert_msg(md_rowsample_by_padded_id(ts, buf + 16, n) == md_rowsample_by_id(ts, copy, n),
                      "id of %zu bytes", n);
        buf[16 + n] = 'y'; /* the byte after the id is not part of it */
        ck_assert_msg(md_rowsample_by_padded_id(ts, buf + 16, n) == md_rowsample_by_id(ts, copy, n),
                      "id of %zu bytes, another byte after it", n);
    }
    memcpy(buf + 16, "ab", 2);
    uint64_t ab = md_rowsample_by_padded_id(1, buf + 16, 2);
    buf[17] = 'c';
    ck_assert(md_rowsample_by_padded_id(1, buf + 16, 2) != ab);
}
END_TEST

/* Rows, not names: a daily file reusing one name, with a late row of the day before, keeps
 * the day before's ingest (the rows differ); a file grown since it was ingested holds the
 * earlier read's rows, and is refused without --replace and takes its place with it; so do the
 * same rows with their labels changed, and a file whose rows came three times, corrected. A
 * file whose rows are part of a larger ingest is refused even with --replace, which would drop
 * that ingest's other rows. */
START_TEST(replace_goes_by_rows)
{
    md_store *s = mon_store();
    md_ingest_opts o = {.read.replace = true}, none = {0};
    md_ingest_report rep;
    md_err err;
    char *day1 = mon_rows_csv(300, 1, 0, false, true);
    ck_assert_int_eq(mon_ingest(s, mon_write_file("feed.csv", day1), &o, &rep, &err), MD_OK);
    char *day2 = mon_rows_csv(300, 1, 0, false, true);
    for (char *p = strstr(day2, "2026-10-01"); p; p = strstr(p + 1, "2026-10-01"))
        p[9] = '2';
    char *late = md_xasprintf("%s2026-10-01T23:59:30Z,%s", day2, strstr(day1, "\n") + 22);
    *strchr(strstr(late, "2026-10-01T23:59:30Z"), '\n') = '\0'; /* one row of day 1, last */
    ck_assert_int_eq(
        md_ingest(s, &mon_op, "churn", 1, mon_write_file("feed.csv", late), &o, &rep, &err), MD_OK);
    ck_assert(!rep.replaced);
    ck_assert_int_eq(rep.nkept, 1);
    ck_assert_int_eq(rep.kept_ids[0], 1);
    md_ingest_report_free(&rep);
    ck_assert_int_eq(tu_count(s, "SELECT rows FROM windows WHERE window = '2026-10-01'"), 301);

    /* grown: day 2's file with 100 more rows of its day */
    char *more = mon_rows_csv(100, 1, 0, false, false);
    for (char *p = strstr(more, "2026-10-01"); p; p = strstr(p + 1, "2026-10-01"))
        p[9] = '2';
    char *grown = md_xasprintf("%s\n%s", late, more);
    const char *path = mon_write_file("feed.csv", grown);
    char *before = tu_snapshot(s);
    ck_assert_int_eq(md_ingest(s, &mon_op, "churn", 1, path, &none, &rep, &err), MD_REFUSED);
    ck_assert_msg(strstr(err.msg, "holds the rows of ingest #2") && strstr(err.msg, "--replace"),
                  "%s", err.msg);
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    ck_assert_int_eq(md_ingest(s, &mon_op, "churn", 1, path, &o, &rep, &err), MD_OK);
    ck_assert(rep.replaced && rep.replaced_by_rows);
    ck_assert_int_eq(rep.nreplaced, 1);
    ck_assert_int_eq(rep.replaced_ids[0], 2);
    ck_assert_int_eq(rep.nkept, 1); /* and day 1's file stays */
    md_ingest_report_free(&rep);
    ck_assert_int_eq(tu_count(s, "SELECT rows FROM windows WHERE window = '2026-10-02'"), 400);
    ck_assert_int_eq(tu_count(s, "SELECT rows FROM windows WHERE window = '2026-10-01'"), 301);

    /* day 3's file ran a few rows into day 4; day 4's file (same name) keeps day 3 whole */
    char *d3 = mon_rows_csv(300, 1, 0, false, true), *d4 = mon_rows_csv(300, 1, 0, false, true);
    for (char *p = strstr(d3, "2026-10-01"); p; p = strstr(p + 1, "2026-10-01"))
        p[9] = '3';
    for (char *p = strstr(d4, "2026-10-01"); p; p = strstr(p + 1, "2026-10-01"))
        p[9] = '4';
    char *d3late =
        md_xasprintf("%s%.*s", d3, (int)(mon_after_lines(d4, 4) - mon_after_lines(d4, 1)),
                     mon_after_lines(d4, 1)); /* 3 rows of day 4 */
    ck_assert_int_eq(
        md_ingest(s, &mon_op, "churn", 1, mon_write_file("d.csv", d3late), &o, &rep, &err), MD_OK);
    md_ingest_report_free(&rep);
    ck_assert_int_eq(md_ingest(s, &mon_op, "churn", 1,
                               mon_write_file("d.csv", mon_after_lines(d4, 0)), &o, &rep, &err),
                     MD_OK);
    ck_assert(!rep.replaced);
    ck_assert_int_eq(rep.nkept, 1);
    md_ingest_report_free(&rep);
    ck_assert_int_eq(tu_count(s, "SELECT rows FROM windows WHERE window = '2026-10-03'"), 300);
    ck_assert_int_eq(tu_count(s, "SELECT rows FROM windows WHERE window = '2026-10-04'"), 303);

    /* a file whose rows came three times, corrected: it replaces the earlier read */
    char *d5 = mon_rows_csv(200, 1, 0, false, false);
    for (char *p = strstr(d5, "2026-10-01"); p; p = strstr(p + 1, "2026-10-01"))
        p[9] = '5';
    char *thrice = md_xasprintf("ts,score,label,x,n,ch\n%s%s%s", d5, d5, d5),
         *once = md_xasprintf("ts,score,label,x,n,ch\n%s", d5);
    ck_assert_int_eq(
        md_ingest(s, &mon_op, "churn", 1, mon_write_file("t.csv", thrice), &none, &rep, &err),
        MD_OK);
    md_ingest_report_free(&rep);
    ck_assert_int_eq(
        md_ingest(s, &mon_op, "churn", 1, mon_write_file("t2.csv", once), &o, &rep, &err), MD_OK);
    ck_assert(rep.replaced && rep.replaced_by_rows);
    md_ingest_report_free(&rep);
    ck_assert_int_eq(tu_count(s, "SELECT rows FROM windows WHERE window = '2026-10-05'"), 200);

    /* the same rows, every label flipped (labels that came late, or were corrected), under
     * another name: the same rows */
    char *relabeled = md_xstrdup(once);
    for (char *p = strstr(relabeled, "Z,"); p; p = strstr(p + 1, "Z,")) {
        char *label = strchr(p + 2, ',') + 1;
        *label = *label == '0' ? '1' : '0';
    }
    path = mon_write_file("labels.csv", relabeled);
    ck_assert_int_eq(md_ingest(s, &mon_op, "churn", 1, path, &none, &rep, &err), MD_REFUSED);
    ck_assert_int_eq(md_ingest(s, &mon_op, "churn", 1, path, &o, &rep, &err), MD_OK);
    ck_assert(rep.replaced && rep.replaced_by_rows);
    md_ingest_report_free(&rep);
    ck_assert_int_eq(tu_count(s, "SELECT rows FROM windows WHERE window = '2026-10-05'"), 200);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM ingests WHERE source LIKE '%labels.csv'"),
                     1);

    /* day 2's first 300 rows alone, under another name, out of the grown file that holds 101
     * rows more: part of that ingest, refused with and without --replace, nothing changed */
    char *part = md_xasprintf("ts,score,label,x,n,ch\n%s", mon_after_lines(day2, 1));
    path = mon_write_file("part.csv", part);
    free(before);
    free(after);
    before = tu_snapshot(s);
    ck_assert_int_eq(md_ingest(s, &mon_op, "churn", 1, path, &none, &rep, &err), MD_REFUSED);
    ck_assert_int_eq(md_ingest(s, &mon_op, "churn", 1, path, &o, &rep, &err), MD_REFUSED);
    ck_assert_msg(strstr(err.msg, "which holds others too") && strstr(err.msg, "drop"), "%s",
                  err.msg);
    after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(part);
    free(before);
    free(after);
    free(relabeled);
    free(thrice);
    free(once);
    free(d5);
    free(d3late);
    free(d3);
    free(d4);
    free(grown);
    free(more);
    free(late);
    free(day2);
    free(day1);
    md_store_close(s);
}
END_TEST

/* A corrected file that no longer has a window's rows removes the window; an incident raised
 * from it stays (the operator decides) but carries a note saying its evidence is gone. */
START_TEST(replace_that_empties_a_window_notes_its_incidents)
{
    md_store *s = mon_store();
    char *day1 = mon_rows_csv(400, 1, 0, false, true);
    char *day2 = mon_rows_csv(400, 1, 3.0, false, false); /* x shifted: drift */
    for (char *p = strstr(day2, "2026-10-01"); p; p = strstr(p + 1, "2026-10-01"))
        p[9] = '2';
    char *both = md_xasprintf("%s%s", day1, day2);
    md_ingest_report rep;
    md_err err;
    md_status rc = mon_ingest(s, mon_write_file("daily.csv", both), NULL, &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    ck_assert_int_gt(tu_count(s, "SELECT count(*) FROM incident_evidence WHERE window = "
                                 "'2026-10-02'"),
                     0);
    md_ingest_opts o = {.read.replace = true};
    rc = mon_ingest(s, mon_write_file("daily.csv", day1), &o, &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM windows WHERE window = '2026-10-02'"), 0);
    int64_t noted = tu_count(s, "SELECT count(DISTINCT incident_id) FROM incident_notes WHERE text "
                                "LIKE 'window 2026-10-02 is gone: its rows were replaced%'");
    ck_assert_int_eq(noted, tu_count(s, "SELECT count(DISTINCT incident_id) FROM "
                                        "incident_evidence WHERE window = '2026-10-02'"));
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit WHERE action = 'incident.note'"),
                     noted);
    /* a correction that keeps the window but takes the drift out: noted as recomputed */
    rc = mon_ingest(s, mon_write_file("daily2.csv", both), &o, &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    char *calm = mon_rows_csv(400, 1, 0, false, false);
    for (char *p = strstr(calm, "2026-10-01"); p; p = strstr(p + 1, "2026-10-01"))
        p[9] = '2';
    char *fixed = md_xasprintf("%s%s", day1, calm);
    rc = mon_ingest(s, mon_write_file("daily2.csv", fixed), &o, &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM windows WHERE window = '2026-10-02'"), 1);
    ck_assert_int_gt(tu_count(s, "SELECT count(*) FROM incident_notes WHERE text LIKE 'window "
                                 "2026-10-02 was recomputed: ingest --replace of %daily2.csv took "
                                 "earlier rows out%'"),
                     0);
    free(fixed);
    free(calm);
    free(both);
    free(day1);
    free(day2);
    md_store_close(s);
}
END_TEST

Suite *suite_replace(void)
{
    Suite *s = suite_create("replace");
    TCase *tc = tcase_create("replace");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, same_file_twice_refused_unless_replace);
    tcase_add_test(tc, row_sample_overlap);
    tcase_add_test(tc, row_sample_id_read_in_place);
    tcase_add_test(tc, replace_goes_by_rows);
    tcase_add_test(tc, replace_that_empties_a_window_notes_its_incidents);
    suite_add_tcase(s, tc);
    return s;
}
