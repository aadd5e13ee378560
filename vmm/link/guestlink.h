/*
 * guestlink.h - the engine's guest link (engine/link.h) over the control
 * channel: a kt_greq becomes an OP_REQ whose "op" is the op's recipe name
 * (or a query verb) and whose fields are the request's arguments; the
 * OP_REPLY's fields fill the kt_greply. Its poll pumps the agent link
 * (agentlink_pump) and hands the executor the latest STATE. Events do not
 * go to the executor: the agent's EVENT and LOG frames become typed
 * events (engine/gevent.h) in a queue (evqueue.h) that others push to as
 * well (the backend: watch fires, host notes), and the executor takes
 * them through the link's next_event hook. It knows nothing of the
 * executor.
 */
#ifndef KTCON_VMM_GUESTLINK_H
#define KTCON_VMM_GUESTLINK_H

#include "engine/link.h"
#include "vmm/link/agentlink.h"
#include "vmm/link/evqueue.h"

/* A guest op may take at most the guest-request limit, scaled
 * (lib/timeouts.h); wait-payload has none and stays cancellable. */

struct guestlink {
	struct agentlink *l;		/* NULL until guestlink_attach */
	struct evqueue *q;		/* where events wait; the owner's */
	/* Called before each next_event (may be NULL): a source that is
	 * noticed by looking, not told (QEMU gone), looks. */
	void (*check)(void *ctx);
	void *check_ctx;
};

/* The link's hooks over g (engine/link.h): request, poll, gone, and
 * next_event from g's queue. */
struct kt_link guestlink_link(struct guestlink *g);

/* From now on the agent's EVENT frames go to g's queue as typed events. */
void guestlink_attach(struct guestlink *g, struct agentlink *l);
/* For session_opts.on_log (ctx: the guestlink): an agent log line, as an
 * event, from the boot on. */
void guestlink_log(const char *line, void *ctx);

/* An EVENT frame as a typed event (its strings point into m: valid while
 * m is). False for an event this host does not know (a newer agent's). */
bool guestlink_event(const struct wire_msg *m, struct kt_guest_event *ev);

#endif
