/*
 * guest-exec.h - a guest booted through the backend (vmm/backend.h) with
 * an executor wired to it: its link, its host introspection, and its
 * events taken through the link. The one place both front ends (`ktcon
 * run` and the console) start a guest to run statements on.
 */
#ifndef KTCON_TUI_GUEST_EXEC_H
#define KTCON_TUI_GUEST_EXEC_H

#include "engine/events.h"
#include "engine/executor.h"
#include "engine/recipe.h"
#include "vmm/backend.h"

struct guest_exec {
	struct kt_backend *b;
	struct kt_exec *x;
};

/* Boot a guest as o says, then an executor for r (a recipe, or the
 * console's header) configured as cfg says (its events, the scheduler's
 * arguments, ...) over the guest's link and host, which this fills in. On
 * failure nothing is left running and *g is empty: what the boot heard
 * (the agent's log lines, a note) has been emitted to cfg->events first. */
struct kterr *guest_exec_start(const struct kt_backend_opts *o, const struct kt_recipe *r,
			       const struct kt_exec_config *cfg, struct guest_exec *g);

/* Free the executor, power the guest off if it is still up, free the
 * backend. */
void guest_exec_free(struct guest_exec *g);

#endif
