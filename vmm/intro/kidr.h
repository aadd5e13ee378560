/*
 * kidr.h - walk a kernel IDR (an XArray underneath) in guest memory and
 * hand over each (index, pointer) it holds, in index order: how the host
 * lists the BPF maps (map_idr) without asking the guest.
 *
 * XArray encoding (include/linux/xarray.h): the head is NULL, a single
 * entry (index 0), or an internal node pointer (low bits 10, above 4096);
 * a node has a shift and XA_CHUNK_SIZE slots; internal entries below 4096
 * (siblings, retry, zero) are skipped; value entries (low bit 1) are not
 * pointers and are skipped too. The layout (offsets of xa_node.shift and
 * .slots, the chunk size) comes from BTF, not from a header.
 *
 * The guest is not trusted: depth, node count and entries are bounded, a
 * node's shift must fall by the chunk's bits at each level, and a read
 * that fails ends the walk with an error naming the node.
 */
#ifndef KTCON_VMM_KIDR_H
#define KTCON_VMM_KIDR_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define KIDR_MAX_NODES 4096
#define KIDR_MAX_DEPTH 12

struct kidr_layout {
	uint64_t shift_off;	/* xa_node.shift (one byte) */
	uint64_t slots_off;	/* xa_node.slots */
	unsigned chunk;		/* slots per node (XA_CHUNK_SIZE), a power of 2 */
};

/* Reads len bytes at kernel virtual address va. */
typedef struct kterr *(*kidr_read_fn)(void *ctx, uint64_t va, void *buf, size_t len);

/* For each entry: return nonzero to stop the walk early. */
typedef int (*kidr_visit_fn)(void *ctx, uint64_t index, uint64_t ptr);

/* Walk the XArray whose xa_head is head; at most max entries. *n (may be
 * NULL): entries visited. */
struct kterr *kidr_walk(const struct kidr_layout *l, kidr_read_fn read, void *rctx,
			uint64_t head, size_t max, kidr_visit_fn visit, void *vctx, size_t *n);

#endif
