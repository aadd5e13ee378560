/* recipe-scheds.c - see recipe-scheds.h. */
#include "tui/recipe-scheds.h"

#include <stdlib.h>
#include <string.h>

#include "engine/header.h"
#include "lib/util.h"

/* The statements that name a scheduler the kernel must provide. */
static const char *const naming_forms[] = {
	"scheduler", "attach-scheduler", "replace-scheduler",
};

static bool names_scheduler(const struct kt_stmt *st)
{
	for (size_t i = 0; i < ARRAY_SIZE(naming_forms); i++)
		if (!strcmp(st->form->name, naming_forms[i]))
			return true;
	return false;
}

static bool staged(const struct kt_recipe *r, const char *name)
{
	for (size_t i = 0; i < r->nstmts; i++) {
		const struct kt_stmt *st = &r->stmts[i];
		const char *n = kt_stmt_posval(st, 0);

		if (st->form == &kt_dir_stage_scheduler && n && !strcmp(n, name))
			return true;
	}
	return false;
}

/* The statement after i is `expect error`: i is expected to fail. */
static bool expects_error(const struct kt_recipe *r, size_t i)
{
	const struct kt_stmt *next = i + 1 < r->nstmts ? &r->stmts[i + 1] : NULL;

	return next && next->kind == KT_STMT_EXPECT && !strcmp(next->form->name, "error");
}

char *recipe_scheds_pending(const struct kt_recipe *r, const struct ksched_kernel *k)
{
	for (size_t i = 0; i < r->nstmts; i++) {
		const struct kt_stmt *st = &r->stmts[i];
		const char *name = kt_stmt_posval(st, 0), *why;

		if (!st->form || !names_scheduler(st) || !name || staged(r, name) ||
		    expects_error(r, i))
			continue;
		if (!ksched_has(k, name)) {
			char *has = ksched_names(k);
			char *msg = kt_strfmt("line %d needs %s, which kernel %s does not ship "
					      "(it has: %s)", st->line, name, k->release,
					      has && *has ? has : "none");

			free(has);
			return msg;
		}
		why = ksched_broken(k->version, name);
		if (why)
			return kt_strfmt("line %d needs %s, known broken on %s: %s", st->line,
					 name, k->version, why);
	}
	return NULL;
}
