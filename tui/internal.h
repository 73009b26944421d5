/* The console's insides, shared by the app loop, the widgets and the views.
 *
 * Why: each screen is one file behind one view interface (tui_view_ops); the app owns the
 * terminal, the keymap, the theme, the header and the status line, and gives views a small set
 * of drawing and dialog helpers. Curses stays inside tui/. Every action is listed once, in
 * TUI_ACTIONS: its key, its name (for the config's bind.NAME) and its help text, so bindings
 * and the help screen cannot drift apart. */
#ifndef MD_TUI_INTERNAL_H
#define MD_TUI_INTERNAL_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authz.h"
#include "overview.h"
#include "store.h"
#include "tui.h"

/* ---- colour roles ------------------------------------------------------------------------------- */

/* X(id, name in theme files, what it colours) */
#define TUI_ROLES(X)                                                                               \
    X(NORMAL, "normal", "text")                                                                    \
    X(HEADER, "header", "the header line")                                                         \
    X(CRUMB, "crumb", "the breadcrumbs")                                                           \
    X(STATUS, "status", "the key-hint and status line")                                            \
    X(KEY, "key", "a key in the hint line")                                                        \
    X(SELECTED, "selected", "the cursor row or cell")                                              \
    X(TITLE, "title", "column titles and section heads")                                           \
    X(BORDER, "border", "frames and rules")                                                        \
    X(DIM, "dim", "secondary text, unavailable actions")                                           \
    X(OK, "ok", "a passing value")                                                                 \
    X(WARN, "warn", "a warning")                                                                   \
    X(ALERT, "alert", "an alert, a failing gate")                                                  \
    X(P1, "p1", "severity P1")                                                                     \
    X(P2, "p2", "severity P2")                                                                     \
    X(P3, "p3", "severity P3")                                                                     \
    X(P4, "p4", "severity P4")                                                                     \
    X(ERROR, "error", "an error message")                                                          \
    X(GOOD, "good", "a success message")                                                           \
    X(BAR_A, "bar_a", "the first series of paired bars (baseline, expected)")                     \
    X(BAR_B, "bar_b", "the second series (window, observed)")                                      \
    X(DIALOG, "dialog", "dialog body")                                                             \
    X(INPUT, "input", "text being typed")                                                          \
    X(READONLY, "readonly", "the READ-ONLY badge")

typedef enum {
#define MD_X(id, name, what) TUI_##id,
    TUI_ROLES(MD_X)
#undef MD_X
    TUI_ROLE_COUNT
} tui_role;

#define TUI_HEAT_STEPS 6 /* no data, then five steps from calm to alarming */

/* ---- actions -------------------------------------------------------------------------------------- */

/* X(id, scope, default keys (space-separated key names), config name, hint-bar word, help) */
#define TUI_ACTIONS(X)                                                                             \
    X(HELP, "global", "?", "help", "help", "help for this view")                                   \
    X(FILTER, "global", "/", "filter", "filter", "filter rows (/!text: rows without text)")        \
    X(COMMAND, "global", ":", "command", "cmd", "command line (:help lists the commands)")         \
    X(BACK, "global", "esc", "back", "back", "back, or cancel")                                    \
    X(CLOSE, "global", "q", "close", "close", "close this view (on a numbered screen: quit)")      \
    X(QUIT, "global", "Q", "quit", "quit", "quit")                                                 \
    X(UP, "global", "k up", "up", "up", "cursor up")                                               \
    X(DOWN, "global", "j down", "down", "down", "cursor down")                                     \
    X(LEFT, "global", "h left", "left", "left", "cursor left / scroll left")                       \
    X(RIGHT, "global", "l right", "right", "right", "cursor right / scroll right")                 \
    X(TOP, "global", "g home", "top", "top", "first row")                                          \
    X(BOTTOM, "global", "G end", "bottom", "bottom", "last row")                                   \
    X(PGUP, "global", "pgup C-b", "page_up", "pgup", "page up")                                    \
    X(PGDN, "global", "pgdn C-f space", "page_down", "pgdn", "page down")                          \
    X(NEXT, "global", "n", "next", "next", "next match of the filter (the rows it keeps)")         \
    X(PREV, "global", "N", "prev", "prev", "previous match of the filter")                         \
    X(TAB, "global", "tab", "pane", "pane", "next pane")                                           \
    X(ENTER, "global", "enter", "open", "open", "open the item under the cursor")                  \
    X(REDRAW, "global", "C-l", "redraw", "redraw", "redraw the screen")                            \
    X(REFRESH, "global", "R", "refresh", "refresh", "read the store again")                        \
    X(SCREEN1, "global", "1", "registry", "registry", "the registry")                              \
    X(SCREEN2, "global", "2", "drift", "drift", "the drift heatmap")                               \
    X(SCREEN3, "global", "3", "calibration", "calib", "calibration")                               \
    X(SCREEN4, "global", "4", "incidents", "incidents", "the incident queue")                      \
    X(SCREEN5, "global", "5", "approvals", "approvals", "pending approvals")                       \
    X(SCREEN6, "global", "6", "jobs", "jobs", "retrain jobs and proposals")                        \
    X(SCREEN7, "global", "7", "audit", "audit", "the audit trail")                                 \
    X(SCREEN8, "global", "8", "scorecard", "score", "the scorecard")                               \
    X(ORDER, "registry", "o", "order", "order",                                                    \
      "sort by name, drift, dAUC, ECE, incidents or deployed")                                     \
    X(PROMOTE, "model", "p", "promote", "promote", "request a promotion of this version")          \
    X(MARK, "model", "m", "mark", "mark", "mark it challenger, shadow, rejected or archived")      \
    X(COMPARE, "model", "c", "compare", "compare", "this version beside the champion")             \
    X(ROLLBACK, "model", "b", "rollback", "rollback",                                              \
      "roll production back to the last good version")                                             \
    X(RETRAIN, "model", "t", "retrain", "retrain", "queue a retrain of this model")                \
    X(M_APPROVE, "model", "a", "model_approve", "approve",                                         \
      "approve this version's pending request")                                                    \
    X(M_REJECT, "model", "x", "model_reject", "reject", "reject this version's pending request")   \
    X(DRIFT_OF, "model", "d", "drift_of", "drift", "this version's drift heatmap")                 \
    X(METRIC, "drift", "m", "metric", "metric", "next metric (PSI, KS, missing, schema)")          \
    X(VERSION, "drift", "v", "version", "version", "another version of the model")                 \
    X(WIN_PGLEFT, "drift", "H", "page_left", "pg-left", "a page of windows back")                  \
    X(WIN_PGRIGHT, "drift", "L", "page_right", "pg-right", "a page of windows on")                 \
    X(WIN_PREV, "calibration", "[", "window_prev", "prev", "previous window")                      \
    X(WIN_NEXT, "calibration", "]", "window_next", "next", "next window")                          \
    X(ACK, "incidents", "a", "ack", "ack", "acknowledge")                                          \
    X(ASSIGN, "incidents", "o", "assign", "assign", "assign to someone")                           \
    X(SNOOZE, "incidents", "z", "snooze", "snooze", "snooze until a time")                         \
    X(RESOLVE, "incidents", "x", "resolve", "resolve", "resolve")                                  \
    X(NOTE, "incidents", "e", "note", "note", "add a note")                                        \
    X(WHY, "incidents", "w", "why", "why", "the evidence row's reason, whole")                     \
    X(SEVERITY, "incidents", "s", "severity", "sev", "filter by severity (cycle)")                 \
    X(STATE, "incidents", "S", "state", "state", "filter by state (cycle)")                        \
    X(MINE, "incidents", "M", "mine", "mine", "only incidents assigned to me (toggle)")            \
    X(QORDER, "incidents", "O", "queue_order", "order",                                            \
      "sort by severity, latest evidence, oldest or model")                                        \
    X(APPROVE, "approvals", "a", "approve", "approve", "approve the request")                      \
    X(REJECT, "approvals", "x", "reject", "reject", "reject the request")                          \
    X(OVERRIDE, "approvals", "o", "override", "override",                                          \
      "approve past the gates that block, as an override (admin)")                                 \
    X(WITHDRAW, "approvals", "w", "withdraw", "withdraw",                                          \
      "withdraw your request (any request, as admin)")                                             \
    X(ACCEPT, "jobs", "a", "accept", "accept", "accept the proposal (queues a retrain)")           \
    X(DISMISS, "jobs", "d", "dismiss", "dismiss", "dismiss the proposal")                          \
    X(CANCEL, "jobs", "c", "cancel", "cancel", "cancel the job")                                   \
    X(VERIFY, "audit", "v", "verify", "verify", "verify the chain again")

typedef enum {
    TUI_A_NONE = 0,
#define MD_X(id, scope, keys, name, hint, help) TUI_A_##id,
    TUI_ACTIONS(MD_X)
#undef MD_X
    TUI_ACTION_COUNT
} tui_action;

const char *tui_action_name(tui_action a);
const char *tui_action_hint(tui_action a);
const char *tui_action_help(tui_action a);
const char *tui_action_scope(tui_action a);
/* The first key bound to `a` in `scope`, as text ("a", "C-l", "pgdn"); "" when unbound. */
const char *tui_action_key(tui_action a);
/* The action for key `ch` (a curses key code, or a character) in the view's scope, else a
 * global one; TUI_A_NONE when unbound. */
tui_action tui_keymap_lookup(const char *scope, int ch);
/* The keymap's code for what get_wch returned: a function key, or a character below the
 * function keys' numbers (-1 for one above: typed text is never taken for a function key). */
int tui_key_code(int r, wint_t ch);
/* Binds `key_name` to the action named `name` (config "bind.NAME = KEY" on line `line`);
 * false with *why. */
bool tui_keymap_bind(const char *name, const char *key_name, int line, char *why, size_t cap);
void tui_keymap_reset(void);
/* What the config's bindings (in `path`) did to other actions: one left without a key, a
 * screen's key that a global action had, a global key a screen keeps for its own action. */
void tui_keymap_problems(const char *path, tui_problems *p);

/* ---- views ---------------------------------------------------------------------------------------- */

typedef struct tui_app tui_app;
typedef struct tui_view tui_view;

/* What a key handler asks of the loop. */
enum {
    TUI_R_NONE = 0,
    TUI_R_DRAW = 1,    /* the view changed: draw */
    TUI_R_RELOAD = 2,  /* read the store again (after an action), then draw */
    TUI_R_CLOSE = 4,   /* close this view */
    TUI_R_UNHANDLED = 8 /* not this view's key: let the app try */
};

typedef struct {
    const char *name;  /* for the command line (":incidents") and the keymap's scope */
    const char *title; /* in the breadcrumbs */
    const char *scope; /* the keymap scope, when it differs from name (NULL: name) */
    size_t state_size; /* zeroed state the app allocates for the view */
    /* Sets the view up from the command line's argument (a model, "p1", ...); false with *why
     * refuses (the view is not opened). May be NULL. */
    bool (*open)(tui_app *a, tui_view *v, const char *arg, char *why, size_t cap);
    /* Reads what the view shows; keeps the cursor on the same item when it can. */
    md_status (*load)(tui_app *a, tui_view *v, md_err *err);
    /* Draws the body: rows [top, top + rows), all columns. */
    void (*draw)(tui_app *a, tui_view *v, int top, int rows, int cols);
    /* Handles an action (and the raw key, for views that take text); returns TUI_R_* flags. */
    int (*key)(tui_app *a, tui_view *v, tui_action act, int ch);
    void (*free)(tui_view *v);
    /* The breadcrumb after the title ("churn > v3"); may be NULL. */
    void (*crumb)(tui_view *v, char *out, size_t cap);
    /* What the cursor is on, for the status line; may be NULL. */
    void (*status)(tui_app *a, tui_view *v, char *out, size_t cap);
    /* Why `act` cannot be done here and now (read-only, a role, four eyes), else NULL. May be
     * NULL: then only read-only mode greys out mutating actions. */
    const char *(*unavailable)(tui_app *a, tui_view *v, tui_action act);
    /* Whether a row matches the filter text (for /, n, N); may be NULL (no filter). */
    bool (*matches)(tui_view *v, int row, const char *text);
    const tui_action *actions; /* this view's own actions, TUI_A_NONE-terminated */
    const tui_action *mutating; /* those that change the store, TUI_A_NONE-terminated */
} tui_view_ops;

struct tui_view {
    const tui_view_ops *ops;
    void *st;            /* the view's state (state_size bytes) */
    char filter[128];    /* the filter text ("" none) */
    bool filter_invert;  /* /!text */
    int64_t loaded_at;   /* the store's data_version when loaded */
    bool stale;          /* load again before drawing */
    char error[MD_ERR_MSG_MAX]; /* the last load's error, shown in the body */
    tui_view *below;     /* the view under this one in the stack */
    char arg[160];       /* what it was opened with ("churn 2", "p1"; "" none) */
};

extern const tui_view_ops tui_registry_view, tui_model_view, tui_drift_view, tui_feature_view,
    tui_calibration_view, tui_incidents_view, tui_incident_view, tui_approvals_view,
    tui_jobs_view, tui_audit_view, tui_scorecard_view, tui_help_view;

/* ---- the app ---------------------------------------------------------------------------------------- */

struct tui_app {
    md_store *s;
    md_actor actor;
    md_tui_opts opts;
    unsigned roles;        /* the actor's role bits */
    int64_t next_change;   /* when a snooze runs out or a request expires (store ms; 0: none) */
    bool read_only;        /* this session or the store */
    char read_only_why[256];
    int rows, cols;
    bool utf8, color;
    tui_view *top;         /* the view stack */
    int screen;            /* 1..8: the screen at the bottom of the stack */
    md_header_counts counts;
    int64_t data_version;
    char msg[256];         /* the status line's message, "" none */
    char last_command[256]; /* the last : command, which Up brings back at the next : */
    tui_role msg_role;
    int64_t msg_until;     /* ms: the message gives way to the hints after this */
    bool msg_key;          /* the message answers a key: the next key clears it */
    /* context shared by the screens: the model and version in focus, a window to show */
    char model[65];
    int64_t version;       /* 0: the production version */
    char window[32];
    char feature[129];
    int64_t incident;      /* incident to select when the incident queue opens */
    bool cursor_row;       /* the cursor bar spans the whole row (config: cursor = row) */
    struct {               /* tui_may's answers, good until the store changes (hints ask
                              on every frame) */
        int64_t version;   /* the data_version they were read at; -1 none */
        signed char ok[MD_PERM_COUNT]; /* -1 not asked, 0 no, 1 yes */
        char why[MD_PERM_COUNT][MD_ERR_MSG_MAX];
    } may;
    struct {               /* jobs this session started: their progress goes to the status line */
        int64_t id;
        char state[16];
    } watch[8];
    int wake_ms; /* the next wait for a key lasts at most this (0: a second) */
    bool quit;
};

/* Opens `ops` on top of the stack with `arg`; false (and a message) when the view refuses. */
bool tui_push(tui_app *a, const tui_view_ops *ops, const char *arg);
/* Replaces the stack with screen n (1..8), opened with `arg` when not NULL. */
bool tui_screen(tui_app *a, int n, const char *arg);
/* Runs a command line ("drift churn", "incidents p1", "q"); false with a message when unknown. */
bool tui_command(tui_app *a, const char *line);
/* The command line's Tab completions of `line` (commands, then their arguments: themes, the
 * incident filters, model names), at most max, into out; returns how many. */
int tui_complete_command(tui_app *a, const char *line, const char **out, int max);
/* Records what the view shows as the argument that would open it so ("churn", "churn 3"):
 * asking for the same again finds the screen as it was left, anything else opens it anew. */
void tui_view_showing(tui_view *v, const char *model, int64_t version);
/* The model a screen opens on when none is named: the one in focus elsewhere (with its
 * version), else the first model; false with *why when there is none. */
bool tui_focus_model(tui_app *a, char *model, size_t mcap, int64_t *version, char *why, size_t cap);
/* Whether the store has a model named so; false with *why ("no model 'x'") when it has not, so
 * that a screen asked for one by name does not open on nothing. */
bool tui_model_known(tui_app *a, const char *model, char *why, size_t cap);
/* A version as typed on the command line: "3", "v3", or "production"/"prod" (0). */
bool tui_parse_version(const char *t, int64_t *out);
/* A message on the status line for a few seconds. */
void tui_msg(tui_app *a, tui_role role, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A message that answers the key just pressed (a refusal, a pointer elsewhere): it stays only
 * until the next key, after which it may no longer hold ("this is the latest window" once the
 * cursor has moved back). */
void tui_reply(tui_app *a, tui_role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Why `act` cannot be done, as a reply, named by its word in the hint line ("next: this is the
 * latest window"), never by its config name. */
void tui_refuse(tui_app *a, tui_action act, const char *why);
/* Core's "vic may not request promotions: that needs the operator or admin role (holds:
 * viewer)" with what is needed first, so that 80 columns keep it after the action's name:
 * "needs the operator or admin role (vic holds: viewer)". Any other reason as it is. */
const char *tui_role_first(const char *why, char *out, size_t cap);
/* Why the actor may not decide the request (md_request_show's JSON) again, or NULL: they decided
 * it already (view_approvals.c; the model view asks too). */
const char *tui_request_decided_why(const tui_app *a, const json_t *req, bool approve);
/* The next wait for a key ends after at most ms, so a view drawing work that another thread
 * finishes shows the result then, not at the next key or second. */
void tui_wake_in(tui_app *a, int ms);
/* Marks every view stale and reads the header counts again. */
void tui_reload_all(tui_app *a);
/* Whether the actor holds permission `perm` and the session may write; *why says why not. */
bool tui_may(tui_app *a, md_perm perm, const char **why);
/* The action's unavailability in view v (read-only first, then the view's own reason). */
const char *tui_unavailable(tui_app *a, tui_view *v, tui_action act);
/* Starts the job supervisor for a queued job (detached; never waits on the network) and
 * watches the job for the status line; false, with a message, when it did not start. */
bool tui_launch_job(tui_app *a, int64_t job);
/* Draws the whole screen (header, breadcrumbs, body, status line) without refreshing: modal
 * loops draw the app, then themselves on top. */
void tui_draw(tui_app *a);
/* After KEY_RESIZE: takes the new size. */
void tui_resized(tui_app *a);
/* Below 80x24: tui_draw shows only "terminal too small"; modal loops draw nothing on top. */
bool tui_too_small(const tui_app *a);
/* The frame around a view's body (tui/frame.c): the header line, the breadcrumbs, the status
 * line, and the whole screen's notice when the terminal is too small. */
void tui_draw_header(tui_app *a);
void tui_draw_crumbs(tui_app *a);
void tui_draw_status(tui_app *a);
void tui_draw_too_small(tui_app *a);
/* True (and a->quit set) when SIGTERM, SIGHUP or SIGINT arrived: every loop leaves. */
bool tui_poll_signals(tui_app *a);
/* The role of a severity ("P1" -> TUI_P1), TUI_NORMAL when unknown. */
tui_role tui_severity_role(const char *sev);
/* The role of a drift or gate status ("ok", "warn", "alert", "pass", "fail", "n/a"). */
tui_role tui_status_role(const char *status);

/* ---- drawing ------------------------------------------------------------------------------------------ */

typedef enum {
    TUI_G_HLINE, TUI_G_VLINE, TUI_G_ULCORNER, TUI_G_URCORNER, TUI_G_LLCORNER, TUI_G_LRCORNER,
    TUI_G_ELLIPSIS, TUI_G_CRUMB, TUI_G_ARROW_UP, TUI_G_ARROW_DOWN, TUI_G_BLOCK, TUI_G_BULLET,
    TUI_G_CHECK, TUI_G_CROSS, TUI_G_COUNT
} tui_glyph_id;

/* The glyph as text: Unicode when the locale is UTF-8, ASCII otherwise (or with --ascii). */
const char *tui_glyph(const tui_app *a, tui_glyph_id g);
/* Eight-level bar pieces for sparklines and bars (" ▁▂▃▄▅▆▇█" or " .:-=+*#%"). */
const char *tui_spark(const tui_app *a, int level /* 0..8 */);
/* A heat cell: the glyph string for step (0 = no data .. TUI_HEAT_STEPS - 1). */
const char *tui_heat_glyph(const tui_app *a, int step);

attr_t tui_attr(tui_role r);
attr_t tui_heat_attr(int step);

/* Draws text at (y, x) within `width` columns in role r: sanitized (no control characters or
 * escape sequences), cut by display width with an ellipsis, the rest of the width filled with
 * blanks when `fill`. Returns the columns used. */
int tui_put(tui_app *a, int y, int x, int width, tui_role r, const char *text, bool fill);
int tui_putf(tui_app *a, int y, int x, int width, tui_role r, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Same with an explicit attribute (roles combined with A_BOLD, A_REVERSE, ...). */
int tui_put_attr(tui_app *a, int y, int x, int width, attr_t at, const char *text, bool fill);
/* As tui_put, but a text too long loses its middle, not its end: names that differ only at
 * the end ("spend_last_7d", "spend_last_30d") stay apart when cut. */
int tui_put_ends(tui_app *a, int y, int x, int width, tui_role r, const char *text, bool fill);
int tui_put_attr_ends(tui_app *a, int y, int x, int width, attr_t at, const char *text, bool fill);
/* The text (sanitized) in at most `width` columns, losing its middle as tui_put_ends does, for
 * a name inside a longer line (the status line's). */
void tui_cut_ends(const tui_app *a, const char *text, int width, char *out, size_t cap);
/* Whether a blank looks the same in x as in y (same background, nothing drawn on a blank):
 * then blanks may take either, and a row changes attributes less often on the wire. */
bool tui_blank_alike(attr_t x, attr_t y);
/* A trends block's header row: "WHAT, windows FROM ... TO" at the left when it fits before the
 * figures' labels at label_x, else WHAT there and the range at the right end of the row. */
void tui_trend_header(tui_app *a, int y, int cols, const char *what, const char *from,
                      const char *to, int label_x);
/* A trend row's figures, "THIS  min LO max HI": the three with the same significant digits,
 * so that rounding never shows this window's value outside its own range (3.002 over a max
 * printed as 3), the most of 4 that fit in `width`; `whole` prints whole numbers. */
void tui_trend_figures(double now, double lo, double hi, bool whole, int width, char *out,
                       size_t cap);
/* Display width of text (after sanitizing). */
int tui_width(const char *text);
/* Wraps `text`, sanitized, to `width` display columns at spaces (a word longer than a line is
 * cut between characters); the lines are copied into `copy`, NUL-terminated, and `lines`
 * points at them. Returns the count, `max` at most. */
int tui_wrap(const char *text, int width, char *copy, size_t cap, char **lines, int max);
void tui_hline(tui_app *a, int y, int x, int width, tui_role r);
/* A number for a table: "-" for NaN, else %.*g-style with `digits` significant digits. */
void tui_num(double v, int digits, char *out, size_t cap);

/* ---- widgets --------------------------------------------------------------------------------------------- */

/* TUI_ENDS: to the left, and a text too long loses its middle (names that differ at the end). */
typedef enum { TUI_LEFT, TUI_RIGHT, TUI_ENDS } tui_align;

typedef struct {
    const char *title;
    int width;       /* preferred width (columns); the last shown column takes what is left */
    tui_align align;
    int min;         /* may shrink down to this (0: fixed width); the columns with the most to
                        give shrink first */
    bool drop;       /* may be left out (rightmost first) when shrinking is not enough */
} tui_column;

/* A cell: write its text into buf (or return a constant) and choose its role. */
typedef const char *(*tui_cell_fn)(tui_app *a, void *ctx, int row, int col, char *buf,
                                   size_t cap, tui_role *role);

#define TUI_TABLE_COLS 32 /* the most columns a table has */

typedef struct {
    const tui_column *cols;
    int ncols;
    int nrows;       /* visible rows (after the view's filter) */
    int cursor, top; /* cursor row and first shown row */
    int page;        /* rows shown at the last draw */
    int mark;        /* leading columns the cursor bar covers (0: enough to be 16 wide) */
    bool blur;       /* another pane has the focus: the cursor is underlined, not barred */
    int need[TUI_TABLE_COLS]; /* what each column's rows need (0: its width does); see below */
} tui_table;

/* Draws titles then rows into [y, y + h); keeps the cursor in view. */
void tui_table_draw(tui_app *a, tui_table *t, int y, int h, int width, tui_cell_fn cell,
                    void *ctx);
/* Moves the cursor for UP/DOWN/TOP/BOTTOM/PGUP/PGDN; true when it handled the action. */
bool tui_table_move(tui_table *t, tui_action act);
/* Clamps the cursor after the rows changed. */
void tui_table_clamp(tui_table *t);
/* Column `col` is at least `width` columns wide, whatever its preferred width and minimum: a
 * view sizes a column whose every character counts (an ID) to its rows after each load, so
 * that it is never cut; others shrink or drop around it. 0: back to the column's own width. */
void tui_table_need(tui_table *t, int col, int width);
/* The columns an integer takes printed in decimal. */
int tui_int_width(int64_t v);

/* A modal dialog: a title, the lines saying exactly what will change, and (when `reason` is
 * not NULL) a line to type into (a reason, a user, a time). Returns true when confirmed with
 * Enter (and, when `required`, with text typed); false on Esc. Resizing is handled. */
bool tui_dialog(tui_app *a, const char *title, const char *const *lines, size_t nlines,
                const char *input_label, char *input, size_t cap, bool required);
/* A choice among `n` options (arrow keys or the option's first letter); -1 on Esc. */
int tui_choose(tui_app *a, const char *title, const char *const *options, int n);
/* A version of `model` to show, from a chooser that opens on the one shown now (so Enter keeps
 * it); 0 on Esc, or when the versions could not be read (said in an alert). */
int64_t tui_choose_version(tui_app *a, const char *model, int64_t shown);
/* Shows a message until a key is pressed (errors from core, in core's words). */
void tui_alert(tui_app *a, const char *title, const char *text);

/* Completion for the prompt: candidates starting with `prefix`. */
typedef int (*tui_complete_fn)(tui_app *a, const char *line, const char **out, int max);
/* Reads a line on the status row after `label`, starting from buf; true on Enter, false on
 * Esc. Up brings back `recall` (the filter in force, the last command; NULL: none) to edit,
 * and Down the line as it was. */
bool tui_prompt(tui_app *a, const char *label, char *buf, size_t cap, tui_complete_fn complete,
                const char *recall);

/* Strings a long list holds, each kept once: rows refer to them by offset. A queue of 50,000
 * incidents repeats a few hundred models, kinds, titles and assignees. */
typedef struct {
    char *text;
    size_t len, cap;
    uint32_t *slots; /* open addressing: offset + 1, 0 when empty */
    size_t nslots, used;
} tui_pool;

/* The offset of `s` (NULL: "") in the pool, adding it when new. */
uint32_t tui_pool_add(tui_pool *p, const char *s);
static inline const char *tui_pool_str(const tui_pool *p, uint32_t off)
{
    return p->text + off;
}
void tui_pool_free(tui_pool *p);

/* ---- theme and config ---------------------------------------------------------------------------------- */

/* Loads theme `name` (NULL: the default) from the search path, sets up colours. On a malformed
 * file: the default theme, and *problem says what was wrong (file, field). */
void tui_theme_load(tui_app *a, const char *name, char *problem, size_t cap);
/* The theme search directories, in order (NULL-terminated, static storage). */
const char *const *tui_theme_dirs(void);
const char *tui_theme_current(void);
/* The theme in force draws with attributes alone (no colours): roles may then be combined. */
bool tui_theme_mono(void);
/* Names of the themes found (for :theme completion); static storage. */
int tui_theme_names(const char **out, int max);

typedef struct {
    char theme[64];
    bool mouse;
    int refresh_s;
    char model[65];
    bool cursor_row;
} tui_config;

/* The config file's path ($XDG_CONFIG_HOME/modeldeck/config). */
const char *tui_config_path(void);
/* Reads the config (missing file: defaults); bindings go to the keymap. *p lists what was
 * wrong, in line order (a bad line is skipped; the rest still applies). */
void tui_config_load(tui_config *c, tui_problems *p);
/* Adds a problem found on `line` (kept in line order; past TUI_PROBLEMS_MAX only counted). */
void tui_problem_add(tui_problems *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- time ------------------------------------------------------------------------------------------------ */
/* "45m", "5h", "3d": an age at a glance. */
void tui_fmt_age(int64_t ms, char *out, size_t cap);
/* "1d 4h", "3h 12m", "40s": a duration with two units. */
/* "2026-11-15 02:00" from stored ISO text; "-" when absent. */
void tui_short_time(const char *iso, char *out, size_t cap);
int64_t tui_now_ms(void);

#endif
