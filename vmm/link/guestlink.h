/*
 * guestlink.h - the engine's guest link (engine/link.h) over the control
 * channel: a kt_greq becomes an OP_REQ whose "op" is the op's recipe name
 * (or a query verb) and whose fields are the request's arguments; the
 * OP_REPLY's fields fill the kt_greply. Its poll pumps the agent link
 * (agentlink_pump) and hands the executor the latest STATE.
 */
#ifndef KTCON_VMM_GUESTLINK_H
#define KTCON_VMM_GUESTLINK_H

#include "engine/link.h"
#include "vmm/link/agentlink.h"

/* A guest op may take at most the guest-request limit, scaled
 * (lib/timeouts.h); wait-payload has none and stays cancellable. */

/* A link whose ctx is the agentlink. */
struct kt_link guestlink_make(struct agentlink *l);

/* Hand the guest's EVENT frames to X (kt_exec_guest_event); NULL stops. */
struct kt_exec;
void guestlink_route_events(struct agentlink *l, struct kt_exec *x);

#endif
