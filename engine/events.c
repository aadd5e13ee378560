/* events.c - subscribers and emission; see events.h. */
#include "engine/events.h"

#include <pthread.h>
#include <stdlib.h>

#include "engine/gevent.h"
#include "lib/util.h"

/* A handful of front-ends at most: console panes, printer, recorder. */
#define KT_MAX_SUBSCRIBERS 16

struct kt_events {
	pthread_mutex_t lock;	/* subscribe may come from the UI thread */
	struct {
		kt_event_fn fn;
		void *ctx;
	} subs[KT_MAX_SUBSCRIBERS];
};

struct kt_events *kt_events_new(void)
{
	struct kt_events *ev = calloc(1, sizeof(*ev));

	if (ev)
		pthread_mutex_init(&ev->lock, NULL);
	return ev;
}

void kt_events_free(struct kt_events *ev)
{
	if (!ev)
		return;
	pthread_mutex_destroy(&ev->lock);
	free(ev);
}

int kt_events_subscribe(struct kt_events *ev, kt_event_fn fn, void *ctx)
{
	int id = -1;

	pthread_mutex_lock(&ev->lock);
	for (int i = 0; i < KT_MAX_SUBSCRIBERS; i++) {
		if (!ev->subs[i].fn) {
			ev->subs[i].fn = fn;
			ev->subs[i].ctx = ctx;
			id = i;
			break;
		}
	}
	pthread_mutex_unlock(&ev->lock);
	return id;
}

void kt_events_unsubscribe(struct kt_events *ev, int id)
{
	if (id < 0 || id >= KT_MAX_SUBSCRIBERS)
		return;
	pthread_mutex_lock(&ev->lock);
	ev->subs[id].fn = NULL;
	pthread_mutex_unlock(&ev->lock);
}

void kt_events_emit(struct kt_events *ev, const struct kt_event *e)
{
	if (!ev)
		return;
	pthread_mutex_lock(&ev->lock);
	for (int i = 0; i < KT_MAX_SUBSCRIBERS; i++)
		if (ev->subs[i].fn)
			ev->subs[i].fn(ev->subs[i].ctx, e);
	pthread_mutex_unlock(&ev->lock);
}

const char *kt_event_name(enum kt_event_kind kind)
{
	static const char *const names[] = {
		[KT_EV_SCENARIO_BEGIN] = "scenario-begin",
		[KT_EV_SCENARIO_END] = "scenario-end",
		[KT_EV_STEP_BEGIN] = "step-begin",
		[KT_EV_STEP_END] = "step-end",
		[KT_EV_HOLD] = "hold",
		[KT_EV_OP_APPLIED] = "op-applied",
		[KT_EV_OP_FAILED] = "op-failed",
		[KT_EV_EXPECT] = "expect",
		[KT_EV_WARN] = "warn",
		[KT_EV_GUEST] = "guest",
		[KT_EV_NOTE] = "note",
		[KT_EV_STATE] = "state",
		[KT_EV_WATCH] = "watch",
		[KT_EV_LOG] = "log",
		[KT_EV_DIED] = "died",
		[KT_EV_FIRE] = "fire",
	};

	return (unsigned)kind < ARRAY_SIZE(names) ? names[kind] : "?";
}

/* The guest's and the host's news that change nothing in the scenario:
 * their own kinds of engine event. */
static const enum kt_event_kind news_kinds[] = {
	[KT_GEV_LOG] = KT_EV_LOG,
	[KT_GEV_NOTE] = KT_EV_NOTE,
	[KT_GEV_DIED] = KT_EV_DIED,
};

bool kt_events_emit_news(struct kt_events *ev, int step, const struct kt_guest_event *gev)
{
	char text[2048];

	if ((size_t)gev->kind >= ARRAY_SIZE(news_kinds) || !news_kinds[gev->kind])
		return false;
	kt_gev_text(gev, text, sizeof(text));
	kt_events_emit(ev, &(struct kt_event){ .kind = news_kinds[gev->kind], .step = step,
					       .text = text, .gev = gev });
	return true;
}
