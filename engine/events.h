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

#include "engine/gevent.h"
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
	KT_EV_GUEST,		/* text: an asynchronous guest event; gev: it, typed */
	KT_EV_STATE,		/* the scenario state changed (cgroups, workers, ...) */
	KT_EV_NOTE,		/* text; gev: the host's own news (a freeze and its window),
				 * gev->severity says whether it is a warning */
	KT_EV_WATCH,		/* watch: a watch's line, typed (watches.h:
				 * kt_watch_text renders it); gev: the fire it tells,
				 * or NULL for a summary of several or the totals */
	KT_EV_LOG,		/* text; gev: a line the guest agent logged */
	KT_EV_DIED,		/* text: how the guest went down; gev: it, with the
				 * console's tail */
	KT_EV_FIRE,		/* gev: every watch fire as it is applied, for listeners
				 * that file them by time (the timeline); not a line to
				 * print: KT_EV_WATCH is */
};

struct kt_watch_report;

struct kt_event {
	enum kt_event_kind kind;
	int step;
	const struct kt_stmt *stmt;	/* NULL for teardown and guest events */
	const char *text;
	const struct kterr *err;
	bool ok;
	bool expected;
	uint64_t ns;
	/* GUEST, NOTE, WATCH, LOG, DIED, FIRE: the event as the link gave it;
	 * a listener files them by gev->kind, never by their text. */
	const struct kt_guest_event *gev;
	/* WATCH: what the line tells (watches.h). */
	const struct kt_watch_report *watch;
};

typedef void (*kt_event_fn)(void *ctx, const struct kt_event *ev);

struct kt_events;

struct kt_events *kt_events_new(void);
void kt_events_free(struct kt_events *ev);
/* Returns an id for kt_events_unsubscribe, or -1 when full. */
int kt_events_subscribe(struct kt_events *ev, kt_event_fn fn, void *ctx);
void kt_events_unsubscribe(struct kt_events *ev, int id);
void kt_events_emit(struct kt_events *ev, const struct kt_event *e);

/* A log line, a host note or the guest's death (gevent.h) as its own
 * event (KT_EV_LOG, KT_EV_NOTE, KT_EV_DIED) with gev set; false, and
 * nothing emitted, for the events that act on the scenario (the
 * executor's). */
bool kt_events_emit_news(struct kt_events *ev, int step, const struct kt_guest_event *gev);

/* "op-applied", "step-begin", ...: for logs and the JSON stream. */
const char *kt_event_name(enum kt_event_kind kind);

#endif
