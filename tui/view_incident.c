/* One incident: what it is, its lifecycle so far, its evidence and notes; the lifecycle
 * actions (incident_actions.c); Enter on a piece of evidence goes straight to the drift cell or
 * the calibration window behind it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incidents.h"
#include "incident_actions.h"
#include "internal.h"
#include "text.h"
#include "json.h"
#include "mem.h"

/* ---- one incident ---------------------------------------------------------------------------- */

#define HEAD_LINES 6

typedef struct {
    int64_t id;
    json_t *inc;
    const json_t *ev;    /* its evidence, borrowed */
    char (*facts)[96];   /* per evidence: the detail's key numbers */
    char head[HEAD_LINES][2][160];
    tui_incident_perms perms;
    tui_table t;  /* the evidence */
    tui_table nt; /* the notes, oldest first */
    int pane;     /* 0: the evidence has the keys; 1: the notes (Tab) */
} detail;

static const tui_column ncols[] = {
    {"AT", 16, TUI_LEFT, 11, false},
    {"BY", 8, TUI_LEFT, 6, false},
    {"NOTE", 58, TUI_LEFT, 12, false},
};

static const tui_column ecols[] = {
    {"WINDOW", 13, TUI_LEFT, 10, false}, {"VER", 4, TUI_LEFT, 0, false},
    {"FEATURE", 16, TUI_ENDS, 8, false}, {"SEV", 3, TUI_LEFT, 0, false},
    {"EVIDENCE", 34, TUI_LEFT, 12, false},
};

static bool detail_open(tui_app *a, tui_view *v, const char *arg, char *why, size_t cap)
{
    (void)a;
    detail *d = v->st;
    char *end = NULL;
    d->id = arg ? strtoll(arg, &end, 10) : 0;
    if (!arg || end == arg || *end || d->id <= 0) {
        snprintf(why, cap, "which incident? (an incident number)");
        return false;
    }
    d->t.cols = ecols;
    d->t.ncols = (int)(sizeof ecols / sizeof ecols[0]);
    d->nt.cols = ncols;
    d->nt.ncols = (int)(sizeof ncols / sizeof ncols[0]);
    return true;
}

static void detail_clear(detail *d)
{
    json_decref(d->inc);
    free(d->facts);
    d->inc = NULL;
    d->ev = NULL;
    d->facts = NULL;
    d->t.nrows = 0;
}

/* Appends " name=value" for a number in the detail JSON, in `fmt` (integers as such). */
static void fact(char *out, size_t cap, const json_t *det, const char *key, const char *name,
                 const char *fmt, bool skip_zero)
{
    const json_t *x = json_object_get(det, key);
    if (!json_is_number(x) || (skip_zero && json_number_value(x) == 0))
        return;
    size_t n = strlen(out);
    char num[32];
    if (json_is_integer(x))
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(x));
    else
        snprintf(num, sizeof num, fmt, json_number_value(x));
    snprintf(out + n, cap - n, "%s%s=%s", n ? " " : "", name, num);
}

/* "psi=0.41 ks=0.2 miss=+0.25": what the rule saw, compactly; the figure the incident's kind
 * is about first, so that a narrow column keeps it (a latency incident's share over the SLA,
 * a performance drop's dAUC, before the calibration figures that share their evidence). */
static void evidence_facts(const json_t *det, const char *kind, char *out, size_t cap)
{
    static const struct {
        const char *key, *name, *fmt;
        bool skip_zero;
    } figs[] = {{"psi", "psi", "%.3g", false},
                {"ks", "ks", "%.3g", false},
                {"missing_delta", "miss", "%+.2f", true},
                {"schema_changes", "schema", "%g", true},
                {"violations", "viol", "%g", true},
                {"ece", "ece", "%.3f", false},
                {"hl_pvalue", "hl_p", "%.2g", false},
                {"delta_auc", "dAUC", "%+.3f", false},
                {"over_sla", "over_sla", "%.2f", false},
                {"labeled", "n", "%g", false},
                {"drifting_features", "drifting", "%g", true}};
    const char *lead = !strcmp(kind, "latency")       ? "over_sla"
                       : !strcmp(kind, "performance") ? "delta_auc"
                                                      : "";
    out[0] = '\0';
    for (int pass = 0; pass < 2; pass++) /* the lead figure, then the others in order */
        for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++)
            if ((strcmp(figs[i].key, lead) == 0) == (pass == 0))
                fact(out, cap, det, figs[i].key, figs[i].name, figs[i].fmt, figs[i].skip_zero);
    if (!out[0] && json_is_string(det))
        snprintf(out, cap, "%s", json_string_value(det));
}

static void when_by(const json_t *o, const char *at_key, const char *by_key, char *out,
                    size_t cap)
{
    const char *at = md_json_text(o, at_key), *by = md_json_text(o, by_key);
    char t[32];
    tui_short_time(at, t, sizeof t);
    snprintf(out, cap, "%s%s%s", t, *by ? " by " : "", by);
}

static void span_or_dash(const json_t *o, const char *key, char *out, size_t cap)
{
    const json_t *x = json_object_get(o, key);
    if (json_is_number(x))
        md_text_span(json_number_value(x), out, cap);
    else
        snprintf(out, cap, "-");
}

/* The header's label/value pairs, made at load (they hold an age from the store's clock). */
static void detail_head(tui_app *a, detail *d)
{
    const json_t *o = d->inc;
    char (*h)[2][160] = d->head, t[32], age[16], x[64];
    tui_short_time(md_json_text(o, "opened_at"), t, sizeof t);
    tui_fmt_age(tui_age_ms(a, md_json_text(o, "opened_at")), age, sizeof age);
    snprintf(h[0][0], 160, "model    %s v%lld", md_json_text(o, "model"),
             (long long)md_json_int(o, "version"));
    snprintf(h[0][1], 160, "kind       %s%s%s", md_json_text(o, "kind"),
             *md_json_text(o, "key") ? ", key " : "", md_json_text(o, "key"));
    snprintf(h[1][0], 160, "opened   %s (%s ago)", t, age);
    snprintf(h[1][1], 160, "assignee   %s",
             *md_json_text(o, "assignee") ? md_json_text(o, "assignee") : "-");
    when_by(o, "acknowledged_at", "acknowledged_by", x, sizeof x);
    snprintf(h[2][0], 160, "acked    %s", x);
    span_or_dash(o, "time_to_ack_s", x, sizeof x);
    snprintf(h[2][1], 160, "to ack     %s", x);
    when_by(o, "resolved_at", "resolved_by", x, sizeof x);
    snprintf(h[3][0], 160, "resolved %s", x);
    span_or_dash(o, "time_to_resolve_s", x, sizeof x);
    snprintf(h[3][1], 160, "to resolve %s", x);
    tui_short_time(md_json_text(o, "snoozed_until"), t, sizeof t);
    snprintf(h[4][0], 160, "snoozed  %s%s", json_is_true(json_object_get(o, "snoozed")) ? "until "
                                                                                          : "",
             json_is_true(json_object_get(o, "snoozed")) ? t : "no");
    tui_short_time(md_json_text(o, "last_evidence_at"), t, sizeof t);
    snprintf(h[4][1], 160, "evidence   %lld, last %s", (long long)md_json_int(o, "evidence_count"),
             t);
    h[5][0][0] = h[5][1][0] = '\0';
}

static md_status detail_load(tui_app *a, tui_view *v, md_err *err)
{
    detail *d = v->st;
    char keep[200] = "";
    bool first = d->inc == NULL;
    if (d->t.nrows) {
        const json_t *e = json_array_get(d->ev, (size_t)d->t.cursor);
        snprintf(keep, sizeof keep, "%s|%s", md_json_text(e, "window"), md_json_text(e, "feature"));
    }
    detail_clear(d);
    tui_incident_perms_load(a, &d->perms);
    if (md_incident_show(a->s, d->id, &d->inc, err) != MD_OK)
        return err->code;
    d->ev = json_object_get(d->inc, "evidence");
    size_t n = json_array_size(d->ev);
    d->facts = md_xcalloc(n + 1, sizeof *d->facts);
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(d->ev, i);
        char k[200];
        evidence_facts(json_object_get(e, "detail"), md_json_text(d->inc, "kind"), d->facts[i],
                       sizeof d->facts[i]);
        snprintf(k, sizeof k, "%s|%s", md_json_text(e, "window"), md_json_text(e, "feature"));
        if (keep[0] && !strcmp(k, keep))
            d->t.cursor = (int)i;
    }
    d->t.nrows = (int)n;
    if (first) /* the latest evidence first: it is what changed last */
        d->t.cursor = (int)n - 1;
    tui_table_clamp(&d->t);
    int notes = (int)json_array_size(json_object_get(d->inc, "notes"));
    if (first || d->nt.cursor == d->nt.nrows - 1) /* on the newest note, it follows new ones */
        d->nt.cursor = notes - 1;
    d->nt.nrows = notes;
    tui_table_clamp(&d->nt);
    d->pane = notes ? d->pane : 0;
    detail_head(a, d);
    return MD_OK;
}

static const char *ecell(tui_app *a, void *ctx, int row, int col, char *buf, size_t cap,
                         tui_role *role)
{
    (void)a;
    detail *d = ctx;
    const json_t *e = json_array_get(d->ev, (size_t)row);
    switch (col) {
    case 0:
        return md_json_text(e, "window");
    case 1:
        if (json_is_integer(json_object_get(e, "version")))
            snprintf(buf, cap, "v%lld", (long long)md_json_int(e, "version"));
        else
            snprintf(buf, cap, "-");
        return buf;
    case 2:
        return *md_json_text(e, "feature") ? md_json_text(e, "feature") : "-";
    case 3:
        *role = tui_severity_role(md_json_text(e, "severity"));
        return md_json_text(e, "severity");
    case 4:
        return d->facts[row];
    }
    return "";
}

static bool drift_kind(const char *kind)
{
    return !strcmp(kind, "drift") || !strcmp(kind, "schema") || !strcmp(kind, "data_quality");
}

static const char *ncell(tui_app *a, void *ctx, int row, int col, char *buf, size_t cap,
                         tui_role *role)
{
    (void)a, (void)role;
    const detail *d = ctx;
    const json_t *o = json_array_get(json_object_get(d->inc, "notes"), (size_t)row);
    switch (col) {
    case 0:
        tui_short_time(md_json_text(o, "at"), buf, cap);
        return buf;
    case 1:
        return md_json_text(o, "actor");
    default:
        return md_json_text(o, "text");
    }
}

/* The notes in the rows [y, y + h): a title, then the notes as a table (newest last), which
 * Tab gives the keys to; Enter shows a note whole. */
static void draw_notes(tui_app *a, detail *d, int y, int h, int cols)
{
    int n = d->nt.nrows;
    for (int r = 0; r < h; r++)
        tui_put(a, y + r, 0, cols, TUI_NORMAL, "", true);
    if (h <= 0)
        return;
    tui_putf(a, y, 0, cols, TUI_TITLE, "notes (%d)%s", n,
             !n        ? ": none yet (e adds one)"
             : d->pane ? "   Enter: the whole note  Tab: back to the evidence"
                       : "   Tab: move here");
    if (n && h >= 3)
        tui_table_draw(a, &d->nt, y + 1, h - 1, cols, ncell, d);
}

static void detail_draw(tui_app *a, tui_view *v, int top, int rows, int cols)
{
    detail *d = v->st;
    const json_t *o = d->inc;
    int x = 1, half = cols / 2;
    for (int r = 0; r < rows; r++)
        tui_put(a, top + r, 0, cols, TUI_NORMAL, "", true);
    char id[32];
    snprintf(id, sizeof id, "#%lld", (long long)d->id);
    x += tui_put(a, top, x, cols - x, TUI_TITLE, id, false) + 1;
    x += tui_put(a, top, x, cols - x, tui_severity_role(md_json_text(o, "severity")),
                 md_json_text(o, "severity"), false) +
         1;
    x += tui_put(a, top, x, cols - x, tui_incident_state_role(md_json_text(o, "state")),
                 md_json_text(o, "state"), false) +
         2;
    tui_put(a, top, x, cols - x, TUI_TITLE, md_json_text(o, "title"), false);
    for (int i = 0; i < HEAD_LINES - 1; i++) {
        tui_put(a, top + 1 + i, 1, half - 2, TUI_NORMAL, d->head[i][0], false);
        tui_put(a, top + 1 + i, half, cols - half, TUI_NORMAL, d->head[i][1], false);
    }
    int y = top + HEAD_LINES;
    /* the notes take a title, their table's header and up to 4 notes; 8 while they have the
     * keys */
    int most = d->pane ? 8 : 4, shown = d->nt.nrows < most ? d->nt.nrows : most;
    int nh = d->nt.nrows ? 2 + shown : 1;
    int eh = top + rows - y - 1 - nh;
    d->t.blur = d->pane == 1;
    d->nt.blur = d->pane == 0;
    tui_putf(a, y, 0, cols, TUI_TITLE, "evidence (%d)   Enter: the %s behind the row", d->t.nrows,
             drift_kind(md_json_text(o, "kind")) ? "drift cell" : "calibration window");
    if (d->t.nrows && eh >= 2)
        tui_table_draw(a, &d->t, y + 1, eh, cols, ecell, d);
    else
        tui_put(a, y + 1, 2, cols - 2, TUI_DIM, "no evidence", false);
    draw_notes(a, d, top + rows - nh, nh, cols);
}

static void detail_crumb(tui_view *v, char *out, size_t cap)
{
    detail *d = v->st;
    snprintf(out, cap, "Incident #%lld", (long long)d->id);
}

static void detail_status(tui_app *a, tui_view *v, char *out, size_t cap)
{
    (void)a;
    detail *d = v->st;
    if (d->pane == 1) {
        const json_t *o = json_array_get(json_object_get(d->inc, "notes"), (size_t)d->nt.cursor);
        snprintf(out, cap, "note %d of %d by %s: %s", d->nt.cursor + 1, d->nt.nrows,
                 md_json_text(o, "actor"), md_json_text(o, "text"));
        return;
    }
    if (!d->t.nrows)
        return;
    const json_t *e = json_array_get(d->ev, (size_t)d->t.cursor); /* and why it met the rule */
    snprintf(out, cap, "%s%s%s: %s", md_json_text(e, "window"),
             *md_json_text(e, "feature") ? " " : "", md_json_text(e, "feature"),
             md_json_text(e, "reason"));
}

static const char *detail_unavailable(tui_app *a, tui_view *v, tui_action act)
{
    (void)a;
    detail *d = v->st;
    if (act == TUI_A_TAB && !d->nt.nrows)
        return "no notes yet (e adds one)";
    if ((act == TUI_A_ENTER || act == TUI_A_WHY) && d->pane == 0 && !d->t.nrows)
        return "no evidence to open";
    return tui_incident_unavailable(&d->perms, d->id, d->inc ? md_json_text(d->inc, "state") : NULL,
                                    act);
}

/* Opens the screen behind one piece of evidence; the detail view is gone afterwards. */
static void open_evidence(tui_app *a, const detail *d, const json_t *e)
{
    const json_t *o = d->inc;
    int64_t ver = json_is_integer(json_object_get(e, "version")) ? md_json_int(e, "version")
                                                                 : md_json_int(o, "version");
    char arg[320], model[65];
    snprintf(model, sizeof model, "%s", md_json_text(o, "model"));
    snprintf(a->model, sizeof a->model, "%s", model);
    a->version = ver;
    snprintf(a->window, sizeof a->window, "%s", md_json_text(e, "window"));
    snprintf(a->feature, sizeof a->feature, "%s", md_json_text(e, "feature"));
    if (drift_kind(md_json_text(o, "kind"))) { /* the cell: its window and feature */
        if (a->window[0])
            snprintf(arg, sizeof arg, "%s %lld %s %s", model, (long long)ver, a->window,
                     a->feature);
        else
            snprintf(arg, sizeof arg, "%s %lld", model, (long long)ver);
        tui_push(a, &tui_drift_view, arg); /* over the incident: Esc or q comes back to it */
    } else {
        snprintf(arg, sizeof arg, "%s %lld %s", model, (long long)ver, a->window);
        tui_push(a, &tui_calibration_view, arg);
    }
}

static int detail_key(tui_app *a, tui_view *v, tui_action act, int ch)
{
    (void)ch;
    detail *d = v->st;
    if (act == TUI_A_TAB) {
        d->pane = !d->pane;
        return TUI_R_DRAW;
    }
    if (tui_table_move(d->pane ? &d->nt : &d->t, act))
        return TUI_R_DRAW;
    if (d->pane == 1 && (act == TUI_A_ENTER || act == TUI_A_WHY)) { /* the note, whole */
        const json_t *o = json_array_get(json_object_get(d->inc, "notes"), (size_t)d->nt.cursor);
        char title[96], t[32];
        tui_short_time(md_json_text(o, "at"), t, sizeof t);
        snprintf(title, sizeof title, "note by %s, %s", md_json_text(o, "actor"), t);
        tui_alert(a, title, md_json_text(o, "text"));
        return TUI_R_DRAW;
    }
    if (act == TUI_A_ENTER) {
        if (d->t.nrows)
            open_evidence(a, d, json_array_get(d->ev, (size_t)d->t.cursor));
        return TUI_R_DRAW;
    }
    if (act == TUI_A_WHY) { /* the status line cuts it at 80 columns: here it is whole */
        char why[1024] = "";
        detail_status(a, v, why, sizeof why);
        tui_alert(a, "why", why);
        return TUI_R_DRAW;
    }
    return tui_incident_action(a, d->inc, act);
}

static void detail_free(tui_view *v)
{
    detail_clear(v->st);
}

static const tui_action detail_actions[] = {TUI_A_ENTER,   TUI_A_WHY,    TUI_A_TAB,
                                            TUI_A_ACK,     TUI_A_ASSIGN, TUI_A_SNOOZE,
                                            TUI_A_RESOLVE, TUI_A_NOTE,   TUI_A_NONE};

/* The detail takes the queue's keys (its keymap scope is the queue's). */
const tui_view_ops tui_incident_view = {
    .name = "incident",
    .scope = "incidents",
    .title = "Incident",
    .state_size = sizeof(detail),
    .open = detail_open,
    .load = detail_load,
    .draw = detail_draw,
    .key = detail_key,
    .free = detail_free,
    .crumb = detail_crumb,
    .status = detail_status,
    .unavailable = detail_unavailable,
    .actions = detail_actions,
    .mutating = tui_incident_mutating,
};
