/* con-tree.c - the cgroup tree pane; see con-tree.h. */
#include "tui/con-tree.h"

#include <stdio.h>
#include <string.h>

/* Right-hand columns: owner, cpus, procs, workers, state. */
#define COLS_W 33

static int depth_of(const char *path)
{
	int d = 0;

	for (const char *p = path; *p; p++)
		d += *p == '/';
	return d;
}

static const char *leaf_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void num(char *buf, size_t size, long v)
{
	if (v < 0)
		snprintf(buf, size, "?");
	else
		snprintf(buf, size, "%ld", v);
}

static void row(const struct kt_gstate_cgroup *c, const struct con_scn *v, struct con_buf *b,
		const struct con_rect *r, int y)
{
	const struct con_scn_cg *own = v ? con_scn_cgroup(v, c->path) : NULL;
	enum con_attr na = !own ? CON_A_NORMAL
			   : own->owner == KT_OWN_BACKDROP ? CON_A_BACKDROP : CON_A_STEP;
	int namew = r->w - COLS_W;
	int indent = 2 * depth_of(c->path);
	char procs[24], workers[24], line[128];
	const char *state = c->frozen == 1 ? "frozen" : c->populated == 1 ? "live"
			    : c->populated == 0 ? "empty" : "?";

	if (namew < 6)
		namew = 6;
	con_put(b, r, y, 1 + indent, na, leaf_of(c->path), namew - 1 - indent);
	num(procs, sizeof(procs), c->nprocs);
	num(workers, sizeof(workers), c->workers);
	snprintf(line, sizeof(line), "%-4s %-9.9s %5s %3s ",
		 !own ? "-" : own->owner == KT_OWN_BACKDROP ? "bd" : "step",
		 c->has_cpus ? (c->cpus_effective[0] ? c->cpus_effective : "none") : "-",
		 procs, workers);
	con_put(b, r, y, namew, na == CON_A_NORMAL ? CON_A_DIM : na, line, 4);
	con_put(b, r, y, namew + 4, CON_A_NORMAL, line + 4, -1);
	con_put(b, r, y, namew + (int)strlen(line), c->frozen == 1 ? CON_A_FROZEN : CON_A_NORMAL,
		state, -1);
}

int con_tree_render(const struct kt_gstate *g, const struct con_scn *v, struct con_buf *b,
		    const struct con_rect *r, int scroll, const char *sel)
{
	int namew = r->w - COLS_W;

	if (r->h <= 0)
		return 0;
	if (!g || !g->valid) {
		con_put(b, r, 0, 1, CON_A_DIM, "waiting for the guest's state...", -1);
		return 1;
	}
	if (g->cgroups_error[0]) {
		con_putf(b, r, 0, 1, CON_A_ERROR, "cannot read the tree: %s", g->cgroups_error);
		return 1;
	}
	if (!g->ncgroups) {
		con_put(b, r, 0, 1, CON_A_DIM, "no cgroups yet; try:", -1);
		con_put(b, r, 1, 3, CON_A_DIM, "add-cgroup-def w workers=2", -1);
		return 2;
	}
	if (namew < 6)
		namew = 6;
	con_put(b, r, 0, 1, CON_A_DIM, "cgroup", -1);
	con_put(b, r, 0, namew, CON_A_DIM, "own  cpus      procs wk  state", -1);
	if (scroll > (int)g->ncgroups - (r->h - 1))
		scroll = (int)g->ncgroups - (r->h - 1);
	if (scroll < 0)
		scroll = 0;
	for (int y = 1; y < r->h && (size_t)(scroll + y - 1) < g->ncgroups; y++) {
		const struct kt_gstate_cgroup *c = &g->cgroups[scroll + y - 1];

		row(c, v, b, r, y);
		if (sel && !strcmp(c->path, sel))	/* the row in the cursor's colours */
			for (int x = 0; x < r->w && r->x + x < b->w && r->y + y < b->h; x++)
				b->cells[(size_t)(r->y + y) * b->w + r->x + x].attr = CON_A_TITLE_FOCUS;
	}
	if (g->cgroups_truncated && (int)g->ncgroups - scroll < r->h - 1)
		con_put(b, r, (int)g->ncgroups - scroll + 1, 1, CON_A_WARN,
			"(the guest sent only part of the tree)", -1);
	return (int)g->ncgroups + 1;
}

const char *con_tree_summary(const struct kt_gstate *g, char *buf, size_t size)
{
	size_t frozen = 0;

	if (!g || !g->valid) {
		snprintf(buf, size, "%s", "");
		return buf;
	}
	for (size_t i = 0; i < g->ncgroups; i++)
		frozen += g->cgroups[i].frozen == 1;
	if (frozen)
		snprintf(buf, size, "%zu, %zu frozen", g->ncgroups, frozen);
	else
		snprintf(buf, size, "%zu", g->ncgroups);
	return buf;
}
