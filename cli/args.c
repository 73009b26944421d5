/* Option parsing for subcommands: "--name value", "--name=value", flags, and "--" to end
 * options. Declarative tables instead of getopt's global state. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt *find_opt(const cli_opt *opts, const char *arg, size_t len)
{
    for (const cli_opt *o = opts; o && o->name; o++)
        if (strlen(o->name) == len && strncmp(o->name, arg, len) == 0)
            return o;
    return NULL;
}

/* Handles one "--opt[=value]" at argv[*i]; returns 0 or an exit code. */
static int take_option(cli_ctx *c, int argc, char **argv, int *i, const cli_opt *opts)
{
    const char *arg = argv[*i];
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const cli_opt *o = find_opt(opts, arg, len);
    if (!o)
        return cli_usage_error(c, "unknown option '%.*s'", (int)len, arg);
    if (o->kind == CLI_FLAG) {
        if (eq)
            return cli_usage_error(c, "%s takes no value", o->name);
        *(bool *)o->dest = true;
        return 0;
    }
    if (eq) {
        *(const char **)o->dest = eq + 1;
    } else if (*i + 1 < argc) {
        *(const char **)o->dest = argv[++*i];
    } else {
        return cli_usage_error(c, "%s needs a value", o->name);
    }
    return 0;
}

int cli_parse(cli_ctx *c, int argc, char **argv, const cli_opt *opts, const char **pos,
              int min_pos, int max_pos, int *npos)
{
    int n = 0;
    bool options_done = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && strcmp(a, "--") == 0) {
            options_done = true;
        } else if (!options_done && a[0] == '-' && a[1] == '-') {
            int rc = take_option(c, argc, argv, &i, opts);
            if (rc)
                return rc;
        } else if (!options_done && a[0] == '-' && a[1] != '\0' && !isdigit((unsigned char)a[1])) {
            return cli_usage_error(c, "unknown option '%s'", a);
        } else if (n < max_pos) {
            pos[n++] = a;
        } else {
            return cli_usage_error(c, "unexpected argument '%s'", a);
        }
    }
    if (n < min_pos)
        return cli_usage_error(c, "missing argument%s", min_pos - n > 1 ? "s" : "");
    if (npos)
        *npos = n;
    return 0;
}

int cli_int64(cli_ctx *c, const char *what, const char *text, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end || errno)
        return cli_usage_error(c, "%s: '%s' is not a whole number", what, text);
    *out = v;
    return 0;
}

int cli_id(cli_ctx *c, const char *text, int64_t *id)
{
    int rc = cli_int64(c, "ID", text[0] == '#' ? text + 1 : text, id);
    return !rc && *id <= 0 ? cli_usage_error(c, "ID: ids start at 1") : rc;
}

int cli_double(cli_ctx *c, const char *what, const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (!*text || *end || errno || !isfinite(v))
        return cli_usage_error(c, "%s: '%s' is not a number", what, text);
    *out = v;
    return 0;
}
