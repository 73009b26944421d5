/* The large-organisation store for the console benchmark, built through the engine:
 *
 *   gen_console STORE WORKDIR
 *
 * 200 models with 10 versions each (2,000 versions); one of them, "bigmodel", with a baseline
 * of 300 features and a year of daily windows (365 windows x 300 features, through baseline
 * and ingest); 50,000 open incidents (250 per model, raised by the incident rules from
 * findings on each model's features). Deterministic. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "baseline.h"
#include "incidents.h"
#include "ingest.h"
#include "models.h"
#include "policies.h"
#include "settings.h"
#include "sql.h"
#include "users.h"
#include "versions.h"

#define MODELS 200
#define VERSIONS 10
#define FEATURES 300
#define DAYS 365
#define ROWS_PER_DAY 60
#define INCIDENTS_PER_MODEL 250

static uint64_t rng = 20261126;
static double unif(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}

static void die(const char *what, const md_err *err)
{
    fprintf(stderr, "gen_console: %s: %s\n", what, err ? err->msg : "");
    exit(1);
}

static md_actor actor(const char *name)
{
    md_actor a;
    memset(&a, 0, sizeof a);
    snprintf(a.name, sizeof a.name, "%s", name);
    a.source = MD_ID_OVERRIDE;
    return a;
}

/* A log of `days` days (day 0: a baseline day) with FEATURES numeric features; a slow drift
 * in the later days on a few features, so the heatmap has colour. */
static void write_log(const char *path, int first_day, int days, int rows_per_day)
{
    FILE *f = fopen(path, "w");
    if (!f)
        die(path, NULL);
    fputs("ts,score,label", f);
    for (int k = 0; k < FEATURES; k++)
        fprintf(f, ",f%03d", k);
    fputc('\n', f);
    for (int d = 0; d < days; d++) {
        int day = first_day + d;
        for (int i = 0; i < rows_per_day; i++) {
            double s = unif();
            long t = 1761955200L /* 2025-11-01 */ + (long)day * 86400 + (long)(unif() * 86000);
            fprintf(f, "%ld,%.4f,%d", t, s, unif() < s);
            for (int k = 0; k < FEATURES; k++) {
                double shift = k % 25 == 0 ? (double)day / 120.0 : 0;
                fprintf(f, ",%.3f", (unif() + unif() + unif() - 1.5) + shift);
            }
            fputc('\n', f);
        }
    }
    fclose(f);
}

static void big_model(md_store *s, const md_actor *op, const char *work)
{
    char base[512], log[512];
    snprintf(base, sizeof base, "%s/console-base.csv", work);
    snprintf(log, sizeof log, "%s/console-log.csv", work);
    write_log(base, 0, 1, 5000);
    write_log(log, 1, DAYS, ROWS_PER_DAY);
    md_err err;
    md_baseline_opts bo = {0};
    md_baseline_report br;
    if (md_baseline_build(s, op, "bigmodel", 1, base, &bo, &br, &err) != MD_OK)
        die("baseline", &err);
    md_ingest_opts io = {0};
    md_ingest_report ir;
    if (md_ingest(s, op, "bigmodel", 1, log, &io, &ir, &err) != MD_OK)
        die("ingest", &err);
    md_ingest_report_free(&ir);
    remove(base);
    remove(log);
}

/* 250 incidents on model `m`: findings on its features through the incident rules. */
static void incidents(md_store *s, const char *model, int64_t model_id, int64_t vid)
{
    md_policy p;
    md_err err;
    if (md_policy_load(s, model, &p, &err) != MD_OK)
        die("policy", &err);
    md_feature_facts f[INCIDENTS_PER_MODEL];
    char names[INCIDENTS_PER_MODEL][16];
    for (int i = 0; i < INCIDENTS_PER_MODEL; i++) {
        snprintf(names[i], sizeof names[i], "feature_%03d", i);
        f[i] = (md_feature_facts){.feature = names[i]};
        switch (i % 3) { /* drift, schema or missingness, one finding each */
        case 0:
            f[i].has_psi = true, f[i].psi = 0.3 + unif(), f[i].psi_null = 0.02;
            break;
        case 1:
            f[i].schema_changes = 1;
            break;
        default:
            f[i].missing_delta = 0.3;
        }
    }
    md_window_facts w = {.model_id = model_id, .version_id = vid, .version_number = 1,
                         .model = model, .production = false, .window_kind = "day",
                         .window = "2026-11-01", .f = f, .nf = INCIDENTS_PER_MODEL};
    md_incident_tally t = {0};
    if (md_tx_begin(s, &err) != MD_OK || md_incidents_apply(s, "olga", &w, &p, &t, &err) != MD_OK ||
        md_tx_commit(s, &err) != MD_OK)
        die("incidents", &err);
    md_incident_tally_free(&t);
    md_policy_free(&p);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: gen_console STORE WORKDIR\n");
        return 2;
    }
    md_store *s;
    md_err err;
    if (md_store_create(argv[1], "demo", true, &s, &err) != MD_OK)
        die(argv[1], &err);
    md_store_set_now(s, 1793577600000LL); /* 2026-11-02, the day after the last window */
    md_actor admin = actor("demo"), op = actor("olga");
    unsigned roles;
    if (md_roles_parse_list("operator", &roles, &err) != MD_OK ||
        md_user_add(s, &admin, "olga", roles, "bench", &err) != MD_OK)
        die("users", &err);
    for (int m = 0; m < MODELS; m++) {
        char name[32], uc[64];
        if (m == 0)
            snprintf(name, sizeof name, "bigmodel");
        else
            snprintf(name, sizeof name, "model-%03d", m);
        snprintf(uc, sizeof uc, "use case %d", m);
        md_model_spec spec = {.name = name, .use_case = uc, .owner = "bench"};
        if (md_model_add(s, &op, &spec, NULL, &err) != MD_OK)
            die("model", &err);
        for (int v = 0; v < VERSIONS; v++) {
            md_version_spec vs = {.artifact_uri = "s3://bench/model"};
            if (md_version_add(s, &op, name, &vs, NULL, NULL, &err) != MD_OK)
                die("version", &err);
        }
        md_version ver;
        if (md_version_get(s, name, 1, &ver, &err) != MD_OK)
            die("version get", &err);
        md_model mm;
        if (md_model_get(s, name, &mm, &err) != MD_OK)
            die("model get", &err);
        incidents(s, name, mm.id, ver.id);
        md_model_free(&mm);
        md_version_free(&ver);
    }
    big_model(s, &op, argv[2]);
    md_store_close(s);
    return 0;
}
