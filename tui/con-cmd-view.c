/* con-cmd-view.c - what the operator looks at: focus, zoom, scroll,
 * redraw, and captures: `snapshots`, `show snapshot TAG | json FILE`
 * (opened in the captures pane as a tree, con-browse.h) and `browse`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "tui/con-cmd.h"

/* ---- the view ---- */

CON_CMD(focus)
{
	int p;

	if (argc < 2 || !strcmp(argv[1], "next")) {
		c->focus = (c->focus + 1) % CON_P__COUNT;
	} else if ((p = con_pane_find(argv[1])) >= 0) {
		c->focus = p;
	} else {
		con_log_add(c->log, CON_A_ERROR, "focus: no pane '%s'", argv[1]);
		con_log_add(c->log, CON_A_HINT, "  hint: focus next|tree|sched|captures|log");
		return;
	}
	if (c->zoom >= 0)
		c->zoom = c->focus;
	c->dirty = true;
}

CON_CMD(zoom)
{
	c->zoom = c->zoom >= 0 ? -1 : (int)c->focus;
	c->dirty = true;
}

CON_CMD(scroll)
{
	int *s = &c->scroll[c->focus];
	int page = c->lay.pane[c->focus].h > 3 ? c->lay.pane[c->focus].h - 2 : 1;
	int n = argc > 2 ? atoi(argv[2]) : page;
	/* The log scrolls back from its newest line; the others forward. */
	int up = c->focus == CON_P_LOG ? 1 : -1;

	if (argc < 2) {
		con_log_add(c->log, CON_A_ERROR, "scroll: up|down [N]|top|bottom");
		return;
	}
	if (c->focus == CON_P_CAPS && c->browse) {
		bool one = argc > 2;

		con_browse_move(c->browse, !strcmp(argv[1], "up") ? (one ? CON_BR_UP : CON_BR_PAGE_UP)
					   : !strcmp(argv[1], "down") ? (one ? CON_BR_DOWN
									     : CON_BR_PAGE_DOWN)
					   : !strcmp(argv[1], "top") ? CON_BR_TOP : CON_BR_BOTTOM, page);
		return;
	}
	if (!strcmp(argv[1], "up"))
		*s += up * n;
	else if (!strcmp(argv[1], "down"))
		*s -= up * n;
	else if (!strcmp(argv[1], "top"))
		*s = c->focus == CON_P_LOG ? c->scroll_max[c->focus] : 0;
	else if (!strcmp(argv[1], "bottom"))
		*s = c->focus == CON_P_LOG ? 0 : c->scroll_max[c->focus];
	if (*s < 0)
		*s = 0;
	if (*s > c->scroll_max[c->focus])
		*s = c->scroll_max[c->focus];
	c->dirty = true;
}

CON_CMD(redraw)
{
	c->dirty = true;
	c->rows = -1;		/* con-ui.c: repaint everything */
}

CON_CMD(snapshots)
{
	size_t n = 0;

	c->focus = CON_P_CAPS;
	c->dirty = true;
	for (size_t i = 0; i < c->scn.ncaps; i++) {
		if (c->scn.caps[i].kind != KT_CAP_SNAPSHOT)
			continue;
		con_log_add(c->log, CON_A_NORMAL, "  %-16s %s", c->scn.caps[i].tag,
			    c->scn.caps[i].what);
		n++;
	}
	if (!n)
		con_log_add(c->log, CON_A_DIM, "no snapshots yet (capture-snapshot TAG takes one)");
}

/* Open a JSON text (a file) in the captures pane, zoomed. */
void console_browse(struct ktconsole *c, const char *title, const char *json, size_t len)
{
	struct con_browse *b;
	/* RIPs with their symbols (inside the JSON strings they are in). */
	char *sym = con_sym_rewrite(con_syms_table(c->syms), json);
	struct kterr *e = con_browse_open(title, sym ? sym : json, sym ? strlen(sym) : len, &b);

	free(sym);
	if (e) {
		con_log_error(c->log, "show: ", e);
		kterr_free(e);
		return;
	}
	console_browse_show(c, b, title);
}

static void show_json(struct ktconsole *c, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	struct kterr *e = kt_read_file(path, 64u << 20, &text, &len);

	if (e) {
		con_log_error(c->log, "show: ", e);
		kterr_free(e);
		return;
	}
	console_browse(c, path, text, len);
	free(text);
}

CON_CMD(show)
{
	if (argc == 3 && !strcmp(argv[1], "json")) {
		show_json(c, argv[2]);
		return;
	}
	if (argc != 3 || strcmp(argv[1], "snapshot")) {
		con_log_add(c->log, CON_A_ERROR, "show: show snapshot TAG | show json FILE");
		return;
	}
	for (size_t i = 0; i < c->scn.ncaps; i++)
		if (!strcmp(c->scn.caps[i].tag, argv[2])) {
			con_log_add(c->log, CON_A_NORMAL, "%s: %s", argv[2], c->scn.caps[i].what);
			if (c->scn.caps[i].kind != KT_CAP_SNAPSHOT)
				return;
			/* The snapshot lives with the engine: it fetches the JSON. */
			console_submit_text(c, CON_JOB_SNAPSHOT, argv[2], "show");
			return;
		}
	con_log_add(c->log, CON_A_ERROR, "show: no capture tagged '%s'", argv[2]);
	con_log_add(c->log, CON_A_HINT, "  hint: `snapshots` lists them");
}

CON_CMD(browse)
{
	static const struct { const char *word; enum con_browse_move m; } moves[] = {
		{ "up", CON_BR_UP }, { "down", CON_BR_DOWN }, { "pgup", CON_BR_PAGE_UP },
		{ "pgdn", CON_BR_PAGE_DOWN }, { "top", CON_BR_TOP }, { "bottom", CON_BR_BOTTOM },
		{ "fold", CON_BR_TOGGLE }, { "open-all", CON_BR_OPEN_ALL },
		{ "close-all", CON_BR_CLOSE_ALL },
	};
	int page = c->lay.pane[CON_P_CAPS].h > 2 ? c->lay.pane[CON_P_CAPS].h - 2 : 1;

	if (!c->browse) {
		con_log_add(c->log, CON_A_ERROR, "browse: nothing open");
		con_log_add(c->log, CON_A_HINT, "  hint: show snapshot TAG, or show json FILE");
		return;
	}
	if (argc < 2) {
		con_log_add(c->log, CON_A_ERROR, "browse: up|down|pgup|pgdn|top|bottom|fold|"
			    "open-all|close-all|next-change|prev-change|close | browse find TEXT "
			    "(or /TEXT)");
		return;
	}
	if (!strcmp(argv[1], "close")) {
		con_browse_free(c->browse);
		c->browse = NULL;
		/* Back where the operator was (unless they moved since). */
		if (c->zoom == CON_P_CAPS)
			c->zoom = c->browse_from_zoom;
		if (c->focus == CON_P_CAPS)
			c->focus = c->browse_from_focus;
		return;
	}
	if (!strcmp(argv[1], "next-change") || !strcmp(argv[1], "prev-change")) {
		if (!con_browse_next_change(c->browse, argv[1][0] == 'n' ? 1 : -1))
			con_log_add(c->log, CON_A_WARN, "no differences in %s",
				    con_browse_title(c->browse));
		return;
	}
	if (!strcmp(argv[1], "find")) {
		const char *text = rest + strlen("find");

		text += strspn(text, " \t");
		if (!con_browse_search(c->browse, text))
			con_log_add(c->log, CON_A_WARN, "no '%s' in %s", text,
				    con_browse_title(c->browse));
		return;
	}
	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++)
		if (!strcmp(argv[1], moves[i].word)) {
			con_browse_move(c->browse, moves[i].m, page);
			return;
		}
	con_log_add(c->log, CON_A_ERROR, "browse: no move '%s'", argv[1]);
}

