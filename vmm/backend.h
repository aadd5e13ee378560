/*
 * backend.h - the front door to a guest: one object that boots it and
 * hands out everything a front end needs to run recipes on it.
 *
 *   kt_backend_boot()       the session (kernel, initramfs, machine, agent
 *                           HELLO) and host introspection, from the guest
 *                           options;
 *   kt_backend_link()       the guest link (engine/link.h) for the executor;
 *   kt_backend_host()       host introspection (engine/host.h), or no ops;
 *   kt_backend_next_event() one typed event source (engine/gevent.h): the
 *                           agent's EVENT and LOG frames, the
 *                           introspection's watch fires and notes, the guest
 *                           going down; kt_backend_event_fd() is readable
 *                           while one waits.
 *
 * The link's next_event hook is the same source, so an executor built on
 * kt_backend_link() takes every event itself (between statements, through
 * holds, when pumped idle) and hands them on in its own events; a front
 * end reads the source directly only while no executor runs (a boot that
 * failed still leaves its agent log lines there).
 *
 * Threads: events are queued from any thread (the watch thread, the
 * thread that pumps the link); everything else is for one thread at a
 * time, the one that drives the executor. `ktcon run` and the console
 * both build their guests here.
 */
#ifndef KTCON_VMM_BACKEND_H
#define KTCON_VMM_BACKEND_H

#include <stdbool.h>

#include "lib/err.h"
#include "engine/gevent.h"
#include "engine/host.h"
#include "engine/link.h"
#include "vmm/session.h"

struct kt_backend_opts {
	/* What to boot. on_log and its context are the backend's own (the
	 * agent's log lines are events); on_console stays the caller's. */
	struct session_opts so;
	/* Without host introspection the boot fails (a recipe with
	 * host-side ops); otherwise that is a warning note and the host's
	 * ops say why they cannot run. */
	bool host_required;
	/* A front end that reads nothing of the host (`ktcon boot` without
	 * --sched-state): no introspection is opened at all. */
	bool no_host;
	/* Introspection without the sched_ext exit trigger (slot 0's
	 * watchpoint and its failure dump): `ktcon boot --sched-state`
	 * only samples. */
	bool no_exit_trigger;
};

struct kt_backend;
struct intro;

/* Boot the guest and open its introspection. *out is set whenever memory
 * allows, even on failure (then the guest is down, but the events heard
 * while booting can still be read); free it with kt_backend_free. */
struct kterr *kt_backend_boot(const struct kt_backend_opts *o, struct kt_backend **out);

/* True once booted, until kt_backend_shutdown. */
bool kt_backend_up(const struct kt_backend *b);

struct kt_link kt_backend_link(struct kt_backend *b);
/* ops NULL: no introspection (it failed and was not required). */
struct kt_host kt_backend_host(struct kt_backend *b);
/* The introspection itself, for what the engine's host interface does not
 * cover (the timeline's sampler, intro_sample); NULL: none. */
struct intro *kt_backend_intro(struct kt_backend *b);

/* The oldest waiting event (the caller frees it: kt_gev_free), or NULL. */
struct kt_guest_event *kt_backend_next_event(struct kt_backend *b);
int kt_backend_event_fd(const struct kt_backend *b);

/* The booted session: HELLO, kernel, machine, the agent link for `sh`. */
struct session *kt_backend_session(struct kt_backend *b);

/* Close the introspection (no more fires), power the guest off through
 * the agent (grace_ms), stop the machine. Events already queued stay. */
void kt_backend_shutdown(struct kt_backend *b, int grace_ms);
/* Shuts down if still up, then frees. */
void kt_backend_free(struct kt_backend *b);

#endif
