/* Reading monitoring results: drift rows and calibration windows, as the public JSON contract.
 *
 * Why: scripts gate on these documents, and the console draws from the same queries; the field
 * names are a contract (docs/METRICS.md, README). */
#ifndef MD_RESULTS_H
#define MD_RESULTS_H

#include <jansson.h>

#include "store.h"

/* The version to read: `number` > 0, else the production version (MD_NOTFOUND when none). */
md_status md_results_version(md_store *s, const char *model, int64_t number, int64_t *vid,
                             int64_t *resolved, md_err *err);

/* {"model","version","drift":[...]}; `window` filters one window key (NULL: all). */
md_status md_drift_json(md_store *s, const char *model, int64_t number, const char *window,
                        json_t **out, md_err *err);
/* {"model","version","windows":[...]} */
md_status md_calibration_json(md_store *s, const char *model, int64_t number, const char *window,
                              json_t **out, md_err *err);

#endif
