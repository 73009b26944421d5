/* The actions on one model and its versions, each through its dialog (model_actions.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "jobs.h"
#include "mem.h"
#include "model_actions.h"
#include "ops.h"
#include "policies.h"

static int refused(tui_app *a, const char *what, const md_err *err)
{
    tui_alert(a, what, err->msg);
    return TUI_R_RELOAD;
}

/* The gate table as lines: "gate  value  threshold  result". */
static size_t gate_lines(json_t *gates, char lines[][320], size_t max)
{
    size_t n = 0;
    json_t *g;
    size_t i;
    json_array_foreach(gates, i, g)
    {
        if (n >= max)
            break;
        json_t *val = json_object_get(g, "value"), *th = json_object_get(g, "threshold");
        char vb[32] = "-", tb[32] = "";
        if (json_is_real(val))
            snprintf(vb, sizeof vb, "%.4g", json_real_value(val));
        else if (json_is_integer(val))
            snprintf(vb, sizeof vb, "%lld", (long long)json_integer_value(val));
        else if (json_is_boolean(val))
            snprintf(vb, sizeof vb, "%s", json_is_true(val) ? "yes" : "no");
        if (json_is_number(th))
            snprintf(tb, sizeof tb, "%s %.4g", md_json_text(g, "comparison"),
                     json_number_value(th));
        snprintf(lines[n++], sizeof lines[0], "  %-17s %-10s %-10s %s%s", md_json_text(g, "gate"),
                 vb, tb, md_json_text(g, "result"),
                 json_is_true(json_object_get(g, "blocking")) ? "  BLOCKS" : "");
    }
    return n;
}

int tui_model_promote(tui_app *a, model_view *m, const md_version_row *r)
{
    const char *targets[2]; /* only the moves the registry allows and no request has asked */
    int nt;
    char why[256];
    md_err err;
    if (md_promote_targets(a->s, m->name, r->number, targets, &nt, why, &err) != MD_OK)
        return refused(a, "promote", &err);
    if (nt == 0) { /* said at once, as other refusals, before a reason is typed */
        tui_reply(a, TUI_ERROR, "promote: %s", why);
        return TUI_R_DRAW;
    }
    int t = tui_choose(a, "promote to", targets, nt);
    if (t < 0)
        return TUI_R_DRAW;
    bool to_production = !strcmp(targets[t], "production");
    md_version ver;
    md_policy p;
    json_t *gates = NULL;
    char blocking[256] = "";
    if (md_version_get(a->s, m->name, r->number, &ver, &err) != MD_OK)
        return refused(a, "promote", &err);
    if (md_policy_load(a->s, m->name, &p, &err) != MD_OK) {
        md_version_free(&ver);
        return refused(a, "promote", &err);
    }
    md_gates_evaluate(a->s, ver.id, targets[t], &p, 0, &gates, blocking, &err);
    char lines[16][320];
    const char *lp[16];
    size_t n = 0;
    snprintf(lines[n++], sizeof lines[0], "Request: %s v%lld from %s to %s.", m->name,
             (long long)r->number, r->status, targets[t]);
    snprintf(lines[n++], sizeof lines[0], "It needs %d approval(s) from approvers other than you.",
             to_production ? p.promotion.approvals_production : p.promotion.approvals_staging);
    snprintf(lines[n++], sizeof lines[0], "The gates as they stand now:");
    n += gate_lines(gates, lines + n, 16 - n - 2);
    if (blocking[0]) {
        snprintf(lines[n++], sizeof lines[0], "Blocking now: %s.", blocking);
        snprintf(lines[n++], sizeof lines[0],
                 "An admin may override a gate when approving (o on the approvals "
                 "screen).");
    }
    for (size_t i = 0; i < n; i++)
        lp[i] = lines[i];
    json_decref(gates);
    md_policy_free(&p);
    md_version_free(&ver);
    char reason[256] = "";
    if (!tui_dialog(a, "request a promotion", lp, n, "reason:", reason, sizeof reason, true))
        return TUI_R_DRAW;
    int64_t id;
    if (md_promote_request(a->s, &a->actor, m->name, r->number, targets[t], reason, &id, &gates,
                           &err) != MD_OK)
        return refused(a, "promotion refused", &err);
    json_decref(gates);
    tui_msg(a, TUI_GOOD, "request %lld created: %s v%lld to %s", (long long)id, m->name,
            (long long)r->number, targets[t]);
    return TUI_R_RELOAD;
}

int tui_model_decide(tui_app *a, model_view *m, const md_version_row *r, bool approve)
{
    json_t *req;
    md_err err;
    if (md_request_show(a->s, r->request, &req, &err) != MD_OK)
        return refused(a, "request", &err);
    const char *why = tui_request_decided_why(a, req, approve);
    if (why) {
        json_decref(req);
        tui_refuse(a, approve ? TUI_A_M_APPROVE : TUI_A_M_REJECT, why);
        return TUI_R_DRAW;
    }
    char lines[16][320];
    const char *lp[16];
    size_t n = 0;
    snprintf(lines[n++], sizeof lines[0], "%s request %lld: %s v%lld to %s, asked by %s.",
             approve ? "Approve" : "Reject", (long long)r->request, m->name, (long long)r->number,
             md_json_text(req, "to"), md_json_text(req, "requested_by"));
    snprintf(lines[n++], sizeof lines[0], "Approvals so far: %lld of %lld.",
             (long long)r->approvals, (long long)r->required);
    bool approved = false; /* by this actor already: then this only checks the gates again */
    json_t *dec;
    size_t k;
    json_array_foreach(json_object_get(req, "decisions"), k, dec)
    {
        approved |= !strcmp(md_json_text(dec, "approver"), a->actor.name) &&
                    !strcmp(md_json_text(dec, "decision"), "approve");
    }
    if (approve && r->approvals >= r->required)
        snprintf(lines[n++], sizeof lines[0],
                 "They are all in, but its gates blocked the move: %s checks the gates again and, "
                 "if none blocks now, the version moves.",
                 approved ? "this (no new approval counts)" : "yours");
    else if (approve && r->approvals + 1 >= r->required)
        snprintf(lines[n++], sizeof lines[0],
                 "Yours completes them: the gates are checked again and, if "
                 "none blocks, the version moves now.");
    snprintf(lines[n++], sizeof lines[0], "Gates when requested:");
    n += gate_lines(json_object_get(req, "gates_at_request"), lines + n, 16 - n);
    for (size_t i = 0; i < n; i++)
        lp[i] = lines[i];
    json_decref(req);
    char comment[256] = "";
    if (!tui_dialog(a, approve ? "approve" : "reject", lp, n, "comment:", comment, sizeof comment,
                    !approve))
        return TUI_R_DRAW;
    if (!approve) {
        if (md_request_reject(a->s, &a->actor, r->request, comment, &err) != MD_OK)
            return refused(a, "rejection refused", &err);
        tui_msg(a, TUI_GOOD, "request %lld rejected", (long long)r->request);
        return TUI_R_RELOAD;
    }
    md_decision d;
    if (md_request_approve(a->s, &a->actor, r->request, comment, NULL, NULL, &d, &err) != MD_OK)
        return refused(a, "approval refused", &err);
    if (d.executed)
        tui_msg(a, TUI_GOOD, "approved: %s v%lld promoted", m->name, (long long)r->number);
    else if (d.blocking[0])
        tui_msg(a, TUI_WARN, "approved (%d/%d) but blocked by: %s", d.approvals, d.required,
                d.blocking);
    else
        tui_msg(a, TUI_GOOD, "approved (%d of %d)", d.approvals, d.required);
    return TUI_R_RELOAD;
}

int tui_model_mark(tui_app *a, model_view *m, const md_version_row *r)
{
    const char *to[4]; /* only the marks the version can take: none refused after the reason */
    int nt;
    md_err err;
    md_status rc = md_version_mark_targets(a->s, m->name, r->number, to, &nt, &err);
    if (rc == MD_REFUSED) { /* nothing to offer: said on the status line, as other refusals */
        tui_reply(a, TUI_ERROR, "mark: %s", err.msg);
        return TUI_R_DRAW;
    }
    if (rc != MD_OK)
        return refused(a, "mark", &err);
    int t = tui_choose(a, "mark as", to, nt);
    if (t < 0)
        return TUI_R_DRAW;
    double share = 0;
    if (!strcmp(to[t], "challenger")) {
        char text[32] = "0.1", *end;
        const char *l[] = {"The challenger serves a share of traffic beside the champion."};
        if (!tui_dialog(a, "traffic share", l, 1, "share (0-1]:", text, sizeof text, true))
            return TUI_R_DRAW;
        share = strtod(text, &end);
        if (end == text || *end || !(share > 0 && share <= 1)) { /* before the reason is typed */
            tui_alert(a, "traffic share", "a share is a number in (0, 1], such as 0.1");
            return TUI_R_DRAW;
        }
    }
    char line[160];
    snprintf(line, sizeof line, "%s v%lld: %s -> %s", m->name, (long long)r->number, r->status,
             to[t]);
    const char *l[] = {line};
    char reason[256] = "";
    if (!tui_dialog(a, "mark a version", l, 1, "reason:", reason, sizeof reason, true))
        return TUI_R_DRAW;
    if (md_version_mark(a->s, &a->actor, m->name, r->number, to[t], share, reason, &err) != MD_OK)
        return refused(a, "mark refused", &err);
    tui_msg(a, TUI_GOOD, "%s v%lld is %s", m->name, (long long)r->number, to[t]);
    return TUI_R_RELOAD;
}

int tui_model_compare(tui_app *a, model_view *m, const md_version_row *r)
{
    json_t *o;
    md_err err;
    int64_t b = m->m.production_version;
    if (md_compare_json(a->s, m->name, r->number == b ? 0 : r->number, 0, &o, &err) != MD_OK)
        return refused(a, "compare", &err);
    json_t *x = json_object_get(o, "candidate"), *y = json_object_get(o, "champion");
    static const char *const keys[] = {"status",      "windows", "auc",     "delta_auc",
                                       "ece",         "brier",   "max_psi", "open_incidents",
                                       "baseline_auc"};
    char text[2048];
    size_t len =
        (size_t)snprintf(text, sizeof text, "%-15s %-14s %-14s\n", "", "candidate", "champion");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char cx[32], cy[32];
        json_t *vx = json_object_get(x, keys[i]), *vy = json_object_get(y, keys[i]);
        json_t *pair[2] = {vx, vy};
        char *out[2] = {cx, cy};
        for (int k = 0; k < 2; k++) {
            if (json_is_string(pair[k]))
                snprintf(out[k], 32, "%s", json_string_value(pair[k]));
            else if (json_is_integer(pair[k]))
                snprintf(out[k], 32, "%lld", (long long)json_integer_value(pair[k]));
            else if (json_is_real(pair[k]))
                snprintf(out[k], 32, "%.4g", json_real_value(pair[k]));
            else
                snprintf(out[k], 32, "-");
        }
        len +=
            (size_t)snprintf(text + len, sizeof text - len, "%-15s %-14s %-14s\n", keys[i], cx, cy);
    }
    json_t *d = json_object_get(o, "auc_vs_champion");
    if (json_is_number(d))
        snprintf(text + len, sizeof text - len, "AUC vs the champion: %+.4f", json_number_value(d));
    char title[96];
    snprintf(title, sizeof title, "v%lld beside v%lld",
             (long long)json_integer_value(json_object_get(x, "version")),
             (long long)json_integer_value(json_object_get(y, "version")));
    json_decref(o);
    tui_alert(a, title, text);
    return TUI_R_DRAW;
}

/* The rollback list offers only what a rollback can do here: return to each version that served
 * before (the last good one first and named so), and take the model out when it has a
 * production version to take out. */
int tui_model_rollback(tui_app *a, model_view *m)
{
    md_rollback_target *tg;
    size_t nt;
    md_err err;
    if (md_rollback_targets(a->s, m->name, &tg, &nt, &err) != MD_OK)
        return refused(a, "rollback", &err);
    int64_t cur = m->m.production_version;
    if (!nt && !cur) {
        free(tg);
        tui_msg(a, TUI_ERROR, "rollback: %s has no production version and none that served before",
                m->name);
        return TUI_R_DRAW;
    }
    size_t n = nt + (cur ? 2 : 0);
    char(*text)[96] = md_xcalloc(n, sizeof *text);
    const char **choices = md_xcalloc(n, sizeof *choices);
    size_t good = 0; /* the last good version goes first, where the cursor opens */
    while (good < nt && tg[good].rolled_back)
        good++;
    if (good < nt) {
        md_rollback_target t = tg[good];
        memmove(tg + 1, tg, good * sizeof *tg);
        tg[0] = t;
    }
    for (size_t i = 0; i < nt; i++) {
        snprintf(text[i], sizeof text[i], "back to v%lld%s", (long long)tg[i].number,
                 tg[i].rolled_back ? " (it left production by a rollback)"
                 : i == 0          ? ", the last good version"
                                   : "");
        choices[i] = text[i];
    }
    if (cur) {
        choices[nt] = "take the model out: fallback rules";
        choices[nt + 1] = "take the model out: suppress";
    }
    int c = tui_choose(a, "rollback", choices, (int)n);
    int64_t to = c >= 0 && (size_t)c < nt ? tg[c].number : 0;
    free(choices);
    free(text);
    free(tg);
    if (c < 0)
        return TUI_R_DRAW;
    const char *fallback = to ? NULL : (size_t)c == nt ? "rules" : "suppress";
    char l1[300], l2[200];
    if (fallback)
        snprintf(l1, sizeof l1,
                 "%s leaves production: v%lld is archived, never counts as last good again "
                 "(b brings it back by name), and the integration point must use its fallback "
                 "(%s).",
                 m->name, (long long)cur, fallback);
    else if (cur)
        snprintf(l1, sizeof l1,
                 "Production %s: v%lld -> v%lld. v%lld is archived and never "
                 "counts as last good again.",
                 m->name, (long long)cur, (long long)to, (long long)cur);
    else
        snprintf(l1, sizeof l1,
                 "%s returns to production with v%lld, and serves the model "
                 "again.",
                 m->name, (long long)to);
    snprintf(l2, sizeof l2, "One transaction, audited.");
    const char *l[] = {l1, l2};
    char reason[256] = "";
    if (!tui_dialog(a, "rollback", l, 2, "reason:", reason, sizeof reason, true))
        return TUI_R_DRAW;
    json_t *res;
    if (md_rollback(a->s, &a->actor, m->name, to, fallback, reason, &res, &err) != MD_OK)
        return refused(a, "rollback refused", &err);
    json_decref(res);
    if (fallback)
        tui_msg(a, TUI_GOOD, "%s is out of service (%s)", m->name, fallback);
    else
        tui_msg(a, TUI_GOOD, "%s: v%lld in production", m->name, (long long)to);
    return TUI_R_RELOAD;
}

int tui_model_retrain(tui_app *a, model_view *m)
{
    md_policy p;
    md_err err;
    if (md_policy_load(a->s, m->name, &p, &err) != MD_OK)
        return refused(a, "retrain", &err);
    json_t *b = p.retrain.backend;
    const char *type = json_string_value(json_object_get(b, "type"));
    char l1[200], l2[300];
    snprintf(l1, sizeof l1, "Queue a retrain of %s with its policy's %s backend.", m->name,
             type ? type : "?");
    if (type && !strcmp(type, "webhook"))
        snprintf(l2, sizeof l2, "POST to %s (in the background; progress in the jobs screen).",
                 md_json_text(b, "url"));
    else
        snprintf(l2, sizeof l2, "Runs %s (detached; the jobs screen shows its status and log).",
                 tui_or_dash(json_string_value(json_array_get(json_object_get(b, "argv"), 0))));
    md_policy_free(&p);
    const char *l[] = {l1, l2};
    char reason[256] = "";
    if (!tui_dialog(a, "retrain", l, 2, "reason:", reason, sizeof reason, true))
        return TUI_R_DRAW;
    int64_t job;
    if (md_retrain(a->s, &a->actor, m->name, reason, 0, &job, &err) != MD_OK)
        return refused(a, "retrain refused", &err);
    if (tui_launch_job(a, job))
        tui_msg(a, TUI_GOOD, "job %lld queued for %s", (long long)job, m->name);
    return TUI_R_RELOAD;
}
