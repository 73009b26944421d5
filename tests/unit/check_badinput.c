/* bad input: every kind of bad row, bad file and bad contract names the file, line and column,
 * commits nothing, and --max-bad-rows skips what can be skipped; the same file twice is refused
 * unless --replace, which replaces what it should and nothing else. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "baseline.h"
#include "ingest.h"
#include "mem.h"
#include "monitoring.h"
#include "rowsample.h"
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
    free(log);
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
    ck_assert_int_eq(md_ingest(s, &mon_op, "churn", 1, mon_write_file("t.csv", thrice), &none,
                               &rep, &err),
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
    tcase_add_test(tc, same_file_twice_refused_unless_replace);
    tcase_add_test(tc, bad_rows_as_a_share);
    tcase_add_test(tc, label_column_absent_noted);
    tcase_add_test(tc, row_sample_overlap);
    tcase_add_test(tc, replace_goes_by_rows);
    tcase_add_test(tc, replace_that_empties_a_window_notes_its_incidents);
    suite_add_tcase(s, tc);
    return s;
}
