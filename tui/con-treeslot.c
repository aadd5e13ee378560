/* con-treeslot.c - the tree's selection and the workers view; see
 * con-treeslot.h. Commands: `select`, `workers`. */
#include "tui/con-treeslot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/con-cmd.h"
#include "tui/con-tabs.h"

void con_treeslot_free(struct con_treeslot *t)
{
	con_workers_close(&t->wk);
}

void con_treeslot_update(struct ktconsole *c)
{
	con_workers_update(&c->treeslot.wk, &c->g);
}

/* The selected row: sel when the tree has it, else the first; -1 with no
 * cgroup at all. */
static int sel_index(const struct ktconsole *c)
{
	if (!c->g.valid || !c->g.ncgroups)
		return -1;
	for (size_t i = 0; i < c->g.ncgroups; i++)
		if (!strcmp(c->g.cgroups[i].path, c->treeslot.sel))
			return (int)i;
	return 0;
}

bool con_treeslot_key_ok(const struct ktconsole *c, const struct con_key *k)
{
	if ((k->flags & CON_KEY_TREE) && (c->focus != CON_P_TREE || c->treeslot.wk.open))
		return false;
	if ((k->flags & CON_KEY_WORKERS) && (c->focus != CON_P_TREE || !c->treeslot.wk.open))
		return false;
	return true;
}

const char *con_treeslot_sel(const struct ktconsole *c, bool focus)
{
	int sel = focus ? sel_index(c) : -1;

	return sel >= 0 ? c->g.cgroups[sel].path : NULL;
}

bool con_treeslot_draw_workers(struct ktconsole *c, struct con_buf *b,
			       const struct con_rect *pane, const struct con_rect *r, bool focus)
{
	struct con_treeslot *t = &c->treeslot;
	char right[64], tab[KT_GSTATE_PATH_MAX + 16];
	int rows;

	if (!t->wk.open)
		return false;
	rows = con_workers_render(&t->wk, &c->g, b, r, c->scroll[CON_P_TREE]);
	c->scroll_max[CON_P_TREE] = rows > r->h ? rows - r->h : 0;
	snprintf(tab, sizeof(tab), "workers %s", t->wk.cgroup);
	con_workers_summary(&t->wk, &c->g, right, sizeof(right));
	if (pane->w >= 60 && strlen(right) + 14 < sizeof(right))
		strcat(right, "  Esc/q: back");
	con_tabs_title(b, pane, (const char *const[]){ "cgroups", tab }, 2, 1, right, focus);
	return true;
}

/* ---- commands ---- */

/* Keep row i (0-based, below the header row) in the tree's view. */
static void show_row(struct ktconsole *c, int i)
{
	int h = c->lay.pane[CON_P_TREE].h - 2;	/* less the title and the header */
	int *s = &c->scroll[CON_P_TREE];

	if (h < 1)
		h = 1;
	if (i < *s)
		*s = i;
	else if (i >= *s + h)
		*s = i - h + 1;
}

CON_CMD(select)
{
	struct con_treeslot *t = &c->treeslot;
	int i = sel_index(c), n = c->g.valid ? (int)c->g.ncgroups : 0;
	const char *how = argc > 1 ? argv[1] : "";

	if (i < 0) {
		con_log_add(c->log, CON_A_ERROR, "select: no cgroups yet");
		con_log_add(c->log, CON_A_HINT, "  hint: add-cgroup-def w workers=2");
		return;
	}
	if (!strcmp(how, "up"))
		i = i > 0 ? i - 1 : 0;
	else if (!strcmp(how, "down"))
		i = i + 1 < n ? i + 1 : n - 1;
	else if (!strcmp(how, "first"))
		i = 0;
	else if (!strcmp(how, "last"))
		i = n - 1;
	else if (kt_gstate_cgroup(&c->g, how))
		i = (int)(kt_gstate_cgroup(&c->g, how) - c->g.cgroups);
	else {
		if (argc > 1)
			con_log_add(c->log, CON_A_ERROR, "select: no cgroup '%s'", how);
		else
			con_log_add(c->log, CON_A_ERROR, "select: up|down|first|last|CGROUP");
		return;
	}
	snprintf(t->sel, sizeof(t->sel), "%s", c->g.cgroups[i].path);
	c->focus = CON_P_TREE;
	show_row(c, i);
	c->dirty = true;
}

static void close_view(struct ktconsole *c)
{
	struct con_treeslot *t = &c->treeslot;

	con_workers_close(&t->wk);
	c->scroll[CON_P_TREE] = t->tree_scroll;
	/* Back where the operator was (unless they moved since). */
	if (c->zoom == CON_P_TREE)
		c->zoom = t->from_zoom;
	if (c->focus == CON_P_TREE)
		c->focus = t->from_focus;
}

CON_CMD(workers)
{
	struct con_treeslot *t = &c->treeslot;
	const char *cg;
	int i;

	c->dirty = true;
	if (argc > 1 && !strcmp(argv[1], "close")) {
		if (t->wk.open)
			close_view(c);
		return;
	}
	if (argc > 1) {
		cg = argv[1];
		if (*cg != '@' && c->g.valid && !kt_gstate_cgroup(&c->g, cg)) {
			con_log_add(c->log, CON_A_ERROR, "workers: no cgroup '%s'", cg);
			con_log_add(c->log, CON_A_HINT, "  hint: the cgroup tree lists them; "
				    "@runner is the runner's own workers");
			return;
		}
	} else {
		if ((i = sel_index(c)) < 0) {
			con_log_add(c->log, CON_A_ERROR, "workers: no cgroups yet");
			con_log_add(c->log, CON_A_HINT, "  hint: add-cgroup-def w workers=2");
			return;
		}
		cg = c->g.cgroups[i].path;
	}
	if (!t->wk.open) {	/* closing it returns here */
		t->from_focus = c->focus;
		t->from_zoom = c->zoom;
		t->tree_scroll = c->scroll[CON_P_TREE];
	}
	con_workers_open(&t->wk, cg);
	con_workers_update(&t->wk, &c->g);
	c->scroll[CON_P_TREE] = 0;
	c->focus = CON_P_TREE;
	if (c->zoom < 0 && c->lay.pane[CON_P_TREE].w < CON_WORKERS_MIN_COLS)
		c->zoom = CON_P_TREE;
	else if (c->zoom >= 0)
		c->zoom = CON_P_TREE;
}
