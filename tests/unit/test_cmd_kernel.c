/* test_cmd_kernel.c - `ktcon kernel` argument parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "tui/cmd-kernel.h"

#define ARGV(...) ((char *[]){ "kernel", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "kernel", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(a, ...) kernel_parse_args(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (a))

static void test_build_with_all_options(void **state)
{
	struct kernel_args a;

	assert_null(PARSE(&a, "build", "--source", "/src/linux", "--jobs", "2", "--force"));
	assert_int_equal(a.action, KERNEL_BUILD);
	assert_string_equal(a.source, "/src/linux");
	assert_int_equal(a.jobs, 2);
	assert_true(a.force);
}

/* --scheduler-only rebuilds a tree's tools/sched_ext: it needs the tree. */
static void test_scheduler_only_needs_source(void **state)
{
	struct kernel_args a;
	struct kterr *e;

	assert_null(PARSE(&a, "build", "--source", "/src/linux", "--scheduler-only"));
	assert_true(a.scheduler_only);
	assert_string_equal(a.source, "/src/linux");
	e = PARSE(&a, "build", "--scheduler-only");
	assert_non_null(e);
	assert_true(kterr_contains(e, "--scheduler-only needs --source DIR"));
	kterr_free(e);
	e = PARSE(&a, "path", "--scheduler-only");
	assert_non_null(e);
	kterr_free(e);
}

static void test_build_defaults(void **state)
{
	struct kernel_args a;

	assert_null(PARSE(&a, "build"));
	assert_null(a.source);
	assert_int_equal(a.jobs, 0);
	assert_false(a.force);
}

static void test_jobs_must_be_a_positive_number(void **state)
{
	struct kernel_args a;
	struct kterr *e = PARSE(&a, "build", "--jobs", "two");

	assert_non_null(e);
	assert_true(kterr_contains(e, "'two'"));
	kterr_free(e);
	e = PARSE(&a, "build", "-j", "0");
	assert_non_null(e);
	kterr_free(e);
	e = PARSE(&a, "build", "--jobs");
	assert_true(kterr_contains(e, "--jobs needs a value"));
	kterr_free(e);
}

static void test_version_is_a_known_one(void **state)
{
	struct kernel_args a;
	struct kterr *e;

	assert_null(PARSE(&a, "build", "--version", "7.3"));
	assert_string_equal(a.version, "7.3");
	assert_null(PARSE(&a, "path", "--version", "6.12", "--vmlinux"));
	assert_string_equal(a.version, "6.12");
	assert_int_equal(a.what, KPATH_VMLINUX);
	assert_null(PARSE(&a, "build"));
	assert_null(a.version);
	e = PARSE(&a, "build", "--version", "5.4");
	assert_non_null(e);
	assert_true(kterr_contains(e, "'5.4' is not one ktcon builds"));
	assert_non_null(strstr(kterr_hint_of(e), "6.12, 7.3"));
	kterr_free(e);
	e = PARSE(&a, "build", "--version");
	assert_true(kterr_contains(e, "--version needs a value"));
	kterr_free(e);
	e = PARSE(&a, "list", "--version", "7.3");
	assert_non_null(e);
	kterr_free(e);
}

static void test_path_variants(void **state)
{
	struct kernel_args a;

	assert_null(PARSE(&a, "path"));
	assert_int_equal(a.what, KPATH_BZIMAGE);
	assert_null(PARSE(&a, "path", "--vmlinux"));
	assert_int_equal(a.what, KPATH_VMLINUX);
	assert_null(PARSE(&a, "path", "--dir"));
	assert_int_equal(a.what, KPATH_DIR);
}

static void test_option_of_another_action_is_rejected(void **state)
{
	struct kernel_args a;
	struct kterr *e = PARSE(&a, "list", "--force");

	assert_non_null(e);
	assert_true(kterr_contains(e, "kernel list: unknown option '--force'"));
	kterr_free(e);
	e = PARSE(&a, "path", "--source", "x");
	assert_non_null(e);
	kterr_free(e);
}

static void test_unknown_and_missing_action(void **state)
{
	struct kernel_args a;
	struct kterr *e = PARSE(&a, "biuld");

	assert_true(kterr_contains(e, "unknown action 'biuld'"));
	assert_non_null(kterr_hint_of(e));
	kterr_free(e);
	e = kernel_parse_args(1, (char *[]){ "kernel", NULL }, &a);
	assert_true(kterr_contains(e, "missing action"));
	kterr_free(e);
}

static void test_help_anywhere(void **state)
{
	struct kernel_args a;

	assert_null(PARSE(&a, "build", "--help"));
	assert_int_equal(a.action, KERNEL_HELP);
	assert_null(PARSE(&a, "--help"));
	assert_int_equal(a.action, KERNEL_HELP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_with_all_options),
		cmocka_unit_test(test_build_defaults),
		cmocka_unit_test(test_scheduler_only_needs_source),
		cmocka_unit_test(test_jobs_must_be_a_positive_number),
		cmocka_unit_test(test_version_is_a_known_one),
		cmocka_unit_test(test_path_variants),
		cmocka_unit_test(test_option_of_another_action_is_rejected),
		cmocka_unit_test(test_unknown_and_missing_action),
		cmocka_unit_test(test_help_anywhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
