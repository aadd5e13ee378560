/* topology.c - guest CPU topology and memory; see topology.h. */
#include "vmm/machine/topology.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void topology_default(struct topology *t)
{
	*t = (struct topology){ .numa = 1, .llcs = 1, .cores = 2, .threads = 1,
				.memory_mib = 512 };
}

unsigned topology_cpus(const struct topology *t)
{
	return t->numa * t->llcs * t->cores * t->threads;
}

static struct kterr *parse_uint(const char *what, const char *s, unsigned lo,
				unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi || s[0] == '-')
		return kterr_new(EINVAL, "%s '%s' is not a number from %u to %u", what, s, lo, hi);
	*out = (unsigned)v;
	return NULL;
}

struct kterr *topology_set_cpus(struct topology *t, const char *n)
{
	unsigned cpus;
	struct kterr *e = parse_uint("cpus", n, 1, TOPO_MAX_CPUS, &cpus);

	if (e)
		return e;
	t->numa = t->llcs = t->threads = 1;
	t->cores = cpus;
	return NULL;
}

struct kterr *topology_parse(struct topology *t, const char *spec)
{
	static const char *const names[] = { "NUMA nodes", "LLCs per node",
					     "cores per LLC", "threads per core" };
	unsigned v[4];
	char *copy = strdup(spec), *save = NULL, *tok;
	int i = 0;
	struct kterr *e = NULL;

	if (!copy)
		return kterr_new(ENOMEM, "topology");
	for (tok = strtok_r(copy, ",", &save); tok && i < 4 && !e;
	     tok = strtok_r(NULL, ",", &save), i++)
		e = parse_uint(names[i], tok, 1, TOPO_MAX_CPUS, &v[i]);
	if (!e && (i != 4 || tok))
		e = kterr_new(EINVAL, "topology '%s' needs four numbers", spec);
	free(copy);
	if (e)
		return kterr_hint(e, "write topology=NUMA,LLCS,CORES,THREADS, e.g. topology=1,2,2,1");
	struct topology n = *t;
	n.numa = v[0];
	n.llcs = v[1];
	n.cores = v[2];
	n.threads = v[3];
	if (topology_cpus(&n) > TOPO_MAX_CPUS)
		return kterr_new(EINVAL, "topology '%s' is %u CPUs; the guest kernel supports %d",
				 spec, topology_cpus(&n), TOPO_MAX_CPUS);
	*t = n;
	return NULL;
}

struct kterr *topology_set_memory(struct topology *t, const char *mib)
{
	return parse_uint("memory (MiB)", mib, TOPO_MIN_MEMORY_MIB, TOPO_MAX_MEMORY_MIB,
			  &t->memory_mib);
}

struct kterr *topology_check(const struct topology *t)
{
	if (topology_cpus(t) < 1 || topology_cpus(t) > TOPO_MAX_CPUS)
		return kterr_new(EINVAL, "%u CPUs: the guest kernel supports 1 to %d",
				 topology_cpus(t), TOPO_MAX_CPUS);
	/* microvm has no ACPI SRAT to tell the guest about nodes. */
	if (t->numa > 1)
		return kterr_hint(kterr_new(ENOTSUP, "%u NUMA nodes: the microvm machine cannot "
					    "describe NUMA to the guest (no ACPI SRAT)", t->numa),
				  "use one node; LLCs, cores and threads are supported");
	if (t->memory_mib < TOPO_MIN_MEMORY_MIB || t->memory_mib > TOPO_MAX_MEMORY_MIB)
		return kterr_new(EINVAL, "memory %u MiB is outside %d..%d", t->memory_mib,
				 TOPO_MIN_MEMORY_MIB, TOPO_MAX_MEMORY_MIB);
	return NULL;
}
