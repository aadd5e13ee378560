/*
 * run-batch.h - `ktcon run`'s machinery for other commands: replay a list
 * of recipes, each on a fresh guest, on N threads, with the same events,
 * status line, signal handling (the first SIGINT/SIGTERM/SIGHUP
 * interrupts, the second exits) and results as `ktcon run`. `ktcon
 * compare` runs each side's repeats through here.
 */
#ifndef KTCON_TUI_RUN_BATCH_H
#define KTCON_TUI_RUN_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/machine/accel.h"

struct kt_timings;

struct run_opts {
	const char *kernel;	/* --kernel; NULL: the recipe's */
	const char *json, *junit;	/* ktcon run --json FILE, --junit FILE */
	const char *plot;	/* --plot DIR */
	const char *scheduler;	/* --scheduler: run under this one (engine/sched-override.h) */
	const char *sched_args;	/* --scheduler-args */
	enum accel accel;
	bool tap, allow_pending, verbose, list;
	bool quiet;		/* no line per statement (compare prints a table) */
	bool warm;		/* --warm / --cold / KTCON_WARM (vmm/machine/warm.h) */
	int jobs;
	unsigned rate_hz;	/* the timeline's sample rate; 0: --no-timeline */
	const char *trace;	/* ktcon run --trace FILE */
	unsigned shard_k, shard_n;	/* ktcon run --shard K/N; 0/0: none */
	const char *timings_file;	/* ktcon run --timings FILE */
	struct kt_timings *timings;
};

enum run_outcome { OUT_PASS, OUT_FAIL, OUT_PENDING, OUT_ERROR, OUT_INTERRUPTED, OUT_N };
extern const char *const run_outcome_names[OUT_N];

/* One recipe to replay (path, o: in) and what came of it (out). */
struct run_item {
	const char *path;
	const struct run_opts *o;
	enum run_outcome outcome;
	char *why;		/* pending: what is missing; error: the chain; or NULL */
	char *json;		/* the results object (engine/results.h), or NULL */
	char *timeline;		/* the run's timeline (engine/timeline.h), or NULL */
	char *guest;		/* the guest it ran on: {"release", "kernel", "accel",
				 * "cpus", "start"}, or NULL (it never booted) */
	uint64_t ns;
};

/* Replay items[0..n) on at most nthreads guests at a time. Returns the
 * stop signal that interrupted the batch, 0 when none did; then items not
 * started are OUT_INTERRUPTED. embedded (the console): no status line and
 * no signal thread (the console has the terminal and its signals); then
 * run_batch_stop interrupts. */
int run_batch(struct run_item *items, size_t n, int nthreads, bool embedded);
/* From any thread: what a first stop signal does (the runs in flight are
 * interrupted, none is started); sticky for the process. */
void run_batch_stop(void);
void run_item_clear(struct run_item *it);

#endif
