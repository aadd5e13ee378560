/* test_watches.c - watch-snapshot's watches in the executor: fires counted
 * exactly and told at most once a second, a step's watch disarmed at its
 * teardown and a backdrop's at the scenario's, unwatch. Against the fake
 * host and a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/watches.h"
#include "exec_harness.h"

struct said {
	char *lines[64];
	int n;
};

static void on_event(void *ctx, const struct kt_event *ev)
{
	struct said *s = ctx;

	char line[1024];

	/* The engine gives no text: a front end renders the report. */
	assert_true(ev->kind != KT_EV_WATCH || (ev->watch && !ev->text));
	if (ev->kind == KT_EV_WATCH && s->n < 64) {
		kt_watch_text(ev->watch, line, sizeof(line));
		s->lines[s->n++] = strdup(line);
	}
}

/* The watch events as they come, typed part included. */
struct typed {
	int n, with_gev;
	char symbol[64];
	unsigned vcpu;
	bool has_rip;
	char first_text[256];
};

static void on_typed(void *ctx, const struct kt_event *ev)
{
	struct typed *t = ctx;

	if (ev->kind != KT_EV_WATCH)
		return;
	if (!t->n++)
		kt_watch_text(ev->watch, t->first_text, sizeof(t->first_text));
	if (ev->gev) {
		assert_int_equal(ev->gev->kind, KT_GEV_WATCH_FIRE);
		snprintf(t->symbol, sizeof(t->symbol), "%s", ev->gev->fire.symbol);
		t->vcpu = ev->gev->fire.vcpu;
		t->has_rip = ev->gev->fire.has_rip;
		t->with_gev++;
	}
}

static void said_free(struct said *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->lines[i]);
}

static int said_count(const struct said *s, const char *part)
{
	int n = 0;

	for (int i = 0; i < s->n; i++)
		n += strstr(s->lines[i], part) != NULL;
	return n;
}

static void apply(struct harness *h, const char *line, int section)
{
	struct kt_stmt st;

	assert_null(kt_parse_statement(line, section, &st));
	assert_null(kt_exec_apply(h->x, &st));
	kt_stmt_clear(&st);
}

static void fire(struct harness *h, const char *sym, int n, bool captured)
{
	for (int i = 0; i < n; i++) {
		struct kt_guest_event ev = {
			.kind = KT_GEV_WATCH_FIRE, .name = sym, .snap = captured ? 7 : 0,
			.fire = { .symbol = sym, .n = (uint64_t)i + 1, .vcpu = 1,
				  .has_rip = captured, .rip = 0xffffffff81000000ull,
				  .old_value = (uint32_t)i, .new_value = (uint32_t)i + 1 },
		};

		kt_exec_guest_event(h->x, &ev);
	}
}

static void test_fire_lines_are_one_a_second_and_counts_exact(void **state)
{
	struct kt_scenario s;
	struct kt_watch *w;
	unsigned slot;
	struct kt_watch_report r;
	char line[512];
	int lines = 0;

	kt_scn_init(&s);
	assert_null(kt_scn_add_watch(&s, "jiffies_64", &slot));
	w = &s.watches[slot];
	/* 200 fires a second for 3 s, one captured in 50 */
	for (int i = 0; i < 600; i++) {
		struct kt_watch_fire f = { .n = (uint64_t)i + 1, .vcpu = 1 };

		if (kt_watch_fire(w, 1000 + i * 5000000ull, &f, i % 50 == 0, &r)) {
			kt_watch_text(&r, line, sizeof(line));
			lines++;
		}
	}
	/* the first, then one a second */
	assert_int_equal(lines, 3);
	assert_int_equal(w->fires, 600);
	assert_int_equal(w->captures, 12);
	assert_non_null(strstr(line, "watch jiffies_64: 200 fires in the last 1.0 s (4 captured), "
				     "latest fire"));
	/* what is left is told when forced (the watch ends), not before */
	assert_false(kt_watch_due(w, 1000 + 599 * 5000000ull, false, &r));
	assert_true(kt_watch_due(w, 1000 + 599 * 5000000ull, true, &r));
	/* typed: the count and the latest fire, the text made only here */
	assert_int_equal(r.kind, KT_WL_SUMMARY);
	assert_int_equal(r.fires, 199);
	assert_int_equal(r.fire->n, 600);
	kt_watch_text(&r, line, sizeof(line));
	assert_non_null(strstr(line, "199 fires"));
	assert_non_null(strstr(line, "latest fire 600 on vCPU 1 (no capture)"));
	assert_false(kt_watch_due(w, 1000 + 900 * 5000000ull, true, &r));
	kt_scn_free(&s);
}

/* 300 fires queued while an op ran: one line for the first, the rest wait
 * for the second to pass; the op's own result is not buried. */
static void test_a_busy_watch_does_not_bury_the_log(void **state)
{
	struct harness h;
	struct said s = { 0 };

	harness_init(&h);
	kt_events_subscribe(h.events, on_event, &s);
	harness_load(&h, "backdrop\n");
	apply(&h, "watch-snapshot jiffies_64", 0);
	fire(&h, "jiffies_64", 300, false);
	kt_exec_pump(h.x, 0);		/* the console, idle between jobs */
	apply(&h, "add-cgroup a", 0);
	kt_exec_pump(h.x, 0);
	assert_int_equal(s.n, 1);
	assert_non_null(strstr(s.lines[0], "watch on jiffies_64 fired: fire 1 on vCPU 1"));
	h.now += 1000000000ull;
	fire(&h, "jiffies_64", 200, true);
	kt_exec_pump(h.x, 0);
	assert_int_equal(s.n, 2);
	/* the first fire past the second tells what came before it, with it */
	assert_non_null(strstr(s.lines[1], "watch jiffies_64: 300 fires in the last 1.0 s "
					   "(1 captured), latest fire 1 on vCPU 1"));
	assert_int_equal(kt_exec_scenario(h.x)->watches[0].fires, 500);
	/* only captured fires make the capture */
	assert_non_null(kt_scn_capture(kt_exec_scenario(h.x), "jiffies_64", KT_CAP_SNAPSHOT));
	said_free(&s);
	harness_free(&h);
}

/* Fires heard late (the engine was busy: a console sh, a long op) are told
 * by their own time: one line per second they span, not one line for all
 * with the wrong interval. */
static void test_fires_heard_late_keep_their_own_time(void **state)
{
	struct harness h;
	struct said s = { 0 };

	harness_init(&h);
	kt_events_subscribe(h.events, on_event, &s);
	harness_load(&h, "backdrop\n");
	apply(&h, "watch-snapshot jiffies_64", 0);
	for (int sec = 0; sec < 3; sec++) {
		fire(&h, "jiffies_64", 100, false);
		h.now += 1000000000ull;
	}
	kt_exec_pump(h.x, 0);
	/* the first fire, then the 2nd and 3rd seconds' first fires cross
	 * the line; the rest is due by the drain's time */
	assert_int_equal(said_count(&s, "watch on jiffies_64 fired: fire 1"), 1);
	assert_int_equal(said_count(&s, "fires in the last 1.0 s"), 3);
	assert_int_equal(said_count(&s, "watch jiffies_64: 100 fires in the last 1.0 s"), 2);
	assert_int_equal(kt_exec_scenario(h.x)->watches[0].fires, 300);
	said_free(&s);
	harness_free(&h);
}

/* A fire stays a structure to the front ends: the line told for the first
 * fire carries it (the console keeps those for its captures pane), a
 * summary of several does not. No text is matched to tell them apart. */
static void test_a_told_fire_reaches_the_front_end_typed(void **state)
{
	struct harness h;
	struct typed t = { 0 };

	harness_init(&h);
	kt_events_subscribe(h.events, on_typed, &t);
	harness_load(&h, "backdrop\n");
	apply(&h, "watch-snapshot jiffies_64", 0);
	fire(&h, "jiffies_64", 1, true);
	kt_exec_pump(h.x, 0);
	h.now += 2000000000ull;
	fire(&h, "jiffies_64", 5, false);
	kt_exec_pump(h.x, 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.with_gev, 1);
	assert_string_equal(t.symbol, "jiffies_64");
	assert_int_equal(t.vcpu, 1);
	assert_true(t.has_rip);
	assert_string_equal(t.first_text, "watch on jiffies_64 fired: fire 1 on vCPU 1 at rip "
			    "0xffffffff81000000: 0x0 -> 0x1 at +0.000 ms");
	harness_free(&h);
}

/* The results count every fire by its capture's tag, the exit trigger's
 * failure dump (no watch of the scenario's) included; fires not captured
 * count too. */
static void test_results_count_fires_by_tag(void **state)
{
	struct harness h;
	struct typed t = { 0 };
	struct kt_guest_event trig = {
		.kind = KT_GEV_WATCH_FIRE, .name = "sched_ext_exit", .snap = 9,
		.fire = { .symbol = "scx_exit_kind", .n = 1, .has_rip = true, .rip = 0x1234,
			  .trigger = true, .exit_kind = "SCX_EXIT_ERROR", .exit_value = 1024 },
	};
	const struct kt_results *r;
	char *json = NULL;
	size_t len = 0;
	FILE *f;

	harness_init(&h);
	kt_events_subscribe(h.events, on_typed, &t);
	harness_load(&h, "backdrop\n");
	apply(&h, "watch-snapshot jiffies_64", 0);
	fire(&h, "jiffies_64", 3, false);
	kt_exec_guest_event(h.x, &trig);
	kt_exec_pump(h.x, 0);
	r = kt_exec_results(h.x);
	assert_int_equal(r->nfires, 2);
	assert_string_equal(r->fires[0].tag, "jiffies_64");
	assert_int_equal(r->fires[0].fires, 3);
	assert_string_equal(r->fires[1].tag, "sched_ext_exit");
	assert_int_equal(r->fires[1].fires, 1);
	f = open_memstream(&json, &len);
	kt_results_fires_json(r, f);
	fclose(f);
	assert_string_equal(json, "[{\"tag\": \"jiffies_64\", \"fires\": 3, \"last\": null}, "
				  "{\"tag\": \"sched_ext_exit\", \"fires\": 1, \"last\": null}]");
	free(json);
	/* the trigger's fire is told on its own, typed */
	assert_int_equal(t.with_gev, 2);
	harness_free(&h);
}

/* The seed's ownership: a step's watch goes at the step's teardown, a
 * backdrop's at the scenario's. */
static void test_a_watch_ends_with_its_owner(void **state)
{
	struct harness h;
	struct said s = { 0 };

	harness_init(&h);
	kt_events_subscribe(h.events, on_event, &s);
	harness_load(&h, "backdrop\n");
	apply(&h, "watch-snapshot jiffies_64", 0);
	assert_null(kt_exec_next_step(h.x));
	apply(&h, "watch-snapshot scx_watchdog_timestamp", 1);
	fire(&h, "scx_watchdog_timestamp", 3, false);
	assert_null(kt_exec_next_step(h.x));
	assert_int_equal(h.host.ndisarmed, 1);
	assert_int_equal(h.host.disarmed[0], 1);
	assert_false(kt_exec_scenario(h.x)->watches[1].armed);
	assert_true(kt_exec_scenario(h.x)->watches[0].armed);
	/* its last words: what was untold, then the totals */
	assert_int_equal(said_count(&s, "watch scx_watchdog_timestamp: 2 fires"), 1);
	assert_int_equal(said_count(&s, "watch scx_watchdog_timestamp disarmed (its step ended): "
				    "3 fires in all, 0 captured"), 1);
	assert_null(kt_exec_finish(h.x));
	assert_int_equal(h.host.ndisarmed, 2);
	assert_int_equal(h.host.disarmed[1], 0);
	assert_int_equal(said_count(&s, "watch jiffies_64 disarmed (the scenario ended)"), 1);
	said_free(&s);
	harness_free(&h);
}

/* A whole recipe: the step's watch is gone before the next step begins. */
static void test_a_recipe_steps_watch_is_disarmed_before_the_next_step(void **state)
{
	struct harness h;

	harness_init(&h);
	harness_run(&h, "step\n  watch-snapshot jiffies_64\nstep\n  add-cgroup a\n");
	assert_null(h.err);
	assert_int_equal(h.host.ndisarmed, 1);
	assert_int_equal(h.host.disarmed[0], 0);
	harness_free(&h);
}

static void test_unwatch_disarms_now_and_names_what_is_armed(void **state)
{
	struct harness h;
	struct said s = { 0 };
	struct kterr *e;
	char *m;

	harness_init(&h);
	kt_events_subscribe(h.events, on_event, &s);
	harness_load(&h, "backdrop\n");
	apply(&h, "watch-snapshot jiffies_64", 0);
	apply(&h, "watch-snapshot nr_cpu_ids", 0);
	fire(&h, "jiffies_64", 5, false);
	assert_null(kt_exec_unwatch(h.x, "jiffies_64"));
	assert_int_equal(h.host.ndisarmed, 1);
	assert_int_equal(said_count(&s, "watch jiffies_64 disarmed (unwatch): 5 fires in all"), 1);
	/* a fire that was on its way still counts */
	fire(&h, "jiffies_64", 1, false);
	kt_exec_pump(h.x, 0);
	assert_int_equal(kt_exec_scenario(h.x)->watches[0].fires, 6);
	e = kt_exec_unwatch(h.x, "jiffies_64");
	assert_non_null(e);
	m = kterr_strdup(e);
	assert_non_null(strstr(m, "no watch on jiffies_64 is armed"));
	assert_non_null(strstr(m, "armed: nr_cpu_ids"));
	free(m);
	kterr_free(e);
	/* the seed's cap counts watch ops, disarmed ones too */
	apply(&h, "watch-snapshot max_pfn", 0);
	{
		struct kt_stmt st;

		assert_null(kt_parse_statement("watch-snapshot jiffies_64", 0, &st));
		e = kt_exec_apply(h.x, &st);
		assert_non_null(e);
		assert_true(kterr_contains(e, "over the cap of 3"));
		kterr_free(e);
		kt_stmt_clear(&st);
	}
	assert_null(kt_exec_finish(h.x));
	/* the finish disarms the two still armed, not the unwatched one again */
	assert_int_equal(h.host.ndisarmed, 3);
	said_free(&s);
	harness_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fire_lines_are_one_a_second_and_counts_exact),
		cmocka_unit_test(test_a_busy_watch_does_not_bury_the_log),
		cmocka_unit_test(test_fires_heard_late_keep_their_own_time),
		cmocka_unit_test(test_a_told_fire_reaches_the_front_end_typed),
		cmocka_unit_test(test_results_count_fires_by_tag),
		cmocka_unit_test(test_a_watch_ends_with_its_owner),
		cmocka_unit_test(test_a_recipe_steps_watch_is_disarmed_before_the_next_step),
		cmocka_unit_test(test_unwatch_disarms_now_and_names_what_is_armed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
