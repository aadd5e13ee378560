/*
 * work.h - what a worker does: the work types of `work=`, their parameters,
 * and the scheduling policies of `policy=`.
 *
 * One table, read by the recipe checker (engine/argtype.c) and by the guest's
 * worker library (guest/worker*.c), so a type the checker accepts is a type
 * the guest runs. Syntax:
 *
 *   spin | yield | mixed | io-sync | cache-pressure | fork-exit |
 *   page-fault-churn | pipe-pingpong | futex-pingpong |
 *   bursty[:BURST_MS/SLEEP_MS] | sleep[:MS]
 *
 *   policy: normal | batch | idle | fifo:PRIO | rr:PRIO   (PRIO 1..99)
 *
 * The ping-pong types run in pairs: a worker count must be even.
 */
#ifndef KTCON_WORK_H
#define KTCON_WORK_H

#include <stdbool.h>

#include "lib/err.h"

enum kt_work_type {
	KT_WORK_SPIN,
	KT_WORK_YIELD,
	KT_WORK_MIXED,
	KT_WORK_IO_SYNC,
	KT_WORK_BURSTY,
	KT_WORK_PIPE_PINGPONG,
	KT_WORK_FUTEX_PINGPONG,
	KT_WORK_CACHE_PRESSURE,
	KT_WORK_SLEEP,
	KT_WORK_FORK_EXIT,
	KT_WORK_PAGE_FAULT_CHURN,
	KT_WORK_NTYPES,
};

struct kt_work_info {
	const char *name;
	bool pairs;		/* workers talk to a partner: even counts only */
	unsigned nparams;	/* numbers after ':' separated by '/' */
	unsigned defaults[2];	/* ms */
	const char *params;	/* "BURST_MS/SLEEP_MS", for messages */
};

extern const struct kt_work_info kt_work_info[KT_WORK_NTYPES];

struct kt_work {
	enum kt_work_type type;
	unsigned param[2];	/* ms; the defaults when not written */
};

/* NULL (empty) means spin. The error lists the types. */
struct kterr *kt_work_parse(const char *s, struct kt_work *out);
/* N workers of this type are possible (pairs need an even count). */
struct kterr *kt_work_check_count(const struct kt_work *w, unsigned n);

enum kt_policy_kind { KT_POLICY_NORMAL, KT_POLICY_BATCH, KT_POLICY_IDLE, KT_POLICY_FIFO,
		      KT_POLICY_RR };

struct kt_policy {
	enum kt_policy_kind kind;
	unsigned prio;		/* fifo/rr: 1..99 */
};

/* NULL (empty) means normal. */
struct kterr *kt_policy_parse(const char *s, struct kt_policy *out);

#endif
