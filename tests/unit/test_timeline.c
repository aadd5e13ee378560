/* test_timeline.c - the run timeline (engine/timeline.h) and its Trace
 * Event Format writer (engine/trace-tef.h): ring bounds, event order and
 * bounds, the engine events it files, and JSON that parses whatever bytes
 * a guest's comm holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine/form.h"
#include "engine/recipe.h"
#include "engine/timeline.h"
#include "lib/util.h"
#include "engine/trace-tef.h"
#include "lib/kjson.h"

static struct kt_tl_sample sample(uint64_t t, struct kt_tl_cpu *cpu, unsigned n)
{
	return (struct kt_tl_sample){ .t_ns = t, .ncpus = n, .cpu = cpu };
}

/* What a writer printed, parsed (fails the test when it is not JSON). */
static struct json_object *written(void (*fn)(const struct kt_timeline *, FILE *),
				   const struct kt_timeline *tl, char **text)
{
	size_t len = 0;
	FILE *f = open_memstream(text, &len);
	struct json_object *o = NULL;
	struct kterr *e;

	assert_non_null(f);
	fn(tl, f);
	fclose(f);
	e = kjson_parse(*text, len, &o);
	if (e) {
		char buf[512];

		fail_msg("not JSON: %s: %.300s", kterr_str(e, buf, sizeof(buf)), *text);
	}
	return o;
}

static void tef_one(const struct kt_timeline *tl, FILE *f)
{
	const char *name = "r\"\x01\xff.recipe";

	kt_tef_write(f, &tl, &name, 1);
}

static void test_bad_arguments(void **state)
{
	assert_null(kt_timeline_new(0, 2, 0, 0));
	assert_null(kt_timeline_new(101, 2, 0, 0));
	assert_null(kt_timeline_new(10, 0, 0, 0));
	assert_null(kt_timeline_new(10, KT_TL_MAX_CPUS + 1, 0, 0));
	kt_timeline_free(NULL);
}

/* A full ring keeps the newest samples, oldest first, and counts the rest. */
static void test_ring_keeps_newest(void **state)
{
	struct kt_timeline *tl = kt_timeline_new(10, 2, 3, 0);
	struct kt_tl_cpu cpu[3] = { 0 };
	struct kt_tl_sample s;

	assert_non_null(tl);
	for (uint64_t t = 1; t <= 5; t++) {
		cpu[0].nr_running = (struct kt_tl_val){ true, (int64_t)t };
		s = sample(t * 100, cpu, 3);	/* one more CPU than the timeline's */
		kt_timeline_add_sample(tl, &s);
	}
	assert_int_equal(kt_timeline_nsamples(tl), 3);
	assert_int_equal(kt_timeline_dropped_samples(tl), 2);
	for (size_t i = 0; i < 3; i++) {
		kt_timeline_sample(tl, i, &s);
		assert_int_equal(s.t_ns, (i + 3) * 100);
		assert_int_equal(s.ncpus, 2);
		assert_int_equal(s.cpu[0].nr_running.v, (int64_t)(i + 3));
	}
	kt_timeline_free(tl);
}

/* A reader beside the sampler (the console's views) copies samples by
 * seq, whole, under the lock: its own CPUs and groups, seqs of dropped
 * samples refused, the next seq not there yet; the rate can change. */
static void test_copy_by_seq(void **state)
{
	struct kt_timeline *tl = kt_timeline_new(4, 2, 3, 0);
	struct kt_tl_cpu cpu[2] = { 0 }, got[KT_TL_MAX_CPUS];
	struct kt_tl_group g = { "w", 0 }, gg[KT_TL_MAX_GROUPS];
	struct kt_tl_sample s;

	assert_non_null(tl);
	assert_int_equal(kt_timeline_seq(tl), 0);
	assert_false(kt_timeline_copy_seq(tl, 0, &s, got, gg));
	for (uint64_t t = 0; t < 5; t++) {
		cpu[1].nr_switches = (struct kt_tl_val){ true, (int64_t)(100 * t) };
		g.iterations = 7 * t;
		s = sample(t * 250000000ull, cpu, 2);
		s.groups = &g;
		s.ngroups = 1;
		kt_timeline_add_sample(tl, &s);
	}
	assert_int_equal(kt_timeline_seq(tl), 5);
	assert_false(kt_timeline_copy_seq(tl, 1, &s, got, gg));	/* dropped */
	assert_false(kt_timeline_copy_seq(tl, 5, &s, got, gg));	/* not yet */
	assert_true(kt_timeline_copy_seq(tl, 3, &s, got, gg));
	assert_ptr_equal(s.cpu, got);
	assert_ptr_equal(s.groups, gg);
	assert_int_equal(s.t_ns, 750000000ull);
	assert_int_equal(got[1].nr_switches.v, 300);
	assert_int_equal(gg[0].iterations, 21);
	assert_string_equal(gg[0].cgroup, "w");
	/* the copy is the reader's: later samples do not touch it */
	cpu[1].nr_switches.v = 999;
	kt_timeline_add_sample(tl, &s);
	assert_int_equal(got[1].nr_switches.v, 300);
	kt_timeline_set_rate(tl, 10);
	assert_int_equal(kt_timeline_rate(tl), 10);
	kt_timeline_set_rate(tl, 0);		/* out of range: kept */
	kt_timeline_set_rate(tl, KT_TL_MAX_HZ + 1);
	assert_int_equal(kt_timeline_rate(tl), 10);
	kt_timeline_free(tl);
}

/* Events stay in time order, whatever order they are told in; past the
 * bound they are counted, not kept. */
static void test_events_ordered_and_bounded(void **state)
{
	struct kt_timeline *tl = kt_timeline_new(10, 1, 0, 4);
	struct kt_tl_event e;

	kt_timeline_event_at(tl, 300, KT_TL_OP_END, "c", 3);
	kt_timeline_event_at(tl, 100, KT_TL_OP_START, "a", 1);
	kt_timeline_event_at(tl, 200, KT_TL_WATCH_FIRE, "b", 0);
	kt_timeline_event_at(tl, 200, KT_TL_FREEZE, "b2", 2);	/* ties keep told order */
	kt_timeline_event_at(tl, 50, KT_TL_FAIL, "dropped", 0);
	assert_int_equal(kt_timeline_nevents(tl), 4);
	assert_int_equal(kt_timeline_dropped_events(tl), 1);
	const char *want[] = { "a", "b", "b2", "c" };
	for (size_t i = 0; i < 4; i++) {
		kt_timeline_get_event(tl, i, &e);
		assert_string_equal(e.text, want[i]);
	}
	kt_timeline_free(tl);
}

/* An applied op is two events, its start its end less its duration, and
 * an attach or freeze is also filed as one. */
static void test_engine_events(void **state)
{
	struct kt_timeline *tl = kt_timeline_new(10, 1, 0, 0);
	struct kt_form form = { .name = "freeze-cgroup" };
	struct kt_stmt st = { .form = &form, .line = 7 };
	struct kt_tl_event e;
	uint64_t before;

	kt_timeline_on_event(tl, &(struct kt_event){ .kind = KT_EV_STEP_BEGIN, .step = 1 });
	before = kt_timeline_now(tl);
	kt_timeline_on_event(tl, &(struct kt_event){ .kind = KT_EV_OP_APPLIED, .stmt = &st,
						      .text = "freeze-cgroup w", .ns = 0 });
	kt_timeline_on_event(tl, &(struct kt_event){
		.kind = KT_EV_GUEST, .text = "gone",
		.gev = &(struct kt_guest_event){ .kind = KT_GEV_SCHED_EXIT, .name = "scx_simple" } });
	kt_timeline_on_event(tl, &(struct kt_event){ .kind = KT_EV_GUEST, .text = "a log" });
	kt_timeline_on_event(tl, &(struct kt_event){ .kind = KT_EV_STEP_END, .step = 1 });
	assert_int_equal(kt_timeline_nevents(tl), 6);
	const enum kt_tl_kind want[] = { KT_TL_STEP_START, KT_TL_OP_START, KT_TL_OP_END,
					 KT_TL_FREEZE, KT_TL_SCHED_EXIT, KT_TL_STEP_END };
	for (size_t i = 0; i < 6; i++) {
		kt_timeline_get_event(tl, i, &e);
		assert_int_equal(e.kind, want[i]);
	}
	kt_timeline_get_event(tl, 1, &e);
	assert_int_equal(e.line, 7);
	assert_string_equal(e.text, "freeze-cgroup w");
	assert_true(e.t_ns >= before);
	kt_timeline_free(tl);
}

/* Every watch fire is filed, by its tag, at the time it happened: the
 * engine may hear it late (it was busy with an op). */
static void test_a_fire_is_filed_at_its_own_time(void **state)
{
	struct kt_timeline *tl = kt_timeline_new(10, 1, 0, 0);
	struct kt_guest_event fire = { .kind = KT_GEV_WATCH_FIRE, .name = "jiffies_64" };
	struct kt_tl_event e;
	uint64_t now;

	while (kt_timeline_now(tl) < 60000000ull)	/* 60 ms into the run */
		usleep(5000);
	fire.at_ns = kt_now_ns() - 50000000ull;		/* 50 ms ago */
	kt_timeline_on_event(tl, &(struct kt_event){ .kind = KT_EV_FIRE, .gev = &fire });
	now = kt_timeline_now(tl);
	/* told as a line or not, a fire is filed once */
	kt_timeline_on_event(tl, &(struct kt_event){ .kind = KT_EV_WATCH, .text = "watch on ..." });
	assert_int_equal(kt_timeline_nevents(tl), 1);
	kt_timeline_get_event(tl, 0, &e);
	assert_int_equal(e.kind, KT_TL_WATCH_FIRE);
	assert_string_equal(e.text, "jiffies_64");
	assert_true(e.t_ns + 50000000ull <= now);
	assert_true(e.t_ns + 50000000ull + 20000000ull >= now);
	kt_timeline_free(tl);
}

static struct kt_timeline *hostile(void)
{
	struct kt_timeline *tl = kt_timeline_new(10, 2, 0, 0);
	struct kt_tl_cpu cpu[2] = { 0 };
	struct kt_tl_group g[] = { { "\"q\\\n", 5 }, { "@runner", 7 } };
	struct kt_tl_sample s;

	/* bytes >= 0x80 (not UTF-8), quotes, backslashes, control chars */
	memcpy(cpu[0].curr_comm, "k\xff\xfe\"\\\x01\t\x7f\xc3", 10);
	cpu[0].curr_pid = (struct kt_tl_val){ true, 42 };
	snprintf(cpu[1].curr_comm, sizeof(cpu[1].curr_comm), "%s", "swapper/1");
	cpu[1].nr_running = (struct kt_tl_val){ true, 3 };
	cpu[1].nr_switches = (struct kt_tl_val){ true, 1234 };
	for (int k = 0; k < 3; k++) {
		s = sample(100000000ull * k, cpu, 2);
		s.groups = g;
		s.ngroups = 2;
		s.has_irq_rate = k > 0;
		s.irq_rate = 1234.5;
		snprintf(s.scx_state, sizeof(s.scx_state), "SCX_OPS_ENABLED");
		s.counters[0] = (struct kt_tl_counter){ "nr_rejected", { true, 9 } };
		s.counters[1] = (struct kt_tl_counter){ "bypass_depth", { false, 0 } };
		s.ncounters = 2;
		if (k == 2)
			cpu[0].curr_pid.v = 43;	/* another task: another slice */
		kt_timeline_add_sample(tl, &s);
	}
	kt_timeline_event_at(tl, 150000000, KT_TL_OP_START, "sh \"\x02\xff\"", 4);
	return tl;
}

static void test_json_contract_with_hostile_bytes(void **state)
{
	struct kt_timeline *tl = hostile();
	char *text = NULL;
	struct json_object *o = written(kt_timeline_json, tl, &text), *v, *smp, *cpu;
	int64_t n;
	const char *str;

	assert_null(kjson_member_int(o, "rate_hz", &n));
	assert_int_equal(n, 10);
	assert_null(kjson_member_int(o, "cpus", &n));
	assert_int_equal(n, 2);
	assert_null(kjson_member(o, "samples", json_type_array, &v));
	assert_int_equal(json_object_array_length(v), 3);
	smp = json_object_array_get_idx(v, 1);
	assert_null(kjson_member(smp, "cpu", json_type_array, &cpu));
	assert_null(kjson_member_str(json_object_array_get_idx(cpu, 0), "curr_comm", &str));
	assert_non_null(strstr(str, "\xef\xbf\xbd"));	/* U+FFFD for the bad bytes */
	assert_non_null(strchr(str, '"'));
	/* null where unknown, numbers where known */
	assert_true(json_object_get_type(json_object_object_get(
			    json_object_array_get_idx(cpu, 0), "nr_running")) == json_type_null);
	assert_null(kjson_member_int(json_object_array_get_idx(cpu, 1), "nr_running", &n));
	assert_int_equal(n, 3);
	assert_null(kjson_member_int(json_object_array_get_idx(cpu, 1), "nr_switches", &n));
	assert_int_equal(n, 1234);
	assert_true(json_object_get_type(json_object_object_get(
			    json_object_array_get_idx(cpu, 0), "nr_switches")) == json_type_null);
	assert_true(json_object_get_type(json_object_object_get(
			    json_object_array_get_idx(json_object_object_get(o, "samples"), 0),
			    "irqs")) == json_type_null);
	assert_null(kjson_member(smp, "irqs", json_type_double, &v));
	assert_null(kjson_member(smp, "workers", json_type_object, &v));
	assert_null(kjson_member_int(v, "@runner", &n));
	assert_int_equal(n, 7);
	assert_null(kjson_member_int(v, "\"q\\\n", &n));
	assert_null(kjson_member(smp, "scx", json_type_object, &v));
	assert_null(kjson_member_int(v, "nr_rejected", &n));
	assert_int_equal(n, 9);
	assert_null(kjson_member(o, "events", json_type_array, &v));
	assert_null(kjson_member_str(json_object_array_get_idx(v, 0), "kind", &str));
	assert_string_equal(str, "op-start");
	assert_null(kjson_member_int(json_object_array_get_idx(v, 0), "line", &n));
	assert_int_equal(n, 4);
	json_object_put(o);
	free(text);
	kt_timeline_free(tl);
}

static void test_tef_tracks_and_hostile_bytes(void **state)
{
	struct kt_timeline *tl = hostile();
	char *text = NULL;
	struct json_object *o = written(tef_one, tl, &text), *evs;
	const char *str;
	size_t nx = 0, nc = 0, ni = 0;
	bool cpu0 = false, cpu1 = false;

	assert_null(kjson_member_str(o, "displayTimeUnit", &str));
	assert_null(kjson_member(o, "traceEvents", json_type_array, &evs));
	for (size_t i = 0; i < json_object_array_length(evs); i++) {
		struct json_object *e = json_object_array_get_idx(evs, i), *args;
		const char *ph, *name;

		assert_null(kjson_member_str(e, "ph", &ph));
		assert_null(kjson_member_str(e, "name", &name));
		if (!strcmp(ph, "M") && !strcmp(name, "thread_name")) {
			assert_null(kjson_member(e, "args", json_type_object, &args));
			assert_null(kjson_member_str(args, "name", &str));
			cpu0 |= !strcmp(str, "CPU 0");
			cpu1 |= !strcmp(str, "CPU 1");
		}
		nx += !strcmp(ph, "X");
		nc += !strcmp(ph, "C");
		ni += !strcmp(ph, "i");
		if (!strcmp(ph, "C")) {
			assert_null(kjson_member(e, "args", json_type_object, &args));
			assert_non_null(json_object_object_get(args, "value"));
		}
	}
	assert_true(cpu0 && cpu1);
	/* CPU 0: pid 42 twice then 43 (two slices); CPU 1: one */
	assert_int_equal(nx, 3);
	assert_int_equal(ni, 1);
	/* per sample: 2 CPUs' nr_running known on CPU 1 only (1), nr_rejected (1),
	 * the IRQ rate (2 of 3), two groups (2): 3 + 3 + 2 + 6 */
	assert_int_equal(nc, 14);
	assert_non_null(strstr(text, "150000"));	/* the op at 150 ms, in us */
	json_object_put(o);
	free(text);
	kt_timeline_free(tl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_ring_keeps_newest),
		cmocka_unit_test(test_copy_by_seq),
		cmocka_unit_test(test_a_fire_is_filed_at_its_own_time),
		cmocka_unit_test(test_events_ordered_and_bounded),
		cmocka_unit_test(test_engine_events),
		cmocka_unit_test(test_json_contract_with_hostile_bytes),
		cmocka_unit_test(test_tef_tracks_and_hostile_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
