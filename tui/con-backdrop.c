/* con-backdrop.c - the statements a restart re-applies; see con-backdrop.h. */
#include "tui/con-backdrop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/op.h"

struct kterr *con_backdrop_keep(struct con_backdrop *bd, const struct kt_stmt *st, bool failed)
{
	struct kterr *e;

	if (failed || (st->kind != KT_STMT_OP && st->kind != KT_STMT_CGROUP))
		return NULL;
	if (bd->n == bd->cap) {
		size_t cap = bd->cap ? bd->cap * 2 : 16;
		struct kt_stmt *n = realloc(bd->st, cap * sizeof(*n));

		if (!n)
			return kterr_new(ENOMEM, "keeping the backdrop for a restart");
		bd->st = n;
		bd->cap = cap;
	}
	e = kt_stmt_copy(st, &bd->st[bd->n]);
	if (e)
		return kterr_wrap(e, "keeping the backdrop for a restart");
	bd->n++;
	return NULL;
}

void con_backdrop_unwatch(struct con_backdrop *bd, const char *symbol)
{
	size_t keep = 0;

	for (size_t i = 0; i < bd->n; i++) {
		const char *sym = bd->st[i].form == &kt_op_watch_snapshot ?
				  kt_stmt_posval(&bd->st[i], 0) : NULL;

		if (sym && !strcmp(sym, symbol))
			kt_stmt_clear(&bd->st[i]);
		else
			bd->st[keep++] = bd->st[i];
	}
	bd->n = keep;
}

void con_backdrop_clear(struct con_backdrop *bd)
{
	for (size_t i = 0; i < bd->n; i++)
		kt_stmt_clear(&bd->st[i]);
	free(bd->st);
	memset(bd, 0, sizeof(*bd));
}
