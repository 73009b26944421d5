/* The jobs tests' fixture, shared by check_jobs.c (the command backend) and
 * check_jobs_webhook.c (the webhook backend and the edges): a store with model churn and its
 * operators, the retrain policy, jobs queued, run and shown, their audit trail, the processes a
 * command leaves behind, and the loopback server webhooks are posted to. */
#ifndef MD_TEST_JOBS_FIXTURE_H
#define MD_TEST_JOBS_FIXTURE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "authz.h"
#include "loopback.h"
#include "store.h"

/* Set by jobs_setup: a token webhooks may use (secret_env lists it) and one they may not. */
#define TOKEN_ENV  "MD_T_JOB_TOKEN"
#define TOKEN      "tok-Qz81-s3cr3t-VALUE"
#define HIDDEN_ENV "MD_T_JOB_HIDDEN"
#define HIDDEN     "hid-7Wm2-VALUE"

extern md_actor jobs_op, jobs_otto; /* operators olga and otto (jobs_world) */
extern lb_server jobs_srv;          /* the webhooks' server, cleared by jobs_setup */

/* The checked fixture of every jobs test case. */
void jobs_setup(void);
void jobs_teardown(void);

/* ---- the store, the policy, the jobs ---- */

/* A store with model churn, operators olga and otto, viewer vic and analyst ana. */
md_store *jobs_world(void);
/* Stores {"retrain": {"backend": b}} (b is stolen) as churn's policy override, via a file. */
void jobs_set_backend(md_store *s, json_t *b);
/* A command backend: /bin/sh -c script, killed after timeout_s. */
void jobs_set_command(md_store *s, const char *script, int timeout_s);
/* Queues a retrain of churn by olga; returns the job's id. */
int64_t jobs_queue(md_store *s, const char *reason);
/* Runs job `id` here; returns the milliseconds it took. */
int64_t jobs_run(md_store *s, int64_t id);
/* md_job_show of job `id` (the caller frees it). */
json_t *jobs_show(md_store *s, int64_t id);
/* o[k] as a string; NULL when it is not one. */
const char *jobs_str(const json_t *o, const char *k);
void jobs_assert_int(const json_t *o, const char *k, json_int_t want);
void jobs_assert_null(const json_t *o, const char *k);

/* The job's audit trail, "actor:action" separated by spaces, and the details of its last
 * retrain.finish and retrain.cancel rows (canonical JSON; "" when none). */
typedef struct {
    char trail[512];
    char finish[256], cancel[256];
    char cancel_reason[128];
} jobs_audit;

/* Job `id`'s audit rows, after checking the whole chain. */
jobs_audit jobs_audit_of(md_store *s, int64_t id);
/* The state the audit's retrain.finish row gives ("" when there is none). */
void jobs_finish_state(const jobs_audit *a, char out[32]);

/* ---- processes ---- */

/* Whether group `pgid` has no live process within `ms`. */
bool jobs_group_gone(pid_t pgid, int ms);
void jobs_group_kill(pid_t pgid);
/* The pid a command wrote into `path` with `echo $$`, waiting up to `ms` for it (0: none). */
pid_t jobs_pid_from(const char *path, int ms);
/* Runs job `id` in a forked process on its own connection to the store at `db`, like the
 * detached supervisor. With `leader`, the process leads its own group, as a supervisor started
 * from an interactive shell does. Exit status 0: md_job_run returned MD_OK. */
pid_t jobs_run_elsewhere(const char *db, int64_t id, bool leader);
/* The wait status of `pid` if it ends within `ms`; else it is killed and -1 comes back. */
int jobs_reap_within(pid_t pid, int ms);
/* Starts a `sleep 30` job in another process and cancels it once the command runs (otto).
 * *pgid: the command's process group; *took: milliseconds from the cancel until the supervisor
 * ended. */
int64_t jobs_cancel_while_running(md_store *s, pid_t *pgid, int64_t *took);

#endif
