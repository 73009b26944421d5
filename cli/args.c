/* Option parsing for subcommands: "--name value", "--name=value", flags, and "--" to end
 * options. Declarative tables instead of getopt's global state. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
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

/* Handles one "--opt[=value]" at argv[*i]; returns 0 or an exit code. seen: the options taken
 * so far (a value given twice is an error, not the last one silently winning). */
static int take_option(cli_ctx *c, int argc, char **argv, int *i, const cli_opt *opts,
                       uint64_t *seen)
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
    size_t at = (size_t)(o - opts);
    if (at < 64 && (*seen >> at & 1))
        return cli_usage_error(c, "%s given twice", o->name);
    if (at < 64)
        *seen |= 1ULL << at;
    if (eq) {
        *(const char **)o->dest = eq + 1;
    } else if (*i + 1 < argc) {
        *(const char **)o->dest = argv[++*i];
    } else {
        return cli_usage_error(c, "%s needs a value", o->name);
    }
    return 0;
}

/* The usage line's positional arguments from the `from`-th to the `to`-th (upper-case words
 * outside brackets and not an option's value, up to a '|' that starts another form), as
 * "VERSION FILE"; empty when the usage does not spell them. */
static void positional_names(const char *usage, int from, int to, char *out, size_t cap)
{
    int depth = 0, index = 0;
    bool after_option = false;
    size_t len = 0;
    out[0] = '\0';
    for (const char *p = usage ? usage : ""; *p && *p != '|';) {
        while (*p == ' ' || *p == '\n')
            p++;
        const char *w = p;
        while (*p && *p != ' ' && *p != '\n')
            p++;
        size_t n = (size_t)(p - w);
        bool upper = n > 0;
        for (size_t i = 0; i < n; i++) {
            depth += (w[i] == '[') - (w[i] == ']');
            upper &= (w[i] >= 'A' && w[i] <= 'Z') || (w[i] >= '0' && w[i] <= '9') || w[i] == '_';
        }
        if (upper && depth == 0 && !after_option && index++ >= from && index <= to && len < cap)
            len += (size_t)snprintf(out + len, cap - len, "%s%.*s", len ? " " : "", (int)n, w);
        after_option = n > 2 && w[0] == '-' && w[1] == '-';
    }
}

int cli_parse(cli_ctx *c, int argc, char **argv, const cli_opt *opts, const char **pos,
              int min_pos, int max_pos, int *npos)
{
    int n = 0;
    bool options_done = false;
    uint64_t seen = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && strcmp(a, "--") == 0) {
            options_done = true;
        } else if (!options_done && a[0] == '-' && a[1] == '-') {
            int rc = take_option(c, argc, argv, &i, opts, &seen);
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
    if (n < min_pos) {
        char names[128];
        positional_names(c->usage, n, min_pos, names, sizeof names);
        return cli_usage_error(c, "missing argument%s%s%s", min_pos - n > 1 ? "s" : "",
                               names[0] ? ": " : "", names);
    }
    if (npos)
        *npos = n;
    return 0;
}

int cli_int64(cli_ctx *c, const char *what, const char *text, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end || isspace((unsigned char)*text) || (errno && errno != ERANGE))
        return cli_usage_error(c, "%s: '%s' is not a whole number", what, text);
    if (errno == ERANGE)
        return cli_usage_error(c, "%s: '%s' is out of range", what, text);
    *out = v;
    return 0;
}

int cli_id(cli_ctx *c, const char *text, int64_t *id)
{
    int rc = cli_int64(c, "ID", text[0] == '#' ? text + 1 : text, id);
    return !rc && *id <= 0 ? cli_usage_error(c, "ID: ids start at 1") : rc;
}

int cli_version(cli_ctx *c, const char *text, int64_t *n)
{
    if (text[0] == 'v' || text[0] == 'V')
        text++;
    int rc = cli_int64(c, "VERSION", text, n);
    return !rc && *n <= 0 ? cli_usage_error(c, "VERSION: version numbers start at 1") : rc;
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
