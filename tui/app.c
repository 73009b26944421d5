/* The console's loop: the terminal, the view stack, the header and the status line, keys,
 * the check for changes by others, and every way out (the command line is tui/command.c).
 *
 * The frame around the view (header, breadcrumbs, status line) is tui/frame.c.
 *
 * Calm over SSH: nothing is redrawn on a timer except what changed (the clock once a minute,
 * a view whose data another operator changed); curses sends only the cells that differ. */
#include <errno.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "fault.h"
#include "jobs.h"
#include "mem.h"
#include "settings.h"

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    got_signal = sig;
}

static void restore_terminal(void)
{
    if (!isendwin())
        endwin();
}

int64_t tui_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool tui_poll_signals(tui_app *a)
{
    if (got_signal)
        a->quit = true;
    return a->quit;
}

tui_role tui_severity_role(const char *sev)
{
    if (!sev || sev[0] != 'P')
        return TUI_NORMAL;
    switch (sev[1]) {
    case '1':
        return TUI_P1;
    case '2':
        return TUI_P2;
    case '3':
        return TUI_P3;
    case '4':
        return TUI_P4;
    }
    return TUI_NORMAL;
}

tui_role tui_status_role(const char *status)
{
    if (!status)
        return TUI_DIM;
    if (!strcmp(status, "alert") || !strcmp(status, "fail") || !strcmp(status, "failed") ||
        !strcmp(status, "timeout"))
        return TUI_ALERT;
    if (!strcmp(status, "warn") || !strcmp(status, "running") || !strcmp(status, "queued"))
        return TUI_WARN;
    if (!strcmp(status, "ok") || !strcmp(status, "pass") || !strcmp(status, "succeeded"))
        return TUI_OK;
    return TUI_DIM;
}

static void msg_set(tui_app *a, tui_role role, bool reply, const char *fmt, va_list ap)
{
    vsnprintf(a->msg, sizeof a->msg, fmt, ap);
    a->msg_role = role;
    a->msg_until = tui_now_ms() + 6000;
    a->msg_key = reply;
}

void tui_wake_in(tui_app *a, int ms)
{
    if (ms > 0 && (a->wake_ms == 0 || ms < a->wake_ms))
        a->wake_ms = ms;
}

void tui_msg(tui_app *a, tui_role role, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    msg_set(a, role, false, fmt, ap);
    va_end(ap);
}

void tui_reply(tui_app *a, tui_role role, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    msg_set(a, role, true, fmt, ap);
    va_end(ap);
}

const char *tui_role_first(const char *why, char *out, size_t cap)
{
    static const char needs[] = ": that needs the ", holds[] = " role (holds: ";
    const char *may = strstr(why, " may not "), *need = strstr(why, needs);
    const char *held = need ? strstr(need, holds) : NULL;
    if (!may || !need || !held || may > need)
        return why;
    const char *roles = need + sizeof needs - 1;
    snprintf(out, cap, "needs the %.*s role (%.*s holds: %s", (int)(held - roles), roles,
             (int)(may - why), why, held + sizeof holds - 1);
    return out;
}

void tui_refuse(tui_app *a, tui_action act, const char *why)
{
    char shown[MD_ERR_MSG_MAX];
    tui_reply(a, TUI_ERROR, "%s: %s", tui_action_hint(act),
              tui_role_first(why, shown, sizeof shown));
}

bool tui_may(tui_app *a, md_perm perm, const char **why)
{
    static char reason[MD_ERR_MSG_MAX];
    if (a->read_only) {
        *why = a->read_only_why;
        return false;
    }
    if (a->may.version != a->data_version) { /* roles may have changed with the store */
        memset(a->may.ok, -1, sizeof a->may.ok);
        a->may.version = a->data_version;
    }
    if ((unsigned)perm < MD_PERM_COUNT && a->may.ok[perm] >= 0) {
        *why = a->may.ok[perm] ? NULL : a->may.why[perm];
        return a->may.ok[perm] == 1;
    }
    md_err err;
    bool ok = md_authz_role(a->s, &a->actor, perm, &err) == MD_OK;
    if (!ok)
        snprintf(reason, sizeof reason, "%s", err.msg);
    if ((unsigned)perm < MD_PERM_COUNT && (ok || err.code == MD_REFUSED)) {
        a->may.ok[perm] = ok;
        snprintf(a->may.why[perm], sizeof a->may.why[perm], "%s", ok ? "" : reason);
    }
    *why = ok ? NULL : reason;
    return ok;
}

static bool listed(const tui_action *list, tui_action act)
{
    for (; list && *list != TUI_A_NONE; list++)
        if (*list == act)
            return true;
    return false;
}

const char *tui_unavailable(tui_app *a, tui_view *v, tui_action act)
{
    if (listed(v->ops->mutating, act) && a->read_only)
        return a->read_only_why;
    return v->ops->unavailable ? v->ops->unavailable(a, v, act) : NULL;
}

bool tui_launch_job(tui_app *a, int64_t job)
{
    md_err err;
    if (!a->opts.exe || !a->opts.db_path ||
        md_job_launch(a->opts.exe, a->opts.db_path, job, &err) != MD_OK) {
        tui_msg(a, TUI_ERROR, "job %lld is queued but its supervisor did not start: %s",
                (long long)job, a->opts.exe ? err.msg : "no executable path");
        return false;
    }
    /* the supervisor runs on its own (a webhook's retries never hold the console up); what it
     * writes to the store reaches the status line when the store is next found changed. A full
     * list gives up its oldest entry. */
    size_t n = sizeof a->watch / sizeof a->watch[0], slot = 0;
    for (size_t i = 0; i < n; i++) {
        if (!a->watch[i].id) {
            slot = i;
            break;
        }
        if (a->watch[i].id < a->watch[slot].id)
            slot = i;
    }
    a->watch[slot].id = job;
    snprintf(a->watch[slot].state, sizeof a->watch[slot].state, "queued");
    return true;
}

/* Reports on the status line each job of this session whose state changed. */
static void watch_jobs(tui_app *a)
{
    for (size_t i = 0; i < sizeof a->watch / sizeof a->watch[0]; i++) {
        if (!a->watch[i].id)
            continue;
        json_t *j;
        md_err err;
        if (md_job_show(a->s, a->watch[i].id, &j, &err) != MD_OK) {
            if (err.code == MD_NOTFOUND) /* else: a passing failure; ask again next time */
                a->watch[i].id = 0;
            continue;
        }
        const char *state = json_string_value(json_object_get(j, "state"));
        const char *model = json_string_value(json_object_get(j, "model"));
        const char *error = json_string_value(json_object_get(j, "error"));
        if (state && strcmp(state, a->watch[i].state) != 0) {
            snprintf(a->watch[i].state, sizeof a->watch[i].state, "%s", state);
            bool bad = !strcmp(state, "failed");
            tui_msg(a, bad ? TUI_ERROR : !strcmp(state, "succeeded") ? TUI_GOOD : TUI_NORMAL,
                    "retrain job %lld (%s): %s%s%s", (long long)a->watch[i].id,
                    model ? model : "?", state, bad && error ? ": " : "",
                    bad && error ? error : "");
            if (strcmp(state, "queued") && strcmp(state, "running"))
                a->watch[i].id = 0; /* an end state: nothing more to say */
        }
        json_decref(j);
    }
}

/* ---- the view stack -------------------------------------------------------------------------------- */

static const tui_view_ops *const screens[9] = {
    NULL,
    &tui_registry_view,
    &tui_drift_view,
    &tui_calibration_view,
    &tui_incidents_view,
    &tui_approvals_view,
    &tui_jobs_view,
    &tui_audit_view,
    &tui_scorecard_view,
};
static tui_view *screen_views[9];

static void view_free(tui_view *v)
{
    if (!v)
        return;
    if (v->ops->free)
        v->ops->free(v);
    free(v->st);
    free(v);
}

static void view_load(tui_app *a, tui_view *v)
{
    md_err err;
    v->error[0] = '\0';
    if (v->ops->load && v->ops->load(a, v, &err) != MD_OK)
        snprintf(v->error, sizeof v->error, "%s", err.msg);
    v->loaded_at = a->data_version;
    v->stale = false;
}

static tui_view *view_new(tui_app *a, const tui_view_ops *ops, const char *arg)
{
    tui_view *v = md_xcalloc(1, sizeof *v);
    v->ops = ops;
    v->st = md_xcalloc(1, ops->state_size ? ops->state_size : 1);
    snprintf(v->arg, sizeof v->arg, "%s", arg ? arg : "");
    char why[256] = "";
    if (ops->open && !ops->open(a, v, arg, why, sizeof why)) {
        tui_msg(a, TUI_ERROR, "%s", why[0] ? why : "cannot open that");
        view_free(v);
        return NULL;
    }
    view_load(a, v);
    return v;
}

static bool is_screen(const tui_view *v)
{
    for (int i = 1; i <= 8; i++)
        if (screen_views[i] == v)
            return true;
    return false;
}

/* Frees the views above the screen at the bottom of the stack. */
static void pop_to_screen(tui_app *a)
{
    while (a->top && !is_screen(a->top)) {
        tui_view *v = a->top;
        a->top = v->below;
        view_free(v);
    }
}

bool tui_push(tui_app *a, const tui_view_ops *ops, const char *arg)
{
    tui_view *v = view_new(a, ops, arg);
    if (!v)
        return false;
    v->below = a->top;
    a->top = v;
    return true;
}

void tui_view_showing(tui_view *v, const char *model, int64_t version)
{
    if (version > 0)
        snprintf(v->arg, sizeof v->arg, "%s %lld", model, (long long)version);
    else
        snprintf(v->arg, sizeof v->arg, "%s", model);
}

bool tui_screen(tui_app *a, int n, const char *arg)
{
    if (n < 1 || n > 8)
        return false;
    /* the drift and calibration screens follow the model in focus elsewhere (an incident, a
     * model's version) */
    char focus[96];
    if (!arg && (n == 2 || n == 3) && a->model[0]) {
        if (a->version > 0)
            snprintf(focus, sizeof focus, "%s %lld", a->model, (long long)a->version);
        else
            snprintf(focus, sizeof focus, "%s", a->model);
        arg = focus;
    }
    /* the screen as it was left (cursor, metric, filter) when asked for what it shows */
    bool same = screen_views[n] && arg && !strcmp(screen_views[n]->arg, arg);
    if ((arg && !same) || !screen_views[n]) {
        tui_view *v = view_new(a, screens[n], arg);
        if (!v)
            return false;
        pop_to_screen(a);
        view_free(screen_views[n]);
        screen_views[n] = v;
    } else {
        pop_to_screen(a);
        if (screen_views[n]->stale || screen_views[n]->loaded_at != a->data_version)
            view_load(a, screen_views[n]);
    }
    a->top = screen_views[n];
    a->screen = n;
    return true;
}

static void close_top(tui_app *a)
{
    tui_view *v = a->top;
    if (!v || is_screen(v)) {
        a->quit = true;
        return;
    }
    a->top = v->below;
    view_free(v);
    if (a->top && (a->top->stale || a->top->loaded_at != a->data_version))
        view_load(a, a->top);
}

void tui_reload_all(tui_app *a)
{
    md_err err;
    md_store_data_version(a->s, &a->data_version, &err);
    md_overview_header(a->s, &a->counts, &err);
    md_overview_next_change(a->s, &a->next_change, &err);
    md_user_roles(a->s, a->actor.name, &a->roles, &err); /* granted or revoked meanwhile */
    watch_jobs(a);
    a->read_only = a->opts.read_only || a->actor.read_only || md_store_is_read_only(a->s);
    md_store_info info;
    if (a->opts.read_only || a->actor.read_only)
        snprintf(a->read_only_why, sizeof a->read_only_why,
                 "this session is read-only (--read-only)");
    else if (a->read_only && md_store_get_info(a->s, &info, &err) == MD_OK) {
        /* as core words it: who froze the store and why */
        snprintf(a->read_only_why, sizeof a->read_only_why, "the store is read-only (set by %s: %s)",
                 info.read_only_by ? info.read_only_by : "an admin",
                 info.read_only_reason ? info.read_only_reason : "no reason given");
        md_store_info_free(&info);
    } else
        snprintf(a->read_only_why, sizeof a->read_only_why, "the store is read-only");
    for (int i = 1; i <= 8; i++)
        if (screen_views[i])
            screen_views[i]->stale = true;
    for (tui_view *v = a->top; v; v = v->below)
        v->stale = true;
    if (a->top)
        view_load(a, a->top);
}

/* ---- drawing ----------------------------------------------------------------------------------------- */

void tui_draw(tui_app *a)
{
    if (tui_too_small(a)) {
        tui_draw_too_small(a);
        return;
    }
    tui_view *v = a->top;
    if (v && (v->stale || v->loaded_at != a->data_version))
        view_load(a, v);
    erase(); /* curses sends only what differs from the last frame */
    tui_draw_header(a);
    tui_draw_crumbs(a);
    int top = 2, rows = a->rows - 3;
    if (v && v->error[0]) {
        for (int r = 0; r < rows; r++)
            tui_put(a, top + r, 0, a->cols, TUI_NORMAL, "", true);
        tui_put(a, top + 1, 2, a->cols - 4, TUI_ERROR, v->error, false);
    } else if (v) {
        v->ops->draw(a, v, top, rows, a->cols);
    }
    tui_draw_status(a);
}

void tui_resized(tui_app *a)
{
    getmaxyx(stdscr, a->rows, a->cols);
    erase();
}

/* ---- filter ------------------------------------------------------------------------------------------------ */

static void filter_prompt(tui_app *a)
{
    tui_view *v = a->top;
    if (!v->ops->matches) {
        tui_reply(a, TUI_DIM, "this view has nothing to filter");
        return;
    }
    char now[130], text[130] = ""; /* a new filter replaces the one in force; Up edits that */
    snprintf(now, sizeof now, "%s%s", v->filter_invert ? "!" : "", v->filter);
    if (!tui_prompt(a, "/", text, sizeof text, NULL, now))
        return;
    v->filter_invert = text[0] == '!';
    snprintf(v->filter, sizeof v->filter, "%s", text + v->filter_invert);
    v->stale = true; /* views apply the filter when they load */
}

/* ---- keys ------------------------------------------------------------------------------------------------- */

static void handle_key(tui_app *a, int r, wint_t ch)
{
    int code = tui_key_code(r, ch);
    if (tui_too_small(a)) { /* only quitting and resizing work */
        tui_action q = tui_keymap_lookup(NULL, code);
        if (q == TUI_A_QUIT || q == TUI_A_CLOSE)
            a->quit = true;
        return;
    }
    if (a->msg_key) { /* the reply to the last key: this one may change what it said */
        a->msg[0] = '\0';
        a->msg_key = false;
    }
    tui_view *v = a->top;
    tui_action act = TUI_A_NONE;
    if (r == KEY_CODE_YES && ch == KEY_MOUSE) { /* the wheel moves the cursor, however bound */
        MEVENT me;
        if (getmouse(&me) != OK)
            return;
        act = me.bstate & BUTTON4_PRESSED   ? TUI_A_UP
              : me.bstate & BUTTON5_PRESSED ? TUI_A_DOWN
                                            : TUI_A_NONE;
        if (act == TUI_A_NONE)
            return;
    } else {
        act = tui_keymap_lookup(v ? (v->ops->scope ? v->ops->scope : v->ops->name) : NULL, code);
    }
    if (act == TUI_A_NEXT || act == TUI_A_PREV) {
        /* a filter keeps only the rows that match it: the next match is the next row */
        if (!v || !v->filter[0]) {
            tui_refuse(a, act, "no filter here (/ sets one)");
            return;
        }
        act = act == TUI_A_NEXT ? TUI_A_DOWN : TUI_A_UP;
    }
    if (v && act != TUI_A_NONE) {
        const char *why = tui_unavailable(a, v, act);
        if (why) {
            tui_refuse(a, act, why);
            return;
        }
    }
    int re = v ? v->ops->key(a, v, act, code) : TUI_R_UNHANDLED;
    if (re & TUI_R_RELOAD)
        tui_reload_all(a);
    if (re & TUI_R_CLOSE)
        close_top(a);
    if (!(re & TUI_R_UNHANDLED))
        return;
    switch (act) {
    case TUI_A_QUIT:
        a->quit = true;
        break;
    case TUI_A_CLOSE:
        close_top(a);
        break;
    case TUI_A_BACK:
        if (v && v->filter[0]) {
            v->filter[0] = '\0';
            v->filter_invert = false;
            v->stale = true;
        } else if (v && !is_screen(v)) {
            close_top(a);
        }
        break;
    case TUI_A_HELP:
        tui_push(a, &tui_help_view, NULL);
        break;
    case TUI_A_FILTER:
        if (v)
            filter_prompt(a);
        break;
    case TUI_A_COMMAND: {
        char line[256] = "";
        a->msg[0] = '\0'; /* what was said was about what came before this command */
        if (tui_prompt(a, ":", line, sizeof line, tui_complete_command, a->last_command)) {
            if (line[0])
                snprintf(a->last_command, sizeof a->last_command, "%s", line);
            tui_command(a, line);
        }
        break;
    }
    case TUI_A_REDRAW:
        clearok(curscr, TRUE);
        break;
    case TUI_A_REFRESH:
        tui_reload_all(a);
        tui_msg(a, TUI_STATUS, "read the store again");
        break;
    case TUI_A_SCREEN1: case TUI_A_SCREEN2: case TUI_A_SCREEN3: case TUI_A_SCREEN4:
    case TUI_A_SCREEN5: case TUI_A_SCREEN6: case TUI_A_SCREEN7: case TUI_A_SCREEN8:
        a->msg[0] = '\0'; /* what was said was about the screen being left */
        tui_screen(a, act - TUI_A_SCREEN1 + 1, NULL);
        break;
    default:
        break;
    }
}

/* ---- start and finish --------------------------------------------------------------------------------- */

static SCREEN *term;

/* ---- the trace (MODELDECK_TRACE=FILE): what the benchmarks measure ----------------------------------
 * One line per frame: "frame N KEY MS": the key that caused it (-1: none) and the milliseconds
 * from reading the key to the end of the terminal update (curses has written the frame when
 * the line appears, so a driver on the other side of the terminal can count its bytes);
 * "first MS" (from the start of the console to its first frame) and "rss KB" (the peak) at the
 * end. */
static FILE *trace_file;

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void trace_open(void)
{
    const char *path = getenv("MODELDECK_TRACE");
    if (path && *path && (trace_file = fopen(path, "w")))
        setvbuf(trace_file, NULL, _IOLBF, 0);
}

static bool start_terminal(tui_app *a, bool mouse, char *why, size_t cap)
{
    const char *codeset = nl_langinfo(CODESET);
    a->utf8 = !a->opts.ascii && codeset && !strcmp(codeset, "UTF-8");
    trace_open();
    if (!(term = newterm(NULL, stdout, stdin))) {
        snprintf(why, cap, "cannot start the console on this terminal (TERM=%s)",
                 getenv("TERM") ? getenv("TERM") : "unset");
        return false;
    }
    md_set_fatal_hook(restore_terminal);
    if (!getenv("ESCDELAY")) /* Esc answers at once; ESCDELAY, when set, is the user's */
        set_escdelay(25);
    idlok(stdscr, TRUE); /* a list that scrolls by a line is sent as a scroll, not redrawn */
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    leaveok(stdscr, TRUE); /* the cursor is hidden: no bytes spent putting it back */
    const char *nc = getenv("NO_COLOR");
    a->color = has_colors() && !a->opts.no_color && !(nc && *nc);
    if (a->color) {
        start_color();
        use_default_colors();
    }
    if (mouse)
        mousemask(BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
    timeout(1000);
    getmaxyx(stdscr, a->rows, a->cols);
    return true;
}

/* Another writer holds the store's lock while an action writes: the console says so on the
 * status line at once (it cannot draw its views while the action is under way) and, when the
 * wait ends, drops the keys typed meanwhile: keys pressed at a frozen screen would act on
 * whatever the cursor is on by then. The action then says how it went. */
#define LOCK_WAIT_MS 10000

static void lock_waiting(void *ctx, bool done, int64_t waited_ms)
{
    tui_app *a = ctx;
    if (done) {
        flushinp();
        return;
    }
    char text[160];
    snprintf(text, sizeof text,
             "another writer holds the store: waiting up to %d s (waited %.1f s)",
             LOCK_WAIT_MS / 1000, (double)waited_ms / 1000.0);
    tui_put(a, a->rows - 1, 0, a->cols, TUI_WARN, text, true);
    refresh();
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
}

int md_tui_run(md_store *s, const md_actor *actor, const md_tui_opts *opts)
{
    int64_t started = mono_us();
    tui_app a;
    memset(&a, 0, sizeof a);
    a.may.version = -1;
    a.s = s;
    a.actor = *actor;
    a.opts = *opts;
    tui_config cfg;
    char theme_problem[600];
    tui_problems cfg_problems;
    tui_keymap_reset();
    tui_config_load(&cfg, &cfg_problems);
    md_err err;
    md_user_roles(s, actor->name, &a.roles, &err);
    snprintf(a.model, sizeof a.model, "%s", cfg.model);
    a.cursor_row = cfg.cursor_row;
    install_signals(); /* before curses, so it keeps ours */
    char why[256];
    if (!start_terminal(&a, opts->mouse || cfg.mouse, why, sizeof why)) {
        fprintf(stderr, "modeldeck: %s\n", why);
        return MD_ERROR;
    }
    tui_theme_load(&a, opts->theme ? opts->theme : cfg.theme[0] ? cfg.theme : NULL,
                   theme_problem, sizeof theme_problem);
    md_store_set_lock_wait(s, LOCK_WAIT_MS, lock_waiting, &a);
    tui_reload_all(&a);
    tui_screen(&a, 1, NULL);
    if (md_store_upgrade_note(s, true)[0])
        tui_msg(&a, TUI_WARN, "%s", md_store_upgrade_note(s, true));
    else if (cfg_problems.total == 1)
        tui_msg(&a, TUI_ERROR, "%s", cfg_problems.item[0].text);
    else if (cfg_problems.total) /* the count first, so that a cut keeps it; then the first */
        tui_msg(&a, TUI_ERROR, "%zu config problems ('modeldeck info' lists them), the first: %s",
                cfg_problems.total, cfg_problems.item[0].text);
    else if (theme_problem[0])
        tui_msg(&a, TUI_ERROR, "%s", theme_problem);
    if (opts->start)
        tui_command(&a, opts->start);
    int64_t next_poll = tui_now_ms() + cfg.refresh_s * 1000;
    int64_t frames = 0, key_at = 0;
    int last_key = -1;
    while (!a.quit) {
        tui_draw(&a);
        refresh();
        if (trace_file) {
            int64_t t = mono_us();
            if (frames == 0)
                fprintf(trace_file, "first %.3f\n", (double)(t - started) / 1000.0);
            fprintf(trace_file, "frame %lld %d %.3f\n", (long long)++frames, last_key,
                    key_at ? (double)(t - key_at) / 1000.0 : 0.0);
        }
        if (md_fault_hit("console.fatal", &err)) /* the tests' way to a fatal error */
            md_fatal("%s", err.msg);
        wint_t ch;
        if (a.wake_ms > 0)
            timeout(a.wake_ms);
        int r = get_wch(&ch);
        if (a.wake_ms > 0)
            timeout(1000);
        a.wake_ms = 0;
        key_at = mono_us();
        last_key = r == ERR ? -1 : (int)ch;
        if (tui_poll_signals(&a))
            break;
        if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
            tui_resized(&a);
            continue;
        }
        if (r != ERR)
            handle_key(&a, r, ch);
        int64_t now = tui_now_ms();
        if (now >= next_poll) { /* another operator's change shows without a keypress */
            int64_t dv = a.data_version;
            md_store_data_version(s, &dv, &err);
            if (dv != a.data_version) {
                a.msg[0] = '\0';    /* what the last action said may no longer hold; what the */
                tui_reload_all(&a); /* change itself says (a watched job's end) is said now */
            }
            next_poll = now + cfg.refresh_s * 1000;
        }
        /* a snooze that ran out or a request that expired changes what shows, with no write */
        int64_t due = a.next_change;
        if (due && md_store_now_ms(s) >= due) {
            tui_reload_all(&a);
            if (a.next_change && a.next_change <= due) /* a time that would not move on */
                a.next_change = 0;
            tui_msg(&a, TUI_WARN, "a snooze ran out or a promotion request expired: shown now");
        }
    }
    pop_to_screen(&a);
    for (int i = 1; i <= 8; i++) {
        view_free(screen_views[i]);
        screen_views[i] = NULL;
    }
    a.top = NULL;
    md_store_set_lock_wait(s, 0, NULL, NULL); /* the hook's console ends here */
    restore_terminal();
    md_set_fatal_hook(NULL);
    delscreen(term);
    if (trace_file) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        fprintf(trace_file, "rss %ld\n", ru.ru_maxrss);
        fclose(trace_file);
    }
    return got_signal ? 128 + (int)got_signal : 0;
}
