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

/* ---- JSON ---- */

static void json_regs(FILE *f, const struct snapshot *s)
{
	fputs("\"vcpus\": [", f);
	for (size_t i = 0; i < s->nvcpus; i++) {
		const struct gdb_x86_regs *r = &s->regs[i];
		const uint64_t *v = &r->rax;

		fprintf(f, "%s{\"vcpu\": %zu", i ? ", " : "", i);
		for (size_t k = 0; k < gdb_x86_reg_count(); k++)
			if (r->have & (1ULL << k))
				fprintf(f, ", \"%s\": \"0x%" PRIx64 "\"", gdb_x86_reg_name(k), v[k]);
		fputc('}', f);
	}
	fputc(']', f);
}

static void json_watch(FILE *f, const struct snapshot_watch *w)
{
	fputs("\"watch\": {\"symbol\": ", f);
	kt_json_string(f, w->symbol);
	fprintf(f, ", \"addr\": \"0x%" PRIx64 "\", \"vcpu\": %u, \"rip\": \"0x%" PRIx64 "\", "
		"\"old\": \"0x%" PRIx32 "\", \"new\": \"0x%" PRIx32 "\", \"t_us\": %" PRIu64 "}",
		w->addr, w->vcpu, w->rip, w->old, w->new, w->t_ns / 1000);
}

void snapshot_finish(struct snapshot *s, const struct snapctx *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	keep_kdata(s, c);
	if (s->bpf && c->bpf)
		bpfsnap_finish(c->bpf, c->km, s->bpf);
	if (!f)
		return;
	fprintf(f, "{\"snapshot\": %" PRIu64 ", \"tag\": ", s->id);
	kt_json_string(f, s->tag);
	fprintf(f, ", \"wall_ns\": %" PRIu64 ", \"freeze_us\": %.1f, \"capture_us\": %.1f, ",
		s->wall_ns, s->freeze_ns / 1000.0, s->capture_ns / 1000.0);
	if (s->has_watch) {
		json_watch(f, &s->watch);
		fputs(", ", f);
	}
	json_regs(f, s);
	if (s->have_kstate && c->plan) {
		fputs(", ", f);
		kstate_json(f, c->plan, &s->ks);
	}
	if (s->bpf) {
		fputs(", ", f);
		bpfsnap_json(f, s->bpf);
	}
	fputs(", \"notes\": ", f);
	if (s->notes)
		kt_json_string(f, s->notes);
	else
		fputs("null", f);
	fputc('}', f);
	fclose(f);
	free(s->json);
	s->json = buf;
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
	free(s->json);
	memset(s, 0, sizeof(*s));
}
