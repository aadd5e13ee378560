/* test_sched_override.c - `--scheduler NAME`: which statements a recipe's
 * scheduler under test is rewritten in, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/sched-override.h"

static struct kt_recipe *parse(const char *text)
{
	struct kt_recipe *r = NULL;

	assert_null(kt_recipe_parse("t.recipe", text, strlen(text), &r));
	assert_int_equal(r->ndiags, 0);
	return r;
}

static char *printed(const struct kt_recipe *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	kt_recipe_print(r, f);
	fclose(f);
	return buf;
}

static void test_header_scheduler_and_its_attaches_are_renamed(void **state)
{
	struct kt_recipe *r = parse("scheduler scx_simple args=\"-v\"\n"
				    "step hold=1s\n"
				    "  detach-scheduler\n"
				    "  attach-scheduler scx_simple\n"
				    "  replace-scheduler scx_central\n");
	char *p;

	(void)state;
	assert_string_equal(kt_recipe_scheduler(r), "scx_simple");
	assert_null(kt_recipe_set_scheduler(r, "scx_qmap"));
	p = printed(r);
	assert_non_null(strstr(p, "scheduler scx_qmap args=-v"));
	assert_non_null(strstr(p, "attach-scheduler scx_qmap"));
	/* A replace by another scheduler is part of the scenario: kept. */
	assert_non_null(strstr(p, "replace-scheduler scx_central"));
	assert_null(strstr(p, "scx_simple"));
	free(p);
	kt_recipe_free(r);
}

static void test_first_attach_without_header(void **state)
{
	struct kt_recipe *r = parse("step hold=1s\n"
				    "  attach-scheduler scx_simple\n"
				    "  replace-scheduler scx_qmap\n"
				    "  replace-scheduler scx_simple\n");
	char *p;

	(void)state;
	assert_null(kt_recipe_set_scheduler(r, "scx_flatcg"));
	p = printed(r);
	assert_non_null(strstr(p, "attach-scheduler scx_flatcg"));
	assert_non_null(strstr(p, "replace-scheduler scx_qmap"));
	assert_non_null(strstr(p, "replace-scheduler scx_flatcg"));
	free(p);
	kt_recipe_free(r);
}

static void test_refusals_name_the_recipe(void **state)
{
	struct kt_recipe *r = parse("step hold=1s\n  add-cgroup a\n");
	struct kterr *e;
	char *m;

	(void)state;
	assert_null(kt_recipe_scheduler(r));
	e = kt_recipe_set_scheduler(r, "scx_qmap");
	assert_non_null(e);
	m = kterr_strdup(e);
	assert_non_null(strstr(m, "t.recipe: the recipe attaches no scheduler"));
	free(m);
	kterr_free(e);
	kt_recipe_free(r);

	r = parse("scheduler scx_simple\nstep hold=1s\n  add-cgroup a\n");
	e = kt_recipe_set_scheduler(r, "scx_nonesuch");
	assert_non_null(e);
	m = kterr_strdup(e);
	assert_non_null(strstr(m, "scx_nonesuch is neither staged"));
	free(m);
	kterr_free(e);
	assert_string_equal(kt_recipe_scheduler(r), "scx_simple");	/* untouched */
	kt_recipe_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_scheduler_and_its_attaches_are_renamed),
		cmocka_unit_test(test_first_attach_without_header),
		cmocka_unit_test(test_refusals_name_the_recipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
