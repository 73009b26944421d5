/* Screen 7, the audit trail: the hash chain newest first, with the verdict of a full verification
 * on top, so an auditor sees at once whether the history can be trusted; Enter shows one row
 * whole (its details, its hash and whether it still matches its content and its predecessor).
 *
 * The verification recomputes every hash, so it runs when the screen first loads and again on
 * 'v', not on every reload (another operator's action, a filter): rows added since are counted
 * on the verdict's line as not yet verified. It runs on a thread of its own, with its own
 * read-only connection: a million rows take seconds, and the keys stay live meanwhile (the
 * verdict's line counts the rows checked so far). */
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "audit.h"
#include "internal.h"
#include "json.h"
#include "mem.h"
#include "text.h"

#define AUDIT_ROWS_MAX 2000 /* the newest rows the list holds */

typedef struct {
    int64_t seq;
    char *at, *actor, *action, *object, *reason;
} audit_line;

/* One verification on its thread. The thread writes verdict and err, then sets done; the
 * console reads them only after seeing done, and joins the thread. */
typedef struct {
    pthread_t thread;
    bool running;  /* started, not yet collected (the console's side) */
    bool joinable; /* on a thread (else it ran in place, when no thread could start) */
    bool announce; /* asked for with 'v': the status line says the verdict */
    atomic_bool done;
    md_audit_watch watch;
    char path[PATH_MAX];
    md_audit_verdict verdict;
    char err[MD_ERR_MSG_MAX];
} verifier;

typedef struct {
    char action[64]; /* from ":audit ACTION-PREFIX", "" for every action */
    audit_line *rows;
    size_t n, cap;
    int *shown; /* indexes of the rows the filter keeps */
    tui_table t;
    md_audit_verdict verdict;
    bool verified; /* a verification has finished (the first load's, then 'v''s) */
    char verify_err[MD_ERR_MSG_MAX]; /* the verification could not run */
    verifier vf;
} audit_view;

/* Narrow terminals keep the time to the minute without the year; wide ones show it whole. */
static const tui_column narrow[] = {
    {"SEQ", 6, TUI_RIGHT, 0, false},     {"AT", 11, TUI_LEFT, 0, false},
    {"ACTOR", 8, TUI_LEFT, 5, false},    {"ACTION", 18, TUI_LEFT, 15, false},
    {"OBJECT", 24, TUI_LEFT, 16, false}, {"REASON", 30, TUI_LEFT, 14, false},
};
static const tui_column wide[] = {
    {"SEQ", 8, TUI_RIGHT, 0, false},     {"AT", 19, TUI_LEFT, 0, false},
    {"ACTOR", 10, TUI_LEFT, 5, false},   {"ACTION", 20, TUI_LEFT, 15, false},
    {"OBJECT", 30, TUI_LEFT, 17, false}, {"REASON", 40, TUI_LEFT, 14, false},
};
#define NCOLS ((int)(sizeof narrow / sizeof narrow[0]))
#define WIDE_FROM 120 /* columns from which the wide set is used */

/* "2026-11-20T08:00:00.000Z" -> "11-20 08:00", or "2026-11-20 08:00:00" when `full`. */
static void list_time(const char *iso, bool full, char *out, size_t cap)
{
    if (!iso || strlen(iso) < 19)
        snprintf(out, cap, "%s", iso ? iso : "");
    else if (full)
        snprintf(out, cap, "%.10s %.8s", iso, iso + 11);
    else
        snprintf(out, cap, "%.5s %.5s", iso + 5, iso + 11);
}

static void lines_free(audit_view *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->rows[i].at);
        free(g->rows[i].actor);
        free(g->rows[i].action);
        free(g->rows[i].object);
        free(g->rows[i].reason);
    }
    free(g->rows);
    free(g->shown);
    g->rows = NULL;
    g->shown = NULL;
    g->n = g->cap = 0;
    g->t.nrows = 0;
}

static md_status collect(const md_audit_row *r, void *ctx, md_err *err)
{
    (void)err;
    audit_view *g = ctx;
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 256;
        g->rows = md_xrealloc(g->rows, g->cap * sizeof *g->rows);
    }
    audit_line *l = &g->rows[g->n++];
    l->seq = r->seq;
    l->at = md_xstrdup(r->at ? r->at : "");
    l->actor = md_xstrdup(r->actor ? r->actor : "");
    l->action = md_xstrdup(r->action ? r->action : "");
    l->object = md_xstrdup(r->object ? r->object : "");
    l->reason = md_xstrdup(r->reason ? r->reason : "");
    return MD_OK;
}

static bool line_matches(const audit_line *l, const char *text)
{
    char seq[24];
    snprintf(seq, sizeof seq, "%lld", (long long)l->seq);
    return !strcmp(seq, text) || strcasestr(l->actor, text) || strcasestr(l->action, text) ||
           strcasestr(l->object, text) || strcasestr(l->reason, text);
}

static bool matches(tui_view *v, int row, const char *text)
{
    audit_view *g = v->st;
    return row >= 0 && row < g->t.nrows && line_matches(&g->rows[g->shown[row]], text);
}

static void *verify_thread(void *arg)
{
    verifier *w = arg;
    md_open_opts o = {MD_OPEN_EXISTING, true};
    md_store *s = NULL;
    md_err err;
    w->err[0] = '\0';
    md_status rc = atomic_load(&w->watch.stop) ? md_err_set(&err, MD_ERROR, "stopped")
                                               : md_store_open(w->path, &o, &s, &err);
    if (rc == MD_OK)
        rc = md_audit_verify_watched(s, &w->watch, &w->verdict, &err);
    if (rc != MD_OK)
        snprintf(w->err, sizeof w->err, "%s", err.msg);
    md_store_close(s);
    atomic_store_explicit(&w->done, true, memory_order_release);
    return NULL;
}

/* Starts a verification of the whole chain; `announce`: its verdict goes to the status line. */
static void verify_start(tui_app *a, audit_view *g, bool announce)
{
    verifier *w = &g->vf;
    snprintf(w->path, sizeof w->path, "%s", md_store_path(a->s));
    atomic_store(&w->done, false);
    atomic_store(&w->watch.stop, false);
    atomic_store(&w->watch.checked, 0);
    w->announce = announce;
    w->running = true;
    /* the console's signals (SIGTERM, SIGWINCH, ...) stay with the thread that handles them */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    w->joinable = pthread_create(&w->thread, NULL, verify_thread, w) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!w->joinable)
        verify_thread(w);
}

static void verify_announce(tui_app *a, const audit_view *g)
{
    if (g->verify_err[0])
        tui_msg(a, TUI_ERROR, "the chain could not be verified: %s", g->verify_err);
    else if (g->verdict.ok)
        tui_msg(a, TUI_GOOD, "chain verified again: %lld rows, OK", (long long)g->verdict.rows);
    else
        tui_msg(a, TUI_ERROR, "chain not trusted: %s", g->verdict.problem);
}

/* Takes a finished verification's verdict; while one runs, asks the loop to look again soon. */
static void verify_collect(tui_app *a, audit_view *g)
{
    verifier *w = &g->vf;
    if (!w->running)
        return;
    if (!atomic_load_explicit(&w->done, memory_order_acquire)) {
        tui_wake_in(a, 100);
        return;
    }
    if (w->joinable)
        pthread_join(w->thread, NULL);
    w->running = w->joinable = false;
    g->verified = true;
    g->verdict = w->verdict;
    snprintf(g->verify_err, sizeof g->verify_err, "%s", w->err);
    if (w->announce)
        verify_announce(a, g);
}

/* Ends a verification still running (the view closes): it stops within 1,024 rows. */
static void verify_stop(audit_view *g)
{
    verifier *w = &g->vf;
    if (!w->running)
        return;
    atomic_store(&w->watch.stop, true);
    if (w->joinable)
        pthread_join(w->thread, NULL);
    w->running = w->joinable = false;
}

static bool open_view(tui_app *a, tui_view *v, const char *arg, char *why, size_t cap)
{
    (void)a, (void)why, (void)cap;
    audit_view *g = v->st;
    snprintf(g->action, sizeof g->action, "%s", arg ? arg : "");
    g->t.cols = narrow;
    g->t.ncols = NCOLS;
    return true;
}

static md_status load(tui_app *a, tui_view *v, md_err *err)
{
    audit_view *g = v->st;
    int64_t keep = g->t.nrows ? g->rows[g->shown[g->t.cursor]].seq : 0;
    lines_free(g);
    md_audit_filter f = {.action = g->action[0] ? g->action : NULL,
                         .limit = AUDIT_ROWS_MAX,
                         .newest_first = true};
    if (md_audit_each(a->s, &f, collect, g, err) != MD_OK)
        return err->code;
    g->shown = md_xcalloc(g->n + 1, sizeof *g->shown);
    for (size_t i = 0; i < g->n; i++)
        if (!v->filter[0] || line_matches(&g->rows[i], v->filter) != v->filter_invert)
            g->shown[g->t.nrows++] = (int)i;
    /* the same row when it is still shown, else the nearest older one */
    for (int i = 0; keep && i < g->t.nrows; i++)
        if (g->rows[g->shown[i]].seq <= keep) {
            g->t.cursor = i;
            break;
        }
    tui_table_clamp(&g->t);
    if (!g->verified && !g->vf.running)
        verify_start(a, g, false);
    return MD_OK;
}

static const char *cell(tui_app *a, void *ctx, int row, int col, char *buf, size_t cap,
                        tui_role *role)
{
    (void)a;
    audit_view *g = ctx;
    const audit_line *l = &g->rows[g->shown[row]];
    switch (col) {
    case 0:
        snprintf(buf, cap, "%lld", (long long)l->seq);
        if (g->verified && g->verdict.bad_seq && l->seq >= g->verdict.bad_seq)
            *role = TUI_ALERT; /* at or after the break: not covered by the chain */
        return buf;
    case 1:
        list_time(l->at, g->t.cols == wide, buf, cap);
        return buf;
    case 2:
        return l->actor;
    case 3:
        if (strstr(l->action, "rollback") || strstr(l->action, "override") ||
            strstr(l->action, "cancel"))
            *role = TUI_WARN;
        return l->action;
    case 4:
        return l->object;
    case 5:
        return l->reason;
    }
    return "";
}

static void draw(tui_app *a, tui_view *v, int top, int rows, int cols)
{
    audit_view *g = v->st;
    const md_audit_verdict *vd = &g->verdict;
    char line[MD_ERR_MSG_MAX + 64];
    int y = top;
    verify_collect(a, g);
    if (g->vf.running) {
        int64_t newest = g->n && !g->action[0] ? g->rows[0].seq : 0;
        int n =
            snprintf(line, sizeof line, "%s verifying the chain: %lld rows checked",
                     tui_glyph(a, TUI_G_ELLIPSIS), (long long)atomic_load(&g->vf.watch.checked));
        if (newest)
            snprintf(line + n, sizeof line - (size_t)n, " of %lld", (long long)newest);
        tui_put(a, y++, 0, cols, TUI_DIM, line, true);
    } else if (g->verify_err[0]) {
        snprintf(line, sizeof line, "%s the chain could not be verified: %s",
                 tui_glyph(a, TUI_G_CROSS), g->verify_err);
        tui_put(a, y++, 0, cols, TUI_ALERT, line, true);
    } else if (vd->ok) {
        snprintf(line, sizeof line, "%s chain verified: %lld rows, OK %s head %.12s%s",
                 tui_glyph(a, TUI_G_CHECK), (long long)vd->rows, tui_glyph(a, TUI_G_VLINE),
                 vd->head, tui_glyph(a, TUI_G_ELLIPSIS));
        int64_t newest = g->n ? g->rows[0].seq : 0; /* newest first, unless filtered by action */
        if (!g->action[0] && newest > vd->rows)
            snprintf(line + strlen(line), sizeof line - strlen(line),
                     " %s +%lld unverified (v)", tui_glyph(a, TUI_G_VLINE),
                     (long long)(newest - vd->rows));
        tui_put(a, y++, 0, cols, TUI_OK, line, true);
    } else {
        /* a broken chain takes two lines: the verdict, then core's account of the problem */
        if (vd->bad_seq)
            snprintf(line, sizeof line, "%s CHAIN BROKEN from seq %lld on (%lld rows checked "
                                        "before it)",
                     tui_glyph(a, TUI_G_CROSS), (long long)vd->bad_seq, (long long)vd->rows);
        else
            snprintf(line, sizeof line, "%s CHAIN NOT TRUSTED (%lld rows checked)",
                     tui_glyph(a, TUI_G_CROSS), (long long)vd->rows);
        tui_put(a, y++, 0, cols, TUI_ALERT, line, true);
        tui_put(a, y, 0, 2, TUI_NORMAL, "", true);
        tui_put(a, y++, 2, cols - 2, TUI_ALERT, vd->problem, true);
    }
    int n = snprintf(line, sizeof line, "newest first: %d row%s", g->t.nrows,
                     g->t.nrows == 1 ? "" : "s");
    if (g->action[0])
        n += snprintf(line + n, sizeof line - (size_t)n, " of action %s", g->action);
    if (v->filter[0])
        n += snprintf(line + n, sizeof line - (size_t)n, " kept by the filter");
    if (g->n == AUDIT_ROWS_MAX)
        snprintf(line + n, sizeof line - (size_t)n, " (the latest %d read; :audit ACTION narrows)",
                 AUDIT_ROWS_MAX);
    tui_put(a, y++, 0, cols, TUI_DIM, line, true);
    if (g->t.nrows == 0) {
        tui_put(a, y++, 0, cols, TUI_DIM,
                g->n ? "  no row matches the filter" : "  no audit rows", true);
        for (; y < top + rows; y++)
            tui_put(a, y, 0, cols, TUI_NORMAL, "", true);
        return;
    }
    g->t.cols = cols >= WIDE_FROM ? wide : narrow;
    tui_table_draw(a, &g->t, y, top + rows - y, cols, cell, g);
}

static void crumb(tui_view *v, char *out, size_t cap)
{
    audit_view *g = v->st;
    if (g->action[0])
        snprintf(out, cap, "Audit (action %s)", g->action);
}

static void status(tui_app *a, tui_view *v, char *out, size_t cap)
{
    (void)a;
    audit_view *g = v->st;
    if (!g->t.nrows)
        return;
    const audit_line *l = &g->rows[g->shown[g->t.cursor]];
    snprintf(out, cap, "seq %lld, %s by %s", (long long)l->seq, l->action, l->actor);
}

static const tui_view_ops audit_row_view;

static int key(tui_app *a, tui_view *v, tui_action act, int ch)
{
    (void)ch;
    audit_view *g = v->st;
    if (tui_table_move(&g->t, act))
        return TUI_R_DRAW;
    switch (act) {
    case TUI_A_VERIFY:
        verify_collect(a, g);
        if (g->vf.running) {
            tui_reply(a, TUI_NORMAL, "the chain is being verified: %lld rows checked so far",
                      (long long)atomic_load(&g->vf.watch.checked));
            return TUI_R_DRAW;
        }
        verify_start(a, g, true);
        verify_collect(a, g); /* in place when no thread could start */
        return TUI_R_DRAW;
    case TUI_A_ENTER: {
        if (!g->t.nrows)
            return TUI_R_NONE;
        char arg[24];
        snprintf(arg, sizeof arg, "%lld", (long long)g->rows[g->shown[g->t.cursor]].seq);
        tui_push(a, &audit_row_view, arg);
        return TUI_R_DRAW;
    }
    default:
        return TUI_R_UNHANDLED;
    }
}

static void free_view(tui_view *v)
{
    verify_stop(v->st);
    lines_free(v->st);
}

static const tui_action actions[] = {TUI_A_ENTER, TUI_A_VERIFY, TUI_A_FILTER, TUI_A_NONE};

const tui_view_ops tui_audit_view = {
    .name = "audit",
    .title = "Audit",
    .state_size = sizeof(audit_view),
    .open = open_view,
    .load = load,
    .draw = draw,
    .key = key,
    .free = free_view,
    .crumb = crumb,
    .status = status,
    .matches = matches,
    .actions = actions,
};

/* ---- one row, whole -------------------------------------------------------------------------- */

typedef struct {
    const char *label; /* static text */
    char *text;        /* sanitized, one line */
    tui_role role;
} entry;

typedef struct {
    int entry;
    size_t off, len; /* the part of the entry's text on this screen line */
    int indent;      /* a continuation keeps the entry's own indentation, and two more */
} wrapped;

typedef struct {
    int64_t seq;
    entry *e;
    int ne, cap;
    wrapped *w; /* the entries wrapped to `width` (redone when the width changes) */
    int nw, width;
    int top, page;
} row_view;

static void add(row_view *r, const char *label, tui_role role, const char *text)
{
    if (r->ne == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 32;
        r->e = md_xrealloc(r->e, (size_t)r->cap * sizeof *r->e);
    }
    r->e[r->ne++] = (entry){label, md_text_sanitize(text), role};
}

static void entries_free(row_view *r)
{
    for (int i = 0; i < r->ne; i++)
        free(r->e[i].text);
    free(r->e);
    free(r->w);
    r->e = NULL;
    r->w = NULL;
    r->ne = r->cap = r->nw = r->width = 0;
}

typedef struct {
    int64_t seq;
    md_audit_row row, prev; /* the row and its predecessor (copies) */
    bool has_row, has_prev;
} row_pair;

static void row_copy(md_audit_row *to, const md_audit_row *from)
{
    to->seq = from->seq;
    to->at = md_xstrdup(from->at ? from->at : "");
    to->actor = md_xstrdup(from->actor ? from->actor : "");
    to->action = md_xstrdup(from->action ? from->action : "");
    to->object = md_xstrdup(from->object ? from->object : "");
    to->reason = md_xstrdup(from->reason ? from->reason : "");
    to->details = md_xstrdup(from->details ? from->details : "{}");
    to->prev_hash = md_xstrdup(from->prev_hash ? from->prev_hash : "");
    to->hash = md_xstrdup(from->hash ? from->hash : "");
}

static void row_free(md_audit_row *r)
{
    free(r->at);
    free(r->actor);
    free(r->action);
    free(r->object);
    free(r->reason);
    free(r->details);
    free(r->prev_hash);
    free(r->hash);
}

static md_status take_pair(const md_audit_row *r, void *ctx, md_err *err)
{
    (void)err;
    row_pair *p = ctx;
    if (r->seq == p->seq && !p->has_row) {
        row_copy(&p->row, r);
        p->has_row = true;
    } else if (r->seq == p->seq - 1 && !p->has_prev) {
        row_copy(&p->prev, r);
        p->has_prev = true;
    }
    return MD_OK;
}

static bool row_open(tui_app *a, tui_view *v, const char *arg, char *why, size_t cap)
{
    (void)a;
    row_view *r = v->st;
    char *end;
    r->seq = arg ? strtoll(arg, &end, 10) : 0;
    if (!arg || end == arg || r->seq <= 0) {
        snprintf(why, cap, "which audit row? (a sequence number)");
        return false;
    }
    return true;
}

/* The checks an auditor wants on this one row: its hash against its content, its link to the
 * row before it. */
static void add_checks(row_view *r, tui_app *a, const row_pair *p)
{
    char hash[65], line[256];
    md_audit_hash(&p->row, hash);
    bool content_ok = !strcmp(hash, p->row.hash);
    snprintf(line, sizeof line, "%s %s", tui_glyph(a, content_ok ? TUI_G_CHECK : TUI_G_CROSS),
             content_ok ? "the hash matches the row's content"
                        : "the hash does NOT match the row's content: the row was altered");
    add(r, "content", content_ok ? TUI_OK : TUI_ALERT, line);
    const char *expect = p->row.seq == 1 ? MD_AUDIT_GENESIS : p->has_prev ? p->prev.hash : NULL;
    bool link_ok = expect && !strcmp(expect, p->row.prev_hash);
    if (!expect)
        snprintf(line, sizeof line, "%s the row before it (seq %lld) is missing",
                 tui_glyph(a, TUI_G_CROSS), (long long)p->row.seq - 1);
    else
        snprintf(line, sizeof line, "%s %s", tui_glyph(a, link_ok ? TUI_G_CHECK : TUI_G_CROSS),
                 link_ok ? (p->row.seq == 1 ? "the first row: prev hash is the genesis value"
                                            : "prev hash is the hash of the row before it")
                         : "prev hash does NOT match the row before it");
    add(r, "link", link_ok ? TUI_OK : TUI_ALERT, line);
}

static md_status row_load(tui_app *a, tui_view *v, md_err *err)
{
    row_view *r = v->st;
    entries_free(r);
    row_pair p = {.seq = r->seq};
    md_audit_filter f = {.after_seq = r->seq - 2, .limit = 2};
    md_status rc = md_audit_each(a->s, &f, take_pair, &p, err);
    if (rc == MD_OK && !p.has_row)
        rc = md_err_set(err, MD_NOTFOUND, "no audit row %lld", (long long)r->seq);
    if (rc == MD_OK) {
        char seq[24];
        snprintf(seq, sizeof seq, "%lld", (long long)p.row.seq);
        add(r, "seq", TUI_NORMAL, seq);
        add(r, "at", TUI_NORMAL, p.row.at);
        add(r, "actor", TUI_NORMAL, p.row.actor);
        add(r, "action", TUI_NORMAL, p.row.action);
        add(r, "object", TUI_NORMAL, p.row.object);
        add(r, "reason", TUI_NORMAL, p.row.reason);
        add(r, "hash", TUI_DIM, p.row.hash);
        add(r, "prev hash", TUI_DIM, p.row.prev_hash);
        add_checks(r, a, &p);
        json_t *d = md_json_load_or_string(p.row.details);
        char *pretty = md_json_dump(d, MD_JSON_INDENT);
        json_decref(d);
        const char *label = "details";
        for (char *s = pretty, *nl; s && *s; s = nl ? nl + 1 : NULL, label = "") {
            nl = strchr(s, '\n');
            if (nl)
                *nl = '\0';
            add(r, label, TUI_NORMAL, s);
        }
        free(pretty);
    }
    if (p.has_row)
        row_free(&p.row);
    if (p.has_prev)
        row_free(&p.prev);
    return rc;
}

/* Bytes of `s` that fit in `w` columns, broken after a space when one is in the second half. */
static size_t fit_bytes(const char *s, int w)
{
    mbstate_t ms;
    memset(&ms, 0, sizeof ms);
    size_t off = 0, brk = 0;
    int col = 0;
    while (s[off]) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, s + off, MB_CUR_MAX, &ms);
        if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
            k = 1;
            wc = L'?';
            memset(&ms, 0, sizeof ms);
        }
        int cw = wcwidth(wc) < 0 ? 1 : wcwidth(wc);
        if (col + cw > w)
            break;
        col += cw;
        off += k;
        if (wc == L' ')
            brk = off;
    }
    if (!s[off])
        return off;
    if (brk > off / 2)
        return brk;
    return off ? off : 1;
}

static void rewrap(row_view *r, int width)
{
    free(r->w);
    r->w = NULL;
    r->nw = 0;
    r->width = width;
    int cap = 0;
    for (int i = 0; i < r->ne; i++) {
        const char *t = r->e[i].text;
        size_t off = 0, len = strlen(t);
        int lead = (int)strspn(t, " ") + 2;
        if (lead > width / 2)
            lead = 0;
        do {
            int indent = off ? lead : 0;
            size_t k = len ? fit_bytes(t + off, width - indent) : 0;
            if (r->nw == cap) {
                cap = cap ? cap * 2 : 64;
                r->w = md_xrealloc(r->w, (size_t)cap * sizeof *r->w);
            }
            r->w[r->nw++] = (wrapped){i, off, k, indent};
            off += k;
        } while (off < len);
    }
}

#define LABEL_W 11

static void row_draw(tui_app *a, tui_view *v, int top, int rows, int cols)
{
    row_view *r = v->st;
    int width = cols - LABEL_W - 2 > 10 ? cols - LABEL_W - 2 : 10;
    if (r->width != width)
        rewrap(r, width);
    r->page = rows;
    if (r->top > r->nw - rows)
        r->top = r->nw - rows > 0 ? r->nw - rows : 0;
    for (int y = 0; y < rows; y++) {
        int i = r->top + y;
        if (i >= r->nw) {
            tui_put(a, top + y, 0, cols, TUI_NORMAL, "", true);
            continue;
        }
        const wrapped *w = &r->w[i];
        const entry *e = &r->e[w->entry];
        bool first = w->off == 0;
        tui_put(a, top + y, 0, LABEL_W + 1, TUI_DIM, first ? e->label : "", true);
        char part[1024];
        snprintf(part, sizeof part, "%.*s", (int)w->len, e->text + w->off);
        tui_put(a, top + y, LABEL_W + 1, w->indent, TUI_NORMAL, "", true);
        tui_put(a, top + y, LABEL_W + 1 + w->indent, cols - LABEL_W - 1 - w->indent, e->role,
                part, true);
    }
}

static int row_key(tui_app *a, tui_view *v, tui_action act, int ch)
{
    (void)a, (void)ch;
    row_view *r = v->st;
    int page = r->page > 1 ? r->page - 1 : 1, last = r->nw - r->page > 0 ? r->nw - r->page : 0;
    switch (act) {
    case TUI_A_UP:
        r->top--;
        break;
    case TUI_A_DOWN:
        r->top++;
        break;
    case TUI_A_PGUP:
        r->top -= page;
        break;
    case TUI_A_PGDN:
        r->top += page;
        break;
    case TUI_A_TOP:
        r->top = 0;
        break;
    case TUI_A_BOTTOM:
        r->top = last;
        break;
    case TUI_A_ENTER:
        return TUI_R_CLOSE;
    default:
        return TUI_R_UNHANDLED;
    }
    r->top = r->top < 0 ? 0 : r->top > last ? last : r->top;
    return TUI_R_DRAW;
}

static void row_crumb(tui_view *v, char *out, size_t cap)
{
    row_view *r = v->st;
    snprintf(out, cap, "seq %lld", (long long)r->seq);
}

static void row_status(tui_app *a, tui_view *v, char *out, size_t cap)
{
    (void)a;
    row_view *r = v->st;
    if (r->nw > r->page)
        snprintf(out, cap, "lines %d-%d of %d", r->top + 1,
                 r->top + r->page < r->nw ? r->top + r->page : r->nw, r->nw);
}

static void row_free_view(tui_view *v)
{
    entries_free(v->st);
}

static const tui_action row_actions[] = {TUI_A_BACK, TUI_A_DOWN, TUI_A_UP, TUI_A_NONE};

static const tui_view_ops audit_row_view = {
    .name = "audit_row",
    .title = "Audit row",
    .state_size = sizeof(row_view),
    .open = row_open,
    .load = row_load,
    .draw = row_draw,
    .key = row_key,
    .free = row_free_view,
    .crumb = row_crumb,
    .status = row_status,
    .actions = row_actions,
};
