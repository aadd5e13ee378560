/*
 * recipe.h - a recipe: the statements of a recipe file (or of console
 * lines), and the diagnostics found while reading them.
 *
 * One statement a line. The parser (recipe-parse.c) builds statements from
 * the lexer's words (recipe-lex.c) and checks them against their form in the
 * tables of form.h; the printer (recipe-print.c) writes them back so that
 * parsing the printed text gives the same statements.
 */
#ifndef KTCON_RECIPE_H
#define KTCON_RECIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/err.h"

struct kt_form;

/* One word of a statement after the form name: a positional (key NULL) or
 * a key=value. val is unescaped and never NULL ("" is the empty argument). */
struct kt_arg {
	char *key;
	char *val;
	int col;	/* 1-based column where the word starts */
	int len;	/* length of the word in the source, for carets */
};

enum kt_stmt_kind {
	KT_STMT_DIRECTIVE,	/* header: vm, kernel, scheduler, ... */
	KT_STMT_SECTION,	/* backdrop, step hold=... */
	KT_STMT_CGROUP,		/* a step's or backdrop's setup line */
	KT_STMT_OP,		/* one of the 28 ops */
	KT_STMT_EXPECT,		/* expect KIND ... */
};

struct kt_stmt {
	enum kt_stmt_kind kind;
	const struct kt_form *form;
	struct kt_arg *args;
	size_t nargs;
	int line;		/* 1-based */
	int col;		/* column of the first word */
	int section;		/* -1 header, 0 backdrop, N for the Nth step */
};

/* A diagnostic: file:line:col, the source line with a caret under the
 * offending text, and what to write instead. */
struct kt_diag {
	int line, col, len;
	char *msg;
	char *hint;		/* what to write instead; may be NULL */
	char *src;		/* the source line, or KT_DIAG_SRC_MAX bytes of it */
	int src_col;		/* column of src's first byte (1 unless cut) */
};

/* A diagnostic keeps this much of a long line, around its column: a
 * 4 MiB line with an error in every word must not be copied per error. */
#define KT_DIAG_SRC_MAX 160

/* Diagnostics kept per file: enough to fix a file in one pass, few enough
 * to read. A binary file fed as a recipe has an error on every line (a
 * 4 MiB one printed two million); past the cap they are only counted, and
 * printed as "N more errors". */
#define KT_RECIPE_MAX_DIAGS 50

struct kt_recipe {
	char *file;		/* name used in diagnostics */
	struct kt_stmt *stmts;
	size_t nstmts;
	struct kt_diag *diags;
	size_t ndiags;		/* kept, at most KT_RECIPE_MAX_DIAGS */
	size_t ndiags_more;	/* found past the cap, counted only */
};

/* Parse text (len bytes, need not be NUL-terminated). Never fails short of
 * memory: problems become diagnostics and every line is still read, so all
 * errors of a file are reported. *out is always set; free with
 * kt_recipe_free(). */
struct kterr *kt_recipe_parse(const char *file, const char *text, size_t len,
			      struct kt_recipe **out);

/* Read and parse a file. Fails only when the file cannot be read. */
struct kterr *kt_recipe_load(const char *path, struct kt_recipe **out);

/*
 * Parse one console line as a statement in the given section context:
 * section -1 the header, 0 the backdrop, N > 0 step N (a statement typed
 * at the console is a recipe statement, read as if it followed that
 * section's line). Errors are the parser's diagnostics, "column C: ..."
 * with their hints; an empty line or a comment is "nothing to do". On
 * success *out is owned by the caller (kt_stmt_clear), its line 0 and its
 * section the one given.
 */
struct kterr *kt_parse_statement(const char *line, int section, struct kt_stmt *out);

/* A deep copy: every field equal, the arguments' strings copied. *dst is
 * the caller's (kt_stmt_clear); on failure (ENOMEM) it is left empty. */
struct kterr *kt_stmt_copy(const struct kt_stmt *src, struct kt_stmt *dst);

void kt_recipe_free(struct kt_recipe *r);
void kt_stmt_clear(struct kt_stmt *st);
bool kt_stmt_equal(const struct kt_stmt *a, const struct kt_stmt *b);

/* All errors found: kept and counted. */
size_t kt_recipe_nerrors(const struct kt_recipe *r);
/* True once the cap is reached: what a further diagnostic would say
 * (suggestions, rewrites) need not be worked out. */
bool kt_recipe_diags_full(const struct kt_recipe *r);

/* Add a diagnostic (used by the parser and by `ktcon check`'s rule pass). */
void kt_recipe_diag(struct kt_recipe *r, const char *src, int line, int col, int len,
		    const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* "file:12:3: error: msg\n  src\n  ^~~~\n  hint: ...\n" for every diagnostic
 * kept, then "file: N more errors not shown" when some were only counted. */
void kt_recipe_print_diags(const struct kt_recipe *r, FILE *f);
void kt_diag_print(const char *file, const struct kt_diag *d, FILE *f);

/* Arguments by position or key. */
const struct kt_arg *kt_stmt_pos(const struct kt_stmt *st, size_t i);
const char *kt_stmt_posval(const struct kt_stmt *st, size_t i);	/* NULL if absent */
const char *kt_stmt_get(const struct kt_stmt *st, const char *key);	/* NULL if absent */
bool kt_stmt_flag(const struct kt_stmt *st, const char *flag);
size_t kt_stmt_npos(const struct kt_stmt *st);

/* The statement as recipe text, without indentation; malloc'd. */
char *kt_stmt_print(const struct kt_stmt *st);
/* The whole recipe, sections indented. */
void kt_recipe_print(const struct kt_recipe *r, FILE *f);

/* A word as the printer writes it: bare when it can be, else quoted with
 * backslash escapes. as_key_value: the word is the value of key=value
 * (so '=' needs no quoting). Appends to a malloc'd buffer. */
char *kt_quote(const char *s, bool as_value);

#endif
