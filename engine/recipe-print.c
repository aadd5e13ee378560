/* recipe-print.c - statements back to text, and diagnostics; see recipe.h.
 * What is printed parses to the same statements (tests/unit/test_recipe). */
#include "engine/recipe.h"

#include <stdlib.h>
#include <string.h>

#include "engine/form.h"
#include "engine/recipe-lex.h"

/* Characters the lexer gives a meaning to, so a word holding them must be
 * quoted. '=' matters only in a positional (it would split as key=value). */
static bool needs_quotes(const char *s, bool as_value)
{
	if (!*s)
		return true;
	for (const char *p = s; *p; p++) {
		unsigned char c = *p;

		if (c <= ' ' || c == '"' || c == '\\' || c == '#' || c == 0x7f)
			return true;
		if (c == '=' && !as_value)
			return true;
	}
	return false;
}

char *kt_quote(const char *s, bool as_value)
{
	size_t n = strlen(s);
	char *out, *o;

	if (!needs_quotes(s, as_value))
		return strdup(s);
	out = malloc(2 * n + 3);
	if (!out)
		return NULL;
	o = out;
	*o++ = '"';
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '"': *o++ = '\\'; *o++ = '"'; break;
		case '\\': *o++ = '\\'; *o++ = '\\'; break;
		case '\n': *o++ = '\\'; *o++ = 'n'; break;
		case '\t': *o++ = '\\'; *o++ = 't'; break;
		default: *o++ = *p; break;
		}
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

/* Append to a growing string; false on OOM (the buffer is then freed). */
static bool append(char **buf, size_t *len, const char *s)
{
	size_t n = strlen(s);
	char *nb = realloc(*buf, *len + n + 1);

	if (!nb) {
		free(*buf);
		*buf = NULL;
		return false;
	}
	memcpy(nb + *len, s, n + 1);
	*buf = nb;
	*len += n;
	return true;
}

char *kt_stmt_print(const struct kt_stmt *st)
{
	char *buf = NULL;
	size_t len = 0;

	if (st->kind == KT_STMT_EXPECT && !append(&buf, &len, "expect "))
		return NULL;
	if (!append(&buf, &len, st->form->name))
		return NULL;
	for (size_t i = 0; i < st->nargs; i++) {
		const struct kt_arg *a = &st->args[i];
		char *q = kt_quote(a->val, a->key != NULL);
		bool ok = q && append(&buf, &len, " ") &&
			  (!a->key || (append(&buf, &len, a->key) && append(&buf, &len, "="))) &&
			  append(&buf, &len, q);

		free(q);
		if (!ok) {
			free(buf);
			return NULL;
		}
	}
	return buf;
}

void kt_recipe_print(const struct kt_recipe *r, FILE *f)
{
	for (size_t i = 0; i < r->nstmts; i++) {
		const struct kt_stmt *st = &r->stmts[i];
		char *s = kt_stmt_print(st);
		bool indent = st->kind != KT_STMT_DIRECTIVE && st->kind != KT_STMT_SECTION;

		if (st->kind == KT_STMT_SECTION && i)
			fputc('\n', f);
		fprintf(f, "%s%s\n", indent ? "  " : "", s ? s : "# (out of memory)");
		free(s);
	}
}

void kt_diag_print(const char *file, const struct kt_diag *d, FILE *f)
{
	int srclen = (int)strlen(d->src);
	/* A long line is kept as a window: "..." marks what was cut. */
	bool cut_left = d->src_col > 1, cut_right = srclen == KT_DIAG_SRC_MAX;
	int col = d->col - d->src_col + 1 + (cut_left ? 3 : 0);

	fprintf(f, "%s:%d:%d: error: %s\n", file, d->line, d->col, d->msg);
	fprintf(f, "    %s%s%s\n    ", cut_left ? "..." : "", d->src, cut_right ? "..." : "");
	/* Keep tabs so the caret lines up under the text. */
	for (int i = 0; i < col - 1; i++) {
		int k = i - (cut_left ? 3 : 0);

		fputc(k >= 0 && k < srclen && d->src[k] == '\t' ? '\t' : ' ', f);
	}
	fputc('^', f);
	for (int i = 1; i < d->len && i < KT_DIAG_SRC_MAX; i++)
		fputc('~', f);
	fputc('\n', f);
	if (d->hint)
		fprintf(f, "  hint: %s\n", d->hint);
}

void kt_recipe_print_diags(const struct kt_recipe *r, FILE *f)
{
	for (size_t i = 0; i < r->ndiags; i++)
		kt_diag_print(r->file, &r->diags[i], f);
	if (r->ndiags_more)
		fprintf(f, "%s: %zu more error%s not shown (the first %d are above)\n", r->file,
			r->ndiags_more, r->ndiags_more > 1 ? "s" : "", KT_RECIPE_MAX_DIAGS);
}
