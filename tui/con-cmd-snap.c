/* con-cmd-snap.c - snapshots in the captures pane: one opened to browse
 * (`show snapshot TAG`), two compared (`diff snapshot A B`: side by side,
 * changed fields marked, con-browse.h over lib/jdiff.h), and one kept
 * (`save snapshot TAG FILE`: its JSON in a file, which `ktcon diff` and
 * `show json` read). The snapshots live with the engine: a job fetches
 * their trees, and what to do with them happens here when it comes back;
 * the trees are browsed as they are, never printed and parsed again. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jdiff.h"
#include "lib/kjson.h"
#include "lib/util.h"
#include "tui/con-cmd.h"

/* Differences named in the log line after a diff, at most. */
#define DIFF_LOG_PATHS 3

/* A snapshot the scenario holds under tag, said in the log when not. */
static bool have_snapshot(struct ktconsole *c, const char *cmd, const char *tag)
{
	for (size_t i = 0; i < c->scn.ncaps; i++)
		if (c->scn.caps[i].kind == KT_CAP_SNAPSHOT && !strcmp(c->scn.caps[i].tag, tag))
			return true;
	con_log_add(c->log, CON_A_ERROR, "%s: no snapshot tagged '%s'", cmd, tag);
	con_log_add(c->log, CON_A_HINT, "  hint: `snapshots` lists them");
	return false;
}

static void submit(struct ktconsole *c, enum con_snap_use use, const char *text,
		   const char *text2, const char *cmd)
{
	struct con_job *j = calloc(1, sizeof(*j));

	if (!j || !(j->text = strdup(text)) || !(j->text2 = strdup(text2))) {
		if (j)
			free(j->text);
		free(j);
		con_log_add(c->log, CON_A_ERROR, "%s: out of memory", cmd);
		return;
	}
	j->kind = CON_JOB_SNAPSHOT;
	j->use = use;
	con_engine_submit(c->eng, j);
}

CON_CMD(diff)
{
	(void)rest;
	if (argc != 4 || strcmp(argv[1], "snapshot")) {
		con_log_add(c->log, CON_A_ERROR, "diff: diff snapshot A B");
		return;
	}
	if (have_snapshot(c, "diff", argv[2]) && have_snapshot(c, "diff", argv[3]))
		submit(c, CON_SNAP_DIFF, argv[2], argv[3], "diff");
}

CON_CMD(save)
{
	(void)rest;
	if (argc != 4 || strcmp(argv[1], "snapshot")) {
		con_log_add(c->log, CON_A_ERROR, "save: save snapshot TAG FILE");
		return;
	}
	if (have_snapshot(c, "save", argv[2]))
		submit(c, CON_SNAP_SAVE, argv[2], argv[3], "save");
}

/* b in the captures pane, zoomed, in place of what was open. */
void console_browse_show(struct ktconsole *c, struct con_browse *b, const char *how)
{
	if (!c->browse) {	/* closing it returns here */
		c->browse_from_focus = c->focus;
		c->browse_from_zoom = c->zoom;
	}
	con_browse_free(c->browse);
	c->browse = b;
	c->focus = CON_P_CAPS;
	c->zoom = CON_P_CAPS;
	con_log_add(c->log, CON_A_DIM, "%s: Up/Down move, Enter or Right folds, /TEXT searches, "
		    "q closes", how);
}

void console_browse_tree(struct ktconsole *c, const char *title, struct json_object *tree)
{
	struct con_browse *b;
	struct kterr *e;

	con_sym_tree(con_syms_table(c->syms), tree);
	e = con_browse_open_tree(title, tree, &b);
	if (e) {
		con_log_error(c->log, "show: ", e);
		kterr_free(e);
		return;
	}
	console_browse_show(c, b, title);
}

/* The first few paths that differ, for the log. */
struct first_paths {
	char text[256];
	size_t n;
};

static bool note_path(void *ctx, const struct jdiff_entry *e)
{
	struct first_paths *f = ctx;
	size_t len = strlen(f->text);

	if (e->kind == JDIFF_SAME)
		return false;
	if (e->container && e->kind == JDIFF_CHANGED)
		return true;
	if (f->n++ < DIFF_LOG_PATHS)
		snprintf(f->text + len, sizeof(f->text) - len, "%s%s", len ? ", " : "", e->path);
	return false;
}

static void show_diff(struct ktconsole *c, struct con_job *j)
{
	const struct ksyms *ks = con_syms_table(c->syms);
	struct first_paths f = { "", 0 };
	struct con_browse *b;
	char *title = kt_strfmt("diff %s %s", j->text, j->text2);
	struct kterr *e;
	size_t n;

	con_sym_tree(ks, j->tree[0]);
	con_sym_tree(ks, j->tree[1]);
	e = title ? con_browse_open_diff(title, j->text, j->tree[0], j->text2, j->tree[1], &b)
		  : kterr_new(ENOMEM, "diff");
	if (e) {
		con_log_error(c->log, "diff: ", e);
		kterr_free(e);
		free(title);
		return;
	}
	n = con_browse_changes(b);
	jdiff_walk(j->tree[0], j->tree[1], note_path, &f, NULL);
	con_log_add(c->log, n ? CON_A_WARN : CON_A_OK, "%s: %zu difference%s%s%s%s%s", title, n,
		    n == 1 ? "" : "s", n ? " (" : "", f.text, n > DIFF_LOG_PATHS ? ", ..." : "",
		    n ? ")" : "");
	console_browse_show(c, b, title);
	free(title);
}

static void save(struct ktconsole *c, struct con_job *j)
{
	/* Text here: the snapshot leaves the process. */
	const char *text = kjson_text_pretty(j->tree[0]);
	FILE *f = fopen(j->text2, "w");
	bool ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;

	if (f && fclose(f))
		ok = false;
	if (!ok) {
		con_log_add(c->log, CON_A_ERROR, "save: %s: %s", j->text2, strerror(errno));
		return;
	}
	con_log_add(c->log, CON_A_OK, "saved snapshot %s to %s (%zu bytes)", j->text, j->text2,
		    strlen(text) + 1);
}

void console_snapshot_done(struct ktconsole *c, struct con_job *j)
{
	static const char *const cmds[] = {
		[CON_SNAP_SHOW] = "show: ", [CON_SNAP_DIFF] = "diff: ", [CON_SNAP_SAVE] = "save: ",
	};

	if (j->err) {
		con_log_error(c->log, cmds[j->use], j->err);
		return;
	}
	switch (j->use) {
	case CON_SNAP_SHOW:
		console_browse_tree(c, j->text, j->tree[0]);
		break;
	case CON_SNAP_DIFF:
		show_diff(c, j);
		break;
	case CON_SNAP_SAVE:
		save(c, j);
		break;
	}
}
