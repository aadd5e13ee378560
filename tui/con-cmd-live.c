/* con-cmd-live.c - `live`: the live views (the runqueues, con-rq.h, and
 * the history, con-hist.h) in the scheduler's place, and the sampler
 * that feeds them (con-sampler.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/con-cmd.h"

bool console_live_tab(struct ktconsole *c)
{
	enum con_pane peers[CON_P__COUNT];
	size_t n = con_layout_peers(c->rows, c->cols, c->zoom, CON_P_SCHED, peers);

	c->dirty = true;
	if (!c->history) {
		c->history = true;
		return true;
	}
	/* From the history: the runqueues again, and on to the next pane
	 * when the place is shared. */
	c->history = false;
	return n < 2;
}

static void status(struct ktconsole *c)
{
	unsigned asked, hz = con_sampler_rate(con_engine_sampler(c->eng), &asked);
	const struct con_live *m = c->live;

	if (hz)
		con_log_add(c->log, CON_A_NORMAL, "live: sampling at %u Hz without pausing the guest; "
			    "%llu samples, %u CPUs; runqueues by %s; the scheduler's place shows %s",
			    hz, m ? (unsigned long long)m->seq : 0ull, m ? m->ncpus : 0u,
			    c->fold == CON_FOLD_NONE ? "CPU" : con_fold_name(c->fold),
			    c->history ? "the history" : "the runqueues");
	else if (c->down.down)
		con_log_add(c->log, CON_A_NORMAL, "live: not sampling: the guest is gone (the views "
			    "keep what was sampled until then)");
	else
		con_log_add(c->log, CON_A_NORMAL, "live: not sampling (%s; %llu samples so far); "
			    "`live %u` starts it", con_sampler_timeline(con_engine_sampler(c->eng)) ?
			    "turned off" : "the guest is not up yet",
			    m ? (unsigned long long)m->seq : 0ull, asked);
}

static void set_rate(struct ktconsole *c, unsigned hz)
{
	struct kterr *e = con_sampler_set_rate(con_engine_sampler(c->eng), hz);

	if (e) {
		con_log_error(c->log, "live: ", e);
		kterr_free(e);
		return;
	}
	status(c);
}

CON_CMD(live)
{
	unsigned asked;
	char *end;
	long hz;
	int f;

	(void)rest;
	c->dirty = true;
	if (argc < 2) {
		status(c);
		return;
	}
	if (!strcmp(argv[1], "off")) {
		set_rate(c, 0);
	} else if (!strcmp(argv[1], "on")) {
		con_sampler_rate(con_engine_sampler(c->eng), &asked);
		set_rate(c, asked);
	} else if (!strcmp(argv[1], "history") || !strcmp(argv[1], "rq")) {
		c->history = argv[1][0] == 'h';
		c->focus = CON_P_SCHED;
		if (c->zoom >= 0)
			c->zoom = CON_P_SCHED;
		c->scroll[CON_P_SCHED] = 0;
	} else if (!strcmp(argv[1], "fold")) {
		if (argc < 3 || (f = con_fold_find(argv[2])) < 0) {
			con_log_add(c->log, CON_A_ERROR, "live fold: %s%s%s", argc < 3 ? "which?" :
				    "no fold '", argc < 3 ? "" : argv[2], argc < 3 ? "" : "'");
			con_log_add(c->log, CON_A_HINT, "  hint: live fold llc|numa|none (the guest's "
				    "topology: ktcon --topology NUMA,LLCS,CORES,THREADS)");
			return;
		}
		c->fold = (enum con_fold)f;
		c->history = false;
		c->scroll[CON_P_SCHED] = 0;
	} else if ((hz = strtol(argv[1], &end, 10)) > 0 && !*end) {
		set_rate(c, (unsigned)hz);
	} else {
		con_log_add(c->log, CON_A_ERROR, "live: no '%s'", argv[1]);
		con_log_add(c->log, CON_A_HINT, "  hint: live [HZ|off|on] | live history|rq | "
			    "live fold llc|numa|none");
	}
}
