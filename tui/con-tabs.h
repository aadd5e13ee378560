/*
 * con-tabs.h - a slot's title when it holds more than one view: each
 * view's name as a tab, the one shown in brackets ("[log] sched"), then
 * the right-hand text, so nothing in a shared slot is silently hidden.
 * Pure, like con_title.
 */
#ifndef KTCON_TUI_CON_TABS_H
#define KTCON_TUI_CON_TABS_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/con-buf.h"
#include "tui/con-layout.h"

void con_tabs_title(struct con_buf *b, const struct con_rect *r, const char *const *names,
		    size_t n, size_t active, const char *right, bool focus);

/* A pane's title (drawn already, in pane's first row) when its place is
 * shared at this size (con_layout_peers): its left part becomes the
 * tabs of every pane there, the one shown in brackets ("[scheduler]
 * captures"); the right part stays where room is left. Nothing when p
 * is alone. */
void con_tabs_slot(struct con_buf *b, const struct con_rect *pane, int rows, int cols, int zoom,
		   enum con_pane p, bool focus);
/* The same where one pane, vp, has views of its own (the scheduler's
 * place: the runqueues and the history): vp's tab becomes its views, the
 * one shown (active) in brackets when vp is p ("scheduler [history]
 * captures"; on the captures "scheduler history [captures]"); drawn also
 * when p is vp alone there, if it has two views or more. */
void con_tabs_slot_views(struct con_buf *b, const struct con_rect *pane, int rows, int cols,
			 int zoom, enum con_pane p, bool focus, enum con_pane vp,
			 const char *const *views, size_t nviews, size_t active);

/* Below CON_MIN_COLS x CON_MIN_ROWS: say so on the first row (panes
 * take turns, and which size would show them all). */
void con_tabs_min_size(struct con_buf *b, int rows, int cols);

#endif
