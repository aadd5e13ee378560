/* con-rq.c - the per-CPU runqueue table; see con-rq.h. */
#include "tui/con-rq.h"

#include <stdio.h>
#include <string.h>

void con_rq_init(struct con_rq *m)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
}

void con_rq_destroy(struct con_rq *m)
{
	pthread_mutex_destroy(&m->lock);
}

void con_rq_take(struct con_rq *m, const struct kstate *s, uint64_t now_ns)
{
	pthread_mutex_lock(&m->lock);
	for (unsigned i = 0; i < s->ncpus && i < KSTATE_MAX_CPUS; i++) {
		const struct kstate_val *sw = &s->cpu[i].f[KRQ_NR_SWITCHES];

		m->sw_rate[i] = -1;
		if (sw->present && m->prev_ok[i] && now_ns > m->prev_ns && sw->v >= m->prev_sw[i])
			m->sw_rate[i] = (double)(sw->v - m->prev_sw[i]) * 1e9 /
					(double)(now_ns - m->prev_ns);
		m->prev_ok[i] = sw->present;
		m->prev_sw[i] = sw->v;
	}
	m->prev_ns = now_ns;
	m->cur = *s;
	m->cur_ns = now_ns;
	m->have = true;
	pthread_mutex_unlock(&m->lock);
}

bool con_rq_have(struct con_rq *m)
{
	bool have;

	pthread_mutex_lock(&m->lock);
	have = m->have;
	pthread_mutex_unlock(&m->lock);
	return have;
}

static const char *num(const struct kstate_val *v, char *buf, size_t size)
{
	if (!v->present)
		return "-";
	snprintf(buf, size, "%llu", (unsigned long long)v->v);
	return buf;
}

static const char *rate(double r, char *buf, size_t size)
{
	if (r < 0)
		return "-";
	snprintf(buf, size, "%.0f", r);
	return buf;
}

/* The IRQ rate of a CPU, by its number (the columns may skip CPUs). */
static double irq_rate(const struct con_sched *irq, unsigned cpu)
{
	for (unsigned i = 0; irq && irq->have_rate && i < irq->ncpus; i++)
		if (irq->cpu[i] == cpu)
			return irq->rate[i];
	return -1;
}

int con_rq_render(struct con_rq *m, const struct con_sched *irq, struct con_buf *b,
		  const struct con_rect *r, int scroll)
{
	int rows = r->h - 1, max;

	if (r->h <= 0)
		return 0;
	pthread_mutex_lock(&m->lock);
	max = (int)m->cur.ncpus > rows ? (int)m->cur.ncpus - rows : 0;
	if (scroll > max)
		scroll = max;
	if (scroll < 0)
		scroll = 0;
	con_putf(b, r, 0, 1, CON_A_DIM, "%-5s %4s %4s %4s %7s %-15s %6s %6s", "cpu", "run", "scx",
		 "dsq", "pid", "comm", "sw/s", "irq/s");
	for (int y = 1; y <= rows && scroll + y - 1 < (int)m->cur.ncpus; y++) {
		unsigned i = (unsigned)(scroll + y - 1);
		const struct kstate_cpu *c = &m->cur.cpu[i];
		char a[24], s[24], d[24], p[24], sw[24], ir[24], cpu[16];
		bool idle = c->f[KRQ_NR_RUNNING].present && !c->f[KRQ_NR_RUNNING].v;

		snprintf(cpu, sizeof(cpu), "cpu%u", i);
		con_putf(b, r, y, 1, idle ? CON_A_DIM : CON_A_NORMAL,
			 "%-5s %4s %4s %4s %7s %-15.15s %6s %6s", cpu,
			 num(&c->f[KRQ_NR_RUNNING], a, sizeof(a)),
			 num(&c->f[KRQ_SCX_NR_RUNNING], s, sizeof(s)),
			 num(&c->f[KRQ_SCX_LOCAL_DSQ_NR], d, sizeof(d)),
			 num(&c->f[KRQ_CURR_PID], p, sizeof(p)), c->curr_comm[0] ? c->curr_comm : "-",
			 rate(m->sw_rate[i], sw, sizeof(sw)), rate(irq_rate(irq, i), ir, sizeof(ir)));
	}
	pthread_mutex_unlock(&m->lock);
	return max;
}
