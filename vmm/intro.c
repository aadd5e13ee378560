/* intro.c - host introspection of a booted guest; see intro.h. */
#include "vmm/intro.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "engine/util.h"
#include "vmm/freeze.h"
#include "vmm/kmem.h"
#include "vmm/ksym.h"
#include "vmm/kstate.h"
#include "vmm/snapshot.h"

#define MAX_SNAPSHOTS 256	/* distinct tags kept; the oldest goes first */

struct intro {
	struct machine *m;
	struct ksyms *syms;
	struct btf *btf;		/* the kernel's, from vmlinux */
	struct kstate_plan *plan;	/* NULL when the BTF has no struct rq */
	char *plan_why;
	struct kmem km;
	struct intro_opts o;
	pthread_mutex_t lock;	/* the gdb connection (freezes) and the snapshots */
	uint64_t nfreezes;
	uint64_t t0_ns;		/* intro_open: watch fire times count from here */
	uint8_t *scratch;	/* snapshot.h: .data and .bss land here first */
	size_t scratch_len;
	struct snapshot *snaps[MAX_SNAPSHOTS];
	size_t nsnaps;
	uint64_t next_snap;
};

static void logf_(struct intro *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct intro *in, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!in->o.on_log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	in->o.on_log(in->o.ctx, line);
}

/* ---- freezes ---- */

/* Park every vCPU; the caller holds the lock. */
static struct kterr *freeze(struct intro *in, struct freeze *f)
{
	return freeze_begin(in->m, f);
}

static struct kterr *thaw(struct intro *in, struct freeze *f, const char *what)
{
	struct kterr *e = freeze_end(in->m, f);

	in->nfreezes++;
	if (!e)
		logf_(in, "freeze #%" PRIu64 " %s: %zu vCPUs parked %" PRIu64 " us", in->nfreezes,
		      what, f->nvcpus, f->paused_ns / 1000);
	return e;
}

/* ---- kernel reads and writes ---- */

static struct kterr *resolve(struct intro *in, const struct kt_ktarget *t, uint64_t *va)
{
	char buf[KT_SYMBOL_MAX + 64];
	struct kterr *e = kmem_resolve(&in->km, t, va);

	return e ? kterr_wrap(e, "%s", kt_ktarget_format(t, buf, sizeof(buf))) : NULL;
}

static struct kterr *write_one(struct intro *in, const struct kt_kwrite *w, uint64_t va)
{
	uint8_t b[8];
	char buf[KT_SYMBOL_MAX + 64];
	const void *src = w->value.bytes;
	struct kterr *e;

	if (w->value.width.kind != KT_W_BYTES) {
		for (size_t i = 0; i < w->value.width.len; i++)
			b[i] = (uint8_t)(w->value.u >> (8 * i));
		src = b;
	}
	e = kmem_write(&in->km, va, src, w->value.width.len);
	return e ? kterr_wrap(e, "%s", kt_ktarget_format(&w->target, buf, sizeof(buf))) : NULL;
}

static struct kterr *op_kernel_write(void *ctx, bool cold, const struct kt_kwrite *w, size_t n)
{
	struct intro *in = ctx;
	uint64_t *va = calloc(n ? n : 1, sizeof(*va));
	struct freeze f;
	struct kterr *e = NULL;

	if (!va)
		return kterr_new(ENOMEM, "kernel write of %zu targets", n);
	for (size_t i = 0; i < n && !e; i++)
		e = resolve(in, &w[i].target, &va[i]);
	if (e || !cold) {
		for (size_t i = 0; i < n && !e; i++)
			e = write_one(in, &w[i], va[i]);
		free(va);
		return e;
	}
	pthread_mutex_lock(&in->lock);
	e = freeze(in, &f);
	if (!e) {
		for (size_t i = 0; i < n && !e; i++)
			e = write_one(in, &w[i], va[i]);
		char what[64];
		snprintf(what, sizeof(what), "write-kernel-cold (%zu write%s)", n, n == 1 ? "" : "s");
		struct kterr *e2 = thaw(in, &f, what);
		if (!e)
			e = e2;
		else
			kterr_free(e2);
	}
	pthread_mutex_unlock(&in->lock);
	free(va);
	return e;
}

static struct kterr *read_value(struct intro *in, uint64_t va, struct kt_kwidth w,
				struct kt_kvalue *out)
{
	out->width = w;
	if (w.kind == KT_W_BYTES)
		return kmem_read(&in->km, va, out->bytes, w.len);
	return kmem_read_uint(&in->km, va, w.len, &out->u);
}

static struct kterr *op_kernel_read(void *ctx, bool cold, const struct kt_ktarget *t,
				    struct kt_kwidth w, struct kt_kvalue *out)
{
	struct intro *in = ctx;
	char buf[KT_SYMBOL_MAX + 64];
	struct freeze f;
	uint64_t va;
	struct kterr *e = resolve(in, t, &va);

	if (e)
		return e;
	if (!cold) {
		e = read_value(in, va, w, out);
		return e ? kterr_wrap(e, "%s", kt_ktarget_format(t, buf, sizeof(buf))) : NULL;
	}
	pthread_mutex_lock(&in->lock);
	e = freeze(in, &f);
	if (!e) {
		e = read_value(in, va, w, out);
		struct kterr *e2 = thaw(in, &f, "read-kernel-cold");
		if (!e)
			e = e2;
		else
			kterr_free(e2);
	}
	pthread_mutex_unlock(&in->lock);
	return e ? kterr_wrap(e, "%s", kt_ktarget_format(t, buf, sizeof(buf))) : NULL;
}

/* ---- snapshots ---- */

static struct snapctx snapctx_of(struct intro *in)
{
	return (struct snapctx){ .gdb = in->m->gdb, .km = &in->km, .ks = in->syms,
				 .plan = in->plan, .scratch = in->scratch,
				 .scratch_len = in->scratch_len };
}

/* Keep s under its tag: one per tag (a later capture overwrites), at most
 * MAX_SNAPSHOTS tags. Takes ownership. */
static void keep_snapshot(struct intro *in, struct snapshot *s)
{
	for (size_t i = 0; i < in->nsnaps; i++) {
		if (!strcmp(in->snaps[i]->tag, s->tag)) {
			snapshot_free(in->snaps[i]);
			free(in->snaps[i]);
			in->snaps[i] = s;
			return;
		}
	}
	if (in->nsnaps == MAX_SNAPSHOTS) {
		snapshot_free(in->snaps[0]);
		free(in->snaps[0]);
		memmove(in->snaps, in->snaps + 1, (MAX_SNAPSHOTS - 1) * sizeof(in->snaps[0]));
		in->nsnaps--;
	}
	in->snaps[in->nsnaps++] = s;
}

static struct snapshot *find_snapshot(struct intro *in, uint64_t id)
{
	for (size_t i = 0; i < in->nsnaps; i++)
		if (in->snaps[i]->id == id)
			return in->snaps[i];
	return NULL;
}

/* Inside a freeze (lock held): take the snapshot; the caller thaws, then
 * finishes it with finish_capture. */
static struct kterr *take(struct intro *in, const struct freeze *f, const char *tag,
			  struct snapshot **out)
{
	struct snapctx c = snapctx_of(in);
	struct snapshot *s = calloc(1, sizeof(*s));
	struct kterr *e;

	*out = NULL;
	if (!s)
		return kterr_new(ENOMEM, "snapshot %s", tag);
	e = snapshot_take(s, &c, f, tag);
	if (e) {
		snapshot_free(s);
		free(s);
		return e;
	}
	s->id = ++in->next_snap;
	*out = s;
	return NULL;
}

static void finish_capture(struct intro *in, struct snapshot *s, const struct freeze *f)
{
	struct snapctx c = snapctx_of(in);

	s->freeze_ns = f->paused_ns;
	snapshot_finish(s, &c);
	keep_snapshot(in, s);
}

static struct kterr *op_snapshot_capture(void *ctx, const char *tag, uint64_t *snap)
{
	struct intro *in = ctx;
	struct snapshot *s = NULL;
	struct freeze f;
	struct kterr *e, *e2;

	pthread_mutex_lock(&in->lock);
	e = freeze(in, &f);
	if (!e) {
		e = take(in, &f, tag, &s);
		e2 = thaw(in, &f, "capture-snapshot");
		if (!e && e2) {
			snapshot_free(s);
			free(s);
			s = NULL;
			e = e2;
		} else {
			kterr_free(e2);
		}
	}
	if (s) {
		finish_capture(in, s, &f);
		*snap = s->id;
	}
	pthread_mutex_unlock(&in->lock);
	return e ? kterr_wrap(e, "capture-snapshot %s", tag) : NULL;
}

static struct kterr *op_snapshot_var(void *ctx, uint64_t snap, const char *var, uint64_t *value)
{
	struct intro *in = ctx;
	struct snapctx c = snapctx_of(in);
	struct snapshot *s;
	struct kterr *e;

	pthread_mutex_lock(&in->lock);
	s = find_snapshot(in, snap);
	e = s ? snapshot_var(s, &c, var, value)
	      : kterr_new(ENOENT, "snapshot %llu is gone: a later capture under its tag "
			  "replaced it", (unsigned long long)snap);
	pthread_mutex_unlock(&in->lock);
	return e;
}

static char *op_snapshot_json(void *ctx, uint64_t snap)
{
	struct intro *in = ctx;
	struct snapshot *s;
	char *json = NULL;

	pthread_mutex_lock(&in->lock);
	s = find_snapshot(in, snap);
	if (s && s->json)
		json = strdup(s->json);
	pthread_mutex_unlock(&in->lock);
	return json;
}

/* ---- the engine's interface ---- */

static const struct kt_host_ops intro_ops = {
	.snapshot_capture = op_snapshot_capture,
	.snapshot_var = op_snapshot_var,
	.snapshot_json = op_snapshot_json,
	.kernel_write = op_kernel_write,
	.kernel_read = op_kernel_read,
};

struct kt_host intro_host(struct intro *in)
{
	return (struct kt_host){ .ops = &intro_ops, .ctx = in };
}

uint64_t intro_freezes(const struct intro *in)
{
	return in->nfreezes;
}

struct kterr *intro_open(struct machine *m, const char *vmlinux, const struct intro_opts *o,
			 struct intro **out)
{
	struct intro *in = calloc(1, sizeof(*in));
	struct kterr *e;

	*out = NULL;
	if (!in)
		return kterr_new(ENOMEM, "host introspection");
	in->m = m;
	if (o)
		in->o = *o;
	pthread_mutex_init(&in->lock, NULL);
	if (!vmlinux)
		e = kterr_hint(kterr_new(ENOENT, "no vmlinux beside the kernel"),
			       "host introspection reads the kernel's symbols and BTF from the "
			       "vmlinux of the booted bzImage; put it beside the bzImage");
	else if (!(e = ksyms_load(vmlinux, &in->syms)))
		e = kmem_init(&in->km, &m->ram, in->syms);
	if (!e && !(in->btf = btf__parse_elf(vmlinux, NULL)))
		e = kterr_hint(kterr_new(errno, "no BTF in %s", vmlinux),
			       "build the kernel with CONFIG_DEBUG_INFO_BTF=y (ktcon kernel build "
			       "does)");
	if (e) {
		intro_close(in);
		return kterr_wrap(e, "host introspection");
	}
	/* Without runqueues there is still a snapshot: registers and memory. */
	e = kstate_plan_new(in->syms, in->btf, &in->plan);
	if (e) {
		in->plan_why = kterr_strdup(e);
		logf_(in, "snapshots without kernel state: %s", in->plan_why);
		kterr_free(e);
	}
	in->scratch_len = snapshot_scratch_size(in->syms);
	in->scratch = in->scratch_len ? malloc(in->scratch_len) : NULL;
	if (!in->scratch)
		in->scratch_len = 0;
	struct snapctx c = snapctx_of(in);
	snapshot_prefault(&c);
	in->t0_ns = kt_now_ns();
	*out = in;
	return NULL;
}

void intro_close(struct intro *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < in->nsnaps; i++) {
		snapshot_free(in->snaps[i]);
		free(in->snaps[i]);
	}
	kstate_plan_free(in->plan);
	free(in->plan_why);
	free(in->scratch);
	btf__free(in->btf);
	ksyms_free(in->syms);
	pthread_mutex_destroy(&in->lock);
	free(in);
}
