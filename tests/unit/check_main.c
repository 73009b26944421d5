/* The Check runner: every core suite, or those named on the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

typedef Suite *(*suite_fn)(void);

static const struct {
    const char *name;
    suite_fn make;
} suites[] = {
    {"text", suite_text},
    {"stats", suite_stats},
    {"sort", suite_sort},
    {"blob", suite_blob},
    {"splits", suite_splits},
    {"numbers", suite_numbers},
    {"reader", suite_reader},
    {"clock", suite_clock},
    {"json", suite_json},
    {"store", suite_store},
    {"audit", suite_audit},
    {"authz", suite_authz},
    {"registry", suite_registry},
    {"atomic", suite_atomic},
    {"concurrency", suite_concurrency},
    {"badinput", suite_badinput},
    {"replace", suite_replace},
    {"monitor", suite_monitor},
    {"baseline", suite_baseline},
    {"latency", suite_latency},
    {"parallel", suite_parallel},
    {"newcats", suite_newcats},
    {"http", suite_http},
    {"promote", suite_promote},
    {"incidents", suite_incidents},
    {"workflows", suite_workflows},
    {"jobs", suite_jobs},
    {"jobs_webhook", suite_jobs_webhook},
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
