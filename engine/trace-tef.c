/* trace-tef.c - timelines as Trace Event Format; see trace-tef.h. */
#include "engine/trace-tef.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/kjson.h"

struct out {
	FILE *f;
	bool first;
	int pid;
};

static void emit(struct out *o, struct json_object *ev)
{
	fputs(o->first ? "\n" : ",\n", o->f);
	o->first = false;
	fputs(kjson_text(ev), o->f);
	json_object_put(ev);
}

static struct json_object *base(const struct out *o, const char *ph, const char *name, int tid,
				uint64_t t_ns)
{
	struct json_object *ev = json_object_new_object();

	json_object_object_add(ev, "name", kjson_string(name));
	json_object_object_add(ev, "ph", json_object_new_string(ph));
	json_object_object_add(ev, "ts", json_object_new_double((double)t_ns / 1000.0));
	json_object_object_add(ev, "pid", json_object_new_int(o->pid));
	json_object_object_add(ev, "tid", json_object_new_int(tid));
	return ev;
}

static void meta(struct out *o, const char *what, int tid, const char *key,
		 struct json_object *value)
{
	struct json_object *ev = json_object_new_object(), *args = json_object_new_object();

	json_object_object_add(ev, "name", json_object_new_string(what));
	json_object_object_add(ev, "ph", json_object_new_string("M"));
	json_object_object_add(ev, "pid", json_object_new_int(o->pid));
	json_object_object_add(ev, "tid", json_object_new_int(tid));
	json_object_object_add(args, key, value);
	json_object_object_add(ev, "args", args);
	emit(o, ev);
}

static void counter(struct out *o, const char *name, uint64_t t_ns, double v)
{
	struct json_object *ev = base(o, "C", name, 0, t_ns), *args = json_object_new_object();

	json_object_object_add(args, "value", json_object_new_double(v));
	json_object_object_add(ev, "args", args);
	emit(o, ev);
}

static void counter_val(struct out *o, const char *name, uint64_t t_ns,
			const struct kt_tl_val *v)
{
	if (v->has)
		counter(o, name, t_ns, (double)v->v);
}

/* The task on CPU c from sample i until the first sample with another. */
static void cpu_track(struct out *o, const struct kt_timeline *tl, unsigned c, size_t n,
		      uint64_t period_ns)
{
	size_t i = 0;

	while (i < n) {
		struct kt_tl_sample s, t;
		size_t j;

		kt_timeline_sample(tl, i, &s);
		if (c >= s.ncpus) {
			i++;
			continue;
		}
		struct kt_tl_cpu cur = s.cpu[c];
		uint64_t end = s.t_ns + period_ns;

		for (j = i + 1; j < n; j++) {
			kt_timeline_sample(tl, j, &t);
			if (c >= t.ncpus || t.cpu[c].curr_pid.has != cur.curr_pid.has ||
			    t.cpu[c].curr_pid.v != cur.curr_pid.v ||
			    strcmp(t.cpu[c].curr_comm, cur.curr_comm)) {
				end = t.t_ns;
				break;
			}
			end = t.t_ns + period_ns;
		}
		if (cur.curr_pid.has || cur.curr_comm[0]) {
			struct json_object *ev = base(o, "X", cur.curr_comm[0] ? cur.curr_comm : "?",
						      (int)c + 1, s.t_ns);
			struct json_object *args = json_object_new_object();

			json_object_object_add(ev, "dur",
					       json_object_new_double((double)(end - s.t_ns) / 1000.0));
			json_object_object_add(args, "pid", cur.curr_pid.has ?
						json_object_new_int64(cur.curr_pid.v) : NULL);
			json_object_object_add(ev, "args", args);
			emit(o, ev);
		}
		i = j;
	}
}

static void counters(struct out *o, const struct kt_timeline *tl, size_t n)
{
	char name[128];

	for (size_t i = 0; i < n; i++) {
		struct kt_tl_sample s;

		kt_timeline_sample(tl, i, &s);
		for (unsigned c = 0; c < s.ncpus; c++) {
			snprintf(name, sizeof(name), "CPU %u nr_running", c);
			counter_val(o, name, s.t_ns, &s.cpu[c].nr_running);
			snprintf(name, sizeof(name), "CPU %u scx_nr_running", c);
			counter_val(o, name, s.t_ns, &s.cpu[c].scx_nr_running);
			snprintf(name, sizeof(name), "CPU %u local_dsq", c);
			counter_val(o, name, s.t_ns, &s.cpu[c].local_dsq);
		}
		for (size_t k = 0; k < s.ncounters; k++) {
			if (!s.counters[k].name)
				continue;
			snprintf(name, sizeof(name), "scx %s", s.counters[k].name);
			counter_val(o, name, s.t_ns, &s.counters[k].val);
		}
		if (s.has_irq_rate)
			counter(o, "irqs/s", s.t_ns, s.irq_rate);
		for (size_t g = 0; g < s.ngroups; g++) {
			snprintf(name, sizeof(name), "iterations %s", s.groups[g].cgroup);
			counter(o, name, s.t_ns, (double)s.groups[g].iterations);
		}
	}
}

static void events(struct out *o, const struct kt_timeline *tl, int tid)
{
	size_t n = kt_timeline_nevents(tl);

	for (size_t i = 0; i < n; i++) {
		struct kt_tl_event e;
		char name[KT_TL_TEXT + 32];
		struct json_object *ev, *args = json_object_new_object();

		kt_timeline_get_event(tl, i, &e);
		snprintf(name, sizeof(name), "%s: %s", kt_tl_kind_name(e.kind), e.text);
		ev = base(o, "i", name, tid, e.t_ns);
		json_object_object_add(ev, "s", json_object_new_string("t"));
		json_object_object_add(args, "kind", json_object_new_string(kt_tl_kind_name(e.kind)));
		json_object_object_add(args, "text", kjson_string(e.text));
		if (e.line > 0)
			json_object_object_add(args, "line", json_object_new_int(e.line));
		json_object_object_add(ev, "args", args);
		emit(o, ev);
	}
}

static void one(struct out *o, const struct kt_timeline *tl, const char *name)
{
	unsigned ncpus = kt_timeline_cpus(tl);
	size_t n = kt_timeline_nsamples(tl);
	uint64_t period = 1000000000ull / kt_timeline_rate(tl);
	char tname[32];

	meta(o, "process_name", 0, "name", kjson_string(name ? name : "recipe"));
	for (unsigned c = 0; c < ncpus; c++) {
		snprintf(tname, sizeof(tname), "CPU %u", c);
		meta(o, "thread_name", (int)c + 1, "name", json_object_new_string(tname));
		meta(o, "thread_sort_index", (int)c + 1, "sort_index", json_object_new_int((int)c));
	}
	meta(o, "thread_name", (int)ncpus + 1, "name", json_object_new_string("events"));
	meta(o, "thread_sort_index", (int)ncpus + 1, "sort_index", json_object_new_int((int)ncpus));
	for (unsigned c = 0; c < ncpus; c++)
		cpu_track(o, tl, c, n, period);
	counters(o, tl, n);
	events(o, tl, (int)ncpus + 1);
}

void kt_tef_write(FILE *f, const struct kt_timeline *const *tls, const char *const *names,
		  size_t n)
{
	struct out o = { .f = f, .first = true };

	fputs("{\"traceEvents\": [", f);
	for (size_t i = 0; i < n; i++) {
		if (!tls[i])
			continue;
		o.pid = (int)i + 1;
		one(&o, tls[i], names ? names[i] : NULL);
	}
	fputs("\n], \"displayTimeUnit\": \"ms\"}\n", f);
}
