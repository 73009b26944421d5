/* modeldeck console (and modeldeck with no command): the ncurses console on the store. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tui.h"

int cmd_console(cli_ctx *c, int argc, char **argv)
{
    md_tui_opts o = {0};
    bool ascii = false, no_color = false, mouse = false;
    const char *theme = NULL, *start = NULL;
    const cli_opt opts[] = {{"--theme", CLI_STR, &theme},   {"--ascii", CLI_FLAG, &ascii},
                            {"--no-color", CLI_FLAG, &no_color}, {"--mouse", CLI_FLAG, &mouse},
                            {"--command", CLI_STR, &start}, {0}};
    int rc = cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL);
    if (rc)
        return rc;
    if (c->help)
        return cli_print_help(c);
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "modeldeck: the console needs a terminal; 'modeldeck --help' lists the "
                        "commands for scripts\n");
        return MD_INVALID;
    }
    if ((rc = cli_open(c)))
        return rc;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    o.db_path = md_store_path(c->store);
    o.exe = n > 0 ? exe : NULL;
    o.theme = theme;
    o.start = start;
    o.read_only = c->read_only;
    o.ascii = ascii;
    o.no_color = no_color;
    o.mouse = mouse;
    return md_tui_run(c->store, &c->actor, &o);
}
