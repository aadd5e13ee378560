/* test_cpuset.c - cpuset SPECs against a topology, CPU lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "lib/cpuset.h"

static const char *resolve(const char *spec, const struct kt_topology *t, char *buf, size_t n)
{
	struct kt_cpuset s;
	struct kterr *e = kt_cpuset_resolve(spec, t, &s);

	if (e) {
		kterr_free(e);
		return "ERROR";
	}
	return kt_cpulist_format(&s, buf, n);
}

static void test_spec_forms_resolve_against_topology(void **state)
{
	/* 2 nodes x 2 LLCs x 2 cores x 1 thread = 8 CPUs. */
	struct kt_topology t;
	char b[64];

	assert_null(kt_topology_parse("2,2,2,1", &t));
	assert_int_equal(kt_topology_cpus(&t), 8);
	assert_string_equal(resolve("0-2,6", &t, b, sizeof(b)), "0-2,6");
	assert_string_equal(resolve("llc:3", &t, b, sizeof(b)), "6-7");
	assert_string_equal(resolve("numa:1", &t, b, sizeof(b)), "4-7");
	assert_string_equal(resolve("range:0.0-0.5", &t, b, sizeof(b)), "0-3");
	assert_string_equal(resolve("disjoint:1/4", &t, b, sizeof(b)), "2-3");
	assert_string_equal(resolve("overlap:0/2/0.5", &t, b, sizeof(b)), "0-5");
	assert_string_equal(resolve("overlap:1/2/0.5", &t, b, sizeof(b)), "4-7");
}

static void test_spec_outside_topology_names_the_limit(void **state)
{
	struct kt_topology t = kt_topology_flat(4);
	struct kt_cpuset s;
	struct kterr *e;

	e = kt_cpuset_resolve("llc:1", &t, &s);
	assert_true(kterr_contains(e, "the guest has 1 LLCs"));
	kterr_free(e);
	e = kt_cpuset_resolve("5", &t, &s);
	assert_true(kterr_contains(e, "CPU 5 is not in the guest (4 CPUs)"));
	kterr_free(e);
	e = kt_cpuset_resolve("disjoint:0/8", &t, &s);
	assert_true(kterr_contains(e, "8 parts of 4 CPUs"));
	kterr_free(e);
}

static void test_bad_spec_syntax_is_rejected_with_the_forms(void **state)
{
	static const char *const bad[] = {
		"", "llc:", "llc:-1", "numa:x", "range:0.5", "range:0.6-0.2", "range:0-2",
		"disjoint:2/2", "disjoint:1", "overlap:0/2", "overlap:0/2/1.5", "0-", "3-1",
		"1,,2", "a-b", "0-3,", NULL,
	};

	for (size_t i = 0; bad[i]; i++) {
		struct kterr *e = kt_cpuset_spec_check(bad[i]);

		if (!e)
			fail_msg("'%s' should be rejected", bad[i]);
		assert_true(kterr_contains(e, "bad cpuset spec"));
		kterr_free(e);
	}
	assert_null(kt_cpuset_spec_check("overlap:1/3/0.25"));
}

static void test_cpulist_round_trips_and_set_ops(void **state)
{
	struct kt_cpuset a, b;
	char buf[64];

	assert_null(kt_cpulist_parse("0-3,8,10-11", &a));
	assert_string_equal(kt_cpulist_format(&a, buf, sizeof(buf)), "0-3,8,10-11");
	assert_int_equal(kt_cpuset_count(&a), 7);
	assert_null(kt_cpulist_parse("2,8", &b));
	assert_true(kt_cpuset_subset(&b, &a));
	assert_false(kt_cpuset_subset(&a, &b));
	assert_false(kt_cpuset_equal(&a, &b));
}

static void test_topology_parse_rejects_zero_and_too_many(void **state)
{
	struct kt_topology t;
	struct kterr *e = kt_topology_parse("1,0,2,1", &t);

	assert_non_null(e);
	kterr_free(e);
	e = kt_topology_parse("64,64,1,1", &t);
	assert_true(kterr_contains(e, "more than 1024 CPUs"));
	kterr_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_forms_resolve_against_topology),
		cmocka_unit_test(test_spec_outside_topology_names_the_limit),
		cmocka_unit_test(test_bad_spec_syntax_is_rejected_with_the_forms),
		cmocka_unit_test(test_cpulist_round_trips_and_set_ops),
		cmocka_unit_test(test_topology_parse_rejects_zero_and_too_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
