/* kidr.c - IDR / XArray walks over guest memory; see kidr.h. */
#include "vmm/intro/kidr.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>

#define XA_INTERNAL_MAX 4096ULL

static bool is_internal(uint64_t e)
{
	return (e & 3) == 2;
}

static bool is_node(uint64_t e)
{
	return is_internal(e) && e > XA_INTERNAL_MAX;
}

struct walk {
	const struct kidr_layout *l;
	kidr_read_fn read;
	void *rctx;
	kidr_visit_fn visit;
	void *vctx;
	size_t max, n, nodes;
	unsigned chunk_bits;
	bool stop;
};

static struct kterr *leaf(struct walk *w, uint64_t index, uint64_t e)
{
	if (!e || is_internal(e) || (e & 1))	/* empty, sibling/retry/zero, value */
		return NULL;
	if (w->n == w->max) {
		w->stop = true;
		return NULL;
	}
	w->n++;
	if (w->visit(w->vctx, index, e))
		w->stop = true;
	return NULL;
}

static struct kterr *node(struct walk *w, uint64_t va, uint64_t base, int depth,
			  int parent_shift)
{
	uint8_t shift;
	uint64_t *slots;
	struct kterr *e;

	if (depth > KIDR_MAX_DEPTH || ++w->nodes > KIDR_MAX_NODES)
		return kterr_new(ELOOP, "xarray node 0x%" PRIx64 ": deeper than %d levels or more "
				 "than %d nodes", va, KIDR_MAX_DEPTH, KIDR_MAX_NODES);
	if ((e = w->read(w->rctx, va + w->l->shift_off, &shift, 1)))
		return kterr_wrap(e, "xarray node 0x%" PRIx64, va);
	if (shift % w->chunk_bits || shift >= 64 ||
	    (parent_shift >= 0 && shift + w->chunk_bits != (unsigned)parent_shift))
		return kterr_new(EINVAL, "xarray node 0x%" PRIx64 " has shift %u (parent %d): not "
				 "a node", va, shift, parent_shift);
	slots = malloc(w->l->chunk * sizeof(*slots));
	if (!slots)
		return kterr_new(ENOMEM, "xarray node");
	e = w->read(w->rctx, va + w->l->slots_off, slots, w->l->chunk * sizeof(*slots));
	for (unsigned i = 0; !e && !w->stop && i < w->l->chunk; i++) {
		uint64_t index = base + ((uint64_t)i << shift);

		if (is_node(slots[i])) {
			if (!shift)
				e = kterr_new(EINVAL, "xarray node 0x%" PRIx64 ": a node below the "
					      "last level", va);
			else
				e = node(w, slots[i] - 2, index, depth + 1, shift);
		} else {
			e = leaf(w, index, slots[i]);
		}
	}
	free(slots);
	return e ? kterr_wrap(e, "xarray node 0x%" PRIx64, va) : NULL;
}

struct kterr *kidr_walk(const struct kidr_layout *l, kidr_read_fn read, void *rctx,
			uint64_t head, size_t max, kidr_visit_fn visit, void *vctx, size_t *n)
{
	struct walk w = { .l = l, .read = read, .rctx = rctx, .visit = visit, .vctx = vctx,
			  .max = max };
	struct kterr *e = NULL;

	if (n)
		*n = 0;
	if (!l->chunk || (l->chunk & (l->chunk - 1)) || l->chunk > 1024)
		return kterr_new(EINVAL, "xarray chunk size %u is not a power of 2", l->chunk);
	while ((1u << w.chunk_bits) < l->chunk)
		w.chunk_bits++;
	if (is_node(head))
		e = node(&w, head - 2, 0, 0, -1);
	else
		e = leaf(&w, 0, head);
	if (n)
		*n = w.n;
	return e;
}
