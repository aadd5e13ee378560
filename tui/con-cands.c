/* con-cands.c - Tab's candidates above the prompt; see con-cands.h. */
#include "tui/con-cands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GAP 2

void con_cands_clear(struct con_cands *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->words[i]);
	free(k->words);
	free(k->line);
	memset(k, 0, sizeof(*k));
}

void con_cands_set(struct con_cands *k, const char *line, char *const *words, size_t n)
{
	con_cands_clear(k);
	k->words = calloc(n ? n : 1, sizeof(*k->words));
	k->line = strdup(line ? line : "");
	if (!k->words || !k->line) {
		con_cands_clear(k);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if ((k->words[k->n] = strdup(words[i])))
			k->n++;
}

bool con_cands_seen(struct con_cands *k, const char *line)
{
	if (!k->line || !strcmp(k->line, line ? line : ""))
		return false;
	con_cands_clear(k);
	return true;
}

/* Words from *i that fit one row of w columns (at least one, cut). */
static size_t row_words(const struct con_cands *k, size_t i, int w)
{
	size_t n = 0;
	int len = 0;

	for (; i + n < k->n; n++) {
		int wl = (int)strlen(k->words[i + n]) + (n ? GAP : 0);

		if (n && len + wl > w)
			break;
		len += wl;
	}
	return n;
}

int con_cands_render(const struct con_cands *k, struct con_buf *b, int top, int above)
{
	int rows = 0, w = b->w - 1, max = above - top;
	size_t i = 0, per[CON_CANDS_ROWS];

	if (!k->line || !k->n || w < 8 || max <= 0)
		return 0;
	if (max > CON_CANDS_ROWS)
		max = CON_CANDS_ROWS;
	/* Lay the rows out first: the last one shown says how many did not
	 * fit, so it keeps room for that. */
	while (i < k->n && rows < max) {
		size_t n = row_words(k, i, w);

		if (rows == max - 1 && i + n < k->n) {
			char more[32];

			snprintf(more, sizeof(more), "%*s+%zu more", GAP, "", k->n - i);
			n = row_words(k, i, w - (int)strlen(more) - 8);
			if (!n)
				n = 1;
		}
		per[rows++] = n;
		i += n;
	}
	i = 0;
	for (int r = 0; r < rows; r++) {
		struct con_rect row = { above - rows + r, 0, 1, b->w };
		int x = 1;

		con_fill(b, &row, 0, 0, b->w, ' ', CON_A_HINT);
		for (size_t j = 0; j < per[r]; j++, i++) {
			x += con_put(b, &row, 0, x, CON_A_HINT, k->words[i], -1);
			x += GAP;
		}
		if (r == rows - 1 && i < k->n)
			con_putf(b, &row, 0, x, CON_A_DIM, "+%zu more", k->n - i);
	}
	return rows;
}
