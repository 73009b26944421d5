/* Why a piece of incident evidence met its rule, in words and numbers, for `incidents show`
 * and the console: the rule, the figures it read and the thresholds they crossed, under the
 * model's policy now in force. The evidence keeps the figures; the thresholds may have changed
 * since, which the text then shows. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "incidents.h"
#include "json.h"

static double num(const json_t *d, const char *key)
{
    const json_t *v = json_object_get(d, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Appends to out (at *len) what fmt says, "; " before all but the first part. */
static void part(char *out, size_t cap, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void part(char *out, size_t cap, size_t *len, const char *fmt, ...)
{
    if (*len >= cap)
        return;
    if (*len)
        *len += (size_t)snprintf(out + *len, cap - *len, "; ");
    va_list ap;
    va_start(ap, fmt);
    if (*len < cap)
        *len += (size_t)vsnprintf(out + *len, cap - *len, fmt, ap);
    va_end(ap);
}

static void drift_why(const json_t *d, const md_drift_policy *p, char *out, size_t cap, size_t *len)
{
    size_t before = *len;
    double psi = num(d, "psi"), null = num(d, "psi_null_p99"), mix = num(d, "mix_pvalue");
    double ks = num(d, "ks"), ksp = num(d, "ks_pvalue"), n = num(d, "present");
    /* evidence from before the window's values were kept: taken as enough of them */
    int64_t values = isnan(n) ? INT64_MAX : (int64_t)n;
    if (md_psi_level(p, !isnan(psi), psi, null, values, mix) == MD_LEVEL_ALERT)
        part(out, cap, len, "PSI %.4g >= alert %g and above its no-drift p99 %.3g%s", psi,
             p->psi_alert, null,
             isnan(mix) ? "" : ", the category counts' exact test beyond chance");
    if (p->ks_level == MD_LEVEL_ALERT && md_ks_reaches(p, !isnan(ksp), ks, ksp))
        part(out, cap, len, "KS D %.4g >= %g with p %.3g < %g", ks, p->ks_min_d, ksp, p->ks_pvalue);
    /* how many drifted beside it, only beside a reason this one still meets */
    double drifting = num(d, "drifting_features");
    if (drifting > 1 && *len > before)
        part(out, cap, len, "%.0f features drifting in this window", drifting);
}

static void window_why(const char *kind, const json_t *d, const md_incident_policy *p, char *out,
                       size_t cap, size_t *len)
{
    double ece = num(d, "ece"), hl = num(d, "hl_pvalue"), labeled = num(d, "labeled");
    if (strcmp(kind, "calibration") == 0) {
        if (ece > p->ece_max && labeled >= p->ece_min_labeled)
            part(out, cap, len, "ECE %.4g > %g over %.0f labeled rows", ece, p->ece_max, labeled);
        if (hl < p->hl_pvalue)
            part(out, cap, len, "Hosmer-Lemeshow p %.3g < %g over %.0f labeled rows", hl,
                 p->hl_pvalue, labeled);
    } else if (strcmp(kind, "performance") == 0 && num(d, "delta_auc") < p->delta_auc_min) {
        part(out, cap, len, "AUC %+.4g from the baseline's, below %g and beyond %g standard errors",
             num(d, "delta_auc"), p->delta_auc_min, p->auc_z);
    } else if (strcmp(kind, "latency") == 0 && num(d, "over_sla") > p->max_share_over_sla) {
        part(out, cap, len, "%.3g%% of latencies over the model's SLA, more than %g%%",
             100 * num(d, "over_sla"), 100 * p->max_share_over_sla);
    }
}

void md_incident_why(const char *kind, const json_t *detail, const md_policy *p, char *out,
                     size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    if (!kind || !json_is_object(detail))
        return;
    if (strcmp(kind, "drift") == 0) {
        drift_why(detail, &p->drift, out, cap, &len);
    } else if (strcmp(kind, "schema") == 0) {
        double sc = num(detail, "schema_changes"), v = num(detail, "violations");
        if (sc > 0)
            part(out, cap, &len,
                 "%.0f schema changes: the column absent, values of the wrong type, or rows "
                 "with categories the baseline lacks (modeldeck drift lists them)",
                 sc);
        if (v > 0)
            part(out, cap, &len, "%.0f contract violations", v);
    } else if (strcmp(kind, "data_quality") == 0) {
        double md = num(detail, "missing_delta"), mp = num(detail, "missing_pvalue");
        if (md_at_least(fabs(md), p->incidents.missing_delta) && !(mp >= p->drift.missing_pvalue)) {
            part(out, cap, &len, "missing rate %+.3g from the baseline's, at least %g", md,
                 p->incidents.missing_delta);
            if (!isnan(mp))
                part(out, cap, &len, "binomial p %.3g < %g", mp, p->drift.missing_pvalue);
        }
    } else {
        window_why(kind, detail, &p->incidents, out, cap, &len);
    }
    if (!len)
        snprintf(out, cap, "no longer meets the rule under the policy now in force");
}
