/* modeldeck's entry point: global flags, the command table, help. */
#include <errno.h>
#include <locale.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "models.h"
#include "mem.h"

/* X(name, handler, summary, usage) -- one table for dispatch and for help. */
#define CLI_COMMANDS(X)                                                                            \
    X("init", cmd_init, "create a store (you become its admin)", "init [--allow-user-override]")   \
    X("info", cmd_info, "paths, schema, identity and roles in use", "info")                        \
    X("user", cmd_user, "users and roles", "user add|list|grant|revoke ...")                       \
    X("model", cmd_model, "register, list, show and edit models", "model add|list|show|edit ...")  \
    X("version", cmd_version, "register, list, show and mark versions",                            \
      "version add|list|show|mark ...")                                                            \
    X("baseline", cmd_baseline, "build or show a version's baseline profile",                      \
      "baseline [build] MODEL VERSION FILE [flags] | baseline show MODEL [VERSION]")               \
    X("ingest", cmd_ingest, "stream a scoring log into windows",                                   \
      "ingest MODEL VERSION FILE [--window day|hour] [--format csv|jsonl] [--ts-col C]\n"          \
      "                   [--id-col C] [--score-col C] [--label-col C] [--latency-col C]\n"        \
      "                   [--max-bad-rows N] [--replace] [--replace-ingest ID[,ID]]")              \
    X("drift", cmd_drift, "drift per feature and window",                                          \
      "drift MODEL [VERSION] [--window W] [--alerts]")                                             \
    X("calibration", cmd_calibration, "performance and calibration per window",                    \
      "calibration MODEL [VERSION] [--window W]")                                                  \
    X("incidents", cmd_incidents, "the incident queue and its lifecycle",                          \
      "incidents list|show|ack|assign|snooze|resolve|note ...")                                    \
    X("evaluate", cmd_evaluate, "run the incident rules over stored windows", "evaluate [MODEL]")  \
    X("promote", cmd_promote, "request a promotion (operator)",                                    \
      "promote MODEL VERSION --to staging|production --reason R")                                  \
    X("approve", cmd_approve, "approve a promotion request (approver)",                            \
      "approve ID [--comment C] [--override-gate NAME[,NAME] --reason R]")                         \
    X("reject", cmd_reject, "reject a promotion request (approver)", "reject ID --comment C")      \
    X("withdraw", cmd_withdraw, "withdraw your pending promotion request (or any, as admin)",      \
      "withdraw ID --reason R")                                                                    \
    X("requests", cmd_requests, "promotion requests", "requests list|show ...")                    \
    X("compare", cmd_compare, "a candidate beside the champion", "compare MODEL [A B]")            \
    X("rollback", cmd_rollback, "back to the last good version (operator)",                        \
      "rollback MODEL [--to VERSION | --fallback rules|suppress] --reason R")                      \
    X("retrain", cmd_retrain, "queue a retrain with the policy's backend (operator)",              \
      "retrain MODEL --reason R [--wait]")                                                         \
    X("jobs", cmd_jobs, "retrain jobs", "jobs list|show|cancel ...")                               \
    X("proposals", cmd_proposals, "retrain proposals from the retrain rule",                       \
      "proposals list|accept|dismiss ...")                                                         \
    X("scorecard", cmd_scorecard, "the MLOps scorecard", "scorecard [MODEL] [--days N]")           \
    X("policy", cmd_policy, "thresholds, gates, approvals, retrain backend",                       \
      "policy show [MODEL] | policy set MODEL FILE")                                               \
    X("console", cmd_console, "the console (also: modeldeck with no command)",                     \
      "console [--theme NAME] [--ascii] [--no-color] [--mouse] [--command CMD]")                   \
    X("demo", cmd_demo, "build a demo portfolio in a new store", "demo [--seed N]")                \
    X("audit", cmd_audit, "the hash-chained audit trail", "audit list|verify|export ...")          \
    X("store", cmd_store, "store-wide settings", "store read-only on|off --reason R")

static const cli_command commands[] = {
#define MD_X(name, fn, summary, usage) {name, fn, summary, usage},
    CLI_COMMANDS(MD_X)
#undef MD_X
    {NULL, NULL, NULL, NULL}};

static void print_main_help(void)
{
    printf("modeldeck %s - an operations console for machine-learning models in production\n\n"
           "usage: modeldeck [--db PATH] [--json] [--read-only] COMMAND [ARGS]\n\n"
           "Commands:\n",
           MD_VERSION);
    for (const cli_command *c = commands; c->name; c++)
        printf("  %-12s %s\n", c->name, c->summary);
    printf("\nGlobal flags, accepted before or after the command:\n"
           "  --db PATH     the store (else $MODELDECK_DB, else\n"
           "                $XDG_DATA_HOME/modeldeck/modeldeck.db)\n"
           "  --json        print one JSON document on stdout\n"
           "  --read-only   refuse every change in this invocation\n"
           "  --help, -h    help for modeldeck or for a command\n"
           "  --version     print the version\n\n"
           "Exit codes: 0 ok, 1 error, 2 usage, 3 refused (role, policy, read-only), 4 not "
           "found.\n"
           "Identity is the OS user; 'modeldeck info' shows who you are and what you may do.\n");
}

/* Takes the global flags out of argv wherever they stand; returns the new argc, or -1 (--db
 * without a path) or -2 (--db given twice). */
static int strip_globals(cli_ctx *c, int argc, char **argv, bool *version)
{
    int out = 0;
    bool done = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (done || a[0] != '-') {
            argv[out++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            done = true;
            argv[out++] = argv[i];
        } else if (strcmp(a, "--json") == 0) {
            c->json = true;
        } else if (strcmp(a, "--read-only") == 0) {
            c->read_only = true;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            c->help = true;
        } else if (strcmp(a, "--version") == 0) {
            *version = true;
        } else if (strncmp(a, "--db=", 5) == 0 || strcmp(a, "--db") == 0) {
            if (c->db_flag) /* two stores named: which one was meant cannot be told */
                return -2;
            if (a[4] != '=' && i + 1 >= argc)
                return -1;
            c->db_flag = a[4] == '=' ? a + 5 : argv[++i];
        } else {
            argv[out++] = argv[i];
        }
    }
    return out;
}

int cli_dispatch(cli_ctx *c, const char *group, const cli_command *subs, int argc, char **argv)
{
    const cli_command *sub = NULL;
    for (const cli_command *s = subs; argc > 0 && s->name; s++)
        if (strcmp(s->name, argv[0]) == 0)
            sub = s;
    if (!sub) {
        bool asked = argc == 0 && c->help;
        FILE *f = asked ? stdout : stderr;
        if (argc > 0)
            fprintf(f, "modeldeck: %s: unknown subcommand '%s'\n", group, argv[0]);
        fprintf(f, "usage:\n");
        for (const cli_command *s = subs; s->name; s++)
            fprintf(f, "  modeldeck %s\n", s->usage);
        return asked ? 0 : MD_INVALID;
    }
    snprintf(c->cmd_buf, sizeof c->cmd_buf, "%s %s", group, sub->name);
    c->cmd = c->cmd_buf;
    c->usage = sub->usage;
    if (c->help)
        return cli_print_help(c);
    return sub->run(c, argc - 1, argv + 1);
}

int cli_known_model(cli_ctx *c, const char *model)
{
    if (!model)
        return 0;
    md_model m;
    md_err err;
    if (md_model_get(c->store, model, &m, &err) != MD_OK)
        return cli_fail(c, &err);
    md_model_free(&m);
    return 0;
}

int cli_open(cli_ctx *c)
{
    md_err err;
    char *path = NULL;
    const char *source;
    md_open_opts opts = {.mode = MD_OPEN_EXISTING, .read_only = c->read_only};
    if (md_store_resolve_path(c->db_flag, &path, &source, &err) != MD_OK)
        return cli_fail(c, &err);
    md_status rc = md_store_open(path, &opts, &c->store, &err);
    free(path);
    if (rc == MD_OK && md_store_upgrade_note(c->store, false)[0])
        fprintf(stderr, "modeldeck: %s\n", md_store_upgrade_note(c->store, false));
    if (rc == MD_OK)
        rc = md_actor_resolve(c->store, c->read_only, &c->actor, &err);
    return rc == MD_OK ? 0 : cli_fail(c, &err);
}

void cli_close(cli_ctx *c)
{
    md_store_close(c->store);
    c->store = NULL;
}

/* Output that could not be written is a failure, said on stderr (a full disk, a closed pipe). */
static int cli_finish_output(cli_ctx *c, int rc)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return rc;
    fprintf(stderr, "modeldeck: %s: cannot write the output: %s\n", c->cmd ? c->cmd : "output",
            strerror(errno));
    return rc ? rc : MD_ERROR;
}

int main(int argc, char **argv)
{
    /* Large buffers (key runs, window counters) come and go during an ingest; a fixed mmap
     * threshold hands them back to the system instead of letting the heap keep the peak. */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C"); /* numbers in and out are always written with '.' */
    cli_ctx c = {0};
    bool version = false;
    argc = strip_globals(&c, argc - 1, argv + 1, &version);
    argv++;
    if (argc < 0) {
        fputs(argc == -1 ? "modeldeck: --db needs a path\n" : "modeldeck: --db given twice\n",
              stderr);
        return MD_INVALID;
    }
    if (version) {
        printf("modeldeck %s\n", MD_VERSION);
        return 0;
    }
    if (argc == 0 && !c.help) { /* no command: the console */
        static char console[] = "console";
        static char *only[] = {console, NULL};
        argv = only;
        argc = 1;
    }
    if (argc == 0 || strcmp(argv[0], "help") == 0) {
        if (argc > 1) { /* "modeldeck help model" */
            c.help = true;
            argv++;
            argc--;
        } else {
            print_main_help();
            return argc == 0 && !c.help ? MD_INVALID : 0;
        }
    }
    if (strcmp(argv[0], "__job") == 0) { /* the detached supervisor of a retrain job */
        c.cmd = "job";
        c.usage = "__job ID";
        int rc = cmd_job_supervisor(&c, argc - 1, argv + 1);
        cli_close(&c);
        return rc;
    }
    for (const cli_command *cmd = commands; cmd->name; cmd++) {
        if (strcmp(cmd->name, argv[0]) != 0)
            continue;
        c.cmd = cmd->name;
        c.usage = cmd->usage;
        int rc = cmd->run(&c, argc - 1, argv + 1);
        cli_close(&c);
        return cli_finish_output(&c, rc);
    }
    fprintf(stderr, "modeldeck: unknown command '%s'\nTry 'modeldeck --help'.\n", argv[0]);
    return MD_INVALID;
}
