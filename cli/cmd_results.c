/* drift and calibration: the stored results of a version's windows, as tables or JSON */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "cli.h"
#include "json.h"
#include "numparse.h"
#include "results.h"
#include "text.h"
#include "versions.h"

/* MODEL [VERSION] [--window W] */
static int results_args(cli_ctx *c, int argc, char **argv, const cli_opt *extra,
                        const char **model, int64_t *number, const char **window)
{
    const char *pos[2];
    int npos = 0;
    cli_opt opts[8] = {{"--window", CLI_STR, window}};
    for (int i = 0; extra && extra[i].name && i < 6; i++)
        opts[i + 1] = extra[i];
    int rc = cli_parse(c, argc, argv, opts, pos, 1, 2, &npos);
    *model = pos[0];
    *number = 0;
    if (!rc && npos == 2)
        rc = cli_version(c, pos[1], number);
    return rc ? rc : cli_open(c);
}

/* --window W: a kind of window (day, hour) rather than one window */
static const char *window_kind_asked(const char *window)
{
    return window && (strcmp(window, "day") == 0 || strcmp(window, "hour") == 0) ? window : NULL;
}

/* The line over a results table: which version it is (the production one when none was
 * named changes with a promotion or a rollback) and the windows shown, first to last. */
static void results_title(cli_ctx *c, json_t *doc, const char *key)
{
    const char *model = json_string_value(json_object_get(doc, "model"));
    int64_t v = json_integer_value(json_object_get(doc, "version"));
    json_t *rows = json_object_get(doc, key), *r;
    const char *first = NULL, *last = NULL, *kind = NULL;
    size_t n = 0, i;
    json_array_foreach(rows, i, r)
    {
        const char *w = json_string_value(json_object_get(r, "window"));
        if (!w || (last && strcmp(w, last) == 0))
            continue; /* drift: a row per feature, the window's rows together */
        first = first ? first : w;
        last = w;
        kind = json_string_value(json_object_get(r, "window_kind"));
        n++;
    }
    md_version ver;
    md_err err;
    bool known = md_version_get(c->store, model, v, &ver, &err) == MD_OK;
    char *name = cli_safe(model);
    printf("%s v%lld%s%s%s", name, (long long)v, known ? " (" : "", known ? ver.status : "",
           known ? ")" : "");
    if (n == 1)
        printf(": window %s\n", first);
    else if (n > 1)
        printf(": %zu %s windows, %s .. %s\n", n, kind ? kind : "", first, last);
    else
        putchar('\n');
    free(name);
    if (known)
        md_version_free(&ver);
}

/* Whether the version has windows (those --window asks for): drift rows there are none of when
 * its baseline has no feature columns, though windows are computed. */
static bool has_windows(cli_ctx *c, const char *model, int64_t number, const char *window)
{
    json_t *doc;
    md_err err;
    if (md_calibration_json(c->store, model, number, window, &doc, &err) != MD_OK)
        return false;
    bool any = json_array_size(json_object_get(doc, "windows")) > 0;
    json_decref(doc);
    return any;
}

/* A version without windows (or none of the kind --window asks for) has no results to show:
 * an error (exit 4), not an empty table or list a script would read as "no drift", saying what
 * is missing: a baseline to compute windows against, or an ingest. Frees doc. */
static int no_windows(cli_ctx *c, json_t *doc)
{
    const char *model = json_string_value(json_object_get(doc, "model"));
    long long v = (long long)json_integer_value(json_object_get(doc, "version"));
    md_baseline b;
    md_err err;
    md_status rc = md_baseline_get(c->store, model, v, &b, &err);
    if (rc == MD_OK)
        md_baseline_free(&b);
    if (rc == MD_NOTFOUND)
        md_err_set(&err, MD_NOTFOUND,
                   "%s v%lld has no windows yet, nor a baseline to compute them against: build "
                   "one with 'modeldeck baseline %s %lld FILE', then ingest scoring logs",
                   model, v, model, v);
    else
        md_err_set(&err, MD_NOTFOUND,
                   "%s v%lld has no windows yet: ingest a scoring log with 'modeldeck ingest %s "
                   "%lld FILE'",
                   model, v, model, v);
    json_decref(doc);
    return cli_fail(c, &err);
}

/* total: the rows before --alerts took the ok ones out */
static void drift_text(json_t *doc, bool alerts, size_t total)
{
    json_t *rows = json_object_get(doc, "drift"), *r;
    size_t i, shown = 0;
    /* the status third: where a terminal narrower than the table wraps it, the figures go */
    /* N: the values PSI and KS are over (drift.psi.min_rows decides whether PSI counts) */
    static const char *const head[] = {"WINDOW", "FEATURE", "STATUS", "N",     "PSI",    "NULL99",
                                       "KS",     "KS P",    "MISS",   "MISSΔ", "SCHEMA", "VIOL"};
    cli_table *t = cli_table_new(12, head);
    /* feature names whole when piped; on a narrow terminal cut in the middle, never below 24
     * columns (their ends tell customer_value_30d from customer_value_90d) */
    cli_table_shrink(t, 1, 24, true);
    /* narrow terminals: the missing rate (its delta stays), contract violations, the values,
     * PSI's null, then schema changes (an alert's cause: kept longer), KS's p-value; columns
     * of zeros go first of all */
    static const int optional[][2] = {{8, 1}, {11, 2}, {3, 3}, {5, 4}, {10, 5}, {7, 6}};
    for (size_t o = 0; o < sizeof optional / sizeof optional[0]; o++)
        cli_table_optional(t, optional[o][0], optional[o][1]);
    json_array_foreach(rows, i, r)
    {
        const char *status = json_string_value(json_object_get(r, "status"));
        char b[8][32], sc[24], vi[24], n[24];
        snprintf(n, sizeof n, "%lld", (long long)json_integer_value(json_object_get(r, "present")));
        snprintf(sc, sizeof sc, "%lld",
                 (long long)json_integer_value(json_object_get(r, "schema_changes")));
        snprintf(vi, sizeof vi, "%lld",
                 (long long)json_integer_value(json_object_get(r, "violations")));
        const char *row[] = {json_string_value(json_object_get(r, "window")),
                             json_string_value(json_object_get(r, "feature")),
                             status,
                             n,
                             cli_num(json_object_get(r, "psi"), "%.4f", b[0], 32),
                             cli_num(json_object_get(r, "psi_null_p99"), "%.4f", b[1], 32),
                             cli_num(json_object_get(r, "ks"), "%.4f", b[2], 32),
                             cli_num(json_object_get(r, "ks_pvalue"), "%.4g", b[3], 32),
                             cli_num(json_object_get(r, "missing_rate"), "%.3f", b[4], 32),
                             cli_num(json_object_get(r, "missing_delta"), "%+.3f", b[5], 32),
                             sc,
                             vi};
        cli_table_row(t, row);
        shown++;
    }
    if (shown)
        cli_table_print(t);
    else if (alerts && total)
        printf("no drift: every feature is ok\n");
    else if (!total)
        printf("no features: the baseline has no feature columns, so drift has nothing to "
               "compare (modeldeck calibration shows the windows)\n");
    cli_table_free(t);
    /* what SCHEMA counts of categories: the new ones by name (a schema incident points here) */
    bool first = true;
    json_array_foreach(rows, i, r)
    {
        json_t *nc = json_object_get(r, "new_categories"), *v;
        if (!json_array_size(nc))
            continue;
        char *w = cli_safe(json_string_value(json_object_get(r, "window")));
        char *f = cli_safe(json_string_value(json_object_get(r, "feature")));
        printf("%s  %s %s:", first ? "new categories (never in the baseline):\n" : "", w, f);
        free(w);
        free(f);
        /* more than the list shows: how many (estimated past the names a window keeps) */
        json_t *nd = json_object_get(r, "new_categories_distinct");
        bool about = json_is_true(json_object_get(r, "new_categories_estimated"));
        if (json_is_integer(nd) &&
            (json_integer_value(nd) > (json_int_t)json_array_size(nc) || about))
            printf(" %s%lld distinct, %s %zu:", about ? "about " : "",
                   (long long)json_integer_value(nd), about ? "these" : "the first",
                   json_array_size(nc));
        size_t k;
        json_array_foreach(nc, k, v)
        {
            char *name = md_text_sanitize_value(json_string_value(v));
            printf("%s %s", k ? "," : "", name);
            free(name);
        }
        json_t *most = json_object_get(r, "psi_max");
        if (json_is_number(most)) /* the rows of those not named may add to PSI */
            printf("; PSI between %.4f and %.4f", json_number_value(json_object_get(r, "psi")),
                   json_number_value(most));
        putchar('\n');
        first = false;
    }
}

static int drift_cmd(cli_ctx *c, int argc, char **argv)
{
    const char *model, *window = NULL;
    bool alerts = false;
    int64_t number;
    const cli_opt extra[] = {{"--alerts", CLI_FLAG, &alerts}, {0}};
    int rc = results_args(c, argc, argv, extra, &model, &number, &window);
    if (rc)
        return rc;
    json_t *doc;
    md_err err;
    if (md_drift_json(c->store, model, number, window, &doc, &err) != MD_OK)
        return cli_fail(c, &err);
    json_t *rows = json_object_get(doc, "drift");
    size_t total = json_array_size(rows);
    if (total == 0 && !has_windows(c, model, number, window))
        return no_windows(c, doc);
    if (!c->json) /* the windows read, before --alerts leaves some out */
        results_title(c, doc, "drift");
    if (alerts) { /* the JSON document as the text: the rows that are not ok */
        for (size_t i = json_array_size(rows); i-- > 0;) {
            const char *st = json_string_value(json_object_get(json_array_get(rows, i), "status"));
            if (st && strcmp(st, "ok") == 0)
                json_array_remove(rows, i);
        }
    }
    if (c->json)
        return cli_print_json(doc);
    drift_text(doc, alerts, total);
    json_decref(doc);
    return 0;
}

/* A decile's score edge: four decimals, more where four would show 0 or 1 for an edge that is
 * neither (3e-05 is not 0.0000). */
static char *edge(json_t *v, char *buf)
{
    if (!json_is_number(v))
        return NULL;
    md_fmt_edge(json_number_value(v), 4, true, buf);
    return buf;
}

static void deciles_text(json_t *w)
{
    static const char *const head[] = {"DECILE", "LO", "HI", "N", "EXPECTED", "OBSERVED", "GAP"};
    cli_table *t = cli_table_new(7, head);
    json_t *d;
    size_t i;
    json_array_foreach(json_object_get(w, "deciles"), i, d)
    {
        char b[7][40];
        json_t *e = json_object_get(d, "expected"), *o = json_object_get(d, "observed");
        snprintf(b[0], 32, "%lld", (long long)json_integer_value(json_object_get(d, "decile")));
        snprintf(b[3], 32, "%lld", (long long)json_integer_value(json_object_get(d, "n")));
        bool both = json_is_number(e) && json_is_number(o);
        snprintf(b[6], 32, "%+.4f", both ? json_number_value(o) - json_number_value(e) : 0);
        const char *row[] = {b[0],
                             edge(json_object_get(d, "lo"), b[1]),
                             edge(json_object_get(d, "hi"), b[2]),
                             b[3],
                             cli_num(e, "%.4f", b[4], 32),
                             cli_num(o, "%.4f", b[5], 32),
                             both ? b[6] : NULL};
        cli_table_row(t, row);
    }
    cli_table_print(t);
    cli_table_free(t);
}

/* Latency percentiles of the windows that have them (--latency-col), and their share over the
 * model's SLA. */
static void latency_text(json_t *ws)
{
    static const char *const head[] = {"WINDOW", "LATENCIES", "P50 MS",
                                       "P95 MS", "P99 MS",    "OVER SLA"};
    cli_table *t = cli_table_new(6, head);
    json_t *w;
    size_t i, shown = 0;
    json_array_foreach(ws, i, w)
    {
        json_t *l = json_object_get(w, "latency");
        if (!json_is_object(l))
            continue;
        char b[5][32];
        const char *approx = json_is_false(json_object_get(l, "exact")) ? "~%.1f" : "%.1f";
        snprintf(b[0], 32, "%lld", (long long)json_integer_value(json_object_get(l, "n")));
        json_t *over = json_object_get(l, "over_sla");
        if (json_is_number(over))
            snprintf(b[4], 32, "%.2f%%", 100 * json_number_value(over));
        const char *row[] = {json_string_value(json_object_get(w, "window")),
                             b[0],
                             cli_num(json_object_get(l, "p50"), approx, b[1], 32),
                             cli_num(json_object_get(l, "p95"), approx, b[2], 32),
                             cli_num(json_object_get(l, "p99"), approx, b[3], 32),
                             json_is_number(over) ? b[4] : NULL};
        cli_table_row(t, row);
        shown++;
    }
    if (shown) {
        putchar('\n');
        cli_table_print(t);
    }
    cli_table_free(t);
}

static void calibration_text(json_t *doc, bool one)
{
    json_t *ws = json_object_get(doc, "windows"), *w;
    size_t i;
    static const char *const head[] = {"WINDOW", "ROWS", "LABELED", "AUC", "ΔAUC",
                                       "BRIER",  "ECE",  "HL",      "HL P"};
    cli_table *t = cli_table_new(9, head);
    json_array_foreach(ws, i, w)
    {
        char b[9][32];
        snprintf(b[1], 32, "%lld", (long long)json_integer_value(json_object_get(w, "rows")));
        snprintf(b[2], 32, "%lld", (long long)json_integer_value(json_object_get(w, "labeled")));
        const char *auc_fmt = json_is_true(json_object_get(w, "auc_exact")) ? "%.4f" : "~%.4f";
        const char *row[] = {json_string_value(json_object_get(w, "window")),
                             b[1],
                             b[2],
                             cli_num(json_object_get(w, "auc"), auc_fmt, b[3], 32),
                             cli_num(json_object_get(w, "delta_auc"), "%+.4f", b[4], 32),
                             cli_num(json_object_get(w, "brier"), "%.4f", b[5], 32),
                             cli_num(json_object_get(w, "ece"), "%.4f", b[6], 32),
                             cli_num(json_object_get(w, "hl_stat"), "%.2f", b[7], 32),
                             cli_num(json_object_get(w, "hl_pvalue"), "%.3g", b[8], 32)};
        cli_table_row(t, row);
    }
    cli_table_print(t);
    cli_table_free(t);
    latency_text(ws);
    if (one && json_array_size(ws) > 0) {
        putchar('\n');
        deciles_text(json_array_get(ws, 0));
    }
}

static int calibration_cmd(cli_ctx *c, int argc, char **argv)
{
    const char *model, *window = NULL;
    int64_t number;
    int rc = results_args(c, argc, argv, NULL, &model, &number, &window);
    if (rc)
        return rc;
    json_t *doc;
    md_err err;
    if (md_calibration_json(c->store, model, number, window, &doc, &err) != MD_OK)
        return cli_fail(c, &err);
    if (json_array_size(json_object_get(doc, "windows")) == 0)
        return no_windows(c, doc);
    if (c->json)
        return cli_print_json(doc);
    results_title(c, doc, "windows");
    calibration_text(doc, window && !window_kind_asked(window));
    json_decref(doc);
    return 0;
}

int cmd_drift(cli_ctx *c, int argc, char **argv)
{
    return c->help ? cli_print_help(c) : drift_cmd(c, argc, argv);
}

int cmd_calibration(cli_ctx *c, int argc, char **argv)
{
    return c->help ? cli_print_help(c) : calibration_cmd(c, argc, argv);
}
