/* The incident lifecycle actions, shared by the incident queue (view_incidents.c) and one
 * incident's view (view_incident.c); defined in incident_actions.c. */
#ifndef MD_TUI_INCIDENT_ACTIONS_H
#define MD_TUI_INCIDENT_ACTIONS_H

#include <jansson.h>

#include "internal.h"

/* A permission as it stood at the last load: the hint bar asks on every frame. */
typedef struct {
    bool ok;
    char why[256];
} tui_perm_cache;

typedef struct {
    tui_perm_cache write, note;
} tui_incident_perms;

void tui_incident_perms_load(tui_app *a, tui_incident_perms *p);
/* Why `act` is unavailable on incident `id` in `state` (NULL state: none selected), or NULL. */
const char *tui_incident_unavailable(const tui_incident_perms *p, int64_t id, const char *state,
                                     tui_action act);
/* Runs a lifecycle action on `inc` (as core shows it) through its dialog; TUI_R_UNHANDLED when
 * `act` is not one. */
int tui_incident_action(tui_app *a, const json_t *inc, tui_action act);
/* The colour of an incident state. */
tui_role tui_incident_state_role(const char *state);
/* Milliseconds from stored ISO text to the store's clock (0 when absent). */
int64_t tui_age_ms(tui_app *a, const char *iso);

/* The actions that change the store, for both views. */
extern const tui_action tui_incident_mutating[];

#endif
