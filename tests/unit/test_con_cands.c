/* test_con_cands.c - Tab's candidates above the prompt: drawn once on the
 * rows right above the status line, the overflow counted, gone when the
 * line changes (con-cands.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tui/con-cands.h"

static char *words[] = { "add-cgroup", "add-cgroup-def" };

static void test_candidates_sit_above_the_status_line_once(void **state)
{
	struct con_cands k = { 0 };
	struct con_buf b;
	char row[128];

	assert_int_equal(con_buf_init(&b, 24, 80), 0);
	con_cands_set(&k, "add-cgroup", words, 2);
	assert_int_equal(con_cands_render(&k, &b, 1, 22), 1);
	assert_string_equal(con_buf_row(&b, 21, row, sizeof(row)), " add-cgroup  add-cgroup-def");
	/* A second Tab on the same line: the same one row. */
	con_cands_set(&k, "add-cgroup", words, 2);
	con_buf_clear(&b);
	assert_int_equal(con_cands_render(&k, &b, 1, 22), 1);
	assert_string_equal(con_buf_row(&b, 20, row, sizeof(row)), "");
	/* Redrawn with the same line: they stay; typed on: they go. */
	assert_false(con_cands_seen(&k, "add-cgroup"));
	assert_true(con_cands_seen(&k, "add-cgroup-"));
	con_buf_clear(&b);
	assert_int_equal(con_cands_render(&k, &b, 1, 22), 0);
	assert_false(con_buf_has(&b, "add-cgroup"));
	con_buf_free(&b);
}

static void test_too_many_candidates_are_counted(void **state)
{
	struct con_cands k = { 0 };
	struct con_buf b;
	char *many[60], names[60][16], row[128];

	for (int i = 0; i < 60; i++) {
		snprintf(names[i], sizeof(names[i]), "word-%02d", i);
		many[i] = names[i];
	}
	assert_int_equal(con_buf_init(&b, 24, 80), 0);
	con_cands_set(&k, "", many, 60);
	assert_int_equal(con_cands_render(&k, &b, 1, 22), CON_CANDS_ROWS);
	assert_true(con_buf_has(&b, "word-00"));
	assert_non_null(strstr(con_buf_row(&b, 21, row, sizeof(row)), " more"));
	assert_true(strlen(row) <= 80);
	/* No higher than `top`: a small screen gets one row. */
	con_buf_clear(&b);
	assert_int_equal(con_cands_render(&k, &b, 21, 22), 1);
	assert_true(con_buf_has(&b, " more"));
	con_cands_clear(&k);
	con_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_candidates_sit_above_the_status_line_once),
		cmocka_unit_test(test_too_many_candidates_are_counted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
