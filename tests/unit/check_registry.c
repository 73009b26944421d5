/* registry: models and versions, one production version, legal stage moves, history. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "models.h"
#include "registry_tx.h"
#include "testutil.h"
#include "versions.h"

static void teardown(void)
{
    tu_cleanup();
}

static md_actor op;

static md_store *with_model(void)
{
    md_store *s = tu_store();
    tu_user(s, "olga", "operator");
    op = tu_actor("olga");
    md_model_spec m = {.name = "churn",
                       .use_case = "retention",
                       .owner = "crm",
                       .integration = "CDP segment high_churn_risk",
                       .pattern = "batch",
                       .fallback = "rules"};
    md_err err;
    ck_assert_int_eq(md_model_add(s, &op, &m, "launch", &err), MD_OK);
    return s;
}

static int64_t add_version(md_store *s, const char *artifact)
{
    md_version_spec v = {.artifact_uri = artifact};
    int64_t n = 0;
    md_err err;
    md_status rc = md_version_add(s, &op, "churn", &v, "new build", &n, &err);
    ck_assert_msg(rc == MD_OK, "%s", err.msg);
    return n;
}

/* Moves churn vN to `to` the way the promotion workflow will: inside one write. */
static md_status move(md_store *s, int64_t number, const char *to, md_err *err)
{
    int64_t id;
    char status[16];
    md_actor admin = tu_actor("admin");
    if (md_write_begin(s, &admin, MD_PERM_APPROVE, err) != MD_OK)
        return err->code;
    md_status rc = md_version_lookup(s, "churn", number, &id, status, err);
    md_transition t = {"admin", "test.move", "because", false, 0, NULL};
    if (rc == MD_OK)
        rc = md_registry_transition(s, id, to, &t, err);
    return md_tx_end(s, rc, err);
}

static const char *status_of(md_store *s, int64_t number)
{
    static char buf[4][16];
    static int next;
    md_version v;
    md_err err;
    ck_assert_int_eq(md_version_get(s, "churn", number, &v, &err), MD_OK);
    char *out = buf[next++ % 4];
    snprintf(out, 16, "%s", v.status);
    md_version_free(&v);
    return out;
}

START_TEST(model_fields_and_defaults)
{
    md_store *s = with_model();
    md_model m;
    md_err err;
    ck_assert_int_eq(md_model_get(s, "churn", &m, &err), MD_OK);
    ck_assert_str_eq(m.integration, "CDP segment high_churn_risk");
    ck_assert_str_eq(m.fallback, "rules");
    ck_assert(!m.has_sla);
    ck_assert_int_eq(m.production_version, 0);
    md_model_free(&m);
    md_model_spec d = {.name = "nba", .use_case = "next best action", .owner = "web",
                       .pattern = "realtime", .sla = 1, .sla_ms = 50};
    ck_assert_int_eq(md_model_add(s, &op, &d, NULL, &err), MD_OK);
    ck_assert_int_eq(md_model_get(s, "nba", &m, &err), MD_OK);
    ck_assert_str_eq(m.fallback, "last-good");
    ck_assert_int_eq(m.sla_ms, 50);
    md_model_free(&m);
    ck_assert_int_eq(md_model_get(s, "nope", &m, &err), MD_NOTFOUND);
    md_store_close(s);
}
END_TEST

START_TEST(model_bad_input_changes_nothing)
{
    md_store *s = with_model();
    md_err err;
    md_model_spec bad[] = {
        {.name = "Churn", .use_case = "x", .owner = "y"},
        {.name = "churn", .use_case = "x", .owner = "y"}, /* exists */
        {.name = "ok1", .use_case = "  ", .owner = "y"},
        {.name = "ok2", .use_case = "x", .owner = "y", .pattern = "streaming"},
        {.name = "ok3", .use_case = "x", .owner = "y", .fallback = "pray"},
        {.name = "ok4", .use_case = "x", .owner = "y", .sla = 1, .sla_ms = 0},
        {.name = "ok5", .use_case = "x", .owner = "\xff\xfe"},
    };
    int64_t audit = tu_count(s, "SELECT count(*) FROM audit");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(md_model_add(s, &op, &bad[i], NULL, &err) != MD_OK, "case %zu accepted", i);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM models"), 1);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit"), audit);
    md_store_close(s);
}
END_TEST

START_TEST(model_edit_audits_changes_only)
{
    md_store *s = with_model();
    md_err err;
    bool changed;
    int64_t audit = tu_count(s, "SELECT count(*) FROM audit");
    md_model_spec same = {.owner = "crm"};
    ck_assert_int_eq(md_model_edit(s, &op, "churn", &same, NULL, &changed, NULL, &err), MD_OK);
    ck_assert(!changed);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit"), audit);
    md_model_spec c = {.owner = "lifecycle", .sla = 1, .sla_ms = 900};
    ck_assert_int_eq(md_model_edit(s, &op, "churn", &c, "team change", &changed, NULL, &err),
                     MD_OK);
    ck_assert(changed);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit WHERE action = 'model.edit' AND"
                                 " json_extract(details, '$.changes.owner.from') = 'crm' AND"
                                 " json_extract(details, '$.changes.owner.to') = 'lifecycle'"),
                     1);
    md_model_spec clear = {.sla = -1};
    ck_assert_int_eq(md_model_edit(s, &op, "churn", &clear, NULL, &changed, NULL, &err), MD_OK);
    md_model m;
    ck_assert_int_eq(md_model_get(s, "churn", &m, &err), MD_OK);
    ck_assert(!m.has_sla);
    ck_assert_str_eq(m.owner, "lifecycle");
    md_model_free(&m);
    md_store_close(s);
}
END_TEST

START_TEST(version_numbers_and_lineage)
{
    md_store *s = with_model();
    md_err err;
    md_version_spec v = {.artifact_uri = "s3://m/churn/1.pkl",
                         .artifact_sha256 =
                             "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
                         .data_uri = "s3://d/churn/2026-09",
                         .data_from = "2026-06-01",
                         .data_to = "2026-09-01T00:00:00+02:00",
                         .code_ref = "git:abc123",
                         .params = "{\"max_depth\": 6, \"eta\": 0.1}",
                         .metrics = "{\"auc\": 0.81}",
                         .has_threshold = true,
                         .threshold = 0.35};
    int64_t n;
    ck_assert_int_eq(md_version_add(s, &op, "churn", &v, "first", &n, &err), MD_OK);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(add_version(s, "s3://m/churn/2.pkl"), 2);
    md_version got;
    ck_assert_int_eq(md_version_get(s, "churn", 1, &got, &err), MD_OK);
    ck_assert_str_eq(got.status, "candidate");
    ck_assert_str_eq(got.artifact_sha256,
                     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    ck_assert_str_eq(got.params, "{\"eta\":0.1,\"max_depth\":6}");
    ck_assert_str_eq(got.data_to, "2026-08-31T22:00:00.000Z");
    ck_assert_str_eq(got.created_by, "olga");
    ck_assert(got.has_threshold);
    ck_assert(got.threshold == 0.35);
    md_version_free(&got);
    md_store_close(s);
}
END_TEST

START_TEST(version_bad_input_changes_nothing)
{
    md_store *s = with_model();
    md_err err;
    int64_t audit = tu_count(s, "SELECT count(*) FROM audit");
    struct {
        const char *model;
        md_version_spec v;
        md_status want;
        const char *says;
    } cases[] = {
        {"nosuch", {.artifact_uri = "s3://x"}, MD_NOTFOUND, "no model 'nosuch'"},
        {"churn", {.artifact_uri = "s3://x", .params = "{depth: 6}"}, MD_INVALID, "--params"},
        {"churn", {.artifact_uri = "s3://x", .params = "[6]"}, MD_INVALID, "object"},
        {"churn", {.artifact_uri = "s3://x", .metrics = "{\"auc\":"}, MD_INVALID, "--metrics"},
        {"churn", {.artifact_uri = "s3://x", .artifact_sha256 = "abc"}, MD_INVALID, "--sha256"},
        {"churn",
         {.artifact_uri = "s3://x",
          .artifact_sha256 = "z3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
         MD_INVALID,
         "--sha256"},
        {"churn", {.artifact_uri = "s3://x", .data_sha256 = "12"}, MD_INVALID, "--data-sha256"},
        {"churn", {.artifact_uri = "s3://x", .has_threshold = true, .threshold = 1.5}, MD_INVALID,
         "--threshold"},
        {"churn", {.artifact_uri = "s3://x", .has_threshold = true, .threshold = -0.01},
         MD_INVALID, "--threshold"},
        {"churn", {.artifact_uri = ""}, MD_INVALID, "--artifact"},
        {"churn", {.artifact_uri = "s3://x", .data_from = "2026-13-01"}, MD_INVALID,
         "--data-from"},
        {"churn", {.artifact_uri = "s3://x", .data_from = "2026-09-02", .data_to = "2026-09-01"},
         MD_INVALID, "after"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        md_status rc = md_version_add(s, &op, cases[i].model, &cases[i].v, NULL, NULL, &err);
        ck_assert_msg(rc == cases[i].want, "case %zu: got %d (%s)", i, rc, err.msg);
        ck_assert_msg(strstr(err.msg, cases[i].says), "case %zu: '%s' lacks '%s'", i, err.msg,
                      cases[i].says);
    }
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM versions"), 0);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit"), audit);
    md_store_close(s);
}
END_TEST

START_TEST(one_production_version)
{
    md_store *s = with_model();
    md_err err;
    add_version(s, "a");
    add_version(s, "b");
    add_version(s, "c");
    ck_assert_int_eq(move(s, 1, "production", &err), MD_OK);
    ck_assert_int_eq(move(s, 2, "staging", &err), MD_OK);
    ck_assert_int_eq(move(s, 2, "production", &err), MD_OK);
    ck_assert_str_eq(status_of(s, 1), "archived");
    ck_assert_str_eq(status_of(s, 2), "production");
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM versions WHERE status = 'production'"), 1);
    md_model m;
    ck_assert_int_eq(md_model_get(s, "churn", &m, &err), MD_OK);
    ck_assert_int_eq(m.production_version, 2);
    md_model_free(&m);
    /* The store itself refuses a second production version, whoever writes. */
    ck_assert_int_ne(tu_exec(s, "UPDATE versions SET status = 'production' WHERE number = 3"),
                     SQLITE_OK);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM versions WHERE status = 'production'"), 1);
    /* Rollback-style return of an archived version swaps them again. */
    ck_assert_int_eq(move(s, 1, "production", &err), MD_OK);
    ck_assert_str_eq(status_of(s, 2), "archived");
    ck_assert_str_eq(status_of(s, 1), "production");
    md_store_close(s);
}
END_TEST

START_TEST(illegal_transitions_refused)
{
    md_store *s = with_model();
    md_err err;
    add_version(s, "a");
    add_version(s, "b");
    ck_assert_int_eq(move(s, 1, "rejected", &err), MD_OK);
    const char *from_rejected[] = {"candidate", "staging", "production", "archived", "shadow"};
    for (size_t i = 0; i < 5; i++) {
        ck_assert_int_eq(move(s, 1, from_rejected[i], &err), MD_REFUSED);
        ck_assert_ptr_nonnull(strstr(err.msg, "final"));
    }
    ck_assert_int_eq(move(s, 2, "production", &err), MD_OK);
    ck_assert_int_eq(move(s, 2, "challenger", &err), MD_REFUSED);
    ck_assert_ptr_nonnull(strstr(err.msg, "may go to: archived"));
    ck_assert_int_eq(move(s, 2, "production", &err), MD_ERROR); /* already there */
    /* Raw SQL cannot skip the rules either. */
    ck_assert_int_ne(tu_exec(s, "UPDATE versions SET status = 'candidate' WHERE number = 1"),
                     SQLITE_OK);
    ck_assert_int_ne(tu_exec(s, "INSERT INTO versions(model_id, number, status, created_at,"
                                " created_by, artifact_uri, status_at) VALUES (1, 9,"
                                " 'production', 'x', 'x', 'x', 'x')"),
                     SQLITE_OK);
    ck_assert_str_eq(status_of(s, 1), "rejected");
    md_store_close(s);
}
END_TEST

START_TEST(marking)
{
    md_store *s = with_model();
    md_err err;
    add_version(s, "a");
    add_version(s, "b");
    ck_assert_int_eq(md_version_mark(s, &op, "churn", 1, "challenger", 0.1, "10% test", &err),
                     MD_OK);
    md_version v;
    ck_assert_int_eq(md_version_get(s, "churn", 1, &v, &err), MD_OK);
    ck_assert(v.has_share && v.traffic_share == 0.1);
    md_version_free(&v);
    ck_assert_int_eq(md_version_mark(s, &op, "churn", 1, "shadow", 0, "shadow only", &err), MD_OK);
    ck_assert_int_eq(md_version_get(s, "churn", 1, &v, &err), MD_OK);
    ck_assert(!v.has_share);
    md_version_free(&v);
    ck_assert_int_eq(md_version_mark(s, &op, "churn", 2, "challenger", 0, "no share", &err),
                     MD_INVALID);
    ck_assert_int_eq(md_version_mark(s, &op, "churn", 2, "shadow", 0.5, "share", &err),
                     MD_INVALID);
    ck_assert_int_eq(md_version_mark(s, &op, "churn", 2, "production", 0, "skip", &err),
                     MD_REFUSED);
    ck_assert_ptr_nonnull(strstr(err.msg, "promot"));
    ck_assert_int_eq(md_version_mark(s, &op, "churn", 2, "staging", 0, "skip", &err), MD_REFUSED);
    ck_assert_int_eq(md_version_mark(s, &op, "churn", 2, "shadow", 0, "", &err), MD_INVALID);
    ck_assert_int_eq(md_version_mark(s, &op, "churn", 7, "shadow", 0, "x", &err), MD_NOTFOUND);
    ck_assert_int_eq(move(s, 2, "production", &err), MD_OK);
    ck_assert_int_eq(md_version_mark(s, &op, "churn", 2, "archived", 0, "done", &err), MD_REFUSED);
    ck_assert_str_eq(status_of(s, 2), "production");
    md_store_close(s);
}
END_TEST

/* The marks the console offers: "challenger shadow", or the refusal's words. */
static void expect_marks(md_store *s, int64_t number, const char *want)
{
    const char *to[4];
    int n;
    md_err err;
    md_status rc = md_version_mark_targets(s, "churn", number, to, &n, &err);
    char got[128] = "";
    for (int i = 0; i < n; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? " " : "", to[i]);
    if (rc != MD_OK) {
        ck_assert_int_eq(rc, MD_REFUSED);
        ck_assert_int_eq(n, 0);
        ck_assert_msg(strstr(err.msg, want), "v%lld: '%s', expected '%s'", (long long)number,
                      err.msg, want);
        return;
    }
    ck_assert_str_eq(got, want);
    /* each one offered, md_version_mark takes: on a copy of the store, one at a time */
    for (int i = 0; i < n; i++) {
        unlink(tu_path("probe.db"));
        char *sql = md_xasprintf("VACUUM INTO '%s'", tu_path("probe.db"));
        ck_assert_int_eq(tu_exec(s, sql), SQLITE_OK);
        free(sql);
        md_open_opts o = {MD_OPEN_EXISTING, false};
        md_store *c;
        ck_assert_int_eq(md_store_open(tu_path("probe.db"), &o, &c, &err), MD_OK);
        md_status m = md_version_mark(c, &op, "churn", number, to[i],
                                      strcmp(to[i], "challenger") ? 0 : 0.1, "probe", &err);
        ck_assert_msg(m == MD_OK, "v%lld offered %s, refused: %s", (long long)number, to[i],
                      err.msg);
        md_store_close(c);
    }
}

START_TEST(mark_targets_are_the_marks_taken)
{
    md_store *s = with_model();
    md_err err;
    add_version(s, "a");
    add_version(s, "b");
    add_version(s, "c");
    expect_marks(s, 1, "challenger shadow rejected archived");
    ck_assert_int_eq(md_version_mark(s, &op, "churn", 1, "shadow", 0, "watch", &err), MD_OK);
    expect_marks(s, 1, "challenger rejected archived");
    ck_assert_int_eq(move(s, 2, "production", &err), MD_OK);
    expect_marks(s, 2, "leaves production only when another version is promoted");
    ck_assert_int_eq(move(s, 3, "production", &err), MD_OK); /* v2 archived */
    expect_marks(s, 2, "v2 is archived: no mark moves it");
    ck_assert_int_eq(md_version_mark(s, &op, "churn", 1, "rejected", 0, "no", &err), MD_OK);
    expect_marks(s, 1, "v1 is rejected, which is final");
    const char *to[4];
    int n;
    ck_assert_int_eq(md_version_mark_targets(s, "churn", 9, to, &n, &err), MD_NOTFOUND);
    md_store_close(s);
}
END_TEST

START_TEST(stage_history_says_who_when_why)
{
    md_store *s = with_model();
    md_err err;
    add_version(s, "a");
    add_version(s, "b");
    ck_assert_int_eq(move(s, 1, "production", &err), MD_OK);
    ck_assert_int_eq(md_version_mark(s, &op, "churn", 2, "shadow", 0, "watch it", &err), MD_OK);
    ck_assert_int_eq(move(s, 2, "production", &err), MD_OK);
    md_stage_event *ev;
    size_t n;
    ck_assert_int_eq(md_stage_history(s, "churn", 1, &ev, &n, &err), MD_OK);
    ck_assert_int_eq(n, 3);
    ck_assert_ptr_null(ev[0].from);
    ck_assert_str_eq(ev[0].to, "candidate");
    ck_assert_str_eq(ev[0].actor, "olga");
    ck_assert_str_eq(ev[0].reason, "new build");
    ck_assert_str_eq(ev[1].to, "production");
    ck_assert_str_eq(ev[2].from, "production");
    ck_assert_str_eq(ev[2].to, "archived");
    ck_assert_ptr_nonnull(strstr(ev[2].reason, "replaced by version 2"));
    /* Every event points at its audit row. */
    for (size_t i = 0; i < n; i++)
        ck_assert_int_gt(ev[i].audit_seq, 0);
    md_stage_events_free(ev, n);
    ck_assert_int_eq(md_stage_history(s, "churn", 0, &ev, &n, &err), MD_OK);
    ck_assert_int_eq(n, 6);
    ck_assert_int_eq(ev[3].number, 2);
    ck_assert_str_eq(ev[3].to, "shadow");
    ck_assert_str_eq(ev[3].reason, "watch it");
    md_stage_events_free(ev, n);
    ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM stage_history h JOIN audit a ON"
                                 " a.seq = h.audit_seq"),
                     6);
    md_store_close(s);
}
END_TEST

Suite *suite_registry(void)
{
    Suite *s = suite_create("registry");
    TCase *tc = tcase_create("registry");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, model_fields_and_defaults);
    tcase_add_test(tc, model_bad_input_changes_nothing);
    tcase_add_test(tc, model_edit_audits_changes_only);
    tcase_add_test(tc, version_numbers_and_lineage);
    tcase_add_test(tc, version_bad_input_changes_nothing);
    tcase_add_test(tc, one_production_version);
    tcase_add_test(tc, illegal_transitions_refused);
    tcase_add_test(tc, marking);
    tcase_add_test(tc, mark_targets_are_the_marks_taken);
    tcase_add_test(tc, stage_history_says_who_when_why);
    suite_add_tcase(s, tc);
    return s;
}
