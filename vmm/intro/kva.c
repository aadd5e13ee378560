/* kva.c - kernel virtual -> guest physical on x86_64; see kva.h. */
#include "vmm/intro/kva.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#define CR4_LA57 (1ULL << 12)
#define CR3_ADDR_MASK KVA_PTE_ADDR_MASK

static const char *level_name(unsigned level, unsigned levels)
{
	switch (level) {
	case 5: return "PGD";
	case 4: return levels == 5 ? "P4D" : "PGD";
	case 3: return "PUD";
	case 2: return "PMD";
	default: return "PTE";
	}
}

static bool canonical(uint64_t va, unsigned levels)
{
	unsigned bits = levels == 5 ? 57 : 48;
	uint64_t top = va >> (bits - 1);	/* the sign bit and everything above */

	return top == 0 || top == (UINT64_MAX >> (bits - 1));
}

struct kterr *kva_walk(kva_read_fn read, void *ctx, uint64_t root, unsigned levels, uint64_t va,
		       uint64_t *pa, uint64_t *page_size)
{
	uint64_t table = root & CR3_ADDR_MASK;

	if (levels != 4 && levels != 5)
		return kterr_new(EINVAL, "page walk: %u paging levels (4 or 5 expected)", levels);
	if (!canonical(va, levels))
		return kterr_new(EINVAL, "kernel address 0x%" PRIx64 " is not canonical with "
				 "%u-level paging", va, levels);
	for (unsigned level = levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		uint64_t slot = table + ((va >> shift) & 511) * 8, entry;
		struct kterr *e = read(ctx, slot, &entry, sizeof(entry));

		if (e)
			return kterr_wrap(e, "page walk for 0x%" PRIx64 ": %s table at 0x%" PRIx64,
					  va, level_name(level, levels), table);
		if (!(entry & KVA_PTE_PRESENT))
			return kterr_new(ENOENT, "kernel address 0x%" PRIx64 " is not mapped: %s "
					 "entry 0x%" PRIx64 " at guest-physical 0x%" PRIx64
					 " is not present", va, level_name(level, levels), entry, slot);
		if (level == 1 || ((level == 2 || level == 3) && (entry & KVA_PTE_PS))) {
			uint64_t size = 1ULL << shift;

			*pa = (entry & KVA_PTE_ADDR_MASK & ~(size - 1)) | (va & (size - 1));
			if (page_size)
				*page_size = size;
			return NULL;
		}
		if (entry & KVA_PTE_PS)	/* PS at the top levels is reserved */
			return kterr_new(EINVAL, "page walk for 0x%" PRIx64 ": %s entry 0x%" PRIx64
					 " has the page-size bit", va, level_name(level, levels), entry);
		table = entry & KVA_PTE_ADDR_MASK;
	}
	return kterr_new(EINVAL, "page walk for 0x%" PRIx64 ": no level mapped it", va);
}

bool kva_image_pa(const struct kva *k, uint64_t va, uint64_t *pa, uint64_t *avail)
{
	for (size_t i = 0; i < k->nimage; i++) {
		const struct ksym_segment *s = &k->image[i];

		if (va >= s->vaddr && va - s->vaddr < s->memsz) {
			*pa = va - s->vaddr + s->paddr + k->phys_base;
			if (avail)
				*avail = s->memsz - (va - s->vaddr);
			return true;
		}
	}
	return false;
}

struct kterr *kva_translate(const struct kva *k, uint64_t va, uint64_t *pa, uint64_t *avail)
{
	uint64_t size;
	struct kterr *e;

	if (kva_image_pa(k, va, pa, avail))
		return NULL;
	if (k->page_offset && va >= k->page_offset && va - k->page_offset < k->phys_limit) {
		*pa = va - k->page_offset;
		if (avail)
			*avail = k->phys_limit - *pa;
		return NULL;
	}
	e = kva_walk(k->read, k->ctx, k->root, k->levels, va, pa, &size);
	if (!e && avail)
		*avail = size - (*pa & (size - 1));
	return e;
}

static struct kterr *read_u64_at(const struct kva *k, uint64_t va, uint64_t *v)
{
	uint64_t pa;

	if (!kva_image_pa(k, va, &pa, NULL))
		return kterr_new(EFAULT, "0x%" PRIx64 " is outside the kernel image", va);
	return k->read(k->ctx, pa, v, sizeof(*v));
}

/* Does the image sit at phys_base p? Its page tables must map its first
 * segment where p says it is. */
static bool image_at(struct kva *k, uint64_t root_va, uint64_t p)
{
	uint64_t root, want, got;
	struct kterr *e;

	k->phys_base = p;
	if (!kva_image_pa(k, root_va, &root, NULL) ||
	    !kva_image_pa(k, k->image[0].vaddr, &want, NULL))
		return false;
	for (unsigned levels = 4; levels <= 5; levels++) {
		e = kva_walk(k->read, k->ctx, root, levels, k->image[0].vaddr, &got, NULL);
		kterr_free(e);
		if (!e && got == want) {
			k->levels = levels;
			return true;
		}
	}
	return false;
}

/* phys_base is where the image landed minus where it was linked to land:
 * a p at which the `phys_base` variable holds p, and at which the image's
 * own page tables map the image there. Candidates: 0, then every
 * alignment step through RAM (a relocated kernel lands aligned). */
static struct kterr *find_phys_base(struct kva *k, const struct ksyms *ks, uint64_t root_va)
{
	const struct ksym *s = ksyms_find(ks, "phys_base");
	uint64_t pa0, align = KVA_RELOC_ALIGN;

	k->phys_base = 0;
	if (!s)
		return NULL;	/* not relocatable: it runs where it was linked */
	if (!kva_image_pa(k, s->addr, &pa0, NULL))
		return kterr_new(EFAULT, "phys_base (0x%" PRIx64 ") is outside the kernel image",
				 s->addr);
	for (uint64_t p = 0; pa0 + p + 8 <= k->phys_limit; p += align) {
		uint64_t v;
		struct kterr *e = k->read(k->ctx, pa0 + p, &v, sizeof(v));

		if (e) {	/* a hole in guest RAM: keep looking above it */
			kterr_free(e);
			continue;
		}
		if (v == p && image_at(k, root_va, p))
			return NULL;
	}
	k->phys_base = 0;
	return kterr_hint(kterr_new(ENOENT, "cannot find where the kernel image is in guest "
				    "memory: no phys_base that its page tables agree with"),
			  "the kernel may not have booted far enough yet, or it runs with KASLR "
			  "(boot it with nokaslr) or is not the vmlinux given");
}

struct kterr *kva_init(struct kva *k, const struct ksyms *ks, kva_read_fn read, void *ctx,
		       uint64_t phys_limit)
{
	const struct ksym_segment *segs;
	const struct ksym *s, *root;
	size_t n;
	struct kterr *e;

	memset(k, 0, sizeof(*k));
	k->read = read;
	k->ctx = ctx;
	k->phys_limit = phys_limit;
	k->levels = 4;
	segs = ksyms_segments(ks, &n);
	/* The image is linked above where it loads; the per-CPU segment is
	 * linked at 0 (offsets, see ksym.h) and is not a mapping. */
	for (size_t i = 0; i < n; i++)
		if (segs[i].vaddr > segs[i].paddr && k->nimage < KSYM_MAX_SEGMENTS)
			k->image[k->nimage++] = segs[i];
	if (!k->nimage)
		return kterr_new(ENOEXEC, "%s: no kernel image load segment", ksyms_path(ks));
	root = ksyms_find(ks, "init_top_pgt");
	if (!root)
		root = ksyms_find(ks, "swapper_pg_dir");
	if (!root || !kva_image_pa(k, root->addr, &k->root, NULL))
		return kterr_hint(kterr_new(ENOENT, "%s: no init_top_pgt or swapper_pg_dir in the "
					    "image", ksyms_path(ks)),
				  "page walks need a root: translate with a vCPU's CR3");
	if ((e = find_phys_base(k, ks, root->addr)))
		return e;
	kva_image_pa(k, root->addr, &k->root, NULL);
	if ((s = ksyms_find(ks, "__pgtable_l5_enabled"))) {
		uint32_t l5;
		uint64_t pa;

		if (!kva_image_pa(k, s->addr, &pa, NULL))
			return kterr_new(EFAULT, "__pgtable_l5_enabled is outside the kernel image");
		if ((e = read(ctx, pa, &l5, sizeof(l5))))
			return kterr_wrap(e, "reading __pgtable_l5_enabled");
		if (l5)
			k->levels = 5;
	}
	if ((s = ksyms_find(ks, "page_offset_base"))) {
		if ((e = read_u64_at(k, s->addr, &k->page_offset)))
			return kterr_wrap(e, "reading page_offset_base");
	}
	return NULL;
}

void kva_set_cr3(struct kva *k, uint64_t cr3, uint64_t cr4)
{
	k->root = cr3 & CR3_ADDR_MASK;
	k->levels = (cr4 & CR4_LA57) ? 5 : 4;
}
