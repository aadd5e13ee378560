/*
 * wait.h - one way to wait for something with a deadline, that does not
 * charge the waiter's own stall to the thing awaited.
 *
 * On a loaded host (or a guest whose vCPU the host did not run) a sleep
 * of 1 ms can return 300 ms later. Counting that time against the thing
 * awaited blames it for the waiter's absence, so a wait measures its
 * naps: when one returns later than asked (by more than KT_WAIT_LATE_MS),
 * the overrun is added to the deadline (at most KT_WAIT_MAX_STRETCH times
 * the limit in all, so a wait still ends). Once the deadline passes, the
 * condition is checked one more time before the wait fails. The error
 * names what was awaited, the scaled limit, how long the waiter was away,
 * what was seen last and a hint; its errno is ETIMEDOUT for callers, but
 * it never prints as "Connection timed out".
 *
 *	struct kt_wait w;
 *
 *	kt_wait_begin(&w, KT_LIM_WORKER_READY, "worker %u (pid %d) ready", i, pid);
 *	while (!ready()) {
 *		kt_wait_seen(&w, "setup not started");
 *		if (kt_wait_expired(&w))
 *			return kt_wait_error(&w, "is the scheduler running it?");
 *		usleep(kt_wait_nap_ms(&w, 1) * 1000);
 *	}
 *
 * The clock is a hook, so unit tests drive a fake one.
 */
#ifndef KTCON_WAIT_H
#define KTCON_WAIT_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/timeouts.h"

/* A nap that returns this much later than asked means the waiter was not
 * running; shorter overruns are ordinary scheduling noise. */
#define KT_WAIT_LATE_MS 20
/* The most a wait's deadline stretches, in limits: a waiter that is
 * almost never running still gives up within (1 + this) x limit. */
#define KT_WAIT_MAX_STRETCH 3

struct kt_clock {
	uint64_t (*now_ns)(void *ctx);
	void *ctx;
};

/* CLOCK_MONOTONIC. */
extern const struct kt_clock kt_clock_real;

struct kt_wait {
	const struct kt_clock *clock;
	char what[200];		/* "worker 3 (pid 120) ready" */
	char seen[400];		/* the last thing seen, for the error */
	int limit;		/* enum kt_limit, or -1 for a caller's own */
	uint64_t limit_ns;	/* scaled */
	uint64_t start_ns, deadline_ns;
	uint64_t nap_at_ns, nap_ns;	/* the last nap asked for, and when */
	uint64_t lost_ns;	/* naps' overruns added to the deadline */
	bool last_chance;	/* the deadline passed; one more check */
	bool infinite;		/* never expires (limit_ms < 0) */
};

/* Start waiting under limit L (scaled), or under LIMIT_MS already scaled
 * by the caller (< 0: no limit, still measured). WHAT says what is
 * awaited, as "X" in "X: not within 5.0s". */
void kt_wait_begin(struct kt_wait *w, enum kt_limit l, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void kt_wait_begin_ms(struct kt_wait *w, int64_t limit_ms, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same, on CLOCK (NULL: the real one); for tests. */
void kt_wait_begin_clock(struct kt_wait *w, const struct kt_clock *clock, int limit,
			 int64_t limit_ms, const char *what);

/* Remember what the last check saw ("state enabling", "2 of 4 ready"). */
void kt_wait_seen(struct kt_wait *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* After a check that failed: true when the wait is over, i.e. the
 * deadline (stretched by the naps' overruns) has passed and the caller
 * has already checked once more since it did. */
bool kt_wait_expired(struct kt_wait *w);

/* How long to nap before the next check: CAP_MS, or less when the
 * deadline is nearer, or 0 for the last check. Remembered, so the next
 * kt_wait_expired() can tell a late return. */
int kt_wait_nap_ms(struct kt_wait *w, int cap_ms);

/* Milliseconds left (0 when past the deadline; INT32_MAX without a
 * limit), without remembering a nap. */
int kt_wait_left_ms(const struct kt_wait *w);

/* The failure: "WHAT: not within 5.0s (worker-ready 5.0s x scale 1); the
 * waiter was not running for 1.2s of it, added; last seen: ..." with
 * HINT (NULL: none) and the scale hint. errno ETIMEDOUT, not printed. */
struct kterr *kt_wait_error(const struct kt_wait *w, const char *hint_fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Time since the wait began, and the overruns added so far. */
uint64_t kt_wait_elapsed_ns(const struct kt_wait *w);

#endif
