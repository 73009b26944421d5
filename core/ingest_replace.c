/* The earlier ingests an ingest's file holds the rows of: a re-delivery, a corrected, grown or
 * relabeled copy refused without --replace and taken out with it; a daily file reusing one name
 * keeps the earlier days (core/rowsample.h says how rows are compared). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_int.h"
#include "json.h"
#include "mem.h"
#include "rowsample.h"
#include "sql.h"

static void key_read(sqlite3_stmt *st, void *elem)
{
    *(char **)elem = md_sql_col_text(st, 0);
}

/* The windows an earlier ingest has parts in. */
static md_status ingest_windows(ingest *g, int64_t id, char ***keys, size_t *n, md_err *err)
{
    sqlite3_stmt *st;
    *keys = NULL;
    *n = 0;
    if (md_sql_prepare(g->s, "SELECT window FROM window_parts WHERE ingest_id = ?", &st, err))
        return err->code;
    md_sql_bind(st, "i", id);
    return md_sql_collect(g->s, st, sizeof **keys, key_read, (void **)keys, n, err);
}

static void keys_free(char **keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
}

/* How this file's rows lie over an earlier ingest's, from their row samples
 * (core/rowsample.h), with at least this many sampled rows of the one in question to go by
 * where the samples are samples (where both hold every row, each row is evidence). */
#define SAME_ROWS_EVIDENCE 4

typedef enum {
    ROWS_APART, /* few rows in common */
    ROWS_COVER, /* this file holds 90% of the earlier ingest's rows or more: a re-delivery, a
                   correction, a grown copy, the same rows with their labels filled in */
    ROWS_REPEAT /* half this file's rows or more are the earlier ingest's, which holds others */
} rows_relation;

/* *some: apart, but 10% or more of this file's rows are the earlier ingest's too */
static rows_relation rows_over(const md_rowsample *earlier, const md_rowsample *mine, bool named,
                               bool *some)
{
    md_rowsample_overlap o = md_rowsample_compare(earlier, mine);
    bool whole = earlier->shift == 0 && mine->shift == 0;
    size_t least = whole ? 1 : SAME_ROWS_EVIDENCE;
    *some = o.b >= least && 10 * o.both >= o.b;
    if (o.a >= least && 10 * o.both >= 9 * o.a)
        return ROWS_COVER;
    /* a small file cut from a large ingest of its name (a day's file corrected to a few rows)
     * has few rows in the larger sample's pick: when every one of them is that ingest's, it
     * repeats it. Under another name so few rows are no evidence (a file sharing a tenth of its
     * rows would be refused whenever its one picked row was a shared one). */
    bool thin = named && o.b >= 1 && o.both == o.b;
    if (o.b >= 1 && (o.b >= least || thin) && 2 * o.both >= o.b)
        return ROWS_REPEAT;
    return ROWS_APART;
}

/* What this file's sampled identities name rows by (core/rowsample.h). */
static const char *identity(const ingest *g)
{
    return g->pass.id_column ? MD_ROWSAMPLE_BY_ID : MD_ROWSAMPLE_BY_FIELDS;
}

/* The ingests --replace-ingest names, and this file's windows, as JSON arrays for SQL. */
static char *asked_json(const ingest *g)
{
    json_t *a = json_array();
    for (size_t i = 0; i < g->o->nreplace_ids; i++)
        json_array_append_new(a, json_integer(g->o->replace_ids[i]));
    char *text = md_json_dump(a, MD_JSON_COMPACT);
    json_decref(a);
    return text;
}

static char *window_keys_json(const ingest *g)
{
    json_t *a = json_array();
    for (size_t i = 0; i < g->pass.nw; i++) {
        char key[20];
        md_window_key(g->pass.w[i].index, g->o->window, key);
        json_array_append_new(a, json_string(key));
    }
    char *text = md_json_dump(a, MD_JSON_COMPACT);
    json_decref(a);
    return text;
}

static bool asked(const ingest *g, int64_t id)
{
    for (size_t i = 0; i < g->o->nreplace_ids; i++)
        if (g->o->replace_ids[i] == id)
            return true;
    return false;
}

static void list_add(int64_t **list, size_t *n, int64_t id)
{
    *list = md_xrealloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = id;
}

/* The earlier ingests of this version whose rows this file holds, whatever their file's name,
 * those of a file of this name whose rows it holds in part (the file corrected to drop some),
 * and those --replace-ingest names: with --replace (or --replace-ingest) this file takes their
 * place (*out). An earlier ingest whose rows this file repeats without --replace, or repeats in
 * part under another name, is *repeat (with *cover: this file holds its rows). Ingests of a file
 * of this name with other rows (yesterday's daily.csv) stay, reported under --replace
 * (rep->kept_ids); one whose rows cannot be compared with this file's is *repeat under
 * --replace, *legacy saying why: 1 stored before samples were kept, 2 rows named by ids in one
 * file and by fields in the other, 3 rows without ids named as before by their fields' text
 * (whether this file corrects it cannot be told). */
static md_status earlier_rows(ingest *g, int64_t vid, const char *path, const char *abs,
                              int64_t **out, size_t *nout, int64_t *repeat, bool *cover,
                              int *legacy, md_err *err)
{
    sqlite3_stmt *st;
    *out = NULL;
    *nout = 0;
    *repeat = 0;
    *legacy = 0;
    /* only ingests with rows in this file's windows can hold its rows (a row's window is its
     * timestamp's), beside those of its name or content and those named to be replaced: the
     * others, however many, are not read */
    md_status rc = md_sql_prepare(
        g->s,
        "SELECT id, row_sample, row_shift, source = ?1 OR source = ?2, sha256 = ?3,"
        " CASE WHEN row_identity IS NULL AND ?4 = ?5 THEN 0"
        " WHEN coalesce(row_identity, ?6) = ?4 THEN 1"
        " WHEN coalesce(row_identity, ?6) = ?6 THEN 3 ELSE 2 END"
        " FROM ingests WHERE version_id = ?7 AND (source = ?1 OR source = ?2 OR sha256 = ?3"
        " OR id IN (SELECT value FROM json_each(?8))"
        " OR id IN (SELECT ingest_id FROM window_parts"
        " WHERE window IN (SELECT value FROM json_each(?9)))) ORDER BY id",
        &st, err);
    if (rc != MD_OK)
        return rc;
    /* column 5, what the earlier sample's identities are: 1 this file's kind; 2 the other kind
     * (ids in one file, not in the other: no rows to compare); 3 rows without ids named by
     * their fields' text, as before (none to compare either); 0 none to go by, for a sample
     * from before the kind was kept is named by field text, or id-named but picked otherwise */
    char *asked_ids = asked_json(g), *keys = window_keys_json(g);
    md_sql_bind(st, "ttttttitt", path, abs, g->rep->sha256, identity(g), MD_ROWSAMPLE_BY_ID,
                MD_ROWSAMPLE_BY_FIELD_TEXT, vid, asked_ids, keys);
    free(asked_ids);
    free(keys);
    md_ingest_report *rep = g->rep;
    bool replace = g->o->read.replace;
    for (bool row = true; rc == MD_OK;) {
        rc = md_sql_step(g->s, st, &row, err);
        if (rc != MD_OK || !row)
            break;
        int64_t id = sqlite3_column_int64(st, 0);
        bool named = sqlite3_column_int(st, 3) != 0;
        /* named, or the same content under --replace (the one without is refused before) */
        if (asked(g, id) || (replace && sqlite3_column_int(st, 4))) {
            list_add(out, nout, id);
            continue;
        }
        md_rowsample earlier;
        rows_relation rel = ROWS_APART;
        bool some = false;
        int kind = sqlite3_column_int(st, 5);
        bool known =
            sqlite3_column_type(st, 1) == SQLITE_BLOB && kind != 0 &&
            md_rowsample_from_blob(sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1),
                                   (unsigned)sqlite3_column_int(st, 2), &earlier);
        if (known && kind >= 2) {
            md_rowsample_free(&earlier);
        } else if (known) {
            rel = rows_over(&earlier, &g->pass.sample, named, &some);
            md_rowsample_free(&earlier);
        }
        /* this file, corrected in place to drop rows (a bad day): it takes the place */
        if (rel == ROWS_REPEAT && replace && named)
            rel = ROWS_COVER;
        if ((rel == ROWS_COVER && !replace) || rel == ROWS_REPEAT) {
            *repeat = id;
            *cover = rel == ROWS_COVER;
            break;
        }
        /* stored before samples, or named by fields in one file and by ids in the other:
         * whether this corrects it cannot be told */
        if (replace && named && (!known || kind >= 2)) {
            *repeat = id;
            *legacy = known ? kind : 1;
            break;
        }
        if (rel == ROWS_COVER)
            list_add(out, nout, id);
        else if (replace && named)
            list_add(&rep->kept_ids, &rep->nkept, id);
        if (rel == ROWS_APART && some)
            list_add(&rep->shared_ids, &rep->nshared, id);
    }
    sqlite3_finalize(st);
    for (size_t i = 0; rc == MD_OK && i < g->o->nreplace_ids; i++) { /* each one of this version */
        bool found = false;
        for (size_t k = 0; k < *nout; k++)
            found |= (*out)[k] == g->o->replace_ids[i];
        if (!found)
            rc = md_err_set(err, MD_NOTFOUND,
                            "--replace-ingest %lld: no such ingest of %s v%lld (modeldeck --json "
                            "audit list --action ingest gives each one's number and file)",
                            (long long)g->o->replace_ids[i], g->model, (long long)g->number);
    }
    return rc;
}

/* The file an earlier ingest read, and its rows. */
static md_status ingest_source(ingest *g, int64_t id, char *src, size_t cap, int64_t *rows,
                               md_err *err)
{
    sqlite3_stmt *st;
    bool row = false;
    snprintf(src, cap, "?");
    *rows = 0;
    if (md_sql_prepare(g->s, "SELECT source, rows FROM ingests WHERE id = ?", &st, err))
        return err->code;
    md_sql_bind(st, "i", id);
    md_status rc = md_sql_step(g->s, st, &row, err);
    if (row) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        snprintf(src, cap, "%s", text ? text : "?");
        *rows = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return rc;
}

/* The earlier ingest of the same content is refused, unless --replace: then it goes (or, with
 * no such ingest, those of a file of the same name over these windows: the file was
 * corrected) and their windows are recomputed without them. */
md_status md_ingest_drop_previous(ingest *g, int64_t vid, const char *path, const char *abs,
                                  keyset *affected, keyset *replaced, md_err *err)
{
    md_ingest_report *rep = g->rep;
    int64_t old = 0;
    md_status rc =
        md_sql_int(g->s, &old, err, "SELECT id FROM ingests WHERE version_id = ? AND sha256 = ?",
                   "it", vid, rep->sha256);
    if (rc == MD_OK && !g->o->read.replace && !asked(g, old)) {
        char was[256];
        int64_t rows;
        if (ingest_source(g, old, was, sizeof was, &rows, err) != MD_OK)
            return err->code;
        return md_err_set(err, MD_REFUSED,
                          "%s has the content (SHA-256) of %s, already ingested for this version "
                          "(ingest #%lld); pass --replace to ingest it again in place of that one",
                          rep->source, was, (long long)old);
    }
    bool same_content = rc == MD_OK;
    int64_t repeat = 0;
    bool cover = false;
    int legacy = 0;
    if (rc == MD_OK || rc == MD_NOTFOUND) /* earlier copies go with the same content too */
        rc = earlier_rows(g, vid, path, abs, &rep->replaced_ids, &rep->nreplaced, &repeat, &cover,
                          &legacy, err);
    if (rc == MD_OK && repeat) {
        char was[256];
        int64_t rows;
        if (ingest_source(g, repeat, was, sizeof was, &rows, err) != MD_OK)
            return err->code;
        if (legacy)
            return md_err_set(err, MD_REFUSED,
                              "ingest #%lld (%s, %lld rows) has this file's name but %s, so "
                              "whether this file corrects it cannot be told: --replace-ingest %lld "
                              "ingests it in place of that one; without --replace both count",
                              (long long)repeat, was, (long long)rows,
                              legacy == 1   ? "was stored before rows were compared"
                              : legacy == 2 ? "one of the two has an id column and the other not"
                                            : "its rows were sampled by an earlier modeldeck, "
                                              "which named rows without ids otherwise",
                              (long long)repeat);
        if (cover)
            return md_err_set(err, MD_REFUSED,
                              "%s holds the rows of ingest #%lld (%s, %lld rows), and both would "
                              "count; pass --replace to ingest it in place of that one (a "
                              "corrected, grown or relabeled copy)",
                              rep->source, (long long)repeat, was, (long long)rows);
        return md_err_set(err, MD_REFUSED,
                          "most of the rows of %s are already in ingest #%lld (%s, %lld rows), "
                          "which holds others too, and both would count: ingest a corrected copy "
                          "of that whole file with --replace, or, to drop that ingest's other "
                          "rows, this one with --replace-ingest %lld",
                          rep->source, (long long)repeat, was, (long long)rows, (long long)repeat);
    }
    bool listed = false;
    for (size_t i = 0; i < rep->nreplaced; i++)
        listed |= rep->replaced_ids[i] == old;
    rep->replaced_by_rows = rep->nreplaced > (size_t)listed;
    if (rc == MD_OK && same_content && !listed) {
        rep->replaced_ids =
            md_xrealloc(rep->replaced_ids, (rep->nreplaced + 1) * sizeof *rep->replaced_ids);
        memmove(rep->replaced_ids + 1, rep->replaced_ids,
                rep->nreplaced * sizeof *rep->replaced_ids);
        rep->replaced_ids[0] = old;
        rep->nreplaced++;
    }
    for (size_t i = 0; rc == MD_OK && i < rep->nreplaced; i++) {
        int64_t id = rep->replaced_ids[i], rows = 0;
        char **keys = NULL;
        size_t n = 0;
        rc = ingest_source(g, id, rep->replaced_source, sizeof rep->replaced_source, &rows, err);
        rep->replaced_rows += rows;
        if (rc == MD_OK)
            rc = ingest_windows(g, id, &keys, &n, err);
        for (size_t k = 0; k < n; k++) {
            key_add(affected, keys[k]);
            key_add(replaced, keys[k]);
        }
        keys_free(keys, n);
        if (rc == MD_OK)
            rc = md_sql_run(g->s, err, "DELETE FROM ingests WHERE id = ?", "i", id);
    }
    rep->replaced = rep->nreplaced > 0;
    return rc;
}

md_status md_ingest_keep_sample(ingest *g, int64_t id, md_err *err)
{
    md_rowsample *keep = &g->pass.sample; /* compared already: thinned in place */
    md_rowsample_finish(keep, MD_ROWSAMPLE_KEEP);
    unsigned char *blob;
    size_t bytes;
    md_rowsample_blob(keep, &blob, &bytes);
    sqlite3_stmt *st;
    md_status rc = md_sql_prepare(
        g->s, "UPDATE ingests SET row_sample = ?, row_shift = ?, row_identity = ? WHERE id = ?",
        &st, err);
    if (rc == MD_OK) {
        sqlite3_bind_blob(st, 1, blob, (int)bytes, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 2, (int)keep->shift);
        sqlite3_bind_text(st, 3, identity(g), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, id);
        bool row;
        rc = md_sql_step(g->s, st, &row, err);
        sqlite3_finalize(st);
    }
    free(blob);
    return rc;
}
