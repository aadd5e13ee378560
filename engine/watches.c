/* watches.c - watch lifetimes and rate-limited fire reports; see watches.h. */
#include "engine/watches.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

bool kt_watch_fire(struct kt_watch *w, uint64_t now_ns, const struct kt_watch_fire *f,
		   bool captured, struct kt_watch_report *r)
{
	w->fires++;
	w->captures += captured;
	w->latest = *f;
	w->latest.symbol = w->latest.exit_kind = NULL;	/* not ours to keep */
	if (!w->reported_ns) {
		/* The first fire: told as it comes. */
		w->reported_ns = now_ns ? now_ns : 1;
		w->told = w->fires;
		w->told_captures = w->captures;
		*r = (struct kt_watch_report){ .kind = KT_WL_FIRED, .symbol = w->symbol,
					       .fire = f, .no_snapshot = !captured };
		return true;
	}
	return kt_watch_due(w, now_ns, false, r);
}

bool kt_watch_due(struct kt_watch *w, uint64_t now_ns, bool force, struct kt_watch_report *r)
{
	uint64_t n = w->fires - w->told, c = w->captures - w->told_captures;
	uint64_t since = now_ns > w->reported_ns ? now_ns - w->reported_ns : 0;

	if (!n || (!force && since < KT_WATCH_REPORT_NS))
		return false;
	*r = (struct kt_watch_report){ .kind = KT_WL_SUMMARY, .symbol = w->symbol,
				       .fire = &w->latest, .fires = n, .captures = c,
				       .span_ns = since };
	w->reported_ns = now_ns ? now_ns : 1;
	w->told = w->fires;
	w->told_captures = w->captures;
	return true;
}

void kt_watch_disarmed(const struct kt_watch *w, const char *why, struct kt_watch_report *r)
{
	*r = (struct kt_watch_report){ .kind = KT_WL_DISARMED, .symbol = w->symbol,
				       .fires = w->fires, .captures = w->captures, .why = why };
}

void kt_watch_text(const struct kt_watch_report *r, char *buf, size_t size)
{
	char fire[512] = "";

	if (r->fire)
		kt_fire_text(r->fire, r->symbol, fire, sizeof(fire));
	switch (r->kind) {
	case KT_WL_FIRED:
		snprintf(buf, size, "watch on %s fired: %s%s", r->symbol, fire,
			 r->no_snapshot ? " (no snapshot)" : "");
		break;
	case KT_WL_SUMMARY:
		snprintf(buf, size, "watch %s: %" PRIu64 " fire%s in the last %.1f s (%" PRIu64
			 " captured), latest %s", r->symbol, r->fires, r->fires == 1 ? "" : "s",
			 r->span_ns / 1e9, r->captures, fire);
		break;
	case KT_WL_DISARMED:
		snprintf(buf, size, "watch %s disarmed (%s): %" PRIu64 " fire%s in all, %" PRIu64
			 " captured", r->symbol, r->why, r->fires, r->fires == 1 ? "" : "s",
			 r->captures);
		break;
	}
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
