/*
 * con-caps.h - the captures pane: what the session captured, by tag (cgroup
 * procs, snapshots, kernel reads), the armed watches, and the watches'
 * fires as they arrived. Pure: renders a scenario view and the list of
 * fire lines into a rectangle; with nothing captured it says how to
 * capture.
 */
#ifndef KTCON_TUI_CON_CAPS_H
#define KTCON_TUI_CON_CAPS_H

#include <stddef.h>

#include "tui/con-buf.h"
#include "tui/con-scn.h"

/* Returns the rows it wants (to clamp scroll). */
int con_caps_render(const struct con_scn *v, char *const *fires, size_t nfires,
		    struct con_buf *b, const struct con_rect *r, int scroll);

#endif
