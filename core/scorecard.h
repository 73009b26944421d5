/* The MLOps scorecard: how a model (and the portfolio) is run, in numbers.
 *
 * Why: maturity shows in measures, not in claims: how often and how fast versions reach
 * production, how often a change had to be rolled back, how many incidents there were and how
 * fast they were acknowledged and resolved, where performance and calibration stand, and
 * whether promotions went through the approvals they should have. Definitions are in
 * docs/SCORECARD.md; everything is computed from the store's history over a period. */
#ifndef MD_SCORECARD_H
#define MD_SCORECARD_H

#include <jansson.h>

#include "store.h"

/* Per model (or one model) and overall, over the `days` before now. */
md_status md_scorecard_json(md_store *s, const char *model, int days, json_t **out, md_err *err);

#endif
