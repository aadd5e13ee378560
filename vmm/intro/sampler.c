/* sampler.c - live scheduler state without pausing; see sampler.h. */
#include "vmm/intro/sampler.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ticker.h"

struct sampler {
	const struct kstate_plan *plan;
	const struct kmem *km;
	unsigned period_ms;
	sampler_fn fn;
	void *ctx;
	struct kstate *st;	/* read into, on the ticker's thread */
	struct ticker *tick;
};

static void add(char *buf, size_t size, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t size, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*n >= size)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *n, size - *n, fmt, ap);
	va_end(ap);
	*n += w > 0 ? (size_t)w : 0;
}

static void add_val(char *buf, size_t size, size_t *n, const char *label,
		    const struct kstate_val *v)
{
	if (!v->present)
		return;
	if (v->vname)
		add(buf, size, n, " %s %s", label, v->vname);
	else
		add(buf, size, n, " %s %" PRId64, label, (int64_t)v->v);
}

const char *kstate_summary(const struct kstate_plan *p, const struct kstate *s, char *buf,
			   size_t size)
{
	size_t n = 0;

	if (!size)
		return buf;
	buf[0] = '\0';
	add(buf, size, &n, "sched_ext");
	if (!kstate_scx_absent(p, KSCX_STATE))
		add_val(buf, size, &n, "state", &s->scx[KSCX_STATE]);
	if (!kstate_scx_absent(p, KSCX_OPS) && s->scx[KSCX_OPS].text[0])
		add(buf, size, &n, " ops %s", s->scx[KSCX_OPS].text);
	if (!kstate_scx_absent(p, KSCX_NR_REJECTED))
		add_val(buf, size, &n, "rejected", &s->scx[KSCX_NR_REJECTED]);
	if (!kstate_scx_absent(p, KSCX_BYPASS_DEPTH) && s->scx[KSCX_BYPASS_DEPTH].v)
		add_val(buf, size, &n, "bypass", &s->scx[KSCX_BYPASS_DEPTH]);
	for (unsigned c = 0; c < s->ncpus; c++) {
		const struct kstate_cpu *cpu = &s->cpu[c];

		add(buf, size, &n, " | cpu%u", c);
		add_val(buf, size, &n, "run", &cpu->f[KRQ_NR_RUNNING]);
		add_val(buf, size, &n, "scx", &cpu->f[KRQ_SCX_NR_RUNNING]);
		add_val(buf, size, &n, "dsq", &cpu->f[KRQ_SCX_LOCAL_DSQ_NR]);
		if (cpu->curr_comm[0])
			add(buf, size, &n, " %s", cpu->curr_comm);
	}
	return buf;
}

static void tick(void *ctx)
{
	struct sampler *sm = ctx;
	char line[1024];
	struct kterr *e = kstate_read(sm->plan, sm->km, sm->st);

	if (!e)
		sm->fn(sm->ctx, sm->st, kstate_summary(sm->plan, sm->st, line, sizeof(line)));
	kterr_free(e);
}

struct kterr *sampler_start(const struct kstate_plan *plan, const struct kmem *km,
			    unsigned period_ms, sampler_fn fn, void *ctx, struct sampler **out)
{
	struct sampler *sm = calloc(1, sizeof(*sm));
	struct kterr *e;

	*out = NULL;
	if (!sm)
		return kterr_new(ENOMEM, "sampler");
	*sm = (struct sampler){ .plan = plan, .km = km, .fn = fn, .ctx = ctx,
				.period_ms = period_ms < SAMPLER_MIN_MS ? SAMPLER_MIN_MS : period_ms };
	sm->st = malloc(sizeof(*sm->st));
	e = sm->st ? ticker_start(sm->period_ms * 1000000ull, tick, sm, "sampler thread", &sm->tick)
		   : kterr_new(ENOMEM, "sampler");
	if (e) {
		free(sm->st);
		free(sm);
		return e;
	}
	*out = sm;
	return NULL;
}

void sampler_stop(struct sampler *sm)
{
	if (!sm)
		return;
	ticker_stop(sm->tick);
	free(sm->st);
	free(sm);
}
