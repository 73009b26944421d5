/* Policy: the thresholds that turn numbers into statuses.
 *
 * Why: what counts as drift is an organisation's decision, not the engine's; the defaults ship
 * as data/policy.default.json (compiled in) and are checked as strictly as user input, with
 * errors naming the JSON path. */
#ifndef MD_POLICY_H
#define MD_POLICY_H

#include <jansson.h>
#include <stdbool.h>

#include "err.h"

typedef enum { MD_LEVEL_OK = 0, MD_LEVEL_WARN = 1, MD_LEVEL_ALERT = 2 } md_level;

typedef struct {
    double psi_warn, psi_alert, psi_null_quantile;
    double ks_pvalue, ks_min_d;
    md_level ks_level;
    double missing_warn, missing_alert;
    md_level schema_level;
} md_drift_policy;

/* The shipped default policy document (data/policy.default.json). */
const char *md_policy_default_text(void);

/* Reads the drift section of a policy document. `where` names the document in errors. */
md_status md_drift_policy_parse(const json_t *doc, const char *where, md_drift_policy *out,
                                md_err *err);
/* The defaults. */
void md_drift_policy_default(md_drift_policy *out);

const char *md_level_name(md_level l);

#endif
