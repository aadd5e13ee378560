/* recipe-lex.c - words of a recipe line; see recipe-lex.h. */
#include "engine/recipe-lex.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

int kt_is_key(const char *s, size_t n)
{
	if (!n || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (size_t i = 1; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-' || c == ':'))
			return 0;
	}
	return 1;
}

/* The escapes a string may hold, and what they stand for. */
static const char escapes[][2] = {
	{ '"', '"' }, { '\\', '\\' }, { 'n', '\n' }, { 't', '\t' },
};

void kt_args_free(struct kt_arg *args, size_t n)
{
	for (size_t i = 0; args && i < n; i++) {
		free(args[i].key);
		free(args[i].val);
	}
	free(args);
}

struct kterr *kt_lex_line(const char *line, size_t len, struct kt_arg **args, size_t *nargs,
			  int *err_col, int *err_len)
{
	struct kt_arg *v = NULL;
	size_t n = 0, cap = 0, i = 0;
	char *buf = malloc(len + 1);
	struct kterr *e = NULL;

	*args = NULL;
	*nargs = 0;
	if (!buf)
		return kterr_new(ENOMEM, "lexing a line");
	while (i < len) {
		size_t start, blen = 0;
		ssize_t eq = -1;	/* '=' in the word's bare prefix */
		bool quoted = false;

		while (i < len && is_blank(line[i]))
			i++;
		if (i >= len || line[i] == '#')
			break;
		start = i;
		while (i < len && !is_blank(line[i]) && line[i] != '#') {
			if (line[i] != '"') {
				if (line[i] == '=' && eq < 0 && !quoted)
					eq = blen;
				buf[blen++] = line[i++];
				continue;
			}
			size_t q = i++;

			quoted = true;
			for (;;) {
				if (i >= len) {
					*err_col = q + 1;
					*err_len = len - q;
					e = kterr_hint(kterr_new(0, "unterminated string"),
						       "close the string with \" (write \\\" for a quote inside it)");
					goto fail;
				}
				if (line[i] == '"') {
					i++;
					break;
				}
				if (line[i] != '\\') {
					buf[blen++] = line[i++];
					continue;
				}
				size_t k;

				for (k = 0; i + 1 < len && k < sizeof(escapes) / sizeof(escapes[0]); k++)
					if (line[i + 1] == escapes[k][0])
						break;
				if (i + 1 >= len || k == sizeof(escapes) / sizeof(escapes[0])) {
					*err_col = i + 1;
					*err_len = i + 1 < len ? 2 : 1;
					e = kterr_hint(kterr_new(0, "unknown escape '\\%.*s' in a string",
								 i + 1 < len ? 1 : 0, line + i + 1),
						       "the escapes are \\\" \\\\ \\n \\t; write \\\\ for a backslash");
					goto fail;
				}
				buf[blen++] = escapes[k][1];
				i += 2;
			}
		}
		if (n == cap) {
			struct kt_arg *nv;

			cap = cap ? cap * 2 : 8;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				e = kterr_new(ENOMEM, "lexing a line");
				goto fail;
			}
			v = nv;
		}
		memset(&v[n], 0, sizeof(v[n]));
		v[n].col = start + 1;
		v[n].len = i - start;
		/* eq is only set while no string has started, so the key is
		 * bare text. */
		if (eq > 0 && kt_is_key(buf, eq)) {
			v[n].key = strndup(buf, eq);
			v[n].val = strndup(buf + eq + 1, blen - eq - 1);
			if (!v[n].key) {
				free(v[n].val);
				v[n].val = NULL;
			}
		} else {
			v[n].val = strndup(buf, blen);
		}
		if (!v[n].val) {
			e = kterr_new(ENOMEM, "lexing a line");
			goto fail;
		}
		n++;
	}
	free(buf);
	*args = v;
	*nargs = n;
	return NULL;
fail:
	free(buf);
	kt_args_free(v, n);
	return e;
}
