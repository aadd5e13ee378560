/*
 * lint.h - what `ktcon check` adds to parsing: the ops' own rules (their
 * validators), checked without a guest, and the hold plan.
 *
 * An op that breaks a rule is fine when the next line is `expect error`
 * whose TEXT the error contains: that is a negative recipe, written to
 * show the rule.
 */
#ifndef KTCON_LINT_H
#define KTCON_LINT_H

#include "engine/recipe.h"

/* Adds diagnostics to r, sorted by line and column with the parser's. */
void kt_recipe_lint(struct kt_recipe *r);

#endif
