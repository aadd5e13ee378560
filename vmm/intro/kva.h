/*
 * kva.h - x86_64 kernel virtual addresses -> guest-physical addresses.
 *
 * Three ways, cheapest first:
 *  - the kernel image: an address inside one of vmlinux's load segments
 *    maps like the segment (p_vaddr -> p_paddr) plus phys_base, the
 *    kernel's own relocation, found by reading its `phys_base` variable
 *    (a fixed point: the value stored there is the one that locates it);
 *  - the direct map: [page_offset_base, + phys_limit) is RAM from 0, only
 *    where the kernel has a `page_offset_base` variable (dynamic memory
 *    layout); no fixed base is assumed;
 *  - everything else (the direct map without that variable, vmalloc,
 *    per-CPU areas, modules): a walk of the page tables from a root,
 *    init_top_pgt by default (the kernel half of every mm is the same) or a
 *    vCPU's CR3; 4- or 5-level (CR4.LA57, or __pgtable_l5_enabled), with
 *    1 GiB and 2 MiB pages.
 *
 * The walker is pure over a physical-read callback, so tests feed it page
 * tables built in a buffer. A not-present entry is ENOENT naming the level,
 * the entry and where it sits; a non-canonical address is EINVAL.
 */
#ifndef KTCON_VMM_KVA_H
#define KTCON_VMM_KVA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "vmm/intro/ksym.h"

#define KVA_PAGE_SIZE 4096ULL
#define KVA_PTE_ADDR_MASK 0x000ffffffffff000ULL
#define KVA_PTE_PRESENT (1ULL << 0)
#define KVA_PTE_RW (1ULL << 1)
#define KVA_PTE_PS (1ULL << 7)	/* a 1 GiB (PUD) or 2 MiB (PMD) page */

/* A relocated x86_64 kernel lands on a CONFIG_PHYSICAL_ALIGN boundary,
 * which is at least 2 MiB: where to look for it. */
#define KVA_RELOC_ALIGN 0x200000ULL

typedef struct kterr *(*kva_read_fn)(void *ctx, uint64_t pa, void *buf, size_t len);

/* Walk levels (4 or 5) of page tables from root (a physical address, low
 * 12 bits ignored, as in CR3). *page_size (may be NULL) is the size of the
 * page that maps va. */
struct kterr *kva_walk(kva_read_fn read, void *ctx, uint64_t root, unsigned levels, uint64_t va,
		       uint64_t *pa, uint64_t *page_size);

struct kva {
	kva_read_fn read;
	void *ctx;
	struct ksym_segment image[KSYM_MAX_SEGMENTS];	/* the high-half segments */
	size_t nimage;
	uint64_t phys_base;
	uint64_t page_offset;	/* 0: unknown, walk instead */
	uint64_t phys_limit;	/* end of guest-physical memory */
	uint64_t root;		/* page-table root for walks */
	unsigned levels;
};

/* Set up from vmlinux and the guest's memory: segments, phys_base, the
 * walk root (init_top_pgt, else swapper_pg_dir), the paging depth and
 * page_offset_base when the kernel has them. The kernel must be far
 * enough in its boot to have set phys_base (it is by the time userspace
 * runs). */
struct kterr *kva_init(struct kva *k, const struct ksyms *ks, kva_read_fn read, void *ctx,
		       uint64_t phys_limit);

/* Use a vCPU's CR3 and CR4 for walks from now on. */
void kva_set_cr3(struct kva *k, uint64_t cr3, uint64_t cr4);

/* va -> pa; *avail (may be NULL): bytes from pa to the end of its page (or
 * of the image segment / direct map), so a caller splits longer accesses. */
struct kterr *kva_translate(const struct kva *k, uint64_t va, uint64_t *pa, uint64_t *avail);

/* The image mapping alone (no memory access); false when va is not in it. */
bool kva_image_pa(const struct kva *k, uint64_t va, uint64_t *pa, uint64_t *avail);

#endif
