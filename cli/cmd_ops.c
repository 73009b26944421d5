/* policy, evaluate, incidents, promote, approve, reject, requests, compare, rollback */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "incidents.h"
#include "json.h"
#include "text.h"
#include "mem.h"
#include "ops.h"
#include "policies.h"
#include "promotions.h"

static const char *s_of(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static char *n_of(json_t *o, const char *k, char *buf, size_t cap)
{
    json_t *v = json_object_get(o, k);
    if (json_is_integer(v))
        snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        md_fmt_double(json_real_value(v), buf);
    else if (json_is_true(v) || json_is_false(v))
        snprintf(buf, cap, "%s", json_is_true(v) ? "yes" : "no");
    else
        return NULL;
    return buf;
}

/* A number for a table: four significant digits (JSON output keeps them all). */
static char *n_short(json_t *o, const char *k, char *buf, size_t cap)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_real(v))
        return n_of(o, k, buf, cap);
    snprintf(buf, cap, "%.4g", json_real_value(v));
    return buf;
}

/* Evidence for a table: "key=value" pairs, numbers to four digits, nulls left out. */
static char *detail_text(json_t *d)
{
    size_t cap = 256, len = 0;
    char *out = md_xmalloc(cap);
    out[0] = '\0';
    const char *k;
    json_t *v;
    json_object_foreach(d, k, v)
    {
        char num[40];
        if (json_is_null(v) || !n_short(d, k, num, sizeof num))
            continue;
        size_t need = len + strlen(k) + strlen(num) + 3;
        if (need > cap)
            out = md_xrealloc(out, cap = need * 2);
        len += (size_t)snprintf(out + len, cap - len, "%s%s=%s", len ? " " : "", k, num);
    }
    return out;
}

/* ---- policy ----------------------------------------------------------------------------------- */

static int policy_show(cli_ctx *c, int argc, char **argv)
{
    const char *pos[1] = {NULL};
    int npos = 0, rc = cli_parse(c, argc, argv, NULL, pos, 0, 1, &npos);
    if (rc || (rc = cli_open(c)))
        return rc;
    json_t *doc;
    int64_t rev;
    md_err err;
    if (md_policy_document(c->store, npos ? pos[0] : NULL, &doc, &rev, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json) {
        return cli_print_json(json_pack("{s:o, s:I, s:o}", "model", md_json_str_or_null(pos[0]),
                                        "revision", (json_int_t)rev, "policy", doc));
    }
    printf("# policy of %s (%s)\n", npos ? pos[0] : "every model",
           rev ? "defaults with the model's override" : "the defaults");
    char *text = md_json_dump(doc, MD_JSON_INDENT);
    puts(text);
    free(text);
    json_decref(doc);
    return 0;
}

static int policy_set(cli_ctx *c, int argc, char **argv)
{
    const char *reason = NULL, *pos[2];
    const cli_opt opts[] = {{"--reason", CLI_STR, &reason}, {0}};
    int rc = cli_parse(c, argc, argv, opts, pos, 2, 2, NULL);
    if (rc || (rc = cli_open(c)))
        return rc;
    int64_t rev;
    md_restatus ch;
    md_err err;
    if (md_policy_set(c->store, &c->actor, pos[0], pos[1], reason, &rev, &ch, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json)
        return cli_print_json(json_pack(
            "{s:s, s:I, s:{s:I, s:I, s:I, s:b}}", "model", pos[0], "revision", (json_int_t)rev,
            "drift_statuses", "raised", (json_int_t)ch.raised, "lowered", (json_int_t)ch.lowered,
            "windows", (json_int_t)ch.windows, "stored_figures_kept", ch.figures_kept));
    printf("%s: policy revision %lld stored\n", pos[0], (long long)rev);
    if (ch.raised || ch.lowered)
        printf("  drift statuses of stored windows under it: %lld raised, %lld lowered, in"
               " %lld window%s (modeldeck drift %s [VERSION])\n  incidents under it: modeldeck"
               " evaluate %s\n",
               (long long)ch.raised, (long long)ch.lowered, (long long)ch.windows,
               ch.windows == 1 ? "" : "s", pos[0], pos[0]);
    if (ch.figures_kept)
        printf("  note: drift.psi.null_quantile or min_rows changed: stored windows keep the "
               "no-drift PSI and small-window test they were computed with until an ingest "
               "adds rows to them\n");
    return 0;
}

int cmd_policy(cli_ctx *c, int argc, char **argv)
{
    static const cli_command subs[] = {
        {"show", policy_show, "the effective policy", "policy show [MODEL]"},
        {"set", policy_set, "store a model's policy override (admin)",
         "policy set MODEL FILE [--reason R]"},
        {NULL, NULL, NULL, NULL}};
    return cli_dispatch(c, "policy", subs, argc, argv);
}

/* ---- incidents --------------------------------------------------------------------------------- */

static void incidents_table(json_t *list)
{
    static const char *const head[] = {"ID", "SEV", "STATE", "MODEL", "KIND", "TITLE", "OPENED",
                                       "ASSIGNEE"};
    cli_table *t = cli_table_new(8, head);
    cli_table_max_width(t, 5, 40);
    cli_table_shrink(t, 5, 28, false); /* the kind goes before the title is cut short */
    cli_table_shrink(t, 3, 14, true);  /* a model name keeps both ends */
    cli_table_optional(t, 4, 1); /* the kind: the title says it too */
    cli_table_optional(t, 7, 2); /* no one assigned ("-" in every row): room for the title */
    json_t *o;
    size_t i;
    json_array_foreach(list, i, o)
    {
        char id[24], state[32], title[256], opened[24];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(o, "id")));
        snprintf(state, sizeof state, "%s%s", s_of(o, "state"),
                 json_is_true(json_object_get(o, "snoozed")) ? " (snoozed)" : "");
        /* the title without the model MODEL shows ("Drift on x (churn v3)" reads "Drift on x
         * v3"), the opening to the minute: 80 columns keep more of what matters */
        const char *ti = s_of(o, "title"), *m = s_of(o, "model"), *at = s_of(o, "opened_at");
        size_t tn = strlen(ti), mn = strlen(m);
        const char *open = strrchr(ti, '(');
        if (open && tn && ti[tn - 1] == ')' && !strncmp(open + 1, m, mn) && open[1 + mn] == ' ')
            snprintf(title, sizeof title, "%.*s%.*s", (int)(open - ti), ti,
                     (int)(ti + tn - 1 - (open + 2 + mn)), open + 2 + mn);
        else
            snprintf(title, sizeof title, "%s", ti);
        snprintf(opened, sizeof opened, strlen(at) > 16 ? "%.16sZ" : "%s", at);
        const char *row[] = {id,    s_of(o, "severity"), state,  s_of(o, "model"), s_of(o, "kind"),
                             title, opened,              s_of(o, "assignee")};
        cli_table_row(t, row);
    }
    if (json_array_size(list))
        cli_table_print(t);
    else
        printf("no incidents\n");
    cli_table_free(t);
}

static int incidents_list(cli_ctx *c, int argc, char **argv)
{
    md_incident_filter f = {0};
    bool mine = false, snoozed = false;
    const cli_opt opts[] = {{"--model", CLI_STR, &f.model},       {"--state", CLI_STR, &f.state},
                            {"--severity", CLI_STR, &f.severity}, {"--mine", CLI_FLAG, &mine},
                            {"--snoozed", CLI_FLAG, &snoozed},    {0}};
    int rc = cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL);
    if (rc || (rc = cli_open(c)) || (rc = cli_known_model(c, f.model)))
        return rc;
    f.assignee = mine ? c->actor.name : NULL;
    f.include_snoozed = snoozed || (f.state && strcmp(f.state, "active") != 0);
    json_t *list;
    md_err err;
    if (md_incidents_list(c->store, &f, &list, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json)
        return cli_print_json(list);
    incidents_table(list);
    json_decref(list);
    return 0;
}

/* Seconds as an operator reads them (45s, 12m, 3h 20m, 2d 4h); NULL for none. */
static const char *duration(json_t *o, const char *k, char *buf, size_t cap)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_number(v))
        return NULL;
    md_text_span(json_number_value(v), buf, cap);
    return buf;
}

static int incidents_show(cli_ctx *c, int argc, char **argv)
{
    const char *pos[1];
    int64_t id;
    int rc = cli_parse(c, argc, argv, NULL, pos, 1, 1, NULL);
    if (rc || (rc = cli_id(c, pos[0], &id)) || (rc = cli_open(c)))
        return rc;
    json_t *o;
    md_err err;
    if (md_incident_show(c->store, id, &o, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json)
        return cli_print_json(o);
    char b[64];
    char *title = cli_safe(s_of(o, "title"));
    printf("incident %lld: %s\n", (long long)id, title);
    free(title);
    const char *keys[] = {"severity", "state", "model", "kind", "key", "opened_at",
                          "acknowledged_at", "acknowledged_by", "resolved_at", "resolved_by",
                          "assignee", "snoozed_until"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        cli_kv(keys[i], s_of(o, keys[i]));
    cli_kv("time to ack", duration(o, "time_to_ack_s", b, sizeof b));
    cli_kv("time to resolve", duration(o, "time_to_resolve_s", b, sizeof b));
    static const char *const head[] = {"WINDOW", "VERSION", "FEATURE", "SEVERITY", "WHY"};
    cli_table *t = cli_table_new(5, head); /* why, last, whole: it is what an operator reads */
    cli_table_wrap(t, 4, 30);
    json_t *e;
    size_t i;
    json_array_foreach(json_object_get(o, "evidence"), i, e)
    {
        char v[24];
        snprintf(v, sizeof v, "v%lld", (long long)json_integer_value(json_object_get(e, "version")));
        const char *row[] = {s_of(e, "window"), v, s_of(e, "feature"), s_of(e, "severity"),
                             s_of(e, "reason")};
        cli_table_row(t, row);
    }
    printf("\n");
    cli_print_wrapped("evidence (why: under the policy now in force; every figure in --json):", 0);
    cli_table_print(t);
    cli_table_free(t);
    json_array_foreach(json_object_get(o, "evidence"), i, e)
    {
        char *detail = detail_text(json_object_get(e, "detail")),
             *line = md_xasprintf("%s %s: %s", s_of(e, "window"),
                                  *s_of(e, "feature") ? s_of(e, "feature") : "-", detail);
        printf("%s", i ? "" : "\nfigures:\n");
        cli_print_wrapped(line, 2);
        free(line);
        free(detail);
    }
    json_array_foreach(json_object_get(o, "notes"), i, e)
    {
        char *txt = cli_safe(s_of(e, "text")),
             *line = md_xasprintf("note by %s at %s: %s", s_of(e, "actor"), s_of(e, "at"), txt);
        printf("%s", i ? "" : "\nnotes:\n");
        cli_print_wrapped(line, 2);
        free(line);
        free(txt);
    }
    json_decref(o);
    return 0;
}

typedef enum { ACK, RESOLVE, ASSIGN, SNOOZE, NOTE } incident_verb;

static int incident_change(cli_ctx *c, int argc, char **argv, incident_verb verb)
{
    const char *reason = NULL, *until = NULL, *pos[2] = {NULL, NULL};
    const cli_opt opts[] = {{"--reason", CLI_STR, &reason}, {"--until", CLI_STR, &until}, {0}};
    int want = verb == ASSIGN || verb == NOTE ? 2 : 1;
    int64_t id;
    int rc = cli_parse(c, argc, argv, opts, pos, want, want, NULL);
    if (rc || (rc = cli_id(c, pos[0], &id)))
        return rc;
    if (verb == SNOOZE && !until)
        return cli_usage_error(c, "--until is required");
    if ((rc = cli_open(c)))
        return rc;
    md_err err;
    md_status st = verb == ACK      ? md_incident_ack(c->store, &c->actor, id, reason, &err)
                   : verb == RESOLVE ? md_incident_resolve(c->store, &c->actor, id, reason, &err)
                   : verb == ASSIGN  ? md_incident_assign(c->store, &c->actor, id, pos[1], reason,
                                                         &err)
                   : verb == SNOOZE  ? md_incident_snooze(c->store, &c->actor, id, until, reason,
                                                         &err)
                                     : md_incident_note(c->store, &c->actor, id, pos[1], &err);
    if (st != MD_OK)
        return cli_fail(c, &err);
    json_t *o;
    if (md_incident_show(c->store, id, &o, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json)
        return cli_print_json(o);
    /* what was done, and the state where that is not it */
    const char *state = s_of(o, "state"), *who = s_of(o, "assignee");
    if (verb == NOTE)
        printf("incident %lld: note added (%s)\n", (long long)id, state);
    else if (verb == SNOOZE)
        printf("incident %lld: snoozed until %s (%s)\n", (long long)id, s_of(o, "snoozed_until"),
               state);
    else if (verb == ASSIGN)
        printf("incident %lld: assigned to %s (%s)\n", (long long)id, who ? who : "-", state);
    else
        printf("incident %lld: %s%s%s\n", (long long)id, state, who ? ", assigned to " : "",
               who ? who : "");
    json_decref(o);
    return 0;
}

static int incidents_ack(cli_ctx *c, int argc, char **argv)
{
    return incident_change(c, argc, argv, ACK);
}
static int incidents_resolve(cli_ctx *c, int argc, char **argv)
{
    return incident_change(c, argc, argv, RESOLVE);
}
static int incidents_assign(cli_ctx *c, int argc, char **argv)
{
    return incident_change(c, argc, argv, ASSIGN);
}
static int incidents_snooze(cli_ctx *c, int argc, char **argv)
{
    return incident_change(c, argc, argv, SNOOZE);
}
static int incidents_note(cli_ctx *c, int argc, char **argv)
{
    return incident_change(c, argc, argv, NOTE);
}

int cmd_incidents(cli_ctx *c, int argc, char **argv)
{
    static const cli_command subs[] = {
        {"list", incidents_list, "the queue, by severity then age",
         "incidents list [--model M] [--state open|acknowledged|resolved|active|all]\n"
         "                   [--severity P1..P4] [--mine] [--snoozed]"},
        {"show", incidents_show, "one incident with its evidence", "incidents show ID"},
        {"ack", incidents_ack, "acknowledge (operator)", "incidents ack ID [--reason R]"},
        {"assign", incidents_assign, "assign to a user (operator)",
         "incidents assign ID USER [--reason R]"},
        {"snooze", incidents_snooze, "hide until a time (operator)",
         "incidents snooze ID --until T [--reason R]"},
        {"resolve", incidents_resolve, "resolve (operator)", "incidents resolve ID --reason R"},
        {"note", incidents_note, "add a note (analyst)", "incidents note ID TEXT"},
        {NULL, NULL, NULL, NULL}};
    return cli_dispatch(c, "incidents", subs, argc, argv);
}

int cmd_evaluate(cli_ctx *c, int argc, char **argv)
{
    if (c->help)
        return cli_print_help(c);
    const char *pos[1] = {NULL};
    int npos = 0, rc = cli_parse(c, argc, argv, NULL, pos, 0, 1, &npos);
    if (rc || (rc = cli_open(c)))
        return rc;
    md_incident_tally t;
    md_err err;
    if (md_incidents_evaluate(c->store, &c->actor, npos ? pos[0] : NULL, &t, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json)
        return cli_print_json(json_pack("{s:i, s:i, s:i}", "opened", t.opened, "updated",
                                        t.updated, "escalated", t.escalated));
    printf("incidents: %d opened, %d escalated, %d confirmed by the evidence\n", t.opened,
           t.escalated, t.updated);
    return 0;
}

/* ---- promotions -------------------------------------------------------------------------------- */

static void gates_table(json_t *gates)
{
    static const char *const head[] = {"GATE", "VALUE", "THRESHOLD", "RESULT", "BLOCKS"};
    cli_table *t = cli_table_new(5, head);
    json_t *g;
    size_t i;
    json_array_foreach(gates, i, g)
    {
        char v[40], th[48], thn[40], res[32];
        const char *cmp = s_of(g, "comparison");
        snprintf(th, sizeof th, "%s %s", cmp ? cmp : "", n_of(g, "threshold", thn, sizeof thn)
                                                           ? thn : "-");
        snprintf(res, sizeof res, "%s%s", s_of(g, "result"),
                 json_is_true(json_object_get(g, "overridden")) ? " (overridden)" : "");
        const char *row[] = {s_of(g, "gate"), n_short(g, "value", v, sizeof v), th, res,
                             json_is_true(json_object_get(g, "blocking")) ? "yes" : "no"};
        cli_table_row(t, row);
    }
    cli_table_print(t);
    cli_table_free(t);
}

static int promote_cmd(cli_ctx *c, int argc, char **argv)
{
    const char *to = NULL, *reason = NULL, *pos[2];
    const cli_opt opts[] = {{"--to", CLI_STR, &to}, {"--reason", CLI_STR, &reason}, {0}};
    int64_t number, id;
    int rc = cli_parse(c, argc, argv, opts, pos, 2, 2, NULL);
    if (rc || (rc = cli_version(c, pos[1], &number)))
        return rc;
    if (!to || !reason)
        return cli_usage_error(c, "--to and --reason are required");
    if ((rc = cli_open(c)))
        return rc;
    json_t *gates;
    md_err err;
    if (md_promote_request(c->store, &c->actor, pos[0], number, to, reason, &id, &gates, &err))
        return cli_fail(c, &err);
    if (c->json)
        return cli_print_json(json_pack("{s:I, s:s, s:I, s:s, s:o}", "id", (json_int_t)id, "model",
                                        pos[0], "version", (json_int_t)number, "to", to, "gates",
                                        gates));
    char *m = cli_safe(pos[0]);
    printf("promotion request %lld: %s v%lld to %s, waiting for approval\n", (long long)id, m,
           (long long)number, to);
    free(m);
    gates_table(gates);
    json_decref(gates);
    return 0;
}

int cmd_promote(cli_ctx *c, int argc, char **argv)
{
    return c->help ? cli_print_help(c) : promote_cmd(c, argc, argv);
}

#define MAX_OVERRIDES 8

static int approve_cmd(cli_ctx *c, int argc, char **argv)
{
    const char *comment = NULL, *gate = NULL, *reason = NULL, *pos[1];
    const cli_opt opts[] = {{"--comment", CLI_STR, &comment},
                            {"--override-gate", CLI_STR, &gate},
                            {"--reason", CLI_STR, &reason},
                            {0}};
    int64_t id;
    int rc = cli_parse(c, argc, argv, opts, pos, 1, 1, NULL);
    if (rc || (rc = cli_id(c, pos[0], &id)))
        return rc;
    char *list = gate ? strdup(gate) : NULL;
    const char *names[MAX_OVERRIDES + 1] = {NULL};
    int n = 0;
    for (char *save = NULL, *tok = list ? strtok_r(list, ",", &save) : NULL;
         tok && n < MAX_OVERRIDES; tok = strtok_r(NULL, ",", &save))
        names[n++] = tok;
    if ((rc = cli_open(c))) {
        free(list);
        return rc;
    }
    md_decision d;
    md_err err;
    md_status st = md_request_approve(c->store, &c->actor, id, comment, names, reason, &d, &err);
    free(list);
    if (st != MD_OK)
        return cli_fail(c, &err);
    if (c->json)
        return cli_print_json(json_pack("{s:I, s:i, s:i, s:b, s:s}", "id", (json_int_t)id,
                                        "approvals", d.approvals, "required", d.required,
                                        "executed", d.executed, "blocking", d.blocking));
    if (d.executed)
        printf("request %lld approved (%d of %d): executed\n", (long long)id, d.approvals,
               d.required);
    else if (d.blocking[0])
        printf("request %lld approved (%d of %d), but blocked by: %s\n", (long long)id,
               d.approvals, d.required, d.blocking);
    else
        printf("request %lld approved (%d of %d); waiting for more approvals\n", (long long)id,
               d.approvals, d.required);
    return 0;
}

int cmd_approve(cli_ctx *c, int argc, char **argv)
{
    return c->help ? cli_print_help(c) : approve_cmd(c, argc, argv);
}

static int reject_cmd(cli_ctx *c, int argc, char **argv)
{
    const char *comment = NULL, *pos[1];
    const cli_opt opts[] = {{"--comment", CLI_STR, &comment}, {0}};
    int64_t id;
    int rc = cli_parse(c, argc, argv, opts, pos, 1, 1, NULL);
    if (rc || (rc = cli_id(c, pos[0], &id)) || (rc = cli_open(c)))
        return rc;
    md_err err;
    if (md_request_reject(c->store, &c->actor, id, comment, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json)
        return cli_print_json(json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", "rejected"));
    printf("request %lld rejected\n", (long long)id);
    return 0;
}

int cmd_reject(cli_ctx *c, int argc, char **argv)
{
    return c->help ? cli_print_help(c) : reject_cmd(c, argc, argv);
}

static int withdraw_cmd(cli_ctx *c, int argc, char **argv)
{
    const char *reason = NULL, *pos[1];
    const cli_opt opts[] = {{"--reason", CLI_STR, &reason}, {0}};
    int64_t id;
    int rc = cli_parse(c, argc, argv, opts, pos, 1, 1, NULL);
    if (rc || (rc = cli_id(c, pos[0], &id)))
        return rc;
    if (!reason || !*reason)
        return cli_usage_error(c, "--reason is required: say why the request is withdrawn");
    if ((rc = cli_open(c)))
        return rc;
    md_err err;
    if (md_request_withdraw(c->store, &c->actor, id, reason, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json)
        return cli_print_json(json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", "withdrawn"));
    printf("request %lld withdrawn\n", (long long)id);
    return 0;
}

int cmd_withdraw(cli_ctx *c, int argc, char **argv)
{
    return c->help ? cli_print_help(c) : withdraw_cmd(c, argc, argv);
}

static int requests_list(cli_ctx *c, int argc, char **argv)
{
    const char *model = NULL, *state = NULL;
    const cli_opt opts[] = {{"--model", CLI_STR, &model}, {"--state", CLI_STR, &state}, {0}};
    int rc = cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL);
    if (rc)
        return rc;
    static const char *const states[] = {"pending", "executed",  "rejected",
                                         "expired", "withdrawn", "all"};
    bool known = !state;
    for (size_t i = 0; !known && i < sizeof states / sizeof states[0]; i++)
        known = strcmp(state, states[i]) == 0;
    if (!known)
        return cli_usage_error(c,
                               "--state: no state '%s' (pending, executed, rejected, expired, "
                               "withdrawn or all)",
                               state);
    if ((rc = cli_open(c)) || (rc = cli_known_model(c, model)))
        return rc;
    json_t *list;
    md_err err;
    if (md_requests_list(c->store, model, state, &list, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json)
        return cli_print_json(list);
    static const char *const head[] = {"ID", "MODEL", "VERSION", "TO", "STATE", "APPROVALS",
                                       "BY", "EXPIRES"};
    cli_table *t = cli_table_new(8, head);
    json_t *o;
    size_t i;
    json_array_foreach(list, i, o)
    {
        char id[24], v[24], ap[32];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(o, "id")));
        snprintf(v, sizeof v, "v%lld", (long long)json_integer_value(json_object_get(o, "version")));
        snprintf(ap, sizeof ap, "%lld/%lld",
                 (long long)json_integer_value(json_object_get(o, "approvals")),
                 (long long)json_integer_value(json_object_get(o, "approvals_required")));
        const char *row[] = {id, s_of(o, "model"), v, s_of(o, "to"), s_of(o, "state"), ap,
                             s_of(o, "requested_by"), s_of(o, "expires_at")};
        cli_table_row(t, row);
    }
    if (json_array_size(list))
        cli_table_print(t);
    else
        printf("no promotion requests\n");
    cli_table_free(t);
    json_decref(list);
    return 0;
}

static int requests_show(cli_ctx *c, int argc, char **argv)
{
    const char *pos[1];
    int64_t id;
    int rc = cli_parse(c, argc, argv, NULL, pos, 1, 1, NULL);
    if (rc || (rc = cli_id(c, pos[0], &id)) || (rc = cli_open(c)))
        return rc;
    json_t *o;
    md_err err;
    if (md_request_show(c->store, id, &o, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json)
        return cli_print_json(o);
    char b[32];
    printf("request %lld: %s v%s to %s, %s\n", (long long)id, s_of(o, "model"),
           n_of(o, "version", b, sizeof b), s_of(o, "to"), s_of(o, "state"));
    cli_kv("requested by", s_of(o, "requested_by"));
    cli_kv("reason", s_of(o, "reason"));
    cli_kv("expires", s_of(o, "expires_at"));
    if (json_is_string(json_object_get(o, "withdrawn_by"))) { /* cli_kv makes it safe */
        char *line = md_xasprintf("by %s at %s: %s", s_of(o, "withdrawn_by"), s_of(o, "decided_at"),
                                  s_of(o, "withdraw_reason"));
        cli_kv("withdrawn", line);
        free(line);
    }
    printf("\ngates when requested:\n");
    gates_table(json_object_get(o, "gates_at_request"));
    if (json_is_array(json_object_get(o, "gates_at_execution"))) {
        printf("\ngates at approval:\n");
        gates_table(json_object_get(o, "gates_at_execution"));
    }
    json_t *d;
    size_t i;
    json_array_foreach(json_object_get(o, "decisions"), i, d)
    {
        char *cm = cli_safe(s_of(d, "comment"));
        printf("%s by %s at %s: %s\n", s_of(d, "decision"), s_of(d, "approver"), s_of(d, "at"), cm);
        free(cm);
    }
    json_array_foreach(json_object_get(o, "overrides"), i, d) printf(
        "gate %s overridden by %s: %s\n", s_of(d, "gate"), s_of(d, "actor"), s_of(d, "reason"));
    json_decref(o);
    return 0;
}

int cmd_requests(cli_ctx *c, int argc, char **argv)
{
    static const cli_command subs[] = {
        {"list", requests_list, "promotion requests, newest first",
         "requests list [--model M] [--state pending|executed|rejected|expired|withdrawn|all]"},
        {"show", requests_show, "a request with its gates and decisions", "requests show ID"},
        {NULL, NULL, NULL, NULL}};
    return cli_dispatch(c, "requests", subs, argc, argv);
}

/* ---- compare, rollback ---------------------------------------------------------------------------- */

static int compare_cmd(cli_ctx *c, int argc, char **argv)
{
    const char *pos[3];
    int npos = 0;
    int64_t a = 0, b = 0;
    int rc = cli_parse(c, argc, argv, NULL, pos, 1, 3, &npos);
    if (!rc && npos == 2)
        return cli_usage_error(c, "name both versions, or neither");
    if (rc ||
        (npos == 3 && ((rc = cli_version(c, pos[1], &a)) || (rc = cli_version(c, pos[2], &b)))) ||
        (rc = cli_open(c)))
        return rc;
    json_t *o;
    md_err err;
    if (md_compare_json(c->store, pos[0], a, b, &o, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json)
        return cli_print_json(o);
    json_t *ja = json_object_get(o, "candidate"), *jb = json_object_get(o, "champion");
    static const char *const keys[] = {"status", "windows", "auc", "delta_auc", "ece", "brier",
                                       "max_psi", "open_incidents", "baseline_auc", "from", "to"};
    char ha[32], hb[32];
    snprintf(ha, sizeof ha, "v%lld (candidate)", (long long)json_integer_value(json_object_get(ja, "version")));
    snprintf(hb, sizeof hb, "v%lld (champion)", (long long)json_integer_value(json_object_get(jb, "version")));
    const char *head[] = {"", ha, hb};
    cli_table *t = cli_table_new(3, head);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char x[40], y[40];
        const char *row[] = {keys[i], s_of(ja, keys[i]) ? s_of(ja, keys[i]) : n_short(ja, keys[i], x, 40),
                             s_of(jb, keys[i]) ? s_of(jb, keys[i]) : n_short(jb, keys[i], y, 40)};
        cli_table_row(t, row);
    }
    cli_table_print(t);
    cli_table_free(t);
    char d[40];
    long long n = (long long)json_integer_value(json_object_get(o, "windows"));
    const char *fa = s_of(ja, "gate_auc_from"), *fb = s_of(jb, "gate_auc_from");
    printf("AUC vs the champion: %s (candidate: %s; champion: %s; as the delta_auc gate reads "
           "it)\n",
           n_short(o, "auc_vs_champion", d, sizeof d) ? d : "n/a",
           !fa ? "no evidence" : strcmp(fa, "windows") == 0 ? "recent windows" : "baseline holdout",
           !fb ? "no evidence" : strcmp(fb, "windows") == 0 ? "recent windows" : "baseline holdout");
    printf("recent windows: the last %lld of each version\n", n);
    json_decref(o);
    return 0;
}

int cmd_compare(cli_ctx *c, int argc, char **argv)
{
    return c->help ? cli_print_help(c) : compare_cmd(c, argc, argv);
}

static int rollback_cmd(cli_ctx *c, int argc, char **argv)
{
    const char *to = NULL, *fallback = NULL, *reason = NULL, *pos[1];
    const cli_opt opts[] = {{"--to", CLI_STR, &to},
                            {"--fallback", CLI_STR, &fallback},
                            {"--reason", CLI_STR, &reason},
                            {0}};
    int64_t target = 0;
    int rc = cli_parse(c, argc, argv, opts, pos, 1, 1, NULL);
    if (rc || (to && (rc = cli_version(c, to, &target))))
        return rc;
    if (!reason)
        return cli_usage_error(c, "--reason is required");
    if ((rc = cli_open(c)))
        return rc;
    json_t *res;
    md_err err;
    if (md_rollback(c->store, &c->actor, pos[0], target, fallback, reason, &res, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json)
        return cli_print_json(res);
    char f[24], t[24];
    if (fallback)
        printf("%s is out of service (was v%s); its integration point should use its fallback: "
               "%s\n",
               pos[0], n_of(res, "from", f, sizeof f) ? f : "-", fallback);
    else if (n_of(res, "from", f, sizeof f))
        printf("%s rolled back: v%s -> v%s in production\n", pos[0], f,
               n_of(res, "to", t, sizeof t));
    else
        printf("%s back in service: v%s in production\n", pos[0], n_of(res, "to", t, sizeof t));
    json_decref(res);
    return 0;
}

int cmd_rollback(cli_ctx *c, int argc, char **argv)
{
    return c->help ? cli_print_help(c) : rollback_cmd(c, argc, argv);
}
