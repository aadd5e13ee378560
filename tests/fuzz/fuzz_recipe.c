/*
 * fuzz_recipe.c - libFuzzer target for the recipe parser, printer and lint.
 *
 * Built with tests/fuzz/run-fuzz (make fuzz). Seed it from the shipped
 * recipes and the corpus:
 *   tests/fuzz/fuzz_recipe -max_total_time=60 FUZZDIR recipes tests/data/recipes/good
 *
 * Besides not crashing, it checks the language's promise: a recipe that
 * parses clean prints to text that parses to the same statements.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/lint.h"
#include "engine/recipe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_recipe *r, *again;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (kt_recipe_parse("fuzz", (const char *)data, size, &r))
		return 0;
	if (r->ndiags) {
		kt_recipe_free(r);
		return 0;
	}
	f = open_memstream(&buf, &len);
	if (!f) {
		kt_recipe_free(r);
		return 0;
	}
	kt_recipe_print(r, f);
	fclose(f);
	if (!kt_recipe_parse("printed", buf, len, &again)) {
		if (again->ndiags || again->nstmts != r->nstmts)
			abort();
		for (size_t i = 0; i < r->nstmts; i++)
			if (!kt_stmt_equal(&r->stmts[i], &again->stmts[i]))
				abort();
		kt_recipe_free(again);
	}
	kt_recipe_lint(r);
	free(buf);
	kt_recipe_free(r);
	return 0;
}
