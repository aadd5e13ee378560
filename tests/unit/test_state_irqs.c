/* test_state_irqs.c - /proc/interrupts into a table: 1, 2 and 4 CPUs
 * (tests/data/interrupts), global rows, offline-CPU gaps, odd lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/util.h"
#include "guest/state-irqs.h"

static char *fixture(const char *name)
{
	char *path = kt_strfmt("%s/tests/data/interrupts/%s", KTCON_SRCDIR, name), *text = NULL;
	struct kterr *e = kt_read_file(path, 1 << 20, &text, NULL);

	if (e)
		fail_msg("%s: %s", path, kterr_str(e, (char[256]){ 0 }, 256));
	free(path);
	return text;
}

static const struct irq_row *row(const struct irq_table *t, const char *name, size_t *idx)
{
	for (size_t i = 0; i < t->nrows; i++)
		if (!strcmp(t->rows[i].name, name)) {
			if (idx)
				*idx = i;
			return &t->rows[i];
		}
	fail_msg("no row %s", name);
	return NULL;
}

static void test_one_cpu_global_rows_stay_out_of_totals(void **state)
{
	char *text = fixture("cpu1.txt");
	struct irq_table t;

	assert_null(irq_table_parse(text, &t));
	assert_int_equal(t.ncpus, 1);
	assert_int_equal(t.cpu[0], 0);
	assert_int_equal(t.nrows, 6);
	assert_int_equal(t.skipped, 0);
	assert_true(row(&t, "LOC", NULL)->per_cpu);
	assert_string_equal(row(&t, "LOC", NULL)->desc, "Local timer interrupts");
	/* With one CPU "ERR: 0" has as many counts as columns: still global. */
	assert_false(row(&t, "ERR", NULL)->per_cpu);
	assert_false(row(&t, "MIS", NULL)->per_cpu);
	assert_int_equal(row(&t, "MIS", NULL)->total, 3);
	assert_int_equal(t.cpu_total[0], 40 + 312 + 0 + 5120);
	irq_table_free(&t);
	free(text);
}

static void test_two_cpus_rows_counts_and_descriptions(void **state)
{
	char *text = fixture("cpu2.txt");
	struct irq_table t;
	size_t i = 0;

	assert_null(irq_table_parse(text, &t));
	assert_int_equal(t.ncpus, 2);
	assert_int_equal(t.nrows, 9);
	assert_int_equal(t.skipped, 0);
	assert_string_equal(row(&t, "4", &i)->desc, "IO-APIC 4-edge ttyS0");
	assert_int_equal(irq_row_counts(&t, i)[0], 300);
	assert_int_equal(irq_row_counts(&t, i)[1], 12);
	assert_int_equal(row(&t, "4", NULL)->total, 312);
	/* "0-edge" after the counts is the description's, not a count */
	assert_string_equal(row(&t, "28", &i)->desc, "PCI-MSIX-0000:00:01.0 0-edge virtio0-config");
	assert_int_equal(irq_row_counts(&t, i)[1], 7);
	assert_int_equal(t.cpu_total[0], 40 + 300 + 1 + 0 + 0 + 140350 + 17);
	assert_int_equal(t.cpu_total[1], 0 + 12 + 0 + 7 + 0 + 141454 + 23);
	assert_false(row(&t, "ERR", &i)->per_cpu);
	assert_int_equal(irq_row_counts(&t, i)[0], 0);
	irq_table_free(&t);
	free(text);
}

static void test_four_cpus_with_a_gap_and_odd_lines(void **state)
{
	char *text = fixture("cpu4.txt");
	struct irq_table t;
	size_t i = 0;

	assert_null(irq_table_parse(text, &t));
	assert_int_equal(t.ncpus, 4);
	/* CPU3 and CPU4 offline: columns name the CPUs that are there */
	assert_int_equal(t.cpu[2], 2);
	assert_int_equal(t.cpu[3], 5);
	/* "this line is noise" and the two-count row; the blank line is not counted */
	assert_int_equal(t.skipped, 2);
	assert_int_equal(t.nrows, 8);
	row(&t, "5", &i);
	assert_int_equal(irq_row_counts(&t, i)[3], 4);
	assert_int_equal(t.cpu_total[3], 0 + 4 + 0 + 1 + 4000 + 8);
	assert_int_equal(row(&t, "ERR", NULL)->total, 2);
	irq_table_free(&t);
	free(text);
}

static void test_missing_header_is_an_error_naming_the_line(void **state)
{
	struct irq_table t;
	struct kterr *e = irq_table_parse("  0:  1  2  IO-APIC timer\n", &t);
	char buf[256];

	assert_non_null(e);
	assert_non_null(strstr(kterr_str(e, buf, sizeof(buf)), "not CPUn"));
	kterr_free(e);
	irq_table_free(&t);
	e = irq_table_parse("", &t);
	assert_non_null(e);
	assert_non_null(strstr(kterr_str(e, buf, sizeof(buf)), "empty"));
	kterr_free(e);
	irq_table_free(&t);
	e = irq_table_parse(NULL, &t);
	assert_non_null(e);
	kterr_free(e);
	irq_table_free(&t);
}

static void test_huge_and_garbage_counts_never_crash(void **state)
{
	struct irq_table t;
	static const char *const texts[] = {
		"CPU0 CPU1\n 1: 99999999999999999999999 1 x\n",
		"CPU0 CPU1\n:\n::\n 1:\n 2: 1\n",
		"CPU0 CPU1\nverylongnamethatdoesnotfit: 1 2 d\n",
		"CPU0\n\n\n",
		"CPU99999999999\n",
		"CPU0 CPU1\n 1: 1 2", /* no newline at the end */
	};

	for (size_t k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
		kterr_free(irq_table_parse(texts[k], &t));
		irq_table_free(&t);
	}
	assert_null(irq_table_parse(texts[5], &t));
	assert_int_equal(t.nrows, 1);
	assert_string_equal(t.rows[0].desc, "");
	irq_table_free(&t);
	assert_null(irq_table_parse(texts[0], &t));
	assert_int_equal(t.nrows, 0);	/* an overflowing count is not a count */
	assert_int_equal(t.skipped, 1);
	irq_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_cpu_global_rows_stay_out_of_totals),
		cmocka_unit_test(test_two_cpus_rows_counts_and_descriptions),
		cmocka_unit_test(test_four_cpus_with_a_gap_and_odd_lines),
		cmocka_unit_test(test_missing_header_is_an_error_naming_the_line),
		cmocka_unit_test(test_huge_and_garbage_counts_never_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
