/*
 * link.h - the guest link: how the engine asks the guest agent to do
 * something and hears back.
 *
 * One request, one reply: the engine fills a struct kt_greq and calls
 * link->ops->request(); the implementation (the VMM's control channel, or a
 * fake in tests/unit/fake_link.c) sends it, waits for the reply and returns
 * NULL for ok or the guest's error chain (op -> argument -> cgroup path ->
 * file -> errno). Results (pids, a payload handle, an exit status, reports)
 * go into *reply; what the implementation allocates there it allocates with
 * malloc, and the engine frees with kt_greply_clear().
 *
 * Cancellation: *cancel turns true when the operator aborts the op in flight
 * (Ctrl-C at the console). A request that blocks (wait-payload has no
 * timeout) must poll it and return an ECANCELED error promptly. A request
 * the guest completed in spite of the cancel returns NULL: it was done,
 * and the executor reports that the cancel came too late.
 *
 * Asynchronous events (a payload or the scheduler exited, a watch fired,
 * a log line, a host note, the guest died: gevent.h) are not replies: the
 * link queues them, and the executor takes them through next_event each
 * time it drains (between statements, through holds, when the console
 * pumps it idle).
 *
 * The guest also reports its state unasked (the cgroup tree, sched_ext,
 * IRQ counts: engine/gstate.h), twice a second. A link that can hear it
 * implements poll: the executor calls it instead of sleeping through
 * holds, so the guest's writes keep draining, and after each request.
 */
#ifndef KTCON_LINK_H
#define KTCON_LINK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/gevent.h"
#include "lib/cpuset.h"
#include "lib/err.h"
#include "engine/gstate.h"
#include "engine/op.h"

/* What a request asks for. Ops are one verb; the rest are what the engine
 * needs to tear down and to check expectations. */
enum kt_greq_verb {
	KT_GREQ_OP,		/* apply .op (a guest-side op kind) */
	KT_GREQ_QUERY_CGROUP,	/* fill reply->cgroup for .cgroup */
	KT_GREQ_QUERY_SCHED,	/* fill reply->sched */
	KT_GREQ_QUERY_WORKERS,	/* fill reply->workers for .cgroup's workers */
	KT_GREQ_UNPIN_BPF_MAPS,	/* scenario teardown: drop every pinned map fd */
};

/* A cgroup definition: add-cgroup-def and `cgroup` setup lines. Knob
 * values are passed through as the recipe wrote them (after checking). */
struct kt_cgroup_def {
	const char *name;
	bool has_cpus;
	struct kt_cpuset cpus;		/* resolved cpuset= */
	unsigned workers;		/* 0: none spawned */
	const char *work;		/* work=, NULL: spin */
	const char *policy;
	const char *affinity;
	const char *cpu_weight, *cpu_max, *memory_max, *io_weight, *pids_max;
	bool swappable;
};

struct kt_greq {
	enum kt_greq_verb verb;
	enum kt_op_kind op;
	/* The cgroup acted on, relative to the managed parent; "" is the
	 * runner's own cgroup (spawn @runner, move-all-tasks @runner ...). */
	const char *cgroup;
	const char *cgroup2;		/* move-all-tasks TO, swap-cpusets B */
	const char *name;		/* payload, scheduler or map name */
	const char *path;		/* staged binary for run-payload / schedulers */
	const char *args;		/* extra argv, one string as the recipe wrote it */
	struct kt_cpuset cpus;		/* set-cpuset */
	const struct kt_cgroup_def *def;	/* add-cgroup-def */
	unsigned workers;		/* spawn */
	/* stop-cgroup: only the spawns these workers belong to (NULL: all
	 * of the cgroup's); teardown stops one owner's runner workers. */
	const int *pids;
	size_t npids;
	const char *work;		/* spawn */
	const char *affinity;		/* set-affinity KIND */
	uint64_t handle;		/* wait/kill-payload: from run-payload */
	unsigned irq, cpu;		/* steer-irq */
};

struct kt_worker_report {
	int pid;
	uint64_t iterations;		/* work loops completed */
	uint64_t runtime_ns;		/* CPU time */
	uint64_t nvcsw, nivcsw;		/* voluntary / involuntary switches */
	uint64_t migrations;		/* CPU changes seen between iterations */
	uint64_t max_gap_ns;		/* longest time between two iterations */
	uint64_t max_wake_ns;		/* worst wakeup lateness */
	uint64_t wake_p50_ns, wake_p99_ns;	/* its percentiles (a histogram's bucket) */
	uint64_t wake_samples;		/* wakeups measured */
	uint64_t run_delay_ns;		/* time runnable but not running; UINT64_MAX unknown */
	struct kt_cpuset cpus_used;	/* CPUs it ran on */
};

struct kt_greply {
	int *pids;			/* spawn, capture-cgroup-procs */
	size_t npids;
	uint64_t handle;		/* run-payload */
	int exit_status;		/* wait/kill-payload: exit code, or -SIGNAL if killed */
	uint64_t runtime_ns;		/* wait/kill-payload: from start to exit */
	char *output;			/* wait/kill-payload: the tail of its output */
	struct {
		bool frozen, populated, has_cpus;
		struct kt_cpuset cpus;	/* effective cpuset */
	} cgroup;
	struct {
		bool enabled;
		char ops[64];		/* sched_ext ops name when enabled */
		char replaced[64];	/* replace-scheduler: the one it replaced */
		uint64_t window_ns;	/* replace-scheduler: time without a scheduler */
	} sched;
	struct kt_worker_report *workers;	/* query-workers, stop-cgroup */
	size_t nworkers;
	bool missing;			/* remove-cgroup: no such cgroup, nothing removed */
	unsigned implicit;		/* add-cgroup(-def) a/b/c: levels above it it made */
};

struct kt_link_ops {
	/* Why the guest is gone for good (it panicked, QEMU exited), or NULL
	 * while it lives. Optional. The executor stops sending once it is. */
	const char *(*gone)(void *ctx);
	struct kterr *(*request)(void *ctx, const struct kt_greq *req, struct kt_greply *reply,
				 const atomic_bool *cancel);
	/*
	 * Optional (NULL: the executor sends them one by one). The n
	 * requests reqs[], all KT_GREQ_OP of one batchable op (add-cgroup,
	 * add-cgroup-def, remove-cgroup, stop-cgroup), in as few round trips
	 * as the wire allows, in order, stopping at the first that fails:
	 * *done says how many succeeded, each with its reply in replies[]
	 * (zeroed first); the error, when there is one, is reqs[*done]'s
	 * own, as request() would have returned it (its replies[] entry
	 * holds what it answered, a stop's last reports).
	 */
	struct kterr *(*batch)(void *ctx, const struct kt_greq *reqs, size_t n,
			       struct kt_greply *replies, size_t *done, const atomic_bool *cancel);
	/*
	 * Optional (NULL: the link has nothing to drain). Handle what the
	 * guest sends unasked for up to timeout_ns (0: only what is already
	 * there), then return. When the guest's latest state is newer than
	 * *gen (the link's own count; 0 before the first), hand it over
	 * into *state, which is empty (kt_gstate_init), and update *gen. An error means the link
	 * is broken (the guest is gone); the executor then sleeps instead
	 * and the next request reports why.
	 */
	struct kterr *(*poll)(void *ctx, uint64_t timeout_ns, uint64_t *gen,
			      struct kt_gstate *state);
	/*
	 * Optional (NULL: the link reports no events). The oldest event
	 * waiting, which the caller then owns (kt_gev_free), or NULL when
	 * none is. Never blocks; callable from the executor's thread only.
	 */
	struct kt_guest_event *(*next_event)(void *ctx);
};

struct kt_link {
	const struct kt_link_ops *ops;
	void *ctx;
};

void kt_greply_clear(struct kt_greply *r);

/* "add-cgroup", "query-cgroup", ...: for logs and fakes. */
const char *kt_greq_name(const struct kt_greq *req);

#endif
