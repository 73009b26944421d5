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
 * A bad line is named (file, line, key) and skipped; the rest applies. */
#include <ctype.h>
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

/* One "key = value"; false with *why. */
static bool setting(tui_config *c, const char *key, const char *value, char *why, size_t cap)
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
        return tui_keymap_bind(key + 5, value, why, cap);
    snprintf(why, cap, "unknown setting (theme, mouse, refresh, model, cursor, bind.ACTION)");
    return false;
}

void tui_config_load(tui_config *c, char *problem, size_t cap)
{
    memset(c, 0, sizeof *c);
    c->refresh_s = 2;
    problem[0] = '\0';
    const char *path = tui_config_path();
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[512];
    for (int n = 1; fgets(line, sizeof line, f); n++) {
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
            ok = setting(c, trim(s), trim(eq + 1), why, sizeof why);
        }
        if (!ok && !problem[0]) /* the first problem is the one to fix first */
            snprintf(problem, cap, "%s:%d: %s: %s", path, n, eq ? trim(s) : s, why);
    }
    fclose(f);
}
