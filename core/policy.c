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

const char *md_drift_test_name(md_drift_test t)
{
    static const char *const names[] = {
#define MD_X(id, name) name,
        MD_DRIFT_TESTS(MD_X)
#undef MD_X
    };
    return t < MD_DRIFT_TEST_COUNT ? names[t] : "?";
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

static md_status severity(const json_t *doc, const char *path, const char *where,
                          md_severity *out, md_err *err)
{
    const json_t *v = at(doc, path, where, err);
    if (!v)
        return err->code;
    const char *t = json_string_value(v);
    if (t && t[0] == 'P' && t[1] >= '1' && t[1] <= '4' && !t[2]) {
        *out = (md_severity)(t[1] - '0');
        return MD_OK;
    }
    return md_err_set(err, MD_INVALID, "%s: %s: expected \"P1\", \"P2\", \"P3\" or \"P4\"", where,
                      path);
}

static md_status integer(const json_t *doc, const char *path, const char *where, int lo, int hi,
                         int *out, md_err *err)
{
    const json_t *v = at(doc, path, where, err);
    if (!v)
        return err->code;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return md_err_set(err, MD_INVALID, "%s: %s: expected a whole number in [%d, %d]", where,
                          path, lo, hi);
    *out = (int)json_integer_value(v);
    return MD_OK;
}

static md_status boolean(const json_t *doc, const char *path, const char *where, bool *out,
                         md_err *err)
{
    const json_t *v = at(doc, path, where, err);
    if (!v)
        return err->code;
    if (!json_is_boolean(v))
        return md_err_set(err, MD_INVALID, "%s: %s: expected true or false", where, path);
    *out = json_is_true(v);
    return MD_OK;
}

static md_status incidents_parse(const json_t *d, const char *w, md_incident_policy *p,
                                 md_err *err)
{
    if (severity(d, "incidents.drift.severity", w, &p->drift_sev, err) ||
        integer(d, "incidents.drift.p1_features", w, 1, 10000, &p->drift_p1_features, err) ||
        severity(d, "incidents.schema.severity", w, &p->schema_sev, err) ||
        severity(d, "incidents.calibration.severity", w, &p->calibration_sev, err) ||
        number(d, "incidents.calibration.ece_max", w, 0, 1, &p->ece_max, err) ||
        number(d, "incidents.calibration.hl_pvalue", w, 0, 1, &p->hl_pvalue, err) ||
        integer(d, "incidents.calibration.ece_min_labeled", w, 0, 100000000, &p->ece_min_labeled,
                err) ||
        number(d, "incidents.performance.auc_z", w, 0, 10, &p->auc_z, err) ||
        severity(d, "incidents.performance.severity", w, &p->performance_sev, err) ||
        number(d, "incidents.performance.delta_auc_min", w, -1, 1, &p->delta_auc_min, err) ||
        number(d, "incidents.performance.p1_delta_auc", w, -1, 1, &p->p1_delta_auc, err) ||
        severity(d, "incidents.latency.severity", w, &p->latency_sev, err) ||
        number(d, "incidents.latency.max_share_over_sla", w, 0, 1, &p->max_share_over_sla, err) ||
        severity(d, "incidents.data_quality.severity", w, &p->dq_sev, err) ||
        number(d, "incidents.data_quality.missing_delta", w, 0, 1, &p->missing_delta, err) ||
        boolean(d, "incidents.non_production_one_lower", w, &p->non_production_one_lower, err))
        return err->code;
    if (p->p1_delta_auc > p->delta_auc_min)
        return md_err_set(err, MD_INVALID,
                          "%s: incidents.performance.p1_delta_auc is above delta_auc_min", w);
    return MD_OK;
}

static const char *const gate_names[] = {
#define MD_X(id, name, what) name,
    MD_GATES(MD_X)
#undef MD_X
};
static const char *const gate_descriptions[] = {
#define MD_X(id, name, what) what,
    MD_GATES(MD_X)
#undef MD_X
};

const char *md_gate_name(md_gate g)
{
    return g < MD_GATE_COUNT ? gate_names[g] : "?";
}

const char *md_gate_description(md_gate g)
{
    return g < MD_GATE_COUNT ? gate_descriptions[g] : "?";
}

int md_gate_parse(const char *name)
{
    for (int i = 0; i < MD_GATE_COUNT; i++)
        if (strcmp(name, gate_names[i]) == 0)
            return i;
    return -1;
}

static md_status gates_parse(const json_t *d, const char *w, md_promotion_policy *p, md_err *err)
{
    static const char *const limit_key[MD_GATE_COUNT] = {"min", "max", "max", NULL, NULL};
    static const double lo[MD_GATE_COUNT] = {-1, 0, 0, 0, 0}, hi[MD_GATE_COUNT] = {1, 100, 1, 0, 0};
    char path[96];
    for (int g = 0; g < MD_GATE_COUNT; g++) {
        snprintf(path, sizeof path, "promotion.gates.%s.na_blocks", gate_names[g]);
        if (boolean(d, path, w, &p->gates[g].na_blocks, err))
            return err->code;
        if (!limit_key[g])
            continue;
        snprintf(path, sizeof path, "promotion.gates.%s.%s", gate_names[g], limit_key[g]);
        if (number(d, path, w, lo[g], hi[g], &p->gates[g].limit, err))
            return err->code;
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)json_object_get(json_object_get(d, "promotion"), "gates"), k, v)
    if (md_gate_parse(k) < 0)
        return md_err_set(err, MD_INVALID, "%s: promotion.gates.%s: no such gate", w, k);
    return MD_OK;
}

static md_status promotion_parse(const json_t *d, const char *w, md_promotion_policy *p,
                                 md_err *err)
{
    if (integer(d, "promotion.approvals.staging", w, 1, 10, &p->approvals_staging, err) ||
        integer(d, "promotion.approvals.production", w, 1, 10, &p->approvals_production, err) ||
        number(d, "promotion.request_ttl_hours", w, 0.01, 24 * 365, &p->ttl_hours, err) ||
        integer(d, "promotion.evidence_windows", w, 1, 1000, &p->evidence_windows, err))
        return err->code;
    return gates_parse(d, w, p, err);
}

static md_status argv_check(const json_t *argv, const char *w, md_err *err)
{
    if (!json_is_array(argv) || json_array_size(argv) == 0)
        return md_err_set(err, MD_INVALID, "%s: retrain.backend.argv: expected a non-empty array "
                                           "of strings",
                          w);
    for (size_t i = 0; i < json_array_size(argv); i++)
        if (!json_is_string(json_array_get(argv, i)))
            return md_err_set(err, MD_INVALID, "%s: retrain.backend.argv[%zu]: expected a string",
                              w, i);
    return MD_OK;
}

static md_status backend_parse(const json_t *d, const char *w, md_err *err)
{
    const json_t *b = at(d, "retrain.backend", w, err);
    if (!b)
        return err->code;
    const char *type = json_string_value(json_object_get(b, "type"));
    double t;
    if (number(d, "retrain.backend.timeout_s", w, 1, 7 * 86400, &t, err))
        return err->code;
    if (type && strcmp(type, "command") == 0)
        return argv_check(json_object_get(b, "argv"), w, err);
    if (!type || strcmp(type, "webhook") != 0)
        return md_err_set(err, MD_INVALID, "%s: retrain.backend.type: expected \"command\" or "
                                           "\"webhook\"",
                          w);
    const char *url = json_string_value(json_object_get(b, "url"));
    if (!url || (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0))
        return md_err_set(err, MD_INVALID, "%s: retrain.backend.url: expected an http(s) URL", w);
    json_t *h = json_object_get(b, "headers"), *se = json_object_get(b, "secret_env");
    const char *k;
    json_t *v;
    if (h && !json_is_object(h))
        return md_err_set(err, MD_INVALID, "%s: retrain.backend.headers: expected an object", w);
    json_object_foreach(h, k, v) if (!json_is_string(v)) return md_err_set(
        err, MD_INVALID, "%s: retrain.backend.headers.%s: expected a string", w, k);
    if (se && !json_is_array(se))
        return md_err_set(err, MD_INVALID, "%s: retrain.backend.secret_env: expected an array "
                                           "of variable names",
                          w);
    for (size_t i = 0; i < json_array_size(se); i++) {
        const char *name = json_string_value(json_array_get(se, i));
        if (!name || !*name || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                            "0123456789_") != strlen(name))
            return md_err_set(err, MD_INVALID,
                              "%s: retrain.backend.secret_env[%zu]: expected a variable name", w,
                              i);
    }
    /* every ${NAME} in a header must be a listed secret: found now, not at 3 a.m. */
    json_object_foreach(h, k, v)
    {
        for (const char *p = json_string_value(v); (p = strstr(p, "${"));) {
            const char *end = strchr(p, '}');
            if (!end)
                return md_err_set(err, MD_INVALID,
                                  "%s: retrain.backend.headers.%s: \"${\" without \"}\"", w, k);
            bool listed = false;
            for (size_t i = 0; i < json_array_size(se); i++) {
                const char *name = json_string_value(json_array_get(se, i));
                listed |= strlen(name) == (size_t)(end - p - 2) &&
                          strncmp(name, p + 2, (size_t)(end - p - 2)) == 0;
            }
            if (!listed)
                return md_err_set(err, MD_INVALID,
                                  "%s: retrain.backend.headers.%s: ${%.*s} is not listed in "
                                  "retrain.backend.secret_env",
                                  w, k, (int)(end - p - 2), p + 2);
            p = end;
        }
    }
    json_t *body = json_object_get(b, "body"), *ca = json_object_get(b, "ca_file");
    if (body && !json_is_object(body))
        return md_err_set(err, MD_INVALID, "%s: retrain.backend.body: expected an object", w);
    if (ca && !json_is_string(ca))
        return md_err_set(err, MD_INVALID, "%s: retrain.backend.ca_file: expected a path", w);
    int n;
    if ((json_object_get(b, "retries") &&
         integer(d, "retrain.backend.retries", w, 0, 10, &n, err)) ||
        (json_object_get(b, "backoff_ms") &&
         integer(d, "retrain.backend.backoff_ms", w, 0, 600000, &n, err)))
        return err->code;
    return MD_OK;
}

static md_status retrain_parse(const json_t *d, const char *w, md_retrain_policy *p, md_err *err)
{
    if (integer(d, "retrain.rule.min_alert_features", w, 1, 10000, &p->min_alert_features,
                err) ||
        integer(d, "retrain.rule.consecutive_windows", w, 1, 1000, &p->consecutive_windows, err) ||
        backend_parse(d, w, err))
        return err->code;
    p->backend = json_deep_copy(json_object_get(json_object_get(d, "retrain"), "backend"));
    return MD_OK;
}

/* The keys a backend may carry (its headers and body are free-form). */
static const char *const backend_keys[] = {"type",    "argv",       "timeout_s", "url",
                                           "headers", "secret_env", "body",      "retries",
                                           "backoff_ms", "ca_file",  NULL};

static bool is_backend_key(const char *k)
{
    for (const char *const *b = backend_keys; *b; b++)
        if (strcmp(*b, k) == 0)
            return true;
    return false;
}

/* Every key of `doc` must be one the defaults (`ref`) know: a misspelt key would otherwise be
 * ignored without a word, and the threshold it meant to set would silently stay. */
static md_status known_keys(const json_t *doc, const json_t *ref, const char *path,
                            const char *w, md_err *err)
{
    const char *k;
    json_t *v;
    bool backend = strcmp(path, "retrain.backend") == 0;
    json_object_foreach((json_t *)doc, k, v)
    {
        char sub[256];
        snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", k);
        json_t *r = json_object_get(ref, k);
        if (backend ? !is_backend_key(k) : !r) {
            char known[512] = "";
            size_t n = 0;
            const char *rk;
            json_t *rv;
            if (backend)
                for (const char *const *b = backend_keys; *b && n < sizeof known - 1; b++)
                    n += (size_t)snprintf(known + n, sizeof known - n, "%s%s", n ? ", " : "", *b);
            else
                json_object_foreach((json_t *)ref, rk, rv) if (n < sizeof known - 1) n +=
                    (size_t)snprintf(known + n, sizeof known - n, "%s%s", n ? ", " : "", rk);
            return md_err_set(err, MD_INVALID, "%s: %s: unknown key (known here: %s)", w, sub,
                              known);
        }
        if (!backend && json_is_object(v) && json_is_object(r) &&
            known_keys(v, r, sub, w, err) != MD_OK)
            return err->code;
    }
    return MD_OK;
}

md_status md_policy_parse(const json_t *doc, const char *where, md_policy *out, md_err *err)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(doc))
        return md_err_set(err, MD_INVALID, "%s: expected a JSON object", where);
    json_t *ref = json_loads(md_policy_default_text(), 0, NULL);
    md_status rc = ref ? known_keys(doc, ref, "", where, err) : MD_OK;
    json_decref(ref);
    if (rc != MD_OK)
        return rc;
    if (md_drift_policy_parse(doc, where, &out->drift, err) ||
        incidents_parse(doc, where, &out->incidents, err) ||
        promotion_parse(doc, where, &out->promotion, err) ||
        retrain_parse(doc, where, &out->retrain, err))
        return err->code;
    return MD_OK;
}

void md_policy_free(md_policy *p)
{
    json_decref(p->retrain.backend);
    p->retrain.backend = NULL;
}

json_t *md_policy_merge(const json_t *base, const json_t *over)
{
    if (!json_is_object(base) || !json_is_object(over))
        return json_deep_copy(over);
    json_t *out = json_deep_copy(base);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)over, k, v)
        json_object_set_new(out, k, md_policy_merge(json_object_get(base, k), v));
    return out;
}

const char *md_severity_name(md_severity s)
{
    static const char *const n[] = {"?", "P1", "P2", "P3", "P4"};
    return s >= MD_P1 && s <= MD_P4 ? n[s] : "?";
}

md_status md_drift_policy_parse(const json_t *doc, const char *where, md_drift_policy *p,
                                md_err *err)
{
    if (number(doc, "drift.psi.warn", where, 0, 100, &p->psi_warn, err) ||
        number(doc, "drift.psi.alert", where, 0, 100, &p->psi_alert, err) ||
        number(doc, "drift.psi.null_quantile", where, 0.5, 0.999999, &p->psi_null_quantile, err) ||
        integer(doc, "drift.psi.min_rows", where, 1, 1000000000, &p->psi_min_rows, err) ||
        number(doc, "drift.psi.small_pvalue", where, 0, 1, &p->psi_small_pvalue, err) ||
        number(doc, "drift.ks.pvalue", where, 0, 1, &p->ks_pvalue, err) ||
        number(doc, "drift.ks.min_d", where, 0, 1, &p->ks_min_d, err) ||
        level(doc, "drift.ks.level", where, &p->ks_level, err) ||
        number(doc, "drift.missing_delta.warn", where, 0, 1, &p->missing_warn, err) ||
        number(doc, "drift.missing_delta.alert", where, 0, 1, &p->missing_alert, err) ||
        number(doc, "drift.missing_delta.pvalue", where, 0, 1, &p->missing_pvalue, err) ||
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

md_level md_psi_level(const md_drift_policy *p, bool has_psi, double psi, double psi_null,
                      int64_t n, double mix_pvalue)
{
    if (!has_psi || !(psi > psi_null))
        return MD_LEVEL_OK;
    if (!isnan(mix_pvalue)) { /* the exact test, where the null does not hold, decides */
        if (!(mix_pvalue < p->psi_small_pvalue))
            return MD_LEVEL_OK;
    } else if (n < p->psi_min_rows) {
        return MD_LEVEL_OK;
    }
    return psi >= p->psi_alert ? MD_LEVEL_ALERT : psi >= p->psi_warn ? MD_LEVEL_WARN : MD_LEVEL_OK;
}

bool md_at_least(double x, double t)
{
    return x >= t || t - x <= 1e-12 * fmax(1.0, fabs(t));
}

md_level md_missing_level(const md_drift_policy *p, double missing_delta, double missing_pvalue)
{
    double md = fabs(missing_delta);
    if (!isnan(missing_pvalue) && !(missing_pvalue < p->missing_pvalue))
        return MD_LEVEL_OK;
    return md_at_least(md, p->missing_alert)  ? MD_LEVEL_ALERT
           : md_at_least(md, p->missing_warn) ? MD_LEVEL_WARN
                                              : MD_LEVEL_OK;
}

bool md_ks_reaches(const md_drift_policy *p, bool has_ks, double ks, double ks_pvalue)
{
    return has_ks && ks_pvalue < p->ks_pvalue && md_at_least(ks, p->ks_min_d);
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
