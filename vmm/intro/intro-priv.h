/*
 * intro-priv.h - what the two halves of host introspection share: the
 * intro object, and the freezes and captures the watch half (intro-watch.c:
 * fires, arming, the watch thread, the exit trigger) borrows from the
 * engine-facing half (intro.c: kernel reads and writes, snapshots). Not a
 * public interface: see intro.h.
 */
#ifndef KTCON_VMM_INTRO_PRIV_H
#define KTCON_VMM_INTRO_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/intro/bpfsnap.h"
#include "vmm/machine/freeze.h"
#include "vmm/intro/intro.h"
#include "vmm/intro/kmem.h"
#include "vmm/intro/ksym.h"
#include "vmm/intro/kstate.h"
#include "vmm/intro/sampler.h"
#include "vmm/intro/snapshot.h"
#include "vmm/intro/watch.h"

#define MAX_SNAPSHOTS 256	/* distinct tags kept; the oldest goes first */
#define EXIT_TAG "sched_ext_exit"
#define WATCHER_POLL_MS 50
/* A freeze that keeps finding fires (a symbol written every tick) stops
 * giving each its own window after this many and gets on with its op. */
#define MAX_FIRES_BEFORE_OP 8

struct intro {
	struct machine *m;
	struct ksyms *syms;
	struct btf *btf;		/* the kernel's, from vmlinux */
	struct kstate_plan *plan;	/* NULL when the BTF has no struct rq */
	struct bpfsnap_plan *bpf;	/* NULL when maps cannot be listed */
	char *plan_why;
	struct kmem km;
	struct intro_opts o;
	pthread_mutex_t lock;	/* the gdb connection (freezes) and the snapshots */
	uint64_t nfreezes;
	uint64_t last_window_ns, last_capture_ns;
	uint64_t t0_ns;		/* intro_open: watch fire times count from here */
	uint8_t *scratch;	/* snapshot.h: .data and .bss land here first */
	size_t scratch_len;
	struct snapshot *snaps[MAX_SNAPSHOTS];
	size_t nsnaps;
	uint64_t next_snap;
	struct watches watches;
	/* The vCPUs as the last freeze listed them (QEMU's thread ids do not
	 * change): a fire that is only counted needs no listing of its own. */
	struct gdb_tid vcpus[FREEZE_MAX_VCPUS];
	size_t nvcpus;
	int64_t exit_error;	/* SCX_EXIT_ERROR: trigger writes at or above */
	/* Kernels that keep the exit kind in the scheduler instance (7.x:
	 * scx_root->exit_kind): scx_root's address, exit_kind's offset in
	 * struct scx_sched (BTF), and the scx_root the trigger follows. */
	uint64_t root_addr, root_exit_off, root_seen;
	pthread_t watcher;
	bool watcher_started;
	atomic_bool stopping;
	bool broken;		/* the gdb connection failed: no more fires */
	struct sampler *sampler;
	void (*sample_fn)(void *ctx, const char *line);
	void *sample_ctx;
};

/* A note (KT_GEV_NOTE, intro_opts.on_event), formatted. */
void intro_log(struct intro *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Park every vCPU (lock held); a watch that fired first gets its capture
 * in a window of its own. */
struct kterr *intro_freeze(struct intro *in, struct freeze *f);
/* Resume, count and log the window (what NULL: counted, not logged: a
 * watch fire, which the engine reports at most once a second). */
struct kterr *intro_thaw(struct intro *in, struct freeze *f, const char *what);

/* Inside a freeze: a snapshot under tag (its id: the tag's); after the
 * resume, intro_finish_capture renders and keeps it. */
struct kterr *intro_take(struct intro *in, const struct freeze *f, const char *tag,
			 struct snapshot **out);
void intro_finish_capture(struct intro *in, struct snapshot *s, const struct freeze *f);

/* intro-watch.c */
struct kterr *intro_handle_fire(struct intro *in, struct freeze *f, bool resume);
struct kterr *intro_watch_arm(void *ctx, const char *symbol, unsigned user_slot);
struct kterr *intro_watch_disarm(void *ctx, unsigned user_slot);
void intro_watch_start(struct intro *in);	/* the trigger (when asked) and the thread */
void intro_watch_stop(struct intro *in);	/* the thread, then every watch */

#endif
