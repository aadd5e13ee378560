/* form.c - reading the form tables: lookup, suggestions, usage, the
 * argument schema check and completion; see form.h. */
#include "engine/form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ktarget.h"
#include "lib/limits.h"
#include "engine/op.h"
#include "engine/recipe-lex.h"
#include "lib/util.h"

const struct kt_form *kt_form_find(const struct kt_form *const *table, const char *name)
{
	for (; *table; table++)
		if (!strcmp((*table)->name, name))
			return *table;
	return NULL;
}

/* The distance when it is below max, else max: the lengths alone bound
 * it from below, and a row whose every cell is at max cannot come back
 * under. Every unknown word of a recipe is measured against every form
 * name, so this is the parser's hot path on a bad file. */
static unsigned edit_distance_below(const char *a, const char *b, unsigned max)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned row[64];

	if (la >= 63 || lb >= 63 || (la > lb ? la - lb : lb - la) >= max)
		return max;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0], low;

		row[0] = low = i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
			if (best < low)
				low = best;
		}
		if (low >= max)
			return max;
	}
	return row[lb] < max ? row[lb] : max;
}

unsigned kt_edit_distance(const char *a, const char *b)
{
	return edit_distance_below(a, b, 99);
}

const char *kt_form_suggest(const struct kt_form *const *table, const char *name)
{
	const char *best = NULL;
	unsigned bestd = 3;	/* more than 2 edits is a different word */

	for (; *table; table++) {
		unsigned d = edit_distance_below((*table)->name, name, bestd);

		if (d < bestd) {
			bestd = d;
			best = (*table)->name;
		}
	}
	return best;
}

static bool is_end(const struct kt_argspec *a)
{
	return a->type == KT_T_NONE;
}

static const char *metavar(const struct kt_argspec *a)
{
	return a->name && !(a->flags & KT_ARG_KEY) ? a->name : kt_argtypes[a->type].metavar;
}

const char *kt_form_usage(const struct kt_form *f, char *buf, size_t size)
{
	size_t off;

	if (f->usage) {
		snprintf(buf, size, "%s", f->usage);
		return buf;
	}
	off = snprintf(buf, size, "%s%s", f->kind == KT_STMT_EXPECT ? "expect " : "", f->name);
	for (const struct kt_argspec *a = f->args; !is_end(a) && off < size; a++) {
		bool opt = a->flags & KT_ARG_OPT;
		int n;

		if (a->type == KT_T_FLAG)
			n = snprintf(buf + off, size - off, " [%s]", a->name);
		else if (a->flags & KT_ARG_KEY)
			n = snprintf(buf + off, size - off, " %s%s=%s%s", opt ? "[" : "", a->name,
				     kt_argtypes[a->type].metavar, opt ? "]" : "");
		else
			n = snprintf(buf + off, size - off, " %s%s%s", opt ? "[" : "", metavar(a),
				     opt ? "]" : "");
		if (n < 0)
			break;
		off += n;
	}
	return buf;
}

const struct kt_argspec *kt_form_key(const struct kt_form *f, const char *key)
{
	for (const struct kt_argspec *a = f->args; !is_end(a); a++)
		if ((a->flags & KT_ARG_KEY) && !strcmp(a->name, key))
			return a;
	return NULL;
}

static const struct kt_argspec *flag_spec(const struct kt_form *f, const char *word)
{
	for (const struct kt_argspec *a = f->args; !is_end(a); a++)
		if (a->type == KT_T_FLAG && !strcmp(a->name, word))
			return a;
	return NULL;
}

/* Positional specs in order (neither keys nor flags). */
static size_t positionals(const struct kt_form *f, const struct kt_argspec **out)
{
	size_t n = 0;

	for (const struct kt_argspec *a = f->args; !is_end(a); a++)
		if (!(a->flags & KT_ARG_KEY) && a->type != KT_T_FLAG)
			out[n++] = a;
	return n;
}

/* A well-typed number outside its argspec's range ("max" is no number). */
static struct kterr *range_check(const struct kt_arg *arg, const struct kt_argspec *spec)
{
	const struct kt_range *r = spec->range;
	uint64_t u;

	if (!r || !kt_parse_u64(arg->val, &u) || (u >= r->min && u <= r->max))
		return NULL;
	if (arg->key)
		return kterr_hint(kterr_new(0, "%s=%s is out of range %llu..%llu", arg->key, arg->val,
					    (unsigned long long)r->min, (unsigned long long)r->max),
				  "write %llu to %llu (%s)", (unsigned long long)r->min,
				  (unsigned long long)r->max, r->why);
	return kterr_hint(kterr_new(0, "%s %s is out of range %llu..%llu", metavar(spec), arg->val,
				    (unsigned long long)r->min, (unsigned long long)r->max),
			  "write %llu to %llu (%s)", (unsigned long long)r->min,
			  (unsigned long long)r->max, r->why);
}

/* Report a type error: the check's message and its hint. */
static int type_diag(const struct kt_form *f, const struct kt_stmt *st, const struct kt_arg *arg,
		     const struct kt_argspec *spec, kt_schema_diag_fn diag, void *ctx)
{
	struct kterr *e = kt_argtypes[spec->type].check(arg->val);
	char msg[512];
	const char *hint;

	if (!e)
		e = range_check(arg, spec);
	if (!e)
		return 0;
	hint = kterr_hint_of(e);
	kterr_str(e, msg, sizeof(msg));
	/* The hint goes on its own line, not after the message. */
	if (hint) {
		char *h = strstr(msg, " (hint: ");

		if (h)
			*h = '\0';
	}
	diag(ctx, st, arg, hint, msg);
	kterr_free(e);
	return 1;
}

/* TARGET WIDTH=VALUE [TARGET WIDTH=VALUE ...] of the kernel writes. */
static int check_pairs(const struct kt_form *f, const struct kt_stmt *st, const char *hint,
		       kt_schema_diag_fn diag, void *ctx)
{
	char msg[600];
	int errs = 0;

	if (!st->nargs) {
		snprintf(msg, sizeof(msg), "%s needs TARGET WIDTH=VALUE", f->name);
		diag(ctx, st, NULL, hint, msg);
		return 1;
	}
	for (size_t i = 0; i < st->nargs; i += 2) {
		const struct kt_arg *t = &st->args[i], *wv = i + 1 < st->nargs ? &st->args[i + 1] : NULL;
		struct kt_ktarget tgt;
		struct kt_kwidth w;
		struct kt_kvalue v;
		struct kterr *e;

		if (t->key) {
			snprintf(msg, sizeof(msg), "expected a TARGET, found '%s=%s'", t->key, t->val);
			diag(ctx, st, t, hint, msg);
			return errs + 1;
		}
		e = kt_ktarget_parse(t->val, &tgt);
		if (!e && (!wv || !wv->key)) {
			snprintf(msg, sizeof(msg), "target '%s' needs WIDTH=VALUE after it", t->val);
			diag(ctx, st, wv ? wv : t, hint, msg);
			return errs + 1;
		}
		if (!e)
			e = kt_kwidth_parse(wv->key, &w);
		if (!e)
			e = kt_kvalue_parse(wv->val, w, &v);
		if (e) {
			const char *h = kterr_hint_of(e);
			char *cut;

			kterr_str(e, msg, sizeof(msg));
			if (h && (cut = strstr(msg, " (hint: ")))
				*cut = '\0';
			diag(ctx, st, kterr_contains(e, "target") ? t : wv, h, msg);
			kterr_free(e);
			errs++;
		}
	}
	return errs;
}

/* "write: USAGE", made only when a diagnostic needs it: every statement
 * of every recipe is checked, few are wrong. */
static const char *usage_hint(const struct kt_form *f, char *buf, size_t size)
{
	char usage[512];

	snprintf(buf, size, "write: %s", kt_form_usage(f, usage, sizeof(usage)));
	return buf;
}

int kt_form_check_args(const struct kt_form *f, const struct kt_stmt *st,
		       kt_schema_diag_fn diag, void *ctx)
{
	const struct kt_argspec *pos[KT_FORM_MAX_ARGS];
	size_t npos = positionals(f, pos), pi = 0;
	bool seen[KT_FORM_MAX_ARGS] = { false };
	bool any_key = false, key_before = false;
	char hint[600], msg[600];
	int errs = 0;

	if (f->flags & KT_FORM_PAIRS)
		return check_pairs(f, st, usage_hint(f, hint, sizeof(hint)), diag, ctx);
	for (size_t i = 0; i < st->nargs; i++) {
		const struct kt_arg *a = &st->args[i];
		const struct kt_argspec *spec;

		if (a->key) {
			spec = kt_form_key(f, a->key);
			if (!spec) {
				snprintf(msg, sizeof(msg), "%s has no key '%s'", f->name, a->key);
				diag(ctx, st, a, usage_hint(f, hint, sizeof(hint)), msg);
				errs++;
				continue;
			}
			if (seen[spec - f->args]) {
				snprintf(msg, sizeof(msg), "%s= given twice", a->key);
				diag(ctx, st, a, "keep one of them", msg);
				errs++;
				continue;
			}
			seen[spec - f->args] = true;
			any_key = key_before = true;
			errs += type_diag(f, st, a, spec, diag, ctx);
			continue;
		}
		spec = flag_spec(f, a->val);
		if (spec) {
			if (seen[spec - f->args]) {
				snprintf(msg, sizeof(msg), "'%s' given twice", a->val);
				diag(ctx, st, a, "keep one of them", msg);
				errs++;
			}
			seen[spec - f->args] = true;
			continue;
		}
		if (pi >= npos) {
			snprintf(msg, sizeof(msg), "unexpected argument '%s' to %s", a->val, f->name);
			diag(ctx, st, a, usage_hint(f, hint, sizeof(hint)), msg);
			errs++;
			continue;
		}
		if (key_before) {
			snprintf(msg, sizeof(msg), "positional argument '%s' after key=value", a->val);
			diag(ctx, st, a, usage_hint(f, hint, sizeof(hint)), msg);
			errs++;
		}
		seen[pos[pi] - f->args] = true;
		errs += type_diag(f, st, a, pos[pi], diag, ctx);
		pi++;
	}
	for (const struct kt_argspec *s = f->args; !is_end(s); s++) {
		if ((s->flags & KT_ARG_OPT) || s->type == KT_T_FLAG || seen[s - f->args])
			continue;
		if (s->flags & KT_ARG_KEY)
			snprintf(msg, sizeof(msg), "%s needs %s=%s", f->name, s->name,
				 kt_argtypes[s->type].metavar);
		else
			snprintf(msg, sizeof(msg), "%s needs %s", f->name, metavar(s));
		diag(ctx, st, NULL, usage_hint(f, hint, sizeof(hint)), msg);
		errs++;
		/* One missing positional implies the ones after it. */
		if (!(s->flags & KT_ARG_KEY))
			break;
	}
	if ((f->flags & KT_FORM_NEED_KEY) && !any_key && !errs) {
		snprintf(msg, sizeof(msg), "%s needs at least one key=value", f->name);
		diag(ctx, st, NULL, usage_hint(f, hint, sizeof(hint)), msg);
		errs++;
	}
	return errs;
}

/* The tables a first word is looked up in, in the order completion lists
 * them. */
static const struct kt_form *const head_forms[] = {
	&kt_cgroup_form,
	NULL,
};

static size_t add_matches(const struct kt_form *const *table, const char *prefix,
			  struct kt_completion *out, size_t n, size_t max)
{
	size_t pl = strlen(prefix);

	for (; *table && n < max; table++)
		if (!strncmp((*table)->name, prefix, pl))
			out[n++] = (struct kt_completion){ (*table)->name, false };
	return n;
}

/* The form a lexed line is a statement of (skip: the words naming it). */
static const struct kt_form *line_form(const struct kt_arg *args, size_t *skip)
{
	const struct kt_form *f;

	*skip = 1;
	if (!strcmp(args[0].val, "expect")) {
		*skip = 2;
		return kt_form_find(kt_expect_forms, args[1].val);
	}
	f = kt_op_find(args[0].val);
	if (!f)
		f = kt_form_find(head_forms, args[0].val);
	if (!f)
		f = kt_form_find(kt_section_forms, args[0].val);
	if (!f)
		f = kt_form_find(kt_directive_forms, args[0].val);
	return f;
}

/* The positional the word being typed is (fresh: a new word begins), or
 * NULL when every positional is given. */
static const struct kt_argspec *typed_positional(const struct kt_form *f,
						 const struct kt_arg *args, size_t nargs,
						 size_t skip, bool fresh)
{
	const struct kt_argspec *pos[KT_FORM_MAX_ARGS];
	size_t npos = positionals(f, pos), used = 0;

	for (size_t i = skip; i < nargs - (fresh ? 0 : 1); i++)
		if (!args[i].key && !flag_spec(f, args[i].val))
			used++;
	return used < npos ? pos[used] : NULL;
}

enum kt_argtype kt_complete_argtype(const char *line)
{
	struct kt_arg *args = NULL;
	size_t nargs = 0, len = strlen(line), skip;
	int ec, el;
	bool fresh = !len || line[len - 1] == ' ' || line[len - 1] == '\t';
	const struct kt_argspec *p;
	const struct kt_form *f;
	enum kt_argtype t = KT_T_NONE;
	struct kterr *e = kt_lex_line(line, len, &args, &nargs, &ec, &el);

	if (e) {
		kterr_free(e);
		return KT_T_NONE;
	}
	if (nargs == 0 || (nargs == 1 && !fresh) ||
	    (!strcmp(args[0].val, "expect") && (nargs == 1 || (nargs == 2 && !fresh))))
		goto done;
	f = line_form(args, &skip);
	if (!f)
		goto done;
	if (!fresh && args[nargs - 1].key) {
		const struct kt_argspec *s = kt_form_key(f, args[nargs - 1].key);

		t = s ? s->type : KT_T_NONE;
		goto done;
	}
	if ((p = typed_positional(f, args, nargs, skip, fresh)))
		t = p->type;
done:
	kt_args_free(args, nargs);
	return t;
}

size_t kt_complete(const char *line, struct kt_completion *out, size_t max)
{
	struct kt_arg *args = NULL;
	size_t nargs = 0, n = 0, len = strlen(line), skip;
	int ec, el;
	const char *prefix;
	const struct kt_form *f;
	const struct kt_argspec *p;
	bool fresh = !len || line[len - 1] == ' ' || line[len - 1] == '\t';
	struct kterr *e = kt_lex_line(line, len, &args, &nargs, &ec, &el);

	if (e) {
		kterr_free(e);
		return 0;
	}
	prefix = fresh || !nargs ? "" : args[nargs - 1].val;
	if (nargs == 0 || (nargs == 1 && !fresh)) {
		n = add_matches(kt_op_table, prefix, out, n, max);
		n = add_matches(head_forms, prefix, out, n, max);
		if (n < max && !strncmp("expect", prefix, strlen(prefix)))
			out[n++] = (struct kt_completion){ "expect", false };
		n = add_matches(kt_section_forms, prefix, out, n, max);
		n = add_matches(kt_directive_forms, prefix, out, n, max);
		goto done;
	}
	if (!strcmp(args[0].val, "expect") && (nargs == 1 || (nargs == 2 && !fresh))) {
		n = add_matches(kt_expect_forms, prefix, out, n, max);
		goto done;
	}
	f = line_form(args, &skip);
	if (!f)
		goto done;
	/* A key being typed: complete its value from the type's choices. */
	if (!fresh && args[nargs - 1].key) {
		const struct kt_argspec *s = kt_form_key(f, args[nargs - 1].key);
		const char *const *c = s ? kt_argtypes[s->type].choices : NULL;

		for (; c && *c && n < max; c++)
			if (!strncmp(*c, args[nargs - 1].val, strlen(args[nargs - 1].val)))
				out[n++] = (struct kt_completion){ *c, false };
		goto done;
	}
	if ((p = typed_positional(f, args, nargs, skip, fresh))) {
		const char *const *c = kt_argtypes[p->type].choices;

		for (; c && *c && n < max; c++)
			if (!strncmp(*c, prefix, strlen(prefix)))
				out[n++] = (struct kt_completion){ *c, false };
	}
	for (const struct kt_argspec *s = f->args; !is_end(s) && n < max; s++) {
		bool used = false;

		if (!(s->flags & KT_ARG_KEY) && s->type != KT_T_FLAG)
			continue;
		for (size_t i = skip; i < nargs; i++)
			if ((args[i].key && !strcmp(args[i].key, s->name)) ||
			    (!args[i].key && !strcmp(args[i].val, s->name)))
				used = true;
		if (!used && !strncmp(s->name, prefix, strlen(prefix)))
			out[n++] = (struct kt_completion){ s->name, s->type != KT_T_FLAG };
	}
done:
	kt_args_free(args, nargs);
	return n;
}
