/*
 * jdiff.h - two JSON trees (json-c) walked side by side: what changed,
 * what was added, what was removed, path by path.
 *
 * Made for snapshots (two captures of the same guest) but knows nothing of
 * them. The walk visits the union of both trees in document order (an
 * object's members in A's order, then the members only B has), calling
 * the visitor once per member or element before its children, so a
 * renderer can build rows from the stream and a command line can print
 * the paths that differ.
 *
 * Arrays are matched element by element by index, except arrays of
 * objects that carry an identity: when every element on both sides has a
 * scalar member "cpu", "vcpu", "name" or "id" (the first of those that
 * does, and is unique on each side), elements are matched by it. So the
 * runqueue of CPU 2 is compared with CPU 2's, and a BPF map with the map
 * of the same name even when a map was added before it; the path says
 * which: "runqueues[cpu=2].nr_running", "bpf_maps[name=bss].values[0]".
 */
#ifndef KTCON_LIB_JDIFF_H
#define KTCON_LIB_JDIFF_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

enum jdiff_kind {
	JDIFF_SAME,
	JDIFF_CHANGED,		/* a scalar's value, or something under a container */
	JDIFF_ADDED,		/* only in B */
	JDIFF_REMOVED,		/* only in A */
	JDIFF_RETYPED,		/* on both sides, of different JSON types */
};

struct jdiff_entry {
	const char *path;	/* from the top: "sched_ext.nr_rejected", "vcpus[vcpu=0].rip" */
	const char *key;	/* its last part: "nr_rejected", "[vcpu=0]", "[3]" */
	int depth;		/* 0: a member (or element) of the top level */
	enum jdiff_kind kind;
	/* Each side's value; NULL where it is absent or JSON null (kind
	 * tells which: ADDED has no A, REMOVED no B). */
	struct json_object *a, *b;
	/* An object or array on the side(s) it is on, of the same type on
	 * both: the walk goes on into it when the visitor says so. */
	bool container;
};

/* Return true to walk into e's children (e->container only; a leaf is
 * counted whatever it returns). */
typedef bool (*jdiff_visit_fn)(void *ctx, const struct jdiff_entry *e);

/* Differences counted at the leaves: a changed or retyped scalar, an
 * added or removed member (a whole subtree counts once). */
struct jdiff_count {
	size_t changed, added, removed, retyped;
};

/* Walk a and b (their top levels: objects or arrays, or any two values,
 * which are then one entry with path "" and depth 0). visit may be NULL
 * (only counting: the walk goes everywhere). Counts only what the walk
 * went into: a visitor that stops at a changed container (on both sides)
 * leaves its leaves uncounted. Returns the total of *count's fields. */
size_t jdiff_walk(struct json_object *a, struct json_object *b, jdiff_visit_fn visit,
		  void *ctx, struct jdiff_count *count);

/* True when a and b hold the same values (the walk's rule: member order
 * does not matter, arrays by the same matching). */
bool jdiff_equal(struct json_object *a, struct json_object *b);

const char *jdiff_kind_name(enum jdiff_kind k);

#endif
