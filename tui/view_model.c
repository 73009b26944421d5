/* One model: what it is and where it plugs in, its versions with the evidence the gates read,
 * and its stage history; the keys for the actions an operator or approver takes on a version
 * (the actions themselves: model_actions.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mem.h"
#include "model_actions.h"

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
    snprintf(line, sizeof line, "v%lld data %s%s %s code %s %s by %s %.10s", (long long)l->number,
             tui_or_dash(l->data_uri), range, bar, tui_or_dash(l->code_ref), bar,
             tui_or_dash(l->created_by), tui_or_dash(l->created_at));
    tui_put(a, y, 1, cols - 1, TUI_DIM, line, true);
    char thr[32] = "-";
    if (l->has_threshold)
        snprintf(thr, sizeof thr, "%g", l->threshold);
    snprintf(line, sizeof line, "    threshold %s %s artifact %s%s%.8s %s params %s", thr, bar,
             tui_or_dash(l->artifact_uri), l->artifact_sha256 ? " sha256 " : "",
             l->artifact_sha256 ? l->artifact_sha256 : "", bar, tui_or_dash(l->params));
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
        return tui_model_rollback(a, m);
    if (act == TUI_A_RETRAIN)
        return tui_model_retrain(a, m);
    const md_version_row *r = current(m);
    if (!r)
        return TUI_R_UNHANDLED;
    a->version = r->number;
    char arg[96];
    switch (act) {
    case TUI_A_PROMOTE:
        return tui_model_promote(a, m, r);
    case TUI_A_M_APPROVE:
    case TUI_A_M_REJECT:
        return tui_model_decide(a, m, r, act == TUI_A_M_APPROVE);
    case TUI_A_MARK:
        return tui_model_mark(a, m, r);
    case TUI_A_COMPARE:
        return tui_model_compare(a, m, r);
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
