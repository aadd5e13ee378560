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
#include "lib/util.h"
#include "tui/con-cmd.h"
#include "tui/con-keys.h"

#define MAX_ARGS 8

/* `step` is a statement: run() parses it (its hold checked) and applies it. */
static void cmd_step(struct ktconsole *c, int argc, char **argv, const char *rest);

const struct con_cmd con_cmds[] = {
	{ "help", "help [OP|COMMAND]", "list the ops and console commands, or explain one", con_cmd_help },
	{ "keys", "keys (or ? on an empty line)", "list the keys", con_cmd_keys },
	{ "step", "step [hold=DURATION]", "close the current step (its teardown runs) and begin a "
	  "new one; the session starts in the backdrop. A recording keeps hold= as typed, or the "
	  "time the step was held", cmd_step },
	{ "record", "record FILE | record stop", "write the session as a recipe: what was applied "
	  "so far, then each statement as it is applied (fsync'd)", con_cmd_record },
	{ "replay", "replay FILE", "load a recipe to replay with next and continue", con_cmd_replay },
	{ "next", "next", "apply the replay's next statement", con_cmd_next },
	{ "continue", "continue", "apply the replay's statements to the end or the first failure "
	  "(C-c stops)", con_cmd_continue },
	{ "snapshots", "snapshots", "list the snapshots taken", con_cmd_snapshots },
	{ "show", "show snapshot TAG | show json FILE", "open a snapshot (or any JSON file, "
	  "e.g. ktcon run --json results) as a tree to browse in the captures pane", con_cmd_show },
	{ "diff", "diff snapshot A B", "two snapshots side by side in the captures pane, what "
	  "differs marked (~ changed, + only in B, - only in A) and unfolded", con_cmd_diff },
	{ "save", "save snapshot TAG FILE", "write a snapshot's JSON to FILE (ktcon diff and "
	  "show json read it)", con_cmd_save },
	{ "browse", "browse up|down|pgup|pgdn|top|bottom|fold|open-all|close-all|next-change|"
	  "prev-change|close | browse find TEXT", "move in the open snapshot (keys: Up, Down, "
	  "Enter, q; /TEXT searches; in a diff ] and [ go to the next and previous difference)",
	  con_cmd_browse },
	{ "sh", "sh [COMMAND]", "run a shell command in the guest; its output goes to the log. "
	  "C-c kills it; so does the limit (sh-timeout). Alone: the guest's interactive shell in "
	  "this terminal; `exit` comes back, C-] comes back and keeps it for the next `sh`",
	  con_cmd_sh },
	{ "sh-timeout", "sh-timeout [SECONDS]", "show or set how long an sh command may run "
	  "before the guest kills it (default 30, at most 600)", con_cmd_sh_timeout },
	{ "unwatch", "unwatch SYMBOL", "disarm the watch-snapshot watch on SYMBOL now (a watch "
	  "otherwise ends with its step, or a backdrop one with the session); its fire count "
	  "and captures stay. Recorded as a comment: a replay does not run it", con_cmd_unwatch },
	{ "focus", "focus next|tree|sched|captures|log", "move the focus (scroll and zoom act on "
	  "the focused pane)", con_cmd_focus },
	{ "zoom", "zoom", "show the focused pane alone, or all panes again", con_cmd_zoom },
	{ "select", "select up|down|first|last|CGROUP", "move the cgroup tree's selection "
	  "(keys: Up, Down while the tree has the focus)", con_cmd_select },
	{ "workers", "workers [CGROUP|close]", "show a cgroup's ktcon workers (pid, CPU now, CPUs "
	  "seen, iterations/s, CPU time, worst wake latency, migrations) and its cpu.stat, live, "
	  "in the tree's place; without CGROUP the tree's selection (key: Enter on the tree; Esc "
	  "or q closes)", con_cmd_workers },
	{ "scroll", "scroll up|down [N] | top | bottom", "scroll the focused pane", con_cmd_scroll },
	{ "tab", "tab", "show the log pane's other tab (the log, or the scheduler's own output); "
	  "on the scheduler's place its other view (the runqueues, the history); on a pane that "
	  "shares its place (at 80x24 the scheduler and the captures), the next pane there "
	  "(keys: C-t, F4)", con_cmd_tab },
	{ "filter", "filter errors|host|sched|all", "show only some of the log pane's lines: "
	  "errors (with hints and warnings), the host's notes, lines about the scheduler; all "
	  "again (key: F5 takes the next)", con_cmd_filter },
	{ "search", "search next|prev", "after /TEXT (typed at the prompt: the newest log line "
	  "holding TEXT): the next older or newer match (keys: n, N; End ends the search)",
	  con_cmd_search },
	{ "live", "live [HZ|off|on] | live history|rq | live fold llc|numa|none", "the live "
	  "views: sample the runqueues at HZ (2..10) without pausing the guest, or stop; show "
	  "the history (sparklines of the last minute and the event strip) or the runqueues in "
	  "the scheduler's place (C-t there); fold the runqueues by LLC or NUMA node. Alone: "
	  "what it samples", con_cmd_live },
	{ "redraw", "redraw", "repaint the screen", con_cmd_redraw },
	{ "compare", "compare SCHEDULER [RUNS]", "run the loaded recipe (the replay's file, else "
	  "the recording's) RUNS times (3) as written and under SCHEDULER on fresh guests beside "
	  "this one, and put the comparison table (ktcon compare) in the log", con_cmd_compare },
	{ "cancel", "cancel", "cancel the op, sh or hold in flight (or stop a replay); with nothing "
	  "in flight, twice within 3 s disarms the armed watches (C-c C-c); never quits",
	  con_cmd_cancel },
	{ "restart", "restart | restart!", "boot the guest again after it died (same kernel, vm "
	  "line, options), re-apply the backdrop and go on in a fresh step; the log, history and "
	  "recording carry on. `restart!` also replaces a guest that is still up", con_cmd_restart },
	{ "restart!", "restart!", "power the guest off and restart it (see restart)", con_cmd_restart },
	{ "quit", "quit", "tear the scenario down, power the guest off and leave", con_cmd_quit },
	{ NULL, NULL, NULL, NULL },
};

const struct con_cmd *con_cmd_find(const char *name)
{
	for (const struct con_cmd *cmd = con_cmds; cmd->name; cmd++)
		if (!strcmp(cmd->name, name))
			return cmd;
	return NULL;
}

/* ---- statements ---- */

static void statement(struct ktconsole *c, const char *line)
{
	struct kt_stmt st;
	struct kterr *e = kt_parse_statement(line, c->step, &st);

	if (e) {
		console_echo(c);
		con_log_error(c->log, "", e);
		kterr_free(e);
		return;
	}
	switch (st.kind) {
	case KT_STMT_DIRECTIVE:
		console_echo(c);
		con_log_add(c->log, CON_A_ERROR, "'%s' is a header line: this guest is already booted",
			    st.form->name);
		con_log_add(c->log, CON_A_HINT, "  hint: start ktcon with the options you want "
			    "(ktcon --help), or `ktcon --replay FILE` to boot the guest a recipe asks for");
		kt_stmt_clear(&st);
		return;
	case KT_STMT_SECTION:
		if (st.form == &kt_sec_backdrop) {
			console_echo(c);
			con_log_add(c->log, CON_A_ERROR, c->step ? "the backdrop is over: this session "
				    "is in step %d" : "this session is in the backdrop already", c->step);
			con_log_add(c->log, CON_A_HINT, "  hint: ops typed before the first `step` "
				    "are the backdrop's");
			kt_stmt_clear(&st);
			return;
		}
		/* straight to the engine thread's queue */
		if (!con_engine_submit_stmt(c->eng, CON_JOB_STEP, &st, NULL, CON_FROM_TYPED,
					    console_take_echo(c)))
			con_log_add(c->log, CON_A_ERROR, "out of memory");
		return;
	case KT_STMT_EXPECT:
		if (kt_form_is(st.form, KT_FORM_CATCHES_ERROR)) {
			console_echo(c);
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
	/* straight to the engine thread's queue */
	if (!con_engine_submit_stmt(c->eng, CON_JOB_APPLY, &st, NULL, CON_FROM_TYPED,
				    console_take_echo(c)))
		con_log_add(c->log, CON_A_ERROR, "out of memory");
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
	cmd = con_cmd_find(argv[0]);
	if (!cmd || cmd->exec == cmd_step) {
		statement(c, line);
	} else {
		/* The commands that submit a job keep the echo for it. */
		if (cmd->exec != con_cmd_sh && cmd->exec != con_cmd_unwatch)
			console_echo(c);
		rest = line + strspn(line, " \t");
		rest += strlen(argv[0]);
		rest += strspn(rest, " \t");
		cmd->exec(c, argc, argv, rest);
	}
	free(copy);
}

void console_line(void *ctx, const char *line)
{
	struct ktconsole *c = ctx;
	char *t;

	if (!line) {
		con_log_add(c->log, CON_A_HINT, "type `quit` to power the guest off and leave");
		return;
	}
	con_cands_clear(&c->cands);	/* Tab's were for the line typed */
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
	} else if (*s == '/') {
		con_logslot_search(c, s + 1);	/* the log (not echoed: it would match) */
	} else if (*s && *s != '#') {
		con_logslot_end_search(c);
		/* Typed (or pasted) while jobs are queued: the echo waits for
		 * its job, so each result follows its own line. */
		console_echo_line(c, kt_strfmt("> %s", s));
		if (!strcmp(s, "?")) {
			console_echo(c);
			con_cmd_keys(c, 0, NULL, NULL);
		} else {
			run(c, s);
		}
		console_echo(c);	/* no job took it */
	}
	free(t);
	c->dirty = true;
}

bool console_key(struct ktconsole *c, const struct con_key *k)
{
	if ((k->flags & CON_KEY_BROWSING) && !(c->browse && c->focus == CON_P_CAPS))
		return false;
	if ((k->flags & CON_KEY_SEARCHING) && !con_logslot_searching(c))
		return false;
	if (!con_treeslot_key_ok(c, k))
		return false;
	if (!strcmp(k->command, "scroll bottom"))
		con_logslot_end_search(c);
	run(c, k->command);
	c->dirty = true;
	return true;
}

