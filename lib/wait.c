/* wait.c - deadlines that do not charge the waiter's own stall; see wait.h. */
#include "lib/wait.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

#define NS_PER_MS 1000000ULL

static uint64_t real_now(void *ctx)
{
	(void)ctx;
	return kt_now_ns();
}

const struct kt_clock kt_clock_real = { real_now, NULL };

static uint64_t now(const struct kt_wait *w)
{
	return w->clock->now_ns(w->clock->ctx);
}

void kt_wait_begin_clock(struct kt_wait *w, const struct kt_clock *clock, int limit,
			 int64_t limit_ms, const char *what)
{
	memset(w, 0, sizeof(*w));
	w->clock = clock ? clock : &kt_clock_real;
	snprintf(w->what, sizeof(w->what), "%s", what ? what : "a wait");
	w->limit = limit;
	w->infinite = limit_ms < 0;
	w->limit_ns = limit_ms < 0 ? 0 : (uint64_t)limit_ms * NS_PER_MS;
	w->start_ns = now(w);
	w->deadline_ns = w->start_ns + w->limit_ns;
}

static void begin_v(struct kt_wait *w, int limit, int64_t ms, const char *fmt, va_list ap)
{
	char what[sizeof(w->what)];

	vsnprintf(what, sizeof(what), fmt, ap);
	kt_wait_begin_clock(w, NULL, limit, ms, what);
}

void kt_wait_begin(struct kt_wait *w, enum kt_limit l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	begin_v(w, (int)l, (int64_t)kt_limit_ms(l), fmt, ap);
	va_end(ap);
}

void kt_wait_begin_ms(struct kt_wait *w, int64_t limit_ms, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	begin_v(w, -1, limit_ms, fmt, ap);
	va_end(ap);
}

void kt_wait_seen(struct kt_wait *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->seen, sizeof(w->seen), fmt, ap);
	va_end(ap);
}

/* The nap that just ended: if it overran by more than noise, the waiter
 * was not running, and the deadline moves by the overrun. */
static void charge_nap(struct kt_wait *w, uint64_t t)
{
	uint64_t slept, over, room;

	if (!w->nap_at_ns)
		return;
	slept = t > w->nap_at_ns ? t - w->nap_at_ns : 0;
	w->nap_at_ns = 0;
	if (slept <= w->nap_ns + KT_WAIT_LATE_MS * NS_PER_MS)
		return;
	over = slept - w->nap_ns;
	room = KT_WAIT_MAX_STRETCH * w->limit_ns;
	room = room > w->lost_ns ? room - w->lost_ns : 0;
	if (over > room)
		over = room;
	w->lost_ns += over;
	w->deadline_ns += over;
}

bool kt_wait_expired(struct kt_wait *w)
{
	uint64_t t = now(w);

	charge_nap(w, t);
	if (w->infinite || t < w->deadline_ns)
		return false;
	if (!w->last_chance) {
		w->last_chance = true;
		return false;
	}
	return true;
}

int kt_wait_left_ms(const struct kt_wait *w)
{
	uint64_t t = now(w);

	if (w->infinite)
		return INT32_MAX;
	if (t >= w->deadline_ns)
		return 0;
	return (int)((w->deadline_ns - t + NS_PER_MS - 1) / NS_PER_MS);
}

int kt_wait_nap_ms(struct kt_wait *w, int cap_ms)
{
	int left = w->last_chance ? 0 : kt_wait_left_ms(w);
	int nap = cap_ms < 0 ? 0 : cap_ms;

	if (!w->infinite && left < nap)
		nap = left;
	w->nap_at_ns = now(w);
	w->nap_ns = (uint64_t)nap * NS_PER_MS;
	return nap;
}

uint64_t kt_wait_elapsed_ns(const struct kt_wait *w)
{
	uint64_t t = now(w);

	return t > w->start_ns ? t - w->start_ns : 0;
}

struct kterr *kt_wait_error(const struct kt_wait *w, const char *hint_fmt, ...)
{
	char lim[64], waited[32], lost[32], limit[32], dflt[32], hint[400] = "";
	struct kterr *e;

	kt_fmt_duration(w->limit_ns, limit, sizeof(limit));
	if (w->limit >= 0 && w->limit < KT_LIM_N)
		snprintf(lim, sizeof(lim), "%s %s x scale %g", kt_limits[w->limit].name,
			 kt_fmt_duration(kt_limits[w->limit].default_ms * NS_PER_MS, dflt,
					 sizeof(dflt)), kt_scale());
	else
		snprintf(lim, sizeof(lim), "scale %g", kt_scale());
	kt_fmt_duration(kt_wait_elapsed_ns(w), waited, sizeof(waited));
	kt_fmt_duration(w->lost_ns, lost, sizeof(lost));
	e = kterr_silent(ETIMEDOUT, "%s: not within %s (%s; waited %s%s%s%s)%s%s", w->what, limit,
			 lim, waited, w->lost_ns ? ", the waiter itself not running for " : "",
			 w->lost_ns ? lost : "", w->lost_ns ? " of it, added to the limit" : "",
			 w->seen[0] ? "; last seen: " : "", w->seen);
	if (hint_fmt) {
		va_list ap;

		va_start(ap, hint_fmt);
		vsnprintf(hint, sizeof(hint), hint_fmt, ap);
		va_end(ap);
	}
	return kterr_hint(e, "%s%son a slow or loaded host, raise every limit with "
			  "--timeout-scale F or KTCON_TIMEOUT_SCALE=F (`ktcon help timeouts`)",
			  hint, hint[0] ? "; " : "");
}
