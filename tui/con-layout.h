/*
 * con-layout.h - where each pane goes for a terminal size: the cgroup
 * tree and the scheduler side by side on top, the captures under the
 * scheduler when there is height for them, the log below, then the status
 * line and the prompt on the last two rows. A zoomed pane takes every row
 * above the status line. Small terminals drop panes (the focused one is
 * kept), never the log, the status line or the prompt.
 *
 * Pure; each pane's rectangle includes its title row; h == 0 means hidden.
 */
#ifndef KTCON_TUI_CON_LAYOUT_H
#define KTCON_TUI_CON_LAYOUT_H

#include <stddef.h>

#include <stdbool.h>

#include "tui/con-buf.h"

enum con_pane {
	CON_P_TREE,
	CON_P_SCHED,
	CON_P_CAPS,
	CON_P_LOG,
	CON_P__COUNT,
};

struct con_layout {
	struct con_rect pane[CON_P__COUNT];
	struct con_rect vsep;		/* the column between tree and right side */
	struct con_rect status, prompt;
};

/* zoom: a pane, or -1. */
void con_layout_compute(int rows, int cols, int zoom, enum con_pane focus,
			struct con_layout *out);

/* The panes that share p's place at this size, in pane order (p among
 * them); the layout shows the focused one. At 80x24 the scheduler and
 * the captures take turns beside the tree; narrower than 50 columns the
 * tree, scheduler and captures take turns on top; shorter than 12 rows
 * every pane takes its turn. Zoomed: p alone (the operator chose it). */
size_t con_layout_peers(int rows, int cols, int zoom, enum con_pane p, enum con_pane *out);

/* Below this size panes take turns in one place (con_layout_peers); the
 * console says so on its first row. */
#define CON_MIN_COLS 50
#define CON_MIN_ROWS 12

/* "tree", "sched", "captures", "log"; and back (-1 unknown). */
const char *con_pane_name(enum con_pane p);
int con_pane_find(const char *name);

#endif
