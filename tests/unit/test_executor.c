/* test_executor.c - the seed's engine-side rules, through the executor,
 * against the fake guest link and the fake host. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <cmocka.h>

#include "engine/executor.h"
#include "exec_harness.h"

static void test_move_all_tasks_rejects_self_move(void **state)
{
	RUN(h, "step\n"
	       "  cgroup a workers=1\n"
	       "  move-all-tasks a a\n");
	assert_non_null(h.err);
	assert_contains(h.errstr, "self-move from 'a' to 'a'");
	assert_contains(h.errstr, "t.recipe:3: move-all-tasks a a");
	assert_int_equal(fake_link_count(&h.link, "move-all-tasks"), 0);
	assert_int_equal(harness_line(&h, 3)->status, KT_RES_FAIL);
	harness_free(&h);
}

static void test_move_all_tasks_rejects_runner_to_runner_self_move(void **state)
{
	RUN(h, "step\n"
	       "  spawn @runner workers=2\n"
	       "  move-all-tasks @runner \"\"\n");
	assert_non_null(h.err);
	assert_contains(h.errstr, "self-move from '@runner' to '@runner'");
	assert_int_equal(fake_link_count(&h.link, "move-all-tasks"), 0);
	harness_free(&h);
}

static void test_move_backdrop_to_step_local_rejected_naming_pair_and_fixes(void **state)
{
	RUN(h, "backdrop\n"
	       "  add-cgroup bg\n"
	       "  spawn bg workers=2\n"
	       "step\n"
	       "  add-cgroup s\n"
	       "  move-all-tasks bg s\n");
	assert_non_null(h.err);
	assert_contains(h.errstr, "backdrop 'bg' to step-local 's' rejected");
	assert_contains(h.errstr, "declare 's' in the backdrop too");
	assert_contains(h.errstr, "move the tasks into a backdrop-owned cgroup");
	assert_int_equal(fake_link_count(&h.link, "move-all-tasks"), 0);
	harness_free(&h);
}

static void test_move_inside_backdrop_setup_is_exempt(void **state)
{
	RUN(h, "backdrop\n"
	       "  add-cgroup a\n"
	       "  add-cgroup b\n"
	       "  spawn a workers=1\n"
	       "  move-all-tasks a b\n"
	       "step\n"
	       "  move-all-tasks b a\n");
	assert_null(h.err);
	assert_int_equal(fake_link_count(&h.link, "move-all-tasks"), 2);
	harness_free(&h);
}

static void test_move_step_local_to_backdrop_keeps_workers_past_step(void **state)
{
	int rm_w, stop_bg;

	RUN(h, "backdrop\n"
	       "  add-cgroup bg\n"
	       "step\n"
	       "  cgroup w workers=2\n"
	       "  move-all-tasks w bg\n"
	       "step\n"
	       "  stop-cgroup bg\n");
	assert_null(h.err);
	/* Step 1's teardown stops no workers (they moved to the backdrop)
	 * and removes w; bg's workers are stopped by step 2's op. */
	rm_w = fake_link_find(&h.link, "remove-cgroup w", 0);
	stop_bg = fake_link_find(&h.link, "stop-cgroup bg", 0);
	assert_true(rm_w >= 0 && stop_bg > rm_w);
	assert_int_equal(fake_link_count(&h.link, "stop-cgroup"), 1);
	harness_free(&h);
}

static void test_runner_workers_rekeyed_by_move(void **state)
{
	RUN(h, "step\n"
	       "  cgroup w\n"
	       "  spawn @runner workers=3\n"
	       "  move-all-tasks @runner w\n");
	assert_null(h.err);
	/* Teardown stops w's workers, not the runner's: they were re-keyed. */
	assert_int_equal(fake_link_count(&h.link, "stop-cgroup w"), 1);
	assert_int_equal(fake_link_count(&h.link, "stop-cgroup @runner"), 0);
	harness_free(&h);
}

static void test_remove_backdrop_cgroup_drops_tracking_so_it_can_be_readded(void **state)
{
	RUN(h, "backdrop\n"
	       "  add-cgroup bg\n"
	       "step\n"
	       "  remove-cgroup bg\n"
	       "  add-cgroup bg\n");
	assert_null(h.err);
	assert_int_equal(fake_link_count(&h.link, "add-cgroup bg"), 2);
	harness_free(&h);
}

static void test_add_cgroup_of_tracked_backdrop_name_is_rejected(void **state)
{
	RUN(h, "backdrop\n"
	       "  add-cgroup bg\n"
	       "step\n"
	       "  add-cgroup bg\n");
	assert_contains(h.errstr, "cgroup 'bg' already exists (backdrop)");
	harness_free(&h);
}

static void test_add_cgroup_def_collides_with_backdrop_def(void **state)
{
	RUN(h, "backdrop\n"
	       "  cgroup bg workers=1\n"
	       "step\n"
	       "  add-cgroup-def bg cpuset=0\n");
	assert_contains(h.errstr, "cgroup definition 'bg' collides with the backdrop cgroup "
				  "definition 'bg'");
	assert_int_equal(fake_link_count(&h.link, "add-cgroup-def"), 1);
	harness_free(&h);
}

static void test_add_cgroup_def_collides_with_step_local_def(void **state)
{
	RUN(h, "step\n"
	       "  cgroup w cpuset=0-1\n"
	       "  add-cgroup-def w workers=2\n");
	assert_contains(h.errstr, "collides with the step-local cgroup definition 'w'");
	harness_free(&h);
}

static void test_spawn_rejects_workers_pct_for_runner_placement(void **state)
{
	RUN(h, "step\n"
	       "  spawn @runner workers-pct=50\n");
	assert_contains(h.errstr, "workers-pct is rejected for runner placement");
	assert_int_equal(fake_link_count(&h.link, "spawn"), 0);
	harness_free(&h);
}

static void test_spawn_workers_pct_counts_cgroup_cpuset(void **state)
{
	RUN(h, "vm cpus=8\n"
	       "step\n"
	       "  cgroup w cpuset=0-3\n"
	       "  spawn w workers-pct=50\n");
	assert_null(h.err);
	assert_true(fake_link_find(&h.link, "spawn w workers=2", 0) >= 0);
	harness_free(&h);
}

/* The number the checker range-checked is the number the guest gets:
 * "010" is ten for both (strtoul's octal eight before). */
static void test_numbers_reach_the_guest_as_checked(void **state)
{
	RUN(h, "step\n"
	       "  spawn @runner workers=010\n");
	assert_null(h.err);
	assert_true(fake_link_find(&h.link, "spawn @runner workers=10", 0) >= 0);
	harness_free(&h);
}

static void test_spawn_into_missing_cgroup_names_it(void **state)
{
	RUN(h, "step\n"
	       "  spawn nowhere workers=1\n");
	assert_contains(h.errstr, "cgroup 'nowhere' does not exist");
	harness_free(&h);
}

static void test_run_payload_rejects_scheduler_kind_payload(void **state)
{
	RUN(h, "stage-scheduler mysched /bin/mysched\n"
	       "step\n"
	       "  run-payload mysched\n");
	assert_contains(h.errstr, "'mysched' is a scheduler-kind payload");
	assert_contains(h.errstr, "attach-scheduler mysched");
	assert_int_equal(fake_link_count(&h.link, "run-payload"), 0);
	harness_free(&h);
}

static const char payloads_hdr[] = "stage-payload stress /usr/bin/stress-ng args=\"--cpu 1\"\n";

static void test_wait_payload_without_cgroup_is_ambiguous_with_two_live(void **state)
{
	char text[512];

	snprintf(text, sizeof(text), "%sstep\n"
		 "  cgroup a\n  cgroup b\n"
		 "  run-payload stress cgroup=a\n"
		 "  run-payload stress cgroup=b\n"
		 "  wait-payload stress\n", payloads_hdr);
	RUN(h, text);
	assert_contains(h.errstr, "ambiguous — specify cgroup");
	assert_contains(h.errstr, "wait-payload stress cgroup=a");
	assert_int_equal(fake_link_count(&h.link, "wait-payload"), 0);
	harness_free(&h);
}

static void test_wait_payload_by_name_and_cgroup_consumes_it(void **state)
{
	char text[512];

	snprintf(text, sizeof(text), "%sstep\n"
		 "  cgroup a\n  cgroup b\n"
		 "  run-payload stress cgroup=a args=\"--timeout 1s\"\n"
		 "  run-payload stress cgroup=b\n"
		 "  wait-payload stress cgroup=a\n"
		 "  expect payload stress cgroup=a exit=3\n"
		 "  wait-payload stress\n", payloads_hdr);
	{
		struct harness h;

		harness_init(&h);
		h.link.exit_status = 3;
		harness_run(&h, text);
		assert_null(h.err);
		assert_int_equal(fake_link_count(&h.link, "wait-payload stress in a"), 1);
		/* The unique live copy left is b's. */
		assert_int_equal(fake_link_count(&h.link, "wait-payload stress in b"), 1);
		/* Nothing left to drain at teardown. */
		assert_int_equal(fake_link_count(&h.link, "kill-payload"), 0);
		harness_free(&h);
	}
}

static void test_wait_payload_consumed_pair_is_an_error(void **state)
{
	char text[512];

	snprintf(text, sizeof(text), "%sstep\n"
		 "  run-payload stress\n"
		 "  kill-payload stress\n"
		 "  wait-payload stress\n", payloads_hdr);
	RUN(h, text);
	assert_contains(h.errstr, "already consumed");
	harness_free(&h);
}

static void test_kill_payload_unknown_pair_is_an_error(void **state)
{
	char text[512];

	snprintf(text, sizeof(text), "%sstep\n"
		 "  cgroup a\n"
		 "  run-payload stress cgroup=a\n"
		 "  kill-payload stress cgroup=b\n", payloads_hdr);
	RUN(h, text);
	assert_contains(h.errstr, "kill-payload stress (cgroup 'b'): unknown payload");
	assert_contains(h.errstr, "run-payload stress cgroup=b");
	harness_free(&h);
}

static void test_unconsumed_payload_drained_at_step_teardown(void **state)
{
	char text[512];

	snprintf(text, sizeof(text), "%sstep\n  run-payload stress\nstep\n  add-cgroup x\n",
		 payloads_hdr);
	RUN(h, text);
	assert_null(h.err);
	assert_true(fake_link_find(&h.link, "kill-payload stress", 0) <
		    fake_link_find(&h.link, "add-cgroup x", 0));
	harness_free(&h);
}

static void test_capture_cgroup_procs_rejects_empty_tag(void **state)
{
	RUN(h, "step\n"
	       "  cgroup w\n"
	       "  capture-cgroup-procs \"\" w\n");
	assert_contains(h.errstr, "capture-cgroup-procs: empty tag rejected");
	assert_int_equal(fake_link_count(&h.link, "capture-cgroup-procs"), 0);
	harness_free(&h);
}

static void test_capture_snapshot_rejects_empty_tag(void **state)
{
	RUN(h, "step\n"
	       "  capture-snapshot \"\"\n");
	assert_contains(h.errstr, "capture-snapshot: empty tag rejected");
	assert_int_equal(h.host.captures, 0);
	harness_free(&h);
}

static void test_fourth_watch_is_rejected(void **state)
{
	RUN(h, "step\n"
	       "  watch-snapshot jiffies_64\n"
	       "  watch-snapshot scx_watchdog_timestamp\n"
	       "  watch-snapshot nr_cpu_ids\n"
	       "  watch-snapshot max_pfn\n");
	assert_contains(h.errstr, "a 4th watch is over the cap of 3");
	assert_int_equal(h.host.narmed, 3);
	assert_int_equal(h.host.armed[2], 2);
	assert_int_equal(harness_line(&h, 5)->status, KT_RES_FAIL);
	harness_free(&h);
}

static void test_adjacent_cold_writes_merge_into_one_freeze(void **state)
{
	RUN(h, "step\n"
	       "  write-kernel-cold jiffies_64 u64=1\n"
	       "  write-kernel-cold runqueues@0+8 u32=2 runqueues@1+8 u32=2\n"
	       "  write-kernel-cold 0xffffffff81000000 bytes:2=beef\n"
	       "  add-cgroup x\n"
	       "  write-kernel-cold jiffies_64 u64=5\n"
	       "  write-kernel-hot jiffies_64 u64=6\n"
	       "  write-kernel-hot jiffies_64 u64=7\n");
	assert_null(h.err);
	/* Three adjacent lines, four pairs: one freeze; the line after
	 * add-cgroup is not adjacent: a second. Hot writes never merge. */
	assert_int_equal(h.host.cold_calls, 2);
	assert_int_equal(h.host.hot_calls, 2);
	assert_int_equal(harness_line(&h, 4)->status, KT_RES_PASS);
	assert_string_equal(harness_line(&h, 2)->captured, "{\"merged_ops\": 3, \"writes\": 4}");
	harness_free(&h);
}

static void test_op_failure_fails_step_and_skips_to_teardown_with_chain(void **state)
{
	struct harness h;

	harness_init(&h);
	h.link.fail_prefix = "freeze-cgroup w";
	h.link.fail_errno = ENOENT;
	h.link.fail_msg = "open /sys/fs/cgroup/ktcon/w/cgroup.freeze";
	harness_run(&h, "step\n"
			"  cgroup w workers=2\n"
			"  freeze-cgroup w\n"
			"  add-cgroup never\n"
			"step\n"
			"  add-cgroup later\n");
	assert_non_null(h.err);
	assert_contains(h.errstr, "t.recipe:3: freeze-cgroup w: open /sys/fs/cgroup/ktcon/w/"
				  "cgroup.freeze: No such file or directory");
	assert_int_equal(kterr_errno_of(h.err), ENOENT);
	assert_int_equal(harness_line(&h, 4)->status, KT_RES_SKIP);
	assert_int_equal(harness_line(&h, 6)->status, KT_RES_SKIP);
	assert_int_equal(fake_link_count(&h.link, "add-cgroup never"), 0);
	assert_int_equal(fake_link_count(&h.link, "add-cgroup later"), 0);
	/* Teardown still ran. */
	assert_true(fake_link_find(&h.link, "stop-cgroup w", 0) >= 0);
	assert_true(fake_link_find(&h.link, "remove-cgroup w", 0) >= 0);
	assert_false(kt_exec_results(h.x)->passed);
	harness_free(&h);
}

static void test_expect_error_turns_failure_into_pass(void **state)
{
	struct harness h;

	harness_init(&h);
	h.link.fail_prefix = "freeze-cgroup ghost";
	h.link.fail_errno = ENOENT;
	h.link.fail_msg = "open /sys/fs/cgroup/ktcon/ghost/cgroup.freeze";
	harness_run(&h, "step\n"
			"  freeze-cgroup ghost\n"
			"  expect error \"cgroup.freeze\"\n"
			"  add-cgroup after\n");
	assert_null(h.err);
	assert_int_equal(harness_line(&h, 2)->status, KT_RES_XFAIL);
	assert_int_equal(harness_line(&h, 3)->status, KT_RES_PASS);
	assert_int_equal(harness_line(&h, 4)->status, KT_RES_PASS);
	assert_true(kt_exec_results(h.x)->passed);
	harness_free(&h);
}

static void test_expect_error_fails_when_the_op_succeeds(void **state)
{
	RUN(h, "step\n"
	       "  add-cgroup fine\n"
	       "  expect error\n");
	assert_contains(h.errstr, "expect error: the op before succeeded");
	assert_int_equal(harness_line(&h, 3)->status, KT_RES_FAIL);
	harness_free(&h);
}

static void test_expect_error_with_other_text_fails_the_step(void **state)
{
	RUN(h, "step\n"
	       "  move-all-tasks a a\n"
	       "  expect error \"ambiguous\"\n"
	       "  add-cgroup skipped\n");
	assert_contains(h.errstr, "self-move");
	assert_int_equal(harness_line(&h, 2)->status, KT_RES_FAIL);
	assert_int_equal(harness_line(&h, 3)->status, KT_RES_FAIL);
	assert_int_equal(harness_line(&h, 4)->status, KT_RES_SKIP);
	harness_free(&h);
}

static void test_capture_snapshot_without_backend_warns_and_continues(void **state)
{
	struct harness h;

	harness_init(&h);
	h.no_snapshots = true;
	harness_run(&h, "step\n"
			"  capture-snapshot before\n"
			"  add-cgroup next\n");
	assert_null(h.err);
	assert_int_equal(harness_line(&h, 2)->status, KT_RES_WARN);
	assert_contains(harness_line(&h, 2)->error, "no snapshot backend");
	assert_int_equal(harness_line(&h, 3)->status, KT_RES_PASS);
	harness_free(&h);
}

static void test_step_teardown_thaws_stops_drains_then_removes_deepest_first(void **state)
{
	char text[512];
	int thaw, stop, kill, rm_child, rm_parent;

	snprintf(text, sizeof(text), "%sstep\n"
		 "  cgroup a workers=1\n"
		 "  add-cgroup a/b\n"
		 "  run-payload stress cgroup=a/b\n"
		 "  freeze-cgroup a\n", payloads_hdr);
	RUN(h, text);
	assert_null(h.err);
	thaw = fake_link_find(&h.link, "unfreeze-cgroup a", 0);
	stop = fake_link_find(&h.link, "stop-cgroup a", 0);
	kill = fake_link_find(&h.link, "kill-payload stress in a/b", 0);
	rm_child = fake_link_find(&h.link, "remove-cgroup a/b", 0);
	rm_parent = fake_link_find(&h.link, "remove-cgroup a", rm_child + 1);
	assert_true(thaw >= 0 && thaw < stop && stop < kill && kill < rm_child &&
		    rm_child < rm_parent);
	harness_free(&h);
}

static void test_backdrop_torn_down_at_scenario_end(void **state)
{
	RUN(h, "backdrop\n"
	       "  add-cgroup bg\n"
	       "  spawn bg workers=1\n"
	       "  pin-bpf-map qmap.bss\n"
	       "step hold=1s\n"
	       "  add-cgroup s\n"
	       "step\n"
	       "  add-cgroup t\n");
	assert_null(h.err);
	/* bg outlives both steps. */
	assert_true(fake_link_find(&h.link, "remove-cgroup bg", 0) >
		    fake_link_find(&h.link, "remove-cgroup t", 0));
	assert_true(fake_link_find(&h.link, "stop-cgroup bg", 0) >
		    fake_link_find(&h.link, "add-cgroup t", 0));
	assert_true(fake_link_find(&h.link, "unpin-bpf-maps", 0) >= 0);
	harness_free(&h);
}

static void test_hold_fixed_and_fraction_take_their_time(void **state)
{
	uint64_t t0;
	struct harness h;

	harness_init(&h);
	t0 = h.now;
	harness_run(&h, "duration 10s\nstep hold=2s\n  add-cgroup a\nstep hold=0.3\n  add-cgroup b\n");
	assert_null(h.err);
	assert_true(h.now - t0 >= 5000000000ULL && h.now - t0 < 5100000000ULL);
	harness_free(&h);
}

static void test_hold_loop_repeats_ops_until_share_ends(void **state)
{
	RUN(h, "duration 1s\n"
	       "step hold=loop:200ms\n"
	       "  cgroup w\n"
	       "  capture-cgroup-procs t w\n");
	assert_null(h.err);
	/* Once, then every 200ms of the 1s share: 5 more times. */
	assert_int_equal(fake_link_count(&h.link, "capture-cgroup-procs"), 6);
	assert_int_equal(fake_link_count(&h.link, "add-cgroup-def"), 1);
	assert_int_equal(harness_line(&h, 4)->runs, 6);
	harness_free(&h);
}

/* The fake guest reports a state with one cgroup. */
static void fake_state(struct fake_link *f, uint64_t gen, const char *cg)
{
	kt_gstate_clear(&f->state);
	f->state.valid = true;
	f->state.gen = gen;
	f->state.cgroups = calloc(1, sizeof(*f->state.cgroups));
	assert_non_null(f->state.cgroups);
	snprintf(f->state.cgroups[0].path, sizeof(f->state.cgroups[0].path), "%s", cg);
	f->state.ncgroups = 1;
	f->state_gen = gen;
}

static void test_holds_pump_the_link_and_keep_its_latest_state(void **state)
{
	struct harness h;
	struct kt_gstate g;
	uint64_t t0;

	harness_init(&h);
	h.link.with_poll = true;
	h.link.now = &h.now;
	fake_state(&h.link, 1, "a");
	t0 = h.now;
	harness_run(&h, "step hold=2s\n  add-cgroup a\n");
	assert_null(h.err);
	/* The whole hold was spent draining the link, in slices. */
	assert_true(h.now - t0 >= 2000000000ULL);
	assert_true(h.link.poll_ns >= 2000000000ULL);
	assert_true(h.link.npolls >= 100);
	uint64_t ui = 0, sampler = 0;

	assert_true(kt_exec_gstate(h.x, &ui, &g));
	assert_int_equal(g.ncgroups, 1);
	assert_string_equal(g.cgroups[0].path, "a");
	kt_gstate_clear(&g);
	/* Once per reader: nothing newer for this one, ... */
	assert_false(kt_exec_gstate(h.x, &ui, &g));
	assert_false(g.valid);
	/* ... while another reader still gets it (the console's UI and its
	 * live sampler both read the state). */
	assert_true(kt_exec_gstate(h.x, &sampler, &g));
	assert_string_equal(g.cgroups[0].path, "a");
	kt_gstate_clear(&g);
	/* A newer state comes next: each reader gets it once. */
	fake_state(&h.link, 2, "b");
	kt_exec_pump(h.x, 0);
	assert_true(kt_exec_gstate(h.x, &ui, &g));
	assert_int_equal(g.gen, 2);
	assert_string_equal(g.cgroups[0].path, "b");
	kt_gstate_clear(&g);
	assert_true(kt_exec_gstate(h.x, &sampler, &g));
	assert_int_equal(g.gen, 2);
	kt_gstate_clear(&g);
	assert_false(kt_exec_gstate(h.x, &sampler, &g));
	harness_free(&h);
}

static void test_state_arriving_during_a_request_is_kept(void **state)
{
	struct harness h;
	struct kt_gstate g;

	harness_init(&h);
	h.link.with_poll = true;
	h.link.now = &h.now;
	fake_state(&h.link, 5, "x");
	/* no hold: only the poll after each request sees it */
	harness_run(&h, "step\n  add-cgroup x\n");
	assert_null(h.err);
	assert_int_equal(h.link.poll_ns, 0);
	assert_true(kt_exec_gstate(h.x, &(uint64_t){ 0 }, &g));
	assert_int_equal(g.gen, 5);
	kt_gstate_clear(&g);
	harness_free(&h);
}

static void test_link_without_poll_sleeps_and_has_no_state(void **state)
{
	struct kt_gstate g;

	RUN(h, "step hold=1s\n  add-cgroup a\n");
	assert_null(h.err);
	assert_int_equal(h.link.npolls, 0);
	assert_false(kt_exec_gstate(h.x, &(uint64_t){ 0 }, &g));
	assert_false(g.valid);
	assert_null(g.cgroups);
	harness_free(&h);
}

struct warns {
	int n;
	char last[256];
};

static void count_warn(void *ctx, const struct kt_event *ev)
{
	struct warns *w = ctx;

	if (ev->kind != KT_EV_WARN)
		return;
	w->n++;
	snprintf(w->last, sizeof(w->last), "%s", ev->text);
}

static void test_broken_poll_is_said_once_and_holds_still_take_their_time(void **state)
{
	struct harness h;
	struct warns w = { 0 };
	uint64_t t0;

	harness_init(&h);
	h.link.with_poll = true;
	h.link.now = &h.now;
	h.link.poll_fail = "control channel closed";
	kt_events_subscribe(h.events, count_warn, &w);
	t0 = h.now;
	harness_run(&h, "step hold=1s\n  add-cgroup a\n");
	assert_null(h.err);
	assert_true(h.now - t0 >= 1000000000ULL && h.now - t0 < 1100000000ULL);
	assert_int_equal(h.link.npolls, 1);
	assert_int_equal(w.n, 1);
	assert_contains(w.last, "guest link: control channel closed");
	harness_free(&h);
}

static void test_detach_scheduler_with_none_attached_fails(void **state)
{
	RUN(h, "step\n"
	       "  detach-scheduler\n");
	assert_contains(h.errstr, "detach-scheduler: no scheduler is attached");
	assert_int_equal(fake_link_count(&h.link, "detach-scheduler"), 0);
	harness_free(&h);
}

static void test_replace_needs_attached_and_restart_uses_boot_scheduler(void **state)
{
	RUN(h, "scheduler scx_simple\n"
	       "stage-scheduler qmap /bin/scx_qmap\n"
	       "step\n"
	       "  replace-scheduler qmap\n"
	       "  restart-scheduler\n"
	       "  detach-scheduler\n"
	       "  replace-scheduler qmap\n"
	       "  expect error \"no scheduler is attached\"\n"
	       "  attach-scheduler qmap\n");
	assert_null(h.err);
	assert_int_equal(fake_link_count(&h.link, "replace-scheduler qmap"), 1);
	assert_int_equal(fake_link_count(&h.link, "attach-scheduler qmap"), 1);
	assert_true(kt_exec_scenario(h.x)->sched_attached);
	harness_free(&h);
}

/* Once the link says the guest is gone, nothing more is sent: the rest of
 * the step and the later steps are skipped and teardown asks nothing. */
static void test_a_dead_guest_stops_the_run(void **state)
{
	struct harness h;

	harness_init(&h);
	h.link.die_at = "freeze-cgroup";
	harness_run(&h, "backdrop\n"
			"  add-cgroup bg\n"
			"step\n"
			"  add-cgroup a\n"
			"  freeze-cgroup a\n"
			"  add-cgroup b\n"
			"step\n"
			"  add-cgroup c\n");
	assert_contains(h.errstr, "guest kernel panic");
	assert_int_equal(harness_line(&h, 6)->status, KT_RES_SKIP);
	assert_int_equal(harness_line(&h, 8)->status, KT_RES_SKIP);
	assert_int_equal(fake_link_find(&h.link, "freeze-cgroup", 0), h.link.nlog - 1);
	assert_int_equal(kt_exec_results(h.x)->nteardown, 0);
	assert_false(kt_exec_results(h.x)->passed);
	harness_free(&h);
}

static void test_pin_bpf_map_twice_is_a_noop(void **state)
{
	RUN(h, "step\n"
	       "  pin-bpf-map qmap.bss\n"
	       "  pin-bpf-map qmap.bss\n");
	assert_null(h.err);
	assert_int_equal(fake_link_count(&h.link, "pin-bpf-map"), 1);
	harness_free(&h);
}

static void test_steer_irq_to_offline_cpu_names_it(void **state)
{
	RUN(h, "vm cpus=2\nstep\n  steer-irq 24 5\n");
	assert_contains(h.errstr, "CPU 5 is not online (the guest has 2 CPUs)");
	assert_int_equal(fake_link_count(&h.link, "steer-irq"), 0);
	harness_free(&h);
}

static void test_expect_procs_counts_captured_pids(void **state)
{
	struct harness h;

	harness_init(&h);
	h.link.procs_count = 4;
	harness_run(&h, "step\n"
			"  cgroup w workers=4\n"
			"  capture-cgroup-procs after_spawn w\n"
			"  expect procs after_spawn count=4\n"
			"  expect procs after_spawn count=3\n"
			"  expect procs never count=1\n");
	assert_int_equal(harness_line(&h, 4)->status, KT_RES_PASS);
	assert_int_equal(harness_line(&h, 5)->status, KT_RES_FAIL);
	assert_contains(harness_line(&h, 5)->error, "4 pids in cgroup w, expected count=3");
	assert_contains(harness_line(&h, 6)->error, "nothing captured under 'never'");
	assert_string_equal(harness_line(&h, 3)->captured, "[104,105,106,107]");
	/* A failed expectation fails the run but not the step. */
	assert_non_null(h.err);
	assert_true(fake_link_find(&h.link, "remove-cgroup w", 0) >= 0);
	harness_free(&h);
}

static void test_expect_read_and_snapshot_compare(void **state)
{
	struct harness h;

	harness_init(&h);
	h.host.read_value = 42;
	h.host.var_value = 4;
	harness_run(&h, "step\n"
			"  read-kernel-cold j jiffies_64 u64\n"
			"  expect read j == 42\n"
			"  expect read j > 0x2a\n"
			"  capture-snapshot s\n"
			"  expect snapshot s var nr_cpus_onln >= 2\n"
			"  expect snapshot s var nr_cpus_onln < 2\n");
	assert_int_equal(harness_line(&h, 3)->status, KT_RES_PASS);
	assert_int_equal(harness_line(&h, 4)->status, KT_RES_FAIL);
	assert_int_equal(harness_line(&h, 6)->status, KT_RES_PASS);
	assert_int_equal(harness_line(&h, 7)->status, KT_RES_FAIL);
	assert_string_equal(harness_line(&h, 2)->captured, "\"0x2a\"");
	harness_free(&h);
}

static void test_expect_cgroup_sched_and_workers(void **state)
{
	struct harness h;

	harness_init(&h);
	h.link.query.cgroup.frozen = true;
	h.link.query.cgroup.has_cpus = true;
	kt_cpuset_set(&h.link.query.cgroup.cpus, 0);
	kt_cpuset_set(&h.link.query.cgroup.cpus, 1);
	h.link.query.sched.enabled = true;
	strcpy(h.link.query.sched.ops, "simple");
	h.link.nworkers = 2;
	h.link.workers[0] = (struct kt_worker_report){ .pid = 1, .iterations = 5, .runtime_ns = 100 };
	h.link.workers[1] = (struct kt_worker_report){ .pid = 2, .iterations = 0, .runtime_ns = 300 };
	kt_cpuset_set(&h.link.workers[0].cpus_used, 0);
	kt_cpuset_set(&h.link.workers[1].cpus_used, 3);
	harness_run(&h, "vm cpus=4\nstep\n"
			"  cgroup w cpuset=0-1 workers=2\n"
			"  expect cgroup w frozen=1 cpuset=0-1\n"
			"  expect cgroup w cpuset=llc:0\n"
			"  expect sched state=enabled ops=simple\n"
			"  expect workers w progress\n"
			"  expect workers w isolation\n"
			"  expect workers w fairness<=2\n"
			"  expect workers w fairness<=3.5\n");
	assert_int_equal(harness_line(&h, 4)->status, KT_RES_PASS);
	assert_int_equal(harness_line(&h, 5)->status, KT_RES_FAIL);
	assert_int_equal(harness_line(&h, 6)->status, KT_RES_PASS);
	assert_contains(harness_line(&h, 7)->error, "worker 2 made no progress");
	assert_contains(harness_line(&h, 8)->error, "worker 2 ran on CPUs 3, outside 0-1");
	assert_int_equal(harness_line(&h, 9)->status, KT_RES_FAIL);
	assert_int_equal(harness_line(&h, 10)->status, KT_RES_PASS);
	harness_free(&h);
}

struct ev_count {
	int kinds[16];
};

static void count_event(void *ctx, const struct kt_event *ev)
{
	((struct ev_count *)ctx)->kinds[ev->kind]++;
}

/* C-c while attach-scheduler ran, but the guest attached it all the same:
 * the op stands (applied, in the scenario, in the results), a warning says
 * the cancel came too late, and the next op is not cancelled by it. */
static void test_cancel_too_late_leaves_the_op_applied(void **state)
{
	struct ev_count c = { { 0 } };
	struct harness h;

	harness_init(&h);
	h.link.late_cancel = "add-cgroup a";
	kt_events_subscribe(h.events, count_event, &c);
	harness_run(&h, "step\n  add-cgroup a\n  add-cgroup b\n");
	assert_null(h.err);
	assert_int_equal(harness_line(&h, 2)->status, KT_RES_PASS);
	assert_int_equal(harness_line(&h, 3)->status, KT_RES_PASS);
	assert_int_equal(c.kinds[KT_EV_WARN], 1);
	assert_int_equal(c.kinds[KT_EV_OP_APPLIED], 2);
	/* it was applied, so teardown removes it */
	assert_int_equal(fake_link_count(&h.link, "remove-cgroup a"), 1);
	harness_free(&h);
}

static void test_events_report_steps_ops_and_expectations(void **state)
{
	struct ev_count c = { { 0 } };
	struct harness h;

	harness_init(&h);
	kt_events_subscribe(h.events, count_event, &c);
	harness_run(&h, "backdrop\n  add-cgroup bg\nstep\n  add-cgroup a\n  move-all-tasks a a\n"
			"  expect error \"self-move\"\n");
	assert_null(h.err);
	assert_int_equal(c.kinds[KT_EV_SCENARIO_BEGIN], 1);
	assert_int_equal(c.kinds[KT_EV_SCENARIO_END], 1);
	assert_int_equal(c.kinds[KT_EV_STEP_BEGIN], 2);
	assert_int_equal(c.kinds[KT_EV_STEP_END], 2);
	assert_int_equal(c.kinds[KT_EV_OP_APPLIED], 2);
	assert_int_equal(c.kinds[KT_EV_OP_FAILED], 1);
	assert_int_equal(c.kinds[KT_EV_EXPECT], 1);
	harness_free(&h);
}

struct order {
	enum kt_event_kind kinds[16];
	int n;
	enum kt_severity severity;
};

static void on_order(void *ctx, const struct kt_event *ev)
{
	struct order *o = ctx;

	if ((ev->kind != KT_EV_NOTE && ev->kind != KT_EV_OP_APPLIED) || o->n == 16)
		return;
	o->kinds[o->n++] = ev->kind;
	if (ev->kind == KT_EV_NOTE && ev->gev)
		o->severity = ev->gev->severity;
}

/* A note the host queued while an op ran (its freeze) is told before the
 * op's own line, as it happened, typed. */
static void test_news_during_an_op_is_told_before_it(void **state)
{
	struct harness h;
	struct order o = { 0 };

	harness_init(&h);
	h.link.with_poll = true;
	h.link.now = &h.now;
	h.link.event_at = 1;	/* the poll after the op's request */
	h.link.event = (struct kt_guest_event){ .kind = KT_GEV_NOTE, .severity = KT_SEV_INFO,
						.text = "freeze #1 ..." };
	kt_events_subscribe(h.events, on_order, &o);
	harness_run(&h, "step\n  add-cgroup a\n");
	assert_null(h.err);
	assert_true(o.n >= 2);
	assert_int_equal(o.kinds[0], KT_EV_NOTE);
	assert_int_equal(o.kinds[1], KT_EV_OP_APPLIED);
	assert_int_equal(o.severity, KT_SEV_INFO);
	harness_free(&h);
}

static void test_guest_events_update_state_between_statements(void **state)
{
	struct harness h;
	struct kt_guest_event ev = { .kind = KT_GEV_SCHED_EXIT, .name = "scx_simple",
				     .sched = { .kmsg = "runnable task stall" } };

	harness_init(&h);
	harness_load(&h, "scheduler scx_simple\nstep\n  add-cgroup a\n  detach-scheduler\n");
	kt_exec_guest_event(h.x, &ev);
	h.err = kt_exec_run(h.x);
	/* The scheduler died before detach: detach now has nothing to do. */
	assert_non_null(h.err);
	assert_true(kterr_contains(h.err, "no scheduler is attached"));
	/* ...and the run has its failure dump, and fails for the exit too. */
	assert_int_equal(h.host.captures, 1);
	assert_int_equal(kt_exec_results(h.x)->nfailure_dumps, 1);
	assert_int_equal(kt_exec_results(h.x)->nguest_failures, 1);
	assert_non_null(strstr(kt_exec_results(h.x)->guest_failures[0],
			       "failure dump: snapshot sched-exit"));
	harness_free(&h);
}

static void test_expect_within_passes_once_the_condition_holds(void **state)
{
	struct harness h;
	uint64_t t0;

	harness_init(&h);
	h.link.query_after = 4;		/* enabled from the 4th check on */
	h.link.query_late.sched.enabled = true;
	strcpy(h.link.query_late.sched.ops, "qmap");
	t0 = h.now;
	harness_run(&h, "step\n"
			"  expect sched state=enabled ops=qmap within=5s\n");
	assert_null(h.err);
	assert_int_equal(harness_line(&h, 2)->status, KT_RES_PASS);
	assert_int_equal(h.link.nqueries, 4);
	/* three waits of one poll interval each, on the fake clock */
	assert_true(h.now - t0 >= 300000000ULL && h.now - t0 < 400000000ULL);
	harness_free(&h);
}

static void test_expect_within_fails_at_the_deadline_with_what_it_saw_last(void **state)
{
	struct harness h;
	uint64_t t0;

	harness_init(&h);
	t0 = h.now;
	harness_run(&h, "step\n"
			"  expect sched state=enabled within=1s\n");
	assert_int_equal(harness_line(&h, 2)->status, KT_RES_FAIL);
	assert_contains(harness_line(&h, 2)->error, "sched_ext is disabled, wanted enabled");
	assert_contains(harness_line(&h, 2)->error, "waited 1");
	assert_contains(harness_line(&h, 2)->error, "11 checks, within=1s");
	/* The deadline is the clock's: exactly one second of fake time. */
	assert_true(h.now - t0 == 1000000000ULL);
	assert_int_equal(h.link.nqueries, 11);
	harness_free(&h);
}

static void test_expect_without_within_checks_once(void **state)
{
	struct harness h;

	harness_init(&h);
	h.link.query_after = 2;
	h.link.query_late.sched.enabled = true;
	harness_run(&h, "step\n"
			"  expect sched state=enabled\n");
	assert_int_equal(harness_line(&h, 2)->status, KT_RES_FAIL);
	assert_int_equal(h.link.nqueries, 1);
	harness_free(&h);
}

static void test_expect_cgroup_within_polls_the_guest(void **state)
{
	struct harness h;

	harness_init(&h);
	h.link.query_after = 3;
	h.link.query_late.cgroup.frozen = true;
	harness_run(&h, "step\n"
			"  cgroup w\n"
			"  expect cgroup w frozen=1 within=2s\n"
			"  expect cgroup w populated=1 within=300ms\n");
	assert_int_equal(harness_line(&h, 3)->status, KT_RES_PASS);
	assert_int_equal(harness_line(&h, 4)->status, KT_RES_FAIL);
	assert_contains(harness_line(&h, 4)->error, "populated=0, wanted populated=1");
	harness_free(&h);
}

static void test_expect_read_within_reads_the_target_again(void **state)
{
	struct harness h;

	harness_init(&h);
	h.host.read_value = 1;
	h.host.value_after = 3;		/* the 3rd read sees 7 */
	h.host.read_late = 7;
	harness_run(&h, "step\n"
			"  read-kernel-hot j jiffies_64 u64\n"
			"  expect read j == 7 within=1s\n"
			"  expect read j == 8 within=200ms\n");
	assert_int_equal(harness_line(&h, 3)->status, KT_RES_PASS);
	assert_int_equal(harness_line(&h, 4)->status, KT_RES_FAIL);
	assert_contains(harness_line(&h, 4)->error, "read 0x7, wanted == 8");
	/* 1 read by the op, 2 by the first wait, 2 more by the second */
	assert_int_equal(h.host.reads, 5);
	harness_free(&h);
}

static void test_expect_snapshot_within_captures_again(void **state)
{
	struct harness h;

	harness_init(&h);
	h.host.var_value = 0;
	h.host.value_after = 4;		/* the 4th capture sees 1 */
	h.host.var_late = 1;
	harness_run(&h, "step\n"
			"  capture-snapshot q\n"
			"  expect snapshot q var scx.state == 1 within=2s\n");
	assert_int_equal(harness_line(&h, 3)->status, KT_RES_PASS);
	assert_int_equal(h.host.captures, 4);
	harness_free(&h);
}

static void test_expect_snapshot_within_waits_for_a_tag_that_does_not_exist(void **state)
{
	struct harness h;

	harness_init(&h);
	harness_run(&h, "step\n"
			"  expect snapshot sched_ext_exit var scx.exit_kind == 1025 within=500ms\n");
	assert_int_equal(harness_line(&h, 2)->status, KT_RES_FAIL);
	assert_contains(harness_line(&h, 2)->error, "nothing captured under 'sched_ext_exit'");
	assert_contains(harness_line(&h, 2)->error, "waited 500");
	/* nothing made the tag: no capture was taken to look for it */
	assert_int_equal(h.host.captures, 0);
	harness_free(&h);
}

static void test_expect_payload_within_waits_for_its_exit_event(void **state)
{
	struct harness h;

	harness_init(&h);
	h.link.with_poll = true;
	h.link.now = &h.now;
	h.link.next_handle = 5;
	h.link.event_at = 3;
	h.link.event = (struct kt_guest_event){ .kind = KT_GEV_PAYLOAD_EXIT, .name = "p",
						.handle = 5, .status = 3 };
	harness_load(&h, "stage-payload p /bin/p\nstep\n"
			 "  run-payload p\n"
			 "  expect payload p exit=3 within=2s\n"
			 "  expect payload p exit=4 within=200ms\n");
	h.err = kt_exec_run(h.x);
	assert_int_equal(harness_line(&h, 4)->status, KT_RES_PASS);
	assert_int_equal(harness_line(&h, 5)->status, KT_RES_FAIL);
	assert_contains(harness_line(&h, 5)->error, "exited 3, wanted exit=4");
	kterr_free(h.err);
	h.err = NULL;
	harness_free(&h);
}

static void test_expect_payload_still_running_without_an_exit_event(void **state)
{
	RUN(h, "stage-payload p /bin/p\nstep\n"
	       "  run-payload p\n"
	       "  expect payload p exit=0 within=300ms\n");
	assert_int_equal(harness_line(&h, 4)->status, KT_RES_FAIL);
	assert_contains(harness_line(&h, 4)->error, "still running, no exit status yet");
	assert_contains(harness_line(&h, 4)->error, "4 checks");
	harness_free(&h);
}

static void test_an_ejection_heard_after_a_failed_op_comes_first_in_the_run_error(void **state)
{
	struct harness h;
	uint64_t t0;

	harness_init(&h);
	h.link.with_poll = true;
	h.link.now = &h.now;
	h.link.fail_prefix = "spawn";
	h.link.fail_errno = ETIMEDOUT;
	h.link.fail_msg = "worker 3 not ready after 5000 ms";
	/* the kernel's word comes a moment after the op failed */
	h.link.event_at = 3;
	h.link.event = (struct kt_guest_event){
		.kind = KT_GEV_SCHED_EXIT, .name = "scx_qmap", .ejected = true,
		.sched = { .ejected = true, .why = "runnable task stall",
			   .detail = "qmap: kworker/0:1[12] failed to run for 5.1s" } };
	harness_load(&h, "scheduler scx_qmap\nstep\n"
			 "  add-cgroup busy\n"
			 "  spawn busy workers=4\n");
	t0 = h.now;
	h.err = kt_exec_run(h.x);
	h.errstr = kterr_strdup(h.err);
	assert_non_null(h.errstr);
	/* the scheduler's exit first, then what failed because of it */
	if (strncmp(h.errstr, "scheduler scx_qmap ejected: runnable task stall (qmap: kworker", 62))
		fail_msg("the run's error does not start with the ejection: %s", h.errstr);
	assert_contains(h.errstr, "failure dump: snapshot sched-exit; then: ");
	assert_contains(h.errstr, "spawn busy workers=4: worker 3 not ready after 5000 ms");
	assert_int_equal(kt_exec_results(h.x)->nfailure_dumps, 1);
	/* it stopped listening as soon as the exit came, well before the bound */
	assert_true(h.now - t0 < 1000000000ULL);
	harness_free(&h);
}

static void test_a_failed_run_without_a_scheduler_hears_only_what_is_on_its_way(void **state)
{
	struct harness h;
	uint64_t t0;

	harness_init(&h);
	h.link.with_poll = true;
	h.link.now = &h.now;
	h.link.fail_prefix = "add-cgroup";
	t0 = h.now;
	harness_run(&h, "step\n  add-cgroup a\n");
	assert_non_null(h.err);
	/* only what is already on its way: 200 ms */
	assert_true(h.now - t0 >= 200000000ULL && h.now - t0 < 300000000ULL);
	harness_free(&h);
}

static void test_a_failed_run_with_a_scheduler_listens_a_bounded_moment(void **state)
{
	struct harness h;
	uint64_t t0;

	harness_init(&h);
	h.link.with_poll = true;
	h.link.now = &h.now;
	h.link.fail_prefix = "add-cgroup";
	t0 = h.now;
	harness_run(&h, "scheduler scx_simple\nstep\n  add-cgroup a\n");
	assert_non_null(h.err);
	assert_int_equal(kt_exec_results(h.x)->nguest_failures, 0);
	/* the whole bound, on the fake clock, and no more */
	assert_true(h.now - t0 >= 4000000000ULL && h.now - t0 < 4100000000ULL);
	harness_free(&h);
}

static void test_a_run_ending_with_its_scheduler_disabled_waits_for_the_exit(void **state)
{
	struct harness h;

	harness_init(&h);
	h.link.with_poll = true;
	h.link.now = &h.now;
	/* every step passed, but the guest says sched_ext is disabled: the
	 * agent's report of why comes a moment later */
	h.link.query.sched.enabled = false;
	h.link.event_at = 5;
	h.link.event = (struct kt_guest_event){
		.kind = KT_GEV_SCHED_EXIT, .name = "scx_qmap", .ejected = true,
		.sched = { .ejected = true, .why = "runnable task stall",
			   .detail = "qmap: kt-w:busy[39] failed to run for 5.055s" } };
	harness_load(&h, "scheduler scx_qmap\nstep\n  expect sched state=disabled\n");
	h.err = kt_exec_run(h.x);
	h.errstr = kterr_strdup(h.err);
	assert_int_equal(harness_line(&h, 3)->status, KT_RES_PASS);
	assert_false(kt_exec_results(h.x)->passed);
	assert_non_null(h.errstr);
	assert_int_equal(strncmp(h.errstr, "scheduler scx_qmap ejected: runnable task stall", 47), 0);
	harness_free(&h);
}

static void test_a_run_ending_with_its_scheduler_enabled_does_not_wait(void **state)
{
	struct harness h;
	uint64_t t0;

	harness_init(&h);
	h.link.with_poll = true;
	h.link.now = &h.now;
	h.link.query.sched.enabled = true;
	t0 = h.now;
	harness_run(&h, "scheduler scx_simple\nstep\n  add-cgroup a\n");
	assert_null(h.err);
	assert_true(h.now - t0 < 100000000ULL);
	assert_int_equal(fake_link_count(&h.link, "query-sched"), 1);
	harness_free(&h);
}

static void *cancel_soon(void *arg)
{
	struct timespec ts = { 0, 20000000 };

	nanosleep(&ts, NULL);
	kt_exec_cancel(arg);
	return NULL;
}

static void *interrupt_soon(void *arg)
{
	struct timespec ts = { 0, 20000000 };

	nanosleep(&ts, NULL);
	kt_exec_interrupt(arg);
	return NULL;
}

/* `ktcon run` on SIGTERM: the op in flight fails as interrupted, the next
 * step never runs (its ops are skipped), teardown still runs. */
static void test_interrupt_stops_the_run_and_still_tears_down(void **state)
{
	char text[512];
	struct harness h;
	pthread_t t;

	harness_init(&h);
	h.link.block_wait = true;
	snprintf(text, sizeof(text), "%sstep\n  run-payload stress\n  wait-payload stress\n"
		 "step\n  add-cgroup b\n", payloads_hdr);
	harness_load(&h, text);
	assert_null(kt_exec_start(h.x));
	pthread_create(&t, NULL, interrupt_soon, h.x);
	h.err = kt_exec_join(h.x);
	pthread_join(t, NULL);
	assert_non_null(h.err);
	assert_int_equal(kterr_errno_of(h.err), ECANCELED);
	assert_true(kterr_contains(h.err, "interrupted"));
	assert_true(kt_exec_interrupted(h.x));
	assert_int_equal(fake_link_count(&h.link, "kill-payload stress"), 1);
	assert_int_equal(fake_link_count(&h.link, "add-cgroup b"), 0);
	assert_int_equal(harness_line(&h, 6)->status, KT_RES_SKIP);
	assert_false(kt_exec_results(h.x)->passed);
	harness_free(&h);
}

/* A cancel is for the op in flight and then forgotten; an interrupt stays:
 * one that comes between ops stops every op after it, and teardown is not
 * cancelled by it. */
static void test_interrupt_is_sticky_and_spares_teardown(void **state)
{
	struct harness h;

	harness_init(&h);
	harness_load(&h, "backdrop\n  add-cgroup bg\nstep\n  add-cgroup a\nstep\n  add-cgroup b\n");
	kt_exec_interrupt(h.x);
	h.err = kt_exec_run(h.x);
	assert_non_null(h.err);
	assert_true(kterr_contains(h.err, "interrupted"));
	assert_int_equal(fake_link_count(&h.link, "add-cgroup bg"), 0);
	assert_int_equal(fake_link_count(&h.link, "add-cgroup a"), 0);
	assert_int_equal(fake_link_count(&h.link, "add-cgroup b"), 0);
	assert_int_equal(kt_exec_results(h.x)->nteardown, 0);
	harness_free(&h);
}

static void test_cancel_aborts_wait_payload_in_flight(void **state)
{
	char text[512];
	struct harness h;
	pthread_t t;

	harness_init(&h);
	h.link.block_wait = true;
	snprintf(text, sizeof(text), "%sstep\n  run-payload stress\n  wait-payload stress\n",
		 payloads_hdr);
	harness_load(&h, text);
	assert_null(kt_exec_start(h.x));
	pthread_create(&t, NULL, cancel_soon, h.x);
	h.err = kt_exec_join(h.x);
	pthread_join(t, NULL);
	assert_non_null(h.err);
	assert_int_equal(kterr_errno_of(h.err), ECANCELED);
	/* Teardown still drained the payload. */
	assert_int_equal(fake_link_count(&h.link, "kill-payload stress"), 1);
	harness_free(&h);
}

static void test_console_apply_and_next_step(void **state)
{
	struct harness h;
	struct kt_stmt st;

	harness_init(&h);
	harness_load(&h, "");
	assert_null(kt_parse_statement("add-cgroup bg", 0, &st));
	assert_null(kt_exec_apply(h.x, &st));
	kt_stmt_clear(&st);
	assert_null(kt_exec_next_step(h.x));
	assert_null(kt_parse_statement("add-cgroup s", 1, &st));
	assert_null(kt_exec_apply(h.x, &st));
	kt_stmt_clear(&st);
	assert_null(kt_parse_statement("move-all-tasks bg s", 1, &st));
	assert_non_null(h.err = kt_exec_apply(h.x, &st));
	kt_stmt_clear(&st);
	assert_true(kterr_contains(h.err, "rejected"));
	assert_null(kt_exec_finish(h.x));
	assert_int_equal(kt_exec_scenario(h.x)->ncgs, 0);
	harness_free(&h);
}

static void test_console_apply_with_expect_error(void **state)
{
	static const char text[] =
		"backdrop\n"
		"  add-cgroup a\n"
		"  move-all-tasks a a\n"
		"  expect error \"self-move\"\n"
		"  move-all-tasks a a\n"
		"  expect error \"something else\"\n"
		"  add-cgroup b\n"
		"  expect error\n";
	struct harness h;
	struct kt_recipe *r;
	const struct kt_stmt *st;

	harness_init(&h);
	harness_load(&h, "");
	assert_null(kt_recipe_parse("replay", text, strlen(text), &r));
	assert_int_equal(r->ndiags, 0);
	st = r->stmts;
	assert_null(kt_exec_apply(h.x, &st[1]));
	/* The failure it wanted: no error. */
	assert_null(kt_exec_apply_expect(h.x, &st[2], &st[3]));
	/* Another failure: the op's own chain. */
	assert_non_null(h.err = kt_exec_apply_expect(h.x, &st[4], &st[5]));
	assert_true(kterr_contains(h.err, "self-move"));
	kterr_free(h.err);
	/* A success where a failure was expected. */
	assert_non_null(h.err = kt_exec_apply_expect(h.x, &st[6], &st[7]));
	assert_true(kterr_contains(h.err, "the op before succeeded"));
	assert_null(kt_exec_finish(h.x));
	harness_free(&h);
	kt_recipe_free(r);
}

/* --scheduler-args (kt_exec_config.sched_args): every attach and replace
 * gets them in place of the stage line's; without them the stage line's
 * go; a restart (the boot scheduler) is not an attach and gets none. */
static void test_sched_args_override(void **state)
{
	static const char text[] =
		"stage-scheduler mine /bin/mine args=\"-staged\"\n"
		"step hold=0ms\n"
		"  attach-scheduler mine\n"
		"  replace-scheduler scx_qmap\n";
	struct harness h;

	(void)state;
	harness_init(&h);
	harness_run(&h, text);
	assert_null(h.err);
	assert_true(fake_link_find(&h.link, "attach-scheduler mine args=-staged", 0) >= 0);
	harness_free(&h);

	harness_init(&h);
	h.sched_args = "-s 5000";
	harness_run(&h, text);
	assert_null(h.err);
	assert_true(fake_link_find(&h.link, "attach-scheduler mine args=-s 5000", 0) >= 0);
	assert_true(fake_link_find(&h.link, "replace-scheduler scx_qmap args=-s 5000", 0) >= 0);
	harness_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sched_args_override),
		cmocka_unit_test(test_move_all_tasks_rejects_self_move),
		cmocka_unit_test(test_move_all_tasks_rejects_runner_to_runner_self_move),
		cmocka_unit_test(test_move_backdrop_to_step_local_rejected_naming_pair_and_fixes),
		cmocka_unit_test(test_move_inside_backdrop_setup_is_exempt),
		cmocka_unit_test(test_move_step_local_to_backdrop_keeps_workers_past_step),
		cmocka_unit_test(test_runner_workers_rekeyed_by_move),
		cmocka_unit_test(test_remove_backdrop_cgroup_drops_tracking_so_it_can_be_readded),
		cmocka_unit_test(test_add_cgroup_of_tracked_backdrop_name_is_rejected),
		cmocka_unit_test(test_add_cgroup_def_collides_with_backdrop_def),
		cmocka_unit_test(test_add_cgroup_def_collides_with_step_local_def),
		cmocka_unit_test(test_spawn_rejects_workers_pct_for_runner_placement),
		cmocka_unit_test(test_spawn_workers_pct_counts_cgroup_cpuset),
		cmocka_unit_test(test_spawn_into_missing_cgroup_names_it),
		cmocka_unit_test(test_run_payload_rejects_scheduler_kind_payload),
		cmocka_unit_test(test_wait_payload_without_cgroup_is_ambiguous_with_two_live),
		cmocka_unit_test(test_wait_payload_by_name_and_cgroup_consumes_it),
		cmocka_unit_test(test_wait_payload_consumed_pair_is_an_error),
		cmocka_unit_test(test_kill_payload_unknown_pair_is_an_error),
		cmocka_unit_test(test_unconsumed_payload_drained_at_step_teardown),
		cmocka_unit_test(test_capture_cgroup_procs_rejects_empty_tag),
		cmocka_unit_test(test_capture_snapshot_rejects_empty_tag),
		cmocka_unit_test(test_fourth_watch_is_rejected),
		cmocka_unit_test(test_adjacent_cold_writes_merge_into_one_freeze),
		cmocka_unit_test(test_op_failure_fails_step_and_skips_to_teardown_with_chain),
		cmocka_unit_test(test_expect_error_turns_failure_into_pass),
		cmocka_unit_test(test_expect_error_fails_when_the_op_succeeds),
		cmocka_unit_test(test_expect_error_with_other_text_fails_the_step),
		cmocka_unit_test(test_capture_snapshot_without_backend_warns_and_continues),
		cmocka_unit_test(test_step_teardown_thaws_stops_drains_then_removes_deepest_first),
		cmocka_unit_test(test_backdrop_torn_down_at_scenario_end),
		cmocka_unit_test(test_hold_fixed_and_fraction_take_their_time),
		cmocka_unit_test(test_hold_loop_repeats_ops_until_share_ends),
		cmocka_unit_test(test_holds_pump_the_link_and_keep_its_latest_state),
		cmocka_unit_test(test_state_arriving_during_a_request_is_kept),
		cmocka_unit_test(test_link_without_poll_sleeps_and_has_no_state),
		cmocka_unit_test(test_broken_poll_is_said_once_and_holds_still_take_their_time),
		cmocka_unit_test(test_detach_scheduler_with_none_attached_fails),
		cmocka_unit_test(test_replace_needs_attached_and_restart_uses_boot_scheduler),
		cmocka_unit_test(test_pin_bpf_map_twice_is_a_noop),
		cmocka_unit_test(test_a_dead_guest_stops_the_run),
		cmocka_unit_test(test_steer_irq_to_offline_cpu_names_it),
		cmocka_unit_test(test_numbers_reach_the_guest_as_checked),
		cmocka_unit_test(test_expect_procs_counts_captured_pids),
		cmocka_unit_test(test_expect_read_and_snapshot_compare),
		cmocka_unit_test(test_expect_cgroup_sched_and_workers),
		cmocka_unit_test(test_events_report_steps_ops_and_expectations),
		cmocka_unit_test(test_guest_events_update_state_between_statements),
		cmocka_unit_test(test_news_during_an_op_is_told_before_it),
		cmocka_unit_test(test_cancel_aborts_wait_payload_in_flight),
		cmocka_unit_test(test_interrupt_stops_the_run_and_still_tears_down),
		cmocka_unit_test(test_interrupt_is_sticky_and_spares_teardown),
		cmocka_unit_test(test_cancel_too_late_leaves_the_op_applied),
		cmocka_unit_test(test_console_apply_and_next_step),
		cmocka_unit_test(test_console_apply_with_expect_error),
		cmocka_unit_test(test_expect_within_passes_once_the_condition_holds),
		cmocka_unit_test(test_expect_within_fails_at_the_deadline_with_what_it_saw_last),
		cmocka_unit_test(test_expect_without_within_checks_once),
		cmocka_unit_test(test_expect_cgroup_within_polls_the_guest),
		cmocka_unit_test(test_expect_read_within_reads_the_target_again),
		cmocka_unit_test(test_expect_snapshot_within_captures_again),
		cmocka_unit_test(test_expect_snapshot_within_waits_for_a_tag_that_does_not_exist),
		cmocka_unit_test(test_expect_payload_within_waits_for_its_exit_event),
		cmocka_unit_test(test_expect_payload_still_running_without_an_exit_event),
		cmocka_unit_test(test_an_ejection_heard_after_a_failed_op_comes_first_in_the_run_error),
		cmocka_unit_test(test_a_failed_run_without_a_scheduler_hears_only_what_is_on_its_way),
		cmocka_unit_test(test_a_failed_run_with_a_scheduler_listens_a_bounded_moment),
		cmocka_unit_test(test_a_run_ending_with_its_scheduler_disabled_waits_for_the_exit),
		cmocka_unit_test(test_a_run_ending_with_its_scheduler_enabled_does_not_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
