/*
 * topology.h - the guest's CPU topology and memory, from a recipe's `vm`
 * line or `ktcon boot` options: `cpus=N` or
 * `topology=NUMA,LLCS,CORES,THREADS` (nodes, LLCs per node, cores per
 * LLC, threads per core), and `memory=MiB`.
 */
#ifndef KTCON_VMM_TOPOLOGY_H
#define KTCON_VMM_TOPOLOGY_H

#include "lib/err.h"
#include "lib/limits.h"

/* The recipe checker's limits (lib/limits.h says why). */
#define TOPO_MAX_CPUS KT_GUEST_MAX_CPUS
#define TOPO_MIN_MEMORY_MIB KT_GUEST_MIN_MEMORY_MIB
#define TOPO_MAX_MEMORY_MIB KT_GUEST_MAX_MEMORY_MIB

struct topology {
	unsigned numa, llcs, cores, threads;	/* all >= 1 */
	unsigned memory_mib;
};

/* 2 CPUs (one node, one LLC, 2 cores, 1 thread) and 512 MiB. */
void topology_default(struct topology *t);

unsigned topology_cpus(const struct topology *t);

/* cpus=N: one node, one LLC, N cores. */
struct kterr *topology_set_cpus(struct topology *t, const char *n);
/* "NUMA,LLCS,CORES,THREADS". */
struct kterr *topology_parse(struct topology *t, const char *spec);
struct kterr *topology_set_memory(struct topology *t, const char *mib);

/* Whether this machine can give the guest that topology; an error says
 * what is out of range. */
struct kterr *topology_check(const struct topology *t);

#endif
