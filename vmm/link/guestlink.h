/*
 * guestlink.h - the engine's guest link (engine/link.h) over the control
 * channel: a kt_greq becomes an OP_REQ whose "op" is the op's recipe name
 * (or a query verb) and whose fields are the request's arguments; the
 * OP_REPLY's fields fill the kt_greply. Its poll pumps the agent link
 * (agentlink_pump) and hands the executor the latest STATE; its EVENT
 * frames become typed events (engine/gevent.h) for whoever queues them
 * (the backend, vmm/backend.h). It knows nothing of the executor.
 */
#ifndef KTCON_VMM_GUESTLINK_H
#define KTCON_VMM_GUESTLINK_H

#include "engine/link.h"
#include "vmm/link/agentlink.h"

/* A guest op may take at most the guest-request limit, scaled
 * (lib/timeouts.h); wait-payload has none and stays cancellable. */

/* One request and its reply (link.h's request). */
struct kterr *guestlink_request(struct agentlink *l, const struct kt_greq *req,
				struct kt_greply *reply, const atomic_bool *cancel);
/* Pump the channel for up to timeout_ns; a newer STATE into *state
 * (link.h's poll). */
struct kterr *guestlink_poll(struct agentlink *l, uint64_t timeout_ns, uint64_t *gen,
			     struct kt_gstate *state);
/* An EVENT frame as a typed event (its strings point into m: valid while
 * m is). False for an event this host does not know (a newer agent's). */
bool guestlink_event(const struct wire_msg *m, struct kt_guest_event *ev);

#endif
