/* Help: the keys of the view it was opened from, then the global keys and the commands; built
 * from TUI_ACTIONS and the keymap, so it always says what the keys really do. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

typedef struct {
    const tui_view_ops *of; /* the view it helps with */
    tui_view *below;
    char lines[160][160];
    tui_role role[160];
    int n, top;
} help;

static void add(help *h, tui_role role, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(help *h, tui_role role, const char *fmt, ...)
{
    if (h->n >= 160)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->lines[h->n], sizeof h->lines[h->n], fmt, ap);
    va_end(ap);
    h->role[h->n++] = role;
}

static void action_line(tui_app *a, help *h, tui_action act)
{
    const char *why = h->below ? tui_unavailable(a, h->below, act) : NULL;
    add(h, why ? TUI_DIM : TUI_NORMAL, "  %-8s %-14s %s", tui_action_key(act),
        tui_action_name(act), tui_action_help(act));
    if (!why)
        return;
    /* the reason whole, wrapped under the description, the role needed first */
    char shown[MD_ERR_MSG_MAX], text[MD_ERR_MSG_MAX + 16], copy[1024], *lines[8];
    snprintf(text, sizeof text, "(unavailable: %s)", tui_role_first(why, shown, sizeof shown));
    int width = a->cols - 28, room = (int)sizeof h->lines[0] - 28; /* a help line's own room */
    width = width < 24 ? 24 : width > room ? room : width;
    int n = tui_wrap(text, width, copy, sizeof copy, lines, 8);
    for (int i = 0; i < n; i++)
        add(h, TUI_DIM, "  %-8s %-14s %s", "", "", lines[i]);
}

static bool open_view(tui_app *a, tui_view *v, const char *arg, char *why, size_t cap)
{
    (void)arg, (void)why, (void)cap;
    help *h = v->st;
    h->below = a->top;
    h->of = a->top ? a->top->ops : NULL;
    if (h->of) {
        add(h, TUI_TITLE, "%s", h->of->title);
        for (const tui_action *p = h->of->actions; p && *p; p++)
            action_line(a, h, *p);
        add(h, TUI_NORMAL, "%s", "");
    }
    add(h, TUI_TITLE, "%s", "Everywhere");
    for (int act = 1; act < TUI_ACTION_COUNT; act++)
        if (!strcmp(tui_action_scope((tui_action)act), "global"))
            action_line(a, h, (tui_action)act);
    add(h, TUI_NORMAL, "%s", "");
    add(h, TUI_TITLE, "%s", "Commands (:)");
    static const char *const cmds[] = {
        ":registry", ":model NAME", ":drift MODEL [VERSION] [WINDOW [FEATURE]]",
        ":calibration MODEL [VERSION] [WINDOW]",
        ":incidents [p1..p4|open|acknowledged|resolved|all|mine|MODEL]", ":approvals", ":jobs",
        ":audit [ACTION]", ":scorecard [MODEL]", ":theme NAME", ":refresh", ":help", ":q"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        add(h, TUI_NORMAL, "  %s", cmds[i]);
    add(h, TUI_NORMAL, "%s", "");
    add(h, TUI_DIM, "keys are rebound in %s (bind.NAME = KEY)", tui_config_path());
    return true;
}

static void draw(tui_app *a, tui_view *v, int top, int rows, int cols)
{
    help *h = v->st;
    if (h->top > h->n - rows)
        h->top = h->n - rows > 0 ? h->n - rows : 0;
    for (int r = 0; r < rows; r++) {
        int i = h->top + r;
        tui_put(a, top + r, 1, cols - 1, i < h->n ? h->role[i] : TUI_NORMAL,
                i < h->n ? h->lines[i] : "", true);
    }
}

static int key(tui_app *a, tui_view *v, tui_action act, int ch)
{
    (void)a, (void)ch;
    help *h = v->st;
    switch (act) {
    case TUI_A_DOWN:
        h->top++;
        return TUI_R_DRAW;
    case TUI_A_UP:
        h->top -= h->top > 0;
        return TUI_R_DRAW;
    case TUI_A_PGDN:
        h->top += 10;
        return TUI_R_DRAW;
    case TUI_A_PGUP:
        h->top = h->top > 10 ? h->top - 10 : 0;
        return TUI_R_DRAW;
    case TUI_A_TOP:
        h->top = 0;
        return TUI_R_DRAW;
    case TUI_A_BOTTOM:
        h->top = h->n;
        return TUI_R_DRAW;
    case TUI_A_HELP:
    case TUI_A_BACK:
        return TUI_R_CLOSE;
    default:
        return TUI_R_UNHANDLED;
    }
}

static void crumb(tui_view *v, char *out, size_t cap)
{
    help *h = v->st;
    snprintf(out, cap, "Help%s%s", h->of ? ": " : "", h->of ? h->of->title : "");
}

static const tui_action actions[] = {TUI_A_NONE};

const tui_view_ops tui_help_view = {
    .name = "help",
    .title = "Help",
    .state_size = sizeof(help),
    .open = open_view,
    .draw = draw,
    .key = key,
    .crumb = crumb,
    .actions = actions,
};
