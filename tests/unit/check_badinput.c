/* bad input: every kind of bad row, bad file and bad contract names the file, line and column,
 * commits nothing, and --max-bad-rows skips what can be skipped. The same file twice, and
 * --replace: check_replace.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "baseline.h"
#include "ingest.h"
#include "mem.h"
#include "monitoring.h"
#include "testutil.h"
#include "versions.h"

static void teardown(void)
{
    tu_cleanup();
}

START_TEST(bad_input_is_named_and_nothing_is_committed)
{
    md_store *s = mon_store();
    char big[(1 << 20) + 64];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char *longline = md_xasprintf("ts,score,label,x,n,ch\n2026-10-01T00:00:00Z,0.5,1,1,1,%s\n", big);
    /* a quote that never closes in a file larger than a record may be */
    size_t rows = (6u << 20) / 36;
    char *tail = md_xmalloc(rows * 40 + 1), *t = tail;
    for (size_t i = 0; i < rows; i++)
        t += sprintf(t, "2026-10-01T00:00:00Z,0.5,1,1,1,web\n");
    char *openquote =
        md_xasprintf("ts,score,label,x,n,ch\n2026-10-01T00:00:00Z,0.5,1,1,1,\"web\n%s", tail);
    free(tail);
    struct {
        const char *text, *says, *where;
    } cases[] = {
        {"ts,score,label,x,n,ch\n2026-10-01T00:00:00Z,0.5,1,1,1,web\n2026-10-01T00:00:00Z,1.5,1,1,"
         "1,web\n",
         "not a probability", ":3: column score"},
        {"ts,score,label,x,n,ch\n2026-10-01T00:00:00Z,inf,1,1,1,web\n", "not a probability",
         ":2: column score"},
        {"ts,score,label,x,n,ch\n2026-10-01T00:00:00Z,NaN,1,1,1,web\n",
         "missing score ('NaN' reads as missing)", ":2: column score"},
        {"ts,score,label,x,n,ch\n2026-10-01T00:00:00Z,0.5,2,1,1,web\n", "not a label",
         ":2: column label"},
        /* a value in range with spaces around it: the spaces are what is wrong */
        {"ts,score,label,x,n,ch\n2026-10-01T00:00:00Z, 0.5,1,1,1,web\n",
         "' 0.5' has spaces around it: a field holds its value alone", ":2: column score"},
        {"ts,score,label,x,n,ch\n2026-10-01T00:00:00Z,0.5,1 ,1,1,web\n", "'1 ' has spaces around",
         ":2: column label"},
        {"ts,score,label,x,n,ch\n 2026-10-01T00:00:00Z,0.5,1,1,1,web\n", "has spaces around",
         ":2: column ts"},
        {"ts,score,label,x,n,ch\nyesterday,0.5,1,1,1,web\n", "not a timestamp", ":2: column ts"},
        {"ts,score,label,x,n,ch\n2026-10-01T00:00:00,0.5,1,1,1,web\n",
         "'2026-10-01T00:00:00' is not an ISO-8601 time (needs Z or an offset such as +02:00)",
         ":2: column ts"},
        {"ts,score,label,x,n,ch\n9999-12-31T23:30:00-01:00,0.5,1,1,1,web\n",
         "(in UTC it falls outside the years 0001 to 9999)", ":2: column ts"},
        {"ts,score,label,x,n,ch\n1791853200000,0.5,1,1,1,web\n",
         "past the year 9999 (epoch milliseconds?)", ":2: column ts"},
        {"ts,score,label,x,n,ch\n-62135596801,0.5,1,1,1,web\n", "not a timestamp", ":2: column ts"},
        {"ts,score,label,x,n,ch\n2026-10-01T00:00:00Z,0.5,1,1,web\n", "expected 6 fields", ":2:"},
        {"ts,score,label,x,n,ch\n2026-10-01T00:00:00Z,0.5,1,1,1,\"web\n", "unterminated",
         ":2: column ch"},
        {"ts,score,label,x,n,ch\n2026-10-01T00:00:00Z,0.5,1,1,1,w\xff"
         "b\n",
         "invalid UTF-8", ":2: column ch"},
        {longline, "longer than 1 MiB", ":2: column ch"}, /* the field that went past it */
        /* a carriage return alone in a file of LF lines: bad, and no line end */
        {"ts,score,label,x,n,ch\n2026-10-01T00:00:00Z,0.5,1,1,1,a\rb\n",
         "a carriage return inside the field", ":2: column ch"},
        {openquote, "its quoted field does not close within it (an unterminated quote?)",
         ":2: column ch"},
        {"ts,label,x,n,ch\n2026-10-01T00:00:00Z,1,1,1,web\n", "no score column", "bad.csv"},
        {"time,score,label,x,n,ch\n2026-10-01T00:00:00Z,0.5,1,1,1,web\n", "no timestamp column",
         "bad.csv"},
        {"", "empty file", "bad.csv"},
        {"TS,Score,label\n2026-10-01T00:00:00Z,0.5,1\n",
         "no score column 'score' (the file has 'Score': names match exactly; name it with "
         "--score-col)",
         "bad.csv"},
        {"ts;score;label\n2026-10-01T00:00:00Z;0.5;1\n",
         "no score column 'score' (name it with --score-col); its columns: 'ts;score;label' (one "
         "column: separated by ';'? CSV needs commas)",
         "bad.csv"},
        {"{\"ts\": \"2026-10-01T00:00:00Z\", \"score\": 0.5}\n", "reads as JSON Lines, not CSV",
         "bad.csv"},
        {"{\"ts\":\"2026-10-01T00:00:00Z\",\"score\":0.5}\n",
         "reads as JSON Lines, not CSV (its first line starts with '{'): name it .jsonl or add "
         "--format jsonl",
         "bad.csv"},
    };
    char *before = tu_snapshot(s);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = mon_write_file("bad.csv", cases[i].text);
        md_ingest_report rep;
        md_err err;
        md_status rc = mon_ingest(s, path, NULL, &rep, &err);
        ck_assert_msg(rc == MD_ERROR, "case %zu: got %d", i, rc);
        ck_assert_msg(strstr(err.msg, cases[i].says), "case %zu: '%s' lacks '%s'", i, err.msg,
                      cases[i].says);
        ck_assert_msg(strstr(err.msg, cases[i].where), "case %zu: '%s' lacks '%s'", i, err.msg,
                      cases[i].where);
        char *after = tu_snapshot(s);
        ck_assert_msg(strcmp(before, after) == 0, "case %zu changed the store", i);
        free(after);
    }
    /* one column given two roles */
    md_ingest_opts o = {.read.cols.label = "score"};
    md_ingest_report rep;
    md_err err;
    const char *path = mon_write_file("two.csv", "ts,score,label\n2026-10-01T00:00:00Z,0.5,1\n");
    ck_assert_int_eq(mon_ingest(s, path, &o, &rep, &err), MD_INVALID);
    ck_assert_msg(strstr(err.msg, "column 'score' is named as both the score column (as the "
                                  "baseline names it) and the label column (--label-col)"),
                  "%s", err.msg);
    /* JSON Lines read as CSV because --format csv said so: the message does not send the user
     * back to the extension */
    md_ingest_opts csv = {.read.format = MD_FMT_CSV};
    path = mon_write_file("rows.jsonl", "{\"ts\":\"2026-10-01T00:00:00Z\",\"score\":0.5}\n");
    ck_assert_int_eq(mon_ingest(s, path, &csv, &rep, &err), MD_ERROR);
    ck_assert_msg(strstr(err.msg, "reads as JSON Lines, not CSV (its first line starts with '{'): "
                                  "read it with --format jsonl"),
                  "%s", err.msg);
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(after);
    free(before);
    free(longline);
    free(openquote);
    md_store_close(s);
}
END_TEST

/* What CSV exports from Windows and spreadsheets often turn out to be is named, with what to
 * do, instead of a complaint about their bytes; a NUL byte in a field is bad input. */
START_TEST(other_kinds_of_file_are_named)
{
    md_store *s = mon_store();
    static const struct {
        const char *bytes;
        size_t n;
        const char *says;
    } cases[] = {
        {"\xFF\xFEt\0s\0,\0s\0", 10, "is UTF-16 text: save it as UTF-8"},
        {"t\0s\0,\0s\0\n\0", 10, "is UTF-16 text: save it as UTF-8"},
        {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", 10, "is an Excel 97-2003 workbook"},
        {"PAR1\x15\x04\x15", 7, "is a Parquet file"},
        {"PK\x03\x04\x14\0\x06\0[Content_Types].xml", 27, "is an Excel workbook (xlsx)"},
        /* a NUL byte in a CSV field (it would cut the text short wherever it is shown) */
        {"ts,score,label,x,n,ch\n2026-10-01T00:00:00Z,0.5,1,1,1,a\0b\n", 57,
         ":2: column ch: a NUL byte (0x00) in the text"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = tu_path("export.csv");
        FILE *f = fopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(cases[i].bytes, 1, cases[i].n, f), cases[i].n);
        fclose(f);
        md_ingest_report rep;
        md_err err;
        ck_assert_int_eq(mon_ingest(s, path, NULL, &rep, &err), MD_ERROR);
        ck_assert_msg(strstr(err.msg, cases[i].says) && strstr(err.msg, "export.csv"),
                      "case %zu: '%s'", i, err.msg);
    }
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM ingests"), 0);
    md_store_close(s);
}
END_TEST

START_TEST(bad_json_lines)
{
    md_store *s = mon_store();
    struct {
        const char *text, *says;
    } cases[] = {
        {"{\"ts\": \"2026-10-01T00:00:00Z\", \"score\": 0.5}\n{\"ts\": 1, \"score\": }\n",
         ":2: invalid JSON"},
        {"[1, 2]\n", "bad.jsonl is a JSON array: modeldeck reads JSON Lines, one object per line"},
        {"{\"ts\": 1759276800, \"score\": 0.5}\n[1, 2]\n", ":2: expected a JSON object"},
        {"{\"ts\": 1759276800, \"score\": 0.5}\n42\n", ":2: expected a JSON object, found '42'"},
        {"ts,score\n2026-10-01T00:00:00Z,0.5\n",
         "bad.jsonl: reads as CSV, not JSON Lines (its first line is no JSON object but holds "
         "commas, as a header does): name it .csv or add --format csv"},
        {"{\"ts\": 1759276800, \"score\": 0.5} x\n", ":1: invalid JSON at column 34: text after "
                                                     "the JSON value"},
        {"{\"ts\": 1759276800, \"score\": 1.01}\n", ":1: column score"},
        {"{\"ts\": 1759276800000, \"score\": 0.5}\n", ":1: column ts: '1759276800000' is not a "
                                                      "timestamp: as epoch seconds it is past"},
        {"{\"ts\": \"2026-10-01T00:00:00Z\", \"score\": 0.5, \"label\": \"maybe\"}\n",
         ":1: column label"},
        {"{\"ts\": \"2026-10-01T00:00:00Z\", \"prob\": 0.5}\n",
         ":1: column score: no record so far has this key (name the score's key with --score-col)"},
        {"{\"ts\": 1759276800, \"score\": 0.5, \"c\": \"a\\u0000b\"}\n",
         ":1: invalid JSON at column 48: a string holds \\u0000 (NUL)"},
        {"{\"ts\": 1759276800, \"score\": 0.5, \"c\": 1, \"c\": 2}\n",
         ":1: invalid JSON at column 44: duplicate object key"},
        {"{\"ts\": 1759276800, \"score\": 0.5, \"\": 1}\n", ":1: a key has no name (\"\")"},
        /* a number where a key must stand stays invalid, however large */
        {"{\"ts\": 1759276800, \"score\": 0.5, 1e999: 2}\n", ":1: invalid JSON"},
        {"{\"ts\": 1759276800, \"score\": 0.5, 18446744073709551616: 2}\n", ":1: invalid JSON"},
        /* an integer beyond 64 bits is fine; the error after it is named where it is */
        {"{\"id\": 18446744073709551616, \"x\": [-18446744073709551616,}\n",
         ":1: invalid JSON at column 58: unexpected token near '}'"},
    };
    char *before = tu_snapshot(s);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = mon_write_file("bad.jsonl", cases[i].text);
        md_ingest_report rep;
        md_err err;
        ck_assert_int_eq(mon_ingest(s, path, NULL, &rep, &err), MD_ERROR);
        ck_assert_msg(strstr(err.msg, cases[i].says), "case %zu: '%s'", i, err.msg);
        char *after = tu_snapshot(s);
        ck_assert_str_eq(before, after);
        free(after);
    }
    /* a line over 1 MiB names the key whose value went past it (past a nested value holding a
     * comma and a quote); the file's upper-case extension reads as JSON Lines all the same */
    char *big = md_xmalloc((1u << 20) + 1);
    memset(big, 'z', 1u << 20);
    big[1u << 20] = '\0';
    char *text = md_xasprintf("{\"ts\": 1759276800, \"score\": 0.5, \"x\": {\"y\": [1, "
                              "\"a,\\\"b\"]}, \"c\": \"%s\"}\n",
                              big);
    md_ingest_report rep;
    md_err err;
    ck_assert_int_eq(mon_ingest(s, mon_write_file("BAD.JSONL", text), NULL, &rep, &err), MD_ERROR);
    ck_assert_msg(strstr(err.msg, "BAD.JSONL:1: column c: record longer than 1 MiB"), "%s",
                  err.msg);
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(after);
    free(text);
    free(big);
    free(before);
    md_store_close(s);
}
END_TEST

START_TEST(max_bad_rows_skips_and_counts)
{
    md_store *s = mon_store();
    const char *path = mon_write_file("log.csv", "ts,score,label,x,n,ch\n"
                                                 "2026-10-01T00:00:00Z,0.5,1,1,1,web\n"
                                                 "2026-10-01T00:00:00Z,7,1,1,1,web\n"
                                                 "2026-10-01T00:00:00Z,0.5,1,1,1,web\n"
                                                 "bad-time,0.5,1,1,1,web\n");
    md_ingest_opts o = {.read.max_bad_rows = 1};
    md_ingest_report rep;
    md_err err;
    ck_assert_int_eq(mon_ingest(s, path, &o, &rep, &err), MD_ERROR);
    ck_assert_ptr_nonnull(strstr(err.msg, ":5: column ts"));
    o.read.max_bad_rows = 2;
    md_status rc = md_ingest(s, &mon_op, "churn", 1, path, &o, &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    ck_assert_int_eq(rep.bad_rows, 2);
    ck_assert_int_eq(rep.rows, 2);
    ck_assert_ptr_nonnull(strstr(rep.first_bad, ":3: column score"));
    md_ingest_report_free(&rep);
    /* every row skipped: the reason is not lost */
    path = mon_write_file("all.csv", "ts,score,label,x,n,ch\n"
                                     "2026-10-01T00:00:00Z,7,1,1,1,web\n"
                                     "bad-time,0.5,1,1,1,web\n");
    ck_assert_int_eq(mon_ingest(s, path, &o, &rep, &err), MD_ERROR);
    ck_assert_msg(strstr(err.msg, "all.csv: no rows to ingest: all 2 were bad; the first: ") &&
                      strstr(err.msg, "all.csv:2: column score"),
                  "%s", err.msg);
    /* a stray carriage return is one bad row on its line; the lines after keep their numbers */
    path = mon_write_file("cr.csv", "ts,score,label,x,n,ch\n"
                                    "2026-10-01T00:00:00Z,0.5,1,1,1,w\reb\n"
                                    "2026-10-01T00:00:00Z,0.5,1,1,1,web\n"
                                    "2026-10-01T00:00:00Z,7,1,1,1,web\n");
    o.read.max_bad_rows = 1;
    ck_assert_int_eq(mon_ingest(s, path, &o, &rep, &err), MD_ERROR);
    ck_assert_msg(strstr(err.msg, "cr.csv:4: column score"), "%s", err.msg);
    md_store_close(s);
}
END_TEST

/* Records the reader cannot take (ragged, invalid UTF-8, over 1 MiB, a stray character after a
 * closing quote; in JSON Lines: not JSON, not an object, over 1 MiB) are bad rows like any
 * other: --max-bad-rows skips them, counts them and names the first; one more than it allows
 * is an error that says so, with nothing committed. An unterminated quote takes the rest of the
 * file with it: never skipped. Baselines skip the same rows. */
START_TEST(bad_records_are_bad_rows_too)
{
    md_store *s = mon_store();
    char *pad = md_xmalloc((1u << 20) + 16);
    memset(pad, 'a', (1u << 20) + 15);
    pad[(1u << 20) + 15] = '\0';
    const char *good = "2026-10-01T01:00:00Z,0.5,1,1.5,2,web\n";
    char *csv = md_xasprintf("ts,score,label,x,n,ch\n%s"
                             "2026-10-01T01:00:00Z,0.5,1,1.5,web\n%s" /* line 3: ragged */
                             "2026-10-01T01:00:00Z,0.5,1,1.5,2,w\xff"
                             "b\n%s"                                          /* 5: UTF-8 */
                             "2026-10-01T01:00:00Z,0.5,1,1.5,2,%s\n%s"        /* 7: too long */
                             "2026-10-01T01:00:00Z,0.5,1,1.5,2,\"web\"x\n%s", /* 9 */
                             good, good, good, pad, good, good);
    const char *path = mon_write_file("log.csv", csv);
    md_ingest_opts o = {.read.max_bad_rows = 3};
    md_ingest_report rep;
    md_err err;
    char *before = tu_snapshot(s);
    ck_assert_int_eq(mon_ingest(s, path, &o, &rep, &err), MD_ERROR);
    ck_assert_msg(strstr(err.msg, "log.csv:9: column ch: unexpected character after a closing "
                                  "quote (bad row 4, more than --max-bad-rows 3)"),
                  "%s", err.msg);
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(after);
    o.read.max_bad_rows = 4;
    md_status rc = mon_ingest(s, path, &o, &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    ck_assert_int_eq(rep.bad_rows, 4);
    ck_assert_int_eq(rep.rows, 5);
    ck_assert_msg(
        strstr(rep.first_bad,
               "log.csv:3: column ch: missing: expected 6 fields as in the header, found 5"),
        "%s", rep.first_bad);
    md_ingest_report_free(&rep);

    /* the baseline of a second version, from the same file */
    md_version_spec v = {.artifact_uri = "s3://m/2"};
    int64_t two;
    ck_assert_int_eq(md_version_add(s, &mon_op, "churn", &v, NULL, &two, &err), MD_OK);
    md_baseline_opts bo = {.read.max_bad_rows = 3};
    md_baseline_report brep;
    ck_assert_int_eq(md_baseline_build(s, &mon_op, "churn", two, path, &bo, &brep, &err), MD_ERROR);
    ck_assert_msg(strstr(err.msg, "log.csv:9: column ch") && strstr(err.msg, "bad row 4"), "%s",
                  err.msg);
    bo.read.max_bad_rows = 4;
    rc = md_baseline_build(s, &mon_op, "churn", two, path, &bo, &brep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    ck_assert_int_eq(brep.bad_rows, 4);
    ck_assert_int_eq(brep.rows, 5);
    ck_assert_msg(strstr(brep.first_bad, "log.csv:3: column ch: missing: expected 6 fields"), "%s",
                  brep.first_bad);

    /* a column of ids left among the features is named */
    md_version_spec v3 = {.artifact_uri = "s3://m/3"};
    int64_t three;
    ck_assert_int_eq(md_version_add(s, &mon_op, "churn", &v3, NULL, &three, &err), MD_OK);
    size_t cap = 64 * 1024, len = 0;
    char *ids = md_xmalloc(cap);
    len += (size_t)snprintf(ids, cap, "customer,score,label,x\n");
    for (int i = 0; i < 300; i++)
        len += (size_t)snprintf(ids + len, cap - len, "c%05d,0.%03d,%d,%d\n", i * 7, i, i % 2, i);
    bo = (md_baseline_opts){0};
    rc = md_baseline_build(s, &mon_op, "churn", three, mon_write_file("ids.csv", ids), &bo, &brep,
                           &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    ck_assert_int_eq(brep.nid_like, 1);
    ck_assert_str_eq(brep.id_like[0].name, "customer");
    ck_assert_int_eq(brep.id_like[0].distinct, 300);
    free(ids);

    /* an unterminated quote */
    char *open_quote = md_xasprintf("ts,score,label,x,n,ch\n%s"
                                    "2026-10-01T01:00:00Z,0.5,1,1.5,2,\"web\n%s",
                                    good, good);
    o.read.max_bad_rows = 100;
    free(before);
    before = tu_snapshot(s);
    ck_assert_int_eq(mon_ingest(s, mon_write_file("open.csv", open_quote), &o, &rep, &err),
                     MD_ERROR);
    ck_assert_msg(strstr(err.msg, "open.csv:3: column ch: unterminated quoted field"), "%s",
                  err.msg);
    after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    free(after);
    free(before);

    /* JSON Lines */
    const char *jgood = "{\"ts\":\"2026-10-02T01:00:00Z\",\"score\":0.5,\"label\":1,\"x\":1.5,"
                        "\"n\":2,\"ch\":\"web\"}\n";
    char *jl = md_xasprintf("%s{\"ts\": \n%s[1, 2]\n%s{\"ts\":\"%s\"}\n%s", jgood, jgood, jgood,
                            pad, jgood);
    o.read.max_bad_rows = 3;
    rc = mon_ingest(s, mon_write_file("log.jsonl", jl), &o, &rep, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    ck_assert_int_eq(rep.bad_rows, 3);
    ck_assert_int_eq(rep.rows, 4);
    ck_assert_msg(strstr(rep.first_bad, "log.jsonl:2: invalid JSON"), "%s", rep.first_bad);
    md_ingest_report_free(&rep);
    free(jl);
    free(open_quote);
    free(csv);
    free(pad);
    md_store_close(s);
}
END_TEST

/* A contract's mistakes name the file and the field, a misspelt key included (it would check
 * nothing); a file that cannot be read says so, a FIFO without a writer too, without waiting. */
START_TEST(contract_errors_name_file_and_field)
{
    struct {
        const char *text, *says;
        md_status code;
    } cases[] = {
        {"[{\"name\": \"x\", \"minimum\": 0}]", "c.json: features[0].minimum: unknown key",
         MD_INVALID},
        {"{\"features\": [], \"rules\": []}", "c.json: rules: unknown key", MD_INVALID},
        {"[{\"name\": \"x\", \"min\": 5, \"max\": 1}]", "c.json: features[0].min: is above max",
         MD_INVALID},
        {"[{\"name\": \"x\", \"type\": \"text\"}]", "c.json: features[0].type: expected",
         MD_INVALID},
        {"[{\"name\": \"x\", \"type\": 5}]", "c.json: features[0].type: expected", MD_INVALID},
        {"[{\"name\": \"x\", \"type\": null}]", "c.json: features[0].type: expected", MD_INVALID},
        {"[{\"name\": \"x\",\n \"min\": }]", "c.json:2: invalid JSON at column", MD_INVALID},
        {"{\"features\": 3}", "c.json: expected {\"features\": [...]}", MD_INVALID},
        {"[{\"name\": \"ch\", \"allowed\": [\"email\", \"web\", \"email\"]}]",
         "c.json: features[0].allowed[2]: 'email' is listed twice", MD_INVALID},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        md_contract c;
        md_err err;
        ck_assert_int_eq(md_contract_load(mon_write_file("c.json", cases[i].text), &c, &err),
                         cases[i].code);
        ck_assert_msg(strstr(err.msg, cases[i].says), "case %zu: %s", i, err.msg);
    }
    md_contract c;
    md_err err;
    ck_assert_int_eq(md_contract_load(tu_path("none.json"), &c, &err), MD_ERROR);
    ck_assert_msg(strstr(err.msg, "cannot open ") && strstr(err.msg, "none.json: No such file"),
                  "%s", err.msg);
    ck_assert_int_eq(md_contract_load(tu_path(""), &c, &err), MD_ERROR);
    ck_assert_msg(strstr(err.msg, "is not a regular file"), "%s", err.msg);
    const char *fifo = tu_path("fifo.json");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(md_contract_load(fifo, &c, &err), MD_ERROR);
    ck_assert_msg(strstr(err.msg, "fifo.json is not a regular file"), "%s", err.msg);
    /* and the data file itself, for ingest (the file hash opens it too) */
    md_store *s = mon_store();
    md_ingest_report rep;
    ck_assert_int_eq(mon_ingest(s, fifo, NULL, &rep, &err), MD_ERROR);
    ck_assert_msg(strstr(err.msg, "fifo.json is not a regular file (a pipe: a data file is read "
                                  "from two places at once and hashed; write it to a file first)"),
                  "%s", err.msg);
    ck_assert_int_eq(mon_ingest(s, "-", NULL, &rep, &err), MD_ERROR); /* no file named "-" here */
    ck_assert_msg(strstr(err.msg, "cannot read standard input ('-')"), "%s", err.msg);
    md_store_close(s);
    md_contract ok;
    ck_assert_int_eq(
        md_contract_load(mon_write_file("c.json", "[{\"name\": \"x\", \"min\": 0}]"), &ok, &err),
        MD_OK);
    md_contract_free(&ok);
}
END_TEST

/* --max-bad-rows N%: bad rows up to that share of the file's rows are skipped and counted; over
 * it, the file fails once read, naming the share and the first bad row, nothing committed. */
START_TEST(bad_rows_as_a_share)
{
    md_store *s = mon_store();
    char *log = mon_rows_csv(300, 1, 0, false, true);
    for (int k = 0; k < 10; k++) /* 10 rows of 300 with a score of 2 */
        memcpy(strstr(mon_after_lines(log, 1 + 30 * k), "Z,") + 2, "2.000", 5);
    const char *path = mon_write_file("share.csv", log);
    md_ingest_opts o = {.read = {.max_bad_rows = INT64_MAX, .max_bad_share = 0.02}};
    md_ingest_report rep;
    md_err err;
    char *before = tu_snapshot(s);
    ck_assert_int_eq(md_ingest(s, &mon_op, "churn", 1, path, &o, &rep, &err), MD_ERROR);
    ck_assert_msg(strstr(err.msg, "share.csv: 10 of 300 rows were bad (3.33%), more than "
                                  "--max-bad-rows 2%; the first: ") &&
                      strstr(err.msg, "share.csv:2: column score"),
                  "%s", err.msg);
    char *after = tu_snapshot(s);
    ck_assert_str_eq(before, after);
    o.read.max_bad_share = 0.05;
    ck_assert_int_eq(md_ingest(s, &mon_op, "churn", 1, path, &o, &rep, &err), MD_OK);
    ck_assert_int_eq(rep.rows, 290);
    ck_assert_int_eq(rep.bad_rows, 10);
    md_ingest_report_free(&rep);
    free(before);
    free(after);
    free(log);
    md_store_close(s);
}
END_TEST

/* A scoring log without the baseline's label column (renamed upstream) is ingested, its rows
 * unlabeled, and the report says which column it lacked; a log with it says nothing; rows dated
 * years ahead are counted for a note. */
START_TEST(label_column_absent_noted)
{
    md_store *s = mon_store();
    char *log = mon_rows_csv(200, 1, 0, false, true);
    memcpy(strstr(log, "label"), "churn", 5); /* the header's label column renamed */
    md_ingest_opts none = {0};
    md_ingest_report rep;
    md_err err;
    ck_assert_int_eq(
        md_ingest(s, &mon_op, "churn", 1, mon_write_file("l.csv", log), &none, &rep, &err), MD_OK);
    ck_assert_int_eq(rep.labeled, 0);
    ck_assert_str_eq(rep.label_absent, "label");
    md_ingest_report_free(&rep);
    free(log);
    log = mon_rows_csv(200, 1, 0, false, true);
    for (char *p = strstr(log, "2026-10-01"); p; p = strstr(p + 1, "2026-10-01"))
        p[9] = '2';
    ck_assert_int_eq(
        md_ingest(s, &mon_op, "churn", 1, mon_write_file("m.csv", log), &none, &rep, &err), MD_OK);
    ck_assert_int_gt(rep.labeled, 0);
    ck_assert_str_eq(rep.label_absent, "");
    ck_assert_uint_eq(rep.future_windows, 0);
    md_ingest_report_free(&rep);
    /* rows dated far after the store's clock: ingested, and counted for a note */
    for (char *p = strstr(log, "2026-10-02"); p; p = strstr(p + 1, "2026-10-02"))
        memcpy(p, "2099", 4);
    ck_assert_int_eq(
        md_ingest(s, &mon_op, "churn", 1, mon_write_file("f.csv", log), &none, &rep, &err), MD_OK);
    ck_assert_uint_eq(rep.future_windows, 1);
    ck_assert_int_eq(rep.future_rows, 200);
    ck_assert_int_eq(rep.epoch_rows, 0);
    md_ingest_report_free(&rep);
    /* rows dated in 1970 (a missing timestamp written as 0): ingested, and counted for a note */
    for (char *p = strstr(log, "2099-10-02"); p; p = strstr(p + 1, "2099-10-02"))
        memcpy(p, "1970-01-01", 10);
    ck_assert_int_eq(
        md_ingest(s, &mon_op, "churn", 1, mon_write_file("e.csv", log), &none, &rep, &err), MD_OK);
    ck_assert_int_eq(rep.epoch_rows, 200);
    ck_assert_uint_eq(rep.future_windows, 0);
    md_ingest_report_free(&rep);
    /* the day before, as epoch -1 (a missing timestamp written as -1) puts them: the same note;
     * a day earlier, none */
    for (char *p = strstr(log, "1970-01-01"); p; p = strstr(p + 1, "1970-01-01"))
        memcpy(p, "1969-12-31", 10);
    ck_assert_int_eq(
        md_ingest(s, &mon_op, "churn", 1, mon_write_file("e1.csv", log), &none, &rep, &err), MD_OK);
    ck_assert_int_eq(rep.epoch_rows, 200);
    md_ingest_report_free(&rep);
    for (char *p = strstr(log, "1969-12-31"); p; p = strstr(p + 1, "1969-12-31"))
        memcpy(p, "1969-12-30", 10);
    ck_assert_int_eq(
        md_ingest(s, &mon_op, "churn", 1, mon_write_file("e2.csv", log), &none, &rep, &err), MD_OK);
    ck_assert_int_eq(rep.epoch_rows, 0);
    md_ingest_report_free(&rep);
    free(log);
    md_store_close(s);
}
END_TEST

Suite *suite_badinput(void)
{
    Suite *s = suite_create("badinput");
    TCase *tc = tcase_create("badinput");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, bad_input_is_named_and_nothing_is_committed);
    tcase_add_test(tc, bad_json_lines);
    tcase_add_test(tc, other_kinds_of_file_are_named);
    tcase_add_test(tc, max_bad_rows_skips_and_counts);
    tcase_add_test(tc, bad_records_are_bad_rows_too);
    tcase_add_test(tc, contract_errors_name_file_and_field);
    tcase_add_test(tc, bad_rows_as_a_share);
    tcase_add_test(tc, label_column_absent_noted);
    suite_add_tcase(s, tc);
    return s;
}
