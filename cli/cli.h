/* The headless face: argument parsing, text and --json output, exit codes.
 *
 * Why: every action the console offers is also a subcommand, so pipelines feed modeldeck and
 * scripts gate on it. Commands only parse, call core, and print; the exit code is the core's
 * md_status (0 ok, 1 error, 2 usage, 3 refused, 4 not found). */
#ifndef MD_CLI_H
#define MD_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "authz.h"
#include "err.h"
#include "store.h"

typedef struct {
    const char *db_flag; /* --db */
    bool json;           /* --json */
    bool read_only;      /* --read-only */
    bool help;           /* --help anywhere */
    const char *cmd;     /* "model add", for messages */
    const char *usage;   /* the current command's usage text */
    md_store *store;     /* open once a command asks for it */
    md_actor actor;
    char cmd_buf[64];
} cli_ctx;

/* ---- options ----------------------------------------------------------------------------- */

typedef enum { CLI_FLAG, CLI_STR } cli_opt_kind;

typedef struct {
    const char *name; /* "--use-case" */
    cli_opt_kind kind;
    void *dest; /* bool * for CLI_FLAG, const char ** for CLI_STR */
} cli_opt;

/* Parses argv (after the command words) against `opts`; positional arguments go to pos[].
 * Returns 0, or an exit code after printing the error and the usage line. */
int cli_parse(cli_ctx *c, int argc, char **argv, const cli_opt *opts, const char **pos,
              int min_pos, int max_pos, int *npos);

/* Number parsing for option values; print a usage error and return 2 when malformed. */
int cli_int64(cli_ctx *c, const char *what, const char *text, int64_t *out);
int cli_double(cli_ctx *c, const char *what, const char *text, double *out);
/* An incident, request, job or proposal id: "12" or "#12", at least 1. */
int cli_id(cli_ctx *c, const char *text, int64_t *id);
/* A version number, "3" or "v3" (usage error otherwise). */
int cli_version(cli_ctx *c, const char *text, int64_t *n);

/* ---- store and identity -------------------------------------------------------------------- */

/* Opens the store for the current invocation and resolves the actor. */
int cli_open(cli_ctx *c);
/* 0 when MODEL is NULL or a model of the open store; else the failure, printed (not found:
 * exit 4), so that a mistyped --model filter is no empty list that reads as all clear. */
int cli_known_model(cli_ctx *c, const char *model);
void cli_close(cli_ctx *c);

/* ---- output ------------------------------------------------------------------------------ */

/* Prints "modeldeck: <cmd>: <message>" on stderr and returns the exit code for err. */
int cli_fail(cli_ctx *c, const md_err *err);
/* A usage error (exit 2) with the command's usage line. */
int cli_usage_error(cli_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints one JSON document on stdout and takes ownership of v. Returns 0. */
int cli_print_json(json_t *v);
/* Prints the usage text of the current command on stdout. */
int cli_print_help(cli_ctx *c);

/* Terminal-safe text of a data string (see md_text_sanitize); the caller frees. */
char *cli_safe(const char *s);

/* A plain text table: columns sized to their content by display width. */
typedef struct cli_table cli_table;
cli_table *cli_table_new(int ncols, const char *const *headers);
/* Adds a row of ncols strings; NULL prints as "-"; each cell is sanitized, long cells are cut
 * to `max` display columns (0: no limit) for that column. */
void cli_table_row(cli_table *t, const char *const *cells);
void cli_table_max_width(cli_table *t, int col, int max);
/* Printed to a terminal narrower than the table, it gives way: optional columns whose every
 * cell is "-" or "0" are left out, the gaps narrow to one space, shrinkable columns are cut
 * toward their minimum (at the end, or in the middle with keep_ends), and optional columns are
 * left out, lowest rank first, until it fits; a last line names the columns left out. Output
 * to a pipe or a file is never fitted. */
void cli_table_shrink(cli_table *t, int col, int min, bool keep_ends);
void cli_table_optional(cli_table *t, int col, int rank);
/* The last column wrapped onto more lines, aligned under it, down to `min` columns wide,
 * rather than cut (text read whole: a reason). */
void cli_table_wrap(cli_table *t, int col, int min);
void cli_table_print(cli_table *t);
void cli_table_free(cli_table *t);

/* Text (sanitized already) wrapped at the terminal's width, the lines after the first
 * indented; whole when piped. */
void cli_print_wrapped(const char *text, int indent);

/* "key  value" lines with aligned keys; value sanitized. */
/* v printed with fmt into buf, or NULL when v is not a number (a table's "-"). */
char *cli_num(json_t *v, const char *fmt, char *buf, size_t cap);

void cli_kv(const char *key, const char *value);

/* ---- commands ---------------------------------------------------------------------------- */

typedef int (*cli_handler)(cli_ctx *c, int argc, char **argv);

typedef struct {
    const char *name;
    cli_handler run;
    const char *summary;
    const char *usage;
} cli_command;

/* Dispatches argv[0] among `subs` (a group such as "model"); prints the group help on none. */
int cli_dispatch(cli_ctx *c, const char *group, const cli_command *subs, int argc, char **argv);

int cmd_init(cli_ctx *c, int argc, char **argv);
int cmd_info(cli_ctx *c, int argc, char **argv);
int cmd_store(cli_ctx *c, int argc, char **argv);
int cmd_user(cli_ctx *c, int argc, char **argv);
int cmd_model(cli_ctx *c, int argc, char **argv);
int cmd_version(cli_ctx *c, int argc, char **argv);
int cmd_audit(cli_ctx *c, int argc, char **argv);
int cmd_baseline(cli_ctx *c, int argc, char **argv);
int cmd_ingest(cli_ctx *c, int argc, char **argv);
int cmd_drift(cli_ctx *c, int argc, char **argv);
int cmd_calibration(cli_ctx *c, int argc, char **argv);
int cmd_policy(cli_ctx *c, int argc, char **argv);
int cmd_incidents(cli_ctx *c, int argc, char **argv);
int cmd_evaluate(cli_ctx *c, int argc, char **argv);
int cmd_promote(cli_ctx *c, int argc, char **argv);
int cmd_approve(cli_ctx *c, int argc, char **argv);
int cmd_reject(cli_ctx *c, int argc, char **argv);
int cmd_withdraw(cli_ctx *c, int argc, char **argv);
int cmd_requests(cli_ctx *c, int argc, char **argv);
int cmd_compare(cli_ctx *c, int argc, char **argv);
int cmd_rollback(cli_ctx *c, int argc, char **argv);
int cmd_retrain(cli_ctx *c, int argc, char **argv);
int cmd_jobs(cli_ctx *c, int argc, char **argv);
int cmd_proposals(cli_ctx *c, int argc, char **argv);
int cmd_scorecard(cli_ctx *c, int argc, char **argv);
int cmd_job_supervisor(cli_ctx *c, int argc, char **argv);
int cmd_demo(cli_ctx *c, int argc, char **argv);
int cmd_console(cli_ctx *c, int argc, char **argv);

#endif
