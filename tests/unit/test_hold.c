/* test_hold.c - durations, HoldSpec parsing and the hold plan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "engine/hold.h"

static void test_durations_take_units(void **state)
{
	uint64_t ns;
	struct kterr *e;

	assert_null(kt_duration_parse("2s", &ns));
	assert_int_equal(ns, 2000000000ULL);
	assert_null(kt_duration_parse("500ms", &ns));
	assert_int_equal(ns, 500000000ULL);
	assert_null(kt_duration_parse("1.5s", &ns));
	assert_int_equal(ns, 1500000000ULL);
	assert_null(kt_duration_parse("2m", &ns));
	assert_int_equal(ns, 120000000000ULL);
	e = kt_duration_parse("5", &ns);
	assert_true(kterr_contains(e, "write a positive time with a unit"));
	kterr_free(e);
	e = kt_duration_parse("0s", &ns);
	assert_non_null(e);
	kterr_free(e);
}

static void test_hold_kinds(void **state)
{
	struct kt_hold h;
	struct kterr *e;

	assert_null(kt_hold_parse("500ms", &h));
	assert_int_equal(h.kind, KT_HOLD_FIXED);
	assert_null(kt_hold_parse("0.3", &h));
	assert_int_equal(h.kind, KT_HOLD_FRAC);
	assert_null(kt_hold_parse("loop:200ms", &h));
	assert_int_equal(h.kind, KT_HOLD_LOOP);
	assert_int_equal(h.interval_ns, 200000000ULL);
	e = kt_hold_parse("1.5", &h);
	assert_true(kterr_contains(e, "fraction of `duration` is in (0, 1]"));
	kterr_free(e);
	e = kt_hold_parse("loop:fast", &h);
	assert_non_null(e);
	kterr_free(e);
	/* a zero fixed hold is allowed; a zero loop interval is not */
	assert_null(kt_hold_parse("0ms", &h));
	assert_int_equal(h.kind, KT_HOLD_FIXED);
	assert_int_equal(h.ns, 0);
	e = kt_hold_parse("loop:0ms", &h);
	assert_non_null(e);
	kterr_free(e);
}

static void test_plan_divides_duration_between_fractions_and_loops(void **state)
{
	struct kt_hold h[3];
	uint64_t ns[3];
	struct kterr *e;

	kt_hold_parse("2s", &h[0]);
	kt_hold_parse("0.25", &h[1]);
	kt_hold_parse("loop:100ms", &h[2]);
	assert_null(kt_hold_plan(h, 3, 10000000000ULL, ns));
	assert_int_equal(ns[0], 2000000000ULL);
	assert_int_equal(ns[1], 2500000000ULL);
	assert_int_equal(ns[2], 5500000000ULL);
	e = kt_hold_plan(h, 3, 0, ns);
	assert_true(kterr_contains(e, "step 2: hold=FRACTION needs a `duration` line"));
	kterr_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations_take_units),
		cmocka_unit_test(test_hold_kinds),
		cmocka_unit_test(test_plan_divides_duration_between_fractions_and_loops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
