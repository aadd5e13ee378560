/* run-sampler.c - a run's timeline samples; see run-sampler.h. */
#include "vmm/intro/run-sampler.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gstate.h"
#include "vmm/intro/kstate.h"
#include "lib/ticker.h"

struct run_sampler {
	struct kt_timeline *tl;
	struct intro *in;
	struct kt_exec *x;
	struct ticker *tick;
	/* the IRQ rate between the two latest STATE frames */
	uint64_t last_gen, last_total, last_rx_ns;
	bool have_last, have_rate;
	double rate;
	struct kstate ks;
	struct kt_tl_cpu cpu[KT_TL_MAX_CPUS];
	struct kt_tl_group groups[KT_GSTATE_WGROUPS];
	struct kt_gstate gs;
	uint64_t gver;			/* kt_exec_gstate's reader version */
};

static struct kt_tl_val kval(const struct kstate_val *v)
{
	return (struct kt_tl_val){ .has = v->present, .v = (int64_t)v->v };
}

/* The sched_ext counters a sample carries, by their timeline names. */
static const struct {
	enum kstate_scx_field f;
	const char *name;
} scx_counters[] = {
	{ KSCX_NR_REJECTED, "nr_rejected" }, { KSCX_ENABLE_SEQ, "enable_seq" },
	{ KSCX_BYPASS_DEPTH, "bypass_depth" }, { KSCX_EXIT_KIND, "exit_kind" },
	{ KSCX_SWITCHING_ALL, "switching_all" },
};

static void from_kstate(struct run_sampler *rs, struct kt_tl_sample *s)
{
	const struct kstate *k = &rs->ks;
	unsigned n = kt_timeline_cpus(rs->tl);

	s->ncpus = k->ncpus < n ? k->ncpus : n;
	for (unsigned c = 0; c < s->ncpus; c++) {
		const struct kstate_cpu *kc = &k->cpu[c];
		struct kt_tl_cpu *d = &rs->cpu[c];

		d->nr_running = kval(&kc->f[KRQ_NR_RUNNING]);
		d->scx_nr_running = kval(&kc->f[KRQ_SCX_NR_RUNNING]);
		d->local_dsq = kval(&kc->f[KRQ_SCX_LOCAL_DSQ_NR]);
		d->curr_pid = kval(&kc->f[KRQ_CURR_PID]);
		d->nr_switches = kval(&kc->f[KRQ_NR_SWITCHES]);
		/* a copy, not snprintf: both live in rs, which GCC's -Wrestrict
		 * under the sanitizers takes for an overlap */
		size_t len = strnlen(kc->curr_comm, sizeof(d->curr_comm) - 1);

		memcpy(d->curr_comm, kc->curr_comm, len);
		d->curr_comm[len] = '\0';
	}
	s->cpu = rs->cpu;
	if (k->scx[KSCX_STATE].present)
		snprintf(s->scx_state, sizeof(s->scx_state), "%s", k->scx[KSCX_STATE].vname ?
			 k->scx[KSCX_STATE].vname : "?");
	if (k->scx[KSCX_OPS].present)
		snprintf(s->scx_ops, sizeof(s->scx_ops), "%.63s", k->scx[KSCX_OPS].text);
	for (size_t i = 0; i < sizeof(scx_counters) / sizeof(scx_counters[0]); i++)
		s->counters[s->ncounters++] = (struct kt_tl_counter){
			scx_counters[i].name, kval(&k->scx[scx_counters[i].f]) };
}

static void from_gstate(struct run_sampler *rs, struct kt_tl_sample *s)
{
	struct kt_gstate *g = &rs->gs, fresh;

	/* The executor gives each reader each state once: keep the latest
	 * taken, so samples between two STATE frames repeat it. */
	if (kt_exec_gstate(rs->x, &rs->gver, &fresh)) {
		kt_gstate_clear(g);
		*g = fresh;
	}
	if (!g->valid)
		return;
	if (g->gen != rs->last_gen && g->ncpus) {
		uint64_t total = 0;

		for (unsigned c = 0; c < g->ncpus; c++)
			total += g->cpu_irqs[c];
		if (rs->have_last && g->received_ns > rs->last_rx_ns && total >= rs->last_total) {
			rs->rate = (double)(total - rs->last_total) * 1e9 /
				   (double)(g->received_ns - rs->last_rx_ns);
			rs->have_rate = true;
		}
		rs->last_gen = g->gen;
		rs->last_total = total;
		rs->last_rx_ns = g->received_ns;
		rs->have_last = true;
	}
	s->has_irq_rate = rs->have_rate;
	s->irq_rate = rs->rate;
	for (size_t i = 0; i < g->nwgroups && i < KT_GSTATE_WGROUPS; i++)
		rs->groups[i] = (struct kt_tl_group){ g->wgroups[i].cgroup, g->wgroups[i].iterations };
	s->groups = rs->groups;
	s->ngroups = g->nwgroups;
	/* No kernel state read: sched_ext as the agent saw it in sysfs. */
	if (!s->scx_state[0])
		snprintf(s->scx_state, sizeof(s->scx_state), "%s", g->sched.state);
	if (!s->scx_ops[0])
		snprintf(s->scx_ops, sizeof(s->scx_ops), "%s", g->sched.ops);
}

static void take(struct run_sampler *rs)
{
	struct kt_tl_sample s = { .t_ns = kt_timeline_now(rs->tl) };
	struct kterr *e = rs->in ? intro_kstate_read(rs->in, &rs->ks) : NULL;

	if (rs->in && !e)
		from_kstate(rs, &s);
	kterr_free(e);
	if (rs->x)
		from_gstate(rs, &s);
	kt_timeline_add_sample(rs->tl, &s);
}

static void tick(void *ctx)
{
	take(ctx);
}

struct kterr *run_sampler_start(struct kt_timeline *tl, struct intro *in, struct kt_exec *x,
				struct run_sampler **out)
{
	struct run_sampler *rs = calloc(1, sizeof(*rs));
	struct kterr *e;

	*out = NULL;
	if (!rs)
		return kterr_new(ENOMEM, "timeline sampler");
	rs->tl = tl;
	rs->in = in;
	rs->x = x;
	kt_gstate_init(&rs->gs);
	e = ticker_start(1000000000ull / kt_timeline_rate(tl), tick, rs, "timeline sampler thread",
			 &rs->tick);
	if (e) {
		free(rs);
		return e;
	}
	*out = rs;
	return NULL;
}

void run_sampler_stop(struct run_sampler *rs)
{
	if (!rs)
		return;
	ticker_stop(rs->tick);
	kt_gstate_clear(&rs->gs);
	free(rs);
}
