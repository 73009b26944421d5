/* Screen 8, the scorecard: how each model is run over the last 90 days, and the portfolio as a
 * whole: delivery (deployments, lead time, change failures), operations (incidents, time to
 * acknowledge and resolve), quality (current dAUC, the ECE trend, drift alerts) and governance
 * (fully approved promotions, overrides). Definitions are core's (docs/SCORECARD.md).
 *
 * The table keeps the measures that matter most at 80 columns and adds more on wider terminals;
 * the card below it shows every field of the row under the cursor. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mem.h"
#include "models.h"
#include "scorecard.h"

#define SCORE_DAYS 90
#define CARD_ROWS 12 /* the card: its title, section titles and ten lines */

typedef struct {
    char want[65]; /* the model to select at the next load (":scorecard MODEL") */
    json_t *doc;   /* the document from core */
    const json_t **card; /* overall first, then the models (borrowed from doc) */
    int ncard;
    int *shown;
    tui_table t;
} score_view;

static const tui_column columns[] = {
    {"MODEL", 19, TUI_ENDS, 0, false}, {"DEPL", 4, TUI_RIGHT, 0, false},
    {"LEAD", 4, TUI_RIGHT, 0, false},   {"CFR", 4, TUI_RIGHT, 0, false},
    {"INC", 3, TUI_RIGHT, 0, false},    {"MTTA", 4, TUI_RIGHT, 0, false},
    {"MTTR", 4, TUI_RIGHT, 0, false},   {"dAUC", 6, TUI_RIGHT, 0, false},
    {"ECE/WIN", 7, TUI_RIGHT, 0, false}, {"DRIFT", 5, TUI_RIGHT, 0, false},
    {"APPR", 4, TUI_RIGHT, 0, false},   {"OVR", 3, TUI_RIGHT, 0, false},
    /* on wider terminals */
    {"OPEN", 4, TUI_RIGHT, 0, true},    {"ROLLB", 5, TUI_RIGHT, 0, true},
    {"WIN", 4, TUI_RIGHT, 0, true},     {"ECE NOW", 7, TUI_RIGHT, 0, true},
    {"DEP/30D", 7, TUI_RIGHT, 0, true}, {"INC/30D", 7, TUI_RIGHT, 0, true},
    {"", 1, TUI_LEFT, 0, true}, /* takes the width left over, so the numbers stay together */
};

/* MODEL keeps its width: shrinking it would come before leaving the extra columns out. */

/* ---- reading and formatting ------------------------------------------------------------------ */

static const json_t *part(const json_t *card, const char *section, const char *key)
{
    return json_object_get(json_object_get(card, section), key);
}

static const char *card_name(const json_t *card)
{
    const char *m = json_string_value(json_object_get(card, "model"));
    return m ? m : "overall";
}

static bool is_overall(const json_t *card)
{
    return !json_object_get(card, "model");
}

/* A duration in at most four columns: "45s", "45m", "3.2h", "47h", "3.3d", "123d"; "-" when
 * there is none. */
static void fmt_dur(const json_t *seconds, char *out, size_t cap)
{
    if (!json_is_number(seconds)) {
        snprintf(out, cap, "-");
        return;
    }
    double s = json_number_value(seconds), h = s / 3600, d = h / 24;
    if (s < 59.5)
        snprintf(out, cap, "%.0fs", s);
    else if (s < 3570)
        snprintf(out, cap, "%.0fm", s / 60);
    else if (h < 9.95)
        snprintf(out, cap, "%.1fh", h);
    else if (h < 47.5)
        snprintf(out, cap, "%.0fh", h);
    else if (d < 9.95)
        snprintf(out, cap, "%.1fd", d);
    else
        snprintf(out, cap, "%.0fd", d);
}

static void fmt_hours(const json_t *hours, char *out, size_t cap)
{
    json_t *s = json_is_number(hours) ? json_real(json_number_value(hours) * 3600) : NULL;
    fmt_dur(s, out, cap);
    json_decref(s);
}

static void fmt_share(const json_t *v, char *out, size_t cap)
{
    if (json_is_number(v))
        snprintf(out, cap, "%.0f%%", json_number_value(v) * 100);
    else
        snprintf(out, cap, "-");
}

static void fmt_int(const json_t *v, char *out, size_t cap)
{
    if (json_is_integer(v))
        snprintf(out, cap, "%lld", (long long)json_integer_value(v));
    else
        snprintf(out, cap, "-");
}

static void fmt_real(const json_t *v, const char *fmt, char *out, size_t cap)
{
    if (json_is_number(v))
        snprintf(out, cap, fmt, json_number_value(v));
    else
        snprintf(out, cap, "-");
}

/* A small signed slope in seven columns: "+4.5e-5", "-9.3e-5", "0". */
static void fmt_slope(const json_t *v, char *out, size_t cap)
{
    if (!json_is_number(v)) {
        snprintf(out, cap, "-");
        return;
    }
    double x = json_number_value(v);
    if (x == 0 || !isfinite(x)) {
        snprintf(out, cap, "0");
        return;
    }
    int e = (int)floor(log10(fabs(x)));
    double m = x / pow(10, e);
    if (fabs(m) >= 9.95) { /* rounds up to the next power of ten */
        m /= 10;
        e++;
    }
    snprintf(out, cap, "%+.1fe%d", m, e);
}

static int64_t int_of(const json_t *v)
{
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

/* ---- loading --------------------------------------------------------------------------------- */

static bool open_view(tui_app *a, tui_view *v, const char *arg, char *why, size_t cap)
{
    score_view *g = v->st;
    g->t.cols = columns;
    g->t.ncols = (int)(sizeof columns / sizeof columns[0]);
    if (!arg || !*arg)
        return true;
    md_model m;
    md_err err;
    if (md_model_get(a->s, arg, &m, &err) != MD_OK) {
        snprintf(why, cap, "%s", err.msg);
        return false;
    }
    md_model_free(&m);
    snprintf(g->want, sizeof g->want, "%s", arg);
    snprintf(a->model, sizeof a->model, "%s", arg);
    return true;
}

static void score_clear(score_view *g)
{
    json_decref(g->doc);
    free(g->card);
    free(g->shown);
    g->doc = NULL;
    g->card = NULL;
    g->shown = NULL;
    g->ncard = 0;
    g->t.nrows = 0;
}

static bool matches(tui_view *v, int row, const char *text)
{
    score_view *g = v->st;
    return row >= 0 && row < g->t.nrows && strcasestr(card_name(g->card[g->shown[row]]), text);
}

static md_status load(tui_app *a, tui_view *v, md_err *err)
{
    score_view *g = v->st;
    char keep[65] = "";
    if (g->want[0])
        snprintf(keep, sizeof keep, "%s", g->want);
    else if (g->t.nrows)
        snprintf(keep, sizeof keep, "%s", card_name(g->card[g->shown[g->t.cursor]]));
    g->want[0] = '\0';
    score_clear(g);
    if (md_scorecard_json(a->s, NULL, SCORE_DAYS, &g->doc, err) != MD_OK)
        return err->code;
    const json_t *models = json_object_get(g->doc, "models");
    size_t nm = json_array_size(models);
    g->card = md_xcalloc(nm + 1, sizeof *g->card);
    g->shown = md_xcalloc(nm + 1, sizeof *g->shown);
    if (json_object_get(g->doc, "overall")) /* the portfolio first: it stays in view */
        g->card[g->ncard++] = json_object_get(g->doc, "overall");
    for (size_t i = 0; i < nm; i++)
        g->card[g->ncard++] = json_array_get(models, i);
    for (int i = 0; i < g->ncard; i++)
        if (!v->filter[0] || (strcasestr(card_name(g->card[i]), v->filter) != NULL) !=
                                 v->filter_invert)
            g->shown[g->t.nrows++] = i;
    for (int i = 0; keep[0] && i < g->t.nrows; i++)
        if (!strcmp(card_name(g->card[g->shown[i]]), keep))
            g->t.cursor = i;
    tui_table_clamp(&g->t);
    return MD_OK;
}

/* ---- the table ------------------------------------------------------------------------------- */

static tui_role count_role(int64_t n, tui_role when_some)
{
    return n > 0 ? when_some : TUI_DIM;
}

static const char *cell(tui_app *a, void *ctx, int row, int col, char *buf, size_t cap,
                        tui_role *role)
{
    (void)a;
    score_view *g = ctx;
    const json_t *c = g->card[g->shown[row]], *x;
    switch (col) {
    case 0:
        if (is_overall(c))
            *role = TUI_TITLE;
        return card_name(c);
    case 1:
        x = part(c, "delivery", "deployments");
        *role = count_role(int_of(x), TUI_NORMAL);
        fmt_int(x, buf, cap);
        return buf;
    case 2:
        fmt_hours(json_object_get(part(c, "delivery", "lead_time_hours"), "mean"), buf, cap);
        return buf;
    case 3:
        x = part(c, "delivery", "change_failure_rate");
        if (json_is_number(x))
            *role = json_number_value(x) > 0 ? TUI_WARN : TUI_OK;
        fmt_share(x, buf, cap);
        return buf;
    case 4:
        x = part(c, "operations", "incidents");
        *role = count_role(int_of(x), TUI_NORMAL);
        fmt_int(x, buf, cap);
        return buf;
    case 5:
        fmt_dur(json_object_get(part(c, "operations", "time_to_acknowledge_s"), "mean"), buf,
                cap);
        return buf;
    case 6:
        fmt_dur(json_object_get(part(c, "operations", "time_to_resolve_s"), "mean"), buf, cap);
        return buf;
    case 7:
        x = part(c, "quality", "current_delta_auc");
        if (json_is_number(x))
            *role = json_number_value(x) <= -0.03 ? TUI_ALERT
                    : json_number_value(x) < 0    ? TUI_WARN
                                                  : TUI_OK;
        fmt_real(x, "%+.3f", buf, cap);
        return buf;
    case 8:
        x = part(c, "quality", "ece_trend_per_window");
        if (json_is_number(x) && json_number_value(x) > 0)
            *role = TUI_WARN; /* calibration drifting away */
        fmt_slope(x, buf, cap);
        return buf;
    case 9:
        x = part(c, "quality", "drift_alerts");
        *role = count_role(int_of(x), TUI_WARN);
        fmt_int(x, buf, cap);
        return buf;
    case 10:
        x = part(c, "governance", "fully_approved_share");
        if (json_is_number(x))
            *role = json_number_value(x) < 1 ? TUI_WARN : TUI_OK;
        fmt_share(x, buf, cap);
        return buf;
    case 11:
        x = part(c, "governance", "gate_overrides");
        *role = count_role(int_of(x), TUI_WARN);
        fmt_int(x, buf, cap);
        return buf;
    case 12:
        x = part(c, "operations", "open_now");
        *role = count_role(int_of(x), TUI_WARN);
        fmt_int(x, buf, cap);
        return buf;
    case 13:
        x = part(c, "delivery", "rollbacks");
        *role = count_role(int_of(x), TUI_WARN);
        fmt_int(x, buf, cap);
        return buf;
    case 14:
        fmt_int(part(c, "quality", "windows"), buf, cap);
        return buf;
    case 15:
        fmt_real(part(c, "quality", "ece_last"), "%.4f", buf, cap);
        return buf;
    case 16:
        fmt_real(part(c, "delivery", "deployments_per_30_days"), "%.2f", buf, cap);
        return buf;
    case 17:
        fmt_real(part(c, "operations", "incidents_per_30_days"), "%.2f", buf, cap);
        return buf;
    }
    return "";
}

/* ---- the card -------------------------------------------------------------------------------- */

typedef struct {
    const char *label;
    char value[32];
    tui_role role;
} card_line;

#define CARD_LINES 10

typedef struct {
    const char *title;
    card_line l[CARD_LINES];
    int n;
} card_section;

static card_line *line_of(card_section *s, const char *label)
{
    card_line *l = &s->l[s->n++];
    l->label = label;
    l->role = TUI_NORMAL;
    l->value[0] = '\0';
    return l;
}

static void delivery(const json_t *c, card_section *s)
{
    const json_t *lead = part(c, "delivery", "lead_time_hours");
    s->title = "DELIVERY";
    fmt_int(part(c, "delivery", "deployments"), line_of(s, "deployments")->value, 32);
    fmt_real(part(c, "delivery", "deployments_per_30_days"), "%.2f",
             line_of(s, "per 30 days")->value, 32);
    fmt_int(json_object_get(lead, "n"), line_of(s, "lead time n")->value, 32);
    fmt_hours(json_object_get(lead, "mean"), line_of(s, "lead mean")->value, 32);
    fmt_hours(json_object_get(lead, "p90"), line_of(s, "lead p90")->value, 32);
    card_line *l = line_of(s, "rollbacks");
    fmt_int(part(c, "delivery", "rollbacks"), l->value, 32);
    l->role = count_role(int_of(part(c, "delivery", "rollbacks")), TUI_WARN);
    l = line_of(s, "change fail");
    fmt_share(part(c, "delivery", "change_failure_rate"), l->value, 32);
    if (json_number_value(part(c, "delivery", "change_failure_rate")) > 0)
        l->role = TUI_WARN;
}

static void operations(const json_t *c, card_section *s)
{
    const json_t *sev = part(c, "operations", "by_severity");
    const json_t *tta = part(c, "operations", "time_to_acknowledge_s");
    const json_t *ttr = part(c, "operations", "time_to_resolve_s");
    s->title = "OPERATIONS";
    fmt_int(part(c, "operations", "incidents"), line_of(s, "incidents")->value, 32);
    fmt_real(part(c, "operations", "incidents_per_30_days"), "%.2f",
             line_of(s, "per 30 days")->value, 32);
    snprintf(line_of(s, "P1/2/3/4")->value, 32, "%lld/%lld/%lld/%lld",
             (long long)int_of(json_object_get(sev, "P1")),
             (long long)int_of(json_object_get(sev, "P2")),
             (long long)int_of(json_object_get(sev, "P3")),
             (long long)int_of(json_object_get(sev, "P4")));
    card_line *l = line_of(s, "open now");
    fmt_int(part(c, "operations", "open_now"), l->value, 32);
    l->role = count_role(int_of(part(c, "operations", "open_now")), TUI_WARN);
    fmt_int(json_object_get(tta, "n"), line_of(s, "acked")->value, 32);
    fmt_dur(json_object_get(tta, "mean"), line_of(s, "MTTA mean")->value, 32);
    fmt_dur(json_object_get(tta, "p90"), line_of(s, "MTTA p90")->value, 32);
    fmt_int(json_object_get(ttr, "n"), line_of(s, "resolved")->value, 32);
    fmt_dur(json_object_get(ttr, "mean"), line_of(s, "MTTR mean")->value, 32);
    fmt_dur(json_object_get(ttr, "p90"), line_of(s, "MTTR p90")->value, 32);
}

static void quality(const json_t *c, card_section *s)
{
    s->title = "QUALITY";
    fmt_int(part(c, "quality", "windows"), line_of(s, "windows")->value, 32);
    const json_t *d = part(c, "quality", "current_delta_auc");
    card_line *l = line_of(s, "dAUC now");
    fmt_real(d, "%+.4f", l->value, 32);
    if (json_is_number(d))
        l->role = json_number_value(d) <= -0.03 ? TUI_ALERT
                  : json_number_value(d) < 0    ? TUI_WARN
                                                : TUI_OK;
    fmt_real(part(c, "quality", "ece_first"), "%.4f", line_of(s, "ECE first")->value, 32);
    fmt_real(part(c, "quality", "ece_last"), "%.4f", line_of(s, "ECE last")->value, 32);
    l = line_of(s, "ECE/window");
    fmt_slope(part(c, "quality", "ece_trend_per_window"), l->value, 32);
    if (json_number_value(part(c, "quality", "ece_trend_per_window")) > 0)
        l->role = TUI_WARN;
    l = line_of(s, "drift alerts");
    fmt_int(part(c, "quality", "drift_alerts"), l->value, 32);
    l->role = count_role(int_of(part(c, "quality", "drift_alerts")), TUI_WARN);
}

static void governance(const json_t *c, card_section *s)
{
    s->title = "GOVERNANCE";
    fmt_int(part(c, "governance", "production_promotions"), line_of(s, "to prod")->value, 32);
    const json_t *share = part(c, "governance", "fully_approved_share");
    card_line *l = line_of(s, "fully appr.");
    fmt_share(share, l->value, 32);
    if (json_is_number(share))
        l->role = json_number_value(share) < 1 ? TUI_WARN : TUI_OK;
    l = line_of(s, "overrides");
    fmt_int(part(c, "governance", "gate_overrides"), l->value, 32);
    l->role = count_role(int_of(part(c, "governance", "gate_overrides")), TUI_WARN);
}

static void draw_card(tui_app *a, score_view *g, int y, int h, int cols)
{
    int end = y + h;
    const json_t *c = g->t.nrows ? g->card[g->shown[g->t.cursor]] : NULL;
    char line[256];
    const char *from = json_string_value(json_object_get(g->doc, "from"));
    const char *to = json_string_value(json_object_get(g->doc, "to"));
    snprintf(line, sizeof line, "%s %s last %lld days, %.10s to %.10s", c ? card_name(c) : "",
             tui_glyph(a, TUI_G_VLINE), (long long)int_of(json_object_get(g->doc, "days")),
             from ? from : "?", to ? to : "?");
    tui_put(a, y++, 0, cols, TUI_TITLE, c ? line : "", true);
    card_section s[4];
    memset(s, 0, sizeof s);
    if (c) {
        delivery(c, &s[0]);
        operations(c, &s[1]);
        quality(c, &s[2]);
        governance(c, &s[3]);
    }
    int w = cols / 4 < 30 ? cols / 4 : 30; /* a label stays near its value */
    for (int r = -1; r < CARD_LINES && y < end; r++, y++) {
        tui_put(a, y, 0, cols, TUI_NORMAL, "", true);
        for (int k = 0; k < 4; k++) {
            int x = k * w, sw = w - 1;
            if (!c || (r >= 0 && r >= s[k].n)) {
                tui_put(a, y, x, sw, TUI_NORMAL, "", true);
                continue;
            }
            if (r < 0) {
                tui_put(a, y, x, sw, TUI_DIM, s[k].title, true);
                continue;
            }
            /* the value keeps to the right; the label takes what is left of the section */
            const card_line *l = &s[k].l[r];
            int vw = tui_width(l->value) < sw / 2 ? tui_width(l->value) : sw / 2;
            tui_put(a, y, x, sw - vw, TUI_NORMAL, l->label, true);
            tui_put(a, y, x + sw - vw, vw, l->role, l->value, true);
        }
    }
    for (; y < end; y++)
        tui_put(a, y, 0, cols, TUI_NORMAL, "", true);
}

static void draw(tui_app *a, tui_view *v, int top, int rows, int cols)
{
    score_view *g = v->st;
    if (g->ncard <= 1 && !json_array_size(json_object_get(g->doc, "models"))) {
        for (int r = 0; r < rows; r++)
            tui_put(a, top + r, 0, cols, TUI_NORMAL, "", true);
        tui_put(a, top + 1, 2, cols - 4, TUI_DIM,
                "no models yet: the scorecard measures registered models", false);
        return;
    }
    int card = rows - 3 >= CARD_ROWS ? CARD_ROWS : rows - 3;
    int th = g->t.nrows + 1;
    if (th > rows - card)
        th = rows - card;
    if (th < 2)
        th = 2;
    if (g->t.nrows == 0) {
        tui_put(a, top, 0, cols, TUI_DIM, "  no model matches the filter", true);
        for (int r = 1; r < th; r++)
            tui_put(a, top + r, 0, cols, TUI_NORMAL, "", true);
    } else {
        tui_table_draw(a, &g->t, top, th, cols, cell, g);
    }
    draw_card(a, g, top + th, rows - th, cols);
}

/* ---- keys ------------------------------------------------------------------------------------ */

static int key(tui_app *a, tui_view *v, tui_action act, int ch)
{
    (void)ch;
    score_view *g = v->st;
    if (tui_table_move(&g->t, act))
        return TUI_R_DRAW;
    if (act != TUI_A_ENTER || !g->t.nrows)
        return TUI_R_UNHANDLED;
    const json_t *c = g->card[g->shown[g->t.cursor]];
    if (is_overall(c)) {
        tui_reply(a, TUI_STATUS, "the portfolio as a whole: Enter on a model opens it");
        return TUI_R_DRAW;
    }
    snprintf(a->model, sizeof a->model, "%s", card_name(c));
    a->version = 0;
    tui_push(a, &tui_model_view, card_name(c));
    return TUI_R_DRAW;
}

static void crumb(tui_view *v, char *out, size_t cap)
{
    (void)v;
    snprintf(out, cap, "Scorecard (%d days)", SCORE_DAYS);
}

static void status(tui_app *a, tui_view *v, char *out, size_t cap)
{
    (void)a;
    score_view *g = v->st;
    if (!g->t.nrows)
        return;
    const json_t *c = g->card[g->shown[g->t.cursor]];
    snprintf(out, cap, "%s: %lld deployments, %lld incidents", card_name(c),
             (long long)int_of(part(c, "delivery", "deployments")),
             (long long)int_of(part(c, "operations", "incidents")));
}

static void free_view(tui_view *v)
{
    score_clear(v->st);
}

static const tui_action actions[] = {TUI_A_ENTER, TUI_A_FILTER, TUI_A_NONE};

const tui_view_ops tui_scorecard_view = {
    .name = "scorecard",
    .title = "Scorecard",
    .state_size = sizeof(score_view),
    .open = open_view,
    .load = load,
    .draw = draw,
    .key = key,
    .free = free_view,
    .crumb = crumb,
    .status = status,
    .matches = matches,
    .actions = actions,
};
