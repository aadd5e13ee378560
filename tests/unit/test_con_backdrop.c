/* test_con_backdrop.c - what `restart` re-applies: the backdrop's ops and
 * cgroup lines that succeeded, in order; not expectations, not failures,
 * not a watch since dropped with unwatch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/form.h"
#include "tui/con-backdrop.h"

static void keep(struct con_backdrop *bd, const char *text, bool failed)
{
	struct kt_stmt st;

	assert_null(kt_parse_statement(text, 0, &st));
	assert_null(con_backdrop_keep(bd, &st, failed));
	kt_stmt_clear(&st);
}

static char *printed(const struct con_backdrop *bd, size_t i)
{
	assert_true(i < bd->n);
	return kt_stmt_print(&bd->st[i]);
}

static void test_keeps_what_builds_in_order(void **state)
{
	struct con_backdrop bd = { 0 };
	char *s;

	(void)state;
	keep(&bd, "cgroup web cpuset=0-1", false);
	keep(&bd, "spawn web workers=2", false);
	keep(&bd, "expect cgroup web populated=1", false);	/* checks, builds nothing */
	keep(&bd, "add-cgroup oops", true);			/* failed: would fail again */
	keep(&bd, "attach-scheduler scx_simple", false);
	assert_int_equal(bd.n, 3);
	s = printed(&bd, 0);
	assert_string_equal(s, "cgroup web cpuset=0-1");
	free(s);
	s = printed(&bd, 1);
	assert_string_equal(s, "spawn web workers=2");
	free(s);
	s = printed(&bd, 2);
	assert_string_equal(s, "attach-scheduler scx_simple");
	free(s);
	con_backdrop_clear(&bd);
	assert_int_equal(bd.n, 0);
}

static void test_an_unwatched_watch_is_not_armed_again(void **state)
{
	struct con_backdrop bd = { 0 };
	char *s;

	(void)state;
	keep(&bd, "watch-snapshot jiffies_64", false);
	keep(&bd, "add-cgroup a", false);
	keep(&bd, "watch-snapshot scx_watchdog_timeout", false);
	con_backdrop_unwatch(&bd, "jiffies_64");
	con_backdrop_unwatch(&bd, "not_watched");
	assert_int_equal(bd.n, 2);
	s = printed(&bd, 0);
	assert_string_equal(s, "add-cgroup a");
	free(s);
	s = printed(&bd, 1);
	assert_string_equal(s, "watch-snapshot scx_watchdog_timeout");
	free(s);
	con_backdrop_clear(&bd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keeps_what_builds_in_order),
		cmocka_unit_test(test_an_unwatched_watch_is_not_armed_again),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
