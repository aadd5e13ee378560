/* con-layout.c - pane placement; see con-layout.h. */
#include "tui/con-layout.h"

#include <string.h>

static const char *const names[CON_P__COUNT] = {
	[CON_P_TREE] = "tree", [CON_P_SCHED] = "sched", [CON_P_CAPS] = "captures",
	[CON_P_LOG] = "log",
};

const char *con_pane_name(enum con_pane p)
{
	return p < CON_P__COUNT ? names[p] : "?";
}

int con_pane_find(const char *name)
{
	for (int i = 0; i < CON_P__COUNT; i++)
		if (!strcmp(names[i], name) || (!strcmp(name, "cgroups") && i == CON_P_TREE) ||
		    (!strcmp(name, "snapshots") && i == CON_P_CAPS))
			return i;
	return -1;
}

void con_layout_compute(int rows, int cols, int zoom, enum con_pane focus,
			struct con_layout *out)
{
	int avail = rows - 2, top, left;

	memset(out, 0, sizeof(*out));
	if (rows < 1 || cols < 1)
		return;
	out->prompt = (struct con_rect){ rows - 1, 0, 1, cols };
	if (rows >= 2)
		out->status = (struct con_rect){ rows - 2, 0, 1, cols };
	if (avail <= 0)
		return;
	if (zoom >= 0 && zoom < CON_P__COUNT) {
		out->pane[zoom] = (struct con_rect){ 0, 0, avail, cols };
		return;
	}
	/* Too short for two rows of panes: the log, or the focused pane. */
	if (avail < 10) {
		out->pane[focus == CON_P_LOG ? CON_P_LOG : focus] = (struct con_rect){ 0, 0, avail, cols };
		return;
	}
	top = avail * 2 / 5;
	if (top < 5)
		top = 5;
	out->pane[CON_P_LOG] = (struct con_rect){ top, 0, avail - top, cols };
	if (cols < 50) {
		/* Narrow: one pane on top, the focused one if it lives there. */
		enum con_pane p = focus == CON_P_LOG ? CON_P_TREE : focus;

		out->pane[p] = (struct con_rect){ 0, 0, top, cols };
		return;
	}
	left = cols * 11 / 20;
	out->pane[CON_P_TREE] = (struct con_rect){ 0, 0, top, left };
	out->vsep = (struct con_rect){ 0, left, top, 1 };
	if (top >= 12) {
		int caps = top / 3;

		out->pane[CON_P_SCHED] = (struct con_rect){ 0, left + 1, top - caps, cols - left - 1 };
		out->pane[CON_P_CAPS] = (struct con_rect){ top - caps, left + 1, caps, cols - left - 1 };
	} else {
		enum con_pane p = focus == CON_P_CAPS ? CON_P_CAPS : CON_P_SCHED;

		out->pane[p] = (struct con_rect){ 0, left + 1, top, cols - left - 1 };
	}
}

size_t con_layout_peers(int rows, int cols, int zoom, enum con_pane p, enum con_pane *out)
{
	int avail = rows - 2, top = avail * 2 / 5;
	size_t n = 0;

	if (top < 5)
		top = 5;
	if (zoom >= 0 || avail <= 0) {
		out[n++] = p;
		return n;
	}
	for (int q = 0; q < CON_P__COUNT; q++) {
		bool shares;

		if (avail < CON_MIN_ROWS - 2)
			shares = true;
		else if (p == CON_P_LOG || q == CON_P_LOG)
			shares = q == (int)p;
		else if (cols < CON_MIN_COLS)
			shares = true;
		else if (top < 12)
			shares = q == (int)p || (q != CON_P_TREE && p != CON_P_TREE);
		else
			shares = q == (int)p;
		if (shares)
			out[n++] = (enum con_pane)q;
	}
	return n;
}
