/* Drawing text safely: sanitized, measured in display columns, cut with an ellipsis; glyphs in
 * Unicode or ASCII. Nothing from data reaches the terminal without passing through tui_put. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "internal.h"
#include "mem.h"
#include "text.h"

static const char *const glyphs_utf8[TUI_G_COUNT] = {
    "\u2500", "\u2502", "\u250c", "\u2510", "\u2514", "\u2518", "\u2026", "\u203a",
    "\u25b2", "\u25bc", "\u2588", "\u2022", "\u2713", "\u2717"};
static const char *const glyphs_ascii[TUI_G_COUNT] = {"-", "|", "+", "+", "+", "+", "~", ">",
                                                      "^", "v", "#", "*", "+", "x"};

const char *tui_glyph(const tui_app *a, tui_glyph_id g)
{
    if (g >= TUI_G_COUNT)
        return "?";
    return a->utf8 ? glyphs_utf8[g] : glyphs_ascii[g];
}

const char *tui_spark(const tui_app *a, int level)
{
    static const char *const utf8[9] = {" ", "\u2581", "\u2582", "\u2583", "\u2584",
                                        "\u2585", "\u2586", "\u2587", "\u2588"};
    static const char *const ascii[9] = {" ", ".", ":", "-", "=", "+", "*", "#", "%"};
    level = level < 0 ? 0 : level > 8 ? 8 : level;
    return a->utf8 ? utf8[level] : ascii[level];
}

const char *tui_heat_glyph(const tui_app *a, int step)
{
    /* density reads in monochrome: nothing, then lighter to darker */
    static const char *const utf8[TUI_HEAT_STEPS] = {" ", "\u00b7", "\u2591", "\u2592", "\u2593",
                                                     "\u2588"};
    static const char *const ascii[TUI_HEAT_STEPS] = {" ", ".", ":", "+", "#", "@"};
    step = step < 0 ? 0 : step >= TUI_HEAT_STEPS ? TUI_HEAT_STEPS - 1 : step;
    return a->utf8 ? utf8[step] : ascii[step];
}

/* ---- text ------------------------------------------------------------------------------------------ */

/* Decodes one UTF-8 sequence (input already valid after sanitizing); returns its length. */
static size_t decode(const unsigned char *p, unsigned *cp)
{
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    if ((p[0] & 0xE0) == 0xC0 && p[1]) {
        *cp = ((unsigned)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
        return 2;
    }
    if ((p[0] & 0xF0) == 0xE0 && p[1] && p[2]) {
        *cp = ((unsigned)(p[0] & 0x0F) << 12) | ((unsigned)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        return 3;
    }
    if ((p[0] & 0xF8) == 0xF0 && p[1] && p[2] && p[3]) {
        *cp = ((unsigned)(p[0] & 0x07) << 18) | ((unsigned)(p[1] & 0x3F) << 12) |
              ((unsigned)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
        return 4;
    }
    *cp = '?';
    return 1;
}

/* A code point's columns; in a non-UTF-8 locale everything outside ASCII shows as '?'. */
static int cp_width(bool utf8, unsigned *cp)
{
    if (*cp < 0x80)
        return 1;
    if (!utf8) {
        *cp = '?';
        return 1;
    }
    int w = wcwidth((wchar_t)*cp);
    if (w < 0) {
        *cp = 0xFFFD;
        return 1;
    }
    return w;
}

int tui_width(const char *text)
{
    char *clean = md_text_sanitize(text);
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)clean; *p;) {
        unsigned cp;
        p += decode(p, &cp);
        int cw = cp < 0x80 ? 1 : wcwidth((wchar_t)cp);
        w += cw < 0 ? 1 : cw;
    }
    free(clean);
    return w;
}

/* Text decoded for the terminal: code points and the columns each takes. */
typedef struct {
    wchar_t *cp;
    int *cw;
    size_t n;
    int cols;
} line;

static void line_decode(const tui_app *a, const char *clean, line *l)
{
    size_t len = strlen(clean);
    l->cp = md_xmalloc((len + 2) * sizeof *l->cp);
    l->cw = md_xmalloc((len + 1) * sizeof *l->cw);
    l->n = 0;
    l->cols = 0;
    for (const unsigned char *p = (const unsigned char *)clean; *p;) {
        unsigned cp;
        p += decode(p, &cp);
        l->cw[l->n] = cp_width(a->utf8, &cp);
        l->cols += l->cw[l->n];
        l->cp[l->n++] = (wchar_t)cp;
    }
}

/* How many leading characters fit in `room` columns (their columns in *used). */
static size_t head_fits(const line *l, int room, int *used)
{
    size_t k = 0;
    for (*used = 0; k < l->n && *used + l->cw[k] <= room; k++)
        *used += l->cw[k];
    return k;
}

/* Cuts the line to `width` columns with an ellipsis where text was taken out: at the end, or
 * in the middle (both ends kept: names that differ only at the end stay apart). */
static void line_cut(const tui_app *a, line *l, int width, bool middle)
{
    int room = width - 1, head_w;
    size_t head = head_fits(l, middle ? room - room / 2 : room, &head_w), tail = l->n;
    while (middle && tail > head && head_w + l->cw[tail - 1] <= room)
        head_w += l->cw[--tail];
    memmove(l->cp + head + 1, l->cp + tail, (l->n - tail) * sizeof *l->cp);
    memmove(l->cw + head + 1, l->cw + tail, (l->n - tail) * sizeof *l->cw);
    l->cp[head] = a->utf8 ? 0x2026 : '~';
    l->cw[head] = 1;
    l->n = head + 1 + (l->n - tail);
    l->cols = head_w + 1;
}

static int put_cut(tui_app *a, int y, int x, int width, attr_t at, const char *text, bool fill,
                   bool middle)
{
    if (width <= 0 || y < 0 || y >= a->rows || x >= a->cols)
        return 0;
    if (x + width > a->cols)
        width = a->cols - x;
    char *clean = md_text_sanitize(text);
    line l;
    line_decode(a, clean, &l);
    if (l.cols > width)
        line_cut(a, &l, width, middle);
    l.cp[l.n] = 0;
    attrset(at);
    mvaddnwstr(y, x, l.cp, (int)l.n);
    for (int i = l.cols; fill && i < width; i++)
        addch(' ');
    attrset(A_NORMAL);
    int used = l.cols;
    free(l.cp);
    free(l.cw);
    free(clean);
    return fill ? width : used;
}

/* cp as UTF-8 at out; returns its bytes (1 to 4). */
static size_t utf8_put(unsigned cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    size_t n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static const unsigned char lead[5] = {0, 0, 0xC0, 0xE0, 0xF0};
    for (size_t i = n - 1; i > 0; i--, cp >>= 6)
        out[i] = (char)(0x80 | (cp & 0x3F));
    out[0] = (char)(lead[n] | cp);
    return n;
}

void tui_cut_ends(const tui_app *a, const char *text, int width, char *out, size_t cap)
{
    char *clean = md_text_sanitize(text);
    line l;
    line_decode(a, clean, &l);
    if (width < 1)
        width = 1;
    if (l.cols > width)
        line_cut(a, &l, width, true);
    size_t n = 0;
    for (size_t i = 0; i < l.n && n + 5 <= cap; i++)
        n += utf8_put((unsigned)l.cp[i], out + n);
    if (cap)
        out[n < cap ? n : cap - 1] = '\0';
    free(l.cp);
    free(l.cw);
    free(clean);
}

int tui_put_attr(tui_app *a, int y, int x, int width, attr_t at, const char *text, bool fill)
{
    return put_cut(a, y, x, width, at, text, fill, false);
}

int tui_put_ends(tui_app *a, int y, int x, int width, tui_role r, const char *text, bool fill)
{
    return put_cut(a, y, x, width, tui_attr(r), text, fill, true);
}

int tui_put_attr_ends(tui_app *a, int y, int x, int width, attr_t at, const char *text, bool fill)
{
    return put_cut(a, y, x, width, at, text, fill, true);
}

int tui_put(tui_app *a, int y, int x, int width, tui_role r, const char *text, bool fill)
{
    return tui_put_attr(a, y, x, width, tui_attr(r), text, fill);
}

int tui_putf(tui_app *a, int y, int x, int width, tui_role r, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return tui_put(a, y, x, width, r, buf, false);
}

void tui_hline(tui_app *a, int y, int x, int width, tui_role r)
{
    if (y < 0 || y >= a->rows)
        return;
    attrset(tui_attr(r));
    const char *g = tui_glyph(a, TUI_G_HLINE);
    for (int i = 0; i < width && x + i < a->cols; i++)
        mvaddstr(y, x + i, g);
    attrset(A_NORMAL);
}

void tui_num(double v, int digits, char *out, size_t cap)
{
    if (isnan(v)) {
        snprintf(out, cap, "-");
        return;
    }
    snprintf(out, cap, "%.*g", digits, v);
}

static void trend_num(double v, bool whole, int digits, char *out, size_t cap)
{
    if (whole && isfinite(v))
        snprintf(out, cap, "%.0f", v);
    else
        tui_num(isinf(v) ? NAN : v, digits, out, cap);
}

void tui_trend_figures(double now, double lo, double hi, bool whole, int width, char *out,
                       size_t cap)
{
    for (int digits = 4; digits >= 2; digits--) {
        char t[32], l[32], h[32];
        trend_num(now, whole, digits, t, sizeof t);
        trend_num(lo, whole, digits, l, sizeof l);
        trend_num(hi, whole, digits, h, sizeof h);
        snprintf(out, cap, "%-9s min %s max %s", t, l, h);
        if (tui_width(out) <= width)
            return;
    }
}

/* ---- times at a glance --------------------------------------------------------------------- */

/* "45m", "5h", "3d": an age at a glance. */
void tui_fmt_age(int64_t ms, char *out, size_t cap)
{
    long long m = ms > 0 ? (long long)(ms / 60000) : 0;
    if (m < 60)
        snprintf(out, cap, "%lldm", m);
    else if (m < 48 * 60)
        snprintf(out, cap, "%lldh", m / 60);
    else
        snprintf(out, cap, "%lldd", m / 1440);
}

/* "2026-11-15 02:00" from stored ISO text; "-" when absent. */
void tui_short_time(const char *iso, char *out, size_t cap)
{
    if (!iso || !*iso)
        snprintf(out, cap, "-");
    else
        snprintf(out, cap, "%.10s %.5s", iso, strlen(iso) > 11 ? iso + 11 : "");
}

void tui_trend_header(tui_app *a, int y, int cols, const char *what, const char *from,
                      const char *to, int label_x)
{
    static const char labels[] = "this      over all windows";
    char range[96], t[160];
    int after = label_x + (int)strlen(labels) + 1;
    /* the range whole, else without the years ("10-01T05 … 10-02T12": hourly keys are long) */
    for (int shortened = 0; shortened < 2; shortened++) {
        size_t skip = shortened && strlen(from) > 5 && strlen(to) > 5 ? 5 : 0;
        snprintf(range, sizeof range, "%s %s %s", from + skip, tui_glyph(a, TUI_G_ELLIPSIS),
                 to + skip);
        snprintf(t, sizeof t, "%s, windows %s", what, range);
        int rw = tui_width(range);
        if (1 + tui_width(t) < label_x) {
            tui_put(a, y, 1, label_x - 1, TUI_TITLE, t, false);
            break;
        }
        if (cols - 1 - rw > after || shortened) {
            tui_put(a, y, 1, label_x - 1, TUI_TITLE, what, false);
            if (cols - 1 - rw > after) /* else the labels' figures say it row by row */
                tui_put(a, y, cols - 1 - rw, rw, TUI_TITLE, range, false);
            break;
        }
    }
    tui_put(a, y, label_x, cols - label_x, TUI_TITLE, labels, false);
}
