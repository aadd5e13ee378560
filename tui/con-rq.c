/* con-rq.c - the per-CPU runqueue table; see con-rq.h. */
#include "tui/con-rq.h"

#include <stdio.h>
#include <string.h>

static const char *const fold_names[CON_FOLD__COUNT] = {
	[CON_FOLD_NONE] = "none", [CON_FOLD_LLC] = "llc", [CON_FOLD_NUMA] = "numa",
};

const char *con_fold_name(enum con_fold f)
{
	return f < CON_FOLD__COUNT ? fold_names[f] : "?";
}

int con_fold_find(const char *name)
{
	for (int i = 0; i < CON_FOLD__COUNT; i++)
		if (!strcmp(name, fold_names[i]) || (i == CON_FOLD_NONE && !strcmp(name, "off")))
			return i;
	return -1;
}

unsigned con_rq_group(const struct kt_topology *topo, enum con_fold fold, unsigned c)
{
	unsigned per_llc = topo->cores * topo->threads;

	if (!per_llc)
		return 0;
	if (fold == CON_FOLD_LLC)
		return c / per_llc;
	if (fold == CON_FOLD_NUMA)
		return c / (per_llc * (topo->llcs ? topo->llcs : 1));
	return c;
}

unsigned con_rq_groups(const struct kt_topology *topo, enum con_fold fold, unsigned ncpus)
{
	return ncpus ? con_rq_group(topo, fold, ncpus - 1) + 1 : 0;
}

/* The IRQ rate of a CPU, by its number (the columns may skip CPUs). */
static double irq_rate(const struct con_sched *irq, unsigned cpu)
{
	for (unsigned i = 0; irq && irq->have_rate && i < irq->ncpus; i++)
		if (irq->cpu[i] == cpu)
			return irq->rate[i];
	return -1;
}

/* One row's values as text. */
struct row {
	char label[16], run[24], scx[24], dsq[24], pid[24], comm[32], sw[24], irq[24];
	bool idle;
};

/* A sum that stays "-" when no CPU had the field. */
struct sum {
	bool has;
	long long v;
};

static void add(struct sum *s, const struct kt_tl_val *v)
{
	if (v->has) {
		s->has = true;
		s->v += v->v;
	}
}

static void fmt_sum(char *buf, size_t size, const struct sum *s)
{
	if (s->has)
		snprintf(buf, size, "%lld", s->v);
	else
		snprintf(buf, size, "-");
}

static void fmt_rate(char *buf, size_t size, double r, bool has)
{
	if (has)
		snprintf(buf, size, "%.0f", r);
	else
		snprintf(buf, size, "-");
}

/* Row g: CPU g, or every CPU of group g when folded. */
static void fill(const struct con_live *m, const struct con_sched *irq,
		 const struct kt_topology *topo, enum con_fold fold, unsigned g, struct row *w)
{
	struct sum run = { 0 }, scx = { 0 }, dsq = { 0 };
	double sw = 0, ir = 0;
	bool has_sw = false, has_ir = false;
	unsigned n = 0, busy = 0, lo = 0, hi = 0;

	memset(w, 0, sizeof(*w));
	for (unsigned c = 0; c < m->ncpus; c++) {
		const struct kt_tl_cpu *cpu = &m->cpu[c];
		double r = irq_rate(irq, c);

		if (con_rq_group(topo, fold, c) != g)
			continue;
		if (!n++)
			lo = c;
		hi = c;
		add(&run, &cpu->nr_running);
		add(&scx, &cpu->scx_nr_running);
		add(&dsq, &cpu->local_dsq);
		if (cpu->curr_pid.has && cpu->curr_pid.v > 0)
			busy++;
		if (m->sw_rate[c] >= 0) {
			sw += m->sw_rate[c];
			has_sw = true;
		}
		if (r >= 0) {
			ir += r;
			has_ir = true;
		}
	}
	fmt_sum(w->run, sizeof(w->run), &run);
	fmt_sum(w->scx, sizeof(w->scx), &scx);
	fmt_sum(w->dsq, sizeof(w->dsq), &dsq);
	fmt_rate(w->sw, sizeof(w->sw), sw, has_sw);
	fmt_rate(w->irq, sizeof(w->irq), ir, has_ir);
	w->idle = run.has && !run.v;
	if (fold == CON_FOLD_NONE) {
		const struct kt_tl_cpu *cpu = &m->cpu[g];

		snprintf(w->label, sizeof(w->label), "cpu%u", g);
		if (cpu->curr_pid.has)
			snprintf(w->pid, sizeof(w->pid), "%lld", (long long)cpu->curr_pid.v);
		else
			snprintf(w->pid, sizeof(w->pid), "-");
		snprintf(w->comm, sizeof(w->comm), "%s", cpu->curr_comm[0] ? cpu->curr_comm : "-");
		return;
	}
	/* Folded: how many of its CPUs run a task, and which CPUs it is. */
	snprintf(w->label, sizeof(w->label), "%s%u", fold == CON_FOLD_LLC ? "llc" : "node", g);
	snprintf(w->pid, sizeof(w->pid), "%u/%u", busy, n);
	if (lo == hi)
		snprintf(w->comm, sizeof(w->comm), "cpu%u", lo);
	else
		snprintf(w->comm, sizeof(w->comm), "cpu%u-%u", lo, hi);
}

/* Column widths, widest first: the first that fits the pane is used. */
static const struct fit {
	int num, pid, comm;
	bool sw, irq;
} fits[] = {
	{ 4, 7, 15, true, true },
	{ 4, 7, 15, true, false },
	{ 4, 7, 15, false, false },
	{ 4, 7, 8, false, false },
	{ 3, 6, 8, false, false },
};

static int width(const struct fit *f)
{
	return 1 + 5 + 3 * (1 + f->num) + 1 + f->pid + 1 + f->comm + (f->sw ? 7 : 0) +
	       (f->irq ? 7 : 0);
}

static void put_row(struct con_buf *b, const struct con_rect *r, int y, enum con_attr a,
		    const struct fit *f, const struct row *w)
{
	int n = con_putf(b, r, y, 1, a, "%-5s %*s %*s %*s %*s %-*.*s", w->label, f->num, w->run,
			 f->num, w->scx, f->num, w->dsq, f->pid, w->pid, f->comm, f->comm, w->comm);

	if (f->sw)
		n += con_putf(b, r, y, 1 + n, a, " %6s", w->sw);
	if (f->irq)
		con_putf(b, r, y, 1 + n, a, " %6s", w->irq);
}

int con_rq_render(const struct con_live *m, const struct con_sched *irq,
		  const struct kt_topology *topo, enum con_fold fold, bool dim, struct con_buf *b,
		  const struct con_rect *r, int scroll)
{
	int rows = r->h - 1, max, ngroups;
	const struct fit *f = &fits[sizeof(fits) / sizeof(fits[0]) - 1];
	struct row head = { "cpu", "run", "scx", "dsq", "pid", "comm", "sw/s", "irq/s", false };
	struct row w;

	if (r->h <= 0)
		return 0;
	if (fold != CON_FOLD_NONE) {
		snprintf(head.label, sizeof(head.label), "%s", fold == CON_FOLD_LLC ? "llc" : "node");
		snprintf(head.pid, sizeof(head.pid), "busy");
		snprintf(head.comm, sizeof(head.comm), "cpus");
	}
	for (size_t i = 0; i < sizeof(fits) / sizeof(fits[0]); i++)
		if (width(&fits[i]) <= r->w) {
			f = &fits[i];
			break;
		}
	ngroups = (int)con_rq_groups(topo, fold, m->ncpus);
	max = ngroups > rows ? ngroups - rows : 0;
	if (scroll > max)
		scroll = max;
	if (scroll < 0)
		scroll = 0;
	put_row(b, r, 0, CON_A_DIM, f, &head);
	for (int y = 1; y <= rows && scroll + y - 1 < ngroups; y++) {
		fill(m, irq, topo, fold, (unsigned)(scroll + y - 1), &w);
		put_row(b, r, y, dim || w.idle ? CON_A_DIM : CON_A_NORMAL, f, &w);
	}
	return max;
}
