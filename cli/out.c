/* Text and JSON output. Every string that came from data is sanitized before it is printed. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include "cli.h"
#include "json.h"
#include "mem.h"
#include "text.h"

int cli_fail(cli_ctx *c, const md_err *err)
{
    char *safe = cli_safe(err->msg);
    fprintf(stderr, "modeldeck: %s: %s\n", c->cmd ? c->cmd : "error", safe);
    free(safe);
    return err->code == MD_OK ? 1 : (int)err->code;
}

int cli_usage_error(cli_ctx *c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char *safe = cli_safe(msg);
    fprintf(stderr, "modeldeck: %s: %s\n", c->cmd ? c->cmd : "usage", safe);
    free(safe);
    if (c->usage)
        fprintf(stderr, "usage: modeldeck %s\n", c->usage);
    fprintf(stderr, "Try 'modeldeck %s --help'.\n", c->cmd ? c->cmd : "");
    return MD_INVALID;
}

int cli_print_json(json_t *v)
{
    if (!v) {
        fputs("modeldeck: internal error: no JSON to print\n", stderr);
        return 1;
    }
    char *s = md_json_dump(v, MD_JSON_INDENT);
    json_decref(v);
    puts(s);
    free(s);
    return 0;
}

char *cli_safe(const char *s)
{
    return md_text_sanitize(s);
}

/* ---- display width ------------------------------------------------------------------------ */

/* Columns a string takes on the terminal; what the locale cannot decode counts one column per
 * UTF-8 character (the C locale, LANG unset, on a UTF-8 terminal: our own headers' "Δ"). */
/* The character at s (n bytes left): the columns it takes, and its length in *len. A byte
 * that starts no character takes one column, with the continuation bytes after it. */
static int char_width(const char *s, size_t n, size_t *len)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    wchar_t wc;
    size_t k = mbrtowc(&wc, s, n, &st);
    if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
        for (k = 1; k < n && ((unsigned char)s[k] & 0xC0) == 0x80; k++)
            ; /* the rest of the character */
        *len = k;
        return 1;
    }
    *len = k;
    int cw = wcwidth(wc);
    return cw > 0 ? cw : 0;
}

static int display_width(const char *s)
{
    int w = 0;
    size_t n = strlen(s), k;
    for (size_t i = 0; i < n; i += k)
        w += char_width(s + i, n - i, &k);
    return w;
}

/* Cuts *sp to at most `max` columns, with an ellipsis where text was taken out: at the end,
 * or in the middle when `middle` (a path's or URI's last part tells one from another). */
static void cut_cell(char **sp, int max, bool middle)
{
    char *s = *sp;
    if (max <= 0 || display_width(s) <= max)
        return;
    const char *ell = MB_CUR_MAX > 1 ? "\xE2\x80\xA6" : "~";
    size_t n = strlen(s), nc = 0;
    size_t *at = md_xmalloc((n + 1) * sizeof *at); /* where each character starts */
    int *cw = md_xmalloc((n + 1) * sizeof *cw);    /* and its columns */
    mbstate_t st;
    memset(&st, 0, sizeof st);
    for (size_t i = 0; i < n; nc++) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, s + i, n - i, &st);
        at[nc] = i;
        cw[nc] = 1;
        if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
            memset(&st, 0, sizeof st);
            for (i++; i < n && ((unsigned char)s[i] & 0xC0) == 0x80; i++)
                ; /* the rest of the character, one column (display_width) */
            continue;
        }
        cw[nc] = wcwidth(wc) > 0 ? wcwidth(wc) : 0;
        i += k;
    }
    at[nc] = n;
    int room = max - 1, head_room = middle ? room - room / 2 : room, w = 0;
    size_t head = 0, tail = nc;
    while (head < nc && w + cw[head] <= head_room)
        w += cw[head++];
    while (middle && tail > head && w + cw[tail - 1] <= room)
        w += cw[--tail];
    *sp = md_xasprintf("%.*s%s%s", (int)at[head], s, ell, s + at[tail]);
    free(at);
    free(cw);
    free(s);
}

/* ---- tables ------------------------------------------------------------------------------- */

struct cli_table {
    int ncols;
    char **cells; /* row-major, row 0 is the header */
    size_t rows, cap;
    int *max;
    int *shrink_to; /* > 0: the column may be cut down to this many columns to fit */
    bool *middle;   /* ... keeping both ends */
    int *rank;      /* > 0: the column may be left out to fit, lowest rank first */
    bool *wrap;     /* the last column, wrapped onto more lines rather than cut */
};

cli_table *cli_table_new(int ncols, const char *const *headers)
{
    cli_table *t = md_xcalloc(1, sizeof *t);
    t->ncols = ncols;
    t->max = md_xcalloc((size_t)ncols, sizeof *t->max);
    t->shrink_to = md_xcalloc((size_t)ncols, sizeof *t->shrink_to);
    t->middle = md_xcalloc((size_t)ncols, sizeof *t->middle);
    t->rank = md_xcalloc((size_t)ncols, sizeof *t->rank);
    t->wrap = md_xcalloc((size_t)ncols, sizeof *t->wrap);
    cli_table_row(t, headers);
    return t;
}

void cli_table_max_width(cli_table *t, int col, int max)
{
    if (col >= 0 && col < t->ncols)
        t->max[col] = max;
}

void cli_table_shrink(cli_table *t, int col, int min, bool keep_ends)
{
    if (col >= 0 && col < t->ncols) {
        t->shrink_to[col] = min;
        t->middle[col] = keep_ends;
    }
}

void cli_table_wrap(cli_table *t, int col, int min)
{
    if (col >= 0 && col < t->ncols) {
        t->shrink_to[col] = min;
        t->wrap[col] = true;
    }
}

void cli_table_optional(cli_table *t, int col, int rank)
{
    if (col >= 0 && col < t->ncols)
        t->rank[col] = rank;
}

void cli_table_row(cli_table *t, const char *const *cells)
{
    t->cells = md_xgrow(t->cells, &t->cap, (t->rows + 1) * (size_t)t->ncols, sizeof *t->cells);
    for (int i = 0; i < t->ncols; i++)
        t->cells[t->rows * (size_t)t->ncols + (size_t)i] = cli_safe(cells[i] ? cells[i] : "-");
    t->rows++;
}

/* The terminal's width when stdout is one, else 0: piped output is never fitted. */
static int terminal_columns(void)
{
    if (!isatty(STDOUT_FILENO))
        return 0;
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *env = getenv("COLUMNS");
    long n = env ? strtol(env, NULL, 10) : 0;
    return n > 0 && n < 100000 ? (int)n : 0;
}

/* A cell that says nothing: every row's "-" or "0" in a column tells no one anything. */
static bool says_nothing(const char *cell)
{
    return strcmp(cell, "-") == 0 || strcmp(cell, "0") == 0;
}

typedef struct {
    int *width; /* what each column takes */
    bool *shown;
    int gap;
} table_fit;

static int fit_total(const cli_table *t, const table_fit *f, bool shrunk)
{
    int total = 0, shown = 0;
    for (int i = 0; i < t->ncols; i++) {
        if (!f->shown[i])
            continue;
        int w = f->width[i];
        total += shrunk && t->shrink_to[i] && t->shrink_to[i] < w ? t->shrink_to[i] : w;
        shown++;
    }
    return total + (shown > 1 ? (shown - 1) * f->gap : 0);
}

/* The optional column of lowest rank still shown (those that say nothing first when `quiet`),
 * or -1. */
static int next_to_leave_out(const cli_table *t, const table_fit *f, bool quiet)
{
    int pick = -1;
    for (int i = 0; i < t->ncols; i++) {
        if (!f->shown[i] || t->rank[i] <= 0 || (pick >= 0 && t->rank[i] >= t->rank[pick]))
            continue;
        bool nothing = true;
        for (size_t r = 1; quiet && nothing && r < t->rows; r++)
            nothing = says_nothing(t->cells[r * (size_t)t->ncols + (size_t)i]);
        if (!quiet || nothing)
            pick = i;
    }
    return pick;
}

/* Takes up to `excess` columns from the shrinkable columns, the last first, down to their
 * minimum (or, `below`, to their header's width, 8 at least); returns what is left to take. */
static int cut_columns(cli_table *t, table_fit *f, int excess, bool below)
{
    for (int i = t->ncols - 1; i >= 0 && excess > 0; i--) {
        int head = display_width(t->cells[i]), floor = !t->shrink_to[i] ? INT_MAX
                                                       : below          ? (head > 8 ? head : 8)
                                                                        : t->shrink_to[i];
        if (!f->shown[i] || f->width[i] <= floor)
            continue;
        int take = f->width[i] - floor;
        take = take < excess ? take : excess;
        f->width[i] -= take;
        excess -= take;
        for (size_t r = 0; r < t->rows && !t->wrap[i]; r++)
            cut_cell(&t->cells[r * (size_t)t->ncols + (size_t)i], f->width[i], t->middle[i]);
    }
    return excess;
}

/* Narrows the table to `columns`: optional columns that say nothing left out, one space
 * between columns, shrinkable columns cut toward their minimum, then optional columns left
 * out by rank until the rest fits at those minimums. */
static void fit(cli_table *t, table_fit *f, int columns)
{
    int i;
    while (fit_total(t, f, false) > columns && (i = next_to_leave_out(t, f, true)) >= 0)
        f->shown[i] = false;
    if (fit_total(t, f, false) > columns)
        f->gap = 1;
    while (fit_total(t, f, true) > columns && (i = next_to_leave_out(t, f, false)) >= 0)
        f->shown[i] = false;
    /* the excess taken from the shrinkable columns, the last first; on a terminal too narrow
     * for even their minimums, below them, to their header's width (8 at least), rather than
     * every line wrapping */
    int excess = cut_columns(t, f, fit_total(t, f, false) - columns, false);
    cut_columns(t, f, excess, true);
}

/* Text in lines of at most `room` display columns, broken at spaces (a word longer than a line
 * is broken where it must be), the lines after the first indented by `indent` spaces. */
static void print_hanging(const char *text, int room, int indent)
{
    const char *p = text;
    room = room > 1 ? room : 1;
    for (bool first = true; first || *p; first = false) {
        const char *q = p, *space = NULL;
        size_t left = strlen(p), k;
        int w = 0;
        while (*q) {
            int cw = char_width(q, left, &k);
            if (w + cw > room && q > p)
                break;
            if (*q == ' ')
                space = q;
            w += cw;
            q += k;
            left -= k;
        }
        const char *end = !*q || *q == ' ' || !space ? q : space;
        printf("%*s%.*s\n", first ? 0 : indent, "", (int)(end - p), p);
        p = *end == ' ' ? end + 1 : end;
    }
}

void cli_print_wrapped(const char *text, int indent)
{
    int columns = terminal_columns();
    if (columns <= indent + 20)
        printf("%s\n", text);
    else
        print_hanging(text, columns - indent, indent);
}

void cli_table_print(cli_table *t)
{
    table_fit f = {md_xcalloc((size_t)t->ncols, sizeof *f.width),
                   md_xcalloc((size_t)t->ncols, sizeof *f.shown), 2};
    for (int i = 0; i < t->ncols; i++)
        f.shown[i] = true;
    for (size_t r = 0; r < t->rows; r++)
        for (int i = 0; i < t->ncols; i++) {
            char **cell = &t->cells[r * (size_t)t->ncols + (size_t)i];
            cut_cell(cell, t->max[i], false);
            int w = display_width(*cell);
            f.width[i] = w > f.width[i] ? w : f.width[i];
        }
    int columns = terminal_columns();
    if (columns > 0 && fit_total(t, &f, false) > columns)
        fit(t, &f, columns);
    int last = t->ncols - 1;
    while (last > 0 && !f.shown[last])
        last--;
    int start = 0; /* where the last column starts, for its wrapped lines */
    for (int i = 0; i < last; i++)
        start += f.shown[i] ? f.width[i] + f.gap : 0;
    for (size_t r = 0; r < t->rows; r++) {
        for (int i = 0; i <= last; i++) {
            if (!f.shown[i])
                continue;
            char *cell = t->cells[r * (size_t)t->ncols + (size_t)i];
            if (i == last && t->wrap[i] && columns > 0) {
                /* the columns before it may not fit at all: the room the terminal leaves */
                int room = columns - start < f.width[i] ? columns - start : f.width[i];
                print_hanging(cell, room > 8 ? room : 8, start);
                break;
            }
            fputs(cell, stdout);
            for (int pad = display_width(cell); i < last && pad < f.width[i] + f.gap; pad++)
                putchar(' ');
            if (i == last)
                putchar('\n');
        }
    }
    char note[512];
    size_t len = (size_t)snprintf(note, sizeof note, "not shown at %d columns: ", columns);
    bool any = false;
    for (int i = 0; i < t->ncols && len < sizeof note; i++)
        if (!f.shown[i]) {
            len += (size_t)snprintf(note + len, sizeof note - len, "%s%s", any ? ", " : "",
                                    t->cells[i]);
            any = true;
        }
    if (any && len < sizeof note)
        snprintf(note + len, sizeof note - len, " (| less -S shows them)");
    if (any)
        print_hanging(note, columns, 0);
    free(f.width);
    free(f.shown);
}

void cli_table_free(cli_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->rows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->max);
    free(t->shrink_to);
    free(t->wrap);
    free(t->middle);
    free(t->rank);
    free(t);
}

char *cli_num(json_t *v, const char *fmt, char *buf, size_t cap)
{
    if (!json_is_number(v))
        return NULL;
    snprintf(buf, cap, fmt, json_number_value(v));
    return buf;
}

void cli_kv(const char *key, const char *value)
{
    char *safe = cli_safe(value ? value : "-");
    printf("  %-16s %s\n", key, safe);
    free(safe);
}
