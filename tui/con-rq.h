/*
 * con-rq.h - live per-CPU runqueues for the scheduler pane: for each CPU
 * nr_running, sched_ext's nr_running, the local DSQ's depth, the task
 * running (pid, comm), context switches per second and IRQs per second,
 * one row per CPU under a header, scrolling when the CPUs outnumber the
 * rows.
 *
 * The numbers are the host sampler's (vmm/intro/sampler.h: kstate read
 * from guest memory a few times a second without pausing the guest), so
 * a sample's values may be mutually inconsistent; switches/s comes from
 * two samples' nr_switches over the host time between them. The sampler
 * hands each sample to con_rq_take on its own thread (the model is
 * locked); the UI renders the latest. IRQs/s are the scheduler pane's
 * own (con-sched.h, from the agent's state).
 *
 * Hook-in: whoever starts the console's sampler (the engine's backend)
 * calls con_rq_take(&c->rq, sample, now) from its callback; until a
 * sample arrives the pane shows the IRQ bars as before.
 */
#ifndef KTCON_TUI_CON_RQ_H
#define KTCON_TUI_CON_RQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "tui/con-buf.h"
#include "tui/con-sched.h"
#include "vmm/intro/kstate.h"

struct con_rq {
	pthread_mutex_t lock;
	bool have;			/* a sample arrived */
	struct kstate cur;
	uint64_t cur_ns;
	uint64_t prev_sw[KSTATE_MAX_CPUS];
	bool prev_ok[KSTATE_MAX_CPUS];
	uint64_t prev_ns;
	double sw_rate[KSTATE_MAX_CPUS];	/* < 0: not known yet */
};

void con_rq_init(struct con_rq *m);
void con_rq_destroy(struct con_rq *m);

/* A sample taken at now_ns (host monotonic); any thread. */
void con_rq_take(struct con_rq *m, const struct kstate *s, uint64_t now_ns);
bool con_rq_have(struct con_rq *m);

/* The table into r, `scroll` CPU rows down (clamped); irq: the IRQ rates
 * by CPU (may be NULL). Returns the largest useful scroll. */
int con_rq_render(struct con_rq *m, const struct con_sched *irq, struct con_buf *b,
		  const struct con_rect *r, int scroll);

#endif
