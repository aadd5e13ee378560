/*
 * fuzz_kguest.c - libFuzzer target: what the host makes of guest memory
 * and of a BPF program's BTF, both of which a hostile guest controls.
 *
 * The first byte says what the rest is, so each walker gets input of its
 * own shape (one input that had to be BTF, page tables and an XArray at
 * once reached 131 edges: libbpf refused nearly every mutation):
 *   0  an XArray (map_idr's) in guest memory at a made-up kernel address,
 *      its head the first 8 bytes, walked with kidr_walk;
 *   1  page tables: a virtual address (8 bytes), a root (8 bytes, as CR3),
 *      then guest-physical memory from 0, walked 4- and 5-level;
 *   2  a BTF blob: when libbpf accepts it, every type is asked whether it
 *      reads as a number, rendered as JSON over the blob's own bytes, and
 *      searched for its own first member and DATASEC variable (so the
 *      searches can succeed), and for names it does not have.
 * Seeds of each shape, from the shipped guest kernel's BTF and in its
 * layouts, are in tests/data/fuzz/seeds/kguest (tests/fuzz/make-kguest-seeds).
 * Every read is bounds-checked by the callbacks; ASan catches the rest.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/kjson.h"
#include "vmm/intro/kbtf.h"
#include "vmm/intro/kidr.h"
#include "vmm/intro/kva.h"

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

static void xarray(const uint8_t *data, size_t size)
{
	struct mem m = { data, size };
	/* xa_node of 6.12: shift at 0, slots at 40, 64 slots. */
	static const struct kidr_layout l = { 0, 40, 64 };
	uint64_t head = 0;

	if (size >= 8)
		memcpy(&head, data, 8);
	kterr_free(kidr_walk(&l, read_va, &m, head, 64, visit, NULL, NULL));
}

static void page_tables(const uint8_t *data, size_t size)
{
	struct mem m = { data, size };
	uint64_t va, root, pa, page;

	if (size < 16)
		return;
	memcpy(&va, data, 8);
	memcpy(&root, data + 8, 8);
	kterr_free(kva_walk(read_pa, &m, root, 4, va, &pa, &page));
	kterr_free(kva_walk(read_pa, &m, root, 5, va, &pa, NULL));
}

/* The first member of a struct or union, as a path kbtf_member can find. */
static const char *first_member(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	if (!t || !(btf_is_struct(t) || btf_is_union(t)) || !btf_vlen(t))
		return NULL;
	return btf__name_by_offset(btf, btf_members(t)[0].name_off);
}

static const char *first_secvar(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id), *v;

	if (!t || !btf_is_datasec(t) || !btf_vlen(t))
		return NULL;
	v = btf__type_by_id(btf, btf_var_secinfos(t)[0].type);
	return v ? btf__name_by_offset(btf, v->name_off) : NULL;
}

static void btf_types(const uint8_t *data, size_t size)
{
	struct btf *btf = btf__new(data, (uint32_t)size);
	FILE *null;

	if (!btf)
		return;
	null = fopen("/dev/null", "w");
	/* Bounded per input, so every input costs about the same: a
	 * mutation anywhere in the types is still reached by the first few
	 * hundred. */
	for (uint32_t id = 1; id < btf__type_cnt(btf) && id < 512; id++) {
		struct kbtf_scalar sc;
		struct kbtf_field fl;
		struct kbtf_secvar sv;
		const char *name;
		uint32_t len, tid, tsize;
		int64_t v;

		kbtf_scalar(btf, id, &sc);
		kbtf_is_char_array(btf, id, &len);
		kbtf_datasec_var(btf, id, "nr_enqueued", &sv);
		if ((name = first_secvar(btf, id)))
			kbtf_datasec_var(btf, id, name, &sv);
		kterr_free(kbtf_member(btf, id, "a.b", &fl));
		if (id < 256 && (name = first_member(btf, id)) && *name) {
			char path[256];
			struct kterr *e = kbtf_member(btf, id, name, &fl);

			/* One level down, through the member's own type. */
			if (!e) {
				snprintf(path, sizeof(path), "%s.%s", name,
					 first_member(btf, fl.type_id) ?: "x");
				e = kbtf_member(btf, id, path, &fl);
			}
			kterr_free(e);
		}
		/* Searches by name walk every type: for the first few only, so
		 * an input costs O(types), not O(types^2). */
		name = id < 32 ? btf__name_by_offset(btf, btf__type_by_id(btf, id)->name_off) : NULL;
		if (name && *name) {
			kterr_free(kbtf_struct(btf, name, &tid));
			kterr_free(kbtf_var(btf, name, &tid, &tsize));
			kbtf_enum_value(btf, name, &v);
		}
		kbtf_enum_name(btf, id, 1);
		if (id < 128) {	/* the tree, and the text it leaves as */
			struct json_object *v = kbtf_to_json(btf, id, data, size, 4, 8);

			if (null && v)
				fputs(kjson_text(v), null);
			json_object_put(v);
		}
	}
	if (null)
		fclose(null);
	btf__free(btf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void (*const shapes[])(const uint8_t *, size_t) = {
		xarray, page_tables, btf_types,
	};

	if (size < 1)
		return 0;
	shapes[data[0] % 3](data + 1, size - 1);
	return 0;
}
