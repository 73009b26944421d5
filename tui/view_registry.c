/* Screen 1, the registry: every model with its production version and how it is doing.
 *
 * DRIFT is of the latest window; dAUC and ECE are of the latest window with labels, which for a
 * model whose labels arrive weeks late is an older one. Both are worth seeing (drift is the early
 * warning while labels are on their way), so the row keeps both and marks the older figures,
 * and the lines under the table say which window each comes from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "internal.h"
#include "mem.h"

/* The orders `o` goes through: by name (the store's), then with what needs a look first. */
typedef enum { BY_NAME, BY_DRIFT, BY_DAUC, BY_ECE, BY_INCIDENTS, BY_DEPLOYED, ORDERS } order;
static const char *const order_names[ORDERS] = {"name",
                                                "drift, alerts first",
                                                "dAUC, lowest first",
                                                "ECE, highest first",
                                                "incidents, worst first",
                                                "deployed, latest first"};

typedef struct {
    int64_t now_ms; /* the store's clock at load, for ages */
    md_model_row *rows;
    size_t n;
    int *shown; /* indexes of the rows the filter keeps, in the order chosen */
    order by;
    tui_table t;
} registry;

static const tui_column columns[] = {
    {"MODEL", 19, TUI_ENDS, 19, false},  {"USE CASE", 30, TUI_LEFT, 8, true},
    {"PROD", 4, TUI_RIGHT, 0, false},    {"DRIFT", 5, TUI_LEFT, 0, false},
    {"dAUC", 7, TUI_RIGHT, 0, false},    {"ECE ", 7, TUI_RIGHT, 0, false},
    {"INC", 4, TUI_LEFT, 0, false},      {"DEPLOYED", 8, TUI_RIGHT, 0, false},
    {"FALLBACK", 9, TUI_LEFT, 0, false},
};

/* dAUC and ECE come from an older window than DRIFT (their labels lag). */
static bool perf_older(const md_model_row *r)
{
    return r->perf_window && r->last_window && strcmp(r->perf_window, r->last_window) < 0;
}

/* PROD and INC as the row shows them ("v2", "3 P1"); "" when none. */
static void prod_text(const md_model_row *r, char *buf, size_t cap)
{
    snprintf(buf, cap, r->production ? "v%lld" : "", (long long)r->production);
}

static void inc_text(const md_model_row *r, char *buf, size_t cap)
{
    snprintf(buf, cap, r->open_incidents ? "%lld P%lld" : "", (long long)r->open_incidents,
             (long long)r->worst_severity);
}

/* The filter matches what the row shows in words (its name, use case, owner, production
 * version, drift status, incidents, being out of service, fallback), in any case and as text
 * (so "/v1" also keeps v10): "/alert" keeps the models drifting to an alert, "/P1" those whose
 * worst open incident is a P1, "/out" those out of service (and any whose words hold "out"). */
static bool row_matches(const md_model_row *r, const char *text)
{
    char prod[24], inc[48];
    prod_text(r, prod, sizeof prod);
    inc_text(r, inc, sizeof inc);
    bool out = strcmp(r->serving, "model") != 0; /* "OUT" and the fallback that serves */
    const char *words[] = {r->name,     r->use_case,        r->owner,
                           prod,        r->drift,           inc,
                           r->fallback, out ? "OUT" : NULL, out ? r->serving : NULL};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (words[i] && strcasestr(words[i], text))
            return true;
    return false;
}

/* ---- order ----------------------------------------------------------------------------------- */

static int drift_rank(const char *status) /* alert first; a model without windows last */
{
    return !status ? 3 : !strcmp(status, "alert") ? 0 : !strcmp(status, "warn") ? 1 : 2;
}

/* Compares a and b by the order's figure: < 0 when a comes first. Rows without the figure come
 * last; ties keep the store's order (by name), which the index breaks. */
static int by_figure(const md_model_row *a, const md_model_row *b, order by)
{
    switch (by) {
    case BY_DRIFT:
        return drift_rank(a->drift) - drift_rank(b->drift);
    case BY_DAUC:
        if (a->has_delta_auc != b->has_delta_auc)
            return a->has_delta_auc ? -1 : 1;
        return a->has_delta_auc ? (a->delta_auc > b->delta_auc) - (a->delta_auc < b->delta_auc) : 0;
    case BY_ECE:
        if (a->has_ece != b->has_ece)
            return a->has_ece ? -1 : 1;
        return a->has_ece ? (a->ece < b->ece) - (a->ece > b->ece) : 0;
    case BY_INCIDENTS: { /* the worst severity, then how many */
        int64_t sa = a->open_incidents ? a->worst_severity : 5,
                sb = b->open_incidents ? b->worst_severity : 5;
        if (sa != sb)
            return sa < sb ? -1 : 1;
        return (a->open_incidents < b->open_incidents) - (a->open_incidents > b->open_incidents);
    }
    case BY_DEPLOYED:
        if (!a->last_deploy || !b->last_deploy)
            return !a->last_deploy - !b->last_deploy;
        return -strcmp(a->last_deploy, b->last_deploy);
    default:
        return 0;
    }
}

static int compare_shown(const void *x, const void *y, void *ctx)
{
    const registry *g = ctx;
    int i = *(const int *)x, j = *(const int *)y;
    int c = by_figure(&g->rows[i], &g->rows[j], g->by);
    return c ? c : (i > j) - (i < j);
}

static void sort_shown(registry *g)
{
    qsort_r(g->shown, (size_t)g->t.nrows, sizeof *g->shown, compare_shown, g);
}

static bool matches(tui_view *v, int row, const char *text)
{
    registry *g = v->st;
    return row >= 0 && row < g->t.nrows && row_matches(&g->rows[g->shown[row]], text);
}

static md_status load(tui_app *a, tui_view *v, md_err *err)
{
    registry *g = v->st;
    char keep[65] = "";
    if (g->t.nrows > 0)
        snprintf(keep, sizeof keep, "%s", g->rows[g->shown[g->t.cursor]].name);
    md_model_rows_free(g->rows, g->n);
    free(g->shown);
    g->rows = NULL;
    g->shown = NULL;
    g->n = 0;
    g->t.nrows = 0;
    if (md_overview_models(a->s, &g->rows, &g->n, err) != MD_OK)
        return err->code;
    g->now_ms = md_store_now_ms(a->s);
    g->shown = md_xcalloc(g->n + 1, sizeof *g->shown);
    for (size_t i = 0; i < g->n; i++)
        if (!v->filter[0] || row_matches(&g->rows[i], v->filter) != v->filter_invert)
            g->shown[g->t.nrows++] = (int)i;
    sort_shown(g);
    g->t.cols = columns;
    g->t.ncols = (int)(sizeof columns / sizeof columns[0]);
    int64_t most = 0; /* "12 P1": a count of ten or more widens INC rather than being cut */
    for (size_t i = 0; i < g->n; i++)
        most = g->rows[i].open_incidents > most ? g->rows[i].open_incidents : most;
    tui_table_need(&g->t, 6, tui_int_width(most) + 3);
    for (int i = 0; i < g->t.nrows; i++)
        if (keep[0] && strcmp(g->rows[g->shown[i]].name, keep) == 0)
            g->t.cursor = i;
    if (!keep[0] && a->model[0]) /* the model in focus elsewhere */
        for (int i = 0; i < g->t.nrows; i++)
            if (strcmp(g->rows[g->shown[i]].name, a->model) == 0)
                g->t.cursor = i;
    tui_table_clamp(&g->t);
    return MD_OK;
}

static const char *cell(tui_app *a, void *ctx, int row, int col, char *buf, size_t cap,
                        tui_role *role)
{
    (void)a;
    registry *g = ctx;
    const md_model_row *r = &g->rows[g->shown[row]];
    switch (col) {
    case 0:
        return r->name;
    case 1:
        return r->use_case;
    case 2:
        if (!r->production)
            return *role = TUI_DIM, "-";
        prod_text(r, buf, cap);
        return buf;
    case 3:
        *role = tui_status_role(r->drift);
        return r->drift ? r->drift : "-";
    case 4:
        if (!r->has_delta_auc)
            return "-";
        *role = r->delta_auc <= -0.03 ? TUI_ALERT : r->delta_auc < 0 ? TUI_WARN : TUI_OK;
        snprintf(buf, cap, "%+.4f", r->delta_auc);
        return buf;
    case 5: /* the mark after it: dAUC and ECE are older than DRIFT */
        if (!r->has_ece)
            return perf_older(r) ? "-*" : "- ";
        *role = r->ece > 0.05 ? TUI_WARN : TUI_NORMAL;
        snprintf(buf, cap, "%.4f%s", r->ece, perf_older(r) ? "*" : " ");
        return buf;
    case 6:
        if (!r->open_incidents)
            return *role = TUI_DIM, "0";
        *role = r->worst_severity == 1 ? TUI_P1 : r->worst_severity == 2 ? TUI_P2 : TUI_P3;
        inc_text(r, buf, cap);
        return buf;
    case 7: { /* how long ago the version in production entered it (none: nothing deployed) */
        int64_t at;
        if (strcmp(r->serving, "model") != 0) /* taken out: its fallback serves (next column) */
            return *role = TUI_ALERT, "OUT";
        if (!r->production || !r->last_deploy ||
            md_time_parse_iso(r->last_deploy, false, &at, NULL) != MD_OK)
            return *role = TUI_DIM, "-";
        int64_t h = (g->now_ms - at) / 3600000;
        if (h < 48)
            snprintf(buf, cap, "%lldh ago", (long long)(h > 0 ? h : 0));
        else
            snprintf(buf, cap, "%lldd ago", (long long)(h / 24));
        return buf;
    }
    case 8:
        if (strcmp(r->serving, "model") != 0) /* out of service: the fallback serving now */
            return *role = TUI_ALERT, r->serving;
        *role = TUI_DIM;
        return r->fallback;
    }
    return "";
}

/* Under the table: what the figures are of, then the windows of the row under the cursor. */
static void draw_windows(tui_app *a, registry *g, int y, int cols)
{
    const char *sep = a->utf8 ? " \u00b7 " : " / ";
    char t[256];
    snprintf(t, sizeof t, "DRIFT: latest window%sdAUC, ECE: %s", sep,
             "latest labeled one (*: older than DRIFT's)");
    tui_put(a, y, 0, cols, TUI_NORMAL, "", true);
    tui_put(a, y, 1, cols - 1, TUI_DIM, t, false);
    tui_put(a, y + 1, 0, cols, TUI_NORMAL, "", true);
    if (g->t.nrows == 0)
        return;
    const md_model_row *r = &g->rows[g->shown[g->t.cursor]];
    int n = snprintf(t, sizeof t, "%s v%lld: ", r->name, (long long)r->production);
    if (!r->production)
        snprintf(t, sizeof t, "%s: no production version", r->name);
    else if (!r->last_window)
        snprintf(t + n, sizeof t - (size_t)n, "no windows yet");
    else if (!r->perf_window)
        snprintf(t + n, sizeof t - (size_t)n, "DRIFT of %s; no labeled window yet", r->last_window);
    else if (!perf_older(r))
        snprintf(t + n, sizeof t - (size_t)n, "DRIFT, dAUC and ECE of window %s", r->last_window);
    else
        snprintf(t + n, sizeof t - (size_t)n, "DRIFT of %s; dAUC, ECE of %s (labels behind)",
                 r->last_window, r->perf_window);
    tui_put(a, y + 1, 1, cols - 1, perf_older(r) ? TUI_WARN : TUI_DIM, t, false);
}

static void draw(tui_app *a, tui_view *v, int top, int rows, int cols)
{
    registry *g = v->st;
    if (g->n == 0) {
        for (int r = 0; r < rows; r++)
            tui_put(a, top + r, 0, cols, TUI_NORMAL, "", true);
        tui_put(a, top + 1, 2, cols - 4, TUI_DIM,
                "no models yet: 'modeldeck model add' registers one, 'modeldeck demo' builds a "
                "demo store",
                false);
        return;
    }
    if (rows < 6) { /* no room to say more than the rows */
        tui_table_draw(a, &g->t, top, rows, cols, cell, g);
        return;
    }
    tui_table_draw(a, &g->t, top, rows - 2, cols, cell, g);
    draw_windows(a, g, top + rows - 2, cols);
}

static int key(tui_app *a, tui_view *v, tui_action act, int ch)
{
    (void)ch;
    registry *g = v->st;
    if (tui_table_move(&g->t, act))
        return TUI_R_DRAW;
    if (g->t.nrows == 0)
        return TUI_R_UNHANDLED;
    const md_model_row *r = &g->rows[g->shown[g->t.cursor]];
    switch (act) {
    case TUI_A_ORDER: { /* the cursor stays on its model */
        int at = g->shown[g->t.cursor];
        g->by = (g->by + 1) % ORDERS;
        sort_shown(g);
        for (int i = 0; i < g->t.nrows; i++)
            if (g->shown[i] == at)
                g->t.cursor = i;
        tui_table_clamp(&g->t);
        tui_msg(a, TUI_GOOD, "registry by %s", order_names[g->by]);
        return TUI_R_DRAW;
    }
    case TUI_A_ENTER:
        snprintf(a->model, sizeof a->model, "%s", r->name);
        a->version = 0;
        tui_push(a, &tui_model_view, r->name);
        return TUI_R_DRAW;
    case TUI_A_SCREEN2: /* the heatmap opens on the model under the cursor */
    case TUI_A_SCREEN3:
        snprintf(a->model, sizeof a->model, "%s", r->name);
        a->version = 0;
        tui_screen(a, act == TUI_A_SCREEN2 ? 2 : 3, r->name);
        return TUI_R_DRAW;
    default:
        return TUI_R_UNHANDLED;
    }
}

static void crumb(tui_view *v, char *out, size_t cap)
{
    registry *g = v->st;
    snprintf(out, cap, "Registry%s%s", g->by == BY_NAME ? "" : " by ",
             g->by == BY_NAME ? "" : order_names[g->by]);
}

static void status(tui_app *a, tui_view *v, char *out, size_t cap)
{
    (void)a;
    registry *g = v->st;
    if (g->t.nrows == 0)
        return;
    const md_model_row *r = &g->rows[g->shown[g->t.cursor]];
    snprintf(out, cap, "%s: %lld version%s, %lld pending, owner %s", r->name,
             (long long)r->versions, r->versions == 1 ? "" : "s", (long long)r->pending, r->owner);
}

static void free_view(tui_view *v)
{
    registry *g = v->st;
    md_model_rows_free(g->rows, g->n);
    free(g->shown);
}

static const tui_action actions[] = {TUI_A_ENTER, TUI_A_FILTER, TUI_A_ORDER, TUI_A_SCREEN2,
                                     TUI_A_NONE};

const tui_view_ops tui_registry_view = {
    .name = "registry",
    .title = "Registry",
    .state_size = sizeof(registry),
    .load = load,
    .draw = draw,
    .key = key,
    .free = free_view,
    .crumb = crumb,
    .status = status,
    .matches = matches,
    .actions = actions,
};
