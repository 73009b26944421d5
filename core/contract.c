/* Data contracts: what a feature must look like (type, nullable, range, allowed categories).
 *
 * Why: marketing data breaks at its sources (a tracking plan changes, a taxonomy is split);
 * a contract written down once turns those breaks into counted violations. The file is JSON:
 *   {"features": [{"name": "recency_days", "type": "numeric", "nullable": false,
 *                  "min": 0, "max": 3650},
 *                 {"name": "channel", "type": "categorical", "allowed": ["email", "web"]}]}
 * (a top-level array of the same objects is accepted too). Errors name the JSON path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mem.h"
#include "profile.h"

void md_contract_free(md_contract *c)
{
    for (size_t i = 0; i < md_strmap_size(&c->names); i++)
        md_strmap_free(&c->rules[i].allowed);
    md_strmap_free(&c->names);
    free(c->rules);
    free(c->kinds);
    free(c->has_kind);
    free(c->text);
    memset(c, 0, sizeof *c);
}

static md_status bad(md_err *err, const char *path, size_t i, const char *field, const char *why)
{
    return md_err_set(err, MD_INVALID, "%s: features[%zu].%s: %s", path, i, field, why);
}

static md_status read_allowed(const json_t *al, md_contract_rule *r, const char *path, size_t i,
                              md_err *err)
{
    if (!json_is_array(al))
        return bad(err, path, i, "allowed", "expected an array of strings");
    r->has_allowed = true;
    for (size_t k = 0; k < json_array_size(al); k++) {
        const char *s = json_string_value(json_array_get(al, k));
        if (!s)
            return bad(err, path, i, "allowed", "expected an array of strings");
        if (md_strmap_find(&r->allowed, s, strlen(s)) >= 0) /* a slip: one meant another */
            return md_err_set(err, MD_INVALID,
                              "%s: features[%zu].allowed[%zu]: '%s' is listed twice", path, i, k,
                              s);
        md_strmap_intern(&r->allowed, s, strlen(s));
    }
    return MD_OK;
}

static md_status read_rule(const json_t *o, md_contract *c, const char *path, size_t i,
                           md_err *err)
{
    if (!json_is_object(o))
        return md_err_set(err, MD_INVALID, "%s: features[%zu]: expected an object", path, i);
    static const char *const known[] = {"name", "type", "nullable", "min", "max", "allowed"};
    for (void *it = json_object_iter((json_t *)o); it;
         it = json_object_iter_next((json_t *)o, it)) {
        const char *key = json_object_iter_key(it);
        bool ok = false;
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
            ok |= strcmp(key, known[k]) == 0;
        if (!ok) /* a misspelt rule would check nothing */
            return md_err_set(err, MD_INVALID,
                              "%s: features[%zu].%s: unknown key (known: name, type, nullable, "
                              "min, max, allowed)",
                              path, i, key);
    }
    const char *name = json_string_value(json_object_get(o, "name"));
    json_t *ty = json_object_get(o, "type");
    const char *type = json_string_value(ty);
    json_t *nl = json_object_get(o, "nullable"), *mn = json_object_get(o, "min"),
           *mx = json_object_get(o, "max"), *al = json_object_get(o, "allowed");
    if (!name || !*name)
        return bad(err, path, i, "name", "expected the feature's name");
    if (md_strmap_find(&c->names, name, strlen(name)) >= 0)
        return bad(err, path, i, "name", "names a feature already in the contract");
    if (ty && (!type || (strcmp(type, "numeric") != 0 && strcmp(type, "categorical") != 0)))
        return bad(err, path, i, "type", "expected \"numeric\" or \"categorical\"");
    if (nl && !json_is_boolean(nl))
        return bad(err, path, i, "nullable", "expected true or false");
    if ((mn && !json_is_number(mn)) || (mx && !json_is_number(mx)))
        return bad(err, path, i, mn && !json_is_number(mn) ? "min" : "max", "expected a number");
    if (mn && mx && json_number_value(mn) > json_number_value(mx))
        return bad(err, path, i, "min", "is above max");
    size_t k = (size_t)md_strmap_intern(&c->names, name, strlen(name));
    md_contract_rule *r = &c->rules[k];
    md_strmap_init(&r->allowed);
    r->present = true;
    r->nullable = nl ? json_is_true(nl) : true;
    r->has_min = mn != NULL, r->min = json_number_value(mn);
    r->has_max = mx != NULL, r->max = json_number_value(mx);
    c->has_kind[k] = type != NULL || mn || mx || al;
    c->kinds[k] = (type && strcmp(type, "categorical") == 0) || (!type && al) ? MD_CATEGORICAL
                                                                               : MD_NUMERIC;
    if ((mn || mx) && c->kinds[k] == MD_CATEGORICAL)
        return bad(err, path, i, "min", "applies to numeric features only");
    if (al && c->kinds[k] == MD_NUMERIC)
        return bad(err, path, i, "allowed", "applies to categorical features only");
    return al ? read_allowed(al, r, path, i, err) : MD_OK;
}

md_status md_contract_load(const char *path, md_contract *c, md_err *err)
{
    memset(c, 0, sizeof *c);
    md_strmap_init(&c->names);
    json_t *doc;
    if (md_json_load_path(path, &doc, err) != MD_OK)
        return err->code;
    json_t *list = json_is_array(doc) ? doc : json_object_get(doc, "features");
    md_status rc = MD_OK;
    if (!json_is_array(list))
        rc = md_err_set(err, MD_INVALID, "%s: expected {\"features\": [...]} or an array", path);
    for (void *it = json_is_object(doc) ? json_object_iter(doc) : NULL; rc == MD_OK && it;
         it = json_object_iter_next(doc, it))
        if (strcmp(json_object_iter_key(it), "features") != 0)
            rc = md_err_set(err, MD_INVALID, "%s: %s: unknown key (known: features)", path,
                            json_object_iter_key(it));
    size_t n = json_array_size(list);
    c->rules = md_xcalloc(n + 1, sizeof *c->rules);
    c->kinds = md_xcalloc(n + 1, sizeof *c->kinds);
    c->has_kind = md_xcalloc(n + 1, sizeof *c->has_kind);
    for (size_t i = 0; rc == MD_OK && i < n; i++)
        rc = read_rule(json_array_get(list, i), c, path, i, err);
    if (rc == MD_OK)
        c->text = md_json_canonical(doc);
    json_decref(doc);
    if (rc != MD_OK)
        md_contract_free(c);
    return rc;
}
