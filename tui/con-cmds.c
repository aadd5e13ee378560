/*
 * con-cmds.c - what a line typed at the console does.
 *
 * A line whose first word is a console command (the table below, like
 * tmux's cmd_entry table: name, usage, summary, exec) runs it; any other
 * line is a recipe statement (engine/recipe.h), parsed in the section the
 * session is in and handed to the engine thread. `step` is both: a
 * recipe section line that the console applies by closing the current
 * step. Keys (con-keys.h) run commands from the same table. `help`, `?`
 * and completion read the table and the engine's forms; nothing else
 * lists the commands.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/expect.h"
#include "engine/header.h"
#include "engine/op.h"
#include "engine/util.h"
#include "tui/con-keys.h"
#include "tui/con-prompt.h"
#include "tui/console.h"

#define MAX_ARGS 8

struct con_cmd {
	const char *name;
	const char *usage;
	const char *summary;
	void (*exec)(struct ktconsole *c, int argc, char **argv, const char *rest);
};

static const struct con_cmd *cmd_find(const char *name);

/* ---- help ---- */

static void list_words(struct ktconsole *c, const char *title, const char *const *words, size_t n)
{
	char line[512];
	size_t len = (size_t)snprintf(line, sizeof(line), "  %-9s", title);
	int width = c->cols > 20 ? c->cols - 2 : 78;

	for (size_t i = 0; i < n; i++) {
		size_t wl = strlen(words[i]);

		if (len + wl + 1 > (size_t)width || len + wl + 2 > sizeof(line)) {
			con_log_add(c->log, CON_A_NORMAL, "%s", line);
			len = (size_t)snprintf(line, sizeof(line), "  %-9s", "");
		}
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s", words[i]);
	}
	con_log_add(c->log, CON_A_NORMAL, "%s", line);
}

static const struct con_cmd table[];

static void help_all(struct ktconsole *c)
{
	const char *w[KT_OP__COUNT + 16];
	size_t n = 0;

	con_log_add(c->log, CON_A_CMD, "Type an op to apply it to the guest now; Tab completes, "
		    "`help OP` explains one. ? lists the keys.");
	for (size_t i = 0; i < KT_OP__COUNT; i++)
		w[n++] = kt_op_table[i]->name;
	list_words(c, "ops:", w, n);
	n = 0;
	w[n++] = "cgroup NAME [key=value...]";
	list_words(c, "setup:", w, n);
	n = 0;
	for (size_t i = 0; kt_expect_forms[i]; i++)
		w[n++] = kt_expect_forms[i]->name;
	list_words(c, "expect:", w, n);
	n = 0;
	for (const struct con_cmd *cmd = table; cmd->name; cmd++)
		w[n++] = cmd->name;
	list_words(c, "console:", w, n);
	con_log_add(c->log, CON_A_DIM, "  Try: add-cgroup-def w workers=2, freeze-cgroup w, "
		    "record FILE, quit");
}

static void help_form(struct ktconsole *c, const struct kt_form *f)
{
	char usage[512];

	con_log_add(c->log, CON_A_CMD, "%s", kt_form_usage(f, usage, sizeof(usage)));
	if (f->help)
		con_log_add(c->log, CON_A_NORMAL, "  %s", f->help);
	if (f->side == KT_SIDE_HOST)
		con_log_add(c->log, CON_A_DIM, "  (runs on the host against guest memory)");
}

static void cmd_help(struct ktconsole *c, int argc, char **argv, const char *rest)
{
	const struct kt_form *f;
	const struct con_cmd *cmd;
	const char *what = argc > 2 && !strcmp(argv[1], "expect") ? argv[2] : argc > 1 ? argv[1] : NULL;

	if (!what) {
		help_all(c);
		return;
	}
	if ((cmd = cmd_find(what))) {
		con_log_add(c->log, CON_A_CMD, "%s", cmd->usage);
		con_log_add(c->log, CON_A_NORMAL, "  %s", cmd->summary);
		if (strcmp(what, "step"))
			return;
	}
	f = kt_op_find(what);
	if (!f)
		f = kt_form_find(kt_expect_forms, what);
	if (!f)
		f = kt_form_find(kt_section_forms, what);
	if (!f)
		f = kt_form_find(kt_directive_forms, what);
	if (!f && !strcmp(what, "cgroup"))
		f = &kt_cgroup_form;
	if (f) {
		help_form(c, f);
		return;
	}
	if (cmd)
		return;
	const char *best = kt_form_suggest(kt_op_table, what);
	con_log_add(c->log, CON_A_ERROR, "help: no op or command '%s'", what);
	if (best)
		con_log_add(c->log, CON_A_HINT, "  hint: did you mean `help %s`?", best);
	else
		con_log_add(c->log, CON_A_HINT, "  hint: `help` lists them all");
}

static void cmd_keys(struct ktconsole *c, int argc, char **argv, const char *rest)
{
	const char *last = NULL;

	con_log_add(c->log, CON_A_CMD, "keys (each runs the console command beside it):");
	for (const struct con_key *k = con_keys; k->seq; k++) {
		if (last && !strcmp(last, k->command))
			continue;	/* another spelling of the same key */
		con_log_add(c->log, CON_A_NORMAL, "  %-8s %s%s%s", k->name, k->command,
			    k->flags & CON_KEY_EMPTY_LINE ? "  (on an empty line)" : "",
			    k->flags & CON_KEY_BROWSING ? "  (a snapshot open)" : "");
		last = k->command;
	}
	con_log_add(c->log, CON_A_NORMAL, "  %-8s %s", "Tab", "complete ops, keys, cgroup names");
	con_log_add(c->log, CON_A_NORMAL, "  %-8s %s", "Up/C-r", "history (kept across runs)");
	con_log_add(c->log, CON_A_DIM, "  `help` lists ops and commands; `help OP` explains one");
}

/* ---- the view ---- */

static void cmd_focus(struct ktconsole *c, int argc, char **argv, const char *rest)
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

static void cmd_zoom(struct ktconsole *c, int argc, char **argv, const char *rest)
{
	c->zoom = c->zoom >= 0 ? -1 : (int)c->focus;
	c->dirty = true;
}

static void cmd_scroll(struct ktconsole *c, int argc, char **argv, const char *rest)
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

static void cmd_redraw(struct ktconsole *c, int argc, char **argv, const char *rest)
{
	c->dirty = true;
	c->rows = -1;		/* con-ui.c: repaint everything */
}

static void cmd_cancel(struct ktconsole *c, int argc, char **argv, const char *rest)
{
	uint64_t since;
	char *busy = con_engine_busy(c->eng, &since);

	if (c->continuing) {
		c->continuing = false;
		con_log_add(c->log, CON_A_WARN, "replay stopped (`continue` resumes it)");
	}
	if (!busy) {
		con_prompt_clear_line();
		return;
	}
	con_log_add(c->log, CON_A_WARN, "cancelling %s", busy);
	con_engine_cancel(c->eng);
	free(busy);
}

/* ---- session ---- */

static void cmd_record(struct ktconsole *c, int argc, char **argv, const char *rest)
{
	struct kterr *e;

	if (argc != 2) {
		con_log_add(c->log, CON_A_ERROR, "record: record FILE | record stop");
		return;
	}
	if (!c->rec) {
		con_log_add(c->log, CON_A_ERROR, "record: the guest is not up yet");
		return;
	}
	if (!strcmp(argv[1], "stop")) {
		const char *f = con_rec_file(c->rec);
		char *was = f ? strdup(f) : NULL;

		e = con_rec_stop(c->rec);
		if (!e)
			con_log_add(c->log, CON_A_OK, "recording stopped; %s is a complete recipe "
				    "(`ktcon run %s`)", was, was);
		free(was);
	} else {
		e = con_rec_start(c->rec, argv[1]);
		if (!e)
			con_log_add(c->log, CON_A_OK, "recording to %s: the session so far, then "
				    "each statement as it is applied", argv[1]);
	}
	if (e) {
		con_log_error(c->log, "", e);
		kterr_free(e);
	}
	c->dirty = true;
}

static void cmd_replay(struct ktconsole *c, int argc, char **argv, const char *rest)
{
	struct kterr *e;
	char *diff;

	if (argc != 2) {
		con_log_add(c->log, CON_A_ERROR, "replay: replay FILE");
		return;
	}
	if (c->replay_wait) {
		con_log_add(c->log, CON_A_ERROR, "replay: a statement of the replay is still running");
		con_log_add(c->log, CON_A_HINT, "  hint: C-c cancels it");
		return;
	}
	c->continuing = false;
	e = con_replay_load(&c->replay, argv[1]);
	if (e) {
		con_log_error(c->log, "replay: ", e);
		kterr_free(e);
		return;
	}
	con_log_add(c->log, CON_A_OK, "loaded %s: %zu statements; `next` applies one, "
		    "`continue` runs to the end", argv[1], c->replay.total);
	diff = con_replay_header_diff(&c->replay, c->header);
	if (diff)
		con_log_add(c->log, CON_A_WARN, "warn  %s", diff);
	free(diff);
	c->dirty = true;
}

static bool replay_ready(struct ktconsole *c, const char *cmd)
{
	if (!c->replay.r) {
		con_log_add(c->log, CON_A_ERROR, "%s: nothing to replay", cmd);
		con_log_add(c->log, CON_A_HINT, "  hint: `replay FILE` loads a recipe");
		return false;
	}
	if (con_replay_done(&c->replay)) {
		con_log_add(c->log, CON_A_OK, "%s: the replay is at its end", cmd);
		return false;
	}
	return true;
}

static void cmd_next(struct ktconsole *c, int argc, char **argv, const char *rest)
{
	if (!replay_ready(c, "next"))
		return;
	if (c->replay_wait) {
		con_log_add(c->log, CON_A_WARN, "next: the statement before is still running");
		return;
	}
	console_replay_next(c);
}

static void cmd_continue(struct ktconsole *c, int argc, char **argv, const char *rest)
{
	if (!replay_ready(c, "continue"))
		return;
	c->continuing = true;
	if (!c->replay_wait)
		console_replay_next(c);
}

static void cmd_snapshots(struct ktconsole *c, int argc, char **argv, const char *rest)
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

/* Open a JSON text in the captures pane, zoomed. */
static void browse_open(struct ktconsole *c, const char *title, const char *json, size_t len)
{
	struct con_browse *b;
	struct kterr *e = con_browse_open(title, json, len, &b);

	if (e) {
		con_log_error(c->log, "show: ", e);
		kterr_free(e);
		return;
	}
	con_browse_free(c->browse);
	c->browse = b;
	c->focus = CON_P_CAPS;
	c->zoom = CON_P_CAPS;
	con_log_add(c->log, CON_A_DIM, "%s: Up/Down move, Enter or Right folds, /TEXT searches, "
		    "q closes", title);
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
	browse_open(c, path, text, len);
	free(text);
}

static void cmd_show(struct ktconsole *c, int argc, char **argv, const char *rest)
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
			if (c->scn.caps[i].kind == KT_CAP_SNAPSHOT)
				con_log_add(c->log, CON_A_DIM, "  browsing a snapshot's tree needs the "
					    "host introspection of this build's snapshot store");
			return;
		}
	con_log_add(c->log, CON_A_ERROR, "show: no capture tagged '%s'", argv[2]);
	con_log_add(c->log, CON_A_HINT, "  hint: `snapshots` lists them");
}

static void cmd_sh(struct ktconsole *c, int argc, char **argv, const char *rest)
{
	struct con_job *j;

	if (!rest || !*rest) {
		con_log_add(c->log, CON_A_ERROR, "sh: sh COMMAND (runs in the guest, output here)");
		return;
	}
	j = calloc(1, sizeof(*j));
	if (!j || !(j->text = strdup(rest))) {
		free(j);
		con_log_add(c->log, CON_A_ERROR, "sh: out of memory");
		return;
	}
	j->kind = CON_JOB_SH;
	con_engine_submit(c->eng, j);
}

static void cmd_browse(struct ktconsole *c, int argc, char **argv, const char *rest)
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
			    "open-all|close-all|close | browse find TEXT (or /TEXT)");
		return;
	}
	if (!strcmp(argv[1], "close")) {
		con_browse_free(c->browse);
		c->browse = NULL;
		if (c->zoom == CON_P_CAPS)
			c->zoom = -1;
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

static void cmd_quit(struct ktconsole *c, int argc, char **argv, const char *rest)
{
	console_quit(c);
}

/* `step` is a statement: parsed (its hold checked) and applied. */
static void cmd_step(struct ktconsole *c, int argc, char **argv, const char *rest);

static const struct con_cmd table[] = {
	{ "help", "help [OP|COMMAND]", "list the ops and console commands, or explain one", cmd_help },
	{ "keys", "keys (or ? on an empty line)", "list the keys", cmd_keys },
	{ "step", "step [hold=DURATION]", "close the current step (its teardown runs) and begin a "
	  "new one; the session starts in the backdrop. A recording keeps hold= as typed, or the "
	  "time the step was held", cmd_step },
	{ "record", "record FILE | record stop", "write the session as a recipe: what was applied "
	  "so far, then each statement as it is applied (fsync'd)", cmd_record },
	{ "replay", "replay FILE", "load a recipe to replay with next and continue", cmd_replay },
	{ "next", "next", "apply the replay's next statement", cmd_next },
	{ "continue", "continue", "apply the replay's statements to the end or the first failure "
	  "(C-c stops)", cmd_continue },
	{ "snapshots", "snapshots", "list the snapshots taken", cmd_snapshots },
	{ "show", "show snapshot TAG | show json FILE", "open a snapshot (or any JSON file, "
	  "e.g. ktcon run --json results) as a tree to browse in the captures pane", cmd_show },
	{ "browse", "browse up|down|pgup|pgdn|top|bottom|fold|open-all|close-all|close | "
	  "browse find TEXT", "move in the open snapshot (keys: Up, Down, Enter, q; /TEXT "
	  "searches)", cmd_browse },
	{ "sh", "sh COMMAND", "run a shell command in the guest; its output goes to the log",
	  cmd_sh },
	{ "focus", "focus next|tree|sched|captures|log", "move the focus (scroll and zoom act on "
	  "the focused pane)", cmd_focus },
	{ "zoom", "zoom", "show the focused pane alone, or all panes again", cmd_zoom },
	{ "scroll", "scroll up|down [N] | top | bottom", "scroll the focused pane", cmd_scroll },
	{ "redraw", "redraw", "repaint the screen", cmd_redraw },
	{ "cancel", "cancel", "cancel the op in flight (or stop a replay); never quits", cmd_cancel },
	{ "quit", "quit", "tear the scenario down, power the guest off and leave", cmd_quit },
	{ NULL, NULL, NULL, NULL },
};

static const struct con_cmd *cmd_find(const char *name)
{
	for (const struct con_cmd *cmd = table; cmd->name; cmd++)
		if (!strcmp(cmd->name, name))
			return cmd;
	return NULL;
}

/* ---- statements ---- */

static void statement(struct ktconsole *c, const char *line)
{
	struct kt_stmt st;
	struct kterr *e = kt_stmt_parse_line(line, c->step > 0 ? 1 : 0, &st);

	if (e) {
		con_log_error(c->log, "", e);
		kterr_free(e);
		return;
	}
	switch (st.kind) {
	case KT_STMT_DIRECTIVE:
		con_log_add(c->log, CON_A_ERROR, "'%s' is a header line: this guest is already booted",
			    st.form->name);
		con_log_add(c->log, CON_A_HINT, "  hint: start ktcon with the options you want "
			    "(ktcon --help), or `ktcon --replay FILE` to boot the guest a recipe asks for");
		kt_stmt_clear(&st);
		return;
	case KT_STMT_SECTION:
		if (st.form == &kt_sec_backdrop) {
			con_log_add(c->log, CON_A_ERROR, c->step ? "the backdrop is over: this session "
				    "is in step %d" : "this session is in the backdrop already", c->step);
			con_log_add(c->log, CON_A_HINT, "  hint: ops typed before the first `step` "
				    "are the backdrop's");
			kt_stmt_clear(&st);
			return;
		}
		console_submit(c, CON_JOB_STEP, &st, CON_FROM_TYPED);
		return;
	case KT_STMT_EXPECT:
		if (st.form == &kt_expect_error) {
			con_log_add(c->log, CON_A_ERROR, "`expect error` checks the op before it in a "
				    "recipe");
			con_log_add(c->log, CON_A_HINT, "  hint: a recording writes it after each op "
				    "that failed, with the error it gave");
			kt_stmt_clear(&st);
			return;
		}
		break;
	default:
		break;
	}
	console_submit(c, CON_JOB_APPLY, &st, CON_FROM_TYPED);
}

static void cmd_step(struct ktconsole *c, int argc, char **argv, const char *rest)
{
	/* Only reached through run(), which passes the whole line here. */
}

/* Split a command line into words (no quoting: commands take plain
 * words; `sh` takes the rest of the line as it is). */
static void run(struct ktconsole *c, const char *line)
{
	char *copy = strdup(line), *argv[MAX_ARGS + 1], *save = NULL;
	const char *rest;
	int argc = 0;
	const struct con_cmd *cmd;

	if (!copy)
		return;
	for (char *w = strtok_r(copy, " \t", &save); w && argc < MAX_ARGS;
	     w = strtok_r(NULL, " \t", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	if (!argc) {
		free(copy);
		return;
	}
	cmd = cmd_find(argv[0]);
	if (!cmd || cmd->exec == cmd_step) {
		statement(c, line);
	} else {
		rest = line + strspn(line, " \t");
		rest += strlen(argv[0]);
		rest += strspn(rest, " \t");
		cmd->exec(c, argc, argv, rest);
	}
	free(copy);
}

void console_line(struct ktconsole *c, const char *line)
{
	char *t;

	if (!line) {
		con_log_add(c->log, CON_A_HINT, "type `quit` to power the guest off and leave");
		return;
	}
	t = strdup(line);
	if (!t)
		return;
	char *s = kt_strtrim(t);

	/* With a snapshot open: Enter folds, /TEXT searches. */
	if (c->browse && c->focus == CON_P_CAPS && !*s) {
		con_browse_move(c->browse, CON_BR_TOGGLE, 1);
	} else if (c->browse && *s == '/') {
		if (!con_browse_search(c->browse, s + 1))
			con_log_add(c->log, CON_A_WARN, "no '%s' in %s", s + 1,
				    con_browse_title(c->browse));
	} else if (*s && *s != '#') {
		con_log_add(c->log, CON_A_CMD, "> %s", s);
		if (!strcmp(s, "?"))
			cmd_keys(c, 0, NULL, NULL);
		else
			run(c, s);
	}
	free(t);
	c->dirty = true;
}

bool console_key(struct ktconsole *c, const struct con_key *k)
{
	if ((k->flags & CON_KEY_BROWSING) && !(c->browse && c->focus == CON_P_CAPS))
		return false;
	run(c, k->command);
	c->dirty = true;
	return true;
}

/* ---- completion ---- */

static void add(char **out, size_t *n, size_t max, const char *w, const char *prefix)
{
	if (*n < max && !strncmp(w, prefix, strlen(prefix)) && (out[*n] = strdup(w)))
		(*n)++;
}

size_t console_complete(struct ktconsole *c, const char *line, enum kt_argtype t,
			const char *prefix, char **out, size_t max)
{
	const char *sp = strpbrk(line, " \t");
	size_t n = 0;
	char first[32] = "";

	if (!sp) {
		for (const struct con_cmd *cmd = table; cmd->name; cmd++)
			if (strcmp(cmd->name, "step"))	/* the engine's tables have it */
				add(out, &n, max, cmd->name, prefix);
		return n;
	}
	snprintf(first, sizeof(first), "%.*s", (int)(sp - line), line);
	if (!strcmp(first, "record") || !strcmp(first, "replay"))
		return CON_PROMPT_FILES;
	if (!strcmp(first, "help")) {
		for (size_t i = 0; i < KT_OP__COUNT; i++)
			add(out, &n, max, kt_op_table[i]->name, prefix);
		for (const struct con_cmd *cmd = table; cmd->name; cmd++)
			add(out, &n, max, cmd->name, prefix);
		return n;
	}
	if (!strcmp(first, "focus")) {
		add(out, &n, max, "next", prefix);
		for (int p = 0; p < CON_P__COUNT; p++)
			add(out, &n, max, con_pane_name(p), prefix);
		return n;
	}
	if (!strcmp(first, "show")) {
		if (strstr(line, "json "))
			return CON_PROMPT_FILES;
		if (strstr(line, "snapshot "))
			for (size_t i = 0; i < c->scn.ncaps; i++)
				add(out, &n, max, c->scn.caps[i].tag, prefix);
		else {
			add(out, &n, max, "snapshot", prefix);
			add(out, &n, max, "json", prefix);
		}
		return n;
	}
	/* Names that are not cgroups: the staged binaries and the kernel's
	 * own schedulers. */
	if (t == KT_T_NAME && (!strcmp(first, "attach-scheduler") ||
			       !strcmp(first, "replace-scheduler"))) {
		for (size_t i = 0; kt_kernel_schedulers[i]; i++)
			add(out, &n, max, kt_kernel_schedulers[i], prefix);
		for (size_t i = 0; c->header && i < c->header->nstmts; i++)
			if (c->header->stmts[i].form == &kt_dir_stage_scheduler)
				add(out, &n, max, kt_stmt_posval(&c->header->stmts[i], 0), prefix);
		return n;
	}
	if (t == KT_T_NAME && strstr(first, "-payload")) {
		for (size_t i = 0; c->header && i < c->header->nstmts; i++)
			if (c->header->stmts[i].form == &kt_dir_stage_payload)
				add(out, &n, max, kt_stmt_posval(&c->header->stmts[i], 0), prefix);
		return n;
	}
	switch (t) {
	case KT_T_CGROUP_OR_RUNNER:
		add(out, &n, max, "@runner", prefix);
		/* fall through */
	case KT_T_NAME:
		for (size_t i = 0; c->g.valid && i < c->g.ncgroups; i++)
			add(out, &n, max, c->g.cgroups[i].path, prefix);
		for (size_t i = 0; i < c->scn.ncgs; i++)
			add(out, &n, max, c->scn.cgs[i].name, prefix);
		break;
	case KT_T_TAG:
		for (size_t i = 0; i < c->scn.ncaps; i++)
			add(out, &n, max, c->scn.caps[i].tag, prefix);
		break;
	default:
		break;
	}
	return n;
}
