/*
 * events.h - the engine's event stream. Front-ends (console panes, the
 * headless printer, the recorder) subscribe; the executor emits.
 *
 * Handlers run synchronously on the engine's thread, in subscription order,
 * and must not block: a front-end on another thread copies what it needs
 * and wakes itself. Pointers in an event are valid only during the call.
 */
#ifndef KTCON_EVENTS_H
#define KTCON_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"
#include "engine/recipe.h"

enum kt_event_kind {
	KT_EV_SCENARIO_BEGIN,
	KT_EV_SCENARIO_END,	/* ok: the run passed */
	KT_EV_STEP_BEGIN,	/* step: 0 backdrop, N the Nth step */
	KT_EV_STEP_END,		/* ok: the step passed */
	KT_EV_HOLD,		/* ns: how long the step now holds */
	KT_EV_OP_APPLIED,	/* stmt, text: the statement as printed, ns */
	KT_EV_OP_FAILED,	/* err: the full chain; expected: caught by expect error */
	KT_EV_EXPECT,		/* ok: held; err: why not */
	KT_EV_WARN,		/* text */
	KT_EV_GUEST,		/* text: an asynchronous guest event */
	KT_EV_STATE,		/* the scenario state changed (cgroups, workers, ...) */
	KT_EV_NOTE,		/* text: the host's own news (a freeze and its window) */
};

/* KT_EV_GUEST: which guest event it tells, for a listener that files them
 * by kind (the timeline) rather than by their text. */
enum kt_guest_kind {
	KT_EV_GUEST_OTHER,
	KT_EV_GUEST_SCHED_EXIT,	/* the scheduler exited or was ejected */
	KT_EV_GUEST_WATCH_FIRE,
};

struct kt_event {
	enum kt_event_kind kind;
	enum kt_guest_kind guest_kind;
	int step;
	const struct kt_stmt *stmt;	/* NULL for teardown and guest events */
	const char *text;
	const struct kterr *err;
	bool ok;
	bool expected;
	uint64_t ns;
};

typedef void (*kt_event_fn)(void *ctx, const struct kt_event *ev);

struct kt_events;

struct kt_events *kt_events_new(void);
void kt_events_free(struct kt_events *ev);
/* Returns an id for kt_events_unsubscribe, or -1 when full. */
int kt_events_subscribe(struct kt_events *ev, kt_event_fn fn, void *ctx);
void kt_events_unsubscribe(struct kt_events *ev, int id);
void kt_events_emit(struct kt_events *ev, const struct kt_event *e);

/* "op-applied", "step-begin", ...: for logs and the JSON stream. */
const char *kt_event_name(enum kt_event_kind kind);

#endif
