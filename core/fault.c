#include "fault.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* Hits counted per point for "POINT@N" items; the counts restart whenever the list changes. */
static struct {
    char list[512];
    struct {
        const char *point;
        unsigned hits;
    } seen[16];
} counts;

static unsigned count_hit(const char *list, const char *point)
{
    if (strncmp(counts.list, list, sizeof counts.list) != 0) {
        memset(&counts, 0, sizeof counts);
        strncpy(counts.list, list, sizeof counts.list - 1);
    }
    for (size_t i = 0; i < sizeof counts.seen / sizeof counts.seen[0]; i++) {
        if (!counts.seen[i].point)
            counts.seen[i].point = point;
        if (strcmp(counts.seen[i].point, point) == 0)
            return ++counts.seen[i].hits;
    }
    return 0;
}

/* Finds `point` as a whole item of the list ("POINT", "POINT@N", either with ":kill"); *nth is
 * the N of "@N" (0: every hit), *kill whether it carries ":kill". */
static bool listed(const char *list, const char *point, unsigned *nth, bool *kill)
{
    size_t n = strlen(point);
    for (const char *p = list; p && *p;) {
        const char *end = p + strcspn(p, ",");
        if ((size_t)(end - p) >= n && strncmp(p, point, n) == 0) {
            const char *rest = p + n;
            char *after = (char *)rest;
            *nth = 0;
            if (*rest == '@') {
                unsigned long v = strtoul(rest + 1, &after, 10);
                *nth = after > rest + 1 && v > 0 && v < 1000000 ? (unsigned)v : 0;
                if (!*nth)
                    after = (char *)end + 1; /* malformed: no match */
            }
            if (after == end || (end - after == 5 && strncmp(after, ":kill", 5) == 0)) {
                *kill = after != end;
                return true;
            }
        }
        p = *end ? end + 1 : end;
    }
    return false;
}

bool md_fault_hit(const char *point, md_err *err)
{
    const char *list = getenv("MODELDECK_FAULT");
    bool kill = false;
    unsigned nth = 0;
    if (!list || !*list || !listed(list, point, &nth, &kill))
        return false;
    if (nth && count_hit(list, point) != nth)
        return false;
    if (kill)
        raise(SIGKILL);
    md_err_set(err, MD_ERROR, "injected fault at %s", point);
    return true;
}
