/*
 * kbtf.h - what ktcon asks of BTF (libbpf's parser does the parsing): the
 * offset of a member path in a struct, a global variable's type, whether a
 * type reads as a number, enumerator names, and values rendered as JSON by
 * their type. Used on the kernel's BTF (vmlinux) for runqueues and
 * sched_ext state, and on a BPF program's own BTF (read from guest memory)
 * for its maps' globals.
 *
 * Member paths are dotted ("scx.local_dsq.nr"); members of anonymous
 * structs and unions are found through them, as C finds them. Typedefs,
 * const, volatile, restrict and type tags are looked through everywhere.
 * A struct with a single integer member (atomic_t, atomic64_t, refcount)
 * reads as that integer.
 */
#ifndef KTCON_VMM_KBTF_H
#define KTCON_VMM_KBTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/err.h"

struct json_object;

struct btf;

struct kbtf_field {
	uint64_t offset;	/* bytes from the start of the struct */
	uint32_t size;		/* bytes (a bitfield: its container's) */
	uint32_t type_id;	/* the member's type, modifiers skipped */
	unsigned bit_offset;	/* within offset, for bitfields */
	unsigned bit_size;	/* 0: not a bitfield */
};

/* How a type reads as a number. */
struct kbtf_scalar {
	uint32_t size;		/* 1, 2, 4 or 8 */
	bool is_signed;
	bool is_bool;
	bool is_ptr;
	uint32_t enum_id;	/* an enum type: names its values; 0 none */
};

/* Type id of a named struct (or union), or an error naming it. */
struct kterr *kbtf_struct(const struct btf *btf, const char *name, uint32_t *id);

/* Member path within type id (a struct or union). */
struct kterr *kbtf_member(const struct btf *btf, uint32_t id, const char *path,
			  struct kbtf_field *out);

/* A global variable (BTF_KIND_VAR) by name: its type and size. */
struct kterr *kbtf_var(const struct btf *btf, const char *name, uint32_t *type_id,
		       uint32_t *size);

/* type id with typedef/const/volatile/restrict/type-tag looked through. */
uint32_t kbtf_skip_mods(const struct btf *btf, uint32_t id);

/* Does type id read as a number? */
bool kbtf_scalar(const struct btf *btf, uint32_t id, struct kbtf_scalar *out);

/* Enumerator of enum type enum_id with value v, or NULL. */
const char *kbtf_enum_name(const struct btf *btf, uint32_t enum_id, int64_t v);

/* Value of the enumerator `name` in any enum, or false. */
bool kbtf_enum_value(const struct btf *btf, const char *name, int64_t *v);

/* size bytes (1..8, little-endian) as a number, sign-extended when
 * is_signed. */
uint64_t kbtf_load(const void *p, uint32_t size, bool is_signed);

/* A char array (or pointer-free byte array) that holds text? */
bool kbtf_is_char_array(const struct btf *btf, uint32_t id, uint32_t *len);

/* A variable of a DATASEC (a BPF program's .bss, .data, .rodata): its
 * offset and size in the section and its type. False when the section
 * has no variable by that name (or id is not a DATASEC). */
struct kbtf_secvar {
	const char *name;
	uint32_t offset, size, type_id;
};
bool kbtf_datasec_var(const struct btf *btf, uint32_t id, const char *name,
		      struct kbtf_secvar *out);

/* data (size bytes, of type id) as a JSON value (a new json-c tree, or
 * NULL for JSON null): numbers, enum
 * names as strings, char arrays as strings, arrays and structs as JSON
 * arrays and objects, a DATASEC as an object of its variables by name, at
 * most max_elems elements per array and depth levels deep (deeper:
 * "..."); pointers as "0x..." strings. */
struct json_object *kbtf_to_json(const struct btf *btf, uint32_t id, const void *data,
				 size_t size, unsigned depth, unsigned max_elems);

#endif
