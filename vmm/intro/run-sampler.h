/*
 * run-sampler.h - a recipe run's timeline samples (engine/timeline.h): a
 * thread that, at the timeline's rate, reads the runqueues and the
 * sched_ext globals from guest memory without pausing the guest
 * (intro_kstate_read) and takes the agent's latest STATE (IRQ counts, each
 * worker group's iterations) from the executor, then adds one sample.
 *
 * The IRQ rate of a sample is the interrupts of every CPU per second
 * between the two latest STATE frames the host had (the agent sends about
 * two a second, so consecutive samples may repeat it); none until two
 * have arrived. Worker iterations are the latest frame's too. Kernel state
 * is read fresh each sample; without it (no vmlinux, no plan) the samples
 * carry the STATE part only.
 *
 * Deadlines are absolute (period k at t0 + k/rate), so a slow read delays
 * one sample, not every one after it; a sample whose deadline passed
 * while the previous one was read is skipped, not bunched.
 */
#ifndef KTCON_VMM_INTRO_RUN_SAMPLER_H
#define KTCON_VMM_INTRO_RUN_SAMPLER_H

#include "lib/err.h"
#include "engine/executor.h"
#include "engine/timeline.h"
#include "vmm/intro/intro.h"

struct run_sampler;

/* in and x may be NULL (nothing read from them); both must outlive the
 * sampler, as must tl. */
struct kterr *run_sampler_start(struct kt_timeline *tl, struct intro *in, struct kt_exec *x,
				struct run_sampler **out);
/* Stops and joins the thread; NULL is fine. */
void run_sampler_stop(struct run_sampler *rs);

#endif
