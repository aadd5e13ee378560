/* test_results.c - results as JSON and TAP, from a real run on fakes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/results.h"
#include "exec_harness.h"

static char *render(const struct kt_results *r, void (*fn)(const struct kt_results *, FILE *))
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	fn(r, f);
	fclose(f);
	return buf;
}

static const char recipe[] =
	"step\n"
	"  cgroup w workers=2\n"
	"  capture-cgroup-procs t w\n"
	"  move-all-tasks w w\n"
	"  expect error \"self-move\"\n"
	"  freeze-cgroup x\n"
	"  add-cgroup skipped\n";

static void test_json_has_every_statement_with_status_and_capture(void **state)
{
	struct harness h;
	char *json;

	harness_init(&h);
	h.link.procs_count = 2;
	h.link.fail_prefix = "freeze-cgroup";
	h.link.fail_msg = "write \"1\" to cgroup.freeze";
	harness_run(&h, recipe);
	json = render(kt_exec_results(h.x), kt_results_json);
	assert_non_null(strstr(json, "\"file\": \"t.recipe\", \"passed\": false"));
	assert_non_null(strstr(json, "{\"line\": 3, \"statement\": \"capture-cgroup-procs t w\", "
				     "\"status\": \"pass\""));
	assert_non_null(strstr(json, "\"captured\": [102,103]"));
	assert_non_null(strstr(json, "\"status\": \"expected-failure\""));
	/* Quotes in errors are escaped. */
	assert_non_null(strstr(json, "write \\\"1\\\" to cgroup.freeze"));
	assert_non_null(strstr(json, "\"line\": 7, \"statement\": \"add-cgroup skipped\", "
				     "\"status\": \"skip\""));
	free(json);
	harness_free(&h);
}

static void test_tap_counts_test_points_and_skips(void **state)
{
	struct harness h;
	char *tap;

	harness_init(&h);
	h.link.fail_prefix = "freeze-cgroup";
	harness_run(&h, recipe);
	tap = render(kt_exec_results(h.x), kt_results_tap);
	assert_non_null(strstr(tap, "TAP version 13\n1..6\n"));
	assert_non_null(strstr(tap, "ok 3 - t.recipe:4: move-all-tasks w w\n"));
	assert_non_null(strstr(tap, "not ok 5 - t.recipe:6: freeze-cgroup"));
	assert_non_null(strstr(tap, "ok 6 - t.recipe:7: add-cgroup skipped # SKIP"));
	assert_non_null(strstr(tap, "    error: |\n      t.recipe:6:"));
	free(tap);
	harness_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_has_every_statement_with_status_and_capture),
		cmocka_unit_test(test_tap_counts_test_points_and_skips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
