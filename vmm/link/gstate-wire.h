/*
 * gstate-wire.h - a STATE frame (layout: guest/wire-state.h) into a
 * struct kt_gstate (engine/gstate.h).
 *
 * The frame comes from the guest, so nothing in it is trusted: counts are
 * checked against what the frame can hold before anything is allocated,
 * every index against its count, every number parsed strictly. A bad
 * frame is an error naming the field and what is wrong with it; it never
 * crashes. Keys it does not know are ignored, so the agent can grow
 * fields before the host reads them.
 */
#ifndef KTCON_VMM_GSTATE_WIRE_H
#define KTCON_VMM_GSTATE_WIRE_H

#include "lib/err.h"
#include "engine/gstate.h"
#include "guest/wire.h"

#define GSTATE_MAX_CPUS 1024

/* Parse m into out, which is cleared first (its old arrays freed; it must
 * be initialised). On error out is left cleared. received_ns is the
 * caller's to set. */
struct kterr *gstate_from_wire(const struct wire_msg *m, struct kt_gstate *out);

#endif
