/* One model: what it is and where it plugs in, its versions with the evidence the gates read,
 * and its stage history; the actions an operator or approver takes on a version. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "json.h"
#include "jobs.h"
#include "mem.h"
#include "models.h"
#include "ops.h"
#include "policies.h"
#include "promotions.h"
#include "versions.h"

typedef struct {
    char name[65];
    md_model m;
    bool has_m;
    md_version_row *v;
    size_t nv;
    char (*requested_by)[65]; /* per version: who asked for its pending request */
    md_version *lv; /* the versions' lineage (any order: found by number) */
    size_t nlv;
    md_stage_event *h;
    size_t nh;
    int pane; /* 0 versions, 1 history */
    tui_table vt, ht;
} model_view;

static const tui_column vcols[] = {
    {"VER", 4, TUI_LEFT, 0, false},       {"STATUS", 11, TUI_LEFT, 0, false},
    {"CREATED", 10, TUI_LEFT, 0, true},   {"AUC", 6, TUI_RIGHT, 0, false},
    {"dAUC", 7, TUI_RIGHT, 0, false},     {"ECE", 6, TUI_RIGHT, 0, false},
    {"MAX PSI", 7, TUI_RIGHT, 0, false},  {"WIN", 4, TUI_RIGHT, 0, true},
    {"BASE AUC", 8, TUI_RIGHT, 0, false}, {"REQUEST", 12, TUI_LEFT, 8, false},
};
static const tui_column hcols[] = {
    {"AT", 11, TUI_LEFT, 0, false},   {"VER", 4, TUI_LEFT, 0, false},
    {"FROM", 10, TUI_LEFT, 0, false}, {"TO", 10, TUI_LEFT, 0, false},
    {"BY", 8, TUI_LEFT, 6, false},    {"ACTION", 17, TUI_LEFT, 17, false},
    {"REASON", 20, TUI_LEFT, 10, true},
};

static bool open_view(tui_app *a, tui_view *v, const char *arg, char *why, size_t cap)
{
    model_view *m = v->st;
    if (!arg || !*arg) {
        snprintf(why, cap, "which model? (:model NAME)");
        return false;
    }
    if (!tui_model_known(a, arg, why, cap))
        return false;
    snprintf(m->name, sizeof m->name, "%s", arg);
    snprintf(a->model, sizeof a->model, "%s", arg);
    m->vt.cols = vcols;
    m->vt.ncols = (int)(sizeof vcols / sizeof vcols[0]);
    m->ht.cols = hcols;
    m->ht.ncols = (int)(sizeof hcols / sizeof hcols[0]);
    return true;
}

static void model_clear(model_view *m)
{
    if (m->has_m)
        md_model_free(&m->m);
    m->has_m = false;
    md_version_rows_free(m->v, m->nv);
    md_stage_events_free(m->h, m->nh);
    md_versions_free(m->lv, m->nlv);
    free(m->requested_by);
    m->lv = NULL;
    m->nlv = 0;
    m->v = NULL;
    m->h = NULL;
    m->requested_by = NULL;
    m->nv = m->nh = 0;
}

static md_status load(tui_app *a, tui_view *v, md_err *err)
{
    model_view *m = v->st;
    int64_t keep = m->nv ? m->v[m->vt.cursor].number : a->version;
    /* on the latest move (where the history opens), the cursor follows the moves made since */
    bool latest = m->nh == 0 || m->ht.cursor >= (int)m->nh - 1;
    model_clear(m);
    if (md_model_get(a->s, m->name, &m->m, err) != MD_OK)
        return err->code;
    m->has_m = true;
    if (md_overview_versions(a->s, m->name, &m->v, &m->nv, err) != MD_OK ||
        md_version_list(a->s, m->name, &m->lv, &m->nlv, err) != MD_OK ||
        md_stage_history(a->s, m->name, 0, &m->h, &m->nh, err) != MD_OK) {
        model_clear(m); /* nothing half-read stays behind the error */
        m->vt.nrows = m->ht.nrows = 0;
        return err->code;
    }
    m->requested_by = md_xcalloc(m->nv + 1, sizeof *m->requested_by);
    for (size_t i = 0; i < m->nv; i++) {
        json_t *r;
        md_err ignored;
        if (m->v[i].request && md_request_show(a->s, m->v[i].request, &r, &ignored) == MD_OK) {
            const char *by = json_string_value(json_object_get(r, "requested_by"));
            snprintf(m->requested_by[i], 65, "%s", by ? by : "");
            json_decref(r);
        }
        if (m->v[i].number == keep)
            m->vt.cursor = (int)i;
    }
    m->vt.nrows = (int)m->nv;
    m->ht.nrows = (int)m->nh;
    if (latest && m->nh)
        m->ht.cursor = (int)m->nh - 1;
    tui_table_clamp(&m->vt);
    tui_table_clamp(&m->ht);
    return MD_OK;
}

/* The version under the cursor: the versions table's, or in the history pane the version its
 * highlighted move was of (Enter, d and the actions take that one). */
static const md_version_row *current(model_view *m)
{
    if (m->pane == 1 && m->nh) {
        for (size_t i = 0; i < m->nv; i++)
            if (m->v[i].number == m->h[m->ht.cursor].number)
                return &m->v[i];
        return NULL;
    }
    return m->nv ? &m->v[m->vt.cursor] : NULL;
}

static const md_version *lineage_of(const model_view *m, int64_t number)
{
    for (size_t i = 0; i < m->nlv; i++)
        if (m->lv[i].number == number)
            return &m->lv[i];
    return NULL;
}

/* ---- drawing ------------------------------------------------------------------------------------ */

static void opt_num(bool has, double x, const char *fmt, char *buf, size_t cap)
{
    if (has)
        snprintf(buf, cap, fmt, x);
    else
        snprintf(buf, cap, "-");
}

static const char *vcell(tui_app *a, void *ctx, int row, int col, char *buf, size_t cap,
                         tui_role *role)
{
    (void)a;
    model_view *m = ctx;
    const md_version_row *r = &m->v[row];
    switch (col) {
    case 0:
        snprintf(buf, cap, "v%lld", (long long)r->number);
        return buf;
    case 1:
        if (!strcmp(r->status, "production"))
            *role = TUI_OK;
        else if (!strcmp(r->status, "rejected") || !strcmp(r->status, "archived"))
            *role = TUI_DIM;
        if (r->has_share)
            snprintf(buf, cap, "%s %.0f%%", r->status, r->share * 100);
        else
            snprintf(buf, cap, "%s", r->status);
        return buf;
    case 2:
        snprintf(buf, cap, "%.10s", r->created_at);
        return buf;
    case 3:
        opt_num(r->has_auc, r->auc, "%.4f", buf, cap);
        return buf;
    case 4:
        if (r->has_delta_auc)
            *role = r->delta_auc <= -0.03 ? TUI_ALERT : r->delta_auc < 0 ? TUI_WARN : TUI_NORMAL;
        opt_num(r->has_delta_auc, r->delta_auc, "%+.4f", buf, cap);
        return buf;
    case 5:
        opt_num(r->has_ece, r->ece, "%.4f", buf, cap);
        return buf;
    case 6:
        if (r->has_max_psi && r->max_psi >= 0.25)
            *role = TUI_ALERT;
        opt_num(r->has_max_psi, r->max_psi, "%.4f", buf, cap);
        return buf;
    case 7:
        snprintf(buf, cap, "%lld", (long long)r->windows);
        return buf;
    case 8: /* the holdout's, apart from production's figures: a candidate has only this */
        if (!r->baseline)
            return *role = TUI_DIM, "none";
        opt_num(r->has_base_auc, r->base_auc, "%.4f", buf, cap);
        return buf;
    case 9:
        if (!r->request)
            return "";
        *role = TUI_WARN;
        /* the oldest; the status line counts the others, screen 5 lists them */
        snprintf(buf, cap, "#%lld %lld/%lld", (long long)r->request, (long long)r->approvals,
                 (long long)r->required);
        return buf;
    }
    return "";
}

static const char *hcell(tui_app *a, void *ctx, int row, int col, char *buf, size_t cap,
                         tui_role *role)
{
    (void)a;
    model_view *m = ctx;
    const md_stage_event *e = &m->h[row];
    switch (col) {
    case 0:
        /* month, day and time: the year is in the status line */
        snprintf(buf, cap, "%.5s %.5s", e->at && strlen(e->at) > 5 ? e->at + 5 : "",
                 e->at && strlen(e->at) > 11 ? e->at + 11 : "");
        return buf;
    case 1:
        snprintf(buf, cap, "v%lld", (long long)e->number);
        return buf;
    case 2:
        return e->from ? e->from : "-";
    case 3:
        if (e->to && !strcmp(e->to, "production"))
            *role = TUI_OK;
        return e->to;
    case 4:
        return e->actor;
    case 5:
        if (e->action && !strncmp(e->action, "rollback", 8))
            *role = TUI_WARN;
        return e->action;
    case 6:
        return e->reason;
    }
    return "";
}

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

/* Two lines: where the version came from (data, its time range, code) and what it is
 * (artifact and digest, threshold, parameters). Returns the next free line. */
static int draw_lineage(tui_app *a, const model_view *m, int y, int cols)
{
    const md_version_row *r = m->nv ? &m->v[m->vt.cursor] : NULL;
    const md_version *l = r ? lineage_of(m, r->number) : NULL;
    char line[1024];
    if (!l) {
        tui_put(a, y, 0, cols, TUI_NORMAL, "", true);
        tui_put(a, y + 1, 0, cols, TUI_NORMAL, "", true);
        return y + 2;
    }
    const char *bar = tui_glyph(a, TUI_G_VLINE);
    char range[64] = "";
    if (l->data_from || l->data_to)
        snprintf(range, sizeof range, " %.10s..%.10s", l->data_from ? l->data_from : "",
                 l->data_to ? l->data_to : "");
    snprintf(line, sizeof line, "v%lld data %s%s %s code %s %s by %s %.10s",
             (long long)l->number, or_dash(l->data_uri), range, bar, or_dash(l->code_ref), bar,
             or_dash(l->created_by), or_dash(l->created_at));
    tui_put(a, y, 1, cols - 1, TUI_DIM, line, true);
    char thr[32] = "-";
    if (l->has_threshold)
        snprintf(thr, sizeof thr, "%g", l->threshold);
    snprintf(line, sizeof line, "    threshold %s %s artifact %s%s%.8s %s params %s", thr, bar,
             or_dash(l->artifact_uri), l->artifact_sha256 ? " sha256 " : "",
             l->artifact_sha256 ? l->artifact_sha256 : "", bar, or_dash(l->params));
    tui_put(a, y + 1, 1, cols - 1, TUI_DIM, line, true);
    return y + 2;
}

/* What the versions' figures are over: the same windows the promotion gates read. */
static void draw_versions_title(tui_app *a, const model_view *m, int y, int cols)
{
    char line[160] = "versions: none yet";
    if (m->nv)
        snprintf(line, sizeof line,
                 "versions (%zu): AUC, dAUC, ECE mean of the last %d windows, MAX PSI their max",
                 m->nv, m->v[0].evidence);
    tui_put(a, y, 0, cols, TUI_TITLE, line, true);
}

static void draw(tui_app *a, tui_view *v, int top, int rows, int cols)
{
    model_view *m = v->st;
    char line[512];
    snprintf(line, sizeof line, "%s %s owner %s %s %s %s fallback %s%s%s",
             m->m.use_case, tui_glyph(a, TUI_G_VLINE), m->m.owner, tui_glyph(a, TUI_G_VLINE),
             m->m.pattern, tui_glyph(a, TUI_G_VLINE), m->m.fallback,
             m->m.has_sla ? " | SLA " : "", "");
    if (m->m.has_sla)
        snprintf(line + strlen(line), sizeof line - strlen(line), "%lld ms",
                 (long long)m->m.sla_ms);
    tui_put(a, top, 1, cols - 1, TUI_NORMAL, line, true);
    snprintf(line, sizeof line, "integration: %s%s%s",
             m->m.integration && *m->m.integration ? m->m.integration : "-",
             m->m.description && *m->m.description ? " | " : "",
             m->m.description ? m->m.description : "");
    tui_put(a, top + 1, 1, cols - 1, TUI_DIM, line, true);
    draw_versions_title(a, m, top + 2, cols);
    top++, rows--;
    int vrows = (int)m->nv + 1;
    int room = rows - 3;
    if (vrows > room / 2 + 2)
        vrows = room / 2 + 2;
    if (vrows < 2)
        vrows = 2;
    int y = top + 2;
    m->vt.blur = m->pane != 0;
    m->ht.blur = m->pane != 1;
    tui_table_draw(a, &m->vt, y, vrows, cols, vcell, m);
    if (m->pane != 0) /* the other pane's cursor is not the focus */
        m->vt.page = vrows - 1;
    y += vrows;
    if (top + rows - y >= 6) /* the lineage of the version under the cursor */
        y = draw_lineage(a, m, y, cols);
    snprintf(line, sizeof line, "stage history (%zu moves)%s", m->nh,
             m->pane == 1 ? "" : "   Tab: move here");
    tui_put(a, y, 0, cols, TUI_TITLE, line, true);
    int hrows = top + rows - (y + 1);
    if (hrows >= 2)
        tui_table_draw(a, &m->ht, y + 1, hrows, cols, hcell, m);
    else
        for (int r = y + 1; r < top + rows; r++)
            tui_put(a, r, 0, cols, TUI_NORMAL, "", true);
}

static void crumb(tui_view *v, char *out, size_t cap)
{
    model_view *m = v->st;
    snprintf(out, cap, "%s", m->name);
}

static void status(tui_app *a, tui_view *v, char *out, size_t cap)
{
    (void)a;
    model_view *m = v->st;
    const md_version_row *r = current(m);
    if (m->pane == 1 && m->nh) {
        const md_stage_event *e = &m->h[m->ht.cursor];
        snprintf(out, cap, "%.16s v%lld %s -> %s by %s%s%s", e->at, (long long)e->number,
                 e->from ? e->from : "-", e->to, e->actor, e->reason && *e->reason ? ": " : "",
                 e->reason ? e->reason : "");
    } else if (r) {
        char more[64] = "";
        if (r->pending > 1)
            snprintf(more, sizeof more, "; %lld pending requests", (long long)r->pending);
        snprintf(out, cap, "v%lld by %s, %s since %.10s%s", (long long)r->number, r->created_by,
                 r->status, r->status_at, more);
    }
}

/* ---- actions ------------------------------------------------------------------------------------ */

static const char *unavailable(tui_app *a, tui_view *v, tui_action act)
{
    model_view *m = v->st;
    const md_version_row *r = current(m);
    const char *why = NULL;
    switch (act) {
    case TUI_A_PROMOTE:
    case TUI_A_MARK:
        if (!tui_may(a, MD_PERM_OPS_ACTION, &why))
            return why;
        return r ? NULL : "no version yet (modeldeck version add registers one)";
    case TUI_A_ROLLBACK:
    case TUI_A_RETRAIN:
        return tui_may(a, MD_PERM_OPS_ACTION, &why) ? NULL : why;
    case TUI_A_COMPARE:
    case TUI_A_DRIFT_OF:
    case TUI_A_ENTER:
        return r ? NULL : "no version yet (modeldeck version add registers one)";
    case TUI_A_M_APPROVE:
    case TUI_A_M_REJECT:
        if (!tui_may(a, MD_PERM_APPROVE, &why))
            return why;
        if (!r || !r->request)
            return "this version has no pending request";
        if (m->requested_by && !strcmp(m->requested_by[m->vt.cursor], a->actor.name))
            return "four eyes: you requested this promotion; another approver must decide it";
        return NULL;
    default:
        return NULL;
    }
}

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

static int promote(tui_app *a, model_view *m, const md_version_row *r)
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
    snprintf(lines[n++], sizeof lines[0], "Request: %s v%lld from %s to %s.", m->name, (long long)r->number,
             r->status, targets[t]);
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

static int decide(tui_app *a, model_view *m, const md_version_row *r, bool approve)
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
        snprintf(lines[n++], sizeof lines[0], "Yours completes them: the gates are checked again and, if "
                                  "none blocks, the version moves now.");
    snprintf(lines[n++], sizeof lines[0], "Gates when requested:");
    n += gate_lines(json_object_get(req, "gates_at_request"), lines + n, 16 - n);
    for (size_t i = 0; i < n; i++)
        lp[i] = lines[i];
    json_decref(req);
    char comment[256] = "";
    if (!tui_dialog(a, approve ? "approve" : "reject", lp, n, "comment:", comment,
                    sizeof comment, !approve))
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

static int mark(tui_app *a, model_view *m, const md_version_row *r)
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

static int compare(tui_app *a, model_view *m, const md_version_row *r)
{
    json_t *o;
    md_err err;
    int64_t b = m->m.production_version;
    if (md_compare_json(a->s, m->name, r->number == b ? 0 : r->number, 0, &o, &err) != MD_OK)
        return refused(a, "compare", &err);
    json_t *x = json_object_get(o, "candidate"), *y = json_object_get(o, "champion");
    static const char *const keys[] = {"status", "windows", "auc", "delta_auc", "ece", "brier",
                                       "max_psi", "open_incidents", "baseline_auc"};
    char text[2048];
    size_t len = (size_t)snprintf(text, sizeof text, "%-15s %-14s %-14s\n", "",
                                  "candidate", "champion");
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
        len += (size_t)snprintf(text + len, sizeof text - len, "%-15s %-14s %-14s\n", keys[i],
                                cx, cy);
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
static int rollback(tui_app *a, model_view *m)
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

static int retrain(tui_app *a, model_view *m)
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
                 or_dash(json_string_value(json_array_get(json_object_get(b, "argv"), 0))));
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

static int key(tui_app *a, tui_view *v, tui_action act, int ch)
{
    (void)ch;
    model_view *m = v->st;
    if (act == TUI_A_TAB) {
        m->pane = !m->pane;
        return TUI_R_DRAW;
    }
    if (tui_table_move(m->pane ? &m->ht : &m->vt, act))
        return TUI_R_DRAW;
    if (act == TUI_A_ROLLBACK) /* the model's: no version row needed */
        return rollback(a, m);
    if (act == TUI_A_RETRAIN)
        return retrain(a, m);
    const md_version_row *r = current(m);
    if (!r)
        return TUI_R_UNHANDLED;
    a->version = r->number;
    char arg[96];
    switch (act) {
    case TUI_A_PROMOTE:
        return promote(a, m, r);
    case TUI_A_M_APPROVE:
    case TUI_A_M_REJECT:
        return decide(a, m, r, act == TUI_A_M_APPROVE);
    case TUI_A_MARK:
        return mark(a, m, r);
    case TUI_A_COMPARE:
        return compare(a, m, r);
    case TUI_A_DRIFT_OF:
    case TUI_A_ENTER:
        snprintf(arg, sizeof arg, "%s %lld", m->name, (long long)r->number);
        tui_push(a, &tui_drift_view, arg); /* over the model: Esc or q comes back to it */
        return TUI_R_DRAW;
    default:
        return TUI_R_UNHANDLED;
    }
}

static void free_view(tui_view *v)
{
    model_clear(v->st);
}

static const tui_action actions[] = {TUI_A_PROMOTE, TUI_A_M_APPROVE, TUI_A_M_REJECT,
                                     TUI_A_MARK,    TUI_A_COMPARE,   TUI_A_ROLLBACK,
                                     TUI_A_RETRAIN, TUI_A_DRIFT_OF,  TUI_A_TAB,
                                     TUI_A_NONE};
static const tui_action mutating[] = {TUI_A_PROMOTE, TUI_A_M_APPROVE, TUI_A_M_REJECT,
                                      TUI_A_MARK,    TUI_A_ROLLBACK,  TUI_A_RETRAIN,
                                      TUI_A_NONE};

const tui_view_ops tui_model_view = {
    .name = "model",
    .title = "Model",
    .state_size = sizeof(model_view),
    .open = open_view,
    .load = load,
    .draw = draw,
    .key = key,
    .free = free_view,
    .crumb = crumb,
    .status = status,
    .unavailable = unavailable,
    .actions = actions,
    .mutating = mutating,
};
