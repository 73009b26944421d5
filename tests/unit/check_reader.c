/* reader: CSV records cut into fields (core/reader.c), as RFC 4180 has them.
 *
 * The fast path classifies a record 16 bytes at a time and hands anything unusual (quotes,
 * carriage returns) to the general parser; both must give the same fields, and the record
 * line numbers must stay right across the buffer's refills: the fast path reads 256 KiB
 * ahead, and a longer record (up to 1 MiB) makes the reader read further. And the file's
 * SHA-256, computed on a thread of its own beside the reading (core/sha256.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "reader.h"
#include "sha256.h"
#include "testutil.h"

static const char *write_text(const char *name, const char *text, size_t n)
{
    const char *path = tu_path(name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, n, f), n);
    fclose(f);
    return path;
}

static void teardown(void)
{
    tu_cleanup();
}

/* Reads every record; returns them as "line:field|field|...\n" lines. */
static char *read_all(const char *path, md_err *err, md_status *rc)
{
    md_reader *r;
    *rc = md_reader_open(path, MD_FMT_CSV, &r, err);
    if (*rc != MD_OK)
        return NULL;
    size_t cap = 1024, len = 0;
    char *out = md_xmalloc(cap);
    out[0] = '\0';
    for (;;) {
        const md_field *f;
        bool done;
        *rc = md_reader_next(r, &f, &done, err);
        if (*rc != MD_OK || done)
            break;
        char *line = md_xasprintf("%llu:", (unsigned long long)md_reader_line(r));
        for (size_t i = 0; i < md_reader_ncols(r); i++) {
            char *more =
                md_xasprintf("%s%s%.*s", line, i ? "|" : "", (int)f[i].n, f[i].p ? f[i].p : "");
            free(line);
            line = more;
        }
        size_t n = strlen(line);
        out = md_xgrow(out, &cap, len + n + 2, 1);
        memcpy(out + len, line, n);
        len += n;
        out[len++] = '\n';
        out[len] = '\0';
        free(line);
    }
    md_reader_close(r);
    return out;
}

START_TEST(records_cut_into_fields)
{
    static const char text[] =
        "\xEF\xBB\xBF"
        "a,b,c\n"
        "1,2,3\n"
        "a field longer than sixteen bytes,x,another one past the first block\n"
        "\"quoted, with a comma\",\"a \"\"doubled\"\" quote\",\"two\nlines\"\n"
        "crlf,line,here\r\n"
        "\n"
        ",,\n"
        "caf\xC3\xA9,na\xC3\xAFve long text reaching the next block \xE2\x82\xAC,z\n"
        "last,line,\"no newline\"";
    md_err err;
    md_status rc;
    char *got = read_all(write_text("r.csv", text, sizeof text - 1), &err, &rc);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    ck_assert_str_eq(got, "2:1|2|3\n"
                          "3:a field longer than sixteen bytes|x|another one past the first block\n"
                          "4:quoted, with a comma|a \"doubled\" quote|two\nlines\n"
                          "6:crlf|line|here\n"
                          "8:||\n"
                          "9:caf\xC3\xA9|na\xC3\xAFve long text reaching the next block "
                          "\xE2\x82\xAC|z\n"
                          "10:last|line|no newline\n");
    free(got);
}
END_TEST

/* A header wider than what the reader reads ahead (256 KiB), after blank lines, plain and with
 * a quoted name (the general parser): every column is named, and the rows after it are read
 * with the right line numbers. */
START_TEST(headers_wider_than_the_read_ahead)
{
    enum { COLS = 40000 }; /* names of 7 or 8 bytes: some 320 KiB */
    for (int quoted = 0; quoted < 2; quoted++) {
        size_t cap = (size_t)COLS * 24 + 64, len = 0;
        char *text = md_xmalloc(cap);
        len += (size_t)snprintf(text, cap, "\n\n");
        for (int i = 0; i < COLS; i++)
            len += (size_t)snprintf(text + len, cap - len,
                                    quoted && i == COLS - 1 ? "%s\"c%06d\"" : "%sc%06d",
                                    i ? "," : "", i);
        len += (size_t)snprintf(text + len, cap - len, "\n");
        for (int row = 0; row < 2; row++) {
            for (int i = 0; i < COLS; i++)
                len +=
                    (size_t)snprintf(text + len, cap - len, "%s%d", i ? "," : "", (row + i) % 10);
            len += (size_t)snprintf(text + len, cap - len, "\n");
        }
        md_reader *r;
        md_err err;
        ck_assert_int_eq(md_reader_open(write_text("wide.csv", text, len), MD_FMT_CSV, &r, &err),
                         MD_OK);
        ck_assert_uint_eq(md_reader_ncols(r), COLS);
        ck_assert_str_eq(md_reader_col(r, 0), "c000000");
        ck_assert_str_eq(md_reader_col(r, COLS - 1), "c039999");
        for (int row = 0; row < 2; row++) {
            const md_field *f;
            bool done;
            ck_assert_int_eq(md_reader_next(r, &f, &done, &err), MD_OK);
            ck_assert(!done);
            ck_assert_uint_eq(md_reader_line(r), (uint64_t)(4 + row));
            ck_assert_uint_eq(f[COLS - 1].n, 1);
            ck_assert_int_eq(f[COLS - 1].p[0], '0' + (row + COLS - 1) % 10);
        }
        md_reader_close(r);
        free(text);
    }
}
END_TEST

/* Some file formats' magic numbers are letters; a text file that starts with them (a column
 * named so) is read as the CSV it is. */
START_TEST(text_starting_with_a_magic_number_is_csv)
{
    static const char *texts[] = {"PAR1,PAR2\n1,2\n", "BZh9,x\n1,2\n"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        md_err err;
        md_status rc;
        char *got = read_all(write_text("m.csv", texts[i], strlen(texts[i])), &err, &rc);
        ck_assert_msg(rc == MD_OK, "%s: %s", texts[i], err.msg);
        ck_assert_str_eq(got, "2:1|2\n");
        free(got);
    }
}
END_TEST

START_TEST(bad_records_are_named)
{
    static const struct {
        const char *text, *message;
    } cases[] = {
        {"a,b\n1,2\n3\n",
         "r.csv:3: column b: missing: expected 2 fields as in the header, found 1"},
        {"a,b\n1,2,3\n", "r.csv:2: expected 2 fields as in the header, found 3 (field 3 is past "
                         "the last column, b)"},
        {"a,b\n1,\"open\n", "r.csv:2: column b: unterminated quoted field"},
        {"a,b\n1,a long field with a bad byte \xFF past the first block\n",
         "r.csv:2: column b: invalid UTF-8"},
        {"a,b\n1,\"x\"y\n", "r.csv:2: column b: unexpected character after a closing quote"},
        {"a,b\xFF\n1,2\n", "r.csv:1: invalid UTF-8 in the name of column 2"},
        {"\x1F\x8B\x08\x00", "r.csv is gzip-compressed: decompress it first"},
        /* a real bzip2 file's first bytes: its block header, then its CRC's binary bytes */
        {"BZh91AY&SY\x9A\x1E\x04\xB6", "r.csv is bzip2-compressed"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        md_err err;
        md_status rc;
        char *got = read_all(write_text("r.csv", cases[i].text, strlen(cases[i].text)), &err, &rc);
        ck_assert_int_eq(rc, MD_ERROR);
        ck_assert_msg(strstr(err.msg, cases[i].message), "case %zu: %s", i, err.msg);
        free(got);
    }
}
END_TEST

/* The message of the first record of `path` (read as `fmt`) that fails, header included. */
static void first_error(const char *path, md_format fmt, md_err *err)
{
    md_reader *r;
    if (md_reader_open(path, fmt, &r, err) != MD_OK) /* the header is read when it opens */
        return;
    md_status rc = MD_OK;
    for (bool done = false; rc == MD_OK && !done;) {
        const md_field *f;
        rc = md_reader_next(r, &f, &done, err);
    }
    ck_assert_int_eq(rc, MD_ERROR);
    md_reader_close(r);
}

/* A record over 1 MiB is named by where it went past the limit: a column, the name of a header
 * column, a field past the last column; in JSON Lines, the key whose value it was in (decoded),
 * and no key when it was in none (an array, or between a comma and the next key). */
START_TEST(long_records_name_their_place)
{
    char *z = md_xmalloc((1u << 20) + 1);
    memset(z, 'z', 1u << 20);
    z[1u << 20] = '\0';
    static const struct {
        const char *fmt, *name, *message;
        md_format kind;
    } cases[] = {
        {"a,b\n1,%s\n", "l.csv", "l.csv:2: column b: record longer than 1 MiB", MD_FMT_CSV},
        {"a,b%s\n1,2\n", "l.csv",
         "l.csv:1: record longer than 1 MiB, reached in the name of column 2", MD_FMT_CSV},
        {"a,b\n1,2,%s\n", "l.csv",
         "l.csv:2: record longer than 1 MiB, reached in field 3, past the last column", MD_FMT_CSV},
        {"{\"a\": 1}\n{\"a\": [\"x,\\\"}\", {\"y\": 2}], \"caf\\u00e9\": \"%s\"}\n", "l.jsonl",
         "l.jsonl:2: column caf\xC3\xA9: record longer than 1 MiB", MD_FMT_JSONL},
        {"{\"a\": 1}\n[1, \"k\", [\"%s\"]]\n", "l.jsonl", "l.jsonl:2: record longer than 1 MiB",
         MD_FMT_JSONL},
        {"{\"a\": 1, %s}\n", "l.jsonl", "l.jsonl:1: record longer than 1 MiB", MD_FMT_JSONL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = md_xasprintf(cases[i].fmt, z);
        if (i == 5) /* spaces, not a value, after the comma */
            memset(strstr(text, "zzz"), ' ', 1u << 20);
        md_err err;
        first_error(write_text(cases[i].name, text, strlen(text)), cases[i].kind, &err);
        bool named = strstr(cases[i].message, "column ") != NULL;
        ck_assert_msg(strstr(err.msg, cases[i].message) && (named || !strstr(err.msg, "column ")),
                      "case %zu: %s", i, err.msg);
        free(text);
    }
    free(z);
}
END_TEST

/* More than one read buffer of records of every length from 1 to 200 bytes. */
/* Row i's second field: mostly short; now and then longer than the fast path reads ahead, and
 * once just under the 1 MiB limit. */
static size_t field_len(size_t i)
{
    if (i == 20000)
        return MD_RECORD_MAX - 16;
    if (i % 997 == 0)
        return 30000 + (i * 37) % 300000;
    return i % 200;
}

START_TEST(records_across_buffer_refills)
{
    size_t cap = 16u << 20, n = 0, rows = 0, sum = 0;
    char *text = md_xmalloc(cap);
    n += (size_t)sprintf(text, "k,v\n");
    while (n < 12u << 20) {
        size_t len = field_len(rows);
        bool quoted = rows % 501 == 0 || rows % 1994 == 0; /* the general parser's, some long */
        n += (size_t)sprintf(text + n, quoted ? "%zu,\"" : "%zu,", rows);
        for (size_t j = 0; j < len; j++)
            text[n++] = (char)('a' + (rows + j) % 26);
        if (quoted)
            text[n++] = '"';
        text[n++] = '\n';
        sum += len;
        rows++;
    }
    md_err err;
    md_reader *r;
    ck_assert_int_eq(md_reader_open(write_text("big.csv", text, n), MD_FMT_CSV, &r, &err), MD_OK);
    size_t seen = 0, got = 0;
    for (;;) {
        const md_field *f;
        bool done;
        ck_assert_int_eq(md_reader_next(r, &f, &done, &err), MD_OK);
        if (done)
            break;
        ck_assert_uint_eq(strtoull(f[0].p, NULL, 10), seen);
        ck_assert_uint_eq(f[1].n, field_len(seen));
        if (f[1].n) /* its last byte, from the right place */
            ck_assert_int_eq(f[1].p[f[1].n - 1], 'a' + (seen + f[1].n - 1) % 26);
        ck_assert_uint_eq(md_reader_line(r), seen + 2);
        got += f[1].n;
        seen++;
    }
    ck_assert_uint_eq(seen, rows);
    ck_assert_uint_eq(got, sum);
    md_reader_close(r);
    free(text);
}
END_TEST

/* The file hash equals the digest of its bytes: FIPS 180-2's "abc", and 9 MiB (more than one of
 * the 8 MiB chunks it maps) against a one-shot digest; a file that is not the size the command
 * read, or that cannot be read, is an error naming it; a hash may be stopped. */
START_TEST(file_hash_is_the_digest_and_notices_a_change)
{
    md_err err;
    char hex[65];
    const char *abc = write_text("abc.csv", "abc", 3);
    ck_assert_int_eq(md_file_hash_finish(md_file_hash_start(abc), 3, hex, &err), MD_OK);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    size_t n = (9u << 20) + 5;
    char *big = md_xmalloc(n);
    uint64_t z = 3;
    for (size_t i = 0; i < n; i++) {
        z = z * 6364136223846793005ULL + 1442695040888963407ULL;
        big[i] = (char)(z >> 56);
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    ck_assert_int_eq(EVP_Digest(big, n, md, &len, EVP_sha256(), NULL), 1);
    char want[65];
    for (unsigned i = 0; i < 32; i++)
        snprintf(want + 2 * i, 3, "%02x", md[i]);
    const char *path = write_text("big.csv", big, n);
    ck_assert_int_eq(md_file_hash_finish(md_file_hash_start(path), n, hex, &err), MD_OK);
    ck_assert_str_eq(hex, want);
    free(big);

    ck_assert_int_eq(md_file_hash_finish(md_file_hash_start(abc), 4, hex, &err), MD_ERROR);
    ck_assert_ptr_nonnull(strstr(err.msg, abc));
    ck_assert_ptr_nonnull(
        strstr(err.msg, "changed while it was read: it had 4 bytes when opened, 3 when hashed"));
    ck_assert_str_eq(hex, "");
    /* a writer appending after the command read the file: refused too */
    md_file_hasher *h = md_file_hash_start(abc);
    FILE *f = fopen(abc, "ab");
    ck_assert_ptr_nonnull(f);
    fputs("def", f);
    fclose(f);
    ck_assert_int_eq(md_file_hash_finish(h, 3, hex, &err), MD_ERROR);
    ck_assert_msg(strstr(err.msg, "changed while it was read: it had 3 bytes when opened, 6"), "%s",
                  err.msg);
    ck_assert_int_eq(md_file_hash_finish(md_file_hash_start(tu_path("none.csv")), 0, hex, &err),
                     MD_ERROR);
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot read"));
    md_file_hash_cancel(md_file_hash_start(path));
    md_file_hash_cancel(NULL);
}
END_TEST

/* The hash as a feed: its pieces, taken in turn, are the file from its first byte, in order,
 * each ending after a line end (or at the file's end), whatever the size of what it reads at a
 * time, a line far longer than that included; the digest is the file's, and stays so when the
 * pieces stop being taken and the hash goes on alone. All of it holds whether the first pieces
 * were read ahead (the feed left alone a while before its first piece is taken) or not. */
START_TEST(a_feed_hands_out_the_file_in_whole_lines)
{
    size_t cap = 1u << 20, n = 0;
    char *text = md_xmalloc(cap);
    for (int i = 0; i < 3000; i++) {
        n += (size_t)sprintf(text + n, "%d,%.*s\n", i, i % 97,
                             "abcdefghijklmnopqrstuvwxyz"
                             "abcdefghijklmnopqrstuvwxyz"
                             "abcdefghijklmnopqrstuvwxyz"
                             "abcdefghijklmnopqrstuvwxyz");
        if (i == 1500) { /* a line of 200,000 bytes */
            memset(text + n, 'x', 200000);
            n += 200000;
            text[n++] = '\n';
        }
    }
    n += (size_t)sprintf(text + n, "last,without a line end");
    const char *names[] = {"feed.csv", "empty.csv", "one.csv"};
    const size_t sizes[] = {n, 0, 5};
    md_err err;
    for (size_t f = 0; f < 3; f++) {
        const char *path = write_text(names[f], f == 2 ? "a,b,c" : text, sizes[f]);
        char want[65], hex[65];
        ck_assert_int_eq(md_file_hash_finish(md_file_hash_start(path), sizes[f], want, &err),
                         MD_OK);
        const size_t pieces[] = {1, 7, 4096, 1u << 20};
        for (size_t run = 0; run < 2 * sizeof pieces / sizeof *pieces; run++) {
            size_t k = run / 2;
            md_file_hasher *h = md_file_hash_start_feed(path, pieces[k]);
            if (run % 2)
                usleep(20000); /* the first pieces read ahead by now */
            md_piece pc;
            size_t at = 0, taken = 0;
            bool stopped = false;
            while (md_file_hash_piece(h, &pc)) {
                ck_assert_uint_eq(pc.off, at);
                ck_assert_uint_gt(pc.n, 0);
                ck_assert_uint_le(at + pc.n, sizes[f]);
                ck_assert(memcmp(pc.p, (f == 2 ? "a,b,c" : text) + at, pc.n) == 0);
                ck_assert(pc.p[pc.n - 1] == '\n' || at + pc.n == sizes[f]);
                /* read a byte at a time, each piece is one line */
                ck_assert(pieces[k] > 1 || !memchr(pc.p, '\n', pc.n - 1));
                at += pc.n;
                md_file_hash_piece_done(h, &pc);
                if (++taken == 3 && k == 2) { /* the rest hashed alone */
                    md_file_hash_unfeed(h);
                    stopped = true;
                }
            }
            if (!stopped)
                ck_assert_uint_eq(at, sizes[f]);
            ck_assert_int_eq(md_file_hash_finish(h, sizes[f], hex, &err), MD_OK);
            ck_assert_str_eq(hex, want);
        }
    }
    /* stopped before any piece, and after some */
    const char *path = write_text("feed.csv", text, n);
    md_file_hash_cancel(md_file_hash_start_feed(path, 4096));
    md_file_hasher *h = md_file_hash_start_feed(path, 4096);
    usleep(20000);
    md_file_hash_cancel(h); /* with pieces read ahead, none taken */
    h = md_file_hash_start_feed(path, 4096);
    md_piece pc;
    ck_assert(md_file_hash_piece(h, &pc));
    md_file_hash_piece_done(h, &pc);
    md_file_hash_cancel(h);
    free(text);
}
END_TEST

/* A file cut short while it is read (a log rotation's copytruncate, say) is an error that says
 * so, whether the cut falls inside a record or between two, for CSV and JSON Lines: never a
 * record error the cut made up, nor an end that looks normal. The hash of a file cut under it
 * is an error too, not the SIGBUS that reading the lost pages of its mapping raises. */
START_TEST(a_file_cut_while_read_is_an_error)
{
    const char *fmt[] = {"%zu,%zu,abcdefgh\n", "{\"k\":%zu,\"v\":%zu,\"t\":\"abcdefgh\"}\n"};
    for (int json = 0; json < 2; json++) {
        for (int at_boundary = 0; at_boundary < 2; at_boundary++) {
            size_t cap = 13u << 20, n = 0, rows = 0, cut = 0; /* past the 4 MiB read at open */
            char *text = md_xmalloc(cap);
            if (!json)
                n += (size_t)sprintf(text, "k,v,t\n");
            while (n < (12u << 20)) {
                if (!cut && n >= (6u << 20))
                    cut = at_boundary ? n : n + 5;
                n += (size_t)sprintf(text + n, fmt[json], rows, rows * 7);
                rows++;
            }
            const char *path = write_text(json ? "cut.jsonl" : "cut.csv", text, n);
            free(text);
            md_err err;
            md_reader *r;
            ck_assert_int_eq(md_reader_open(path, json ? MD_FMT_JSONL : MD_FMT_CSV, &r, &err),
                             MD_OK);
            const md_field *f;
            bool done = false;
            ck_assert_int_eq(md_reader_next(r, &f, &done, &err), MD_OK);
            ck_assert_int_eq(truncate(path, (off_t)cut), 0);
            md_status rc = MD_OK;
            size_t seen = 1;
            while (rc == MD_OK && !done) {
                rc = md_reader_next(r, &f, &done, &err);
                seen += rc == MD_OK && !done;
            }
            ck_assert_int_eq(rc, MD_ERROR);
            char *want = md_xasprintf("%s changed while it was read: it had %zu bytes when opened, "
                                      "%zu now",
                                      path, n, cut);
            ck_assert_str_eq(err.msg, want);
            free(want);
            ck_assert_uint_lt(seen, rows);
            md_reader_close(r);
        }
    }

    /* a sparse 128 MiB file, cut to 1 MiB while its hash is under way */
    const char *path = tu_path("sparse.csv");
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    fclose(fp);
    ck_assert_int_eq(truncate(path, 128 << 20), 0);
    md_file_hasher *h = md_file_hash_start(path);
    usleep(10000); /* under way by now, and far from done */
    ck_assert_int_eq(truncate(path, 1 << 20), 0);
    char hex[65];
    md_err err;
    ck_assert_int_eq(md_file_hash_finish(h, 128u << 20, hex, &err), MD_ERROR);
    ck_assert_ptr_nonnull(strstr(err.msg, "changed while it was read"));
    ck_assert_str_eq(hex, "");
}
END_TEST

Suite *suite_reader(void)
{
    Suite *s = suite_create("reader");
    TCase *tc = tcase_create("reader");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, records_cut_into_fields);
    tcase_add_test(tc, headers_wider_than_the_read_ahead);
    tcase_add_test(tc, bad_records_are_named);
    tcase_add_test(tc, text_starting_with_a_magic_number_is_csv);
    tcase_add_test(tc, long_records_name_their_place);
    tcase_add_test(tc, records_across_buffer_refills);
    tcase_add_test(tc, file_hash_is_the_digest_and_notices_a_change);
    tcase_add_test(tc, a_feed_hands_out_the_file_in_whole_lines);
    tcase_add_test(tc, a_file_cut_while_read_is_an_error);
    suite_add_tcase(s, tc);
    return s;
}
