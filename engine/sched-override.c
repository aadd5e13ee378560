/* sched-override.c - see sched-override.h. */
#include "engine/sched-override.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/header.h"
#include "engine/op.h"

/* The forms whose first word names a scheduler to attach. */
static bool names_scheduler(const struct kt_stmt *st)
{
	static const struct kt_form *const t[] = {
		&kt_dir_scheduler, &kt_op_attach_scheduler, &kt_op_replace_scheduler,
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (st->form == t[i])
			return true;
	return false;
}

const char *kt_recipe_scheduler(const struct kt_recipe *r)
{
	const char *first_attach = NULL;

	for (size_t i = 0; r && i < r->nstmts; i++) {
		const struct kt_stmt *st = &r->stmts[i];

		if (st->form == &kt_dir_scheduler)
			return kt_stmt_posval(st, 0);
		if (!first_attach && st->form == &kt_op_attach_scheduler)
			first_attach = kt_stmt_posval(st, 0);
	}
	return first_attach;
}

struct kterr *kt_recipe_set_scheduler(struct kt_recipe *r, const char *name)
{
	const char *cur = kt_recipe_scheduler(r);
	char *old;

	if (!cur)
		return kterr_hint(kterr_new(EINVAL, "%s: the recipe attaches no scheduler, so there "
					    "is none to run under %s", r->file, name),
				  "give it a `scheduler NAME` header line or an attach-scheduler op");
	if (!kt_kernel_scheduler(name) && !kt_header_staged(r, &kt_dir_stage_scheduler, name))
		return kterr_hint(kterr_new(EINVAL, "%s: scheduler %s is neither staged by a "
					    "stage-scheduler line nor one of the kernel's", r->file,
					    name),
				  "use scx_simple, scx_qmap, scx_central or scx_flatcg, or add "
				  "`stage-scheduler %s PATH` to the recipe", name);
	old = strdup(cur);	/* cur points into the args rewritten below */
	if (!old)
		return kterr_new(ENOMEM, "%s: scheduler override", r->file);
	for (size_t i = 0; i < r->nstmts; i++) {
		struct kt_stmt *st = &r->stmts[i];
		struct kt_arg *a = (struct kt_arg *)kt_stmt_pos(st, 0);
		char *v;

		if (!names_scheduler(st) || !a || strcmp(a->val, old))
			continue;
		if (!(v = strdup(name))) {
			free(old);
			return kterr_new(ENOMEM, "%s: scheduler override", r->file);
		}
		free(a->val);
		a->val = v;
	}
	free(old);
	return NULL;
}
