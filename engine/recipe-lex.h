/*
 * recipe-lex.h - one recipe line into words.
 *
 * Words are separated by blanks. A word is made of bare text and
 * double-quoted strings run together (`args="--cpu 1"`); in a string,
 * backslash escapes \" \\ \n \t. `#` outside a string starts a comment.
 * A word whose bare start is `key=` (key: a letter, then letters, digits,
 * `.`, `_`, `-`, `:`) is split into key and value; a quoted word never is,
 * so `"a=b"` is a positional.
 */
#ifndef KTCON_RECIPE_LEX_H
#define KTCON_RECIPE_LEX_H

#include <stddef.h>

#include "lib/err.h"
#include "engine/recipe.h"

/* Lex len bytes of one line (no newline) into *args (malloc'd; free with
 * kt_args_free). On a lexing error returns it, with the column and length
 * of the offending text in *err_col and *err_len; *args is then NULL. */
struct kterr *kt_lex_line(const char *line, size_t len, struct kt_arg **args, size_t *nargs,
			  int *err_col, int *err_len);

void kt_args_free(struct kt_arg *args, size_t n);

/* True when s is a key as the lexer splits it. */
int kt_is_key(const char *s, size_t n);

#endif
