/*
 * con-sched.h - the scheduler pane: sched_ext's state as the agent last
 * streamed it (state, the attached ops' name, enable_seq, nr_rejected,
 * switch_all), and per-CPU activity as bars: each CPU's interrupt rate,
 * from the difference between two states' per-CPU IRQ totals (the
 * sampler's numbers; the guest is never paused for them).
 *
 * The model keeps the previous totals so rates need two states; update it
 * with every new state (by generation), render it with the latest state.
 */
#ifndef KTCON_TUI_CON_SCHED_H
#define KTCON_TUI_CON_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/gstate.h"
#include "tui/con-buf.h"

#define CON_SCHED_CPUS 64

struct con_sched {
	uint64_t gen;			/* of the state last taken */
	uint64_t uptime_ms;
	unsigned ncpus;
	unsigned cpu[CON_SCHED_CPUS];
	uint64_t total[CON_SCHED_CPUS];
	double rate[CON_SCHED_CPUS];	/* IRQs per second */
	bool have_rate;
};

void con_sched_init(struct con_sched *m);
/* Take a state; rates from the one before. A state with an older or the
 * same generation changes nothing. */
void con_sched_update(struct con_sched *m, const struct kt_gstate *g);
void con_sched_render(const struct con_sched *m, const struct kt_gstate *g, struct con_buf *b,
		      const struct con_rect *r);

#endif
