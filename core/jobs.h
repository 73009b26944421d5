/* Retrain jobs: asking the training system to retrain, and remembering the answer.
 *
 * Why: a retrain is a remote, slow, failure-prone action; the operator needs it queued in one
 * audited step, run off the console's path (a detached supervisor for a command, libcurl with
 * timeouts and retries for a webhook), and its outcome (exit status or HTTP status, a log tail)
 * kept in the store so it survives the console exiting (proposals, which queue one when
 * accepted, are core/proposals.h). Secrets for webhooks come from environment variables named in
 * the policy and are never stored or logged. */
#ifndef MD_JOBS_H
#define MD_JOBS_H

#include <jansson.h>

#include "authz.h"
#include "policy.h"

/* Queues a retrain of `model` with the backend of its policy; *job receives the id.
 * `proposal` (0: none) is the proposal it answers. */
md_status md_retrain(md_store *s, const md_actor *a, const char *model, const char *reason,
                     int64_t proposal, int64_t *job, md_err *err);

/* Inside the caller's transaction: a job of model `mid` on `backend` queued, and its audit row
 * (by `actor`); `proposal` (0: none) is the proposal it answers. */
md_status md_job_queue(md_store *s, const char *actor, int64_t mid, const char *model,
                       const json_t *backend, const char *reason, int64_t proposal, int64_t *job,
                       md_err *err);

/* Runs job `id` to its end in this process (the supervisor's work). */
md_status md_job_run(md_store *s, int64_t id, md_err *err);

/* Starts `exe --db db __job ID` detached (its own session), returning at once. */
md_status md_job_launch(const char *exe, const char *db, int64_t id, md_err *err);

md_status md_job_cancel(md_store *s, const md_actor *a, int64_t id, const char *reason,
                        md_err *err);
md_status md_jobs_list(md_store *s, const char *model, json_t **out, md_err *err);
md_status md_job_show(md_store *s, int64_t id, json_t **out, md_err *err);

#endif
