/* test_wait.c - the limits table, the scale, and waits that do not charge
 * their own stall, on a fake clock. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/timeouts.h"
#include "lib/wait.h"

#define MS 1000000ULL

static uint64_t fake_ns;

static uint64_t fake_now(void *ctx)
{
	(void)ctx;
	return fake_ns;
}

static const struct kt_clock fake = { fake_now, NULL };

static int reset(void **state)
{
	(void)state;
	fake_ns = 1000 * MS;
	/* Back to the default: the scale is process-wide. */
	kt_scale_reset();
	return 0;
}

/* Run the canonical loop: check (never true), expire?, nap. Each nap
 * "takes" what SLEPT says (a late wake-up when it exceeds the ask).
 * Returns the fake time at which the wait gave up. */
static uint64_t run_until_expired(struct kt_wait *w, int nap_ms, uint64_t (*slept)(int, int),
				  int *checks)
{
	int n = 0;

	for (;;) {
		n++;
		if (kt_wait_expired(w))
			break;
		int nap = kt_wait_nap_ms(w, nap_ms);

		fake_ns += slept(nap, n) * MS;
	}
	*checks = n;
	return fake_ns;
}

static uint64_t on_time(int nap, int n)
{
	(void)n;
	return nap;
}

/* The third nap returns 3 s late: the waiter was not running. */
static uint64_t one_late(int nap, int n)
{
	return n == 3 ? nap + 3000 : nap;
}

static uint64_t always_late(int nap, int n)
{
	(void)n;
	return nap + 500;
}

static void test_wait_expires_at_limit_after_one_last_check(void **state)
{
	struct kt_wait w;
	int checks;

	(void)state;
	kt_wait_begin_clock(&w, &fake, KT_LIM_WORKER_READY, 5000, "worker 3 (pid 9) ready");
	uint64_t end = run_until_expired(&w, 10, on_time, &checks);

	assert_int_equal(end - 1000 * MS, 5000 * MS);
	/* 500 naps to the deadline, the check at it, one more after it. */
	assert_int_equal(checks, 502);
	assert_int_equal(w.lost_ns, 0);
}

static void test_late_wake_up_extends_the_deadline_by_the_gap(void **state)
{
	struct kt_wait w;
	int checks;

	(void)state;
	kt_wait_begin_clock(&w, &fake, KT_LIM_WORKER_READY, 5000, "worker 3 (pid 9) ready");
	uint64_t end = run_until_expired(&w, 10, one_late, &checks);

	assert_int_equal(w.lost_ns, 3000 * MS);
	assert_int_equal(end - 1000 * MS, 8000 * MS);
}

static void test_small_overruns_are_noise(void **state)
{
	struct kt_wait w;

	(void)state;
	kt_wait_begin_clock(&w, &fake, -1, 1000, "x");
	assert_false(kt_wait_expired(&w));
	kt_wait_nap_ms(&w, 10);
	fake_ns += (10 + KT_WAIT_LATE_MS) * MS;
	assert_false(kt_wait_expired(&w));
	assert_int_equal(w.lost_ns, 0);
}

static void test_stretch_is_bounded(void **state)
{
	struct kt_wait w;
	int checks;

	(void)state;
	kt_wait_begin_clock(&w, &fake, -1, 1000, "x");
	uint64_t end = run_until_expired(&w, 10, always_late, &checks);

	assert_int_equal(w.lost_ns, KT_WAIT_MAX_STRETCH * 1000 * MS);
	assert_true(end - 1000 * MS <= (1 + KT_WAIT_MAX_STRETCH) * 1000 * MS + 600 * MS);
}

static void test_condition_met_on_the_last_check_is_not_a_timeout(void **state)
{
	struct kt_wait w;

	(void)state;
	kt_wait_begin_clock(&w, &fake, -1, 100, "x");
	fake_ns += 200 * MS;
	/* Past the deadline: the first call grants one more check ... */
	assert_false(kt_wait_expired(&w));
	assert_int_equal(kt_wait_nap_ms(&w, 10), 0);
	/* ... the caller's condition would be re-checked here; only the
	 * next call ends the wait. */
	assert_true(kt_wait_expired(&w));
}

static void test_nap_is_capped_by_the_deadline(void **state)
{
	struct kt_wait w;

	(void)state;
	kt_wait_begin_clock(&w, &fake, -1, 100, "x");
	assert_int_equal(kt_wait_nap_ms(&w, 1000), 100);
	fake_ns += 60 * MS;
	assert_false(kt_wait_expired(&w));
	assert_int_equal(kt_wait_nap_ms(&w, 1000), 40);
	assert_int_equal(kt_wait_left_ms(&w), 40);
}

static void test_no_limit_never_expires(void **state)
{
	struct kt_wait w;

	(void)state;
	kt_wait_begin_clock(&w, &fake, -1, -1, "x");
	fake_ns += 1000000 * MS;
	assert_false(kt_wait_expired(&w));
	assert_int_equal(kt_wait_nap_ms(&w, 50), 50);
}

static void test_timeout_error_names_thing_limit_and_last_seen(void **state)
{
	struct kt_wait w;
	struct kterr *e;
	char buf[1024];
	int checks;

	(void)state;
	kt_wait_begin_clock(&w, &fake, KT_LIM_WORKER_READY, 5000, "worker 3 (pid 9) ready");
	kt_wait_seen(&w, "setup not started; sched_ext enabled");
	run_until_expired(&w, 10, one_late, &checks);
	e = kt_wait_error(&w, "is the scheduler running it?");
	kterr_str(e, buf, sizeof(buf));
	assert_int_equal(kterr_errno_of(e), ETIMEDOUT);
	assert_non_null(strstr(buf, "worker 3 (pid 9) ready: not within 5.0s"));
	assert_non_null(strstr(buf, "worker-ready 5.0s x scale 1"));
	assert_non_null(strstr(buf, "not running for 3.0s"));
	assert_non_null(strstr(buf, "last seen: setup not started; sched_ext enabled"));
	assert_non_null(strstr(buf, "is the scheduler running it?"));
	assert_non_null(strstr(buf, "--timeout-scale"));
	assert_null(strstr(buf, "Connection timed out"));
	kterr_free(e);
}

static void test_scale_parse_accepts_numbers_in_range(void **state)
{
	double f = 0;
	struct kterr *e;

	(void)state;
	assert_null(kt_scale_parse("2.5", "--timeout-scale", &f));
	assert_true(f == 2.5);
	assert_null(kt_scale_parse("0.1", "--timeout-scale", &f));
	assert_null(kt_scale_parse("100", "--timeout-scale", &f));
	static const char *const bad[] = { "", "x", "2x", "0", "-1", "101", "nan", "inf", NULL };

	for (int i = 0; bad[i]; i++) {
		e = kt_scale_parse(bad[i], "KTCON_TIMEOUT_SCALE", &f);
		assert_non_null(e);
		assert_true(kterr_contains(e, "KTCON_TIMEOUT_SCALE"));
		kterr_free(e);
	}
}

static void test_scale_multiplies_every_limit(void **state)
{
	(void)state;
	assert_int_equal(kt_limit_ms(KT_LIM_FREEZE), 5000);
	kt_scale_set(3, KT_SCALE_FLAG);
	assert_int_equal(kt_limit_ms(KT_LIM_FREEZE), 15000);
	assert_int_equal(kt_limit_ms(KT_LIM_BOOT), 180000);
	kt_scale_set(0.5, KT_SCALE_FLAG);
	assert_int_equal(kt_scaled_ms(999), 500);
}

static void test_scale_origin_ranks_flag_over_env_over_auto(void **state)
{
	(void)state;
	kt_scale_set(2, KT_SCALE_FLAG);
	assert_false(kt_scale_set(4, KT_SCALE_AUTO));
	assert_false(kt_scale_set(4, KT_SCALE_ENV));
	assert_true(kt_scale() == 2);
	assert_true(kt_scale_set(5, KT_SCALE_FLAG));
	assert_true(kt_scale() == 5);
}

static void test_measured_scale_only_rises(void **state)
{
	(void)state;
	assert_true(kt_scale_set(3, KT_SCALE_AUTO));
	/* A faster boot of a guest booted alongside does not lower it. */
	assert_false(kt_scale_set(2, KT_SCALE_AUTO));
	assert_true(kt_scale() == 3);
	assert_true(kt_scale_set(4, KT_SCALE_AUTO));
	/* The user's word lowers it; measurements no longer count. */
	assert_true(kt_scale_set(1.5, KT_SCALE_ENV));
	assert_false(kt_scale_set(9, KT_SCALE_AUTO));
	assert_true(kt_scale() == 1.5);
	assert_int_equal(kt_scale_origin(), KT_SCALE_ENV);
}

static void test_measured_scale_is_tenths_never_below_one(void **state)
{
	(void)state;
	assert_true(kt_scale_measured(1000, 2500) == 1);
	assert_true(kt_scale_measured(2500, 2500) == 1);
	assert_true(kt_scale_measured(3300, 2500) == 1.3);
	assert_true(kt_scale_measured(10000, 2500) == 4);
	assert_true(kt_scale_measured(1000000, 2500) == KT_SCALE_MAX);
	assert_true(kt_scale_measured(5000, 0) == 1);
}

static void test_env_scale_is_parsed_and_bad_values_named(void **state)
{
	struct kterr *e;

	(void)state;
	setenv("KTCON_TIMEOUT_SCALE", "abc", 1);
	e = kt_scale_from_env();
	assert_non_null(e);
	assert_true(kterr_contains(e, "KTCON_TIMEOUT_SCALE 'abc'"));
	kterr_free(e);
	unsetenv("KTCON_TIMEOUT_SCALE");
	assert_null(kt_scale_from_env());
}

static void test_table_is_complete_and_names_unique(void **state)
{
	char buf[8192];

	(void)state;
	for (int i = 0; i < KT_LIM_N; i++) {
		assert_non_null(kt_limits[i].name);
		assert_true(kt_limits[i].default_ms > 0);
		assert_non_null(kt_limits[i].what);
		assert_int_equal(kt_limit_find(kt_limits[i].name), i);
	}
	assert_int_equal(kt_limit_find("nope"), -1);
	kt_limits_print(buf, sizeof(buf));
	for (int i = 0; i < KT_LIM_N; i++)
		assert_non_null(strstr(buf, kt_limits[i].name));
}

static void test_silent_error_keeps_errno_but_not_strerror(void **state)
{
	struct kterr *e = kterr_silent(ETIMEDOUT, "freeze /sys/fs/cgroup/ktcon/a: not within 5.0s");
	char buf[256];

	(void)state;
	e = kterr_wrap(e, "freeze-cgroup a");
	assert_string_equal(kterr_str(e, buf, sizeof(buf)),
			    "freeze-cgroup a: freeze /sys/fs/cgroup/ktcon/a: not within 5.0s");
	assert_int_equal(kterr_errno_of(e), ETIMEDOUT);
	kterr_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_wait_expires_at_limit_after_one_last_check, reset),
		cmocka_unit_test_setup(test_late_wake_up_extends_the_deadline_by_the_gap, reset),
		cmocka_unit_test_setup(test_small_overruns_are_noise, reset),
		cmocka_unit_test_setup(test_stretch_is_bounded, reset),
		cmocka_unit_test_setup(test_condition_met_on_the_last_check_is_not_a_timeout, reset),
		cmocka_unit_test_setup(test_nap_is_capped_by_the_deadline, reset),
		cmocka_unit_test_setup(test_no_limit_never_expires, reset),
		cmocka_unit_test_setup(test_timeout_error_names_thing_limit_and_last_seen, reset),
		cmocka_unit_test_setup(test_scale_parse_accepts_numbers_in_range, reset),
		cmocka_unit_test_setup(test_scale_multiplies_every_limit, reset),
		cmocka_unit_test_setup(test_scale_origin_ranks_flag_over_env_over_auto, reset),
		cmocka_unit_test_setup(test_env_scale_is_parsed_and_bad_values_named, reset),
		cmocka_unit_test_setup(test_measured_scale_is_tenths_never_below_one, reset),
		cmocka_unit_test_setup(test_measured_scale_only_rises, reset),
		cmocka_unit_test_setup(test_table_is_complete_and_names_unique, reset),
		cmocka_unit_test_setup(test_silent_error_keeps_errno_but_not_strerror, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
