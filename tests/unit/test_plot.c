/* test_plot.c - `ktcon run --plot`: the timeline chart of one run's
 * results (from tests/data/compare), its file name per repeat, and no
 * chart (said so) for results without a timeline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/util.h"
#include "tui/plot.h"

static char *slurp(const char *path)
{
	char *text = NULL;
	size_t len = 0;
	struct kterr *e = kt_read_file(path, (size_t)1 << 24, &text, &len);

	kterr_free(e);
	return e ? NULL : text;
}

/* The first run's timeline of a fixture file, as text. */
static char *first_timeline(const char *name)
{
	char path[512], *text;
	struct json_object *arr = NULL, *res;
	char *out;

	snprintf(path, sizeof(path), "%s/tests/data/compare/%s", KTCON_SRCDIR, name);
	text = slurp(path);
	assert_non_null(text);
	assert_null(kjson_parse(text, strlen(text), &arr));
	assert_true(json_object_object_get_ex(json_object_array_get_idx(arr, 0), "timeline", &res));
	out = strdup(json_object_to_json_string(res));
	json_object_put(arr);
	free(text);
	return out;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, what)); p++)
		n++;
	return n;
}

static void test_run_timeline_chart(void **state)
{
	char dir[] = "/tmp/ktcon-plot-XXXXXX", *res = first_timeline("a.json"), *svg, *p, msgs[4096];
	FILE *m = fmemopen(msgs, sizeof(msgs), "w");

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(plot_run_timeline(dir, "some/where/ab.recipe", 0, res, m), 0);
	assert_int_equal(plot_run_timeline(dir, "some/where/ab.recipe", 1, res, m), 0);
	assert_int_equal(plot_run_timeline(dir, "x.recipe", 0,
					   "{\"rate_hz\": 10, \"cpus\": 2, \"samples\": []}", m), 0);
	assert_int_equal(plot_run_timeline(dir, "y.recipe", 0, NULL, m), 0);
	fclose(m);
	assert_non_null(strstr(msgs, "plot: wrote "));
	assert_non_null(strstr(msgs, "ab.2.timeline.svg"));
	assert_non_null(strstr(msgs, "x.recipe: the timeline has no samples: no timeline chart"));
	assert_non_null(strstr(msgs, "y.recipe: no timeline (--no-timeline, or it never ran)"));

	p = kt_strfmt("%s/ab.timeline.svg", dir);
	svg = slurp(p);
	assert_non_null(svg);
	assert_non_null(strstr(svg, ">CPU 0</text>"));
	assert_non_null(strstr(svg, ">CPU 1</text>"));
	assert_null(strstr(svg, ">CPU 2</text>"));
	/* Each event but op-end a marker with its line; the text escaped,
	 * cut to fit. */
	assert_non_null(strstr(svg, ">7: cgroup spin workers=2 ...</text>"));
	assert_non_null(strstr(svg, ">8: cgroup sleepy &lt;workers...</text>"));
	assert_non_null(strstr(svg, ">4: scheduler scx_simple (...</text>"));
	assert_null(strstr(svg, "<workers"));
	assert_int_equal(count(svg, "stroke-dasharray"), 5);	/* 7 events, 2 op-end */
	unlink(p);
	free(p);
	free(svg);
	p = kt_strfmt("%s/ab.2.timeline.svg", dir);
	assert_int_equal(access(p, R_OK), 0);
	unlink(p);
	free(p);
	p = kt_strfmt("%s/x.timeline.svg", dir);
	assert_int_not_equal(access(p, F_OK), 0);	/* nothing to draw: no file */
	free(p);
	rmdir(dir);
	free(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_timeline_chart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
