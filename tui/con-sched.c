/* con-sched.c - the scheduler pane; see con-sched.h. */
#include "tui/con-sched.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void con_sched_init(struct con_sched *m)
{
	memset(m, 0, sizeof(*m));
}

void con_sched_update(struct con_sched *m, const struct kt_gstate *g)
{
	unsigned n;
	bool same_cpus;

	if (!g || !g->valid || (m->gen && g->gen <= m->gen))
		return;
	n = g->ncpus < CON_SCHED_CPUS ? g->ncpus : CON_SCHED_CPUS;
	same_cpus = m->gen && n == m->ncpus && g->uptime_ms > m->uptime_ms;
	for (unsigned i = 0; i < n && same_cpus; i++)
		same_cpus = m->cpu[i] == g->cpu[i];
	for (unsigned i = 0; i < n; i++) {
		if (same_cpus) {
			uint64_t d = g->cpu_irqs[i] >= m->total[i] ? g->cpu_irqs[i] - m->total[i] : 0;

			m->rate[i] = d * 1000.0 / (double)(g->uptime_ms - m->uptime_ms);
		}
		m->cpu[i] = g->cpu[i];
		m->total[i] = g->cpu_irqs[i];
	}
	m->have_rate = same_cpus;
	m->ncpus = n;
	m->gen = g->gen;
	m->uptime_ms = g->uptime_ms;
}

static void num(char *buf, size_t size, int64_t v)
{
	if (v < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%" PRId64, v);
}

void con_sched_render(const struct con_sched *m, const struct kt_gstate *g, struct con_buf *b,
		      const struct con_rect *r)
{
	const struct kt_gstate_sched *s;
	char seq[24], rej[24], sw[24];
	double max = 1;
	int y = 0;

	if (r->h <= 0)
		return;
	if (!g || !g->valid) {
		con_put(b, r, 0, 1, CON_A_DIM, "waiting for the guest's state...", -1);
		return;
	}
	s = &g->sched;
	con_put(b, r, y, 1, CON_A_DIM, "sched_ext", -1);
	con_put(b, r, y, 11, !strcmp(s->state, "enabled") ? CON_A_OK : CON_A_NORMAL,
		s->state[0] ? s->state : "?", -1);
	if (s->ops[0])
		con_putf(b, r, y, 11 + (int)strlen(s->state) + 1, CON_A_NORMAL, "ops %s", s->ops);
	y++;
	num(seq, sizeof(seq), s->enable_seq);
	num(rej, sizeof(rej), s->nr_rejected);
	num(sw, sizeof(sw), s->switch_all);
	/* One line where it fits, else two. */
	if (r->w >= 46) {
		con_putf(b, r, y++, 1, CON_A_NORMAL, "enable_seq %s  nr_rejected %s  switch_all %s",
			 seq, rej, sw);
	} else {
		con_putf(b, r, y++, 1, CON_A_NORMAL, "enable_seq %s  switch_all %s", seq, sw);
		if (y < r->h)
			con_putf(b, r, y++, 1, CON_A_NORMAL, "nr_rejected %s", rej);
	}
	if (y >= r->h)
		return;
	con_put(b, r, y++, 1, CON_A_DIM, "IRQs/s per CPU", -1);
	for (unsigned i = 0; i < m->ncpus; i++)
		if (m->rate[i] > max)
			max = m->rate[i];
	for (unsigned i = 0; i < m->ncpus && y < r->h; i++, y++) {
		int barw = r->w - 16, fill;
		char label[16], val[16];

		snprintf(label, sizeof(label), "cpu%-3u", m->cpu[i]);
		con_put(b, r, y, 1, CON_A_NORMAL, label, -1);
		if (!m->have_rate) {
			con_put(b, r, y, 8, CON_A_DIM, "...", -1);
			continue;
		}
		if (barw < 1)
			barw = 1;
		fill = (int)(m->rate[i] / max * barw + 0.5);
		con_fill(b, r, y, 8, fill, '#', CON_A_BAR);
		con_fill(b, r, y, 8 + fill, barw - fill, '.', CON_A_DIM);
		snprintf(val, sizeof(val), "%6.0f", m->rate[i]);
		con_put(b, r, y, 8 + barw + 1, CON_A_NORMAL, val, -1);
	}
}
