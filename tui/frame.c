/* The frame every screen is drawn in: the header (store, who, incident counts, pending
 * requests, the clock), the breadcrumbs, and the status line (a message, else what the cursor
 * is on beside the view's key hints), and the notice for a terminal under 80x24.
 *
 * Why apart from the loop: what the frame shows is a layout of its own, tested by the golden
 * screens; the loop only asks for it around each view's body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

#define MIN_ROWS 24
#define MIN_COLS 80

void tui_draw_header(tui_app *a)
{
    char left[256], right[160], clock[16];
    const char *db = a->opts.db_path ? strrchr(a->opts.db_path, '/') : NULL;
    db = db ? db + 1 : a->opts.db_path ? a->opts.db_path : "";
    char roles[64] = "";
    for (int r = 0; r < MD_ROLE_COUNT; r++)
        if (a->roles & (1u << r))
            snprintf(roles + strlen(roles), sizeof roles - strlen(roles), "%s%s",
                     roles[0] ? "," : "", md_role_name((md_role)r));
    time_t now = (time_t)(tui_now_ms() / 1000);
    const char *fixed = getenv("MODELDECK_NOW");
    struct tm tm;
    gmtime_r(&now, &tm);
    if (fixed && *fixed)
        snprintf(clock, sizeof clock, "%.5s UTC", strchr(fixed, 'T') ? strchr(fixed, 'T') + 1 : "");
    else
        snprintf(clock, sizeof clock, "%02d:%02d UTC", tm.tm_hour, tm.tm_min);
    /* shorter forms when room is short: the roles go before the pending count and the clock
     * (READ-ONLY takes room), then the word "pending", then the clock */
    static const struct {
        bool roles;
        int right; /* 0: "2 pending │ clock", 1: "2 pend │ clock", 2: "2 p" */
    } forms[] = {{true, 0}, {true, 1}, {false, 0}, {false, 1}, {false, 2}};
    int x = 0, rx = 0;
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        if (forms[f].roles)
            snprintf(left, sizeof left, " %s %s %s (%s)", db, tui_glyph(a, TUI_G_VLINE),
                     a->actor.name, roles[0] ? roles : "no role");
        else
            snprintf(left, sizeof left, " %s %s %s", db, tui_glyph(a, TUI_G_VLINE), a->actor.name);
        x = tui_width(left) + 1 + (a->read_only ? tui_width(" READ-ONLY ") + 1 : 0);
        int form = forms[f].right;
        snprintf(right, sizeof right, "P1 %lld P2 %lld P3 %lld P4 %lld %s %lld %s ",
                 (long long)a->counts.incidents[1], (long long)a->counts.incidents[2],
                 (long long)a->counts.incidents[3], (long long)a->counts.incidents[4],
                 tui_glyph(a, TUI_G_VLINE), (long long)a->counts.pending,
                 form == 0 ? "pending" : form == 1 ? "pend" : "p");
        if (form < 2)
            snprintf(right + strlen(right), sizeof right - strlen(right), "%s %s ",
                     tui_glyph(a, TUI_G_VLINE), clock);
        rx = a->cols - tui_width(right);
        if (rx > x)
            break;
    }
    tui_put(a, 0, 0, a->cols, TUI_HEADER, left, true);
    if (a->read_only)
        tui_put(a, 0, tui_width(left) + 1, a->cols - tui_width(left) - 1, TUI_READONLY,
                " READ-ONLY ", false);
    if (rx <= x)
        return;
    tui_put(a, 0, rx, a->cols - rx, TUI_HEADER, right, false);
    /* the counts that need attention stand out */
    int cx = rx;
    for (int s = 1; s <= 4; s++) {
        char part[32];
        snprintf(part, sizeof part, "P%d %lld", s, (long long)a->counts.incidents[s]);
        tui_role r = s == 1 ? TUI_P1 : TUI_P2;
        if (a->counts.incidents[s] > 0 && s <= 2) /* attributes alone: on the bar, not a hole */
            tui_put_attr(a, 0, cx, tui_width(part),
                         tui_theme_mono() ? tui_attr(TUI_HEADER) | tui_attr(r) : tui_attr(r), part,
                         false);
        cx += tui_width(part) + 1;
    }
}

void tui_draw_crumbs(tui_app *a)
{
    char line[512] = " ";
    tui_view *stack[16];
    int n = 0;
    for (tui_view *v = a->top; v && n < 16; v = v->below)
        stack[n++] = v;
    for (int i = n - 1; i >= 0; i--) {
        char crumb[160] = "";
        if (stack[i]->ops->crumb)
            stack[i]->ops->crumb(stack[i], crumb, sizeof crumb);
        snprintf(line + strlen(line), sizeof line - strlen(line), "%s%s%s%s",
                 i < n - 1 ? " " : "", i < n - 1 ? tui_glyph(a, TUI_G_CRUMB) : "",
                 i < n - 1 ? " " : "", crumb[0] ? crumb : stack[i]->ops->title);
    }
    if (a->top && a->top->filter[0])
        snprintf(line + strlen(line), sizeof line - strlen(line), "   [/%s%s]",
                 a->top->filter_invert ? "!" : "", a->top->filter);
    tui_put(a, 1, 0, a->cols, TUI_CRUMB, line, true);
}

#define MSG_LINES_MAX 3

void tui_draw_status(tui_app *a)
{
    int y = a->rows - 1;
    if (a->msg[0] && tui_now_ms() < a->msg_until) {
        /* A message wider than the screen takes the rows above the status line too while it
         * is shown (three in all at most, the last cut), so that a refusal's reason is read in
         * full at 80 columns. */
        char copy[sizeof a->msg + 8], *line[16], last[sizeof a->msg + 16] = "";
        int n = tui_width(a->msg) <= a->cols
                    ? 0
                    : tui_wrap(a->msg, a->cols - 1, copy, sizeof copy, line, 16);
        if (n < 2) {
            tui_put(a, y, 0, a->cols, a->msg_role, a->msg, true);
            return;
        }
        for (int i = MSG_LINES_MAX - 1; i < n; i++) /* the rest, cut with an ellipsis */
            snprintf(last + strlen(last), sizeof last - strlen(last), "%s%s",
                     i > MSG_LINES_MAX - 1 ? " " : "", line[i]);
        if (n > MSG_LINES_MAX) {
            line[MSG_LINES_MAX - 1] = last;
            n = MSG_LINES_MAX;
        }
        for (int i = 0; i < n; i++)
            tui_put(a, y - n + 1 + i, 0, a->cols, a->msg_role, line[i], true);
        return;
    }
    a->msg[0] = '\0';
    tui_put(a, y, 0, a->cols, TUI_STATUS, "", true);
    tui_view *v = a->top;
    char info[256] = "";
    if (v && v->ops->status)
        v->ops->status(a, v, info, sizeof info);
    /* What the cursor is on comes first; the hints give way down to "? help". They give way
     * only as far as needed and come back only when there is clearly room, so moving over
     * values of different lengths does not make them jump (nor resend them). */
    static const tui_view *hint_view;
    static int hint_room, hint_cols;
    int room = a->cols - (info[0] ? tui_width(info) + 2 : 0), x = 0;
    if (room < 8)
        room = 8;
    if (v == hint_view && a->cols == hint_cols && room >= hint_room && room < hint_room + 12)
        room = hint_room;
    hint_view = v;
    hint_room = room;
    hint_cols = a->cols;
    for (const tui_action *act = v ? v->ops->actions : NULL; act && *act; act++) {
        const char *key = tui_action_key(*act);
        int need = tui_width(key) + tui_width(tui_action_hint(*act)) + 2;
        if (x + need + 7 > room)
            break;
        bool off = tui_unavailable(a, v, *act) != NULL;
        x += tui_put(a, y, x, room - x, off ? TUI_DIM : TUI_KEY, key, false);
        x += tui_put(a, y, x, room - x, off ? TUI_DIM : TUI_STATUS, " ", false);
        x += tui_put(a, y, x, room - x, off ? TUI_DIM : TUI_STATUS, tui_action_hint(*act), false);
        x += tui_put(a, y, x, room - x, TUI_STATUS, " ", false);
    }
    x += tui_put(a, y, x, room - x, TUI_KEY, "?", false);
    tui_put(a, y, x, room - x, TUI_STATUS, " help", false);
    if (info[0]) {
        int w = tui_width(info);
        int ix = a->cols - w - 1 > room ? a->cols - w - 1 : room;
        tui_put(a, y, ix, a->cols - ix, TUI_STATUS, info, false);
    }
}

void tui_draw_too_small(tui_app *a)
{
    erase();
    char text[96];
    snprintf(text, sizeof text, "terminal too small (need %dx%d, have %dx%d)", MIN_COLS, MIN_ROWS,
             a->cols, a->rows);
    int w = tui_width(text);
    tui_put(a, a->rows / 2, a->cols > w ? (a->cols - w) / 2 : 0, a->cols, TUI_NORMAL, text, false);
    if (a->rows > 2)
        tui_put(a, a->rows / 2 + 1, a->cols > 12 ? (a->cols - 12) / 2 : 0, a->cols, TUI_DIM,
                "Q: quit", false);
}

bool tui_too_small(const tui_app *a)
{
    return a->rows < MIN_ROWS || a->cols < MIN_COLS;
}
