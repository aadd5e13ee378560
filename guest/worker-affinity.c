/* worker-affinity.c - affinity kinds resolved against the guest's real
 * cpusets and caches at apply time (see worker.h). */
#include "guest/worker.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

static const struct { const char *name; enum worker_affinity_kind kind; } kinds[] = {
	{ "inherit", WORKER_AFF_INHERIT },
	{ "random-subset", WORKER_AFF_RANDOM_SUBSET },
	{ "llc-aligned", WORKER_AFF_LLC_ALIGNED },
	{ "cross-cgroup", WORKER_AFF_CROSS_CGROUP },
	{ "single-cpu", WORKER_AFF_SINGLE_CPU },
};

struct kterr *worker_affinity_parse(const char *s, struct worker_affinity *out)
{
	memset(out, 0, sizeof(*out));
	if (!s || !*s)
		return NULL;
	if (!strncmp(s, "exact:", 6)) {
		out->kind = WORKER_AFF_EXACT;
		return kt_cpulist_parse(s + 6, &out->exact);
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!strcmp(s, kinds[i].name)) {
			out->kind = kinds[i].kind;
			return NULL;
		}
	}
	return kterr_hint(kterr_new(EINVAL, "unknown affinity '%s'", s),
			  "write inherit, random-subset, llc-aligned, cross-cgroup, single-cpu "
			  "or exact:LIST");
}

/* The n-th CPU of s (n < count). */
static unsigned nth_cpu(const struct kt_cpuset *s, unsigned n)
{
	for (unsigned c = 0; c < KT_MAX_CPUS; c++)
		if (kt_cpuset_has(s, c) && n-- == 0)
			return c;
	return 0;
}

/* The CPUs sharing cpu's last-level cache, from sysfs: the highest cache
 * index that lists shared CPUs. Without cache info, cpu alone. */
static void llc_of(const char *sysfs, unsigned cpu, struct kt_cpuset *out)
{
	kt_cpuset_zero(out);
	kt_cpuset_set(out, cpu);
	for (int idx = 9; idx >= 0; idx--) {
		char path[256], list[1024];
		FILE *f;

		snprintf(path, sizeof(path), "%s/devices/system/cpu/cpu%u/cache/index%d/"
			 "shared_cpu_list", sysfs, cpu, idx);
		if (!(f = fopen(path, "r")))
			continue;
		if (fgets(list, sizeof(list), f)) {
			struct kterr *e;

			list[strcspn(list, "\n")] = '\0';
			e = kt_cpulist_parse(list, out);
			if (e) {
				kterr_free(e);
				kt_cpuset_zero(out);
				kt_cpuset_set(out, cpu);
			}
		}
		fclose(f);
		return;
	}
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

struct kterr *worker_affinity_mask(const struct worker_affinity *a, const struct worker_topo *t,
				   unsigned i, struct kt_cpuset *out)
{
	unsigned n = kt_cpuset_count(&t->effective);
	char buf[256];

	kt_cpuset_zero(out);
	if (!n && a->kind != WORKER_AFF_CROSS_CGROUP && a->kind != WORKER_AFF_EXACT)
		return kterr_new(EINVAL, "the cgroup has no effective CPUs");
	switch (a->kind) {
	case WORKER_AFF_INHERIT:
		*out = t->effective;
		break;
	case WORKER_AFF_CROSS_CGROUP:
		*out = t->online;
		break;
	case WORKER_AFF_SINGLE_CPU:
		kt_cpuset_set(out, nth_cpu(&t->effective, i % n));
		break;
	case WORKER_AFF_LLC_ALIGNED: {
		struct kt_cpuset llc;

		llc_of(t->sysfs_root, nth_cpu(&t->effective, 0), &llc);
		for (unsigned c = 0; c < KT_MAX_CPUS; c++)
			if (kt_cpuset_has(&llc, c) && kt_cpuset_has(&t->effective, c))
				kt_cpuset_set(out, c);
		break;
	}
	case WORKER_AFF_RANDOM_SUBSET: {
		uint64_t s = t->seed ^ ((uint64_t)i << 32);

		for (unsigned k = 0; k < n; k++)
			if (splitmix(&s) & 1)
				kt_cpuset_set(out, nth_cpu(&t->effective, k));
		if (!kt_cpuset_count(out))
			kt_cpuset_set(out, nth_cpu(&t->effective, (unsigned)(splitmix(&s) % n)));
		break;
	}
	case WORKER_AFF_EXACT:
		for (unsigned c = 0; c < KT_MAX_CPUS; c++)
			if (kt_cpuset_has(&a->exact, c) && kt_cpuset_has(&t->online, c))
				kt_cpuset_set(out, c);
		if (!kt_cpuset_count(out))
			return kterr_hint(kterr_new(EINVAL, "exact:%s names no online CPU",
						    kt_cpulist_format(&a->exact, buf, sizeof(buf))),
					  "online CPUs: %s",
					  kt_cpulist_format(&t->online, buf, sizeof(buf)));
		break;
	}
	return NULL;
}

struct kterr *worker_set_affinity(pid_t pid, const struct kt_cpuset *mask)
{
	cpu_set_t *set = CPU_ALLOC(KT_MAX_CPUS);
	size_t size = CPU_ALLOC_SIZE(KT_MAX_CPUS);
	char buf[256];
	int rc, err;

	if (!set)
		return kterr_new(ENOMEM, "cpu set");
	CPU_ZERO_S(size, set);
	for (unsigned c = 0; c < KT_MAX_CPUS; c++)
		if (kt_cpuset_has(mask, c))
			CPU_SET_S(c, size, set);
	rc = sched_setaffinity(pid, size, set);
	err = errno;
	CPU_FREE(set);
	if (rc < 0) {
		struct kterr *e = kterr_new(err, "sched_setaffinity(%d, %s)", (int)pid,
					    kt_cpulist_format(mask, buf, sizeof(buf)));

		return err == EINVAL ? kterr_hint(e, "the mask must share a CPU with the "
						  "task's cpuset") : e;
	}
	return NULL;
}
