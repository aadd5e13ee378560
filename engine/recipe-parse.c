/* recipe-parse.c - recipe text into statements, with diagnostics; see
 * recipe.h. Structure rules (what may appear where) live here; argument
 * rules come from the forms (form.c). */
#include "engine/recipe.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "engine/expect.h"
#include "engine/form.h"
#include "engine/header.h"
#include "engine/op.h"
#include "engine/recipe-lex.h"
#include "engine/util.h"

/* Recipes are small; a cap keeps a stray binary from eating memory. */
#define KT_RECIPE_MAX_BYTES (4u << 20)

/* Words that introduce a form from a sub-table: `expect KIND ...`. */
static const struct {
	const char *word;
	const struct kt_form *const *table;
	const char *what;
} keyword_heads[] = {
	{ "expect", kt_expect_forms, "expectation" },
};

static const struct kt_form *const cgroup_table[] = { &kt_cgroup_form, NULL };

/* Tables a first word is looked up in, in order. */
static const struct kt_form *const *const head_tables[] = {
	kt_op_table, cgroup_table, kt_section_forms, kt_directive_forms,
};

void kt_recipe_diag(struct kt_recipe *r, const char *src, int line, int col, int len,
		    const char *hint, const char *fmt, ...)
{
	struct kt_diag *nd = realloc(r->diags, (r->ndiags + 1) * sizeof(*nd));
	struct kt_diag *d;
	va_list ap;

	if (!nd)
		return;
	r->diags = nd;
	d = &r->diags[r->ndiags];
	memset(d, 0, sizeof(*d));
	d->line = line;
	d->col = col;
	d->len = len > 0 ? len : 1;
	va_start(ap, fmt);
	if (vasprintf(&d->msg, fmt, ap) < 0)
		d->msg = NULL;
	va_end(ap);
	d->hint = hint ? strdup(hint) : NULL;
	d->src = strdup(src ? src : "");
	if (!d->msg || !d->src) {
		free(d->msg);
		free(d->hint);
		free(d->src);
		return;
	}
	r->ndiags++;
}

void kt_stmt_clear(struct kt_stmt *st)
{
	kt_args_free(st->args, st->nargs);
	st->args = NULL;
	st->nargs = 0;
}

void kt_recipe_free(struct kt_recipe *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nstmts; i++)
		kt_stmt_clear(&r->stmts[i]);
	for (size_t i = 0; i < r->ndiags; i++) {
		free(r->diags[i].msg);
		free(r->diags[i].hint);
		free(r->diags[i].src);
	}
	free(r->stmts);
	free(r->diags);
	free(r->file);
	free(r);
}

const struct kt_arg *kt_stmt_pos(const struct kt_stmt *st, size_t i)
{
	for (size_t k = 0; k < st->nargs; k++) {
		const struct kt_arg *a = &st->args[k];
		bool flag = false;

		if (a->key)
			continue;
		for (const struct kt_argspec *s = st->form->args; s->type != KT_T_NONE; s++)
			if (s->type == KT_T_FLAG && !strcmp(s->name, a->val))
				flag = true;
		if (flag)
			continue;
		if (i-- == 0)
			return a;
	}
	return NULL;
}

const char *kt_stmt_posval(const struct kt_stmt *st, size_t i)
{
	const struct kt_arg *a = kt_stmt_pos(st, i);

	return a ? a->val : NULL;
}

size_t kt_stmt_npos(const struct kt_stmt *st)
{
	size_t n = 0;

	while (kt_stmt_pos(st, n))
		n++;
	return n;
}

const char *kt_stmt_get(const struct kt_stmt *st, const char *key)
{
	for (size_t k = 0; k < st->nargs; k++)
		if (st->args[k].key && !strcmp(st->args[k].key, key))
			return st->args[k].val;
	return NULL;
}

bool kt_stmt_flag(const struct kt_stmt *st, const char *flag)
{
	for (size_t k = 0; k < st->nargs; k++)
		if (!st->args[k].key && !strcmp(st->args[k].val, flag))
			return true;
	return false;
}

bool kt_stmt_equal(const struct kt_stmt *a, const struct kt_stmt *b)
{
	if (a->kind != b->kind || a->form != b->form || a->nargs != b->nargs ||
	    a->section != b->section)
		return false;
	for (size_t i = 0; i < a->nargs; i++) {
		const struct kt_arg *x = &a->args[i], *y = &b->args[i];

		if (!x->key != !y->key || (x->key && strcmp(x->key, y->key)) || strcmp(x->val, y->val))
			return false;
	}
	return true;
}

/* What the parser knows while it walks the lines. */
struct parse_state {
	struct kt_recipe *r;
	const char *src;	/* current line, NUL-terminated */
	int line;
	int section;		/* -1 header, 0 backdrop, N steps */
	bool backdrop_seen;
	int first_op_line;	/* of the current section, 0 before any op */
	int dir_line[16];	/* line of each singleton directive */
	long prev;		/* index of the previous statement in this section, -1 */
};

static void schema_diag(void *ctx, const struct kt_stmt *st, const struct kt_arg *a,
			const char *hint, const char *msg)
{
	struct parse_state *ps = ctx;
	int col = a ? a->col : (int)strlen(ps->src) + 1;

	kt_recipe_diag(ps->r, ps->src, ps->line, col, a ? a->len : 1, hint, "%s", msg);
}

/* The statement with one word replaced, as a "write: ..." hint. */
static char *rewrite_head(const char *src, const struct kt_arg *word, const char *with)
{
	const char *start = src + strspn(src, " \t");
	const char *rest = src + word->col - 1 + word->len;

	return kt_strfmt("write: %.*s%s%s", (int)(src + word->col - 1 - start), start, with, rest);
}

static void unknown_head(struct parse_state *ps, const struct kt_arg *head)
{
	const char *best = NULL;
	char *hint = NULL;

	for (size_t t = 0; t < ARRAY_SIZE(head_tables) && !best; t++)
		best = kt_form_suggest(head_tables[t], head->val);
	if (best)
		hint = rewrite_head(ps->src, head, best);
	kt_recipe_diag(ps->r, ps->src, ps->line, head->col, head->len,
		       hint ? hint : "write one of the 28 ops, cgroup, expect, backdrop, step or a header "
				     "directive (`help` at the console lists the ops)",
		       "unknown %s '%s'", ps->section < 0 ? "statement" : "op", head->val);
	free(hint);
}

/* Where a statement may stand: header lines before any section, the rest
 * inside one. Returns false after reporting. */
static bool check_place(struct parse_state *ps, struct kt_stmt *st, const struct kt_arg *head)
{
	char buf[256];

	switch (st->kind) {
	case KT_STMT_DIRECTIVE:
		if (ps->section >= 0) {
			snprintf(buf, sizeof(buf), "move it above the first backdrop or step line");
			kt_recipe_diag(ps->r, ps->src, ps->line, head->col, head->len, buf,
				       "'%s' is a header line but comes after a section", head->val);
			return false;
		}
		if (st->form != &kt_dir_stage_payload && st->form != &kt_dir_stage_scheduler) {
			size_t i;

			for (i = 0; kt_directive_forms[i] != st->form; i++)
				;
			if (ps->dir_line[i]) {
				snprintf(buf, sizeof(buf), "keep one '%s' line (the first is on line %d)",
					 head->val, ps->dir_line[i]);
				kt_recipe_diag(ps->r, ps->src, ps->line, head->col, head->len, buf,
					       "second '%s' line", head->val);
				return false;
			}
			ps->dir_line[i] = ps->line;
		}
		return true;
	case KT_STMT_SECTION:
		if (st->form == &kt_sec_backdrop && (ps->backdrop_seen || ps->section > 0)) {
			kt_recipe_diag(ps->r, ps->src, ps->line, head->col, head->len,
				       "put all backdrop ops in one backdrop section, before the first step",
				       ps->backdrop_seen ? "second backdrop section"
							 : "backdrop after a step");
			return false;
		}
		return true;
	case KT_STMT_CGROUP:
	case KT_STMT_OP:
	case KT_STMT_EXPECT:
		if (ps->section < 0) {
			kt_recipe_diag(ps->r, ps->src, ps->line, head->col, head->len,
				       "start a section above it: `backdrop` (lasts the whole scenario) "
				       "or `step hold=1s`",
				       "'%s' before any backdrop or step section", head->val);
			return false;
		}
		break;
	}
	if (st->kind == KT_STMT_CGROUP && ps->first_op_line) {
		char *printed = kt_stmt_print(st);
		char *hint = printed ? kt_strfmt("to create it mid-step write: add-cgroup-def%s "
						 "(or move this line above line %d, the first op "
						 "of this section)",
						 printed + strlen("cgroup"), ps->first_op_line) : NULL;

		kt_recipe_diag(ps->r, ps->src, ps->line, head->col, head->len, hint,
			       "'cgroup' setup line after an op");
		free(printed);
		free(hint);
		return false;
	}
	return true;
}

/* `expect error` turns the statement just before it into an expected
 * failure, so there must be one: an op or a cgroup line of this section. */
static bool check_expect_error(struct parse_state *ps, const struct kt_stmt *st,
			       const struct kt_arg *head)
{
	if (st->form != &kt_expect_error)
		return true;
	if (ps->prev >= 0 && (ps->r->stmts[ps->prev].kind == KT_STMT_OP ||
			      ps->r->stmts[ps->prev].kind == KT_STMT_CGROUP))
		return true;
	kt_recipe_diag(ps->r, ps->src, ps->line, head->col, head->len,
		       "put `expect error` on the line right after the op that should fail",
		       "'expect error' does not follow an op");
	return false;
}

static bool add_stmt(struct kt_recipe *r, struct kt_stmt *st)
{
	struct kt_stmt *ns = realloc(r->stmts, (r->nstmts + 1) * sizeof(*ns));

	if (!ns)
		return false;
	r->stmts = ns;
	r->stmts[r->nstmts++] = *st;
	return true;
}

/* One line into at most one statement. */
static void parse_line(struct parse_state *ps, const char *line, size_t len)
{
	struct kt_arg *args;
	size_t nargs, skip = 1;
	int ec = 0, el = 0;
	struct kterr *e = kt_lex_line(line, len, &args, &nargs, &ec, &el);
	struct kt_stmt st = { 0 };
	const struct kt_arg *head;
	int errs;

	if (e) {
		char msg[256];
		const char *hint = kterr_hint_of(e);
		char *h;

		kterr_str(e, msg, sizeof(msg));
		if (hint && (h = strstr(msg, " (hint: ")))
			*h = '\0';
		kt_recipe_diag(ps->r, ps->src, ps->line, ec, el, hint, "%s", msg);
		kterr_free(e);
		return;
	}
	if (!nargs)
		return;
	head = &args[0];
	if (head->key || line[head->col - 1] == '"') {
		kt_recipe_diag(ps->r, ps->src, ps->line, head->col, head->len,
			       "start the line with an op, cgroup, expect, a section or a header word",
			       "a statement cannot start with '%.*s'", head->len, line + head->col - 1);
		goto out;
	}
	for (size_t k = 0; k < ARRAY_SIZE(keyword_heads) && !st.form; k++) {
		if (strcmp(head->val, keyword_heads[k].word))
			continue;
		if (nargs < 2 || args[1].key) {
			char hint[256] = "write one of:";

			for (const struct kt_form *const *f = keyword_heads[k].table; *f; f++)
				snprintf(hint + strlen(hint), sizeof(hint) - strlen(hint), " %s %s",
					 head->val, (*f)->name);
			kt_recipe_diag(ps->r, ps->src, ps->line, head->col, head->len, hint,
				       "'%s' needs a kind of %s", head->val, keyword_heads[k].what);
			goto out;
		}
		st.form = kt_form_find(keyword_heads[k].table, args[1].val);
		if (!st.form) {
			const char *best = kt_form_suggest(keyword_heads[k].table, args[1].val);
			char *hint = best ? rewrite_head(ps->src, &args[1], best) : NULL;

			kt_recipe_diag(ps->r, ps->src, ps->line, args[1].col, args[1].len,
				       hint ? hint : "write procs, snapshot, read, cgroup, sched, "
						     "workers, payload or error",
				       "unknown %s '%s'", keyword_heads[k].what, args[1].val);
			free(hint);
			goto out;
		}
		skip = 2;
	}
	for (size_t t = 0; t < ARRAY_SIZE(head_tables) && !st.form; t++)
		st.form = kt_form_find(head_tables[t], head->val);
	if (!st.form) {
		unknown_head(ps, head);
		goto out;
	}
	st.kind = st.form->kind;
	st.line = ps->line;
	st.col = head->col;
	/* The statement owns the words after its head. */
	st.nargs = nargs - skip;
	st.args = malloc((st.nargs ? st.nargs : 1) * sizeof(*st.args));
	if (!st.args)
		goto out;
	memcpy(st.args, args + skip, st.nargs * sizeof(*st.args));
	for (size_t k = 0; k < skip; k++) {
		free(args[k].key);
		free(args[k].val);
	}
	free(args);
	args = NULL;
	nargs = 0;
	head = NULL;

	{
		struct kt_arg h = { .val = (char *)(st.form->kind == KT_STMT_EXPECT ? "expect"
										    : st.form->name),
				    .col = st.col,
				    .len = (int)strcspn(line + st.col - 1, " \t") };

		errs = kt_form_check_args(st.form, &st, schema_diag, ps);
		if (!check_place(ps, &st, &h) || !check_expect_error(ps, &st, &h))
			errs++;
	}
	if (st.kind == KT_STMT_SECTION) {
		ps->section = st.form == &kt_sec_backdrop ? 0 : ps->section < 1 ? 1 : ps->section + 1;
		ps->backdrop_seen |= st.form == &kt_sec_backdrop;
		ps->first_op_line = 0;
	}
	st.section = ps->section;
	if (st.kind == KT_STMT_OP && !ps->first_op_line)
		ps->first_op_line = ps->line;
	if (errs || !add_stmt(ps->r, &st)) {
		kt_stmt_clear(&st);
		ps->prev = -1;
		return;
	}
	ps->prev = st.kind == KT_STMT_SECTION ? -1 : (long)ps->r->nstmts - 1;
	return;
out:
	kt_args_free(args, nargs);
	/* A broken line leaves no "previous op" for expect error to see. */
	ps->prev = -1;
}

struct kterr *kt_recipe_parse(const char *file, const char *text, size_t len,
			      struct kt_recipe **out)
{
	struct kt_recipe *r = calloc(1, sizeof(*r));
	struct parse_state ps = { .r = r, .section = -1, .prev = -1 };
	size_t i = 0;

	*out = NULL;
	if (!r)
		return kterr_new(ENOMEM, "parsing %s", file);
	r->file = strdup(file);
	if (!r->file) {
		free(r);
		return kterr_new(ENOMEM, "parsing %s", file);
	}
	while (i < len) {
		size_t e = i;
		char *src;

		while (e < len && text[e] != '\n')
			e++;
		src = strndup(text + i, e - i);
		if (!src)
			break;
		ps.src = src;
		ps.line++;
		parse_line(&ps, src, strlen(src));
		free(src);
		i = e + 1;
	}
	*out = r;
	return NULL;
}

struct kterr *kt_recipe_load(const char *path, struct kt_recipe **out)
{
	char *text;
	size_t len;
	struct kterr *e = kt_read_file(path, KT_RECIPE_MAX_BYTES, &text, &len);

	*out = NULL;
	if (e)
		return kterr_hint(kterr_wrap(e, "recipe %s", path),
				  "check the path; recipes are text files of at most 4 MiB");
	e = kt_recipe_parse(path, text, len, out);
	free(text);
	return e;
}

struct kterr *kt_stmt_parse_line(const char *line, int section, struct kt_stmt *out)
{
	static const char prelude[][16] = { "backdrop\n", "step\n" };
	struct kt_recipe *r;
	struct kterr *e;
	char *text;
	char msg[1024];

	memset(out, 0, sizeof(*out));
	/* Parse in the right context: after a section line so ops are
	 * allowed (or alone, for header lines). */
	text = kt_strfmt("%s%s", section < 0 ? "" : prelude[section > 0], line);
	if (!text)
		return kterr_new(ENOMEM, "parsing a line");
	e = kt_recipe_parse("<console>", text, strlen(text), &r);
	free(text);
	if (e)
		return e;
	if (r->ndiags) {
		const struct kt_diag *d = &r->diags[0];

		snprintf(msg, sizeof(msg), "column %d: %s", d->col, d->msg);
		e = kterr_new(0, "%s", msg);
		if (d->hint)
			e = kterr_hint(e, "%s", d->hint);
	} else if (r->nstmts != (size_t)(section < 0 ? 1 : 2)) {
		e = kterr_hint(kterr_new(0, "nothing to do"), "type an op, or `help`");
	} else {
		*out = r->stmts[r->nstmts - 1];
		out->section = section;
		out->line = 0;
		r->nstmts--;
	}
	kt_recipe_free(r);
	return e;
}
