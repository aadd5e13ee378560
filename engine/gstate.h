/*
 * gstate.h - the guest's state as the agent last reported it: the managed
 * cgroup tree, sched_ext's sysfs state and per-CPU IRQ counts.
 *
 * A plain value: the VMM fills one from each STATE frame (vmm/link/gstate-wire.c
 * parses the wire), and the same one is handed on, moved and never copied:
 * the link's poll to the executor, kt_exec_gstate to a front end, which
 * renders it. Arrays are malloc'd and owned by the struct: copy with
 * kt_gstate_copy, free with kt_gstate_clear. Nothing here knows how the
 * state travelled.
 *
 * Unknown is explicit: -1 for a number the guest could not read, has_* or
 * an empty string for a file it does not have.
 */
#ifndef KTCON_GSTATE_H
#define KTCON_GSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define KT_GSTATE_PATH_MAX 256
#define KT_GSTATE_CPUS_MAX 256
#define KT_GSTATE_KNOB_MAX 64
#define KT_GSTATE_NAME_MAX 16
#define KT_GSTATE_DESC_MAX 64
#define KT_GSTATE_ERR_MAX 256

/* The cgroup knobs reported, in this order (the recipe's key names). */
enum { KT_GSTATE_NKNOBS = 5 };
extern const char *const kt_gstate_knobs[KT_GSTATE_NKNOBS];

struct kt_gstate_cgroup {
	char path[KT_GSTATE_PATH_MAX];		/* below the managed parent: "a/b" */
	bool has_cpus;
	char cpus_effective[KT_GSTATE_CPUS_MAX];
	int populated, frozen;			/* 0 | 1, -1 unknown */
	long nprocs;				/* -1 unknown */
	bool has_knob[KT_GSTATE_NKNOBS];
	char knobs[KT_GSTATE_NKNOBS][KT_GSTATE_KNOB_MAX];	/* as the guest read them */
	long workers;				/* ktcon workers in it; -1 unknown */
};

struct kt_gstate_sched {
	char state[32];		/* "enabled", "disabled", ..., "absent" */
	char ops[64];		/* the attached scheduler's ops name, or "" */
	/* -1 where this kernel has no such file */
	int64_t switch_all, nr_rejected, hotplug_seq, enable_seq;
};

struct kt_gstate_irq {
	char name[KT_GSTATE_NAME_MAX];		/* "0", "24", "LOC", "ERR" */
	char desc[KT_GSTATE_DESC_MAX];		/* "IO-APIC 2-edge timer" */
	bool per_cpu;				/* false: one global count (ERR, MIS) */
	uint64_t total;
};

/* One ktcon worker, from its shared report as the agent last read it. */
#define KT_GSTATE_WORKER_CPU_WORDS 4	/* CPUs 0..255 */
struct kt_gstate_worker {
	int pid;
	int cpu_now;			/* the CPU of its last iteration; -1 unknown */
	uint64_t iterations;
	uint64_t cpu_ns;		/* CPU time (rusage) */
	uint64_t migrations;
	uint64_t max_wake_ns;		/* worst wakeup lateness */
	uint64_t wake_p99_ns;
	uint64_t wake_samples;		/* wakeups measured; 0: no wake latency */
	uint64_t nvcsw, nivcsw;
	uint64_t run_delay_ns;		/* UINT64_MAX unknown */
	uint64_t cpus[KT_GSTATE_WORKER_CPU_WORDS];	/* the CPUs it ran on */
};

/* A cgroup's cpu.stat, as read with the workers; -1 where the file has no
 * such line (nr_* and throttled_usec need the cpu controller on). */
enum { KT_GSTATE_CPUSTAT_USAGE, KT_GSTATE_CPUSTAT_USER, KT_GSTATE_CPUSTAT_SYSTEM,
       KT_GSTATE_CPUSTAT_NR_PERIODS, KT_GSTATE_CPUSTAT_NR_THROTTLED,
       KT_GSTATE_CPUSTAT_THROTTLED, KT_GSTATE_NCPUSTAT };
/* Their cpu.stat names: "usage_usec", ... */
extern const char *const kt_gstate_cpustat_keys[KT_GSTATE_NCPUSTAT];

/* One worker group's progress: every ktcon worker the agent keeps in a
 * cgroup ("@runner": the runner's own), its iterations summed, its
 * workers (kt_gstate.workers[first .. first + nworkers)) and cpu.stat. */
#define KT_GSTATE_WGROUPS 16
struct kt_gstate_wgroup {
	char cgroup[64];
	uint64_t iterations;
	size_t first, nworkers;
	size_t unlisted;		/* workers the frame had no room for */
	int64_t cpustat[KT_GSTATE_NCPUSTAT];
};

struct kt_gstate {
	bool valid;			/* a STATE has arrived */
	uint64_t gen;			/* the agent's STATE generation */
	uint64_t uptime_ms;		/* guest uptime when it was read */
	uint64_t received_ns;		/* host monotonic clock when it arrived */
	uint64_t skipped_rounds;	/* frames the agent could not send */

	struct kt_gstate_cgroup *cgroups;
	size_t ncgroups;
	bool cgroups_truncated;
	char cgroups_error[KT_GSTATE_ERR_MAX];	/* why the tree was not read, or "" */

	struct kt_gstate_sched sched;

	unsigned ncpus;			/* IRQ columns */
	unsigned *cpu;			/* [ncpus] the CPU of each column */
	uint64_t *cpu_irqs;		/* [ncpus] sum of the per-CPU rows */
	struct kt_gstate_irq *irqs;
	size_t nirqs;
	uint64_t *irq_counts;		/* [nirqs * ncpus]; zero for global rows */
	bool irqs_truncated;
	uint64_t irqs_skipped;		/* lines the agent could not parse */
	char irqs_error[KT_GSTATE_ERR_MAX];

	struct kt_gstate_wgroup wgroups[KT_GSTATE_WGROUPS];	/* plain: copied with the struct */
	size_t nwgroups;
	struct kt_gstate_worker *workers;	/* every group's, in group order */
	size_t nworkers;
};

void kt_gstate_init(struct kt_gstate *s);
void kt_gstate_clear(struct kt_gstate *s);

/* Deep copy; on failure dst is left empty (kt_gstate_init). */
struct kterr *kt_gstate_copy(struct kt_gstate *dst, const struct kt_gstate *src);

/* The cgroup at path, or NULL. */
const struct kt_gstate_cgroup *kt_gstate_cgroup(const struct kt_gstate *s, const char *path);

/* The worker group of a cgroup ("a/b", "@runner"), or NULL. */
const struct kt_gstate_wgroup *kt_gstate_wgroup(const struct kt_gstate *s, const char *cgroup);

/* Row r's ncpus counts. */
static inline const uint64_t *kt_gstate_irq_counts(const struct kt_gstate *s, size_t r)
{
	return s->irq_counts + r * s->ncpus;
}

#endif
