/* The monitoring tests' fixture, shared by the suites that build baselines and ingest logs
 * (check_monitor.c, check_baseline.c, check_parallel.c, check_badinput.c and others). */
#ifndef MD_TEST_MONITORING_H
#define MD_TEST_MONITORING_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>

#include "ingest.h"
#include "json.h"
#include "store.h"

extern md_actor mon_op;  /* the operator mon_store makes */
extern uint64_t mon_rng; /* mon_unif's state; set it to repeat a sequence */

/* Writes text to a file under the test's directory; returns its path. */
const char *mon_write_file(const char *name, const char *text);
/* Uniform in [0, 1). */
double mon_unif(void);
/* Rows "ts,score,label,x,n,ch": x continuous, n integer-valued, ch a category. `shift` moves x,
 * `extra_cat` adds a category never seen in the baseline. */
char *mon_rows_csv(int n, int days, double shift, bool extra_cat, bool header);
/* Where line `n` + 1 of text starts: just after its n-th newline. */
char *mon_after_lines(char *text, int n);
/* A store with model churn, version 1 and a baseline of 3,000 generated rows. */
md_store *mon_store(void);
/* Adds version 2 of churn, for a baseline of its own. */
void mon_add_version_2(md_store *s);
/* Adds version 2 of churn with a baseline built from `text` (a CSV file's content). */
void mon_baseline_v2(md_store *s, const char *text);
/* Ingests path into churn v1 with the given options (NULL: defaults). */
md_status mon_ingest(md_store *s, const char *path, const md_ingest_opts *extra,
                     md_ingest_report *rep, md_err *err);
/* Equal JSON, numbers within 1e-12 (sums of the same values in another order). */
bool mon_close_json(const json_t *a, const json_t *b, char *where, size_t cap);
/* The two stores' drift and calibration of churn v1 agree (mon_close_json). */
void mon_expect_same_results(md_store *a, md_store *b);
/* Copies the store file (with its baseline and no windows) for a second run. */
md_store *mon_clone_store(md_store *s, const char *name);
/* The profile of `version` as JSON, without where and when it was made. */
json_t *mon_profile_of(md_store *s, int64_t version);

#endif
