/* kbtf.c - BTF lookups and rendering; see kbtf.h. */
#include "vmm/intro/kbtf.h"

#include <bpf/btf.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "engine/results.h"
#include "lib/kjson.h"

uint32_t kbtf_skip_mods(const struct btf *btf, uint32_t id)
{
	for (int guard = 0; guard < 64; guard++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t)
			return id;
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			break;
		default:
			return id;
		}
	}
	return id;
}

struct kterr *kbtf_struct(const struct btf *btf, const char *name, uint32_t *id)
{
	int32_t i = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);

	if (i <= 0)
		i = btf__find_by_name_kind(btf, name, BTF_KIND_UNION);
	if (i <= 0)
		return kterr_new(ENOENT, "no struct %s in the BTF", name);
	*id = (uint32_t)i;
	return NULL;
}

/* Members one search may look at. The BTF is the guest's: anonymous
 * members that nest the same many-membered struct 16 deep would make the
 * search exponential (most of fuzz_kguest's time went there); real
 * structs need a few hundred. */
#define FIND_MEMBER_BUDGET 4096

/* One path component in a struct/union, looking through anonymous
 * members; *bits is the member's bit offset from the start of id. */
static bool find_member(const struct btf *btf, uint32_t id, const char *name, size_t nlen,
			uint64_t *bits, uint32_t *type, unsigned *bitfield, int depth,
			unsigned *budget)
{
	const struct btf_type *t = btf__type_by_id(btf, kbtf_skip_mods(btf, id));
	const struct btf_member *m;

	if (!t || !btf_is_composite(t) || depth > 16)
		return false;
	m = btf_members(t);
	for (unsigned i = 0; i < btf_vlen(t) && *budget; i++, m++, --*budget) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		uint64_t off = btf_member_bit_offset(t, i);

		if (mn && mn[0] && strlen(mn) == nlen && !strncmp(mn, name, nlen)) {
			*bits = off;
			*type = m->type;
			*bitfield = btf_member_bitfield_size(t, i);
			return true;
		}
		if ((!mn || !mn[0]) &&
		    find_member(btf, m->type, name, nlen, bits, type, bitfield, depth + 1, budget)) {
			*bits += off;
			return true;
		}
	}
	return false;
}

struct kterr *kbtf_member(const struct btf *btf, uint32_t id, const char *path,
			  struct kbtf_field *out)
{
	const char *p = path;
	uint64_t bits = 0;
	uint32_t type = id;
	unsigned bitfield = 0;

	memset(out, 0, sizeof(*out));
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		uint64_t b;
		const struct btf_type *t = btf__type_by_id(btf, kbtf_skip_mods(btf, type));
		const char *sname = t ? btf__name_by_offset(btf, t->name_off) : NULL;
		unsigned budget = FIND_MEMBER_BUDGET;

		if (!find_member(btf, type, p, n, &b, &type, &bitfield, 0, &budget))
			return kterr_new(ENOENT, "struct %s has no member '%.*s' (looking for %s)",
					 sname && *sname ? sname : "(anonymous)", (int)n, p, path);
		bits += b;
		if (dot && bitfield)
			return kterr_new(EINVAL, "%.*s in %s is a bitfield, not a struct",
					 (int)n, p, path);
		p = dot ? dot + 1 : p + n;
	}
	out->type_id = kbtf_skip_mods(btf, type);
	out->bit_size = bitfield;
	if (bitfield) {
		/* Read the bitfield through the naturally aligned word that
		 * holds it: 8 bytes, sliced by the caller. */
		out->offset = (bits / 64) * 8;
		out->bit_offset = (unsigned)(bits % 64);
		out->size = 8;
		return NULL;
	}
	if (bits % 8)
		return kterr_new(EINVAL, "%s is not byte-aligned", path);
	out->offset = bits / 8;
	int64_t sz = btf__resolve_size(btf, out->type_id);
	out->size = sz > 0 ? (uint32_t)sz : 0;
	return NULL;
}

struct kterr *kbtf_var(const struct btf *btf, const char *name, uint32_t *type_id,
		       uint32_t *size)
{
	int32_t i = btf__find_by_name_kind(btf, name, BTF_KIND_VAR);
	const struct btf_type *t;
	int64_t sz;

	if (i <= 0)
		return kterr_new(ENOENT, "no variable %s in the BTF", name);
	t = btf__type_by_id(btf, (uint32_t)i);
	*type_id = kbtf_skip_mods(btf, t->type);
	sz = btf__resolve_size(btf, *type_id);
	*size = sz > 0 ? (uint32_t)sz : 0;
	return NULL;
}

/* A BPF program's BTF comes from the guest: bound the nesting a struct of
 * one member may claim. */
#define SCALAR_DEPTH 8

static bool scalar(const struct btf *btf, uint32_t id, struct kbtf_scalar *out, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, kbtf_skip_mods(btf, id));

	memset(out, 0, sizeof(*out));
	if (!t || depth > SCALAR_DEPTH)
		return false;
	switch (btf_kind(t)) {
	case BTF_KIND_INT: {
		uint32_t enc = btf_int_encoding(t);

		if (btf_int_offset(t) || btf_int_bits(t) != t->size * 8)
			return false;
		out->size = t->size;
		out->is_signed = enc & BTF_INT_SIGNED;
		out->is_bool = enc & BTF_INT_BOOL;
		break;
	}
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		out->size = t->size;
		out->is_signed = btf_kflag(t);
		out->enum_id = kbtf_skip_mods(btf, id);
		break;
	case BTF_KIND_PTR:
		out->size = (uint32_t)btf__pointer_size(btf);
		out->is_ptr = true;
		break;
	case BTF_KIND_STRUCT:
		/* atomic_t and friends: one integer member at offset 0. */
		if (btf_vlen(t) != 1 || btf_member_bit_offset(t, 0) ||
		    btf_member_bitfield_size(t, 0))
			return false;
		if (!scalar(btf, btf_members(t)->type, out, depth + 1) || out->size != t->size)
			return false;
		break;
	default:
		return false;
	}
	return out->size == 1 || out->size == 2 || out->size == 4 || out->size == 8;
}

bool kbtf_scalar(const struct btf *btf, uint32_t id, struct kbtf_scalar *out)
{
	return scalar(btf, id, out, 0);
}

const char *kbtf_enum_name(const struct btf *btf, uint32_t enum_id, int64_t v)
{
	const struct btf_type *t = btf__type_by_id(btf, enum_id);

	if (!t)
		return NULL;
	if (btf_is_enum(t)) {
		const struct btf_enum *e = btf_enum(t);

		for (unsigned i = 0; i < btf_vlen(t); i++, e++)
			if ((int64_t)e->val == v || (uint32_t)e->val == (uint64_t)v)
				return btf__name_by_offset(btf, e->name_off);
	} else if (btf_is_enum64(t)) {
		const struct btf_enum64 *e = btf_enum64(t);

		for (unsigned i = 0; i < btf_vlen(t); i++, e++)
			if (btf_enum64_value(e) == (uint64_t)v)
				return btf__name_by_offset(btf, e->name_off);
	}
	return NULL;
}

/* A name of the guest's BTF: "" where the offset is past its strings
 * (libbpf answers NULL; found by fuzz_kguest). */
static const char *name_of(const struct btf *btf, uint32_t off)
{
	const char *n = btf__name_by_offset(btf, off);

	return n ? n : "";
}

bool kbtf_enum_value(const struct btf *btf, const char *name, int64_t *v)
{
	uint32_t n = btf__type_cnt(btf);

	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (btf_is_enum(t)) {
			const struct btf_enum *e = btf_enum(t);

			for (unsigned i = 0; i < btf_vlen(t); i++, e++)
				if (!strcmp(name_of(btf, e->name_off), name)) {
					*v = btf_kflag(t) ? (int64_t)e->val : (int64_t)(uint32_t)e->val;
					return true;
				}
		} else if (btf_is_enum64(t)) {
			const struct btf_enum64 *e = btf_enum64(t);

			for (unsigned i = 0; i < btf_vlen(t); i++, e++)
				if (!strcmp(name_of(btf, e->name_off), name)) {
					*v = (int64_t)btf_enum64_value(e);
					return true;
				}
		}
	}
	return false;
}

uint64_t kbtf_load(const void *p, uint32_t size, bool is_signed)
{
	const uint8_t *b = p;
	uint64_t v = 0;

	if (!size || size > 8)
		return 0;
	for (uint32_t i = 0; i < size; i++)
		v |= (uint64_t)b[i] << (8 * i);
	if (is_signed && size < 8 && (v >> (8 * size - 1)) & 1)
		v |= ~0ULL << (8 * size);
	return v;
}

bool kbtf_is_char_array(const struct btf *btf, uint32_t id, uint32_t *len)
{
	const struct btf_type *t = btf__type_by_id(btf, kbtf_skip_mods(btf, id)), *et;
	const struct btf_array *a;

	if (!t || !btf_is_array(t))
		return false;
	a = btf_array(t);
	et = btf__type_by_id(btf, kbtf_skip_mods(btf, a->type));
	if (!et || !btf_is_int(et) || et->size != 1)
		return false;
	if (!(btf_int_encoding(et) & BTF_INT_CHAR) &&
	    strcmp(name_of(btf, et->name_off), "char"))
		return false;
	*len = a->nelems;
	return true;
}

/* A char array as a string: up to its first NUL, at most 511 bytes; bytes
 * that are not UTF-8 become U+FFFD (kjson.h). */
static struct json_object *json_text(const uint8_t *p, size_t max)
{
	size_t n = 0;

	while (n < max && n < 511 && p[n])
		n++;
	return kjson_stringn((const char *)p, n);
}

static struct json_object *json_scalar(const struct btf *btf, const struct kbtf_scalar *s,
				       const void *data)
{
	uint64_t v = kbtf_load(data, s->size, s->is_signed);
	const char *name;

	if (s->is_ptr)
		return kjson_hex(v);
	if (s->is_bool)
		return json_object_new_boolean(v != 0);
	if (s->enum_id && (name = kbtf_enum_name(btf, s->enum_id, (int64_t)v)))
		return kjson_string(name);
	if (s->is_signed)
		return kjson_i64((int64_t)v);
	return kjson_u64(v);
}

bool kbtf_datasec_var(const struct btf *btf, uint32_t id, const char *name,
		      struct kbtf_secvar *out)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_var_secinfo *vs;

	if (!t || !btf_is_datasec(t))
		return false;
	vs = btf_var_secinfos(t);
	for (unsigned i = 0; i < btf_vlen(t); i++, vs++) {
		const struct btf_type *v = btf__type_by_id(btf, vs->type);
		const char *vn = v && btf_is_var(v) ? btf__name_by_offset(btf, v->name_off) : NULL;

		if (vn && !strcmp(vn, name)) {
			*out = (struct kbtf_secvar){ vn, vs->offset, vs->size, v->type };
			return true;
		}
	}
	return false;
}

/* A DATASEC's variables as an object; variables past size are left out. */
static struct json_object *json_datasec(const struct btf *btf, const struct btf_type *t,
					const uint8_t *data, size_t size, unsigned depth,
					unsigned max_elems)
{
	const struct btf_var_secinfo *vs = btf_var_secinfos(t);
	struct json_object *o = json_object_new_object();

	for (unsigned i = 0; o && i < btf_vlen(t); i++, vs++) {
		const struct btf_type *v = btf__type_by_id(btf, vs->type), *vt;
		const char *vn;

		if (!v || !btf_is_var(v) || (uint64_t)vs->offset + vs->size > size)
			continue;
		vn = name_of(btf, v->name_off);
		/* Variables render at the section's own depth; a variable whose
		 * type is a section would recurse without end (a made-up BTF,
		 * found by fuzz_kguest). */
		vt = btf__type_by_id(btf, kbtf_skip_mods(btf, v->type));
		if (vt && btf_is_datasec(vt)) {
			kjson_add(o, vn, NULL);
			continue;
		}
		kjson_add(o, vn, kbtf_to_json(btf, v->type, data + vs->offset, vs->size, depth,
					      max_elems));
	}
	return o;
}

static struct json_object *json_array(const struct btf *btf, const struct btf_type *t,
				      const void *data, unsigned depth, unsigned max_elems)
{
	const struct btf_array *a = btf_array(t);
	int64_t esz = btf__resolve_size(btf, a->type);
	struct json_object *arr = json_object_new_array();
	char more[48];

	for (uint32_t i = 0; arr && esz > 0 && i < a->nelems; i++) {
		if (i == max_elems) {
			snprintf(more, sizeof(more), "... %u more", a->nelems - i);
			kjson_push(arr, json_object_new_string(more));
			break;
		}
		kjson_push(arr, kbtf_to_json(btf, a->type, (const uint8_t *)data + i * esz,
					     (size_t)esz, depth - 1, max_elems));
	}
	return arr;
}

static struct json_object *json_composite(const struct btf *btf, const struct btf_type *t,
					  const void *data, size_t size, unsigned depth,
					  unsigned max_elems)
{
	const struct btf_member *m = btf_members(t);
	struct json_object *o = json_object_new_object();

	for (unsigned i = 0; o && i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		uint32_t bits = btf_member_bit_offset(t, i), bsz = btf_member_bitfield_size(t, i);
		const char *key = mn && *mn ? mn : "(anon)";

		/* The BTF is the guest's: a member may claim to lie past the
		 * struct's end (found by fuzz_kguest). */
		if ((bsz ? bits / 64 * 8 : bits / 8) >= size) {
			kjson_add(o, key, NULL);
			continue;
		}
		if (bsz) {
			uint64_t w = kbtf_load((const uint8_t *)data + bits / 64 * 8,
					       (uint32_t)(size - bits / 64 * 8 < 8 ?
							  size - bits / 64 * 8 : 8), false);

			kjson_add(o, key, kjson_u64((w >> (bits % 64)) &
						    (bsz >= 64 ? ~0ULL : (1ULL << bsz) - 1)));
			continue;
		}
		kjson_add(o, key, kbtf_to_json(btf, m->type, (const uint8_t *)data + bits / 8,
					       size - bits / 8, depth - 1, max_elems));
	}
	return o;
}

struct json_object *kbtf_to_json(const struct btf *btf, uint32_t id, const void *data,
				 size_t size, unsigned depth, unsigned max_elems)
{
	const struct btf_type *t;
	struct kbtf_scalar s;
	uint32_t len;
	int64_t tsz;

	id = kbtf_skip_mods(btf, id);
	t = btf__type_by_id(btf, id);
	if (t && btf_is_datasec(t))	/* its size is the section's: check per variable */
		return json_datasec(btf, t, data, size, depth, max_elems);
	tsz = btf__resolve_size(btf, id);
	if (!t || tsz < 0 || (size_t)tsz > size)
		return NULL;
	if (kbtf_scalar(btf, id, &s))
		return json_scalar(btf, &s, data);
	if (kbtf_is_char_array(btf, id, &len))
		return json_text(data, len);
	if (!depth)
		return json_object_new_string("...");
	if (btf_is_array(t))
		return json_array(btf, t, data, depth, max_elems);
	if (btf_is_composite(t))
		return json_composite(btf, t, data, size, depth, max_elems);
	return NULL;
}
