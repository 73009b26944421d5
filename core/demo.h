/* The demo portfolio: six marketing models with ninety days of history, built through the engine.
 *
 * Why: people judge a console by what it shows them first. The demo generates scoring logs with
 * the field's classic failures (a tracking gap, a taxonomy change, an identity-resolution shift,
 * a slow calibration drift, a seasonal shift, a latency regression) and passes them through the
 * real baseline, ingest, promotion, rollback and retrain paths on a replayed clock, so every
 * incident, request and job in it was produced the way production ones are. */
#ifndef MD_DEMO_H
#define MD_DEMO_H

#include <stdint.h>

#include "store.h"

typedef struct {
    int models, versions, windows, incidents, requests_pending, jobs;
    int64_t rows;
} md_demo_report;

/* Creates the store at `path` (which must not exist) and fills it. */
md_status md_demo_build(const char *path, uint64_t seed, md_demo_report *rep, md_err *err);

#endif
