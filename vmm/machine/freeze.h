/*
 * freeze.h - the freeze coordinator: park every vCPU, do something with a
 * coherent guest (read registers, copy memory), resume, and know how long
 * the guest stood still.
 *
 * It drives QEMU's gdbstub (all-stop: one stop parks every vCPU). The gdb
 * connection is made at the first freeze, because QEMU stops the guest as
 * soon as a debugger connects: the connect is that first freeze's stop.
 * Snapshots, cold kernel reads and writes, and watchpoints build on this.
 *
 * Debugging aid: KTCON_GDB_TRACE=FILE writes the gdb conversation in the
 * tests/data/gdb transcript format (the file stays open while ktcon runs).
 */
#ifndef KTCON_VMM_FREEZE_H
#define KTCON_VMM_FREEZE_H

#include <stdint.h>

#include "lib/err.h"
#include "vmm/machine/gdbstub.h"
#include "vmm/machine/machine.h"

#define FREEZE_MAX_VCPUS 64

struct freeze {
	struct gdb_tid vcpus[FREEZE_MAX_VCPUS];
	size_t nvcpus;
	struct gdb_stop why;	/* the stop: ours, or a watchpoint that fired first */
	uint64_t begin_ns;	/* when every vCPU was parked */
	uint64_t paused_ns;	/* after freeze_end: how long they were */
};

/* Park every vCPU. */
struct kterr *freeze_begin(struct machine *m, struct freeze *f);

/* Resume; f->paused_ns is the time the guest stood still. */
struct kterr *freeze_end(struct machine *m, struct freeze *f);

#endif
