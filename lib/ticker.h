/*
 * ticker.h - a thread that calls a function at a fixed rate until it is
 * stopped: what the samplers (vmm/intro/sampler.h, run-sampler.h) and
 * `ktcon run`'s status line (tui/run-status.c) share.
 *
 * Deadlines are absolute (tick k at t0 + k * period), so a slow tick
 * delays one deadline, not every one after it; deadlines that passed while
 * a tick ran are skipped, not bunched. The first tick runs at once.
 */
#ifndef KTCON_LIB_TICKER_H
#define KTCON_LIB_TICKER_H

#include <stdint.h>

#include "lib/err.h"

struct ticker;

/* fn(ctx) on the ticker's thread every period_ns; what names the thread
 * in an error ("sampler thread"). */
struct kterr *ticker_start(uint64_t period_ns, void (*fn)(void *ctx), void *ctx, const char *what,
			   struct ticker **out);
/* Stops and joins the thread: no call runs after it returns. NULL is fine. */
void ticker_stop(struct ticker *t);

#endif
