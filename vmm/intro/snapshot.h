/*
 * snapshot.h - a coherent picture of the guest, taken while every vCPU is
 * parked: each vCPU's registers, the runqueues and sched_ext globals
 * (kstate.h), the BPF maps with their globals by name (bpfsnap.h), a copy
 * of the kernel's .data and .bss (so any kernel variable there can be
 * asked for afterwards), and, for a watchpoint fire, what fired.
 *
 * Taken in two halves so the freeze window holds only what must be
 * coherent: snapshot_take() runs inside the freeze and only reads
 * (registers over gdb, memory copies); snapshot_finish() runs after the
 * resume and decodes it into a JSON tree (json-c objects, kept as
 * they are until they leave the process: see doc/architecture.md).
 *
 * Variables by name (`expect snapshot TAG var NAME`), first match wins:
 *   scx.FIELD              sched_ext globals (kstate.h)
 *   cpuN.FIELD             runqueue fields of CPU N
 *   vcpuN.REG              registers of vCPU N (rip, rsp, cr3, ...)
 *   freeze_us, capture_us  the window and the part spent reading
 *   NAME or MAP.NAME       a global of a BPF program (.bss/.data/.rodata)
 *   maps.NAME              how many BPF maps have that exact name
 *   NAME                   a kernel variable in .data or .bss, by its
 *                          symbol's size (1, 2, 4 or 8 bytes, unsigned)
 */
#ifndef KTCON_VMM_SNAPSHOT_H
#define KTCON_VMM_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "engine/ktarget.h"
#include "vmm/machine/freeze.h"
#include "vmm/machine/gdbstub.h"
#include "vmm/intro/kmem.h"
#include "vmm/intro/kstate.h"

struct bpfsnap;
struct json_object;
struct bpfsnap_plan;

/* A write watchpoint fired: this capture is its record. */
struct snapshot_watch {
	char symbol[KT_SYMBOL_MAX];
	uint64_t addr;
	unsigned vcpu;		/* index among the vCPUs, 0-based */
	uint64_t rip;		/* after the writing instruction */
	uint32_t old, new;	/* the 4 watched bytes before and after */
	uint64_t t_ns;		/* since the scenario's introspection began */
};

struct snapshot_copy {
	const char *section;
	uint64_t va, len;
	uint8_t *bytes;
};

struct snapshot {
	uint64_t id;
	char *tag;
	uint64_t wall_ns;		/* CLOCK_REALTIME when taken */
	uint64_t capture_ns;		/* reading, inside the window */
	uint64_t freeze_ns;		/* the whole window (after the resume) */
	size_t nvcpus;
	struct gdb_x86_regs regs[FREEZE_MAX_VCPUS];
	bool have_kstate;
	struct kstate ks;
	struct snapshot_copy kdata[2];	/* .data, .bss */
	struct bpfsnap *bpf;		/* NULL when the maps could not be read */
	bool has_watch;
	struct snapshot_watch watch;
	char *notes;			/* what could not be read, for the JSON */
	struct json_object *tree;	/* after snapshot_finish; owned */
};

/* What a capture reads through. */
struct snapctx {
	struct gdb *gdb;
	const struct kmem *km;
	const struct ksyms *ks;
	const struct kstate_plan *plan;		/* NULL: no kernel state */
	struct bpfsnap_plan *bpf;		/* NULL: no BPF maps (its BTF cache
						 * fills in snapshot_finish) */
	/* Where .data and .bss are copied inside the window: memory already
	 * faulted in (snapshot_scratch), so the copy is a warm memcpy; the
	 * snapshot gets its own copy after the resume. NULL: no copy. */
	uint8_t *scratch;
	size_t scratch_len;
};

/* Bytes of scratch a capture needs for the kernel's .data and .bss. */
size_t snapshot_scratch_size(const struct ksyms *ks);

/* Fault in the scratch buffer and the guest pages the copy reads, so the
 * first capture's window is not spent in page faults. */
void snapshot_prefault(const struct snapctx *c);

/* Inside a freeze (f from freeze_begin). s is zeroed and filled; parts
 * that cannot be read are noted, not fatal; registers are. */
struct kterr *snapshot_take(struct snapshot *s, const struct snapctx *c, const struct freeze *f,
			    const char *tag);

/* After the resume: freeze_ns set by the caller; builds s->tree. */
void snapshot_finish(struct snapshot *s, const struct snapctx *c);

/* A variable as a number (see above); the error says what names exist. */
struct kterr *snapshot_var(const struct snapshot *s, const struct snapctx *c, const char *name,
			   uint64_t *v);

void snapshot_free(struct snapshot *s);

#endif
