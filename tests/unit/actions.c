/* The mutating calls of the foundation, each ready to succeed for a permitted actor on the
 * store tu_world() builds; shared by the authz and atomicity suites. */
#include "models.h"
#include "settings.h"
#include "testutil.h"
#include "users.h"
#include "versions.h"

/* ---- the mutating calls, each made ready to succeed for a permitted actor ----------------- */

static md_status tu_do_model_add(md_store *s, const md_actor *a, md_err *err)
{
    md_model_spec m = {.name = "fresh", .use_case = "upsell", .owner = "growth"};
    return md_model_add(s, a, &m, "test", err);
}

static md_status tu_do_model_edit(md_store *s, const md_actor *a, md_err *err)
{
    md_model_spec m = {.owner = "someone-else"};
    return md_model_edit(s, a, "churn", &m, "test", NULL, NULL, err);
}

md_status tu_do_version_add(md_store *s, const md_actor *a, md_err *err)
{
    md_version_spec v = {.artifact_uri = "s3://models/churn/2"};
    return md_version_add(s, a, "churn", &v, "test", NULL, err);
}

static md_status tu_do_version_mark(md_store *s, const md_actor *a, md_err *err)
{
    return md_version_mark(s, a, "churn", 1, "shadow", 0, "test", err);
}

static md_status tu_do_user_add(md_store *s, const md_actor *a, md_err *err)
{
    return md_user_add(s, a, "newcomer", MD_RBIT(VIEWER), "test", err);
}

static md_status tu_do_user_grant(md_store *s, const md_actor *a, md_err *err)
{
    return md_user_grant(s, a, "target", MD_RBIT(ANALYST), "test", err);
}

static md_status tu_do_user_revoke(md_store *s, const md_actor *a, md_err *err)
{
    return md_user_revoke(s, a, "target", MD_RBIT(VIEWER), "test", err);
}

md_status tu_do_read_only(md_store *s, const md_actor *a, md_err *err)
{
    return md_store_set_read_only(s, a, true, "audit in progress", err);
}

const tu_action tu_actions[] = {
    {"model add", tu_do_model_add, MD_R_OPS},
    {"model edit", tu_do_model_edit, MD_R_OPS},
    {"version add", tu_do_version_add, MD_R_OPS},
    {"version mark", tu_do_version_mark, MD_R_OPS},
    {"user add", tu_do_user_add, MD_RBIT(ADMIN)},
    {"user grant", tu_do_user_grant, MD_RBIT(ADMIN)},
    {"user revoke", tu_do_user_revoke, MD_RBIT(ADMIN)},
    {"store read-only", tu_do_read_only, MD_RBIT(ADMIN)},
};
const size_t tu_n_actions = sizeof tu_actions / sizeof tu_actions[0];

/* A store with model churn (v1 candidate), user "target" (viewer) and one user per role. */
md_store *tu_world(void)
{
    md_store *s = tu_store();
    md_actor admin = tu_actor("admin");
    md_err err;
    md_model_spec m = {.name = "churn", .use_case = "retention", .owner = "crm"};
    ck_assert_int_eq(md_model_add(s, &admin, &m, "setup", &err), MD_OK);
    md_version_spec v = {.artifact_uri = "s3://models/churn/1"};
    ck_assert_int_eq(md_version_add(s, &admin, "churn", &v, "setup", NULL, &err), MD_OK);
    tu_user(s, "target", "viewer");
    for (int r = 0; r < MD_ROLE_COUNT; r++) /* "admin" created the store */
        if (r != MD_ROLE_ADMIN)
            tu_user(s, md_role_name((md_role)r), md_role_name((md_role)r));
    return s;
}

