/* The incident lifecycle as the console offers it: acknowledge, assign, snooze, resolve and
 * note, each behind a dialog that says exactly what changes; shared by the incident queue
 * (view_incidents.c) and one incident's view (view_incident.c). Core decides and words any
 * refusal; the unavailability reasons here only grey out what core would refuse. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "incidents.h"
#include "internal.h"
#include "text.h"
#include "json.h"
#include "users.h"
#include "incident_actions.h"

static void perm_load(tui_app *a, md_perm p, tui_perm_cache *c)
{
    const char *why = NULL;
    c->ok = tui_may(a, p, &why);
    snprintf(c->why, sizeof c->why, "%s", why ? why : "");
}

int64_t tui_age_ms(tui_app *a, const char *iso)
{
    int64_t t;
    if (!iso || md_time_parse_iso(iso, false, &t, NULL) != MD_OK)
        return 0;
    return md_store_now_ms(a->s) - t;
}

/* "#12 P1 Drift on frequency_90d (upsell-propensity v1)": the incident named in a dialog. */
static void describe(const json_t *inc, char *out, size_t cap)
{
    snprintf(out, cap, "#%lld %s %s", (long long)md_json_int(inc, "id"),
             md_json_text(inc, "severity"), md_json_text(inc, "title"));
}

void tui_incident_perms_load(tui_app *a, tui_incident_perms *p)
{
    perm_load(a, MD_PERM_INCIDENT_WRITE, &p->write);
    perm_load(a, MD_PERM_NOTE, &p->note);
}

/* Why `act` is unavailable on incident `id` in `state` (NULL state: none selected), or NULL. */
const char *tui_incident_unavailable(const tui_incident_perms *p, int64_t id, const char *state,
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
    tui_short_time(iso, out, cap);
}

static int do_ack(tui_app *a, const json_t *inc)
{
    char what[300], l1[360], l2[200], l3[160], now[32], since[32];
    describe(inc, what, sizeof what);
    store_now(a, now, sizeof now);
    md_text_span((double)tui_age_ms(a, md_json_text(inc, "opened_at")) / 1000.0, since,
                 sizeof since);
    snprintf(l1, sizeof l1, "Acknowledge %s.", what);
    snprintf(l2, sizeof l2, "State: open -> acknowledged, by %s at %s UTC.", a->actor.name, now);
    snprintf(l3, sizeof l3, "Time to acknowledge recorded: %s since it opened. Audited.", since);
    const char *lines[] = {l1, l2, l3};
    char reason[256] = "";
    if (!tui_dialog(a, "acknowledge", lines, 3, "reason (optional):", reason, sizeof reason,
                    false))
        return TUI_R_DRAW;
    md_err err;
    int64_t id = md_json_int(inc, "id");
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
    int64_t id = md_json_int(inc, "id");
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

/* An ISO time to show as an example: tomorrow 08:00 UTC by the store's clock. */
static void example_time(tui_app *a, char out[24])
{
    char t[MD_TIME_TEXT_MAX];
    int64_t day = 86400000;
    int64_t now = md_store_now_ms(a->s), today = now / day - (now % day < 0);
    md_time_format((today + 1) * day + 8 * 3600000, t);
    snprintf(out, 24, "%.16sZ", t);
}

/* The snooze's end as stored text, from an ISO time or a duration counted from the store's
 * clock; false with *err when it is neither. */
static bool snooze_until(tui_app *a, const char *text, char out[MD_TIME_TEXT_MAX], md_err *err)
{
    char example[24];
    example_time(a, example);
    int64_t ms;
    if (parse_duration(text, &ms)) {
        md_time_format(md_store_now_ms(a->s) + ms, out);
        return true;
    }
    if (md_time_parse(text, &ms, err) != MD_OK) {
        md_err_set(err, MD_INVALID,
                   "'%s' is neither a duration (4h, 30m, 2d) nor a time "
                   "(ISO-8601 such as %s)",
                   text, example);
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
    char what[300], l1[360], l2[200], l3[200], l4[200], now[32], input[256] = "", example[24];
    describe(inc, what, sizeof what);
    store_now(a, now, sizeof now);
    example_time(a, example);
    snprintf(l1, sizeof l1, "Snooze %s.", what);
    snprintf(l2, sizeof l2,
             "It leaves the active queue and the header's counts until then and "
             "comes back by itself; graver evidence ends the snooze at once.");
    snprintf(l3, sizeof l3,
             "Until: an ISO time (%s) or a duration from now "
             "(4h, 30m, 2d). Now: %s UTC. Text after it is the reason.",
             example, now);
    const char *cur = md_json_text(inc, "snoozed_until");
    char curs[32];
    tui_short_time(cur, curs, sizeof curs);
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
    int64_t id = md_json_int(inc, "id");
    if (md_incident_snooze(a->s, &a->actor, id, until, reason, &err) != MD_OK)
        return refused(a, "snooze refused", &err);
    char shown[32];
    tui_short_time(until, shown, sizeof shown);
    tui_msg(a, TUI_GOOD, "incident %lld snoozed until %s UTC", (long long)id, shown);
    return TUI_R_RELOAD;
}

static int do_resolve(tui_app *a, const json_t *inc)
{
    char what[300], l1[360], l2[400], l3[200], now[32], since[32];
    describe(inc, what, sizeof what);
    store_now(a, now, sizeof now);
    md_text_span((double)tui_age_ms(a, md_json_text(inc, "opened_at")) / 1000.0, since,
                 sizeof since);
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
    int64_t id = md_json_int(inc, "id");
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
    int64_t id = md_json_int(inc, "id");
    if (md_incident_note(a->s, &a->actor, id, text, &err) != MD_OK)
        return refused(a, "note refused", &err);
    tui_msg(a, TUI_GOOD, "note added to incident %lld", (long long)id);
    return TUI_R_RELOAD;
}

/* TUI_R_UNHANDLED when `act` is not a lifecycle action. */
int tui_incident_action(tui_app *a, const json_t *inc, tui_action act)
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
tui_role tui_incident_state_role(const char *state)
{
    return !strcmp(state, "open") ? TUI_WARN : !strcmp(state, "resolved") ? TUI_DIM : TUI_NORMAL;
}

const tui_action tui_incident_mutating[] = {TUI_A_ACK,     TUI_A_ASSIGN, TUI_A_SNOOZE,
                                   TUI_A_RESOLVE, TUI_A_NOTE,   TUI_A_NONE};
