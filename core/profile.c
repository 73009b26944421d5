#include "profile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blob.h"
#include "json.h"
#include "mem.h"
#include "sort.h"
#include "sql.h"
#include "tasks.h"

void md_bfeature_free(md_bfeature *f)
{
    free(f->name);
    free(f->edges);
    free(f->counts);
    free(f->ks_values);
    free(f->ks_counts);
    md_strmap_free(&f->cats);
    free(f->cat_counts);
    md_strmap_free(&f->rule.allowed);
    md_splits_free(&f->splits);
    memset(f, 0, sizeof *f);
}

void md_baseline_free(md_baseline *b)
{
    for (size_t i = 0; i < b->nfeatures; i++)
        md_bfeature_free(&b->features[i]);
    free(b->features);
    free(b->score_edges);
    char **s[] = {&b->source,  &b->source_sha256, &b->created_at, &b->created_by, &b->col_ts,
                  &b->col_id,  &b->col_score,     &b->col_label,  &b->col_latency};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        free(*s[i]);
    memset(b, 0, sizeof *b);
}

/* ---- binning --------------------------------------------------------------------------------- */

size_t md_baseline_score_bins(const md_baseline *b)
{
    return b->n_score_edges >= 2 ? b->n_score_edges - 1 : 1;
}

void md_baseline_index_scores(md_baseline *b)
{
    size_t n = b->n_score_edges, i = 0;
    for (size_t g = 0; g <= MD_SCORE_LUT; g++) {
        double lo = (double)g / MD_SCORE_LUT; /* exact: a power of two apart */
        while (i < n && b->score_edges[i] <= lo)
            i++;
        b->score_lut[g] = (uint8_t)i;
    }
    b->has_score_lut = n <= UINT8_MAX;
}

/* numpy.searchsorted(edges, s, side='right') - 1, clipped to the bins. */
size_t md_baseline_score_bin(const md_baseline *b, double s)
{
    size_t k = md_baseline_score_bins(b), i = 0, n = b->n_score_edges;
    const double *e = b->score_edges;
    if (b->has_score_lut && s >= 0 && s <= 1) {
        /* s * MD_SCORE_LUT is exact, so s lies in part g and at or above its lowest score: the
         * edges at or below s are the table's, and the few that lie inside the part and at or
         * below s (almost always none) */
        i = b->score_lut[(size_t)(s * MD_SCORE_LUT)];
        while (i < n && e[i] <= s)
            i++;
    } else if (n > 0) {
        /* i: the edges at or below s (they ascend), by halving without a branch on a random
         * score: four steps for the 11 edges of deciles */
        while (n > 1) {
            size_t half = n / 2;
            e = e[half] <= s ? e + half : e;
            n -= half;
        }
        i = (size_t)(e - b->score_edges) + (*e <= s);
    }
    return i == 0 ? 0 : (i - 1 >= k ? k - 1 : i - 1);
}

size_t md_bfeature_bin(const md_bfeature *f, double x)
{
    if (f->nedges == 0) /* no baseline values */
        return 0;
    if (f->nedges < 2) /* constant baseline: "== c" is bin 0, anything else bin 1 */
        return x == f->edges[0] ? 0 : 1;
    /* numpy.histogram of the clipped value: the interior edges at or below x. At most 9
     * comparisons, branch-free, on data that stays in L1. */
    size_t bin = 0;
    for (size_t i = 1; i < f->nbins; i++)
        bin += x >= f->edges[i];
    return bin;
}

/* ---- JSON helpers ------------------------------------------------------------------------------ */

static json_t *reals(const double *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_real(v[i]));
    return a;
}

static json_t *ints(const int64_t *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer(v[i]));
    return a;
}

static json_t *cat_counts(const md_bfeature *f)
{
    json_t *o = json_object();
    for (size_t i = 0; i < md_strmap_size(&f->cats); i++)
        json_object_set_new(o, md_strmap_key(&f->cats, i), json_integer(f->cat_counts[i]));
    return o;
}

static json_t *rule_json(const md_contract_rule *r)
{
    if (!r->present)
        return json_null();
    json_t *o = json_pack("{s:b}", "nullable", r->nullable);
    if (r->has_min)
        json_object_set_new(o, "min", json_real(r->min));
    if (r->has_max)
        json_object_set_new(o, "max", json_real(r->max));
    if (r->has_allowed) {
        json_t *a = json_array();
        for (size_t i = 0; i < md_strmap_size(&r->allowed); i++)
            json_array_append_new(a, md_json_str_or_null(md_strmap_key(&r->allowed, i)));
        json_object_set_new(o, "allowed", a);
    }
    return o;
}

static json_t *feature_json(const md_bfeature *f, bool with_sample)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", md_json_str_or_null(f->name));
    json_object_set_new(o, "kind", json_string(f->kind == MD_NUMERIC ? "numeric" : "categorical"));
    json_object_set_new(o, "rows", json_integer(f->rows));
    json_object_set_new(o, "missing", json_integer(f->missing));
    json_object_set_new(o, "missing_rate",
                        f->rows ? json_real((double)f->missing / (double)f->rows) : json_null());
    if (f->kind == MD_NUMERIC) {
        json_object_set_new(o, "edges", reals(f->edges, f->nedges));
        json_object_set_new(o, "counts", ints(f->counts, f->nbins));
        json_object_set_new(o, "ks_sample_size", json_integer(f->ks_n));
        if (with_sample)
            json_object_set_new(o, "ks_sample",
                                json_pack("{s:o, s:o}", "values", reals(f->ks_values, f->ks_k),
                                          "counts", ints(f->ks_counts, f->ks_k)));
    } else {
        json_object_set_new(o, "counts", cat_counts(f));
    }
    json_object_set_new(o, "contract", rule_json(&f->rule));
    return o;
}

static json_t *null_or_real(bool has, double v)
{
    return has ? json_real(v) : json_null();
}

json_t *md_baseline_json(const md_baseline *b, bool with_sample)
{
    json_t *o = json_object(), *fs = json_array();
    json_object_set_new(o, "rows", json_integer(b->rows));
    json_object_set_new(o, "labeled", json_integer(b->labeled));
    json_object_set_new(o, "auc", null_or_real(b->has_auc, b->auc));
    json_object_set_new(o, "brier", null_or_real(b->has_brier, b->brier));
    json_object_set_new(o, "ece", null_or_real(b->has_brier, b->ece));
    json_object_set_new(o, "score_edges", reals(b->score_edges, b->n_score_edges));
    json_object_set_new(o, "source", md_json_str_or_null(b->source));
    json_object_set_new(o, "source_sha256", md_json_str_or_null(b->source_sha256));
    json_object_set_new(o, "created_at", md_json_str_or_null(b->created_at));
    json_object_set_new(o, "created_by", md_json_str_or_null(b->created_by));
    json_object_set_new(o, "columns",
                        json_pack("{s:o, s:o, s:o, s:o, s:o}", "ts", md_json_str_or_null(b->col_ts),
                                  "id", md_json_str_or_null(b->col_id), "score",
                                  md_json_str_or_null(b->col_score), "label",
                                  md_json_str_or_null(b->col_label), "latency",
                                  md_json_str_or_null(b->col_latency)));
    for (size_t i = 0; i < b->nfeatures; i++)
        json_array_append_new(fs, feature_json(&b->features[i], with_sample));
    json_object_set_new(o, "features", fs);
    return o;
}

/* ---- saving ------------------------------------------------------------------------------------ */

static char *dump(json_t *v)
{
    char *s = md_json_dump(v, MD_JSON_COMPACT);
    json_decref(v);
    return s;
}

static md_status save_feature(md_store *s, int64_t bid, size_t pos, const md_bfeature *f,
                              md_err *err)
{
    char *edges = f->kind == MD_NUMERIC ? dump(reals(f->edges, f->nedges)) : NULL;
    char *counts = f->kind == MD_NUMERIC ? dump(ints(f->counts, f->nbins)) : dump(cat_counts(f));
    char *rule = f->rule.present ? dump(rule_json(&f->rule)) : NULL;
    md_wbuf vals = {0}, cnts = {0};
    for (size_t i = 0; i < f->ks_k; i++) {
        md_put_f64(&vals, f->ks_values[i]);
        md_put_u64(&cnts, (uint64_t)f->ks_counts[i]);
    }
    sqlite3_stmt *st;
    md_status rc = md_sql_prepare(s,
                                  "INSERT INTO baseline_features(baseline_id, position, name,"
                                  " kind, rows, missing, edges, counts, ks_n, ks_values,"
                                  " ks_counts, contract) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                                  &st, err);
    if (rc == MD_OK) {
        md_sql_bind(st, "iittiittI", bid, (int64_t)pos, f->name,
                    f->kind == MD_NUMERIC ? "numeric" : "categorical", f->rows, f->missing, edges,
                    counts, (int)(f->kind == MD_NUMERIC), f->ks_n);
        sqlite3_bind_blob(st, 10, vals.p ? (void *)vals.p : "", (int)vals.n, SQLITE_TRANSIENT);
        sqlite3_bind_blob(st, 11, cnts.p ? (void *)cnts.p : "", (int)cnts.n, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 12, rule, -1, SQLITE_TRANSIENT);
        bool row;
        rc = md_sql_step(s, st, &row, err);
        sqlite3_finalize(st);
    }
    md_wbuf_free(&vals);
    md_wbuf_free(&cnts);
    free(edges);
    free(counts);
    free(rule);
    return rc;
}

md_status md_baseline_save(md_store *s, int64_t version_id, const md_baseline *b, md_err *err)
{
    char at[MD_TIME_TEXT_MAX];
    md_store_now_text(s, at);
    char *edges = dump(reals(b->score_edges, b->n_score_edges));
    char *cols = dump(json_pack("{s:o, s:o, s:o, s:o, s:o}", "ts", md_json_str_or_null(b->col_ts),
                                "id", md_json_str_or_null(b->col_id), "score",
                                md_json_str_or_null(b->col_score), "label",
                                md_json_str_or_null(b->col_label), "latency",
                                md_json_str_or_null(b->col_latency)));
    md_status rc = md_sql_run(s, err,
                              "INSERT INTO baselines(version_id, created_at, created_by, source,"
                              " source_sha256, rows, labeled, score_edges, auc, brier, ece,"
                              " columns, seed, positives) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                              "ittttiitDDDti" "i", version_id, at, b->created_by, b->source,
                              b->source_sha256, b->rows, b->labeled, edges, (int)b->has_auc,
                              b->auc, (int)b->has_brier, b->brier, (int)b->has_brier, b->ece,
                              cols, (int64_t)b->seed, b->positives);
    int64_t bid = sqlite3_last_insert_rowid(md_store_db(s));
    for (size_t i = 0; rc == MD_OK && i < b->nfeatures; i++)
        rc = save_feature(s, bid, i, &b->features[i], err);
    free(edges);
    free(cols);
    return rc;
}

/* ---- loading ------------------------------------------------------------------------------------ */

static double *json_reals(const char *text, size_t *n)
{
    json_t *a = json_loads(text ? text : "[]", 0, NULL);
    *n = json_array_size(a);
    double *v = md_xcalloc(*n ? *n : 1, sizeof *v);
    for (size_t i = 0; i < *n; i++)
        v[i] = json_number_value(json_array_get(a, i));
    json_decref(a);
    return v;
}

static int64_t *json_ints(const char *text, size_t *n)
{
    json_t *a = json_loads(text ? text : "[]", 0, NULL);
    *n = json_array_size(a);
    int64_t *v = md_xcalloc(*n ? *n : 1, sizeof *v);
    for (size_t i = 0; i < *n; i++)
        v[i] = json_integer_value(json_array_get(a, i));
    json_decref(a);
    return v;
}

static void load_cats(md_bfeature *f, const char *text)
{
    json_t *o = json_loads(text, 0, NULL);
    const char *k;
    json_t *v;
    md_strmap_init(&f->cats);
    f->cat_counts = md_xcalloc(json_object_size(o) + 1, sizeof *f->cat_counts);
    json_object_foreach(o, k, v) f->cat_counts[md_strmap_intern(&f->cats, k, strlen(k))] =
        json_integer_value(v);
    json_decref(o);
}

static void load_rule(md_contract_rule *r, const char *text)
{
    md_strmap_init(&r->allowed);
    json_t *o = text ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_object(o)) {
        json_decref(o);
        return;
    }
    r->present = true;
    r->nullable = json_is_true(json_object_get(o, "nullable"));
    json_t *mn = json_object_get(o, "min"), *mx = json_object_get(o, "max");
    json_t *al = json_object_get(o, "allowed");
    r->has_min = json_is_number(mn), r->min = json_number_value(mn);
    r->has_max = json_is_number(mx), r->max = json_number_value(mx);
    r->has_allowed = json_is_array(al);
    for (size_t i = 0; i < json_array_size(al); i++) {
        const char *c = json_string_value(json_array_get(al, i));
        if (c)
            md_strmap_intern(&r->allowed, c, strlen(c));
    }
    json_decref(o);
}

static void load_ks(md_bfeature *f, sqlite3_stmt *st)
{
    md_rbuf vals = {sqlite3_column_blob(st, 8), (size_t)sqlite3_column_bytes(st, 8), 0, false};
    md_rbuf cnts = {sqlite3_column_blob(st, 9), (size_t)sqlite3_column_bytes(st, 9), 0, false};
    f->ks_k = vals.n / 8;
    f->ks_values = md_xcalloc(f->ks_k + 1, sizeof *f->ks_values);
    f->ks_counts = md_xcalloc(f->ks_k + 1, sizeof *f->ks_counts);
    for (size_t i = 0; i < f->ks_k; i++) {
        f->ks_values[i] = md_get_f64(&vals);
        f->ks_counts[i] = (int64_t)md_get_u64(&cnts);
    }
}

static void feature_read(sqlite3_stmt *st, void *elem)
{
    md_bfeature *f = elem;
    f->name = md_sql_col_text(st, 0);
    f->kind = strcmp((const char *)sqlite3_column_text(st, 1), "numeric") == 0 ? MD_NUMERIC
                                                                                : MD_CATEGORICAL;
    f->rows = sqlite3_column_int64(st, 2);
    f->missing = sqlite3_column_int64(st, 3);
    const char *counts = (const char *)sqlite3_column_text(st, 5);
    if (f->kind == MD_NUMERIC) {
        f->edges = json_reals((const char *)sqlite3_column_text(st, 4), &f->nedges);
        f->counts = json_ints(counts, &f->nbins);
        f->ks_n = sqlite3_column_int64(st, 6);
        load_ks(f, st);
    } else {
        load_cats(f, counts);
    }
    load_rule(&f->rule, (const char *)sqlite3_column_text(st, 7));
}

/* The features' split indexes, built one feature per core at a time: a command loading a
 * baseline waits for them before it reads its file, with the other core idle. */
static void index_one(void *ctx, size_t i)
{
    md_bfeature_index(&((md_baseline *)ctx)->features[i]);
}

static void index_features(md_baseline *b)
{
    size_t numeric = 0;
    for (size_t i = 0; i < b->nfeatures; i++)
        numeric += b->features[i].kind == MD_NUMERIC;
    md_tasks_run(b->nfeatures, numeric > 1 && sysconf(_SC_NPROCESSORS_ONLN) > 1, index_one, b);
}

static char *col_or_null(json_t *cols, const char *key)
{
    return md_xstrdup(json_string_value(json_object_get(cols, key)));
}

static void baseline_read(sqlite3_stmt *st, md_baseline *b)
{
    b->id = sqlite3_column_int64(st, 0);
    b->created_at = md_sql_col_text(st, 1);
    b->created_by = md_sql_col_text(st, 2);
    b->source = md_sql_col_text(st, 3);
    b->source_sha256 = md_sql_col_text(st, 4);
    b->rows = sqlite3_column_int64(st, 5);
    b->labeled = sqlite3_column_int64(st, 6);
    b->score_edges = json_reals((const char *)sqlite3_column_text(st, 7), &b->n_score_edges);
    md_baseline_index_scores(b);
    b->has_auc = !md_sql_col_null(st, 8);
    b->auc = sqlite3_column_double(st, 8);
    b->has_brier = !md_sql_col_null(st, 9);
    b->brier = sqlite3_column_double(st, 9);
    b->ece = sqlite3_column_double(st, 10);
    json_t *cols = json_loads((const char *)sqlite3_column_text(st, 11), 0, NULL);
    b->col_ts = col_or_null(cols, "ts");
    b->col_id = col_or_null(cols, "id");
    b->col_score = col_or_null(cols, "score");
    b->col_label = col_or_null(cols, "label");
    b->col_latency = col_or_null(cols, "latency");
    json_decref(cols);
    b->seed = (uint64_t)sqlite3_column_int64(st, 12);
    b->positives = md_sql_col_null(st, 13) ? -1 : sqlite3_column_int64(st, 13);
}

md_status md_baseline_load(md_store *s, int64_t version_id, md_baseline *b, md_err *err)
{
    memset(b, 0, sizeof *b);
    sqlite3_stmt *st;
    if (md_sql_prepare(s,
                       "SELECT id, created_at, created_by, source, source_sha256, rows, labeled,"
                       " score_edges, auc, brier, ece, columns, seed, positives FROM baselines"
                       " WHERE version_id = ?",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "i", version_id);
    bool row;
    md_status rc = md_sql_step(s, st, &row, err);
    if (rc == MD_OK && !row)
        rc = md_err_set(err, MD_NOTFOUND, "this version has no baseline (build one with "
                                          "'modeldeck baseline')");
    if (rc == MD_OK)
        baseline_read(st, b);
    sqlite3_finalize(st);
    if (rc != MD_OK)
        return rc;
    if (md_sql_prepare(s,
                       "SELECT name, kind, rows, missing, edges, counts, ks_n, contract,"
                       " ks_values, ks_counts FROM baseline_features WHERE baseline_id = ?"
                       " ORDER BY position",
                       &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "i", b->id);
    rc = md_sql_collect(s, st, sizeof *b->features, feature_read, (void **)&b->features,
                        &b->nfeatures, err);
    if (rc != MD_OK)
        md_baseline_free(b);
    else
        index_features(b);
    return rc;
}
