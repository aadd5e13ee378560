/* state-print.c - the guest's state as lines; see state-print.h. */
#include "tui/state-print.h"

#include <inttypes.h>
#include <string.h>

#include "lib/util.h"

/* -1 is what the guest could not read. */
static void num(FILE *f, const char *key, long long v)
{
	if (v < 0)
		fprintf(f, " %s=?", key);
	else
		fprintf(f, " %s=%lld", key, v);
}

static void cgroup_line(FILE *f, const struct kt_gstate_cgroup *c)
{
	fprintf(f, "cgroup %s:", c->path);
	fprintf(f, " cpus=%s", c->has_cpus ? c->cpus_effective : "?");
	num(f, "populated", c->populated);
	num(f, "frozen", c->frozen);
	num(f, "procs", c->nprocs);
	for (int k = 0; k < KT_GSTATE_NKNOBS; k++) {
		if (!c->has_knob[k])
			continue;
		if (strchr(c->knobs[k], ' '))
			fprintf(f, " %s=\"%s\"", kt_gstate_knobs[k], c->knobs[k]);
		else
			fprintf(f, " %s=%s", kt_gstate_knobs[k], c->knobs[k]);
	}
	fputc('\n', f);
}

static void sched_line(FILE *f, const struct kt_gstate_sched *s)
{
	fprintf(f, "sched_ext: state=%s", s->state[0] ? s->state : "?");
	if (s->ops[0])
		fprintf(f, " ops=%s", s->ops);
	/* Counters this kernel lacks are left out, not shown as zero. */
	if (s->enable_seq >= 0)
		fprintf(f, " enable_seq=%" PRId64, s->enable_seq);
	if (s->nr_rejected >= 0)
		fprintf(f, " nr_rejected=%" PRId64, s->nr_rejected);
	if (s->switch_all >= 0)
		fprintf(f, " switch_all=%" PRId64, s->switch_all);
	if (s->hotplug_seq >= 0)
		fprintf(f, " hotplug_seq=%" PRId64, s->hotplug_seq);
	fputc('\n', f);
}

static void irq_lines(FILE *f, const struct kt_gstate *s)
{
	size_t quiet = 0;

	if (s->irqs_error[0])
		fprintf(f, "irqs: not read: %s\n", s->irqs_error);
	if (!s->ncpus)
		return;
	fprintf(f, "irqs per cpu:");
	for (unsigned c = 0; c < s->ncpus; c++)
		fprintf(f, " cpu%u=%" PRIu64, s->cpu[c], s->cpu_irqs[c]);
	fputc('\n', f);
	for (size_t r = 0; r < s->nirqs; r++) {
		const struct kt_gstate_irq *q = &s->irqs[r];

		if (!q->total) {
			quiet++;
			continue;
		}
		fprintf(f, "irq %s:", q->name);
		if (q->per_cpu)
			for (unsigned c = 0; c < s->ncpus; c++)
				fprintf(f, " %" PRIu64, kt_gstate_irq_counts(s, r)[c]);
		else
			fprintf(f, " %" PRIu64 " (all CPUs)", q->total);
		if (q->desc[0])
			fprintf(f, " (%s)", q->desc);
		fputc('\n', f);
	}
	if (quiet || s->irqs_truncated || s->irqs_skipped)
		fprintf(f, "irqs: %zu rows, %zu at zero not shown%s%s\n", s->nirqs, quiet,
			s->irqs_truncated ? ", more than fit in a frame" : "",
			s->irqs_skipped ? ", some lines not understood by the agent" : "");
}

void state_print(FILE *f, const struct kt_gstate *s)
{
	char up[32];

	if (!s->valid) {
		fprintf(f, "state: none received\n");
		return;
	}
	fprintf(f, "state: gen %" PRIu64 ", guest uptime %s, %" PRIu64 " rounds skipped\n", s->gen,
		kt_fmt_duration(s->uptime_ms * 1000000ULL, up, sizeof(up)), s->skipped_rounds);
	if (s->cgroups_error[0])
		fprintf(f, "cgroups: not read: %s\n", s->cgroups_error);
	else if (!s->ncgroups)
		fprintf(f, "cgroups: none below the managed parent\n");
	for (size_t i = 0; i < s->ncgroups; i++)
		cgroup_line(f, &s->cgroups[i]);
	if (s->cgroups_truncated)
		fprintf(f, "cgroups: %zu shown, more than fit in a frame\n", s->ncgroups);
	sched_line(f, &s->sched);
	irq_lines(f, s);
}
