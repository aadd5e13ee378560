/*
 * con-jobs.c - handing statements to the engine thread and taking them
 * back: what a finished job means for the session. A statement applied
 * (or failed) is recorded; a step begins in the recording; `sh` output
 * goes to the log; a replay moves on, `continue` until the end or the
 * first failure that no `expect error` wanted; the boot job creates the
 * recorder (whose header needs the booted kernel) and starts --record.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/expect.h"
#include "engine/header.h"
#include "engine/hold.h"
#include "lib/util.h"
#include "tui/console.h"

void console_submit(struct ktconsole *c, enum con_job_kind kind, struct kt_stmt *st,
		    enum con_origin origin)
{
	if (!con_engine_submit_stmt(c->eng, kind, st, NULL, origin, console_take_echo(c))) {
		con_log_add(c->log, CON_A_ERROR, "out of memory");
		return;
	}
	if (origin == CON_FROM_REPLAY)
		c->replay_wait = true;
}

void console_submit_text(struct ktconsole *c, enum con_job_kind kind, const char *text,
			 const char *what)
{
	struct con_job *j = calloc(1, sizeof(*j));

	if (!j || !(j->text = strdup(text))) {
		free(j);
		con_log_add(c->log, CON_A_ERROR, "%s: out of memory", what);
		return;
	}
	j->kind = kind;
	j->echo = console_take_echo(c);
	con_engine_submit(c->eng, j);
}

char *console_take_echo(struct ktconsole *c)
{
	char *e = c->echo;

	c->echo = NULL;
	return e;
}

void console_echo_line(struct ktconsole *c, char *text)
{
	console_echo(c);
	if (text && con_engine_idle(c->eng)) {
		con_log_add(c->log, CON_A_CMD, "%s", text);
		free(text);
		return;
	}
	c->echo = text;
}

void console_echo(struct ktconsole *c)
{
	if (c->echo)
		con_log_add(c->log, CON_A_CMD, "%s", c->echo);
	free(c->echo);
	c->echo = NULL;
}

/* An op of the replay with its `expect error`. */
static void console_submit_expect(struct ktconsole *c, struct kt_stmt *st,
				  const struct kt_stmt *xerr)
{
	if (!con_engine_submit_stmt(c->eng, CON_JOB_APPLY, st, xerr, CON_FROM_REPLAY,
				    console_take_echo(c))) {
		con_log_add(c->log, CON_A_ERROR, "out of memory");
		return;
	}
	c->replay_wait = true;
}

/* A copy of a replayed statement for the engine (the job owns it). It
 * runs as a console line: the executor names no file line for it (the
 * log line above it names the recipe's). */
static bool copy_stmt(const struct kt_stmt *src, struct kt_stmt *dst)
{
	struct kterr *e = kt_stmt_copy(src, dst);

	if (e) {
		kterr_free(e);
		return false;
	}
	dst->line = 0;
	return true;
}

static uint64_t fixed_hold(const struct kt_stmt *st)
{
	const char *h = kt_stmt_get(st, "hold");
	struct kt_hold hold;
	struct kterr *e;

	if (!h)
		return 0;
	e = kt_hold_parse(h, &hold);
	if (e) {
		kterr_free(e);
		return 0;
	}
	return hold.kind == KT_HOLD_FIXED ? hold.ns : 0;
}

/* The recording's console-only lines before line `before` (con-replay.h):
 * a replay says it passes them, so its log matches the file it reads. */
static void tell_skipped(struct ktconsole *c, int before)
{
	const char *text;
	int line;

	while ((text = con_replay_skipped(&c->replay, before, &line)))
		con_log_add(c->log, CON_A_DIM, "skip  %s  (%s:%d)", text, c->replay.r->file, line);
}

/* Under `continue`, the step's hold before the next step or the end, as
 * `ktcon run` holds it; false when there is none to hold. */
static bool replay_hold(struct ktconsole *c)
{
	struct con_job *j;
	char d[32];

	if (!c->continuing || !c->replay_hold_ns || !(j = calloc(1, sizeof(*j))))
		return false;
	j->kind = CON_JOB_HOLD;
	j->ns = c->replay_hold_ns;
	j->origin = CON_FROM_REPLAY;
	c->replay_hold_ns = 0;
	c->replay_wait = true;
	con_log_add(c->log, CON_A_DIM, "      holding %s", kt_fmt_duration(j->ns, d, sizeof(d)));
	con_engine_submit(c->eng, j);
	return true;
}

/* The replay's last statement (and its last hold) is done: say so. */
static void replay_end(struct ktconsole *c)
{
	tell_skipped(c, INT_MAX);
	const char *slash = strrchr(c->replay.r->file, '/');

	/* The file's name, as the status line has it: the path was given
	 * when it was loaded, and a long one would wrap this line. */
	con_log_add(c->log, CON_A_OK, "replay of %s done: %zu statements applied",
		    slash ? slash + 1 : c->replay.r->file, c->replay.napplied);
	c->continuing = false;
}

void console_replay_next(struct ktconsole *c)
{
	const struct kt_stmt *xerr, *st = con_replay_peek(&c->replay, &xerr);
	struct kt_stmt copy;

	if (!st) {
		c->continuing = false;
		return;
	}
	tell_skipped(c, st->line);
	/* `continue` holds a step as the recipe says before the next one
	 * (and before the end); `next` leaves holding to the operator. */
	if (st->kind == KT_STMT_SECTION && replay_hold(c))
		return;
	if (st->kind == KT_STMT_SECTION && st->form == &kt_sec_backdrop) {
		if (c->step)
			con_log_add(c->log, CON_A_WARN, "warn  the recipe's backdrop ops apply in "
				    "step %d here", c->step);
		/* Not a statement of its own: on to the first op. */
		con_replay_advance(&c->replay);
		console_replay_next(c);
		return;
	}
	if (!copy_stmt(st, &copy)) {
		con_log_add(c->log, CON_A_ERROR, "replay: cannot copy line %d", st->line);
		c->continuing = false;
		return;
	}
	{
		char *text = kt_stmt_print(st);

		console_echo_line(c, kt_strfmt("> %s  (%s:%d)", text ? text : "?",
					       c->replay.r->file, st->line));
		free(text);
	}
	if (st->kind == KT_STMT_SECTION) {
		c->replay_hold_ns = fixed_hold(st);
		console_submit(c, CON_JOB_STEP, &copy, CON_FROM_REPLAY);
	} else {
		console_submit_expect(c, &copy, xerr);
	}
}

/* A replayed statement came back: check its `expect error`, move on. */
static void replay_done(struct ktconsole *c, struct con_job *j)
{
	const struct kt_stmt *xerr, *st = con_replay_peek(&c->replay, &xerr);
	bool ok = !j->err;	/* an expected failure is no error */

	c->replay_wait = false;
	if (j->kind == CON_JOB_HOLD) {
		if (j->err)
			c->continuing = false;
		else if (con_replay_done(&c->replay))
			replay_end(c);
		else if (c->continuing)
			console_replay_next(c);
		return;
	}
	if (!st)
		return;
	con_replay_advance(&c->replay);
	if (!ok) {
		if (c->continuing)
			con_log_add(c->log, CON_A_WARN, "replay stopped at %s:%d (`continue` goes on)",
				    c->replay.r->file, st->line);
		c->continuing = false;
		return;
	}
	if (con_replay_done(&c->replay)) {
		if (!replay_hold(c))	/* the last step's hold first */
			replay_end(c);
		return;
	}
	if (c->continuing)
		console_replay_next(c);
}

/* The header the recording starts with: the lines that booted this
 * guest, and where it ran. */
static char *rec_header(struct ktconsole *c)
{
	char kernel[512], release[128], date[64];
	time_t now = time(NULL);
	struct tm tm;

	con_engine_booted(c->eng, kernel, sizeof(kernel), release, sizeof(release));
	localtime_r(&now, &tm);
	strftime(date, sizeof(date), CON_REC_DATE_FMT, &tm);
	return kt_strfmt(CON_REC_STAMP "%s\n# guest: Linux %s, %s\n%s", date,
			 release, kernel, c->header_text);
}

/* vmlinux's symbols, for RIPs and Tab (con-sym.h): without them the
 * console works, RIPs stay bare. */
static void load_symbols(struct ktconsole *c)
{
	char kernel[512], release[128];
	struct kterr *e;

	if (!con_engine_booted(c->eng, kernel, sizeof(kernel), release, sizeof(release)))
		return;
	e = con_syms_load(c->syms, kernel);
	if (e) {
		con_log_error(c->log, "warn  ", e);
		kterr_free(e);
	}
}

static void boot_done(struct ktconsole *c, struct con_job *j)
{
	if (j->err) {
		c->boot_failed = true;
		c->exit_status = 1;
		con_log_error(c->log, "", j->err);
		con_log_add(c->log, CON_A_HINT, "  `restart` tries again; `quit` to leave; `ktcon boot "
			    "--verbose` shows the whole boot");
		return;
	}
	console_booted(c, j->took_ns);
}

void console_booted(struct ktconsole *c, uint64_t took_ns)
{
	char *hdr;
	char desc[128];

	c->booted = true;
	if (c->boot_failed) {	/* a restart booted it after all */
		c->boot_failed = false;
		c->exit_status = 0;
	}
	load_symbols(c);
	con_engine_guest(c->eng, desc, sizeof(desc));
	con_log_add(c->log, CON_A_OK, "guest up: %s (%s); you are in the backdrop. `help` lists "
		    "the ops, ? the keys.", desc, kt_fmt_duration(took_ns, (char[32]){ 0 }, 32));
	hdr = rec_header(c);
	c->rec = con_rec_new(hdr ? hdr : c->header_text, kt_now_ns());
	free(hdr);
	if (c->rec && c->record_path) {
		struct kterr *e = con_rec_start(c->rec, c->record_path);

		if (e) {
			con_log_error(c->log, "", e);
			kterr_free(e);
		} else {
			con_log_add(c->log, CON_A_OK, "recording to %s", c->record_path);
		}
	}
}

static void record(struct ktconsole *c, struct kterr *e)
{
	if (e) {
		con_log_error(c->log, "recording: ", e);
		kterr_free(e);
	}
}

void console_job_done(struct ktconsole *c, struct con_job *j)
{
	switch (j->kind) {
	case CON_JOB_BOOT:
		boot_done(c, j);
		break;
	case CON_JOB_APPLY:
		/* Console-level errors (no guest) were never applied. */
		if (c->rec && c->booted && !(j->err && kterr_errno_of(j->err) == ENOTCONN &&
					     kterr_contains(j->err, "no guest")))
			record(c, con_rec_applied(c->rec, &j->st, j->err ? j->err : j->xfail,
						  kt_now_ns()));
		else if (j->err)
			con_log_error(c->log, "", j->err);
		break;
	case CON_JOB_STEP:
		if (j->err)	/* logged by console_on_job */
			break;
		c->step++;
		if (c->rec)
			record(c, con_rec_step(c->rec, &j->st, kt_now_ns()));
		break;
	case CON_JOB_SH:
		/* Its output and status were logged as it finished
		 * (console_on_job), beside its echo. */
		if (c->rec && j->text)
			record(c, con_rec_sh(c->rec, j->text, j->err));
		break;
	case CON_JOB_UNWATCH:
		if (c->rec && j->text && !j->err)
			record(c, con_rec_console(c->rec, "unwatch", j->text, NULL));
		break;
	case CON_JOB_RESTART:
		console_restart_done(c, j);
		break;
	case CON_JOB_SHELL:	/* the shell's relay takes its own (con-shell.c) */
		break;
	case CON_JOB_HOLD:
		break;
	case CON_JOB_SNAPSHOT:
		console_snapshot_done(c, j);
		break;
	case CON_JOB_QUIT:
		if (j->err) {
			con_log_error(c->log, "", j->err);
			c->exit_status = 1;
		}
		if (c->rec)
			record(c, con_rec_end(c->rec, kt_now_ns()));
		c->done = true;
		break;
	}
	if (j->origin == CON_FROM_REPLAY)
		replay_done(c, j);
	c->dirty = true;
}

void console_quit(struct ktconsole *c)
{
	struct con_job *j;

	if (c->quitting)
		return;
	c->quitting = true;
	c->continuing = false;
	con_compare_interrupt(c->cmp);	/* its guests go down beside this one */
	con_log_add(c->log, CON_A_CMD, "tearing down and powering off...");
	con_engine_cancel(c->eng);
	j = calloc(1, sizeof(*j));
	if (!j) {
		c->done = true;
		return;
	}
	j->kind = CON_JOB_QUIT;
	con_engine_submit(c->eng, j);
}
