/* Fault injection for the atomicity tests.
 *
 * Why: "a crash between a state change and its audit row leaves neither" is a promise we test,
 * not assume. MODELDECK_FAULT names points in the engine ("audit.append", "tx.commit", ...) as a
 * comma-separated list; at a named point the engine fails as if the disk had (POINT) or the
 * process dies on the spot with SIGKILL (POINT:kill); POINT@N fires only at the N-th time the
 * point is reached (counted from when the list last changed), so a test can stop a workflow
 * before each of its steps in turn. "sql.write" is reached before every statement that writes
 * inside a transaction. Unset, each check is one getenv. */
#ifndef MD_FAULT_H
#define MD_FAULT_H

#include <stdbool.h>

#include "err.h"

/* True (and err filled) when MODELDECK_FAULT names `point`; never returns for POINT:kill. */
bool md_fault_hit(const char *point, md_err *err);

#endif
