/* Screen 2, the drift heatmap: one version's features (rows) by windows (columns) for one
 * metric, a cursor cell whose exact value is on the status line, and Enter for the feature's
 * drill-down.
 *
 * Why this shape: a model can have 300 features over a year of windows, so the grid is read
 * once per load into flat arrays (md_overview_grid) and draw() touches only the visible cells,
 * merging neighbouring cells of one shade into one run of text. Feature names and window dates
 * stay in view while the grid scrolls both ways. Each cell is two columns of a density glyph,
 * so the scale reads without colour; a '!' in a cell's second column marks a cell whose status
 * (the core's verdict over every test, not only the metric shown) is alert, and the status line
 * names the tests that decided the cursor's cell. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "json.h"
#include "mem.h"
#include "policies.h"

/* The metric names this screen shows (ASCII, so the breadcrumbs read in any locale). */
static const char *const metric_label[MD_GRID_METRIC_COUNT] = {"PSI", "KS D", "missing delta",
                                                               "schema changes"};
/* The test each metric is the figure of. */
static const md_drift_test metric_test[MD_GRID_METRIC_COUNT] = {
    MD_DRIFT_TEST_PSI, MD_DRIFT_TEST_KS, MD_DRIFT_TEST_MISSING, MD_DRIFT_TEST_SCHEMA};

typedef struct {
    char model[65];
    int64_t want; /* the version asked for; 0: production */
    md_grid g;
    bool has_g;
    char vstatus[16]; /* the shown version's stage */
    char note[160];   /* why another version or window than the one asked for is shown */
    md_drift_policy pol;
    int nversions;
    int *rows; /* features the filter keeps (indexes into g.features) */
    int nrows;
    int cr, cw;    /* cursor: index into rows, window index */
    int top, left; /* first shown row and window */
    int page_r;    /* feature rows shown at the last draw */
    int page_w;    /* windows shown at the last draw */
    md_grid_metric metric;
    char keep_feature[129], keep_window[32]; /* where the cursor goes after the next load */
} drift_view;

/* ---- the heat scale -------------------------------------------------------------------------- */

/* Steps 1 (calm) to 5 (alarming), 0 for no value, and never beyond what the metric's own test
 * says under the policy (ok: step 2 at most, warn: step 4), whatever the other tests make of the
 * cell (its '!'). The breakpoints come from the model's policy:
 * step 5 starts at its alert threshold (KS: its minimum D) and, for PSI and missingness, step 3
 * at its warning threshold:
 *   PSI            < warn/2, < warn, < (warn+alert)/2, < alert, >= alert
 *                  (defaults 0.05, 0.1, 0.175, 0.25)
 *   KS D           < min_d/4, < min_d/2, < 3 min_d/4, < min_d, >= min_d
 *                  (defaults 0.025, 0.05, 0.075, 0.1; a p-value short of the test's caps it)
 *   |missing delta|  as PSI with missing_delta warn and alert (defaults 0.025, 0.05, 0.125, 0.2)
 *   schema changes 0 is step 1; any change is step 5 when the policy makes it an alert, 4 when
 *                  a warning, 2 when it only informs. */
static void breakpoints(const md_drift_policy *p, md_grid_metric m, double b[4])
{
    double w, al;
    switch (m) {
    case MD_GRID_KS:
        for (int i = 0; i < 4; i++)
            b[i] = p->ks_min_d * (i + 1) / 4.0;
        return;
    case MD_GRID_MISSING:
        w = p->missing_warn, al = p->missing_alert;
        break;
    case MD_GRID_SCHEMA:
        b[0] = b[1] = b[2] = b[3] = 1;
        return;
    default:
        w = p->psi_warn, al = p->psi_alert;
        break;
    }
    b[0] = w / 2, b[1] = w, b[2] = (w + al) / 2, b[3] = al;
}

static int schema_step(const md_drift_policy *p)
{
    return p->schema_level == MD_LEVEL_ALERT ? 5 : p->schema_level == MD_LEVEL_WARN ? 4 : 2;
}

static int heat_step(const md_drift_policy *p, md_grid_metric m, double x)
{
    if (isnan(x))
        return 0;
    if (m == MD_GRID_SCHEMA)
        return x > 0 ? schema_step(p) : 1;
    double b[4];
    breakpoints(p, m, b);
    x = fabs(x); /* a missing rate that falls is as much a change as one that rises */
    int step = 1;
    while (step < 5 && x >= b[step - 1])
        step++;
    return step;
}

/* ---- loading --------------------------------------------------------------------------------- */

/* "MODEL [VERSION] [WINDOW] [FEATURE...]": the model, a version, and a cell to start on. */
static bool open_view(tui_app *a, tui_view *v, const char *arg, char *why, size_t cap)
{
    drift_view *d = v->st;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", arg ? arg : "");
    char *save = NULL, *tok = strtok_r(buf, " ", &save);
    if (tok) {
        snprintf(d->model, sizeof d->model, "%s", tok);
        if (!tui_model_known(a, d->model, why, cap))
            return false;
        tok = strtok_r(NULL, " ", &save);
        if (tok && tui_parse_version(tok, &d->want))
            tok = strtok_r(NULL, " ", &save);
        if (tok && tok[0] >= '0' && tok[0] <= '9') {
            snprintf(d->keep_window, sizeof d->keep_window, "%s", tok);
            tok = strtok_r(NULL, "", &save);
            snprintf(d->keep_feature, sizeof d->keep_feature, "%s", tok ? tok : a->feature);
        }
    } else if (!tui_focus_model(a, d->model, sizeof d->model, &d->want, why, cap)) {
        return false;
    }
    snprintf(a->model, sizeof a->model, "%s", d->model);
    a->version = d->want;
    tui_view_showing(v, d->model, d->want);
    return true;
}

static void drift_clear(drift_view *d)
{
    if (d->has_g)
        md_grid_free(&d->g);
    d->has_g = false;
    free(d->rows);
    d->rows = NULL;
    d->nrows = 0;
}

static bool feature_matches(const char *name, const char *text)
{
    return strcasestr(name, text) != NULL;
}

/* Without a production version the newest version with windows stands in (else the newest). */
static int64_t stand_in(const md_version_row *vr, size_t nv)
{
    for (size_t i = 0; i < nv; i++)
        if (vr[i].windows > 0)
            return vr[i].number;
    return nv ? vr[0].number : 0;
}

static md_status read_grid(tui_app *a, drift_view *d, const md_version_row *vr, size_t nv,
                           md_err *err)
{
    d->note[0] = '\0';
    md_status rc = md_overview_grid(a->s, d->model, d->want, &d->g, err);
    if (rc == MD_NOTFOUND && d->want == 0 && stand_in(vr, nv) > 0) {
        int64_t n = stand_in(vr, nv);
        snprintf(d->note, sizeof d->note, "%s has no production version; showing v%lld",
                 d->model, (long long)n);
        rc = md_overview_grid(a->s, d->model, n, &d->g, err);
    }
    d->has_g = rc == MD_OK;
    for (size_t i = 0; d->has_g && i < nv; i++)
        if (vr[i].number == d->g.version)
            snprintf(d->vstatus, sizeof d->vstatus, "%s", vr[i].status);
    return rc;
}

static int find_name(char **list, size_t n, const char *name)
{
    for (size_t i = 0; name[0] && i < n; i++)
        if (!strcmp(list[i], name))
            return (int)i;
    return -1;
}

/* Puts the cursor back on the feature and window it was on (or was asked to start on). */
static void restore_cursor(drift_view *d)
{
    int f = find_name(d->g.features, d->g.nf, d->keep_feature);
    int w = find_name(d->g.windows, d->g.nw, d->keep_window);
    d->cr = 0;
    for (int i = 0; i < d->nrows; i++)
        if (d->rows[i] == f)
            d->cr = i;
    d->cw = w >= 0 ? w : (int)d->g.nw - 1; /* the latest window by default */
    if (d->cw < 0)
        d->cw = 0;
    if (w < 0 && d->keep_window[0] && d->g.nw && !d->note[0]) /* asked for, and not there */
        snprintf(d->note, sizeof d->note, "no window %.32s: at the latest (it has %.32s .. %.32s)",
                 d->keep_window, d->g.windows[0], d->g.windows[d->g.nw - 1]);
    else if (f < 0 && d->keep_feature[0] && d->nrows && !d->note[0])
        snprintf(d->note, sizeof d->note, "no feature %.64s here: at the first", d->keep_feature);
}

static void remember_cursor(drift_view *d)
{
    if (!d->has_g || !d->nrows || !d->g.nw)
        return;
    snprintf(d->keep_feature, sizeof d->keep_feature, "%s", d->g.features[d->rows[d->cr]]);
    snprintf(d->keep_window, sizeof d->keep_window, "%s", d->g.windows[d->cw]);
}

static md_status load(tui_app *a, tui_view *v, md_err *err)
{
    drift_view *d = v->st;
    remember_cursor(d);
    drift_clear(d);
    md_version_row *vr;
    size_t nv;
    if (md_overview_versions(a->s, d->model, &vr, &nv, err) != MD_OK)
        return err->code;
    d->nversions = (int)nv;
    if (!nv) {
        md_version_rows_free(vr, nv);
        return md_err_set(err, MD_NOTFOUND,
                          "%s has no versions yet: 'modeldeck version add %s' registers one",
                          d->model, d->model);
    }
    md_status rc = read_grid(a, d, vr, nv, err);
    md_version_rows_free(vr, nv);
    if (rc != MD_OK)
        return rc;
    md_policy p;
    if (md_policy_load(a->s, d->model, &p, err) != MD_OK)
        return err->code;
    d->pol = p.drift;
    md_policy_free(&p);
    d->rows = md_xcalloc(d->g.nf + 1, sizeof *d->rows);
    for (size_t f = 0; f < d->g.nf; f++)
        if (!v->filter[0] || feature_matches(d->g.features[f], v->filter) != v->filter_invert)
            d->rows[d->nrows++] = (int)f;
    restore_cursor(d);
    return MD_OK;
}

/* ---- drawing --------------------------------------------------------------------------------- */

typedef struct {
    int name_w; /* the feature column */
    int x0;     /* the first cell's column */
    int vw, vh; /* windows and feature rows shown */
} layout;

/* The position counters' widest text ("feat 300-300/300"): they sit above the names, in the
 * same column, and must never be cut. Measured at the grid's totals, so that the column keeps
 * its width while the grid scrolls or a filter narrows it. */
static int counters_width(const drift_view *d)
{
    char text[64];
    int w = snprintf(text, sizeof text, "win %zu-%zu/%zu", d->g.nw, d->g.nw, d->g.nw);
    int f = snprintf(text, sizeof text, "feat %zu-%zu/%zu", d->g.nf, d->g.nf, d->g.nf);
    return w > f ? w : f;
}

/* The name column: the longest name and a blank, up to a cap that leaves the grid its room
 * (longer names are cut in the middle), and at least as wide as the counters above it. */
static layout measure(const drift_view *d, int rows, int cols)
{
    layout l;
    int longest = 0;
    for (size_t f = 0; f < d->g.nf; f++) {
        int w = tui_width(d->g.features[f]);
        longest = w > longest ? w : longest;
    }
    int cap = cols >= 160 ? 32 : cols >= 120 ? 24 : 18;
    int counters = counters_width(d);
    l.name_w = longest + 1 < cap ? longest + 1 : cap;
    l.name_w = l.name_w > counters ? l.name_w : counters;
    l.x0 = l.name_w + 1;
    l.vw = (cols - l.x0 - 1) / 2;
    l.vh = rows - 5; /* title, two header rows; the legend and thresholds below */
    if (l.vw < 1)
        l.vw = 1;
    if (l.vh < 1)
        l.vh = 1;
    return l;
}

static void keep_in_view(int cur, int shown, int total, int *first)
{
    if (cur < *first)
        *first = cur;
    if (cur >= *first + shown)
        *first = cur - shown + 1;
    if (*first > total - shown)
        *first = total - shown;
    if (*first < 0)
        *first = 0;
}

static void fill_rows(tui_app *a, int from, int to, int cols)
{
    for (int y = from; y < to; y++)
        tui_put(a, y, 0, cols, TUI_NORMAL, "", true);
}

static void draw_title(tui_app *a, drift_view *d, int y, int cols)
{
    char line[512];
    /* the model is in the breadcrumbs just above */
    int n = snprintf(line, sizeof line, " v%lld %s %s %s %s ", (long long)d->g.version,
                     d->vstatus, tui_glyph(a, TUI_G_VLINE), metric_label[d->metric],
                     tui_glyph(a, TUI_G_VLINE));
    if (d->note[0])
        snprintf(line + n, sizeof line - (size_t)n, "%s", d->note);
    else if (d->g.nw)
        snprintf(line + n, sizeof line - (size_t)n, "%zu features %s %zu windows %s%s%s",
                 d->g.nf, tui_glyph(a, TUI_G_VLINE), d->g.nw, d->g.windows[0],
                 tui_glyph(a, TUI_G_ELLIPSIS), d->g.windows[d->g.nw - 1]);
    tui_put(a, y, 0, cols, TUI_TITLE, line, true);
}

/* A window's labels: the context (month, or day for hourly windows) and the short mark. */
static void window_labels(const char *key, char ctx[16], char mark[4])
{
    bool hourly = strlen(key) >= 13 && key[10] == 'T';
    if (hourly) {
        snprintf(ctx, 16, "%.5s", key + 5);   /* MM-DD */
        snprintf(mark, 4, "%.2s", key + 11);  /* HH */
    } else {
        snprintf(ctx, 16, "%.7s", key);       /* YYYY-MM */
        snprintf(mark, 4, "%.2s", strlen(key) >= 10 ? key + 8 : key); /* DD */
    }
}

/* The first visible window's context label, when it fits before the next month (or day). */
static bool lead_label_fits(const drift_view *d, size_t last, const char *ctx)
{
    char c[16], m[4];
    for (size_t w = (size_t)d->left + 1; w < last; w++) {
        window_labels(d->g.windows[w], c, m);
        if (strcmp(c, ctx) != 0)
            return 2 * (int)(w - (size_t)d->left) > tui_width(ctx);
    }
    return true;
}

/* Two header rows: where a month (or a day) begins, then every other window's day (or hour),
 * with the cursor's window highlighted. The left corner says which part of the grid shows. */
static void draw_header(tui_app *a, drift_view *d, const layout *l, int y, int cols)
{
    char text[64];
    size_t last = d->left + l->vw < (int)d->g.nw ? (size_t)(d->left + l->vw) : d->g.nw;
    snprintf(text, sizeof text, "win %d-%zu/%zu", d->left + 1, last, d->g.nw);
    tui_put(a, y, 0, l->x0 - 1, TUI_DIM, text, true); /* a blank column before the labels */
    tui_put(a, y, l->x0 - 1, 1, TUI_NORMAL, "", true);
    snprintf(text, sizeof text, "feat %d-%d/%d", d->nrows ? d->top + 1 : 0,
             d->top + l->vh < d->nrows ? d->top + l->vh : d->nrows, d->nrows);
    tui_put(a, y + 1, 0, l->x0 - 1, TUI_DIM, text, true);
    tui_put(a, y + 1, l->x0 - 1, 1, TUI_NORMAL, "", true);
    tui_put(a, y, l->x0, cols - l->x0, TUI_NORMAL, "", true);
    tui_put(a, y + 1, l->x0, cols - l->x0, TUI_NORMAL, "", true);
    int free_x = l->x0; /* a context label never runs into the one before it */
    for (size_t w = (size_t)d->left; w < last; w++) {
        char ctx[16], mark[4], pctx[16] = "", pmark[4];
        window_labels(d->g.windows[w], ctx, mark);
        if (w > 0)
            window_labels(d->g.windows[w - 1], pctx, pmark);
        int x = l->x0 + 2 * (int)(w - (size_t)d->left);
        /* a month (a day) begins here; the page's first window labels its month only when the
         * label ends before the next month's begins (the grid's first window too: the month
         * that fills the page must not lose its label to a few days of the one before) */
        bool starts = w > (size_t)d->left && strcmp(ctx, pctx) != 0;
        /* a label cut at the right edge ("202…") says nothing: it waits for the next page */
        if ((starts || (w == (size_t)d->left && lead_label_fits(d, last, ctx))) && x >= free_x &&
            x + tui_width(ctx) <= cols) {
            tui_put(a, y, x, cols - x, TUI_TITLE, ctx, false);
            free_x = x + tui_width(ctx) + 1;
        }
        /* an odd cursor window's label would touch its neighbours': they give way */
        bool beside = d->cw % 2 && ((int)w == d->cw - 1 || (int)w == d->cw + 1);
        if ((int)w == d->cw)
            tui_put(a, y + 1, x, 2, TUI_SELECTED, mark, true);
        else if (w % 2 == 0 && !beside)
            tui_put(a, y + 1, x, 2, TUI_TITLE, mark, false);
    }
}

/* One feature's visible cells, in runs of one attribute. */
static void draw_cells(tui_app *a, drift_view *d, const layout *l, int y, int f, bool cur_row)
{
    char run[2048];
    size_t len = 0;
    int run_x = l->x0, run_cols = 0;
    attr_t run_at = 0;
    const double *vals = d->g.value[d->metric];
    int end = d->left + l->vw < (int)d->g.nw ? d->left + l->vw : (int)d->g.nw;
    for (int w = d->left; w <= end; w++) {
        attr_t at = 0;
        const char *g = "", *second = "";
        if (w < end) {
            size_t i = (size_t)f * d->g.nw + (size_t)w;
            int step = d->g.status[i] < 0 ? 0 : heat_step(&d->pol, d->metric, vals[i]);
            /* never more than the metric's test says: a few rows' large PSI that decides
             * nothing (drift.psi.min_rows) is not painted as an alert, even in a cell that
             * another test makes one */
            md_level own = md_grid_level(&d->g, i, metric_test[d->metric]);
            int most = own == MD_LEVEL_OK ? 2 : own == MD_LEVEL_WARN ? 4 : 5;
            step = step > most ? most : step;
            at = cur_row && w == d->cw ? tui_attr(TUI_SELECTED) : tui_heat_attr(step);
            g = tui_heat_glyph(a, step);
            second = d->g.status[i] == 2 ? "!" : d->g.status[i] == 1 ? "*" : g;
        }
        bool flush = w == end || at != run_at || len + 16 > sizeof run;
        if (flush && run_cols) {
            run[len] = '\0';
            tui_put_attr(a, y, run_x, run_cols, run_at, run, false);
            run_x += run_cols;
            len = 0;
            run_cols = 0;
        }
        if (w == end)
            break;
        run_at = at;
        size_t gl = strlen(g), sl = strlen(second); /* glyphs are at most 4 bytes */
        memcpy(run + len, g, gl);
        memcpy(run + len + gl, second, sl);
        len += gl + sl;
        run_cols += 2;
    }
}

static void draw_grid(tui_app *a, drift_view *d, const layout *l, int y, int cols)
{
    for (int r = 0; r < l->vh; r++) {
        int row = d->top + r;
        tui_put(a, y + r, 0, cols, TUI_NORMAL, "", true);
        if (row >= d->nrows)
            continue;
        int f = d->rows[row];
        bool cur = row == d->cr;
        tui_put_ends(a, y + r, 0, l->name_w, cur ? TUI_SELECTED : TUI_NORMAL, d->g.features[f],
                     true);
        tui_put(a, y + r, l->name_w, 1, TUI_BORDER, tui_glyph(a, TUI_G_VLINE), false);
        draw_cells(a, d, l, y + r, f, cur);
    }
}

/* The legend's end, longest first: what a blank cell and the marks mean. A mark ('!' alert,
 * '*' warn) is the feature-window's verdict over every test, not the metric shown: a KS map may
 * show a calm cell marked for its missingness, and the status line names the tests behind it. */
static const char *const legend_tails[] = {
    "blank: none  !: alert, *: warn, by any test, not only the one shown",
    "blank: none  !: alert *: warn by any test", "!: alert *: warn by any test",
    "!: alert *: warn"};

/* The scale with its breakpoints, then what blanks and marks mean: the widest form that fits
 * (steps two columns apart, else one). */
static void draw_legend(tui_app *a, drift_view *d, int y, int cols)
{
    tui_put(a, y, 0, cols, TUI_NORMAL, "", true);
    double b[4];
    breakpoints(&d->pol, d->metric, b);
    const char *ge = a->utf8 ? "\u2265" : ">=";
    int steps[5] = {1, 2, 3, 4, 5}, nsteps = 5, width = 0;
    char label[5][32];
    if (d->metric == MD_GRID_SCHEMA)
        steps[1] = schema_step(&d->pol), nsteps = 2;
    for (int i = 0; i < nsteps; i++) {
        if (d->metric == MD_GRID_SCHEMA)
            snprintf(label[i], sizeof label[i], i ? "%s1" : "0", ge);
        else
            snprintf(label[i], sizeof label[i], "%s%g", i < 4 ? "<" : ge, b[i < 4 ? i : 3]);
        width += 3 + tui_width(label[i]); /* two glyphs, a blank, the label */
    }
    int gap = 2, tail = 0, ntails = (int)(sizeof legend_tails / sizeof legend_tails[0]);
    while (tail + 1 < ntails &&
           1 + width + gap * (nsteps - 1) + gap + 1 + tui_width(legend_tails[tail]) > cols) {
        if (gap == 2 && tail > 0)
            gap = 1;
        else
            tail++;
    }
    int x = 1;
    for (int i = 0; i < nsteps && x < cols; i++) {
        char g[16];
        snprintf(g, sizeof g, "%s%s", tui_heat_glyph(a, steps[i]), tui_heat_glyph(a, steps[i]));
        x += tui_put_attr(a, y, x, cols - x, tui_heat_attr(steps[i]), g, false) + 1;
        x += tui_put(a, y, x, cols - x, TUI_NORMAL, label[i], false) + gap;
    }
    x += 1;
    if (x < cols)
        tui_put(a, y, x, cols - x, TUI_DIM, legend_tails[tail], false);
}

static void draw_thresholds(tui_app *a, drift_view *d, int y, int cols)
{
    char line[256];
    const md_drift_policy *p = &d->pol;
    switch (d->metric) {
    case MD_GRID_KS:
        snprintf(line, sizeof line, "policy: KS is %s when p < %g and D >= %g",
                 md_level_name(p->ks_level), p->ks_pvalue, p->ks_min_d);
        break;
    case MD_GRID_MISSING:
        snprintf(line, sizeof line,
                 "policy: missing delta warn at |delta| >= %g, alert at >= %g, if p < %g",
                 p->missing_warn, p->missing_alert, p->missing_pvalue);
        break;
    case MD_GRID_SCHEMA:
        snprintf(line, sizeof line,
                 "policy: a schema change (absent column, type error, new category) is %s",
                 md_level_name(p->schema_level));
        break;
    default:
        snprintf(line, sizeof line,
                 "policy: PSI warn %g, alert %g, > null p%g, on %d+ values or counts p<%g",
                 p->psi_warn, p->psi_alert, p->psi_null_quantile * 100, p->psi_min_rows,
                 p->psi_small_pvalue);
        break;
    }
    tui_put(a, y, 1, cols - 1, TUI_DIM, line, true);
}

static void draw_empty(tui_app *a, drift_view *d, tui_view *v, int y, int rows, int cols)
{
    char line[320], hint[320] = "", more[64] = "";
    if (!d->g.nw) {
        snprintf(line, sizeof line, "v%lld has no windows yet.", (long long)d->g.version);
        snprintf(hint, sizeof hint, "A scoring log adds them: modeldeck ingest %s %lld FILE",
                 d->model, (long long)d->g.version);
        if (d->nversions > 1)
            snprintf(more, sizeof more, "%s: another version", tui_action_key(TUI_A_VERSION));
    } else if (!d->g.nf) {
        snprintf(line, sizeof line, "v%lld's windows have no features to compare.",
                 (long long)d->g.version);
    } else {
        snprintf(line, sizeof line, "No feature matches the filter /%s%s.",
                 v->filter_invert ? "!" : "", v->filter);
        snprintf(hint, sizeof hint, "%s clears it.", tui_action_key(TUI_A_BACK));
    }
    fill_rows(a, y, y + rows, cols);
    tui_put(a, y + 1, 2, cols - 4, TUI_NORMAL, line, false);
    tui_put(a, y + 2, 2, cols - 4, TUI_DIM, hint, false);
    tui_put(a, y + 3, 2, cols - 4, TUI_DIM, more, false);
}

static void draw(tui_app *a, tui_view *v, int top, int rows, int cols)
{
    drift_view *d = v->st;
    draw_title(a, d, top, cols);
    if (!d->g.nw || !d->nrows) {
        draw_empty(a, d, v, top + 1, rows - 1, cols);
        return;
    }
    layout l = measure(d, rows, cols);
    keep_in_view(d->cr, l.vh, d->nrows, &d->top);
    keep_in_view(d->cw, l.vw, (int)d->g.nw, &d->left);
    d->page_r = l.vh;
    d->page_w = l.vw;
    draw_header(a, d, &l, top + 1, cols);
    draw_grid(a, d, &l, top + 3, cols);
    draw_legend(a, d, top + rows - 2, cols);
    draw_thresholds(a, d, top + rows - 1, cols);
}

/* ---- the status line, breadcrumbs, filter ---------------------------------------------------- */

/* The value exactly as `modeldeck drift --json` prints it (shortest text that reads back). */
static void cell_value(const drift_view *d, size_t i, char *out, size_t cap)
{
    double x = d->g.value[d->metric][i];
    char num[32];
    if (isnan(x))
        snprintf(out, cap, "null");
    else if (d->metric == MD_GRID_SCHEMA) /* an integer in the JSON */
        snprintf(out, cap, "%.0f", x);
    else
        md_fmt_double(x, num), snprintf(out, cap, "%s", num);
}

/* The cell's status and, for warn and alert, the tests whose level it is ("alert by
 * KS+missing"): the status and the '!' are the verdict over every test, which the metric on
 * screen may have had no part in. */
static void verdict(const drift_view *d, size_t i, char *out, size_t cap)
{
    static const char *const st[] = {"ok", "warn", "alert"};
    size_t n = (size_t)snprintf(out, cap, "%s", st[d->g.status[i]]);
    int k = 0;
    for (int t = 0; d->g.status[i] > 0 && t < MD_DRIFT_TEST_COUNT && n < cap; t++)
        if ((int)md_grid_level(&d->g, i, (md_drift_test)t) == d->g.status[i])
            n += (size_t)snprintf(out + n, cap - n, "%s%s", k++ ? "+" : " by ",
                                  md_drift_test_name((md_drift_test)t));
    if (d->g.status[i] > 0 && !k && n < cap) /* stored so; no test gives it under today's */
        snprintf(out + n, cap - n, " under an earlier policy");
}

static void status(tui_app *a, tui_view *v, char *out, size_t cap)
{
    drift_view *d = v->st;
    if (!d->has_g || !d->nrows || !d->g.nw)
        return;
    int f = d->rows[d->cr];
    size_t i = (size_t)f * d->g.nw + (size_t)d->cw;
    if (d->g.status[i] < 0) {
        int used = snprintf(out, cap, "no data %s ", d->g.windows[d->cw]);
        if (used > 0 && (size_t)used < cap)
            tui_cut_ends(a, d->g.features[f], a->cols - 9 - used, out + used, cap - (size_t)used);
        return;
    }
    char val[40], why[96];
    cell_value(d, i, val, sizeof val);
    verdict(d, i, why, sizeof why);
    /* the value first, with why a large PSI of a few values decides nothing
     * (drift.psi.min_rows); a long feature name is what gets cut on a narrow line, in its
     * middle as in the heatmap (the status line leaves "? help" room) */
    char few[96] = "";
    int64_t n = d->g.present[i];
    if (d->metric == MD_GRID_PSI && n >= 0 && n < d->pol.psi_min_rows)
        snprintf(few, sizeof few, " (%lld value%s < %d)", (long long)n, n == 1 ? "" : "s",
                 d->pol.psi_min_rows);
    int used = snprintf(out, cap, "%s %s%s %s %s ", metric_label[d->metric], val, few, why,
                        d->g.windows[d->cw]);
    if (used < 0 || (size_t)used >= cap)
        return;
    int room = a->cols - 9 - tui_width(out);
    tui_cut_ends(a, d->g.features[f], room < 12 ? 12 : room, out + used, cap - (size_t)used);
}

static void crumb(tui_view *v, char *out, size_t cap)
{
    drift_view *d = v->st;
    if (d->has_g)
        snprintf(out, cap, "drift %s v%lld %s", d->model, (long long)d->g.version,
                 metric_label[d->metric]);
    else
        snprintf(out, cap, "drift %s", d->model);
}

static bool matches(tui_view *v, int row, const char *text)
{
    drift_view *d = v->st;
    return row >= 0 && row < d->nrows && feature_matches(d->g.features[d->rows[row]], text);
}

/* ---- actions --------------------------------------------------------------------------------- */

static const char *unavailable(tui_app *a, tui_view *v, tui_action act)
{
    (void)a;
    drift_view *d = v->st;
    if (act == TUI_A_VERSION && d->nversions < 2)
        return "the model has only one version";
    if (act == TUI_A_ENTER && (!d->has_g || !d->nrows || !d->g.nw))
        return "no cell under the cursor";
    return NULL;
}

static int choose_version(tui_app *a, tui_view *v, drift_view *d)
{
    int64_t c = tui_choose_version(a, d->model, d->has_g ? d->g.version : 0);
    if (c > 0) {
        remember_cursor(d); /* the same cell in the other version, when it has it */
        d->want = c;
        a->version = d->want;
        tui_view_showing(v, d->model, d->want);
        v->stale = true;
    }
    return TUI_R_DRAW;
}

static int open_feature(tui_app *a, drift_view *d)
{
    const char *feature = d->g.features[d->rows[d->cr]], *window = d->g.windows[d->cw];
    snprintf(a->feature, sizeof a->feature, "%s", feature);
    snprintf(a->window, sizeof a->window, "%s", window);
    char arg[320];
    snprintf(arg, sizeof arg, "%s %lld %s %s", d->model, (long long)d->g.version, feature,
             window);
    tui_push(a, &tui_feature_view, arg);
    return TUI_R_DRAW;
}

static bool cursor_move(drift_view *d, tui_action act)
{
    int page = d->page_r > 1 ? d->page_r - 1 : 1;
    switch (act) {
    case TUI_A_UP:
        d->cr--;
        break;
    case TUI_A_DOWN:
        d->cr++;
        break;
    case TUI_A_PGUP:
        d->cr -= page;
        d->top -= page;
        break;
    case TUI_A_PGDN:
        d->cr += page;
        d->top += page;
        break;
    case TUI_A_TOP:
        d->cr = 0;
        break;
    case TUI_A_BOTTOM:
        d->cr = d->nrows - 1;
        break;
    case TUI_A_LEFT:
        d->cw--;
        break;
    case TUI_A_RIGHT:
        d->cw++;
        break;
    case TUI_A_WIN_PGLEFT:
        d->cw -= d->page_w > 1 ? d->page_w - 1 : 1;
        break;
    case TUI_A_WIN_PGRIGHT:
        d->cw += d->page_w > 1 ? d->page_w - 1 : 1;
        break;
    default:
        return false;
    }
    d->cr = d->cr >= d->nrows ? d->nrows - 1 : d->cr < 0 ? 0 : d->cr;
    d->cw = d->cw >= (int)d->g.nw ? (int)d->g.nw - 1 : d->cw < 0 ? 0 : d->cw;
    d->top = d->top < 0 ? 0 : d->top; /* draw() keeps the rest in view */
    return true;
}

static int key(tui_app *a, tui_view *v, tui_action act, int ch)
{
    (void)ch;
    drift_view *d = v->st;
    if (act == TUI_A_VERSION)
        return choose_version(a, v, d);
    if (!d->has_g)
        return TUI_R_UNHANDLED;
    if (act == TUI_A_METRIC) {
        d->metric = (md_grid_metric)((d->metric + 1) % MD_GRID_METRIC_COUNT);
        return TUI_R_DRAW;
    }
    if (!d->nrows || !d->g.nw)
        return TUI_R_UNHANDLED;
    if (cursor_move(d, act))
        return TUI_R_DRAW;
    if (act == TUI_A_ENTER)
        return open_feature(a, d);
    return TUI_R_UNHANDLED;
}

static void free_view(tui_view *v)
{
    drift_clear(v->st);
}

static const tui_action actions[] = {TUI_A_METRIC,     TUI_A_VERSION,     TUI_A_ENTER,
                                     TUI_A_WIN_PGLEFT, TUI_A_WIN_PGRIGHT, TUI_A_NONE};

const tui_view_ops tui_drift_view = {
    .name = "drift",
    .title = "Drift",
    .state_size = sizeof(drift_view),
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
};
