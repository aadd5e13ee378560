/* recipe-lint.c - rules and hold plan for `ktcon check`; see lint.h. */
#include "engine/lint.h"

#include <stdlib.h>
#include <string.h>

#include "engine/expect.h"
#include "engine/form.h"
#include "engine/header.h"
#include "engine/hold.h"

/* The diagnostic's text and hint from an error (its hint on its own line). */
static void diag_from_err(struct kt_recipe *r, const char *src, const struct kt_stmt *st,
			  int len, const struct kterr *e, const char *prefix)
{
	char msg[1024];
	const char *hint = kterr_hint_of(e);
	char *cut;

	kterr_str(e, msg, sizeof(msg));
	if (hint && (cut = strstr(msg, " (hint: ")))
		*cut = '\0';
	kt_recipe_diag(r, src, st->line, st->col, len, hint, "%s%s", prefix, msg);
}

/* The statement as printed, at its column: the source line itself is
 * not kept, and the printed form is what the author would write. */
static char *indented(const struct kt_stmt *st)
{
	char *p = kt_stmt_print(st);
	char *s = p ? malloc(strlen(p) + st->col + 1) : NULL;

	if (s) {
		memset(s, ' ', st->col - 1);
		strcpy(s + st->col - 1, p);
	}
	free(p);
	return s;
}

static int width(const char *src, const struct kt_stmt *st)
{
	return src ? (int)strlen(src) - (st->col - 1) : 1;
}

/* Stable by line then column: the parser's diagnostics of a line stay in
 * their order. */
static void sort_diags(struct kt_recipe *r)
{
	for (size_t i = 1; i < r->ndiags; i++) {
		struct kt_diag d = r->diags[i];
		size_t j = i;

		while (j > 0 && (r->diags[j - 1].line > d.line ||
				 (r->diags[j - 1].line == d.line && r->diags[j - 1].col > d.col))) {
			r->diags[j] = r->diags[j - 1];
			j--;
		}
		r->diags[j] = d;
	}
}

void kt_recipe_lint(struct kt_recipe *r)
{
	struct kt_hold *holds = calloc(r->nstmts + 1, sizeof(*holds));
	uint64_t *ns = calloc(r->nstmts + 1, sizeof(*ns));
	const struct kt_stmt **step_of = calloc(r->nstmts + 1, sizeof(*step_of));
	size_t nsteps = 0;
	struct kt_header h;
	struct kterr *e;

	for (size_t i = 0; i < r->nstmts; i++) {
		const struct kt_stmt *st = &r->stmts[i];
		const struct kt_stmt *next = i + 1 < r->nstmts ? &r->stmts[i + 1] : NULL;
		char *src;

		if (st->form == &kt_sec_step && holds) {
			const char *hv = kt_stmt_get(st, "hold");

			if (hv)
				kterr_free(kt_hold_parse(hv, &holds[nsteps]));
			step_of[nsteps++] = st;
		}
		/* Expectations' rules (empty tags) are checked too. */
		if (!st->form->validate || kt_form_is(st->form, KT_FORM_CATCHES_ERROR))
			continue;
		e = st->form->validate(st, r);
		if (!e)
			continue;
		if (next && kt_form_is(next->form, KT_FORM_CATCHES_ERROR) &&
		    (!kt_stmt_posval(next, 0) || kterr_contains(e, kt_stmt_posval(next, 0)))) {
			kterr_free(e);
			continue;
		}
		src = indented(st);
		if (next && kt_form_is(next->form, KT_FORM_CATCHES_ERROR)) {
			char pre[256];

			snprintf(pre, sizeof(pre), "fails, but not with \"%.200s\" (line %d): ",
				 kt_stmt_posval(next, 0), next->line);
			diag_from_err(r, src ? src : "", st, width(src, st), e, pre);
		} else {
			diag_from_err(r, src ? src : "", st, width(src, st), e, "");
		}
		free(src);
		kterr_free(e);
	}
	kt_header_read(r, &h);
	if (holds && ns && step_of && (e = kt_hold_plan(holds, nsteps, h.duration_ns, ns))) {
		/* The plan names "step N": point at that step's line. */
		for (size_t k = 0; k < nsteps; k++) {
			if (holds[k].kind == KT_HOLD_FIXED)
				continue;
			char *src = indented(step_of[k]);

			diag_from_err(r, src ? src : "step", step_of[k], 4, e, "");
			free(src);
			break;
		}
		kterr_free(e);
	}
	free(holds);
	free(ns);
	free(step_of);
	sort_diags(r);
}
