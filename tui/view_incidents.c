/* Screen 4, the incident queue.
 *
 * The queue is what the on-call operator works from: core orders it by severity, then age, and
 * O sorts it otherwise (what fired last, what has waited longest, by model); filters narrow it
 * (severity, state, mine, a model); every lifecycle step (ack, assign, snooze,
 * resolve, note) opens a dialog saying exactly what changes (incident_actions.c). Enter opens
 * the incident (view_incident.c).
 *
 * Snoozed incidents leave the default (active) queue, as they leave the header's counts: a
 * snooze is a decision that the item needs nobody now. The breadcrumbs say how many are hidden,
 * and the other state filters show them, dimmed, with the time they come back. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "incidents.h"
#include "incident_actions.h"
#include "internal.h"
#include "json.h"
#include "mem.h"
#include "models.h"

static const char *const sev_names[] = {NULL, "P1", "P2", "P3", "P4"};
static const char *const state_names[] = {"active", "open", "acknowledged", "resolved", "all"};
#define NSTATES 5

/* ---- the queue ------------------------------------------------------------------------------- */

static const char *const row_states[] = {"open", "acknowledged", "resolved"};

/* One incident of the queue, its strings in the queue's pool: 50,000 of them fit in a few MB. */
typedef struct {
    int64_t id;
    int64_t opened_ms, last_ms, snoozed_ms; /* snoozed_ms: 0 when not snoozed */
    int32_t version, evidence;
    int32_t seq; /* its place in core's order, which breaks every tie */
    uint32_t model, kind, key, title, assignee;
    uint8_t sev;   /* 1..4 */
    uint8_t state; /* index in row_states */
} qrow;

/* The orders O goes through: core's (severity, then age), then the incident whose evidence came
 * last, the one opened longest ago, and by model. */
typedef enum { BY_SEVERITY, BY_LATEST, BY_OLDEST, BY_MODEL, ORDERS } order;
static const char *const order_names[ORDERS] = {"severity", "latest evidence", "oldest first",
                                                "model"};

#define NQCOLS  8
#define AGE_COL 6

typedef struct {
    tui_pool pool;
    qrow *rows; /* the incidents the filters keep, in the order chosen */
    int cap;
    int snoozed_hidden;
    int64_t keep; /* the incident the cursor stays on across a reload */
    int64_t last_id; /* the largest ID shown: the ID column is as wide as it */
    tui_app *app;
    tui_view *view;
    int sev;   /* 0: all, 1..4 */
    int state; /* index in state_names */
    order by;  /* kept across reloads and filters */
    tui_column cols[NQCOLS]; /* qcols, the age column headed LAST by latest evidence */
    bool mine;
    char model[65];
    tui_incident_perms perms;
    tui_table t;
} queue;

static const tui_column qcols[] = {
    {"ID", 4, TUI_RIGHT, 0, false},   {"SEV", 3, TUI_LEFT, 0, false},
    {"STATE", 8, TUI_LEFT, 0, false}, {"MODEL", 19, TUI_ENDS, 12, false},
    {"KIND", 7, TUI_LEFT, 0, false},  {"TITLE", 34, TUI_ENDS, 14, false},
    {"AGE", 4, TUI_RIGHT, 0, false},  {"ASSIGNEE", 8, TUI_LEFT, 6, true},
};
_Static_assert(sizeof qcols / sizeof qcols[0] == NQCOLS, "the queue's columns");

static bool lower_eq(const char *x, const char *y)
{
    for (; *x && *y; x++, y++)
        if (tolower((unsigned char)*x) != tolower((unsigned char)*y))
            return false;
    return !*x && !*y;
}

/* One word of the open argument: a severity, a state, "mine", or a model. */
static bool open_word(tui_app *a, queue *q, const char *w, char *why, size_t cap)
{
    for (int i = 1; i <= 4; i++)
        if (lower_eq(w, sev_names[i]))
            return q->sev = i, true;
    for (int i = 0; i < NSTATES; i++)
        if (lower_eq(w, state_names[i]))
            return q->state = i, true;
    if (lower_eq(w, "mine"))
        return q->mine = true, true;
    md_model m;
    md_err err;
    if (md_model_get(a->s, w, &m, &err) != MD_OK) {
        snprintf(why, cap, "%s; :incidents takes p1..p4, a state, mine or a model", err.msg);
        return false;
    }
    md_model_free(&m);
    snprintf(q->model, sizeof q->model, "%s", w);
    return true;
}

static bool queue_open(tui_app *a, tui_view *v, const char *arg, char *why, size_t cap)
{
    queue *q = v->st;
    memcpy(q->cols, qcols, sizeof qcols);
    q->t.cols = q->cols;
    q->t.ncols = NQCOLS;
    char words[256];
    snprintf(words, sizeof words, "%s", arg ? arg : "");
    for (char *save = NULL, *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
        if (!open_word(a, q, w, why, cap))
            return false;
    return true;
}

static void queue_clear(queue *q)
{
    free(q->rows);
    tui_pool_free(&q->pool);
    q->rows = NULL;
    q->cap = 0;
    q->t.nrows = 0;
}

static const char *qs(const queue *q, uint32_t off)
{
    return tui_pool_str(&q->pool, off);
}

/* The kind in seven columns; the detail names it in full. */
static const char *short_kind(const char *kind)
{
    static const char *const map[][2] = {
        {"calibration", "calib"}, {"performance", "perf"}, {"data_quality", "quality"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(kind, map[i][0]))
            return map[i][1];
    return kind;
}

static bool row_matches(const queue *q, const qrow *r, const char *text)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)r->id);
    /* the words stored and the words shown: "acked", "snoozed", "calib" */
    const char *fields[] = {id,
                            sev_names[r->sev],
                            row_states[r->state],
                            r->state == 1 ? "acked" : "",
                            r->snoozed_ms ? "snoozed" : "",
                            qs(q, r->model),
                            qs(q, r->kind),
                            short_kind(qs(q, r->kind)),
                            qs(q, r->key),
                            qs(q, r->title),
                            qs(q, r->assignee)};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (strcasestr(fields[i], text))
            return true;
    return false;
}

static bool queue_matches(tui_view *v, int row, const char *text)
{
    queue *q = v->st;
    return row >= 0 && row < q->t.nrows && row_matches(q, &q->rows[row], text);
}

/* The title without the "(model vN)" the MODEL column already shows. */
static void short_title(const md_incident_row *r, char *out, size_t cap)
{
    const char *t = r->title ? r->title : "";
    char tail[128];
    snprintf(tail, sizeof tail, " (%s v%lld)", r->model ? r->model : "", (long long)r->version);
    size_t n = strlen(t), k = strlen(tail);
    if (n > k && !strcmp(t + n - k, tail))
        n -= k;
    snprintf(out, cap, "%.*s", (int)n, t);
}

static int64_t iso_ms(const char *iso)
{
    int64_t t;
    return iso && md_time_parse_iso(iso, false, &t, NULL) == MD_OK ? t : 0;
}

static int add_row(void *ctx, const md_incident_row *in)
{
    queue *q = ctx;
    if (in->snoozed && q->state == 0) { /* the active queue: what needs someone now */
        q->snoozed_hidden++;
        return 0;
    }
    if (q->t.nrows == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 256;
        q->rows = md_xrealloc(q->rows, (size_t)q->cap * sizeof *q->rows);
    }
    char title[512];
    short_title(in, title, sizeof title);
    qrow *r = &q->rows[q->t.nrows];
    *r = (qrow){.id = in->id,
                .opened_ms = iso_ms(in->opened_at),
                .last_ms = iso_ms(in->last_evidence_at),
                .snoozed_ms = in->snoozed ? iso_ms(in->snoozed_until) : 0,
                .version = (int32_t)in->version,
                .evidence = (int32_t)in->evidence_count,
                .seq = q->t.nrows,
                .model = tui_pool_add(&q->pool, in->model),
                .kind = tui_pool_add(&q->pool, in->kind),
                .key = tui_pool_add(&q->pool, in->key),
                .title = tui_pool_add(&q->pool, title),
                .assignee = tui_pool_add(&q->pool, in->assignee),
                .sev = (uint8_t)(in->severity && in->severity[0] == 'P' && in->severity[1] >= '1'
                                         && in->severity[1] <= '4'
                                     ? in->severity[1] - '0'
                                     : 4)};
    for (uint8_t i = 0; i < 3; i++)
        if (in->state && !strcmp(in->state, row_states[i]))
            r->state = i;
    tui_view *v = q->view;
    if (v->filter[0] && row_matches(q, r, v->filter) == v->filter_invert)
        return 0;
    if (r->id > q->last_id)
        q->last_id = r->id;
    q->t.nrows++;
    return 0;
}

static int compare_rows(const void *x, const void *y, void *ctx)
{
    const queue *q = ctx;
    const qrow *a = x, *b = y;
    int c = 0;
    switch (q->by) {
    case BY_LATEST:
        c = (a->last_ms < b->last_ms) - (a->last_ms > b->last_ms);
        break;
    case BY_OLDEST:
        c = (a->opened_ms > b->opened_ms) - (a->opened_ms < b->opened_ms);
        break;
    case BY_MODEL:
        c = strcmp(qs(q, a->model), qs(q, b->model));
        break;
    default:
        break;
    }
    return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

/* Sorts the rows by q->by (rows just read are in core's order already) and puts the cursor on
 * the incident `keep` (else where it was). */
static void sort_rows(queue *q, int64_t keep, bool just_read)
{
    /* by latest evidence, the age column is the time since it: the figure the rows are sorted by */
    q->cols[AGE_COL].title = q->by == BY_LATEST ? "LAST" : qcols[AGE_COL].title;
    if (q->t.nrows > 1 && (q->by != BY_SEVERITY || !just_read)) /* rows is NULL when none */
        qsort_r(q->rows, (size_t)q->t.nrows, sizeof *q->rows, compare_rows, q);
    for (int i = 0; i < q->t.nrows; i++)
        if (q->rows[i].id == keep)
            q->t.cursor = i;
    tui_table_clamp(&q->t);
}

static md_status queue_load(tui_app *a, tui_view *v, md_err *err)
{
    queue *q = v->st;
    q->keep = q->t.nrows ? q->rows[q->t.cursor].id : a->incident;
    queue_clear(q);
    tui_incident_perms_load(a, &q->perms);
    q->app = a;
    q->view = v;
    q->snoozed_hidden = 0;
    q->last_id = 0;
    md_incident_filter f = {q->model[0] ? q->model : NULL, state_names[q->state],
                            sev_names[q->sev], q->mine ? a->actor.name : NULL, true};
    md_status rc = md_incidents_each(a->s, &f, add_row, q, err);
    if (rc != MD_OK)
        queue_clear(q);
    sort_rows(q, q->keep, true);
    tui_table_need(&q->t, 0, tui_int_width(q->last_id)); /* an ID is never cut */
    tui_table_clamp(&q->t);
    return rc;
}

static const char *qcell(tui_app *a, void *ctx, int row, int col, char *buf, size_t cap,
                         tui_role *role)
{
    queue *q = ctx;
    const qrow *r = &q->rows[row];
    const char *assignee = qs(q, r->assignee);
    if (r->snoozed_ms)
        *role = TUI_DIM;
    switch (col) {
    case 0:
        snprintf(buf, cap, "%lld", (long long)r->id);
        return buf;
    case 1:
        *role = tui_severity_role(sev_names[r->sev]);
        return sev_names[r->sev];
    case 2:
        if (r->snoozed_ms) /* the time it comes back is in the status line and the detail */
            return "snoozed";
        *role = tui_incident_state_role(row_states[r->state]);
        return r->state == 1 ? "acked" : row_states[r->state];
    case 3:
        return qs(q, r->model);
    case 4:
        return short_kind(qs(q, r->kind));
    case 5: /* a feature's incident by the feature (KIND says what): a narrow terminal keeps it */
        return *qs(q, r->key) ? qs(q, r->key) : qs(q, r->title);
    case AGE_COL:
        tui_fmt_age(md_store_now_ms(a->s) - (q->by == BY_LATEST ? r->last_ms : r->opened_ms), buf,
                    cap);
        return buf;
    case 7:
        if (!*assignee)
            *role = TUI_DIM;
        return *assignee ? assignee : "-";
    }
    return "";
}

static void filters_text(const queue *q, char *out, size_t cap)
{
    snprintf(out, cap, "%s%s%s%s%s%s", q->sev ? sev_names[q->sev] : "",
             q->sev ? " " : "", state_names[q->state], q->mine ? " mine" : "",
             q->model[0] ? " " : "", q->model);
}

static void queue_draw(tui_app *a, tui_view *v, int top, int rows, int cols)
{
    queue *q = v->st;
    if (q->t.nrows > 0) {
        tui_table_draw(a, &q->t, top, rows, cols, qcell, q);
        return;
    }
    for (int r = 0; r < rows; r++)
        tui_put(a, top + r, 0, cols, TUI_NORMAL, "", true);
    char f[160];
    filters_text(q, f, sizeof f);
    tui_putf(a, top + 1, 2, cols - 4, TUI_DIM, "no incidents match: %s%s%s", f,
             v->filter[0] ? ", /" : "", v->filter);
    tui_put(a, top + 2, 2, cols - 4, TUI_DIM,
            "s: severity  S: state  M: mine  (:incidents all shows every incident)", false);
    if (q->snoozed_hidden)
        tui_putf(a, top + 3, 2, cols - 4, TUI_DIM,
                 "%d snoozed incident(s) hidden: S shows them (open, acknowledged, all)",
                 q->snoozed_hidden);
}

static void queue_crumb(tui_view *v, char *out, size_t cap)
{
    queue *q = v->st;
    char f[160];
    filters_text(q, f, sizeof f);
    snprintf(out, cap, "Incidents %s%s%s", f, q->by == BY_SEVERITY ? "" : " by ",
             q->by == BY_SEVERITY ? "" : order_names[q->by]);
    if (q->snoozed_hidden)
        snprintf(out + strlen(out), cap - strlen(out), " (%d snoozed hidden)", q->snoozed_hidden);
}

/* "2026-11-15 02:00" from milliseconds. */
static void short_ms(int64_t ms, char *out, size_t cap)
{
    char iso[MD_TIME_TEXT_MAX];
    md_time_format(ms, iso);
    tui_short_time(iso, out, cap);
}

static void queue_status(tui_app *a, tui_view *v, char *out, size_t cap)
{
    (void)a;
    queue *q = v->st;
    if (!q->t.nrows)
        return;
    const qrow *r = &q->rows[q->t.cursor];
    char t[32];
    if (r->snoozed_ms) {
        short_ms(r->snoozed_ms, t, sizeof t);
        snprintf(out, cap, "#%lld %s, snoozed until %s UTC", (long long)r->id,
                 row_states[r->state], t + 5);
    } else {
        short_ms(r->last_ms, t, sizeof t);
        snprintf(out, cap, "#%lld: %d evidence, last %s", (long long)r->id, r->evidence, t + 5);
    }
}

static const qrow *queue_current(const queue *q)
{
    return q->t.nrows ? &q->rows[q->t.cursor] : NULL;
}

static const char *queue_unavailable(tui_app *a, tui_view *v, tui_action act)
{
    (void)a;
    queue *q = v->st;
    const qrow *r = queue_current(q);
    return tui_incident_unavailable(&q->perms, r ? r->id : 0, r ? row_states[r->state] : NULL, act);
}

static int queue_key(tui_app *a, tui_view *v, tui_action act, int ch)
{
    (void)ch;
    queue *q = v->st;
    if (tui_table_move(&q->t, act))
        return TUI_R_DRAW;
    switch (act) {
    case TUI_A_SEVERITY:
        q->sev = (q->sev + 1) % 5;
        break;
    case TUI_A_STATE:
        q->state = (q->state + 1) % NSTATES;
        break;
    case TUI_A_MINE:
        q->mine = !q->mine;
        break;
    case TUI_A_QORDER: /* the cursor stays on its incident */
        q->by = (q->by + 1) % ORDERS;
        sort_rows(q, q->t.nrows ? q->rows[q->t.cursor].id : 0, false);
        tui_msg(a, TUI_GOOD, "incidents by %s", order_names[q->by]);
        return TUI_R_DRAW;
    default:
        break;
    }
    if (act == TUI_A_SEVERITY || act == TUI_A_STATE || act == TUI_A_MINE) {
        filters_text(q, v->arg, sizeof v->arg); /* what :incidents would take to show this */
        v->stale = true;
        return TUI_R_DRAW;
    }
    const qrow *r = queue_current(q);
    if (!r)
        return TUI_R_UNHANDLED;
    if (act == TUI_A_ENTER) { /* the incident's model becomes the context of screens 2 and 3 */
        char arg[32];
        a->incident = r->id;
        snprintf(a->model, sizeof a->model, "%s", qs(q, r->model));
        a->version = r->version;
        snprintf(arg, sizeof arg, "%lld", (long long)a->incident);
        tui_push(a, &tui_incident_view, arg);
        return TUI_R_DRAW;
    }
    if (act != TUI_A_ACK && act != TUI_A_ASSIGN && act != TUI_A_SNOOZE && act != TUI_A_RESOLVE &&
        act != TUI_A_NOTE)
        return TUI_R_UNHANDLED;
    /* the dialog describes the incident as it stands now, not as the queue last read it */
    json_t *inc;
    md_err err;
    if (md_incident_show(a->s, r->id, &inc, &err) != MD_OK) {
        tui_alert(a, "incident", err.msg);
        return TUI_R_RELOAD;
    }
    int rc = tui_incident_action(a, inc, act);
    json_decref(inc);
    return rc;
}

static void queue_free(tui_view *v)
{
    queue_clear(v->st);
}

static const tui_action queue_actions[] = {
    TUI_A_ENTER,    TUI_A_ACK,   TUI_A_ASSIGN, TUI_A_SNOOZE, TUI_A_RESOLVE, TUI_A_NOTE,
    TUI_A_SEVERITY, TUI_A_STATE, TUI_A_MINE,   TUI_A_QORDER, TUI_A_NONE};

const tui_view_ops tui_incidents_view = {
    .name = "incidents",
    .title = "Incidents",
    .state_size = sizeof(queue),
    .open = queue_open,
    .load = queue_load,
    .draw = queue_draw,
    .key = queue_key,
    .free = queue_free,
    .crumb = queue_crumb,
    .status = queue_status,
    .unavailable = queue_unavailable,
    .matches = queue_matches,
    .actions = queue_actions,
    .mutating = tui_incident_mutating,
};
