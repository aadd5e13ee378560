/* bpfsnap.c - BPF maps from guest memory; see bpfsnap.h. */
#include "vmm/intro/bpfsnap.h"

#include <bpf/btf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/results.h"
#include "lib/util.h"
#include "vmm/intro/kbtf.h"
#include "vmm/intro/kidr.h"
#include "lib/kjson.h"

#define NOTE_MAX 160
#define BTF_CACHE 64
#define BTF_MAX_BYTES (16u << 20)
#define MAP_NAME_MAX 16		/* BPF_OBJ_NAME_LEN */
#define HDR_MAX 4096		/* struct bpf_map, bpf_array, bpf_htab headers */

/* A field of a kernel struct: where, how wide. */
struct fld {
	bool ok;
	uint64_t off;
	uint32_t size;
};

struct btf_cached {
	uint64_t va;		/* the kernel's struct btf */
	struct btf *btf;	/* NULL: could not be read; why says */
	char why[NOTE_MAX];
};

struct bpfsnap_plan {
	const struct btf *kbtf;
	uint64_t map_idr;
	struct fld head;	/* idr.idr_rt.xa_head */
	struct kidr_layout xa;
	uint32_t map_size;
	struct fld m_type, m_key_size, m_value_size, m_max_entries, m_flags, m_id, m_name;
	struct fld m_btf, m_key_tid, m_value_tid;
	uint32_t map_type_enum;
	int64_t t_array, t_percpu_array, t_hash, t_lru_hash;	/* -1: not in this kernel */
	bool have_array;
	uint32_t array_size;
	struct fld a_elem_size, a_value;
	bool have_htab;
	uint32_t htab_size, bucket_size;
	struct fld h_buckets, h_n_buckets, bucket_first, e_key;
	bool have_btf;
	struct fld b_data, b_data_size, b_base_btf;
	struct btf_cached cache[BTF_CACHE];
	size_t ncache;
};

struct bmap {
	uint64_t va;
	uint32_t id, type, key_size, value_size, max_entries, flags;
	const char *type_name;	/* owned by the kernel's BTF */
	char name[MAP_NAME_MAX + 1];
	uint64_t btf_va;
	uint32_t key_tid, value_tid;
	uint8_t *data;		/* arrays: n elements of value_size; hash: key then value */
	uint32_t n;
	uint32_t ncpus;		/* per-CPU arrays: values per element */
	bool hash, truncated;
	char note[NOTE_MAX];
	const struct btf *btf;	/* after finish, owned by the plan's cache */
	const char *btf_why;
};

struct bpfsnap {
	struct bmap *maps;
	size_t n;
	size_t bytes;
	char why[NOTE_MAX];	/* the whole walk failed */
};

/* ---- the plan ---- */

static struct fld field(const struct btf *btf, uint32_t sid, const char *path)
{
	struct kbtf_field f;
	struct kterr *e = kbtf_member(btf, sid, path, &f);
	struct fld r = { 0 };

	if (e) {
		kterr_free(e);
		return r;
	}
	r.ok = !f.bit_size;
	r.off = f.offset;
	r.size = f.size;
	return r;
}

static uint32_t struct_size(const struct btf *btf, const char *name, uint32_t *id)
{
	struct kterr *e = kbtf_struct(btf, name, id);
	int64_t sz;

	if (e) {
		kterr_free(e);
		return 0;
	}
	sz = btf__resolve_size(btf, *id);
	return sz > 0 && sz <= HDR_MAX ? (uint32_t)sz : 0;
}

static int64_t map_type(const struct btf *btf, const char *name)
{
	int64_t v;

	return kbtf_enum_value(btf, name, &v) ? v : -1;
}

static void plan_htab(struct bpfsnap_plan *p)
{
	uint32_t hid, eid;
	struct kbtf_field b;
	const struct btf_type *pt;
	struct kterr *e;

	p->htab_size = struct_size(p->kbtf, "bpf_htab", &hid);
	if (!p->htab_size || !struct_size(p->kbtf, "htab_elem", &eid))
		return;
	p->h_buckets = field(p->kbtf, hid, "buckets");
	p->h_n_buckets = field(p->kbtf, hid, "n_buckets");
	p->e_key = field(p->kbtf, eid, "key");
	/* The bucket type is what bpf_htab.buckets points to (several
	 * kernel structs are called "bucket"). */
	e = kbtf_member(p->kbtf, hid, "buckets", &b);
	if (e) {
		kterr_free(e);
		return;
	}
	pt = btf__type_by_id(p->kbtf, b.type_id);
	if (!pt || !btf_is_ptr(pt))
		return;
	int64_t bsz = btf__resolve_size(p->kbtf, pt->type);
	p->bucket_first = field(p->kbtf, kbtf_skip_mods(p->kbtf, pt->type), "head.first");
	p->bucket_size = bsz > 0 ? (uint32_t)bsz : 0;
	p->have_htab = p->h_buckets.ok && p->h_n_buckets.ok && p->e_key.ok &&
		       p->bucket_first.ok && p->bucket_size;
}

struct kterr *bpfsnap_plan_new(const struct ksyms *ks, const struct btf *btf,
			       struct bpfsnap_plan **out)
{
	struct bpfsnap_plan *p = calloc(1, sizeof(*p));
	const struct ksym *idr = ksyms_find(ks, "map_idr");
	uint32_t id, xid, mid, aid, bid;
	struct fld slots, shift;
	int32_t enum_id;

	*out = NULL;
	if (!p)
		return kterr_new(ENOMEM, "BPF maps");
	p->kbtf = btf;
	if (!idr) {
		free(p);
		return kterr_new(ENOENT, "no map_idr in %s: this kernel has no BPF maps to list",
				 ksyms_path(ks));
	}
	p->map_idr = idr->addr;
	if (!struct_size(btf, "idr", &id) || !struct_size(btf, "xa_node", &xid) ||
	    !(p->map_size = struct_size(btf, "bpf_map", &mid))) {
		free(p);
		return kterr_new(ENOENT, "no struct idr, xa_node or bpf_map in the kernel's BTF");
	}
	p->head = field(btf, id, "idr_rt.xa_head");
	shift = field(btf, xid, "shift");
	slots = field(btf, xid, "slots");
	if (!p->head.ok || !shift.ok || !slots.ok || slots.size % 8) {
		free(p);
		return kterr_new(ENOENT, "idr.idr_rt.xa_head, xa_node.shift or xa_node.slots "
				 "missing from the kernel's BTF");
	}
	p->xa = (struct kidr_layout){ shift.off, slots.off, slots.size / 8 };
	p->m_type = field(btf, mid, "map_type");
	p->m_key_size = field(btf, mid, "key_size");
	p->m_value_size = field(btf, mid, "value_size");
	p->m_max_entries = field(btf, mid, "max_entries");
	p->m_flags = field(btf, mid, "map_flags");
	p->m_id = field(btf, mid, "id");
	p->m_name = field(btf, mid, "name");
	p->m_btf = field(btf, mid, "btf");
	p->m_key_tid = field(btf, mid, "btf_key_type_id");
	p->m_value_tid = field(btf, mid, "btf_value_type_id");
	enum_id = btf__find_by_name_kind(btf, "bpf_map_type", BTF_KIND_ENUM);
	p->map_type_enum = enum_id > 0 ? (uint32_t)enum_id : 0;
	p->t_array = map_type(btf, "BPF_MAP_TYPE_ARRAY");
	p->t_hash = map_type(btf, "BPF_MAP_TYPE_HASH");
	p->t_lru_hash = map_type(btf, "BPF_MAP_TYPE_LRU_HASH");
	p->t_percpu_array = map_type(btf, "BPF_MAP_TYPE_PERCPU_ARRAY");
	if ((p->array_size = struct_size(btf, "bpf_array", &aid))) {
		p->a_elem_size = field(btf, aid, "elem_size");
		p->a_value = field(btf, aid, "value");
		p->have_array = p->a_elem_size.ok && p->a_value.ok;
	}
	plan_htab(p);
	if (struct_size(btf, "btf", &bid)) {
		p->b_data = field(btf, bid, "data");
		p->b_data_size = field(btf, bid, "data_size");
		p->b_base_btf = field(btf, bid, "base_btf");
		p->have_btf = p->b_data.ok && p->b_data_size.ok;
	}
	*out = p;
	return NULL;
}

void bpfsnap_plan_free(struct bpfsnap_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->ncache; i++)
		btf__free(p->cache[i].btf);
	free(p);
}

/* ---- inside the window ---- */

static struct kterr *kread(void *ctx, uint64_t va, void *buf, size_t len)
{
	return kmem_read(ctx, va, buf, len);
}

static uint64_t get(const uint8_t *hdr, struct fld f)
{
	return f.ok && f.size <= 8 ? kbtf_load(hdr + f.off, f.size, false) : 0;
}

struct take {
	const struct bpfsnap_plan *p;
	const struct kmem *km;
	struct bpfsnap *s;
	struct kterr *err;
};

static bool budget(struct bpfsnap *s, struct bmap *m, size_t want)
{
	if (want > BPFSNAP_MAX_MAP_BYTES || s->bytes + want > BPFSNAP_MAX_BYTES) {
		snprintf(m->note, sizeof(m->note), "values not copied: %zu bytes is over the "
			 "snapshot's budget", want);
		return false;
	}
	return true;
}

static void take_array(struct take *t, struct bmap *m)
{
	const struct bpfsnap_plan *p = t->p;
	uint8_t hdr[HDR_MAX];
	uint32_t elem;
	size_t want;
	struct kterr *e;

	if ((e = kmem_read(t->km, m->va, hdr, p->array_size))) {
		kterr_str(e, m->note, sizeof(m->note));
		kterr_free(e);
		return;
	}
	elem = (uint32_t)get(hdr, p->a_elem_size);
	if (elem < m->value_size || elem > m->value_size + 8) {
		snprintf(m->note, sizeof(m->note), "bpf_array.elem_size %u does not fit value "
			 "size %u", elem, m->value_size);
		return;
	}
	want = (size_t)m->max_entries * m->value_size;
	if (!budget(t->s, m, want) || !want)
		return;
	m->data = malloc(want);
	if (!m->data)
		return;
	for (uint32_t i = 0; i < m->max_entries; i++) {
		e = kmem_read(t->km, m->va + p->a_value.off + (uint64_t)i * elem,
			      m->data + (size_t)i * m->value_size, m->value_size);
		if (e) {
			kterr_str(e, m->note, sizeof(m->note));
			kterr_free(e);
			break;
		}
		m->n++;
	}
	t->s->bytes += want;
}

static void take_hash(struct take *t, struct bmap *m)
{
	const struct bpfsnap_plan *p = t->p;
	uint8_t hdr[HDR_MAX];
	uint64_t buckets, nb, koff = p->e_key.off, voff;
	size_t stride = (size_t)m->key_size + m->value_size, want;
	struct kterr *e = NULL;

	if ((e = kmem_read(t->km, m->va, hdr, p->htab_size)))
		goto fail;
	buckets = get(hdr, p->h_buckets);
	nb = get(hdr, p->h_n_buckets);
	voff = koff + ((m->key_size + 7) & ~7u);
	want = BPFSNAP_MAX_HASH * stride;
	if (!budget(t->s, m, want))
		return;
	/* The bucket array is scanned in place, a page at a time (not a
	 * read per bucket); a huge one only in part. */
	if (nb * p->bucket_size > BPFSNAP_MAX_MAP_BYTES) {
		nb = BPFSNAP_MAX_MAP_BYTES / p->bucket_size;
		m->truncated = true;
	}
	m->data = malloc(want ? want : 1);
	m->hash = true;
	if (!m->data)
		goto done;
	const uint8_t *page = NULL;
	uint64_t page_va = 0;
	size_t avail = 0;
	for (uint64_t b = 0; b < nb && !e; b++) {
		uint64_t at = buckets + b * p->bucket_size + p->bucket_first.off, node;
		unsigned chain = 0;

		if (!page || at < page_va || at + 8 > page_va + avail) {
			/* map from here to the end of its page */
			e = kmem_map(t->km, at, (size_t)(nb - b) * p->bucket_size, &page, &avail);
			if (e)
				break;
			page_va = at;
			if (avail < 8) {	/* the head straddles two pages */
				page = NULL;
				e = kmem_read_uint(t->km, at, 8, &node);
				if (e)
					break;
				goto have_node;
			}
		}
		node = kbtf_load(page + (at - page_va), 8, false);
have_node:
		/* hlist_nulls: a pointer with bit 0 set ends the chain */
		while (!e && node && !(node & 1)) {
			if (m->n == BPFSNAP_MAX_HASH || ++chain > m->max_entries) {
				m->truncated = true;
				goto done;
			}
			e = kmem_read(t->km, node + koff, m->data + m->n * stride, m->key_size);
			if (!e)
				e = kmem_read(t->km, node + voff, m->data + m->n * stride + m->key_size,
					      m->value_size);
			if (!e) {
				m->n++;
				e = kmem_read_uint(t->km, node, 8, &node);	/* hash_node.next */
			}
		}
	}
done:
	t->s->bytes += (size_t)m->n * stride;
	if (!e)
		return;
fail:
	kterr_str(e, m->note, sizeof(m->note));
	kterr_free(e);
}

/* Per-CPU array: element i is a per-CPU pointer (bpf_array.pptrs[i]);
 * each possible CPU's copy is copied, element-major. */
static void take_percpu_array(struct take *t, struct bmap *m)
{
	const struct bpfsnap_plan *p = t->p;
	unsigned ncpus = 0;
	size_t want;
	struct kterr *e = kmem_nr_cpu_ids(t->km, &ncpus);

	if (e)
		goto fail;
	want = (size_t)m->max_entries * ncpus * m->value_size;
	if (!want || !budget(t->s, m, want))
		return;
	m->data = malloc(want);
	if (!m->data)
		return;
	m->ncpus = ncpus;
	for (uint32_t i = 0; i < m->max_entries && !e; i++) {
		uint64_t pptr;

		e = kmem_read_uint(t->km, m->va + p->a_value.off + (uint64_t)i * 8, 8, &pptr);
		for (unsigned c = 0; c < ncpus && !e; c++) {
			uint64_t va;

			e = kmem_percpu(t->km, pptr, c, &va);
			if (!e)
				e = kmem_read(t->km, va, m->data + ((size_t)i * ncpus + c) * m->value_size,
					      m->value_size);
		}
		if (!e)
			m->n++;
	}
	t->s->bytes += want;
	if (!e)
		return;
fail:
	kterr_str(e, m->note, sizeof(m->note));
	kterr_free(e);
}

static int visit(void *ctx, uint64_t index, uint64_t va)
{
	struct take *t = ctx;
	const struct bpfsnap_plan *p = t->p;
	struct bpfsnap *s = t->s;
	uint8_t hdr[HDR_MAX];
	struct bmap *m;
	struct kterr *e;

	(void)index;
	if (s->n == BPFSNAP_MAX_MAPS)
		return 1;
	m = &s->maps[s->n];
	memset(m, 0, sizeof(*m));
	m->va = va;
	if ((e = kmem_read(t->km, va, hdr, p->map_size))) {
		kterr_str(e, m->note, sizeof(m->note));
		kterr_free(e);
		s->n++;
		return 0;
	}
	m->type = (uint32_t)get(hdr, p->m_type);
	m->type_name = p->map_type_enum ? kbtf_enum_name(p->kbtf, p->map_type_enum, m->type) : NULL;
	m->id = (uint32_t)get(hdr, p->m_id);
	m->key_size = (uint32_t)get(hdr, p->m_key_size);
	m->value_size = (uint32_t)get(hdr, p->m_value_size);
	m->max_entries = (uint32_t)get(hdr, p->m_max_entries);
	m->flags = (uint32_t)get(hdr, p->m_flags);
	m->btf_va = get(hdr, p->m_btf);
	m->key_tid = (uint32_t)get(hdr, p->m_key_tid);
	m->value_tid = (uint32_t)get(hdr, p->m_value_tid);
	if (p->m_name.ok) {
		size_t n = p->m_name.size < MAP_NAME_MAX ? p->m_name.size : MAP_NAME_MAX;

		memcpy(m->name, hdr + p->m_name.off, n);
		m->name[n] = '\0';
	}
	if (p->have_array && (int64_t)m->type == p->t_array)
		take_array(t, m);
	else if (p->have_array && (int64_t)m->type == p->t_percpu_array)
		take_percpu_array(t, m);
	else if (p->have_htab && ((int64_t)m->type == p->t_hash ||
				  (int64_t)m->type == p->t_lru_hash))
		take_hash(t, m);
	s->n++;
	return 0;
}

struct kterr *bpfsnap_take(const struct bpfsnap_plan *p, const struct kmem *km,
			   struct bpfsnap **out)
{
	struct bpfsnap *s = calloc(1, sizeof(*s));
	struct take t = { .p = p, .km = km, .s = s };
	uint64_t head;
	struct kterr *e;

	*out = NULL;
	if (!s || !(s->maps = calloc(BPFSNAP_MAX_MAPS, sizeof(*s->maps)))) {
		free(s);
		return kterr_new(ENOMEM, "BPF maps");
	}
	e = kmem_read_uint(km, p->map_idr + p->head.off, 8, &head);
	if (!e)
		e = kidr_walk(&p->xa, kread, (void *)km, head, BPFSNAP_MAX_MAPS, visit, &t, NULL);
	if (e) {
		kterr_str(e, s->why, sizeof(s->why));
		kterr_free(e);
	}
	*out = s;
	return NULL;
}

/* ---- after the window ---- */

/* btf__new_split is not exported by every libbpf 1.x (Debian 12's 1.1
 * lacks it): parse the bytes as a raw file through a memfd instead. */
static struct btf *new_split(const void *data, uint32_t size, struct btf *base)
{
	char path[64];
	struct btf *b = NULL;
	int fd = memfd_create("ktcon-btf", MFD_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		b = btf__parse_raw_split(path, base);
	}
	close(fd);
	return b;
}

static const struct btf_cached *btf_of(struct bpfsnap_plan *p, const struct kmem *km,
				       uint64_t va)
{
	struct btf_cached *c;
	uint8_t hdr[HDR_MAX];
	uint64_t data, size, base;
	uint8_t *bytes = NULL;
	struct kterr *e;

	for (size_t i = 0; i < p->ncache; i++)
		if (p->cache[i].va == va)
			return &p->cache[i];
	if (p->ncache == BTF_CACHE) {	/* forget the oldest */
		btf__free(p->cache[0].btf);
		memmove(p->cache, p->cache + 1, (BTF_CACHE - 1) * sizeof(p->cache[0]));
		p->ncache--;
	}
	c = &p->cache[p->ncache++];
	memset(c, 0, sizeof(*c));
	c->va = va;
	if (!p->have_btf) {
		snprintf(c->why, sizeof(c->why), "no struct btf in the kernel's BTF");
		return c;
	}
	uint32_t bid;
	uint32_t bsz = struct_size(p->kbtf, "btf", &bid);
	if ((e = kmem_read(km, va, hdr, bsz)))
		goto fail;
	data = get(hdr, p->b_data);
	size = get(hdr, p->b_data_size);
	base = get(hdr, p->b_base_btf);
	if (!size || size > BTF_MAX_BYTES) {
		snprintf(c->why, sizeof(c->why), "BTF of %" PRIu64 " bytes", size);
		return c;
	}
	bytes = malloc(size);
	if (!bytes || (e = kmem_read(km, data, bytes, size)))
		goto fail;
	/* A program's BTF stands alone; split BTF (a module's) extends the
	 * kernel's. */
	c->btf = base ? new_split(bytes, (uint32_t)size, (struct btf *)p->kbtf)
		      : btf__new(bytes, (uint32_t)size);
	if (!c->btf)
		snprintf(c->why, sizeof(c->why), "libbpf could not parse the %" PRIu64 " bytes "
			 "of BTF at 0x%" PRIx64 ": %s", size, data, strerror(errno));
	free(bytes);
	return c;
fail:
	free(bytes);
	if (e) {
		kterr_str(e, c->why, sizeof(c->why));
		kterr_free(e);
	} else {
		snprintf(c->why, sizeof(c->why), "out of memory");
	}
	return c;
}

void bpfsnap_finish(struct bpfsnap_plan *p, const struct kmem *km, struct bpfsnap *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct bmap *m = &s->maps[i];
		const struct btf_cached *c;

		if (!m->btf_va)
			continue;
		c = btf_of(p, km, m->btf_va);
		m->btf = c->btf;
		m->btf_why = c->btf ? NULL : c->why;
	}
}

/* ---- JSON (a json-c tree) and variables ---- */

static struct json_object *json_hex(const uint8_t *b, size_t n)
{
	size_t shown = n < 64 ? n : 64;
	char text[64 * 2 + 4], *o = text;

	for (size_t i = 0; i < shown; i++, o += 2)
		snprintf(o, 3, "%02x", b[i]);
	strcpy(o, shown < n ? "..." : "");
	return json_object_new_string(text);
}

static struct json_object *json_value(const struct bmap *m, uint32_t tid, const uint8_t *b,
				      size_t n)
{
	if (m->btf && tid)
		return kbtf_to_json(m->btf, tid, b, n, 4, 16);
	return json_hex(b, n);
}

/* A hash map's entries, {"key": ..., "value": ...} each. */
static void json_entries(struct json_object *o, const struct bmap *m)
{
	struct json_object *arr = json_object_new_array();
	size_t stride = (size_t)m->key_size + m->value_size;

	for (uint32_t k = 0; arr && k < m->n; k++) {
		const uint8_t *e = m->data + k * stride;
		struct json_object *kv = json_object_new_object();

		kjson_add(kv, "key", json_value(m, m->key_tid, e, m->key_size));
		kjson_add(kv, "value", json_value(m, m->value_tid, e + m->key_size, m->value_size));
		kjson_push(arr, kv);
	}
	kjson_add(o, "entries", arr);
	kjson_add(o, "truncated", json_object_new_boolean(m->truncated));
}

/* A per-CPU array: one array of the CPUs' values per index. */
static void json_per_cpu(struct json_object *o, const struct bmap *m)
{
	struct json_object *arr = json_object_new_array();

	for (uint32_t k = 0; arr && k < m->n && k < BPFSNAP_MAX_ARRAY_JSON; k++) {
		struct json_object *cpus = json_object_new_array();

		for (uint32_t c = 0; cpus && c < m->ncpus; c++)
			kjson_push(cpus, json_value(m, m->value_tid,
						    m->data + ((size_t)k * m->ncpus + c) *
						    m->value_size, m->value_size));
		kjson_push(arr, cpus);
	}
	kjson_add(o, "values_per_cpu", arr);
}

static void json_values(struct json_object *o, const struct bmap *m)
{
	struct json_object *arr = json_object_new_array();

	for (uint32_t k = 0; arr && k < m->n && k < BPFSNAP_MAX_ARRAY_JSON; k++)
		kjson_push(arr, json_value(m, m->value_tid, m->data + (size_t)k * m->value_size,
					   m->value_size));
	kjson_add(o, "values", arr);
	if (m->n > BPFSNAP_MAX_ARRAY_JSON)
		kjson_add(o, "values_shown", kjson_u64(BPFSNAP_MAX_ARRAY_JSON));
}

static struct json_object *json_map(const struct bmap *m)
{
	const struct btf_type *vt = m->btf ? btf__type_by_id(m->btf, m->value_tid) : NULL;
	struct json_object *o = json_object_new_object();

	kjson_add(o, "id", kjson_u64(m->id));
	kjson_add(o, "name", kjson_string(m->name));
	kjson_add(o, "type", m->type_name ? kjson_string(m->type_name) : kjson_u64(m->type));
	kjson_add(o, "key_size", kjson_u64(m->key_size));
	kjson_add(o, "value_size", kjson_u64(m->value_size));
	kjson_add(o, "max_entries", kjson_u64(m->max_entries));
	kjson_add(o, "flags", kjson_u64(m->flags));
	if (vt && btf_is_datasec(vt) && m->data && m->n)
		kjson_add(o, "globals", kbtf_to_json(m->btf, m->value_tid, m->data, m->value_size,
						     4, 16));
	else if (m->data && m->hash)
		json_entries(o, m);
	else if (m->data && m->ncpus)
		json_per_cpu(o, m);
	else if (m->data)
		json_values(o, m);
	if (m->note[0] || m->btf_why)
		kjson_add(o, "note", kjson_string(m->note[0] ? m->note : m->btf_why));
	return o;
}

void bpfsnap_to_json(struct json_object *snap, const struct bpfsnap *s)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < s->n; i++)
		kjson_push(arr, json_map(&s->maps[i]));
	kjson_add(snap, "bpf_maps", arr);
	if (s->why[0])
		kjson_add(snap, "bpf_maps_error", kjson_string(s->why));
}

/* "name", or "MAP.name" for map m. */
static const char *var_in(const struct bmap *m, const char *name)
{
	size_t ml = strlen(m->name);

	if (ml && !strncmp(name, m->name, ml) && name[ml] == '.' && name[ml + 1])
		return name + ml + 1;
	return NULL;
}

bool bpfsnap_var(const struct bpfsnap *s, const char *name, uint64_t *v, const char **why)
{
	*why = NULL;
	/* "maps.NAME": how many maps have that exact name (a pinned outgoing
	 * scheduler's .bss and its successor's make 2). */
	if (!strncmp(name, "maps.", 5)) {
		*v = 0;
		for (size_t i = 0; i < s->n; i++)
			*v += !strcmp(s->maps[i].name, name + 5);
		return true;
	}
	/* Qualified names first: "scx_qmap.bss.nr_enqueued" is that map's. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < s->n; i++) {
			const struct bmap *m = &s->maps[i];
			const char *vn = pass ? name : var_in(m, name);
			struct kbtf_secvar sv;
			struct kbtf_scalar sc;

			if (!vn || !m->btf || !m->data || !m->n ||
			    !kbtf_datasec_var(m->btf, m->value_tid, vn, &sv) ||
			    (uint64_t)sv.offset + sv.size > m->value_size)
				continue;
			if (!kbtf_scalar(m->btf, sv.type_id, &sc) || sc.size > sv.size) {
				*why = "not a number (see the snapshot's JSON)";
				return true;
			}
			*v = kbtf_load(m->data + sv.offset, sc.size, sc.is_signed);
			return true;
		}
	}
	return false;
}

size_t bpfsnap_count(const struct bpfsnap *s)
{
	return s ? s->n : 0;
}

void bpfsnap_free(struct bpfsnap *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->maps[i].data);
	free(s->maps);
	free(s);
}
