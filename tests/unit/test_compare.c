/* test_compare.c - the compare table and JSON from the fixtures in
 * tests/data/compare (see its README for the numbers they hold), the
 * metrics of results without the timeline fields, and SVG escaping. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/compare.h"
#include "engine/svg.h"
#include "lib/util.h"

static struct json_object *load(const char *name)
{
	char path[512], *text = NULL;
	size_t len = 0;
	struct json_object *v = NULL;

	snprintf(path, sizeof(path), "%s/tests/data/compare/%s", KTCON_SRCDIR, name);
	assert_null(kt_read_file(path, (size_t)1 << 24, &text, &len));
	assert_null(kjson_parse(text, len, &v));
	free(text);
	return v;
}

static void add_side(struct kt_cmp_recipe *c, int side, struct json_object *arr)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *it = json_object_array_get_idx(arr, i), *o, *w, *r, *t = NULL;

		json_object_object_get_ex(it, "outcome", &o);
		json_object_object_get_ex(it, "why", &w);
		json_object_object_get_ex(it, "results", &r);
		json_object_object_get_ex(it, "timeline", &t);
		kt_cmp_add_run(c, side, json_object_get_string(o), w ? json_object_get_string(w) : NULL,
			       r, t);
	}
}

static const struct kt_cmp_row *find(const struct kt_cmp_recipe *c, const char *g, const char *m)
{
	for (size_t i = 0; i < c->nrows; i++)
		if ((g ? c->rows[i].group && !strcmp(c->rows[i].group, g) : !c->rows[i].group) &&
		    !strcmp(c->rows[i].metric, m))
			return &c->rows[i];
	return NULL;
}

static const struct kt_cmp_side sides[2] = { { "A", "scx_simple" }, { "B", "scx_qmap" } };

static void test_fixture_rows(void **state)
{
	struct json_object *a = load("a.json"), *b = load("b.json");
	struct kt_cmp_recipe c;
	const struct kt_cmp_row *r;

	(void)state;
	kt_cmp_init(&c, "recipes/ab.recipe");
	add_side(&c, 0, a);
	add_side(&c, 1, b);
	kt_cmp_finish(&c);
	assert_int_equal(c.nruns, 7);
	/* The failed 4th run of B is listed, not used. */
	assert_false(c.runs[6].used);
	assert_int_equal(c.runs[6].index, 4);
	assert_non_null(strstr(c.runs[6].why, "no progress"));

	/* Throughput from the timeline's counters: 2*(1000+10k), 2*(1500+10k). */
	r = find(&c, "spin", "throughput");
	assert_non_null(r);
	assert_int_equal(r->s[0].n, 3);
	assert_int_equal(r->s[1].n, 3);	/* not 4: the failed run is out */
	assert_true(fabs(r->s[0].mean - 2020) < 1e-6);
	assert_true(fabs(r->s[1].mean - 3020) < 1e-6);
	assert_true(fabs(r->s[0].sd - 20) < 1e-6);
	assert_true(fabs(r->ratio - 3020.0 / 2020) < 1e-12);
	assert_true(r->w.ok && r->w.p < KT_CMP_ALPHA);
	assert_string_equal(r->verdict, "differs");

	/* Spin workers never sleep (wake_samples 0): no wake latency rows. */
	assert_null(find(&c, "spin", "wake_p50"));
	assert_null(find(&c, "spin", "wake_max"));

	/* The median of the two workers' p50, in microseconds. */
	r = find(&c, "sleepy", "wake_p50");
	assert_non_null(r);
	assert_true(fabs(r->s[0].mean - 41.5) < 1e-9);
	assert_true(fabs(r->s[1].mean - 61.5) < 1e-9);

	/* Jain's index of 2000+20k and 1800+18k iterations: 0.9 ratio. */
	r = find(&c, "spin", "fairness");
	assert_true(fabs(r->s[0].mean - (1.9 * 1.9) / (2 * (1 + 0.81))) < 1e-3);

	/* The last sample's sched_ext counters. */
	r = find(&c, NULL, "nr_rejected");
	assert_non_null(r);
	assert_true(fabs(r->s[1].mean - 2) < 1e-9);
	assert_false(r->has_ratio);	/* A's mean is 0 */
	r = find(&c, "sleepy", "throughput");
	assert_string_equal(r->verdict, "the same in every run");
	kt_cmp_free(&c);
	json_object_put(a);
	json_object_put(b);
}

/* Every ratio the table prints is the JSON's, rounded to 3 places, and
 * the JSON's ratio is mean B / mean A. */
static void test_table_matches_json(void **state)
{
	struct json_object *a = load("a.json"), *b = load("b.json"), *j = NULL, *rows;
	struct kt_cmp_recipe c;
	char *table = NULL, *json = NULL;
	size_t tl = 0, jl = 0, checked = 0;
	FILE *f;

	(void)state;
	kt_cmp_init(&c, "recipes/ab.recipe");
	add_side(&c, 0, a);
	add_side(&c, 1, b);
	kt_cmp_finish(&c);
	f = open_memstream(&table, &tl);
	kt_cmp_print(&c, sides, f);
	fclose(f);
	f = open_memstream(&json, &jl);
	kt_cmp_json(&c, sides, f);
	fclose(f);
	assert_non_null(strstr(table, KT_STATS_TEST_NAME));
	assert_non_null(strstr(table, "A = scx_simple"));
	assert_non_null(strstr(table, "excluded: B run 4: FAIL"));
	assert_null(kjson_parse(json, jl, &j));
	assert_true(json_object_object_get_ex(j, "rows", &rows));
	assert_int_equal(json_object_array_length(rows), c.nrows);
	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		struct json_object *row = json_object_array_get_idx(rows, i), *g, *m, *ratio, *sa,
			*sb, *ma, *mb;
		char want[128], *line;

		json_object_object_get_ex(row, "group", &g);
		json_object_object_get_ex(row, "metric", &m);
		json_object_object_get_ex(row, "ratio", &ratio);
		if (!ratio)
			continue;
		json_object_object_get_ex(row, "a", &sa);
		json_object_object_get_ex(row, "b", &sb);
		json_object_object_get_ex(sa, "mean", &ma);
		json_object_object_get_ex(sb, "mean", &mb);
		assert_true(fabs(json_object_get_double(ratio) -
				 json_object_get_double(mb) / json_object_get_double(ma)) < 1e-12);
		/* The table line of this group and metric holds the same ratio. */
		snprintf(want, sizeof(want), "  %-12s %-18s ", g ? json_object_get_string(g)
				: "(sched_ext)", json_object_get_string(m));
		line = strstr(table, want);
		assert_non_null(line);
		snprintf(want, sizeof(want), " %.3f ", json_object_get_double(ratio));
		assert_non_null(strstr(line, want));
		assert_true(strstr(line, want) < strchr(line, '\n'));
		checked++;
	}
	assert_true(checked >= 8);
	json_object_put(j);
	free(table);
	free(json);
	kt_cmp_free(&c);
	json_object_put(a);
	json_object_put(b);
}

/* Today's results: no timeline, no wake percentiles. Throughput falls
 * back to iterations over the recipe's duration; the rest is absent. */
static void test_results_without_timeline(void **state)
{
	static const char text[] =
		"{\"file\": \"x\", \"passed\": true, \"duration_ns\": 2000000000, \"final_workers\": ["
		"{\"cgroup\": \"w\", \"workers\": [{\"pid\": 1, \"iterations\": 300, "
		"\"migrations\": 2, \"max_wake_ns\": 5000}, {\"pid\": 2, \"iterations\": 100, "
		"\"migrations\": 1, \"max_wake_ns\": 9000}]}]}";
	struct json_object *v = NULL;
	struct kt_run_metrics m;

	(void)state;
	assert_null(kjson_parse(text, strlen(text), &v));
	assert_null(kt_run_metrics_read(v, NULL, &m));
	assert_false(m.timeline);
	assert_int_equal(m.ngroups, 1);
	assert_true(m.groups[0].have[KT_M_THROUGHPUT]);
	assert_true(fabs(m.groups[0].v[KT_M_THROUGHPUT] - 200) < 1e-9);
	assert_false(m.groups[0].have[KT_M_WAKE_P50]);
	assert_false(m.groups[0].have[KT_M_WAKE_P99]);
	assert_true(m.groups[0].v[KT_M_WAKE_MAX] == 9000);	/* max_wake_ns, the worst */
	assert_true(m.groups[0].v[KT_M_MIGRATIONS] == 3);
	/* Jain: 400^2 / (2 * (90000 + 10000)) = 0.8. */
	assert_true(fabs(m.groups[0].v[KT_M_FAIRNESS] - 0.8) < 1e-12);
	assert_int_equal(m.nscx, 0);
	kt_run_metrics_free(&m);
	json_object_put(v);
	{
		struct kterr *e = kt_run_metrics_read(NULL, NULL, &m);

		assert_non_null(e);
		kterr_free(e);
	}
}

/* The timeline's samples repeat a count until the guest's STATE stream
 * delivers a new one: a count is timed where it first appears, and a
 * timeline whose count never changed (a hold shorter than the stream's
 * period) is no rate, so the final count over the duration stands, not 0. */
static void test_throughput_from_repeated_counts(void **state)
{
	static const char results[] =
		"{\"duration_ns\": 2000000000, \"final_workers\": [{\"cgroup\": \"w\", "
		"\"workers\": [{\"pid\": 1, \"iterations\": 1112}]}]}";
	/* 100 at 0, repeated; 400 first at 300 ms, repeated; 700 at 700 ms. */
	static const char moving[] =
		"{\"samples\": [{\"t_ns\": 0, \"workers\": {\"w\": 100}}, "
		"{\"t_ns\": 100000000, \"workers\": {\"w\": 100}}, "
		"{\"t_ns\": 300000000, \"workers\": {\"w\": 400}}, "
		"{\"t_ns\": 500000000, \"workers\": {\"w\": 400}}, "
		"{\"t_ns\": 700000000, \"workers\": {\"w\": 700}}, "
		"{\"t_ns\": 900000000, \"workers\": {\"w\": 700}}]}";
	static const char stuck[] =
		"{\"samples\": [{\"t_ns\": 0, \"workers\": {\"w\": 72}}, "
		"{\"t_ns\": 100000000, \"workers\": {\"w\": 72}}, "
		"{\"t_ns\": 200000000, \"workers\": {\"w\": 72}}]}";
	struct json_object *r = NULL, *t = NULL;
	struct kt_run_metrics m;

	(void)state;
	assert_null(kjson_parse(results, strlen(results), &r));
	assert_null(kjson_parse(moving, strlen(moving), &t));
	assert_null(kt_run_metrics_read(r, t, &m));
	/* (700 - 100) / 0.7 s, not / 0.9 s. */
	assert_true(fabs(m.groups[0].v[KT_M_THROUGHPUT] - 600 / 0.7) < 1e-6);
	kt_run_metrics_free(&m);
	json_object_put(t);
	assert_null(kjson_parse(stuck, strlen(stuck), &t));
	assert_null(kt_run_metrics_read(r, t, &m));
	assert_true(m.groups[0].have[KT_M_THROUGHPUT]);
	assert_true(fabs(m.groups[0].v[KT_M_THROUGHPUT] - 556) < 1e-9);	/* 1112 / 2 s */
	kt_run_metrics_free(&m);
	json_object_put(t);
	json_object_put(r);
}

static void test_svg_escape(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	/* XML's specials, a control byte, a stray continuation byte, U+FFFF. */
	svg_escape(f, "a<b>&\"c'\x01\x80z\xef\xbf\xbfy");
	fclose(f);
	assert_string_equal(buf, "a&lt;b&gt;&amp;&quot;c&apos;\xef\xbf\xbd\xef\xbf\xbdz"
			    "\xef\xbf\xbdy");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_rows),
		cmocka_unit_test(test_table_matches_json),
		cmocka_unit_test(test_results_without_timeline),
		cmocka_unit_test(test_throughput_from_repeated_counts),
		cmocka_unit_test(test_svg_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
