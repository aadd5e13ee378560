/* test_cgroup_batch.c - runs of cgroup adds in a few round trips (form.h's
 * exec_run, link.h's batch): the seed's rules still hold line by line
 * (dedup against backdrop, step and the run itself, nested names), a
 * failure part way names its cgroup and leaves tracked exactly what the
 * guest made, and teardown removes it all in batches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/executor.h"
#include "engine/op-exec.h"
#include "engine/scenario.h"
#include "exec_harness.h"
#include "lib/util.h"

/* HEAD, "step", n lines "VERB NAME<index>REST", then TAIL. */
static char *recipe(const char *head, const char *verb, const char *name, const char *rest, int n,
		    const char *tail)
{
	size_t cap = strlen(head) + strlen(tail) + (size_t)n * 64 + 16, len;
	char *s = malloc(cap);

	assert_non_null(s);
	len = (size_t)snprintf(s, cap, "%sstep\n", head);
	for (int i = 0; i < n; i++) {
		len += (size_t)snprintf(s + len, cap - len, "  %s %s%d%s\n", verb, name, i, rest);
	}
	snprintf(s + len, cap - len, "%s", tail);
	return s;
}

static void batched(struct harness *h, size_t max)
{
	harness_init(h);
	h->link.with_batch = true;
	h->link.batch_max = max;
}

/* 50 lines with a bound of 16 per round trip: 4 to make, 4 to remove. */
static void test_cgroup_lines_go_in_few_round_trips(void **state)
{
	struct harness h;
	char *text = recipe("", "cgroup", "c", " cpuset=0", 50, "");

	batched(&h, 16);
	harness_run(&h, text);
	assert_null(h.err);
	for (int line = 2; line < 52; line++)
		assert_int_equal(harness_line(&h, line)->status, KT_RES_PASS);
	assert_int_equal(fake_link_count(&h.link, "add-cgroup-def c"), 50);
	assert_int_equal(fake_link_count(&h.link, "remove-cgroup c"), 50);
	assert_int_equal(h.link.nbatches, 8);
	assert_int_equal(h.link.ncgs, 0);		/* the fake guest has none left */
	assert_int_equal(kt_exec_state(h.x)->ncgs, 0);
	free(text);
	harness_free(&h);
}

/* add-cgroup ops batch too; one an `expect error` follows goes alone. */
static void test_add_cgroup_ops_batch_and_expect_error_still_applies(void **state)
{
	struct harness h;
	char *text = recipe("", "add-cgroup", "a", "", 10,
			    "  add-cgroup a3\n  expect error \"already exists\"\n"
			    "  add-cgroup z\n");

	batched(&h, 0);
	harness_run(&h, text);
	assert_null(h.err);
	assert_int_equal(harness_line(&h, 12)->status, KT_RES_XFAIL);
	assert_int_equal(harness_line(&h, 13)->status, KT_RES_PASS);
	assert_int_equal(harness_line(&h, 14)->status, KT_RES_PASS);
	/* the ten in one trip; a3 again refused on the host; z alone */
	assert_int_equal(fake_link_count(&h.link, "add-cgroup a"), 10);
	assert_int_equal(fake_link_count(&h.link, "remove-cgroup"), 11);
	free(text);
	harness_free(&h);
}

/* A name twice in one run: the second is refused as exec refuses it,
 * naming it; what came before stands and is removed at teardown; nothing
 * after it runs. */
static void test_a_duplicate_in_the_run_fails_that_line_naming_it(void **state)
{
	struct harness h;
	char *text = recipe("", "cgroup", "d", "", 6, "  cgroup d3\n  cgroup after1\n  cgroup after2\n");

	batched(&h, 0);
	harness_run(&h, text);
	assert_non_null(h.err);
	for (int line = 2; line < 8; line++)
		assert_int_equal(harness_line(&h, line)->status, KT_RES_PASS);
	assert_int_equal(harness_line(&h, 8)->status, KT_RES_FAIL);
	assert_contains(harness_line(&h, 8)->error, "cgroup definition 'd3' collides with the "
			"step-local cgroup definition 'd3'");
	assert_int_equal(harness_line(&h, 9)->status, KT_RES_SKIP);
	assert_int_equal(harness_line(&h, 10)->status, KT_RES_SKIP);
	assert_int_equal(fake_link_count(&h.link, "add-cgroup-def after"), 0);
	assert_int_equal(fake_link_count(&h.link, "remove-cgroup d"), 6);
	assert_int_equal(h.link.ncgs, 0);
	assert_int_equal(kt_exec_state(h.x)->ncgs, 0);
	free(text);
	harness_free(&h);
}

/* The guest fails one part way: that line's error names it; the ones
 * before it are tracked (and removed), the failed one is not (the agent
 * left nothing of it), the rest never went. */
static void test_a_guest_failure_part_way_names_the_cgroup_and_tracks_what_was_made(void **state)
{
	struct harness h;
	char *text = recipe("", "cgroup", "g", "", 8, "");

	batched(&h, 0);
	h.link.fail_prefix = "add-cgroup-def g5";
	h.link.fail_errno = 22;
	h.link.fail_msg = "add-cgroup-def g5: write /sys/fs/cgroup/ktcon/g5/cpu.max: Invalid argument";
	harness_run(&h, text);
	assert_non_null(h.err);
	for (int line = 2; line < 7; line++)
		assert_int_equal(harness_line(&h, line)->status, KT_RES_PASS);
	assert_int_equal(harness_line(&h, 7)->status, KT_RES_FAIL);
	assert_contains(harness_line(&h, 7)->error, "cgroup g5");
	assert_contains(harness_line(&h, 7)->error, "/sys/fs/cgroup/ktcon/g5/cpu.max");
	assert_contains(h.errstr, "g5");
	assert_int_equal(harness_line(&h, 8)->status, KT_RES_SKIP);
	assert_int_equal(harness_line(&h, 9)->status, KT_RES_SKIP);
	assert_int_equal(fake_link_count(&h.link, "add-cgroup-def g6"), 0);
	assert_int_equal(fake_link_count(&h.link, "remove-cgroup g"), 5);
	assert_int_equal(fake_link_find(&h.link, "remove-cgroup g5", 0), -1);
	assert_int_equal(kt_exec_state(h.x)->ncgs, 0);
	free(text);
	harness_free(&h);
}

/* The seed's ownership: a step's run may not redefine a backdrop cgroup,
 * and the backdrop's own run survives the step's teardown. */
static void test_a_backdrop_name_in_a_step_run_is_refused_and_the_backdrop_survives(void **state)
{
	struct harness h;
	char *text = recipe("backdrop\n  cgroup bg0\n  cgroup bg1\n  cgroup bg2\n", "cgroup", "s", "", 3,
			    "  cgroup bg1\n");

	batched(&h, 0);
	harness_run(&h, text);
	assert_non_null(h.err);
	assert_contains(harness_line(&h, 9)->error,
			"collides with the backdrop cgroup definition 'bg1'");
	/* the step's three removed at its teardown, then the backdrop's */
	assert_true(fake_link_find(&h.link, "remove-cgroup s", 0) <
		    fake_link_find(&h.link, "remove-cgroup bg", 0));
	assert_int_equal(fake_link_count(&h.link, "remove-cgroup"), 6);
	free(text);
	harness_free(&h);
}

/* A nested name makes its parent, tracked as made for it: the parent's own
 * line later in the run is refused saying why, as alone. */
static void test_a_nested_name_then_its_parent_in_one_run(void **state)
{
	struct harness h;

	batched(&h, 0);
	harness_run(&h, "step\n  cgroup x/y\n  cgroup w\n  cgroup x\n  cgroup v\n");
	assert_non_null(h.err);
	assert_int_equal(harness_line(&h, 2)->status, KT_RES_PASS);
	assert_int_equal(harness_line(&h, 3)->status, KT_RES_PASS);
	assert_int_equal(harness_line(&h, 4)->status, KT_RES_FAIL);
	assert_contains(harness_line(&h, 4)->error, "made as the parent of a nested name");
	assert_int_equal(harness_line(&h, 5)->status, KT_RES_SKIP);
	/* x/y, its parent x, and w: all gone */
	assert_int_equal(h.link.ncgs, 0);
	harness_free(&h);
}

/* Teardown stops every handle's workers in one batch and keeps their last
 * reports. */
static void test_teardown_stops_all_workers_in_one_batch(void **state)
{
	struct harness h;
	char *text = recipe("", "cgroup", "w", " workers=1", 5, "");

	batched(&h, 0);
	harness_run(&h, text);
	assert_null(h.err);
	assert_int_equal(fake_link_count(&h.link, "stop-cgroup w"), 5);
	/* make, stop, remove: three round trips */
	assert_int_equal(h.link.nbatches, 3);
	assert_int_equal(kt_exec_results(h.x)->nfinal_workers, 5);
	assert_true(fake_link_find(&h.link, "stop-cgroup w4", 0) <
		    fake_link_find(&h.link, "remove-cgroup", 0));
	free(text);
	harness_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroup_lines_go_in_few_round_trips),
		cmocka_unit_test(test_add_cgroup_ops_batch_and_expect_error_still_applies),
		cmocka_unit_test(test_a_duplicate_in_the_run_fails_that_line_naming_it),
		cmocka_unit_test(test_a_guest_failure_part_way_names_the_cgroup_and_tracks_what_was_made),
		cmocka_unit_test(test_a_backdrop_name_in_a_step_run_is_refused_and_the_backdrop_survives),
		cmocka_unit_test(test_a_nested_name_then_its_parent_in_one_run),
		cmocka_unit_test(test_teardown_stops_all_workers_in_one_batch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
