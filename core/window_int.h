/* The insides of core/window.c that core/window_merge.c and core/window_values.c share; no
 * other caller. */
#ifndef MD_WINDOW_INT_H
#define MD_WINDOW_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blob.h"
#include "window.h"

/* The over-SLA knowledge of two sets of rows taken together. */
void md_window_over_join(md_window *w, md_over_state state, int64_t sla_ms, int64_t over);

/* How many distinct values a stream (0: pairs, 1: latencies) of the window's keys holds, when
 * they are all in memory and sorted; else SIZE_MAX. */
size_t md_window_keys_distinct(const md_window *w, int stream);

/* Turns a fresh window's values into summaries (distinct: of pairs and latencies, as
 * md_window_keys_distinct counts them, or SIZE_MAX), its AUC kept exactly while nothing joins
 * them, and frees the values. */
void md_window_summarize_known(md_window *w, size_t distinct_pairs, size_t distinct_lat);

/* Distinct scores among d's and s's pair keys taken together, when both hold sorted millionths
 * keys (never spilled), or MD_EXACT_DISTINCT_MAX + 1 when either holds more than that many
 * (how many more matters to no one: a histogram takes them); else SIZE_MAX. */
size_t md_window_pairs_distinct_with(md_window *d, md_window *s);

/* md_window_summarize_known of d, its scores read together with s's (s not NULL: both windows'
 * keys as md_window_pairs_distinct_with takes them, distinct_pairs counting both), s's pair keys
 * freed too: d's summary and AUC are then those of both windows' scores. */
void md_window_summarize_with(md_window *d, md_window *s, size_t distinct_pairs,
                              size_t distinct_lat);

/* s's summaries into d's (either window summarized first), as stored parts join: d's AUC is
 * then the joined summary's. */
void md_window_join_summaries(md_window *d, md_window *s);

/* core/window_values.c: a summary (exact: distinct ascending values with two counts each;
 * else a histogram, scores over [0, 1] in MD_SCORE_HIST_BINS, latencies log-spaced) freed;
 * src's joined into dst's (src is left to free); written into and read from a stored part in
 * the part's format. */
void md_vsum_free(md_vsum *s);
void md_vsum_merge(md_vsum *dst, md_vsum *src, bool latency);
void md_vsum_write(md_wbuf *o, const md_vsum *s, bool latency, uint64_t format);
void md_vsum_read(md_rbuf *in, md_vsum *s, bool latency, uint64_t format);
/* A latency's histogram bin, and the value a bin stands for. */
size_t md_lat_hist_bin(double v);
double md_lat_hist_value(size_t i);
/* The summary of a fresh window's values of one stream (0: scores, 1: latencies), leaving the
 * values; and the exact AUC over its labeled rows' keys (*ok: both classes present). */
void md_window_summary_of(md_vsum *s, md_window *w, int stream);
double md_window_auc_exact(md_window *w, bool *ok);

#endif
