/*
 * con-events.c - the engine's events as the log pane shows them: an op
 * applied (with how long it took), an op that failed with its whole error
 * chain and hint, expectations, warnings, guest events and the agent's
 * log lines, host notes, watch fires (a fire told on its own is also kept
 * for the captures pane), the guest going down, steps. Runs on the engine's
 * thread: it only appends to the log and the fires list, both locked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/watches.h"
#include "lib/util.h"
#include "tui/console.h"
#include "tui/con-logslot.h"

static void add_fire(struct ktconsole *c, const char *text)
{
	pthread_mutex_lock(&c->fires_lock);
	if (c->nfires == CON_FIRES_MAX) {
		free(c->fires[0]);
		memmove(c->fires, c->fires + 1, (CON_FIRES_MAX - 1) * sizeof(*c->fires));
		c->nfires--;
	}
	c->fires[c->nfires] = strdup(text);
	if (c->fires[c->nfires])
		c->nfires++;
	c->fires_gen++;
	pthread_mutex_unlock(&c->fires_lock);
}

/* An agent log line. A scheduler's output comes every second: its latest
 * line replaces the one before. */
static void agent_log(struct ktconsole *c, const char *line)
{
	char *text = kt_strfmt("[agent] %s", line);

	if (!text)
		return;
	/* A scheduler's output (it may print every 100 ms) has a tab of its
	 * own, so it never scrolls the operator's lines away. */
	if (!strncmp(line, "sched ", 6))
		con_logslot_sched_line(c, text);
	else
		con_log_add(c->log, CON_A_GUEST, "%s", text);
	free(text);
}

void console_on_job(void *ctx, struct con_job *j, bool finished)
{
	struct ktconsole *c = ctx;

	if (!finished) {
		if (j->echo)
			con_log_add(c->log, CON_A_CMD, "%s", j->echo);
		return;
	}
	switch (j->kind) {
	case CON_JOB_SH:
		if (j->err) {
			/* The guest's limit, said with how to raise it. */
			if (kterr_contains(j->err, "ran longer than"))
				j->err = kterr_hint(j->err, "the limit is %d s: `sh-timeout SECONDS` "
						    "raises it (up to 600)",
						    con_engine_sh_timeout(c->eng) / 1000);
			con_log_error(c->log, "sh: ", j->err);
			break;
		}
		if (j->out && *j->out)
			con_log_add(c->log, CON_A_GUEST, "%s", j->out);
		con_log_add(c->log, j->status ? CON_A_WARN : CON_A_DIM, "      sh: exit status %d",
			    j->status);
		break;
	case CON_JOB_STEP:
		if (j->err)
			con_log_error(c->log, "step: ", j->err);
		break;
	case CON_JOB_UNWATCH:
		if (j->err)
			con_log_error(c->log, "", j->err);
		break;
	default:
		break;
	}
}

void console_on_event(void *ctx, const struct kt_event *ev)
{
	struct ktconsole *c = ctx;
	char d[32];

	switch (ev->kind) {
	case KT_EV_OP_APPLIED:
		con_log_add(c->log, CON_A_OK, "ok    %s  (%s)", ev->text ? ev->text : "",
			    kt_fmt_duration(ev->ns, d, sizeof(d)));
		break;
	case KT_EV_OP_FAILED:
		if (ev->err)
			con_log_error(c->log, ev->expected ? "xfail " : "FAIL  ", ev->err);
		else
			con_log_add(c->log, CON_A_ERROR, "FAIL  %s", ev->text ? ev->text : "");
		break;
	case KT_EV_EXPECT: {
		char *st = ev->stmt ? kt_stmt_print(ev->stmt) : NULL;

		if (ev->ok) {
			con_log_add(c->log, CON_A_OK, "ok    %s", st ? st : "expect");
		} else {
			char *p = kt_strfmt("FAIL  %s: ", st ? st : "expect");

			con_log_error(c->log, p, ev->err);
			free(p);
		}
		free(st);
		break;
	}
	case KT_EV_WARN:
		con_log_add(c->log, CON_A_WARN, "warn  %s", ev->text ? ev->text : "");
		break;
	case KT_EV_NOTE:
		if (ev->gev && ev->gev->severity == KT_SEV_WARN)
			con_log_add(c->log, CON_A_WARN, "warn  %s", ev->text ? ev->text : "");
		else
			con_log_add(c->log, CON_A_DIM, "host  %s", ev->text ? ev->text : "");
		break;
	case KT_EV_GUEST:
		con_log_add(c->log, CON_A_GUEST, "guest %s", ev->text ? ev->text : "");
		break;
	case KT_EV_WATCH: {
		char line[1024];

		kt_watch_text(ev->watch, line, sizeof(line));	/* the text is made here */
		con_log_add(c->log, CON_A_GUEST, "guest %s", line);
		/* A fire told on its own (the first of a watch, the exit
		 * trigger's) is kept for the captures pane; summaries are not. */
		if (ev->gev)
			add_fire(c, line);
		break;
	}
	case KT_EV_LOG:
		agent_log(c, ev->text ? ev->text : "");
		break;
	case KT_EV_DIED:
		con_log_add(c->log, CON_A_WARN, "warn  the guest went down: %s (the log above says "
			    "what the kernel said last); `restart` boots it again, `quit` leaves",
			    ev->text ? ev->text : "");
		break;
	case KT_EV_STEP_BEGIN:
		if (ev->step > 0)
			con_log_add(c->log, CON_A_CMD, "----- step %d -----", ev->step);
		break;
	default:
		break;
	}
}
