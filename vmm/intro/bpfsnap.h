/*
 * bpfsnap.h - the guest's BPF maps, read from its memory by the host: the
 * kernel's map IDR (map_idr) walked (kidr.h), and for each map its id,
 * name, type, key and value sizes, max entries and flags; the values of
 * array maps (per-CPU arrays: every possible CPU's copy); the entries of
 * hash and LRU hash maps (bounded); and, through the map's
 * own BTF (read from guest memory and parsed with libbpf), the .bss,
 * .data and .rodata globals of a BPF program by name and type, so
 * `expect snapshot TAG var nr_enqueued > 0` reads scx_qmap's counter.
 *
 * Layouts (struct bpf_map, bpf_array, bpf_htab, htab_elem, btf, xa_node,
 * idr) come from the kernel's BTF; nothing is assumed of one release.
 * What a kernel lacks (no map_idr, no struct bpf_htab) leaves that part
 * out with the reason.
 *
 * Two halves like snapshot.h: bpfsnap_take() inside the freeze copies
 * headers and values (bounded: BPFSNAP_MAX_BYTES in all, BPFSNAP_MAX_HASH
 * entries a hash map); bpfsnap_finish() after the resume reads each map's
 * BTF (immutable once loaded; parsed once and cached in the plan) and
 * decodes the globals.
 */
#ifndef KTCON_VMM_BPFSNAP_H
#define KTCON_VMM_BPFSNAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/err.h"
#include "vmm/intro/kmem.h"

struct btf;

#define BPFSNAP_MAX_MAPS 256
#define BPFSNAP_MAX_BYTES (8u << 20)	/* values copied per snapshot */
#define BPFSNAP_MAX_MAP_BYTES (1u << 20)
#define BPFSNAP_MAX_HASH 256		/* entries per hash map */
#define BPFSNAP_MAX_ARRAY_JSON 64	/* array elements rendered per map */

struct bpfsnap_plan;
struct bpfsnap;

/* btf: the kernel's. Fails only when no map can be read at all (no
 * map_idr or no struct bpf_map in the BTF); *why says it for the JSON. */
struct kterr *bpfsnap_plan_new(const struct ksyms *ks, const struct btf *btf,
			       struct bpfsnap_plan **out);
void bpfsnap_plan_free(struct bpfsnap_plan *p);

/* Inside a freeze. */
struct kterr *bpfsnap_take(const struct bpfsnap_plan *p, const struct kmem *km,
			   struct bpfsnap **out);

/* After the resume: BTF of each map, globals decoded. */
void bpfsnap_finish(struct bpfsnap_plan *p, const struct kmem *km, struct bpfsnap *s);

/* Adds "bpf_maps": [...] (and "bpf_maps_error" when the walk failed) to
 * the object snap (a json-c tree). */
struct json_object;
void bpfsnap_to_json(struct json_object *snap, const struct bpfsnap *s);

/* A global of a BPF program: "nr_enqueued" (the first map that has it) or
 * "MAP.nr_enqueued" ("scx_qmap.bss.nr_enqueued"). False when no map has
 * it; a non-numeric one sets *why. "maps.NAME" is the number of maps with
 * that exact name. */
bool bpfsnap_var(const struct bpfsnap *s, const char *name, uint64_t *v, const char **why);

size_t bpfsnap_count(const struct bpfsnap *s);

void bpfsnap_free(struct bpfsnap *s);

#endif
