/* test_con_panes.c - the console's pane models rendered to an off-screen
 * buffer: what an operator reads, checked as text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/kjson.h"
#include "tui/con-browse.h"
#include "tui/con-buf.h"
#include "tui/con-caps.h"
#include "tui/con-layout.h"
#include "tui/con-log.h"
#include "tui/con-sched.h"
#include "tui/con-scn.h"
#include "tui/con-status.h"
#include "tui/con-tree.h"

static char row[512];

static const char *at(const struct con_buf *b, int y)
{
	return con_buf_row(b, y, row, sizeof(row));
}

static void test_put_is_clipped_to_its_rectangle(void **state)
{
	struct con_buf b;
	struct con_rect r = { 1, 2, 2, 5 };

	assert_int_equal(con_buf_init(&b, 4, 10), 0);
	assert_int_equal(con_put(&b, &r, 0, 0, CON_A_NORMAL, "abcdefgh", -1), 5);
	con_put(&b, &r, 5, 0, CON_A_NORMAL, "outside", -1);
	con_put(&b, &r, 1, 3, CON_A_NORMAL, "xyz\x01", -1);
	assert_string_equal(at(&b, 0), "");
	assert_string_equal(at(&b, 1), "  abcde");
	assert_string_equal(at(&b, 2), "     xy");
	assert_string_equal(at(&b, 3), "");
	con_buf_free(&b);
}

static void test_log_wraps_and_keeps_the_newest_at_the_bottom(void **state)
{
	struct con_log *l = con_log_new(3);
	struct con_buf b;
	struct con_rect r = { 0, 0, 3, 10 };

	con_buf_init(&b, 3, 10);
	con_log_add(l, CON_A_NORMAL, "one");
	con_log_add(l, CON_A_NORMAL, "two\nthree");
	con_log_add(l, CON_A_NORMAL, "0123456789abcdef");	/* drops "one" */
	assert_int_equal(con_log_count(l), 3);
	assert_int_equal(con_log_render(l, &b, &r, 0), 1);	/* 4 rows in 3 */
	assert_string_equal(at(&b, 0), "three");
	assert_string_equal(at(&b, 1), "0123456789");
	assert_string_equal(at(&b, 2), "    abcdef");
	con_buf_clear(&b);
	con_log_render(l, &b, &r, 99);		/* clamped to the oldest */
	assert_string_equal(at(&b, 0), "two");
	con_buf_free(&b);
	con_log_free(l);
}

/* Scrolled back, the view holds still while lines arrive (and wrap), says
 * how many are below, scrolls by rows from where it stands, and follows
 * the newest again once at the bottom. */
static void test_log_scrolled_back_holds_still(void **state)
{
	struct con_log *l = con_log_new(100);
	struct con_buf b;
	struct con_rect r = { 0, 0, 3, 10 };
	struct con_log_view v = { 0 };

	con_buf_init(&b, 3, 10);
	for (int i = 0; i < 10; i++)
		con_log_add(l, CON_A_NORMAL, "line %d", i);
	v.scroll = 2;
	con_log_render_view(l, &b, &r, &v);
	assert_string_equal(at(&b, 0), "line 5");
	assert_string_equal(at(&b, 2), "line 7");
	assert_int_equal(v.new_below, 0);
	/* a flood below, one of it wrapped */
	for (int i = 10; i < 20; i++)
		con_log_add(l, CON_A_NORMAL, "line %d", i);
	con_log_add(l, CON_A_NORMAL, "a long line that wraps");
	con_buf_clear(&b);
	con_log_render_view(l, &b, &r, &v);
	assert_string_equal(at(&b, 0), "line 5");
	assert_string_equal(at(&b, 2), "line 7");
	assert_int_equal(v.new_below, 11);
	assert_int_equal(v.scroll, 2 + 10 + 4);	/* the long line: 4 rows at width 10 */
	/* one row down from where it stands */
	v.scroll--;
	con_buf_clear(&b);
	con_log_render_view(l, &b, &r, &v);
	assert_string_equal(at(&b, 0), "line 6");
	/* the bottom: follows again */
	v.scroll = 0;
	con_buf_clear(&b);
	con_log_render_view(l, &b, &r, &v);
	assert_false(v.anchored);
	assert_int_equal(v.new_below, 0);
	con_log_add(l, CON_A_NORMAL, "newest");
	con_buf_clear(&b);
	con_log_render_view(l, &b, &r, &v);
	assert_string_equal(at(&b, 2), "newest");
	con_buf_free(&b);
	con_log_free(l);
}

/* The anchored lines fall off the cap: the view shows the oldest kept. */
static void test_log_scrolled_back_past_the_cap_shows_the_oldest(void **state)
{
	struct con_log *l = con_log_new(5);
	struct con_buf b;
	struct con_rect r = { 0, 0, 2, 10 };
	struct con_log_view v = { .scroll = 3 };

	con_buf_init(&b, 2, 10);
	for (int i = 0; i < 5; i++)
		con_log_add(l, CON_A_NORMAL, "l%d", i);
	con_log_render_view(l, &b, &r, &v);
	assert_string_equal(at(&b, 0), "l0");
	for (int i = 5; i < 8; i++)
		con_log_add(l, CON_A_NORMAL, "l%d", i);
	con_buf_clear(&b);
	con_log_render_view(l, &b, &r, &v);
	assert_string_equal(at(&b, 0), "l3");
	assert_int_equal(v.new_below, 3);
	con_buf_free(&b);
	con_log_free(l);
}

static void test_log_wraps_at_blanks(void **state)
{
	struct con_log *l = con_log_new(4);
	struct con_buf b;
	struct con_rect r = { 0, 0, 3, 20 };

	con_buf_init(&b, 3, 20);
	con_log_add(l, CON_A_NORMAL, "close the current step and begin a new one");
	assert_int_equal(con_log_render(l, &b, &r, 0), 0);
	assert_string_equal(at(&b, 0), "close the current");
	assert_string_equal(at(&b, 1), "    step and begin a");
	assert_string_equal(at(&b, 2), "    new one");
	con_buf_free(&b);
	con_log_free(l);
}

static void test_log_update_keeps_the_latest_of_a_periodic_line(void **state)
{
	struct con_log *l = con_log_new(10);

	con_log_update(l, CON_A_GUEST, "sched a:", "sched a: n=1");
	con_log_update(l, CON_A_GUEST, "sched a:", "sched a: n=2");
	assert_int_equal(con_log_count(l), 1);
	con_log_add(l, CON_A_OK, "ok    add-cgroup w");
	con_log_update(l, CON_A_GUEST, "sched a:", "sched a: n=3");
	assert_int_equal(con_log_count(l), 3);
	con_log_free(l);
}

static void test_log_error_shows_chain_then_hint_then_notes(void **state)
{
	struct con_log *l = con_log_new(10);
	struct con_buf b;
	struct con_rect r = { 0, 0, 4, 80 };
	struct kterr *e = kterr_note(kterr_hint(kterr_wrap(kterr_new(2, "mkdir /x"), "add-cgroup x"),
						"create the parent"), "console said: boom");

	con_buf_init(&b, 4, 80);
	con_log_error(l, "FAIL  ", e);
	/* A chain that came over the wire has its hint in its text. */
	struct kterr *wire = kterr_new(0, "freeze-cgroup g: no g (hint: create it first (add))");

	con_log_error(l, "FAIL  ", wire);
	kterr_free(wire);
	con_log_render(l, &b, &r, 0);
	assert_string_equal(at(&b, 0), "  hint: create the parent");
	assert_string_equal(at(&b, 1), "console said: boom");
	assert_string_equal(at(&b, 2), "FAIL  freeze-cgroup g: no g");
	assert_string_equal(at(&b, 3), "  hint: create it first (add)");
	con_buf_clear(&b);
	con_log_render(l, &b, &r, 1);
	assert_string_equal(at(&b, 0), "FAIL  add-cgroup x: mkdir /x: No such file or directory");
	kterr_free(e);
	con_buf_free(&b);
	con_log_free(l);
}

static void gstate_with(struct kt_gstate *g, size_t n)
{
	kt_gstate_init(g);
	g->valid = true;
	g->gen = 1;
	g->cgroups = calloc(n, sizeof(*g->cgroups));
	g->ncgroups = n;
}

static void cg(struct kt_gstate_cgroup *c, const char *path, const char *cpus, int frozen,
	       long procs, long workers)
{
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->has_cpus = true;
	snprintf(c->cpus_effective, sizeof(c->cpus_effective), "%s", cpus);
	c->frozen = frozen;
	c->populated = procs > 0;
	c->nprocs = procs;
	c->workers = workers;
}

static void test_tree_nests_and_tells_backdrop_from_step(void **state)
{
	struct kt_gstate g;
	struct kt_scenario s;
	struct con_scn v;
	struct con_buf b;
	struct con_rect r = { 0, 0, 5, 44 };
	char sum[64];

	gstate_with(&g, 3);
	cg(&g.cgroups[0], "w", "0-1", 1, 2, 2);
	cg(&g.cgroups[1], "w/inner", "0-1", 1, 0, 0);
	cg(&g.cgroups[2], "s", "0", 0, 1, 1);
	kt_scn_init(&s);
	s.in_backdrop = true;
	assert_null(kt_scn_add_cgroup(&s, "w", true, NULL));
	s.in_backdrop = false;
	assert_null(kt_scn_add_cgroup(&s, "s", true, NULL));
	assert_int_equal(con_scn_fill(&v, &s, 1), 0);
	con_buf_init(&b, 5, 44);
	assert_int_equal(con_tree_render(&g, &v, &b, &r, 0, NULL), 4);
	assert_string_equal(at(&b, 0), " cgroup    own  cpus      procs wk  state");
	assert_string_equal(at(&b, 1), " w         bd   0-1           2   2 frozen");
	assert_string_equal(at(&b, 2), "   inner   -    0-1           0   0 frozen");
	assert_string_equal(at(&b, 3), " s         step 0             1   1 live");
	assert_int_equal(con_buf_at(&b, 1, 1)->attr, CON_A_BACKDROP);
	assert_int_equal(con_buf_at(&b, 3, 1)->attr, CON_A_STEP);
	assert_int_equal(con_buf_at(&b, 1, 36)->attr, CON_A_FROZEN);
	assert_string_equal(con_tree_summary(&g, sum, sizeof(sum)), "3, 2 frozen");
	con_scn_clear(&v);
	kt_scn_free(&s);
	kt_gstate_clear(&g);
	con_buf_free(&b);
}

static void test_tree_before_state_and_when_empty(void **state)
{
	struct kt_gstate g;
	struct con_buf b;
	struct con_rect r = { 0, 0, 3, 40 };

	kt_gstate_init(&g);
	con_buf_init(&b, 3, 40);
	con_tree_render(&g, NULL, &b, &r, 0, NULL);
	assert_true(con_buf_has(&b, "waiting for the guest's state"));
	g.valid = true;
	con_buf_clear(&b);
	con_tree_render(&g, NULL, &b, &r, 0, NULL);
	assert_true(con_buf_has(&b, "add-cgroup-def w workers=2"));
	con_buf_free(&b);
}

static void test_sched_shows_state_and_irq_rates_as_bars(void **state)
{
	struct kt_gstate g;
	struct con_sched m;
	struct con_buf b;
	struct con_rect r = { 0, 0, 6, 40 };
	unsigned cpus[2] = { 0, 1 };
	uint64_t irqs[2] = { 1000, 1000 };

	kt_gstate_init(&g);
	g.valid = true;
	g.gen = 1;
	g.uptime_ms = 1000;
	snprintf(g.sched.state, sizeof(g.sched.state), "enabled");
	snprintf(g.sched.ops, sizeof(g.sched.ops), "simple");
	g.sched.enable_seq = 3;
	g.sched.nr_rejected = 0;
	g.sched.switch_all = 1;
	g.ncpus = 2;
	g.cpu = cpus;
	g.cpu_irqs = irqs;
	con_sched_init(&m);
	con_sched_update(&m, &g);
	assert_false(m.have_rate);
	g.gen = 2;
	g.uptime_ms = 2000;
	irqs[0] = 2000;		/* 1000/s */
	irqs[1] = 1500;		/* 500/s */
	con_sched_update(&m, &g);
	assert_true(m.have_rate);
	con_buf_init(&b, 6, 40);
	con_sched_render(&m, &g, &b, &r);
	assert_string_equal(at(&b, 0), " sched_ext enabled ops simple");
	assert_string_equal(at(&b, 1), " enable_seq 3  switch_all 1");
	assert_string_equal(at(&b, 2), " nr_rejected 0");
	assert_string_equal(at(&b, 4), " cpu0   ########################   1000");
	assert_string_equal(at(&b, 5), " cpu1   ############............    500");
	g.cpu = NULL;
	g.cpu_irqs = NULL;
	con_buf_free(&b);
}

static void test_status_line_says_guest_step_recording_and_op_in_flight(void **state)
{
	struct con_buf b;
	struct con_rect r = { 0, 0, 1, 120 };
	struct con_status s = {
		.gs = CON_G_UP, .guest = "6.12 2cpu tcg", .sched = "none disabled", .step = 2,
		.record = "s.recipe", .busy = "freeze-cgroup w", .busy_ns = 1500000000ULL,
	};

	con_buf_init(&b, 1, 120);
	con_status_render(&s, &b, &r);
	assert_non_null(strstr(at(&b, 0), " 6.12 2cpu tcg up | sched none disabled | "
			       "step 2 | running freeze-cgroup w 1.5s | REC s.recipe "));
	assert_int_equal(strlen(row), 119);
	assert_string_equal(row + 113, "? keys");
	con_buf_free(&b);
}

static void test_status_line_at_80_columns_keeps_what_matters(void **state)
{
	struct con_buf b;
	struct con_rect r = { 0, 0, 1, 80 };
	struct con_status s = {
		.gs = CON_G_UP, .guest = "6.12.117-ktcon 2cpu tcg", .sched = "none disabled",
		.busy = "wait-payload sl", .busy_ns = 2000000000ULL, .record = "/tmp/s.recipe",
	};

	con_buf_init(&b, 1, 80);
	con_status_render(&s, &b, &r);
	assert_string_equal(at(&b, 0), " guest up | backdrop | running wait-payload sl 2.0s | "
			    "REC /tmp/s.recipe");
	s.busy = NULL;
	con_buf_clear(&b);
	con_status_render(&s, &b, &r);
	assert_string_equal(at(&b, 0), " 6.12.117-ktcon 2cpu tcg up | sched none disabled | "
			    "backdrop | REC /tmp/s.recipe");
	con_buf_free(&b);
}

static void test_layout_fits_80x24_and_zooms(void **state)
{
	struct con_layout l;

	con_layout_compute(24, 80, -1, CON_P_LOG, &l);
	assert_int_equal(l.prompt.y, 23);
	assert_int_equal(l.status.y, 22);
	assert_true(l.pane[CON_P_TREE].h >= 5 && l.pane[CON_P_SCHED].h >= 5);
	assert_int_equal(l.pane[CON_P_LOG].y + l.pane[CON_P_LOG].h, 22);
	assert_int_equal(l.pane[CON_P_TREE].w + 1 + l.pane[CON_P_SCHED].w, 80);
	assert_int_equal(l.pane[CON_P_CAPS].h, 0);	/* no room: shown when focused */
	con_layout_compute(24, 80, -1, CON_P_CAPS, &l);
	assert_true(l.pane[CON_P_CAPS].h > 0);
	assert_int_equal(l.pane[CON_P_SCHED].h, 0);
	con_layout_compute(50, 120, -1, CON_P_LOG, &l);
	assert_true(l.pane[CON_P_CAPS].h > 0 && l.pane[CON_P_SCHED].h > 0);
	con_layout_compute(24, 80, CON_P_TREE, CON_P_TREE, &l);
	assert_int_equal(l.pane[CON_P_TREE].h, 22);
	assert_int_equal(l.pane[CON_P_LOG].h, 0);
	con_layout_compute(8, 30, -1, CON_P_LOG, &l);
	assert_int_equal(l.pane[CON_P_LOG].h, 6);
	assert_int_equal(con_pane_find("snapshots"), CON_P_CAPS);
}

static void test_captures_say_how_to_capture_until_there_are_some(void **state)
{
	struct con_buf b;
	struct con_rect r = { 0, 0, 4, 60 };
	struct con_scn v = { 0 };
	struct con_scn_cap cap = { .tag = (char *)"after", .kind = KT_CAP_PROCS,
				   .what = (char *)"4 pids in w" };
	char *fires[] = { (char *)"watch on jiffies fired: snapshot jiffies" };

	con_buf_init(&b, 4, 60);
	con_caps_render(&v, NULL, 0, &b, &r, 0);
	assert_true(con_buf_has(&b, "capture-cgroup-procs TAG CGROUP"));
	v.caps = &cap;
	v.ncaps = 1;
	con_buf_clear(&b);
	assert_int_equal(con_caps_render(&v, fires, 1, &b, &r, 0), 2);
	assert_string_equal(at(&b, 0), " procs    after  4 pids in w");
	assert_string_equal(at(&b, 1), " watch on jiffies fired: snapshot jiffies");
	con_buf_free(&b);
}

/* Long tags widen the tag column up to half the pane, then are cut, so
 * every row's columns line up and nothing runs off the pane. */
static void test_captures_columns_hold_long_tags(void **state)
{
	struct con_buf b;
	struct con_rect r = { 0, 0, 4, 50 };
	struct con_scn v = { 0 };
	struct con_scn_cap caps[] = {
		{ .tag = (char *)"a", .kind = KT_CAP_SNAPSHOT, .what = (char *)"snapshot 1" },
		{ .tag = (char *)"a_rather_long_snapshot_tag_name", .kind = KT_CAP_PROCS,
		  .what = (char *)"1 pid in w" },
	};

	con_buf_init(&b, 4, 50);
	v.caps = caps;
	v.ncaps = 2;
	v.watches[0] = (struct kt_watch){ .symbol = (char *)"jiffies_64", .armed = true,
					  .owner = KT_OWN_STEP, .fires = 212, .captures = 4 };
	v.nwatches = 1;
	con_caps_render(&v, NULL, 0, &b, &r, 0);
	assert_string_equal(at(&b, 0), " snapshot a                    snapshot 1");
	assert_string_equal(at(&b, 1), " procs    a_rather_long_snaps~ 1 pid in w");
	assert_string_equal(at(&b, 2), " watch    jiffies_64           armed (step): 212 f");
	con_buf_free(&b);
}

static void test_browse_folds_moves_and_finds(void **state)
{
	static const char json[] =
		"{\"vcpus\": [{\"rip\": 1}, {\"rip\": 2}], "
		"\"scx\": {\"state\": \"enabled\", \"nr_rejected\": 0}}";
	struct con_browse *br;
	struct con_buf b;
	struct con_rect r = { 0, 0, 4, 40 };

	assert_null(con_browse_open("snap", json, strlen(json), &br));
	assert_int_equal(con_browse_rows(br), 2);		/* folded: vcpus, scx */
	con_buf_init(&b, 4, 40);
	con_browse_render(br, &b, &r);
	assert_string_equal(at(&b, 0), " + vcpus: [2]");
	assert_string_equal(at(&b, 1), " + scx: {2}");
	con_browse_move(br, CON_BR_TOGGLE, 1);
	assert_int_equal(con_browse_rows(br), 4);
	/* Found inside a folded object: its path opens, the cursor is on it. */
	assert_true(con_browse_search(br, "nr_rej"));
	assert_int_equal(con_browse_cursor(br), 5);
	con_buf_clear(&b);
	con_browse_render(br, &b, &r);			/* scrolled to the cursor */
	assert_string_equal(at(&b, 3), "   nr_rejected: 0");
	assert_false(con_browse_search(br, "absent"));
	con_browse_move(br, CON_BR_TOP, 1);
	con_browse_move(br, CON_BR_CLOSE_ALL, 1);
	assert_int_equal(con_browse_rows(br), 2);
	con_browse_free(br);
	con_buf_free(&b);
}

/* Two snapshots side by side: a head row, the differences marked and
 * unfolded, what is the same folded; an array element by its name. */
static void test_browse_diff_marks_and_unfolds_changes(void **state)
{
	static const char a_text[] =
		"{\"tag\": \"a\", \"scx\": {\"state\": \"enabled\", \"nr_rejected\": 0}, "
		"\"same\": {\"x\": 1}, \"maps\": [{\"id\": 3, \"name\": \"bss\"}, "
		"{\"id\": 4, \"name\": \"bss\"}], \"gone\": 1}";
	static const char b_text[] =
		"{\"tag\": \"b\", \"scx\": {\"state\": \"enabled\", \"nr_rejected\": 2}, "
		"\"same\": {\"x\": 1}, \"maps\": [{\"id\": 3, \"name\": \"bss\"}, "
		"{\"id\": 4, \"name\": \"bss\"}], \"new\": true}";
	struct json_object *a, *b2;
	struct con_browse *br;
	struct con_buf b;
	struct con_rect r = { 0, 0, 12, 50 };

	(void)state;
	assert_null(kjson_parse(a_text, strlen(a_text), &a));
	assert_null(kjson_parse(b_text, strlen(b_text), &b2));
	assert_null(con_browse_open_diff("diff a b", "a", a, "b", b2, &br));
	assert_int_equal(con_browse_changes(br), 4);	/* tag, nr_rejected, gone, new */
	con_buf_init(&b, 12, 50);
	con_browse_render(br, &b, &r);
	/* key 20 columns, then A's value and B's (13 each), '|' between */
	assert_string_equal(at(&b, 0), " 4 differences       a              b");
	assert_string_equal(at(&b, 1), "~ tag                \"a\"          | \"b\"");
	assert_string_equal(at(&b, 2), "~ - scx              {2}          | {2}");
	assert_string_equal(at(&b, 3), "    state            \"enabled\"    | \"enabled\"");
	assert_string_equal(at(&b, 4), "~   nr_rejected      0            | 2");
	assert_string_equal(at(&b, 5), "  + same             {1}          | {1}");
	assert_string_equal(at(&b, 6), "  + maps             [2]          | [2]");
	assert_string_equal(at(&b, 7), "- gone               1            |");
	assert_string_equal(at(&b, 8), "+ new                             | true");
	/* ] and [: difference to difference, wrapping, past the containers */
	assert_int_equal(con_browse_cursor(br), 0);		/* tag */
	assert_true(con_browse_next_change(br, 1));
	assert_int_equal(con_browse_cursor(br), 3);		/* nr_rejected */
	assert_true(con_browse_next_change(br, 1));
	assert_int_equal(con_browse_cursor(br), 6);		/* gone */
	assert_true(con_browse_next_change(br, 1));
	assert_int_equal(con_browse_cursor(br), 7);		/* new */
	assert_true(con_browse_next_change(br, 1));
	assert_int_equal(con_browse_cursor(br), 0);
	assert_true(con_browse_next_change(br, -1));
	assert_int_equal(con_browse_cursor(br), 7);
	con_browse_move(br, CON_BR_OPEN_ALL, 1);
	/* maps of one name are matched by id and still labelled by name */
	assert_true(con_browse_search(br, "id=4"));
	con_buf_clear(&b);
	con_browse_render(br, &b, &r);
	assert_non_null(strstr(at(&b, 1 + (int)con_browse_cursor(br)), "[id=4] bss"));
	con_browse_free(br);
	con_buf_free(&b);
	/* one tree: an element folded reads by its name */
	assert_null(con_browse_open_tree("a", a, &br));
	assert_false(con_browse_next_change(br, 1));		/* not a diff */
	assert_true(con_browse_search(br, "maps"));
	con_browse_move(br, CON_BR_TOGGLE, 1);
	con_buf_init(&b, 12, 50);
	con_browse_render(br, &b, &r);
	assert_string_equal(at(&b, 3), " - maps: [2]");
	assert_string_equal(at(&b, 4), "   + [0] bss: {2}");
	con_browse_free(br);
	con_buf_free(&b);
	json_object_put(a);
	json_object_put(b2);
}

static void test_browse_refuses_what_is_not_json(void **state)
{
	struct con_browse *br;
	struct kterr *e = con_browse_open("f.json", "{,}", 3, &br);

	assert_null(br);
	assert_true(kterr_contains(e, "f.json is not JSON: json: byte 1"));
	kterr_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_is_clipped_to_its_rectangle),
		cmocka_unit_test(test_log_wraps_and_keeps_the_newest_at_the_bottom),
		cmocka_unit_test(test_log_wraps_at_blanks),
		cmocka_unit_test(test_captures_columns_hold_long_tags),
		cmocka_unit_test(test_log_scrolled_back_holds_still),
		cmocka_unit_test(test_log_scrolled_back_past_the_cap_shows_the_oldest),
		cmocka_unit_test(test_log_update_keeps_the_latest_of_a_periodic_line),
		cmocka_unit_test(test_log_error_shows_chain_then_hint_then_notes),
		cmocka_unit_test(test_tree_nests_and_tells_backdrop_from_step),
		cmocka_unit_test(test_tree_before_state_and_when_empty),
		cmocka_unit_test(test_sched_shows_state_and_irq_rates_as_bars),
		cmocka_unit_test(test_status_line_says_guest_step_recording_and_op_in_flight),
		cmocka_unit_test(test_status_line_at_80_columns_keeps_what_matters),
		cmocka_unit_test(test_layout_fits_80x24_and_zooms),
		cmocka_unit_test(test_captures_say_how_to_capture_until_there_are_some),
		cmocka_unit_test(test_browse_folds_moves_and_finds),
		cmocka_unit_test(test_browse_refuses_what_is_not_json),
		cmocka_unit_test(test_browse_diff_marks_and_unfolds_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
