/* Screen 3, calibration: for one window, the score deciles with the predicted and the observed
 * positive rate side by side; under them, ECE, Brier, the Hosmer-Lemeshow p-value, AUC and its
 * change from the baseline across every window. [ and ] step through the windows.
 *
 * Why: a model can keep its AUC while its probabilities drift away from the truth, and the
 * campaigns that spend by expected value pay for it. The decile table shows where (which score
 * range over- or under-predicts); the trends show since when. Everything is read once per load
 * from md_calibration_json; stepping between windows reads nothing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incidents.h"
#include "internal.h"
#include "json.h"
#include "mem.h"
#include "models.h"
#include "numparse.h"
#include "policies.h"
#include "results.h"

typedef struct {
    double lo, hi, expected, observed; /* NaN when the decile has no labeled rows */
    int64_t n;
} decile;

/* The trends, in the order they are drawn. */
#define TRENDS(X)                                                                                  \
    X(ECE, "ECE", "ece")                                                                           \
    X(BRIER, "Brier", "brier")                                                                     \
    X(HLP, "HL p-value", "hl_pvalue")                                                              \
    X(AUC, "AUC", "auc")                                                                           \
    X(DAUC, "delta AUC", "delta_auc")

enum {
#define MD_X(id, label, field) T_##id,
    TRENDS(MD_X)
#undef MD_X
        T_COUNT
};
static const char *const trend_label[T_COUNT] = {
#define MD_X(id, label, field) label,
    TRENDS(MD_X)
#undef MD_X
};
static const char *const trend_field[T_COUNT] = {
#define MD_X(id, label, field) field,
    TRENDS(MD_X)
#undef MD_X
};

typedef struct {
    char key[32];
    int64_t rows, labeled;
    double v[T_COUNT]; /* NaN when null */
    double hl_stat;
    bool hl_adequate; /* its chi-square holds: the p-value may decide (md_hl_adequate) */
    decile *dec;
    size_t ndec;
    bool has_latency; /* the log had a latency column: its percentiles (ms) and share over SLA */
    double p50, p95, p99, over_sla; /* over_sla NaN without an SLA */
} cwindow;

typedef struct {
    char model[65];
    int64_t want;     /* 0: production */
    int64_t version;  /* resolved */
    char vstatus[16];
    bool stand_in;    /* no production version: the newest with windows is shown */
    int nversions;
    md_incident_policy pol;
    bool has_sla; /* the model's latency SLA, for the latency line */
    int64_t sla_ms;
    cwindow *w;
    size_t nw;
    int cur;          /* the window shown */
    char keep[32];    /* the window to show after the next load */
    char note[160];   /* why another window than the one asked for is shown ("" none) */
} calib_view;

/* ---- opening and loading --------------------------------------------------------------------- */

/* "MODEL [VERSION] [WINDOW]"; without it, the model in focus elsewhere (else the first). */
static bool open_view(tui_app *a, tui_view *v, const char *arg, char *why, size_t cap)
{
    calib_view *c = v->st;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", arg ? arg : "");
    char *save = NULL, *tok = strtok_r(buf, " ", &save);
    if (tok) {
        snprintf(c->model, sizeof c->model, "%s", tok);
        if (!tui_model_known(a, c->model, why, cap))
            return false;
        tok = strtok_r(NULL, " ", &save);
        if (tok && strchr(tok, '-') == NULL && tui_parse_version(tok, &c->want))
            tok = strtok_r(NULL, " ", &save);
        if (tok)
            snprintf(c->keep, sizeof c->keep, "%s", tok);
    } else if (!tui_focus_model(a, c->model, sizeof c->model, &c->want, why, cap)) {
        return false;
    }
    snprintf(a->model, sizeof a->model, "%s", c->model);
    a->version = c->want;
    tui_view_showing(v, c->model, c->want);
    return true;
}

static void windows_free(calib_view *c)
{
    for (size_t i = 0; i < c->nw; i++)
        free(c->w[i].dec);
    free(c->w);
    c->w = NULL;
    c->nw = 0;
}

static double jnum(json_t *o, const char *k)
{
    json_t *x = json_object_get(o, k);
    return json_is_number(x) ? json_number_value(x) : NAN;
}

static void read_window(json_t *o, cwindow *w)
{
    snprintf(w->key, sizeof w->key, "%s", json_string_value(json_object_get(o, "window")));
    w->rows = json_integer_value(json_object_get(o, "rows"));
    w->labeled = json_integer_value(json_object_get(o, "labeled"));
    for (int t = 0; t < T_COUNT; t++)
        w->v[t] = jnum(o, trend_field[t]);
    w->hl_stat = jnum(o, "hl_stat");
    json_t *lat = json_object_get(o, "latency");
    w->has_latency = json_is_object(lat) && json_is_number(json_object_get(lat, "p50"));
    w->p50 = jnum(lat, "p50"), w->p95 = jnum(lat, "p95"), w->p99 = jnum(lat, "p99");
    w->over_sla = jnum(lat, "over_sla");
    json_t *ds = json_object_get(o, "deciles"), *d;
    w->hl_adequate = md_hl_adequate(ds);
    size_t i;
    w->dec = md_xcalloc(json_array_size(ds) + 1, sizeof *w->dec);
    json_array_foreach(ds, i, d)
    {
        decile *x = &w->dec[w->ndec++];
        x->lo = jnum(d, "lo");
        x->hi = jnum(d, "hi");
        x->n = json_integer_value(json_object_get(d, "n"));
        x->expected = jnum(d, "expected");
        x->observed = jnum(d, "observed");
    }
}

/* The version to read: the one asked for, else production, else the newest with windows (a
 * stand-in, said in the title); with its stage. */
static md_status pick_version(tui_app *a, calib_view *c, int64_t *number, md_err *err)
{
    md_version_row *vr;
    size_t nv;
    if (md_overview_versions(a->s, c->model, &vr, &nv, err) != MD_OK)
        return err->code;
    c->nversions = (int)nv;
    c->vstatus[0] = '\0';
    c->stand_in = false;
    *number = c->want;
    for (size_t i = 0; *number == 0 && i < nv; i++)
        if (!strcmp(vr[i].status, "production"))
            *number = vr[i].number;
    for (size_t i = 0; *number == 0 && i < nv; i++) /* newest first */
        if (vr[i].windows > 0 || i + 1 == nv) {
            *number = vr[i].number;
            c->stand_in = true;
        }
    for (size_t i = 0; i < nv; i++)
        if (vr[i].number == *number)
            snprintf(c->vstatus, sizeof c->vstatus, "%s", vr[i].status);
    md_version_rows_free(vr, nv);
    if (!nv)
        return md_err_set(err, MD_NOTFOUND,
                          "%s has no versions yet: 'modeldeck version add %s' registers one",
                          c->model, c->model);
    return MD_OK;
}

/* The window asked for (or kept), else the latest with labels, else the latest; a window asked
 * for and not there (an ingest --replace emptied it, a typo) is said, as the drift screen says
 * it. */
static void pick_window(calib_view *c)
{
    c->cur = -1;
    c->note[0] = '\0';
    for (size_t k = 0; k < c->nw; k++)
        if (!strcmp(c->w[k].key, c->keep))
            c->cur = (int)k;
    bool asked = c->cur < 0 && c->keep[0];
    for (size_t k = c->nw; c->cur < 0 && k-- > 0;)
        if (c->w[k].labeled > 0)
            c->cur = (int)k;
    if (c->cur < 0)
        c->cur = c->nw ? (int)c->nw - 1 : 0;
    if (asked && c->nw)
        snprintf(c->note, sizeof c->note,
                 "no window %.32s: at the latest%s (it has %.32s .. %.32s)", c->keep,
                 c->cur + 1 < (int)c->nw ? " labeled" : "", c->w[0].key, c->w[c->nw - 1].key);
}

static md_status load(tui_app *a, tui_view *v, md_err *err)
{
    calib_view *c = v->st;
    if (c->nw)
        snprintf(c->keep, sizeof c->keep, "%s", c->w[c->cur].key);
    windows_free(c);
    json_t *doc;
    md_policy p;
    int64_t number = 0;
    if (pick_version(a, c, &number, err) != MD_OK ||
        md_calibration_json(a->s, c->model, number, NULL, &doc, err) != MD_OK)
        return err->code;
    if (md_policy_load(a->s, c->model, &p, err) != MD_OK) {
        json_decref(doc);
        return err->code;
    }
    c->pol = p.incidents;
    md_policy_free(&p);
    md_model m;
    md_err merr; /* the model read a moment ago: its SLA only colours the latency line */
    c->has_sla = false;
    if (md_model_get(a->s, c->model, &m, &merr) == MD_OK) {
        c->has_sla = m.has_sla;
        c->sla_ms = m.sla_ms;
        md_model_free(&m);
    }
    c->version = json_integer_value(json_object_get(doc, "version"));
    json_t *ws = json_object_get(doc, "windows"), *o;
    size_t i;
    c->w = md_xcalloc(json_array_size(ws) + 1, sizeof *c->w);
    json_array_foreach(ws, i, o) read_window(o, &c->w[c->nw++]);
    json_decref(doc);
    pick_window(c);
    return MD_OK;
}

/* ---- drawing --------------------------------------------------------------------------------- */

static void fill(tui_app *a, int y, int cols)
{
    tui_put(a, y, 0, cols, TUI_NORMAL, "", true);
}

/* Writes text at *x in role r and moves *x past it. */
static void seg(tui_app *a, int y, int *x, int cols, tui_role r, const char *text)
{
    if (*x < cols)
        *x += tui_put(a, y, *x, cols - *x, r, text, false);
}

/* "v2 production │ window 2026-11-25 (47/47) │ 1162/1200 labeled"; a window asked for and not
 * there is said in place of the window (the breadcrumbs name the one shown), the labeled count
 * following when there is room. */
static void draw_title(tui_app *a, calib_view *c, int y, int cols)
{
    const cwindow *w = &c->w[c->cur];
    const char *bar = tui_glyph(a, TUI_G_VLINE);
    char t[256], labeled[64];
    int n = snprintf(t, sizeof t, " v%lld %s%s %s ", (long long)c->version, c->vstatus,
                     c->stand_in ? " (no production)" : "", bar);
    if (c->note[0])
        snprintf(t + n, sizeof t - (size_t)n, "%s", c->note);
    else
        snprintf(t + n, sizeof t - (size_t)n, "window %s (%d/%zu)", w->key, c->cur + 1, c->nw);
    snprintf(labeled, sizeof labeled, " %s %lld/%lld labeled", bar, (long long)w->labeled,
             (long long)w->rows);
    if (!c->note[0] || tui_width(t) + tui_width(labeled) <= cols)
        snprintf(t + strlen(t), sizeof t - strlen(t), "%s", labeled);
    tui_put(a, y, 0, cols, TUI_TITLE, t, true);
}

/* The window's figures, flagged where the model's incident policy would flag them. */
static void draw_summary(tui_app *a, calib_view *c, int y, int cols)
{
    const cwindow *w = &c->w[c->cur];
    const md_incident_policy *p = &c->pol;
    char t[128], n1[32], n2[32];
    int x = 1;
    fill(a, y, cols);
    tui_num(w->v[T_ECE], 4, n1, sizeof n1);
    snprintf(t, sizeof t, "ECE %s  ", n1);
    seg(a, y, &x, cols, w->v[T_ECE] > p->ece_max ? TUI_WARN : TUI_NORMAL, t);
    tui_num(w->v[T_BRIER], 4, n1, sizeof n1);
    snprintf(t, sizeof t, "Brier %s  ", n1);
    seg(a, y, &x, cols, TUI_NORMAL, t);
    tui_num(w->hl_stat, 4, n1, sizeof n1), tui_num(w->v[T_HLP], 4, n2, sizeof n2);
    snprintf(t, sizeof t, "HL %s (p %s)  ", n1, n2);
    seg(a, y, &x, cols, w->v[T_HLP] < p->hl_pvalue ? TUI_WARN : TUI_NORMAL, t);
    tui_num(w->v[T_AUC], 4, n1, sizeof n1);
    snprintf(t, sizeof t, "AUC %s ", n1);
    seg(a, y, &x, cols, TUI_NORMAL, t);
    double d = w->v[T_DAUC];
    if (isnan(d))
        snprintf(t, sizeof t, "(delta -)");
    else
        snprintf(t, sizeof t, "(delta %+.4f)", d);
    seg(a, y, &x, cols, d <= p->p1_delta_auc ? TUI_ALERT
                        : d <= p->delta_auc_min ? TUI_WARN : TUI_NORMAL, t);
}

/* The window's latency, where the log had a latency column (a latency incident leads here): its
 * percentiles and the share over the model's SLA, flagged past the incident policy's share. */
static void draw_latency(tui_app *a, calib_view *c, int y, int cols)
{
    const cwindow *w = &c->w[c->cur];
    fill(a, y, cols);
    if (!w->has_latency)
        return;
    char t[160], n1[32], n2[32], n3[32];
    int x = 1;
    tui_num(w->p50, 4, n1, sizeof n1), tui_num(w->p95, 4, n2, sizeof n2);
    tui_num(w->p99, 4, n3, sizeof n3);
    snprintf(t, sizeof t, "latency p50 %s ms  p95 %s  p99 %s  ", n1, n2, n3);
    seg(a, y, &x, cols, TUI_NORMAL, t);
    if (!c->has_sla || isnan(w->over_sla))
        return;
    snprintf(t, sizeof t, "over the %lld ms SLA: %.1f%%", (long long)c->sla_ms, 100 * w->over_sla);
    seg(a, y, &x, cols, w->over_sla > c->pol.max_share_over_sla ? TUI_ALERT : TUI_NORMAL, t);
}

/* ---- the calibration rule's verdict ---------------------------------------------------------- */

/* The rule's two parts and its verdict, in full words or compact ones. */
typedef struct {
    char ece[96], hl[96], verdict[40];
    tui_role role;
} rule_text;

static void rule_ece(tui_app *a, const md_incident_policy *p, const cwindow *w,
                     const md_calibration_verdict *v, bool full, char *out, size_t cap)
{
    char num[32];
    if (isnan(w->v[T_ECE])) {
        snprintf(out, cap, "ECE -");
        return;
    }
    const char *le = a->utf8 ? "\u2264" : "<=", *ge = a->utf8 ? "\u2265" : ">=";
    tui_num(w->v[T_ECE], 3, num, sizeof num);
    int n = snprintf(out, cap, "ECE %s %s %g", num, v->ece_over ? ">" : le, p->ece_max);
    if (!v->ece_over || v->ece_counts)
        return;
    if (full) /* too few labels for ECE alone to decide */
        snprintf(out + n, cap - (size_t)n, " (needs %s%d labeled: has %lld)", ge,
                 p->ece_min_labeled, (long long)w->labeled);
    else
        snprintf(out + n, cap - (size_t)n, " (%lld labeled < %d)", (long long)w->labeled,
                 p->ece_min_labeled);
}

static void rule_hl(tui_app *a, const md_incident_policy *p, const cwindow *w,
                    const md_calibration_verdict *v, bool full, char *out, size_t cap)
{
    char num[32];
    const char *ge = a->utf8 ? "\u2265" : ">=";
    tui_num(w->v[T_HLP], 2, num, sizeof num);
    if (isnan(w->v[T_HLP]))
        snprintf(out, cap, "HL p -");
    else if (!v->hl_testable) /* its chi-square does not hold: the p-value says little */
        snprintf(out, cap, full ? "HL p %s untested: deciles too small" : "HL untested", num);
    else
        snprintf(out, cap, "HL p %s %s %g", num, v->hl_low ? "<" : ge, p->hl_pvalue);
}

static void rule_words(tui_app *a, const calib_view *c, bool full, bool full_verdict, rule_text *r)
{
    const cwindow *w = &c->w[c->cur];
    md_calibration_figures f = {.has_ece = !isnan(w->v[T_ECE]),
                                .has_hl_p = !isnan(w->v[T_HLP]),
                                .ece = w->v[T_ECE],
                                .hl_p = w->v[T_HLP],
                                .labeled = w->labeled,
                                .hl_adequate = w->hl_adequate};
    md_calibration_verdict v = md_calibration_rule(&c->pol, &f);
    rule_ece(a, &c->pol, w, &v, full, r->ece, sizeof r->ece);
    rule_hl(a, &c->pol, w, &v, full, r->hl, sizeof r->hl);
    bool passes = (f.has_ece && !v.ece_over) || (v.hl_testable && !v.hl_low);
    snprintf(r->verdict, sizeof r->verdict, "%s",
             v.miscalibrated ? "miscalibrated"
             : passes        ? "within policy"
             : full_verdict  ? "too few labels to judge"
                             : "no verdict");
    r->role = v.miscalibrated ? TUI_ALERT : passes ? TUI_OK : TUI_DIM;
}

/* One line: the policy's calibration rule (incidents.calibration) applied to this window, each
 * part with its threshold, then the verdict, as the incident rules reach it: "ECE 0.175 > 0.05
 * (needs >=2000 labeled: has 640) · HL p 2.4e-42 < 0.01: miscalibrated". The widest form that
 * fits: with "policy:" before it, without, the parts in short words, then the verdict too. */
static void draw_rule(tui_app *a, calib_view *c, int y, int cols)
{
    const char *sep = a->utf8 ? " \u00b7 " : " / ";
    rule_text r;
    const char *lead = "";
    for (int form = 0; form < 4; form++) {
        rule_words(a, c, form < 2, form < 3, &r);
        lead = form == 0 ? "policy: " : "";
        int need = 1 + tui_width(lead) + tui_width(r.ece) + tui_width(sep) + tui_width(r.hl) + 2 +
                   tui_width(r.verdict);
        if (need <= cols)
            break;
    }
    int x = 1;
    fill(a, y, cols);
    seg(a, y, &x, cols, TUI_DIM, lead);
    seg(a, y, &x, cols, TUI_NORMAL, r.ece);
    seg(a, y, &x, cols, TUI_DIM, sep);
    seg(a, y, &x, cols, TUI_NORMAL, r.hl);
    seg(a, y, &x, cols, TUI_NORMAL, ": ");
    seg(a, y, &x, cols, r.role, r.verdict);
}

/* A bar of v/max of `width` columns in its series' glyph and role. */
static void bar(tui_app *a, int y, int x, int width, double v, double max, bool second)
{
    char b[1024] = "";
    if (!isnan(v)) {
        int cells = max > 0 ? (int)lround(v / max * width) : 0;
        cells = v > 0 && cells == 0 ? 1 : cells;
        const char *g = second ? tui_glyph(a, TUI_G_BLOCK) : tui_heat_glyph(a, 3);
        for (int i = 0; i < cells && strlen(b) + 8 < sizeof b; i++)
            strcat(b, g);
    }
    tui_put(a, y, x, width, second ? TUI_BAR_B : TUI_BAR_A, b, true);
}

/* The table's columns before the bars: decile, score range, n, expected, observed, gap. */
#define DEC_FMT " %3s %-17.17s %6s %8s %8s %8s"
enum { DEC_TEXT = 57 };

static void draw_deciles(tui_app *a, calib_view *c, int y, int h, int cols)
{
    const cwindow *w = &c->w[c->cur];
    int bw = (cols - DEC_TEXT - 2) / 2, xb = DEC_TEXT + bw + 1;
    char t[256];
    fill(a, y, cols);
    snprintf(t, sizeof t, DEC_FMT, "DEC", "SCORE RANGE", "N", "EXPECTED", "OBSERVED", "GAP");
    tui_put(a, y, 0, DEC_TEXT, TUI_TITLE, t, false);
    int x = DEC_TEXT; /* the legend spans both bars: each bar alone is too narrow for it */
    seg(a, y, &x, cols, TUI_BAR_A, tui_heat_glyph(a, 3));
    seg(a, y, &x, cols, TUI_TITLE, " expected  ");
    seg(a, y, &x, cols, TUI_BAR_B, tui_glyph(a, TUI_G_BLOCK));
    seg(a, y, &x, cols, TUI_TITLE, " observed");
    double max = 0;
    for (size_t i = 0; i < w->ndec; i++)
        max = fmax(max, fmax(isnan(w->dec[i].expected) ? 0 : w->dec[i].expected,
                             isnan(w->dec[i].observed) ? 0 : w->dec[i].observed));
    for (int r = 0; r < h; r++) {
        fill(a, y + 1 + r, cols);
        if ((size_t)r >= w->ndec)
            continue;
        const decile *d = &w->dec[r];
        char num[16], range[96], lo[40], hi[40], n[24], e[32], o[32], gap[32];
        snprintf(num, sizeof num, "%d", r + 1);
        md_fmt_edge(d->lo, 3, false, lo); /* 0.9996 is not 1 */
        md_fmt_edge(d->hi, 3, false, hi);
        snprintf(range, sizeof range, "%s..%s", lo, hi);
        snprintf(n, sizeof n, "%lld", (long long)d->n);
        tui_num(d->expected, 4, e, sizeof e);
        tui_num(d->observed, 4, o, sizeof o);
        if (isnan(d->expected) || isnan(d->observed))
            snprintf(gap, sizeof gap, "-");
        else
            snprintf(gap, sizeof gap, "%+.4f", d->observed - d->expected);
        snprintf(t, sizeof t, DEC_FMT, num, range, n, e, o, gap);
        tui_put(a, y + 1 + r, 0, DEC_TEXT, TUI_NORMAL, t, false);
        bar(a, y + 1 + r, DEC_TEXT, bw, d->expected, max, false);
        bar(a, y + 1 + r, xb, bw, d->observed, max, true);
    }
}

static void draw_no_labels(tui_app *a, calib_view *c, int y, int h, int cols)
{
    const cwindow *w = &c->w[c->cur];
    char t[256];
    for (int r = 0; r < h + 1; r++)
        fill(a, y + r, cols);
    snprintf(t, sizeof t, "No labels in %s (%lld rows, none labeled): nothing to calibrate.",
             w->key, (long long)w->rows);
    tui_put(a, y + 1, 2, cols - 4, TUI_NORMAL, t, false);
    snprintf(t, sizeof t, "%s and %s move to another window.", tui_action_key(TUI_A_WIN_PREV),
             tui_action_key(TUI_A_WIN_NEXT));
    tui_put(a, y + 2, 2, cols - 4, TUI_DIM, t, false);
}

#define SPARK_X 13
#define SPARK_TEXT 34

static void draw_spark(tui_app *a, calib_view *c, int t, int y, int from, int n, int cols)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t w = 0; w < c->nw; w++)
        if (!isnan(c->w[w].v[t]))
            lo = fmin(lo, c->w[w].v[t]), hi = fmax(hi, c->w[w].v[t]);
    fill(a, y, cols);
    tui_put(a, y, 1, SPARK_X - 2, TUI_NORMAL, trend_label[t], false);
    for (int i = 0; i < n; i++) {
        int w = from + i;
        double x = c->w[w].v[t];
        int level = isnan(x) ? 0 : hi > lo ? 1 + (int)lround((x - lo) / (hi - lo) * 7) : 1;
        tui_put(a, y, SPARK_X + i, 1, w == c->cur ? TUI_SELECTED : TUI_BAR_B, tui_spark(a, level),
                true);
    }
    char text[128];
    int room = cols - SPARK_X - n - 1;
    tui_trend_figures(c->w[c->cur].v[t], lo, hi, false, room, text, sizeof text);
    tui_put(a, y, SPARK_X + n + 1, room, TUI_NORMAL, text, false);
}

static void draw_trends(tui_app *a, calib_view *c, int y, int cols)
{
    int n = cols - SPARK_X - 1 - SPARK_TEXT;
    if (n > (int)c->nw)
        n = (int)c->nw;
    int from = (int)c->nw - n; /* the latest windows, unless the shown one is older */
    if (c->cur < from)
        from = c->cur - n / 2 > 0 ? c->cur - n / 2 : 0;
    fill(a, y, cols);
    tui_trend_header(a, y, cols, "trends", c->w[from].key, c->w[from + n - 1].key, SPARK_X + n + 1);
    for (int k = 0; k < T_COUNT; k++)
        draw_spark(a, c, k, y + 1 + k, from, n, cols);
}

static void draw(tui_app *a, tui_view *v, int top, int rows, int cols)
{
    calib_view *c = v->st;
    if (!c->nw) {
        char t[256];
        for (int r = 0; r < rows; r++)
            fill(a, top + r, cols);
        snprintf(t, sizeof t, "%s v%lld has no windows yet: 'modeldeck ingest' adds a scoring log.",
                 c->model, (long long)c->version);
        tui_put(a, top + 1, 2, cols - 4, TUI_NORMAL, t, false);
        return;
    }
    int trend_rows = 1 + T_COUNT;
    /* title, summary, the rule's verdict, the table's titles; a gap before the trends */
    int dec_rows = rows - 4 - trend_rows - 1;
    draw_title(a, c, top, cols);
    if (c->w[c->cur].labeled > 0) {
        draw_summary(a, c, top + 1, cols);
        draw_rule(a, c, top + 2, cols);
        draw_deciles(a, c, top + 3, dec_rows, cols);
    } else {
        fill(a, top + 1, cols);
        fill(a, top + 2, cols);
        draw_no_labels(a, c, top + 3, dec_rows, cols);
    }
    draw_latency(a, c, top + rows - trend_rows - 1, cols);
    draw_trends(a, c, top + rows - trend_rows, cols);
}

/* ---- the rest -------------------------------------------------------------------------------- */

static void crumb(tui_view *v, char *out, size_t cap)
{
    calib_view *c = v->st;
    if (c->nw)
        snprintf(out, cap, "calibration %s v%lld %s", c->model, (long long)c->version,
                 c->w[c->cur].key);
    else
        snprintf(out, cap, "calibration %s", c->model);
}

/* The window's ECE as `modeldeck calibration --json` prints it. */
static void status(tui_app *a, tui_view *v, char *out, size_t cap)
{
    (void)a;
    calib_view *c = v->st;
    if (!c->nw || isnan(c->w[c->cur].v[T_ECE]))
        return;
    char num[32];
    md_fmt_double(c->w[c->cur].v[T_ECE], num);
    snprintf(out, cap, "ECE %s %s", num, c->w[c->cur].key);
}

static const char *unavailable(tui_app *a, tui_view *v, tui_action act)
{
    (void)a;
    calib_view *c = v->st;
    if (act == TUI_A_VERSION && c->nversions < 2)
        return "the model has only one version";
    if ((act == TUI_A_WIN_PREV && c->cur <= 0) ||
        (act == TUI_A_WIN_NEXT && c->cur + 1 >= (int)c->nw))
        return act == TUI_A_WIN_PREV ? "this is the first window" : "this is the latest window";
    return NULL;
}

static int choose_version(tui_app *a, tui_view *v, calib_view *c)
{
    int64_t k = tui_choose_version(a, c->model, c->version);
    if (k > 0) {
        c->want = k;
        a->version = c->want;
        tui_view_showing(v, c->model, c->want);
        v->stale = true; /* the same window in that version, when it has it */
    }
    return TUI_R_DRAW;
}

static int key(tui_app *a, tui_view *v, tui_action act, int ch)
{
    calib_view *c = v->st;
    if (act == TUI_A_NONE && tui_keymap_lookup("drift", ch) == TUI_A_VERSION) {
        /* v: the drift screen's version key, as bound there (the app checked nothing) */
        const char *why = tui_unavailable(a, v, TUI_A_VERSION);
        if (why) {
            tui_refuse(a, TUI_A_VERSION, why);
            return TUI_R_DRAW;
        }
        act = TUI_A_VERSION;
    }
    switch (act) {
    case TUI_A_VERSION:
        return choose_version(a, v, c);
    case TUI_A_WIN_PREV:
    case TUI_A_LEFT:
        c->cur = c->cur > 0 ? c->cur - 1 : 0;
        break;
    case TUI_A_WIN_NEXT:
    case TUI_A_RIGHT:
        c->cur = c->cur + 1 < (int)c->nw ? c->cur + 1 : c->cur;
        break;
    case TUI_A_TOP:
        c->cur = 0;
        break;
    case TUI_A_BOTTOM:
        c->cur = c->nw ? (int)c->nw - 1 : 0;
        break;
    default:
        return TUI_R_UNHANDLED;
    }
    c->note[0] = '\0'; /* a window of the user's choosing now */
    if (c->nw)
        snprintf(a->window, sizeof a->window, "%s", c->w[c->cur].key);
    return TUI_R_DRAW;
}

static void free_view(tui_view *v)
{
    windows_free(v->st);
}

static const tui_action actions[] = {TUI_A_WIN_PREV, TUI_A_WIN_NEXT, TUI_A_VERSION, TUI_A_NONE};

const tui_view_ops tui_calibration_view = {
    .name = "calibration",
    .title = "Calibration",
    .state_size = sizeof(calib_view),
    .open = open_view,
    .load = load,
    .draw = draw,
    .key = key,
    .free = free_view,
    .crumb = crumb,
    .status = status,
    .unavailable = unavailable,
    .actions = actions,
};
