/* run-timeline.c - a run's timeline, started and stopped; see
 * run-timeline.h. */
#include "tui/run-timeline.h"

#include <errno.h>
#include <stdio.h>

#include "vmm/intro/run-sampler.h"

struct kterr *run_timeline_start(struct run_timeline *rt, unsigned rate_hz, unsigned ncpus,
				 struct intro *in, struct kt_exec *x, struct kt_events *ev,
				 const char *boot_scheduler)
{
	struct kterr *e;

	*rt = (struct run_timeline){ .sub = -1 };
	if (!rate_hz)
		return NULL;
	rt->tl = kt_timeline_new(rate_hz, ncpus ? ncpus : 1, 0, 0);
	if (!rt->tl)
		return kterr_new(ENOMEM, "a timeline of %u CPUs at %u Hz", ncpus, rate_hz);
	if (boot_scheduler && *boot_scheduler) {
		char text[KT_TL_TEXT];

		snprintf(text, sizeof(text), "scheduler %s (attached at boot)", boot_scheduler);
		kt_timeline_event_at(rt->tl, 0, KT_TL_ATTACH, text, 0);
	}
	rt->ev = ev;
	rt->sub = kt_events_subscribe(ev, kt_timeline_on_event, rt->tl);
	e = run_sampler_start(rt->tl, in, x, &rt->rs);
	if (e) {
		run_timeline_stop(rt);
		kt_timeline_free(rt->tl);
		rt->tl = NULL;
		return kterr_wrap(e, "the run's timeline");
	}
	return NULL;
}

void run_timeline_stop(struct run_timeline *rt)
{
	run_sampler_stop(rt->rs);
	rt->rs = NULL;
	if (rt->sub >= 0)
		kt_events_unsubscribe(rt->ev, rt->sub);
	rt->sub = -1;
}
