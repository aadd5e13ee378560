/* con-sampler.c - the console's timeline and its sampler; see
 * con-sampler.h. */
#include "tui/con-sampler.h"

#include <errno.h>
#include <stdio.h>

#include "vmm/intro/run-sampler.h"

void con_sampler_init(struct con_sampler *s)
{
	*s = (struct con_sampler){ .sub = -1, .hz = CON_LIVE_DEFAULT_HZ };
	pthread_mutex_init(&s->lock, NULL);
}

/* Under the lock. */
static struct kterr *run_at(struct con_sampler *s, unsigned hz)
{
	run_sampler_stop(s->rs);
	s->rs = NULL;
	if (!hz)
		return NULL;
	kt_timeline_set_rate(s->tl, hz);
	return run_sampler_start(s->tl, s->in, s->x, &s->rs);
}

/* The engine's events into the timeline, busy watches thinned. */
static void on_event(void *ctx, const struct kt_event *ev)
{
	struct con_sampler *s = ctx;

	if (ev->kind == KT_EV_FIRE) {
		uint64_t now = kt_timeline_now(s->tl);

		if (s->last_fire_ns && now - s->last_fire_ns < CON_LIVE_FIRE_NS)
			return;
		s->last_fire_ns = now;
	}
	kt_timeline_on_event(s->tl, ev);
}

struct kterr *con_sampler_start(struct con_sampler *s, unsigned ncpus, struct intro *in,
				struct kt_exec *x, struct kt_events *ev, const char *boot_scheduler)
{
	struct kterr *e;
	struct kt_timeline *tl;

	/* A restarted guest (con-engine's restart): the same timeline goes
	 * on (the history keeps what the old guest did, the console's
	 * events stay subscribed), sampled from the new guest. */
	pthread_mutex_lock(&s->lock);
	if (s->tl) {
		s->in = in;
		s->x = x;
		s->halted = false;
		e = s->off ? NULL : run_at(s, s->hz);
		pthread_mutex_unlock(&s->lock);
		return e ? kterr_wrap(e, "the console's live sampler") : NULL;
	}
	pthread_mutex_unlock(&s->lock);
	tl = kt_timeline_new(CON_LIVE_DEFAULT_HZ, ncpus ? ncpus : 1, CON_LIVE_SAMPLES,
			     CON_LIVE_TL_EVENTS);
	if (!tl)
		return kterr_new(ENOMEM, "the console's timeline (%u CPUs)", ncpus);
	if (boot_scheduler && *boot_scheduler) {
		char text[KT_TL_TEXT];

		snprintf(text, sizeof(text), "scheduler %s (attached at boot)", boot_scheduler);
		kt_timeline_event_at(tl, 0, KT_TL_ATTACH, text, 0);
	}
	pthread_mutex_lock(&s->lock);
	s->tl = tl;
	s->in = in;
	s->x = x;
	s->ev = ev;
	s->sub = kt_events_subscribe(ev, on_event, s);
	e = s->off ? NULL : run_at(s, s->hz);
	pthread_mutex_unlock(&s->lock);
	return e ? kterr_wrap(e, "the console's live sampler") : NULL;
}

struct kterr *con_sampler_set_rate(struct con_sampler *s, unsigned hz)
{
	struct kterr *e = NULL;

	if (hz && (hz < CON_LIVE_MIN_HZ || hz > CON_LIVE_MAX_HZ))
		return kterr_hint(kterr_new(ERANGE, "%u Hz is not %d..%d", hz, CON_LIVE_MIN_HZ,
					    CON_LIVE_MAX_HZ), "`live off` stops sampling");
	pthread_mutex_lock(&s->lock);
	if (hz)
		s->hz = hz;
	if (!s->tl) {
		s->off = !hz;		/* before the guest is up: the start does it */
	} else if (s->halted && hz) {
		e = kterr_hint(kterr_new(EHOSTDOWN, "no guest to sample"),
			       "the views keep what was sampled before the guest went down");
	} else {
		s->off = !hz;
		e = run_at(s, hz);
	}
	pthread_mutex_unlock(&s->lock);
	return e;
}

unsigned con_sampler_rate(struct con_sampler *s, unsigned *asked)
{
	unsigned hz;

	pthread_mutex_lock(&s->lock);
	hz = s->rs ? kt_timeline_rate(s->tl) : 0;
	if (asked)
		*asked = s->hz;
	pthread_mutex_unlock(&s->lock);
	return hz;
}

void con_sampler_halt(struct con_sampler *s)
{
	pthread_mutex_lock(&s->lock);
	run_sampler_stop(s->rs);
	s->rs = NULL;
	s->halted = true;
	pthread_mutex_unlock(&s->lock);
}

struct kt_timeline *con_sampler_timeline(struct con_sampler *s)
{
	struct kt_timeline *tl;

	pthread_mutex_lock(&s->lock);
	tl = s->tl;
	pthread_mutex_unlock(&s->lock);
	return tl;
}

void con_sampler_free(struct con_sampler *s)
{
	con_sampler_halt(s);
	if (s->sub >= 0)
		kt_events_unsubscribe(s->ev, s->sub);
	s->sub = -1;
	kt_timeline_free(s->tl);
	s->tl = NULL;
	pthread_mutex_destroy(&s->lock);
}
