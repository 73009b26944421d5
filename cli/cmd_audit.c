/* audit list|verify|export */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"
#include "clock.h"
#include "json.h"
#include "mem.h"

typedef struct {
    bool json;
    json_t *array;
    cli_table *table;
} list_state;

static md_status list_row(const md_audit_row *r, void *ctx, md_err *err)
{
    (void)err;
    list_state *ls = ctx;
    if (ls->json) {
        json_array_append_new(ls->array, md_audit_row_json(r));
        return MD_OK;
    }
    char seq[24];
    snprintf(seq, sizeof seq, "%lld", (long long)r->seq);
    const char *row[] = {seq, r->at, r->actor, r->action, r->object, r->reason};
    cli_table_row(ls->table, row);
    return MD_OK;
}

static int audit_list(cli_ctx *c, int argc, char **argv)
{
    const char *limit = NULL, *since = NULL;
    md_audit_filter f = {.newest_first = true, .limit = 50};
    const cli_opt opts[] = {{"--limit", CLI_STR, &limit},   {"--actor", CLI_STR, &f.actor},
                            {"--action", CLI_STR, &f.action}, {"--object", CLI_STR, &f.object},
                            {"--since", CLI_STR, &since},   {0}};
    int rc = cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL);
    if (rc || (limit && (rc = cli_int64(c, "--limit", limit, &f.limit))))
        return rc;
    int64_t ms;
    char since_text[MD_TIME_TEXT_MAX];
    md_err err;
    if (since && md_time_parse(since, &ms, &err) != MD_OK)
        return cli_usage_error(c, "--since: %s", err.msg);
    if (since) {
        md_time_format(ms, since_text);
        f.since = since_text;
    }
    if ((rc = cli_open(c)) != 0)
        return rc;
    static const char *const head[] = {"SEQ", "AT", "ACTOR", "ACTION", "OBJECT", "REASON"};
    list_state ls = {c->json, c->json ? json_array() : NULL,
                     c->json ? NULL : cli_table_new(6, head)};
    if (ls.table) {
        cli_table_max_width(ls.table, 5, 40);
        cli_table_shrink(ls.table, 5, 10, false);
        cli_table_shrink(ls.table, 4, 14, true);
    }
    rc = md_audit_each(c->store, &f, list_row, &ls, &err) == MD_OK ? 0 : cli_fail(c, &err);
    if (!rc && c->json)
        cli_print_json(ls.array);
    else if (!rc)
        cli_table_print(ls.table);
    else
        json_decref(ls.array);
    cli_table_free(ls.table);
    return rc;
}

static int audit_verify(cli_ctx *c, int argc, char **argv)
{
    int rc = cli_parse(c, argc, argv, NULL, NULL, 0, 0, NULL);
    if (rc || (rc = cli_open(c)) != 0)
        return rc;
    md_audit_verdict v;
    md_err err;
    if (md_audit_verify(c->store, &v, &err) != MD_OK)
        return cli_fail(c, &err);
    if (c->json) {
        json_t *o = json_pack("{s:b, s:I, s:s, s:b}", "ok", v.ok, "rows", (json_int_t)v.rows,
                              "head", v.head, "triggers_intact", v.triggers_intact);
        json_object_set_new(o, "first_broken", v.bad_seq ? json_integer(v.bad_seq) : json_null());
        json_object_set_new(o, "problem", v.ok ? json_null() : json_string(v.problem));
        cli_print_json(o);
    } else if (v.ok) {
        printf("audit chain verified: %lld rows, head %.16s...\n", (long long)v.rows, v.head);
    }
    if (!v.ok)
        fprintf(stderr, "modeldeck: audit verify: chain broken: %s\n", v.problem);
    return v.ok ? 0 : 1;
}

typedef struct {
    FILE *out;
} export_state;

static md_status export_row(const md_audit_row *r, void *ctx, md_err *err)
{
    export_state *es = ctx;
    json_t *o = md_audit_row_json(r);
    char *line = md_json_dump(o, MD_JSON_COMPACT);
    json_decref(o);
    int rc = fputs(line, es->out);
    free(line);
    if (rc == EOF || fputc('\n', es->out) == EOF)
        return md_err_set(err, MD_ERROR, "cannot write the export: %s", strerror(errno));
    return MD_OK;
}

/* Writes to a temporary file beside `path` and renames it into place, so that an interrupted
 * export never leaves a partial file under the final name. */
static int export_to_file(cli_ctx *c, const md_audit_filter *f, const char *path)
{
    md_err err;
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        md_err_set(&err, MD_ERROR, "--output: %s exists and is not a regular file", path);
        return cli_fail(c, &err);
    }
    char *tmp = md_xasprintf("%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        md_err_set(&err, MD_ERROR, "cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        return cli_fail(c, &err);
    }
    export_state es = {fdopen(fd, "w")};
    md_status rc = md_audit_each(c->store, f, export_row, &es, &err);
    if (fflush(es.out) != 0 || fsync(fd) != 0)
        rc = rc ? rc : md_err_set(&err, MD_ERROR, "cannot write %s: %s", tmp, strerror(errno));
    fclose(es.out);
    if (rc == MD_OK && rename(tmp, path) != 0)
        rc = md_err_set(&err, MD_ERROR, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    if (rc != MD_OK)
        unlink(tmp);
    free(tmp);
    return rc == MD_OK ? 0 : cli_fail(c, &err);
}

static int audit_export(cli_ctx *c, int argc, char **argv)
{
    const char *after = NULL, *output = NULL;
    md_audit_filter f = {0};
    const cli_opt opts[] = {{"--after-seq", CLI_STR, &after}, {"--output", CLI_STR, &output}, {0}};
    int rc = cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL);
    if (rc || (after && (rc = cli_int64(c, "--after-seq", after, &f.after_seq))))
        return rc;
    if ((rc = cli_open(c)) != 0)
        return rc;
    md_err err;
    if (md_authz_role(c->store, &c->actor, MD_PERM_EXPORT, &err) != MD_OK)
        return cli_fail(c, &err);
    if (output)
        return export_to_file(c, &f, output);
    export_state es = {stdout};
    if (md_audit_each(c->store, &f, export_row, &es, &err) != MD_OK)
        return cli_fail(c, &err);
    return 0; /* main reports a failed flush */
}

int cmd_audit(cli_ctx *c, int argc, char **argv)
{
    static const cli_command subs[] = {
        {"list", audit_list, "the newest audit rows",
         "audit list [--limit N] [--actor U] [--action A] [--object O] [--since T]"},
        {"verify", audit_verify, "recompute the hash chain", "audit verify"},
        {"export", audit_export, "every row as JSON Lines (analyst)",
         "audit export [--after-seq N] [--output FILE]"},
        {NULL, NULL, NULL, NULL}};
    return cli_dispatch(c, "audit", subs, argc, argv);
}
