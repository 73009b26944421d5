/* version add|list|show|mark */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "promotions.h"
#include "json.h"
#include "versions.h"

static int version_add(cli_ctx *c, int argc, char **argv)
{
    md_version_spec v = {0};
    const char *threshold = NULL, *reason = NULL, *pos[1];
    const cli_opt opts[] = {{"--artifact", CLI_STR, &v.artifact_uri},
                            {"--sha256", CLI_STR, &v.artifact_sha256},
                            {"--data", CLI_STR, &v.data_uri},
                            {"--data-sha256", CLI_STR, &v.data_sha256},
                            {"--data-from", CLI_STR, &v.data_from},
                            {"--data-to", CLI_STR, &v.data_to},
                            {"--code-ref", CLI_STR, &v.code_ref},
                            {"--params", CLI_STR, &v.params},
                            {"--threshold", CLI_STR, &threshold},
                            {"--metrics", CLI_STR, &v.metrics},
                            {"--notes", CLI_STR, &v.notes},
                            {"--reason", CLI_STR, &reason},
                            {0}};
    int rc = cli_parse(c, argc, argv, opts, pos, 1, 1, NULL);
    if (rc)
        return rc;
    if (!v.artifact_uri)
        return cli_usage_error(c, "--artifact is required");
    if (threshold && (rc = cli_double(c, "--threshold", threshold, &v.threshold)))
        return rc;
    v.has_threshold = threshold != NULL;
    md_err err;
    int64_t number = 0;
    if ((rc = cli_open(c)) != 0)
        return rc;
    if (md_version_add(c->store, &c->actor, pos[0], &v, reason, &number, &err) != MD_OK)
        return cli_fail(c, &err);
    md_version got;
    if (md_version_get(c->store, pos[0], number, &got, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json) {
        cli_print_json(md_version_json(&got));
    } else {
        char *m = cli_safe(pos[0]);
        printf("%s v%lld registered as candidate\n", m, (long long)number);
        free(m);
    }
    md_version_free(&got);
    return 0;
}

static int version_list(cli_ctx *c, int argc, char **argv)
{
    const char *pos[1];
    int rc = cli_parse(c, argc, argv, NULL, pos, 1, 1, NULL);
    if (rc || (rc = cli_open(c)) != 0)
        return rc;
    md_version *vs;
    size_t n;
    md_err err;
    if (md_version_list(c->store, pos[0], &vs, &n, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, md_version_json(&vs[i]));
        cli_print_json(a);
    } else {
        static const char *const head[] = {"VERSION", "STATUS",    "CREATED",
                                           "BY",      "THRESHOLD", "ARTIFACT"};
        cli_table *t = cli_table_new(6, head);
        cli_table_max_width(t, 5, 40);
        cli_table_shrink(t, 5, 16, true);
        for (size_t i = 0; i < n; i++) {
            char num[24], thr[32];
            snprintf(num, sizeof num, "v%lld", (long long)vs[i].number);
            md_fmt_double(vs[i].threshold, thr);
            const char *row[] = {num,          vs[i].status, vs[i].created_at, vs[i].created_by,
                                 vs[i].has_threshold ? thr : NULL, vs[i].artifact_uri};
            cli_table_row(t, row);
        }
        if (n == 0)
            printf("no versions yet\n");
        else
            cli_table_print(t);
        cli_table_free(t);
    }
    md_versions_free(vs, n);
    return 0;
}

static void show_version_text(const md_version *v, const md_stage_event *ev, size_t ne,
                              json_t *overrides)
{
    char buf[128];
    char *m = cli_safe(v->model);
    printf("%s v%lld\n", m, (long long)v->number);
    free(m);
    if (v->has_share)
        snprintf(buf, sizeof buf, "%s (%.4g%% of traffic) since %s", v->status,
                 v->traffic_share * 100, v->status_at);
    else
        snprintf(buf, sizeof buf, "%s since %s", v->status, v->status_at);
    cli_kv("status", buf);
    snprintf(buf, sizeof buf, "%s by %s", v->created_at, v->created_by);
    cli_kv("created", buf);
    cli_kv("artifact", v->artifact_uri);
    cli_kv("artifact sha256", v->artifact_sha256);
    cli_kv("data", v->data_uri);
    cli_kv("data sha256", v->data_sha256);
    if (v->data_from || v->data_to)
        snprintf(buf, sizeof buf, "%s .. %s", v->data_from ? v->data_from : "?",
                 v->data_to ? v->data_to : "?");
    cli_kv("data range", v->data_from || v->data_to ? buf : NULL);
    cli_kv("code ref", v->code_ref);
    cli_kv("params", v->params);
    md_fmt_double(v->threshold, buf);
    cli_kv("threshold", v->has_threshold ? buf : NULL);
    cli_kv("metrics", v->metrics);
    cli_kv("notes", v->notes);
    printf("\nstage history:\n");
    static const char *const head[] = {"AT", "FROM", "TO", "BY", "ACTION", "REASON"};
    cli_table *t = cli_table_new(6, head);
    cli_table_max_width(t, 5, 40);
    cli_table_shrink(t, 5, 12, false);
    for (size_t i = 0; i < ne; i++) {
        const char *row[] = {ev[i].at, ev[i].from, ev[i].to, ev[i].actor, ev[i].action,
                             ev[i].reason};
        cli_table_row(t, row);
    }
    cli_table_print(t);
    cli_table_free(t);
    if (!json_array_size(overrides))
        return;
    printf("\ngate overrides (this version passed these gates by an admin's decision):\n");
    static const char *const ohead[] = {"AT", "GATE", "REQUEST", "BY", "REASON"};
    t = cli_table_new(5, ohead);
    cli_table_max_width(t, 4, 40);
    cli_table_shrink(t, 4, 12, false);
    json_t *o;
    size_t i;
    json_array_foreach(overrides, i, o)
    {
        char req[24];
        snprintf(req, sizeof req, "%lld", (long long)json_integer_value(json_object_get(o, "request")));
        const char *row[] = {json_string_value(json_object_get(o, "at")),
                             json_string_value(json_object_get(o, "gate")), req,
                             json_string_value(json_object_get(o, "actor")),
                             json_string_value(json_object_get(o, "reason"))};
        cli_table_row(t, row);
    }
    cli_table_print(t);
    cli_table_free(t);
}

static int version_number(cli_ctx *c, const char *text, int64_t *n)
{
    if (text[0] == 'v' || text[0] == 'V')
        text++;
    int rc = cli_int64(c, "VERSION", text, n);
    if (!rc && *n <= 0)
        return cli_usage_error(c, "VERSION: version numbers start at 1");
    return rc;
}

static int version_show(cli_ctx *c, int argc, char **argv)
{
    const char *pos[2];
    int64_t num;
    int rc = cli_parse(c, argc, argv, NULL, pos, 2, 2, NULL);
    if (rc || (rc = version_number(c, pos[1], &num)) || (rc = cli_open(c)) != 0)
        return rc;
    md_version v;
    md_stage_event *ev = NULL;
    size_t ne = 0;
    md_err err;
    if (md_version_get(c->store, pos[0], num, &v, &err) != MD_OK)
        return cli_fail(c, &err);
    if (md_stage_history(c->store, pos[0], num, &ev, &ne, &err) != MD_OK) {
        md_version_free(&v);
        return cli_fail(c, &err);
    }
    json_t *over = NULL;
    if (md_version_overrides(c->store, pos[0], num, &over, &err) != MD_OK) {
        md_stage_events_free(ev, ne);
        md_version_free(&v);
        return cli_fail(c, &err);
    }
    if (c->json) {
        json_t *o = md_version_json(&v), *h = json_array();
        for (size_t i = 0; i < ne; i++)
            json_array_append_new(h, md_stage_event_json(&ev[i]));
        json_object_set_new(o, "history", h);
        json_object_set_new(o, "gate_overrides", over);
        cli_print_json(o);
    } else {
        show_version_text(&v, ev, ne, over);
        json_decref(over);
    }
    md_stage_events_free(ev, ne);
    md_version_free(&v);
    return 0;
}

static int version_mark(cli_ctx *c, int argc, char **argv)
{
    const char *share_text = NULL, *reason = NULL, *pos[3];
    const cli_opt opts[] = {{"--share", CLI_STR, &share_text}, {"--reason", CLI_STR, &reason}, {0}};
    int64_t num;
    double share = 0;
    int rc = cli_parse(c, argc, argv, opts, pos, 3, 3, NULL);
    if (rc || (rc = version_number(c, pos[1], &num)))
        return rc;
    if (share_text && (rc = cli_double(c, "--share", share_text, &share)))
        return rc;
    if (!reason || !*reason)
        return cli_usage_error(c, "--reason is required");
    md_err err;
    if ((rc = cli_open(c)) != 0)
        return rc;
    if (md_version_mark(c->store, &c->actor, pos[0], num, pos[2], share, reason, &err) != MD_OK)
        return cli_fail(c, &err);
    md_version v;
    if (md_version_get(c->store, pos[0], num, &v, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json) {
        cli_print_json(md_version_json(&v));
    } else {
        char *m = cli_safe(v.model);
        printf("%s v%lld is now %s\n", m, (long long)num, v.status);
        free(m);
    }
    md_version_free(&v);
    return 0;
}

int cmd_version(cli_ctx *c, int argc, char **argv)
{
    static const cli_command subs[] = {
        {"add", version_add, "register the next version as a candidate (operator)",
         "version add MODEL --artifact URI [--sha256 H] [--data URI] [--data-sha256 H]\n"
         "                   [--data-from T] [--data-to T] [--code-ref R] [--params JSON]\n"
         "                   [--threshold X] [--metrics JSON] [--notes T] [--reason R]"},
        {"list", version_list, "a model's versions", "version list MODEL"},
        {"show", version_show, "one version with its lineage and stage history",
         "version show MODEL N"},
        {"mark", version_mark, "mark a version challenger, shadow, rejected or archived (operator)",
         "version mark MODEL N challenger|shadow|rejected|archived [--share X] --reason R"},
        {NULL, NULL, NULL, NULL}};
    return cli_dispatch(c, "version", subs, argc, argv);
}
