/*
 * con-rq.h - live per-CPU runqueues for the scheduler pane: for each CPU
 * nr_running, sched_ext's nr_running, the local DSQ's depth, the task
 * running (pid, comm), context switches per second and IRQs per second,
 * one row per CPU under a header, scrolling when the CPUs outnumber the
 * rows, or one row per LLC or NUMA node (folded: sums, how many CPUs
 * are busy, which CPUs the row holds).
 *
 * The numbers are the session's timeline's (con-live.h: kernel state
 * read from guest memory a few times a second without pausing the
 * guest), so a sample's values may be mutually inconsistent; switches/s
 * comes from two samples' nr_switches. IRQs/s are the scheduler pane's
 * own (con-sched.h, from the agent's state). Pure.
 */
#ifndef KTCON_TUI_CON_RQ_H
#define KTCON_TUI_CON_RQ_H

#include <stdbool.h>

#include "lib/cpuset.h"
#include "tui/con-buf.h"
#include "tui/con-live.h"
#include "tui/con-sched.h"

enum con_fold {
	CON_FOLD_NONE,
	CON_FOLD_LLC,
	CON_FOLD_NUMA,
	CON_FOLD__COUNT,
};

/* "none", "llc", "numa"; and back (-1 unknown). */
const char *con_fold_name(enum con_fold f);
int con_fold_find(const char *name);

/* The row CPU c belongs to under fold, for topo (CPUs numbered node,
 * LLC, core, thread, as QEMU lays them out), and how many rows there
 * are for ncpus CPUs. */
unsigned con_rq_group(const struct kt_topology *topo, enum con_fold fold, unsigned c);
unsigned con_rq_groups(const struct kt_topology *topo, enum con_fold fold, unsigned ncpus);

/* The table into r, `scroll` rows down (clamped); irq: the IRQ rates by
 * CPU (may be NULL); dim: the guest is gone, the last data greyed.
 * Columns that do not fit go from the right (irq/s, then sw/s) before
 * the comm is cut. Returns the largest useful scroll. */
int con_rq_render(const struct con_live *m, const struct con_sched *irq,
		  const struct kt_topology *topo, enum con_fold fold, bool dim, struct con_buf *b,
		  const struct con_rect *r, int scroll);

#endif
