/* intro.c - host introspection of a booted guest; see intro.h. */
#include "vmm/intro/intro.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "lib/kjson.h"
#include "lib/util.h"
#include "vmm/intro/intro-priv.h"

void intro_log(struct intro *in, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	struct kt_guest_event ev = { .kind = KT_GEV_NOTE, .at_ns = kt_now_ns(), .text = line,
				     .severity = KT_SEV_INFO };

	if (!in->o.on_event)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	in->o.on_event(in->o.ctx, &ev);
}

/* ---- freezes ---- */

struct kterr *intro_thaw(struct intro *in, struct freeze *f, const char *what)
{
	struct kterr *e = freeze_end(in->m, f);

	if (f->nvcpus && f->vcpus != in->vcpus) {
		memcpy(in->vcpus, f->vcpus, f->nvcpus * sizeof(*f->vcpus));
		in->nvcpus = f->nvcpus;
	}
	in->nfreezes++;
	in->last_window_ns = f->paused_ns;
	in->last_capture_ns = 0;
	if (!e && what)
		intro_log(in, "freeze #%" PRIu64 " %s: %zu vCPUs parked %" PRIu64 " us", in->nfreezes,
			  what, f->nvcpus, f->paused_ns / 1000);
	return e;
}

struct kterr *intro_freeze(struct intro *in, struct freeze *f)
{
	for (int fires = 0;; fires++) {
		struct kterr *e = freeze_begin(in->m, f);

		if (e || f->why.watch == GDB_WATCH_NONE)
			return e;
		e = intro_handle_fire(in, f, fires < MAX_FIRES_BEFORE_OP);
		if (e || fires >= MAX_FIRES_BEFORE_OP)
			return e;
	}
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
	e = intro_freeze(in, &f);
	if (!e) {
		for (size_t i = 0; i < n && !e; i++)
			e = write_one(in, &w[i], va[i]);
		char what[64];
		snprintf(what, sizeof(what), "write-kernel-cold (%zu write%s)", n, n == 1 ? "" : "s");
		struct kterr *e2 = intro_thaw(in, &f, what);
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
	e = intro_freeze(in, &f);
	if (!e) {
		e = read_value(in, va, w, out);
		struct kterr *e2 = intro_thaw(in, &f, "read-kernel-cold");
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
				 .plan = in->plan, .bpf = in->bpf, .scratch = in->scratch,
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

/* A tag keeps its id: a later capture under it overwrites the content,
 * and whoever holds the id (the engine, a fire still queued for it) reads
 * the latest. */
static uint64_t id_for_tag(struct intro *in, const char *tag)
{
	for (size_t i = 0; i < in->nsnaps; i++)
		if (!strcmp(in->snaps[i]->tag, tag))
			return in->snaps[i]->id;
	return ++in->next_snap;
}

/* Inside a freeze (lock held): take the snapshot; the caller thaws, then
 * finishes it with finish_capture. */
struct kterr *intro_take(struct intro *in, const struct freeze *f, const char *tag,
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
	s->id = id_for_tag(in, tag);
	*out = s;
	return NULL;
}

void intro_finish_capture(struct intro *in, struct snapshot *s, const struct freeze *f)
{
	struct snapctx c = snapctx_of(in);

	s->freeze_ns = f->paused_ns;
	in->last_capture_ns = s->capture_ns;
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
	e = intro_freeze(in, &f);
	if (!e) {
		e = intro_take(in, &f, tag, &s);
		e2 = intro_thaw(in, &f, "capture-snapshot");
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
		intro_finish_capture(in, s, &f);
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
	      : kterr_new(ENOENT, "snapshot %llu is gone (more than %d tags were captured)",
			  (unsigned long long)snap, MAX_SNAPSHOTS);
	pthread_mutex_unlock(&in->lock);
	return e;
}

static struct json_object *op_snapshot_tree(void *ctx, uint64_t snap)
{
	struct intro *in = ctx;
	struct snapshot *s;
	struct json_object *copy = NULL;

	/* A copy, not a reference: a watch that fires again replaces the
	 * tree under its tag while the console still shows the old one, and
	 * json-c's reference counts are not atomic. */
	pthread_mutex_lock(&in->lock);
	s = find_snapshot(in, snap);
	if (s && s->tree && json_object_deep_copy(s->tree, &copy, NULL)) {
		json_object_put(copy);
		copy = NULL;
	}
	pthread_mutex_unlock(&in->lock);
	return copy;
}

/* ---- the engine's interface ---- */

static const struct kt_host_ops intro_ops = {
	.snapshot_capture = op_snapshot_capture,
	.snapshot_var = op_snapshot_var,
	.snapshot_tree = op_snapshot_tree,
	.watch_arm = intro_watch_arm,
	.watch_disarm = intro_watch_disarm,
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

static void on_sample(void *ctx, const struct kstate *s, const char *line)
{
	struct intro *in = ctx;

	(void)s;
	in->sample_fn(in->sample_ctx, line);
}

struct kterr *intro_sample(struct intro *in, unsigned period_ms,
			   void (*fn)(void *ctx, const char *line), void *ctx)
{
	if (in->sampler)
		return kterr_new(EBUSY, "a sampler runs already");
	if (!in->plan)
		return kterr_new(ENOENT, "no scheduler state to sample: %s",
				 in->plan_why ? in->plan_why : "no plan");
	in->sample_fn = fn;
	in->sample_ctx = ctx;
	return sampler_start(in->plan, &in->km, period_ms, on_sample, in, &in->sampler);
}

void intro_sample_stop(struct intro *in)
{
	if (!in)
		return;
	sampler_stop(in->sampler);
	in->sampler = NULL;
}

struct kterr *intro_kstate_read(struct intro *in, struct kstate *out)
{
	if (!in->plan)
		return kterr_new(ENOENT, "no scheduler state to read: %s",
				 in->plan_why ? in->plan_why : "no plan");
	return kstate_read(in->plan, &in->km, out);
}

void intro_last_freeze(const struct intro *in, uint64_t *window_ns, uint64_t *capture_ns)
{
	*window_ns = in->last_window_ns;
	*capture_ns = in->last_capture_ns;
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
		intro_log(in, "snapshots without kernel state: %s", in->plan_why);
		kterr_free(e);
	}
	e = bpfsnap_plan_new(in->syms, in->btf, &in->bpf);
	if (e) {
		char *why = kterr_strdup(e);

		intro_log(in, "snapshots without BPF maps: %s", why ? why : "?");
		free(why);
		kterr_free(e);
	}
	in->scratch_len = snapshot_scratch_size(in->syms);
	in->scratch = in->scratch_len ? malloc(in->scratch_len) : NULL;
	if (!in->scratch)
		in->scratch_len = 0;
	struct snapctx c = snapctx_of(in);
	snapshot_prefault(&c);
	in->t0_ns = kt_now_ns();
	intro_watch_start(in);
	*out = in;
	return NULL;
}

void intro_close(struct intro *in)
{
	if (!in)
		return;
	sampler_stop(in->sampler);
	intro_watch_stop(in);
	for (size_t i = 0; i < in->nsnaps; i++) {
		snapshot_free(in->snaps[i]);
		free(in->snaps[i]);
	}
	kstate_plan_free(in->plan);
	bpfsnap_plan_free(in->bpf);
	free(in->plan_why);
	free(in->scratch);
	btf__free(in->btf);
	ksyms_free(in->syms);
	pthread_mutex_destroy(&in->lock);
	free(in);
}
