/*
 * gevent.h - asynchronous news from the guest and from the host, typed.
 *
 * A backend (vmm/backend.h) collects them in one queue: the agent's EVENT
 * and LOG frames, the introspection's watch fires and notes, the machine
 * going down. The guest link hands them to the executor through its
 * next_event hook (link.h); the executor applies what changes the scenario
 * (a payload or scheduler gone, a capture under a watch's tag) and passes
 * every one on to the front ends in its events (events.h, .gev). Nothing
 * in between turns them into text: kt_gev_text() renders one, at the edge
 * (a console log line, `ktcon run`'s printed line, the results' JSON).
 */
#ifndef KTCON_ENGINE_GEVENT_H
#define KTCON_ENGINE_GEVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kt_guest_event_kind {
	KT_GEV_WORKER_EXIT,	/* pid, status */
	KT_GEV_PAYLOAD_EXIT,	/* name, handle, status */
	KT_GEV_SCHED_EXIT,	/* name: the scheduler; sched */
	KT_GEV_WATCH_FIRE,	/* name: the capture's tag; snap (0: not captured); fire */
	KT_GEV_LOG,		/* text: an agent log line */
	KT_GEV_NOTE,		/* severity, text: the host's own news (a freeze, a warning) */
	KT_GEV_DIED,		/* text: how the guest went; tail: the console's last lines */
};

enum kt_severity {
	KT_SEV_INFO,		/* news: a freeze and its window */
	KT_SEV_WARN,		/* something does not work (no introspection) */
};

/* A write watchpoint fired (host introspection, vmm/intro/). */
struct kt_watch_fire {
	const char *symbol;	/* the watched symbol */
	uint64_t n;		/* its fires so far, this one included */
	unsigned vcpu;		/* the vCPU that wrote */
	bool has_rip;		/* rip read (a captured fire) */
	uint64_t rip;
	uint32_t old_value, new_value;
	uint64_t t_ns;		/* since the introspection opened */
	/* The sched_ext exit trigger: the kernel wrote an error exit kind;
	 * name is then the failure dump's tag. */
	bool trigger;
	const char *exit_kind;	/* the kind's enum name, NULL: unknown */
	int32_t exit_value;
};

/* The scheduler's process exited, or the kernel ejected it. */
struct kt_sched_exit {
	bool ejected;		/* sched_ext left "enabled" (the process may live on) */
	int status;		/* not ejected: exit status, or -SIGNAL */
	const char *kind;	/* the exit kind's name ("SCX_EXIT_ERROR"), or NULL */
	uint64_t kind_value;
	const char *why;	/* the kernel's reason */
	const char *detail;	/* ...and its detail */
	const char *kmsg;	/* the kernel's sched_ext records */
	const char *output;	/* the scheduler's last output */
};

struct kt_guest_event {
	enum kt_guest_event_kind kind;
	uint64_t at_ns;		/* when it happened (CLOCK_MONOTONIC); 0: when queued */
	const char *name;
	const char *text;
	const char *tail;	/* DIED */
	enum kt_severity severity;	/* NOTE */
	int pid;
	int status;
	uint64_t handle;
	uint64_t snap;
	/* SCHED_EXIT: the kernel ejected the scheduler (sched_ext left
	 * "enabled"), reported before or without its process exiting. */
	bool ejected;
	struct kt_watch_fire fire;	/* WATCH_FIRE */
	struct kt_sched_exit sched;	/* SCHED_EXIT */
};

/* A deep copy that owns its strings (malloc'd; NULL: out of memory). */
struct kt_guest_event *kt_gev_dup(const struct kt_guest_event *ev);
/* Frees a copy from kt_gev_dup. */
void kt_gev_free(struct kt_guest_event *ev);

/* The event as one line of text, as the front ends print it (without
 * their own prefix): "fire 3 on vCPU 1 at rip 0x...: 0x2a -> 0x2b at
 * +12.300 ms", "exit status 1; kernel: ...; its last output: ...". For a
 * watch fire, the fire only; for a scheduler exit, the reason only. */
void kt_gev_text(const struct kt_guest_event *ev, char *buf, size_t size);

/* One fire as kt_gev_text() renders it ("fire 3 on vCPU 1 at rip ...");
 * tag names the exit trigger's failure dump. Also a watch's summary line
 * renders its latest fire so (watches.h). */
void kt_fire_text(const struct kt_watch_fire *f, const char *tag, char *buf, size_t size);

/* "watch-fire", "sched-exit", ...: for logs and JSON. */
const char *kt_gev_name(enum kt_guest_event_kind kind);

#endif
