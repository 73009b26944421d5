#include "fault.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* Finds `point` as a whole item in the list; reports whether it carries ":kill". */
static bool listed(const char *list, const char *point, bool *kill)
{
    size_t n = strlen(point);
    for (const char *p = list; p && *p;) {
        const char *end = p + strcspn(p, ",");
        if ((size_t)(end - p) >= n && strncmp(p, point, n) == 0) {
            const char *rest = p + n;
            if (rest == end || (end - rest == 5 && strncmp(rest, ":kill", 5) == 0)) {
                *kill = rest != end;
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
    if (!list || !*list || !listed(list, point, &kill))
        return false;
    if (kill)
        raise(SIGKILL);
    md_err_set(err, MD_ERROR, "injected fault at %s", point);
    return true;
}
