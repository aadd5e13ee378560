/* test_con_workers.c - the workers view (tui/con-workers.h): rates from
 * successive guest states (the guest's uptime, not the host's clock),
 * and the table rendered to an off-screen buffer at several widths, the
 * least important columns dropped first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tui/con-keys.h"
#include "tui/con-workers.h"

static char row[512];

static const char *at(const struct con_buf *b, int y)
{
	return con_buf_row(b, y, row, sizeof(row));
}

/* A state of gen at uptime_ms: cgroup "w" with two workers (pids 10, 11)
 * at the given iterations and CPU times, and its cpu.stat usage. */
static void mkstate(struct kt_gstate *g, uint64_t gen, uint64_t uptime_ms, uint64_t it0,
		  uint64_t it1, uint64_t cpu_ns, int64_t usage_usec)
{
	struct kt_gstate_wgroup *w;

	kt_gstate_clear(g);
	g->valid = true;
	g->gen = gen;
	g->uptime_ms = uptime_ms;
	g->cgroups = calloc(1, sizeof(*g->cgroups));
	g->ncgroups = 1;
	snprintf(g->cgroups[0].path, sizeof(g->cgroups[0].path), "w");
	g->workers = calloc(2, sizeof(*g->workers));
	g->nworkers = 2;
	g->workers[0] = (struct kt_gstate_worker){ .pid = 10, .cpu_now = 1, .iterations = it0,
						   .cpu_ns = cpu_ns, .migrations = 4,
						   .max_wake_ns = 2500000, .wake_samples = 9,
						   .cpus = { 0x3 } };
	g->workers[1] = (struct kt_gstate_worker){ .pid = 11, .cpu_now = -1, .iterations = it1,
						   .cpu_ns = cpu_ns, .max_wake_ns = 900,
						   .wake_samples = 0,
						   .run_delay_ns = UINT64_MAX, .cpus = { 0 } };
	g->nwgroups = 1;
	w = &g->wgroups[0];
	memset(w, 0, sizeof(*w));
	snprintf(w->cgroup, sizeof(w->cgroup), "w");
	w->iterations = it0 + it1;
	w->nworkers = 2;
	for (int k = 0; k < KT_GSTATE_NCPUSTAT; k++)
		w->cpustat[k] = -1;
	w->cpustat[KT_GSTATE_CPUSTAT_USAGE] = usage_usec;
	w->cpustat[KT_GSTATE_CPUSTAT_USER] = usage_usec;
	w->cpustat[KT_GSTATE_CPUSTAT_SYSTEM] = 0;
}

static void test_rate_is_change_over_guest_time(void **state)
{
	double r = -1;

	(void)state;
	assert_true(con_rate(100, 600, 1000, 1500, &r));
	assert_true(r > 999.9 && r < 1000.1);
	assert_true(con_rate(7, 7, 0, 250, &r));
	assert_true(r == 0);
	/* no time passed, time went back (a new guest), the counter went back */
	assert_false(con_rate(1, 2, 500, 500, &r));
	assert_false(con_rate(1, 2, 900, 500, &r));
	assert_false(con_rate(9, 2, 500, 900, &r));
}

static void test_update_gives_rates_from_the_second_state_on(void **state)
{
	struct con_workers w = { 0 };
	struct kt_gstate g;
	const struct con_wk_seen *s;

	(void)state;
	kt_gstate_init(&g);
	con_workers_open(&w, "w");
	mkstate(&g, 1, 10000, 1000, 50, 1000000000ull, 2000000);
	con_workers_update(&w, &g);
	s = con_workers_seen(&w, 10);
	assert_non_null(s);
	assert_false(s->has_rate);		/* one sample: no rate yet */
	assert_false(w.has_usage_rate);
	/* 450 ms of guest time later: 900 iterations more is 2000/s */
	mkstate(&g, 2, 10450, 1900, 50, 1450000000ull, 2450000);
	con_workers_update(&w, &g);
	s = con_workers_seen(&w, 10);
	assert_true(s->has_rate);
	assert_true(s->iter_per_s > 1999.9 && s->iter_per_s < 2000.1);
	assert_true(s->cpu_pct > 99.9 && s->cpu_pct < 100.1);	/* 450 ms of CPU in 450 ms */
	assert_true(con_workers_seen(&w, 11)->has_rate);
	assert_true(con_workers_seen(&w, 11)->iter_per_s == 0);
	assert_true(w.has_usage_rate);
	assert_true(w.usage_pct > 99.9 && w.usage_pct < 100.1);
	/* the same state again (a redraw): nothing moves */
	g.uptime_ms = 99999;
	con_workers_update(&w, &g);
	assert_true(con_workers_seen(&w, 10)->iter_per_s > 1999.9);
	/* a pid whose counter went back (a new worker): it starts over */
	mkstate(&g, 3, 10900, 5, 60, 1500000000ull, 2500000);
	con_workers_update(&w, &g);
	assert_false(con_workers_seen(&w, 10)->has_rate);
	assert_true(con_workers_seen(&w, 11)->has_rate);
	assert_true(con_workers_seen(&w, 11)->iter_per_s > 22.2 &&
		    con_workers_seen(&w, 11)->iter_per_s < 22.3);
	/* closed: nothing is kept, nothing is folded in */
	con_workers_close(&w);
	con_workers_update(&w, &g);
	assert_int_equal(w.nseen, 0);
	kt_gstate_clear(&g);
}

static void render_at(int width, const struct con_workers *w, const struct kt_gstate *g,
		      struct con_buf *b)
{
	struct con_rect r = { 0, 0, 8, width };

	assert_int_equal(con_buf_init(b, 8, width), 0);
	con_workers_render(w, g, b, &r, 0);
}

static void test_columns_fit_the_width_least_important_dropped_first(void **state)
{
	struct con_workers w = { 0 };
	struct kt_gstate g;
	struct con_buf b;
	char sum[64];

	(void)state;
	kt_gstate_init(&g);
	con_workers_open(&w, "w");
	mkstate(&g, 1, 10000, 1000, 50, 1000000000ull, 2000000);
	con_workers_update(&w, &g);
	mkstate(&g, 2, 10450, 1900, 50, 1450000000ull, 2450000);
	con_workers_update(&w, &g);

	/* 80 columns: the seven the operator asked for, and the rows */
	render_at(80, &w, &g, &b);
	assert_non_null(strstr(at(&b, 0), "cpu.stat usage 2.45s  user 2.45s  system 0ns  now 100%"));
	assert_non_null(strstr(at(&b, 1), "pid"));
	for (const char *h = "cpu\0cpus seen\0it/s\0cpu time\0wake max\0migr\0"; *h;
	     h += strlen(h) + 1)
		assert_non_null(strstr(at(&b, 1), h));
	assert_null(strstr(at(&b, 1), "ivcsw"));
	assert_non_null(strstr(at(&b, 2), "10"));
	assert_non_null(strstr(at(&b, 2), "0-1"));	/* CPUs seen */
	assert_non_null(strstr(at(&b, 2), "2000"));	/* it/s */
	assert_non_null(strstr(at(&b, 2), "1.45s"));	/* CPU time */
	assert_non_null(strstr(at(&b, 2), "2.5ms"));	/* worst wake */
	for (int y = 0; y < 8; y++)
		assert_true(strlen(at(&b, y)) <= 80);
	con_buf_free(&b);

	/* 40 columns: pid and it/s stay, CPUs seen and migrations go */
	render_at(40, &w, &g, &b);
	assert_non_null(strstr(at(&b, 1), "pid"));
	assert_non_null(strstr(at(&b, 1), "it/s"));
	assert_null(strstr(at(&b, 1), "cpus seen"));
	assert_null(strstr(at(&b, 1), "migr"));
	con_buf_free(&b);

	/* 160 columns: everything, run delay unknown as "?" */
	render_at(160, &w, &g, &b);
	assert_non_null(strstr(at(&b, 1), "ivcsw"));
	assert_non_null(strstr(at(&b, 1), "run delay"));
	assert_non_null(strstr(at(&b, 3), "?"));
	/* no wakeups measured (spin work): no latency, not 0ns */
	assert_null(strstr(at(&b, 3), "0ns"));
	con_buf_free(&b);

	assert_string_equal(con_workers_summary(&w, &g, sum, sizeof(sum)), "2 workers, 2000 it/s");
	con_workers_close(&w);
	kt_gstate_clear(&g);
}

static void test_throttling_and_missing_groups_are_said(void **state)
{
	struct con_workers w = { 0 };
	struct kt_gstate g;
	struct con_buf b;

	(void)state;
	kt_gstate_init(&g);
	con_workers_open(&w, "w");
	mkstate(&g, 1, 10000, 1, 1, 1, 1000);
	g.wgroups[0].cpustat[KT_GSTATE_CPUSTAT_NR_PERIODS] = 40;
	g.wgroups[0].cpustat[KT_GSTATE_CPUSTAT_NR_THROTTLED] = 7;
	g.wgroups[0].cpustat[KT_GSTATE_CPUSTAT_THROTTLED] = 91000;
	g.wgroups[0].unlisted = 3;
	con_workers_update(&w, &g);
	render_at(80, &w, &g, &b);
	assert_non_null(strstr(at(&b, 1), "throttled 7 of 40 periods, 91.0ms"));
	assert_true(con_buf_has(&b, "+3 more workers"));
	con_buf_free(&b);

	/* a cgroup with no workers, and one that is gone */
	con_workers_open(&w, "other");
	render_at(80, &w, &g, &b);
	assert_true(con_buf_has(&b, "cgroup other is gone"));
	con_buf_free(&b);
	snprintf(g.wgroups[0].cgroup, sizeof(g.wgroups[0].cgroup), "x");
	con_workers_open(&w, "w");
	render_at(80, &w, &g, &b);
	assert_true(con_buf_has(&b, "no ktcon workers in w"));
	con_buf_free(&b);
	con_workers_close(&w);
	kt_gstate_clear(&g);
}

/* q and the arrows mean one thing while browsing and another in the tree:
 * the key table keeps both, in order, and Esc is a lone byte of its own. */
static void test_keys_shared_by_browser_and_tree(void **state)
{
	const struct con_key *k = con_key_find("q", 1);

	(void)state;
	assert_string_equal(k->command, "browse close");
	k = con_key_next(k);
	assert_non_null(k);
	assert_string_equal(k->command, "workers close");
	assert_true(k->flags & CON_KEY_WORKERS);
	assert_null(con_key_next(k));
	k = con_key_find("\033[A", 3);
	assert_string_equal(k->command, "browse up");
	assert_string_equal(con_key_next(k)->command, "select up");
	k = con_key_find("\033", 1);
	assert_non_null(k);
	assert_true(k->flags & CON_KEY_ALONE);
	assert_string_equal(k->command, "workers close");
	k = con_key_find("\r", 1);
	assert_string_equal(k->command, "workers");
	assert_true((k->flags & (CON_KEY_TREE | CON_KEY_EMPTY_LINE)) ==
		    (CON_KEY_TREE | CON_KEY_EMPTY_LINE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_is_change_over_guest_time),
		cmocka_unit_test(test_update_gives_rates_from_the_second_state_on),
		cmocka_unit_test(test_columns_fit_the_width_least_important_dropped_first),
		cmocka_unit_test(test_throttling_and_missing_groups_are_said),
		cmocka_unit_test(test_keys_shared_by_browser_and_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
