/* Text and JSON output. Every string that came from data is sanitized before it is printed. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
static int display_width(const char *s)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    int w = 0;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, s + i, n - i, &st);
        if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
            memset(&st, 0, sizeof st);
            w++;
            for (i++; i < n && ((unsigned char)s[i] & 0xC0) == 0x80; i++)
                ; /* the rest of the character */
            continue;
        }
        int cw = wcwidth(wc);
        w += cw > 0 ? cw : 0;
        i += k;
    }
    return w;
}

/* Cuts *sp to at most `max` columns, ending in an ellipsis when cut. */
static void cut_to_width(char **sp, int max)
{
    char *s = *sp;
    if (max <= 0 || display_width(s) <= max)
        return;
    bool utf8 = MB_CUR_MAX > 1;
    const char *ell = utf8 ? "\xE2\x80\xA6" : "~";
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n = strlen(s), i = 0;
    int w = 0;
    while (i < n) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, s + i, n - i, &st);
        int cw = 1;
        if (k == (size_t)-1 || k == (size_t)-2 || k == 0)
            k = 1, memset(&st, 0, sizeof st);
        else
            cw = wcwidth(wc) > 0 ? wcwidth(wc) : 0;
        if (w + cw > max - 1)
            break;
        w += cw;
        i += k;
    }
    *sp = md_xasprintf("%.*s%s", (int)i, s, ell);
    free(s);
}

/* ---- tables ------------------------------------------------------------------------------- */

struct cli_table {
    int ncols;
    char **cells; /* row-major, row 0 is the header */
    size_t rows, cap;
    int *max;
};

cli_table *cli_table_new(int ncols, const char *const *headers)
{
    cli_table *t = md_xcalloc(1, sizeof *t);
    t->ncols = ncols;
    t->max = md_xcalloc((size_t)ncols, sizeof *t->max);
    cli_table_row(t, headers);
    return t;
}

void cli_table_max_width(cli_table *t, int col, int max)
{
    if (col >= 0 && col < t->ncols)
        t->max[col] = max;
}

void cli_table_row(cli_table *t, const char *const *cells)
{
    t->cells = md_xgrow(t->cells, &t->cap, (t->rows + 1) * (size_t)t->ncols, sizeof *t->cells);
    for (int i = 0; i < t->ncols; i++)
        t->cells[t->rows * (size_t)t->ncols + (size_t)i] = cli_safe(cells[i] ? cells[i] : "-");
    t->rows++;
}

void cli_table_print(cli_table *t)
{
    int *width = md_xcalloc((size_t)t->ncols, sizeof *width);
    for (size_t r = 0; r < t->rows; r++)
        for (int i = 0; i < t->ncols; i++) {
            char **cell = &t->cells[r * (size_t)t->ncols + (size_t)i];
            cut_to_width(cell, t->max[i]);
            int w = display_width(*cell);
            width[i] = w > width[i] ? w : width[i];
        }
    for (size_t r = 0; r < t->rows; r++) {
        for (int i = 0; i < t->ncols; i++) {
            char *cell = t->cells[r * (size_t)t->ncols + (size_t)i];
            bool last = i == t->ncols - 1;
            fputs(cell, stdout);
            for (int pad = display_width(cell); !last && pad < width[i] + 2; pad++)
                putchar(' ');
        }
        putchar('\n');
    }
    free(width);
}

void cli_table_free(cli_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->rows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->max);
    free(t);
}

void cli_kv(const char *key, const char *value)
{
    char *safe = cli_safe(value ? value : "-");
    printf("  %-16s %s\n", key, safe);
    free(safe);
}
