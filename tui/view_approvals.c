/* Screen 5, approvals: the pending promotion requests, and for the one under the cursor its
 * gate table (as it stood at the request and, once approvals were complete, at execution) and
 * the decisions so far. An approver approves or rejects with a comment; what core will refuse
 * (four eyes, a second approval by the same person, a role) is shown before the key is pressed,
 * with the reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "internal.h"
#include "json.h"
#include "mem.h"
#include "models.h"
#include "promotions.h"

/* Rows kept under the request table for the request's detail (title, reason, verdict, gate
 * header and five gates, decisions title and three decisions): a fixed reservation, so the
 * layout does not jump as the cursor moves. */
#define DETAIL_ROWS 13

typedef struct {
    json_t *req;        /* md_request_show: the row, gates, decisions, overrides */
    char expires[24];   /* "in 2d 4h", from the store's clock at load */
    bool mine;          /* the actor requested it */
    bool approved;      /* the actor has approved it */
    bool decided;       /* the actor has decided it (approve or reject) */
    char blocking[256]; /* the gates that would block it now ("" none): what an override names */
} request;

typedef struct {
    request *r;
    char model[65];  /* only this model's requests ("" all) */
    int64_t want;    /* the request to put the cursor on at the first load */
    bool may;        /* the actor may approve (role, read-only) */
    char may_why[256];
    bool may_override; /* ... and override a gate (admin) */
    char override_why[256];
    bool may_withdraw; /* may withdraw a request (role, read-only): own ones, any as admin */
    char withdraw_why[256];
    bool admin;
    char not_yours[160];
    tui_table t;
} approvals;

/* Only the reason shrinks: it goes first at 80 columns (the detail shows it) and takes the
 * room a wider terminal has. */
static const tui_column cols[] = {
    {"ID", 4, TUI_RIGHT, 0, false},      {"MODEL", 20, TUI_ENDS, 0, false},
    {"VER", 4, TUI_LEFT, 0, false},      {"TO", 10, TUI_LEFT, 0, false},
    {"BY", 10, TUI_LEFT, 0, false},      {"APPROVALS", 11, TUI_RIGHT, 0, false},
    {"EXPIRES", 10, TUI_LEFT, 0, false}, {"REASON", 30, TUI_LEFT, 12, true},
};

/* "in 2d 4h", "in 35m", "expired". */
static void expires_in(tui_app *a, const char *iso, char *out, size_t cap)
{
    int64_t t;
    if (md_time_parse_iso(iso, false, &t, NULL) != MD_OK) {
        snprintf(out, cap, "-");
        return;
    }
    long long m = (long long)((t - md_store_now_ms(a->s)) / 60000);
    if (m <= 0)
        snprintf(out, cap, "expired");
    else if (m < 60)
        snprintf(out, cap, "in %lldm", m);
    else if (m < 24 * 60)
        snprintf(out, cap, "in %lldh %lldm", m / 60, m % 60);
    else
        snprintf(out, cap, "in %lldd %lldh", m / 1440, m % 1440 / 60);
}

static bool open_view(tui_app *a, tui_view *v, const char *arg, char *why, size_t cap)
{
    approvals *p = v->st;
    p->t.cols = cols;
    p->t.ncols = (int)(sizeof cols / sizeof cols[0]);
    if (!arg || !*arg)
        return true;
    char *end;
    long long id = strtoll(arg, &end, 10);
    if (end != arg && !*end && id > 0) { /* a request number: put the cursor on it */
        p->want = id;
        return true;
    }
    md_model m;
    md_err err;
    if (md_model_get(a->s, arg, &m, &err) != MD_OK) {
        snprintf(why, cap, "%s; :approvals takes a model or a request number", err.msg);
        return false;
    }
    md_model_free(&m);
    snprintf(p->model, sizeof p->model, "%s", arg);
    return true;
}

static void requests_clear(approvals *p)
{
    for (int i = 0; i < p->t.nrows; i++)
        json_decref(p->r[i].req);
    free(p->r);
    p->r = NULL;
    p->t.nrows = 0;
}

/* Whether the actor has decided the request (md_request_show's JSON), and approved it. */
static void actor_decision(const tui_app *a, const json_t *req, bool *decided, bool *approved)
{
    json_t *d;
    size_t i;
    *decided = *approved = false;
    json_array_foreach(json_object_get(req, "decisions"), i, d)
    {
        if (strcmp(md_json_text(d, "approver"), a->actor.name) != 0)
            continue;
        *decided = true;
        *approved |= !strcmp(md_json_text(d, "decision"), "approve");
    }
}

/* What the actor has done on the request already. */
static void actor_part(tui_app *a, request *r)
{
    r->mine = !strcmp(md_json_text(r->req, "requested_by"), a->actor.name);
    actor_decision(a, r->req, &r->decided, &r->approved);
}

static bool blocked(const json_t *req);

const char *tui_request_decided_why(const tui_app *a, const json_t *req, bool approve)
{
    bool decided, approved;
    actor_decision(a, req, &decided, &approved);
    /* a request approved in full that its gates then blocked may be approved again: the
     * gates are checked anew */
    if (!decided || (approve && approved && blocked(req)))
        return NULL;
    return approved ? "you have already approved; one approver counts once"
                    : "you have already decided this request";
}

static bool row_matches(const json_t *o, const char *text)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)md_json_int(o, "id"));
    return strstr(id, text) || strcasestr(md_json_text(o, "model"), text) ||
           strcasestr(md_json_text(o, "to"), text) ||
           strcasestr(md_json_text(o, "requested_by"), text) ||
           strcasestr(md_json_text(o, "reason"), text);
}

static bool matches(tui_view *v, int row, const char *text)
{
    approvals *p = v->st;
    return row >= 0 && row < p->t.nrows && row_matches(p->r[row].req, text);
}

static md_status load(tui_app *a, tui_view *v, md_err *err)
{
    approvals *p = v->st;
    int64_t keep = p->t.nrows ? md_json_int(p->r[p->t.cursor].req, "id") : p->want;
    requests_clear(p);
    const char *why = NULL;
    p->may = tui_may(a, MD_PERM_APPROVE, &why);
    snprintf(p->may_why, sizeof p->may_why, "%s", why ? why : "");
    why = NULL;
    p->may_override = tui_may(a, MD_PERM_GATE_OVERRIDE, &why);
    snprintf(p->override_why, sizeof p->override_why, "%s", why ? why : "");
    why = NULL;
    p->may_withdraw = tui_may(a, MD_PERM_OPS_ACTION, &why);
    snprintf(p->withdraw_why, sizeof p->withdraw_why, "%s", why ? why : "");
    p->admin = tui_may(a, MD_PERM_USER_ADMIN, &why); /* the admin's own permission */
    json_t *list;
    if (md_requests_list(a->s, p->model[0] ? p->model : NULL, "pending", &list, err) != MD_OK)
        return err->code;
    size_t n = json_array_size(list);
    p->r = md_xcalloc(n + 1, sizeof *p->r);
    md_status rc = MD_OK;
    for (size_t i = 0; i < n && rc == MD_OK; i++) {
        request *r = &p->r[p->t.nrows];
        rc = md_request_show(a->s, md_json_int(json_array_get(list, i), "id"), &r->req, err);
        if (rc != MD_OK)
            break;
        if (v->filter[0] && row_matches(r->req, v->filter) == v->filter_invert) {
            json_decref(r->req);
            memset(r, 0, sizeof *r);
            continue;
        }
        expires_in(a, md_json_text(r->req, "expires_at"), r->expires, sizeof r->expires);
        actor_part(a, r);
        md_err gate_err; /* only an admin may override: the gates are evaluated for one alone */
        if (!p->may_override || md_request_blocking_now(a->s, md_json_int(r->req, "id"),
                                                        r->blocking, &gate_err) != MD_OK)
            r->blocking[0] = '\0';
        if (md_json_int(r->req, "id") == keep)
            p->t.cursor = p->t.nrows;
        p->t.nrows++;
    }
    json_decref(list);
    int64_t last = 0; /* the ID column as wide as the largest ID: an ID is never cut */
    for (int i = 0; i < p->t.nrows; i++)
        if (md_json_int(p->r[i].req, "id") > last)
            last = md_json_int(p->r[i].req, "id");
    tui_table_need(&p->t, 0, tui_int_width(last));
    tui_table_clamp(&p->t);
    return rc;
}

static const request *current(const approvals *p)
{
    return p->t.nrows ? &p->r[p->t.cursor] : NULL;
}

/* Blocked: every approval is in, yet the request is pending (its gates stopped the move). */
static bool blocked(const json_t *req)
{
    return md_json_int(req, "approvals") >= md_json_int(req, "approvals_required");
}

/* ---- what may be done ------------------------------------------------------------------------ */

static const char *unavailable(tui_app *a, tui_view *v, tui_action act)
{
    approvals *p = v->st;
    const request *r = current(p);
    if (act == TUI_A_WITHDRAW) { /* as md_request_withdraw decides */
        if (!r)
            return "no pending request";
        if (!p->may_withdraw)
            return p->withdraw_why;
        if (r->mine || p->admin)
            return NULL;
        snprintf(p->not_yours, sizeof p->not_yours,
                 "only %s, who asked, or an admin may withdraw it",
                 md_json_text(r->req, "requested_by"));
        return p->not_yours;
    }
    if (act != TUI_A_APPROVE && act != TUI_A_REJECT && act != TUI_A_OVERRIDE)
        return NULL;
    if (!r)
        return "no pending request";
    if (r->mine)
        return "four eyes: you requested this promotion; another approver must decide it";
    if (!p->may)
        return p->may_why;
    if (act == TUI_A_OVERRIDE && !p->may_override)
        return p->override_why;
    const char *decided = tui_request_decided_why(a, r->req, act != TUI_A_REJECT);
    if (decided)
        return decided;
    if (act == TUI_A_OVERRIDE && !r->blocking[0])
        return "no gate blocks this request now: a approves it";
    return NULL;
}

/* ---- drawing --------------------------------------------------------------------------------- */

static const char *cell(tui_app *a, void *ctx, int row, int col, char *buf, size_t cap,
                        tui_role *role)
{
    (void)a;
    approvals *p = ctx;
    const request *r = &p->r[row];
    const json_t *o = r->req;
    switch (col) {
    case 0:
        snprintf(buf, cap, "%lld", (long long)md_json_int(o, "id"));
        return buf;
    case 1:
        return md_json_text(o, "model");
    case 2:
        snprintf(buf, cap, "v%lld", (long long)md_json_int(o, "version"));
        return buf;
    case 3:
        return md_json_text(o, "to");
    case 4:
        if (r->mine)
            *role = TUI_DIM;
        return md_json_text(o, "requested_by");
    case 5:
        *role = blocked(o) ? TUI_ALERT : TUI_WARN;
        snprintf(buf, cap, "%s%lld/%lld", blocked(o) ? "blocked " : "",
                 (long long)md_json_int(o, "approvals"),
                 (long long)md_json_int(o, "approvals_required"));
        return buf;
    case 6:
        return r->expires;
    case 7:
        return md_json_text(o, "reason");
    }
    return "";
}

static void gate_value(const json_t *g, char *out, size_t cap)
{
    const json_t *x = json_object_get(g, "value");
    if (json_is_integer(x))
        snprintf(out, cap, "%lld", (long long)json_integer_value(x));
    else if (json_is_real(x))
        snprintf(out, cap, "%.4g", json_real_value(x));
    else if (json_is_boolean(x))
        snprintf(out, cap, "%s", json_is_true(x) ? "yes" : "no");
    else
        snprintf(out, cap, "-");
}

static void gate_threshold(const json_t *g, char *out, size_t cap)
{
    const json_t *x = json_object_get(g, "threshold");
    const char *cmp = md_json_text(g, "comparison");
    if (json_is_integer(x))
        snprintf(out, cap, "%s %lld", cmp, (long long)json_integer_value(x));
    else if (json_is_real(x))
        snprintf(out, cap, "%s %.4g", cmp, json_real_value(x));
    else if (json_is_boolean(x))
        snprintf(out, cap, "%s %s", cmp, json_is_true(x) ? "yes" : "no");
    else
        snprintf(out, cap, "-");
}

/* One table's value and result for a gate, at column x: "0.013  pass". */
static void gate_cell(tui_app *a, const json_t *g, int y, int x, int w)
{
    char val[32];
    if (!g) {
        tui_put(a, y, x, w, TUI_DIM, "-", false);
        return;
    }
    gate_value(g, val, sizeof val);
    tui_put(a, y, x, 9, TUI_NORMAL, val, false);
    tui_put(a, y, x + 10, w - 10, tui_status_role(md_json_text(g, "result")),
            md_json_text(g, "result"), false);
}

static const json_t *gate_named(const json_t *table, const char *name)
{
    const json_t *g;
    size_t i;
    json_array_foreach(table, i, g)
    {
        if (!strcmp(md_json_text(g, "gate"), name))
            return g;
    }
    return NULL;
}

/* The gates: threshold, the value and result when requested and at execution, what blocks. */
static int draw_gates(tui_app *a, const json_t *req, int y, int end, int width)
{
    const json_t *at_req = json_object_get(req, "gates_at_request");
    const json_t *at_exec = json_object_get(req, "gates_at_execution");
    bool has_exec = json_array_size(at_exec) > 0;
    static const int x[] = {1, 19, 31, 49, 67};
    static const char *const titles[] = {"GATE", "THRESHOLD", "AT REQUEST", "AT EXECUTION",
                                         "BLOCKS"};
    for (int c = 0; c < 5 && y < end; c++)
        tui_put(a, y, x[c], (c < 4 ? x[c + 1] : width) - x[c], TUI_TITLE, titles[c], true);
    tui_put(a, y, 0, 1, TUI_TITLE, "", true);
    y++;
    const json_t *g;
    size_t i;
    json_array_foreach(at_req, i, g)
    {
        if (y >= end)
            break;
        const json_t *e = has_exec ? gate_named(at_exec, md_json_text(g, "gate")) : NULL;
        const json_t *now = e ? e : g; /* what blocks: the latest evaluation */
        char th[32];
        gate_threshold(now, th, sizeof th);
        tui_put(a, y, x[0], x[1] - x[0] - 1, TUI_NORMAL, md_json_text(g, "gate"), false);
        tui_put(a, y, x[1], x[2] - x[1] - 1, TUI_NORMAL, th, false);
        gate_cell(a, g, y, x[2], x[3] - x[2] - 1);
        if (has_exec)
            gate_cell(a, e, y, x[3], x[4] - x[3] - 1);
        else if (i == 0)
            tui_put(a, y, x[3], x[4] - x[3] - 1, TUI_DIM, "not yet", false);
        if (json_is_true(json_object_get(now, "overridden")))
            tui_put(a, y, x[4], width - x[4], TUI_WARN, "overridden", false);
        else if (json_is_true(json_object_get(now, "blocking")))
            tui_put(a, y, x[4], width - x[4], TUI_ALERT, "BLOCKS", false);
        y++;
    }
    return y;
}

static void decision_line(tui_app *a, const json_t *d, int y, int width)
{
    bool ok = !strcmp(md_json_text(d, "decision"), "approve");
    char t[32], line[600];
    tui_short_time(md_json_text(d, "at"), t, sizeof t);
    tui_put(a, y, 1, 2, ok ? TUI_OK : TUI_ALERT, tui_glyph(a, ok ? TUI_G_CHECK : TUI_G_CROSS),
            false);
    snprintf(line, sizeof line, "%-8s %-7s %s  %s", md_json_text(d, "approver"),
             md_json_text(d, "decision"), t,
             *md_json_text(d, "comment") ? md_json_text(d, "comment") : "(no comment)");
    tui_put(a, y, 3, width - 3, TUI_NORMAL, line, false);
}

static int draw_decisions(tui_app *a, const json_t *req, int y, int end, int width)
{
    const json_t *dec = json_object_get(req, "decisions"), *ov = json_object_get(req, "overrides");
    if (y >= end)
        return y;
    tui_putf(a, y++, 0, width, TUI_TITLE, "decisions: %lld of %lld approvals%s",
             (long long)md_json_int(req, "approvals"),
             (long long)md_json_int(req, "approvals_required"),
             json_array_size(dec) ? "" : ", none yet");
    const json_t *d;
    size_t i;
    json_array_foreach(dec, i, d)
    {
        if (y < end)
            decision_line(a, d, y++, width);
    }
    json_array_foreach(ov, i, d)
    {
        if (y < end)
            tui_putf(a, y++, 1, width - 1, TUI_WARN, "override %s by %s: %s",
                     md_json_text(d, "gate"), md_json_text(d, "actor"), md_json_text(d, "reason"));
    }
    return y;
}

/* What the actor can do with the request, in words, on its own line. */
static void verdict(tui_app *a, tui_view *v, const request *r, int y, int width)
{
    const char *why = tui_unavailable(a, v, TUI_A_APPROVE);
    const json_t *o = r->req;
    long long n = md_json_int(o, "approvals"), need = md_json_int(o, "approvals_required");
    if (r->mine && !tui_unavailable(a, v, TUI_A_WITHDRAW)) {
        const char *k = tui_action_key(TUI_A_WITHDRAW); /* "" when a config left it none */
        tui_putf(a, y, 1, width - 1, TUI_WARN,
                 "%s four eyes: yours to withdraw%s%s%s, another approver's to decide",
                 tui_glyph(a, TUI_G_CROSS), *k ? " (" : "", k, *k ? ")" : "");
    } else if (why) { /* the role needed first: 80 columns keep it */
        char shown[MD_ERR_MSG_MAX];
        tui_putf(a, y, 1, width - 1, r->mine ? TUI_WARN : TUI_DIM, "%s %s",
                 tui_glyph(a, TUI_G_CROSS), tui_role_first(why, shown, sizeof shown));
    } else if (!tui_unavailable(a, v, TUI_A_OVERRIDE)) { /* an admin, and gates block now */
        if (r->approved || n >= need)
            tui_putf(a, y, 1, width - 1, TUI_WARN,
                     "blocked by %s: a: check again  o: approve past it%s", r->blocking,
                     r->approved ? "" : "  x: reject");
        else
            tui_putf(a, y, 1, width - 1, TUI_OK,
                     "a: approve (%lld of %lld)  o: approve past %s  x: reject", n + 1, need,
                     r->blocking);
    } else if (r->approved) {
        tui_put(a, y, 1, width - 1, TUI_WARN,
                "blocked by its gates: a: ask for the gates again (no new approval counts)",
                false);
    } else if (n >= need) {
        tui_put(a, y, 1, width - 1, TUI_WARN,
                "blocked by its gates: a: approve and check the gates again  x: reject", false);
    } else {
        tui_putf(a, y, 1, width - 1, TUI_OK, "a: approve (yours makes %lld of %lld%s)  x: reject",
                 n + 1, need, n + 1 >= need ? ": the version moves if no gate blocks" : "");
    }
}

static void draw_detail(tui_app *a, tui_view *v, const request *r, int y, int end, int width)
{
    const json_t *o = r->req;
    char t[32], exp[32];
    tui_short_time(md_json_text(o, "requested_at"), t, sizeof t);
    tui_short_time(md_json_text(o, "expires_at"), exp, sizeof exp);
    tui_putf(a, y++, 0, width, TUI_TITLE, "#%lld %s v%lld -> %s, asked by %s at %s",
             (long long)md_json_int(o, "id"), md_json_text(o, "model"),
             (long long)md_json_int(o, "version"), md_json_text(o, "to"),
             md_json_text(o, "requested_by"), t);
    tui_putf(a, y++, 1, width - 1, TUI_NORMAL, "reason: %s  (expires %s UTC)",
             md_json_text(o, "reason"), exp);
    if (y < end)
        verdict(a, v, r, y++, width);
    y = draw_gates(a, o, y, end, width);
    draw_decisions(a, o, y, end, width);
}

static void draw(tui_app *a, tui_view *v, int top, int rows, int width)
{
    approvals *p = v->st;
    for (int r = 0; r < rows; r++)
        tui_put(a, top + r, 0, width, TUI_NORMAL, "", true);
    if (!p->t.nrows) {
        tui_putf(a, top + 1, 2, width - 4, TUI_DIM, "no pending promotion requests%s%s%s",
                 p->model[0] ? " for " : "", p->model, v->filter[0] ? " match the filter" : "");
        tui_put(a, top + 2, 2, width - 4, TUI_DIM,
                "an operator asks for one on a model's version (p in the model view)", false);
        return;
    }
    int th = p->t.nrows + 1, room = rows - DETAIL_ROWS - 1;
    if (th > room)
        th = room < 3 ? 3 : room;
    tui_table_draw(a, &p->t, top, th, width, cell, p);
    tui_hline(a, top + th, 0, width, TUI_BORDER);
    const request *r = current(p);
    if (r)
        draw_detail(a, v, r, top + th + 1, top + rows, width);
}

static void crumb(tui_view *v, char *out, size_t cap)
{
    approvals *p = v->st;
    snprintf(out, cap, "Approvals%s%s (%d pending)", p->model[0] ? " " : "", p->model,
             p->t.nrows);
}

static void status(tui_app *a, tui_view *v, char *out, size_t cap)
{
    (void)a;
    approvals *p = v->st;
    const request *r = current(p);
    if (r)
        snprintf(out, cap, "request %lld: %lld/%lld, expires %s",
                 (long long)md_json_int(r->req, "id"), (long long)md_json_int(r->req, "approvals"),
                 (long long)md_json_int(r->req, "approvals_required"), r->expires);
}

/* ---- actions --------------------------------------------------------------------------------- */

static int refused(tui_app *a, const char *what, const md_err *err)
{
    tui_alert(a, what, err->msg);
    return TUI_R_RELOAD;
}

/* "max_psi, no_open_p1" or "none": the gates that block in a table. */
static void blocking_gates(const json_t *table, char *out, size_t cap)
{
    const json_t *g;
    size_t i;
    out[0] = '\0';
    json_array_foreach(table, i, g)
    {
        if (json_is_true(json_object_get(g, "blocking")))
            snprintf(out + strlen(out), cap - strlen(out), "%s%s", out[0] ? ", " : "",
                     md_json_text(g, "gate"));
    }
    if (!out[0])
        snprintf(out, cap, "none");
}

/* What approving does now: counts one more, or completes them and moves the version. */
static void approve_effect(tui_app *a, const request *r, char *out, size_t cap)
{
    const json_t *o = r->req;
    long long n = md_json_int(o, "approvals"), need = md_json_int(o, "approvals_required");
    md_model m;
    md_err err;
    char champion[96] = "";
    if (!strcmp(md_json_text(o, "to"), "production") &&
        md_model_get(a->s, md_json_text(o, "model"), &m, &err) == MD_OK) {
        if (m.production_version)
            snprintf(champion, sizeof champion, "; v%lld, in production now, is archived",
                     (long long)m.production_version);
        md_model_free(&m);
    }
    if (n >= need)
        snprintf(out, cap,
                 "All %lld approvals are in but its gates blocked the move: %s checks "
                 "the gates again and, if none blocks now, %s v%lld moves to %s%s.",
                 need, r->approved ? "this (no new approval counts)" : "yours",
                 md_json_text(o, "model"), (long long)md_json_int(o, "version"),
                 md_json_text(o, "to"), champion);
    else if (n + 1 >= need)
        snprintf(out, cap,
                 "Approvals: %lld of %lld; yours completes them: the gates are checked "
                 "again and, if none blocks, %s v%lld moves to %s now%s.",
                 n, need, md_json_text(o, "model"), (long long)md_json_int(o, "version"),
                 md_json_text(o, "to"), champion);
    else
        snprintf(out, cap, "Approvals: %lld of %lld; yours makes %lld of %lld. The version does "
                           "not move yet: it waits for %lld more.",
                 n, need, n + 1, need, need - n - 1);
}

static void request_line(const json_t *o, const char *verb, char *out, size_t cap)
{
    snprintf(out, cap, "%s request #%lld: %s v%lld -> %s, asked by %s (%s).", verb,
             (long long)md_json_int(o, "id"), md_json_text(o, "model"),
             (long long)md_json_int(o, "version"), md_json_text(o, "to"),
             md_json_text(o, "requested_by"), md_json_text(o, "reason"));
}

static void approved_msg(tui_app *a, const json_t *o, const md_decision *d)
{
    if (d->executed)
        tui_msg(a, TUI_GOOD, "approved: %s v%lld moved to %s", md_json_text(o, "model"),
                (long long)md_json_int(o, "version"), md_json_text(o, "to"));
    else if (d->blocking[0])
        tui_msg(a, TUI_WARN, "approved (%d of %d) but NOT promoted: blocked by %s", d->approvals,
                d->required, d->blocking);
    else
        tui_msg(a, TUI_GOOD, "approved request %lld (%d of %d): it waits for %d more",
                (long long)md_json_int(o, "id"), d->approvals, d->required,
                d->required - d->approvals);
}

static int approve(tui_app *a, const request *r)
{
    const json_t *o = r->req;
    char l1[400], l2[400], l3[400], gates[200];
    request_line(o, "Approve", l1, sizeof l1);
    approve_effect(a, r, l2, sizeof l2);
    blocking_gates(json_object_get(o, "gates_at_request"), gates, sizeof gates);
    snprintf(l3, sizeof l3, "Gates blocking when requested: %s. Signed %s, audited.", gates,
             a->actor.name);
    const char *lines[] = {l1, l2, l3};
    char comment[256] = "";
    if (!tui_dialog(a, "approve", lines, 3, "comment (optional):", comment, sizeof comment,
                    false))
        return TUI_R_DRAW;
    md_decision d;
    md_err err;
    int64_t id = md_json_int(o, "id");
    if (md_request_approve(a->s, &a->actor, id, comment, NULL, NULL, &d, &err) != MD_OK)
        return refused(a, "approval refused", &err);
    approved_msg(a, o, &d);
    return TUI_R_RELOAD;
}

/* An admin's approval past the gates that block now: each named as an override with the
 * reason, audited and shown on the version for good (core/promotions.c). */
static int override(tui_app *a, const request *r)
{
    const json_t *o = r->req;
    char l1[400], l2[600], l3[400];
    request_line(o, "Approve", l1, sizeof l1);
    snprintf(l2, sizeof l2,
             "Gates blocking now: %s. Your approval overrides them: each is recorded with your "
             "reason, audited, and shown on %s v%lld for good.",
             r->blocking, md_json_text(o, "model"), (long long)md_json_int(o, "version"));
    long long n = md_json_int(o, "approvals"), need = md_json_int(o, "approvals_required");
    if (n + (r->approved ? 0 : 1) >= need)
        snprintf(l3, sizeof l3,
                 "The approvals are then complete: %s v%lld moves to %s now, "
                 "unless another gate blocks by then.",
                 md_json_text(o, "model"), (long long)md_json_int(o, "version"),
                 md_json_text(o, "to"));
    else
        snprintf(l3, sizeof l3,
                 "Approvals: %lld of %lld with yours; the version moves when the "
                 "rest are in (the overrides stand).",
                 n + 1, need);
    const char *lines[] = {l1, l2, l3};
    char reason[512] = "";
    if (!tui_dialog(a, "approve past the gates", lines, 3, "override reason:", reason,
                    sizeof reason, true))
        return TUI_R_DRAW;
    char names[256], *gates[8], *save = NULL;
    size_t k = 0;
    snprintf(names, sizeof names, "%s", r->blocking);
    for (char *g = strtok_r(names, ", ", &save); g && k < 7; g = strtok_r(NULL, ", ", &save))
        gates[k++] = g;
    gates[k] = NULL;
    md_decision d;
    md_err err;
    if (md_request_approve(a->s, &a->actor, md_json_int(o, "id"), reason,
                           (const char *const *)gates, reason, &d, &err) != MD_OK)
        return refused(a, "override refused", &err);
    approved_msg(a, o, &d);
    return TUI_R_RELOAD;
}

/* Rejects (an approver, with a comment) or withdraws (the requester or an admin, with a
 * reason) the request: either closes it, and a new request is needed to try again. */
static int end_request(tui_app *a, const request *r, bool withdraw)
{
    const json_t *o = r->req;
    char l1[400], l2[300];
    request_line(o, withdraw ? "Withdraw" : "Reject", l1, sizeof l1);
    snprintf(l2, sizeof l2,
             "The request closes as %s (approvals so far do not count); %s v%lld stays where it "
             "is. %s",
             withdraw ? "withdrawn" : "rejected", md_json_text(o, "model"),
             (long long)md_json_int(o, "version"),
             withdraw ? "The same move may be asked again at once."
                      : "A new request is needed to try again.");
    const char *lines[] = {l1, l2};
    char text[256] = "";
    if (!tui_dialog(a, withdraw ? "withdraw" : "reject", lines, 2,
                    withdraw ? "reason:" : "comment:", text, sizeof text, true))
        return TUI_R_DRAW;
    md_err err;
    int64_t id = md_json_int(o, "id");
    if ((withdraw ? md_request_withdraw : md_request_reject)(a->s, &a->actor, id, text, &err) !=
        MD_OK)
        return refused(a, withdraw ? "withdrawal refused" : "rejection refused", &err);
    tui_msg(a, TUI_GOOD, "request %lld %s", (long long)id, withdraw ? "withdrawn" : "rejected");
    return TUI_R_RELOAD;
}

static int key(tui_app *a, tui_view *v, tui_action act, int ch)
{
    (void)ch;
    approvals *p = v->st;
    if (tui_table_move(&p->t, act))
        return TUI_R_DRAW;
    const request *r = current(p);
    if (!r)
        return TUI_R_UNHANDLED;
    switch (act) {
    case TUI_A_APPROVE:
        return approve(a, r);
    case TUI_A_REJECT:
        return end_request(a, r, false);
    case TUI_A_OVERRIDE:
        return override(a, r);
    case TUI_A_WITHDRAW:
        return end_request(a, r, true);
    case TUI_A_ENTER: /* the model, with the candidate beside the champion a key away */
        snprintf(a->model, sizeof a->model, "%s", md_json_text(r->req, "model"));
        a->version = md_json_int(r->req, "version");
        tui_push(a, &tui_model_view, a->model);
        return TUI_R_DRAW;
    default:
        return TUI_R_UNHANDLED;
    }
}

static void free_view(tui_view *v)
{
    requests_clear(v->st);
}

static const tui_action actions[] = {TUI_A_APPROVE,  TUI_A_REJECT,   TUI_A_ENTER,
                                     TUI_A_OVERRIDE, TUI_A_WITHDRAW, TUI_A_NONE};
static const tui_action mutating[] = {TUI_A_APPROVE, TUI_A_REJECT, TUI_A_OVERRIDE, TUI_A_WITHDRAW,
                                      TUI_A_NONE};

const tui_view_ops tui_approvals_view = {
    .name = "approvals",
    .title = "Approvals",
    .state_size = sizeof(approvals),
    .open = open_view,
    .load = load,
    .draw = draw,
    .key = key,
    .free = free_view,
    .crumb = crumb,
    .status = status,
    .unavailable = unavailable,
    .matches = matches,
    .actions = actions,
    .mutating = mutating,
};
