/*
 * con-restart.c - `restart`: the same guest again after it died.
 *
 * The engine (con-engine.h, CON_JOB_RESTART) boots it as before and
 * re-applies the backdrop; here the console asks for it and takes it
 * back: the log, the watch fires told and the recording carry on (the
 * snapshots went with the old guest's memory and its executor's
 * scenario; the scheduler pane's rates start again from the new guest's
 * counters). A dead guest restarts with `restart`; one still up only with
 * `restart!` (a stray `restart` must not throw a live scenario away). The
 * recording says where the guest was replaced, as a comment, and, when
 * the session was in a step, begins a new step there: a replay of the
 * file then runs what followed in a step of its own, as it ran here on a
 * guest that had only the backdrop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util.h"
#include "tui/con-cmd.h"

CON_CMD(restart)
{
	bool force = !strcmp(argv[0], "restart!");
	char desc[128];
	enum con_guest_state gs = con_engine_guest(c->eng, desc, sizeof(desc));
	struct con_job *j;

	(void)rest;
	if (argc != 1) {
		con_log_add(c->log, CON_A_ERROR, "%s: takes no arguments (restart | restart!)",
			    argv[0]);
		return;
	}
	if (c->quitting || gs == CON_G_OFF) {
		con_log_add(c->log, CON_A_ERROR, "%s: the console is powering off", argv[0]);
		return;
	}
	if (c->restarting || gs == CON_G_BOOTING) {
		con_log_add(c->log, CON_A_ERROR, "%s: the guest is booting already", argv[0]);
		return;
	}
	if (gs == CON_G_UP && !force) {
		con_log_add(c->log, CON_A_ERROR, "restart: the guest is up (%s)", desc);
		con_log_add(c->log, CON_A_HINT, "  hint: `restart!` powers it off and boots it again; "
			    "everything but the backdrop is lost");
		return;
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		con_log_add(c->log, CON_A_ERROR, "restart: out of memory");
		return;
	}
	if (c->continuing) {
		c->continuing = false;
		con_log_add(c->log, CON_A_WARN, "replay stopped for the restart (`continue` resumes it)");
	}
	con_log_add(c->log, CON_A_CMD, "%s the guest: booting it again, then the backdrop...",
		    gs == CON_G_UP ? "powering off and restarting" : "restarting");
	c->restarting = true;
	j->kind = CON_JOB_RESTART;
	con_engine_submit(c->eng, j);
}

static void record(struct ktconsole *c, struct kterr *e)
{
	if (e) {
		con_log_error(c->log, "recording: ", e);
		kterr_free(e);
	}
}

/* The recording's note: when, and what came back. */
static void note(struct ktconsole *c, const struct con_job *j, bool up)
{
	char when[16], *why = j->err ? kterr_strdup(j->err) : NULL, *text;
	time_t now = time(NULL);
	struct tm tm;

	if (!c->rec)
		goto out;
	if (why && strchr(why, '\n'))
		*strchr(why, '\n') = '\0';
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	text = !up ? kt_strfmt("restart at %s failed, no guest: %s (console only)", when,
			       why ? why : "?")
	       : kt_strfmt("restart at %s: the guest was booted again and %d backdrop statement%s "
			   "re-applied%s%s (console only: a replay does not restart)", when, j->status,
			   j->status == 1 ? "" : "s", why ? "; then " : "", why ? why : "");
	record(c, text ? con_rec_comment(c->rec, text) : NULL);
	free(text);
out:
	free(why);
}

void console_restart_done(struct ktconsole *c, struct con_job *j)
{
	char desc[128], d[32];
	bool up = con_engine_guest(c->eng, desc, sizeof(desc)) == CON_G_UP;
	bool first = !c->booted;

	c->restarting = false;
	if (!up) {
		con_log_error(c->log, "", j->err);
		con_log_add(c->log, CON_A_HINT, "  the console stays: `restart` tries again, `quit` "
			    "leaves");
		note(c, j, false);
		return;
	}
	c->shell_kept = false;		/* it was the old guest's */
	/* A new guest's state counts from the start: take it afresh. */
	kt_gstate_clear(&c->g);
	con_sched_init(&c->sched);
	if (first) {
		console_booted(c, j->took_ns);	/* the first boot had failed */
	} else {
		con_log_add(c->log, CON_A_OK, "guest up again: %s (%s); %d backdrop statement%s "
			    "re-applied", desc, kt_fmt_duration(j->took_ns, d, sizeof(d)), j->status,
			    j->status == 1 ? "" : "s");
	}
	if (j->err)
		con_log_error(c->log, "", j->err);
	note(c, j, true);
	if (c->step > 0) {
		c->step++;
		if (c->rec)
			record(c, con_rec_step(c->rec, NULL, kt_now_ns()));
	}
	con_log_add(c->log, CON_A_DIM, c->step ? "      in step %d, fresh: the ops of the step "
		    "before died with the old guest" : "      in the backdrop", c->step);
	c->dirty = true;
}
