/* test_guest_opts.c - the guest options of boot, run and the console come
 * from one table: the getopt tables it builds, and what it takes itself. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "lib/timeouts.h"
#include "tui/guest-opts.h"

static bool has_opt(const struct guest_opts *g, const char *name, int val)
{
	for (const struct option *o = g->longopts; o->name; o++)
		if (!strcmp(o->name, name))
			return o->val == val;
	return false;
}

/* Each command gets its mask's options, --help and its own, and the short
 * letters they always had. */
static void test_tables_are_built_from_the_mask(void **state)
{
	static const struct option own[] = { { "tap", no_argument, NULL, 't' }, { 0 } };
	struct guest_opts g;

	guest_opts_init(&g, GOPT_MACHINE, own);
	assert_true(has_opt(&g, "kernel", 'k'));
	assert_true(has_opt(&g, "accel", 'a'));
	assert_true(has_opt(&g, "timeout-scale", 'X'));
	assert_true(has_opt(&g, "help", 'h'));
	assert_true(has_opt(&g, "tap", 't'));
	assert_false(has_opt(&g, "cpus", 'c'));
	assert_string_equal(g.shortopts, "k:a:X:ht");
	guest_opts_init(&g, GOPT_CPUS | GOPT_TOPOLOGY | GOPT_MEMORY | GOPT_STAGE_PAYLOAD, NULL);
	assert_string_equal(g.shortopts, "c:t:m:P:h");
}

/* --kernel, --accel, --timeout-scale and --help are taken; the rest come
 * back in order; a bad value or an unknown option ends with an error. */
static void test_shared_options_are_taken(void **state)
{
	static const struct option own[] = { { "json", required_argument, NULL, 'J' }, { 0 } };
	char *argv[] = { "run", "--kernel", "7.3", "--json", "out.json", "--accel", "tcg",
			 "--timeout-scale", "2", "-h", "r.recipe", NULL };
	struct guest_opts g;
	struct kterr *e;
	int c;

	guest_opts_init(&g, GOPT_MACHINE, own);
	c = guest_opts_next(&g, 11, argv, &e);
	assert_int_equal(c, 'J');
	assert_string_equal(optarg, "out.json");
	assert_null(e);
	assert_int_equal(guest_opts_next(&g, 11, argv, &e), -1);
	assert_null(e);
	assert_string_equal(g.v.kernel, "7.3");
	assert_int_equal(g.v.accel, ACCEL_TCG);
	assert_true(g.help);
	assert_true(kt_scale() > 1.9 && kt_scale() < 2.1);
	assert_string_equal(argv[optind], "r.recipe");
	kt_scale_set(1.0, KT_SCALE_FLAG);

	{
		char *bad[] = { "run", "--accel", "warp", NULL };

		guest_opts_init(&g, GOPT_MACHINE, own);
		assert_int_equal(guest_opts_next(&g, 3, bad, &e), -1);
		assert_non_null(e);
		assert_true(kterr_contains(e, "unknown accelerator 'warp'"));
		kterr_free(e);
	}
	{
		char *bad[] = { "boot", "--cpus", "2", NULL };

		guest_opts_init(&g, GOPT_MACHINE, own);
		assert_int_equal(guest_opts_next(&g, 3, bad, &e), -1);
		assert_non_null(e);
		assert_true(kterr_contains(e, "unknown or incomplete option '--cpus'"));
		kterr_free(e);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_are_built_from_the_mask),
		cmocka_unit_test(test_shared_options_are_taken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
