/* Modal pieces: the confirm dialog with its reason line, a choice, an alert, and the prompt
 * for / and :. Each runs its own small loop and redraws the app around it on a resize. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <wchar.h>

#include "internal.h"
#include "mem.h"
#include "overview.h"
#include "text.h"

/* ---- a line editor ------------------------------------------------------------------------------- */

typedef struct {
    wchar_t text[256];
    int len, pos;
} line_edit;

static void edit_init(line_edit *e, const char *utf8)
{
    memset(e, 0, sizeof *e);
    mbstate_t ms;
    memset(&ms, 0, sizeof ms);
    const char *p = utf8;
    size_t n = mbsrtowcs(e->text, &p, 255, &ms);
    e->len = e->pos = n == (size_t)-1 ? 0 : (int)n;
    e->text[e->len] = 0;
}

static void edit_out(const line_edit *e, char *out, size_t cap)
{
    size_t o = 0;
    for (int i = 0; i < e->len && o + MB_LEN_MAX < cap; i++) {
        char mb[MB_LEN_MAX];
        mbstate_t ms;
        memset(&ms, 0, sizeof ms);
        size_t k = wcrtomb(mb, e->text[i], &ms);
        if (k == (size_t)-1)
            continue;
        memcpy(out + o, mb, k);
        o += k;
    }
    out[o] = '\0';
}

#define CTRL_C 3 /* Ctrl-C as a key: dialogs read it in raw mode (keys_raw) */

/* Applies one key; returns 1 on Enter, -1 on Esc, 0 otherwise. */
static int edit_key(line_edit *e, int r, wint_t ch)
{
    if (r == KEY_CODE_YES) {
        switch (ch) {
        case KEY_LEFT:
            e->pos -= e->pos > 0;
            break;
        case KEY_RIGHT:
            e->pos += e->pos < e->len;
            break;
        case KEY_HOME:
            e->pos = 0;
            break;
        case KEY_END:
            e->pos = e->len;
            break;
        case KEY_BACKSPACE:
            if (e->pos > 0) {
                memmove(e->text + e->pos - 1, e->text + e->pos,
                        (size_t)(e->len - e->pos + 1) * sizeof(wchar_t));
                e->pos--, e->len--;
            }
            break;
        case KEY_DC:
            if (e->pos < e->len) {
                memmove(e->text + e->pos, e->text + e->pos + 1,
                        (size_t)(e->len - e->pos) * sizeof(wchar_t));
                e->len--;
            }
            break;
        case KEY_ENTER:
            return 1;
        }
        return 0;
    }
    if (ch == '\n' || ch == '\r')
        return 1;
    if (ch == 27 || ch == CTRL_C)
        return -1;
    if (ch == 127 || ch == 8)
        return edit_key(e, KEY_CODE_YES, KEY_BACKSPACE);
    if (ch == 21) { /* C-u */
        e->len = e->pos = 0;
        e->text[0] = 0;
        return 0;
    }
    if (ch == 1 || ch == 5) /* C-a, C-e */
        return edit_key(e, KEY_CODE_YES, ch == 1 ? KEY_HOME : KEY_END);
    if (ch < 32 || e->len >= 255 || wcwidth((wchar_t)ch) < 0)
        return 0;
    memmove(e->text + e->pos + 1, e->text + e->pos, (size_t)(e->len - e->pos + 1) * sizeof(wchar_t));
    e->text[e->pos++] = (wchar_t)ch;
    e->len++;
    return 0;
}

/* The text cursor where typing goes while a line is edited; hidden, and left wherever the
 * last update put it (no bytes spent moving it), the rest of the time. */
static void show_cursor(bool on)
{
    leaveok(stdscr, on ? FALSE : TRUE);
    curs_set(on ? 1 : 0);
}

/* Draws the line in [x, x + width), scrolled so the cursor shows; leaves the cursor there. */
static void edit_draw(tui_app *a, const line_edit *e, int y, int x, int width)
{
    int start = 0, col = 0;
    for (int i = 0; i < e->pos; i++)
        col += wcwidth(e->text[i]) > 0 ? wcwidth(e->text[i]) : 1;
    while (col >= width - 1 && start < e->pos) {
        col -= wcwidth(e->text[start]) > 0 ? wcwidth(e->text[start]) : 1;
        start++;
    }
    char shown[1024];
    line_edit tail = *e;
    memmove(tail.text, e->text + start, (size_t)(e->len - start + 1) * sizeof(wchar_t));
    tail.len = e->len - start;
    edit_out(&tail, shown, sizeof shown);
    tui_put(a, y, x, width, TUI_INPUT, shown, true);
    move(y, x + col);
}

/* While a dialog or prompt is open the terminal sends Ctrl-C as a key (raw mode), and the key
 * cancels the dialog as Esc does: Ctrl-C is what many press to abandon a half-typed note, and
 * as a signal it would end the whole console. Outside dialogs it still ends the console. Nested
 * dialogs (an alert over a dialog) keep raw mode until the outermost closes. */
static int raw_depth;

static void keys_raw(void)
{
    if (raw_depth++ == 0)
        raw();
}

static void keys_cooked(void)
{
    if (--raw_depth == 0)
        cbreak();
}

/* Too small to draw a dialog: shows the "too small" screen and waits for a resize (or a
 * signal); 1 when it waited, so the caller loops and draws again; -1 when the user gave up
 * (Esc or close: cancel; quit: the console ends too); 0 when there is room. */
static int wait_if_small(tui_app *a)
{
    if (!tui_too_small(a))
        return 0;
    refresh();
    wint_t ch;
    int r = get_wch(&ch);
    if (r == ERR)
        return tui_poll_signals(a) ? -1 : 1;
    if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
        tui_resized(a);
        return 1;
    }
    if (r == OK && ch == CTRL_C)
        return -1;
    tui_action act = tui_keymap_lookup(NULL, tui_key_code(r, ch));
    if (act == TUI_A_QUIT)
        a->quit = true;
    return act == TUI_A_QUIT || act == TUI_A_BACK || act == TUI_A_CLOSE ? -1 : 1;
}

/* ---- the prompt ---------------------------------------------------------------------------------- */

bool tui_prompt(tui_app *a, const char *label, char *buf, size_t cap, tui_complete_fn complete,
                const char *recall)
{
    line_edit e, typed;
    edit_init(&e, buf);
    typed = e;
    recall = recall && recall[0] ? recall : NULL;
    bool recalled = false; /* Up brought recall in; Down puts back what was typed */
    show_cursor(true);
    keys_raw();
    int result = 0;
    while (!result && !a->quit) {
        tui_draw(a);
        int small = wait_if_small(a);
        if (small) {
            result = small < 0 ? -1 : 0;
            continue;
        }
        int y = a->rows - 1, lw = tui_put(a, y, 0, a->cols, TUI_STATUS, label, false);
        edit_draw(a, &e, y, lw, a->cols - lw);
        if (recall && !recalled && e.len == 0 && a->cols - lw > 2) { /* what Up would bring back */
            char hint[300];
            snprintf(hint, sizeof hint, "(Up: %s)", recall);
            tui_put(a, y, lw + 1, a->cols - lw - 1, TUI_DIM, hint, false);
            move(y, lw);
        }
        refresh();
        wint_t ch;
        int r = get_wch(&ch);
        if (r == ERR) {
            result = tui_poll_signals(a) ? -1 : 0;
            continue;
        }
        if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
            tui_resized(a);
            continue;
        }
        if (r == OK && ch == '\t' && complete) {
            char now[512];
            edit_out(&e, now, sizeof now);
            const char *cands[32];
            int n = complete(a, now, cands, 32);
            if (n == 1) {
                edit_init(&e, cands[0]);
            } else if (n > 1) {
                char list[256] = "";
                for (int i = 0; i < n && strlen(list) < 200; i++)
                    snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? " " : "",
                             cands[i]);
                tui_msg(a, TUI_STATUS, "%s", list);
                /* complete to the longest common prefix */
                size_t common = strlen(cands[0]);
                for (int i = 1; i < n; i++) {
                    size_t k = 0;
                    while (k < common && cands[i][k] == cands[0][k])
                        k++;
                    common = k;
                }
                if (common > strlen(now)) {
                    char pre[512];
                    snprintf(pre, sizeof pre, "%.*s", (int)common, cands[0]);
                    edit_init(&e, pre);
                }
            }
            continue;
        }
        if (r == KEY_CODE_YES && ch == KEY_UP && recall && !recalled) {
            typed = e;
            edit_init(&e, recall);
            recalled = true;
            continue;
        }
        if (r == KEY_CODE_YES && ch == KEY_DOWN && recalled) {
            e = typed;
            recalled = false;
            continue;
        }
        result = edit_key(&e, r, ch);
    }
    keys_cooked();
    show_cursor(false);
    if (result == 1)
        edit_out(&e, buf, cap);
    return result == 1;
}

/* ---- the dialog ---------------------------------------------------------------------------------- */

typedef struct {
    int y, x, h, w;
} dbox;

static dbox frame(tui_app *a, int body, int want_w, const char *title)
{
    dbox b;
    b.w = want_w + 4 < a->cols - 2 ? want_w + 4 : a->cols - 2;
    if (b.w < 40 && a->cols - 2 >= 40)
        b.w = 40;
    b.h = body + 4 < a->rows - 2 ? body + 4 : a->rows - 2;
    b.y = (a->rows - b.h) / 2;
    b.x = (a->cols - b.w) / 2;
    attr_t at = tui_attr(TUI_DIALOG);
    for (int r = 0; r < b.h; r++)
        tui_put_attr(a, b.y + r, b.x, b.w, at, "", true);
    attrset(at);
    const char *h = tui_glyph(a, TUI_G_HLINE), *v = tui_glyph(a, TUI_G_VLINE);
    for (int c = 1; c < b.w - 1; c++) {
        mvaddstr(b.y, b.x + c, h);
        mvaddstr(b.y + b.h - 1, b.x + c, h);
    }
    for (int r = 1; r < b.h - 1; r++) {
        mvaddstr(b.y + r, b.x, v);
        mvaddstr(b.y + r, b.x + b.w - 1, v);
    }
    mvaddstr(b.y, b.x, tui_glyph(a, TUI_G_ULCORNER));
    mvaddstr(b.y, b.x + b.w - 1, tui_glyph(a, TUI_G_URCORNER));
    mvaddstr(b.y + b.h - 1, b.x, tui_glyph(a, TUI_G_LLCORNER));
    mvaddstr(b.y + b.h - 1, b.x + b.w - 1, tui_glyph(a, TUI_G_LRCORNER));
    attrset(A_NORMAL);
    char t[160];
    snprintf(t, sizeof t, " %s ", title);
    tui_put_attr(a, b.y, b.x + 2, b.w - 4, tui_attr(TUI_TITLE), t, false);
    return b;
}

int tui_wrap(const char *text, int width, char *copy, size_t cap, char **lines, int max)
{
    /* a text cut to fit a buffer upstream may end inside a character: drop that piece */
    char *whole = md_xstrdup(text);
    size_t n0 = strlen(whole), i = n0;
    while (i > 0 && ((unsigned char)whole[i - 1] & 0xC0) == 0x80)
        i--;
    if (i > 0) {
        unsigned char lead = (unsigned char)whole[i - 1];
        size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        if (n0 - (i - 1) < want)
            whole[i - 1] = '\0';
    }
    char *clean = md_text_sanitize_lines(whole);
    free(whole);
    const char *p = clean;
    size_t used = 0;
    int n = 0;
    while (*p && n < max) {
        const char *start = p, *q = p, *cut = NULL;
        int col = 0;
        size_t len = 1;
        while (*q && *q != '\n') {
            mbstate_t st;
            memset(&st, 0, sizeof st);
            wchar_t wc;
            len = mbrtowc(&wc, q, MB_CUR_MAX, &st);
            if (len == (size_t)-1 || len == (size_t)-2 || len == 0) { /* shown as one "?" */
                wc = L'?';
                len = 1;
            }
            int w = wcwidth(wc) > 0 ? wcwidth(wc) : 1;
            if (col + w > width)
                break;
            if (wc == L' ')
                cut = q;
            col += w;
            q += len;
        }
        const char *end = q, *next = q;
        if (*q == '\n') {
            next = q + 1;
        } else if (*q && cut && cut > start) { /* break at the last space */
            end = cut;
            next = cut + 1;
        } else if (*q && q == start) { /* one character wider than the line */
            end = next = q + len;
        }
        size_t k = (size_t)(end - start);
        if (used + k + 1 > cap)
            break;
        memcpy(copy + used, start, k);
        copy[used + k] = '\0';
        lines[n++] = copy + used;
        used += k + 1;
        p = next;
    }
    free(clean);
    return n;
}

bool tui_dialog(tui_app *a, const char *title, const char *const *lines, size_t nlines,
                const char *input_label, char *input, size_t cap, bool required)
{
    line_edit e;
    edit_init(&e, input ? input : "");
    char copy[4096], *wrapped[64];
    int result = 0;
    char hint[128] = "";
    bool complained = false; /* said that the input cannot be empty */
    if (input)
        show_cursor(true);
    keys_raw();
    while (!result && !a->quit) {
        tui_draw(a);
        int small = wait_if_small(a);
        if (small) {
            result = small < 0 ? -1 : 0;
            continue;
        }
        int width = a->cols - 8 > 72 ? 72 : a->cols - 8;
        size_t off = 0;
        int nw = 0;
        for (size_t i = 0; i < nlines && nw < 60; i++) {
            if (!lines[i][0]) { /* a blank line stays */
                wrapped[nw++] = (char *)"";
                continue;
            }
            int k = tui_wrap(lines[i], width, copy + off, sizeof copy - off, wrapped + nw, 60 - nw);
            nw += k;
            if (k == 0)
                break; /* no room left in the copy */
            off = (size_t)(wrapped[nw - 1] - copy) + strlen(wrapped[nw - 1]) + 1;
        }
        int body = nw + (input ? 2 : 0) + 1;
        dbox b = frame(a, body, width, title);
        int y = b.y + 2, maxy = b.y + b.h - 2;
        for (int i = 0; i < nw && y < maxy - (input ? 2 : 0); i++)
            tui_put_attr(a, y++, b.x + 2, b.w - 4, tui_attr(TUI_DIALOG), wrapped[i], true);
        snprintf(hint, sizeof hint, "%s", input ? "Enter: confirm  Esc: cancel"
                                                : "Enter: confirm  Esc: cancel");
        tui_put_attr(a, maxy, b.x + 2, b.w - 4, tui_attr(TUI_DIALOG) | A_DIM, hint, true);
        if (input) {
            int lw = tui_put_attr(a, maxy - 1, b.x + 2, b.w - 4, tui_attr(TUI_DIALOG),
                                  input_label, false);
            edit_draw(a, &e, maxy - 1, b.x + 2 + lw + 1, b.w - 5 - lw - 1);
        }
        refresh();
        wint_t ch;
        int r = get_wch(&ch);
        if (r == ERR) {
            result = tui_poll_signals(a) ? -1 : 0;
            continue;
        }
        if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
            tui_resized(a);
            continue;
        }
        if (!input) {
            if (r == OK && (ch == '\n' || ch == '\r' || ch == 'y'))
                result = 1;
            else if (r == OK && (ch == 27 || ch == CTRL_C || ch == 'n' || ch == 'q'))
                result = -1;
            continue;
        }
        result = edit_key(&e, r, ch);
        if (result == 1 && required && e.len == 0) {
            tui_msg(a, TUI_ERROR, "%s cannot be empty", input_label);
            complained = true;
            result = 0;
        }
    }
    keys_cooked();
    if (complained) /* it was about this dialog, which is closed now */
        a->msg[0] = '\0';
    show_cursor(false);
    if (result == 1 && input)
        edit_out(&e, input, cap);
    return result == 1;
}

static int choose_at(tui_app *a, const char *title, const char *const *options, int n, int at);

int tui_choose(tui_app *a, const char *title, const char *const *options, int n)
{
    return choose_at(a, title, options, n, 0);
}

int64_t tui_choose_version(tui_app *a, const char *model, int64_t shown)
{
    md_version_row *vr;
    size_t nv;
    md_err err;
    if (md_overview_versions(a->s, model, &vr, &nv, &err) != MD_OK) {
        tui_alert(a, "versions", err.msg);
        return 0;
    }
    char(*text)[96] = md_xcalloc(nv + 1, sizeof *text);
    const char **opts = md_xcalloc(nv + 1, sizeof *opts);
    int at = 0; /* the chooser opens on the version shown */
    for (size_t i = 0; i < nv; i++) {
        bool here = vr[i].number == shown;
        snprintf(text[i], 96, "v%lld  %s, %lld windows%s", (long long)vr[i].number, vr[i].status,
                 (long long)vr[i].windows, here ? "  (shown)" : "");
        opts[i] = text[i];
        at = here ? (int)i : at;
    }
    int k = choose_at(a, "version", opts, (int)nv, at);
    int64_t chosen = k >= 0 ? vr[k].number : 0;
    free(opts);
    free(text);
    md_version_rows_free(vr, nv);
    return chosen;
}

static int choose_at(tui_app *a, const char *title, const char *const *options, int n, int at)
{
    int cur = at >= 0 && at < n ? at : 0, top = 0, result = -2;
    keys_raw();
    while (result == -2 && !a->quit) {
        tui_draw(a);
        int small = wait_if_small(a);
        if (small) {
            result = small < 0 ? -1 : -2;
            continue;
        }
        int width = 0;
        for (int i = 0; i < n; i++)
            width = tui_width(options[i]) > width ? tui_width(options[i]) : width;
        dbox b = frame(a, n + 1, width + 4, title);
        int shown = b.h - 3; /* the options that fit; the list scrolls to keep the cursor */
        if (shown < 1)
            shown = 1;
        if (cur < top)
            top = cur;
        if (cur >= top + shown)
            top = cur - shown + 1;
        for (int i = top; i < n && i < top + shown; i++)
            tui_put_attr(a, b.y + 2 + i - top, b.x + 2, b.w - 4,
                         i == cur ? tui_attr(TUI_SELECTED) : tui_attr(TUI_DIALOG), options[i],
                         true);
        if (n > shown) { /* where the window on the list is */
            char more[32];
            snprintf(more, sizeof more, " %d/%d ", cur + 1, n);
            tui_put_attr(a, b.y + b.h - 1, b.x + b.w - 2 - tui_width(more), tui_width(more),
                         tui_attr(TUI_DIALOG), more, false);
        }
        refresh();
        wint_t ch;
        int r = get_wch(&ch);
        if (r == ERR) {
            if (tui_poll_signals(a))
                result = -1;
            continue;
        }
        if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
            tui_resized(a);
            continue;
        }
        tui_action act = tui_keymap_lookup(NULL, tui_key_code(r, ch));
        if (act == TUI_A_UP) /* the ends stop the cursor: one key too many picks no other */
            cur = cur > 0 ? cur - 1 : 0;
        else if (act == TUI_A_DOWN)
            cur = cur < n - 1 ? cur + 1 : n - 1;
        else if (act == TUI_A_TOP)
            cur = 0;
        else if (act == TUI_A_BOTTOM)
            cur = n - 1;
        else if (act == TUI_A_PGUP)
            cur = cur > shown ? cur - shown : 0;
        else if (act == TUI_A_PGDN)
            cur = cur + shown < n - 1 ? cur + shown : n - 1;
        else if (act == TUI_A_ENTER)
            result = cur;
        else if (act == TUI_A_BACK || act == TUI_A_CLOSE || (r == OK && ch == CTRL_C))
            result = -1;
        else if (r == OK && ch < 128) /* a letter: the next option starting with it */
            for (int k = 1; k <= n; k++) {
                int i = (cur + k) % n;
                if (tolower((unsigned char)options[i][0]) == tolower((int)ch)) {
                    cur = i;
                    break;
                }
            }
    }
    keys_cooked();
    return result < 0 ? -1 : result;
}

void tui_alert(tui_app *a, const char *title, const char *text)
{
    const char *lines[] = {text};
    bool again = true;
    keys_raw();
    while (again && !a->quit) {
        char copy[2048], *wrapped[40];
        int width = a->cols - 8 > 72 ? 72 : a->cols - 8;
        int n = tui_wrap(text, width, copy, sizeof copy, wrapped, 40);
        tui_draw(a);
        int small = wait_if_small(a);
        if (small) {
            again = small > 0;
            continue;
        }
        dbox b = frame(a, n + 1, width, title);
        for (int i = 0; i < n && b.y + 2 + i < b.y + b.h - 1; i++)
            tui_put_attr(a, b.y + 2 + i, b.x + 2, b.w - 4, tui_attr(TUI_DIALOG), wrapped[i], true);
        tui_put_attr(a, b.y + b.h - 2, b.x + 2, b.w - 4, tui_attr(TUI_DIALOG) | A_DIM,
                     "any key: close", true);
        refresh();
        wint_t ch;
        int r = get_wch(&ch);
        if (r == ERR) {
            again = !tui_poll_signals(a);
            continue;
        }
        if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
            tui_resized(a);
            continue;
        }
        again = false;
    }
    keys_cooked();
    (void)lines;
}
