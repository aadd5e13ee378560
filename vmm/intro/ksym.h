/*
 * ksym.h - the guest kernel's vmlinux as the host needs it: the symbol
 * table (exact-name lookup, as `nm vmlinux` prints names), sections by
 * name, and the load segments that say where the kernel image sits in
 * guest-physical memory (p_vaddr -> p_paddr, before any relocation).
 *
 * Lookup is a verbatim byte-for-byte match: no prefix stripping, no
 * kallsyms, no BTF. When several symbols share a name (file-local statics
 * do), a global one wins over locals; among locals the first in the table
 * wins and `dups` says how many others there are.
 *
 * Per-CPU variables (section ".data..percpu") are linked at their offset
 * in the per-CPU area, not at an address: `percpu` marks them, and a
 * caller adds __per_cpu_offset[cpu] (kmem.h does).
 *
 * Read with libelf once; everything is copied, the file is closed.
 */
#ifndef KTCON_VMM_KSYM_H
#define KTCON_VMM_KSYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define KSYM_PERCPU_SECTION ".data..percpu"
#define KSYM_MAX_SEGMENTS 16

struct ksym {
	const char *name;	/* owned by the table */
	uint64_t addr;		/* st_value: link address, or per-CPU offset */
	uint64_t size;		/* st_size; 0 when the ELF does not say */
	const char *section;	/* section name, "" for absolute symbols */
	bool percpu;
	bool global;		/* STB_GLOBAL or STB_WEAK */
	bool func;		/* STT_FUNC */
	unsigned dups;		/* other symbols with this name */
};

/* A PT_LOAD segment: link address range -> physical load address. */
struct ksym_segment {
	uint64_t vaddr, paddr, memsz;
};

struct ksyms;

struct kterr *ksyms_load(const char *vmlinux, struct ksyms **out);
void ksyms_free(struct ksyms *ks);

const char *ksyms_path(const struct ksyms *ks);
size_t ksyms_count(const struct ksyms *ks);

/* Exact name, or NULL. */
const struct ksym *ksyms_find(const struct ksyms *ks, const char *name);

/* The same, as an error naming the symbol and the vmlinux when absent. */
struct kterr *ksyms_lookup(const struct ksyms *ks, const char *name, const struct ksym **out);

/* A section's address and size; false when there is none by that name. */
bool ksyms_section(const struct ksyms *ks, const char *name, uint64_t *addr, uint64_t *size);

/* The load segments in file order (per-CPU and init ones included). */
const struct ksym_segment *ksyms_segments(const struct ksyms *ks, size_t *n);

#endif
