#include "policy.h"

#include <math.h>
#include <string.h>

#include "mem.h"

extern const char md_policy_default_json[]; /* generated from data/policy.default.json */

const char *md_policy_default_text(void)
{
    return md_policy_default_json;
}

const char *md_level_name(md_level l)
{
    return l == MD_LEVEL_ALERT ? "alert" : l == MD_LEVEL_WARN ? "warn" : "ok";
}

/* The member at `path` ("drift.psi.warn"), or NULL with err naming the first missing part. */
static const json_t *at(const json_t *doc, const char *path, const char *where, md_err *err)
{
    char part[64];
    const json_t *v = doc;
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, ".");
        snprintf(part, sizeof part, "%.*s", (int)n, p);
        if (!json_is_object(v) || !(v = json_object_get(v, part))) {
            md_err_set(err, MD_INVALID, "%s: %.*s: missing", where, (int)(p - path + n), path);
            return NULL;
        }
        p += n + (p[n] == '.');
    }
    return v;
}

static md_status number(const json_t *doc, const char *path, const char *where, double lo,
                        double hi, double *out, md_err *err)
{
    const json_t *v = at(doc, path, where, err);
    if (!v)
        return err->code;
    if (!json_is_number(v) || !(json_number_value(v) >= lo && json_number_value(v) <= hi))
        return md_err_set(err, MD_INVALID, "%s: %s: expected a number in [%g, %g]", where, path,
                          lo, hi);
    *out = json_number_value(v);
    return MD_OK;
}

static md_status level(const json_t *doc, const char *path, const char *where, md_level *out,
                       md_err *err)
{
    const json_t *v = at(doc, path, where, err);
    if (!v)
        return err->code;
    const char *s = json_string_value(v);
    if (s && strcmp(s, "warn") == 0)
        *out = MD_LEVEL_WARN;
    else if (s && strcmp(s, "alert") == 0)
        *out = MD_LEVEL_ALERT;
    else
        return md_err_set(err, MD_INVALID, "%s: %s: expected \"warn\" or \"alert\"", where,
                          path);
    return MD_OK;
}

md_status md_drift_policy_parse(const json_t *doc, const char *where, md_drift_policy *p,
                                md_err *err)
{
    if (number(doc, "drift.psi.warn", where, 0, 100, &p->psi_warn, err) ||
        number(doc, "drift.psi.alert", where, 0, 100, &p->psi_alert, err) ||
        number(doc, "drift.psi.null_quantile", where, 0.5, 0.999999, &p->psi_null_quantile,
               err) ||
        number(doc, "drift.ks.pvalue", where, 0, 1, &p->ks_pvalue, err) ||
        number(doc, "drift.ks.min_d", where, 0, 1, &p->ks_min_d, err) ||
        level(doc, "drift.ks.level", where, &p->ks_level, err) ||
        number(doc, "drift.missing_delta.warn", where, 0, 1, &p->missing_warn, err) ||
        number(doc, "drift.missing_delta.alert", where, 0, 1, &p->missing_alert, err) ||
        level(doc, "drift.schema_change", where, &p->schema_level, err))
        return err->code;
    if (p->psi_warn > p->psi_alert)
        return md_err_set(err, MD_INVALID, "%s: drift.psi.warn is above drift.psi.alert", where);
    if (p->missing_warn > p->missing_alert)
        return md_err_set(err, MD_INVALID,
                          "%s: drift.missing_delta.warn is above drift.missing_delta.alert",
                          where);
    return MD_OK;
}

void md_drift_policy_default(md_drift_policy *out)
{
    json_error_t je;
    md_err err;
    json_t *doc = json_loads(md_policy_default_text(), 0, &je);
    if (!doc || md_drift_policy_parse(doc, "data/policy.default.json", out, &err) != MD_OK)
        md_fatal("the built-in default policy is invalid: %s", doc ? err.msg : je.text);
    json_decref(doc);
}
