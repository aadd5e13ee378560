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

#define RUN(h, text) \
	struct harness h; \
	harness_init(&h); \
	harness_run(&h, text)

static void assert_contains(const char *s, const char *what)
{
	if (!s || !strstr(s, what))
		fail_msg("expected \"%s\" in \"%s\"", what, s ? s : "(null)");
}

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
