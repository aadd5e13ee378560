/* test_kconfig.c - the guest kernel fragment: parse, render, check. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/kernel/kconfig.h"

static const char *frag_text =
	"# header comment\n"
	"\n"
	"CONFIG_SMP=y                 # required\n"
	"CONFIG_LOCALVERSION=\"-kt#con\"\n"
	"  CONFIG_NR_CPUS=64\n"
	"CONFIG_SOUND=n               # not wanted\n"
	"CONFIG_SCHED_CLASS_EXT=y     # required\n";

static void test_parse_strips_comments_and_marks_required(void **state)
{
	struct kconfig_frag f;

	assert_null(kconfig_frag_parse(frag_text, "kernel.config", &f));
	assert_int_equal(f.n, 5);
	assert_string_equal(f.opts[0].name, "CONFIG_SMP");
	assert_string_equal(f.opts[0].value, "y");
	assert_true(f.opts[0].required);
	assert_int_equal(f.opts[0].line, 3);
	/* A '#' inside quotes is part of the value. */
	assert_string_equal(f.opts[1].value, "\"-kt#con\"");
	assert_false(f.opts[1].required);
	assert_string_equal(f.opts[2].value, "64");
	assert_false(f.opts[3].required);
	kconfig_frag_free(&f);
}

static void test_render_writes_n_as_not_set(void **state)
{
	struct kconfig_frag f;
	char *r;

	assert_null(kconfig_frag_parse(frag_text, "kernel.config", &f));
	r = kconfig_frag_render(&f);
	assert_non_null(strstr(r, "CONFIG_SMP=y\n"));
	assert_non_null(strstr(r, "# CONFIG_SOUND is not set\n"));
	assert_null(strstr(r, "required"));
	free(r);
	kconfig_frag_free(&f);
}

static void test_later_assignment_wins(void **state)
{
	struct kconfig_frag f;

	assert_null(kconfig_frag_parse("CONFIG_A=y\nCONFIG_A=n\n", "x", &f));
	assert_int_equal(f.n, 1);
	assert_string_equal(f.opts[0].value, "n");
	assert_int_equal(f.opts[0].line, 2);
	kconfig_frag_free(&f);
}

static void test_malformed_line_names_file_and_line(void **state)
{
	struct kconfig_frag f;
	struct kterr *e = kconfig_frag_parse("CONFIG_A=y\nSMP=y\n", "frag.config", &f);

	assert_non_null(e);
	assert_true(kterr_contains(e, "frag.config:2"));
	assert_true(kterr_contains(e, "SMP=y"));
	kterr_free(e);
	e = kconfig_frag_parse("CONFIG_A=   # nothing\n", "frag.config", &f);
	assert_non_null(e);
	assert_true(kterr_contains(e, "has no value"));
	kterr_free(e);
}

static void test_value_lookup_in_dotconfig(void **state)
{
	const char *dot = "CONFIG_SMP=y\n# CONFIG_SOUND is not set\nCONFIG_SMPX=m\n";
	char *v;

	v = kconfig_value(dot, "CONFIG_SMP");
	assert_string_equal(v, "y");
	free(v);
	v = kconfig_value(dot, "CONFIG_SOUND");
	assert_string_equal(v, "n");
	free(v);
	v = kconfig_value(dot, "CONFIG_MISSING");
	assert_string_equal(v, "n");
	free(v);
}

static void test_check_names_dropped_required_option(void **state)
{
	struct kconfig_frag f;
	char *warn = NULL;
	const char *dot = "CONFIG_SMP=y\nCONFIG_NR_CPUS=8\nCONFIG_LOCALVERSION=\"-kt#con\"\n";
	struct kterr *e;

	assert_null(kconfig_frag_parse(frag_text, "kernel.config", &f));
	e = kconfig_check(&f, dot, &warn);
	assert_non_null(e);
	assert_true(kterr_contains(e, "CONFIG_SCHED_CLASS_EXT=y (kernel.config:7) became not set"));
	assert_false(kterr_contains(e, "CONFIG_SMP="));
	assert_non_null(kterr_hint_of(e));
	/* NR_CPUS is not required: a warning, not an error. */
	assert_non_null(warn);
	assert_non_null(strstr(warn, "CONFIG_NR_CPUS=64"));
	free(warn);
	kterr_free(e);
	kconfig_frag_free(&f);
}

static void test_check_passes_when_all_survive(void **state)
{
	struct kconfig_frag f;
	char *warn = (char *)"sentinel";
	const char *dot = "CONFIG_SMP=y\nCONFIG_SCHED_CLASS_EXT=y\nCONFIG_NR_CPUS=64\n"
			  "CONFIG_LOCALVERSION=\"-kt#con\"\n";

	assert_null(kconfig_frag_parse(frag_text, "kernel.config", &f));
	assert_null(kconfig_check(&f, dot, &warn));
	assert_null(warn);
	kconfig_frag_free(&f);
}

/* A version's addition overrides the fragment and keeps its own origin,
 * so a dropped option is reported where it was asked for. */
static void test_merge_overrides_and_keeps_origins(void **state)
{
	struct kconfig_frag f, add;
	char *warn = NULL;
	struct kterr *e;

	assert_null(kconfig_frag_parse("CONFIG_SMP=y # required\nCONFIG_PROC_SYSCTL=y\n",
				       "kernel.config", &f));
	assert_null(kconfig_frag_parse("# 7.3\nCONFIG_PROC_SYSCTL=n\nCONFIG_SYSCTL=y\n"
				       "CONFIG_FUNCTION_TRACER=y # required\n",
				       "kernel-7.3.config", &add));
	assert_null(kconfig_frag_merge(&f, &add));
	assert_int_equal(f.n, 4);
	assert_string_equal(f.opts[1].name, "CONFIG_PROC_SYSCTL");
	assert_string_equal(f.opts[1].value, "n");
	assert_string_equal(f.opts[1].origin, "kernel-7.3.config");
	assert_int_equal(f.opts[1].line, 2);
	assert_string_equal(f.opts[0].origin, "kernel.config");
	/* The renamed option is absent on 7.3: asking for n is satisfied. */
	e = kconfig_check(&f, "CONFIG_SMP=y\nCONFIG_SYSCTL=y\n", &warn);
	assert_non_null(e);
	assert_true(kterr_contains(e, "CONFIG_FUNCTION_TRACER=y (kernel-7.3.config:4) became not set"));
	kterr_free(e);
	assert_null(warn);
	assert_null(kconfig_check(&f, "CONFIG_SMP=y\nCONFIG_SYSCTL=y\nCONFIG_FUNCTION_TRACER=y\n",
				  &warn));
	assert_null(warn);
	kconfig_frag_free(&f);
	kconfig_frag_free(&add);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_strips_comments_and_marks_required),
		cmocka_unit_test(test_render_writes_n_as_not_set),
		cmocka_unit_test(test_later_assignment_wins),
		cmocka_unit_test(test_malformed_line_names_file_and_line),
		cmocka_unit_test(test_value_lookup_in_dotconfig),
		cmocka_unit_test(test_check_names_dropped_required_option),
		cmocka_unit_test(test_check_passes_when_all_survive),
		cmocka_unit_test(test_merge_overrides_and_keeps_origins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
