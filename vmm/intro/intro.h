/*
 * intro.h - host introspection of one booted guest: the engine's host
 * interface (engine/host.h) over shared guest RAM, the guest's vmlinux
 * (symbols, BTF) and the gdbstub freeze.
 *
 * - read-kernel-hot / write-kernel-hot: plain accesses to the shared RAM
 *   while the vCPUs run (kmem.h: untorn aligned integers, a release fence
 *   after writes);
 * - read-kernel-cold / write-kernel-cold: every target is resolved first
 *   (a bad symbol fails before anything stops), then ONE freeze for the
 *   whole batch;
 * - capture-snapshot: snapshot.h; snapshots are kept by tag, and a tag
 *   keeps its id: a later capture under it (a watch firing again)
 *   overwrites the content, so any holder of the id reads the latest;
 * - watch-snapshot: watch.h. A thread
 *   waits for watch fires while the guest runs; a freeze that finds a fire
 *   already waiting handles it first, in a window of its own;
 * - the sched_ext exit trigger (exit_trigger): the reserved watch slot on
 *   the exit kind (6.12: scx_exit_kind); a write of an error kind
 *   (>= SCX_EXIT_ERROR) takes a failure dump tagged "sched_ext_exit" and
 *   announces it as a watch fire (intro_opts.on_event). Kernels that keep the exit kind in the
 *   scheduler instance (7.x: scx_root->exit_kind, offset from BTF) get the
 *   trigger moved to each new instance scx_root points to, within 50 ms
 *   of the change (the watch thread polls scx_root), and disarmed while
 *   it is NULL.
 *
 * Every freeze is counted and told (a note: "freeze #N write-kernel-cold:
 * 2 vCPUs parked 812 us"), so a test can see how many windows an op took.
 * One lock serialises the gdb connection between the engine's thread and
 * the watch thread; hot accesses take no lock.
 */
#ifndef KTCON_VMM_INTRO_H
#define KTCON_VMM_INTRO_H

#include <stdint.h>

#include "engine/gevent.h"
#include "lib/err.h"
#include "engine/host.h"
#include "vmm/machine/machine.h"

struct intro;

struct intro_opts {
	bool exit_trigger;		/* arm the sched_ext exit trigger at open */
	/*
	 * May be NULL. The introspection's news as typed events
	 * (engine/gevent.h), on the watch thread or the engine's, valid
	 * during the call:
	 * - KT_GEV_WATCH_FIRE: a watch fired; name is the capture's tag (the
	 *   symbol, or the exit trigger's "sched_ext_exit"), snap the capture
	 *   or 0 for a fire counted but not captured (watch.h's budget);
	 * - KT_GEV_NOTE: a freeze and its window, a stray stop, what
	 *   snapshots will lack (KT_SEV_INFO).
	 */
	void (*on_event)(void *ctx, const struct kt_guest_event *ev);
	void *ctx;
};

/* m must be up (the kernel booted: its page tables and phys_base set);
 * vmlinux is the image it runs. */
struct kterr *intro_open(struct machine *m, const char *vmlinux, const struct intro_opts *o,
			 struct intro **out);
/* Stops the watch thread, disarms the watches (the guest keeps running)
 * and frees everything. */
void intro_close(struct intro *in);

/* The engine's view: ops and ctx for kt_exec_config.host. */
struct kt_host intro_host(struct intro *in);

/* Freezes so far (each cold op, snapshot and watch fire is one). */
uint64_t intro_freezes(const struct intro *in);

/* Live scheduler state (sampler.h) every period_ms, without pausing the
 * guest, until intro_close; one sampler per intro. fn runs on the
 * sampler's thread. */
struct kterr *intro_sample(struct intro *in, unsigned period_ms,
			   void (*fn)(void *ctx, const char *line), void *ctx);

/* Stop the sampler (nothing when none runs); the introspection stays. */
void intro_sample_stop(struct intro *in);

/* The scheduler's kernel state now, read while the guest runs (values
 * may be mutually inconsistent); ENOENT when this kernel gives no plan.
 * Any thread; no lock (hot reads only). */
struct kstate;
struct kterr *intro_kstate_read(struct intro *in, struct kstate *out);

/* The last freeze's window (stop reply to continue) and, for a capture,
 * the part of it spent reading, in ns. */
void intro_last_freeze(const struct intro *in, uint64_t *window_ns, uint64_t *capture_ns);

#endif
