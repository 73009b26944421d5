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
} map[MAX_BINDINGS];
static int nmap;
static bool ready;

static void bind(int code, tui_action a, const char *text, size_t len)
{
    for (int i = 0; i < nmap; i++) /* a key means one thing per scope: the new binding wins */
        if (map[i].code == code && strcmp(actions[map[i].action].scope, actions[a].scope) == 0) {
            map[i].action = a;
            snprintf(map[i].text, sizeof map[i].text, "%.*s", (int)len, text);
            return;
        }
    if (nmap == MAX_BINDINGS)
        return;
    map[nmap].code = code;
    map[nmap].action = a;
    snprintf(map[nmap].text, sizeof map[nmap].text, "%.*s", (int)len, text);
    nmap++;
}

void tui_keymap_reset(void)
{
    nmap = 0;
    for (int a = 1; a < TUI_ACTION_COUNT; a++)
        for (const char *p = actions[a].keys; *p;) {
            size_t len = strcspn(p, " ");
            int code = key_code(p, len);
            if (code >= 0)
                bind(code, (tui_action)a, p, len);
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

bool tui_keymap_bind(const char *name, const char *key_name, char *why, size_t cap)
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
    bind(code, (tui_action)a, key_name, strlen(key_name));
    return true;
}
