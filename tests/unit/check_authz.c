/* authz: every mutating call refuses a role that lacks it, and read-only refuses them all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models.h"
#include "settings.h"
#include "testutil.h"
#include "users.h"
#include "versions.h"

static void teardown(void)
{
    tu_cleanup();
    unsetenv("MODELDECK_USER");
}

START_TEST(each_role_gets_exactly_its_rights)
{
    const char *who[] = {"viewer", "analyst", "operator", "approver", "admin", "stranger"};
    for (size_t i = 0; i < tu_n_actions; i++) {
        for (size_t w = 0; w < sizeof who / sizeof who[0]; w++) {
            md_store *s = tu_world();
            md_actor a = tu_actor(who[w]);
            int r = md_role_parse(who[w]);
            bool allowed = r >= 0 && (tu_actions[i].allowed & (1u << r));
            int64_t before = tu_count(s, "SELECT count(*) FROM audit");
            md_err err;
            md_status rc = tu_actions[i].fn(s, &a, &err);
            int64_t after = tu_count(s, "SELECT count(*) FROM audit");
            if (allowed) {
                ck_assert_msg(rc == MD_OK, "%s as %s: %s", tu_actions[i].name, who[w], err.msg);
                ck_assert_msg(after > before, "%s as %s left no audit row", tu_actions[i].name,
                              who[w]);
            } else {
                ck_assert_msg(rc == MD_REFUSED, "%s as %s: got %d", tu_actions[i].name, who[w], rc);
                ck_assert_msg(after == before, "%s refused but audited", tu_actions[i].name);
                ck_assert_ptr_nonnull(strstr(err.msg, "may not"));
            }
            md_store_close(s);
            tu_cleanup();
        }
    }
}
END_TEST

START_TEST(read_only_session_refuses_everything)
{
    for (size_t i = 0; i < tu_n_actions; i++) {
        md_store *s = tu_world();
        md_actor a = tu_actor("admin");
        a.read_only = true;
        int64_t before = tu_count(s, "SELECT count(*) FROM audit");
        md_err err;
        ck_assert_int_eq(tu_actions[i].fn(s, &a, &err), MD_REFUSED);
        ck_assert_ptr_nonnull(strstr(err.msg, "--read-only"));
        ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit"), before);
        md_store_close(s);
        tu_cleanup();
    }
}
END_TEST

START_TEST(read_only_store_refuses_everything_but_switching_back)
{
    for (size_t i = 0; i < tu_n_actions; i++) {
        md_store *s = tu_world();
        md_actor admin = tu_actor("admin");
        md_err err;
        ck_assert_int_eq(md_store_set_read_only(s, &admin, true, "quarter-end audit", &err),
                         MD_OK);
        int64_t before = tu_count(s, "SELECT count(*) FROM audit");
        md_status rc = tu_actions[i].fn(s, &admin, &err);
        if (tu_actions[i].fn == tu_do_read_only) { /* switching it on again is allowed and audited */
            ck_assert_int_eq(rc, MD_OK);
        } else {
            ck_assert_int_eq(rc, MD_REFUSED);
            ck_assert_ptr_nonnull(strstr(err.msg, "quarter-end audit"));
            ck_assert_int_eq(tu_count(s, "SELECT count(*) FROM audit"), before);
        }
        ck_assert_int_eq(md_store_set_read_only(s, &admin, false, "done", &err), MD_OK);
        if (tu_actions[i].fn != tu_do_read_only)
            ck_assert_int_eq(tu_actions[i].fn(s, &admin, &err), MD_OK);
        md_store_close(s);
        tu_cleanup();
    }
}
END_TEST

START_TEST(revoke_takes_effect_at_once)
{
    md_store *s = tu_world();
    md_actor admin = tu_actor("admin"), op = tu_actor("operator");
    md_err err;
    ck_assert_int_eq(tu_do_version_add(s, &op, &err), MD_OK);
    ck_assert_int_eq(md_user_revoke(s, &admin, "operator", MD_RBIT(OPERATOR), "rotation", &err),
                     MD_OK);
    ck_assert_int_eq(tu_do_version_add(s, &op, &err), MD_REFUSED);
    ck_assert_ptr_nonnull(strstr(err.msg, "holds: none"));
    md_store_close(s);
}
END_TEST

START_TEST(last_admin_stays)
{
    md_store *s = tu_world();
    md_actor admin = tu_actor("admin");
    md_err err;
    ck_assert_int_eq(md_user_revoke(s, &admin, "admin", MD_RBIT(ADMIN), "leaving", &err),
                     MD_REFUSED);
    ck_assert_ptr_nonnull(strstr(err.msg, "last admin"));
    tu_user(s, "second", "admin");
    ck_assert_int_eq(md_user_revoke(s, &admin, "admin", MD_RBIT(ADMIN), "leaving", &err), MD_OK);
    md_actor second = tu_actor("second");
    ck_assert_int_eq(md_user_revoke(s, &second, "second", MD_RBIT(ADMIN), "oops", &err),
                     MD_REFUSED);
    md_store_close(s);
}
END_TEST

START_TEST(unknown_user_and_role_names)
{
    md_store *s = tu_world();
    md_actor admin = tu_actor("admin");
    md_err err;
    ck_assert_int_eq(md_user_grant(s, &admin, "nobody", MD_RBIT(VIEWER), "x", &err), MD_NOTFOUND);
    ck_assert_int_eq(md_user_add(s, &admin, "target", MD_RBIT(VIEWER), "x", &err), MD_ERROR);
    ck_assert_int_eq(md_user_add(s, &admin, "bad name", MD_RBIT(VIEWER), "x", &err), MD_INVALID);
    unsigned mask;
    ck_assert_int_eq(md_roles_parse_list("operator,wizard", &mask, &err), MD_INVALID);
    ck_assert_ptr_nonnull(strstr(err.msg, "wizard"));
    ck_assert_int_eq(md_roles_parse_list("operator,approver", &mask, &err), MD_OK);
    ck_assert_uint_eq(mask, MD_RBIT(OPERATOR) | MD_RBIT(APPROVER));
    md_store_close(s);
}
END_TEST

START_TEST(user_override_only_where_allowed)
{
    md_store *s = tu_store(); /* created with allow_user_override */
    md_actor a;
    md_err err;
    setenv("MODELDECK_USER", "bob", 1);
    ck_assert_int_eq(md_actor_resolve(s, false, &a, &err), MD_OK);
    ck_assert_str_eq(a.name, "bob");
    ck_assert_int_eq(a.source, MD_ID_OVERRIDE);
    md_store_close(s);
    unsetenv("MODELDECK_USER");
    md_store *strict;
    ck_assert_int_eq(md_store_create(tu_path("strict.db"), "admin", false, &strict, &err), MD_OK);
    setenv("MODELDECK_USER", "bob", 1);
    ck_assert_int_eq(md_actor_resolve(strict, false, &a, &err), MD_REFUSED);
    ck_assert_ptr_nonnull(strstr(err.msg, "MODELDECK_USER"));
    unsetenv("MODELDECK_USER");
    ck_assert_int_eq(md_actor_resolve(strict, false, &a, &err), MD_OK);
    char os[65];
    md_identity_os(os);
    ck_assert_str_eq(a.name, os);
    md_store_close(strict);
}
END_TEST

Suite *suite_authz(void)
{
    Suite *s = suite_create("authz");
    TCase *tc = tcase_create("authz");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, each_role_gets_exactly_its_rights);
    tcase_add_test(tc, read_only_session_refuses_everything);
    tcase_add_test(tc, read_only_store_refuses_everything_but_switching_back);
    tcase_add_test(tc, revoke_takes_effect_at_once);
    tcase_add_test(tc, last_admin_stays);
    tcase_add_test(tc, unknown_user_and_role_names);
    tcase_add_test(tc, user_override_only_where_allowed);
    suite_add_tcase(s, tc);
    return s;
}
