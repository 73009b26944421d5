/* The console: modeldeck without a command opens it on the store.
 *
 * Why: the on-call operator, the approver and the analyst decide from one screen over SSH; the
 * console draws what core reads and asks core to act, and nothing else (no SQL, no policy). */
#ifndef MD_TUI_H
#define MD_TUI_H

#include <stdbool.h>

#include "authz.h"
#include "store.h"

typedef struct {
    const char *db_path;   /* for the header */
    const char *exe;       /* this binary, to start job supervisors */
    const char *theme;     /* --theme, or NULL (the config's, else "dark") */
    const char *start;     /* a command line to run first (":incidents p1"), or NULL */
    bool read_only;        /* --read-only */
    bool ascii;            /* --ascii */
    bool no_color;         /* --no-color (NO_COLOR is read too) */
    bool mouse;            /* --mouse */
} md_tui_opts;

/* Runs the console until the user quits; returns the process exit code. The store stays the
 * caller's. The terminal is restored on every way out. */
int md_tui_run(md_store *s, const md_actor *actor, const md_tui_opts *opts);

/* Where the console reads its config file, and the theme directories in search order
 * (NULL-terminated); for 'modeldeck info'. */
const char *tui_config_path(void);
const char *const *tui_theme_dirs(void);

/* What is wrong with a config file, in line order, each naming the file, the line and the
 * setting: lines the console skips (a mistake) and lines it applies that undo something (a
 * setting given twice, a key taken from another action). */
#define TUI_PROBLEMS_MAX 24
typedef struct {
    size_t n;     /* listed */
    size_t total; /* found: more than n when the list is full */
    struct {
        int line;
        char text[400];
    } item[TUI_PROBLEMS_MAX];
} tui_problems;

/* Reads the config as the console does (a missing file has no problems); for 'modeldeck info'. */
void tui_config_check(tui_problems *p);

#endif
