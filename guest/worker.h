/*
 * worker.h - worker processes: real work, measured from inside.
 *
 * A group is N processes (one thread each) forked together. Each worker
 * sets its policy, says it is ready, and waits at a start gate, so the
 * caller can place it (write its pid to a cgroup.procs, set its affinity)
 * before it does any work: no iteration ever runs in the wrong place.
 * Then it loops on its work type (lib/work.h) and after every iteration
 * publishes its report in a shared mapping, which the parent reads at any
 * time and once more after the kill.
 *
 * What a report holds, and how it is measured:
 *   iterations       completed work loops
 *   cpu_ns           getrusage user+system time
 *   nvcsw, nivcsw    voluntary / involuntary context switches (getrusage)
 *   migrations       times sched_getcpu() changed between iterations
 *   cpus             every CPU sched_getcpu() returned
 *   max_gap_ns       longest time between two iteration ends
 *   max_wake_ns      worst lateness of a wakeup: a timed sleep's end past
 *                    its deadline, or a ping-pong reply after its send
 *   wake_hist        every such lateness, in a log2/linear histogram
 *                    (wake-hist.h); wake_samples counts them. The worker
 *                    adds to the shared copy directly: one store a wakeup
 *   run_delay_ns     time spent runnable on a runqueue, not running: the
 *                    task's own /proc/self/schedstat field 2 (needs
 *                    CONFIG_SCHED_INFO; UINT64_MAX when it cannot be read)
 * Reports are refreshed at most every REPORT_EVERY_NS of work time, and at
 * every sleep, so a cheap iteration does not pay a syscall.
 *
 * Nothing here knows about the agent: the caller passes how to wait for a
 * child (the agent's PID 1 reaper, or waitpid in unit tests).
 */
#ifndef KTCON_GUEST_WORKER_H
#define KTCON_GUEST_WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/cpuset.h"
#include "lib/err.h"
#include "lib/work.h"
#include "guest/wake-hist.h"

#define WORKER_CPU_WORDS 4	/* CPUs 0..255 are tracked */

/* Written by the worker only; read by the parent. */
struct worker_report {
	uint64_t iterations;
	uint64_t cpu_ns;
	uint64_t nvcsw, nivcsw;
	uint64_t migrations;
	uint64_t cpus[WORKER_CPU_WORDS];
	uint64_t max_gap_ns;
	uint64_t max_wake_ns;
	uint64_t wake_samples;
	uint64_t run_delay_ns;
	uint32_t wake_hist[WAKE_HIST_BUCKETS];
	int32_t last_cpu;
	int32_t setup_errno;	/* nonzero: setup failed at setup_stage */
	char setup_stage[32];
	uint32_t ready;		/* set once setup is done, before the gate */
};

struct worker_spec {
	struct kt_work work;
	struct kt_policy policy;
	unsigned n;
	const char *label;	/* the comm: "kt-w:<label>" */
};

/* Wait for pid up to timeout_ms; true with its status when it exited. */
typedef bool (*worker_wait_fn)(pid_t pid, int timeout_ms, int *status);

struct worker_shm;

struct worker_group {
	unsigned n;
	pid_t *pids;
	struct worker_shm *shm;
	size_t shm_size;
	struct kt_work work;
	bool started;		/* the gate is open */
	bool *exited;		/* per worker: reaped */
	int *status;
};

/* Fork spec->n workers held at the gate; each has set its policy and is
 * ready when this returns. On error nothing is left running. */
struct kterr *worker_group_fork(struct worker_group *g, const struct worker_spec *spec,
				worker_wait_fn wait);
/* Open the gate: the workers start working. */
void worker_group_start(struct worker_group *g);
/* A copy of worker i's current report. */
void worker_group_report(const struct worker_group *g, unsigned i, struct worker_report *out);
/* SIGKILL every worker and reap them, waiting at most timeout_ms in all.
 * The reports stay readable until worker_group_free. An error names the
 * workers that did not exit (they are left to the reaper). */
struct kterr *worker_group_kill(struct worker_group *g, worker_wait_fn wait, int timeout_ms);
void worker_group_free(struct worker_group *g);

/* Wake-latency percentile pct (50, 99) of a report, from its histogram. */
uint64_t worker_report_wake_pct(const struct worker_report *r, unsigned pct);

/* The CPUs a report saw. */
void worker_report_cpus(const struct worker_report *r, struct kt_cpuset *out);

/* ---- affinity (worker-affinity.c) ---- */

enum worker_affinity_kind {
	WORKER_AFF_INHERIT,	/* the cgroup's effective cpuset */
	WORKER_AFF_RANDOM_SUBSET, /* a random non-empty subset of it, per worker */
	WORKER_AFF_LLC_ALIGNED,	/* the LLC of its first CPU, within it */
	WORKER_AFF_CROSS_CGROUP, /* every online CPU: the cpuset alone bounds it */
	WORKER_AFF_SINGLE_CPU,	/* worker i on the cgroup's i-th CPU (wrapping) */
	WORKER_AFF_EXACT,	/* exact:LIST */
};

struct worker_affinity {
	enum worker_affinity_kind kind;
	struct kt_cpuset exact;
};

struct kterr *worker_affinity_parse(const char *s, struct worker_affinity *out);

/* What the kernel needs to resolve a kind: the cgroup's effective CPUs,
 * the online CPUs, and each CPU's LLC (from sysfs under sysfs_root, e.g.
 * "/sys"; a CPU without cache info is its own LLC). */
struct worker_topo {
	struct kt_cpuset effective, online;
	const char *sysfs_root;
	uint64_t seed;		/* random-subset */
};

/* The mask for worker i of a group; never empty on success. */
struct kterr *worker_affinity_mask(const struct worker_affinity *a, const struct worker_topo *t,
				   unsigned i, struct kt_cpuset *out);
/* sched_setaffinity(pid, mask), the error naming both. */
struct kterr *worker_set_affinity(pid_t pid, const struct kt_cpuset *mask);

/* ---- the work itself (worker-work.c) ---- */

struct worker_ctx;
/* Run the work loop forever (the worker's body after the gate). */
void worker_run(struct worker_ctx *c) __attribute__((noreturn));

#endif
