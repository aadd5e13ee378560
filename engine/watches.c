/* watches.c - watch lifetimes and rate-limited fire reports; see watches.h. */
#include "engine/watches.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void remember(struct kt_watch *w, const char *text)
{
	snprintf(w->latest, sizeof(w->latest), "%s", text ? text : "");
}

bool kt_watch_fire(struct kt_watch *w, uint64_t now_ns, const char *text, bool captured,
		   char *line, size_t size)
{
	w->fires++;
	w->captures += captured;
	remember(w, text);
	if (!w->reported_ns) {
		/* The first fire: told as it comes. */
		w->reported_ns = now_ns ? now_ns : 1;
		w->told = w->fires;
		w->told_captures = w->captures;
		snprintf(line, size, "watch on %s fired%s%s%s", w->symbol, text ? ": " : "",
			 text ? text : "", captured ? "" : " (no snapshot)");
		return true;
	}
	return kt_watch_due(w, now_ns, false, line, size);
}

bool kt_watch_due(struct kt_watch *w, uint64_t now_ns, bool force, char *line, size_t size)
{
	uint64_t n = w->fires - w->told, c = w->captures - w->told_captures;
	uint64_t since = now_ns > w->reported_ns ? now_ns - w->reported_ns : 0;

	if (!n || (!force && since < KT_WATCH_REPORT_NS))
		return false;
	snprintf(line, size, "watch %s: %" PRIu64 " fire%s in the last %.1f s (%" PRIu64
		 " captured), latest %s", w->symbol, n, n == 1 ? "" : "s", since / 1e9, c,
		 w->latest);
	w->reported_ns = now_ns ? now_ns : 1;
	w->told = w->fires;
	w->told_captures = w->captures;
	return true;
}

struct kt_watch *kt_watch_armed(struct kt_scenario *s, const char *symbol)
{
	for (size_t i = 0; i < s->nwatches; i++)
		if (s->watches[i].armed && !strcmp(s->watches[i].symbol, symbol))
			return &s->watches[i];
	return NULL;
}

struct kt_watch *kt_watch_of(struct kt_scenario *s, const char *symbol)
{
	struct kt_watch *w = kt_watch_armed(s, symbol);

	for (size_t i = s->nwatches; !w && i-- > 0;)
		if (!strcmp(s->watches[i].symbol, symbol))
			w = &s->watches[i];
	return w;
}
