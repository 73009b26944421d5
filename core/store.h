/* The store: one SQLite file holding the registry, monitoring results, workflows and audit.
 *
 * Why: every face of modeldeck reads and changes this one file, often several operators at once
 * over SSH. WAL mode lets readers run beside a writer; every write is one BEGIN IMMEDIATE
 * transaction with a busy timeout and a retry loop, so concurrent operators wait briefly instead
 * of seeing SQLITE_BUSY. The schema is a list of numbered migrations compiled into the binary and
 * applied through PRAGMA user_version. */
#ifndef MD_STORE_H
#define MD_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "err.h"

typedef struct md_store md_store;

typedef enum {
    MD_OPEN_EXISTING, /* the file must exist and be an initialized store */
    MD_OPEN_CREATE,   /* created 0600 in 0700 directories when absent; may be uninitialized */
} md_open_mode;

typedef struct {
    md_open_mode mode;
    bool read_only; /* per invocation: the connection refuses writes (PRAGMA query_only) */
} md_open_opts;

/* Resolves the store path: `flag` (--db), else $MODELDECK_DB, else
 * $XDG_DATA_HOME/modeldeck/modeldeck.db, else ~/.local/share/modeldeck/modeldeck.db.
 * *source names where it came from. The caller frees *path. */
md_status md_store_resolve_path(const char *flag, char **path, const char **source, md_err *err);

md_status md_store_open(const char *path, const md_open_opts *opts, md_store **out, md_err *err);
void md_store_close(md_store *s);

const char *md_store_path(const md_store *s);
/* What the migrations this open ran recomputed in stored figures, and what to run next, for
 * the user to read ("" when none did); `brief`: in under 80 columns, for a status line. */
const char *md_store_upgrade_note(const md_store *s, bool brief);
const md_clock *md_store_clock(const md_store *s);
/* Current time as stored text ("2026-11-26T06:05:35.123Z"), from the store's clock. */
void md_store_now_text(const md_store *s, char out[MD_TIME_TEXT_MAX]);
int64_t md_store_now_ms(const md_store *s);
/* Fixes the store's clock at `ms` (0: back to the system clock or MODELDECK_NOW), for
 * simulations that replay a history: the demo, and tests. */
void md_store_set_now(md_store *s, int64_t ms);

/* How long a write waits for another writer's lock before it gives up (default 60 s), and who
 * hears of a wait: `waiting` is called with done = false once a write has waited about a
 * tenth of that (what waits can say so), and with done = true and the time waited when the
 * wait ends, taken or not. The console waits 10 s and says so, where a pipeline's ingest may
 * wait its minute. */
typedef void (*md_lock_wait_fn)(void *ctx, bool done, int64_t waited_ms);
void md_store_set_lock_wait(md_store *s, int total_ms, md_lock_wait_fn waiting, void *ctx);

/* The newest schema this binary knows. */
int md_store_latest_schema(void);

/* Store-wide settings, as shown by `modeldeck info`. Strings are owned by the struct. */
typedef struct {
    int schema_version;
    char *store_id;
    char *created_at;
    char *created_by;
    bool allow_user_override;
    bool read_only;
    char *read_only_by;
    char *read_only_at;
    char *read_only_reason;
    char *journal_mode;
} md_store_info;

md_status md_store_get_info(md_store *s, md_store_info *info, md_err *err);
void md_store_info_free(md_store_info *info);

/* True when the store was initialized with --allow-user-override. */
bool md_store_allows_user_override(md_store *s);

/* Monotonic counter that changes when another connection commits (PRAGMA data_version). */
md_status md_store_data_version(md_store *s, int64_t *version, md_err *err);

#endif
