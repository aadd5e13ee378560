/* test_shard.c - shards: K/N parsing, keys, round-robin and timed
 * assignment, timing files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/err.h"
#include "engine/shard.h"

#define S(x) ((uint64_t)(x) * 1000000000ULL)

static void assert_parse_fails(const char *spec, const char *what)
{
	unsigned k = 9, n = 9;
	struct kterr *e = kt_shard_parse(spec, &k, &n);
	char *m = e ? kterr_strdup(e) : NULL;

	assert_non_null(e);
	assert_non_null(strstr(m, what));
	assert_non_null(strstr(m, spec));	/* names the value */
	free(m);
	kterr_free(e);
}

static void test_parse(void **state)
{
	unsigned k, n;

	assert_null(kt_shard_parse("2/4", &k, &n));
	assert_int_equal(k, 2);
	assert_int_equal(n, 4);
	assert_null(kt_shard_parse("1/1", &k, &n));
	assert_null(kt_shard_parse("256/256", &k, &n));
	assert_parse_fails("0/3", "K must be 1 to N (3)");
	assert_parse_fails("4/3", "K must be 1 to N (3)");
	assert_parse_fails("1/0", "N must be 1 to 256");
	assert_parse_fails("1/257", "N must be 1 to 256");
	assert_parse_fails("x/y", "is not K/N");
	assert_parse_fails("1/2/3", "is not K/N");
	assert_parse_fails("-1/3", "is not K/N");
	assert_parse_fails("1/+3", "is not K/N");
	assert_parse_fails("3", "is not K/N");
	assert_parse_fails("/3", "is not K/N");
	assert_parse_fails("1/", "is not K/N");
	assert_parse_fails("1 /3", "is not K/N");
	assert_parse_fails("99999999999999999999/3", "K must be 1 to N");
}

static void test_key(void **state)
{
	const char *t[][2] = {
		{ "a.recipe", "a.recipe" }, { "./a.recipe", "a.recipe" },
		{ "././/x//a.recipe", "x/a.recipe" }, { "/abs//a", "/abs/a" },
		{ "../up/a", "../up/a" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *k = kt_shard_key(t[i][0]);

		assert_string_equal(k, t[i][1]);
		free(k);
	}
}

static void assign(const char **paths, size_t n, unsigned nshards, unsigned *out)
{
	struct kt_shard_item v[16] = { 0 };

	for (size_t i = 0; i < n; i++)
		v[i].path = paths[i];
	assert_null(kt_shard_assign(v, n, nshards, false));
	/* out[i]: the shard of paths[i], whatever order v came back in */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			if (v[j].path == paths[i])
				out[i] = v[j].shard;
	for (size_t i = 1; i < n; i++) {	/* back in key order */
		char *a = kt_shard_key(v[i - 1].path), *b = kt_shard_key(v[i].path);

		assert_true(strcmp(a, b) <= 0);
		free(a);
		free(b);
	}
}

static void test_round_robin_is_order_independent(void **state)
{
	const char *a[] = { "d", "b", "./a", "e", "c" };
	const char *b[] = { "c", "e", "./a", "b", "d" };
	unsigned sa[5], sb[5];

	assign(a, 5, 2, sa);
	assign(b, 5, 2, sb);
	/* sorted: a b c d e -> 1 2 1 2 1 */
	assert_int_equal(sa[2], 1);	/* a */
	assert_int_equal(sa[1], 2);	/* b */
	assert_int_equal(sa[0], 2);	/* d */
	assert_int_equal(sa[4], 1);	/* c */
	for (size_t i = 0; i < 5; i++)
		for (size_t j = 0; j < 5; j++)
			if (!strcmp(a[i], b[j]))
				assert_int_equal(sa[i], sb[j]);
}

static void test_every_item_in_exactly_one_shard(void **state)
{
	const char *p[] = { "r1", "r2", "r3", "r4", "r5", "r6", "r7" };

	for (unsigned n = 1; n <= 9; n++) {
		unsigned s[7], count[10] = { 0 };

		assign(p, 7, n, s);
		for (size_t i = 0; i < 7; i++) {
			assert_in_range(s[i], 1, n);
			count[s[i]]++;
		}
		for (unsigned k = 1; k <= n; k++)	/* sizes differ by at most one */
			assert_in_range(count[k], 7 / n, (7 + n - 1) / n);
	}
}

static void test_timed_is_longest_first_onto_least_loaded(void **state)
{
	/* Longest first onto the least loaded of 2: x8 -> 1 (0 0); y5 -> 2
	 * (8 0); z4 -> 2 (8 5); a3 -> 1 (8 9); b3, a3's equal but after it by
	 * key -> 2 (11 9). */
	struct kt_shard_item v[] = {
		{ .path = "b3", .est_ns = S(3) }, { .path = "x8", .est_ns = S(8) },
		{ .path = "y5", .est_ns = S(5) }, { .path = "a3", .est_ns = S(3) },
		{ .path = "z4", .est_ns = S(4) },
	};
	const struct { const char *path; unsigned shard; } want[] = {
		{ "a3", 1 }, { "b3", 2 }, { "x8", 1 }, { "y5", 2 }, { "z4", 2 },
	};

	assert_null(kt_shard_assign(v, 5, 2, true));
	for (size_t i = 0; i < 5; i++) {
		assert_string_equal(v[i].path, want[i].path);	/* key order */
		assert_int_equal(v[i].shard, want[i].shard);
	}
}

static void test_timed_ties_are_broken_by_key(void **state)
{
	struct kt_shard_item v[] = {
		{ .path = "c", .est_ns = S(1) }, { .path = "a", .est_ns = S(1) },
		{ .path = "b", .est_ns = S(1) },
	};

	assert_null(kt_shard_assign(v, 3, 3, true));
	assert_int_equal(v[0].shard, 1);	/* a */
	assert_int_equal(v[1].shard, 2);	/* b */
	assert_int_equal(v[2].shard, 3);	/* c */
}

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/test_shard-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_timings_from_json_results(void **state)
{
	/* Two shards' files merged with `jq -s .`; a pending record has no
	 * results; ./ and a directory elsewhere still match. */
	char *f = write_tmp(
		"[[{\"recipe\": \"./recipes/a.recipe\", \"outcome\": \"PASS\", \"why\": null,"
		"   \"results\": {\"file\": \"./recipes/a.recipe\", \"duration_ns\": 7000000000}},"
		"  {\"recipe\": \"recipes/p.recipe\", \"outcome\": \"PENDING\", \"results\": null}],"
		" [{\"recipe\": \"other/b.recipe\", \"results\": {\"duration_ns\": 1000000000}},"
		"  {\"recipe\": \"recipes/c.recipe\", \"results\": {\"duration_ns\": 2000000000}}]]");
	struct kt_timings *t;
	uint64_t ns;

	assert_null(kt_timings_load(f, &t));
	assert_int_equal(kt_timings_count(t), 3);
	assert_true(kt_timings_find(t, "recipes/a.recipe", &ns));
	assert_int_equal(ns, S(7));
	assert_true(kt_timings_find(t, "suite/b.recipe", &ns));	/* by file name */
	assert_int_equal(ns, S(1));
	assert_false(kt_timings_find(t, "recipes/p.recipe", &ns));

	struct kt_shard_item v[] = {
		{ .path = "recipes/a.recipe" }, { .path = "recipes/c.recipe" },
		{ .path = "recipes/new.recipe" }, { .path = "b.recipe" },
	};
	kt_timings_estimate(t, v, 4);
	assert_int_equal(v[0].est_ns, S(7) + KT_SHARD_BOOT_NS);
	assert_true(v[1].known);
	assert_false(v[2].known);
	/* median of 4, 5, 10 (with the boot) */
	assert_int_equal(v[2].est_ns, S(2) + KT_SHARD_BOOT_NS);
	kt_timings_free(t);
	unlink(f);
	free(f);
}

static void test_no_timings_known_gives_the_default(void **state)
{
	char *f = write_tmp("[]");
	struct kt_timings *t;
	struct kt_shard_item v[] = { { .path = "a" } };

	assert_null(kt_timings_load(f, &t));
	kt_timings_estimate(t, v, 1);
	assert_int_equal(v[0].est_ns, KT_SHARD_DEFAULT_NS);
	kt_timings_free(t);
	unlink(f);
	free(f);
}

static void assert_load_fails(const char *text, const char *what)
{
	char *f = text ? write_tmp(text) : strdup("/nonexistent/timings.json");
	struct kt_timings *t = (void *)1;
	struct kterr *e = kt_timings_load(f, &t);
	char *m = e ? kterr_strdup(e) : NULL;

	assert_non_null(e);
	assert_null(t);
	assert_non_null(strstr(m, f));		/* names the file */
	if (!strstr(m, what))
		fail_msg("'%s' lacks '%s'", m, what);
	free(m);
	kterr_free(e);
	if (text)
		unlink(f);
	free(f);
}

static void test_bad_timing_files(void **state)
{
	assert_load_fails(NULL, "No such file");
	assert_load_fails("{\"recipe\": \"a\"}", "the top level is a JSON object");
	assert_load_fails("[1", "json: byte");
	assert_load_fails("[{\"results\": null}]", "record 0");
	assert_load_fails("[{\"recipe\": \"a\", \"results\": {\"duration_ns\": \"x\"}}]",
			  "record 0 (a): results");
	assert_load_fails("[{\"recipe\": \"a\", \"results\": {\"duration_ns\": -1}}]", "negative");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_round_robin_is_order_independent),
		cmocka_unit_test(test_every_item_in_exactly_one_shard),
		cmocka_unit_test(test_timed_is_longest_first_onto_least_loaded),
		cmocka_unit_test(test_timed_ties_are_broken_by_key),
		cmocka_unit_test(test_timings_from_json_results),
		cmocka_unit_test(test_no_timings_known_gives_the_default),
		cmocka_unit_test(test_bad_timing_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
