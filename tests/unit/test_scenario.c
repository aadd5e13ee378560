/* test_scenario.c - scenario state and its rules, without an executor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "engine/scenario.h"

static void add(struct kt_scenario *s, const char *name, bool backdrop)
{
	s->in_backdrop = backdrop;
	assert_null(kt_scn_add_cgroup(s, name, false, NULL));
}

static void test_move_backdrop_to_step_exempt_in_backdrop_setup(void **state)
{
	struct kt_scenario s;
	struct kterr *e;

	kt_scn_init(&s);
	add(&s, "bg", true);
	add(&s, "st", false);
	s.in_backdrop = false;
	e = kt_scn_check_move(&s, "bg", "st");
	assert_true(kterr_contains(e, "move from backdrop 'bg' to step-local 'st' rejected"));
	kterr_free(e);
	s.in_backdrop = true;
	assert_null(kt_scn_check_move(&s, "bg", "st"));
	/* Self-move stays rejected even there. */
	e = kt_scn_check_move(&s, "bg", "bg");
	assert_true(kterr_contains(e, "self-move"));
	kterr_free(e);
	kt_scn_free(&s);
}

static void test_move_step_to_backdrop_transfers_ownership(void **state)
{
	struct kt_scenario s;
	int pids[] = { 7, 8 };

	kt_scn_init(&s);
	add(&s, "bg", true);
	add(&s, "st", false);
	assert_null(kt_scn_add_workers(&s, "st", pids, 2));
	assert_int_equal(kt_scn_workers(&s, "st")->owner, KT_OWN_STEP);
	assert_null(kt_scn_check_move(&s, "st", "bg"));
	kt_scn_move_handles(&s, "st", "bg");
	assert_null(kt_scn_workers(&s, "st"));
	assert_int_equal(kt_scn_workers(&s, "bg")->owner, KT_OWN_BACKDROP);
	assert_int_equal(kt_scn_workers(&s, "bg")->npids, 2);
	kt_scn_free(&s);
}

static void test_runner_workers_move_out_of_the_empty_key(void **state)
{
	struct kt_scenario s;
	int pids[] = { 1 };

	kt_scn_init(&s);
	add(&s, "w", false);
	assert_null(kt_scn_add_workers(&s, KT_RUNNER, pids, 1));
	kt_scn_move_handles(&s, KT_RUNNER, "w");
	assert_null(kt_scn_workers(&s, KT_RUNNER));
	assert_non_null(kt_scn_workers(&s, "w"));
	kt_scn_free(&s);
}

static void test_remove_cgroup_forgets_it_and_its_workers(void **state)
{
	struct kt_scenario s;
	int pids[] = { 1 };

	kt_scn_init(&s);
	add(&s, "bg", true);
	assert_null(kt_scn_add_workers(&s, "bg", pids, 1));
	kt_scn_remove_cgroup(&s, "bg");
	assert_null(kt_scn_cgroup(&s, "bg"));
	assert_null(kt_scn_workers(&s, "bg"));
	add(&s, "bg", false);
	kt_scn_remove_cgroup(&s, "typo");	/* unknown: no error here */
	kt_scn_free(&s);
}

/* The guest removes a subtree; the scenario forgets the same one, and
 * only it: "ab" is not below "a". */
static void test_remove_cgroup_takes_its_subtree(void **state)
{
	struct kt_scenario s;
	int pids[] = { 7 };

	kt_scn_init(&s);
	add(&s, "a", false);
	add(&s, "a/b", false);
	add(&s, "a/b/c", false);
	add(&s, "ab", false);
	assert_null(kt_scn_add_workers(&s, "a/b", pids, 1));
	kt_scn_remove_cgroup(&s, "a");
	assert_null(kt_scn_cgroup(&s, "a"));
	assert_null(kt_scn_cgroup(&s, "a/b"));
	assert_null(kt_scn_cgroup(&s, "a/b/c"));
	assert_null(kt_scn_workers(&s, "a/b"));
	assert_non_null(kt_scn_cgroup(&s, "ab"));
	kt_scn_free(&s);
}

static void test_payload_lookup_by_name_and_cgroup(void **state)
{
	struct kt_scenario s;
	struct kt_payload *p;
	struct kterr *e;

	kt_scn_init(&s);
	assert_null(kt_scn_add_payload(&s, "stress", "a", 1));
	assert_null(kt_scn_find_payload(&s, "wait-payload", "stress", NULL, &p));
	assert_int_equal(p->handle, 1);
	e = kt_scn_add_payload(&s, "stress", "a", 2);
	assert_true(kterr_contains(e, "already running in cgroup 'a'"));
	kterr_free(e);
	assert_null(kt_scn_add_payload(&s, "stress", "", 3));
	e = kt_scn_find_payload(&s, "kill-payload", "stress", NULL, &p);
	assert_true(kterr_contains(e, "kill-payload stress: ambiguous — specify cgroup"));
	assert_null(p);
	kterr_free(e);
	assert_null(kt_scn_find_payload(&s, "wait-payload", "stress", "", &p));
	p->state = KT_PAYLOAD_CONSUMED;
	e = kt_scn_find_payload(&s, "wait-payload", "stress", "", &p);
	assert_true(kterr_contains(e, "already consumed"));
	kterr_free(e);
	e = kt_scn_find_payload(&s, "wait-payload", "other", NULL, &p);
	assert_true(kterr_contains(e, "unknown payload"));
	kterr_free(e);
	kt_scn_free(&s);
}

static void test_watch_cap_is_three(void **state)
{
	struct kt_scenario s;
	unsigned slot;
	struct kterr *e;

	kt_scn_init(&s);
	for (unsigned i = 0; i < 3; i++) {
		assert_null(kt_scn_add_watch(&s, "sym", &slot));
		assert_int_equal(slot, i);
	}
	e = kt_scn_add_watch(&s, "fourth", &slot);
	assert_true(kterr_contains(e, "4th watch"));
	kterr_free(e);
	kt_scn_free(&s);
}

static void test_step_cgroups_deepest_first(void **state)
{
	struct kt_scenario s;
	size_t idx[8], n;

	kt_scn_init(&s);
	add(&s, "a", false);
	add(&s, "bg", true);
	add(&s, "a/b", false);
	add(&s, "a/b/c", false);
	add(&s, "d", false);
	n = kt_scn_step_cgroups(&s, idx);
	assert_int_equal(n, 4);
	assert_string_equal(s.cgs[idx[0]].name, "a/b/c");
	assert_string_equal(s.cgs[idx[1]].name, "a/b");
	assert_string_equal(s.cgs[idx[2]].name, "d");
	assert_string_equal(s.cgs[idx[3]].name, "a");
	assert_int_equal(kt_scn_backdrop_cgroups(&s, idx), 1);
	kt_scn_free(&s);
}

static void test_captures_append_and_first_tag_wins_but_snapshots_overwrite(void **state)
{
	struct kt_scenario s;
	struct kt_capture *c;

	kt_scn_init(&s);
	c = kt_scn_add_capture(&s, "t", KT_CAP_READ);
	c->value.u = 1;
	c = kt_scn_add_capture(&s, "t", KT_CAP_READ);
	c->value.u = 2;
	assert_int_equal(kt_scn_capture(&s, "t", KT_CAP_READ)->value.u, 1);
	assert_null(kt_scn_capture(&s, "t", KT_CAP_PROCS));
	/* snapshots overwrite: one capture per tag, the last */
	c = kt_scn_add_capture(&s, "jiffies_64", KT_CAP_SNAPSHOT);
	c->snap = 7;
	c = kt_scn_add_capture(&s, "jiffies_64", KT_CAP_SNAPSHOT);
	c->snap = 8;
	assert_int_equal(kt_scn_capture(&s, "jiffies_64", KT_CAP_SNAPSHOT)->snap, 8);
	assert_int_equal(s.ncaptures, 3);
	assert_true(kt_scn_pin(&s, "m.bss"));
	assert_false(kt_scn_pin(&s, "m.bss"));
	kt_scn_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_move_backdrop_to_step_exempt_in_backdrop_setup),
		cmocka_unit_test(test_move_step_to_backdrop_transfers_ownership),
		cmocka_unit_test(test_runner_workers_move_out_of_the_empty_key),
		cmocka_unit_test(test_remove_cgroup_forgets_it_and_its_workers),
		cmocka_unit_test(test_payload_lookup_by_name_and_cgroup),
		cmocka_unit_test(test_watch_cap_is_three),
		cmocka_unit_test(test_step_cgroups_deepest_first),
		cmocka_unit_test(test_remove_cgroup_takes_its_subtree),
		cmocka_unit_test(test_captures_append_and_first_tag_wins_but_snapshots_overwrite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
