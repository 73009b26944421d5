#include "demo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"
#include "incidents.h"
#include "ingest.h"
#include "jobs.h"
#include "mem.h"
#include "models.h"
#include "ops.h"
#include "policies.h"
#include "promotions.h"
#include "settings.h"
#include "sql.h"
#include "users.h"
#include "versions.h"

#define DAY_MS 86400000LL
#define DAYS 90

typedef enum { TRACKING_GAP, SEASONAL, IDENTITY, LATENCY, TAXONOMY, CALIBRATION } failure;

typedef struct {
    const char *name, *use_case, *owner, *integration, *pattern, *fallback;
    int sla_ms, per_day;
    failure fails;
} model_def;

static const model_def portfolio[] = {
    {"churn", "retention: monthly churn risk", "crm-analytics", "CDP segment high_churn_risk",
     "batch", "rules", 0, 1200, TRACKING_GAP},
    {"upsell-propensity", "upsell: premium plan propensity", "growth", "CRM journey upsell_premium",
     "batch", "last-good", 0, 1000, SEASONAL},
    {"b2b-lead-scoring", "B2B lead scoring", "sales-ops", "Salesforce lead score field",
     "batch", "rules", 0, 900, IDENTITY},
    {"nba-realtime", "next-best-action on the web", "personalization",
     "decision API /v1/next-best-action", "realtime", "last-good", 50, 1500, LATENCY},
    {"creative-classifier", "creative classification for the DAM", "brand-studio",
     "DAM tag suggestions", "hybrid", "suppress", 0, 800, TAXONOMY},
    {"email-send-time", "email send-time optimization", "lifecycle-marketing",
     "ESP send scheduler", "batch", "last-good", 0, 900, CALIBRATION},
};
#define NMODELS (sizeof portfolio / sizeof portfolio[0])

/* ---- generating rows ---------------------------------------------------------------------------- */

typedef struct {
    uint64_t s;
} rng;

static double unif(rng *r)
{
    r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(r->s >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(rng *r)
{
    return sqrt(-2 * log(unif(r))) * cos(6.283185307179586 * unif(r));
}

/* How day `d` (0: the baseline) of model `m` looks; `lift` strengthens the signal (a better
 * version) and `miscal` shifts labels away from scores (in log-odds). */
typedef struct {
    const model_def *m;
    int d;
    double lift, miscal;
    bool slow; /* the latency regression of a bad release */
} scene;

static void row(rng *r, const scene *sc, int64_t t0, char *out, size_t cap)
{
    failure f = sc->m->fails;
    int d = sc->d;
    double recency = floor(-20 * log(unif(r)));
    double freq = floor(-5 * log(unif(r))) * (f == IDENTITY && d >= 55 ? 2.2 : 1);
    double monetary = exp(3.5 + 0.8 * gauss(r)) * (f == SEASONAL && d >= 75 ? 1.6 : 1);
    double sessions = floor(8 + 3 * gauss(r) + (f == SEASONAL && d >= 75 ? 4 : 0));
    if (f == SEASONAL && d >= 75)
        freq += 3;
    double open = fmin(1, fmax(0, 0.3 + 0.15 * gauss(r)));
    const char *channels[] = {"email", "web", "app", "social", "sms"};
    const char *channel = channels[(int)(unif(r) * 5)];
    if (f == TAXONOMY && d >= 70 && strcmp(channel, "social") == 0)
        channel = unif(r) < 0.5 ? "social_paid" : "social_organic";
    const char *regions[] = {"north", "south", "east", "west"};
    double z = -1.2 + (0.9 + sc->lift) * (sessions - 8) / 3 - 0.04 * recency + 0.15 * freq +
               0.8 * (open - 0.3) + 0.3 * gauss(r);
    double score = 1 / (1 + exp(-z));
    /* labels drift from the scores on the log-odds scale: the ranking (AUC) holds while the
     * calibration goes, as when a campaign changes the base rate */
    double p = 1 / (1 + exp(-(z + sc->miscal + (f == CALIBRATION ? 0.012 * d : 0))));
    int label = unif(r) < p;
    bool gap = f == TRACKING_GAP && d >= 60 && d <= 62 && unif(r) < 0.7;
    int64_t ts = t0 + (int64_t)(unif(r) * (DAY_MS - 1000));
    double lat = exp(log(sc->slow ? 80 : 18) + 0.35 * gauss(r));
    char open_text[32] = "";
    if (!gap)
        snprintf(open_text, sizeof open_text, "%.4f", open);
    int n = snprintf(out, cap, "%lld,%.5f,%s,%.0f,%.0f,%.2f,%s,%.0f,%s,%s",
                     (long long)(ts / 1000), score, unif(r) < 0.03 ? "" : (label ? "1" : "0"),
                     recency, freq, monetary, open_text, sessions, channel,
                     regions[(int)(unif(r) * 4)]);
    if (sc->m->sla_ms) /* only the real-time model reports latency */
        snprintf(out + n, cap - (size_t)n, ",%.1f\n", lat);
    else
        snprintf(out + n, cap - (size_t)n, "\n");
}

#define HEADER "ts,score,label,recency_days,frequency_90d,monetary_90d,email_open_rate," \
               "sessions_30d,channel,region"

/* Writes `rows` rows for each day in [from, to] (or a baseline when from is 0). */
static md_status write_file(const char *path, rng *r, scene sc, int from, int to, int rows,
                            int64_t day0, int64_t *count, md_err *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return md_err_set(err, MD_ERROR, "cannot write %s", path);
    fputs(HEADER, f);
    fputs(sc.m->sla_ms ? ",latency_ms\n" : "\n", f);
    char line[256];
    for (int d = from; d <= to; d++) {
        sc.d = d;
        for (int i = 0; i < rows; i++) {
            row(r, &sc, day0 + (int64_t)d * DAY_MS, line, sizeof line);
            fputs(line, f);
        }
        *count += rows;
    }
    return fclose(f) == 0 ? MD_OK : md_err_set(err, MD_ERROR, "cannot write %s", path);
}

/* ---- the story ---------------------------------------------------------------------------------- */

typedef struct {
    md_store *s;
    rng r;
    char dir[256];
    int64_t t0;  /* midnight of day 0 (UTC); day 90 is yesterday */
    int64_t now; /* when the demo is built: nothing in it happens later */
    md_demo_report *rep;
    md_actor demo, olga, ann, bob;
    int files;
} story;

/* The story's clock at `hour` of `day`: today's early ingest (yesterday's log, at 02:00) is
 * not yet due when the demo is built before 02:00 UTC; it then happens a minute ago. */
static void at(story *st, int day, int hour)
{
    int64_t t = st->t0 + (int64_t)day * DAY_MS + (int64_t)hour * 3600000;
    md_store_set_now(st->s, st->now && t > st->now - 60000 ? st->now - 60000 : t);
}

static md_actor actor(const char *name)
{
    md_actor a;
    memset(&a, 0, sizeof a);
    snprintf(a.name, sizeof a.name, "%s", name);
    a.source = MD_ID_OVERRIDE;
    return a;
}

static char *next_file(story *st)
{
    return md_xasprintf("%s/%02d.csv", st->dir, st->files++);
}

/* A new version of `m` with its baseline; *number receives it. */
static md_status new_version(story *st, const model_def *m, double lift, double miscal,
                             int64_t *number, md_err *err)
{
    char *uri = md_xasprintf("s3://models/%s/%lld.pkl", m->name,
                             (long long)(md_store_now_ms(st->s) / 1000));
    char sha[65];
    for (int i = 0; i < 64; i++)
        sha[i] = "0123456789abcdef"[(int)(unif(&st->r) * 16)];
    sha[64] = '\0';
    md_version_spec v = {.artifact_uri = uri, .artifact_sha256 = sha,
                         .data_uri = "s3://snapshots/marketing/customers", .code_ref = "git:main",
                         .params = "{\"max_depth\": 6, \"eta\": 0.1}", .has_threshold = true,
                         .threshold = 0.5};
    md_status rc = md_version_add(st->s, &st->olga, m->name, &v, "new build", number, err);
    free(uri);
    char *path = next_file(st);
    scene sc = {m, 0, lift, miscal, false};
    if (rc == MD_OK)
        rc = write_file(path, &st->r, sc, 0, 0, 4000, st->t0, &st->rep->rows, err);
    md_baseline_opts bo = {0};
    bo.read.cols.latency = m->sla_ms ? "latency_ms" : NULL;
    md_baseline_report br;
    if (rc == MD_OK)
        rc = md_baseline_build(st->s, &st->olga, m->name, *number, path, &bo, &br, err);
    unlink(path);
    free(path);
    st->rep->versions += rc == MD_OK;
    return rc;
}

/* On-call triage: incidents of `model` (NULL: any) whose evidence is one window, opened at
 * least `min_age_h` hours ago, of a kind a single noisy window can raise (performance,
 * calibration), are acknowledged and resolved as noise. Daily windows of a thousand rows
 * raise a few of these over ninety days at the policy's significance, as real ones do. */
static md_status triage(story *st, const char *model, int min_age_h, md_err *err)
{
    char cutoff[MD_TIME_TEXT_MAX];
    md_time_format(md_store_now_ms(st->s) - (int64_t)min_age_h * 3600000, cutoff);
    sqlite3_stmt *q;
    if (md_sql_prepare(st->s,
                       "SELECT i.id, i.state FROM incidents i JOIN models m ON m.id = i.model_id"
                       " WHERE (?1 IS NULL OR m.name = ?1) AND i.state <> 'resolved'"
                       " AND i.kind IN ('performance', 'calibration') AND i.opened_at <= ?2"
                       " AND (SELECT count(*) FROM incident_evidence e"
                       "      WHERE e.incident_id = i.id) = 1 ORDER BY i.id",
                       &q, err) != MD_OK)
        return err->code;
    md_sql_bind(q, "tt", model, cutoff);
    int64_t ids[64];
    bool open[64];
    size_t n = 0;
    while (n < 64 && sqlite3_step(q) == SQLITE_ROW) {
        ids[n] = sqlite3_column_int64(q, 0);
        open[n++] = strcmp((const char *)sqlite3_column_text(q, 1), "open") == 0;
    }
    sqlite3_finalize(q);
    md_status rc = MD_OK;
    for (size_t i = 0; rc == MD_OK && i < n; i++) {
        if (open[i])
            rc = md_incident_ack(st->s, &st->olga, ids[i], "triage", err);
        if (rc == MD_OK)
            rc = md_incident_note(st->s, &st->olga, ids[i],
                                  "one window out of line and none before it; the sample is "
                                  "small, treated as noise",
                                  err);
        if (rc == MD_OK)
            rc = md_incident_resolve(st->s, &st->olga, ids[i], "noise: a single window", err);
    }
    return rc;
}

/* A request by olga, approved by ann and bob an hour apart. */
static md_status promote(story *st, const model_def *m, int64_t number, int day, bool approve,
                         md_err *err)
{
    int64_t id;
    json_t *gates = NULL;
    at(st, day, 8);
    if (triage(st, m->name, 0, err) != MD_OK) /* the approvers will ask about open P1s */
        return err->code;
    at(st, day, 9);
    md_status rc = md_promote_request(st->s, &st->olga, m->name, number, "production",
                                      "better holdout AUC than the champion", &id, &gates,
                                      err);
    json_decref(gates);
    md_decision d;
    at(st, day, 11);
    if (rc == MD_OK && approve)
        rc = md_request_approve(st->s, &st->ann, id, "gates pass; ok", NULL, NULL, &d, err);
    at(st, day, 14);
    if (rc == MD_OK && approve)
        rc = md_request_approve(st->s, &st->bob, id, "approved", NULL, NULL, &d, err);
    if (rc == MD_OK && approve && !d.executed) /* the story needs it in production */
        rc = md_err_set(err, MD_ERROR, "the promotion of %s v%lld was blocked by: %s", m->name,
                        (long long)number, d.blocking);
    st->rep->requests_pending += rc == MD_OK && !approve;
    return rc;
}

/* A version: its number and how it scores (production traffic scored by it looks like its
 * baseline, apart from the model's scripted failure). */
typedef struct {
    int64_t number;
    double lift, miscal;
} demo_version;

static md_status ingest(story *st, const model_def *m, const demo_version *v, int from, int to,
                        bool slow, md_err *err)
{
    char *path = next_file(st);
    scene sc = {m, 0, v->lift, v->miscal, slow};
    int64_t number = v->number;
    md_status rc = write_file(path, &st->r, sc, from, to, m->per_day, st->t0, &st->rep->rows, err);
    at(st, to + 1, 2);
    md_ingest_opts o = {0};
    o.read.cols.latency = m->sla_ms ? "latency_ms" : NULL;
    md_ingest_report rep;
    if (rc == MD_OK) {
        rc = md_ingest(st->s, &st->olga, m->name, number, path, &o, &rep, err);
        md_ingest_report_free(&rep);
    }
    unlink(path);
    free(path);
    return rc;
}

/* The incident of `model`, `kind` and `key` still open, or 0. */
static int64_t open_incident(story *st, const char *model, const char *kind, const char *key)
{
    int64_t id = 0;
    md_err ignored;
    md_sql_int(st->s, &id, &ignored,
               "SELECT i.id FROM incidents i JOIN models m ON m.id = i.model_id WHERE"
               " m.name = ? AND i.kind = ? AND i.key = ? AND i.state <> 'resolved'"
               " ORDER BY i.id LIMIT 1",
               "ttt", model, kind, key);
    return id;
}

/* ---- scripts: each model's history as steps, all run in time order -------------------------------- */

typedef enum { NEW, PROMOTE, REQUEST, SHADOW, INGEST, SLOW_INGEST, ACK, RESOLVE, RETRAIN,
               ROLLBACK, BREAK_RETRAIN, TRIAGE } op;

typedef struct {
    int model;     /* index in portfolio */
    int day, hour; /* when (INGEST: runs the morning after `to`) */
    op what;
    int slot;      /* the version it is about (1: the model's first new version, ...) */
    int from, to;  /* INGEST */
    double lift, miscal; /* NEW */
    const char *kind, *key; /* ACK, RESOLVE */
} step;

#define S(m, d, h, w, v) {.model = m, .day = d, .hour = h, .what = w, .slot = v}
#define ING(m, v, a, b)                                                                            \
    {.model = m, .day = (b) + 1, .hour = 2, .what = INGEST, .slot = v, .from = a, .to = b}
#define SLOW(m, v, a, b)                                                                           \
    {.model = m, .day = (b) + 1, .hour = 2, .what = SLOW_INGEST, .slot = v, .from = a, .to = b}
#define NEWV(m, d, v, l, mis)                                                                      \
    {.model = m, .day = d, .hour = 10, .what = NEW, .slot = v, .lift = l, .miscal = mis}
#define INC(m, d, h, w, k, name) {.model = m, .day = d, .hour = h, .what = w, .kind = k, .key = name}

static const step script[] = {
    /* every model: a first version in production before the 90 days */
    NEWV(0, -8, 1, 0, 0), NEWV(1, -8, 1, 0, 0), NEWV(2, -8, 1, 0, 0), NEWV(3, -8, 1, 0, 0),
    NEWV(4, -8, 1, 0, 0), NEWV(5, -8, 1, 0, 0),
    S(0, -6, 9, PROMOTE, 1), S(1, -6, 9, PROMOTE, 1), S(2, -6, 9, PROMOTE, 1),
    S(3, -6, 9, PROMOTE, 1), S(4, -6, 9, PROMOTE, 1), S(5, -6, 9, PROMOTE, 1),
    /* churn: a shadowed v2 replaces v1; a tracking gap on days 60-62; v3 waits for approval */
    ING(0, 1, 1, 30), NEWV(0, 40, 2, 0.3, 0), S(0, 40, 11, SHADOW, 2), ING(0, 1, 31, 43),
    S(0, 44, 9, PROMOTE, 2), ING(0, 2, 44, 62), INC(0, 63, 3, ACK, "data_quality", "email_open_rate"),
    INC(0, 64, 10, RESOLVE, "data_quality", "email_open_rate"), ING(0, 2, 63, 87),
    NEWV(0, 88, 3, 0.6, 0), S(0, 90, 9, REQUEST, 3), ING(0, 2, 88, 90),
    /* upsell: a seasonal shift from day 75 on three features (P1, and a retrain proposal) */
    ING(1, 1, 1, 30), ING(1, 1, 31, 60), ING(1, 1, 61, 79), NEWV(1, 80, 2, 0.3, 0),
    ING(1, 1, 80, 90),
    /* B2B leads: identity resolution doubles frequencies from day 55 */
    ING(2, 1, 1, 56), INC(2, 57, 3, ACK, "drift", "frequency_90d"),
    INC(2, 58, 10, RESOLVE, "drift", "frequency_90d"), ING(2, 1, 57, 64), NEWV(2, 65, 2, 0.3, 0),
    ING(2, 1, 65, 90),
    /* next-best-action: v3 is over its latency SLA and is rolled back to v2 */
    ING(3, 1, 1, 24), NEWV(3, 25, 2, 0.3, 0), ING(3, 1, 25, 27), S(3, 28, 9, PROMOTE, 2),
    ING(3, 2, 28, 69), NEWV(3, 70, 3, 0.6, 0), ING(3, 2, 70, 73), S(3, 74, 9, PROMOTE, 3),
    SLOW(3, 3, 74, 76), S(3, 77, 3, ROLLBACK, 0), INC(3, 77, 4, ACK, "latency", ""),
    INC(3, 78, 10, RESOLVE, "latency", ""), ING(3, 2, 77, 90),
    /* creative: "social" splits in two on day 70; a retrain on the new taxonomy succeeds */
    ING(4, 1, 1, 69), ING(4, 1, 70, 71), S(4, 72, 8, RETRAIN, 0), ING(4, 1, 72, 84),
    NEWV(4, 85, 2, 0.3, 0), ING(4, 1, 85, 90),
    /* email send time: labels drift from the scores; its retrain fails; v2 fails its ECE gate */
    ING(5, 1, 1, 45), ING(5, 1, 46, 83), S(5, 84, 9, BREAK_RETRAIN, 0), S(5, 85, 8, RETRAIN, 0),
    NEWV(5, 86, 2, 0.3, 0.8), S(5, 90, 10, REQUEST, 2), ING(5, 1, 84, 90),
    /* weekly on-call triage of one-window blips at least three days old (model 0: all) */
    S(0, 7, 16, TRIAGE, 0), S(0, 14, 16, TRIAGE, 0), S(0, 21, 16, TRIAGE, 0),
    S(0, 28, 16, TRIAGE, 0), S(0, 35, 16, TRIAGE, 0), S(0, 42, 16, TRIAGE, 0),
    S(0, 49, 16, TRIAGE, 0), S(0, 56, 16, TRIAGE, 0), S(0, 63, 16, TRIAGE, 0),
    S(0, 70, 16, TRIAGE, 0), S(0, 77, 16, TRIAGE, 0), S(0, 84, 16, TRIAGE, 0),
};
#define NSTEPS (sizeof script / sizeof script[0])

static int by_time(const void *a, const void *b)
{
    const step *x = *(const step *const *)a, *y = *(const step *const *)b;
    if (x->day != y->day)
        return x->day - y->day;
    if (x->hour != y->hour)
        return x->hour - y->hour;
    return x->model != y->model ? x->model - y->model : (x < y ? -1 : x > y);
}

static md_status break_retrain(story *st, const model_def *m, md_err *err)
{
    int64_t rev;
    char *path = md_xasprintf("%s/policy.json", st->dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        md_err_set(err, MD_ERROR, "cannot write %s", path);
        free(path);
        return MD_ERROR;
    }
    fputs("{\"retrain\": {\"backend\": {\"type\": \"command\", \"timeout_s\": 600,"
          " \"argv\": [\"/bin/sh\", \"-c\", \"echo loading features for $MODELDECK_MODEL;"
          " echo feature store unreachable >&2; exit 3\"]}}}\n",
          f);
    fclose(f);
    md_status rc = md_policy_set(st->s, &st->demo, m->name, path,
                                 "retrain through the new feature store", &rev, NULL, err);
    unlink(path);
    free(path);
    return rc;
}

static md_status run_step(story *st, const step *p, demo_version versions[][4], md_err *err)
{
    const model_def *m = &portfolio[p->model];
    demo_version *v = versions[p->model];
    int64_t job, id;
    json_t *res = NULL;
    md_status rc = MD_OK;
    if (p->what != INGEST && p->what != SLOW_INGEST)
        at(st, p->day, p->hour);
    switch (p->what) {
    case NEW:
        v[p->slot].lift = p->lift;
        v[p->slot].miscal = p->miscal;
        return new_version(st, m, p->lift, p->miscal, &v[p->slot].number, err);
    case PROMOTE:
    case REQUEST:
        return promote(st, m, v[p->slot].number, p->day, p->what == PROMOTE, err);
    case SHADOW:
        return md_version_mark(st->s, &st->olga, m->name, v[p->slot].number, "shadow", 0,
                               "score beside the champion first", err);
    case INGEST:
    case SLOW_INGEST:
        return ingest(st, m, &v[p->slot], p->from, p->to, p->what == SLOW_INGEST, err);
    case ACK:
        id = open_incident(st, m->name, p->kind, p->key);
        return id ? md_incident_ack(st->s, &st->olga, id, "on it", err) : MD_OK;
    case RESOLVE:
        id = open_incident(st, m->name, p->kind, p->key);
        if (id)
            rc = md_incident_note(st->s, &st->olga, id, "fixed at the source", err);
        return id && rc == MD_OK ? md_incident_resolve(st->s, &st->olga, id,
                                                       "source fixed; numbers back to normal", err)
                                 : rc;
    case RETRAIN:
        rc = md_retrain(st->s, &st->olga, m->name, "drift on several features", 0, &job, err);
        if (rc == MD_OK)
            rc = md_job_run(st->s, job, err);
        st->rep->jobs += rc == MD_OK;
        return rc;
    case ROLLBACK:
        rc = md_rollback(st->s, &st->olga, m->name, 0, NULL,
                         "p99 latency over the 50 ms SLA since the release", &res, err);
        json_decref(res);
        return rc;
    case BREAK_RETRAIN:
        return break_retrain(st, m, err);
    case TRIAGE:
        return triage(st, NULL, 72, err);
    }
    return rc;
}

static md_status people(story *st, md_err *err)
{
    struct {
        const char *name, *roles;
    } who[] = {{"olga", "operator"}, {"ann", "approver"}, {"bob", "approver"},
               {"ada", "analyst"},   {"vic", "viewer"},   {"oncall", "operator,approver"}};
    for (size_t i = 0; i < sizeof who / sizeof who[0]; i++) {
        unsigned roles;
        if (md_roles_parse_list(who[i].roles, &roles, err) != MD_OK ||
            md_user_add(st->s, &st->demo, who[i].name, roles, "demo team", err) != MD_OK)
            return err->code;
    }
    return MD_OK;
}

static md_status register_models(story *st, md_err *err)
{
    for (size_t i = 0; i < NMODELS; i++) {
        const model_def *m = &portfolio[i];
        md_model_spec spec = {m->name, m->use_case, m->owner, NULL, m->integration, m->pattern,
                              m->fallback, m->sla_ms ? 1 : 0, m->sla_ms};
        if (md_model_add(st->s, &st->olga, &spec, "onboarding the portfolio", err) != MD_OK)
            return err->code;
        st->rep->models++;
    }
    return MD_OK;
}

static md_status play(story *st, md_err *err)
{
    const step *order[NSTEPS];
    demo_version versions[NMODELS][4];
    memset(versions, 0, sizeof versions);
    for (size_t i = 0; i < NSTEPS; i++)
        order[i] = &script[i];
    qsort(order, NSTEPS, sizeof *order, by_time);
    at(st, -9, 9);
    md_status rc = people(st, err);
    if (rc == MD_OK)
        rc = register_models(st, err);
    for (size_t i = 0; rc == MD_OK && i < NSTEPS; i++)
        if ((rc = run_step(st, order[i], versions, err)) != MD_OK)
            md_err_prefix(err, "demo, %s day %d", portfolio[order[i]->model].name,
                          order[i]->day);
    return rc;
}

static void counts(story *st)
{
    int64_t n = 0;
    md_err ignored;
    md_sql_int(st->s, &n, &ignored, "SELECT count(*) FROM windows", "");
    st->rep->windows = (int)n;
    md_sql_int(st->s, &n, &ignored, "SELECT count(*) FROM incidents", "");
    st->rep->incidents = (int)n;
}

md_status md_demo_build(const char *path, uint64_t seed, md_demo_report *rep, md_err *err)
{
    memset(rep, 0, sizeof *rep);
    story st = {.rep = rep};
    st.r.s = seed ? seed : 20261001;
    st.demo = actor("demo"), st.olga = actor("olga"), st.ann = actor("ann"), st.bob = actor("bob");
    const char *tmp = getenv("TMPDIR");
    snprintf(st.dir, sizeof st.dir, "%s/modeldeck-demo.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(st.dir))
        return md_err_set(err, MD_ERROR, "cannot create a temporary directory");
    md_status rc = md_store_create(path, "demo", true, &st.s, err);
    if (rc == MD_OK) {
        int64_t now = md_store_now_ms(st.s);
        st.t0 = (now / DAY_MS - 91) * DAY_MS; /* day 90 is yesterday */
        st.now = now;
        rc = play(&st, err);
        md_store_set_now(st.s, 0);
        counts(&st);
        md_store_close(st.s);
    }
    rmdir(st.dir);
    if (rc != MD_OK)
        md_store_unlink(path); /* nothing half-built stays behind */
    return rc;
}
