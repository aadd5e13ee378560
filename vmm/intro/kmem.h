/*
 * kmem.h - the guest kernel's memory by symbol and by address.
 *
 * A target (engine/ktarget.h: SYMBOL[@CPU][+OFFSET] or 0x...) resolves to
 * a kernel virtual address: the symbol's link address, or for a per-CPU
 * variable its offset plus __per_cpu_offset[CPU] (CPU below nr_cpu_ids),
 * plus OFFSET. Bytes are then read or written through the shared guest
 * RAM, translated page by page (kva.h), so a range may span pages that are
 * not physically contiguous.
 *
 * An access of 1, 2, 4 or 8 bytes that is naturally aligned is one load
 * or store, so a running guest never sees it torn; every write ends with a
 * release fence. Whether the vCPUs run (hot) or are parked (cold) is the
 * caller's business: nothing here locks or pauses.
 */
#ifndef KTCON_VMM_KMEM_H
#define KTCON_VMM_KMEM_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "engine/ktarget.h"
#include "vmm/machine/guestmem.h"
#include "vmm/intro/ksym.h"
#include "vmm/intro/kva.h"

struct kmem {
	struct guestmem *ram;
	const struct ksyms *syms;
	struct kva kva;
};

/* ram and ks must outlive km. */
struct kterr *kmem_init(struct kmem *km, struct guestmem *ram, const struct ksyms *ks);

/* The kernel virtual address of a target. */
struct kterr *kmem_resolve(const struct kmem *km, const struct kt_ktarget *t, uint64_t *va);

/* A per-CPU variable's copy: offset (a .data..percpu link value) on cpu. */
struct kterr *kmem_percpu(const struct kmem *km, uint64_t offset, unsigned cpu, uint64_t *va);

/* nr_cpu_ids as the guest has it (possible CPUs). */
struct kterr *kmem_nr_cpu_ids(const struct kmem *km, unsigned *n);

struct kterr *kmem_read(const struct kmem *km, uint64_t va, void *buf, size_t len);
struct kterr *kmem_write(const struct kmem *km, uint64_t va, const void *buf, size_t len);

/* Zero-copy: a host pointer to the guest bytes at va, *n of them (at
 * most len, up to the end of va's page); for scanning big kernel arrays
 * in place. The bytes may change under the reader while vCPUs run. */
struct kterr *kmem_map(const struct kmem *km, uint64_t va, size_t len, const uint8_t **p,
		       size_t *n);

/* A global (not per-CPU) symbol's first len bytes. */
struct kterr *kmem_read_sym(const struct kmem *km, const char *name, void *buf, size_t len);

/* Little-endian integers of 1..8 bytes, zero-extended. */
struct kterr *kmem_read_uint(const struct kmem *km, uint64_t va, size_t len, uint64_t *v);

#endif
