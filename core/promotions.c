#include "promotions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "clock.h"
#include "json.h"
#include "mem.h"
#include "models.h"
#include "policies.h"
#include "registry_tx.h"
#include "sql.h"

/* ---- gates ------------------------------------------------------------------------------------ */

typedef struct {
    bool has;
    double v;
} opt;

static md_status opt_query(md_store *s, opt *out, md_err *err, const char *sql, int64_t a,
                           int64_t b)
{
    sqlite3_stmt *st;
    out->has = false;
    if (md_sql_prepare(s, sql, &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "ii", a, b);
    bool row;
    md_status rc = md_sql_step(s, st, &row, err);
    if (rc == MD_OK && row && !md_sql_col_null(st, 0)) {
        out->has = true;
        out->v = sqlite3_column_double(st, 0);
    }
    sqlite3_finalize(st);
    return rc;
}

#define RECENT "(SELECT id FROM windows WHERE version_id = ?1 ORDER BY window DESC LIMIT ?2)"

/* Mean AUC (or ECE) over the recent windows, else the baseline's. */
static md_status recent_mean(md_store *s, int64_t vid, int n, const char *col, opt *out,
                             md_err *err)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT avg(%s) FROM windows WHERE id IN " RECENT, col);
    if (opt_query(s, out, err, sql, vid, n) != MD_OK)
        return err->code;
    if (out->has)
        return MD_OK;
    snprintf(sql, sizeof sql, "SELECT %s FROM baselines WHERE version_id = ?1 AND ?2 >= 0", col);
    return opt_query(s, out, err, sql, vid, 0);
}

typedef struct {
    opt value;
    double threshold;
    bool has_threshold;
    bool pass; /* when value.has */
} gate_value;

static md_status gate_values(md_store *s, int64_t vid, const md_policy *p, gate_value g[],
                             md_err *err)
{
    const md_promotion_policy *pp = &p->promotion;
    int n = pp->evidence_windows;
    int64_t champ = 0, mid = 0, p1 = 0, base = 0;
    opt cand_auc = {false, 0}, champ_auc = {false, 0};
    memset(g, 0, MD_GATE_COUNT * sizeof *g);
    md_status rc = md_sql_int(s, &mid, err, "SELECT model_id FROM versions WHERE id = ?", "i", vid);
    if (rc == MD_OK)
        rc = md_sql_int(s, &champ, err,
                        "SELECT id FROM versions WHERE model_id = ? AND status = 'production'",
                        "i", mid);
    if (rc == MD_NOTFOUND)
        rc = MD_OK, champ = 0;
    if (rc == MD_OK)
        rc = recent_mean(s, vid, n, "auc", &cand_auc, err);
    champ_auc.has = false;
    if (rc == MD_OK && champ && champ != vid)
        rc = recent_mean(s, champ, n, "auc", &champ_auc, err);
    g[MD_GATE_DELTA_AUC].value = (opt){cand_auc.has && champ_auc.has, cand_auc.v - champ_auc.v};
    if (rc == MD_OK)
        rc = opt_query(s, &g[MD_GATE_MAX_PSI].value, err,
                       "SELECT max(psi) FROM drift WHERE window_id IN " RECENT, vid, n);
    if (rc == MD_OK)
        rc = recent_mean(s, vid, n, "ece", &g[MD_GATE_ECE].value, err);
    if (rc == MD_OK)
        rc = md_sql_int(s, &p1, err,
                        "SELECT count(*) FROM incidents WHERE model_id = ? AND severity = 'P1'"
                        " AND state <> 'resolved'",
                        "i", mid);
    if (rc == MD_OK)
        rc = md_sql_int(s, &base, err, "SELECT count(*) FROM baselines WHERE version_id = ?", "i",
                        vid);
    g[MD_GATE_NO_OPEN_P1].value = (opt){true, (double)p1};
    g[MD_GATE_BASELINE_PRESENT].value = (opt){base > 0, 1};
    for (int i = 0; i < MD_GATE_COUNT; i++)
        g[i].threshold = pp->gates[i].limit;
    g[MD_GATE_DELTA_AUC].has_threshold = g[MD_GATE_MAX_PSI].has_threshold = true;
    g[MD_GATE_ECE].has_threshold = true;
    g[MD_GATE_DELTA_AUC].pass = g[MD_GATE_DELTA_AUC].value.v >= g[MD_GATE_DELTA_AUC].threshold;
    g[MD_GATE_MAX_PSI].pass = g[MD_GATE_MAX_PSI].value.v <= g[MD_GATE_MAX_PSI].threshold;
    g[MD_GATE_ECE].pass = g[MD_GATE_ECE].value.v <= g[MD_GATE_ECE].threshold;
    g[MD_GATE_NO_OPEN_P1].pass = p1 == 0;
    g[MD_GATE_BASELINE_PRESENT].pass = true;
    return rc;
}

static md_status overridden_gates(md_store *s, int64_t request_id, bool over[], md_err *err)
{
    memset(over, 0, MD_GATE_COUNT * sizeof *over);
    if (!request_id)
        return MD_OK;
    sqlite3_stmt *st;
    if (md_sql_prepare(s, "SELECT gate FROM gate_overrides WHERE request_id = ?", &st, err))
        return err->code;
    md_sql_bind(st, "i", request_id);
    md_status rc = MD_OK;
    for (bool row = true; rc == MD_OK;) {
        rc = md_sql_step(s, st, &row, err);
        if (rc != MD_OK || !row)
            break;
        int g = md_gate_parse((const char *)sqlite3_column_text(st, 0));
        if (g >= 0)
            over[g] = true;
    }
    sqlite3_finalize(st);
    return rc;
}

static json_t *gate_row(md_gate i, const gate_value *g, const md_gate_policy *gp, bool over,
                        bool *blocks)
{
    const char *result = !g->value.has ? "n/a" : (g->pass ? "pass" : "fail");
    *blocks = !over && ((g->value.has && !g->pass) || (!g->value.has && gp->na_blocks));
    json_t *o = json_object();
    json_object_set_new(o, "gate", json_string(md_gate_name(i)));
    json_object_set_new(o, "description", json_string(md_gate_description(i)));
    json_object_set_new(o, "value", !g->value.has ? json_null()
                                    : i == MD_GATE_BASELINE_PRESENT ? json_true()
                                    : i == MD_GATE_NO_OPEN_P1 ? json_integer((json_int_t)g->value.v)
                                                              : json_real(g->value.v));
    json_object_set_new(o, "threshold",
                        g->has_threshold ? json_real(g->threshold)
                        : i == MD_GATE_NO_OPEN_P1 ? json_integer(0)
                                                  : json_true());
    json_object_set_new(o, "comparison", json_string(i == MD_GATE_DELTA_AUC ? ">=" : i == MD_GATE_BASELINE_PRESENT ? "=" : "<="));
    json_object_set_new(o, "result", json_string(result));
    json_object_set_new(o, "na_blocks", json_boolean(gp->na_blocks));
    json_object_set_new(o, "overridden", json_boolean(over));
    json_object_set_new(o, "blocking", json_boolean(*blocks));
    return o;
}

md_status md_gates_evaluate(md_store *s, int64_t vid, const char *target, const md_policy *p,
                            int64_t request_id, json_t **table, char blocking[256], md_err *err)
{
    (void)target; /* the same gates guard staging and production; the approvals differ */
    gate_value g[MD_GATE_COUNT];
    bool over[MD_GATE_COUNT];
    *table = NULL;
    blocking[0] = '\0';
    if (gate_values(s, vid, p, g, err) != MD_OK || overridden_gates(s, request_id, over, err))
        return err->code;
    json_t *t = json_array();
    size_t o = 0;
    for (int i = 0; i < MD_GATE_COUNT; i++) {
        bool blocks;
        json_array_append_new(t, gate_row((md_gate)i, &g[i], &p->promotion.gates[i], over[i],
                                          &blocks));
        if (blocks && o < 255)
            o += (size_t)snprintf(blocking + o, 256 - o, "%s%s", o ? ", " : "",
                                  md_gate_name((md_gate)i));
    }
    *table = t;
    return MD_OK;
}

static md_status expire_due(md_store *s, const char *actor, int *expired, md_err *err);

/* ---- requests ---------------------------------------------------------------------------------- */

static const char *object_of(int64_t id, char buf[32])
{
    snprintf(buf, 32, "request:%lld", (long long)id);
    return buf;
}

static md_status no_pending_twin(md_store *s, int64_t vid, const char *target, md_err *err)
{
    int64_t twin = 0;
    md_status rc = md_sql_int(s, &twin, err,
                              "SELECT id FROM requests WHERE version_id = ? AND target = ? AND"
                              " state = 'pending'",
                              "it", vid, target);
    if (rc == MD_NOTFOUND)
        return MD_OK;
    if (rc == MD_OK)
        rc = md_err_set(err, MD_ERROR, "request %lld for this move is already pending",
                        (long long)twin);
    return rc;
}

md_status md_promote_targets(md_store *s, const char *model, int64_t number, const char *out[2],
                             int *n, char why[256], md_err *err)
{
    static const char *const all[] = {"staging", "production"};
    *n = 0;
    why[0] = '\0';
    int64_t vid;
    char status[16], label[96], now[MD_TIME_TEXT_MAX];
    snprintf(label, sizeof label, "version %s/%lld", model, (long long)number);
    if (md_version_lookup(s, model, number, &vid, status, err) != MD_OK)
        return err->code;
    md_store_now_text(s, now);
    for (int i = 0; i < 2; i++) {
        md_err e;
        int64_t twin = 0;
        md_status rc = md_registry_check_move(s, label, status, all[i], &e);
        if (rc == MD_OK) { /* as no_pending_twin sees it once expired requests are marked */
            rc = md_sql_int(s, &twin, err,
                            "SELECT id FROM requests WHERE version_id = ? AND target = ? AND"
                            " state = 'pending' AND expires_at > ?",
                            "itt", vid, all[i], now);
            if (rc == MD_OK)
                rc =
                    md_err_set(&e, MD_REFUSED, "request %lld for the move to %s is already pending",
                               (long long)twin, all[i]);
            else if (rc == MD_NOTFOUND)
                rc = MD_OK;
            else
                return rc; /* the store could not be read */
        }
        if (rc == MD_OK)
            out[(*n)++] = all[i];
        else
            snprintf(why + strlen(why), 256 - strlen(why), "%s%s", why[0] ? "; " : "", e.msg);
    }
    return MD_OK;
}

static md_status insert_request(md_store *s, const md_actor *a, int64_t vid, const char *target,
                                const char *reason, const md_policy *p, json_t *gates,
                                int64_t *id, md_err *err)
{
    char at[MD_TIME_TEXT_MAX], until[MD_TIME_TEXT_MAX];
    int64_t now = md_store_now_ms(s);
    md_time_format(now, at);
    md_time_format(now + (int64_t)(p->promotion.ttl_hours * 3600000.0), until);
    int required = strcmp(target, "production") == 0 ? p->promotion.approvals_production
                                                     : p->promotion.approvals_staging;
    char *table = md_json_canonical(gates);
    md_status rc = md_sql_run(s, err,
                              "INSERT INTO requests(model_id, version_id, target, state,"
                              " requested_by, requested_at, reason, expires_at,"
                              " approvals_required, gates_at_request)"
                              " SELECT model_id, id, ?, 'pending', ?, ?, ?, ?, ?, ? FROM versions"
                              " WHERE id = ?",
                              "tttttiti", target, a->name, at, reason, until, (int64_t)required,
                              table, vid);
    *id = sqlite3_last_insert_rowid(md_store_db(s));
    free(table);
    return rc;
}

md_status md_promote_request(md_store *s, const md_actor *a, const char *model, int64_t number,
                             const char *target, const char *reason, int64_t *id, json_t **gates,
                             md_err *err)
{
    *gates = NULL;
    if (!target || (strcmp(target, "staging") != 0 && strcmp(target, "production") != 0))
        return md_err_set(err, MD_INVALID, "--to must be staging or production");
    if (md_check_text("--reason", reason, 2048, true, err) != MD_OK)
        return err->code;
    md_policy p;
    if (md_policy_load(s, model, &p, err) != MD_OK)
        return err->code;
    md_status rc = md_write_begin(s, a, MD_PERM_OPS_ACTION, err);
    if (rc != MD_OK) {
        md_policy_free(&p);
        return rc;
    }
    int expired;
    rc = expire_due(s, a->name, &expired, err);
    int64_t vid = 0;
    char status[16], blocking[256], label[96];
    snprintf(label, sizeof label, "version %s/%lld", model, (long long)number);
    if (rc == MD_OK)
        rc = md_version_lookup(s, model, number, &vid, status, err);
    if (rc == MD_OK)
        rc = md_registry_check_move(s, label, status, target, err);
    if (rc == MD_OK)
        rc = no_pending_twin(s, vid, target, err);
    if (rc == MD_OK)
        rc = md_gates_evaluate(s, vid, target, &p, 0, gates, blocking, err);
    if (rc == MD_OK)
        rc = insert_request(s, a, vid, target, reason, &p, *gates, id, err);
    char obj[32];
    json_t *d = rc == MD_OK ? json_pack("{s:s, s:I, s:s, s:O, s:s}", "model", model, "version",
                                        (json_int_t)number, "to", target, "gates", *gates,
                                        "blocking", blocking)
                            : NULL;
    if (rc == MD_OK)
        rc = md_audit_append(s, a->name, "promotion.request", object_of(*id, obj), reason, d, NULL,
                             err);
    json_decref(d);
    md_policy_free(&p);
    rc = md_tx_end(s, rc, err);
    if (rc != MD_OK) {
        json_decref(*gates);
        *gates = NULL;
    }
    return rc;
}

typedef struct {
    int64_t id, vid, number, required;
    char state[16], target[16], by[65], expires[MD_TIME_TEXT_MAX];
    char *model, *reason;
} request_ref;

static md_status load_request(md_store *s, int64_t id, request_ref *r, md_err *err)
{
    sqlite3_stmt *st;
    memset(r, 0, sizeof *r);
    md_status rc = md_sql_row_by_id(
        s,
        "SELECT r.version_id, v.number, r.approvals_required, r.state, r.target,"
        " r.requested_by, r.expires_at, m.name, r.reason FROM requests r"
        " JOIN versions v ON v.id = r.version_id JOIN models m ON m.id = r.model_id"
        " WHERE r.id = ?",
        id, "promotion request", &st, err);
    if (rc == MD_OK) {
        r->id = id;
        r->vid = sqlite3_column_int64(st, 0);
        r->number = sqlite3_column_int64(st, 1);
        r->required = sqlite3_column_int64(st, 2);
        snprintf(r->state, sizeof r->state, "%s", (const char *)sqlite3_column_text(st, 3));
        snprintf(r->target, sizeof r->target, "%s", (const char *)sqlite3_column_text(st, 4));
        snprintf(r->by, sizeof r->by, "%s", (const char *)sqlite3_column_text(st, 5));
        snprintf(r->expires, sizeof r->expires, "%s", (const char *)sqlite3_column_text(st, 6));
        r->model = md_sql_col_text(st, 7);
        r->reason = md_sql_col_text(st, 8);
    }
    sqlite3_finalize(st);
    return rc;
}

static void request_ref_free(request_ref *r)
{
    free(r->model);
    free(r->reason);
}

/* The checks every decision shares: pending, not expired, not the requester, not twice. With
 * `recheck` non-NULL, an approver who already approved a request that has all its approvals
 * (its gates blocked it) may ask for the gates again: *recheck says so, and no approval is
 * added. */
static md_status decidable(md_store *s, const md_actor *a, const request_ref *r, bool *recheck,
                           md_err *err)
{
    char now[MD_TIME_TEXT_MAX];
    md_store_now_text(s, now);
    int64_t mine = 0;
    if (strcmp(r->state, "expired") == 0)
        return md_err_set(err, MD_REFUSED, "request %lld expired at %s (its TTL); ask again",
                          (long long)r->id, r->expires);
    if (strcmp(r->state, "pending") != 0)
        return md_err_set(err, MD_ERROR, "request %lld is %s, not pending", (long long)r->id,
                          r->state);
    if (strcmp(now, r->expires) >= 0)
        return md_err_set(err, MD_REFUSED, "request %lld expired at %s", (long long)r->id,
                          r->expires);
    if (strcmp(a->name, r->by) == 0)
        return md_err_set(err, MD_REFUSED,
                          "four eyes: %s requested this promotion and cannot decide it; another "
                          "approver must",
                          a->name);
    if (md_sql_int(s, &mine, err,
                   "SELECT count(*) FROM approvals WHERE request_id = ? AND approver = ?", "it",
                   r->id, a->name) != MD_OK)
        return err->code;
    int64_t approvals = 0;
    if (mine && recheck &&
        md_sql_int(s, &approvals, err,
                   "SELECT count(*) FROM approvals WHERE request_id = ? AND decision = 'approve'",
                   "i", r->id) != MD_OK)
        return err->code;
    if (mine && recheck && approvals >= r->required) {
        *recheck = true;
        return MD_OK;
    }
    if (mine)
        return md_err_set(err, MD_REFUSED,
                          "%s has already decided request %lld; one approver counts once", a->name,
                          (long long)r->id);
    return MD_OK;
}

static md_status record_overrides(md_store *s, const md_actor *a, const request_ref *r,
                                  const char *const *names, const char *reason, md_err *err)
{
    if (!names || !names[0])
        return MD_OK;
    if (md_authz_role(s, a, MD_PERM_GATE_OVERRIDE, err) != MD_OK)
        return err->code;
    if (md_check_text("--reason", reason, 2048, true, err) != MD_OK)
        return md_err_set(err, MD_INVALID, "a gate override needs --reason");
    char at[MD_TIME_TEXT_MAX], obj[32];
    md_store_now_text(s, at);
    for (const char *const *n = names; *n; n++) {
        if (md_gate_parse(*n) < 0)
            return md_err_set(err, MD_INVALID, "no gate '%s' (gates: delta_auc, max_psi, ece, "
                                               "no_open_p1, baseline_present)",
                              *n);
        md_status rc = md_sql_run(s, err,
                                  "INSERT OR IGNORE INTO gate_overrides(request_id, version_id,"
                                  " gate, actor, at, reason) VALUES (?,?,?,?,?,?)",
                                  "iitttt", r->id, r->vid, *n, a->name, at, reason);
        json_t *d = json_pack("{s:s, s:s, s:I}", "gate", *n, "model", r->model, "version",
                              (json_int_t)r->number);
        if (rc == MD_OK)
            rc = md_audit_append(s, a->name, "gate.override", object_of(r->id, obj), reason, d,
                                 NULL, err);
        json_decref(d);
        if (rc != MD_OK)
            return rc;
    }
    return MD_OK;
}

md_status md_request_blocking_now(md_store *s, int64_t id, char blocking[256], md_err *err)
{
    blocking[0] = '\0';
    request_ref r;
    md_policy p;
    json_t *table = NULL;
    md_status rc = load_request(s, id, &r, err);
    if (rc == MD_OK && (rc = md_policy_load(s, r.model, &p, err)) == MD_OK) {
        rc = md_gates_evaluate(s, r.vid, r.target, &p, r.id, &table, blocking, err);
        md_policy_free(&p);
    }
    json_decref(table);
    request_ref_free(&r);
    return rc;
}

/* With enough approvals: the gates again, and the move if none blocks. */
static md_status try_execute(md_store *s, const md_actor *a, const request_ref *r,
                             md_decision *out, md_err *err)
{
    md_policy p;
    json_t *table = NULL;
    if (md_policy_load(s, r->model, &p, err) != MD_OK)
        return err->code;
    md_status rc = md_gates_evaluate(s, r->vid, r->target, &p, r->id, &table, out->blocking, err);
    md_policy_free(&p);
    char *text = rc == MD_OK ? md_json_canonical(table) : NULL, at[MD_TIME_TEXT_MAX];
    md_store_now_text(s, at);
    if (rc == MD_OK)
        rc = md_sql_run(s, err, "UPDATE requests SET gates_at_execution = ? WHERE id = ?", "ti",
                        text, r->id);
    out->executed = rc == MD_OK && !out->blocking[0];
    char *why = md_xasprintf("request %lld: %s", (long long)r->id, r->reason);
    json_t *extra = json_pack("{s:I, s:O}", "request", (json_int_t)r->id, "gates", table);
    md_transition t = {a->name, "promotion.execute", why, false, 0, extra};
    if (out->executed)
        rc = md_registry_transition(s, r->vid, r->target, &t, err);
    if (out->executed && rc == MD_OK)
        rc = md_sql_run(s, err,
                        "UPDATE requests SET state = 'executed', decided_at = ? WHERE id = ?", "ti",
                        at, r->id);
    if (out->executed && rc == MD_OK && strcmp(r->target, "production") == 0)
        rc = md_sql_run(s, err, "UPDATE models SET serving = 'model' WHERE id ="
                                " (SELECT model_id FROM versions WHERE id = ?)",
                        "i", r->vid);
    json_decref(extra);
    json_decref(table);
    free(why);
    free(text);
    return rc;
}

md_status md_request_approve(md_store *s, const md_actor *a, int64_t id, const char *comment,
                             const char *const *overrides, const char *override_reason,
                             md_decision *out, md_err *err)
{
    memset(out, 0, sizeof *out);
    int expired;
    if (md_write_begin(s, a, MD_PERM_APPROVE, err) != MD_OK)
        return err->code;
    if (expire_due(s, a->name, &expired, err) != MD_OK)
        return md_tx_end(s, err->code, err);
    request_ref r;
    char at[MD_TIME_TEXT_MAX], obj[32];
    md_store_now_text(s, at);
    int64_t n = 0;
    bool recheck = false;
    md_status rc = load_request(s, id, &r, err);
    if (rc == MD_OK)
        rc = decidable(s, a, &r, &recheck, err);
    if (rc == MD_OK)
        rc = record_overrides(s, a, &r, overrides, override_reason, err);
    if (rc == MD_OK && !recheck)
        rc = md_sql_run(s, err,
                        "INSERT INTO approvals(request_id, approver, decision, at, comment)"
                        " VALUES (?,?,'approve',?,?)",
                        "ittt", id, a->name, at, comment ? comment : "");
    if (rc == MD_OK)
        rc = md_sql_int(s, &n, err,
                        "SELECT count(*) FROM approvals WHERE request_id = ? AND"
                        " decision = 'approve'",
                        "i", id);
    out->approvals = (int)n;
    out->required = (int)r.required;
    json_t *d = json_pack("{s:I, s:I}", "approvals", (json_int_t)n, "required", (json_int_t)r.required);
    if (rc == MD_OK)
        rc = md_audit_append(s, a->name, recheck ? "promotion.recheck" : "promotion.approve",
                             object_of(id, obj), comment, d, NULL, err);
    if (rc == MD_OK && n >= r.required)
        rc = try_execute(s, a, &r, out, err);
    json_decref(d);
    request_ref_free(&r);
    return md_tx_end(s, rc, err);
}

/* Whether `a` may withdraw request r now: pending, not expired, and asked by `a`, or `a` an
 * admin (who may clear a request whose requester is away). */
static md_status withdrawable(md_store *s, const md_actor *a, const request_ref *r, md_err *err)
{
    char now[MD_TIME_TEXT_MAX];
    md_store_now_text(s, now);
    if (strcmp(r->state, "expired") == 0 ||
        (strcmp(r->state, "pending") == 0 && strcmp(now, r->expires) >= 0))
        return md_err_set(err, MD_REFUSED, "request %lld expired at %s: nothing to withdraw",
                          (long long)r->id, r->expires);
    if (strcmp(r->state, "pending") != 0)
        return md_err_set(err, MD_ERROR, "request %lld is %s, not pending", (long long)r->id,
                          r->state);
    if (strcmp(a->name, r->by) == 0)
        return MD_OK;
    unsigned roles = 0;
    if (md_user_roles(s, a->name, &roles, err) != MD_OK)
        return err->code;
    if (roles & MD_RBIT(ADMIN))
        return MD_OK;
    return md_err_set(err, MD_REFUSED, "only %s, who asked, or an admin may withdraw request %lld",
                      r->by, (long long)r->id);
}

/* Ends pending request `id`, in one audited transaction: rejected, an approver's decision with
 * a comment (recorded as their decision), or withdrawn, by its requester or an admin with a
 * reason (who and why kept on the request). */
static md_status end_request(md_store *s, const md_actor *a, int64_t id, bool withdraw,
                             const char *text, md_err *err)
{
    int expired;
    if (md_check_text(withdraw ? "--reason" : "--comment", text, 2048, true, err) != MD_OK ||
        md_write_begin(s, a, withdraw ? MD_PERM_OPS_ACTION : MD_PERM_APPROVE, err) != MD_OK)
        return err->code;
    if (expire_due(s, a->name, &expired, err) != MD_OK)
        return md_tx_end(s, err->code, err);
    request_ref r;
    char at[MD_TIME_TEXT_MAX], obj[32];
    md_store_now_text(s, at);
    md_status rc = load_request(s, id, &r, err);
    if (rc == MD_OK)
        rc = withdraw ? withdrawable(s, a, &r, err) : decidable(s, a, &r, NULL, err);
    if (rc == MD_OK && withdraw)
        rc = md_sql_run(s, err,
                        "UPDATE requests SET state = 'withdrawn', decided_at = ?, withdrawn_by = ?,"
                        " withdraw_reason = ? WHERE id = ?",
                        "ttti", at, a->name, text, id);
    if (rc == MD_OK && !withdraw)
        rc = md_sql_run(s, err,
                        "INSERT INTO approvals(request_id, approver, decision, at, comment)"
                        " VALUES (?,?,'reject',?,?)",
                        "ittt", id, a->name, at, text);
    if (rc == MD_OK && !withdraw)
        rc = md_sql_run(s, err,
                        "UPDATE requests SET state = 'rejected', decided_at = ? WHERE id = ?",
                        "ti", at, id);
    json_t *d = json_pack("{s:s, s:I}", "model", r.model ? r.model : "", "version",
                          (json_int_t)r.number);
    if (withdraw) {
        json_object_set_new(d, "to", json_string(r.target));
        json_object_set_new(d, "requested_by", json_string(r.by));
    }
    if (rc == MD_OK)
        rc = md_audit_append(s, a->name, withdraw ? "promotion.withdraw" : "promotion.reject",
                             object_of(id, obj), text, d, NULL, err);
    json_decref(d);
    request_ref_free(&r);
    return md_tx_end(s, rc, err);
}

md_status md_request_reject(md_store *s, const md_actor *a, int64_t id, const char *comment,
                            md_err *err)
{
    return end_request(s, a, id, false, comment, err);
}

md_status md_request_withdraw(md_store *s, const md_actor *a, int64_t id, const char *reason,
                              md_err *err)
{
    return end_request(s, a, id, true, reason, err);
}

static void id_read(sqlite3_stmt *st, void *elem)
{
    *(int64_t *)elem = sqlite3_column_int64(st, 0);
}

/* Marks the pending requests past their expiry as expired, inside the caller's transaction. */
static md_status expire_due(md_store *s, const char *actor, int *expired, md_err *err)
{
    char now[MD_TIME_TEXT_MAX], obj[32];
    md_store_now_text(s, now);
    sqlite3_stmt *st;
    int64_t *ids = NULL;
    size_t n = 0;
    *expired = 0;
    md_status rc = md_sql_prepare(s,
                                  "SELECT id FROM requests WHERE state = 'pending' AND"
                                  " expires_at <= ?",
                                  &st, err);
    if (rc == MD_OK) {
        md_sql_bind(st, "t", now);
        rc = md_sql_collect(s, st, sizeof *ids, id_read, (void **)&ids, &n, err);
    }
    for (size_t i = 0; rc == MD_OK && i < n; i++) {
        rc = md_sql_run(s, err,
                        "UPDATE requests SET state = 'expired', decided_at = ? WHERE id = ?", "ti",
                        now, ids[i]);
        if (rc == MD_OK)
            rc = md_audit_append(s, actor, "promotion.expire", object_of(ids[i], obj),
                                 "the request outlived its TTL", NULL, NULL, err);
    }
    free(ids);
    *expired = (int)n;
    return rc;
}

md_status md_requests_expire(md_store *s, const md_actor *a, int *expired, md_err *err)
{
    *expired = 0;
    if (md_write_begin(s, a, MD_PERM_OPS_ACTION, err) != MD_OK)
        return err->code;
    return md_tx_end(s, expire_due(s, a->name, expired, err), err);
}
