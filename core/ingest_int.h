/* An ingest's insides, shared by core/ingest.c (the pass, the windows, the transaction) and
 * core/ingest_replace.c (the earlier ingests this file holds the rows of, refused or replaced). */
#ifndef MD_INGEST_INT_H
#define MD_INGEST_INT_H

#include <string.h>

#include "incidents.h"
#include "ingest.h"
#include "pass.h"
#include "policies.h"
#include "profile.h"
#include "strmap.h"
#include "window.h"

typedef struct {
    md_store *s;
    const md_ingest_opts *o;
    md_baseline b;
    md_policy policy;
    md_drift_policy pol;
    const char *model, *actor;
    int64_t model_id, number;
    bool production;
    md_incident_tally tally;
    md_model_limits lim;
    md_pass_result pass;
    md_ingest_report *rep;
    /* per fresh window, made beside one another, PRECOMPUTE_WINDOWS at a time (the first ones
     * before the transaction): its stored state and its numbers as they stand when no other
     * ingest has rows in it */
    md_wbuf *blobs;
    md_window_result *results;
    size_t from, until; /* the windows made last */
    md_strmap fresh; /* the fresh windows' keys, by their position in pass.w */
} ingest;

/* Window keys, each once, in the order first added (md_strmap: index = order). */
typedef md_strmap keyset;

static inline bool key_has(const keyset *k, const char *key)
{
    return md_strmap_find(k, key, strlen(key)) >= 0;
}

static inline void key_add(keyset *k, const char *key)
{
    md_strmap_intern(k, key, strlen(key));
}

/* In the ingest's transaction: the earlier ingest of the same content is refused, unless
 * --replace; the earlier ingests whose rows this file holds are refused or, with --replace,
 * taken out (their windows into *affected and *replaced, to be recomputed). */
md_status md_ingest_drop_previous(ingest *g, int64_t vid, const char *path, const char *abs,
                                  keyset *affected, keyset *replaced, md_err *err);
/* Stores the row sample of ingest id, thinning the pass's own to what an ingest keeps (after
 * md_ingest_drop_previous, which compares at its full size). */
md_status md_ingest_keep_sample(ingest *g, int64_t id, md_err *err);

#endif
