/*
 * con-tree.h - the cgroup tree pane: the guest's managed cgroups as the
 * agent last streamed them (engine/gstate.h), one row each, nested by
 * path, with who owns each one in the scenario (backdrop or the current
 * step, from con-scn.h), its effective cpus, procs, ktcon workers and
 * whether it is frozen or populated.
 *
 * Pure: it renders a state and a scenario view into a con_buf rectangle
 * (the title bar is the caller's). Before the first state it says it is
 * waiting; with no cgroup it says what to type.
 */
#ifndef KTCON_TUI_CON_TREE_H
#define KTCON_TUI_CON_TREE_H

#include "engine/gstate.h"
#include "tui/con-buf.h"
#include "tui/con-scn.h"

/* Returns the number of rows the tree wants (to clamp scroll). sel: the
 * selected cgroup's path, drawn highlighted (NULL: none). */
int con_tree_render(const struct kt_gstate *g, const struct con_scn *v, struct con_buf *b,
		    const struct con_rect *r, int scroll, const char *sel);

/* "3 cgroups, 1 frozen" for the title bar; returns buf. */
const char *con_tree_summary(const struct kt_gstate *g, char *buf, size_t size);

#endif
