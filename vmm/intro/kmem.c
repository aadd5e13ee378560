/* kmem.c - kernel memory by symbol and address; see kmem.h. */
#include "vmm/intro/kmem.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <string.h>

static struct kterr *ram_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	return guestmem_read(ctx, pa, buf, len);
}

struct kterr *kmem_init(struct kmem *km, struct guestmem *ram, const struct ksyms *ks)
{
	uint64_t limit = ram->size;

	/* guestmem.h: RAM above 3 GiB continues at 4 GiB. */
	if (ram->size > GUESTMEM_LOW_LIMIT)
		limit = GUESTMEM_HIGH_BASE + ram->size - GUESTMEM_LOW_LIMIT;
	km->ram = ram;
	km->syms = ks;
	return kterr_wrap(kva_init(&km->kva, ks, ram_read, ram, limit),
			  "kernel address translation for %s", ksyms_path(ks));
}

struct kterr *kmem_nr_cpu_ids(const struct kmem *km, unsigned *n)
{
	uint32_t v;
	struct kterr *e = kmem_read_sym(km, "nr_cpu_ids", &v, sizeof(v));

	if (e)
		return e;
	if (!v || v > 1u << 16)
		return kterr_new(EINVAL, "nr_cpu_ids reads %u: the guest is not up yet?", v);
	*n = v;
	return NULL;
}

struct kterr *kmem_percpu(const struct kmem *km, uint64_t offset, unsigned cpu, uint64_t *va)
{
	const struct ksym *s = ksyms_find(km->syms, "__per_cpu_offset");
	unsigned ncpus = 0;
	uint64_t base;
	struct kterr *e;

	if (!s)
		return kterr_new(ENOENT, "no __per_cpu_offset in %s: a !SMP kernel has no per-CPU "
				 "copies", ksyms_path(km->syms));
	if ((e = kmem_nr_cpu_ids(km, &ncpus)))
		return e;
	if (cpu >= ncpus)
		return kterr_hint(kterr_new(ERANGE, "CPU %u does not exist: nr_cpu_ids is %u", cpu,
					    ncpus), "pick a CPU from 0 to %u", ncpus - 1);
	if (s->size && (uint64_t)cpu * 8 >= s->size)
		return kterr_new(ERANGE, "CPU %u is past __per_cpu_offset[%" PRIu64 "]", cpu,
				 s->size / 8);
	if ((e = kmem_read(km, s->addr + (uint64_t)cpu * 8, &base, sizeof(base))))
		return kterr_wrap(e, "reading __per_cpu_offset[%u]", cpu);
	*va = base + offset;
	return NULL;
}

struct kterr *kmem_resolve(const struct kmem *km, const struct kt_ktarget *t, uint64_t *va)
{
	const struct ksym *s;
	struct kterr *e;

	if (!t->symbol[0]) {
		*va = t->addr + t->offset;
		return NULL;
	}
	if ((e = ksyms_lookup(km->syms, t->symbol, &s)))
		return e;
	if (s->percpu && t->cpu < 0)
		return kterr_hint(kterr_new(EINVAL, "%s is a per-CPU variable", t->symbol),
				  "say whose copy: %s@CPU", t->symbol);
	if (!s->percpu && t->cpu >= 0)
		return kterr_hint(kterr_new(EINVAL, "%s is not a per-CPU variable (section %s): "
					    "@%d means nothing", t->symbol,
					    s->section[0] ? s->section : "absolute", t->cpu),
				  "drop the @CPU");
	if (s->percpu) {
		e = kmem_percpu(km, s->addr, (unsigned)t->cpu, va);
		if (e)
			return kterr_wrap(e, "%s@%d", t->symbol, t->cpu);
	} else {
		*va = s->addr;
	}
	*va += t->offset;
	return NULL;
}

/* Host pointer for up to len bytes at va, no further than its page. */
static struct kterr *chunk(const struct kmem *km, uint64_t va, size_t len, uint8_t **p, size_t *n)
{
	uint64_t pa, avail;
	struct kterr *e = kva_translate(&km->kva, va, &pa, &avail);

	if (e)
		return e;
	*n = len < avail ? len : (size_t)avail;
	*p = guestmem_ptr(km->ram, pa, *n);
	if (!*p)
		return kterr_new(EFAULT, "kernel address 0x%" PRIx64 " maps to guest-physical 0x%"
				 PRIx64 ", which is not guest RAM", va, pa);
	return NULL;
}

struct kterr *kmem_map(const struct kmem *km, uint64_t va, size_t len, const uint8_t **p,
		       size_t *n)
{
	uint8_t *q = NULL;
	struct kterr *e = chunk(km, va, len, &q, n);

	*p = q;
	return e;
}

static bool single_access(uint64_t va, size_t len)
{
	return (len == 1 || len == 2 || len == 4 || len == 8) && !(va & (len - 1));
}

struct kterr *kmem_read(const struct kmem *km, uint64_t va, void *buf, size_t len)
{
	uint8_t *out = buf;

	while (len) {
		uint8_t *p;
		size_t n;
		struct kterr *e = chunk(km, va, len, &p, &n);

		if (e)
			return kterr_wrap(e, "reading %zu bytes at 0x%" PRIx64, len, va);
		if (n == len && single_access(va, len)) {
			switch (len) {
			case 1: *out = __atomic_load_n(p, __ATOMIC_RELAXED); break;
			case 2: { uint16_t v = __atomic_load_n((uint16_t *)p, __ATOMIC_RELAXED);
				memcpy(out, &v, 2); break; }
			case 4: { uint32_t v = __atomic_load_n((uint32_t *)p, __ATOMIC_RELAXED);
				memcpy(out, &v, 4); break; }
			default: { uint64_t v = __atomic_load_n((uint64_t *)p, __ATOMIC_RELAXED);
				memcpy(out, &v, 8); break; }
			}
		} else {
			memcpy(out, p, n);
		}
		out += n;
		va += n;
		len -= n;
	}
	return NULL;
}

struct kterr *kmem_write(const struct kmem *km, uint64_t va, const void *buf, size_t len)
{
	const uint8_t *in = buf;

	while (len) {
		uint8_t *p;
		size_t n;
		struct kterr *e = chunk(km, va, len, &p, &n);

		if (e)
			return kterr_wrap(e, "writing %zu bytes at 0x%" PRIx64, len, va);
		if (n == len && single_access(va, len)) {
			uint64_t v = 0;

			memcpy(&v, in, len);
			switch (len) {
			case 1: __atomic_store_n(p, (uint8_t)v, __ATOMIC_RELAXED); break;
			case 2: __atomic_store_n((uint16_t *)p, (uint16_t)v, __ATOMIC_RELAXED); break;
			case 4: __atomic_store_n((uint32_t *)p, (uint32_t)v, __ATOMIC_RELAXED); break;
			default: __atomic_store_n((uint64_t *)p, v, __ATOMIC_RELAXED); break;
			}
		} else {
			memcpy(p, in, n);
		}
		in += n;
		va += n;
		len -= n;
	}
	/* A guest on another host CPU sees the stores in order (kmem.h). */
	atomic_thread_fence(memory_order_release);
	return NULL;
}

struct kterr *kmem_read_sym(const struct kmem *km, const char *name, void *buf, size_t len)
{
	const struct ksym *s;
	struct kterr *e = ksyms_lookup(km->syms, name, &s);

	if (e)
		return e;
	if (s->percpu)
		return kterr_new(EINVAL, "%s is a per-CPU variable: read it with kmem_percpu", name);
	return kterr_wrap(kmem_read(km, s->addr, buf, len), "%s", name);
}

struct kterr *kmem_read_uint(const struct kmem *km, uint64_t va, size_t len, uint64_t *v)
{
	uint8_t b[8] = { 0 };
	struct kterr *e;

	if (!len || len > 8)
		return kterr_new(EINVAL, "a %zu-byte integer at 0x%" PRIx64, len, va);
	if ((e = kmem_read(km, va, b, len)))
		return e;
	*v = 0;
	for (size_t i = 0; i < len; i++)
		*v |= (uint64_t)b[i] << (8 * i);
	return NULL;
}
