/*
 * timeline.h - what happened during one recipe's run, on one clock: samples
 * of the scheduler's state taken at a fixed rate, and events (steps, ops,
 * scheduler attach/exit, freezes, watch fires) at their times.
 *
 * Time is ns since the run's start (kt_timeline_new) on the host's
 * CLOCK_MONOTONIC; t0_unix_ns is that start on the wall clock, so two runs'
 * timelines can be placed side by side.
 *
 * Who feeds it: the front end's sampler thread adds samples (the VMM reads
 * runqueues and sched_ext globals from guest memory without pausing it;
 * the agent's STATE stream gives IRQ counts and each worker group's
 * iterations); the engine's event stream adds events (kt_timeline_on_event
 * is a kt_event_fn); the front end adds what the engine does not see
 * (watch fires). Every entry point takes the timeline's lock: samples come
 * from one thread, events from others.
 *
 * Memory is bounded and fixed at creation: max_samples samples (a ring: the
 * newest are kept, older ones are dropped and counted) and max_events
 * events (the first are kept, later ones dropped and counted). The JSON
 * says how many were dropped. Events are kept in time order (an op's
 * start is only known at its end). Defaults: 6000 samples (10 minutes at
 * 10 Hz, one at 100 Hz), 4096 events: about 1 KiB a sample with 4 CPUs,
 * some 6 MiB for a full ring.
 *
 * The JSON form is doc/results-json.md's "timeline" object; the trace form
 * is engine/trace-tef.h.
 */
#ifndef KTCON_ENGINE_TIMELINE_H
#define KTCON_ENGINE_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/events.h"

#define KT_TL_DEFAULT_HZ 10
#define KT_TL_MIN_HZ 1
#define KT_TL_MAX_HZ 100
#define KT_TL_MAX_SAMPLES 6000		/* kept: 10 minutes at 10 Hz */
#define KT_TL_MAX_EVENTS 4096
#define KT_TL_MAX_CPUS 256
#define KT_TL_MAX_GROUPS 16		/* worker groups tracked by name; more are left out */
#define KT_TL_MAX_COUNTERS 8		/* sched_ext counters per sample */
#define KT_TL_COMM 17
#define KT_TL_TEXT 256			/* an event's text is cut here */

/* A value that may be missing: a kernel without the field, a read that
 * failed. JSON null when !has. */
struct kt_tl_val {
	bool has;
	int64_t v;
};

struct kt_tl_cpu {
	struct kt_tl_val nr_running, scx_nr_running, local_dsq, curr_pid;
	struct kt_tl_val nr_switches;	/* rq->nr_switches: rates come from two samples */
	char curr_comm[KT_TL_COMM];	/* any bytes; "" unknown */
};

struct kt_tl_counter {
	const char *name;		/* static: "nr_rejected", "enable_seq" ... */
	struct kt_tl_val val;
};

struct kt_tl_group {
	const char *cgroup;		/* "@runner" for the runner's own */
	uint64_t iterations;		/* every worker of the group, in all */
};

/* One sample as the feeder builds it; the timeline copies it. */
struct kt_tl_sample {
	uint64_t t_ns;
	unsigned ncpus;			/* at most the timeline's cpus */
	const struct kt_tl_cpu *cpu;
	char scx_state[32];		/* "" unknown */
	char scx_ops[64];		/* "" none */
	size_t ncounters;
	struct kt_tl_counter counters[KT_TL_MAX_COUNTERS];
	bool has_irq_rate;
	double irq_rate;		/* interrupts per second, every CPU */
	size_t ngroups;
	const struct kt_tl_group *groups;	/* at most KT_TL_MAX_GROUPS */
};

enum kt_tl_kind {
	KT_TL_STEP_START, KT_TL_STEP_END, KT_TL_OP_START, KT_TL_OP_END, KT_TL_ATTACH,
	KT_TL_DETACH, KT_TL_SCHED_EXIT, KT_TL_FREEZE, KT_TL_UNFREEZE, KT_TL_WATCH_FIRE,
	KT_TL_FAIL, KT_TL_NKINDS
};

struct kt_tl_event {
	uint64_t t_ns;
	enum kt_tl_kind kind;
	int line;			/* 0: not from a statement */
	char text[KT_TL_TEXT];
};

struct kt_timeline;

/* rate_hz in KT_TL_MIN_HZ..KT_TL_MAX_HZ; ncpus 1..KT_TL_MAX_CPUS;
 * max_samples/max_events 0: the defaults. NULL on OOM or bad arguments. */
struct kt_timeline *kt_timeline_new(unsigned rate_hz, unsigned ncpus, size_t max_samples,
				    size_t max_events);
void kt_timeline_free(struct kt_timeline *tl);

/* Now, as ns since the start. */
uint64_t kt_timeline_now(const struct kt_timeline *tl);
unsigned kt_timeline_rate(const struct kt_timeline *tl);
/* A new rate for the samples to come (KT_TL_MIN_HZ..KT_TL_MAX_HZ; others
 * are ignored): the console's `live HZ`. A sampler reads the rate when it
 * starts, so restart it. Samples keep their own times. */
void kt_timeline_set_rate(struct kt_timeline *tl, unsigned rate_hz);
unsigned kt_timeline_cpus(const struct kt_timeline *tl);

void kt_timeline_add_sample(struct kt_timeline *tl, const struct kt_tl_sample *s);
/* An event now, or at t_ns. text may be NULL. */
void kt_timeline_event(struct kt_timeline *tl, enum kt_tl_kind kind, const char *text, int line);
void kt_timeline_event_at(struct kt_timeline *tl, uint64_t t_ns, enum kt_tl_kind kind,
			  const char *text, int line);
/* A kt_event_fn: steps, ops (start at its end less its duration), scheduler
 * attach/detach/exit, freezes and failures. ctx is the timeline. */
void kt_timeline_on_event(void *ctx, const struct kt_event *ev);

/* "step-start", "op-end", ...: the JSON names. */
const char *kt_tl_kind_name(enum kt_tl_kind kind);

/* ---- reading (after the feeders stopped, or under their feet: each call
 * takes the lock; indexes are oldest first) ---- */
size_t kt_timeline_nsamples(const struct kt_timeline *tl);
size_t kt_timeline_nevents(const struct kt_timeline *tl);
uint64_t kt_timeline_dropped_samples(const struct kt_timeline *tl);
uint64_t kt_timeline_dropped_events(const struct kt_timeline *tl);
uint64_t kt_timeline_t0_unix_ns(const struct kt_timeline *tl);
/* Copies sample i into *out; out->cpu and out->groups point into the
 * timeline and stay valid until the next add or free. */
void kt_timeline_sample(const struct kt_timeline *tl, size_t i, struct kt_tl_sample *out);
void kt_timeline_get_event(const struct kt_timeline *tl, size_t i, struct kt_tl_event *out);

/* For a reader while the sampler runs (the console's views): samples
 * are numbered by seq from 0 in the order they were added, dropped ones
 * included, so kt_timeline_seq() is the seq the next sample will get.
 * kt_timeline_copy_seq copies sample seq whole, under the lock: its CPUs
 * into cpus (KT_TL_MAX_CPUS of room) and its groups into groups
 * (KT_TL_MAX_GROUPS), out pointing at them (group names stay valid
 * until the timeline is freed). False when seq was dropped or is not
 * there yet. */
uint64_t kt_timeline_seq(const struct kt_timeline *tl);
bool kt_timeline_copy_seq(const struct kt_timeline *tl, uint64_t seq, struct kt_tl_sample *out,
			  struct kt_tl_cpu *cpus, struct kt_tl_group *groups);

/* The "timeline" object of doc/results-json.md to f. */
void kt_timeline_json(const struct kt_timeline *tl, FILE *f);

#endif
