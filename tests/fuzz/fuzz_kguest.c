/*
 * fuzz_kguest.c - libFuzzer target: what the host makes of guest memory
 * and of a BPF program's BTF, both of which a hostile guest controls.
 *
 * The input is, at once:
 *   - guest memory at a made-up kernel address: an XArray (map_idr's)
 *     whose head is the first 8 bytes, walked with kidr_walk;
 *   - guest-physical memory from 0: page tables walked with kva_walk from
 *     root 0, 4- and 5-level, for addresses taken from the input;
 *   - a BTF blob: when libbpf accepts it, every type is asked whether it
 *     reads as a number, rendered as JSON over the input's bytes, searched
 *     for members and DATASEC variables.
 * Every read is bounds-checked by the callbacks; ASan catches the rest.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vmm/kbtf.h"
#include "vmm/kidr.h"
#include "vmm/kva.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BASE 0xffff888000000000ULL

struct mem {
	const uint8_t *p;
	size_t n;
};

static struct kterr *read_va(void *ctx, uint64_t va, void *buf, size_t len)
{
	const struct mem *m = ctx;

	if (va < BASE || va - BASE > m->n || len > m->n - (va - BASE))
		return kterr_new(EFAULT, "outside");
	memcpy(buf, m->p + (va - BASE), len);
	return NULL;
}

static struct kterr *read_pa(void *ctx, uint64_t pa, void *buf, size_t len)
{
	const struct mem *m = ctx;

	if (pa > m->n || len > m->n - pa)
		return kterr_new(EFAULT, "outside");
	memcpy(buf, m->p + pa, len);
	return NULL;
}

static int visit(void *ctx, uint64_t index, uint64_t ptr)
{
	(void)ctx;
	return (index ^ ptr) == 0x5a5a;	/* sometimes stop early */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mem m = { data, size };
	static const struct kidr_layout l = { 0, 40, 64 };
	uint64_t head = 0, pa;
	struct btf *btf;
	FILE *null;

	if (size >= 8)
		memcpy(&head, data, 8);
	kterr_free(kidr_walk(&l, read_va, &m, head, 64, visit, NULL, NULL));
	for (size_t i = 0; i + 8 <= size && i < 64; i += 8) {
		uint64_t va;

		memcpy(&va, data + i, 8);
		kterr_free(kva_walk(read_pa, &m, 0, 4, va, &pa, NULL));
		kterr_free(kva_walk(read_pa, &m, 0, 5, va, &pa, NULL));
	}

	btf = btf__new(data, (uint32_t)size);
	if (!btf)
		return 0;
	null = fopen("/dev/null", "w");
	for (uint32_t id = 1; id < btf__type_cnt(btf) && id < 512; id++) {
		struct kbtf_scalar sc;
		struct kbtf_field fl;
		struct kbtf_secvar sv;
		uint32_t len;

		kbtf_scalar(btf, id, &sc);
		kbtf_is_char_array(btf, id, &len);
		kbtf_datasec_var(btf, id, "nr_enqueued", &sv);
		kterr_free(kbtf_member(btf, id, "a.b", &fl));
		kbtf_enum_name(btf, id, 1);
		if (null)
			kbtf_json(null, btf, id, data, size, 4, 8);
	}
	if (null)
		fclose(null);
	btf__free(btf);
	return 0;
}
