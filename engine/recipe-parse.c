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
#include "lib/util.h"

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
	struct kt_diag *nd;
	struct kt_diag *d;
	va_list ap;

	if (kt_recipe_diags_full(r)) {
		r->ndiags_more++;
		return;
	}
	nd = realloc(r->diags, (r->ndiags + 1) * sizeof(*nd));
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
	src = src ? src : "";
	d->src_col = 1;
	{
		size_t n = strnlen(src, (size_t)col + KT_DIAG_SRC_MAX);

		if (n > KT_DIAG_SRC_MAX) {
			/* A window that shows the column, a quarter in. */
			d->src_col = col > KT_DIAG_SRC_MAX / 4 ? col - KT_DIAG_SRC_MAX / 4 : 1;
			if ((size_t)d->src_col > n)
				d->src_col = (int)n;
		}
		d->src = strndup(src + d->src_col - 1, KT_DIAG_SRC_MAX);
	}
	if (!d->msg || !d->src) {
		free(d->msg);
		free(d->hint);
		free(d->src);
		return;
	}
	r->ndiags++;
}

size_t kt_recipe_nerrors(const struct kt_recipe *r)
{
	return r->ndiags + r->ndiags_more;
}

bool kt_recipe_diags_full(const struct kt_recipe *r)
{
	return r->ndiags >= KT_RECIPE_MAX_DIAGS;
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

	/* Past the cap the diagnostic is only counted: no suggestion. */
	for (size_t t = 0; t < ARRAY_SIZE(head_tables) && !best && !kt_recipe_diags_full(ps->r); t++)
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
	if (!kt_form_is(st->form, KT_FORM_CATCHES_ERROR))
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
			const char *best = kt_recipe_diags_full(ps->r) ? NULL :
				kt_form_suggest(keyword_heads[k].table, args[1].val);
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

/* Length of the UTF-8 sequence at p (n bytes left), 0 when it is not
 * one (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF). */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	static const struct {
		unsigned char lo, hi;		/* lead byte range */
		unsigned char lo2, hi2;		/* second byte range */
		size_t len;
	} seqs[] = {
		{ 0xc2, 0xdf, 0x80, 0xbf, 2 }, { 0xe0, 0xe0, 0xa0, 0xbf, 3 },
		{ 0xe1, 0xec, 0x80, 0xbf, 3 }, { 0xed, 0xed, 0x80, 0x9f, 3 },
		{ 0xee, 0xef, 0x80, 0xbf, 3 }, { 0xf0, 0xf0, 0x90, 0xbf, 4 },
		{ 0xf1, 0xf3, 0x80, 0xbf, 4 }, { 0xf4, 0xf4, 0x80, 0x8f, 4 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(seqs); i++) {
		if (p[0] < seqs[i].lo || p[0] > seqs[i].hi)
			continue;
		if (n < seqs[i].len || p[1] < seqs[i].lo2 || p[1] > seqs[i].hi2)
			return 0;
		for (size_t k = 2; k < seqs[i].len; k++)
			if ((p[k] & 0xc0) != 0x80)
				return 0;
		return seqs[i].len;
	}
	return 0;
}

/*
 * A line's bytes as the lexer may see them: text is UTF-8 without control
 * bytes other than tab (and the CR of a CRLF line end). Returns the line as
 * a string with each offending byte shown as '?' (so a NUL cannot end it
 * early and a diagnostic never prints raw control bytes), and reports the
 * first offending byte at its column; *clean tells whether there was none.
 */
static char *line_text(struct parse_state *ps, const char *text, size_t n, bool *clean)
{
	const unsigned char *p = (const unsigned char *)text;
	char *src = malloc(n + 1);
	size_t bad = n, seq;

	*clean = true;
	if (!src)
		return NULL;
	memcpy(src, text, n);
	src[n] = '\0';
	for (size_t i = 0; i < n; i += seq) {
		seq = 1;
		if (p[i] >= 0x20 && p[i] < 0x7f)
			continue;
		if (p[i] == '\t' || (p[i] == '\r' && i + 1 == n))
			continue;
		if (p[i] >= 0x80 && (seq = utf8_len(p + i, n - i)))
			continue;
		seq = 1;
		src[i] = '?';
		if (bad == n)
			bad = i;
	}
	if (bad == n)
		return src;
	*clean = false;
	ps->src = src;
	if (!p[bad])
		kt_recipe_diag(ps->r, src, ps->line, (int)bad + 1, 1,
			       "a recipe is text; remove the NUL (is this a binary file?)",
			       "NUL byte in a recipe line");
	else if (p[bad] < 0x80)
		kt_recipe_diag(ps->r, src, ps->line, (int)bad + 1, 1,
			       "remove it: words are separated by spaces and tabs only",
			       "control character 0x%02x in a recipe line", p[bad]);
	else
		kt_recipe_diag(ps->r, src, ps->line, (int)bad + 1, 1,
			       "save the recipe as UTF-8 (it may be Latin-1 or binary)",
			       "invalid UTF-8 byte 0x%02x", p[bad]);
	return src;
}

/* The UTF-8 byte order mark some editors put first. */
static const char utf8_bom[] = "\xef\xbb\xbf";

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
		const char *nl = memchr(text + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - text) : len;
		bool clean;
		char *src;

		ps.line++;
		/* Named, then read past: the rest of the line is the recipe. */
		if (i == 0 && len >= 3 && !memcmp(text, utf8_bom, 3)) {
			kt_recipe_diag(r, "", 1, 1, 1,
				       "save the file without it: a recipe is plain UTF-8 text",
				       "the file starts with a UTF-8 byte order mark (EF BB BF)");
			i = 3;
		}
		src = line_text(&ps, text + i, e - i, &clean);
		if (!src)
			break;
		ps.src = src;
		if (clean)
			parse_line(&ps, src, e - i);
		else
			ps.prev = -1;
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
	if (e && kterr_hint_of(e))
		return kterr_wrap(e, "recipe %s", path);
	if (e)
		return kterr_hint(kterr_wrap(e, "recipe %s", path),
				  "check the path; recipes are text files of at most 4 MiB");
	e = kt_recipe_parse(path, text, len, out);
	free(text);
	return e;
}

/* The first diagnostic of a one-line parse as an error, the column
 * named (a console line has no file or line number). */
static struct kterr *diag_err(const struct kt_diag *d)
{
	struct kterr *e = kterr_new(0, "column %d: %s", d->col, d->msg);

	return d->hint ? kterr_hint(e, "%s", d->hint) : e;
}

struct kterr *kt_parse_statement(const char *line, int section, struct kt_stmt *out)
{
	struct kt_recipe *r = calloc(1, sizeof(*r));
	/* The parser's state right after the section line the context names:
	 * a statement typed in step 3 is read as if it followed `step`. */
	struct parse_state ps = { .r = r, .line = 1, .section = section,
				  .backdrop_seen = section == 0, .prev = -1 };
	struct kterr *e = NULL;
	size_t len = strlen(line);
	bool clean;
	char *src;

	memset(out, 0, sizeof(*out));
	if (!r || !(r->file = strdup("<console>"))) {
		free(r);
		return kterr_new(ENOMEM, "parsing a line");
	}
	if (memchr(line, '\n', len)) {
		kt_recipe_free(r);
		return kterr_hint(kterr_new(0, "a console line holds one statement"),
				  "type one op a line, or `replay FILE` for a recipe");
	}
	src = line_text(&ps, line, len, &clean);
	if (!src) {
		kt_recipe_free(r);
		return kterr_new(ENOMEM, "parsing a line");
	}
	ps.src = src;
	if (clean)
		parse_line(&ps, src, len);
	free(src);
	if (r->ndiags) {
		e = diag_err(&r->diags[0]);
	} else if (r->nstmts != 1) {
		e = kterr_hint(kterr_new(0, "nothing to do"), "type an op, or `help`");
	} else {
		*out = r->stmts[0];
		out->section = section;
		out->line = 0;
		r->nstmts = 0;
	}
	kt_recipe_free(r);
	return e;
}

struct kterr *kt_stmt_copy(const struct kt_stmt *src, struct kt_stmt *dst)
{
	*dst = *src;
	dst->args = calloc(src->nargs ? src->nargs : 1, sizeof(*dst->args));
	if (!dst->args) {
		memset(dst, 0, sizeof(*dst));
		return kterr_new(ENOMEM, "copying a statement");
	}
	for (size_t i = 0; i < src->nargs; i++) {
		struct kt_arg *d = &dst->args[i];

		*d = src->args[i];
		d->key = src->args[i].key ? strdup(src->args[i].key) : NULL;
		d->val = strdup(src->args[i].val);
		if (!d->val || (src->args[i].key && !d->key)) {
			free(d->key);
			free(d->val);
			dst->nargs = i;
			kt_stmt_clear(dst);
			memset(dst, 0, sizeof(*dst));
			return kterr_new(ENOMEM, "copying a statement");
		}
	}
	return NULL;
}
