/* test_op_table.c - the op table is complete and is what usage and help
 * read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "engine/op.h"

static void test_table_has_all_28_kinds_in_seed_order(void **state)
{
	assert_int_equal(KT_OP__COUNT, 28);
	for (int k = 0; k < KT_OP__COUNT; k++) {
		const struct kt_form *f = kt_op_table[k];

		assert_non_null(f);
		assert_int_equal(f->op, k);
		assert_int_equal(f->kind, KT_STMT_OP);
		assert_non_null(f->exec);
		assert_non_null(f->help);
		assert_ptr_equal(kt_op_find(f->name), f);
		/* kebab-case: lower case and dashes only */
		assert_int_equal(strspn(f->name, "abcdefghijklmnopqrstuvwxyz-"), strlen(f->name));
	}
	assert_null(kt_op_table[KT_OP__COUNT]);
	assert_string_equal(kt_op_name(KT_OP_MOVE_ALL_TASKS), "move-all-tasks");
}

static void test_sides_follow_the_design(void **state)
{
	static const enum kt_op_kind host[] = {
		KT_OP_CAPTURE_SNAPSHOT, KT_OP_WATCH_SNAPSHOT, KT_OP_WRITE_KERNEL_HOT,
		KT_OP_WRITE_KERNEL_COLD, KT_OP_READ_KERNEL_HOT, KT_OP_READ_KERNEL_COLD,
	};
	int nhost = 0;

	for (size_t i = 0; i < sizeof(host) / sizeof(host[0]); i++)
		assert_int_equal(kt_op_table[host[i]]->side, KT_SIDE_HOST);
	for (int k = 0; k < KT_OP__COUNT; k++)
		nhost += kt_op_table[k]->side == KT_SIDE_HOST;
	assert_int_equal(nhost, 6);
}

/* The executor's two special cases are table data: only write-kernel-cold
 * merges with its neighbours, only `expect error` judges the op before. */
static void test_special_cases_are_form_flags(void **state)
{
	int merge = 0, catches = 0;

	for (int k = 0; k < KT_OP__COUNT; k++) {
		merge += kt_form_is(kt_op_table[k], KT_FORM_MERGE_ADJACENT);
		catches += kt_form_is(kt_op_table[k], KT_FORM_CATCHES_ERROR);
	}
	for (int k = 0; kt_expect_forms[k]; k++) {
		merge += kt_form_is(kt_expect_forms[k], KT_FORM_MERGE_ADJACENT);
		catches += kt_form_is(kt_expect_forms[k], KT_FORM_CATCHES_ERROR);
	}
	assert_int_equal(merge, 1);
	assert_int_equal(catches, 1);
	assert_true(kt_form_is(&kt_op_write_kernel_cold, KT_FORM_MERGE_ADJACENT));
	assert_true(kt_form_is(&kt_op_write_kernel_cold, KT_FORM_PAIRS | KT_FORM_MERGE_ADJACENT));
	assert_false(kt_form_is(&kt_op_write_kernel_hot, KT_FORM_MERGE_ADJACENT));
	assert_true(kt_form_is(kt_form_find(kt_expect_forms, "error"), KT_FORM_CATCHES_ERROR));
	assert_false(kt_form_is(NULL, KT_FORM_CATCHES_ERROR));
}

static void test_usage_is_generated_from_the_schema(void **state)
{
	char buf[512];

	assert_string_equal(kt_form_usage(&kt_op_capture_cgroup_procs, buf, sizeof(buf)),
			    "capture-cgroup-procs TAG CGROUP");
	assert_string_equal(kt_form_usage(&kt_op_run_payload, buf, sizeof(buf)),
			    "run-payload NAME [cgroup=NAME] [args=TEXT]");
	assert_string_equal(kt_form_usage(&kt_op_detach_scheduler, buf, sizeof(buf)),
			    "detach-scheduler");
	assert_string_equal(kt_form_usage(kt_expect_forms[0], buf, sizeof(buf)),
			    "expect procs TAG count=N");
}

static void test_suggestions_find_near_misses_only(void **state)
{
	assert_string_equal(kt_form_suggest(kt_op_table, "spwan"), "spawn");
	assert_string_equal(kt_form_suggest(kt_op_table, "steer-irqs"), "steer-irq");
	assert_null(kt_form_suggest(kt_op_table, "reboot"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_has_all_28_kinds_in_seed_order),
		cmocka_unit_test(test_sides_follow_the_design),
		cmocka_unit_test(test_special_cases_are_form_flags),
		cmocka_unit_test(test_usage_is_generated_from_the_schema),
		cmocka_unit_test(test_suggestions_find_near_misses_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
