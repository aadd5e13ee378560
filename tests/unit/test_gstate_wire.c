/* test_gstate_wire.c - a STATE frame from the agent's own builder
 * (guest/agent-state.c over a temporary cgroup tree, a fixture
 * /proc/interrupts and a fake sched_ext directory) into struct kt_gstate
 * on the host; and hand-made bad frames, which must fail with an error
 * naming the field and never crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/util.h"
#include "guest/agent.h"
#include "guest/wire-state.h"
#include "vmm/link/gstate-wire.h"

struct fx {
	char *root;		/* temporary directory */
	char *cgroups, *scx, *interrupts;
	struct agent_state_src src;
	struct wire_msg *msg;
	struct kt_gstate st;
};

static void put(const char *dir, const char *rel, const char *text)
{
	char *p = kt_strfmt("%s/%s", dir, rel);

	assert_null(kt_write_file(p, text, strlen(text)));
	free(p);
}

static void mk(const char *dir, const char *rel)
{
	char *p = kt_strfmt("%s/%s", dir, rel);

	assert_null(kt_mkdir_p(p, 0755));
	free(p);
}

static unsigned fake_workers(const char *cgroup)
{
	return strcmp(cgroup, "workers") ? 0 : 2;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char tmpl[] = "/tmp/ktcon-gstate-XXXXXX";

	if (!f || !mkdtemp(tmpl))
		return -1;
	f->root = strdup(tmpl);
	f->cgroups = kt_strfmt("%s/cg", f->root);
	f->scx = kt_strfmt("%s/scx", f->root);
	f->interrupts = kt_strfmt("%s/tests/data/interrupts/cpu2.txt", KTCON_SRCDIR);
	mk(f->root, "cg/workers/inner");
	mk(f->root, "cg/bg");
	put(f->cgroups, "workers/cpuset.cpus.effective", "0-1\n");
	put(f->cgroups, "workers/cgroup.events", "populated 1\nfrozen 1\n");
	put(f->cgroups, "workers/cgroup.procs", "7\n8\n9\n");
	put(f->cgroups, "workers/cpu.max", "50000 100000\n");
	put(f->cgroups, "workers/pids.max", "max\n");
	put(f->cgroups, "bg/cgroup.events", "populated 0\nfrozen 0\n");
	mk(f->root, "scx/root");
	put(f->scx, "state", "enabled\n");
	put(f->scx, "root/ops", "simple\n");
	put(f->scx, "enable_seq", "3\n");
	put(f->scx, "nr_rejected", "0\n");
	put(f->scx, "switch_all", "1\n");
	put(f->scx, "hotplug_seq", "0\n");
	f->src = (struct agent_state_src){ f->cgroups, f->interrupts, f->scx, fake_workers, NULL };
	f->msg = malloc(sizeof(*f->msg));
	kt_gstate_init(&f->st);
	*state = f;
	return f->msg ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	kterr_free(kt_rm_rf(f->root));
	free(f->root);
	free(f->cgroups);
	free(f->scx);
	free(f->interrupts);
	free(f->msg);
	kt_gstate_clear(&f->st);
	free(f);
	return 0;
}

/* Build a frame the way the agent does and decode it into f->msg. */
static size_t build(struct fx *f, uint32_t gen)
{
	struct wire_buf b;
	size_t fields, used, len;
	char why[160];

	wire_buf_init(&b);
	agent_state_begin(&b, gen, &f->src, &fields);
	agent_state_end(&b, &f->src, fields, 12345, 2);
	assert_true(wire_finish(&b));
	assert_true(b.len <= WIRE_STATE_MAX_FRAME);
	assert_int_equal(wire_decode(b.data, b.len, f->msg, &used, why, sizeof(why)), WIRE_OK);
	len = b.len;
	wire_buf_free(&b);
	return len;
}

static void test_round_trip_carries_cgroups_sched_and_irqs(void **state)
{
	struct fx *f = *state;
	const struct kt_gstate_cgroup *w, *bg, *in;
	size_t i;

	build(f, 7);
	assert_null(gstate_from_wire(f->msg, &f->st));
	assert_true(f->st.valid);
	assert_int_equal(f->st.gen, 7);
	assert_int_equal(f->st.uptime_ms, 12345);
	assert_int_equal(f->st.skipped_rounds, 2);
	assert_int_equal(f->st.ncgroups, 3);
	/* parents first, siblings by name */
	assert_string_equal(f->st.cgroups[0].path, "bg");
	assert_string_equal(f->st.cgroups[1].path, "workers");
	assert_string_equal(f->st.cgroups[2].path, "workers/inner");
	assert_false(f->st.cgroups_truncated);
	w = kt_gstate_cgroup(&f->st, "workers");
	bg = kt_gstate_cgroup(&f->st, "bg");
	in = kt_gstate_cgroup(&f->st, "workers/inner");
	assert_non_null(w);
	assert_true(w->has_cpus);
	assert_string_equal(w->cpus_effective, "0-1");
	assert_int_equal(w->populated, 1);
	assert_int_equal(w->frozen, 1);
	assert_int_equal(w->nprocs, 3);
	assert_string_equal(kt_gstate_knobs[1], "cpu.max");
	assert_true(w->has_knob[1]);
	assert_string_equal(w->knobs[1], "50000 100000");
	assert_string_equal(w->knobs[4], "max");
	assert_false(w->has_knob[0]);
	assert_int_equal(bg->populated, 0);
	assert_false(bg->has_cpus);
	assert_int_equal(in->nprocs, -1);	/* no cgroup.procs in the fixture */
	assert_int_equal(w->workers, 2);	/* the agent's worker table, faked */
	assert_int_equal(bg->workers, 0);
	assert_string_equal(f->st.sched.state, "enabled");
	assert_string_equal(f->st.sched.ops, "simple");
	assert_int_equal(f->st.sched.enable_seq, 3);
	assert_int_equal(f->st.sched.switch_all, 1);
	assert_int_equal(f->st.sched.nr_rejected, 0);
	assert_int_equal(f->st.ncpus, 2);
	assert_int_equal(f->st.nirqs, 9);
	assert_int_equal(f->st.cpu_irqs[0], 40 + 300 + 1 + 0 + 0 + 140350 + 17);
	assert_int_equal(f->st.cpu_irqs[1], 0 + 12 + 0 + 7 + 0 + 141454 + 23);
	for (i = 0; i < f->st.nirqs && strcmp(f->st.irqs[i].name, "4"); i++)
		;
	assert_true(i < f->st.nirqs);
	assert_string_equal(f->st.irqs[i].desc, "IO-APIC 4-edge ttyS0");
	assert_int_equal(kt_gstate_irq_counts(&f->st, i)[1], 12);
	assert_false(f->st.irqs[f->st.nirqs - 1].per_cpu);	/* MIS */
	assert_string_equal(f->st.cgroups_error, "");
	assert_string_equal(f->st.irqs_error, "");
}

static void test_no_sched_ext_reads_absent(void **state)
{
	struct fx *f = *state;

	f->src.sched_ext = "/nonexistent/sched_ext";
	build(f, 1);
	assert_null(gstate_from_wire(f->msg, &f->st));
	assert_string_equal(f->st.sched.state, "absent");
	assert_string_equal(f->st.sched.ops, "");
	assert_int_equal(f->st.sched.enable_seq, -1);
	assert_int_equal(f->st.sched.nr_rejected, -1);
}

static void test_unreadable_sources_arrive_as_errors_not_silence(void **state)
{
	struct fx *f = *state;

	f->src.cgroups = "/nonexistent/cg";
	f->src.interrupts = "/nonexistent/interrupts";
	build(f, 1);
	assert_null(gstate_from_wire(f->msg, &f->st));
	assert_int_equal(f->st.ncgroups, 0);
	assert_int_equal(f->st.nirqs, 0);
	assert_non_null(strstr(f->st.cgroups_error, "/nonexistent/cg"));
	assert_non_null(strstr(f->st.irqs_error, "open /nonexistent/interrupts"));
}

static void test_stable_part_changes_only_with_the_tree(void **state)
{
	struct fx *f = *state;
	struct wire_buf a, b;
	size_t fa, fb, la, lb;

	wire_buf_init(&a);
	wire_buf_init(&b);
	agent_state_begin(&a, 1, &f->src, &fa);
	agent_state_begin(&b, 2, &f->src, &fb);
	la = a.len;
	lb = b.len;
	assert_int_equal(la, lb);
	assert_memory_equal(a.data + WIRE_HDR_SIZE, b.data + WIRE_HDR_SIZE, la - WIRE_HDR_SIZE);
	mk(f->cgroups, "new");
	agent_state_begin(&b, 3, &f->src, &fb);
	assert_true(b.len != la ||
		    memcmp(a.data + WIRE_HDR_SIZE, b.data + WIRE_HDR_SIZE, la - WIRE_HDR_SIZE));
	put(f->scx, "state", "disabled\n");
	agent_state_begin(&a, 4, &f->src, &fa);
	assert_true(a.len != b.len ||
		    memcmp(a.data + WIRE_HDR_SIZE, b.data + WIRE_HDR_SIZE, a.len - WIRE_HDR_SIZE));
	wire_buf_free(&a);
	wire_buf_free(&b);
}

static void test_a_huge_tree_is_cut_to_one_frame_and_says_so(void **state)
{
	struct fx *f = *state;
	size_t len;

	for (int i = 0; i < 400; i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "many-%03d", i);
		mk(f->cgroups, rel);
	}
	len = build(f, 1);
	assert_true(len <= WIRE_STATE_MAX_FRAME);
	assert_null(gstate_from_wire(f->msg, &f->st));
	assert_true(f->st.cgroups_truncated);
	assert_true(f->st.ncgroups > 50);
	assert_true(f->st.ncgroups < 400);
	/* the IRQ table still made it */
	assert_int_equal(f->st.nirqs, 9);
	printf("# 403 cgroups: %zu sent in a %zu-byte frame\n", f->st.ncgroups, len);
}

/* ---- hand-made frames ---- */

struct kv {
	const char *k, *v;
};

static void decode(struct fx *f, uint16_t type, const struct kv *kv)
{
	struct wire_buf b;
	size_t used;

	wire_buf_init(&b);
	wire_begin(&b, type, 9);
	for (; kv->k; kv++)
		wire_put_str(&b, kv->k, kv->v);
	assert_true(wire_finish(&b));
	assert_int_equal(wire_decode(b.data, b.len, f->msg, &used, NULL, 0), WIRE_OK);
	wire_buf_free(&b);
}

static void expect_error(struct fx *f, const struct kv *kv, const char *text)
{
	struct kterr *e;
	char buf[512];

	decode(f, WIRE_STATE, kv);
	e = gstate_from_wire(f->msg, &f->st);
	if (!e)
		fail_msg("no error; expected \"%s\"", text);
	kterr_str(e, buf, sizeof(buf));
	if (!strstr(buf, text))
		fail_msg("expected \"%s\" in \"%s\"", text, buf);
	assert_non_null(strstr(buf, "guest state (STATE seq 9)"));
	kterr_free(e);
	assert_false(f->st.valid);
	assert_int_equal(f->st.ncgroups, 0);
	assert_null(f->st.cgroups);
}

static void test_malformed_frames_fail_naming_the_field(void **state)
{
	struct fx *f = *state;

	expect_error(f, (struct kv[]){ { "cg.n", "many" }, { 0 } }, "cg.n: 'many' is not a number");
	expect_error(f, (struct kv[]){ { "cg.n", "-1" }, { 0 } }, "cg.n: '-1' is not a number");
	expect_error(f, (struct kv[]){ { "cg.n", "5000" }, { 0 } }, "5000 rows, but the frame has only 1 fields");
	expect_error(f, (struct kv[]){ { "cg.n", "1" }, { "cg.1.path", "x" }, { 0 } },
		     "cg.1.path: index beyond cg.n (1)");
	expect_error(f, (struct kv[]){ { "cg.n", "1" }, { "cg.99999999999999999999999.path", "x" }, { 0 } },
		     "index beyond cg.n");
	expect_error(f, (struct kv[]){ { "cg.n", "1" }, { "cg.0.cpus", "0" }, { 0 } },
		     "cgroup 0 of 1 has no cg.0.path");
	expect_error(f, (struct kv[]){ { "cg.n", "1" }, { "cg.0.path", "a" }, { "cg.0.nprocs", "3x" }, { 0 } },
		     "cg.0.nprocs: '3x' is not a count");
	expect_error(f, (struct kv[]){ { "cg.n", "1" }, { "cg.0.path", "a" }, { "cg.0.frozen", "2" }, { 0 } },
		     "cg.0.frozen: '2' is not -1, 0 or 1");
	expect_error(f, (struct kv[]){ { "sched.enable_seq", "" }, { 0 } },
		     "sched.enable_seq: '' is not a number");
	expect_error(f, (struct kv[]){ { "irq.n", "1" }, { "irq.0.name", "0" }, { 0 } },
		     "1 IRQ rows but no irq.cpus");
	expect_error(f, (struct kv[]){ { "irq.cpus", "0 1" }, { "irq.n", "1" }, { "irq.0.name", "0" },
				       { "irq.0.counts", "1 2 3" }, { 0 } },
		     "irq.0.counts: '1 2 3' is not 2 counts");
	expect_error(f, (struct kv[]){ { "irq.cpus", "0 1" }, { "irq.n", "1" }, { "irq.0.name", "0" }, { 0 } },
		     "IRQ row 0 has neither irq.0.counts nor irq.0.total");
	expect_error(f, (struct kv[]){ { "irq.cpus", "0 1" }, { "irq.cpu_totals", "5" }, { 0 } },
		     "irq.cpu_totals: '5' is not 2 counts");
	expect_error(f, (struct kv[]){ { "irq.cpus", "0 x" }, { 0 } }, "irq.cpus: '0 x' is not a list");
	expect_error(f, (struct kv[]){ { "irq.cpus", "4096" }, { 0 } }, "CPU 4096 is beyond 1023");
	expect_error(f, (struct kv[]){ { "irq.cpus", "0  1" }, { 0 } }, "is not a list");
	expect_error(f, (struct kv[]){ { "uptime_ms", "soon" }, { 0 } }, "uptime_ms: 'soon'");
}

/* Worker progress rides on every frame: the agent's merged groups reach
 * the host's kt_gstate, each with its workers' records and its cgroup's
 * cpu.stat; a frame without wk.* means none. */
static size_t fake_nworkers = 2;

static size_t fake_progress(struct agent_wk *wk, size_t max)
{
	assert_true(max >= 2);
	memset(wk, 0, 2 * sizeof(*wk));
	snprintf(wk[0].cgroup, 64, "workers");
	wk[0].iterations = 22081;
	wk[0].recs = calloc(fake_nworkers, sizeof(*wk[0].recs));
	assert_non_null(wk[0].recs);
	wk[0].nrecs = fake_nworkers;
	for (size_t i = 0; i < fake_nworkers; i++)
		wk[0].recs[i] = (struct wire_worker_rec){
			.pid = 100 + (int)i, .cpu_now = (int)i % 2, .iterations = 11000 + i,
			.cpu_ns = 5000000000ull, .migrations = 3, .max_wake_ns = 250000,
			.wake_p99_ns = 90000, .run_delay_ns = UINT64_MAX, .cpus = { 0x3 },
		};
	snprintf(wk[1].cgroup, 64, "@runner");
	wk[1].iterations = 6;
	return 2;
}

static void test_worker_progress_round_trip(void **state)
{
	struct fx *f = *state;
	const struct kt_gstate_wgroup *g;
	const struct kt_gstate_worker *w;

	put(f->cgroups, "workers/cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n"
	    "core_sched.force_idle_usec 0\nnr_periods 40\nnr_throttled 7\n"
	    "throttled_usec 91000\nnr_bursts 0\nburst_usec 0\n");
	f->src.progress = fake_progress;
	fake_nworkers = 2;
	build(f, 3);
	assert_null(gstate_from_wire(f->msg, &f->st));
	assert_int_equal(f->st.nwgroups, 2);
	assert_string_equal(f->st.wgroups[0].cgroup, "workers");
	assert_int_equal(f->st.wgroups[0].iterations, 22081);
	assert_string_equal(f->st.wgroups[1].cgroup, "@runner");
	assert_int_equal(f->st.wgroups[1].iterations, 6);
	/* the records */
	assert_int_equal(f->st.nworkers, 2);
	g = kt_gstate_wgroup(&f->st, "workers");
	assert_non_null(g);
	assert_int_equal(g->first, 0);
	assert_int_equal(g->nworkers, 2);
	assert_int_equal(g->unlisted, 0);
	w = &f->st.workers[g->first + 1];
	assert_int_equal(w->pid, 101);
	assert_int_equal(w->cpu_now, 1);
	assert_int_equal(w->iterations, 11001);
	assert_int_equal(w->cpu_ns, 5000000000ull);
	assert_int_equal(w->migrations, 3);
	assert_int_equal(w->max_wake_ns, 250000);
	assert_int_equal(w->cpus[0], 0x3);
	assert_true(w->run_delay_ns == UINT64_MAX);
	/* cpu.stat, the keys ktcon reads; none for the runner */
	assert_int_equal(g->cpustat[KT_GSTATE_CPUSTAT_USAGE], 1500);
	assert_int_equal(g->cpustat[KT_GSTATE_CPUSTAT_SYSTEM], 500);
	assert_int_equal(g->cpustat[KT_GSTATE_CPUSTAT_NR_PERIODS], 40);
	assert_int_equal(g->cpustat[KT_GSTATE_CPUSTAT_NR_THROTTLED], 7);
	assert_int_equal(g->cpustat[KT_GSTATE_CPUSTAT_THROTTLED], 91000);
	g = kt_gstate_wgroup(&f->st, "@runner");
	assert_int_equal(g->nworkers, 0);
	assert_int_equal(g->first, 2);
	assert_int_equal(g->cpustat[KT_GSTATE_CPUSTAT_USAGE], -1);
	kt_gstate_clear(&f->st);

	/* a cpu.stat without bandwidth lines: those stay unknown */
	put(f->cgroups, "workers/cpu.stat", "usage_usec 9\nuser_usec 9\nsystem_usec 0\n");
	build(f, 4);
	assert_null(gstate_from_wire(f->msg, &f->st));
	g = kt_gstate_wgroup(&f->st, "workers");
	assert_int_equal(g->cpustat[KT_GSTATE_CPUSTAT_USAGE], 9);
	assert_int_equal(g->cpustat[KT_GSTATE_CPUSTAT_NR_THROTTLED], -1);
	kt_gstate_clear(&f->st);

	f->src.progress = NULL;
	build(f, 5);
	assert_null(gstate_from_wire(f->msg, &f->st));
	assert_int_equal(f->st.nwgroups, 0);
	assert_int_equal(f->st.nworkers, 0);
	expect_error(f, (struct kv[]){ { "wk.n", "1" }, { "wk.0.cgroup", "w" }, { 0 } },
		     "wk.0.iter missing");
	expect_error(f, (struct kv[]){ { "wk.n", "1" }, { "wk.0.cgroup", "w" },
				       { "wk.0.iter", "-3" }, { 0 } }, "wk.0.iter: '-3'");
	expect_error(f, (struct kv[]){ { "wk.n", "9" }, { 0 } }, "9 rows, but the frame has only 1");
	expect_error(f, (struct kv[]){ { "wk.n", "1" }, { "wk.0.cgroup", "w" }, { "wk.0.iter", "1" },
				       { "wk.0.cpu.nr_throttled", "x" }, { 0 } },
		     "wk.0.cpu.nr_throttled: 'x' is not a number");
	/* text where records belong: refused, naming the field */
	expect_error(f, (struct kv[]){ { "wk.n", "1" }, { "wk.0.cgroup", "w" }, { "wk.0.iter", "1" },
				       { "wk.0.workers", "12" }, { 0 } },
		     "wk.0.workers: records: 2 bytes");
}

/* Many workers: the records stop at the frame's worker budget, the rest
 * are counted as unlisted, and the frame stays one write. */
static void test_too_many_workers_are_counted_not_sent(void **state)
{
	struct fx *f = *state;
	const struct kt_gstate_wgroup *g;

	f->src.progress = fake_progress;
	fake_nworkers = 500;
	build(f, 3);
	assert_null(gstate_from_wire(f->msg, &f->st));
	g = kt_gstate_wgroup(&f->st, "workers");
	assert_non_null(g);
	assert_true(g->nworkers > 20);
	assert_true(g->nworkers < 500);
	assert_int_equal(g->nworkers + g->unlisted, 500);
	assert_int_equal(f->st.nirqs > 0, 1);	/* the IRQ table still came */
	fake_nworkers = 2;
}

static void test_wrong_type_and_empty_frames(void **state)
{
	struct fx *f = *state;
	struct kterr *e;

	decode(f, WIRE_LOG, (struct kv[]){ { "line", "x" }, { 0 } });
	e = gstate_from_wire(f->msg, &f->st);
	assert_non_null(e);
	assert_true(kterr_contains(e, "a LOG frame is not a STATE"));
	kterr_free(e);
	/* An empty STATE is a valid, empty state: nothing is required. */
	decode(f, WIRE_STATE, (struct kv[]){ { 0 } });
	assert_null(gstate_from_wire(f->msg, &f->st));
	assert_true(f->st.valid);
	assert_int_equal(f->st.ncgroups, 0);
	assert_int_equal(f->st.sched.enable_seq, -1);
}

static void test_unknown_keys_are_ignored(void **state)
{
	struct fx *f = *state;

	decode(f, WIRE_STATE, (struct kv[]){ { "cg.n", "1" }, { "cg.0.path", "a" },
					     { "cg.0.workers", "4" }, { "future.thing", "x" },
					     { "cg.x.path", "y" }, { 0 } });
	assert_null(gstate_from_wire(f->msg, &f->st));
	assert_int_equal(f->st.ncgroups, 1);
	assert_string_equal(f->st.cgroups[0].path, "a");
}

static void test_copy_is_deep(void **state)
{
	struct fx *f = *state;
	struct kt_gstate c;

	build(f, 3);
	assert_null(gstate_from_wire(f->msg, &f->st));
	assert_null(kt_gstate_copy(&c, &f->st));
	kt_gstate_clear(&f->st);
	assert_int_equal(c.ncgroups, 3);
	assert_string_equal(c.cgroups[2].path, "workers/inner");
	assert_int_equal(kt_gstate_irq_counts(&c, 1)[0], 300);
	kt_gstate_clear(&c);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_round_trip_carries_cgroups_sched_and_irqs),
		T(test_no_sched_ext_reads_absent),
		T(test_unreadable_sources_arrive_as_errors_not_silence),
		T(test_stable_part_changes_only_with_the_tree),
		T(test_a_huge_tree_is_cut_to_one_frame_and_says_so),
		T(test_malformed_frames_fail_naming_the_field),
		T(test_worker_progress_round_trip),
		T(test_too_many_workers_are_counted_not_sent),
		T(test_wrong_type_and_empty_frames),
		T(test_unknown_keys_are_ignored),
		T(test_copy_is_deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
