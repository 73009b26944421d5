/* The console's command line (":drift churn 2", ":incidents p1", ":q"): the commands, what
 * they open, and their Tab completion; and the two helpers screens share to read an argument
 * (the model in focus, a version as typed).
 *
 * Why apart from the app loop: the list of commands is the command line's contract with the
 * help screen and the README, and it grows; the loop only asks it to run or complete a line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "models.h"
#include "overview.h"

static const struct {
    const char *name;
    int screen; /* 1..8, or 0 for the others */
    const char *help;
} commands[] = {
    {"registry", 1, ":registry - the models"},
    {"model", 0, ":model NAME - one model, its versions and stage history"},
    {"drift", 2, ":drift MODEL [VERSION] [WINDOW [FEATURE]] - the drift heatmap"},
    {"calibration", 3, ":calibration MODEL [VERSION] [WINDOW] - deciles and trends"},
    {"incidents", 4, ":incidents [p1..p4|active|open|acknowledged|resolved|all|mine|MODEL]"},
    {"approvals", 5, ":approvals [MODEL|REQUEST] - pending promotion requests"},
    {"jobs", 6, ":jobs - retrain jobs and proposals"},
    {"audit", 7, ":audit [ACTION-PREFIX] - the audit trail"},
    {"scorecard", 8, ":scorecard [MODEL] - the MLOps scorecard"},
    {"theme", 0, ":theme NAME - switch the theme"},
    {"help", 0, ":help - keys and commands"},
    {"refresh", 0, ":refresh - read the store again"},
    {"q", 0, ":q - quit"},
    {"quit", 0, ":quit - quit"},
};

bool tui_command(tui_app *a, const char *line)
{
    char word[64] = "", rest[256] = "";
    while (*line == ' ' || *line == ':')
        line++;
    size_t wl = strcspn(line, " ");
    snprintf(word, sizeof word, "%.*s", (int)(wl < 63 ? wl : 63), line);
    const char *r = line + wl;
    while (*r == ' ')
        r++;
    snprintf(rest, sizeof rest, "%s", r);
    for (char *e = rest + strlen(rest); e > rest && e[-1] == ' ';)
        *--e = '\0';
    if (!word[0])
        return true;
    if (!strcmp(word, "q") || !strcmp(word, "quit") || !strcmp(word, "q!")) {
        a->quit = true;
        return true;
    }
    if (word[0] >= '1' && word[0] <= '8' && !word[1])
        return tui_screen(a, word[0] - '0', rest[0] ? rest : NULL);
    if (!strcmp(word, "help"))
        return tui_push(a, &tui_help_view, NULL);
    if (!strcmp(word, "refresh")) {
        tui_reload_all(a);
        return true;
    }
    if (!strcmp(word, "model"))
        return rest[0] ? (tui_screen(a, 1, NULL), tui_push(a, &tui_model_view, rest))
                       : (tui_msg(a, TUI_ERROR, ":model needs a model name"), false);
    if (!strcmp(word, "theme")) {
        char problem[512];
        tui_theme_load(a, rest, problem, sizeof problem);
        if (problem[0])
            tui_msg(a, TUI_ERROR, "%s", problem);
        else
            tui_msg(a, TUI_GOOD, "theme %s", tui_theme_current());
        clearok(curscr, TRUE);
        return !problem[0];
    }
    /* A screen an argument narrows (incidents, approvals, audit, scorecard) shows all again by
     * its command alone: :audit after :audit rollback is the whole trail. Its number key, and
     * the other screens' commands alone, come back to the screen as it was left. */
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (commands[i].screen && !strcmp(word, commands[i].name)) {
            int n = commands[i].screen;
            bool narrowed = n == 4 || n == 5 || n == 7 || n == 8;
            return tui_screen(a, n, rest[0] ? rest : narrowed ? "" : NULL);
        }
    tui_msg(a, TUI_ERROR, "no command '%s' (:help lists them)", word);
    return false;
}

bool tui_focus_model(tui_app *a, char *model, size_t mcap, int64_t *version, char *why, size_t cap)
{
    if (a->model[0]) {
        snprintf(model, mcap, "%s", a->model);
        *version = a->version;
        return true;
    }
    md_model_row *rows;
    size_t n;
    md_err err;
    if (md_overview_models(a->s, &rows, &n, &err) != MD_OK) {
        snprintf(why, cap, "%s", err.msg);
        return false;
    }
    if (n)
        snprintf(model, mcap, "%s", rows[0].name);
    md_model_rows_free(rows, n);
    if (!n)
        snprintf(why, cap, "no models yet: 'modeldeck model add' registers one");
    return n > 0;
}

bool tui_model_known(tui_app *a, const char *model, char *why, size_t cap)
{
    md_model m;
    md_err err;
    md_status rc = md_model_get(a->s, model, &m, &err);
    if (rc == MD_OK)
        md_model_free(&m);
    else if (rc == MD_NOTFOUND)
        snprintf(why, cap, "no model '%s' (Tab completes model names)", model);
    else
        snprintf(why, cap, "%s", err.msg);
    return rc == MD_OK;
}

bool tui_parse_version(const char *t, int64_t *out)
{
    if (!strcmp(t, "production") || !strcmp(t, "prod")) {
        *out = 0;
        return true;
    }
    if (*t == 'v' || *t == 'V')
        t++;
    char *end;
    long long n = strtoll(t, &end, 10);
    if (!*t || *end || n < 0)
        return false;
    *out = n;
    return true;
}

int tui_complete_command(tui_app *a, const char *line, const char **out, int max)
{
    static char buf[64][96];
    int n = 0;
    const char *sp = strchr(line, ' ');
    if (!sp) {
        for (size_t i = 0; i < sizeof commands / sizeof commands[0] && n < max; i++)
            if (!strncmp(commands[i].name, line, strlen(line)))
                snprintf(buf[n], sizeof buf[n], "%s ", commands[i].name), out[n] = buf[n], n++;
        return n;
    }
    char cmd[32];
    snprintf(cmd, sizeof cmd, "%.*s", (int)(sp - line), line);
    const char *arg = sp + 1;
    if (!strcmp(cmd, "theme")) {
        const char *names[32];
        int k = tui_theme_names(names, 32);
        for (int i = 0; i < k && n < max && n < 64; i++)
            if (!strncmp(names[i], arg, strlen(arg)))
                snprintf(buf[n], sizeof buf[n], "theme %s", names[i]), out[n] = buf[n], n++;
        return n;
    }
    if (!strcmp(cmd, "incidents")) {
        static const char *const f[] = {"p1", "p2", "p3", "p4", "open", "acknowledged",
                                        "resolved", "all", "mine"};
        for (size_t i = 0; i < sizeof f / sizeof f[0] && n < max; i++)
            if (!strncmp(f[i], arg, strlen(arg)))
                snprintf(buf[n], sizeof buf[n], "incidents %s", f[i]), out[n] = buf[n], n++;
    }
    md_model_row *rows;
    size_t nr;
    md_err err;
    if (md_overview_models(a->s, &rows, &nr, &err) != MD_OK)
        return n;
    for (size_t i = 0; i < nr && n < max && n < 64; i++)
        if (!strncmp(rows[i].name, arg, strlen(arg)))
            snprintf(buf[n], sizeof buf[n], "%s %s", cmd, rows[i].name), out[n] = buf[n], n++;
    md_model_rows_free(rows, nr);
    return n;
}
