/* The Check runner: every core suite, or those named on the command line; --list names them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

typedef Suite *(*suite_fn)(void);

static const struct {
    const char *name;
    suite_fn make;
} suites[] = {
    /* the longest first (under the sanitizers too), so that the suites run side by side by
     * tests/unit/run.sh end together */
    {"workflows", suite_workflows},
    {"sort", suite_sort},
    {"numbers", suite_numbers},
    {"authz", suite_authz},
    {"parallel", suite_parallel},
    {"promote", suite_promote},
    {"rollback", suite_rollback},
    {"jobs_webhook", suite_jobs_webhook},
    {"splits", suite_splits},
    {"reader", suite_reader},
    {"clock", suite_clock},
    {"text", suite_text},
    {"stats", suite_stats},
    {"blob", suite_blob},
    {"json", suite_json},
    {"store", suite_store},
    {"audit", suite_audit},
    {"registry", suite_registry},
    {"atomic", suite_atomic},
    {"concurrency", suite_concurrency},
    {"badinput", suite_badinput},
    {"replace", suite_replace},
    {"monitor", suite_monitor},
    {"reading", suite_reading},
    {"baseline", suite_baseline},
    {"latency", suite_latency},
    {"newcats", suite_newcats},
    {"http", suite_http},
    {"incidents", suite_incidents},
    {"jobs", suite_jobs},
};

static bool wanted(const char *name, int argc, char **argv)
{
    if (argc < 2)
        return true;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return true;
    return false;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
            printf("%s\n", suites[i].name);
        return 0;
    }
    SRunner *sr = NULL;
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        if (!wanted(suites[i].name, argc, argv))
            continue;
        if (!sr)
            sr = srunner_create(suites[i].make());
        else
            srunner_add_suite(sr, suites[i].make());
    }
    if (!sr) {
        fprintf(stderr, "no such suite\n");
        return 2;
    }
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
