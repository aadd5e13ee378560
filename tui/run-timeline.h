/*
 * run-timeline.h - one recipe run's timeline (engine/timeline.h) from
 * start to stop, for `ktcon run`: the timeline, its sampler thread
 * (vmm/run-sampler.h) and its subscription to the engine's events, started
 * and stopped by one call each, so the run's own code stays a few lines.
 */
#ifndef KTCON_TUI_RUN_TIMELINE_H
#define KTCON_TUI_RUN_TIMELINE_H

#include "engine/events.h"
#include "engine/executor.h"
#include "engine/timeline.h"
#include "vmm/intro/intro.h"

struct run_timeline {
	struct kt_timeline *tl;		/* NULL: no timeline (off, or it failed) */
	struct run_sampler *rs;
	struct kt_events *ev;
	int sub;
};

/* A timeline at rate_hz (0: none: rt->tl stays NULL) of ncpus CPUs,
 * sampling in (may be NULL) and x's guest state, hearing ev's events.
 * boot_scheduler: the scheduler the guest attached at boot (the recipe's
 * `scheduler` line), "" or NULL for none: an attach event at 0, since it
 * happened before the run's clock started. An error leaves no timeline
 * and nothing running. */
struct kterr *run_timeline_start(struct run_timeline *rt, unsigned rate_hz, unsigned ncpus,
				 struct intro *in, struct kt_exec *x, struct kt_events *ev,
				 const char *boot_scheduler);
/* Stop sampling and listening; the timeline stays in rt->tl. */
void run_timeline_stop(struct run_timeline *rt);

#endif
