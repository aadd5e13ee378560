/* test_recipe_corpus.c - the recipe corpus: every tests/data/recipes/bad
 * file gives exactly the diagnostics in its .expected file; every good file
 * and every shipped recipe under recipes/ checks clean and round-trips. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/lint.h"
#include "engine/op.h"
#include "engine/recipe.h"
#include "lib/util.h"

/* Parse + lint the file at dir/name, diagnostics named by name alone. */
static struct kt_recipe *check(const char *dir, const char *name)
{
	char *path = kt_path_join(dir, name), *text;
	size_t len;
	struct kt_recipe *r;

	assert_null(kt_read_file(path, 1 << 20, &text, &len));
	assert_null(kt_recipe_parse(name, text, len, &r));
	kt_recipe_lint(r);
	free(text);
	free(path);
	return r;
}

static char *diags_text(const struct kt_recipe *r)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	kt_recipe_print_diags(r, f);
	fclose(f);
	return buf;
}

/* The printed recipe parses to the same statements. */
static void assert_round_trips(const struct kt_recipe *r)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	struct kt_recipe *again;

	kt_recipe_print(r, f);
	fclose(f);
	assert_null(kt_recipe_parse("printed", buf, size, &again));
	if (again->ndiags)
		kt_recipe_print_diags(again, stderr);
	assert_int_equal(again->ndiags, 0);
	assert_int_equal(again->nstmts, r->nstmts);
	for (size_t i = 0; i < r->nstmts; i++)
		if (!kt_stmt_equal(&r->stmts[i], &again->stmts[i]))
			fail_msg("%s: statement %zu (line %d) changed when printed:\n%s", r->file, i,
				 r->stmts[i].line, buf);
	kt_recipe_free(again);
	free(buf);
}

static int each_recipe(const char *dir, void (*fn)(const char *dir, const char *name))
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (l > 7 && !strcmp(de->d_name + l - 7, ".recipe")) {
			fn(dir, de->d_name);
			n++;
		}
	}
	closedir(d);
	return n;
}

static void one_bad(const char *dir, const char *name)
{
	struct kt_recipe *r = check(dir, name);
	char *got = diags_text(r), *want, *path;
	char *exp_name = kt_strfmt("%.*s.expected", (int)strlen(name) - 7, name);
	size_t len;

	path = kt_path_join(dir, exp_name);
	assert_null(kt_read_file(path, 1 << 20, &want, &len));
	if (strcmp(got, want))
		fail_msg("%s: diagnostics differ.\n--- got ---\n%s--- want ---\n%s", name, got, want);
	assert_true(r->ndiags > 0);
	free(want);
	free(path);
	free(exp_name);
	free(got);
	kt_recipe_free(r);
}

static void one_good(const char *dir, const char *name)
{
	struct kt_recipe *r = check(dir, name);

	if (r->ndiags) {
		kt_recipe_print_diags(r, stderr);
		fail_msg("%s/%s should check clean", dir, name);
	}
	assert_true(r->nstmts > 0);
	assert_round_trips(r);
	kt_recipe_free(r);
}

static void test_bad_recipes_give_exact_diagnostics(void **state)
{
	assert_true(each_recipe(KTCON_SRCDIR "/tests/data/recipes/bad", one_bad) >= 8);
}

static void test_good_recipes_check_clean_and_round_trip(void **state)
{
	assert_true(each_recipe(KTCON_SRCDIR "/tests/data/recipes/good", one_good) >= 2);
}


static void test_shipped_recipes_check_clean_and_cover_every_op(void **state)
{
	assert_true(each_recipe(KTCON_SRCDIR "/recipes", one_good) >= KT_OP__COUNT);
	for (size_t k = 0; k < KT_OP__COUNT; k++) {
		char *path = kt_strfmt("%s/recipes/%s.recipe", KTCON_SRCDIR, kt_op_table[k]->name);

		if (!kt_exists(path))
			fail_msg("no recipe for %s: add %s", kt_op_table[k]->name, path);
		free(path);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_recipes_give_exact_diagnostics),
		cmocka_unit_test(test_good_recipes_check_clean_and_round_trip),
		cmocka_unit_test(test_shipped_recipes_check_clean_and_cover_every_op),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
