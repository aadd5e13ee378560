/* timeline.c - samples and events of one run; see timeline.h. */
#include "engine/timeline.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/form.h"
#include "lib/kjson.h"
#include "engine/op.h"
#include "engine/recipe.h"
#include "lib/util.h"

struct kt_timeline {
	pthread_mutex_t lock;
	unsigned rate_hz, ncpus;
	uint64_t t0_mono_ns, t0_unix_ns;
	/* samples: a ring of cap slots; each slot's cpu and groups arrays
	 * live in cpus[] and groups[] at its index */
	struct kt_tl_sample *ring;
	struct kt_tl_cpu *cpus;
	struct kt_tl_group *groups;
	size_t cap, head, n;		/* head: the oldest */
	uint64_t dropped_samples;
	/* worker group names, interned: a sample's groups point here */
	char *names[KT_TL_MAX_GROUPS];
	size_t nnames;
	struct kt_tl_event *events;
	size_t ecap, nevents;
	uint64_t dropped_events;
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct kt_timeline *kt_timeline_new(unsigned rate_hz, unsigned ncpus, size_t max_samples,
				    size_t max_events)
{
	struct kt_timeline *tl;

	if (rate_hz < KT_TL_MIN_HZ || rate_hz > KT_TL_MAX_HZ || !ncpus || ncpus > KT_TL_MAX_CPUS)
		return NULL;
	if (!(tl = calloc(1, sizeof(*tl))))
		return NULL;
	tl->rate_hz = rate_hz;
	tl->ncpus = ncpus;
	tl->cap = max_samples ? max_samples : KT_TL_MAX_SAMPLES;
	tl->ecap = max_events ? max_events : KT_TL_MAX_EVENTS;
	tl->ring = calloc(tl->cap, sizeof(*tl->ring));
	tl->cpus = calloc(tl->cap * ncpus, sizeof(*tl->cpus));
	tl->groups = calloc(tl->cap * KT_TL_MAX_GROUPS, sizeof(*tl->groups));
	tl->events = calloc(tl->ecap, sizeof(*tl->events));
	if (!tl->ring || !tl->cpus || !tl->groups || !tl->events) {
		kt_timeline_free(tl);
		return NULL;
	}
	pthread_mutex_init(&tl->lock, NULL);
	tl->t0_mono_ns = clock_ns(CLOCK_MONOTONIC);
	tl->t0_unix_ns = clock_ns(CLOCK_REALTIME);
	return tl;
}

void kt_timeline_free(struct kt_timeline *tl)
{
	if (!tl)
		return;
	if (tl->ring)	/* the lock exists once everything was allocated */
		pthread_mutex_destroy(&tl->lock);
	for (size_t i = 0; i < tl->nnames; i++)
		free(tl->names[i]);
	free(tl->ring);
	free(tl->cpus);
	free(tl->groups);
	free(tl->events);
	free(tl);
}

uint64_t kt_timeline_now(const struct kt_timeline *tl)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);

	return now > tl->t0_mono_ns ? now - tl->t0_mono_ns : 0;
}

unsigned kt_timeline_rate(const struct kt_timeline *tl)
{
	unsigned hz;

	pthread_mutex_lock((pthread_mutex_t *)&tl->lock);
	hz = tl->rate_hz;
	pthread_mutex_unlock((pthread_mutex_t *)&tl->lock);
	return hz;
}

void kt_timeline_set_rate(struct kt_timeline *tl, unsigned rate_hz)
{
	if (rate_hz < KT_TL_MIN_HZ || rate_hz > KT_TL_MAX_HZ)
		return;
	pthread_mutex_lock(&tl->lock);
	tl->rate_hz = rate_hz;
	pthread_mutex_unlock(&tl->lock);
}

unsigned kt_timeline_cpus(const struct kt_timeline *tl)
{
	return tl->ncpus;
}

/* The interned copy of a group's name; NULL when the table is full. */
static const char *intern(struct kt_timeline *tl, const char *name)
{
	for (size_t i = 0; i < tl->nnames; i++)
		if (!strcmp(tl->names[i], name))
			return tl->names[i];
	if (tl->nnames == KT_TL_MAX_GROUPS || !(tl->names[tl->nnames] = strdup(name)))
		return NULL;
	return tl->names[tl->nnames++];
}

void kt_timeline_add_sample(struct kt_timeline *tl, const struct kt_tl_sample *s)
{
	size_t slot;
	struct kt_tl_sample *d;
	struct kt_tl_cpu *cpus;
	struct kt_tl_group *groups;
	size_t ng = 0;

	pthread_mutex_lock(&tl->lock);
	if (tl->n == tl->cap) {		/* full: the oldest goes */
		tl->head = (tl->head + 1) % tl->cap;
		tl->n--;
		tl->dropped_samples++;
	}
	slot = (tl->head + tl->n) % tl->cap;
	d = &tl->ring[slot];
	cpus = &tl->cpus[slot * tl->ncpus];
	groups = &tl->groups[slot * KT_TL_MAX_GROUPS];
	*d = *s;
	d->ncpus = s->ncpus < tl->ncpus ? s->ncpus : tl->ncpus;
	if (d->ncpus && s->cpu)
		memcpy(cpus, s->cpu, d->ncpus * sizeof(*cpus));
	else
		d->ncpus = 0;
	for (size_t i = 0; i < d->ncpus; i++)
		cpus[i].curr_comm[KT_TL_COMM - 1] = '\0';
	d->cpu = cpus;
	if (d->ncounters > KT_TL_MAX_COUNTERS)
		d->ncounters = KT_TL_MAX_COUNTERS;
	d->scx_state[sizeof(d->scx_state) - 1] = '\0';
	d->scx_ops[sizeof(d->scx_ops) - 1] = '\0';
	for (size_t i = 0; s->groups && i < s->ngroups && ng < KT_TL_MAX_GROUPS; i++) {
		const char *name = intern(tl, s->groups[i].cgroup ? s->groups[i].cgroup : "");

		if (name)
			groups[ng++] = (struct kt_tl_group){ name, s->groups[i].iterations };
	}
	d->groups = groups;
	d->ngroups = ng;
	tl->n++;
	pthread_mutex_unlock(&tl->lock);
}

void kt_timeline_event_at(struct kt_timeline *tl, uint64_t t_ns, enum kt_tl_kind kind,
			  const char *text, int line)
{
	pthread_mutex_lock(&tl->lock);
	if (tl->nevents == tl->ecap) {
		tl->dropped_events++;
	} else {
		/* Kept in time order: an op's start is told at its end, a
		 * watch fire from another thread; most land at the end. */
		size_t at = tl->nevents;
		struct kt_tl_event *e;

		while (at && tl->events[at - 1].t_ns > t_ns)
			at--;
		memmove(&tl->events[at + 1], &tl->events[at],
			(tl->nevents - at) * sizeof(*tl->events));
		tl->nevents++;
		e = &tl->events[at];
		e->t_ns = t_ns;
		e->kind = kind;
		e->line = line;
		snprintf(e->text, sizeof(e->text), "%s", text ? text : "");
	}
	pthread_mutex_unlock(&tl->lock);
}

void kt_timeline_event(struct kt_timeline *tl, enum kt_tl_kind kind, const char *text, int line)
{
	kt_timeline_event_at(tl, kt_timeline_now(tl), kind, text, line);
}

/* What an applied op also is on the timeline, beside op-start/op-end. */
static int op_extra(const struct kt_stmt *st)
{
	static const struct { const char *form; enum kt_tl_kind kind; } t[] = {
		{ "attach-scheduler", KT_TL_ATTACH },
		{ "restart-scheduler", KT_TL_ATTACH }, { "replace-scheduler", KT_TL_ATTACH },
		{ "detach-scheduler", KT_TL_DETACH }, { "freeze-cgroup", KT_TL_FREEZE },
		{ "unfreeze-cgroup", KT_TL_UNFREEZE },
	};
	for (size_t i = 0; st && st->form && i < ARRAY_SIZE(t); i++)
		if (!strcmp(st->form->name, t[i].form))
			return (int)t[i].kind;
	return -1;
}

void kt_timeline_on_event(void *ctx, const struct kt_event *ev)
{
	struct kt_timeline *tl = ctx;
	uint64_t now = kt_timeline_now(tl);
	int line = ev->stmt ? ev->stmt->line : 0;
	char text[KT_TL_TEXT];

	switch (ev->kind) {
	case KT_EV_STEP_BEGIN:
	case KT_EV_STEP_END:
		if (ev->step > 0)
			snprintf(text, sizeof(text), "step %d", ev->step);
		else
			snprintf(text, sizeof(text), "backdrop");
		kt_timeline_event_at(tl, now, ev->kind == KT_EV_STEP_BEGIN ? KT_TL_STEP_START
									    : KT_TL_STEP_END, text, 0);
		break;
	case KT_EV_OP_APPLIED: {
		/* The engine tells an op once it is done, with its duration. */
		uint64_t start = ev->ns < now ? now - ev->ns : 0;
		int extra = op_extra(ev->stmt);

		kt_timeline_event_at(tl, start, KT_TL_OP_START, ev->text, line);
		kt_timeline_event_at(tl, now, KT_TL_OP_END, ev->text, line);
		if (extra >= 0)
			kt_timeline_event_at(tl, now, (enum kt_tl_kind)extra, ev->text, line);
		break;
	}
	case KT_EV_OP_FAILED:
		if (ev->err)
			kterr_str(ev->err, text, sizeof(text));
		else
			snprintf(text, sizeof(text), "%s", ev->text ? ev->text : "");
		kt_timeline_event_at(tl, now, KT_TL_FAIL, text, line);
		break;
	case KT_EV_GUEST:
		if (ev->gev && ev->gev->kind == KT_GEV_SCHED_EXIT)
			kt_timeline_event_at(tl, now, KT_TL_SCHED_EXIT, ev->text, 0);
		break;
	case KT_EV_FIRE: {
		/* Every fire at its own time, however late the engine heard
		 * it (the event says when it happened). */
		uint64_t age = 0, mono = kt_now_ns();

		if (ev->gev->at_ns && ev->gev->at_ns < mono)
			age = mono - ev->gev->at_ns;
		kt_timeline_event_at(tl, age < now ? now - age : 0, KT_TL_WATCH_FIRE,
				     ev->gev->name ? ev->gev->name : "?", 0);
		break;
	}
	default:
		break;
	}
}

const char *kt_tl_kind_name(enum kt_tl_kind kind)
{
	static const char *const names[KT_TL_NKINDS] = {
		[KT_TL_STEP_START] = "step-start", [KT_TL_STEP_END] = "step-end",
		[KT_TL_OP_START] = "op-start", [KT_TL_OP_END] = "op-end",
		[KT_TL_ATTACH] = "attach", [KT_TL_DETACH] = "detach",
		[KT_TL_SCHED_EXIT] = "sched-exit", [KT_TL_FREEZE] = "freeze",
		[KT_TL_UNFREEZE] = "unfreeze", [KT_TL_WATCH_FIRE] = "watch-fire",
		[KT_TL_FAIL] = "fail",
	};
	return (unsigned)kind < KT_TL_NKINDS ? names[kind] : "?";
}

/* ---- reading ---- */

#define LOCKED(tl, expr)                                                                     \
	({                                                                                   \
		pthread_mutex_lock((pthread_mutex_t *)&(tl)->lock);                          \
		__typeof__(expr) v_ = (expr);                                                \
		pthread_mutex_unlock((pthread_mutex_t *)&(tl)->lock);                        \
		v_;                                                                          \
	})

size_t kt_timeline_nsamples(const struct kt_timeline *tl)
{
	return LOCKED(tl, tl->n);
}

size_t kt_timeline_nevents(const struct kt_timeline *tl)
{
	return LOCKED(tl, tl->nevents);
}

uint64_t kt_timeline_dropped_samples(const struct kt_timeline *tl)
{
	return LOCKED(tl, tl->dropped_samples);
}

uint64_t kt_timeline_dropped_events(const struct kt_timeline *tl)
{
	return LOCKED(tl, tl->dropped_events);
}

uint64_t kt_timeline_t0_unix_ns(const struct kt_timeline *tl)
{
	return tl->t0_unix_ns;
}

void kt_timeline_sample(const struct kt_timeline *tl, size_t i, struct kt_tl_sample *out)
{
	pthread_mutex_lock((pthread_mutex_t *)&tl->lock);
	*out = tl->ring[(tl->head + i) % tl->cap];
	pthread_mutex_unlock((pthread_mutex_t *)&tl->lock);
}

void kt_timeline_get_event(const struct kt_timeline *tl, size_t i, struct kt_tl_event *out)
{
	pthread_mutex_lock((pthread_mutex_t *)&tl->lock);
	*out = tl->events[i];
	pthread_mutex_unlock((pthread_mutex_t *)&tl->lock);
}

uint64_t kt_timeline_seq(const struct kt_timeline *tl)
{
	return LOCKED(tl, tl->dropped_samples + tl->n);
}

bool kt_timeline_copy_seq(const struct kt_timeline *tl, uint64_t seq, struct kt_tl_sample *out,
			  struct kt_tl_cpu *cpus, struct kt_tl_group *groups)
{
	const struct kt_tl_sample *s;
	bool ok;

	pthread_mutex_lock((pthread_mutex_t *)&tl->lock);
	ok = seq >= tl->dropped_samples && seq < tl->dropped_samples + tl->n;
	if (ok) {
		s = &tl->ring[(tl->head + (size_t)(seq - tl->dropped_samples)) % tl->cap];
		*out = *s;
		memcpy(cpus, s->cpu, s->ncpus * sizeof(*cpus));
		memcpy(groups, s->groups, s->ngroups * sizeof(*groups));
		out->cpu = cpus;
		out->groups = groups;
	}
	pthread_mutex_unlock((pthread_mutex_t *)&tl->lock);
	return ok;
}

/* ---- JSON ---- */

static struct json_object *val(const struct kt_tl_val *v)
{
	return v->has ? json_object_new_int64(v->v) : NULL;
}

static struct json_object *sample_json(const struct kt_tl_sample *s)
{
	struct json_object *o = json_object_new_object(), *cpus = json_object_new_array();
	struct json_object *scx = json_object_new_object(), *wk = json_object_new_object();

	json_object_object_add(o, "t_ns", json_object_new_uint64(s->t_ns));
	for (unsigned c = 0; c < s->ncpus; c++) {
		const struct kt_tl_cpu *cpu = &s->cpu[c];
		struct json_object *co = json_object_new_object();

		json_object_object_add(co, "nr_running", val(&cpu->nr_running));
		json_object_object_add(co, "scx_nr_running", val(&cpu->scx_nr_running));
		json_object_object_add(co, "local_dsq", val(&cpu->local_dsq));
		json_object_object_add(co, "curr_pid", val(&cpu->curr_pid));
		json_object_object_add(co, "nr_switches", val(&cpu->nr_switches));
		json_object_object_add(co, "curr_comm", kjson_string(cpu->curr_comm));
		json_object_array_add(cpus, co);
	}
	json_object_object_add(o, "cpu", cpus);
	json_object_object_add(scx, "state", s->scx_state[0] ? kjson_string(s->scx_state) : NULL);
	json_object_object_add(scx, "ops", kjson_string(s->scx_ops));
	for (size_t i = 0; i < s->ncounters; i++)
		if (s->counters[i].name)
			json_object_object_add(scx, s->counters[i].name, val(&s->counters[i].val));
	json_object_object_add(o, "scx", scx);
	json_object_object_add(o, "irqs", s->has_irq_rate ? json_object_new_double(s->irq_rate)
							  : NULL);
	for (size_t i = 0; i < s->ngroups; i++)
		json_object_object_add(wk, s->groups[i].cgroup,
				       json_object_new_uint64(s->groups[i].iterations));
	json_object_object_add(o, "workers", wk);
	return o;
}

static struct json_object *event_json(const struct kt_tl_event *e)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "t_ns", json_object_new_uint64(e->t_ns));
	json_object_object_add(o, "kind", json_object_new_string(kt_tl_kind_name(e->kind)));
	json_object_object_add(o, "text", kjson_string(e->text));
	if (e->line > 0)
		json_object_object_add(o, "line", json_object_new_int(e->line));
	return o;
}

/* One object at a time, so a full ring never becomes one big tree. */
static void put(FILE *f, struct json_object *o)
{
	fputs(kjson_text(o), f);
	json_object_put(o);
}

void kt_timeline_json(const struct kt_timeline *tl, FILE *f)
{
	size_t n = kt_timeline_nsamples(tl), ne = kt_timeline_nevents(tl);

	fprintf(f, "{\"rate_hz\": %u, \"t0_unix_ns\": %llu, \"cpus\": %u, "
		"\"samples_dropped\": %llu, \"events_dropped\": %llu, \"samples\": [",
		tl->rate_hz, (unsigned long long)tl->t0_unix_ns, tl->ncpus,
		(unsigned long long)kt_timeline_dropped_samples(tl),
		(unsigned long long)kt_timeline_dropped_events(tl));
	for (size_t i = 0; i < n; i++) {
		struct kt_tl_sample s;

		kt_timeline_sample(tl, i, &s);
		fputs(i ? ",\n  " : "\n  ", f);
		put(f, sample_json(&s));
	}
	fputs("], \"events\": [", f);
	for (size_t i = 0; i < ne; i++) {
		struct kt_tl_event e;

		kt_timeline_get_event(tl, i, &e);
		fputs(i ? ",\n  " : "\n  ", f);
		put(f, event_json(&e));
	}
	fputs("]}", f);
}
