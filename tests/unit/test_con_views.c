/* test_con_views.c - the console's newer view pieces rendered to an
 * off-screen buffer: greyed titles once the guest died (con-down), the
 * log's filters and search, tabbed slot titles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tui/con-buf.h"
#include "tui/con-down.h"
#include "tui/con-layout.h"
#include "tui/con-log.h"
#include "tui/con-tabs.h"

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
	con_down_update(&d, CON_G_DOWN, true, t);	/* before the boot job came back */
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

/* `restart`: greyed while the guest boots again (saying so), live once
 * it is up. */
static void test_a_restart_greys_then_goes_live(void **state)
{
	struct con_down d = { 0 };
	struct con_buf b;
	struct con_rect pane = { 0, 0, 3, 60 };

	(void)state;
	assert_int_equal(con_buf_init(&b, 3, 60), 0);
	con_down_update(&d, CON_G_UP, false, 0);
	con_down_update(&d, CON_G_DOWN, false, 0);
	con_down_update(&d, CON_G_BOOTING, false, 0);
	con_title(&b, &pane, "cgroups", NULL, false);
	con_down_title(&d, &b, &pane);
	assert_non_null(strstr(at(&b, 0), "restarting (died at "));
	assert_int_equal(con_buf_at(&b, 0, 1)->attr, CON_A_DIM);
	con_down_update(&d, CON_G_UP, false, 60);
	assert_false(d.down);
	con_title(&b, &pane, "cgroups", NULL, false);
	con_down_title(&d, &b, &pane);
	assert_null(strstr(at(&b, 0), "died"));
	assert_int_equal(con_buf_at(&b, 0, 1)->attr, CON_A_TITLE);
	/* It can die again: a new time. */
	con_down_update(&d, CON_G_DOWN, false, 120);
	assert_true(d.down);
	con_buf_free(&b);
}

static struct con_log *sample_log(void)
{
	struct con_log *l = con_log_new(100);

	con_log_add(l, CON_A_CMD, "> add-cgroup a");		/* 0 */
	con_log_add(l, CON_A_OK, "ok    add-cgroup a  (3 ms)");	/* 1 */
	con_log_add(l, CON_A_DIM, "host  freeze #1: 2 vCPUs parked 2245 us");
	con_log_add(l, CON_A_ERROR, "FAIL  freeze-cgroup ghost: no such cgroup");
	con_log_add(l, CON_A_HINT, "  hint: create it first");	/* 4 */
	con_log_add(l, CON_A_OK, "ok    attach-scheduler scx_qmap  (1.2 s)");
	con_log_add(l, CON_A_OK, "ok    add-cgroup b  (2 ms)");	/* 6 */
	return l;
}

static void test_log_filters(void **state)
{
	struct con_log *l = sample_log();
	struct con_buf b;
	struct con_rect r = { 0, 0, 6, 60 };
	struct con_log_view v = { .filter = CON_LF_ERRORS };

	(void)state;
	assert_int_equal(con_buf_init(&b, 6, 60), 0);
	con_log_render_view(l, &b, &r, &v);
	assert_true(con_buf_has(&b, "FAIL  freeze-cgroup ghost"));
	assert_true(con_buf_has(&b, "hint: create it first"));
	assert_false(con_buf_has(&b, "ok    add-cgroup"));
	con_buf_clear(&b);
	v.filter = CON_LF_HOST;
	con_log_render_view(l, &b, &r, &v);
	assert_string_equal(at(&b, 0), "host  freeze #1: 2 vCPUs parked 2245 us");
	assert_string_equal(at(&b, 1), "");
	con_buf_clear(&b);
	v.filter = CON_LF_SCHED;
	con_log_render_view(l, &b, &r, &v);
	assert_string_equal(at(&b, 0), "ok    attach-scheduler scx_qmap  (1.2 s)");
	assert_string_equal(at(&b, 1), "");
	assert_int_equal(con_log_filter_find("errors"), CON_LF_ERRORS);
	assert_int_equal(con_log_filter_find("nope"), -1);
	assert_string_equal(con_log_filter_name(CON_LF_ALL), "all");
	con_buf_free(&b);
	con_log_free(l);
}

static void test_log_search(void **state)
{
	struct con_log *l = sample_log();
	struct con_buf b;
	struct con_rect r = { 0, 0, 3, 60 };
	struct con_log_view v = { 0 };
	uint64_t at_seq;

	(void)state;
	/* Newest first, then older from there, then none. */
	assert_true(con_log_find(l, "ok    add-cgroup", CON_LF_ALL, 0, -1, &at_seq));
	assert_int_equal(at_seq, 6);
	assert_true(con_log_find(l, "ok    add-cgroup", CON_LF_ALL, at_seq, -1, &at_seq));
	assert_int_equal(at_seq, 1);
	assert_false(con_log_find(l, "ok    add-cgroup", CON_LF_ALL, at_seq, -1, &at_seq));
	assert_true(con_log_find(l, "ok    add-cgroup", CON_LF_ALL, 1, 1, &at_seq));
	assert_int_equal(at_seq, 6);
	/* A filter hides what it does not keep. */
	assert_false(con_log_find(l, "add-cgroup", CON_LF_ERRORS, 0, -1, &at_seq));
	assert_false(con_log_find(l, "nowhere", CON_LF_ALL, 0, -1, &at_seq));
	/* Going to a line puts it at the top and holds it there. */
	assert_int_equal(con_buf_init(&b, 3, 60), 0);
	con_log_view_goto(l, &v, 1);
	con_log_render_view(l, &b, &r, &v);
	assert_string_equal(at(&b, 0), "ok    add-cgroup a  (3 ms)");
	con_log_add(l, CON_A_OK, "a new line");
	con_buf_clear(&b);
	con_log_render_view(l, &b, &r, &v);
	assert_string_equal(at(&b, 0), "ok    add-cgroup a  (3 ms)");
	assert_int_equal(v.new_below, 1);
	con_buf_free(&b);
	con_log_free(l);
}

static void test_tabbed_title(void **state)
{
	static const char *const names[] = { "log", "sched" };
	struct con_buf b;
	struct con_rect r = { 0, 0, 1, 40 };

	(void)state;
	assert_int_equal(con_buf_init(&b, 1, 40), 0);
	con_tabs_title(&b, &r, names, 2, 1, "3 lines up", true);
	assert_non_null(strstr(at(&b, 0), ">log [sched]"));
	assert_non_null(strstr(at(&b, 0), "3 lines up"));
	con_buf_free(&b);
}

static void test_shared_places_and_their_tabs(void **state)
{
	enum con_pane peers[CON_P__COUNT];
	struct con_layout lay;
	struct con_buf b;

	(void)state;
	/* 80x24: the scheduler and the captures share the right side. */
	assert_int_equal(con_layout_peers(24, 80, -1, CON_P_SCHED, peers), 2);
	assert_int_equal(peers[0], CON_P_SCHED);
	assert_int_equal(peers[1], CON_P_CAPS);
	assert_int_equal(con_layout_peers(24, 80, -1, CON_P_TREE, peers), 1);
	assert_int_equal(con_layout_peers(24, 80, -1, CON_P_LOG, peers), 1);
	/* 160x48: every pane has its own place; zoomed: alone. */
	assert_int_equal(con_layout_peers(48, 160, -1, CON_P_SCHED, peers), 1);
	assert_int_equal(con_layout_peers(24, 80, CON_P_CAPS, CON_P_CAPS, peers), 1);
	/* Narrow: three on top; short: all four. */
	assert_int_equal(con_layout_peers(24, 40, -1, CON_P_CAPS, peers), 3);
	assert_int_equal(con_layout_peers(10, 80, -1, CON_P_LOG, peers), 4);
	/* Whatever the layout hides at a size, a peer names it. */
	for (int rows = 4; rows <= 60; rows += 7)
		for (int cols = 20; cols <= 200; cols += 30) {
			con_layout_compute(rows, cols, -1, CON_P_LOG, &lay);
			for (int p = 0; p < CON_P__COUNT; p++) {
				bool named = lay.pane[p].h > 0;

				for (int q = 0; q < CON_P__COUNT && !named; q++) {
					size_t n = lay.pane[q].h > 0 ?
						   con_layout_peers(rows, cols, -1, q, peers) : 0;

					for (size_t i = 0; i < n; i++)
						named = named || (int)peers[i] == p;
				}
				assert_true(named || rows - 2 <= 0);
			}
		}
	/* The title: both tabs, the shown one in brackets, focus kept. */
	con_layout_compute(24, 80, -1, CON_P_SCHED, &lay);
	assert_int_equal(con_buf_init(&b, 24, 80), 0);
	con_title(&b, &lay.pane[CON_P_SCHED], "scheduler", "qmap", true);
	con_tabs_slot(&b, &lay.pane[CON_P_SCHED], 24, 80, -1, CON_P_SCHED, true);
	assert_non_null(strstr(at(&b, 0), ">[scheduler] captures"));
	assert_non_null(strstr(at(&b, 0), "qmap"));
	con_buf_free(&b);
}

static void test_below_the_minimum_size_says_so(void **state)
{
	struct con_buf b;

	(void)state;
	assert_int_equal(con_buf_init(&b, 10, 40), 0);
	con_tabs_min_size(&b, 10, 40);
	assert_string_equal(at(&b, 0), "below 50x12: panes take turns (C-o); now");
	con_buf_free(&b);
	assert_int_equal(con_buf_init(&b, 24, 80), 0);
	con_tabs_min_size(&b, 24, 80);
	assert_string_equal(at(&b, 0), "");
	con_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_places_and_their_tabs),
		cmocka_unit_test(test_below_the_minimum_size_says_so),
		cmocka_unit_test(test_log_filters),
		cmocka_unit_test(test_log_search),
		cmocka_unit_test(test_tabbed_title),
		cmocka_unit_test(test_titles_say_the_guest_died),
		cmocka_unit_test(test_a_failed_boot_is_not_a_death),
		cmocka_unit_test(test_a_restart_greys_then_goes_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
