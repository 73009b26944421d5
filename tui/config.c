/* The console's config file: $XDG_CONFIG_HOME/modeldeck/config (else ~/.config/...).
 *
 *   # comments and blank lines are ignored
 *   theme = light
 *   mouse = off
 *   refresh = 2          # seconds between checks for changes by others (1-60)
 *   model = churn        # the model the drift and calibration screens open on
 *   cursor = name        # the cursor bar: over the row's name (least output), or the row
 *   bind.ack = A         # any action of the help screen, to a key
 *
 * A bad line is named (file, line, key) and skipped; the rest applies. A setting given twice
 * takes the later value, and a binding may take a key from another action: both apply, and are
 * named too, as is an action left without a key (tui_keymap_problems). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *tui_config_path(void)
{
    static char path[512];
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(path, sizeof path, "%s/modeldeck/config", xdg);
    else
        snprintf(path, sizeof path, "%s/.config/modeldeck/config", home ? home : ".");
    return path;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static bool on_off(const char *v, bool *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"))
        return *out = true, true;
    if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0"))
        return *out = false, true;
    return false;
}

void tui_problem_add(tui_problems *p, int line, const char *fmt, ...)
{
    p->total++;
    if (p->n == TUI_PROBLEMS_MAX) { /* the list keeps the first ones in line order */
        if (line >= p->item[p->n - 1].line)
            return;
        p->n--;
    }
    size_t at = p->n++;
    while (at > 0 && p->item[at - 1].line > line) { /* in line order, as found within a line */
        p->item[at] = p->item[at - 1];
        at--;
    }
    p->item[at].line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->item[at].text, sizeof p->item[at].text, fmt, ap);
    va_end(ap);
}

/* One "key = value" from line `line`; false with *why. */
static bool setting(tui_config *c, const char *key, const char *value, int line, char *why,
                    size_t cap)
{
    if (strcmp(key, "theme") == 0) {
        snprintf(c->theme, sizeof c->theme, "%s", value);
        return true;
    }
    if (strcmp(key, "mouse") == 0) {
        if (on_off(value, &c->mouse))
            return true;
        snprintf(why, cap, "expected on or off");
        return false;
    }
    if (strcmp(key, "refresh") == 0) {
        char *end;
        long v = strtol(value, &end, 10);
        if (*value && !*end && v >= 1 && v <= 60) {
            c->refresh_s = (int)v;
            return true;
        }
        snprintf(why, cap, "expected whole seconds from 1 to 60");
        return false;
    }
    if (strcmp(key, "model") == 0) {
        snprintf(c->model, sizeof c->model, "%s", value);
        return true;
    }
    if (strcmp(key, "cursor") == 0) {
        if (strcmp(value, "name") && strcmp(value, "row")) {
            snprintf(why, cap, "expected name or row");
            return false;
        }
        c->cursor_row = strcmp(value, "row") == 0;
        return true;
    }
    if (strncmp(key, "bind.", 5) == 0)
        return tui_keymap_bind(key + 5, value, line, why, cap);
    snprintf(why, cap, "unknown setting (theme, mouse, refresh, model, cursor, bind.ACTION)");
    return false;
}

#define SEEN_MAX 128

void tui_config_load(tui_config *c, tui_problems *p)
{
    memset(c, 0, sizeof *c);
    memset(p, 0, sizeof *p);
    c->refresh_s = 2;
    const char *path = tui_config_path();
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    struct {
        char key[48];
        int line;
    } seen[SEEN_MAX]; /* the settings applied so far, by the line that first gave each */
    size_t nseen = 0;
    char line[512];
    for (int n = 1; fgets(line, sizeof line, f); n++) {
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') { /* the line goes on? */
            int ch = fgetc(f);
            if (ch != EOF && ch != '\n') {
                tui_problem_add(p, n, "%s:%d: a line longer than %zu bytes (skipped)", path, n,
                                sizeof line - 1);
                while ((ch = fgetc(f)) != EOF && ch != '\n')
                    ;
                continue;
            }
        }
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = trim(line);
        if (!*s)
            continue;
        char *eq = strchr(s, '='), why[200] = "expected KEY = VALUE";
        bool ok = false;
        if (eq) {
            *eq = '\0';
            s = trim(s);
            ok = setting(c, s, trim(eq + 1), n, why, sizeof why);
        }
        if (!ok) {
            tui_problem_add(p, n, "%s:%d: %s: %s (line skipped)", path, n, s, why);
            continue;
        }
        size_t i = 0;
        while (i < nseen && strcmp(seen[i].key, s) != 0)
            i++;
        if (i < nseen)
            tui_problem_add(p, n,
                            "%s:%d: %s: given again (line %d gave it first); this line's "
                            "value applies",
                            path, n, s, seen[i].line);
        else if (nseen < SEEN_MAX && strlen(s) < sizeof seen[0].key) {
            snprintf(seen[nseen].key, sizeof seen[0].key, "%s", s);
            seen[nseen++].line = n;
        }
    }
    fclose(f);
    tui_keymap_problems(path, p);
}

void tui_config_check(tui_problems *p)
{
    tui_config c;
    tui_keymap_reset();
    tui_config_load(&c, p);
    tui_keymap_reset(); /* the check leaves the keymap as it found it: the defaults */
}
