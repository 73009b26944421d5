/* Screen 6, jobs: the retrain jobs with their outcome and log tail, and the proposals the retrain
 * rule opened; cancel a job, accept or dismiss a proposal.
 *
 * A job runs in its own supervisor process, which writes its progress to the store; the app's
 * change polling reloads this screen, so a running job's state and log tail move on their own
 * while the cursor stays where it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "internal.h"
#include "json.h"
#include "jobs.h"
#include "proposals.h"
#include "mem.h"
#include "policies.h"
#include "text.h"

enum { PANE_JOBS, PANE_PROPOSALS };

typedef struct {
    json_t *jobs, *props; /* arrays as core lists them, newest first */
    int *jshown, *pshown; /* indexes the filter keeps; open proposals first */
    tui_table jt, pt;
    int pane;
    int64_t want_job; /* a job just queued: the cursor goes there at the next load */
    /* The selected job in full (with its log tail), read when the selection changes: reading
     * every job's log at each reload would cost one query per job. */
    json_t *detail;
    int64_t detail_id;
    char detail_err[MD_ERR_MSG_MAX];
    char *log; /* the log tail, sanitized, split in place into lines */
    char **lines;
    int nlines;
} jobs_view;

static const tui_column jcols[] = {
    {"ID", 4, TUI_RIGHT, 0, false},        {"MODEL", 19, TUI_ENDS, 0, false},
    {"STATE", 9, TUI_LEFT, 0, false},      {"BACKEND", 7, TUI_LEFT, 0, true},
    {"REQUESTED", 11, TUI_LEFT, 0, false}, {"BY", 8, TUI_LEFT, 5, false},
    {"EXIT/HTTP", 9, TUI_LEFT, 0, false},  {"REASON", 30, TUI_LEFT, 16, false},
};
static const tui_column pcols[] = {
    {"ID", 4, TUI_RIGHT, 0, false},   {"MODEL", 18, TUI_ENDS, 12, false},
    {"STATE", 9, TUI_LEFT, 0, false}, {"OPENED", 11, TUI_LEFT, 0, false},
    {"WHY", 40, TUI_LEFT, 10, false},
};

/* ---- reading JSON rows ----------------------------------------------------------------------- */

static bool has_num(const json_t *o, const char *k)
{
    return json_is_integer(json_object_get(o, k));
}

/* "2026-11-20T08:00:00.000Z" -> "11-20 08:00": the lists keep to the minute. */
static void short_time(const char *iso, char *out, size_t cap)
{
    if (!iso || strlen(iso) < 16)
        snprintf(out, cap, "%s", iso && *iso ? iso : "-");
    else
        snprintf(out, cap, "%.5s %.5s", iso + 5, iso + 11);
}

/* "2026-11-20T08:00:00.000Z" -> "2026-11-20 08:00:00": the detail, to the second. */
static void long_time(const char *iso, char *out, size_t cap)
{
    if (!iso || strlen(iso) < 19)
        snprintf(out, cap, "%s", iso && *iso ? iso : "-");
    else
        snprintf(out, cap, "%.10s %.8s", iso, iso + 11);
}

static json_t *sel_job(const jobs_view *j)
{
    return j->jt.nrows ? json_array_get(j->jobs, (size_t)j->jshown[j->jt.cursor]) : NULL;
}

static json_t *sel_prop(const jobs_view *j)
{
    return j->pt.nrows ? json_array_get(j->props, (size_t)j->pshown[j->pt.cursor]) : NULL;
}

static bool job_active(const json_t *job)
{
    const char *st = md_json_text(job, "state");
    return !strcmp(st, "queued") || !strcmp(st, "running");
}

static tui_role prop_role(const char *state)
{
    return !strcmp(state, "open") ? TUI_WARN : !strcmp(state, "accepted") ? TUI_OK : TUI_DIM;
}

/* The proposal's evidence in a phrase: "3+ features alerting for 2 windows". */
static void why_text(const json_t *p, char *out, size_t cap)
{
    const json_t *ev = json_object_get(p, "evidence");
    size_t n = json_array_size(ev);
    if (!n) {
        snprintf(out, cap, "-");
        return;
    }
    int64_t least = -1;
    for (size_t i = 0; i < n; i++) {
        int64_t k = md_json_int(json_array_get(ev, i), "alerting_features");
        least = least < 0 || k < least ? k : least;
    }
    snprintf(out, cap, "%lld+ features alerting for %zu window%s", (long long)least, n,
             n == 1 ? "" : "s");
}

/* ---- loading --------------------------------------------------------------------------------- */

static void detail_clear(jobs_view *j)
{
    json_decref(j->detail);
    free(j->log);
    free(j->lines);
    j->detail = NULL;
    j->log = NULL;
    j->lines = NULL;
    j->nlines = 0;
    j->detail_id = 0;
    j->detail_err[0] = '\0';
}

/* Reads the selected job in full and splits its log tail into lines (trailing blanks gone). */
static void detail_read(tui_app *a, jobs_view *j)
{
    const json_t *r = sel_job(j);
    int64_t id = r ? md_json_int(r, "id") : 0;
    detail_clear(j);
    if (!id)
        return;
    j->detail_id = id;
    md_err err;
    if (md_job_show(a->s, id, &j->detail, &err) != MD_OK) {
        snprintf(j->detail_err, sizeof j->detail_err, "%s", err.msg);
        return;
    }
    j->log = md_text_sanitize_lines(md_json_text(j->detail, "log_tail"));
    size_t cap = 1;
    for (const char *p = j->log; *p; p++)
        cap += *p == '\n';
    j->lines = md_xcalloc(cap, sizeof *j->lines);
    for (char *p = j->log; p && *p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        j->lines[j->nlines++] = p;
        p = nl ? nl + 1 : NULL;
    }
    while (j->nlines > 0 && strspn(j->lines[j->nlines - 1], " ") ==
                                strlen(j->lines[j->nlines - 1]))
        j->nlines--;
}

static bool job_matches(const json_t *r, const char *text)
{
    static const char *const keys[] = {"model", "state", "backend", "requested_by", "reason",
                                       "error"};
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)md_json_int(r, "id"));
    if (!strcmp(id, text))
        return true;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcasestr(md_json_text(r, keys[i]), text))
            return true;
    return false;
}

static bool prop_matches(const json_t *p, const char *text)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)md_json_int(p, "id"));
    return !strcmp(id, text) || strcasestr(md_json_text(p, "model"), text) ||
           strcasestr(md_json_text(p, "state"), text) ||
           strcasestr(md_json_text(p, "decided_by"), text);
}

static bool matches(tui_view *v, int row, const char *text)
{
    jobs_view *j = v->st;
    if (j->pane == PANE_JOBS)
        return row >= 0 && row < j->jt.nrows &&
               job_matches(json_array_get(j->jobs, (size_t)j->jshown[row]), text);
    return row >= 0 && row < j->pt.nrows &&
           prop_matches(json_array_get(j->props, (size_t)j->pshown[row]), text);
}

static bool kept(const tui_view *v, bool hit)
{
    return !v->filter[0] || hit != v->filter_invert;
}

/* Puts the cursor back on row `id`, and makes the ID column as wide as the largest ID shown:
 * an ID is never cut. */
static void place(tui_table *t, const int *shown, const json_t *arr, int64_t id)
{
    int64_t last = 0;
    for (int i = 0; i < t->nrows; i++) {
        int64_t row = md_json_int(json_array_get(arr, (size_t)shown[i]), "id");
        if (id && row == id)
            t->cursor = i;
        last = row > last ? row : last;
    }
    tui_table_need(t, 0, tui_int_width(last));
    tui_table_clamp(t);
}

static md_status load(tui_app *a, tui_view *v, md_err *err)
{
    jobs_view *j = v->st;
    int64_t keep_job = j->want_job ? j->want_job : sel_job(j) ? md_json_int(sel_job(j), "id") : 0;
    int64_t keep_prop = sel_prop(j) ? md_json_int(sel_prop(j), "id") : 0;
    j->want_job = 0;
    json_decref(j->jobs);
    json_decref(j->props);
    free(j->jshown);
    free(j->pshown);
    j->jobs = j->props = NULL;
    j->jshown = j->pshown = NULL;
    j->jt.nrows = j->pt.nrows = 0;
    j->jt.cols = jcols;
    j->jt.ncols = (int)(sizeof jcols / sizeof jcols[0]);
    j->pt.cols = pcols;
    j->pt.ncols = (int)(sizeof pcols / sizeof pcols[0]);
    detail_clear(j);
    if (md_jobs_list(a->s, NULL, &j->jobs, err) != MD_OK ||
        md_proposals_list(a->s, NULL, NULL, &j->props, err) != MD_OK)
        return err->code;
    size_t nj = json_array_size(j->jobs), np = json_array_size(j->props);
    j->jshown = md_xcalloc(nj + 1, sizeof *j->jshown);
    j->pshown = md_xcalloc(np + 1, sizeof *j->pshown);
    for (size_t i = 0; i < nj; i++)
        if (kept(v, job_matches(json_array_get(j->jobs, i), v->filter)))
            j->jshown[j->jt.nrows++] = (int)i;
    for (int open = 1; open >= 0; open--) /* the ones waiting for a decision first */
        for (size_t i = 0; i < np; i++) {
            const json_t *p = json_array_get(j->props, i);
            if ((strcmp(md_json_text(p, "state"), "open") == 0) == open &&
                kept(v, prop_matches(p, v->filter)))
                j->pshown[j->pt.nrows++] = (int)i;
        }
    place(&j->jt, j->jshown, j->jobs, keep_job);
    place(&j->pt, j->pshown, j->props, keep_prop);
    detail_read(a, j);
    return MD_OK;
}

/* ---- drawing --------------------------------------------------------------------------------- */

static const char *jcell(tui_app *a, void *ctx, int row, int col, char *buf, size_t cap,
                         tui_role *role)
{
    (void)a;
    jobs_view *j = ctx;
    const json_t *r = json_array_get(j->jobs, (size_t)j->jshown[row]);
    switch (col) {
    case 0:
        snprintf(buf, cap, "%lld", (long long)md_json_int(r, "id"));
        return buf;
    case 1:
        return md_json_text(r, "model");
    case 2:
        *role = tui_status_role(md_json_text(r, "state"));
        return md_json_text(r, "state");
    case 3:
        return md_json_text(r, "backend");
    case 4:
        short_time(md_json_text(r, "requested_at"), buf, cap);
        return buf;
    case 5:
        return md_json_text(r, "requested_by");
    case 6:
        if (has_num(r, "http_status")) {
            int64_t h = md_json_int(r, "http_status");
            *role = h >= 200 && h < 300 ? TUI_NORMAL : TUI_ALERT;
            snprintf(buf, cap, "http %lld", (long long)h);
        } else if (has_num(r, "exit_status")) {
            *role = md_json_int(r, "exit_status") ? TUI_ALERT : TUI_NORMAL;
            snprintf(buf, cap, "exit %lld", (long long)md_json_int(r, "exit_status"));
        } else {
            *role = TUI_DIM;
            snprintf(buf, cap, "-");
        }
        return buf;
    case 7:
        return md_json_text(r, "reason");
    }
    return "";
}

static const char *pcell(tui_app *a, void *ctx, int row, int col, char *buf, size_t cap,
                         tui_role *role)
{
    (void)a;
    jobs_view *j = ctx;
    const json_t *p = json_array_get(j->props, (size_t)j->pshown[row]);
    switch (col) {
    case 0:
        snprintf(buf, cap, "%lld", (long long)md_json_int(p, "id"));
        return buf;
    case 1:
        return md_json_text(p, "model");
    case 2:
        *role = prop_role(md_json_text(p, "state"));
        return md_json_text(p, "state");
    case 3:
        short_time(md_json_text(p, "created_at"), buf, cap);
        return buf;
    case 4:
        why_text(p, buf, cap);
        return buf;
    }
    return "";
}

/* A section head: its title, and how to reach it when it is not the focus. */
static void heading(tui_app *a, int y, int x, int w, const char *title, bool focus)
{
    char line[160];
    snprintf(line, sizeof line, "%s %s%s", focus ? tui_glyph(a, TUI_G_CRUMB) : " ", title,
             focus ? "" : "   (Tab: move here)");
    tui_put(a, y, x, w, focus ? TUI_TITLE : TUI_DIM, line, true);
}

/* A table in [y, y + h) from column 0, or a line saying there is none. */
static void table_or_none(tui_app *a, tui_table *t, int y, int h, int w, tui_cell_fn cell,
                          void *ctx, const char *none)
{
    if (t->nrows > 0) {
        tui_table_draw(a, t, y, h, w, cell, ctx);
        return;
    }
    tui_put(a, y, 0, w, TUI_DIM, none, true);
    for (int r = 1; r < h; r++)
        tui_put(a, y + r, 0, w, TUI_NORMAL, "", true);
}

/* One "label  value" line of the detail; returns the next row. */
static int field(tui_app *a, int y, int x, int w, tui_role role, const char *label,
                 const char *value)
{
    tui_put(a, y, x, 10, TUI_DIM, label, true);
    tui_put(a, y, x + 10, w - 10, role, value, true);
    return y + 1;
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
    return brk > off / 2 ? brk : off ? off : 1;
}

/* A field whose value may be long (a reason, an error): wrapped over at most `max` lines, the
 * last one cut with an ellipsis. Returns the next row. */
static int long_field(tui_app *a, int y, int end, int x, int w, tui_role role, const char *label,
                      const char *value, int max)
{
    char *clean = md_text_sanitize(value), part[1024];
    const char *p = clean;
    for (int i = 0; i < max && y < end && (i == 0 || *p); i++) {
        size_t k = i == max - 1 || y == end - 1 ? strlen(p) : fit_bytes(p, w - 10);
        snprintf(part, sizeof part, "%.*s", (int)k, p);
        y = field(a, y, x, w, role, i ? "" : label, part);
        p += k;
        p += strspn(p, " ");
    }
    free(clean);
    return y;
}

static void runs_text(const json_t *spec, char *out, size_t cap)
{
    const char *type = md_json_text(spec, "type");
    if (!strcmp(type, "webhook")) {
        snprintf(out, cap, "webhook POST %s", md_json_text(spec, "url"));
        return;
    }
    size_t len = (size_t)snprintf(out, cap, "%s:", type[0] ? type : "command");
    const json_t *arg;
    size_t i;
    json_array_foreach(json_object_get(spec, "argv"), i, arg)
    {
        if (len >= cap)
            break;
        len += (size_t)snprintf(out + len, cap - len, " %s", json_string_value(arg));
    }
}

static void draw_job(tui_app *a, jobs_view *j, int y, int x, int h, int w)
{
    int end = y + h;
    const json_t *d = j->detail;
    char line[512], t1[32], t2[32];
    if (!d) {
        tui_put(a, y++, x, w, j->detail_err[0] ? TUI_ERROR : TUI_DIM,
                j->detail_err[0] ? j->detail_err : "no job selected", true);
        for (; y < end; y++)
            tui_put(a, y, x, w, TUI_NORMAL, "", true);
        return;
    }
    const char *state = md_json_text(d, "state");
    snprintf(line, sizeof line, "job %lld %s %s", (long long)md_json_int(d, "id"),
             tui_glyph(a, TUI_G_BULLET), md_json_text(d, "model"));
    int used = tui_put(a, y, x, w, TUI_TITLE, line, false);
    tui_put(a, y, x + used, 1, TUI_NORMAL, "", true);
    tui_put(a, y++, x + used + 1, w - used - 1, tui_status_role(state), state, true);
    long_time(md_json_text(d, "requested_at"), t1, sizeof t1);
    snprintf(line, sizeof line, "%s by %s%s", t1, md_json_text(d, "requested_by"),
             has_num(d, "proposal") ? ", from proposal" : "");
    if (has_num(d, "proposal"))
        snprintf(line + strlen(line), sizeof line - strlen(line), " %lld",
                 (long long)md_json_int(d, "proposal"));
    if (y < end)
        y = field(a, y, x, w, TUI_NORMAL, "requested", line);
    y = long_field(a, y, end, x, w, TUI_NORMAL, "reason", md_json_text(d, "reason"), 2);
    long_time(json_string_value(json_object_get(d, "started_at")), t1, sizeof t1);
    long_time(json_string_value(json_object_get(d, "finished_at")), t2, sizeof t2);
    snprintf(line, sizeof line, "%s   finished %s", t1, t2);
    if (y < end)
        y = field(a, y, x, w, TUI_NORMAL, "started", line);
    int n = snprintf(line, sizeof line, "%lld", (long long)md_json_int(d, "attempts"));
    tui_role rr = TUI_NORMAL;
    if (has_num(d, "exit_status")) {
        snprintf(line + n, sizeof line - (size_t)n, "   exit status %lld",
                 (long long)md_json_int(d, "exit_status"));
        rr = md_json_int(d, "exit_status") ? TUI_ALERT : TUI_NORMAL;
    }
    if (has_num(d, "http_status")) {
        int64_t hs = md_json_int(d, "http_status");
        snprintf(line + strlen(line), sizeof line - strlen(line), "   http status %lld",
                 (long long)hs);
        rr = hs >= 200 && hs < 300 ? TUI_NORMAL : TUI_ALERT;
    }
    if (y < end)
        y = field(a, y, x, w, rr, "attempts", line);
    runs_text(json_object_get(d, "spec"), line, sizeof line);
    if (y < end)
        y = field(a, y, x, w, TUI_NORMAL, "runs", line);
    if (json_is_string(json_object_get(d, "error")))
        y = long_field(a, y, end, x, w, TUI_ALERT, "error", md_json_text(d, "error"), 3);
    if (y >= end)
        return;
    int room = end - y - 1, first = j->nlines > room ? j->nlines - room : 0;
    if (j->nlines == 0)
        snprintf(line, sizeof line, "log tail: %s",
                 job_active(d) ? "stored when the job ends" : "the job wrote nothing");
    else if (first > 0)
        snprintf(line, sizeof line, "log tail (its last %d of %d lines)", j->nlines - first,
                 j->nlines);
    else
        snprintf(line, sizeof line, "log tail (%d line%s)", j->nlines, j->nlines == 1 ? "" : "s");
    tui_put(a, y++, x, w, TUI_TITLE, line, true);
    for (int i = first; i < j->nlines && y < end; i++)
        tui_put(a, y++, x, w, TUI_NORMAL, j->lines[i], true);
    for (; y < end; y++)
        tui_put(a, y, x, w, TUI_NORMAL, "", true);
}

static void draw_proposal(tui_app *a, jobs_view *j, int y, int x, int h, int w)
{
    int end = y + h;
    const json_t *p = sel_prop(j);
    char line[256], t[32];
    if (!p) {
        tui_put(a, y++, x, w, TUI_DIM, "no proposal selected", true);
        for (; y < end; y++)
            tui_put(a, y, x, w, TUI_NORMAL, "", true);
        return;
    }
    const char *state = md_json_text(p, "state");
    snprintf(line, sizeof line, "proposal %lld %s %s", (long long)md_json_int(p, "id"),
             tui_glyph(a, TUI_G_BULLET), md_json_text(p, "model"));
    int used = tui_put(a, y, x, w, TUI_TITLE, line, false);
    tui_put(a, y, x + used, 1, TUI_NORMAL, "", true);
    tui_put(a, y++, x + used + 1, w - used - 1, prop_role(state), state, true);
    long_time(md_json_text(p, "created_at"), t, sizeof t);
    snprintf(line, sizeof line, "%s by the retrain rule", t);
    if (y < end)
        y = field(a, y, x, w, TUI_NORMAL, "opened", line);
    if (strcmp(state, "open") != 0 && y < end) {
        long_time(json_string_value(json_object_get(p, "decided_at")), t, sizeof t);
        snprintf(line, sizeof line, "%s %s by %s", state, t, md_json_text(p, "decided_by"));
        if (has_num(p, "job"))
            snprintf(line + strlen(line), sizeof line - strlen(line), " %s job %lld",
                     tui_glyph(a, TUI_G_CRUMB), (long long)md_json_int(p, "job"));
        y = field(a, y, x, w, TUI_NORMAL, "decided", line);
    }
    const json_t *ev = json_object_get(p, "evidence"), *win;
    size_t i;
    json_array_foreach(ev, i, win)
    {
        if (y >= end)
            break;
        snprintf(line, sizeof line, "window %s: %lld features alerting",
                 md_json_text(win, "window"), (long long)md_json_int(win, "alerting_features"));
        y = field(a, y, x, w, TUI_NORMAL, i ? "" : "evidence", line);
    }
    if (!strcmp(state, "open") && y + 1 < end) {
        tui_put(a, y++, x, w, TUI_NORMAL, "", true);
        tui_put(a, y++, x, w, TUI_DIM,
                "a: accept (queues a retrain with the model's policy backend)   d: dismiss",
                true);
    }
    for (; y < end; y++)
        tui_put(a, y, x, w, TUI_NORMAL, "", true);
}

static int clampi(int x, int lo, int hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static void draw(tui_app *a, tui_view *v, int top, int rows, int cols)
{
    jobs_view *j = v->st;
    /* wide terminals: the detail beside the tables; else below them */
    bool beside = cols >= 150;
    int lw = beside ? cols * 11 / 20 : cols;
    int detail_min = beside ? 0 : rows >= 40 ? rows / 2 : 8;
    int room = rows - 2 - detail_min; /* rows for both tables, their titles aside */
    int ph = clampi(j->pt.nrows + 1, 2, beside ? room / 3 : 4);
    int jh = clampi(j->jt.nrows + 1, 2, room - ph > 2 ? room - ph : 2);
    if (beside)
        ph = room - jh;
    char title[96];
    int y = top;
    snprintf(title, sizeof title, "retrain jobs: %d", j->jt.nrows);
    heading(a, y++, 0, lw, title, j->pane == PANE_JOBS);
    j->jt.blur = j->pane != PANE_JOBS;
    j->pt.blur = j->pane != PANE_PROPOSALS;
    table_or_none(a, &j->jt, y, jh, lw, jcell, j,
                  v->filter[0] ? "  no job matches the filter" : "  no retrain jobs yet");
    y += jh;
    int open = 0;
    for (int i = 0; i < j->pt.nrows; i++)
        open +=
            !strcmp(md_json_text(json_array_get(j->props, (size_t)j->pshown[i]), "state"), "open");
    snprintf(title, sizeof title, "retrain proposals: %d open, %d decided", open,
             j->pt.nrows - open);
    heading(a, y++, 0, lw, title, j->pane == PANE_PROPOSALS);
    table_or_none(a, &j->pt, y, ph, lw, pcell, j,
                  v->filter[0] ? "  no proposal matches the filter"
                               : "  no proposals: the retrain rule has not fired");
    y += ph;
    if (beside) {
        for (; y < top + rows; y++)
            tui_put(a, y, 0, lw, TUI_NORMAL, "", true);
        for (int r = 0; r < rows; r++)
            tui_put(a, top + r, lw, 2, TUI_BORDER, tui_glyph(a, TUI_G_VLINE), true);
        y = top;
    } else {
        tui_hline(a, y++, 0, cols, TUI_BORDER);
    }
    int x = beside ? lw + 2 : 0, w = cols - x, h = top + rows - y;
    if (j->pane == PANE_JOBS)
        draw_job(a, j, y, x, h, w);
    else
        draw_proposal(a, j, y, x, h, w);
}

/* ---- actions --------------------------------------------------------------------------------- */

static const char *unavailable(tui_app *a, tui_view *v, tui_action act)
{
    jobs_view *j = v->st;
    const char *why = NULL;
    switch (act) {
    case TUI_A_CANCEL: {
        if (!tui_may(a, MD_PERM_OPS_ACTION, &why))
            return why;
        const json_t *r = sel_job(j);
        if (j->pane != PANE_JOBS || !r)
            return "select a job first (Tab moves to the jobs)";
        if (!job_active(r))
            return "only a queued or running job can be cancelled";
        return NULL;
    }
    case TUI_A_ACCEPT:
    case TUI_A_DISMISS: {
        if (!tui_may(a, MD_PERM_OPS_ACTION, &why))
            return why;
        const json_t *p = sel_prop(j);
        if (j->pane != PANE_PROPOSALS || !p)
            return "select a proposal first (Tab moves to the proposals)";
        if (strcmp(md_json_text(p, "state"), "open") != 0)
            return "the proposal is already decided";
        return NULL;
    }
    default:
        return NULL;
    }
}

static int refused(tui_app *a, const char *what, const md_err *err)
{
    tui_alert(a, what, err->msg);
    return TUI_R_RELOAD;
}

static int cancel(tui_app *a, const json_t *r)
{
    int64_t id = md_json_int(r, "id");
    bool running = !strcmp(md_json_text(r, "state"), "running");
    char l1[256], l2[256], since[32];
    long_time(md_json_text(r, running ? "started_at" : "requested_at"), since, sizeof since);
    snprintf(l1, sizeof l1, "Cancel job %lld: the retrain of %s, %s since %s.", (long long)id,
             md_json_text(r, "model"), md_json_text(r, "state"), since);
    snprintf(l2, sizeof l2, "%s",
             running ? "The job becomes cancelled and its running process group is stopped "
                       "(SIGTERM, then SIGKILL)."
                     : "The job becomes cancelled and never runs.");
    const char *l[] = {l1, l2};
    char reason[256] = "";
    if (!tui_dialog(a, "cancel a job", l, 2, "reason:", reason, sizeof reason, true))
        return TUI_R_DRAW;
    md_err err;
    if (md_job_cancel(a->s, &a->actor, id, reason, &err) != MD_OK)
        return refused(a, "cancel refused", &err);
    tui_msg(a, TUI_GOOD, "job %lld cancelled", (long long)id);
    return TUI_R_RELOAD;
}

/* What the model's policy backend will run, for the accept dialog. */
static void backend_text(tui_app *a, const char *model, char *out, size_t cap)
{
    md_policy p;
    md_err err;
    if (md_policy_load(a->s, model, &p, &err) != MD_OK) {
        snprintf(out, cap, "Its policy cannot be read now: %.300s", err.msg);
        return;
    }
    char runs[300];
    runs_text(p.retrain.backend, runs, sizeof runs);
    snprintf(out, cap, "It queues a retrain of %s with the policy's backend (%s), started in "
                       "the background; the job shows here.",
             model, runs);
    md_policy_free(&p);
}

static int decide(tui_app *a, jobs_view *j, const json_t *p, bool accept)
{
    int64_t id = md_json_int(p, "id");
    char model[65], l1[256], l2[512], why[160];
    snprintf(model, sizeof model, "%s", md_json_text(p, "model"));
    why_text(p, why, sizeof why);
    snprintf(l1, sizeof l1, "%s proposal %lld for %s (%s).", accept ? "Accept" : "Dismiss",
             (long long)id, model, why);
    if (accept)
        backend_text(a, model, l2, sizeof l2);
    else
        snprintf(l2, sizeof l2, "The proposal is closed without a retrain; the rule opens a new "
                                "one if the drift goes on.");
    const char *l[] = {l1, l2};
    char reason[256] = "";
    if (!tui_dialog(a, accept ? "accept a proposal" : "dismiss a proposal", l, 2, "reason:",
                    reason, sizeof reason, true))
        return TUI_R_DRAW;
    md_err err;
    if (!accept) {
        if (md_proposal_dismiss(a->s, &a->actor, id, reason, &err) != MD_OK)
            return refused(a, "dismissal refused", &err);
        tui_msg(a, TUI_GOOD, "proposal %lld dismissed", (long long)id);
        return TUI_R_RELOAD;
    }
    int64_t job = 0;
    if (md_proposal_accept(a->s, &a->actor, id, reason, &job, &err) != MD_OK)
        return refused(a, "acceptance refused", &err);
    if (tui_launch_job(a, job))
        tui_msg(a, TUI_GOOD, "proposal %lld accepted: job %lld queued for %s", (long long)id,
                (long long)job, model);
    j->pane = PANE_JOBS; /* follow the new job */
    j->want_job = job;
    return TUI_R_RELOAD;
}

static int key(tui_app *a, tui_view *v, tui_action act, int ch)
{
    (void)ch;
    jobs_view *j = v->st;
    if (act == TUI_A_TAB) {
        j->pane = j->pane == PANE_JOBS ? PANE_PROPOSALS : PANE_JOBS;
        return TUI_R_DRAW;
    }
    if (tui_table_move(j->pane == PANE_JOBS ? &j->jt : &j->pt, act)) {
        const json_t *r = sel_job(j);
        if (j->pane == PANE_JOBS && r && md_json_int(r, "id") != j->detail_id)
            detail_read(a, j);
        return TUI_R_DRAW;
    }
    const json_t *r = sel_job(j), *p = sel_prop(j);
    switch (act) {
    case TUI_A_CANCEL:
        return r && j->pane == PANE_JOBS ? cancel(a, r) : TUI_R_NONE;
    case TUI_A_ACCEPT:
    case TUI_A_DISMISS:
        return p && j->pane == PANE_PROPOSALS ? decide(a, j, p, act == TUI_A_ACCEPT) : TUI_R_NONE;
    case TUI_A_ENTER: {
        const char *model = j->pane == PANE_JOBS ? (r ? md_json_text(r, "model") : "")
                                                 : (p ? md_json_text(p, "model") : "");
        if (!model[0])
            return TUI_R_NONE;
        snprintf(a->model, sizeof a->model, "%s", model);
        a->version = 0;
        tui_push(a, &tui_model_view, model);
        return TUI_R_DRAW;
    }
    default:
        return TUI_R_UNHANDLED;
    }
}

static void status(tui_app *a, tui_view *v, char *out, size_t cap)
{
    (void)a;
    jobs_view *j = v->st;
    const json_t *r = sel_job(j), *p = sel_prop(j);
    char t[32];
    if (j->pane == PANE_JOBS && r) {
        short_time(md_json_text(r, "requested_at"), t, sizeof t);
        snprintf(out, cap, "job %lld %s, asked %s", (long long)md_json_int(r, "id"),
                 md_json_text(r, "state"), t);
    } else if (j->pane == PANE_PROPOSALS && p) {
        snprintf(out, cap, "proposal %lld %s", (long long)md_json_int(p, "id"),
                 md_json_text(p, "state"));
    }
}

static void free_view(tui_view *v)
{
    jobs_view *j = v->st;
    detail_clear(j);
    json_decref(j->jobs);
    json_decref(j->props);
    free(j->jshown);
    free(j->pshown);
}

static const tui_action actions[] = {TUI_A_CANCEL, TUI_A_ACCEPT, TUI_A_DISMISS, TUI_A_TAB,
                                     TUI_A_ENTER,  TUI_A_FILTER, TUI_A_NONE};
static const tui_action mutating[] = {TUI_A_CANCEL, TUI_A_ACCEPT, TUI_A_DISMISS, TUI_A_NONE};

const tui_view_ops tui_jobs_view = {
    .name = "jobs",
    .title = "Jobs",
    .state_size = sizeof(jobs_view),
    .load = load,
    .draw = draw,
    .key = key,
    .free = free_view,
    .status = status,
    .unavailable = unavailable,
    .matches = matches,
    .actions = actions,
    .mutating = mutating,
};
