/*
 * con-sampler.h - the console session's timeline (engine/timeline.h) and
 * the host thread that samples the guest into it without pausing it
 * (vmm/intro/run-sampler.h, as `ktcon run` does), plus the timeline's
 * subscription to the engine's events (attach, detach, scheduler exit,
 * freeze, watch fire). One per console session: the engine thread starts
 * it once the guest is up and halts it when the guest goes down or is
 * powered off; the timeline and what it holds stay until the engine is
 * freed, so the views keep their last data.
 *
 * The rate can change while it runs (`live HZ`, `live off`): from any
 * thread, under the sampler's lock (the sampler thread is restarted at
 * the new rate; the timeline and its samples stay).
 */
#ifndef KTCON_TUI_CON_SAMPLER_H
#define KTCON_TUI_CON_SAMPLER_H

#include <pthread.h>
#include <stdbool.h>

#include "engine/events.h"
#include "engine/executor.h"
#include "engine/timeline.h"
#include "lib/err.h"
#include "vmm/intro/intro.h"

#define CON_LIVE_MIN_HZ 2
#define CON_LIVE_MAX_HZ 10
#define CON_LIVE_DEFAULT_HZ 4
/* Samples kept: two minutes at the highest rate (the views show one). */
#define CON_LIVE_SAMPLES (120 * CON_LIVE_MAX_HZ)
/* Events kept: the timeline keeps the first (a run's story); a console
 * session is longer, so more room, and a busy watch (hundreds of fires a
 * second) is filed at most once per CON_LIVE_FIRE_NS: the event strip
 * shows one letter per column anyway. */
#define CON_LIVE_TL_EVENTS 16384
#define CON_LIVE_FIRE_NS 100000000ull

struct run_sampler;

struct con_sampler {
	pthread_mutex_t lock;
	struct kt_timeline *tl;		/* NULL until started */
	struct run_sampler *rs;		/* NULL: not sampling */
	unsigned hz;			/* the rate asked for (kept while off) */
	bool off;			/* `live off` (or --live off before the boot) */
	bool halted;			/* the guest is gone (until a restart starts it again) */
	struct intro *in;
	struct kt_exec *x;
	struct kt_events *ev;
	int sub;
	uint64_t last_fire_ns;		/* the engine thread's (events come there) */
};

void con_sampler_init(struct con_sampler *s);
/* The timeline for ncpus CPUs, hearing ev, sampling in and x at the
 * rate asked for (unless it was turned off before); boot_scheduler:
 * attached at boot ("" none). */
struct kterr *con_sampler_start(struct con_sampler *s, unsigned ncpus,
				struct intro *in, struct kt_exec *x, struct kt_events *ev,
				const char *boot_scheduler);
/* CON_LIVE_MIN_HZ..CON_LIVE_MAX_HZ, or 0 to stop sampling; before the
 * start, what the start will do. */
struct kterr *con_sampler_set_rate(struct con_sampler *s, unsigned hz);
/* The rate sampling now (0: off) and the one asked for. */
unsigned con_sampler_rate(struct con_sampler *s, unsigned *asked);
/* The guest is down: stop sampling for good (any thread). */
void con_sampler_halt(struct con_sampler *s);
/* The timeline, or NULL before the start; valid until con_sampler_free. */
struct kt_timeline *con_sampler_timeline(struct con_sampler *s);
/* Halt, unsubscribe, free the timeline (before ev is freed). */
void con_sampler_free(struct con_sampler *s);

#endif
