/*
 * con-workers.h - the workers view: one cgroup's ktcon workers as the
 * agent streams them (engine/gstate.h: pid, the CPU of its last
 * iteration, the CPUs it ran on, CPU time, worst wake latency,
 * migrations, ...) with iterations/s, and the cgroup's cpu.stat.
 *
 * A model and a renderer, no terminal: the console opens it on a cgroup
 * (Enter on the cgroup tree, or `workers CGROUP`), folds each new guest
 * state in (con_workers_update) and draws it in the tree's slot.
 *
 * Rates come from two successive states: the change of a worker's
 * iterations (and CPU time, and the cgroup's usage_usec) over the change
 * of the guest's uptime between the two frames, not the host's clock, so
 * a frame that waited in a queue does not make a rate jump. A worker seen
 * once has no rate yet ("-"); a counter that went back (a new worker with
 * a reused pid) starts over.
 *
 * Columns fit the width: each has a priority, the least important go
 * first (80 columns keep pid, CPU, CPUs seen, it/s, CPU time, worst wake
 * and migrations), and wider panes add CPU%, iterations, wake p99, run
 * delay and context switches.
 */
#ifndef KTCON_TUI_CON_WORKERS_H
#define KTCON_TUI_CON_WORKERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/gstate.h"
#include "tui/con-buf.h"

/* The previous sample of one worker, and the rates it gave. */
struct con_wk_seen {
	int pid;
	uint64_t iterations, cpu_ns;
	bool has_rate;
	double iter_per_s;
	double cpu_pct;			/* of one CPU */
};

struct con_workers {
	bool open;
	char cgroup[KT_GSTATE_PATH_MAX];
	uint64_t gen;			/* the state last folded in (0: none) */
	uint64_t uptime_ms;		/* its guest uptime */
	struct con_wk_seen *seen;	/* one per worker in that state */
	size_t nseen;
	int64_t usage_usec;		/* the cgroup's, -1 unknown */
	bool has_usage_rate;
	double usage_pct;		/* the cgroup's CPU use, % of one CPU */
};

void con_workers_open(struct con_workers *w, const char *cgroup);
void con_workers_close(struct con_workers *w);

/* Fold a new guest state in (the same gen twice changes nothing). */
void con_workers_update(struct con_workers *w, const struct kt_gstate *g);

/* A counter's rate per second between two samples taken at guest uptimes
 * t0_ms and t1_ms; false when it cannot be told (no time passed, or the
 * counter went back). */
bool con_rate(uint64_t v0, uint64_t v1, uint64_t t0_ms, uint64_t t1_ms, double *per_s);

/* Worker pid's rates as of the last update; NULL before it has two
 * samples. */
const struct con_wk_seen *con_workers_seen(const struct con_workers *w, int pid);

/* Draw the view into r (no title). Returns the rows it wants. */
int con_workers_render(const struct con_workers *w, const struct kt_gstate *g,
		       struct con_buf *b, const struct con_rect *r, int scroll);

/* "2 workers, 4.1k it/s" for the title bar; returns buf. */
const char *con_workers_summary(const struct con_workers *w, const struct kt_gstate *g,
				char *buf, size_t size);

#endif
