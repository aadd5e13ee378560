/* con-tabs.c - tabbed slot titles; see con-tabs.h. */
#include "tui/con-tabs.h"

#include <stdio.h>

void con_tabs_title(struct con_buf *b, const struct con_rect *r, const char *const *names,
		    size_t n, size_t active, const char *right, bool focus)
{
	char t[256];
	size_t len = 0;

	t[0] = '\0';
	for (size_t i = 0; i < n && len < sizeof(t); i++)
		len += (size_t)snprintf(t + len, sizeof(t) - len, i == active ? "%s[%s]" : "%s%s",
					i ? " " : "", names[i]);
	con_title(b, r, t, right, focus);
}

/* The names a slot's tabs use (con_pane_name's are the commands'). */
static const char *const pane_titles[CON_P__COUNT] = {
	[CON_P_TREE] = "cgroups", [CON_P_SCHED] = "scheduler", [CON_P_CAPS] = "captures",
	[CON_P_LOG] = "log",
};

void con_tabs_slot_views(struct con_buf *b, const struct con_rect *pane, int rows, int cols,
			 int zoom, enum con_pane p, bool focus, enum con_pane vp,
			 const char *const *views, size_t nviews, size_t active)
{
	enum con_pane peers[CON_P__COUNT];
	size_t n = con_layout_peers(rows, cols, zoom, p, peers), len = 0, k = 0;
	enum con_attr a = focus ? CON_A_TITLE_FOCUS : CON_A_TITLE;
	char t[128];

	if ((n < 2 && (vp != p || nviews < 2)) || pane->h <= 0)
		return;
	t[0] = '\0';
	for (size_t i = 0; i < n && len < sizeof(t); i++) {
		size_t nv = peers[i] == vp ? nviews : 1;

		for (size_t v = 0; v < nv && len < sizeof(t); v++, k++) {
			const char *name = peers[i] == vp ? views[v] : pane_titles[peers[i]];
			bool shown = peers[i] == p && (vp != p || v == active);

			len += (size_t)snprintf(t + len, sizeof(t) - len, shown ? "%s[%s]" : "%s%s",
						k ? " " : "", name);
		}
	}
	/* The title's right-hand word the tabs ran into goes whole. */
	for (int x = con_putf(b, pane, 0, 0, a, "%s%s ", focus ? ">" : " ", t);
	     x < pane->w && pane->y < b->h && pane->x + x < b->w &&
	     con_buf_at(b, pane->y, pane->x + x)->ch != ' '; x++)
		con_put(b, pane, 0, x, a, " ", 1);
}

void con_tabs_slot(struct con_buf *b, const struct con_rect *pane, int rows, int cols, int zoom,
		   enum con_pane p, bool focus)
{
	const char *name = pane_titles[p];

	con_tabs_slot_views(b, pane, rows, cols, zoom, p, focus, p, &name, 1, 0);
}

void con_tabs_min_size(struct con_buf *b, int rows, int cols)
{
	struct con_rect r = { 0, 0, 1, cols };

	if (rows >= CON_MIN_ROWS && cols >= CON_MIN_COLS)
		return;
	con_fill(b, &r, 0, 0, cols, ' ', CON_A_WARN);
	/* Short enough for 36 columns: the minimum comes first. */
	con_putf(b, &r, 0, 0, CON_A_WARN, "below %dx%d: panes take turns (C-o); now %dx%d",
		 CON_MIN_COLS, CON_MIN_ROWS, cols, rows);
}
