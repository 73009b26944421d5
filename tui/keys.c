/* The keymap: TUI_ACTIONS' default keys, rebindable from the config. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const struct {
    const char *scope, *keys, *name, *hint, *help;
} actions[] = {
    {"", "", "", "", ""},
#define MD_X(id, scope, keys, name, hint, help) {scope, keys, name, hint, help},
    TUI_ACTIONS(MD_X)
#undef MD_X
};

const char *tui_action_name(tui_action a)
{
    return a > 0 && a < TUI_ACTION_COUNT ? actions[a].name : "";
}

const char *tui_action_hint(tui_action a)
{
    return a > 0 && a < TUI_ACTION_COUNT ? actions[a].hint : "";
}

const char *tui_action_help(tui_action a)
{
    return a > 0 && a < TUI_ACTION_COUNT ? actions[a].help : "";
}

const char *tui_action_scope(tui_action a)
{
    return a > 0 && a < TUI_ACTION_COUNT ? actions[a].scope : "";
}

/* ---- key names ---------------------------------------------------------------------------------- */

static const struct {
    const char *name;
    int code;
} named[] = {
    {"up", KEY_UP},       {"down", KEY_DOWN}, {"left", KEY_LEFT},   {"right", KEY_RIGHT},
    {"pgup", KEY_PPAGE},  {"pgdn", KEY_NPAGE}, {"home", KEY_HOME},  {"end", KEY_END},
    {"enter", '\n'},      {"esc", 27},        {"tab", '\t'},        {"space", ' '},
    {"backspace", KEY_BACKSPACE}, {"btab", KEY_BTAB}, {"del", KEY_DC},
};

/* "a", "C-l", "pgdn", "F5" -> a key code; -1 when not a key name. */
static int key_code(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strlen(named[i].name) == len && strncmp(named[i].name, name, len) == 0)
            return named[i].code;
    if (len == 1 && name[0] > ' ' && name[0] < 127)
        return name[0];
    if (len == 3 && name[0] == 'C' && name[1] == '-' && name[2] >= 'a' && name[2] <= 'z')
        return name[2] - 'a' + 1;
    if (len >= 2 && len <= 3 && name[0] == 'F' && name[1] >= '1' && name[1] <= '9') {
        int n = name[1] - '0';
        if (len == 3)
            n = n * 10 + (name[2] - '0');
        return n >= 1 && n <= 12 ? KEY_F(n) : -1;
    }
    return -1;
}

/* ---- the map -------------------------------------------------------------------------------------- */

#define MAX_BINDINGS 256

static struct {
    int code;
    tui_action action;
    char text[12]; /* the key as the user writes it */
    int line;      /* the config line that bound it; 0: a default */
} map[MAX_BINDINGS];
static int nmap;
static bool ready;

/* Keys that config lines took from other actions of their scope: should such an action be
 * left without a key, the line that took its last one is named (tui_keymap_problems). */
static struct {
    int line;
    tui_action by, from;
    char text[12];
} taken[MAX_BINDINGS];
static int ntaken;

static void bind(int code, tui_action a, const char *text, size_t len, int line)
{
    for (int i = 0; i < nmap; i++) /* a key means one thing per scope: the new binding wins */
        if (map[i].code == code && strcmp(actions[map[i].action].scope, actions[a].scope) == 0) {
            if (line && map[i].action != a && ntaken < MAX_BINDINGS) {
                taken[ntaken].line = line;
                taken[ntaken].by = a;
                taken[ntaken].from = map[i].action;
                snprintf(taken[ntaken++].text, sizeof taken[0].text, "%.*s", (int)len, text);
            }
            map[i].action = a;
            map[i].line = line;
            snprintf(map[i].text, sizeof map[i].text, "%.*s", (int)len, text);
            return;
        }
    if (nmap == MAX_BINDINGS)
        return;
    map[nmap].code = code;
    map[nmap].action = a;
    map[nmap].line = line;
    snprintf(map[nmap].text, sizeof map[nmap].text, "%.*s", (int)len, text);
    nmap++;
}

void tui_keymap_reset(void)
{
    nmap = ntaken = 0;
    for (int a = 1; a < TUI_ACTION_COUNT; a++)
        for (const char *p = actions[a].keys; *p;) {
            size_t len = strcspn(p, " ");
            int code = key_code(p, len);
            if (code >= 0)
                bind(code, (tui_action)a, p, len, 0);
            p += len;
            p += *p == ' ';
        }
    ready = true;
}

static void ensure(void)
{
    if (!ready)
        tui_keymap_reset();
}

const char *tui_action_key(tui_action a)
{
    ensure();
    for (int i = 0; i < nmap; i++)
        if (map[i].action == a)
            return map[i].text;
    return "";
}

int tui_key_code(int r, wint_t ch)
{
    if (r == KEY_CODE_YES)
        return (int)ch;
    return r == OK && ch < KEY_MIN ? (int)ch : -1;
}

tui_action tui_keymap_lookup(const char *scope, int ch)
{
    ensure();
    if (ch == KEY_ENTER || ch == '\r')
        ch = '\n';
    tui_action global = TUI_A_NONE;
    for (int i = 0; i < nmap; i++) {
        if (map[i].code != ch)
            continue;
        const char *sc = actions[map[i].action].scope;
        if (scope && strcmp(sc, scope) == 0)
            return map[i].action;
        if (strcmp(sc, "global") == 0)
            global = map[i].action;
    }
    return global;
}

bool tui_keymap_bind(const char *name, const char *key_name, int line, char *why, size_t cap)
{
    ensure();
    int a = 1;
    while (a < TUI_ACTION_COUNT && strcmp(actions[a].name, name) != 0)
        a++;
    if (a == TUI_ACTION_COUNT) {
        snprintf(why, cap, "no action '%s'", name);
        return false;
    }
    int code = key_code(key_name, strlen(key_name));
    if (code < 0) {
        snprintf(why, cap, "'%s' is not a key (a character, C-x, F1..F12, up, down, left, "
                           "right, pgup, pgdn, home, end, enter, esc, tab, space)",
                 key_name);
        return false;
    }
    /* the action's old keys go: the new one replaces them */
    for (int i = 0; i < nmap; i++)
        if (map[i].action == (tui_action)a)
            map[i] = map[--nmap], i--;
    bind(code, (tui_action)a, key_name, strlen(key_name), line);
    return true;
}

/* ---- what the config's bindings did to the others ------------------------------------------ */

/* "on the incidents screen", "in a model's view", "on every screen" */
static const char *where(const char *scope, char *buf, size_t cap)
{
    if (strcmp(scope, "global") == 0)
        return "on every screen";
    if (strcmp(scope, "model") == 0)
        return "in a model's view";
    snprintf(buf, cap, "on the %s screen", scope);
    return buf;
}

static bool keyed(tui_action a)
{
    for (int i = 0; i < nmap; i++)
        if (map[i].action == a)
            return true;
    return false;
}

void tui_keymap_problems(const char *path, tui_problems *p)
{
    ensure();
    char wb[64];
    /* an action left without a key: the line that took its last one */
    for (int t = ntaken - 1; t >= 0; t--) {
        tui_action from = taken[t].from;
        bool later = false; /* a later line took one of its keys: that one is named */
        for (int u = t + 1; u < ntaken; u++)
            later |= taken[u].from == from;
        if (later || keyed(from))
            continue;
        tui_problem_add(p, taken[t].line,
                        "%s:%d: bind.%s = %s: %s was %s's key %s, and %s has no key left "
                        "(give it one: bind.%s = KEY)",
                        path, taken[t].line, actions[taken[t].by].name, taken[t].text,
                        taken[t].text, actions[from].name,
                        where(actions[from].scope, wb, sizeof wb), actions[from].name,
                        actions[from].name);
    }
    for (int i = 0; i < nmap; i++) {
        if (!map[i].line)
            continue;
        const char *scope = actions[map[i].action].scope, *name = actions[map[i].action].name;
        bool global = strcmp(scope, "global") == 0;
        int meet[MAX_BINDINGS], nmeet = 0; /* the bindings of key and other scope it meets */
        for (int j = 0; j < nmap; j++)
            if (j != i && map[j].code == map[i].code &&
                global != (strcmp(actions[map[j].action].scope, "global") == 0))
                meet[nmeet++] = j; /* the same scope keeps one action a key; screens never meet */
        if (!nmeet)
            continue;
        if (!global) { /* one global action at most has the key */
            tui_problem_add(p, map[i].line, "%s:%d: bind.%s = %s: %s %s does %s, not %s", path,
                            map[i].line, name, map[i].text, where(scope, wb, sizeof wb),
                            map[i].text, name, actions[map[meet[0]].action].name);
            continue;
        }
        /* "in a model's view (model_approve) and on the jobs screen (accept)" */
        char list[300] = "";
        size_t n = 0;
        for (int k = 0; k < nmeet && n < sizeof list; k++) {
            tui_action b = map[meet[k]].action;
            const char *sep = k == 0 ? "" : k == nmeet - 1 ? " and " : ", ";
            n += (size_t)snprintf(list + n, sizeof list - n, "%s%s (%s)", sep,
                                  where(actions[b].scope, wb, sizeof wb), actions[b].name);
        }
        tui_problem_add(p, map[i].line,
                        "%s:%d: bind.%s = %s: %s keeps its own action %s, and %s does not answer "
                        "to it there",
                        path, map[i].line, name, map[i].text, map[i].text, list, name);
    }
}
