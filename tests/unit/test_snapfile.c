/*
 * test_snapfile.c - a saved capture read back (engine/snapfile.h), as
 * `ktcon diff` reads it: a snapshot saved alone, results with several
 * captures picked by FILE:TAG (the last of a tag retaken), and errors that
 * name the file.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine/snapfile.h"
#include "lib/kjson.h"

static char dir[] = "/tmp/test_snapfile.XXXXXX";

static const char *file(const char *name, const char *text)
{
	static char path[4][256];
	static int k;
	char *p = path[k++ % 4];
	FILE *f;

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

#define SNAP(id, tag, n) "{\"snapshot\": " #id ", \"tag\": \"" tag "\", \"vcpus\": [], \"n\": " #n "}"

static int64_t n_of(struct json_object *snap)
{
	return json_object_get_int64(kjson_get(snap, "n"));
}

static void test_a_snapshot_saved_alone(void **state)
{
	struct json_object *s;

	(void)state;
	assert_null(kt_snapfile_load(file("one.json", SNAP(3, "idle", 7)), &s));
	assert_int_equal(n_of(s), 7);
	json_object_put(s);
}

static void test_results_pick_by_tag(void **state)
{
	/* ktcon run --json: an array of runs, captures under statements */
	const char *p = file("run.json",
		"[{\"recipe\": \"r\", \"results\": {\"statements\": ["
		"{\"line\": 3, \"captured\": " SNAP(1, "before", 1) "},"
		"{\"line\": 4, \"captured\": {\"handle\": 2}},"
		"{\"line\": 5, \"captured\": " SNAP(2, "after", 2) "},"
		"{\"line\": 6, \"captured\": " SNAP(1, "before", 3) "}]}}]");
	char arg[300];
	struct json_object *s;
	struct kterr *e;
	char buf[512];

	(void)state;
	snprintf(arg, sizeof(arg), "%s:after", p);
	assert_null(kt_snapfile_load(arg, &s));
	assert_int_equal(n_of(s), 2);
	json_object_put(s);
	/* a tag retaken: the last */
	snprintf(arg, sizeof(arg), "%s:before", p);
	assert_null(kt_snapfile_load(arg, &s));
	assert_int_equal(n_of(s), 3);
	json_object_put(s);
	/* several, none named: listed, with the form to name one */
	e = kt_snapfile_load(p, &s);
	assert_null(s);
	kterr_str(e, buf, sizeof(buf));
	assert_non_null(strstr(buf, "run.json holds 3 snapshots"));
	assert_non_null(strstr(buf, ":TAG; it holds: before, after, before"));
	kterr_free(e);
	snprintf(arg, sizeof(arg), "%s:nosuch", p);
	e = kt_snapfile_load(arg, &s);
	assert_true(kterr_contains(e, "run.json: no snapshot tagged 'nosuch'"));
	kterr_free(e);
}

static void test_errors_name_the_file(void **state)
{
	struct json_object *s;
	struct kterr *e;
	char path[300];

	(void)state;
	snprintf(path, sizeof(path), "%s/gone.json", dir);
	e = kt_snapfile_load(path, &s);
	assert_true(kterr_contains(e, "gone.json"));
	assert_int_equal(kterr_errno_of(e), ENOENT);
	kterr_free(e);
	e = kt_snapfile_load(file("bad.json", "{\"snapshot\": "), &s);
	assert_true(kterr_contains(e, "bad.json is not JSON: json: byte "));
	kterr_free(e);
	e = kt_snapfile_load(file("none.json", "{\"tag\": \"x\", \"snapshot\": \"1\"}"), &s);
	assert_true(kterr_contains(e, "none.json: no snapshot in it"));
	kterr_free(e);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	static const char *const names[] = { "one.json", "run.json", "bad.json", "none.json" };
	char p[300];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_snapshot_saved_alone),
		cmocka_unit_test(test_results_pick_by_tag),
		cmocka_unit_test(test_errors_name_the_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
