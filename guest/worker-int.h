/*
 * worker-int.h - what worker.c (the group) and worker-work.c (the loop)
 * share: the layout of the shared mapping and a worker's own context.
 */
#ifndef KTCON_GUEST_WORKER_INT_H
#define KTCON_GUEST_WORKER_INT_H

#include "guest/worker.h"

/* One per worker. The ping-pong state of a pair lives in its even
 * worker's slot: whose turn it is, and when the last message was sent. */
struct worker_slot {
	struct worker_report report;
	uint32_t turn;		/* futex-pingpong: 0 even's turn, 1 odd's */
	uint32_t pad;
	uint64_t sent_ns;	/* ping-pong: CLOCK_MONOTONIC of the last send */
};

struct worker_shm {
	uint32_t gate;		/* futex: 0 held, 1 open */
	uint32_t n;
	struct worker_slot slot[];
};

/* Pipe-pingpong fds in a worker: fixed numbers after the fork. */
#define WORKER_FD_RD 3
#define WORKER_FD_WR 4

struct worker_ctx {
	unsigned i;
	struct kt_work work;
	struct worker_shm *shm;
	struct worker_slot *self, *pair;	/* pair: the slot with the pair's state */
	struct worker_report rep;		/* published into self->report */
	uint64_t last_end_ns, last_usage_ns;
	unsigned char *buf;			/* cache-pressure, io-sync */
	size_t buf_size, cursor;
	int io_fd;
	int schedstat_fd;			/* /proc/self/schedstat, or -1 */
};

/* Before the gate: allocate what the work needs. 0, or an errno with
 * c->rep.setup_stage saying what failed. */
int worker_prepare(struct worker_ctx *c);

#endif
