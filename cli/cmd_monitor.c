/* baseline and ingest (drift and calibration: cli/cmd_results.c) */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "baseline.h"
#include "cli.h"
#include "ingest.h"
#include "json.h"
#include "mem.h"
#include "models.h"

/* Flags shared by baseline and ingest. */
typedef struct {
    const char *format, *ts, *id, *score, *label, *latency, *max_bad, *contract, *seed, *window;
    bool replace;
} read_flags;

#define READ_OPTS(f)                                                                               \
    {"--format", CLI_STR, &(f).format}, {"--ts-col", CLI_STR, &(f).ts},                            \
        {"--id-col", CLI_STR, &(f).id}, {"--score-col", CLI_STR, &(f).score},                      \
        {"--label-col", CLI_STR, &(f).label}, {"--latency-col", CLI_STR, &(f).latency},            \
        {"--max-bad-rows", CLI_STR, &(f).max_bad}, {"--replace", CLI_FLAG, &(f).replace}

static int to_read_opts(cli_ctx *c, const read_flags *f, md_read_opts *o)
{
    md_err err;
    memset(o, 0, sizeof *o);
    o->cols = (md_columns){f->ts, f->id, f->score, f->label, f->latency, NULL, 0};
    const char *names[] = {f->ts, f->id, f->score, f->label, f->latency},
               *flags[] = {"--ts-col", "--id-col", "--score-col", "--label-col", "--latency-col"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i] && !names[i][0])
            return cli_usage_error(c, "%s needs a column name", flags[i]);
    o->replace = f->replace;
    if (md_format_parse(f->format, &o->format, &err) != MD_OK)
        return cli_usage_error(c, "%s", err.msg);
    size_t len = f->max_bad ? strlen(f->max_bad) : 0;
    if (len && f->max_bad[len - 1] == '%') { /* a share of the file's rows, judged at its end */
        char *end;
        double pct = strtod(f->max_bad, &end);
        bool digits = len > 1; /* decimal digits and one point at most: no sign, hex, spaces */
        for (size_t i = 0, points = 0; digits && i + 1 < len; i++)
            digits = isdigit((unsigned char)f->max_bad[i]) || (f->max_bad[i] == '.' && !points++);
        if (!digits || end != f->max_bad + len - 1 || !(pct >= 0 && pct <= 100))
            return cli_usage_error(c, "--max-bad-rows: '%s' is not a share from 0%% to 100%%",
                                   f->max_bad);
        o->max_bad_rows = pct > 0 ? INT64_MAX : 0; /* 0%: as 0, the first bad row stops it */
        o->max_bad_share = pct / 100;
    } else if (f->max_bad) {
        int rc = cli_int64(c, "--max-bad-rows", f->max_bad, &o->max_bad_rows);
        if (rc || o->max_bad_rows < 0)
            return rc ? rc : cli_usage_error(c, "--max-bad-rows must be 0 or more");
    }
    return 0;
}

/* ---- baseline ---------------------------------------------------------------------------------- */

static json_t *baseline_report_json(const char *model, int64_t v, const md_baseline_report *r)
{
    json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "model", model,
                          "version", (json_int_t)v, "rows", (json_int_t)r->rows, "labeled",
                          (json_int_t)r->labeled, "numeric", (json_int_t)r->numeric,
                          "categorical", (json_int_t)r->categorical, "bad_rows",
                          (json_int_t)r->bad_rows, "contract_violations",
                          (json_int_t)r->violations, "dropped_windows",
                          (json_int_t)r->dropped_windows);
    json_object_set_new(o, "threads", json_integer(r->parallel ? 2 : 1));
    json_object_set_new(o, "positives", json_integer(r->positives));
    json_t *ids = json_array();
    for (size_t i = 0; i < r->nid_like; i++)
        json_array_append_new(ids, json_pack("{s:s, s:I, s:I, s:b}", "feature", r->id_like[i].name,
                                             "distinct", (json_int_t)r->id_like[i].distinct,
                                             "values", (json_int_t)r->id_like[i].values,
                                             "timestamps", r->id_like[i].timestamps));
    json_object_set_new(o, "id_like_features", ids);
    json_t *mixed = json_array();
    for (size_t i = 0; i < r->nmostly_numbers; i++) {
        json_t *stray = json_array();
        for (size_t k = 0; k < r->mostly_numbers[i].nstray; k++)
            json_array_append_new(stray, json_pack("{s:s, s:I}", "text",
                                                   r->mostly_numbers[i].stray[k].text, "rows",
                                                   (json_int_t)r->mostly_numbers[i].stray[k].rows));
        json_array_append_new(
            mixed,
            json_pack("{s:s, s:I, s:I, s:I, s:o}", "feature", r->mostly_numbers[i].name, "values",
                      (json_int_t)r->mostly_numbers[i].values, "numbers",
                      (json_int_t)r->mostly_numbers[i].numbers, "distinct_numbers",
                      (json_int_t)r->mostly_numbers[i].distinct_numbers, "not_numbers", stray));
    }
    json_object_set_new(o, "mostly_number_features", mixed);
    json_object_set_new(o, "first_bad_row",
                        r->bad_rows ? md_json_str_or_null(r->first_bad) : json_null());
    return o;
}

/* What a baseline too thin to compare windows with lacks, said when it is built. */
static void baseline_notes(const md_baseline_report *r)
{
    if (r->rows < 100)
        printf("  note: %lld row%s: quantile edges and the KS sample drawn from so few values make "
               "every window's PSI and KS noisy (a holdout of thousands of rows is usual)\n",
               (long long)r->rows, r->rows == 1 ? "" : "s");
    if (r->numeric + r->categorical == 0)
        printf("  note: no feature columns: drift has nothing to compare; windows get "
               "performance and calibration only\n");
    if (r->labeled == 0)
        printf("  note: no labeled rows: no baseline AUC, so windows have no ΔAUC\n");
    else if (r->positives == 0 || r->positives == r->labeled)
        printf("  note: every labeled row is a %d: no baseline AUC, so windows have no ΔAUC\n",
               r->positives ? 1 : 0);
}

/* A progress bar on stderr (when it is a terminal), labelled by ctx ("ingest"). */
static void progress(void *ctx, size_t done, size_t total)
{
    if (!total)
        return;
    done = done < total ? done : total;
    int pct = (int)(100.0 * (double)done / (double)total), width = 30, fill = pct * width / 100;
    fprintf(stderr, "\r  %s [%.*s%*s] %3d%%  %zu/%zu MB", (const char *)ctx, fill,
            "##############################", width - fill, "", pct, done >> 20, total >> 20);
}

static int baseline_build(cli_ctx *c, int argc, char **argv)
{
    read_flags f = {0};
    const char *pos[3];
    const cli_opt opts[] = {READ_OPTS(f), {"--contract", CLI_STR, &f.contract},
                            {"--seed", CLI_STR, &f.seed}, {0}};
    md_baseline_opts o = {0};
    int64_t number, seed = 0;
    int rc = cli_parse(c, argc, argv, opts, pos, 3, 3, NULL);
    if (rc || (rc = cli_version(c, pos[1], &number)) || (rc = to_read_opts(c, &f, &o.read)) ||
        (f.seed && (rc = cli_int64(c, "--seed", f.seed, &seed))) || (rc = cli_open(c)))
        return rc;
    o.contract_path = f.contract;
    o.seed = (uint64_t)seed;
    if (isatty(STDERR_FILENO)) {
        o.progress = progress;
        o.progress_ctx = "baseline";
    }
    md_baseline_report rep;
    md_err err;
    md_status st = md_baseline_build(c->store, &c->actor, pos[0], number, pos[2], &o, &rep, &err);
    if (o.progress)
        fputs("\r\033[K", stderr);
    if (st != MD_OK)
        return cli_fail(c, &err);
    if (c->json)
        return cli_print_json(baseline_report_json(pos[0], number, &rep));
    char *m = cli_safe(pos[0]);
    printf("%s v%lld: baseline built from %lld row%s (%lld labeled): %zu numeric and %zu "
           "categorical features\n",
           m, (long long)number, (long long)rep.rows, rep.rows == 1 ? "" : "s",
           (long long)rep.labeled, rep.numeric, rep.categorical);
    baseline_notes(&rep);
    if (rep.bad_rows)
        printf("  skipped %lld bad row%s; the first: %s\n", (long long)rep.bad_rows,
               rep.bad_rows == 1 ? "" : "s", rep.first_bad);
    if (rep.violations)
        printf("  %lld values break the data contract\n", (long long)rep.violations);
    for (size_t i = 0; i < rep.nmostly_numbers; i++) {
        char *n = cli_safe(rep.mostly_numbers[i].name);
        int64_t strays = rep.mostly_numbers[i].values - rep.mostly_numbers[i].numbers;
        printf("  feature %s is categorical: %lld of its %lld values are numbers, but not", n,
               (long long)rep.mostly_numbers[i].numbers, (long long)rep.mostly_numbers[i].values);
        for (size_t k = 0; k < rep.mostly_numbers[i].nstray; k++) {
            char *t = cli_safe(rep.mostly_numbers[i].stray[k].text);
            int64_t rows = rep.mostly_numbers[i].stray[k].rows;
            printf("%s '%s' (%lld row%s)", k ? "," : "", t, (long long)rows, rows == 1 ? "" : "s");
            strays -= rows;
            free(t);
        }
        /* its numbers are categories: a window's number the baseline never held is a new one */
        int64_t distinct = rep.mostly_numbers[i].distinct_numbers;
        printf("%s: its numbers are read as categories (%lld distinct), so a window's number that "
               "the baseline never held counts as a new category (blank those values and build "
               "it again with --replace; a --contract that makes it numeric names their lines)\n",
               strays > 0 ? ", ..." : "", (long long)distinct);
        free(n);
    }
    for (size_t i = 0; i < rep.nid_like; i++) {
        char *n = cli_safe(rep.id_like[i].name);
        if (rep.id_like[i].timestamps)
            printf("  feature %s holds timestamps: every window value will be a new category "
                   "(build the baseline again with --ts-col %s --replace)\n",
                   n, n);
        else
            printf("  feature %s has %lld distinct values in %lld: an id? every window value "
                   "will be a new category (build the baseline again with --id-col %s --replace)\n",
                   n, (long long)rep.id_like[i].distinct, (long long)rep.id_like[i].values, n);
        free(n);
    }
    if (rep.dropped_windows)
        printf("  dropped %lld windows computed against the old baseline; ingest their logs "
               "again\n",
               (long long)rep.dropped_windows);
    free(m);
    return 0;
}

static int baseline_show(cli_ctx *c, int argc, char **argv)
{
    bool sample = false;
    const char *pos[2] = {NULL, NULL};
    const cli_opt opts[] = {{"--sample", CLI_FLAG, &sample}, {0}};
    int64_t number;
    int rc = cli_parse(c, argc, argv, opts, pos, 1, 2, NULL);
    if (rc || (pos[1] && (rc = cli_version(c, pos[1], &number))) || (rc = cli_open(c)))
        return rc;
    md_baseline b;
    md_err err;
    if (!pos[1]) { /* as drift and calibration: the production version */
        md_model m;
        if (md_model_get(c->store, pos[0], &m, &err) != MD_OK)
            return cli_fail(c, &err);
        number = m.production_version;
        md_model_free(&m);
        if (number <= 0) {
            md_err_set(&err, MD_NOTFOUND, "%s has no production version: name one", pos[0]);
            return cli_fail(c, &err);
        }
    }
    if (md_baseline_get(c->store, pos[0], number, &b, &err) != MD_OK)
        return cli_fail(c, &err);
    json_t *o = md_baseline_json(&b, sample || c->json);
    json_object_set_new(o, "model", json_string(pos[0]));
    json_object_set_new(o, "version", json_integer(number));
    if (c->json) {
        md_baseline_free(&b);
        return cli_print_json(o);
    }
    char *m = cli_safe(pos[0]), *src = cli_safe(b.source);
    printf("%s v%lld baseline: %lld rows, %lld labeled, from %s\n", m, (long long)number,
           (long long)b.rows, (long long)b.labeled, src);
    free(m);
    free(src);
    /* what ingests take for the flags they are not given, and what ΔAUC is measured from */
    const char *role[] = {"ts", "id", "score", "label", "latency"};
    json_t *cols = json_object_get(o, "columns");
    printf("  columns:");
    for (size_t i = 0; i < 5; i++) {
        const char *given = json_string_value(json_object_get(cols, role[i]));
        char *name = cli_safe(given ? given : "-");
        printf("%s %s %s", i ? "," : "", role[i], name);
        free(name);
    }
    char auc[32], brier[32], ece[32];
    const char *v[] = {cli_num(json_object_get(o, "auc"), "%.4f", auc, sizeof auc),
                       cli_num(json_object_get(o, "brier"), "%.4f", brier, sizeof brier),
                       cli_num(json_object_get(o, "ece"), "%.4f", ece, sizeof ece)};
    printf(
        "\n  performance: AUC %s, Brier %s, ECE %s (ΔAUC in windows is measured from this AUC)\n",
        v[0] ? v[0] : "-", v[1] ? v[1] : "-", v[2] ? v[2] : "-");
    static const char *const head[] = {"FEATURE", "KIND", "MISSING", "BINS", "KS SAMPLE"};
    cli_table *t = cli_table_new(5, head);
    for (size_t i = 0; i < b.nfeatures; i++) {
        const md_bfeature *f = &b.features[i];
        char miss[32], bins[32], ks[32];
        snprintf(miss, sizeof miss, "%.2f%%", f->rows ? 100.0 * f->missing / f->rows : 0);
        snprintf(bins, sizeof bins, "%zu", f->kind == MD_NUMERIC ? f->nbins
                                                                  : md_strmap_size(&f->cats));
        snprintf(ks, sizeof ks, "%lld", (long long)f->ks_n);
        const char *row[] = {f->name, f->kind == MD_NUMERIC ? "numeric" : "categorical", miss,
                             bins, f->kind == MD_NUMERIC ? ks : NULL};
        cli_table_row(t, row);
    }
    cli_table_print(t);
    cli_table_free(t);
    json_decref(o);
    md_baseline_free(&b);
    return 0;
}

int cmd_baseline(cli_ctx *c, int argc, char **argv)
{
    static const cli_command subs[] = {
        {"build", baseline_build, "build a version's baseline profile (operator)",
         "baseline [build] MODEL VERSION FILE [--format csv|jsonl] [--ts-col C] [--id-col C]\n"
         "                   [--score-col C] [--label-col C] [--latency-col C] [--contract FILE]\n"
         "                   [--max-bad-rows N] [--seed N] [--replace]"},
        {"show", baseline_show, "a version's baseline profile",
         "baseline show MODEL [VERSION] [--sample]"},
        {NULL, NULL, NULL, NULL}};
    if (c->help && (argc == 0 || argv[0][0] == '-')) { /* "baseline --help": mostly build */
        c->usage = subs[0].usage;
        cli_print_help(c);
        printf("\nalso: modeldeck %s\n", subs[1].usage);
        return 0;
    }
    if (argc > 0 && strcmp(argv[0], "show") != 0 && strcmp(argv[0], "build") != 0 &&
        argv[0][0] != '-') {
        c->usage = subs[0].usage; /* "baseline MODEL VERSION FILE" */
        return c->help ? cli_print_help(c) : baseline_build(c, argc, argv);
    }
    return cli_dispatch(c, "baseline", subs, argc, argv);
}

/* ---- ingest ------------------------------------------------------------------------------------ */

static json_t *names(char **v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, md_json_str_or_null(v[i]));
    return a;
}

static json_t *ids_json(const int64_t *ids, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer(ids[i]));
    return a;
}

/* "#3, #5" */
static void print_ids(const int64_t *ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%s#%lld", i ? ", " : "", (long long)ids[i]);
}

static json_t *ingest_json(const char *model, int64_t v, const md_ingest_report *r,
                           const char *kind)
{
    json_t *o = json_pack("{s:s, s:I, s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:I}",
                          "model", model, "version", (json_int_t)v, "ingest",
                          (json_int_t)r->ingest_id, "sha256", r->sha256, "window", kind, "rows",
                          (json_int_t)r->rows, "labeled", (json_int_t)r->labeled, "bad_rows",
                          (json_int_t)r->bad_rows, "windows", (json_int_t)r->windows,
                          "recomputed", (json_int_t)r->recomputed, "first_window",
                          r->first_window, "last_window", r->last_window, "alerts",
                          (json_int_t)r->alerts, "warnings", (json_int_t)r->warns);
    json_object_set_new(o, "replaced", json_boolean(r->replaced));
    json_object_set_new(o, "replaced_ingests", ids_json(r->replaced_ids, r->nreplaced));
    json_object_set_new(o, "kept_ingests", ids_json(r->kept_ids, r->nkept));
    json_object_set_new(o, "overlapping_ingests", ids_json(r->shared_ids, r->nshared));
    json_object_set_new(o, "emptied_windows", json_integer((json_int_t)r->emptied));
    json_object_set_new(o, "threads", json_integer(r->parallel ? 2 : 1));
    json_object_set_new(o, "incidents_opened", json_integer(r->incidents_opened));
    json_object_set_new(o, "incidents_updated", json_integer(r->incidents_updated));
    json_object_set_new(o, "retrain_proposed", json_boolean(r->proposal_opened));
    json_object_set_new(o, "absent_features", names(r->absent, r->nabsent));
    json_object_set_new(o, "future_rows", json_integer(r->future_rows));
    json_object_set_new(o, "epoch_rows", json_integer(r->epoch_rows));
    json_object_set_new(o, "label_column_absent",
                        r->label_absent[0] ? json_string(r->label_absent) : json_null());
    json_object_set_new(o, "new_columns", names(r->new_columns, r->nnew));
    json_object_set_new(o, "first_bad_row",
                        r->bad_rows ? md_json_str_or_null(r->first_bad) : json_null());
    return o;
}

/* Why the ingests replaced went: named with --replace-ingest, holding this file's rows, or of
 * its content. */
static const char *replaced_why(const md_ingest_report *r, const md_ingest_opts *o)
{
    size_t named = 0;
    for (size_t i = 0; i < r->nreplaced; i++)
        for (size_t j = 0; j < o->nreplace_ids; j++)
            named += r->replaced_ids[i] == o->replace_ids[j];
    if (named == r->nreplaced)
        return "named with --replace-ingest";
    if (named)
        return "named with --replace-ingest, or holding these rows";
    if (!r->replaced_by_rows)
        return "the same content";
    return r->nreplaced > 1 ? "earlier deliveries of these rows"
                            : "an earlier delivery of these rows";
}

static void ingest_text(const char *model, int64_t v, const md_ingest_report *r, const char *kind,
                        const md_ingest_opts *o)
{
    bool replace = o->read.replace;
    char *m = cli_safe(model);
    printf("%s v%lld: ingested %lld row%s (%lld labeled) into %zu %s window%s, %s .. %s\n", m,
           (long long)v, (long long)r->rows, r->rows == 1 ? "" : "s", (long long)r->labeled,
           r->windows, kind, r->windows == 1 ? "" : "s", r->first_window, r->last_window);
    if (r->replaced && r->nreplaced == 1) {
        char *src = cli_safe(r->replaced_source);
        printf("  in place of ingest #%lld of %s, %lld rows (%s)\n", (long long)r->replaced_ids[0],
               src, (long long)r->replaced_rows, replaced_why(r, o));
        free(src);
    } else if (r->replaced) {
        printf("  in place of ingests ");
        print_ids(r->replaced_ids, r->nreplaced);
        printf(", %lld rows in all (%s)\n", (long long)r->replaced_rows, replaced_why(r, o));
    } else if (replace && !r->nkept)
        printf("  --replace: no earlier ingest holds this file's rows; they were added\n");
    if (r->replaced && r->replaced_rows > r->rows)
        printf("  %lld row%s fewer than %s replaced\n", (long long)(r->replaced_rows - r->rows),
               r->replaced_rows - r->rows == 1 ? "" : "s", r->nreplaced > 1 ? "those" : "the one");
    if (r->emptied)
        printf("  %zu window%s no longer %s rows, and %s gone\n", r->emptied,
               r->emptied == 1 ? "" : "s", r->emptied == 1 ? "has" : "have",
               r->emptied == 1 ? "is" : "are");
    if (r->nkept) {
        printf("  --replace kept ingest%s ", r->nkept > 1 ? "s" : "");
        print_ids(r->kept_ids, r->nkept);
        printf(" of this file name: %s rows are not this file's (an earlier day's file, not a "
               "corrected copy; or, in a log without --id-col, a copy with columns added or "
               "changed: such a row is known by all its fields), and count beside them; "
               "--replace-ingest ID replaces one anyway\n",
               r->nkept > 1 ? "their" : "its");
    }
    if (r->nshared) {
        printf("  note: ingest%s ", r->nshared > 1 ? "s" : "");
        print_ids(r->shared_ids, r->nshared);
        printf(" also %s 10%% or more of this file's rows (an overlapping export?): both count; "
               "--replace-ingest ID takes the place of one\n",
               r->nshared > 1 ? "hold" : "holds");
    }
    if (r->future_windows)
        printf("  note: %lld row%s in %zu window%s starting more than a day after the clock (the "
               "last %s): check the file's "
               "timestamps\n",
               (long long)r->future_rows, r->future_rows == 1 ? "" : "s", r->future_windows,
               r->future_windows == 1 ? "" : "s", r->last_window);
    if (r->epoch_rows)
        printf("  note: %lld row%s dated 1969-12-31 or in 1970 (a missing timestamp written as 0 "
               "or -1? a date written as 20261001 reads as epoch seconds, 1970-08-23; write it "
               "2026-10-01): check the file's timestamps\n",
               (long long)r->epoch_rows, r->epoch_rows == 1 ? "" : "s");
    if (r->label_absent[0]) {
        char *l = cli_safe(r->label_absent), *cased = NULL;
        for (size_t i = 0; !cased && i < r->nnew; i++) /* the column under another case */
            if (strcasecmp(r->new_columns[i], r->label_absent) == 0)
                cased = cli_safe(r->new_columns[i]);
        printf("  note: no label column '%s' in this file (the baseline has labels): no AUC, Brier "
               "or calibration for these rows; ",
               l);
        if (cased)
            printf("the file has '%s' (names match exactly): --label-col %s\n", cased, cased);
        else
            printf("name it with --label-col if it was renamed\n");
        free(l);
        free(cased);
    }
    printf("  drift: %zu alert, %zu warn (modeldeck drift %s %lld)\n", r->alerts, r->warns, m,
           (long long)v);
    if (r->incidents_opened || r->incidents_updated)
        printf("  incidents: %d opened, %d updated (modeldeck incidents list)\n",
               r->incidents_opened, r->incidents_updated);
    if (r->proposal_opened)
        printf("  the retrain rule holds: a retrain is proposed (modeldeck proposals list)\n");
    if (r->recomputed)
        printf("  %zu window%s recomputed with rows from earlier ingests\n", r->recomputed,
               r->recomputed == 1 ? "" : "s");
    if (r->bad_rows) {
        char *b = cli_safe(r->first_bad);
        printf("  skipped %lld bad row%s; the first: %s\n", (long long)r->bad_rows,
               r->bad_rows == 1 ? "" : "s", b);
        free(b);
    }
    for (size_t i = 0; i < r->nabsent; i++) {
        char *n = cli_safe(r->absent[i]);
        printf("  feature %s is absent from the file (a schema change)\n", n);
        free(n);
    }
    for (size_t i = 0; i < r->nnew; i++) {
        char *n = cli_safe(r->new_columns[i]);
        printf("  column %s is not in the baseline and was ignored\n", n);
        free(n);
    }
    free(m);
}

static int ingest_cmd(cli_ctx *c, int argc, char **argv)
{
    read_flags f = {0};
    const char *pos[3], *replace_ids = NULL;
    const cli_opt opts[] = {READ_OPTS(f),
                            {"--window", CLI_STR, &f.window},
                            {"--replace-ingest", CLI_STR, &replace_ids},
                            {0}};
    md_ingest_opts o = {0};
    int64_t number, ids[64];
    int rc = cli_parse(c, argc, argv, opts, pos, 3, 3, NULL);
    if (rc || (rc = cli_version(c, pos[1], &number)) || (rc = to_read_opts(c, &f, &o.read)))
        return rc;
    /* --replace-ingest 3,7: the earlier ingests this file takes the place of, named */
    for (const char *p = replace_ids; p && *p; o.nreplace_ids++) {
        char one[24];
        size_t len = strcspn(p, ",");
        snprintf(one, sizeof one, "%.*s", (int)(len < sizeof one ? len : sizeof one - 1), p);
        if (o.nreplace_ids == sizeof ids / sizeof ids[0])
            return cli_usage_error(c, "--replace-ingest: at most 64 ingests");
        if ((rc = cli_int64(c, "--replace-ingest", one[0] == '#' ? one + 1 : one,
                            &ids[o.nreplace_ids])))
            return rc;
        p += len + (p[len] == ',');
    }
    o.replace_ids = ids;
    if (f.window && strcmp(f.window, "day") != 0 && strcmp(f.window, "hour") != 0)
        return cli_usage_error(c, "--window: '%s' is not day or hour", f.window);
    o.window = f.window && strcmp(f.window, "hour") == 0 ? MD_WINDOW_HOUR : MD_WINDOW_DAY;
    o.window_unset = !f.window;
    if (isatty(STDERR_FILENO)) {
        o.progress = progress;
        o.progress_ctx = "ingest";
    }
    if ((rc = cli_open(c)))
        return rc;
    md_ingest_report rep;
    md_err err;
    md_status st = md_ingest(c->store, &c->actor, pos[0], number, pos[2], &o, &rep, &err);
    if (o.progress)
        fputs("\r\033[K", stderr);
    if (st != MD_OK) {
        md_ingest_report_free(&rep);
        return cli_fail(c, &err);
    }
    const char *kind = md_window_kind_name(rep.window);
    if (c->json)
        cli_print_json(ingest_json(pos[0], number, &rep, kind));
    else
        ingest_text(pos[0], number, &rep, kind, &o);
    md_ingest_report_free(&rep);
    return 0;
}

int cmd_ingest(cli_ctx *c, int argc, char **argv)
{
    if (c->help)
        return cli_print_help(c);
    return ingest_cmd(c, argc, argv);
}
