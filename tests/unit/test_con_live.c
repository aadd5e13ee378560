/* test_con_live.c - the console's live views with fake data: the model
 * taken from a timeline (con-live), the runqueue table by CPU and folded
 * by LLC (con-rq), the history's sparklines, their scaling, the event
 * strip and the axis (con-hist), sparkline cells (con-buf), the
 * scheduler place's view tabs (con-tabs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/timeline.h"
#include "tui/con-buf.h"
#include "tui/con-hist.h"
#include "tui/con-live.h"
#include "tui/con-rq.h"
#include "tui/con-tabs.h"

#define S 1000000000ull

static char row[600];

static const char *at(const struct con_buf *b, int y)
{
	return con_buf_row(b, y, row, sizeof(row));
}

static struct kt_tl_val v(int64_t x)
{
	return (struct kt_tl_val){ true, x };
}

/* A timeline of 4 CPUs sampled every 250 ms for `secs` seconds: CPU 0
 * runs pid 61 "stress-ng" and switches 100 times a second, CPU 1 runs
 * the worker kt-w:w (pid 70) from half-way, CPUs 2-3 idle; the group w
 * does 1000 iterations a second once it runs; nr_rejected grows by 4 a
 * second. An attach event at 1 s, a watch fire at the end. */
static unsigned report_every = 1;	/* samples between the agent's reports */

static struct kt_timeline *fake(unsigned secs)
{
	struct kt_timeline *tl = kt_timeline_new(4, 4, 0, 0);
	struct kt_tl_cpu cpu[4];
	struct kt_tl_group g = { "w", 0 };

	assert_non_null(tl);
	for (uint64_t t = 0; t <= secs * 4; t++) {
		uint64_t ns = t * S / 4;
		bool half = t >= secs * 2;
		struct kt_tl_sample s = { .t_ns = ns, .ncpus = 4, .cpu = cpu, .ncounters = 1,
					  .has_irq_rate = true, .irq_rate = 250,
					  .groups = &g, .ngroups = half ? 1 : 0 };

		memset(cpu, 0, sizeof(cpu));
		for (int c = 0; c < 4; c++) {
			cpu[c].nr_running = v(0);
			cpu[c].scx_nr_running = v(0);
			cpu[c].local_dsq = v(0);
			cpu[c].curr_pid = v(0);
			cpu[c].nr_switches = v(10);
			snprintf(cpu[c].curr_comm, sizeof(cpu[c].curr_comm), "swapper/%d", c);
		}
		cpu[0].nr_running = v(2);
		cpu[0].scx_nr_running = v(1);
		cpu[0].local_dsq = v(3);
		cpu[0].curr_pid = v(61);
		cpu[0].nr_switches = v((int64_t)(25 * t));
		strcpy(cpu[0].curr_comm, "stress-ng");
		if (half) {
			cpu[1].nr_running = v(1);
			cpu[1].curr_pid = v(70);
			strcpy(cpu[1].curr_comm, "kt-w:w");
		}
		g.iterations = half ? 250 * ((t - secs * 2) / report_every * report_every) : 0;
		s.counters[0] = (struct kt_tl_counter){ "nr_rejected", v((int64_t)t) };
		kt_timeline_add_sample(tl, &s);
	}
	kt_timeline_event_at(tl, 1 * S, KT_TL_ATTACH, "attach-scheduler scx_simple", 0);
	kt_timeline_event_at(tl, 2 * S, KT_TL_OP_START, "add-cgroup w", 0);	/* not shown */
	kt_timeline_event_at(tl, secs * S, KT_TL_WATCH_FIRE, "jiffies_64", 0);
	return tl;
}

static void test_sparkline_scaling(void **state)
{
	double val[6] = { 0, 1, 2, 4, 8, 3 };
	bool has[6] = { true, true, true, true, true, false };
	unsigned char l[6];
	char buf[16];

	(void)state;
	con_hist_levels(val, has, 6, l);
	assert_int_equal(l[0], 1);			/* zero: the lowest block */
	assert_int_equal(l[4], CON_SPARK_LEVELS);	/* the largest: full */
	assert_int_equal(l[3], 5);			/* half: 1 + 3.5 rounded */
	assert_int_equal(l[1], 2);
	assert_int_equal(l[5], 0);			/* no data: blank */
	assert_true(l[1] <= l[2] && l[2] <= l[3]);
	/* All zero (or negative): the lowest, never a division by zero. */
	val[4] = 0;
	val[3] = val[2] = val[1] = -1;
	con_hist_levels(val, has, 5, l);
	for (int i = 0; i < 5; i++)
		assert_int_equal(l[i], 1);
	assert_string_equal(con_hist_fmt(950, buf, sizeof(buf)), "950");
	assert_string_equal(con_hist_fmt(12345, buf, sizeof(buf)), "12.3k");
	assert_string_equal(con_hist_fmt(4100000, buf, sizeof(buf)), "4.1M");
	assert_string_equal(con_hist_fmt(2.5, buf, sizeof(buf)), "2.5");
}

/* Sparkline cells: ASCII when read back, a Unicode block on a UTF-8
 * screen, never mistaken for text. */
static void test_sparkline_cells(void **state)
{
	struct con_buf b;
	struct con_rect r = { 0, 0, 1, 10 };

	(void)state;
	assert_int_equal(con_buf_init(&b, 1, 10), 0);
	for (int l = 1; l <= CON_SPARK_LEVELS; l++)
		con_spark_cell(&b, &r, 0, l - 1, l, CON_A_BAR);
	con_spark_cell(&b, &r, 0, 9, 9, CON_A_BAR);	/* out of range: nothing */
	con_spark_cell(&b, &r, 0, 12, 3, CON_A_BAR);	/* outside r: nothing */
	assert_string_equal(at(&b, 0), "_.:-=+*#");
	assert_int_equal(con_spark_level(con_buf_at(&b, 0, 7)), 8);
	assert_int_equal(con_spark_level(con_buf_at(&b, 0, 8)), 0);
	assert_string_equal(con_spark_utf8(1), "\xe2\x96\x81");	/* U+2581 */
	assert_string_equal(con_spark_utf8(8), "\xe2\x96\x88");	/* U+2588 */
	/* Text with those bytes stays text. */
	con_put(&b, &r, 0, 0, CON_A_NORMAL, "\x01\x08", -1);
	assert_int_equal(con_spark_level(con_buf_at(&b, 0, 0)), 0);
	assert_string_equal(at(&b, 0), "??:-=+*#");
	con_buf_free(&b);
}

static void test_model_from_the_timeline(void **state)
{
	struct kt_timeline *tl = fake(20);
	struct con_live *m = con_live_new();
	uint64_t gen;

	(void)state;
	assert_non_null(m);
	assert_true(con_live_pull(m, tl));
	assert_int_equal(m->seq, 81);
	assert_int_equal(m->npts, 81);
	assert_int_equal(m->ncpus, 4);
	assert_int_equal(m->now_ns, 20 * S);
	/* 25 switches in 250 ms: 100 a second; CPU 2 never switched */
	assert_true(m->sw_rate[0] > 99.9 && m->sw_rate[0] < 100.1);
	assert_true(m->sw_rate[2] == 0);
	assert_string_equal(m->cpu[1].curr_comm, "kt-w:w");
	/* busy: a task other than the idle one */
	assert_true(con_live_busy(con_live_pt(m, 80), 0));
	assert_true(con_live_busy(con_live_pt(m, 80), 1));
	assert_false(con_live_busy(con_live_pt(m, 0), 1));
	assert_false(con_live_busy(con_live_pt(m, 80), 2));
	assert_int_equal(con_live_pt(m, 80)->queued, 4);	/* scx 1 + DSQ 3 */
	/* the strip's kinds only: attach and the fire, not the op */
	assert_int_equal(m->nev, 2);
	assert_int_equal(m->ev[0].kind, KT_TL_ATTACH);
	assert_int_equal(m->ev[1].kind, KT_TL_WATCH_FIRE);
	/* nothing new: nothing changed (no redraw) */
	gen = m->gen;
	assert_false(con_live_pull(m, tl));
	assert_int_equal(m->gen, gen);
	kt_timeline_event_at(tl, 20 * S, KT_TL_DETACH, "detach-scheduler", 0);
	assert_true(con_live_pull(m, tl));
	assert_int_equal(m->nev, 3);
	assert_false(con_live_pull(m, NULL));
	con_live_free(m);
	kt_timeline_free(tl);
}

/* The history: one row per series, the event strip in the columns of
 * the events' times, the axis; the oldest sample a minute before now is
 * at the left edge. */
static void test_history_view(void **state)
{
	struct kt_timeline *tl = fake(60);
	struct con_live *m = con_live_new();
	struct con_buf b;
	struct con_rect r = { 0, 0, 14, 80 };
	int max, strip = -1, ncols = 80 - 1 - 11 - 14;
	const char *p;

	(void)state;
	con_live_pull(m, tl);
	assert_int_equal(con_buf_init(&b, 14, 80), 0);
	max = con_hist_render(m, false, &b, &r, 0);
	/* switches, rejected, 4 CPUs, w, queued, irq: 9 rows in 11 */
	assert_int_equal(max, 0);
	assert_non_null(strstr(at(&b, 0), "switches/s"));
	assert_non_null(strstr(at(&b, 0), "100 ^100"));		/* 4 CPUs: 100 + 0 */
	assert_non_null(strstr(at(&b, 1), "rejected/s"));
	assert_non_null(strstr(at(&b, 1), "4 ^4"));
	assert_non_null(strstr(at(&b, 2), "cpu0 busy"));
	assert_non_null(strstr(at(&b, 2), "100%"));
	/* CPU 1: idle for the first half, busy since */
	p = strstr(at(&b, 3), "cpu1 busy");
	assert_non_null(p);
	assert_int_equal(row[12], '_');
	assert_int_equal(row[12 + ncols - 1], '#');
	assert_non_null(strstr(row, "100%"));
	assert_non_null(strstr(at(&b, 6), "w it/s"));
	assert_non_null(strstr(row, "1000 ^1000"));
	/* before the group ran: no data, blank */
	assert_int_equal(row[12], ' ');
	assert_non_null(strstr(at(&b, 7), "scx queued"));
	assert_non_null(strstr(at(&b, 8), "irq/s"));
	for (int y = 0; y < 14; y++)
		if (strstr(at(&b, y), "events"))
			strip = y;
	assert_int_equal(strip, 11);
	/* attach at 1 s of the 60-s window (t 0..60): the 1/60th column;
	 * the fire at now: the last */
	at(&b, strip);
	assert_int_equal(row[12 + ncols / 60], 'A');
	assert_int_equal(row[12 + ncols - 1], 'W');
	assert_non_null(strstr(at(&b, 12), "W watch-fire -0s jiffies_64"));
	assert_non_null(strstr(at(&b, 13), "|-60s"));
	assert_non_null(strstr(at(&b, 13), "now|"));
	assert_int_equal(con_buf_at(&b, 0, 12)->attr, CON_A_BAR);
	/* the guest gone: the same picture, greyed */
	con_buf_clear(&b);
	con_hist_render(m, true, &b, &r, 0);
	assert_non_null(strstr(at(&b, 0), "100 ^100"));
	assert_int_equal(con_buf_at(&b, 0, 12)->attr, CON_A_DIM);
	assert_int_equal(con_buf_at(&b, strip, 12 + ncols - 1)->attr, CON_A_DIM);
	con_buf_free(&b);

	/* 80x24's narrow place: fewer rows scroll (the strip stays), the
	 * largest value goes */
	assert_int_equal(con_buf_init(&b, 7, 35), 0);
	r = (struct con_rect){ 0, 0, 7, 35 };
	max = con_hist_render(m, false, &b, &r, 100);
	assert_int_equal(max, 9 - 4);
	assert_non_null(strstr(at(&b, 0), "cpu3 busy"));	/* scrolled to the end: 5.. */
	assert_null(strstr(row, "^"));
	assert_non_null(strstr(at(&b, 3), "irq/s"));
	assert_non_null(strstr(at(&b, 4), "events"));
	assert_non_null(strstr(at(&b, 6), "|-60s"));
	con_buf_free(&b);
	/* too narrow for a sparkline: says so */
	assert_int_equal(con_buf_init(&b, 7, 20), 0);
	r.w = 20;
	con_hist_render(m, false, &b, &r, 0);
	assert_non_null(strstr(at(&b, 0), "too narrow"));
	con_buf_free(&b);
	con_live_free(m);
	kt_timeline_free(tl);
}

/* Worker iterations come with the agent's reports, slower than the
 * samples: the same value sampled twice is not a rate of 0 then twice
 * the rate, but the rate between the reports. */
static void test_history_rates_between_reports(void **state)
{
	struct kt_timeline *tl;
	struct con_live *m = con_live_new();
	struct con_buf b;
	struct con_rect r = { 0, 0, 14, 80 };
	const char *p;

	(void)state;
	report_every = 2;
	tl = fake(60);
	report_every = 1;
	con_live_pull(m, tl);
	assert_int_equal(con_buf_init(&b, 14, 80), 0);
	con_hist_render(m, false, &b, &r, 0);
	p = at(&b, 6);
	assert_non_null(strstr(p, "w it/s"));
	assert_non_null(strstr(p, "1000 ^1000"));
	/* steady: every column with data at the same (full) level */
	assert_null(strstr(p + 12, "_"));
	con_buf_free(&b);
	con_live_free(m);
	kt_timeline_free(tl);
}

/* A session younger than a minute: its samples sit at the right, at
 * their true age; nothing sampled yet: says so. */
static void test_history_of_a_young_session(void **state)
{
	struct kt_timeline *tl = fake(15);
	struct con_live *m = con_live_new();
	struct con_buf b;
	struct con_rect r = { 0, 0, 8, 80 };
	int ncols = 80 - 1 - 11 - 14;

	(void)state;
	assert_int_equal(con_buf_init(&b, 8, 80), 0);
	con_hist_render(m, false, &b, &r, 0);
	assert_non_null(strstr(at(&b, 0), "no samples yet"));
	con_live_pull(m, tl);
	con_buf_clear(&b);
	con_hist_render(m, false, &b, &r, 0);
	at(&b, 2);	/* cpu0 busy */
	assert_int_equal(row[12], ' ');
	assert_int_equal(row[12 + ncols * 3 / 4 - 1], ' ');
	assert_int_equal(row[12 + ncols * 3 / 4 + 1], '#');
	con_buf_free(&b);
	con_live_free(m);
	kt_timeline_free(tl);
}

static void test_runqueues_per_cpu(void **state)
{
	struct kt_timeline *tl = fake(4);
	struct con_live *m = con_live_new();
	struct con_sched irq = { .ncpus = 4, .cpu = { 0, 1, 2, 3 }, .rate = { 1000, 250, 5, 5 },
				 .have_rate = true };
	struct kt_topology flat = kt_topology_flat(4);
	struct con_buf b;
	struct con_rect r = { 0, 0, 6, 80 };

	(void)state;
	con_live_pull(m, tl);
	assert_int_equal(con_buf_init(&b, 6, 80), 0);
	assert_int_equal(con_rq_render(m, &irq, &flat, CON_FOLD_NONE, false, &b, &r, 0), 0);
	assert_string_equal(at(&b, 0), " cpu    run  scx  dsq     pid comm              sw/s  irq/s");
	assert_string_equal(at(&b, 1), " cpu0     2    1    3      61 stress-ng          100   1000");
	assert_string_equal(at(&b, 2), " cpu1     1    0    0      70 kt-w:w               0    250");
	assert_string_equal(at(&b, 3), " cpu2     0    0    0       0 swapper/2            0      5");
	assert_int_equal(con_buf_at(&b, 3, 1)->attr, CON_A_DIM);	/* idle */
	assert_int_equal(con_buf_at(&b, 1, 1)->attr, CON_A_NORMAL);
	con_buf_clear(&b);
	/* the guest gone: greyed */
	con_rq_render(m, &irq, &flat, CON_FOLD_NONE, true, &b, &r, 0);
	assert_int_equal(con_buf_at(&b, 1, 1)->attr, CON_A_DIM);
	con_buf_free(&b);

	/* 80x24's place, 35 wide: the rates go before the comm is cut */
	assert_int_equal(con_buf_init(&b, 3, 35), 0);
	r = (struct con_rect){ 0, 0, 3, 35 };
	assert_int_equal(con_rq_render(m, NULL, &flat, CON_FOLD_NONE, false, &b, &r, 0), 2);
	assert_string_equal(at(&b, 0), " cpu   run scx dsq    pid comm");
	assert_string_equal(at(&b, 1), " cpu0    2   1   3     61 stress-n");
	/* rows for 2 of 4 CPUs: it scrolls, clamped */
	con_buf_clear(&b);
	assert_int_equal(con_rq_render(m, NULL, &flat, CON_FOLD_NONE, false, &b, &r, 9), 2);
	assert_non_null(strstr(at(&b, 1), "cpu2"));
	assert_non_null(strstr(at(&b, 2), "cpu3"));
	con_buf_free(&b);
	con_live_free(m);
	kt_timeline_free(tl);
}

/* Folded by LLC (1 node, 2 LLCs of 2 cores): sums, busy CPUs, the CPUs
 * of each row; by node: one row. */
static void test_runqueues_folded(void **state)
{
	struct kt_timeline *tl = fake(4);
	struct con_live *m = con_live_new();
	struct con_sched irq = { .ncpus = 4, .cpu = { 0, 1, 2, 3 }, .rate = { 1000, 250, 5, 5 },
				 .have_rate = true };
	struct kt_topology t = { 1, 2, 2, 1 }, two = { 2, 2, 1, 1 };
	struct con_buf b;
	struct con_rect r = { 0, 0, 4, 80 };

	(void)state;
	assert_int_equal(con_rq_group(&t, CON_FOLD_LLC, 3), 1);
	assert_int_equal(con_rq_group(&two, CON_FOLD_NUMA, 2), 1);
	assert_int_equal(con_rq_group(&two, CON_FOLD_LLC, 3), 3);
	assert_int_equal(con_rq_groups(&t, CON_FOLD_LLC, 4), 2);
	assert_int_equal(con_rq_groups(&t, CON_FOLD_NUMA, 4), 1);
	assert_int_equal(con_rq_groups(&t, CON_FOLD_NONE, 4), 4);
	assert_int_equal(con_fold_find("llc"), CON_FOLD_LLC);
	assert_int_equal(con_fold_find("off"), CON_FOLD_NONE);
	assert_int_equal(con_fold_find("socket"), -1);
	con_live_pull(m, tl);
	assert_int_equal(con_buf_init(&b, 4, 80), 0);
	assert_int_equal(con_rq_render(m, &irq, &t, CON_FOLD_LLC, false, &b, &r, 0), 0);
	assert_string_equal(at(&b, 0), " llc    run  scx  dsq    busy cpus              sw/s  irq/s");
	assert_string_equal(at(&b, 1), " llc0     3    1    3     2/2 cpu0-1             100   1250");
	assert_string_equal(at(&b, 2), " llc1     0    0    0     0/2 cpu2-3               0     10");
	assert_string_equal(at(&b, 3), "");
	con_buf_clear(&b);
	con_rq_render(m, &irq, &t, CON_FOLD_NUMA, false, &b, &r, 0);
	assert_string_equal(at(&b, 1), " node0    3    1    3     2/4 cpu0-3             100   1260");
	con_buf_free(&b);
	con_live_free(m);
	kt_timeline_free(tl);
}

/* The scheduler's place: its views are tabs, alone or shared. */
static void test_view_tabs(void **state)
{
	static const char *const views[] = { "scheduler", "history" };
	struct con_layout lay;
	struct con_buf b;

	(void)state;
	assert_int_equal(con_buf_init(&b, 24, 80), 0);
	con_layout_compute(24, 80, -1, CON_P_SCHED, &lay);
	con_title(&b, &lay.pane[CON_P_SCHED], "history", "a long right-hand text", true);
	con_tabs_slot_views(&b, &lay.pane[CON_P_SCHED], 24, 80, -1, CON_P_SCHED, true, CON_P_SCHED,
			    views, 2, 1);
	assert_non_null(strstr(at(&b, 0), ">scheduler [history] captures"));
	assert_null(strstr(row, "hand"));	/* the word run into goes whole */
	/* on the captures that share the place: the views, none shown */
	con_layout_compute(24, 80, -1, CON_P_CAPS, &lay);
	con_title(&b, &lay.pane[CON_P_CAPS], "captures", "0", false);
	con_tabs_slot_views(&b, &lay.pane[CON_P_CAPS], 24, 80, -1, CON_P_CAPS, false, CON_P_SCHED,
			    views, 2, 1);
	assert_non_null(strstr(at(&b, 0), " scheduler history [captures] "));
	/* a pane without views alone: nothing */
	con_buf_clear(&b);
	con_tabs_slot_views(&b, &lay.pane[CON_P_TREE], 24, 80, -1, CON_P_TREE, false, CON_P_SCHED,
			    views, 2, 0);
	assert_string_equal(at(&b, 0), "");
	con_buf_free(&b);
	assert_int_equal(con_buf_init(&b, 48, 160), 0);
	con_layout_compute(48, 160, -1, CON_P_LOG, &lay);
	con_title(&b, &lay.pane[CON_P_SCHED], "scheduler", "simple", false);
	con_tabs_slot_views(&b, &lay.pane[CON_P_SCHED], 48, 160, -1, CON_P_SCHED, false,
			    CON_P_SCHED, views, 2, 0);
	assert_non_null(strstr(at(&b, 0), " [scheduler] history "));
	assert_null(strstr(row, "captures"));
	assert_non_null(strstr(row, "simple"));
	con_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sparkline_scaling),
		cmocka_unit_test(test_sparkline_cells),
		cmocka_unit_test(test_model_from_the_timeline),
		cmocka_unit_test(test_history_view),
		cmocka_unit_test(test_history_rates_between_reports),
		cmocka_unit_test(test_history_of_a_young_session),
		cmocka_unit_test(test_runqueues_per_cpu),
		cmocka_unit_test(test_runqueues_folded),
		cmocka_unit_test(test_view_tabs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
