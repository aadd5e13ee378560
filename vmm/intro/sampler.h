/*
 * sampler.h - live scheduler state: a thread that reads the sched_ext
 * globals and the runqueues (kstate.h) a few times a second WITHOUT
 * pausing the guest, and hands each sample to a callback (the console's
 * scheduler pane; `ktcon boot --sched-state`). Values within one sample
 * may be mutually inconsistent: the vCPUs run while they are read; take a
 * snapshot for a coherent picture.
 */
#ifndef KTCON_VMM_SAMPLER_H
#define KTCON_VMM_SAMPLER_H

#include <stddef.h>

#include "lib/err.h"
#include "vmm/intro/kmem.h"
#include "vmm/intro/kstate.h"

#define SAMPLER_MIN_MS 20

struct sampler;

/* Called on the sampler's thread; s and line are valid during the call.
 * line: kstate_summary() of s. */
typedef void (*sampler_fn)(void *ctx, const struct kstate *s, const char *line);

/* plan and km must outlive the sampler. */
struct kterr *sampler_start(const struct kstate_plan *plan, const struct kmem *km,
			    unsigned period_ms, sampler_fn fn, void *ctx, struct sampler **out);
/* Stops and joins the thread (no callback runs after it returns). */
void sampler_stop(struct sampler *s);

/* One line: "sched_ext SCX_OPS_ENABLED qmap rejected 0 | cpu0 run 2 scx 1
 * dsq 0 curr 61 yes | ...". */
const char *kstate_summary(const struct kstate_plan *p, const struct kstate *s, char *buf,
			   size_t size);

#endif
