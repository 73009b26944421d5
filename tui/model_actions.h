/* The actions on one model and its versions (promote, approve or reject, mark, compare, roll
 * back, retrain), each through its dialog; the model view (view_model.c) calls them, and they
 * are defined in model_actions.c. */
#ifndef MD_TUI_MODEL_ACTIONS_H
#define MD_TUI_MODEL_ACTIONS_H

#include "internal.h"
#include "models.h"
#include "promotions.h"
#include "versions.h"

typedef struct {
    char name[65];
    md_model m;
    bool has_m;
    md_version_row *v;
    size_t nv;
    char (*requested_by)[65]; /* per version: who asked for its pending request */
    md_version *lv;           /* the versions' lineage (any order: found by number) */
    size_t nlv;
    md_stage_event *h;
    size_t nh;
    int pane; /* 0 versions, 1 history */
    tui_table vt, ht;
} model_view;

/* The text, or "-" when it is empty or absent. */
static inline const char *tui_or_dash(const char *s)
{
    return s && *s ? s : "-";
}

/* Each returns what the view's key handler returns (tui.h: TUI_R_*). */
int tui_model_promote(tui_app *a, model_view *m, const md_version_row *r);
int tui_model_decide(tui_app *a, model_view *m, const md_version_row *r, bool approve);
int tui_model_mark(tui_app *a, model_view *m, const md_version_row *r);
int tui_model_compare(tui_app *a, model_view *m, const md_version_row *r);
int tui_model_rollback(tui_app *a, model_view *m);
int tui_model_retrain(tui_app *a, model_view *m);

#endif
