/* test_sched_exit.c - the kernel's sched_ext records as an exit reason:
 * records printed by real 6.12 guests (a stall, an scx_bpf_error(), a
 * killed scheduler), a reason without detail, and none yet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "guest/sched-exit.h"

static void test_a_stall_gives_its_reason_the_task_and_the_kind(void **state)
{
	struct sched_exit x;

	assert_true(sched_exit_parse("sched_ext: BPF scheduler \"qmap\" enabled | sched_ext: BPF "
				     "scheduler \"qmap\" disabled (runnable task stall) | "
				     "sched_ext: qmap: kt-w:busy[39] failed to run for 5.055s", &x));
	assert_string_equal(x.why, "runnable task stall");
	assert_string_equal(x.detail, "qmap: kt-w:busy[39] failed to run for 5.055s");
	assert_string_equal(x.kind, "SCX_EXIT_ERROR_STALL");
	assert_int_equal(x.kind_value, 1026);
	assert_false(sched_exit_by_user_space(&x));
}

static void test_a_bpf_error_keeps_only_its_own_record_as_detail(void **state)
{
	struct sched_exit x;

	assert_true(sched_exit_parse("sched_ext: BPF scheduler \"qmap\" disabled (scx_bpf_error) | "
				     "sched_ext: qmap: test triggering error | sched_ext: other", &x));
	assert_string_equal(x.why, "scx_bpf_error");
	assert_string_equal(x.detail, "qmap: test triggering error");
	assert_int_equal(x.kind_value, 1025);
}

static void test_a_killed_scheduler_is_user_space_letting_go(void **state)
{
	struct sched_exit x;

	assert_true(sched_exit_parse("sched_ext: BPF scheduler \"simple\" enabled | sched_ext: BPF "
				     "scheduler \"simple\" disabled (unregistered from user space)",
				     &x));
	assert_string_equal(x.why, "unregistered from user space");
	assert_string_equal(x.detail, "");
	assert_string_equal(x.kind, "SCX_EXIT_UNREG");
	assert_true(sched_exit_by_user_space(&x));
}

static void test_no_disabled_record_yet_is_no_reason(void **state)
{
	struct sched_exit x;

	assert_false(sched_exit_parse("sched_ext: BPF scheduler \"qmap\" enabled", &x));
	assert_false(sched_exit_parse("", &x));
	assert_string_equal(x.why, "");
	assert_null(x.kind);
}

static void test_an_unknown_reason_is_kept_without_a_kind(void **state)
{
	struct sched_exit x;

	assert_true(sched_exit_parse("sched_ext: BPF scheduler \"q\" disabled (something new)", &x));
	assert_string_equal(x.why, "something new");
	assert_null(x.kind);
	assert_int_equal(x.kind_value, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_stall_gives_its_reason_the_task_and_the_kind),
		cmocka_unit_test(test_a_bpf_error_keeps_only_its_own_record_as_detail),
		cmocka_unit_test(test_a_killed_scheduler_is_user_space_letting_go),
		cmocka_unit_test(test_no_disabled_record_yet_is_no_reason),
		cmocka_unit_test(test_an_unknown_reason_is_kept_without_a_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
