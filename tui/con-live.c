/* con-live.c - the live views' model; see con-live.h. */
#include "tui/con-live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct con_live *con_live_new(void)
{
	return calloc(1, sizeof(struct con_live));
}

void con_live_free(struct con_live *m)
{
	free(m);
}

const struct con_live_pt *con_live_pt(const struct con_live *m, size_t i)
{
	return &m->pts[(m->head + i) % CON_LIVE_POINTS];
}

bool con_live_busy(const struct con_live_pt *p, unsigned c)
{
	return c < KT_TL_MAX_CPUS && (p->busy[c / 64] >> (c % 64) & 1);
}

char con_live_ev_letter(enum kt_tl_kind kind)
{
	static const char letters[KT_TL_NKINDS] = {
		[KT_TL_ATTACH] = 'A', [KT_TL_DETACH] = 'D', [KT_TL_SCHED_EXIT] = 'X',
		[KT_TL_FREEZE] = 'F', [KT_TL_UNFREEZE] = 'U', [KT_TL_WATCH_FIRE] = 'W',
	};
	return (unsigned)kind < KT_TL_NKINDS ? letters[kind] : 0;
}

/* The sample as a history point. */
static void point(struct con_live_pt *p, const struct kt_tl_sample *s)
{
	memset(p, 0, sizeof(*p));
	p->t_ns = s->t_ns;
	p->ncpus = s->ncpus;
	p->has_sw = p->has_busy = p->has_queued = s->ncpus > 0;
	for (unsigned c = 0; c < s->ncpus; c++) {
		const struct kt_tl_cpu *cpu = &s->cpu[c];

		p->has_sw = p->has_sw && cpu->nr_switches.has;
		p->switches += (uint64_t)cpu->nr_switches.v;
		p->has_busy = p->has_busy && cpu->curr_pid.has;
		/* pid 0 is the idle task */
		if (cpu->curr_pid.has && cpu->curr_pid.v > 0)
			p->busy[c / 64] |= 1ull << (c % 64);
		p->has_queued = p->has_queued && cpu->scx_nr_running.has;
		p->queued += (uint32_t)(cpu->scx_nr_running.v + (cpu->local_dsq.has ?
								 cpu->local_dsq.v : 0));
	}
	for (size_t i = 0; i < s->ncounters; i++)
		if (s->counters[i].name && !strcmp(s->counters[i].name, "nr_rejected")) {
			p->has_rej = s->counters[i].val.has;
			p->nr_rejected = s->counters[i].val.v;
		}
	p->has_irq = s->has_irq_rate;
	p->irq_rate = s->irq_rate;
	p->ngroups = s->ngroups < KT_TL_MAX_GROUPS ? s->ngroups : KT_TL_MAX_GROUPS;
	memcpy(p->groups, s->groups, p->ngroups * sizeof(*p->groups));
}

void con_live_take(struct con_live *m, const struct kt_tl_sample *s)
{
	unsigned n = s->ncpus < KT_TL_MAX_CPUS ? s->ncpus : KT_TL_MAX_CPUS;
	uint64_t dt = m->have && s->t_ns > m->now_ns ? s->t_ns - m->now_ns : 0;

	for (unsigned c = 0; c < n; c++) {
		const struct kt_tl_val *was = c < m->ncpus ? &m->cpu[c].nr_switches : NULL;
		const struct kt_tl_val *is = &s->cpu[c].nr_switches;

		m->sw_rate[c] = -1;
		if (dt && was && was->has && is->has && is->v >= was->v)
			m->sw_rate[c] = (double)(is->v - was->v) * 1e9 / (double)dt;
		m->cpu[c] = s->cpu[c];
	}
	m->ncpus = n;
	snprintf(m->scx_ops, sizeof(m->scx_ops), "%s", s->scx_ops);
	if (s->t_ns > m->now_ns || !m->have)
		m->now_ns = s->t_ns;
	m->have = true;
	if (m->npts == CON_LIVE_POINTS) {
		m->head = (m->head + 1) % CON_LIVE_POINTS;
		m->npts--;
	}
	point(&m->pts[(m->head + m->npts) % CON_LIVE_POINTS], s);
	m->npts++;
	m->gen++;
}

/* The window's events, again, when the timeline's count moved. */
static bool take_events(struct con_live *m, const struct kt_timeline *tl)
{
	size_t n = kt_timeline_nevents(tl), first = n;
	uint64_t dropped = kt_timeline_dropped_events(tl);
	struct kt_tl_event e;

	if (n == m->tl_nevents && dropped == m->events_dropped)
		return false;
	m->tl_nevents = n;
	m->events_dropped = dropped;
	/* Newest first until the window (and the room) is full: events
	 * are kept in time order. */
	m->nev = 0;
	while (first > 0 && m->nev < CON_LIVE_EVENTS) {
		kt_timeline_get_event(tl, first - 1, &e);
		if (m->now_ns > CON_LIVE_WINDOW_NS && e.t_ns < m->now_ns - CON_LIVE_WINDOW_NS)
			break;
		first--;
		if (con_live_ev_letter(e.kind))
			m->nev++;
	}
	m->nev = 0;
	for (size_t i = first; i < n && m->nev < CON_LIVE_EVENTS; i++) {
		kt_timeline_get_event(tl, i, &e);
		if (!con_live_ev_letter(e.kind))
			continue;
		m->ev[m->nev] = (struct con_live_ev){ .t_ns = e.t_ns, .kind = e.kind };
		snprintf(m->ev[m->nev].text, sizeof(m->ev[m->nev].text), "%.*s",
			 (int)sizeof(m->ev[m->nev].text) - 1, e.text);
		if (e.t_ns > m->now_ns)
			m->now_ns = e.t_ns;
		m->nev++;
	}
	m->gen++;
	return true;
}

bool con_live_pull(struct con_live *m, const struct kt_timeline *tl)
{
	struct kt_tl_group groups[KT_TL_MAX_GROUPS];
	struct kt_tl_sample s;
	uint64_t end, gen = m->gen;

	if (!tl)
		return false;
	end = kt_timeline_seq(tl);
	/* Behind by more than the ring (a long stall): only what fits. */
	if (end > m->seq + CON_LIVE_POINTS)
		m->seq = end - CON_LIVE_POINTS;
	for (; m->seq < end; m->seq++)
		if (kt_timeline_copy_seq(tl, m->seq, &s, m->scratch, groups))
			con_live_take(m, &s);
	take_events(m, tl);
	return m->gen != gen;
}
