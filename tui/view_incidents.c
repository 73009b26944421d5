/* Screen 4, the incident queue, and the incident it opens.
 *
 * The queue is what the on-call operator works from: core orders it by severity, then age;
 * filters narrow it (severity, state, mine, a model); every lifecycle step (ack, assign, snooze,
 * resolve, note) opens a dialog saying exactly what changes. The detail shows the incident's
 * evidence, and Enter on a piece of evidence goes straight to the drift cell or the calibration
 * window behind it.
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
#include "internal.h"
#include "json.h"
#include "mem.h"
#include "models.h"
#include "users.h"

static const char *const sev_names[] = {NULL, "P1", "P2", "P3", "P4"};
static const char *const state_names[] = {"active", "open", "acknowledged", "resolved", "all"};
#define NSTATES 5

/* A permission as it stood at the last load: the hint bar asks on every frame. */
typedef struct {
    bool ok;
    char why[256];
} perm_cache;

static void perm_load(tui_app *a, md_perm p, perm_cache *c)
{
    const char *why = NULL;
    c->ok = tui_may(a, p, &why);
    snprintf(c->why, sizeof c->why, "%s", why ? why : "");
}

/* ---- small helpers --------------------------------------------------------------------------- */

static int64_t ji(const json_t *o, const char *k)
{
    return (int64_t)json_integer_value(json_object_get(o, k));
}

/* "45m", "5h", "3d": an age at a glance. */
static void fmt_age(int64_t ms, char *out, size_t cap)
{
    long long m = ms > 0 ? (long long)(ms / 60000) : 0;
    if (m < 60)
        snprintf(out, cap, "%lldm", m);
    else if (m < 48 * 60)
        snprintf(out, cap, "%lldh", m / 60);
    else
        snprintf(out, cap, "%lldd", m / 1440);
}

/* "1d 4h", "3h 12m", "40s": a duration with two units. */
static void fmt_span(double seconds, char *out, size_t cap)
{
    long long s = seconds > 0 ? (long long)seconds : 0;
    if (s < 60)
        snprintf(out, cap, "%llds", s);
    else if (s < 3600)
        snprintf(out, cap, "%lldm", s / 60);
    else if (s < 86400)
        snprintf(out, cap, "%lldh %lldm", s / 3600, s % 3600 / 60);
    else
        snprintf(out, cap, "%lldd %lldh", s / 86400, s % 86400 / 3600);
}

/* "2026-11-15 02:00" from stored ISO text; "-" when absent. */
static void short_time(const char *iso, char *out, size_t cap)
{
    if (!iso || !*iso)
        snprintf(out, cap, "-");
    else
        snprintf(out, cap, "%.10s %.5s", iso, strlen(iso) > 11 ? iso + 11 : "");
}

static int64_t age_ms(tui_app *a, const char *iso)
{
    int64_t t;
    if (!iso || md_time_parse_iso(iso, false, &t, NULL) != MD_OK)
        return 0;
    return md_store_now_ms(a->s) - t;
}

/* "#12 P1 Drift on frequency_90d (upsell-propensity v1)": the incident named in a dialog. */
static void describe(const json_t *inc, char *out, size_t cap)
{
    snprintf(out, cap, "#%lld %s %s", (long long)ji(inc, "id"), md_json_text(inc, "severity"),
             md_json_text(inc, "title"));
}

/* ---- the actions, shared by the queue and the detail ----------------------------------------- */

typedef struct {
    perm_cache write, note;
} incident_perms;

static void perms_load(tui_app *a, incident_perms *p)
{
    perm_load(a, MD_PERM_INCIDENT_WRITE, &p->write);
    perm_load(a, MD_PERM_NOTE, &p->note);
}

/* Why `act` is unavailable on incident `id` in `state` (NULL state: none selected), or NULL. */
static const char *inc_unavailable(const incident_perms *p, int64_t id, const char *state,
                                   tui_action act)
{
    static char why[128];
    if (act != TUI_A_ACK && act != TUI_A_ASSIGN && act != TUI_A_SNOOZE && act != TUI_A_RESOLVE &&
        act != TUI_A_NOTE)
        return NULL;
    if (!state)
        return "no incident selected";
    if (act == TUI_A_NOTE)
        return p->note.ok ? NULL : p->note.why;
    if (!p->write.ok)
        return p->write.why;
    if (!strcmp(state, "resolved")) {
        snprintf(why, sizeof why, "incident %lld is resolved: only notes can be added",
                 (long long)id);
        return why;
    }
    if (act == TUI_A_ACK && strcmp(state, "open") != 0) {
        snprintf(why, sizeof why, "incident %lld is %s, not open", (long long)id, state);
        return why;
    }
    return NULL;
}

static int refused(tui_app *a, const char *what, const md_err *err)
{
    tui_alert(a, what, err->msg);
    return TUI_R_RELOAD;
}

static void store_now(tui_app *a, char *out, size_t cap)
{
    char iso[MD_TIME_TEXT_MAX];
    md_store_now_text(a->s, iso);
    short_time(iso, out, cap);
}

static int do_ack(tui_app *a, const json_t *inc)
{
    char what[300], l1[360], l2[200], l3[160], now[32], since[32];
    describe(inc, what, sizeof what);
    store_now(a, now, sizeof now);
    fmt_span((double)age_ms(a, md_json_text(inc, "opened_at")) / 1000.0, since, sizeof since);
    snprintf(l1, sizeof l1, "Acknowledge %s.", what);
    snprintf(l2, sizeof l2, "State: open -> acknowledged, by %s at %s UTC.", a->actor.name, now);
    snprintf(l3, sizeof l3, "Time to acknowledge recorded: %s since it opened. Audited.", since);
    const char *lines[] = {l1, l2, l3};
    char reason[256] = "";
    if (!tui_dialog(a, "acknowledge", lines, 3, "reason (optional):", reason, sizeof reason,
                    false))
        return TUI_R_DRAW;
    md_err err;
    int64_t id = ji(inc, "id");
    if (md_incident_ack(a->s, &a->actor, id, reason, &err) != MD_OK)
        return refused(a, "acknowledge refused", &err);
    tui_msg(a, TUI_GOOD, "incident %lld acknowledged by %s", (long long)id, a->actor.name);
    return TUI_R_RELOAD;
}

/* "user rest of the line": the first word and what follows, trimmed. */
static void split_first(const char *in, char *first, size_t fcap, char *rest, size_t rcap)
{
    while (*in == ' ')
        in++;
    size_t n = strcspn(in, " ");
    snprintf(first, fcap, "%.*s", (int)n, in);
    in += n;
    while (*in == ' ')
        in++;
    snprintf(rest, rcap, "%s", in);
    for (char *e = rest + strlen(rest); e > rest && e[-1] == ' ';)
        *--e = '\0';
}

static void known_users(tui_app *a, char *out, size_t cap)
{
    md_user *u;
    size_t n;
    md_err err;
    out[0] = '\0';
    if (md_user_list(a->s, &u, &n, &err) != MD_OK)
        return;
    for (size_t i = 0; i < n; i++)
        snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? ", " : "", u[i].name);
    md_users_free(u, n);
}

static int do_assign(tui_app *a, const json_t *inc)
{
    char what[300], l1[360], l2[200], l3[600], users[400], input[256] = "";
    describe(inc, what, sizeof what);
    known_users(a, users, sizeof users);
    const char *now = md_json_text(inc, "assignee");
    snprintf(l1, sizeof l1, "Assign %s.", what);
    snprintf(l2, sizeof l2, "Assignee: %s -> the user you type. Anything after the name is kept "
                            "as the reason. Audited.",
             *now ? now : "nobody");
    snprintf(l3, sizeof l3, "Users: %s", users[0] ? users : "-");
    const char *lines[] = {l1, l2, l3};
    if (!tui_dialog(a, "assign", lines, 3, "user [reason]:", input, sizeof input, true))
        return TUI_R_DRAW;
    char user[80], reason[256];
    split_first(input, user, sizeof user, reason, sizeof reason);
    md_err err;
    int64_t id = ji(inc, "id");
    if (md_incident_assign(a->s, &a->actor, id, user, reason, &err) != MD_OK)
        return refused(a, "assign refused", &err);
    tui_msg(a, TUI_GOOD, "incident %lld assigned to %s", (long long)id, user);
    return TUI_R_RELOAD;
}

/* "4h", "30m", "2d", "1w", "1h30m" in milliseconds; false when the text is not a duration. */
static bool parse_duration(const char *s, int64_t *ms)
{
    int64_t total = 0;
    if (!*s)
        return false;
    while (*s) {
        if (!isdigit((unsigned char)*s))
            return false;
        char *end;
        long long n = strtoll(s, &end, 10);
        int64_t unit = *end == 'm' ? 60000 : *end == 'h' ? 3600000 : *end == 'd' ? 86400000
                     : *end == 'w' ? 7 * 86400000LL : 0;
        if (!unit || n > 1000000)
            return false;
        total += n * unit;
        s = end + 1;
    }
    *ms = total;
    return total > 0;
}

/* The snooze's end as stored text, from an ISO time or a duration counted from the store's
 * clock; false with *err when it is neither. */
static bool snooze_until(tui_app *a, const char *text, char out[MD_TIME_TEXT_MAX], md_err *err)
{
    int64_t ms;
    if (parse_duration(text, &ms)) {
        md_time_format(md_store_now_ms(a->s) + ms, out);
        return true;
    }
    if (md_time_parse(text, &ms, err) != MD_OK) {
        md_err_set(err, MD_INVALID, "'%s' is neither a duration (4h, 30m, 2d) nor a time "
                                    "(ISO-8601 such as 2026-11-27T08:00Z)",
                   text);
        return false;
    }
    md_time_format(ms, out);
    return true;
}

/* "2026-11-27 08:00 rest": a date and a time typed with a space make one time. */
static void split_time(const char *input, char *when, size_t wcap, char *rest, size_t rcap)
{
    char first[80], tail[256], second[80], after[256];
    split_first(input, first, sizeof first, tail, sizeof tail);
    split_first(tail, second, sizeof second, after, sizeof after);
    bool date_only = strlen(first) == 10 && first[4] == '-' && first[7] == '-';
    if (date_only && isdigit((unsigned char)second[0]) && strchr(second, ':')) {
        snprintf(when, wcap, "%sT%s", first, second);
        snprintf(rest, rcap, "%s", after);
    } else {
        snprintf(when, wcap, "%s", first);
        snprintf(rest, rcap, "%s", tail);
    }
}

static int do_snooze(tui_app *a, const json_t *inc)
{
    char what[300], l1[360], l2[200], l3[200], l4[200], now[32], input[256] = "";
    describe(inc, what, sizeof what);
    store_now(a, now, sizeof now);
    snprintf(l1, sizeof l1, "Snooze %s.", what);
    snprintf(l2, sizeof l2, "It leaves the active queue and the header's counts until then and "
                            "comes back by itself; graver evidence ends the snooze at once.");
    snprintf(l3, sizeof l3, "Until: an ISO time (2026-11-27T08:00Z) or a duration from now "
                            "(4h, 30m, 2d). Now: %s UTC. Text after it is the reason.",
             now);
    const char *cur = md_json_text(inc, "snoozed_until");
    char curs[32];
    short_time(cur, curs, sizeof curs);
    snprintf(l4, sizeof l4, "Snoozed now: %s%s", *cur ? curs : "no",
             *cur ? " UTC (this replaces it)" : "");
    const char *lines[] = {l1, l2, l3, l4};
    if (!tui_dialog(a, "snooze", lines, 4, "until [reason]:", input, sizeof input, true))
        return TUI_R_DRAW;
    char when[200], reason[256], until[MD_TIME_TEXT_MAX];
    split_time(input, when, sizeof when, reason, sizeof reason);
    md_err err;
    if (!snooze_until(a, when, until, &err)) {
        tui_alert(a, "snooze", err.msg);
        return TUI_R_DRAW;
    }
    int64_t id = ji(inc, "id");
    if (md_incident_snooze(a->s, &a->actor, id, until, reason, &err) != MD_OK)
        return refused(a, "snooze refused", &err);
    char shown[32];
    short_time(until, shown, sizeof shown);
    tui_msg(a, TUI_GOOD, "incident %lld snoozed until %s UTC", (long long)id, shown);
    return TUI_R_RELOAD;
}

static int do_resolve(tui_app *a, const json_t *inc)
{
    char what[300], l1[360], l2[400], l3[200], now[32], since[32];
    describe(inc, what, sizeof what);
    store_now(a, now, sizeof now);
    fmt_span((double)age_ms(a, md_json_text(inc, "opened_at")) / 1000.0, since, sizeof since);
    snprintf(l1, sizeof l1, "Resolve %s.", what);
    snprintf(l2, sizeof l2,
             "State: %s -> resolved, by %s at %s UTC; any snooze is cleared. "
             "Time to resolve recorded: %s.",
             md_json_text(inc, "state"), a->actor.name, now, since);
    snprintf(l3, sizeof l3, "The windows in its evidence do not reopen it; a newer window that "
                            "breaks the rule again opens a new incident.");
    const char *lines[] = {l1, l2, l3};
    char reason[256] = "";
    if (!tui_dialog(a, "resolve", lines, 3, "reason:", reason, sizeof reason, true))
        return TUI_R_DRAW;
    md_err err;
    int64_t id = ji(inc, "id");
    if (md_incident_resolve(a->s, &a->actor, id, reason, &err) != MD_OK)
        return refused(a, "resolve refused", &err);
    tui_msg(a, TUI_GOOD, "incident %lld resolved", (long long)id);
    return TUI_R_RELOAD;
}

static int do_note(tui_app *a, const json_t *inc)
{
    char what[300], l1[360], l2[200], now[32];
    describe(inc, what, sizeof what);
    store_now(a, now, sizeof now);
    snprintf(l1, sizeof l1, "Add a note to %s.", what);
    snprintf(l2, sizeof l2, "Kept with the incident, signed %s at %s UTC, and audited. The "
                            "state does not change.",
             a->actor.name, now);
    const char *lines[] = {l1, l2};
    char text[512] = "";
    if (!tui_dialog(a, "note", lines, 2, "note:", text, sizeof text, true))
        return TUI_R_DRAW;
    md_err err;
    int64_t id = ji(inc, "id");
    if (md_incident_note(a->s, &a->actor, id, text, &err) != MD_OK)
        return refused(a, "note refused", &err);
    tui_msg(a, TUI_GOOD, "note added to incident %lld", (long long)id);
    return TUI_R_RELOAD;
}

/* TUI_R_UNHANDLED when `act` is not a lifecycle action. */
static int inc_action(tui_app *a, const json_t *inc, tui_action act)
{
    if (!inc)
        return TUI_R_UNHANDLED;
    switch (act) {
    case TUI_A_ACK:
        return do_ack(a, inc);
    case TUI_A_ASSIGN:
        return do_assign(a, inc);
    case TUI_A_SNOOZE:
        return do_snooze(a, inc);
    case TUI_A_RESOLVE:
        return do_resolve(a, inc);
    case TUI_A_NOTE:
        return do_note(a, inc);
    default:
        return TUI_R_UNHANDLED;
    }
}

static tui_role state_role(const char *state)
{
    return !strcmp(state, "open") ? TUI_WARN : !strcmp(state, "resolved") ? TUI_DIM : TUI_NORMAL;
}

/* ---- the queue ------------------------------------------------------------------------------- */

static const char *const row_states[] = {"open", "acknowledged", "resolved"};

/* One incident of the queue, its strings in the queue's pool: 50,000 of them fit in a few MB. */
typedef struct {
    int64_t id;
    int64_t opened_ms, last_ms, snoozed_ms; /* snoozed_ms: 0 when not snoozed */
    int32_t version, evidence;
    uint32_t model, kind, key, title, assignee;
    uint8_t sev;   /* 1..4 */
    uint8_t state; /* index in row_states */
} qrow;

typedef struct {
    tui_pool pool;
    qrow *rows; /* the incidents the filters keep, in core's order */
    int cap;
    int snoozed_hidden;
    int64_t keep; /* the incident the cursor stays on across a reload */
    tui_app *app;
    tui_view *view;
    int sev;   /* 0: all, 1..4 */
    int state; /* index in state_names */
    bool mine;
    char model[65];
    incident_perms perms;
    tui_table t;
} queue;

static const tui_column qcols[] = {
    {"ID", 4, TUI_RIGHT, 0, false},     {"SEV", 3, TUI_LEFT, 0, false},
    {"STATE", 8, TUI_LEFT, 0, false},   {"MODEL", 19, TUI_LEFT, 12, false},
    {"KIND", 7, TUI_LEFT, 0, false},    {"TITLE", 34, TUI_LEFT, 14, false},
    {"AGE", 4, TUI_RIGHT, 0, false},    {"ASSIGNEE", 8, TUI_LEFT, 6, true},
};

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
    q->t.cols = qcols;
    q->t.ncols = (int)(sizeof qcols / sizeof qcols[0]);
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

static bool row_matches(const queue *q, const qrow *r, const char *text)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)r->id);
    const char *fields[] = {id,           sev_names[r->sev], row_states[r->state],
                            qs(q, r->model), qs(q, r->kind), qs(q, r->key),
                            qs(q, r->title), qs(q, r->assignee)};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (strstr(fields[i], text))
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
    if (r->id == q->keep)
        q->t.cursor = q->t.nrows;
    q->t.nrows++;
    return 0;
}

static md_status queue_load(tui_app *a, tui_view *v, md_err *err)
{
    queue *q = v->st;
    q->keep = q->t.nrows ? q->rows[q->t.cursor].id : a->incident;
    queue_clear(q);
    perms_load(a, &q->perms);
    q->app = a;
    q->view = v;
    q->snoozed_hidden = 0;
    md_incident_filter f = {q->model[0] ? q->model : NULL, state_names[q->state],
                            sev_names[q->sev], q->mine ? a->actor.name : NULL, true};
    md_status rc = md_incidents_each(a->s, &f, add_row, q, err);
    if (rc != MD_OK)
        queue_clear(q);
    tui_table_clamp(&q->t);
    return rc;
}

/* The kind in seven columns; the detail names it in full. */
static const char *short_kind(const char *kind)
{
    static const char *const map[][2] = {{"calibration", "calib"}, {"performance", "perf"},
                                         {"data_quality", "quality"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(kind, map[i][0]))
            return map[i][1];
    return kind;
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
        *role = state_role(row_states[r->state]);
        return r->state == 1 ? "acked" : row_states[r->state];
    case 3:
        return qs(q, r->model);
    case 4:
        return short_kind(qs(q, r->kind));
    case 5:
        return qs(q, r->title);
    case 6:
        fmt_age(md_store_now_ms(a->s) - r->opened_ms, buf, cap);
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
    snprintf(out, cap, "Incidents %s", f);
    if (q->snoozed_hidden)
        snprintf(out + strlen(out), cap - strlen(out), " (%d snoozed hidden)", q->snoozed_hidden);
}

/* "2026-11-15 02:00" from milliseconds. */
static void short_ms(int64_t ms, char *out, size_t cap)
{
    char iso[MD_TIME_TEXT_MAX];
    md_time_format(ms, iso);
    short_time(iso, out, cap);
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
    return inc_unavailable(&q->perms, r ? r->id : 0, r ? row_states[r->state] : NULL, act);
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
    int rc = inc_action(a, inc, act);
    json_decref(inc);
    return rc;
}

static void queue_free(tui_view *v)
{
    queue_clear(v->st);
}

static const tui_action queue_actions[] = {TUI_A_ENTER,  TUI_A_ACK,      TUI_A_ASSIGN,
                                           TUI_A_SNOOZE, TUI_A_RESOLVE,  TUI_A_NOTE,
                                           TUI_A_SEVERITY, TUI_A_STATE,  TUI_A_MINE,
                                           TUI_A_NONE};
static const tui_action inc_mutating[] = {TUI_A_ACK,     TUI_A_ASSIGN, TUI_A_SNOOZE,
                                          TUI_A_RESOLVE, TUI_A_NOTE,   TUI_A_NONE};

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
    .mutating = inc_mutating,
};

/* ---- one incident ---------------------------------------------------------------------------- */

#define HEAD_LINES 6

typedef struct {
    int64_t id;
    json_t *inc;
    const json_t *ev;    /* its evidence, borrowed */
    char (*facts)[96];   /* per evidence: the detail's key numbers */
    char head[HEAD_LINES][2][160];
    incident_perms perms;
    tui_table t;
} detail;

static const tui_column ecols[] = {
    {"WINDOW", 13, TUI_LEFT, 10, false}, {"VER", 4, TUI_LEFT, 0, false},
    {"FEATURE", 16, TUI_LEFT, 8, false}, {"SEV", 3, TUI_LEFT, 0, false},
    {"EVIDENCE", 34, TUI_LEFT, 12, false},
};

static bool detail_open(tui_app *a, tui_view *v, const char *arg, char *why, size_t cap)
{
    (void)a;
    detail *d = v->st;
    char *end = NULL;
    d->id = arg ? strtoll(arg, &end, 10) : 0;
    if (!arg || end == arg || *end || d->id <= 0) {
        snprintf(why, cap, "which incident? (an incident number)");
        return false;
    }
    d->t.cols = ecols;
    d->t.ncols = (int)(sizeof ecols / sizeof ecols[0]);
    return true;
}

static void detail_clear(detail *d)
{
    json_decref(d->inc);
    free(d->facts);
    d->inc = NULL;
    d->ev = NULL;
    d->facts = NULL;
    d->t.nrows = 0;
}

/* Appends " name=value" for a number in the detail JSON, in `fmt` (integers as such). */
static void fact(char *out, size_t cap, const json_t *det, const char *key, const char *name,
                 const char *fmt, bool skip_zero)
{
    const json_t *x = json_object_get(det, key);
    if (!json_is_number(x) || (skip_zero && json_number_value(x) == 0))
        return;
    size_t n = strlen(out);
    char num[32];
    if (json_is_integer(x))
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(x));
    else
        snprintf(num, sizeof num, fmt, json_number_value(x));
    snprintf(out + n, cap - n, "%s%s=%s", n ? " " : "", name, num);
}

/* "psi=0.41 ks=0.2 miss=+0.25": what the rule saw, compactly. */
static void evidence_facts(const json_t *det, char *out, size_t cap)
{
    out[0] = '\0';
    fact(out, cap, det, "psi", "psi", "%.3g", false);
    fact(out, cap, det, "ks", "ks", "%.3g", false);
    fact(out, cap, det, "missing_delta", "miss", "%+.2f", true);
    fact(out, cap, det, "schema_changes", "schema", "%g", true);
    fact(out, cap, det, "violations", "viol", "%g", true);
    fact(out, cap, det, "ece", "ece", "%.3f", false);
    fact(out, cap, det, "hl_pvalue", "hl_p", "%.2g", false);
    fact(out, cap, det, "delta_auc", "dAUC", "%+.3f", false);
    fact(out, cap, det, "over_sla", "over_sla", "%.2f", false);
    fact(out, cap, det, "labeled", "n", "%g", false);
    fact(out, cap, det, "drifting_features", "drifting", "%g", true);
    if (!out[0] && json_is_string(det))
        snprintf(out, cap, "%s", json_string_value(det));
}

static void when_by(const json_t *o, const char *at_key, const char *by_key, char *out,
                    size_t cap)
{
    const char *at = md_json_text(o, at_key), *by = md_json_text(o, by_key);
    char t[32];
    short_time(at, t, sizeof t);
    snprintf(out, cap, "%s%s%s", t, *by ? " by " : "", by);
}

static void span_or_dash(const json_t *o, const char *key, char *out, size_t cap)
{
    const json_t *x = json_object_get(o, key);
    if (json_is_number(x))
        fmt_span(json_number_value(x), out, cap);
    else
        snprintf(out, cap, "-");
}

/* The header's label/value pairs, made at load (they hold an age from the store's clock). */
static void detail_head(tui_app *a, detail *d)
{
    const json_t *o = d->inc;
    char (*h)[2][160] = d->head, t[32], age[16], x[64];
    short_time(md_json_text(o, "opened_at"), t, sizeof t);
    fmt_age(age_ms(a, md_json_text(o, "opened_at")), age, sizeof age);
    snprintf(h[0][0], 160, "model    %s v%lld", md_json_text(o, "model"),
             (long long)ji(o, "version"));
    snprintf(h[0][1], 160, "kind       %s%s%s", md_json_text(o, "kind"),
             *md_json_text(o, "key") ? ", key " : "", md_json_text(o, "key"));
    snprintf(h[1][0], 160, "opened   %s (%s ago)", t, age);
    snprintf(h[1][1], 160, "assignee   %s",
             *md_json_text(o, "assignee") ? md_json_text(o, "assignee") : "-");
    when_by(o, "acknowledged_at", "acknowledged_by", x, sizeof x);
    snprintf(h[2][0], 160, "acked    %s", x);
    span_or_dash(o, "time_to_ack_s", x, sizeof x);
    snprintf(h[2][1], 160, "to ack     %s", x);
    when_by(o, "resolved_at", "resolved_by", x, sizeof x);
    snprintf(h[3][0], 160, "resolved %s", x);
    span_or_dash(o, "time_to_resolve_s", x, sizeof x);
    snprintf(h[3][1], 160, "to resolve %s", x);
    short_time(md_json_text(o, "snoozed_until"), t, sizeof t);
    snprintf(h[4][0], 160, "snoozed  %s%s", json_is_true(json_object_get(o, "snoozed")) ? "until "
                                                                                          : "",
             json_is_true(json_object_get(o, "snoozed")) ? t : "no");
    short_time(md_json_text(o, "last_evidence_at"), t, sizeof t);
    snprintf(h[4][1], 160, "evidence   %lld, last %s", (long long)ji(o, "evidence_count"), t);
    h[5][0][0] = h[5][1][0] = '\0';
}

static md_status detail_load(tui_app *a, tui_view *v, md_err *err)
{
    detail *d = v->st;
    char keep[200] = "";
    bool first = d->inc == NULL;
    if (d->t.nrows) {
        const json_t *e = json_array_get(d->ev, (size_t)d->t.cursor);
        snprintf(keep, sizeof keep, "%s|%s", md_json_text(e, "window"), md_json_text(e, "feature"));
    }
    detail_clear(d);
    perms_load(a, &d->perms);
    if (md_incident_show(a->s, d->id, &d->inc, err) != MD_OK)
        return err->code;
    d->ev = json_object_get(d->inc, "evidence");
    size_t n = json_array_size(d->ev);
    d->facts = md_xcalloc(n + 1, sizeof *d->facts);
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(d->ev, i);
        char k[200];
        evidence_facts(json_object_get(e, "detail"), d->facts[i], sizeof d->facts[i]);
        snprintf(k, sizeof k, "%s|%s", md_json_text(e, "window"), md_json_text(e, "feature"));
        if (keep[0] && !strcmp(k, keep))
            d->t.cursor = (int)i;
    }
    d->t.nrows = (int)n;
    if (first) /* the latest evidence first: it is what changed last */
        d->t.cursor = (int)n - 1;
    tui_table_clamp(&d->t);
    detail_head(a, d);
    return MD_OK;
}

static const char *ecell(tui_app *a, void *ctx, int row, int col, char *buf, size_t cap,
                         tui_role *role)
{
    (void)a;
    detail *d = ctx;
    const json_t *e = json_array_get(d->ev, (size_t)row);
    switch (col) {
    case 0:
        return md_json_text(e, "window");
    case 1:
        if (json_is_integer(json_object_get(e, "version")))
            snprintf(buf, cap, "v%lld", (long long)ji(e, "version"));
        else
            snprintf(buf, cap, "-");
        return buf;
    case 2:
        return *md_json_text(e, "feature") ? md_json_text(e, "feature") : "-";
    case 3:
        *role = tui_severity_role(md_json_text(e, "severity"));
        return md_json_text(e, "severity");
    case 4:
        return d->facts[row];
    }
    return "";
}

static bool drift_kind(const char *kind)
{
    return !strcmp(kind, "drift") || !strcmp(kind, "schema") || !strcmp(kind, "data_quality");
}

/* The notes, newest last, in the rows [y, y + h). */
static void draw_notes(tui_app *a, const json_t *notes, int y, int h, int cols)
{
    size_t n = json_array_size(notes);
    for (int r = 0; r < h; r++)
        tui_put(a, y + r, 0, cols, TUI_NORMAL, "", true);
    if (h <= 0)
        return;
    tui_putf(a, y, 0, cols, TUI_TITLE, "notes (%zu)%s", n, n ? "" : ": none yet (e adds one)");
    size_t from = n > (size_t)(h - 1) ? n - (size_t)(h - 1) : 0;
    for (size_t i = from; i < n && y + 1 + (int)(i - from) < y + h; i++) {
        const json_t *o = json_array_get(notes, i);
        char t[32], line[600];
        short_time(md_json_text(o, "at"), t, sizeof t);
        snprintf(line, sizeof line, "%s %-8s %s", t, md_json_text(o, "actor"),
                 md_json_text(o, "text"));
        tui_put(a, y + 1 + (int)(i - from), 1, cols - 1, TUI_NORMAL, line, true);
    }
}

static void detail_draw(tui_app *a, tui_view *v, int top, int rows, int cols)
{
    detail *d = v->st;
    const json_t *o = d->inc;
    int x = 1, half = cols / 2;
    for (int r = 0; r < rows; r++)
        tui_put(a, top + r, 0, cols, TUI_NORMAL, "", true);
    char id[32];
    snprintf(id, sizeof id, "#%lld", (long long)d->id);
    x += tui_put(a, top, x, cols - x, TUI_TITLE, id, false) + 1;
    x += tui_put(a, top, x, cols - x, tui_severity_role(md_json_text(o, "severity")),
                 md_json_text(o, "severity"), false) +
         1;
    x += tui_put(a, top, x, cols - x, state_role(md_json_text(o, "state")),
                 md_json_text(o, "state"), false) +
         2;
    tui_put(a, top, x, cols - x, TUI_TITLE, md_json_text(o, "title"), false);
    for (int i = 0; i < HEAD_LINES - 1; i++) {
        tui_put(a, top + 1 + i, 1, half - 2, TUI_NORMAL, d->head[i][0], false);
        tui_put(a, top + 1 + i, half, cols - half, TUI_NORMAL, d->head[i][1], false);
    }
    int y = top + HEAD_LINES;
    const json_t *notes = json_object_get(o, "notes");
    int nh = json_array_size(notes) ? 1 + (int)(json_array_size(notes) < 4
                                                    ? json_array_size(notes) : 4)
                                    : 1;
    int eh = top + rows - y - 1 - nh;
    tui_putf(a, y, 0, cols, TUI_TITLE, "evidence (%d)   Enter: the %s behind the row", d->t.nrows,
             drift_kind(md_json_text(o, "kind")) ? "drift cell" : "calibration window");
    if (d->t.nrows && eh >= 2)
        tui_table_draw(a, &d->t, y + 1, eh, cols, ecell, d);
    else
        tui_put(a, y + 1, 2, cols - 2, TUI_DIM, "no evidence", false);
    draw_notes(a, notes, top + rows - nh, nh, cols);
}

static void detail_crumb(tui_view *v, char *out, size_t cap)
{
    detail *d = v->st;
    snprintf(out, cap, "Incident #%lld", (long long)d->id);
}

static void detail_status(tui_app *a, tui_view *v, char *out, size_t cap)
{
    (void)a;
    detail *d = v->st;
    if (!d->t.nrows)
        return;
    const json_t *e = json_array_get(d->ev, (size_t)d->t.cursor);
    snprintf(out, cap, "%s %s", md_json_text(e, "window"),
             *md_json_text(e, "feature") ? md_json_text(e, "feature") : "");
}

static const char *detail_unavailable(tui_app *a, tui_view *v, tui_action act)
{
    (void)a;
    detail *d = v->st;
    if (act == TUI_A_ENTER && !d->t.nrows)
        return "no evidence to open";
    return inc_unavailable(&d->perms, d->id, d->inc ? md_json_text(d->inc, "state") : NULL, act);
}

/* Opens the screen behind one piece of evidence; the detail view is gone afterwards. */
static void open_evidence(tui_app *a, const detail *d, const json_t *e)
{
    const json_t *o = d->inc;
    int64_t ver = json_is_integer(json_object_get(e, "version")) ? ji(e, "version")
                                                                 : ji(o, "version");
    char arg[320], model[65];
    snprintf(model, sizeof model, "%s", md_json_text(o, "model"));
    snprintf(a->model, sizeof a->model, "%s", model);
    a->version = ver;
    snprintf(a->window, sizeof a->window, "%s", md_json_text(e, "window"));
    snprintf(a->feature, sizeof a->feature, "%s", md_json_text(e, "feature"));
    if (drift_kind(md_json_text(o, "kind"))) { /* the cell: its window and feature */
        if (a->window[0])
            snprintf(arg, sizeof arg, "%s %lld %s %s", model, (long long)ver, a->window,
                     a->feature);
        else
            snprintf(arg, sizeof arg, "%s %lld", model, (long long)ver);
        tui_screen(a, 2, arg);
    } else {
        snprintf(arg, sizeof arg, "%s %lld %s", model, (long long)ver, a->window);
        tui_screen(a, 3, arg);
    }
}

static int detail_key(tui_app *a, tui_view *v, tui_action act, int ch)
{
    (void)ch;
    detail *d = v->st;
    if (tui_table_move(&d->t, act))
        return TUI_R_DRAW;
    if (act == TUI_A_ENTER) {
        if (d->t.nrows)
            open_evidence(a, d, json_array_get(d->ev, (size_t)d->t.cursor));
        return TUI_R_DRAW;
    }
    return inc_action(a, d->inc, act);
}

static void detail_free(tui_view *v)
{
    detail_clear(v->st);
}

static const tui_action detail_actions[] = {TUI_A_ENTER,   TUI_A_ACK,  TUI_A_ASSIGN,
                                            TUI_A_SNOOZE,  TUI_A_RESOLVE, TUI_A_NOTE,
                                            TUI_A_NONE};

/* The detail takes the queue's keys (its keymap scope is the queue's). */
const tui_view_ops tui_incident_view = {
    .name = "incident",
    .scope = "incidents",
    .title = "Incident",
    .state_size = sizeof(detail),
    .open = detail_open,
    .load = detail_load,
    .draw = detail_draw,
    .key = detail_key,
    .free = detail_free,
    .crumb = detail_crumb,
    .status = detail_status,
    .unavailable = detail_unavailable,
    .actions = detail_actions,
    .mutating = inc_mutating,
};
