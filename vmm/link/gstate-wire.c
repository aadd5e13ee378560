/* gstate-wire.c - STATE frame into struct kt_gstate; see gstate-wire.h. */
#include "vmm/link/gstate-wire.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A decimal number, all of it. */
static bool parse_num(const char *s, bool sign, int64_t *out)
{
	char *end;
	const char *p = s;

	if (!s)
		return false;
	if (sign && *p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return false;
	errno = 0;
	if (sign) {
		long long v = strtoll(s, &end, 10);

		*out = v;
	} else {
		unsigned long long v = strtoull(s, &end, 10);

		if (v > INT64_MAX)
			return false;
		*out = (int64_t)v;
	}
	return !errno && !*end;
}

static struct kterr *bad_num(const char *key, const char *val)
{
	return kterr_new(EINVAL, "STATE field %s: '%.40s' is not a number", key, val ? val : "");
}

/* An optional count; absent is 0. */
static struct kterr *get_count(const struct wire_msg *m, const char *key, size_t *n)
{
	const char *v = wire_get(m, key);
	int64_t x;

	*n = 0;
	if (!v)
		return NULL;
	if (!parse_num(v, false, &x))
		return bad_num(key, v);
	*n = (size_t)x;
	if ((uint64_t)x > m->n)
		return kterr_new(EINVAL, "STATE field %s: %lld rows, but the frame has only %zu "
				 "fields", key, (long long)x, m->n);
	return NULL;
}

/* "1 2 3" into v[0..max); *n how many; false on anything but numbers. */
static bool parse_list(const char *s, uint64_t *v, size_t max, size_t *n)
{
	*n = 0;
	while (s && *s) {
		int64_t x;
		char num[24];
		size_t len = strcspn(s, " ");

		if (len == 0 || len >= sizeof(num) || *n == max)
			return false;
		memcpy(num, s, len);
		num[len] = '\0';
		if (!parse_num(num, false, &x))
			return false;
		v[(*n)++] = (uint64_t)x;
		s += len;
		if (*s == ' ')
			s++;
	}
	return true;
}

static void copy(char *dst, size_t size, const char *v)
{
	snprintf(dst, size, "%s", v ? v : "");
}

/* "cg.12.path" -> 12, "path". False when key is not PREFIX.<digits>.<sub>. */
static bool indexed(const char *key, const char *prefix, uint64_t *idx, const char **sub)
{
	size_t pl = strlen(prefix);
	char *end;

	if (strncmp(key, prefix, pl) || !isdigit((unsigned char)key[pl]))
		return false;
	errno = 0;
	*idx = strtoull(key + pl, &end, 10);
	if (errno)
		*idx = UINT64_MAX;
	*sub = *end == '.' ? end + 1 : end;
	return true;
}

static struct kterr *cgroup_field(struct kt_gstate *s, const char *key, uint64_t i,
				  const char *sub, const char *v)
{
	struct kt_gstate_cgroup *c;
	int64_t x;

	if (i >= s->ncgroups)
		return kterr_new(EINVAL, "STATE field %s: index beyond cg.n (%zu)", key, s->ncgroups);
	c = &s->cgroups[i];
	if (!strcmp(sub, "path")) {
		copy(c->path, sizeof(c->path), v);
	} else if (!strcmp(sub, "cpus")) {
		copy(c->cpus_effective, sizeof(c->cpus_effective), v);
		c->has_cpus = true;
	} else if (!strcmp(sub, "populated") || !strcmp(sub, "frozen") || !strcmp(sub, "nprocs") ||
		   !strcmp(sub, "workers")) {
		bool count = !strcmp(sub, "nprocs") || !strcmp(sub, "workers");

		if (!parse_num(v, true, &x) || x < -1 || (x > 1 && !count))
			return kterr_new(EINVAL, "STATE field %s: '%.40s' is not %s", key, v,
					 count ? "a count" : "-1, 0 or 1");
		if (!strcmp(sub, "populated"))
			c->populated = (int)x;
		else if (!strcmp(sub, "frozen"))
			c->frozen = (int)x;
		else if (!strcmp(sub, "workers"))
			c->workers = (long)x;
		else
			c->nprocs = (long)x;
	} else {
		for (int k = 0; k < KT_GSTATE_NKNOBS; k++)
			if (!strcmp(sub, kt_gstate_knobs[k])) {
				copy(c->knobs[k], sizeof(c->knobs[k]), v);
				c->has_knob[k] = true;
			}
		/* anything else: a field this host does not know yet */
	}
	return NULL;
}

static struct kterr *irq_field(struct kt_gstate *s, const char *key, uint64_t i,
			       const char *sub, const char *v, bool *has_values)
{
	struct kt_gstate_irq *q;
	size_t n;

	if (i >= s->nirqs)
		return kterr_new(EINVAL, "STATE field %s: index beyond irq.n (%zu)", key, s->nirqs);
	q = &s->irqs[i];
	if (!strcmp(sub, "name")) {
		copy(q->name, sizeof(q->name), v);
	} else if (!strcmp(sub, "desc")) {
		copy(q->desc, sizeof(q->desc), v);
	} else if (!strcmp(sub, "counts")) {
		uint64_t *c = s->irq_counts + i * s->ncpus;

		if (!parse_list(v, c, s->ncpus, &n) || n != s->ncpus)
			return kterr_new(EINVAL, "STATE field %s: '%.60s' is not %u counts (one per "
					 "CPU of irq.cpus)", key, v, s->ncpus);
		q->per_cpu = true;
		q->total = 0;
		for (size_t k = 0; k < n; k++)
			q->total += c[k];
		has_values[i] = true;
	} else if (!strcmp(sub, "total")) {
		int64_t x;

		if (!parse_num(v, false, &x))
			return bad_num(key, v);
		q->per_cpu = false;
		q->total = (uint64_t)x;
		has_values[i] = true;
	}
	return NULL;
}

static struct kterr *top_fields(const struct wire_msg *m, struct kt_gstate *s)
{
	static const struct { const char *key; size_t off; } nums[] = {
		{ "sched.switch_all", offsetof(struct kt_gstate, sched.switch_all) },
		{ "sched.nr_rejected", offsetof(struct kt_gstate, sched.nr_rejected) },
		{ "sched.hotplug_seq", offsetof(struct kt_gstate, sched.hotplug_seq) },
		{ "sched.enable_seq", offsetof(struct kt_gstate, sched.enable_seq) },
	};
	const char *v;
	int64_t x;

	s->gen = m->seq;
	if ((v = wire_get(m, "uptime_ms"))) {
		if (!parse_num(v, false, &x))
			return bad_num("uptime_ms", v);
		s->uptime_ms = (uint64_t)x;
	}
	if ((v = wire_get(m, "skipped_rounds"))) {
		if (!parse_num(v, false, &x))
			return bad_num("skipped_rounds", v);
		s->skipped_rounds = (uint64_t)x;
	}
	if ((v = wire_get(m, "irq.skipped"))) {
		if (!parse_num(v, false, &x))
			return bad_num("irq.skipped", v);
		s->irqs_skipped = (uint64_t)x;
	}
	copy(s->sched.state, sizeof(s->sched.state), wire_get(m, "sched.state"));
	copy(s->sched.ops, sizeof(s->sched.ops), wire_get(m, "sched.ops"));
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (!(v = wire_get(m, nums[i].key)))
			continue;
		if (!parse_num(v, true, &x))
			return bad_num(nums[i].key, v);
		*(int64_t *)((char *)s + nums[i].off) = x;
	}
	s->cgroups_truncated = (v = wire_get(m, "cg.truncated")) && !strcmp(v, "1");
	s->irqs_truncated = (v = wire_get(m, "irq.truncated")) && !strcmp(v, "1");
	copy(s->cgroups_error, sizeof(s->cgroups_error), wire_get(m, "cg.error"));
	copy(s->irqs_error, sizeof(s->irqs_error), wire_get(m, "irq.error"));
	return NULL;
}

/* irq.cpus and irq.cpu_totals: the columns. */
static struct kterr *irq_columns(const struct wire_msg *m, struct kt_gstate *s)
{
	const char *cpus = wire_get(m, "irq.cpus"), *tot = wire_get(m, "irq.cpu_totals");
	uint64_t *v = calloc(GSTATE_MAX_CPUS, sizeof(*v));
	size_t n = 0, nt = 0;
	struct kterr *e = NULL;

	if (!v)
		return kterr_new(ENOMEM, "STATE columns");
	if (cpus && !parse_list(cpus, v, GSTATE_MAX_CPUS, &n))
		e = kterr_new(EINVAL, "STATE field irq.cpus: '%.60s' is not a list of up to %d "
			      "CPU numbers", cpus, GSTATE_MAX_CPUS);
	for (size_t i = 0; !e && i < n; i++)
		if (v[i] >= GSTATE_MAX_CPUS)
			e = kterr_new(EINVAL, "STATE field irq.cpus: CPU %llu is beyond %d",
				      (unsigned long long)v[i], GSTATE_MAX_CPUS - 1);
	if (!e && n) {
		s->ncpus = (unsigned)n;
		s->cpu = calloc(n, sizeof(*s->cpu));
		s->cpu_irqs = calloc(n, sizeof(*s->cpu_irqs));
		if (!s->cpu || !s->cpu_irqs)
			e = kterr_new(ENOMEM, "STATE columns");
		for (size_t i = 0; !e && i < n; i++)
			s->cpu[i] = (unsigned)v[i];
	}
	if (!e && tot && (!parse_list(tot, v, GSTATE_MAX_CPUS, &nt) || nt != n))
		e = kterr_new(EINVAL, "STATE field irq.cpu_totals: '%.60s' is not %zu counts "
			      "(one per CPU of irq.cpus)", tot, n);
	if (!e && tot)
		memcpy(s->cpu_irqs, v, n * sizeof(*v));
	free(v);
	return e;
}

/* wk.I.workers: a group's worker records (guest/wire.h), appended to
 * s->workers. */
static struct kterr *group_workers(const struct wire_msg *m, struct kt_gstate *s, size_t i,
				   struct kt_gstate_wgroup *g)
{
	const struct wire_field *f;
	struct kt_gstate_worker *w;
	char k[32], why[128];
	size_t n;

	snprintf(k, sizeof(k), "wk.%zu.workers", i);
	g->first = s->nworkers;
	if (!(f = wire_field(m, k)))
		return NULL;	/* an agent from before the records */
	if (!wire_workers_check(f, &n, why, sizeof(why)))
		return kterr_new(EPROTO, "STATE field %s: %s", k, why);
	if (!n)
		return NULL;
	w = realloc(s->workers, (s->nworkers + n) * sizeof(*w));
	if (!w)
		return kterr_new(ENOMEM, "STATE: %zu workers", s->nworkers + n);
	s->workers = w;
	for (size_t r = 0; r < n; r++) {
		struct wire_worker_rec rec;

		wire_worker_at(f, r, &rec);
		if (rec.pid <= 0)
			return kterr_new(EPROTO, "STATE field %s: worker %zu has pid %d", k, r,
					 (int)rec.pid);
		w[s->nworkers] = (struct kt_gstate_worker){
			.pid = rec.pid, .cpu_now = rec.cpu_now, .iterations = rec.iterations,
			.cpu_ns = rec.cpu_ns, .migrations = rec.migrations,
			.max_wake_ns = rec.max_wake_ns, .wake_p99_ns = rec.wake_p99_ns,
			.wake_samples = rec.wake_samples,
			.nvcsw = rec.nvcsw, .nivcsw = rec.nivcsw, .run_delay_ns = rec.run_delay_ns,
		};
		for (unsigned c = 0; c < KT_GSTATE_WORKER_CPU_WORDS && c < WIRE_WORKER_CPU_WORDS; c++)
			w[s->nworkers].cpus[c] = rec.cpus[c];
		s->nworkers++;
		g->nworkers++;
	}
	return NULL;
}

/* wk.I.unlisted and wk.I.cpu.KEY: numbers, each optional. */
static struct kterr *group_numbers(const struct wire_msg *m, size_t i,
				   struct kt_gstate_wgroup *g)
{
	char k[48];
	const char *v;
	int64_t x;

	snprintf(k, sizeof(k), "wk.%zu.unlisted", i);
	if ((v = wire_get(m, k))) {
		if (!parse_num(v, false, &x))
			return bad_num(k, v);
		g->unlisted = (size_t)x;
	}
	for (int c = 0; c < KT_GSTATE_NCPUSTAT; c++) {
		g->cpustat[c] = -1;
		snprintf(k, sizeof(k), "wk.%zu.cpu.%s", i, kt_gstate_cpustat_keys[c]);
		if (!(v = wire_get(m, k)))
			continue;
		if (!parse_num(v, false, &x))
			return bad_num(k, v);
		g->cpustat[c] = x;
	}
	return NULL;
}

/* wk.*: worker groups' progress, up to KT_GSTATE_WGROUPS of them. */
static struct kterr *progress(const struct wire_msg *m, struct kt_gstate *s)
{
	size_t n;
	struct kterr *e = get_count(m, "wk.n", &n);
	char k[32];

	s->nwgroups = 0;
	if (e)
		return e;
	if (n > KT_GSTATE_WGROUPS)
		n = KT_GSTATE_WGROUPS;
	for (size_t i = 0; i < n; i++) {
		struct kt_gstate_wgroup *g = &s->wgroups[i];
		const char *cg, *it;
		int64_t v;

		snprintf(k, sizeof(k), "wk.%zu.cgroup", i);
		cg = wire_get(m, k);
		snprintf(k, sizeof(k), "wk.%zu.iter", i);
		it = wire_get(m, k);
		if (!cg || !it)
			return kterr_new(EINVAL, "STATE field %s missing (wk.n is %zu)", k, n);
		if (!parse_num(it, false, &v))
			return bad_num(k, it);
		memset(g, 0, sizeof(*g));
		copy(g->cgroup, sizeof(g->cgroup), cg);
		g->iterations = (uint64_t)v;
		s->nwgroups = i + 1;
		if ((e = group_workers(m, s, i, g)) || (e = group_numbers(m, i, g)))
			return e;
	}
	return NULL;
}

static struct kterr *parse(const struct wire_msg *m, struct kt_gstate *s, bool **has_values)
{
	size_t ncg, nirq;
	struct kterr *e;

	if (m->type != WIRE_STATE)
		return kterr_new(EINVAL, "a %s frame is not a STATE", wire_type_name(m->type));
	e = top_fields(m, s);
	if (!e)
		e = get_count(m, "cg.n", &ncg);
	if (!e)
		e = get_count(m, "irq.n", &nirq);
	if (!e)
		e = irq_columns(m, s);
	if (!e)
		e = progress(m, s);
	if (e)
		return e;
	if (nirq && !s->ncpus)
		return kterr_new(EINVAL, "STATE has %zu IRQ rows but no irq.cpus", nirq);
	if (nirq * s->ncpus > WIRE_MAX_BODY / 2)
		return kterr_new(EINVAL, "STATE: %zu IRQ rows of %u CPUs cannot fit in a frame",
				 nirq, s->ncpus);
	s->cgroups = ncg ? calloc(ncg, sizeof(*s->cgroups)) : NULL;
	s->irqs = nirq ? calloc(nirq, sizeof(*s->irqs)) : NULL;
	s->irq_counts = nirq ? calloc(nirq * s->ncpus, sizeof(*s->irq_counts)) : NULL;
	*has_values = calloc(nirq + 1, sizeof(**has_values));
	if ((ncg && !s->cgroups) || (nirq && (!s->irqs || !s->irq_counts)) || !*has_values)
		return kterr_new(ENOMEM, "STATE of %zu cgroups and %zu IRQ rows", ncg, nirq);
	s->ncgroups = ncg;
	s->nirqs = nirq;
	for (size_t i = 0; i < ncg; i++)
		s->cgroups[i].populated = s->cgroups[i].frozen = -1, s->cgroups[i].nprocs = -1,
			s->cgroups[i].workers = -1;
	for (size_t f = 0; f < m->n; f++) {
		const char *key = m->fields[f].key, *v = m->fields[f].val, *sub;
		uint64_t i;

		if (indexed(key, "cg.", &i, &sub))
			e = cgroup_field(s, key, i, sub, v);
		else if (indexed(key, "irq.", &i, &sub))
			e = irq_field(s, key, i, sub, v, *has_values);
		if (e)
			return e;
	}
	for (size_t i = 0; i < ncg; i++)
		if (!s->cgroups[i].path[0])
			return kterr_new(EINVAL, "STATE: cgroup %zu of %zu has no cg.%zu.path", i, ncg, i);
	for (size_t i = 0; i < nirq; i++) {
		if (!s->irqs[i].name[0])
			return kterr_new(EINVAL, "STATE: IRQ row %zu of %zu has no irq.%zu.name", i,
					 nirq, i);
		if (!(*has_values)[i])
			return kterr_new(EINVAL, "STATE: IRQ row %s has neither irq.%zu.counts nor "
					 "irq.%zu.total", s->irqs[i].name, i, i);
	}
	s->valid = true;
	return NULL;
}

struct kterr *gstate_from_wire(const struct wire_msg *m, struct kt_gstate *out)
{
	bool *has_values = NULL;
	struct kterr *e;

	kt_gstate_clear(out);
	e = parse(m, out, &has_values);
	free(has_values);
	if (e) {
		kt_gstate_clear(out);
		return kterr_wrap(e, "guest state (STATE seq %u)", m->seq);
	}
	return NULL;
}
