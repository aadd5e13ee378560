/*
 * cpuset.h - CPU sets, guest topology, and the cpuset SPEC language of
 * set-cpuset and `cpuset=`: `0-3,6` | `llc:N` | `numa:N` | `range:A-B` |
 * `disjoint:I/OF` | `overlap:I/OF/FRAC`.
 *
 * Specs are resolved in the engine against the topology of the recipe's `vm`
 * line, so the guest only ever sees explicit CPU lists. CPUs are numbered
 * the way QEMU's -smp lays them out: NUMA node, then LLC, then core, then
 * thread, so an LLC or a node is a contiguous block.
 */
#ifndef KTCON_CPUSET_H
#define KTCON_CPUSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define KT_MAX_CPUS 1024

struct kt_cpuset {
	uint64_t bits[KT_MAX_CPUS / 64];
};

struct kt_topology {
	unsigned numa;		/* NUMA nodes */
	unsigned llcs;		/* LLCs per node */
	unsigned cores;		/* cores per LLC */
	unsigned threads;	/* threads per core */
};

/* 1 node, 1 LLC, cpus cores, 1 thread: what `vm cpus=N` means. */
struct kt_topology kt_topology_flat(unsigned cpus);
unsigned kt_topology_cpus(const struct kt_topology *t);
/* "NUMA,LLCS,CORES,THREADS", each >= 1, product <= KT_MAX_CPUS. */
struct kterr *kt_topology_parse(const char *s, struct kt_topology *out);

void kt_cpuset_zero(struct kt_cpuset *s);
void kt_cpuset_set(struct kt_cpuset *s, unsigned cpu);
bool kt_cpuset_has(const struct kt_cpuset *s, unsigned cpu);
unsigned kt_cpuset_count(const struct kt_cpuset *s);
bool kt_cpuset_equal(const struct kt_cpuset *a, const struct kt_cpuset *b);
bool kt_cpuset_subset(const struct kt_cpuset *a, const struct kt_cpuset *of);

/* "0-3,6" into a set; every CPU < KT_MAX_CPUS. */
struct kterr *kt_cpulist_parse(const char *s, struct kt_cpuset *out);
/* The set as a list ("0-3,6"; "" when empty). Returns buf. */
const char *kt_cpulist_format(const struct kt_cpuset *s, char *buf, size_t size);

/* Syntax of a SPEC alone (no topology): what `ktcon check` can say. */
struct kterr *kt_cpuset_spec_check(const char *spec);
/* SPEC against a topology; fails when it names CPUs, LLCs or nodes the
 * topology does not have, or resolves to no CPU. */
struct kterr *kt_cpuset_resolve(const char *spec, const struct kt_topology *t,
				struct kt_cpuset *out);

#endif
