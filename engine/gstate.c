/* gstate.c - the guest state value; see gstate.h. */
#include "engine/gstate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *const kt_gstate_knobs[KT_GSTATE_NKNOBS] = {
	"cpu.weight", "cpu.max", "memory.max", "io.weight", "pids.max",
};

const char *const kt_gstate_cpustat_keys[KT_GSTATE_NCPUSTAT] = {
	"usage_usec", "user_usec", "system_usec", "nr_periods", "nr_throttled", "throttled_usec",
};

void kt_gstate_init(struct kt_gstate *s)
{
	memset(s, 0, sizeof(*s));
	s->sched.switch_all = s->sched.nr_rejected = -1;
	s->sched.hotplug_seq = s->sched.enable_seq = -1;
}

void kt_gstate_clear(struct kt_gstate *s)
{
	free(s->cgroups);
	free(s->cpu);
	free(s->cpu_irqs);
	free(s->irqs);
	free(s->irq_counts);
	free(s->workers);
	kt_gstate_init(s);
}

/* n elements of size from src, or NULL for none; *ok false on OOM. */
static void *dup_array(const void *src, size_t n, size_t size, bool *ok)
{
	void *p;

	if (!src || !n)
		return NULL;
	p = malloc(n * size);
	if (!p) {
		*ok = false;
		return NULL;
	}
	return memcpy(p, src, n * size);
}

struct kterr *kt_gstate_copy(struct kt_gstate *dst, const struct kt_gstate *src)
{
	bool ok = true;

	*dst = *src;
	dst->cgroups = dup_array(src->cgroups, src->ncgroups, sizeof(*src->cgroups), &ok);
	dst->cpu = dup_array(src->cpu, src->ncpus, sizeof(*src->cpu), &ok);
	dst->cpu_irqs = dup_array(src->cpu_irqs, src->ncpus, sizeof(*src->cpu_irqs), &ok);
	dst->irqs = dup_array(src->irqs, src->nirqs, sizeof(*src->irqs), &ok);
	dst->irq_counts = dup_array(src->irq_counts, src->nirqs * src->ncpus,
				    sizeof(*src->irq_counts), &ok);
	dst->workers = dup_array(src->workers, src->nworkers, sizeof(*src->workers), &ok);
	if (ok)
		return NULL;
	kt_gstate_clear(dst);
	return kterr_new(ENOMEM, "copy the guest state (%zu cgroups, %zu IRQ rows)",
			 src->ncgroups, src->nirqs);
}

const struct kt_gstate_cgroup *kt_gstate_cgroup(const struct kt_gstate *s, const char *path)
{
	for (size_t i = 0; path && i < s->ncgroups; i++)
		if (!strcmp(s->cgroups[i].path, path))
			return &s->cgroups[i];
	return NULL;
}

const struct kt_gstate_wgroup *kt_gstate_wgroup(const struct kt_gstate *s, const char *cgroup)
{
	for (size_t i = 0; cgroup && i < s->nwgroups; i++)
		if (!strcmp(s->wgroups[i].cgroup, cgroup))
			return &s->wgroups[i];
	return NULL;
}
