/* test_con_views.c - the console's newer view pieces rendered to an
 * off-screen buffer: greyed titles once the guest died (con-down). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tui/con-buf.h"
#include "tui/con-down.h"

static char row[512];

static const char *at(const struct con_buf *b, int y)
{
	return con_buf_row(b, y, row, sizeof(row));
}

static void test_titles_say_the_guest_died(void **state)
{
	struct con_down d = { 0 };
	struct con_buf b;
	struct con_rect pane = { 1, 10, 5, 40 };
	time_t t = 1700000000;
	struct tm tm;
	char want[64], hhmmss[16];

	(void)state;
	localtime_r(&t, &tm);
	strftime(hhmmss, sizeof(hhmmss), "%H:%M:%S", &tm);
	assert_int_equal(con_buf_init(&b, 8, 60), 0);
	con_title(&b, &pane, "scheduler", "scx_simple", false);
	/* Alive, booting, powered off: nothing changes. */
	con_down_update(&d, CON_G_UP, false, t);
	con_down_update(&d, CON_G_OFF, false, t);
	con_down_title(&d, &b, &pane);
	assert_non_null(strstr(at(&b, 1), "scx_simple"));
	assert_int_equal(con_buf_at(&b, 1, 11)->attr, CON_A_TITLE);
	/* Died: the first time seen is kept; the name stays, greyed. */
	con_down_update(&d, CON_G_DOWN, false, t);
	con_down_update(&d, CON_G_DOWN, false, t + 60);
	con_down_title(&d, &b, &pane);
	snprintf(want, sizeof(want), "guest died at %s", hhmmss);
	assert_non_null(strstr(at(&b, 1), " scheduler "));
	assert_non_null(strstr(at(&b, 1), want));
	assert_null(strstr(at(&b, 1), "scx_simple"));
	assert_int_equal(con_buf_at(&b, 1, 11)->attr, CON_A_DIM);
	/* Only the title row, only the pane's columns. */
	assert_string_equal(at(&b, 0), "");
	assert_true(strlen(at(&b, 1)) <= 50);
	con_buf_free(&b);
}

static void test_a_failed_boot_is_not_a_death(void **state)
{
	struct con_down d = { 0 };
	struct con_buf b;
	struct con_rect pane = { 0, 0, 3, 30 };

	(void)state;
	assert_int_equal(con_buf_init(&b, 3, 30), 0);
	con_title(&b, &pane, "log", NULL, true);
	con_down_update(&d, CON_G_DOWN, true, 0);
	con_down_title(&d, &b, &pane);
	assert_non_null(strstr(at(&b, 0), ">log"));
	assert_non_null(strstr(at(&b, 0), "no guest: the boot failed"));
	con_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_titles_say_the_guest_died),
		cmocka_unit_test(test_a_failed_boot_is_not_a_death),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
