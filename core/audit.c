#include "audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "json.h"
#include "mem.h"
#include "sha256.h"
#include "sql.h"

static void digest_netstring(EVP_MD_CTX *ctx, const char *s)
{
    char len[24];
    size_t n = s ? strlen(s) : 0;
    int k = snprintf(len, sizeof len, "%zu:", n);
    EVP_DigestUpdate(ctx, len, (size_t)k);
    if (n)
        EVP_DigestUpdate(ctx, s, n);
    EVP_DigestUpdate(ctx, ",", 1);
}

void md_audit_hash(const md_audit_row *row, char out[65])
{
    char seq[24];
    snprintf(seq, sizeof seq, "%lld", (long long)row->seq);
    const char *fields[] = {row->prev_hash, seq,         row->at,     row->actor,
                            row->action,    row->object, row->reason, row->details};
    EVP_MD_CTX *ctx = md_sha256_begin();
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        digest_netstring(ctx, fields[i]);
    md_sha256_end(ctx, out);
}

/* The chain's head inside the open transaction: last seq and hash. */
static md_status chain_head(md_store *s, int64_t *seq, char hash[65], md_err *err)
{
    sqlite3_stmt *st;
    if (md_sql_take(s, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", &st, err))
        return err->code;
    bool row;
    md_status rc = md_sql_step(s, st, &row, err);
    *seq = 0;
    snprintf(hash, 65, "%s", MD_AUDIT_GENESIS);
    if (rc == MD_OK && row) {
        *seq = sqlite3_column_int64(st, 0);
        snprintf(hash, 65, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    md_sql_done(s, st);
    return rc;
}

md_status md_audit_append(md_store *s, const char *actor, const char *action, const char *object,
                          const char *reason, const json_t *details, int64_t *seq_out,
                          md_err *err)
{
    if (!md_tx_active(s))
        md_fatal("md_audit_append outside a transaction (%s)", action);
    if (md_fault_hit("audit.append", err))
        return err->code;
    int64_t last = 0;
    char prev[65], hash[65], at[MD_TIME_TEXT_MAX];
    if (chain_head(s, &last, prev, err) != MD_OK)
        return err->code;
    md_store_now_text(s, at);
    json_t *empty = details ? NULL : json_object();
    char *det = md_json_canonical(details ? details : empty);
    json_decref(empty);
    md_audit_row row = {last + 1, at,   (char *)actor, (char *)action, (char *)object,
                        (char *)(reason ? reason : ""), det, prev, NULL};
    md_audit_hash(&row, hash);
    md_status rc = md_sql_run(s, err,
                              "INSERT INTO audit(seq, at, actor, action, object, reason, details,"
                              " prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)",
                              "ittttttt" "t", row.seq, at, actor, action, object, row.reason, det,
                              prev, hash);
    free(det);
    if (rc == MD_OK && seq_out)
        *seq_out = row.seq;
    return rc;
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

static void row_read(sqlite3_stmt *st, md_audit_row *r)
{
    r->seq = sqlite3_column_int64(st, 0);
    r->at = md_sql_col_text(st, 1);
    r->actor = md_sql_col_text(st, 2);
    r->action = md_sql_col_text(st, 3);
    r->object = md_sql_col_text(st, 4);
    r->reason = md_sql_col_text(st, 5);
    r->details = md_sql_col_text(st, 6);
    r->prev_hash = md_sql_col_text(st, 7);
    r->hash = md_sql_col_text(st, 8);
}

#define AUDIT_COLUMNS "seq, at, actor, action, object, reason, details, prev_hash, hash"

static const char filtered_asc[] =
    "SELECT " AUDIT_COLUMNS " FROM audit"
    " WHERE (?1 IS NULL OR actor = ?1)"
    "   AND (?2 IS NULL OR action = ?2 OR substr(action, 1, length(?2) + 1) = ?2 || '.')"
    "   AND (?3 IS NULL OR object = ?3 OR substr(object, 1, length(?3) + 1) = ?3 || '/')"
    "   AND (?4 IS NULL OR at >= ?4) AND seq > ?5"
    " ORDER BY seq ASC LIMIT ?6";
static const char filtered_desc[] =
    "SELECT " AUDIT_COLUMNS " FROM audit"
    " WHERE (?1 IS NULL OR actor = ?1)"
    "   AND (?2 IS NULL OR action = ?2 OR substr(action, 1, length(?2) + 1) = ?2 || '.')"
    "   AND (?3 IS NULL OR object = ?3 OR substr(object, 1, length(?3) + 1) = ?3 || '/')"
    "   AND (?4 IS NULL OR at >= ?4) AND seq > ?5"
    " ORDER BY seq DESC LIMIT ?6";

md_status md_audit_each(md_store *s, const md_audit_filter *f, md_audit_cb cb, void *ctx,
                        md_err *err)
{
    sqlite3_stmt *st;
    if (md_sql_prepare(s, f->newest_first ? filtered_desc : filtered_asc, &st, err) != MD_OK)
        return err->code;
    md_sql_bind(st, "ttttii", f->actor, f->action, f->object, f->since, f->after_seq,
                f->limit > 0 ? f->limit : (int64_t)-1);
    md_status rc = MD_OK;
    for (bool row = true; rc == MD_OK && row;) {
        rc = md_sql_step(s, st, &row, err);
        if (rc != MD_OK || !row)
            break;
        md_audit_row r;
        row_read(st, &r);
        rc = cb(&r, ctx, err);
        row_free(&r);
    }
    sqlite3_finalize(st);
    return rc;
}

json_t *md_audit_row_json(const md_audit_row *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "seq", json_integer(r->seq));
    json_object_set_new(o, "at", md_json_str_or_null(r->at));
    json_object_set_new(o, "actor", md_json_str_or_null(r->actor));
    json_object_set_new(o, "action", md_json_str_or_null(r->action));
    json_object_set_new(o, "object", md_json_str_or_null(r->object));
    json_object_set_new(o, "reason", md_json_str_or_null(r->reason));
    json_object_set_new(o, "details", md_json_load_or_string(r->details));
    json_object_set_new(o, "prev_hash", md_json_str_or_null(r->prev_hash));
    json_object_set_new(o, "hash", md_json_str_or_null(r->hash));
    return o;
}

static bool triggers_intact(md_store *s)
{
    int64_t n = 0;
    md_err ignored;
    md_sql_int(s, &n, &ignored,
               "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'audit'"
               " AND ((name = 'audit_no_update' AND sql = ?) OR"
               "      (name = 'audit_no_delete' AND sql = ?))",
               "tt", MD_AUDIT_NO_UPDATE_SQL, MD_AUDIT_NO_DELETE_SQL);
    return n == 2;
}

typedef struct {
    md_audit_verdict *v;
    int64_t expect_seq;
    char prev[65];
    md_audit_watch *watch;
} verify_state;

#define WATCH_EVERY 1024 /* rows between two looks at the watch */

static md_status verify_row(const md_audit_row *r, void *ctx, md_err *err)
{
    (void)err;
    verify_state *vs = ctx;
    md_audit_verdict *v = vs->v;
    char hash[65];
    const char *problem = NULL;
    if (r->seq != vs->expect_seq)
        problem = r->seq > vs->expect_seq ? "rows are missing before it" : "sequence out of order";
    else if (!r->prev_hash || strcmp(r->prev_hash, vs->prev) != 0)
        problem = "its prev_hash does not match the previous row's hash";
    else if (md_audit_hash(r, hash), !r->hash || strcmp(hash, r->hash) != 0)
        problem = "its content does not match its hash (the row was altered)";
    if (problem) {
        v->ok = false;
        v->bad_seq = r->seq;
        snprintf(v->problem, sizeof v->problem, "row %lld: %s", (long long)r->seq, problem);
        return MD_ERROR; /* stop at the first broken row */
    }
    v->rows++;
    vs->expect_seq++;
    snprintf(vs->prev, sizeof vs->prev, "%s", r->hash);
    if (vs->watch && v->rows % WATCH_EVERY == 0) {
        atomic_store_explicit(&vs->watch->checked, v->rows, memory_order_relaxed);
        if (atomic_load_explicit(&vs->watch->stop, memory_order_relaxed))
            return md_err_set(err, MD_ERROR, "stopped");
    }
    return MD_OK;
}

md_status md_audit_verify(md_store *s, md_audit_verdict *v, md_err *err)
{
    return md_audit_verify_watched(s, NULL, v, err);
}

md_status md_audit_verify_watched(md_store *s, md_audit_watch *w, md_audit_verdict *v, md_err *err)
{
    memset(v, 0, sizeof *v);
    v->ok = true;
    verify_state vs = {v, 1, MD_AUDIT_GENESIS, w};
    md_audit_filter all = {0};
    md_err walk;
    md_err_clear(&walk);
    md_status rc = md_audit_each(s, &all, verify_row, &vs, &walk);
    if (w)
        atomic_store_explicit(&w->checked, v->rows, memory_order_relaxed);
    if (rc != MD_OK && v->ok) /* a store error, not a broken chain */
        return md_err_set(err, walk.code, "%s", walk.msg);
    snprintf(v->head, sizeof v->head, "%s", vs.prev);
    v->triggers_intact = triggers_intact(s);
    if (v->ok && !v->triggers_intact) {
        v->ok = false;
        snprintf(v->problem, sizeof v->problem,
                 "the append-only triggers on the audit table have been removed");
    }
    return MD_OK;
}
