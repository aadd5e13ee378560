/* con-replay.c - the replay cursor; see con-replay.h. */
#include "tui/con-replay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/expect.h"
#include "engine/header.h"
#include "lib/util.h"
#include "tui/con-record.h"

static bool counted(const struct kt_stmt *st)
{
	return st->kind != KT_STMT_DIRECTIVE && !kt_form_is(st->form, KT_FORM_CATCHES_ERROR);
}

size_t con_replay_count(const struct kt_recipe *r, size_t *header)
{
	size_t n = 0, h = 0;

	for (size_t i = 0; i < r->nstmts; i++) {
		n += counted(&r->stmts[i]);
		h += r->stmts[i].kind == KT_STMT_DIRECTIVE;
	}
	if (header)
		*header = h;
	return n;
}

/* The recording's console-only comments (CON_REC_CONSOLE_ONLY), with their
 * lines: the parser drops comments, so the file is read again for them. A
 * file that cannot be read again just has none. */
static void find_skips(struct con_replay *p, const char *path)
{
	char *text = NULL;
	size_t len, cap = 0;
	int line = 0;

	if (kt_read_file(path, 16 << 20, &text, &len))
		return;
	for (char *l = text, *nl; l && *l; l = nl) {
		struct con_replay_skip *s;
		char *t;

		nl = strchr(l, '\n');
		if (nl)
			*nl++ = '\0';
		line++;
		t = kt_strtrim(l);
		if (*t != '#' || !strstr(t, CON_REC_CONSOLE_ONLY))
			continue;
		if (p->nskips == cap) {
			cap = cap ? 2 * cap : 8;
			s = realloc(p->skips, cap * sizeof(*s));
			if (!s)
				break;
			p->skips = s;
		}
		s = &p->skips[p->nskips];
		s->line = line;
		s->text = strdup(t);
		if (s->text)
			p->nskips++;
	}
	free(text);
}

const char *con_replay_skipped(struct con_replay *p, int before, int *line)
{
	struct con_replay_skip *s;

	if (p->skips_told >= p->nskips || p->skips[p->skips_told].line >= before)
		return NULL;
	s = &p->skips[p->skips_told++];
	*line = s->line;
	return s->text;
}

struct kterr *con_replay_load(struct con_replay *p, const char *path)
{
	struct kt_recipe *r = NULL;
	struct kterr *e = kt_recipe_load(path, &r);

	if (e)
		return e;
	if (r->ndiags) {
		const struct kt_diag *d = &r->diags[0];

		e = kterr_new(0, "%s:%d:%d: %s", path, d->line, d->col, d->msg);
		if (d->hint)
			e = kterr_hint(e, "%s", d->hint);
		else
			e = kterr_hint(e, "`ktcon check %s` lists every error", path);
		if (kt_recipe_nerrors(r) > 1)
			e = kterr_note(e, "and %zu more error%s", kt_recipe_nerrors(r) - 1,
				       kt_recipe_nerrors(r) > 2 ? "s" : "");
		kt_recipe_free(r);
		return e;
	}
	con_replay_clear(p);
	p->r = r;
	p->total = con_replay_count(r, NULL);
	find_skips(p, path);
	while (p->next < r->nstmts && r->stmts[p->next].kind == KT_STMT_DIRECTIVE)
		p->next++;
	return NULL;
}

void con_replay_clear(struct con_replay *p)
{
	for (size_t i = 0; i < p->nskips; i++)
		free(p->skips[i].text);
	free(p->skips);
	kt_recipe_free(p->r);
	memset(p, 0, sizeof(*p));
}

const struct kt_stmt *con_replay_peek(const struct con_replay *p, const struct kt_stmt **xerr)
{
	const struct kt_stmt *st;

	*xerr = NULL;
	if (!p->r || p->next >= p->r->nstmts)
		return NULL;
	st = &p->r->stmts[p->next];
	if (p->next + 1 < p->r->nstmts && kt_form_is(p->r->stmts[p->next + 1].form, KT_FORM_CATCHES_ERROR))
		*xerr = &p->r->stmts[p->next + 1];
	return st;
}

void con_replay_advance(struct con_replay *p)
{
	const struct kt_stmt *xerr;

	if (!con_replay_peek(p, &xerr))
		return;
	p->next += xerr ? 2 : 1;
	p->napplied++;
	while (p->next < p->r->nstmts && p->r->stmts[p->next].kind == KT_STMT_DIRECTIVE)
		p->next++;
}

bool con_replay_done(const struct con_replay *p)
{
	return !p->r || p->next >= p->r->nstmts;
}

char *con_replay_header_diff(const struct con_replay *p, const struct kt_recipe *hdr)
{
	struct kt_header want, have;
	unsigned wc, hc;

	if (!p->r)
		return NULL;
	kt_header_read(p->r, &want);
	kt_header_read(hdr, &have);
	wc = kt_topology_cpus(&want.topo);
	hc = kt_topology_cpus(&have.topo);
	if (wc != hc || want.memory_mib != have.memory_mib)
		return kt_strfmt("the recipe wants %u CPUs and %u MiB; this guest has %u and %u "
				 "(`ktcon --replay %s` boots the guest it asks for)",
				 wc, want.memory_mib, hc, have.memory_mib, p->r->file);
	if ((want.boot_scheduler || have.boot_scheduler) &&
	    (!want.boot_scheduler || !have.boot_scheduler ||
	     strcmp(want.boot_scheduler, have.boot_scheduler)))
		return kt_strfmt("the recipe boots under %s; this guest under %s",
				 want.boot_scheduler ? want.boot_scheduler : "no scheduler",
				 have.boot_scheduler ? have.boot_scheduler : "no scheduler");
	return NULL;
}
