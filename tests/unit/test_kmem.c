/*
 * test_kmem.c - kernel memory from the host: vmlinux symbols (ksym) from a
 * small ELF the test writes, page walks (kva) over page tables built in a
 * buffer, target resolution and accesses (kmem) over a fake guest RAM
 * laid out like a booted kernel's, and the watch slot rules (watch).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine/ktarget.h"
#include "lib/util.h"
#include "mini_elf.h"
#include "vmm/intro/kmem.h"
#include "vmm/intro/ksym.h"
#include "vmm/intro/kva.h"
#include "vmm/intro/watch.h"

/* ---- a fake guest: RAM in a buffer, page tables built in it ---- */

#define RAM_SIZE (64ULL << 20)
#define IMAGE_VA 0xffffffff81000000ULL
#define IMAGE_PA 0x1000000ULL
#define IMAGE_SIZE 0x200000ULL
#define PERCPU_PA 0x1300000ULL		/* the per-CPU segment's load address */
#define DIRECT_VA 0xffff888000000000ULL
#define VMALLOC_VA 0xffffc90000000000ULL

/* Symbols: offsets in the image, or in the per-CPU area. */
#define OFF_PHYS_BASE 0x1000
#define OFF_NR_CPU_IDS 0x2000
#define OFF_PER_CPU_OFFSET 0x3000
#define OFF_JIFFIES 0x4008
#define OFF_TOP_PGT 0x10000
#define PCPU_RUNQUEUES 0x2c0
#define NCPUS 4

struct fake {
	uint8_t *ram;
	uint64_t next_table;	/* bump allocator for page tables */
	uint64_t root;
	unsigned levels;
	struct guestmem gm;
};

static struct kterr *fake_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct fake *f = ctx;

	if (pa + len > RAM_SIZE || pa + len < pa)
		return kterr_new(EFAULT, "pa 0x%llx beyond the fake RAM", (unsigned long long)pa);
	memcpy(buf, f->ram + pa, len);
	return NULL;
}

static uint64_t *entry_at(struct fake *f, uint64_t table, uint64_t va, unsigned level)
{
	return (uint64_t *)(f->ram + table + ((va >> (12 + 9 * (level - 1))) & 511) * 8);
}

/* Map va -> pa with a page at `at_level` (1: 4K, 2: 2M, 3: 1G). */
static void map(struct fake *f, uint64_t va, uint64_t pa, unsigned at_level)
{
	uint64_t table = f->root;

	for (unsigned level = f->levels; level > at_level; level--) {
		uint64_t *e = entry_at(f, table, va, level);

		if (!(*e & KVA_PTE_PRESENT)) {
			*e = f->next_table | KVA_PTE_PRESENT | KVA_PTE_RW;
			f->next_table += 4096;
		}
		table = *e & KVA_PTE_ADDR_MASK;
	}
	*entry_at(f, table, va, at_level) = pa | KVA_PTE_PRESENT | KVA_PTE_RW |
					    (at_level > 1 ? KVA_PTE_PS : 0);
}

static void fake_init(struct fake *f, unsigned levels, uint64_t root)
{
	if (!f->ram)
		f->ram = calloc(1, RAM_SIZE);
	assert_non_null(f->ram);
	memset(f->ram, 0, RAM_SIZE);
	f->levels = levels;
	f->root = root;
	f->next_table = 0x100000;
	f->gm = (struct guestmem){ .fd = -1, .base = f->ram, .size = RAM_SIZE };
}

static void fake_free(struct fake *f)
{
	free(f->ram);
	f->ram = NULL;
}

/* ---- page walks ---- */

static void test_walk_4level_4k_page(void **state)
{
	struct fake f = { 0 };
	uint64_t pa, size;

	(void)state;
	fake_init(&f, 4, 0x80000);
	map(&f, VMALLOC_VA, 0x500000, 1);
	assert_null(kva_walk(fake_read, &f, f.root, 4, VMALLOC_VA + 0x123, &pa, &size));
	assert_int_equal(pa, 0x500123);
	assert_int_equal(size, 4096);
	fake_free(&f);
}

static void test_walk_huge_pages(void **state)
{
	struct fake f = { 0 };
	uint64_t pa, size;

	(void)state;
	fake_init(&f, 4, 0x80000);
	map(&f, DIRECT_VA, 0, 3);			/* 1 GiB */
	map(&f, IMAGE_VA, IMAGE_PA, 2);			/* 2 MiB */
	assert_null(kva_walk(fake_read, &f, f.root, 4, DIRECT_VA + 0x3456789, &pa, &size));
	assert_int_equal(pa, 0x3456789);
	assert_int_equal(size, 1ULL << 30);
	assert_null(kva_walk(fake_read, &f, f.root, 4, IMAGE_VA + 0x1f0008, &pa, &size));
	assert_int_equal(pa, IMAGE_PA + 0x1f0008);
	assert_int_equal(size, 2ULL << 20);
	fake_free(&f);
}

static void test_walk_5level(void **state)
{
	struct fake f = { 0 };
	uint64_t va = 0xff11000000000000ULL + 0x7000, pa;	/* the 5-level direct map */

	(void)state;
	fake_init(&f, 5, 0x80000);
	map(&f, va, 0x600000, 1);
	assert_null(kva_walk(fake_read, &f, f.root, 5, va + 8, &pa, NULL));
	assert_int_equal(pa, 0x600008);
	/* The same tables read as 4-level do not reach it. */
	struct kterr *e = kva_walk(fake_read, &f, f.root, 4, 0xffff800000007000ULL, &pa, NULL);
	assert_non_null(e);
	kterr_free(e);
	fake_free(&f);
}

static void test_walk_not_present_names_the_level(void **state)
{
	struct fake f = { 0 };
	uint64_t pa;
	struct kterr *e;

	(void)state;
	fake_init(&f, 4, 0x80000);
	map(&f, VMALLOC_VA, 0x500000, 1);
	/* Same PUD, another PMD slot: the PMD entry is empty. */
	e = kva_walk(fake_read, &f, f.root, 4, VMALLOC_VA + (2ULL << 21), &pa, NULL);
	assert_non_null(e);
	assert_int_equal(kterr_errno_of(e), ENOENT);
	assert_true(kterr_contains(e, "PMD entry 0x0"));
	assert_true(kterr_contains(e, "0xffffc90000400000 is not mapped"));
	kterr_free(e);
	/* Nothing at all in the top level. */
	e = kva_walk(fake_read, &f, f.root, 4, 0xffffea0000000000ULL, &pa, NULL);
	assert_true(kterr_contains(e, "PGD entry"));
	kterr_free(e);
	fake_free(&f);
}

static void test_walk_rejects_non_canonical(void **state)
{
	struct fake f = { 0 };
	uint64_t pa;
	struct kterr *e;

	(void)state;
	fake_init(&f, 4, 0x80000);
	e = kva_walk(fake_read, &f, f.root, 4, 0x0000800000000000ULL, &pa, NULL);
	assert_int_equal(kterr_errno_of(e), EINVAL);
	assert_true(kterr_contains(e, "not canonical"));
	kterr_free(e);
	fake_free(&f);
}

/* ---- vmlinux symbols ---- */

static char elf_path[64];

static void write_vmlinux(void)
{
	static const struct mini_sec secs[] = {
		{ ".text", IMAGE_VA, 0x100000 },		/* 1 */
		{ ".data", IMAGE_VA + 0x100000, 0x100000 },	/* 2 */
		{ ".data..percpu", 0, 0x10000 },		/* 3 */
	};
	static const struct mini_sym syms[] = {
		{ "_text", 1, IMAGE_VA, 0, false, true },
		{ "phys_base", 2, IMAGE_VA + OFF_PHYS_BASE, 8, false, false },
		{ "nr_cpu_ids", 2, IMAGE_VA + OFF_NR_CPU_IDS, 4, false, false },
		{ "__per_cpu_offset", 2, IMAGE_VA + OFF_PER_CPU_OFFSET, 64 * 8, false, false },
		{ "jiffies_64", 2, IMAGE_VA + OFF_JIFFIES, 8, false, false },
		{ "init_top_pgt", 2, IMAGE_VA + OFF_TOP_PGT, 4096, false, false },
		{ "runqueues", 3, PCPU_RUNQUEUES, 0x1000, false, false },
		/* A static twice and a global of the same name. */
		{ "counter", 2, IMAGE_VA + 0x5000, 4, true, false },
		{ "counter", 2, IMAGE_VA + 0x5008, 4, false, false },
		{ "counter", 2, IMAGE_VA + 0x5010, 4, true, false },
		{ "lonely", 2, IMAGE_VA + 0x5020, 4, true, false },
		{ "lonely", 2, IMAGE_VA + 0x5028, 4, true, false },
		{ "odd_flag", 2, IMAGE_VA + 0x5031, 1, false, false },
	};
	static const struct mini_seg segs[] = {
		{ IMAGE_VA, IMAGE_PA, IMAGE_SIZE },
		{ 0, PERCPU_PA, 0x10000 },
	};

	snprintf(elf_path, sizeof(elf_path), "/tmp/ktcon-test-vmlinux-%d", (int)getpid());
	assert_int_equal(mini_elf_write(elf_path, secs, ARRAY_SIZE(secs), syms, ARRAY_SIZE(syms),
					segs, ARRAY_SIZE(segs)), 0);
}

static void test_ksyms_exact_match(void **state)
{
	struct ksyms *ks;
	const struct ksym *s;
	struct kterr *e;

	(void)state;
	write_vmlinux();
	assert_null(ksyms_load(elf_path, &ks));
	s = ksyms_find(ks, "jiffies_64");
	assert_non_null(s);
	assert_int_equal(s->addr, IMAGE_VA + OFF_JIFFIES);
	assert_int_equal(s->size, 8);
	assert_string_equal(s->section, ".data");
	assert_false(s->percpu);
	/* No prefix or suffix matching. */
	assert_null(ksyms_find(ks, "jiffies"));
	assert_null(ksyms_find(ks, "jiffies_64 "));
	e = ksyms_lookup(ks, "jiffies", &s);
	assert_int_equal(kterr_errno_of(e), ENOENT);
	assert_true(kterr_contains(e, "no symbol 'jiffies'"));
	assert_true(kterr_contains(e, elf_path));
	kterr_free(e);
	assert_true(ksyms_find(ks, "_text")->func);
	ksyms_free(ks);
	unlink(elf_path);
}

static void test_ksyms_global_wins_over_statics(void **state)
{
	struct ksyms *ks;
	const struct ksym *s;

	(void)state;
	write_vmlinux();
	assert_null(ksyms_load(elf_path, &ks));
	s = ksyms_find(ks, "counter");
	assert_int_equal(s->addr, IMAGE_VA + 0x5008);
	assert_true(s->global);
	assert_int_equal(s->dups, 2);
	s = ksyms_find(ks, "lonely");	/* only statics: the first */
	assert_int_equal(s->addr, IMAGE_VA + 0x5020);
	assert_int_equal(s->dups, 1);
	ksyms_free(ks);
	unlink(elf_path);
}

static void test_ksyms_percpu_sections_and_segments(void **state)
{
	struct ksyms *ks;
	const struct ksym *s;
	const struct ksym_segment *seg;
	uint64_t addr, size;
	size_t n;

	(void)state;
	write_vmlinux();
	assert_null(ksyms_load(elf_path, &ks));
	s = ksyms_find(ks, "runqueues");
	assert_true(s->percpu);
	assert_int_equal(s->addr, PCPU_RUNQUEUES);
	assert_true(ksyms_section(ks, ".data", &addr, &size));
	assert_int_equal(addr, IMAGE_VA + 0x100000);
	assert_int_equal(size, 0x100000);
	assert_false(ksyms_section(ks, ".nope", &addr, &size));
	seg = ksyms_segments(ks, &n);
	assert_int_equal(n, 2);
	assert_int_equal(seg[0].vaddr, IMAGE_VA);
	assert_int_equal(seg[0].paddr, IMAGE_PA);
	assert_int_equal(seg[1].paddr, PERCPU_PA);
	ksyms_free(ks);
	unlink(elf_path);
}

static void test_ksyms_not_elf(void **state)
{
	struct ksyms *ks;
	struct kterr *e;
	char path[64];

	(void)state;
	snprintf(path, sizeof(path), "/tmp/ktcon-test-notelf-%d", (int)getpid());
	FILE *f = fopen(path, "w");
	fputs("not an elf\n", f);
	fclose(f);
	e = ksyms_load(path, &ks);
	assert_true(kterr_contains(e, "is not an ELF file"));
	kterr_free(e);
	unlink(path);
	e = ksyms_load("/nonexistent/vmlinux", &ks);
	assert_int_equal(kterr_errno_of(e), ENOENT);
	assert_true(kterr_contains(e, "/nonexistent/vmlinux"));
	kterr_free(e);
}

/* ---- the whole thing: a booted kernel's memory, maybe relocated ---- */

static void put64(struct fake *f, uint64_t pa, uint64_t v)
{
	memcpy(f->ram + pa, &v, 8);
}

/* Lay out what a booted kernel has: image at IMAGE_PA + reloc, its own
 * page tables (init_top_pgt) mapping the image (2M), the direct map (1G)
 * and a vmalloc range of two scattered pages; per-CPU areas in the direct
 * map. */
static void boot(struct fake *f, uint64_t reloc)
{
	uint64_t img = IMAGE_PA + reloc;

	fake_init(f, 4, img + OFF_TOP_PGT);
	map(f, IMAGE_VA, img, 2);
	map(f, DIRECT_VA, 0, 3);
	map(f, VMALLOC_VA, 0x500000, 1);
	map(f, VMALLOC_VA + 4096, 0x300000, 1);
	put64(f, img + OFF_PHYS_BASE, reloc);
	f->ram[img + OFF_NR_CPU_IDS] = NCPUS;
	for (unsigned cpu = 0; cpu < NCPUS; cpu++)	/* areas at 6M + 64K*cpu */
		put64(f, img + OFF_PER_CPU_OFFSET + 8 * cpu, DIRECT_VA + 0x600000 + 0x10000 * cpu);
	put64(f, img + OFF_JIFFIES, 0x100000123ULL);
}

static void target(struct kt_ktarget *t, const char *s)
{
	assert_null(kt_ktarget_parse(s, t));
}

static void test_kmem_finds_phys_base_and_resolves(void **state)
{
	static const uint64_t relocs[] = { 0, 0x400000 };
	struct ksyms *ks;

	(void)state;
	write_vmlinux();
	assert_null(ksyms_load(elf_path, &ks));
	for (size_t i = 0; i < ARRAY_SIZE(relocs); i++) {
		struct fake f = { 0 };
		struct kmem km;
		struct kt_ktarget t;
		uint64_t va, v;

		boot(&f, relocs[i]);
		/* Garbage where an unrelocated phys_base would be. */
		if (relocs[i])
			put64(&f, IMAGE_PA + OFF_PHYS_BASE, 0x1234);
		assert_null(kmem_init(&km, &f.gm, ks));
		assert_int_equal(km.kva.phys_base, relocs[i]);
		assert_int_equal(km.kva.levels, 4);
		target(&t, "jiffies_64");
		assert_null(kmem_resolve(&km, &t, &va));
		assert_int_equal(va, IMAGE_VA + OFF_JIFFIES);
		assert_null(kmem_read_uint(&km, va, 8, &v));
		assert_int_equal(v, 0x100000123ULL);
		target(&t, "jiffies_64+4");
		assert_null(kmem_resolve(&km, &t, &va));
		assert_null(kmem_read_uint(&km, va, 4, &v));
		assert_int_equal(v, 1);
		/* runqueues@2+8: the per-CPU area of CPU 2, through the direct map. */
		target(&t, "runqueues@2+8");
		assert_null(kmem_resolve(&km, &t, &va));
		assert_int_equal(va, DIRECT_VA + 0x620000 + PCPU_RUNQUEUES + 8);
		f.ram[0x620000 + PCPU_RUNQUEUES + 8] = 0x5a;
		assert_null(kmem_read_uint(&km, va, 1, &v));
		assert_int_equal(v, 0x5a);
		fake_free(&f);
	}
	ksyms_free(ks);
	unlink(elf_path);
}

static void test_kmem_target_errors(void **state)
{
	struct ksyms *ks;
	struct fake f = { 0 };
	struct kmem km;
	struct kt_ktarget t;
	uint64_t va;
	struct kterr *e;

	(void)state;
	write_vmlinux();
	assert_null(ksyms_load(elf_path, &ks));
	boot(&f, 0);
	assert_null(kmem_init(&km, &f.gm, ks));
	target(&t, "runqueues@4");
	e = kmem_resolve(&km, &t, &va);
	assert_int_equal(kterr_errno_of(e), ERANGE);
	assert_true(kterr_contains(e, "CPU 4 does not exist: nr_cpu_ids is 4"));
	kterr_free(e);
	target(&t, "runqueues");
	e = kmem_resolve(&km, &t, &va);
	assert_true(kterr_contains(e, "runqueues is a per-CPU variable"));
	kterr_free(e);
	target(&t, "jiffies_64@1");
	e = kmem_resolve(&km, &t, &va);
	assert_true(kterr_contains(e, "jiffies_64 is not a per-CPU variable"));
	kterr_free(e);
	target(&t, "no_such_symbol_here");
	e = kmem_resolve(&km, &t, &va);
	assert_true(kterr_contains(e, "no_such_symbol_here"));
	kterr_free(e);
	/* An address nothing maps. */
	uint8_t b;
	e = kmem_read(&km, 0xffffea0000000000ULL, &b, 1);
	assert_int_equal(kterr_errno_of(e), ENOENT);
	assert_true(kterr_contains(e, "0xffffea0000000000"));
	kterr_free(e);
	fake_free(&f);
	ksyms_free(ks);
	unlink(elf_path);
}

static void test_kmem_spans_scattered_pages(void **state)
{
	struct ksyms *ks;
	struct fake f = { 0 };
	struct kmem km;
	uint8_t out[16], in[16];

	(void)state;
	write_vmlinux();
	assert_null(ksyms_load(elf_path, &ks));
	boot(&f, 0);
	assert_null(kmem_init(&km, &f.gm, ks));
	for (int i = 0; i < 16; i++)
		in[i] = (uint8_t)(0xa0 + i);
	/* 8 bytes at the end of the first vmalloc page, 8 at the start of the
	 * second: two physical pages far apart. */
	assert_null(kmem_write(&km, VMALLOC_VA + 4096 - 8, in, sizeof(in)));
	assert_memory_equal(f.ram + 0x500000 + 4096 - 8, in, 8);
	assert_memory_equal(f.ram + 0x300000, in + 8, 8);
	assert_null(kmem_read(&km, VMALLOC_VA + 4096 - 8, out, sizeof(out)));
	assert_memory_equal(in, out, sizeof(in));
	fake_free(&f);
	ksyms_free(ks);
	unlink(elf_path);
}

static void test_kmem_no_image_where_tables_disagree(void **state)
{
	struct ksyms *ks;
	struct fake f = { 0 };
	struct kmem km;
	struct kterr *e;

	(void)state;
	write_vmlinux();
	assert_null(ksyms_load(elf_path, &ks));
	fake_init(&f, 4, IMAGE_PA + OFF_TOP_PGT);	/* empty page tables */
	e = kmem_init(&km, &f.gm, ks);
	assert_true(kterr_contains(e, "cannot find where the kernel image is"));
	kterr_free(e);
	fake_free(&f);
	ksyms_free(ks);
	unlink(elf_path);
}

/* ---- watch slots ---- */

static void test_watch_resolves_aligned_global_symbols_only(void **state)
{
	struct ksyms *ks;
	uint64_t addr;
	struct kterr *e;

	(void)state;
	write_vmlinux();
	assert_null(ksyms_load(elf_path, &ks));
	assert_null(watch_resolve(ks, "jiffies_64", &addr));
	assert_int_equal(addr, IMAGE_VA + OFF_JIFFIES);
	e = watch_resolve(ks, "odd_flag", &addr);
	assert_int_equal(kterr_errno_of(e), EINVAL);
	assert_true(kterr_contains(e, "odd_flag at 0xffffffff81005031 is not 4-byte aligned"));
	kterr_free(e);
	e = watch_resolve(ks, "runqueues", &addr);
	assert_true(kterr_contains(e, "per-CPU"));
	kterr_free(e);
	e = watch_resolve(ks, "jiffies", &addr);
	assert_true(kterr_contains(e, "no symbol 'jiffies'"));
	kterr_free(e);
	ksyms_free(ks);
	unlink(elf_path);
}

/* A symbol written every tick: 200 fires in a second take 4 captures;
 * the next second has its own budget. */
static void test_watch_captures_at_most_a_few_fires_a_second(void **state)
{
	struct watch w = { .armed = true };
	unsigned taken = 0;
	uint64_t t = 5000000000ull;

	assert_false(watch_budget_spent(&w, t));

	for (int i = 0; i < 200; i++)
		taken += watch_may_capture(&w, t + i * 5000000ull);	/* every 5 ms */
	assert_int_equal(taken, WATCH_CAPTURES_PER_S);
	assert_int_equal(w.captures, WATCH_CAPTURES_PER_S);
	/* the watch thread asks first, and asking takes nothing */
	assert_true(watch_budget_spent(&w, t + 999000000ull));
	assert_false(watch_budget_spent(&w, t + 1000000000ull));
	assert_true(watch_may_capture(&w, t + 1000000000ull));
	assert_int_equal(w.captures, WATCH_CAPTURES_PER_S + 1);
}

static void test_watch_slots_keep_slot_0_for_the_trigger(void **state)
{
	struct watches ws = { 0 };
	unsigned slot;
	struct kterr *e;

	(void)state;
	assert_null(watch_user_slot(&ws, 0, &slot));
	assert_int_equal(slot, 1);
	assert_null(watch_user_slot(&ws, 2, &slot));
	assert_int_equal(slot, 3);
	e = watch_user_slot(&ws, 3, &slot);	/* a 4th user watch */
	assert_int_equal(kterr_errno_of(e), ENOSPC);
	kterr_free(e);
	ws.w[1] = (struct watch){ .armed = true, .symbol = "jiffies_64", .addr = 0x1000 };
	e = watch_user_slot(&ws, 0, &slot);
	assert_true(kterr_contains(e, "watching jiffies_64 already"));
	kterr_free(e);
	ws.w[0] = (struct watch){ .armed = true, .trigger = true, .addr = 0x2000 };
	assert_int_equal(watch_armed(&ws), 2);
	/* a stop anywhere in the 4 watched bytes is that watch's */
	assert_ptr_equal(watch_find(&ws, 0x1003), &ws.w[1]);
	assert_ptr_equal(watch_find(&ws, 0x2000), &ws.w[0]);
	assert_null(watch_find(&ws, 0x1004));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_4level_4k_page),
		cmocka_unit_test(test_walk_huge_pages),
		cmocka_unit_test(test_walk_5level),
		cmocka_unit_test(test_walk_not_present_names_the_level),
		cmocka_unit_test(test_walk_rejects_non_canonical),
		cmocka_unit_test(test_ksyms_exact_match),
		cmocka_unit_test(test_ksyms_global_wins_over_statics),
		cmocka_unit_test(test_ksyms_percpu_sections_and_segments),
		cmocka_unit_test(test_ksyms_not_elf),
		cmocka_unit_test(test_kmem_finds_phys_base_and_resolves),
		cmocka_unit_test(test_kmem_target_errors),
		cmocka_unit_test(test_kmem_spans_scattered_pages),
		cmocka_unit_test(test_kmem_no_image_where_tables_disagree),
		cmocka_unit_test(test_watch_resolves_aligned_global_symbols_only),
		cmocka_unit_test(test_watch_slots_keep_slot_0_for_the_trigger),
		cmocka_unit_test(test_watch_captures_at_most_a_few_fires_a_second),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
