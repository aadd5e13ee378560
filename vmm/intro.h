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
 * - capture-snapshot and watch-snapshot: snapshot.h, watch.h.
 *
 * Every freeze is counted and logged (on_log: "freeze #N write-kernel-cold:
 * 2 vCPUs parked 812 us"), so a test can see how many windows an op took.
 * One lock serialises the gdb connection between the engine's thread and
 * the watch thread; hot accesses take no lock.
 */
#ifndef KTCON_VMM_INTRO_H
#define KTCON_VMM_INTRO_H

#include <stdint.h>

#include "engine/err.h"
#include "engine/host.h"
#include "vmm/machine.h"

struct intro;

/* A watchpoint fired and a snapshot was taken (on the watch thread or,
 * when a freeze found the fire waiting, the engine's thread). */
struct intro_fire {
	const char *symbol;
	uint64_t snap;		/* the capture, tagged with the symbol */
	const char *text;	/* "vCPU 1 rip 0x... 0x2a -> 0x2b at +12.3 ms" */
};

struct intro_opts {
	void (*on_log)(void *ctx, const char *line);		/* may be NULL */
	void (*on_fire)(void *ctx, const struct intro_fire *f);	/* may be NULL */
	void *ctx;
};

/* m must be up (the kernel booted: its page tables and phys_base set);
 * vmlinux is the image it runs. */
struct kterr *intro_open(struct machine *m, const char *vmlinux, const struct intro_opts *o,
			 struct intro **out);
/* Disarms watches (the guest keeps running) and frees everything. */
void intro_close(struct intro *in);

/* The engine's view: ops and ctx for kt_exec_config.host. */
struct kt_host intro_host(struct intro *in);

/* Freezes so far (each cold op, snapshot and watch fire is one). */
uint64_t intro_freezes(const struct intro *in);

#endif
