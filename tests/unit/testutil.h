/* Shared fixtures for the Check suites: temporary stores, actors, counts. */
#ifndef MD_TESTUTIL_H
#define MD_TESTUTIL_H

#include <check.h>
#include <stdint.h>

#include "authz.h"
#include "sql.h"
#include "store.h"

/* A fresh temporary directory (removed by tu_cleanup). */
const char *tu_dir(void);
/* A path inside tu_dir(). Returned buffer is static per call slot (valid until 8 more calls). */
const char *tu_path(const char *name);
/* A new initialized store whose admin is "admin" (allows MODELDECK_USER). */
md_store *tu_store(void);
md_actor tu_actor(const char *name);
/* Adds `name` with the roles in `roles` ("operator,approver"). */
void tu_user(md_store *s, const char *name, const char *roles);
/* One integer from SQL text (no parameters). */
int64_t tu_count(md_store *s, const char *sql);
/* Runs raw SQL, returning the SQLite result code. */
int tu_exec(md_store *s, const char *sql);
void tu_cleanup(void);

/* The monotonic clock in milliseconds, for what a test times or waits for. */
int64_t tu_now_ms(void);
/* Sleeps ms milliseconds. */
void tu_nap_ms(int ms);
/* Fails the test unless `text` is non-NULL and holds `needle` (both shown). */
void tu_assert_has(const char *text, const char *needle);
/* Fails the test if `text` holds `needle`; `where` names the text in the message. */
void tu_assert_lacks(const char *text, const char *needle, const char *where);

/* splitmix64: the same random numbers on every machine, from *state. */
uint64_t tu_random(uint64_t *state);

/* Every row of every table, as text: equal snapshots mean an unchanged store. */
char *tu_snapshot(md_store *s);

/* A store with model churn (v1 candidate), user "target" (viewer) and one user per role, each
 * named after the role ("admin" created the store). */
md_store *tu_world(void);

typedef md_status (*tu_action_fn)(md_store *s, const md_actor *a, md_err *err);
typedef struct {
    const char *name;
    tu_action_fn fn;
    unsigned allowed; /* roles that may */
} tu_action;
extern const tu_action tu_actions[];
extern const size_t tu_n_actions;
md_status tu_do_version_add(md_store *s, const md_actor *a, md_err *err);
md_status tu_do_read_only(md_store *s, const md_actor *a, md_err *err);

Suite *suite_text(void);
Suite *suite_stats(void);
Suite *suite_sort(void);
Suite *suite_blob(void);
Suite *suite_splits(void);
Suite *suite_numbers(void);
Suite *suite_reader(void);
Suite *suite_clock(void);
Suite *suite_json(void);
Suite *suite_store(void);
Suite *suite_audit(void);
Suite *suite_authz(void);
Suite *suite_registry(void);
Suite *suite_atomic(void);
Suite *suite_concurrency(void);
Suite *suite_badinput(void);
Suite *suite_replace(void);
Suite *suite_monitor(void);
Suite *suite_reading(void);
Suite *suite_baseline(void);
Suite *suite_latency(void);
Suite *suite_parallel(void);
Suite *suite_newcats(void);
Suite *suite_http(void);
Suite *suite_promote(void);
Suite *suite_rollback(void);
Suite *suite_incidents(void);
Suite *suite_workflows(void);
Suite *suite_jobs(void);
Suite *suite_jobs_webhook(void);

#endif
