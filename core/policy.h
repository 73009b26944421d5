/* Policy: the thresholds that turn numbers into statuses.
 *
 * Why: what counts as drift is an organisation's decision, not the engine's; the defaults ship
 * as data/policy.default.json (compiled in) and are checked as strictly as user input, with
 * errors naming the JSON path. */
#ifndef MD_POLICY_H
#define MD_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

typedef enum { MD_LEVEL_OK = 0, MD_LEVEL_WARN = 1, MD_LEVEL_ALERT = 2 } md_level;

typedef struct {
    double psi_warn, psi_alert, psi_null_quantile;
    int psi_min_rows; /* PSI statuses need this many window values: its null fails below ... */
    double psi_small_pvalue; /* ... and where it fails (categorical) the counts' exact test this */
    double ks_pvalue, ks_min_d;
    md_level ks_level;
    double missing_warn, missing_alert;
    double missing_pvalue; /* and missingness ones a binomial test this significant */
    md_level schema_level;
} md_drift_policy;

/* The PSI part of the drift rule: warn/alert thresholds met, beyond the null's quantile, and
 * either over enough values (n: the window's values of the feature) or, where that null does
 * not hold, with the category counts' exact test (mix_pvalue; NaN where the null holds and for
 * numeric features) beyond chance. */
md_level md_psi_level(const md_drift_policy *p, bool has_psi, double psi, double psi_null,
                      int64_t n, double mix_pvalue);
/* The missingness part: |delta| over a threshold, and the change unlikely by chance (its
 * binomial p-value below the policy's; a NaN p-value, from a store written before there was
 * one, leaves the thresholds alone). */
md_level md_missing_level(const md_drift_policy *p, double missing_delta, double missing_pvalue);
/* The KS part: D at least the policy's min_d with its p-value below the policy's. */
bool md_ks_reaches(const md_drift_policy *p, bool has_ks, double ks, double ks_pvalue);

/* x >= t, for a figure that is a difference of counts' ratios (a missing-rate change, a KS D):
 * within 1e-12 of t counts as t, as the counts mean it. In doubles 300/1000 - 100/1000 is
 * 0.19999999999999998 and 0.3 - 0.2 is 0.09999999999999998: a change of 20 points must meet an
 * alert at 0.2, as ks_2samp's D of 0.1 must meet min_d 0.1. */
bool md_at_least(double x, double t);

/* The tests a feature-window's drift status is the worst of, each giving its own level
 * (md_drift_row_levels): X(id, name as the console and messages say it). Schema changes
 * (absent column, type errors, new categories) and contract violations share the schema level
 * but are told apart: either may be what alerts. */
#define MD_DRIFT_TESTS(X)                                                                          \
    X(PSI, "PSI")                                                                                  \
    X(KS, "KS")                                                                                    \
    X(MISSING, "missing")                                                                          \
    X(SCHEMA, "schema")                                                                            \
    X(CONTRACT, "contract")

typedef enum {
#define MD_X(id, name) MD_DRIFT_TEST_##id,
    MD_DRIFT_TESTS(MD_X)
#undef MD_X
        MD_DRIFT_TEST_COUNT
} md_drift_test;

const char *md_drift_test_name(md_drift_test t);

/* Cochran's rule: the chi-square null of a categorical PSI holds when every baseline
 * category expects at least this many of the window's values. */
#define MD_CHI2_MIN_EXPECTED 5.0

typedef enum { MD_P1 = 1, MD_P2, MD_P3, MD_P4 } md_severity;

typedef struct {
    md_severity drift_sev, schema_sev, calibration_sev, performance_sev, latency_sev, dq_sev;
    int drift_p1_features; /* a production window with this many drift alerts is P1 */
    double ece_max, hl_pvalue;
    int ece_min_labeled; /* ECE alone alerts only over windows at least this large */
    double delta_auc_min, p1_delta_auc;
    double auc_z; /* and only beyond this many standard errors of the window's AUC */
    double max_share_over_sla;
    double missing_delta;
    bool non_production_one_lower;
} md_incident_policy;

/* A promotion gate's thresholds. */
typedef struct {
    double limit; /* min for delta_auc, max for max_psi and ece; unused otherwise */
    bool na_blocks;
} md_gate_policy;

#define MD_GATES(X)                                                                                \
    X(DELTA_AUC, "delta_auc", "AUC minus the champion's AUC")                                     \
    X(MAX_PSI, "max_psi", "largest PSI over the recent windows")                                  \
    X(ECE, "ece", "expected calibration error")                                                   \
    X(NO_OPEN_P1, "no_open_p1", "open P1 incidents on the model")                                 \
    X(BASELINE_PRESENT, "baseline_present", "a baseline profile exists")

typedef enum {
#define MD_X(id, name, what) MD_GATE_##id,
    MD_GATES(MD_X)
#undef MD_X
        MD_GATE_COUNT
} md_gate;

const char *md_gate_name(md_gate g);
const char *md_gate_description(md_gate g);
int md_gate_parse(const char *name);

typedef struct {
    int approvals_staging, approvals_production;
    double ttl_hours;
    int evidence_windows;
    md_gate_policy gates[MD_GATE_COUNT];
} md_promotion_policy;

typedef struct {
    int min_alert_features, consecutive_windows;
    json_t *backend; /* the backend object as written (owned) */
} md_retrain_policy;

typedef struct {
    md_drift_policy drift;
    md_incident_policy incidents;
    md_promotion_policy promotion;
    md_retrain_policy retrain;
} md_policy;

const char *md_severity_name(md_severity s);

/* Checks a whole policy document and reads it; errors name the JSON path. */
md_status md_policy_parse(const json_t *doc, const char *where, md_policy *out, md_err *err);
void md_policy_free(md_policy *p);

/* Deep merge: objects merged key by key, anything else replaced. Returns a new value. */
json_t *md_policy_merge(const json_t *base, const json_t *over);

/* The shipped default policy document (data/policy.default.json). */
const char *md_policy_default_text(void);

/* Reads the drift section of a policy document. `where` names the document in errors. */
md_status md_drift_policy_parse(const json_t *doc, const char *where, md_drift_policy *out,
                                md_err *err);
/* The defaults. */
void md_drift_policy_default(md_drift_policy *out);

const char *md_level_name(md_level l);

#endif
