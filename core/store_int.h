/* The store's insides, shared by core/store.c (opening, migrating, transactions, settings) and
 * core/sql.c (statements: binding, stepping, the kept-statement cache). */
#ifndef MD_STORE_INT_H
#define MD_STORE_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "store.h"

/* A statement md_sql_run or md_sql_int prepared, kept for the next call with the same SQL: a
 * command that writes hundreds of rows (an ingest's windows, their drift rows, the incidents'
 * evidence) parses each of its statements once, not once a row. */
typedef struct {
    const char *sql; /* the caller's text, as a quick first check ... */
    char *text;      /* ... and a copy of it, which decides */
    sqlite3_stmt *st;
    bool busy;
} kept_stmt;

#define KEPT_MAX 48

struct md_store {
    sqlite3 *db;
    char *path;
    md_clock clock;
    bool in_tx;
    bool created;           /* this open created the file */
    char upgrade_note[512]; /* what this open's migrations recomputed, for the user ("" none) */
    char upgrade_brief[96]; /* the same in a status line's width */
    /* the migrations this open applied that recomputed figures, and the rows each changed */
    int recomputed_by[8], recomputed[8];
    int nrecomputed;
    int64_t sim_now;        /* a replayed clock (md_store_set_now), 0 when none */
    int lock_wait_ms;       /* md_store_set_lock_wait: 0 for BUSY_TOTAL_MS */
    md_lock_wait_fn waiting;
    void *waiting_ctx;
    kept_stmt kept[KEPT_MAX];
    size_t nkept;
    pthread_mutex_t kept_lock; /* a job's cancel watch reads the store from its own thread */
};

/* How long a writer keeps trying to get the write lock before giving up (busy handler waits up
 * to BUSY_TIMEOUT_MS per attempt; the loop retries until BUSY_TOTAL_MS). */
#define BUSY_TIMEOUT_MS 5000
#define BUSY_TOTAL_MS   60000

#endif
