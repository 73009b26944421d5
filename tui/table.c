/* The table: titles, rows, a cursor; columns shrink, then drop, to fit the width. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mem.h"

void tui_table_clamp(tui_table *t)
{
    if (t->cursor >= t->nrows)
        t->cursor = t->nrows - 1;
    if (t->cursor < 0)
        t->cursor = 0;
    if (t->top > t->cursor)
        t->top = t->cursor;
    if (t->top < 0)
        t->top = 0;
}

bool tui_table_move(tui_table *t, tui_action act)
{
    int page = t->page > 1 ? t->page - 1 : 1;
    switch (act) {
    case TUI_A_UP:
        t->cursor--;
        break;
    case TUI_A_DOWN:
        t->cursor++;
        break;
    case TUI_A_TOP:
        t->cursor = 0;
        break;
    case TUI_A_BOTTOM:
        t->cursor = t->nrows - 1;
        break;
    case TUI_A_PGUP:
        t->cursor -= page;
        t->top -= page;
        break;
    case TUI_A_PGDN:
        t->cursor += page;
        t->top += page;
        break;
    default:
        return false;
    }
    tui_table_clamp(t);
    if (t->top > t->nrows - 1)
        t->top = t->nrows > 0 ? t->nrows - 1 : 0;
    return true;
}

void tui_table_need(tui_table *t, int col, int width)
{
    if (col >= 0 && col < TUI_TABLE_COLS)
        t->need[col] = width > 0 ? width : 0;
}

int tui_int_width(int64_t v)
{
    char text[24];
    return snprintf(text, sizeof text, "%lld", (long long)v);
}

/* The narrowest column c may become: its minimum (0: it does not shrink), and never less than
 * its rows need. */
static int least(const tui_table *t, int c)
{
    int m = t->cols[c].min;
    return m > 0 && t->need[c] > m ? t->need[c] : m;
}

/* The widths that fit: the preferred ones (or what the rows need, when more); then, one column
 * at a time, the column with the most room above its minimum gives one; then droppable columns
 * go, rightmost first; the widest shrinkable column takes what is left over. */
static void fit(const tui_table *t, int width, int *w)
{
    int total = -1;
    for (int c = 0; c < t->ncols; c++) {
        w[c] = t->need[c] > t->cols[c].width ? t->need[c] : t->cols[c].width;
        total += w[c] + 1;
    }
    while (total > width) {
        int best = -1, slack = 0;
        for (int c = 0; c < t->ncols; c++)
            if (t->cols[c].min > 0 && w[c] - least(t, c) > slack)
                best = c, slack = w[c] - least(t, c);
        if (best < 0)
            break;
        w[best]--, total--;
    }
    for (int c = t->ncols - 1; c > 0 && total > width; c--)
        if (t->cols[c].drop)
            total -= w[c] + 1, w[c] = 0;
    /* room to spare goes to the widest column that may shrink (a name, a text), else the last */
    int grow = -1;
    for (int c = 0; c < t->ncols; c++)
        if (w[c] > 0 && t->cols[c].min > 0 && (grow < 0 || t->cols[c].width > t->cols[grow].width))
            grow = c;
    for (int c = t->ncols - 1; c >= 0 && grow < 0; c--)
        if (w[c] > 0)
            grow = c;
    if (grow >= 0 && total < width)
        w[grow] += width - total;
}

void tui_table_draw(tui_app *a, tui_table *t, int y, int h, int width, tui_cell_fn cell,
                    void *ctx)
{
    int w[TUI_TABLE_COLS];
    if (t->ncols > TUI_TABLE_COLS || h < 2)
        return;
    fit(t, width, w);
    int x = 0;
    for (int c = 0; c < t->ncols; c++) {
        if (!w[c])
            continue;
        char title[64];
        snprintf(title, sizeof title, "%*s", t->cols[c].align == TUI_RIGHT ? w[c] : 0,
                 t->cols[c].title);
        tui_put(a, y, x, w[c], TUI_TITLE, title, true);
        if (x + w[c] < width)
            tui_put(a, y, x + w[c], 1, TUI_TITLE, "", true);
        x += w[c] + 1;
    }
    /* The cursor bar covers the row's name, not the whole row: a cursor move then rewrites two
     * short runs of the screen rather than two lines, which matters on a slow link, and the
     * other cells keep their colours under the cursor. */
    int bar = t->ncols;
    if (!a->cursor_row) {
        bar = 0;
        for (int c = 0, span = 0; c < t->ncols; c++) {
            if (t->mark ? c >= t->mark : span >= 16)
                break;
            span += w[c] + (w[c] ? 1 : 0);
            bar = c + 1;
        }
    }
    int rows = h - 1;
    t->page = rows;
    tui_table_clamp(t);
    if (t->cursor >= t->top + rows)
        t->top = t->cursor - rows + 1;
    if (t->top + rows > t->nrows) /* no blank rows below while rows above are hidden */
        t->top = t->nrows > rows ? t->nrows - rows : 0;
    for (int r = 0; r < rows; r++) {
        int row = t->top + r;
        if (row >= t->nrows) {
            tui_put(a, y + 1 + r, 0, width, TUI_NORMAL, "", true);
            continue;
        }
        bool sel = row == t->cursor;
        attr_t normal = tui_attr(TUI_NORMAL), prev = normal;
        x = 0;
        for (int c = 0; c < t->ncols; c++) {
            if (!w[c])
                continue;
            char buf[512];
            tui_role role = TUI_NORMAL;
            const char *text = cell(a, ctx, row, c, buf, sizeof buf, &role);
            if (!text)
                text = "";
            bool lit = sel && c < bar;
            attr_t at = !lit     ? tui_attr(role)
                        : t->blur ? tui_attr(role) | A_UNDERLINE
                                  : tui_attr(TUI_SELECTED);
            /* blanks around text take the attribute already on the wire when they look the
             * same in it, so colours change only where the glyphs do */
            attr_t blank = (!lit || t->blur) && tui_blank_alike(prev, tui_attr(role))
                               ? prev
                               : at;
            if (t->cols[c].align == TUI_RIGHT) {
                int tw = tui_width(text);
                int pad = w[c] - tw > 0 ? w[c] - tw : 0;
                tui_put_attr(a, y + 1 + r, x, pad, blank, "", true);
                tui_put_attr(a, y + 1 + r, x + pad, w[c] - pad, at, text, true);
            } else if (t->cols[c].align == TUI_ENDS) {
                tui_put_attr_ends(a, y + 1 + r, x, w[c], *text ? at : blank, text, true);
            } else {
                tui_put_attr(a, y + 1 + r, x, w[c], *text ? at : blank, text, true);
            }
            if (*text || lit)
                prev = at;
            else
                prev = blank;
            if (x + w[c] < width) { /* the gap: in the bar when it goes on */
                attr_t gap = lit && !t->blur && c + 1 < bar       ? at
                             : !lit && tui_blank_alike(prev, normal) ? prev
                                                                    : normal;
                tui_put_attr(a, y + 1 + r, x + w[c], 1, gap, "", true);
                prev = gap;
            }
            x += w[c] + 1;
        }
    }
}

/* ---- the string pool ---------------------------------------------------------------------------- */

static uint64_t pool_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void pool_rehash(tui_pool *p, size_t nslots)
{
    uint32_t *slots = md_xcalloc(nslots, sizeof *slots);
    for (size_t i = 0; i < p->nslots; i++) {
        if (!p->slots[i])
            continue;
        size_t j = pool_hash(p->text + p->slots[i] - 1) & (nslots - 1);
        while (slots[j])
            j = (j + 1) & (nslots - 1);
        slots[j] = p->slots[i];
    }
    free(p->slots);
    p->slots = slots;
    p->nslots = nslots;
}

uint32_t tui_pool_add(tui_pool *p, const char *s)
{
    if (!s)
        s = "";
    if (!p->text) { /* offset 0 is the empty string */
        p->cap = 4096;
        p->text = md_xmalloc(p->cap);
        p->text[0] = '\0';
        p->len = 1;
    }
    if (!*s)
        return 0;
    if ((p->used + 1) * 2 > p->nslots)
        pool_rehash(p, p->nslots ? p->nslots * 2 : 256);
    size_t j = pool_hash(s) & (p->nslots - 1);
    for (; p->slots[j]; j = (j + 1) & (p->nslots - 1))
        if (!strcmp(p->text + p->slots[j] - 1, s))
            return p->slots[j] - 1;
    size_t n = strlen(s) + 1;
    while (p->len + n > p->cap) {
        p->cap *= 2;
        p->text = md_xrealloc(p->text, p->cap);
    }
    uint32_t off = (uint32_t)p->len;
    memcpy(p->text + off, s, n);
    p->len += n;
    p->slots[j] = off + 1;
    p->used++;
    return off;
}

void tui_pool_free(tui_pool *p)
{
    free(p->text);
    free(p->slots);
    memset(p, 0, sizeof *p);
}
