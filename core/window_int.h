/* The insides of core/window.c that core/window_merge.c shares; no other caller. */
#ifndef MD_WINDOW_INT_H
#define MD_WINDOW_INT_H

#include <stddef.h>
#include <stdint.h>

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

/* s's summaries into d's (either window summarized first), as stored parts join: d's AUC is
 * then the joined summary's. */
void md_window_join_summaries(md_window *d, md_window *s);

#endif
