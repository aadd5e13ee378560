/* test_state_cgroups.c - the cgroup walk over a temporary directory laid
 * out like cgroupfs: order, what is read, absent files, stops and limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "lib/util.h"
#include "guest/state-cgroups.h"

#define MAX_SEEN 64

struct seen {
	struct cg_state v[MAX_SEEN];
	size_t n;
	size_t stop_after;	/* 0: never stop */
};

static bool collect(const struct cg_state *cg, void *ctx)
{
	struct seen *s = ctx;

	if (s->stop_after && s->n == s->stop_after)
		return false;
	assert_true(s->n < MAX_SEEN);
	s->v[s->n++] = *cg;
	return true;
}

static void put(const char *root, const char *rel, const char *text)
{
	char *p = kt_strfmt("%s/%s", root, rel);

	assert_null(kt_write_file(p, text, strlen(text)));
	free(p);
}

static void dir(const char *root, const char *rel)
{
	char *p = kt_strfmt("%s/%s", root, rel);

	assert_null(kt_mkdir_p(p, 0755));
	free(p);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/ktcon-cgwalk-XXXXXX";
	char *root = mkdtemp(tmpl) ? strdup(tmpl) : NULL;

	if (!root)
		return -1;
	/* created out of order: the walk sorts */
	dir(root, "c");
	dir(root, "a/b");
	put(root, "a/cpuset.cpus.effective", "0-1\n");
	put(root, "a/cgroup.events", "populated 1\nfrozen 0\n");
	put(root, "a/cgroup.procs", "12\n34\n");
	put(root, "a/cpu.weight", "100\n");
	put(root, "a/cpu.max", "max 100000\n");
	put(root, "a/io.weight", "default 100\n8:0 200\n");
	put(root, "a/b/cgroup.events", "populated 0\nfrozen 1\n");
	put(root, "a/b/cgroup.procs", "");
	put(root, "a/b/cpuset.cpus.effective", "1\n");
	put(root, "not-a-cgroup", "x");
	*state = root;
	return 0;
}

static int teardown(void **state)
{
	kterr_free(kt_rm_rf(*state));
	free(*state);
	return 0;
}

static void test_walk_visits_parents_first_in_name_order(void **state)
{
	struct seen *s = calloc(1, sizeof(*s));
	bool stopped = true;

	assert_null(cg_walk(*state, collect, s, &stopped));
	assert_false(stopped);
	assert_int_equal(s->n, 3);
	assert_string_equal(s->v[0].path, "a");
	assert_string_equal(s->v[1].path, "a/b");
	assert_string_equal(s->v[2].path, "c");
	free(s);
}

static void test_walk_reads_cpus_events_procs_and_knobs(void **state)
{
	struct seen *s = calloc(1, sizeof(*s));
	const struct cg_state *a = &s->v[0], *b = &s->v[1];

	assert_null(cg_walk(*state, collect, s, NULL));
	assert_true(a->has_cpus);
	assert_string_equal(a->cpus, "0-1");
	assert_int_equal(a->populated, 1);
	assert_int_equal(a->frozen, 0);
	assert_int_equal(a->nprocs, 2);
	assert_string_equal(cg_knob_files[0], "cpu.weight");
	assert_true(a->has_knob[0]);
	assert_string_equal(a->knob[0], "100");
	assert_string_equal(a->knob[1], "max 100000");
	assert_false(a->has_knob[2]);	/* memory.max: no file */
	/* one line per device, joined */
	assert_string_equal(a->knob[3], "default 100; 8:0 200");
	assert_int_equal(b->frozen, 1);
	assert_int_equal(b->populated, 0);
	assert_int_equal(b->nprocs, 0);
	assert_string_equal(b->cpus, "1");
	free(s);
}

static void test_absent_files_read_as_unknown(void **state)
{
	struct seen *s = calloc(1, sizeof(*s));
	const struct cg_state *c = &s->v[2];

	assert_null(cg_walk(*state, collect, s, NULL));
	assert_false(c->has_cpus);
	assert_int_equal(c->populated, -1);
	assert_int_equal(c->frozen, -1);
	assert_int_equal(c->nprocs, -1);
	for (int k = 0; k < CG_NKNOBS; k++)
		assert_false(c->has_knob[k]);
	free(s);
}

static void test_visit_can_stop_the_walk_and_it_says_so(void **state)
{
	struct seen *s = calloc(1, sizeof(*s));
	bool stopped = false;

	s->stop_after = 2;
	assert_null(cg_walk(*state, collect, s, &stopped));
	assert_true(stopped);
	assert_int_equal(s->n, 2);
	free(s);
}

static void test_depth_limit_cuts_and_says_so(void **state)
{
	struct seen *s = calloc(1, sizeof(*s));
	char rel[CG_STATE_PATH_MAX] = "deep";
	bool stopped = false;

	for (int i = 1; i < CG_STATE_MAX_DEPTH + 3; i++)
		strcat(rel, "/d");
	dir(*state, rel);
	assert_null(cg_walk(*state, collect, s, &stopped));
	assert_true(stopped);
	/* a, a/b, c, and deep/d/... down to the limit */
	assert_int_equal(s->n, 3 + CG_STATE_MAX_DEPTH);
	free(s);
}

static void test_missing_root_is_an_error_naming_it(void **state)
{
	struct seen *s = calloc(1, sizeof(*s));
	char buf[256];
	struct kterr *e = cg_walk("/nonexistent/ktcon", collect, s, NULL);

	assert_non_null(e);
	kterr_str(e, buf, sizeof(buf));
	assert_non_null(strstr(buf, "/nonexistent/ktcon"));
	assert_non_null(strstr(buf, "No such file"));
	kterr_free(e);
	free(s);
}

/* cpu.stat: the keys ktcon carries, whatever else the kernel adds; a
 * garbled or negative value reads as unknown. */
static void test_cpustat_parse_takes_known_keys(void **state)
{
	int64_t v[CG_NCPUSTAT];

	cg_cpustat_parse("usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n"
			 "core_sched.force_idle_usec 0\nnr_periods 40\nnr_throttled 7\n"
			 "throttled_usec 91000\nnr_bursts 0\n", v);
	assert_int_equal(v[0], 1500);
	assert_int_equal(v[1], 1000);
	assert_int_equal(v[2], 500);
	assert_int_equal(v[3], 40);
	assert_int_equal(v[4], 7);
	assert_int_equal(v[5], 91000);
	cg_cpustat_parse("usage_usec x\nuser_usec -4\nsystem_usec 12 \nnr_periods\n"
			 "usage_usec_extra 5\nthrottled_usec 3", v);
	for (int k = 0; k < 5; k++)
		assert_int_equal(v[k], -1);
	assert_int_equal(v[5], 3);	/* no trailing newline: still a line */
	cg_cpustat_parse("", v);
	assert_int_equal(v[0], -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpustat_parse_takes_known_keys),
		cmocka_unit_test_setup_teardown(test_walk_visits_parents_first_in_name_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_reads_cpus_events_procs_and_knobs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absent_files_read_as_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_visit_can_stop_the_walk_and_it_says_so, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depth_limit_cuts_and_says_so, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_root_is_an_error_naming_it, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
