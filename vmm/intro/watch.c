/* watch.c - the watch slot table; see watch.h. */
#include "vmm/intro/watch.h"

#include <errno.h>
#include <inttypes.h>

struct kterr *watch_resolve(const struct ksyms *ks, const char *symbol, uint64_t *addr)
{
	const struct ksym *s;
	struct kterr *e = ksyms_lookup(ks, symbol, &s);

	if (e)
		return e;
	if (s->percpu)
		return kterr_hint(kterr_new(EINVAL, "%s is a per-CPU variable (offset 0x%" PRIx64
					    "): a watchpoint watches one address", symbol,
					    s->addr),
				  "watch a global variable");
	if (s->addr % WATCH_LEN)
		return kterr_hint(kterr_new(EINVAL, "%s at 0x%" PRIx64 " is not %d-byte aligned",
					    symbol, s->addr, WATCH_LEN),
				  "a watch covers %d aligned bytes; watch an aligned variable",
				  WATCH_LEN);
	*addr = s->addr;
	return NULL;
}

struct kterr *watch_user_slot(const struct watches *ws, unsigned user_slot, unsigned *slot)
{
	if (user_slot >= WATCH_SLOTS - 1)
		return kterr_new(ENOSPC, "watch slot %u: only %d user watches (slot %d is the "
				 "scheduler-error trigger's)", user_slot, WATCH_SLOTS - 1,
				 WATCH_TRIGGER_SLOT);
	*slot = user_slot + 1;
	if (ws->w[*slot].armed)
		return kterr_new(EBUSY, "watch slot %u is watching %s already", user_slot,
				 ws->w[*slot].symbol);
	return NULL;
}

struct watch *watch_find(struct watches *ws, uint64_t addr)
{
	for (int i = 0; i < WATCH_SLOTS; i++) {
		struct watch *w = &ws->w[i];

		if (w->armed && addr >= w->addr && addr - w->addr < WATCH_LEN)
			return w;
	}
	return NULL;
}

bool watch_budget_spent(const struct watch *w, uint64_t now_ns)
{
	return w->window_ns && now_ns >= w->window_ns && now_ns - w->window_ns < 1000000000ull &&
	       w->window_captures >= WATCH_CAPTURES_PER_S;
}

bool watch_may_capture(struct watch *w, uint64_t now_ns)
{
	if (!w->window_ns || now_ns < w->window_ns || now_ns - w->window_ns >= 1000000000ull) {
		w->window_ns = now_ns ? now_ns : 1;
		w->window_captures = 0;
	}
	if (w->window_captures >= WATCH_CAPTURES_PER_S)
		return false;
	w->window_captures++;
	w->captures++;
	return true;
}

unsigned watch_armed(const struct watches *ws)
{
	unsigned n = 0;

	for (int i = 0; i < WATCH_SLOTS; i++)
		n += ws->w[i].armed;
	return n;
}
