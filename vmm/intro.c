/* intro.c - host introspection of a booted guest; see intro.h. */
#include "vmm/intro.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/util.h"
#include "vmm/freeze.h"
#include "vmm/kmem.h"
#include "vmm/ksym.h"

struct intro {
	struct machine *m;
	struct ksyms *syms;
	struct kmem km;
	struct intro_opts o;
	pthread_mutex_t lock;	/* the gdb connection (freezes) */
	uint64_t nfreezes;
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

/* ---- the engine's interface ---- */

static const struct kt_host_ops intro_ops = {
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
	if (e) {
		intro_close(in);
		return kterr_wrap(e, "host introspection");
	}
	*out = in;
	return NULL;
}

void intro_close(struct intro *in)
{
	if (!in)
		return;
	ksyms_free(in->syms);
	pthread_mutex_destroy(&in->lock);
	free(in);
}
