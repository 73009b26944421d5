/* model add|list|show|edit */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "models.h"
#include "versions.h"

typedef struct {
    const char *use_case, *owner, *description, *integration, *pattern, *fallback, *sla, *reason;
} model_flags;

#define MODEL_OPTS(f)                                                                              \
    {"--use-case", CLI_STR, &(f).use_case}, {"--owner", CLI_STR, &(f).owner},                      \
        {"--description", CLI_STR, &(f).description},                                              \
        {"--integration", CLI_STR, &(f).integration}, {"--pattern", CLI_STR, &(f).pattern},        \
        {"--fallback", CLI_STR, &(f).fallback}, {"--sla-ms", CLI_STR, &(f).sla},                   \
        {"--reason", CLI_STR, &(f).reason}

/* Flags -> spec. --sla-ms takes a positive number, or "none" (edit) to clear it. */
static int to_spec(cli_ctx *c, const model_flags *f, md_model_spec *m)
{
    *m = (md_model_spec){NULL,           f->use_case,  f->owner,    f->description,
                         f->integration, f->pattern,   f->fallback, 0, 0};
    if (!f->sla)
        return 0;
    if (strcmp(f->sla, "none") == 0) {
        m->sla = -1;
        return 0;
    }
    m->sla = 1;
    return cli_int64(c, "--sla-ms", f->sla, &m->sla_ms);
}

static int model_add(cli_ctx *c, int argc, char **argv)
{
    model_flags f = {0};
    const char *pos[1];
    const cli_opt opts[] = {MODEL_OPTS(f), {0}};
    md_model_spec m;
    int rc = cli_parse(c, argc, argv, opts, pos, 1, 1, NULL);
    if (rc || (rc = to_spec(c, &f, &m)))
        return rc;
    if (!f.use_case || !f.owner)
        return cli_usage_error(c, "--use-case and --owner are required");
    if (m.sla == -1)
        return cli_usage_error(c, "--sla-ms: give a number of milliseconds");
    m.name = pos[0];
    md_err err;
    if ((rc = cli_open(c)) != 0)
        return rc;
    if (md_model_add(c->store, &c->actor, &m, f.reason, &err) != MD_OK)
        return cli_fail(c, &err);
    md_model got;
    if (md_model_get(c->store, pos[0], &got, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json)
        cli_print_json(md_model_json(&got));
    else
        printf("model %s added\n", got.name);
    md_model_free(&got);
    return 0;
}

static int model_edit(cli_ctx *c, int argc, char **argv)
{
    model_flags f = {0};
    const char *pos[1];
    const cli_opt opts[] = {MODEL_OPTS(f), {0}};
    md_model_spec m;
    int rc = cli_parse(c, argc, argv, opts, pos, 1, 1, NULL);
    if (rc || (rc = to_spec(c, &f, &m)))
        return rc;
    if (!f.use_case && !f.owner && !f.description && !f.integration && !f.pattern &&
        !f.fallback && !f.sla)
        return cli_usage_error(c, "nothing to change: give at least one field to edit");
    md_err err;
    bool changed;
    md_sla_restated r;
    if ((rc = cli_open(c)) != 0)
        return rc;
    if (md_model_edit(c->store, &c->actor, pos[0], &m, f.reason, &changed, &r, &err) != MD_OK)
        return cli_fail(c, &err);
    md_model got;
    if (md_model_get(c->store, pos[0], &got, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json) {
        json_t *o = md_model_json(&got);
        json_object_set_new(o, "changed", json_boolean(changed));
        if (r.windows)
            json_object_set_new(o, "latency_restated",
                                json_pack("{s:I, s:I, s:I}", "windows", (json_int_t)r.windows,
                                          "changed", (json_int_t)r.changed, "incidents_noted",
                                          (json_int_t)r.noted));
        cli_print_json(o);
    } else {
        printf("model %s %s\n", got.name, changed ? "updated" : "unchanged (same values)");
        if (r.windows && got.has_sla)
            printf("over_sla restated under the new SLA of %lld ms: %lld of %lld window%s with "
                   "latencies changed\n",
                   (long long)got.sla_ms, (long long)r.changed, (long long)r.windows,
                   r.windows == 1 ? "" : "s");
        else if (r.windows)
            printf("over_sla cleared in %lld window%s with latencies: the model has no SLA now\n",
                   (long long)r.windows, r.windows == 1 ? "" : "s");
        if (r.noted)
            printf("noted on %lld unresolved latency incident%s: %s evidence is from before the "
                   "change (modeldeck evaluate applies the rules again)\n",
                   (long long)r.noted, r.noted == 1 ? "" : "s", r.noted == 1 ? "its" : "their");
    }
    md_model_free(&got);
    return 0;
}

static void prod_label(const md_model *m, char *buf, size_t cap)
{
    if (m->production_version > 0)
        snprintf(buf, cap, "v%lld", (long long)m->production_version);
    else
        snprintf(buf, cap, "-");
}

static int model_list(cli_ctx *c, int argc, char **argv)
{
    int rc = cli_parse(c, argc, argv, NULL, NULL, 0, 0, NULL);
    if (rc || (rc = cli_open(c)) != 0)
        return rc;
    md_model *ms;
    size_t n;
    md_err err;
    if (md_model_list(c->store, &ms, &n, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, md_model_json(&ms[i]));
        cli_print_json(a);
    } else if (n == 0) {
        printf("no models yet; register one with 'modeldeck model add NAME --use-case U "
               "--owner O'\n");
    } else {
        static const char *const head[] = {"MODEL",   "USE CASE", "OWNER",   "PATTERN",
                                           "PROD",    "VERSIONS", "FALLBACK", "INTEGRATION"};
        cli_table *t = cli_table_new(8, head);
        cli_table_max_width(t, 1, 24);
        cli_table_max_width(t, 7, 32);
        cli_table_shrink(t, 1, 12, false);
        cli_table_shrink(t, 7, 12, false);
        cli_table_optional(t, 6, 1); /* fallback, pattern, integration, owner */
        cli_table_optional(t, 3, 2);
        cli_table_optional(t, 7, 3);
        cli_table_optional(t, 2, 4);
        for (size_t i = 0; i < n; i++) {
            char prod[24], count[24];
            prod_label(&ms[i], prod, sizeof prod);
            snprintf(count, sizeof count, "%lld", (long long)ms[i].version_count);
            const char *row[] = {ms[i].name,  ms[i].use_case, ms[i].owner,    ms[i].pattern,
                                 prod,        count,          ms[i].fallback, ms[i].integration};
            cli_table_row(t, row);
        }
        cli_table_print(t);
        cli_table_free(t);
    }
    md_models_free(ms, n);
    return 0;
}

static void show_model_text(const md_model *m, const md_version *vs, size_t nv)
{
    char buf[96];
    char *name = cli_safe(m->name), *uc = cli_safe(m->use_case);
    printf("%s - %s\n", name, uc);
    free(name);
    free(uc);
    cli_kv("owner", m->owner);
    cli_kv("description", *m->description ? m->description : NULL);
    cli_kv("integration", *m->integration ? m->integration : NULL);
    cli_kv("pattern", m->pattern);
    snprintf(buf, sizeof buf, "%lld ms", (long long)m->sla_ms);
    cli_kv("latency SLA", m->has_sla ? buf : NULL);
    cli_kv("fallback", m->fallback);
    if (m->serving && strcmp(m->serving, "model") != 0) {
        snprintf(buf, sizeof buf, "OUT OF SERVICE: its integration point uses %s", m->serving);
        cli_kv("serving", buf);
    }
    if (m->production_version > 0)
        snprintf(buf, sizeof buf, "v%lld since %s", (long long)m->production_version,
                 m->production_since);
    cli_kv("production", m->production_version > 0 ? buf : "none");
    snprintf(buf, sizeof buf, "%s by %s", m->created_at, m->created_by);
    cli_kv("created", buf);
    if (nv == 0) {
        printf("\nno versions yet\n");
        return;
    }
    putchar('\n');
    static const char *const head[] = {"VERSION", "STATUS", "SINCE", "CREATED", "BY",
                                       "ARTIFACT"};
    cli_table *t = cli_table_new(6, head);
    cli_table_max_width(t, 5, 40);
    cli_table_shrink(t, 5, 16, true);
    for (size_t i = 0; i < nv; i++) {
        char num[24], status[48];
        snprintf(num, sizeof num, "v%lld", (long long)vs[i].number);
        if (vs[i].has_share)
            snprintf(status, sizeof status, "%s %.0f%%", vs[i].status,
                     vs[i].traffic_share * 100);
        else
            snprintf(status, sizeof status, "%s", vs[i].status);
        const char *row[] = {num, status, vs[i].status_at, vs[i].created_at, vs[i].created_by,
                             vs[i].artifact_uri};
        cli_table_row(t, row);
    }
    cli_table_print(t);
    cli_table_free(t);
}

static int model_show(cli_ctx *c, int argc, char **argv)
{
    const char *pos[1];
    int rc = cli_parse(c, argc, argv, NULL, pos, 1, 1, NULL);
    if (rc || (rc = cli_open(c)) != 0)
        return rc;
    md_model m;
    md_version *vs = NULL;
    size_t nv = 0;
    md_err err;
    if (md_model_get(c->store, pos[0], &m, &err) != MD_OK)
        return cli_fail(c, &err);
    if (md_version_list(c->store, pos[0], &vs, &nv, &err) != MD_OK) {
        md_model_free(&m);
        return cli_fail(c, &err);
    }
    if (c->json) {
        json_t *o = md_model_json(&m), *a = json_array();
        for (size_t i = 0; i < nv; i++)
            json_array_append_new(a, md_version_json(&vs[i]));
        json_object_set_new(o, "versions", a);
        cli_print_json(o);
    } else {
        show_model_text(&m, vs, nv);
    }
    md_versions_free(vs, nv);
    md_model_free(&m);
    return 0;
}

int cmd_model(cli_ctx *c, int argc, char **argv)
{
    static const cli_command subs[] = {
        {"add", model_add, "register a model (operator)",
         "model add NAME --use-case U --owner O [--description D] [--integration I]\n"
         "                   [--pattern batch|realtime|hybrid] [--sla-ms N]\n"
         "                   [--fallback rules|last-good|suppress] [--reason R]"},
        {"list", model_list, "list models", "model list"},
        {"show", model_show, "a model with its versions", "model show NAME"},
        {"edit", model_edit, "change a model's fields (operator)",
         "model edit NAME [--use-case U] [--owner O] [--description D] [--integration I]\n"
         "                   [--pattern P] [--sla-ms N|none] [--fallback F] [--reason R]"},
        {NULL, NULL, NULL, NULL}};
    return cli_dispatch(c, "model", subs, argc, argv);
}
