/*
 * executor.h - running a recipe (or console statements) against a guest.
 *
 * The executor owns the scenario state (scenario.h) and walks the recipe:
 * the backdrop pass, then each step: its setup (cgroup lines) and ops in
 * file order, its hold, its teardown (auto-unfreeze, stop workers, drain
 * payloads, remove step-local cgroups deepest first); finally the backdrop's
 * teardown. An op that fails fails its step: the rest of the step and every
 * later step are skipped, teardown runs, and the run fails with the op's
 * whole error chain, unless the next line is `expect error` and matches.
 * Adjacent write-kernel-cold ops are merged into one batch (one freeze).
 *
 * It talks to the world only through a guest link (link.h), host
 * introspection (host.h) and a clock; it reports through events (events.h)
 * and results (results.h). It can run on its own thread; kt_exec_cancel()
 * aborts the op in flight or the hold, from any thread. It keeps the
 * guest's latest state (gstate.h) as the link reports it, pumping the
 * link through holds; kt_exec_gstate() hands it over to any thread.
 */
#ifndef KTCON_EXECUTOR_H
#define KTCON_EXECUTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"
#include "engine/events.h"
#include "engine/gevent.h"
#include "engine/gstate.h"
#include "engine/host.h"
#include "engine/link.h"
#include "engine/recipe.h"
#include "engine/results.h"
#include "engine/scenario.h"

struct kt_clock {
	uint64_t (*now_ns)(void *ctx);
	void (*sleep_ns)(void *ctx, uint64_t ns);
	void *ctx;
};

struct kt_exec_config {
	struct kt_link link;
	struct kt_host host;
	const struct kt_clock *clock;	/* NULL: the real monotonic clock */
	struct kt_events *events;	/* NULL: nobody listens */
	/* Arguments for every attach-scheduler and replace-scheduler in place
	 * of the staged default (`ktcon run --scheduler-args`); NULL: the
	 * staged default. Not copied: it outlives the executor. */
	const char *sched_args;
};

struct kt_exec;

/* r must outlive the executor. */
struct kt_exec *kt_exec_new(const struct kt_recipe *r, const struct kt_exec_config *cfg);
void kt_exec_free(struct kt_exec *x);

/* Run the whole recipe on this thread. NULL when every op that was not
 * expected to fail succeeded and every expectation held; otherwise the
 * first failure's chain (the results say the rest). */
struct kterr *kt_exec_run(struct kt_exec *x);

/* The same on a new thread; join returns what run returned. */
struct kterr *kt_exec_start(struct kt_exec *x);
struct kterr *kt_exec_join(struct kt_exec *x);

/* Abort the op in flight (the link sees its cancel flag) or the current
 * hold; the op fails with ECANCELED and the step tears down. */
void kt_exec_cancel(struct kt_exec *x);

/* Thread-safe and sticky: stop the run (`ktcon run` does on SIGINT,
 * SIGTERM, SIGHUP). The op or hold in flight fails with ECANCELED
 * ("interrupted"), every later op and step is skipped, teardown runs as
 * after any failure and is not itself cancelled; the results hold what ran. */
void kt_exec_interrupt(struct kt_exec *x);
bool kt_exec_interrupted(struct kt_exec *x);

/* Thread-safe: queue a guest event (gevent.h); the executor applies it to
 * the state and emits it between statements and during holds. Events the
 * link's next_event hook returns are queued the same way; this is for
 * links without one (the unit tests' fakes). */
void kt_exec_guest_event(struct kt_exec *x, const struct kt_guest_event *ev);

/* Console use: apply one statement now in the current pass (the backdrop
 * until kt_exec_next_step). A kt_exec_cancel that came while nothing was
 * in flight is dropped here, so it cannot cancel this op. */
struct kterr *kt_exec_apply(struct kt_exec *x, const struct kt_stmt *st);
/* The same for an op with the `expect error` that follows it in a recipe
 * (a replay at the console): a failure that matches is expected (NULL is
 * returned, the events say xfail); a success, or another failure, is the
 * error. */
struct kterr *kt_exec_apply_expect(struct kt_exec *x, const struct kt_stmt *st,
				   const struct kt_stmt *xerr);
/* Console use: disarm the armed watch on symbol now (watches.h); an
 * error naming the armed ones when there is none. */
struct kterr *kt_exec_unwatch(struct kt_exec *x, const char *symbol);
/* Close the current pass (tearing down a step) and begin a new step. */
struct kterr *kt_exec_next_step(struct kt_exec *x);
/* Tear everything down (step, then backdrop). */
struct kterr *kt_exec_finish(struct kt_exec *x);

/* Console use, on the thread that applies statements: while idle, let
 * the link drain the guest's unasked frames for up to ns (sleeps when the
 * link has no poll). */
void kt_exec_pump(struct kt_exec *x, uint64_t ns);

/* Thread-safe: the guest's latest state as the link last reported it,
 * copied into out (free it with kt_gstate_clear) when it is not the one
 * this reader took last: *ver is the reader's own (start at 0), updated
 * here. False, with out empty, when nothing newer has arrived (or the link
 * cannot hear it): the reader keeps what it took. Several readers (the
 * console's UI and its live sampler) each get every state once. */
bool kt_exec_gstate(struct kt_exec *x, uint64_t *ver, struct kt_gstate *out);

const struct kt_results *kt_exec_results(const struct kt_exec *x);
const struct kt_scenario *kt_exec_scenario(const struct kt_exec *x);

#endif
