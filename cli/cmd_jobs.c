/* retrain, jobs, proposals, scorecard, and the detached job supervisor */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "demo.h"
#include "jobs.h"
#include "proposals.h"
#include "json.h"
#include "scorecard.h"
#include "text.h"

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* Starts the supervisor of job `id` with this very binary. */
static int launch(cli_ctx *c, int64_t id)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    md_err err;
    if (n <= 0)
        return cli_fail(c, (md_err[]){{MD_ERROR, "cannot find the modeldeck binary to run the job"}});
    exe[n] = '\0';
    if (md_job_launch(exe, md_store_path(c->store), id, &err) != MD_OK)
        return cli_fail(c, &err);
    return 0;
}

/* With --wait: the job's final state (polling the store; the supervisor writes it). */
static int wait_for(cli_ctx *c, int64_t id, json_t **out)
{
    md_err err;
    for (;;) {
        json_t *o;
        if (md_job_show(c->store, id, &o, &err) != MD_OK)
            return cli_fail(c, &err);
        const char *st = str(o, "state");
        if (strcmp(st, "queued") != 0 && strcmp(st, "running") != 0) {
            *out = o;
            return 0;
        }
        json_decref(o);
        usleep(100000);
    }
}

static int report_job(cli_ctx *c, int64_t id, bool wait)
{
    json_t *o = NULL;
    int rc = wait ? wait_for(c, id, &o) : 0;
    if (rc)
        return rc;
    md_err err;
    if (!o && md_job_show(c->store, id, &o, &err) != MD_OK)
        return cli_fail(c, &err);
    const char *st = str(o, "state");
    bool failed = wait && strcmp(st, "succeeded") != 0;
    if (c->json)
        cli_print_json(o);
    else {
        printf("job %lld: %s\n", (long long)id, st);
        json_decref(o);
    }
    return failed ? MD_ERROR : 0;
}

static int retrain_cmd(cli_ctx *c, int argc, char **argv)
{
    const char *reason = NULL, *pos[1];
    bool wait = false;
    const cli_opt opts[] = {{"--reason", CLI_STR, &reason}, {"--wait", CLI_FLAG, &wait}, {0}};
    int rc = cli_parse(c, argc, argv, opts, pos, 1, 1, NULL);
    if (rc)
        return rc;
    if (!reason)
        return cli_usage_error(c, "--reason is required");
    if ((rc = cli_open(c)))
        return rc;
    int64_t id;
    md_err err;
    if (md_retrain(c->store, &c->actor, pos[0], reason, 0, &id, &err) != MD_OK)
        return cli_fail(c, &err);
    return launch(c, id) ? MD_ERROR : report_job(c, id, wait);
}

int cmd_retrain(cli_ctx *c, int argc, char **argv)
{
    return c->help ? cli_print_help(c) : retrain_cmd(c, argc, argv);
}

static int jobs_list(cli_ctx *c, int argc, char **argv)
{
    const char *model = NULL;
    const cli_opt opts[] = {{"--model", CLI_STR, &model}, {0}};
    int rc = cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL);
    if (rc || (rc = cli_open(c)) || (rc = cli_known_model(c, model)))
        return rc;
    json_t *list;
    md_err err;
    if (md_jobs_list(c->store, model, &list, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json)
        return cli_print_json(list);
    static const char *const head[] = {"ID", "MODEL", "BACKEND", "STATE", "BY", "REQUESTED",
                                       "RESULT"};
    cli_table *t = cli_table_new(7, head);
    cli_table_max_width(t, 6, 40);
    cli_table_shrink(t, 6, 12, false);
    json_t *o;
    size_t i;
    json_array_foreach(list, i, o)
    {
        char id[24], res[64] = "";
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(o, "id")));
        if (json_is_integer(json_object_get(o, "exit_status")))
            snprintf(res, sizeof res, "exit %lld",
                     (long long)json_integer_value(json_object_get(o, "exit_status")));
        else if (json_is_integer(json_object_get(o, "http_status")))
            snprintf(res, sizeof res, "HTTP %lld",
                     (long long)json_integer_value(json_object_get(o, "http_status")));
        const char *row[] = {id, str(o, "model"), str(o, "backend"), str(o, "state"),
                             str(o, "requested_by"), str(o, "requested_at"),
                             res[0] ? res : str(o, "error")};
        cli_table_row(t, row);
    }
    if (json_array_size(list))
        cli_table_print(t);
    else
        printf("no retrain jobs\n");
    cli_table_free(t);
    json_decref(list);
    return 0;
}

static int jobs_show(cli_ctx *c, int argc, char **argv)
{
    const char *pos[1];
    int64_t id;
    int rc = cli_parse(c, argc, argv, NULL, pos, 1, 1, NULL);
    if (rc || (rc = cli_id(c, pos[0], &id)) || (rc = cli_open(c)))
        return rc;
    json_t *o;
    md_err err;
    if (md_job_show(c->store, id, &o, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json)
        return cli_print_json(o);
    printf("job %lld: %s (%s)\n", (long long)id, str(o, "state"), str(o, "backend"));
    const char *keys[] = {"model", "requested_by", "requested_at", "reason", "started_at",
                          "finished_at", "error"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        cli_kv(keys[i], str(o, keys[i]));
    const char *tail = str(o, "log_tail");
    if (tail && *tail) {
        printf("\nlog tail:\n");
        char *safe = md_text_sanitize_lines(tail);
        fputs(safe, stdout);
        if (safe[0] && safe[strlen(safe) - 1] != '\n')
            putchar('\n');
        free(safe);
    }
    json_decref(o);
    return 0;
}

static int jobs_cancel(cli_ctx *c, int argc, char **argv)
{
    const char *reason = NULL, *pos[1];
    const cli_opt opts[] = {{"--reason", CLI_STR, &reason}, {0}};
    int64_t id;
    int rc = cli_parse(c, argc, argv, opts, pos, 1, 1, NULL);
    if (rc || (rc = cli_id(c, pos[0], &id)))
        return rc;
    if (!reason)
        return cli_usage_error(c, "--reason is required");
    if ((rc = cli_open(c)))
        return rc;
    md_err err;
    if (md_job_cancel(c->store, &c->actor, id, reason, &err) != MD_OK)
        return cli_fail(c, &err);
    return report_job(c, id, false);
}

int cmd_jobs(cli_ctx *c, int argc, char **argv)
{
    static const cli_command subs[] = {
        {"list", jobs_list, "retrain jobs, newest first", "jobs list [--model M]"},
        {"show", jobs_show, "a job with its log tail", "jobs show ID"},
        {"cancel", jobs_cancel, "cancel a queued or running job (operator)",
         "jobs cancel ID --reason R"},
        {NULL, NULL, NULL, NULL}};
    return cli_dispatch(c, "jobs", subs, argc, argv);
}

static int proposals_list(cli_ctx *c, int argc, char **argv)
{
    const char *model = NULL, *state = "open";
    const cli_opt opts[] = {{"--model", CLI_STR, &model}, {"--state", CLI_STR, &state}, {0}};
    int rc = cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL);
    if (rc || (rc = cli_open(c)) || (rc = cli_known_model(c, model)))
        return rc;
    json_t *list;
    md_err err;
    if (md_proposals_list(c->store, model, state, &list, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json)
        return cli_print_json(list);
    static const char *const head[] = {"ID", "MODEL", "STATE", "CREATED", "WINDOWS"};
    cli_table *t = cli_table_new(5, head);
    json_t *o;
    size_t i;
    json_array_foreach(list, i, o)
    {
        char id[24], w[24];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(o, "id")));
        snprintf(w, sizeof w, "%zu", json_array_size(json_object_get(o, "evidence")));
        const char *row[] = {id, str(o, "model"), str(o, "state"), str(o, "created_at"), w};
        cli_table_row(t, row);
    }
    if (json_array_size(list))
        cli_table_print(t);
    else
        printf("no retrain proposals\n");
    cli_table_free(t);
    json_decref(list);
    return 0;
}

static int proposals_decide(cli_ctx *c, int argc, char **argv, bool accept)
{
    const char *reason = NULL, *pos[1];
    const cli_opt opts[] = {{"--reason", CLI_STR, &reason}, {0}};
    int64_t id, job = 0;
    int rc = cli_parse(c, argc, argv, opts, pos, 1, 1, NULL);
    if (rc || (rc = cli_id(c, pos[0], &id)))
        return rc;
    if (!reason)
        return cli_usage_error(c, "--reason is required");
    if ((rc = cli_open(c)))
        return rc;
    md_err err;
    md_status st = accept ? md_proposal_accept(c->store, &c->actor, id, reason, &job, &err)
                          : md_proposal_dismiss(c->store, &c->actor, id, reason, &err);
    if (st != MD_OK)
        return cli_fail(c, &err);
    if (accept)
        return launch(c, job) ? MD_ERROR : report_job(c, job, false);
    if (c->json)
        return cli_print_json(json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", "dismissed"));
    printf("proposal %lld dismissed\n", (long long)id);
    return 0;
}

static int proposals_accept(cli_ctx *c, int argc, char **argv)
{
    return proposals_decide(c, argc, argv, true);
}

static int proposals_dismiss(cli_ctx *c, int argc, char **argv)
{
    return proposals_decide(c, argc, argv, false);
}

int cmd_proposals(cli_ctx *c, int argc, char **argv)
{
    static const cli_command subs[] = {
        {"list", proposals_list, "retrain proposals",
         "proposals list [--model M] [--state open|accepted|dismissed|all]"},
        {"accept", proposals_accept, "accept: queue the retrain (operator)",
         "proposals accept ID --reason R"},
        {"dismiss", proposals_dismiss, "dismiss (operator)", "proposals dismiss ID --reason R"},
        {NULL, NULL, NULL, NULL}};
    return cli_dispatch(c, "proposals", subs, argc, argv);
}

/* The supervisor the CLI detaches for a job: runs it and records the outcome. */
int cmd_job_supervisor(cli_ctx *c, int argc, char **argv)
{
    const char *pos[1];
    int64_t id;
    int rc = cli_parse(c, argc, argv, NULL, pos, 1, 1, NULL);
    if (rc || (rc = cli_id(c, pos[0], &id)) || (rc = cli_open(c)))
        return rc;
    md_err err;
    return md_job_run(c->store, id, &err) == MD_OK ? 0 : cli_fail(c, &err);
}

static char *num(json_t *o, const char *path, const char *fmt, double scale, char *buf)
{
    json_t *v = o;
    char key[64];
    for (const char *p = path; v && *p;) {
        size_t n = strcspn(p, ".");
        snprintf(key, sizeof key, "%.*s", (int)n, p);
        v = json_object_get(v, key);
        p += n + (p[n] == '.');
    }
    if (!json_is_number(v))
        return NULL;
    snprintf(buf, 32, fmt, json_number_value(v) * scale);
    return buf;
}

static void card_row(cli_table *t, const char *name, json_t *c)
{
    char b[11][32];
    const char *row[] = {name,
                         num(c, "delivery.deployments", "%.0f", 1, b[0]),
                         num(c, "delivery.lead_time_hours.mean", "%.1f", 1, b[1]),
                         num(c, "delivery.change_failure_rate", "%.0f%%", 100, b[2]),
                         num(c, "operations.incidents", "%.0f", 1, b[3]),
                         num(c, "operations.time_to_acknowledge_s.mean", "%.1f", 1 / 3600.0, b[4]),
                         num(c, "operations.time_to_resolve_s.mean", "%.1f", 1 / 3600.0, b[5]),
                         num(c, "quality.current_delta_auc", "%+.3f", 1, b[6]),
                         num(c, "quality.ece_trend_per_window", "%+.5f", 1, b[7]),
                         num(c, "quality.drift_alerts", "%.0f", 1, b[8]),
                         num(c, "governance.fully_approved_share", "%.0f%%", 100, b[9]),
                         num(c, "governance.gate_overrides", "%.0f", 1, b[10])};
    cli_table_row(t, row);
}

static int scorecard_cmd(cli_ctx *c, int argc, char **argv)
{
    const char *days = NULL, *pos[1] = {NULL};
    const cli_opt opts[] = {{"--days", CLI_STR, &days}, {0}};
    int npos = 0;
    int64_t d = 90;
    int rc = cli_parse(c, argc, argv, opts, pos, 0, 1, &npos);
    if (rc || (days && (rc = cli_int64(c, "--days", days, &d))) || (rc = cli_open(c)))
        return rc;
    json_t *o;
    md_err err;
    if (md_scorecard_json(c->store, npos ? pos[0] : NULL, (int)d, &o, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json)
        return cli_print_json(o);
    printf("scorecard over %lld days, %s .. %s\n", (long long)d, str(o, "from"), str(o, "to"));
    static const char *const head[] = {"MODEL", "DEPLOYS", "LEAD H", "CFR", "INCIDENTS",
                                       "MTTA H", "MTTR H", "ΔAUC",  "ECE/WIN", "DRIFT",
                                       "APPROVED", "OVERRIDES"};
    cli_table *t = cli_table_new(12, head);
    /* narrow terminals: overrides, lead time, failure rate, time to acknowledge, approvals */
    static const int optional[][2] = {{11, 1}, {2, 2}, {3, 3}, {5, 4}, {10, 5}};
    for (size_t k = 0; k < sizeof optional / sizeof optional[0]; k++)
        cli_table_optional(t, optional[k][0], optional[k][1]);
    json_t *m;
    size_t i;
    json_array_foreach(json_object_get(o, "models"), i, m) card_row(t, str(m, "model"), m);
    if (json_object_get(o, "overall"))
        card_row(t, "(all)", json_object_get(o, "overall"));
    cli_table_print(t);
    cli_table_free(t);
    json_decref(o);
    return 0;
}

int cmd_scorecard(cli_ctx *c, int argc, char **argv)
{
    return c->help ? cli_print_help(c) : scorecard_cmd(c, argc, argv);
}

static int demo_cmd(cli_ctx *c, int argc, char **argv)
{
    const char *seed = NULL;
    const cli_opt opts[] = {{"--seed", CLI_STR, &seed}, {0}};
    int64_t sd = 0;
    int rc = cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL);
    if (rc || (seed && (rc = cli_int64(c, "--seed", seed, &sd))))
        return rc;
    char *path = NULL;
    const char *source;
    md_err err;
    if (md_store_resolve_path(c->db_flag, &path, &source, &err) != MD_OK)
        return cli_fail(c, &err);
    if (access(path, F_OK) == 0) {
        md_err_set(&err, MD_ERROR, "%s already exists; the demo builds a new store", path);
        free(path);
        return cli_fail(c, &err);
    }
    md_demo_report r;
    md_status st = md_demo_build(path, (uint64_t)sd, &r, &err);
    if (st != MD_OK) {
        free(path);
        return cli_fail(c, &err);
    }
    if (c->json)
        cli_print_json(json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:I}", "path", path,
                                 "models", r.models, "versions", r.versions, "windows", r.windows,
                                 "incidents", r.incidents, "pending_requests",
                                 r.requests_pending, "jobs", r.jobs, "rows", (json_int_t)r.rows));
    else
        printf("demo store %s: %d models, %d versions, %d windows from %lld rows, %d incidents, "
               "%d pending promotions, %d retrain jobs\n"
               "users: demo (admin), olga (operator), ann and bob (approvers), ada (analyst), "
               "vic (viewer), oncall (operator, approver); act as one with MODELDECK_USER=NAME\n",
               path, r.models, r.versions, r.windows, (long long)r.rows, r.incidents,
               r.requests_pending, r.jobs);
    free(path);
    return 0;
}

int cmd_demo(cli_ctx *c, int argc, char **argv)
{
    return c->help ? cli_print_help(c) : demo_cmd(c, argc, argv);
}
