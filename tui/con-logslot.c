/* con-logslot.c - the log's tabs, search and filters; see con-logslot.h. */
#include "tui/con-logslot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/con-cmd.h"
#include "tui/con-tabs.h"

static const char *const tab_names[CON_LT__COUNT] = {
	[CON_LT_LOG] = "log", [CON_LT_SCHED] = "sched",
};

int con_logslot_init(struct con_logslot *s)
{
	memset(s, 0, sizeof(*s));
	atomic_init(&s->told, false);
	s->sched = con_log_new(CON_SCHED_LINES);
	return s->sched ? 0 : -1;
}

void con_logslot_free(struct con_logslot *s)
{
	con_log_free(s->sched);
	s->sched = NULL;
}

static struct con_log *shown(const struct ktconsole *c)
{
	return c->logslot.tab == CON_LT_SCHED ? c->logslot.sched : c->log;
}

void con_logslot_sched_line(struct ktconsole *c, const char *text)
{
	con_log_add(c->logslot.sched, CON_A_GUEST, "%s", text);
	if (!atomic_exchange(&c->logslot.told, true))
		con_log_add(c->log, CON_A_HINT, "the scheduler's output goes to the log pane's "
			    "sched tab (C-t or F4 shows it): %s", text);
}

void con_logslot_draw(struct ktconsole *c, struct con_buf *b, const struct con_rect *pane,
		      const struct con_rect *r, bool focus)
{
	struct con_logslot *s = &c->logslot;
	char right[192];
	size_t len = 0;
	int p = CON_P_LOG;

	c->logview.scroll = c->scroll[p];
	c->scroll_max[p] = con_log_render_view(shown(c), b, r, &c->logview);
	c->scroll[p] = c->logview.scroll;
	right[0] = '\0';
	if (s->searching)
		len += (size_t)snprintf(right + len, sizeof(right) - len, "/%s: n older, N newer  ",
					s->search);
	if (c->logview.filter != CON_LF_ALL && len < sizeof(right))
		len += (size_t)snprintf(right + len, sizeof(right) - len, "filter %s  ",
					con_log_filter_name(c->logview.filter));
	if (c->scroll[p] && c->logview.new_below && len < sizeof(right))
		snprintf(right + len, sizeof(right) - len, "%d lines up, %zu new line%s below "
			 "(End: newest)", c->scroll[p], c->logview.new_below,
			 c->logview.new_below == 1 ? "" : "s");
	else if (c->scroll[p] && len < sizeof(right))
		snprintf(right + len, sizeof(right) - len, "%d lines up (End: newest)", c->scroll[p]);
	con_tabs_title(b, pane, tab_names, CON_LT__COUNT, s->tab, right, focus);
}

static void go(struct ktconsole *c, int dir)
{
	struct con_logslot *s = &c->logslot;
	uint64_t at;

	if (!con_log_find(shown(c), s->search, c->logview.filter, s->searching ? s->match : 0,
			  dir, &at)) {
		con_log_add(c->log, CON_A_WARN, "no %s'%s' in the %s tab%s",
			    dir < 0 ? (s->searching ? "older " : "") : "newer ", s->search,
			    tab_names[s->tab], c->logview.filter != CON_LF_ALL ? " (filtered)" : "");
		return;
	}
	s->match = at;
	s->searching = true;
	c->focus = CON_P_LOG;
	con_log_view_goto(shown(c), &c->logview, at);
	c->scroll[CON_P_LOG] = c->logview.scroll;
}

void con_logslot_search(struct ktconsole *c, const char *text)
{
	struct con_logslot *s = &c->logslot;

	if (!*text) {		/* "/" alone: the last search again */
		if (!s->search[0]) {
			con_log_add(c->log, CON_A_ERROR, "/TEXT searches the log; no search yet");
			return;
		}
	} else {
		snprintf(s->search, sizeof(s->search), "%s", text);
	}
	s->searching = false;
	go(c, -1);
}

bool con_logslot_searching(const struct ktconsole *c)
{
	return c->logslot.searching;
}

void con_logslot_end_search(struct ktconsole *c)
{
	c->logslot.searching = false;
}

/* ---- commands ---- */

CON_CMD(tab)
{
	struct con_logslot *s = &c->logslot;
	int keep_scroll = c->scroll[CON_P_LOG];
	struct con_log_view keep_view = c->logview;

	enum con_pane peers[CON_P__COUNT];
	size_t n = con_layout_peers(c->rows, c->cols, c->zoom, c->focus, peers);

	(void)argc;
	(void)argv;
	(void)rest;
	/* The scheduler's place has views of its own (con-cmd-live.c). */
	if (c->focus == CON_P_SCHED && console_live_tab(c))
		return;
	/* A place the focused pane shares (at 80x24: the scheduler and the
	 * captures): the next pane there. */
	if (c->focus != CON_P_LOG && n > 1) {
		for (size_t i = 0; i < n; i++)
			if (peers[i] == c->focus) {
				c->focus = peers[(i + 1) % n];
				break;
			}
		c->dirty = true;
		return;
	}
	s->searching = false;
	s->tab = (s->tab + 1) % CON_LT__COUNT;
	c->scroll[CON_P_LOG] = s->other_scroll;
	c->logview = s->other_view;
	s->other_scroll = keep_scroll;
	s->other_view = keep_view;
	c->focus = CON_P_LOG;
	c->dirty = true;
}

CON_CMD(filter)
{
	int f;

	(void)rest;
	if (argc < 2) {
		f = (c->logview.filter + 1) % CON_LF__COUNT;	/* the key: the next one */
	} else if ((f = con_log_filter_find(argv[1])) < 0) {
		con_log_add(c->log, CON_A_ERROR, "filter: no filter '%s'", argv[1]);
		con_log_add(c->log, CON_A_HINT, "  hint: filter errors|host|sched|all");
		return;
	}
	c->logview.filter = f;
	c->scroll[CON_P_LOG] = 0;	/* the newest of what it keeps */
	c->logview.anchored = false;
	c->logslot.searching = false;
	c->focus = CON_P_LOG;
	c->dirty = true;
}

CON_CMD(search)
{
	(void)rest;
	if (argc < 2 || (strcmp(argv[1], "next") && strcmp(argv[1], "prev"))) {
		con_log_add(c->log, CON_A_ERROR, "search: next|prev (/TEXT begins a search)");
		return;
	}
	if (!c->logslot.search[0]) {
		con_log_add(c->log, CON_A_ERROR, "search: no search yet: /TEXT begins one");
		return;
	}
	go(c, strcmp(argv[1], "next") ? 1 : -1);
	c->dirty = true;
}
