/* snapshot.c - coherent captures of the guest; see snapshot.h. */
#include "vmm/intro/snapshot.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/results.h"
#include "lib/util.h"
#include "vmm/intro/bpfsnap.h"
#include "lib/kjson.h"

static const char *const copied_sections[] = { ".data", ".bss" };

static void note(struct snapshot *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct snapshot *s, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	char *n;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = kt_strfmt("%s%s%s", s->notes ? s->notes : "", s->notes ? "; " : "", line);
	if (n) {
		free(s->notes);
		s->notes = n;
	}
}

static void note_err(struct snapshot *s, const char *what, struct kterr *e)
{
	char buf[400];

	note(s, "%s: %s", what, kterr_str(e, buf, sizeof(buf)));
	kterr_free(e);
}

size_t snapshot_scratch_size(const struct ksyms *ks)
{
	size_t total = 0;

	for (size_t i = 0; i < ARRAY_SIZE(copied_sections); i++) {
		uint64_t va, len;

		if (ksyms_section(ks, copied_sections[i], &va, &len))
			total += len;
	}
	return total;
}

void snapshot_prefault(const struct snapctx *c)
{
	size_t off = 0;

	if (!c->scratch)
		return;
	memset(c->scratch, 0, c->scratch_len);
	for (size_t i = 0; i < ARRAY_SIZE(copied_sections); i++) {
		uint64_t va, len;

		if (!ksyms_section(c->ks, copied_sections[i], &va, &len) ||
		    off + len > c->scratch_len)
			continue;
		kterr_free(kmem_read(c->km, va, c->scratch + off, len));
		off += len;
	}
}

/* Inside the window: into the scratch buffer only. */
static void copy_kdata(struct snapshot *s, const struct snapctx *c)
{
	size_t off = 0;

	for (size_t i = 0; i < ARRAY_SIZE(copied_sections); i++) {
		struct snapshot_copy *k = &s->kdata[i];
		uint64_t va, len;
		struct kterr *e;

		k->section = copied_sections[i];
		if (!c->scratch || !ksyms_section(c->ks, k->section, &va, &len) || !len)
			continue;
		if (off + len > c->scratch_len) {
			note(s, "kernel %s: no room in the scratch buffer", k->section);
			continue;
		}
		e = kmem_read(c->km, va, c->scratch + off, len);
		if (e) {
			note_err(s, k->section, e);
			continue;
		}
		k->va = va;
		k->len = len;
		off += len;
	}
}

/* After the window: the snapshot's own copy. */
static void keep_kdata(struct snapshot *s, const struct snapctx *c)
{
	size_t off = 0;

	for (size_t i = 0; i < ARRAY_SIZE(s->kdata); i++) {
		struct snapshot_copy *k = &s->kdata[i];

		if (!k->len)
			continue;
		k->bytes = malloc(k->len);
		if (k->bytes)
			memcpy(k->bytes, c->scratch + off, k->len);
		else
			note(s, "kernel %s: out of memory", k->section);
		off += k->len;
	}
}

struct kterr *snapshot_take(struct snapshot *s, const struct snapctx *c, const struct freeze *f,
			    const char *tag)
{
	uint64_t t0 = kt_now_ns();
	struct timespec ts;
	struct kterr *e;

	memset(s, 0, sizeof(*s));
	s->tag = strdup(tag);
	if (!s->tag)
		return kterr_new(ENOMEM, "snapshot %s", tag);
	clock_gettime(CLOCK_REALTIME, &ts);
	s->wall_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	s->nvcpus = f->nvcpus;
	for (size_t i = 0; i < f->nvcpus; i++) {
		e = gdb_read_regs(c->gdb, f->vcpus[i], &s->regs[i]);
		if (e)
			return kterr_wrap(e, "snapshot %s: registers of vCPU %zu", tag, i);
	}
	if (c->plan) {
		e = kstate_read(c->plan, c->km, &s->ks);
		if (e)
			note_err(s, "kernel state", e);
		else
			s->have_kstate = true;
	}
	if (c->bpf) {
		e = bpfsnap_take(c->bpf, c->km, &s->bpf);
		if (e)
			note_err(s, "BPF maps", e);
	}
	copy_kdata(s, c);
	s->capture_ns = kt_now_ns() - t0;
	return NULL;
}

/* ---- the tree ---- */

static struct json_object *json_regs(const struct snapshot *s)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < s->nvcpus; i++) {
		const struct gdb_x86_regs *r = &s->regs[i];
		const uint64_t *v = &r->rax;
		struct json_object *o = json_object_new_object();

		kjson_add(o, "vcpu", kjson_u64(i));
		for (size_t k = 0; k < gdb_x86_reg_count(); k++)
			if (r->have & (1ULL << k))
				kjson_add(o, gdb_x86_reg_name(k), kjson_hex(v[k]));
		kjson_push(arr, o);
	}
	return arr;
}

static struct json_object *json_watch(const struct snapshot_watch *w)
{
	struct json_object *o = json_object_new_object();

	kjson_add(o, "symbol", kjson_string(w->symbol));
	kjson_add(o, "addr", kjson_hex(w->addr));
	kjson_add(o, "vcpu", kjson_u64(w->vcpu));
	kjson_add(o, "rip", kjson_hex(w->rip));
	kjson_add(o, "old", kjson_hex(w->old));
	kjson_add(o, "new", kjson_hex(w->new));
	kjson_add(o, "t_us", kjson_u64(w->t_ns / 1000));
	return o;
}

void snapshot_finish(struct snapshot *s, const struct snapctx *c)
{
	struct json_object *o;

	keep_kdata(s, c);
	if (s->bpf && c->bpf)
		bpfsnap_finish(c->bpf, c->km, s->bpf);
	json_object_put(s->tree);
	s->tree = o = json_object_new_object();
	if (!o)
		return;
	kjson_add(o, "snapshot", kjson_u64(s->id));
	kjson_add(o, "tag", kjson_string(s->tag));
	kjson_add(o, "wall_ns", kjson_u64(s->wall_ns));
	kjson_add(o, "freeze_us", kjson_fixed(s->freeze_ns / 1000.0, 1));
	kjson_add(o, "capture_us", kjson_fixed(s->capture_ns / 1000.0, 1));
	if (s->has_watch)
		kjson_add(o, "watch", json_watch(&s->watch));
	kjson_add(o, "vcpus", json_regs(s));
	if (s->have_kstate && c->plan)
		kstate_to_json(o, c->plan, &s->ks);
	if (s->bpf)
		bpfsnap_to_json(o, s->bpf);
	kjson_add(o, "notes", s->notes ? kjson_string(s->notes) : NULL);
}

/* ---- variables ---- */

static bool reg_var(const struct snapshot *s, const char *name, uint64_t *v, bool *absent)
{
	char *end;
	unsigned long i;

	if (strncmp(name, "vcpu", 4) || name[4] < '0' || name[4] > '9')
		return false;
	i = strtoul(name + 4, &end, 10);
	if (*end != '.' || i >= s->nvcpus)
		return false;
	for (size_t k = 0; k < gdb_x86_reg_count(); k++) {
		if (strcmp(end + 1, gdb_x86_reg_name(k)))
			continue;
		*absent = !(s->regs[i].have & (1ULL << k));
		*v = (&s->regs[i].rax)[k];
		return true;
	}
	return false;
}

static bool kdata_var(const struct snapshot *s, const struct snapctx *c, const char *name,
		      uint64_t *v, struct kterr **why)
{
	const struct ksym *sym = ksyms_find(c->ks, name);

	*why = NULL;
	if (!sym)
		return false;
	if (sym->size != 1 && sym->size != 2 && sym->size != 4 && sym->size != 8) {
		*why = kterr_new(EINVAL, "kernel variable %s is %" PRIu64 " bytes, not a number",
				 name, sym->size);
		return true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(s->kdata); i++) {
		const struct snapshot_copy *k = &s->kdata[i];

		if (k->bytes && sym->addr >= k->va && sym->addr + sym->size <= k->va + k->len) {
			*v = 0;
			for (uint64_t b = 0; b < sym->size; b++)
				*v |= (uint64_t)k->bytes[sym->addr - k->va + b] << (8 * b);
			return true;
		}
	}
	*why = kterr_hint(kterr_new(ENOENT, "kernel variable %s (section %s) is not in the "
				    "snapshot's copy of .data and .bss", name,
				    sym->section[0] ? sym->section : "absolute"),
			  "read it with read-kernel-cold");
	return true;
}

struct kterr *snapshot_var(const struct snapshot *s, const struct snapctx *c, const char *name,
			   uint64_t *v)
{
	const char *why = NULL;
	struct kterr *e;
	bool absent = false;

	if (!strcmp(name, "freeze_us")) {
		*v = s->freeze_ns / 1000;
		return NULL;
	}
	if (!strcmp(name, "capture_us")) {
		*v = s->capture_ns / 1000;
		return NULL;
	}
	if (c->plan && s->have_kstate && kstate_var(c->plan, &s->ks, name, v, &why))
		return why ? kterr_new(ENOENT, "%s: %s", name, why) : NULL;
	if (reg_var(s, name, v, &absent))
		return absent ? kterr_new(ENOENT, "%s was not read from the vCPU", name) : NULL;
	if (s->bpf && bpfsnap_var(s->bpf, name, v, &why))
		return why ? kterr_new(EINVAL, "BPF global %s: %s", name, why) : NULL;
	if (kdata_var(s, c, name, v, &e))
		return e;
	return kterr_hint(kterr_new(ENOENT, "no variable %s in snapshot %s", name, s->tag),
			  "name a sched_ext field (scx.state, scx.nr_rejected, ...), a runqueue "
			  "field (cpu0.nr_running, cpu0.scx.nr_running, ...), a register "
			  "(vcpu0.rip), freeze_us, a BPF global of the scheduler, or a kernel "
			  "variable in .data/.bss");
}

void snapshot_free(struct snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(s->kdata); i++)
		free(s->kdata[i].bytes);
	bpfsnap_free(s->bpf);
	free(s->tag);
	free(s->notes);
	json_object_put(s->tree);
	memset(s, 0, sizeof(*s));
}
