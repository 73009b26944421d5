/* Themes: semantic roles mapped to colours for 256-colour and 8-colour terminals, and to plain
 * attributes in monochrome, plus a heat scale. Files are JSON (themes/NAME.json), searched in
 * $XDG_CONFIG_HOME/modeldeck/themes, the installed share directory, then ./themes; the dark
 * theme is also compiled in, so a console without its files still has colours. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>

#include "internal.h"

extern const char md_theme_dark_json[]; /* themes/dark.json, embedded at build time */

#ifndef MD_SHARE_DIR
#define MD_SHARE_DIR "/usr/local/share/modeldeck"
#endif

static const char *const role_names[TUI_ROLE_COUNT] = {
#define MD_X(id, name, what) name,
    TUI_ROLES(MD_X)
#undef MD_X
};

static attr_t role_attr[TUI_ROLE_COUNT];
static attr_t heat_attr[TUI_HEAT_STEPS];
static char current[64] = "dark";

attr_t tui_attr(tui_role r)
{
    return r < TUI_ROLE_COUNT ? role_attr[r] : A_NORMAL;
}

attr_t tui_heat_attr(int step)
{
    step = step < 0 ? 0 : step >= TUI_HEAT_STEPS ? TUI_HEAT_STEPS - 1 : step;
    return heat_attr[step];
}

const char *tui_theme_current(void)
{
    return current;
}

/* ---- where themes live ------------------------------------------------------------------------- */

const char *const *tui_theme_dirs(void)
{
    static char user[512];
    static const char *dirs[4];
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(user, sizeof user, "%s/modeldeck/themes", xdg);
    else
        snprintf(user, sizeof user, "%s/.config/modeldeck/themes", home ? home : ".");
    dirs[0] = user;
    dirs[1] = MD_SHARE_DIR "/themes";
    dirs[2] = "themes";
    dirs[3] = NULL;
    return dirs;
}

int tui_theme_names(const char **out, int max)
{
    static char names[32][64];
    int n = 0;
    snprintf(names[n++], 64, "dark");
    for (const char *const *d = tui_theme_dirs(); *d; d++) {
        DIR *dir = opendir(*d);
        if (!dir)
            continue;
        for (struct dirent *e; (e = readdir(dir)) && n < 32;) {
            size_t len = strlen(e->d_name);
            if (len < 6 || len > 60 || strcmp(e->d_name + len - 5, ".json") != 0)
                continue;
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(len - 5), e->d_name);
            bool seen = false;
            for (int i = 0; i < n; i++)
                seen |= strcmp(names[i], name) == 0;
            if (!seen)
                snprintf(names[n++], 64, "%s", name);
        }
        closedir(dir);
    }
    for (int i = 0; i < n && i < max; i++)
        out[i] = names[i];
    return n < max ? n : max;
}

/* ---- reading a theme ------------------------------------------------------------------------------ */

static const struct {
    const char *name;
    short code;
} colour_names[] = {{"default", -1}, {"black", COLOR_BLACK}, {"red", COLOR_RED},
                    {"green", COLOR_GREEN}, {"yellow", COLOR_YELLOW}, {"blue", COLOR_BLUE},
                    {"magenta", COLOR_MAGENTA}, {"cyan", COLOR_CYAN}, {"white", COLOR_WHITE}};

/* A colour: a name, or 0..255. *ok false when malformed. */
static short colour(json_t *v, short fallback, bool *ok)
{
    if (!v)
        return fallback;
    if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 255)
        return (short)json_integer_value(v);
    if (json_is_string(v))
        for (size_t i = 0; i < sizeof colour_names / sizeof colour_names[0]; i++)
            if (strcmp(json_string_value(v), colour_names[i].name) == 0)
                return colour_names[i].code;
    *ok = false;
    return fallback;
}

static attr_t attrs(json_t *list, bool *ok)
{
    static const struct {
        const char *name;
        attr_t a;
    } known[] = {{"bold", A_BOLD}, {"dim", A_DIM}, {"reverse", A_REVERSE},
                 {"underline", A_UNDERLINE}, {"standout", A_STANDOUT}, {"italic", A_ITALIC}};
    attr_t out = A_NORMAL;
    if (list && !json_is_array(list))
        *ok = false;
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        bool found = false;
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
            if (json_is_string(v) && strcmp(json_string_value(v), known[k].name) == 0)
                out |= known[k].a, found = true;
        *ok &= found;
    }
    return out;
}

typedef enum { MODE_MONO, MODE_8, MODE_256 } colour_mode;

static short next_pair;

/* One role's attribute from its JSON spec in the given mode. */
static attr_t spec_attr(json_t *spec, colour_mode mode, bool *ok)
{
    if (!json_is_object(spec)) {
        *ok = false;
        return A_NORMAL;
    }
    if (mode == MODE_MONO)
        return attrs(json_object_get(spec, "mono"), ok);
    attr_t a = attrs(json_object_get(spec, "attrs"), ok);
    short fg = colour(json_object_get(spec, "fg"), -1, ok);
    short bg = colour(json_object_get(spec, "bg"), -1, ok);
    attr_t a8 = attrs(json_object_get(spec, "attrs8"), ok);
    if (mode == MODE_8) { /* the 8-colour fields, else the 256 ones if they fit */
        fg = colour(json_object_get(spec, "fg8"), fg < 8 ? fg : -1, ok);
        bg = colour(json_object_get(spec, "bg8"), bg < 8 ? bg : -1, ok);
        a |= a8; /* what eight colours cannot say (a grey: white, dimmed) */
    }
    if ((fg == -1 && bg == -1) || next_pair >= COLOR_PAIRS - 1)
        return a;
    short pair = ++next_pair;
    init_pair(pair, fg, bg);
    return a | COLOR_PAIR(pair);
}

bool tui_blank_alike(attr_t x, attr_t y)
{
    const attr_t shows = A_REVERSE | A_STANDOUT | A_UNDERLINE | A_BLINK;
    if ((x | y) & shows)
        return false;
    short fx, bx = -1, fy, by = -1;
    if (PAIR_NUMBER(x))
        pair_content((short)PAIR_NUMBER(x), &fx, &bx);
    if (PAIR_NUMBER(y))
        pair_content((short)PAIR_NUMBER(y), &fy, &by);
    return bx == by;
}

static json_t *load_named(const char *name, char *path, size_t cap, char *problem,
                          size_t pcap)
{
    /* a file wins over the built-in copy, so the dark theme can be edited too */
    for (const char *const *d = tui_theme_dirs(); *d; d++) {
        snprintf(path, cap, "%s/%s.json", *d, name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        fclose(f);
        json_error_t je;
        json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
        if (!doc)
            snprintf(problem, pcap, "theme %s:%d: %s; using the default theme", path, je.line,
                     je.text);
        return doc;
    }
    snprintf(path, cap, "(built in)");
    if (strcmp(name, "dark") == 0)
        return json_loads(md_theme_dark_json, 0, NULL);
    snprintf(problem, pcap, "no theme '%s' in %s, %s or %s; using the default theme", name,
             tui_theme_dirs()[0], tui_theme_dirs()[1], tui_theme_dirs()[2]);
    return NULL;
}

/* Applies a parsed theme; false with *problem naming the first bad field. */
static bool attrs_only; /* the theme in force is drawn with attributes alone */

static bool apply(json_t *doc, const char *path, colour_mode mode, char *problem, size_t cap)
{
    json_t *roles = json_object_get(doc, "roles"), *heat = json_object_get(doc, "heat");
    if (!json_is_object(roles) || !json_is_array(heat) ||
        json_array_size(heat) != TUI_HEAT_STEPS) {
        snprintf(problem, cap, "theme %s: needs \"roles\" (an object) and \"heat\" (%d steps); "
                               "using the default theme",
                 path, TUI_HEAT_STEPS);
        return false;
    }
    next_pair = 0;
    for (int r = 0; r < TUI_ROLE_COUNT; r++) {
        json_t *spec = json_object_get(roles, role_names[r]);
        bool ok = true;
        role_attr[r] = spec ? spec_attr(spec, mode, &ok) : A_NORMAL;
        if (!ok) {
            snprintf(problem, cap, "theme %s: roles.%s: expected {\"fg\", \"bg\": a colour name "
                                   "or 0-255, \"attrs\"/\"attrs8\"/\"mono\": [bold, dim, reverse, "
                                   "underline, standout, italic]}; using the default theme",
                     path, role_names[r]);
            return false;
        }
    }
    for (int i = 0; i < TUI_HEAT_STEPS; i++) {
        bool ok = true;
        heat_attr[i] = spec_attr(json_array_get(heat, (size_t)i), mode, &ok);
        if (!ok) {
            snprintf(problem, cap, "theme %s: heat[%d]: expected a colour spec; using the "
                                   "default theme",
                     path, i);
            return false;
        }
    }
    attrs_only = mode == MODE_MONO;
    return true;
}

bool tui_theme_mono(void)
{
    return attrs_only;
}

void tui_theme_load(tui_app *a, const char *name, char *problem, size_t cap)
{
    char path[600];
    problem[0] = '\0';
    if (!name || !*name)
        name = "dark";
    json_t *doc = NULL;
    if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(name) ||
        strlen(name) > 48)
        snprintf(problem, cap, "'%s' is not a theme name (letters, digits, - and _); using the "
                               "default theme",
                 name);
    else
        doc = load_named(name, path, sizeof path, problem, cap);
    bool mono_theme = doc && json_is_true(json_object_get(doc, "monochrome"));
    colour_mode mode = !a->color || mono_theme ? MODE_MONO : COLORS >= 256 ? MODE_256 : MODE_8;
    if (doc && apply(doc, path, mode, problem, cap)) {
        snprintf(current, sizeof current, "%s", name);
        json_decref(doc);
        return;
    }
    json_decref(doc);
    json_t *dark = json_loads(md_theme_dark_json, 0, NULL);
    char ignored[256];
    apply(dark, "(built in)", a->color ? (COLORS >= 256 ? MODE_256 : MODE_8) : MODE_MONO,
          ignored, sizeof ignored);
    json_decref(dark);
    snprintf(current, sizeof current, "dark");
}
