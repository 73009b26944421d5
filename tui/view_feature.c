/* The feature drill-down, pushed from a heatmap cell: the window's distribution beside the
 * baseline's as paired bars, the drift statistics with the contract and new categories, and the
 * feature's trend over every window for each metric. h/l (or [ and ]) step through windows.
 *
 * Why: a red cell says that something moved; this says how (which bins, which categories) and
 * since when. The baseline profile and the version's grid are read once per store change; a
 * step to another window reads only that window's drift rows. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "internal.h"
#include "json.h"
#include "mem.h"
#include "policies.h"
#include "results.h"
#include "text.h"

typedef struct {
    char label[96];
    double base, win; /* shares of the non-missing values */
    bool is_new;      /* a category the baseline never saw */
} fbin;

typedef struct {
    char model[65];
    int64_t want;     /* the version asked for; 0: production */
    char feature[129];
    char window[32];
    /* read once per store change */
    bool cached;
    int64_t cached_dv;
    int64_t version;  /* resolved */
    md_drift_policy pol;
    char **windows;   /* every window of the version, oldest first */
    size_t nw;
    double *trend[MD_GRID_METRIC_COUNT]; /* this feature's values per window (NaN: none) */
    signed char *tstatus;
    bool has_base;
    md_kind kind;
    int64_t base_rows, base_missing;
    md_contract_rule rule; /* allowed categories are counted, not kept */
    size_t n_allowed;
    double *edges;
    size_t nedges;
    int64_t *bcounts; /* numeric: per bin; categorical: per category */
    size_t nbcounts;
    md_strmap cats;   /* categorical: the baseline's categories, in its order */
    /* the window shown */
    json_t *row;      /* its drift row, NULL when the feature has none there */
    fbin *bins;
    size_t nb;
    int wi;           /* its index in windows, -1 when not there */
    int btop, bpage;  /* first bin shown, bins shown at the last draw */
} feature_view;

/* ---- opening --------------------------------------------------------------------------------- */

static bool parse_version(const char *t, int64_t *out)
{
    if (*t == 'v' || *t == 'V')
        t++;
    char *end;
    long long n = strtoll(t, &end, 10);
    if (!*t || *end || n < 0)
        return false;
    *out = n;
    return true;
}

static bool looks_like_window(const char *t)
{
    return t[0] >= '0' && t[0] <= '9' && strchr(t, '-') != NULL && !strchr(t, ' ');
}

/* Copies the next space-separated word of *p into out and moves *p past it. */
static void next_word(const char **p, char *out, size_t cap)
{
    while (**p == ' ')
        (*p)++;
    size_t n = strcspn(*p, " ");
    snprintf(out, cap, "%.*s", (int)n, *p);
    *p += n;
    while (**p == ' ')
        (*p)++;
}

/* "MODEL VERSION FEATURE WINDOW" (a feature name may hold spaces: the window is the last word);
 * what is left out comes from the context the other screens left. */
static bool open_view(tui_app *a, tui_view *v, const char *arg, char *why, size_t cap)
{
    feature_view *f = v->st;
    const char *p = arg ? arg : "";
    char word[129], rest[256];
    next_word(&p, f->model, sizeof f->model);
    if (!f->model[0])
        snprintf(f->model, sizeof f->model, "%s", a->model);
    f->want = a->version;
    const char *after_model = p;
    next_word(&p, word, sizeof word);
    if (!word[0] || !parse_version(word, &f->want))
        p = after_model;
    snprintf(rest, sizeof rest, "%s", p);
    for (size_t n = strlen(rest); n && rest[n - 1] == ' ';)
        rest[--n] = '\0';
    char *last = strrchr(rest, ' ');
    char *win = last ? last + 1 : rest;
    if (looks_like_window(win)) {
        snprintf(f->window, sizeof f->window, "%.31s", win);
        *(last ? last : rest) = '\0';
    } else {
        snprintf(f->window, sizeof f->window, "%s", a->window);
    }
    snprintf(f->feature, sizeof f->feature, "%.128s", rest[0] ? rest : a->feature);
    if (!f->model[0] || !f->feature[0]) {
        snprintf(why, cap, "which feature? Enter on a cell of the drift heatmap opens one");
        return false;
    }
    f->wi = -1;
    return true;
}

/* ---- loading --------------------------------------------------------------------------------- */

static void free_cache(feature_view *f)
{
    for (size_t i = 0; i < f->nw; i++)
        free(f->windows[i]);
    free(f->windows);
    for (int m = 0; m < MD_GRID_METRIC_COUNT; m++)
        free(f->trend[m]), f->trend[m] = NULL;
    free(f->tstatus);
    md_strmap_free(&f->cats);
    free(f->edges);
    free(f->bcounts);
    f->windows = NULL;
    f->tstatus = NULL;
    f->edges = NULL;
    f->bcounts = NULL;
    f->nw = f->nedges = f->nbcounts = 0;
    f->has_base = f->cached = false;
}

static void free_window(feature_view *f)
{
    json_decref(f->row);
    f->row = NULL;
    free(f->bins);
    f->bins = NULL;
    f->nb = 0;
}

/* The windows and this feature's row of the version's grid; the grid itself is let go. */
static md_status read_trend(tui_app *a, feature_view *f, md_err *err)
{
    md_grid g;
    if (md_overview_grid(a->s, f->model, f->want, &g, err) != MD_OK)
        return err->code;
    f->version = g.version;
    f->nw = g.nw;
    f->windows = g.windows;
    g.windows = NULL;
    g.nw = 0;
    size_t row = g.nf;
    for (size_t i = 0; i < g.nf; i++)
        if (!strcmp(g.features[i], f->feature))
            row = i;
    f->tstatus = md_xmalloc(f->nw + 1);
    for (int m = 0; m < MD_GRID_METRIC_COUNT; m++)
        f->trend[m] = md_xmalloc((f->nw + 1) * sizeof(double));
    for (size_t w = 0; w < f->nw; w++) {
        size_t i = row * f->nw + w; /* g.nw was f->nw */
        f->tstatus[w] = row < g.nf ? g.status[i] : -1;
        for (int m = 0; m < MD_GRID_METRIC_COUNT; m++)
            f->trend[m][w] = row < g.nf ? g.value[m][i] : NAN;
    }
    md_grid_free(&g);
    return MD_OK;
}

static void copy_baseline(feature_view *f, const md_bfeature *b)
{
    f->has_base = true;
    f->kind = b->kind;
    f->base_rows = b->rows;
    f->base_missing = b->missing;
    f->rule = b->rule;
    f->n_allowed = b->rule.has_allowed ? md_strmap_size(&b->rule.allowed) : 0;
    memset(&f->rule.allowed, 0, sizeof f->rule.allowed);
    if (b->kind == MD_NUMERIC) {
        f->nedges = b->nedges;
        f->edges = md_xmalloc((b->nedges + 1) * sizeof(double));
        memcpy(f->edges, b->edges, b->nedges * sizeof(double));
        f->nbcounts = b->nbins;
        f->bcounts = md_xcalloc(b->nbins + 1, sizeof(int64_t));
        memcpy(f->bcounts, b->counts, b->nbins * sizeof(int64_t));
        return;
    }
    f->nbcounts = md_strmap_size(&b->cats);
    f->bcounts = md_xcalloc(f->nbcounts + 1, sizeof(int64_t));
    for (size_t i = 0; i < f->nbcounts; i++) { /* distinct keys: index i stays i */
        const char *k = md_strmap_key(&b->cats, i);
        md_strmap_intern(&f->cats, k, strlen(k));
        f->bcounts[i] = b->cat_counts[i];
    }
}

static md_status read_cache(tui_app *a, feature_view *f, md_err *err)
{
    free_cache(f);
    md_policy p;
    if (read_trend(a, f, err) != MD_OK || md_policy_load(a->s, f->model, &p, err) != MD_OK)
        return err->code;
    f->pol = p.drift;
    md_policy_free(&p);
    md_baseline b;
    md_err ignored; /* without a baseline the window's bars stand alone */
    if (md_baseline_get(a->s, f->model, f->version, &b, &ignored) == MD_OK) {
        for (size_t i = 0; i < b.nfeatures; i++)
            if (!strcmp(b.features[i].name, f->feature))
                copy_baseline(f, &b.features[i]);
        md_baseline_free(&b);
    }
    f->cached = true;
    f->cached_dv = a->data_version;
    return MD_OK;
}

static double share(int64_t n, int64_t total)
{
    return total > 0 ? (double)n / (double)total : 0;
}

static int64_t sum(const int64_t *x, size_t n)
{
    int64_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return s;
}

static void num_label(double lo, double hi, bool last, char *out, size_t cap)
{
    snprintf(out, cap, "[%.4g, %.4g%s", lo, hi, last ? "]" : ")");
}

static void numeric_bins(tui_app *a, feature_view *f, json_t *hist)
{
    size_t n = f->nbcounts ? f->nbcounts : json_array_size(hist);
    int64_t total = 0, btotal = sum(f->bcounts, f->nbcounts);
    for (size_t i = 0; i < json_array_size(hist); i++)
        total += json_integer_value(json_array_get(hist, i));
    f->bins = md_xcalloc(n + 1, sizeof *f->bins);
    for (size_t i = 0; i < n; i++) {
        fbin *b = &f->bins[f->nb++];
        if (f->nedges >= 2 && i + 1 < f->nedges)
            num_label(f->edges[i], f->edges[i + 1], i + 2 == f->nedges, b->label, sizeof b->label);
        else if (f->nedges == 1) /* a constant baseline: the value, and anything else */
            snprintf(b->label, sizeof b->label, "%s %.6g", i ? (a->utf8 ? "\u2260" : "!=") : "=",
                     f->edges[0]);
        else
            snprintf(b->label, sizeof b->label, "bin %zu", i + 1);
        b->base = i < f->nbcounts ? share(f->bcounts[i], btotal) : 0;
        b->win = share(json_integer_value(json_array_get(hist, i)), total);
    }
}

static int bin_order(const void *x, const void *y)
{
    const fbin *p = x, *q = y;
    if (p->is_new != q->is_new)
        return p->is_new ? 1 : -1;
    if (p->base != q->base)
        return p->base > q->base ? -1 : 1;
    if (p->win != q->win)
        return p->win > q->win ? -1 : 1;
    return strcmp(p->label, q->label);
}

/* The union of the baseline's categories and the window's, the baseline's commonest first and
 * the new ones after them. */
/* A category as shown: a tab in it reads ^I, not as a space (md_text_sanitize_value). */
static void category_label(const char *cat, char *out, size_t cap)
{
    char *v = md_text_sanitize_value(cat);
    snprintf(out, cap, "%s", v);
    free(v);
}

static void categorical_bins(feature_view *f, json_t *hist)
{
    int64_t total = 0, btotal = sum(f->bcounts, f->nbcounts);
    const char *k;
    json_t *cnt;
    json_object_foreach(hist, k, cnt) total += json_integer_value(cnt);
    f->bins = md_xcalloc(f->nbcounts + json_object_size(hist) + 1, sizeof *f->bins);
    for (size_t i = 0; i < f->nbcounts; i++) {
        fbin *b = &f->bins[f->nb++];
        const char *cat = md_strmap_key(&f->cats, i);
        category_label(cat, b->label, sizeof b->label);
        b->base = share(f->bcounts[i], btotal);
        b->win = share(json_integer_value(json_object_get(hist, cat)), total);
    }
    json_object_foreach(hist, k, cnt)
    {
        if (md_strmap_find(&f->cats, k, strlen(k)) >= 0)
            continue;
        fbin *b = &f->bins[f->nb++];
        category_label(k, b->label, sizeof b->label);
        b->win = share(json_integer_value(cnt), total);
        b->is_new = true;
    }
    qsort(f->bins, f->nb, sizeof *f->bins, bin_order);
}

static md_status read_window(tui_app *a, feature_view *f, md_err *err)
{
    free_window(f);
    f->wi = -1;
    for (size_t i = 0; i < f->nw; i++)
        if (!strcmp(f->windows[i], f->window))
            f->wi = (int)i;
    if (f->wi < 0 && f->nw) { /* a window this version does not have: the latest */
        f->wi = (int)f->nw - 1;
        snprintf(f->window, sizeof f->window, "%s", f->windows[f->wi]);
    }
    if (f->wi < 0)
        return MD_OK;
    json_t *doc;
    if (md_drift_json(a->s, f->model, f->version, f->window, &doc, err) != MD_OK)
        return err->code;
    json_t *r;
    size_t i;
    json_array_foreach(json_object_get(doc, "drift"), i, r)
    {
        if (!f->row && !strcmp(json_string_value(json_object_get(r, "feature")), f->feature))
            f->row = json_incref(r);
    }
    json_decref(doc);
    json_t *hist = json_object_get(f->row, "hist");
    if (json_is_object(hist) || (!f->row && f->has_base && f->kind == MD_CATEGORICAL))
        categorical_bins(f, hist);
    else
        numeric_bins(a, f, hist);
    return MD_OK;
}

static md_status load(tui_app *a, tui_view *v, md_err *err)
{
    feature_view *f = v->st;
    if ((!f->cached || f->cached_dv != a->data_version) && read_cache(a, f, err) != MD_OK)
        return err->code;
    if (read_window(a, f, err) != MD_OK)
        return err->code;
    snprintf(a->window, sizeof a->window, "%s", f->window);
    snprintf(a->feature, sizeof a->feature, "%s", f->feature);
    return MD_OK;
}

/* ---- drawing --------------------------------------------------------------------------------- */

/* Writes text at *x in role r and moves *x past it. */
static void seg(tui_app *a, int y, int *x, int cols, tui_role r, const char *text)
{
    if (*x < cols)
        *x += tui_put(a, y, *x, cols - *x, r, text, false);
}

static double jnum(json_t *o, const char *k)
{
    json_t *x = json_object_get(o, k);
    return json_is_number(x) ? json_number_value(x) : NAN;
}

static long long jint(json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

static tui_role level_role(md_level l)
{
    return l == MD_LEVEL_ALERT ? TUI_ALERT : l == MD_LEVEL_WARN ? TUI_WARN : TUI_NORMAL;
}

static void fill(tui_app *a, int y, int cols)
{
    tui_put(a, y, 0, cols, TUI_NORMAL, "", true);
}

static void draw_title(tui_app *a, feature_view *f, int y, int cols)
{
    char text[320];
    const char *st = json_string_value(json_object_get(f->row, "status"));
    const char *kind = json_string_value(json_object_get(f->row, "kind"));
    if (!kind)
        kind = f->has_base ? (f->kind == MD_NUMERIC ? "numeric" : "categorical") : "";
    fill(a, y, cols);
    snprintf(text, sizeof text, "  %s %s v%lld %s window %s (%d/%zu) %s ", kind,
             tui_glyph(a, TUI_G_VLINE), (long long)f->version, tui_glyph(a, TUI_G_VLINE),
             f->window, f->wi + 1, f->nw, tui_glyph(a, TUI_G_VLINE));
    const char *verdict = st ? st : "no drift row";
    /* a long feature name gives way to the window and the verdict */
    int room = cols - 1 - tui_width(text) - tui_width(verdict);
    int x = 1 + tui_put(a, y, 1, room > 16 ? room : 16, TUI_TITLE, f->feature, false);
    seg(a, y, &x, cols, TUI_NORMAL, text);
    seg(a, y, &x, cols, st ? tui_status_role(st) : TUI_DIM, verdict);
}

/* PSI and KS, each in the role the policy gives it. */
static void draw_stats1(tui_app *a, feature_view *f, int y, int cols)
{
    const md_drift_policy *p = &f->pol;
    double psi = jnum(f->row, "psi"), null = jnum(f->row, "psi_null_p99");
    double ks = jnum(f->row, "ks"), ksp = jnum(f->row, "ks_pvalue");
    char t[160], n1[32], n2[32];
    int x = 1;
    fill(a, y, cols);
    /* coloured by the rule the status follows (over enough values, above its null) */
    md_level pl = md_psi_level(p, !isnan(psi), psi, isnan(null) ? -INFINITY : null,
                               jint(f->row, "present"), jnum(f->row, "mix_pvalue"));
    double mix = jnum(f->row, "mix_pvalue");
    tui_num(psi, 4, n1, sizeof n1), tui_num(null, 3, n2, sizeof n2);
    double most = jnum(f->row, "psi_max"); /* a range: new categories past those named */
    if (!isnan(most)) {
        size_t k = strlen(n1);
        snprintf(n1 + k, sizeof n1 - k, " to ");
        tui_num(most, 4, n1 + k + 4, sizeof n1 - k - 4);
    }
    snprintf(t, sizeof t, "PSI %s (null p99 %s)  ", n1, n2);
    if (!isnan(mix)) { /* where PSI's null fails, what decides instead */
        char n3[32];
        tui_num(mix, 2, n3, sizeof n3);
        snprintf(t, sizeof t, "PSI %s (null p99 %s, counts p %s)  ", n1, n2, n3);
    }
    seg(a, y, &x, cols, level_role(pl), t);
    tui_num(ks, 4, n1, sizeof n1), tui_num(ksp, 2, n2, sizeof n2);
    snprintf(t, sizeof t, "KS D %s (p %s)", n1, n2);
    bool ks_hit = md_ks_reaches(p, !isnan(ksp), ks, ksp);
    if (!isnan(ks) || f->kind == MD_NUMERIC) /* KS compares numbers only */
        seg(a, y, &x, cols, ks_hit ? level_role(p->ks_level) : TUI_NORMAL, t);
}

/* The column's values: how many, how many missing against the baseline (with the p-value the
 * missingness rule decides on: on a line of its own, so 80 columns never cut it), type errors. */
static void draw_stats2(tui_app *a, feature_view *f, int y, int cols)
{
    const md_drift_policy *p = &f->pol;
    char t[160], n1[32], n2[32];
    int x = 1;
    fill(a, y, cols);
    if (!f->row) {
        seg(a, y, &x, cols, TUI_DIM, "this window has no drift row for the feature");
        return;
    }
    snprintf(t, sizeof t, "rows %lld  present %lld  ", jint(f->row, "rows"),
             jint(f->row, "present"));
    seg(a, y, &x, cols, TUI_NORMAL, t);
    double mr = jnum(f->row, "missing_rate"), md = jnum(f->row, "missing_delta");
    double mp = jnum(f->row, "missing_pvalue");
    tui_num(mr, 3, n1, sizeof n1);
    snprintf(t, sizeof t, "missing %s (%s%.3g)  ", n1, md > 0 ? "+" : "", md); /* vs the baseline */
    if (md != 0 && !isnan(mp)) { /* and how likely by chance */
        tui_num(mp, 2, n2, sizeof n2);
        snprintf(t, sizeof t, "missing %s (%s%.3g, p %s)  ", n1, md > 0 ? "+" : "", md, n2);
    }
    if (isnan(md))
        snprintf(t, sizeof t, "missing %s  ", n1);
    md_level ml = isnan(md) ? MD_LEVEL_OK : md_missing_level(p, md, mp);
    seg(a, y, &x, cols, level_role(ml), t);
    if (json_is_true(json_object_get(f->row, "absent")))
        seg(a, y, &x, cols, TUI_ALERT, "column absent from the log  ");
    long long te = jint(f->row, "type_errors");
    snprintf(t, sizeof t, "type errors %lld", te);
    seg(a, y, &x, cols, te ? TUI_WARN : TUI_NORMAL, t);
}

/* Against the baseline's categories and the contract: schema changes and violations, the
 * contract they are counted against, then the categories never seen before. */
static void draw_stats3(tui_app *a, feature_view *f, int y, int cols)
{
    char t[512];
    int x = 1;
    fill(a, y, cols);
    if (!f->row)
        return;
    long long sc = jint(f->row, "schema_changes"), vi = jint(f->row, "violations");
    snprintf(t, sizeof t, "schema changes %lld  ", sc);
    seg(a, y, &x, cols, sc ? level_role(f->pol.schema_level) : TUI_NORMAL, t);
    snprintf(t, sizeof t, "violations %lld  ", vi);
    seg(a, y, &x, cols, vi ? TUI_ALERT : TUI_NORMAL, t);
    size_t n = (size_t)snprintf(t, sizeof t, "contract: ");
    const md_contract_rule *r = &f->rule;
    if (!r->present)
        n += (size_t)snprintf(t + n, sizeof t - n, "none");
    if (r->present && r->has_min)
        n += (size_t)snprintf(t + n, sizeof t - n, "min %g, ", r->min);
    if (r->present && r->has_max)
        n += (size_t)snprintf(t + n, sizeof t - n, "max %g, ", r->max);
    if (r->present && r->has_allowed)
        n += (size_t)snprintf(t + n, sizeof t - n, "%zu allowed values, ", f->n_allowed);
    if (r->present)
        snprintf(t + n, sizeof t - n, "%s", r->nullable ? "nullable" : "not nullable");
    seg(a, y, &x, cols, TUI_DIM, t);
    json_t *nc = json_object_get(f->row, "new_categories");
    if (!json_array_size(nc))
        return;
    /* more than the list shows: how many (estimated past the names a window keeps) */
    long long nd = jint(f->row, "new_categories_distinct");
    bool about = json_is_true(json_object_get(f->row, "new_categories_estimated"));
    if (nd > (long long)json_array_size(nc) || about)
        snprintf(t, sizeof t, "  %s %s%lld new: ", tui_glyph(a, TUI_G_VLINE), about ? "~" : "", nd);
    else
        snprintf(t, sizeof t, "  %s new: ", tui_glyph(a, TUI_G_VLINE));
    seg(a, y, &x, cols, TUI_NORMAL, t);
    json_t *c;
    size_t i;
    json_array_foreach(nc, i, c)
    {
        char *name = md_text_sanitize_value(json_string_value(c));
        snprintf(t, sizeof t, "%s%s", i ? ", " : "", name);
        free(name);
        seg(a, y, &x, cols, TUI_WARN, t);
    }
}

/* A bar of `cells` columns in the glyph and role of its series. */
static void bar(tui_app *a, int y, int x, int width, double v, double max, bool second)
{
    int cells = max > 0 ? (int)lround(v / max * width) : 0;
    if (v > 0 && cells == 0)
        cells = 1;
    char b[1024] = "";
    const char *g = second ? tui_glyph(a, TUI_G_BLOCK) : tui_heat_glyph(a, 3);
    for (int i = 0; i < cells && strlen(b) + 8 < sizeof b; i++)
        strcat(b, g);
    tui_put(a, y, x, width, second ? TUI_BAR_B : TUI_BAR_A, b, true);
}

typedef struct {
    int lw, bw, xa, xb; /* label width, bar width, the two series' columns */
} bars_layout;

static bars_layout bars_measure(const feature_view *f, int cols)
{
    bars_layout l;
    l.lw = 8;
    for (size_t i = 0; i < f->nb; i++) {
        int w = tui_width(f->bins[i].label) + (f->bins[i].is_new ? 4 : 0);
        l.lw = w > l.lw ? w : l.lw;
    }
    if (l.lw > cols / 4)
        l.lw = cols / 4;
    int half = (cols - l.lw - 2) / 2;
    if (half > 48) /* past this, longer bars only spread the eye */
        half = 48;
    l.bw = half - 8;
    l.xa = l.lw + 2;
    l.xb = l.xa + half;
    return l;
}

static void draw_bins(tui_app *a, feature_view *f, int y, int h, int cols)
{
    bars_layout l = bars_measure(f, cols);
    char t[160], g[16];
    fill(a, y, cols);
    snprintf(t, sizeof t, f->nb > (size_t)h ? "bin %d-%d of %zu" : "bin", f->btop + 1,
             f->btop + h < (int)f->nb ? f->btop + h : (int)f->nb, f->nb);
    tui_put(a, y, 1, l.lw, TUI_TITLE, t, false);
    snprintf(g, sizeof g, "%s%s", tui_heat_glyph(a, 3), tui_heat_glyph(a, 3));
    int x = l.xa;
    seg(a, y, &x, cols, TUI_BAR_A, g);
    snprintf(t, sizeof t, " baseline (%lld values)", (long long)sum(f->bcounts, f->nbcounts));
    seg(a, y, &x, l.xb, TUI_TITLE, f->has_base ? t : " no baseline profile");
    x = l.xb;
    snprintf(g, sizeof g, "%s%s", tui_glyph(a, TUI_G_BLOCK), tui_glyph(a, TUI_G_BLOCK));
    seg(a, y, &x, cols, TUI_BAR_B, g);
    snprintf(t, sizeof t, " window (%lld values)", jint(f->row, "present"));
    seg(a, y, &x, cols, TUI_TITLE, t);
    double max = 0;
    for (size_t i = 0; i < f->nb; i++)
        max = fmax(max, fmax(f->bins[i].base, f->bins[i].win));
    for (int r = 0; r < h; r++) {
        size_t i = (size_t)(f->btop + r);
        fill(a, y + 1 + r, cols);
        if (i >= f->nb)
            continue;
        const fbin *b = &f->bins[i];
        if (b->is_new && tui_width(b->label) + 4 > l.lw && l.lw > 5) {
            /* a long new category is cut before its marker, never the marker */
            tui_put(a, y + 1 + r, 1, l.lw - 4, TUI_WARN, b->label, true);
            tui_put(a, y + 1 + r, l.lw - 3, 4, TUI_WARN, " new", false);
        } else {
            snprintf(t, sizeof t, "%s%s", b->label, b->is_new ? " new" : "");
            tui_put(a, y + 1 + r, 1, l.lw, b->is_new ? TUI_WARN : TUI_NORMAL, t, false);
        }
        bar(a, y + 1 + r, l.xa, l.bw, b->base, max, false);
        snprintf(t, sizeof t, "%5.1f%%", b->base * 100);
        tui_put(a, y + 1 + r, l.xa + l.bw + 1, 6, TUI_NORMAL, f->has_base ? t : "", false);
        bar(a, y + 1 + r, l.xb, l.bw, b->win, max, true);
        snprintf(t, sizeof t, "%5.1f%%", b->win * 100);
        tui_put(a, y + 1 + r, l.xb + l.bw + 1, 6, TUI_NORMAL, t, false);
    }
}

static const char *const metric_label[MD_GRID_METRIC_COUNT] = {"PSI", "KS D", "missing d",
                                                              "schema"};

#define SPARK_X 12     /* where the sparklines begin */
#define SPARK_TEXT 34  /* the figures after them */

/* One metric over the windows [from, from + n): min..max over all windows set the scale. */
static void draw_spark(tui_app *a, feature_view *f, int m, int y, int from, int n, int cols)
{
    const double *t = f->trend[m];
    double lo = INFINITY, hi = -INFINITY;
    for (size_t w = 0; w < f->nw; w++)
        if (!isnan(t[w]))
            lo = fmin(lo, t[w]), hi = fmax(hi, t[w]);
    fill(a, y, cols);
    tui_put(a, y, 1, SPARK_X - 2, TUI_NORMAL, metric_label[m], false);
    for (int i = 0; i < n; i++) {
        int w = from + i;
        double x = t[w];
        int level = isnan(x) ? 0 : hi > lo ? 1 + (int)lround((x - lo) / (hi - lo) * 7) : 1;
        tui_put(a, y, SPARK_X + i, 1, w == f->wi ? TUI_SELECTED : TUI_BAR_B, tui_spark(a, level),
                true);
    }
    char text[128];
    int room = cols - SPARK_X - n - 1;
    tui_trend_figures(f->wi >= 0 ? t[f->wi] : NAN, lo, hi, m == MD_GRID_SCHEMA, room, text,
                      sizeof text);
    tui_put(a, y, SPARK_X + n + 1, room, TUI_NORMAL, text, false);
}

static void draw_trends(tui_app *a, feature_view *f, int y, int cols)
{
    int n = cols - SPARK_X - 1 - SPARK_TEXT;
    if (n > (int)f->nw)
        n = (int)f->nw;
    int from = (int)f->nw - n; /* the latest windows, unless the shown one is older */
    if (f->wi >= 0 && f->wi < from)
        from = f->wi - n / 2 > 0 ? f->wi - n / 2 : 0;
    fill(a, y, cols);
    if (!f->nw) {
        tui_put(a, y, 1, cols - 1, TUI_DIM, "no windows yet", false);
        return;
    }
    tui_trend_header(a, y, cols, "trend", f->windows[from], f->windows[from + n - 1],
                     SPARK_X + n + 1);
    for (int m = 0; m < MD_GRID_METRIC_COUNT; m++)
        draw_spark(a, f, m, y + 1 + m, from, n, cols);
}

static void draw(tui_app *a, tui_view *v, int top, int rows, int cols)
{
    feature_view *f = v->st;
    int trend_rows = 1 + MD_GRID_METRIC_COUNT;
    int bin_rows = rows - 5 - trend_rows; /* title, three of statistics, the bars' titles */
    if (f->btop > (int)f->nb - bin_rows)
        f->btop = (int)f->nb - bin_rows;
    if (f->btop < 0)
        f->btop = 0;
    f->bpage = bin_rows;
    draw_title(a, f, top, cols);
    draw_stats1(a, f, top + 1, cols);
    draw_stats2(a, f, top + 2, cols);
    draw_stats3(a, f, top + 3, cols);
    draw_bins(a, f, top + 4, bin_rows, cols);
    draw_trends(a, f, top + rows - trend_rows, cols);
}

/* ---- the rest -------------------------------------------------------------------------------- */

static void crumb(tui_view *v, char *out, size_t cap)
{
    feature_view *f = v->st;
    snprintf(out, cap, "%s @ %s", f->feature, f->window);
}

static void status(tui_app *a, tui_view *v, char *out, size_t cap)
{
    (void)a;
    feature_view *f = v->st;
    double psi = jnum(f->row, "psi");
    char num[32];
    if (isnan(psi))
        return;
    md_fmt_double(psi, num);
    snprintf(out, cap, "PSI %s %s", num, f->window);
}

static int step(tui_view *v, feature_view *f, int by)
{
    int w = f->wi + by;
    if (w < 0 || w >= (int)f->nw)
        return TUI_R_NONE;
    snprintf(f->window, sizeof f->window, "%s", f->windows[w]);
    v->stale = true; /* the next draw reads that window */
    return TUI_R_DRAW;
}

static int key(tui_app *a, tui_view *v, tui_action act, int ch)
{
    (void)a;
    feature_view *f = v->st;
    if (act == TUI_A_NONE) /* [ and ]: the calibration screen's window keys, as bound there */
        act = tui_keymap_lookup("calibration", ch);
    int page = f->bpage > 1 ? f->bpage - 1 : 1;
    switch (act) {
    case TUI_A_LEFT:
    case TUI_A_WIN_PREV:
        return step(v, f, -1);
    case TUI_A_RIGHT:
    case TUI_A_WIN_NEXT:
        return step(v, f, 1);
    case TUI_A_UP:
        f->btop--;
        return TUI_R_DRAW;
    case TUI_A_DOWN:
        f->btop++;
        return TUI_R_DRAW;
    case TUI_A_PGUP:
        f->btop -= page;
        return TUI_R_DRAW;
    case TUI_A_PGDN:
        f->btop += page;
        return TUI_R_DRAW;
    case TUI_A_TOP:
        f->btop = 0;
        return TUI_R_DRAW;
    case TUI_A_BOTTOM:
        f->btop = (int)f->nb;
        return TUI_R_DRAW;
    default:
        return TUI_R_UNHANDLED;
    }
}

static void free_view(tui_view *v)
{
    free_window(v->st);
    free_cache(v->st);
}

static const tui_action actions[] = {TUI_A_WIN_PREV, TUI_A_WIN_NEXT, TUI_A_NONE};

const tui_view_ops tui_feature_view = {
    .name = "feature",
    .title = "Feature",
    .state_size = sizeof(feature_view),
    .open = open_view,
    .load = load,
    .draw = draw,
    .key = key,
    .free = free_view,
    .crumb = crumb,
    .status = status,
    .actions = actions,
};
