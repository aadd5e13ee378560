/* con-cmd-session.c - the session: `record FILE | stop`, `replay FILE`,
 * `next`, `continue`, `sh CMD` in the guest, `cancel` (C-c) and `quit`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/timeouts.h"
#include "guest/wire.h"
#include "tui/con-cmd.h"
#include "tui/con-prompt.h"

/* Within this long of a C-c that found armed watches, a second one
 * disarms them. */
#define WATCH_CC_NS 3000000000ULL

/* C-c with nothing in flight: the watches still firing stop on a second
 * C-c (one stray key must not end a measurement), each as `unwatch SYM`
 * would (recorded as a comment). */
static void cancel_watches(struct ktconsole *c)
{
	uint64_t now = kt_now_ns();
	bool again = c->watch_cc_ns && now - c->watch_cc_ns < WATCH_CC_NS;
	const struct con_scn *v = &c->scn;	/* the UI's, taken at each wake-up */

	c->watch_cc_ns = 0;
	for (size_t i = 0; i < v->nwatches; i++) {
		const char *sym = v->watches[i].symbol;

		if (!v->watches[i].armed)
			continue;
		if (again) {
			console_echo_line(c, kt_strfmt("> unwatch %s  (C-c C-c)", sym));
			console_submit_text(c, CON_JOB_UNWATCH, sym, "unwatch");
			continue;
		}
		con_log_add(c->log, CON_A_WARN, "C-c cancels the op in flight; the watch on %s "
			    "stays armed: `unwatch %s` disarms it (so does C-c again within 3 s)",
			    sym, sym);
		c->watch_cc_ns = now;
	}
}

CON_CMD(cancel)
{
	uint64_t since;
	char *busy = con_engine_busy(c->eng, &since);

	if (c->continuing) {
		c->continuing = false;
		con_log_add(c->log, CON_A_WARN, "replay stopped (`continue` resumes it)");
	}
	if (!busy) {
		con_prompt_clear_line();
		cancel_watches(c);
		return;
	}
	con_log_add(c->log, CON_A_WARN, "cancelling %s", busy);
	con_engine_cancel(c->eng);
	free(busy);
}

/* ---- compare ---- */

CON_CMD(compare)
{
	const char *path = c->replay.r ? c->replay.r->file : c->rec ? con_rec_file(c->rec) : NULL;
	long runs = 3;
	char *end = NULL;

	(void)rest;
	if (argc < 2 || argc > 3 || (argc == 3 && ((runs = strtol(argv[2], &end, 10)) < 1 ||
						   runs > 20 || *end))) {
		con_log_add(c->log, CON_A_ERROR, "compare: compare SCHEDULER [RUNS] (RUNS 1-20)");
		return;
	}
	if (!path) {
		con_log_add(c->log, CON_A_ERROR, "compare: no recipe loaded");
		con_log_add(c->log, CON_A_HINT, "  hint: `replay FILE` loads one, or `record FILE` "
			    "makes one of this session");
		return;
	}
	con_compare_start(&c->cmp, c->log, path, argv[1], (int)runs);
}

/* ---- session ---- */

CON_CMD(record)
{
	struct kterr *e;

	if (argc != 2) {
		con_log_add(c->log, CON_A_ERROR, "record: record FILE | record stop");
		return;
	}
	if (!c->rec && (c->boot_failed || !strcmp(argv[1], "stop"))) {
		con_log_add(c->log, CON_A_ERROR, "record: %s", c->boot_failed ? "the guest did not "
			    "boot" : "not recording");
		return;
	}
	if (!c->rec) {
		/* The header needs the booted kernel: start once it is up. */
		free(c->record_path);
		c->record_path = strdup(argv[1]);
		con_log_add(c->log, CON_A_DIM, "will record to %s once the guest is up", argv[1]);
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

CON_CMD(replay)
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
	con_log_add(c->log, CON_A_OK, "loaded %s: %zu statements to apply (ktcon check: %zu with "
		    "the header's); `next` applies one, `continue` runs to the end", argv[1],
		    c->replay.total, c->replay.r->nstmts);
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

CON_CMD(next)
{
	if (!replay_ready(c, "next"))
		return;
	if (c->replay_wait) {
		con_log_add(c->log, CON_A_WARN, "next: the statement before is still running");
		return;
	}
	console_replay_next(c);
}

CON_CMD(continue)
{
	if (!replay_ready(c, "continue"))
		return;
	c->continuing = true;
	if (!c->replay_wait)
		console_replay_next(c);
}

CON_CMD(sh)
{
	if (!rest || !*rest) {
		console_echo(c);
		c->shell_wanted = true;		/* the UI loop hands the terminal over */
		return;
	}
	console_submit_text(c, CON_JOB_SH, rest, "sh");
}

CON_CMD(unwatch)
{
	if (argc != 2) {
		console_echo(c);
		con_log_add(c->log, CON_A_ERROR, "unwatch: unwatch SYMBOL (the symbol of an armed "
			    "watch-snapshot; the captures pane lists them)");
		return;
	}
	console_submit_text(c, CON_JOB_UNWATCH, argv[1], "unwatch");
}

CON_CMD(sh_timeout)
{
	char *end;
	long sec;

	if (argc == 1) {
		con_log_add(c->log, CON_A_DIM, "sh-timeout: %d s",
			    con_engine_sh_timeout(c->eng) / 1000);
		return;
	}
	sec = argc == 2 ? strtol(argv[1], &end, 10) : -1;
	/* The operator's own limit is not scaled; the guest's cap (sh-max)
	 * is at least its default, whatever the scale. */
	if (argc != 2 || *end || sec < 1 || sec > kt_limits[KT_LIM_SH_MAX].default_ms / 1000) {
		con_log_add(c->log, CON_A_ERROR, "sh-timeout: give whole seconds, 1 to %u "
			    "(the guest's cap, limit sh-max)",
			    kt_limits[KT_LIM_SH_MAX].default_ms / 1000);
		return;
	}
	con_engine_set_sh_timeout(c->eng, (int)sec * 1000);
	con_log_add(c->log, CON_A_DIM, "sh-timeout: %ld s", sec);
}

CON_CMD(quit)
{
	console_quit(c);
}

/* `step` is a statement: parsed (its hold checked) and applied. */
