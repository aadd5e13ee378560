/* run-metrics.c - see run-metrics.h. */
#include "engine/run-metrics.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/kjson.h"

const struct kt_metric_def kt_metric_defs[KT_M_N] = {
	[KT_M_THROUGHPUT] = { "throughput", "iter/s", 1 },
	[KT_M_WAKE_P50] = { "wake_p50", "us", 1e3 },
	[KT_M_WAKE_P99] = { "wake_p99", "us", 1e3 },
	[KT_M_WAKE_MAX] = { "wake_max", "us", 1e3 },
	[KT_M_RUN_DELAY] = { "run_delay", "ms", 1e6 },
	[KT_M_MIGRATIONS] = { "migrations", "", 1 },
	[KT_M_FAIRNESS] = { "fairness", "Jain", 1 },
};

static bool number(const struct json_object *o, const char *key, double *out)
{
	struct json_object *v = kjson_get(o, key);

	if (!v || !(json_object_is_type(v, json_type_int) ||
		    json_object_is_type(v, json_type_double)))
		return false;
	*out = json_object_get_double(v);
	return true;
}

static size_t array_len(const struct json_object *a)
{
	return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

/* Accumulated over a group's workers. */
struct acc {
	double iter, iter2, migr, delay, p99, wmax;
	double *p50;
	size_t n, np50, ndelay, np99, nwmax, nmigr, niter;
};

static void add_worker(struct acc *a, const struct json_object *w)
{
	double v;

	a->n++;
	if (number(w, "iterations", &v)) {
		a->iter += v;
		a->iter2 += v * v;
		a->niter++;
	}
	if (number(w, "migrations", &v)) {
		a->migr += v;
		a->nmigr++;
	}
	if (number(w, "run_delay_ns", &v)) {
		a->delay += v;
		a->ndelay++;
	}
	/* A worker that never slept (spin) has no wake latency: its
	 * percentiles are 0 with wake_samples 0, and left out. */
	if (number(w, "wake_samples", &v) && v == 0)
		return;
	if (number(w, "wake_p99_ns", &v)) {
		a->p99 = a->np99++ && a->p99 > v ? a->p99 : v;
	}
	if (number(w, "wake_max_ns", &v) || number(w, "max_wake_ns", &v))
		a->wmax = a->nwmax++ && a->wmax > v ? a->wmax : v;
	if (number(w, "wake_p50_ns", &v)) {
		double *p = realloc(a->p50, (a->np50 + 1) * sizeof(*p));

		if (p) {
			a->p50 = p;
			p[a->np50++] = v;
		}
	}
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The group's iterations per second from the timeline's samples. A
 * sample holds the newest count the guest's STATE stream delivered, and
 * the stream sends one only every few hundred ms, so several samples in a
 * row repeat a count read once: each count is timed where it first
 * appears, and the rate is taken between the first count and the last
 * new one. Fewer than two distinct counts is no rate (a short hold): the
 * caller falls back to the final count over the run's duration rather
 * than report 0. */
static bool timeline_rate(const struct json_object *samples, const char *cg, double *out)
{
	double t0 = 0, c0 = 0, t1 = 0, c1 = 0;
	size_t seen = 0;

	for (size_t i = 0; i < array_len(samples); i++) {
		const struct json_object *s = json_object_array_get_idx(samples, i);
		double t, c;

		if (!number(s, "t_ns", &t) || !number(kjson_get(s, "workers"), cg, &c))
			continue;
		if (!seen++) {
			t0 = t;
			c0 = c;
			c1 = c;
		} else if (c != c1) {
			t1 = t;
			c1 = c;
		}
	}
	if (c1 == c0 || t1 <= t0)
		return false;
	*out = (c1 - c0) * 1e9 / (t1 - t0);
	return true;
}

static void set(struct kt_group_metrics *g, enum kt_metric m, double v)
{
	g->v[m] = v;
	g->have[m] = true;
}

static void finish_group(struct kt_group_metrics *g, struct acc *a,
			 const struct json_object *samples, double duration_ns)
{
	double v;

	if (timeline_rate(samples, g->cgroup, &v))
		set(g, KT_M_THROUGHPUT, v);
	else if (a->niter && duration_ns > 0)
		set(g, KT_M_THROUGHPUT, a->iter * 1e9 / duration_ns);
	if (a->np50)
		set(g, KT_M_WAKE_P50, median(a->p50, a->np50));
	if (a->np99)
		set(g, KT_M_WAKE_P99, a->p99);
	if (a->nwmax)
		set(g, KT_M_WAKE_MAX, a->wmax);
	if (a->ndelay)
		set(g, KT_M_RUN_DELAY, a->delay / (double)a->ndelay);
	if (a->nmigr)
		set(g, KT_M_MIGRATIONS, a->migr);
	if (a->niter)	/* no iterations at all: every worker equal */
		set(g, KT_M_FAIRNESS, a->iter2 > 0 ? a->iter * a->iter /
		    ((double)a->niter * a->iter2) : 1);
	free(a->p50);
}

static void read_scx(const struct json_object *samples, struct kt_run_metrics *m)
{
	size_t n = array_len(samples);
	struct json_object *scx = n ? kjson_get(json_object_array_get_idx(samples, n - 1), "scx") : NULL;

	if (!scx || !json_object_is_type(scx, json_type_object))
		return;
	json_object_object_foreach(scx, key, val) {
		struct kt_counter *c;

		if (!json_object_is_type(val, json_type_int) &&
		    !json_object_is_type(val, json_type_double))
			continue;
		c = realloc(m->scx, (m->nscx + 1) * sizeof(*c));
		if (!c)
			return;
		m->scx = c;
		if (!(c[m->nscx].name = strdup(key)))
			return;
		c[m->nscx++].v = json_object_get_double(val);
	}
}

struct kterr *kt_run_metrics_read(const struct json_object *results,
				  const struct json_object *timeline, struct kt_run_metrics *out)
{
	struct json_object *fw = kjson_get(results, "final_workers");
	struct json_object *samples = kjson_get(timeline, "samples");
	struct acc *accs;
	double dur = 0;

	memset(out, 0, sizeof(*out));
	if (!results || !json_object_is_type(results, json_type_object))
		return kterr_new(EINVAL, "results: not a JSON object");
	number(results, "duration_ns", &dur);
	out->timeline = timeline && json_object_is_type(timeline, json_type_object);
	accs = calloc(array_len(fw) + 1, sizeof(*accs));
	out->groups = calloc(array_len(fw) + 1, sizeof(*out->groups));
	if (!accs || !out->groups) {
		free(accs);
		return kterr_new(ENOMEM, "results: worker groups");
	}
	for (size_t i = 0; i < array_len(fw); i++) {
		const struct json_object *e = json_object_array_get_idx(fw, i);
		struct json_object *cgv = kjson_get(e, "cgroup"), *ws = kjson_get(e, "workers");
		const char *cg = cgv && json_object_is_type(cgv, json_type_string) ?
			json_object_get_string(cgv) : "?";
		size_t g;

		for (g = 0; g < out->ngroups && strcmp(out->groups[g].cgroup, cg); g++)
			;
		if (g == out->ngroups && !(out->groups[out->ngroups++].cgroup = strdup(cg))) {
			out->ngroups--;
			continue;
		}
		for (size_t k = 0; k < array_len(ws); k++)
			add_worker(&accs[g], json_object_array_get_idx(ws, k));
	}
	for (size_t g = 0; g < out->ngroups; g++)
		finish_group(&out->groups[g], &accs[g], samples, dur);
	free(accs);
	read_scx(samples, out);
	return NULL;
}

void kt_run_metrics_free(struct kt_run_metrics *m)
{
	for (size_t i = 0; i < m->ngroups; i++)
		free(m->groups[i].cgroup);
	for (size_t i = 0; i < m->nscx; i++)
		free(m->scx[i].name);
	free(m->groups);
	free(m->scx);
	memset(m, 0, sizeof(*m));
}
