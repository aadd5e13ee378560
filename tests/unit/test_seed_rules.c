/* test_seed_rules.c - the seed rules issue 15 found wrong, through the
 * executor against the fake guest link: @runner ownership (each row of the
 * ownership table), remove-cgroup of an unknown name, nested names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/executor.h"
#include "exec_harness.h"

/* The fake link hands out pids from 100 up, in spawn order. The step's
 * end is where the next step's first request is logged. */
static int step_end(const struct harness *h)
{
	int i = fake_link_find(&h->link, "add-cgroup end", 0);

	assert_true(i >= 0);
	return i;
}

/* spawn @runner in a step: the step's workers die at its teardown, the
 * backdrop's survive it. */
static void test_runner_spawn_owned_by_the_pass_that_spawned(void **state)
{
	RUN(h, "backdrop\n"
	       "  spawn @runner workers=2\n"
	       "step\n"
	       "  spawn @runner workers=1\n"
	       "step\n"
	       "  add-cgroup end\n");
	assert_null(h.err);
	int step = fake_link_find(&h.link, "stop-cgroup @runner pids=102", 0);
	int bd = fake_link_find(&h.link, "stop-cgroup @runner pids=100,101", 0);

	assert_true(step >= 0 && step < step_end(&h));
	assert_true(bd > step_end(&h));
	assert_int_equal(fake_link_count(&h.link, "stop-cgroup"), 2);
	harness_free(&h);
}

/* Step-local workers moved into @runner stay the step's; the backdrop's
 * runner workers are not handed to the step. */
static void test_step_workers_moved_to_runner_stay_step_local(void **state)
{
	RUN(h, "backdrop\n"
	       "  spawn @runner workers=2\n"
	       "step\n"
	       "  cgroup w workers=1\n"
	       "  move-all-tasks w @runner\n"
	       "step\n"
	       "  add-cgroup end\n");
	assert_null(h.err);
	int step = fake_link_find(&h.link, "stop-cgroup @runner pids=102", 0);

	assert_true(step >= 0 && step < step_end(&h));
	assert_true(fake_link_find(&h.link, "stop-cgroup @runner pids=100,101", 0) > step_end(&h));
	assert_int_equal(fake_link_count(&h.link, "stop-cgroup"), 2);
	harness_free(&h);
}

/* Backdrop workers moved into @runner stay the backdrop's. */
static void test_backdrop_workers_moved_to_runner_survive_the_step(void **state)
{
	RUN(h, "backdrop\n"
	       "  add-cgroup bg\n"
	       "  spawn bg workers=1\n"
	       "step\n"
	       "  spawn @runner workers=1\n"
	       "  move-all-tasks bg @runner\n"
	       "step\n"
	       "  add-cgroup end\n");
	assert_null(h.err);
	int step = fake_link_find(&h.link, "stop-cgroup @runner pids=101", 0);

	assert_true(step >= 0 && step < step_end(&h));
	assert_true(fake_link_find(&h.link, "stop-cgroup @runner pids=100", 0) > step_end(&h));
	harness_free(&h);
}

/* Table row step-local -> step-local, from @runner. */
static void test_runner_step_workers_to_step_cgroup_die_with_step(void **state)
{
	RUN(h, "step\n"
	       "  add-cgroup s\n"
	       "  spawn @runner workers=2\n"
	       "  move-all-tasks @runner s\n"
	       "step\n"
	       "  add-cgroup end\n");
	assert_null(h.err);
	int stop = fake_link_find(&h.link, "stop-cgroup s", 0);

	assert_true(stop >= 0 && stop < step_end(&h));
	assert_int_equal(fake_link_count(&h.link, "stop-cgroup @runner"), 0);
	harness_free(&h);
}

/* Table row step-local -> backdrop, from @runner: handed to the backdrop. */
static void test_runner_step_workers_to_backdrop_cgroup_survive(void **state)
{
	RUN(h, "backdrop\n"
	       "  add-cgroup bg\n"
	       "step\n"
	       "  spawn @runner workers=2\n"
	       "  move-all-tasks @runner bg\n"
	       "step\n"
	       "  add-cgroup end\n");
	assert_null(h.err);
	assert_true(fake_link_find(&h.link, "stop-cgroup bg", 0) > step_end(&h));
	assert_int_equal(fake_link_count(&h.link, "stop-cgroup"), 1);
	harness_free(&h);
}

/* Table row backdrop -> backdrop, from @runner. */
static void test_runner_backdrop_workers_to_backdrop_cgroup(void **state)
{
	RUN(h, "backdrop\n"
	       "  add-cgroup bg\n"
	       "  spawn @runner workers=2\n"
	       "step\n"
	       "  move-all-tasks @runner bg\n"
	       "step\n"
	       "  add-cgroup end\n");
	assert_null(h.err);
	assert_true(fake_link_find(&h.link, "stop-cgroup bg", 0) > step_end(&h));
	assert_int_equal(fake_link_count(&h.link, "stop-cgroup"), 1);
	harness_free(&h);
}

/* Table row backdrop -> step-local, from @runner: rejected, even when the
 * step has runner workers of its own beside the backdrop's. */
static void test_runner_backdrop_workers_to_step_cgroup_rejected(void **state)
{
	RUN(h, "backdrop\n"
	       "  spawn @runner workers=1\n"
	       "step\n"
	       "  spawn @runner workers=1\n"
	       "  add-cgroup s\n"
	       "  move-all-tasks @runner s\n");
	assert_non_null(h.err);
	assert_contains(h.errstr, "move from backdrop '@runner' (the backdrop's runner workers) "
			"to step-local 's' rejected");
	assert_int_equal(fake_link_count(&h.link, "move-all-tasks"), 0);
	harness_free(&h);
}

/* A backdrop cgroup's workers may go to @runner even while the step's own
 * runner workers are there (the runner is not step-local). */
static void test_backdrop_to_runner_with_step_runner_workers_allowed(void **state)
{
	RUN(h, "backdrop\n"
	       "  add-cgroup bg\n"
	       "  spawn bg workers=1\n"
	       "step\n"
	       "  spawn @runner workers=1\n"
	       "  move-all-tasks bg @runner\n");
	assert_null(h.err);
	assert_int_equal(fake_link_count(&h.link, "move-all-tasks"), 1);
	harness_free(&h);
}

/* remove-cgroup of a name that does not exist is not an error there (a
 * warning says nothing was removed); the next op naming it fails. */
static void test_remove_missing_cgroup_warns_and_next_op_fails(void **state)
{
	struct harness h;

	harness_init(&h);
	h.link.missing = "typo";
	harness_run(&h, "step\n"
			"  remove-cgroup typo\n"
			"  add-cgroup after\n");
	assert_null(h.err);
	assert_int_equal(harness_line(&h, 2)->status, KT_RES_WARN);
	assert_contains(harness_line(&h, 2)->error, "nothing removed");
	assert_int_equal(harness_line(&h, 3)->status, KT_RES_PASS);
	harness_free(&h);
}

/* add-cgroup x/y makes x: x is tracked, so the step's teardown removes it
 * after x/y, and a later add-cgroup x (next step) works. */
static void test_nested_name_parent_removed_at_teardown(void **state)
{
	RUN(h, "step\n"
	       "  add-cgroup x/y\n"
	       "step\n"
	       "  add-cgroup x\n");
	assert_null(h.err);
	int rm_y = fake_link_find(&h.link, "remove-cgroup x/y", 0);
	int rm_x = fake_link_find(&h.link, "remove-cgroup x", rm_y + 1);
	int add_x = fake_link_find(&h.link, "add-cgroup x", rm_y);

	assert_true(rm_y >= 0 && rm_x > rm_y && add_x > rm_x);
	harness_free(&h);
}

/* In the same step the made parent is taken: say so. */
static void test_nested_name_parent_collides_naming_why(void **state)
{
	RUN(h, "step\n"
	       "  add-cgroup x/y/z\n"
	       "  add-cgroup x/y\n");
	assert_non_null(h.err);
	assert_contains(h.errstr, "cgroup 'x/y' already exists: it was made as the parent of a "
			"nested name");
	harness_free(&h);
}

/* remove-cgroup of the nested name removes the parents made for it, up to
 * one that still has a tracked child or was added by name. */
static void test_remove_nested_removes_made_parents(void **state)
{
	RUN(h, "step\n"
	       "  add-cgroup a\n"
	       "  add-cgroup a/b/c/d\n"
	       "  add-cgroup a/b/e\n"
	       "  remove-cgroup a/b/c/d\n"
	       "  remove-cgroup a/b/e\n"
	       "  add-cgroup a/b\n");
	assert_null(h.err);
	/* a/b/c went with a/b/c/d; a/b stayed (a/b/e), went with a/b/e; a,
	 * added by name, stays until teardown. */
	int rm_d = fake_link_find(&h.link, "remove-cgroup a/b/c/d", 0);
	int rm_c = fake_link_find(&h.link, "remove-cgroup a/b/c", rm_d + 1);
	int rm_e = fake_link_find(&h.link, "remove-cgroup a/b/e", 0);
	int rm_b = fake_link_find(&h.link, "remove-cgroup a/b", rm_e + 1);

	assert_true(rm_d >= 0 && rm_c == rm_d + 1);
	assert_true(rm_e > rm_c && rm_b == rm_e + 1);
	assert_true(fake_link_find(&h.link, "remove-cgroup a/b", rm_c + 1) == rm_e);
	harness_free(&h);
}

/* A made parent of a backdrop cgroup is the backdrop's: it outlives steps. */
static void test_nested_backdrop_parent_outlives_steps(void **state)
{
	RUN(h, "backdrop\n"
	       "  add-cgroup p/q\n"
	       "step\n"
	       "  add-cgroup p/r\n"
	       "step\n"
	       "  add-cgroup end\n");
	assert_null(h.err);
	int rm_r = fake_link_find(&h.link, "remove-cgroup p/r", 0);

	assert_true(rm_r >= 0 && rm_r < step_end(&h));
	assert_true(fake_link_find(&h.link, "remove-cgroup p", rm_r + 1) > step_end(&h));
	harness_free(&h);
}

/* MoveAllTasks: a failed move leaves the handles under `from`, so the
 * teardown stops them there, not under `to`. */
static void test_failed_move_keeps_handles_under_from(void **state)
{
	struct harness h;

	harness_init(&h);
	h.link.fail_prefix = "move-all-tasks";
	h.link.fail_errno = 16;
	h.link.fail_msg = "move pid 100 from a to b";
	harness_run(&h, "step\n"
			"  cgroup a workers=1\n"
			"  add-cgroup b\n"
			"  move-all-tasks a b\n"
			"  expect error \"move pid\"\n");
	assert_null(h.err);
	assert_int_equal(fake_link_count(&h.link, "stop-cgroup a"), 1);
	assert_int_equal(fake_link_count(&h.link, "stop-cgroup b"), 0);
	harness_free(&h);
}

/* Spawn at @runner issues no cgroup op: the one request is the spawn. */
static void test_runner_spawn_issues_no_cgroup_op(void **state)
{
	RUN(h, "step\n"
	       "  spawn @runner workers=2\n");
	assert_null(h.err);
	assert_string_equal(h.link.log[0], "spawn @runner workers=2");
	for (int i = 1; i < h.link.nlog; i++)
		assert_true(strncmp(h.link.log[i], "add-cgroup", 10) &&
			    strncmp(h.link.log[i], "move-all-tasks", 14) &&
			    strncmp(h.link.log[i], "set-cpuset", 10));
	harness_free(&h);
}

/* ReadKernelCold: each read its own freeze (reads are not folded, unlike
 * adjacent cold writes). */
static void test_adjacent_cold_reads_are_not_merged(void **state)
{
	RUN(h, "step\n"
	       "  read-kernel-cold a jiffies_64 u64\n"
	       "  read-kernel-cold b jiffies_64 u64\n");
	assert_null(h.err);
	/* one cold read call (one freeze) per line */
	assert_int_equal(h.host.reads, 2);
	assert_int_equal(h.host.cold_calls, 0);
	harness_free(&h);
}

/* A backdrop payload never waited for is drained at scenario end, after
 * the steps, not at a step's teardown. */
static const char payload_hdr[] = "stage-payload stress /bin/true\n";

static void test_backdrop_payload_drained_at_scenario_end(void **state)
{
	char text[256];

	snprintf(text, sizeof(text), "%sbackdrop\n"
		 "  run-payload stress\n"
		 "step\n"
		 "  add-cgroup s\n"
		 "step\n"
		 "  add-cgroup end\n", payload_hdr);
	RUN(h, text);
	assert_null(h.err);
	assert_true(fake_link_find(&h.link, "kill-payload stress", 0) > step_end(&h));
	assert_int_equal(fake_link_count(&h.link, "kill-payload"), 1);
	harness_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runner_spawn_owned_by_the_pass_that_spawned),
		cmocka_unit_test(test_step_workers_moved_to_runner_stay_step_local),
		cmocka_unit_test(test_backdrop_workers_moved_to_runner_survive_the_step),
		cmocka_unit_test(test_runner_step_workers_to_step_cgroup_die_with_step),
		cmocka_unit_test(test_runner_step_workers_to_backdrop_cgroup_survive),
		cmocka_unit_test(test_runner_backdrop_workers_to_backdrop_cgroup),
		cmocka_unit_test(test_runner_backdrop_workers_to_step_cgroup_rejected),
		cmocka_unit_test(test_backdrop_to_runner_with_step_runner_workers_allowed),
		cmocka_unit_test(test_remove_missing_cgroup_warns_and_next_op_fails),
		cmocka_unit_test(test_nested_name_parent_removed_at_teardown),
		cmocka_unit_test(test_nested_name_parent_collides_naming_why),
		cmocka_unit_test(test_remove_nested_removes_made_parents),
		cmocka_unit_test(test_nested_backdrop_parent_outlives_steps),
		cmocka_unit_test(test_failed_move_keeps_handles_under_from),
		cmocka_unit_test(test_runner_spawn_issues_no_cgroup_op),
		cmocka_unit_test(test_adjacent_cold_reads_are_not_merged),
		cmocka_unit_test(test_backdrop_payload_drained_at_scenario_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
