/*
 * con-treeslot.h - the cgroup tree's slot: the tree with a selection
 * (Up and Down while the tree has the focus, or `select`), and the
 * workers view of a cgroup (con-workers.h; Enter on the tree, or
 * `workers CGROUP`) as a second tab in the same place. The view opens
 * zoomed when the tree's place is narrower than its columns need (at
 * 80x24), and Esc or q (or `workers close`) closes it, putting the focus,
 * the zoom and the tree's scroll back as they were.
 */
#ifndef KTCON_TUI_CON_TREESLOT_H
#define KTCON_TUI_CON_TREESLOT_H

#include <stdbool.h>

#include "engine/gstate.h"
#include "tui/con-buf.h"
#include "tui/con-keys.h"
#include "tui/con-workers.h"

/* Narrower than this, the workers view takes the whole screen. */
#define CON_WORKERS_MIN_COLS 78

struct con_treeslot {
	char sel[KT_GSTATE_PATH_MAX];	/* the selected cgroup; "" or gone: the first */
	struct con_workers wk;		/* open or not */
	int from_focus, from_zoom;	/* before the view opened */
	int tree_scroll;		/* the tree's, while the view uses the slot's */
};

struct ktconsole;

void con_treeslot_free(struct con_treeslot *t);

/* A new guest state arrived (c->g): the view's rates move on. */
void con_treeslot_update(struct ktconsole *c);

/* The workers view and its title, when one is open (false: the slot is
 * the tree's). r: the pane without its title row. */
bool con_treeslot_draw_workers(struct ktconsole *c, struct con_buf *b,
			       const struct con_rect *pane, const struct con_rect *r, bool focus);

/* The tree's selected cgroup to highlight: NULL unless it has the focus. */
const char *con_treeslot_sel(const struct ktconsole *c, bool focus);

/* Whether key k's condition (CON_KEY_TREE, CON_KEY_WORKERS) holds now. */
bool con_treeslot_key_ok(const struct ktconsole *c, const struct con_key *k);

#endif
