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
#include <poll.h>
#include <stdatomic.h>
#include <unistd.h>

#include "engine/util.h"
#include "vmm/freeze.h"
#include "vmm/kmem.h"
#include "vmm/ksym.h"
#include "vmm/kstate.h"
#include "vmm/sampler.h"
#include "vmm/bpfsnap.h"
#include "vmm/kbtf.h"
#include "vmm/snapshot.h"
#include "vmm/watch.h"

#define MAX_SNAPSHOTS 256	/* distinct tags kept; the oldest goes first */
#define EXIT_TAG "sched_ext_exit"
#define WATCHER_POLL_MS 50
/* A freeze that keeps finding fires (a symbol written every tick) stops
 * giving each its own window after this many and gets on with its op. */
#define MAX_FIRES_BEFORE_OP 8

struct intro {
	struct machine *m;
	struct ksyms *syms;
	struct btf *btf;		/* the kernel's, from vmlinux */
	struct kstate_plan *plan;	/* NULL when the BTF has no struct rq */
	struct bpfsnap_plan *bpf;	/* NULL when maps cannot be listed */
	char *plan_why;
	struct kmem km;
	struct intro_opts o;
	pthread_mutex_t lock;	/* the gdb connection (freezes) and the snapshots */
	uint64_t nfreezes;
	uint64_t last_window_ns, last_capture_ns;
	uint64_t t0_ns;		/* intro_open: watch fire times count from here */
	uint8_t *scratch;	/* snapshot.h: .data and .bss land here first */
	size_t scratch_len;
	struct snapshot *snaps[MAX_SNAPSHOTS];
	size_t nsnaps;
	uint64_t next_snap;
	struct watches watches;
	int64_t exit_error;	/* SCX_EXIT_ERROR: trigger writes at or above */
	pthread_t watcher;
	bool watcher_started;
	atomic_bool stopping;
	bool broken;		/* the gdb connection failed: no more fires */
	struct sampler *sampler;
	void (*sample_fn)(void *ctx, const char *line);
	void *sample_ctx;
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

static struct kterr *thaw(struct intro *in, struct freeze *f, const char *what)
{
	struct kterr *e = freeze_end(in->m, f);

	in->nfreezes++;
	in->last_window_ns = f->paused_ns;
	in->last_capture_ns = 0;
	if (!e)
		logf_(in, "freeze #%" PRIu64 " %s: %zu vCPUs parked %" PRIu64 " us", in->nfreezes,
		      what, f->nvcpus, f->paused_ns / 1000);
	return e;
}

static struct kterr *handle_fire(struct intro *in, struct freeze *f, bool resume);

/* Park every vCPU; the caller holds the lock. A watch that fired before
 * our stop gets its capture first, in its own window. */
static struct kterr *freeze(struct intro *in, struct freeze *f)
{
	for (int fires = 0;; fires++) {
		struct kterr *e = freeze_begin(in->m, f);

		if (e || f->why.watch == GDB_WATCH_NONE)
			return e;
		e = handle_fire(in, f, fires < MAX_FIRES_BEFORE_OP);
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
	s->id = id_for_tag(in, tag);
	*out = s;
	return NULL;
}

static void finish_capture(struct intro *in, struct snapshot *s, const struct freeze *f)
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
	      : kterr_new(ENOENT, "snapshot %llu is gone (more than %d tags were captured)",
			  (unsigned long long)snap, MAX_SNAPSHOTS);
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

/* ---- watchpoints ---- */

static unsigned vcpu_index(const struct freeze *f, struct gdb_tid t)
{
	for (size_t i = 0; i < f->nvcpus; i++)
		if (f->vcpus[i].tid == t.tid)
			return (unsigned)i;
	return 0;
}

/* The guest stopped on a watch (lock held, f from the stop): capture under
 * the watch's symbol, resume when asked, announce. */
static struct kterr *handle_fire(struct intro *in, struct freeze *f, bool resume)
{
	struct watch *w = watch_find(&in->watches, f->why.watch_addr);
	struct snapshot *s = NULL;
	uint64_t now = 0;
	struct kterr *e;
	char what[KT_SYMBOL_MAX + 32], text[256];

	if (!w) {
		logf_(in, "a watch stop at 0x%" PRIx64 " that is not ours: resuming",
		      f->why.watch_addr);
		return resume ? thaw(in, f, "stray watch stop") : NULL;
	}
	e = kmem_read_uint(&in->km, w->addr, WATCH_LEN, &now);
	if (e) {
		kterr_free(e);
		now = w->last;
	}
	/* The trigger dumps once per error: not for enable/done/unregister
	 * kinds, and not for the writes that only repeat the kind (a failed
	 * cmpxchg writes too, and every later scx_ops_error() tries one). */
	if (w->trigger && ((int64_t)(int32_t)now < in->exit_error || (uint32_t)now == w->last)) {
		w->last = (uint32_t)now;
		return resume ? thaw(in, f, "sched_ext exit kind written") : NULL;
	}
	e = take(in, f, w->trigger ? EXIT_TAG : w->symbol, &s);
	if (!e) {
		unsigned v = vcpu_index(f, f->why.thread);

		s->has_watch = true;
		snprintf(s->watch.symbol, sizeof(s->watch.symbol), "%s", w->symbol);
		s->watch.addr = w->addr;
		s->watch.vcpu = v;
		s->watch.rip = s->regs[v].rip;
		s->watch.old = w->last;
		s->watch.new = (uint32_t)now;
		s->watch.t_ns = f->why.stopped_ns - in->t0_ns;
	}
	snprintf(what, sizeof(what), "watch %s", w->symbol);
	if (resume) {
		struct kterr *e2 = thaw(in, f, what);

		if (!e)
			e = e2;
		else
			kterr_free(e2);
	}
	w->fires++;
	if (e) {
		snapshot_free(s);
		free(s);
		return kterr_wrap(e, "watch %s fired", w->symbol);
	}
	if (w->trigger) {
		int32_t kind_id = btf__find_by_name_kind(in->btf, "scx_exit_kind", BTF_KIND_ENUM);
		const char *kind = kind_id > 0 ? kbtf_enum_name(in->btf, (uint32_t)kind_id,
								 (int32_t)now) : NULL;

		snprintf(text, sizeof(text), "scheduler exit %s (%" PRId32 "): failure dump %s "
			 "taken on vCPU %u at rip 0x%" PRIx64, kind ? kind : "?", (int32_t)now,
			 EXIT_TAG, s->watch.vcpu, s->watch.rip);
	}
	else
		snprintf(text, sizeof(text), "fire %" PRIu64 " on vCPU %u at rip 0x%" PRIx64
			 ": 0x%" PRIx32 " -> 0x%" PRIx32 " at +%.3f ms", w->fires, s->watch.vcpu,
			 s->watch.rip, s->watch.old, s->watch.new, s->watch.t_ns / 1e6);
	w->last = (uint32_t)now;
	finish_capture(in, s, f);
	if (in->o.on_fire) {
		struct intro_fire fire = { .symbol = s->tag, .snap = s->id, .text = text,
					   .json = s->json };

		in->o.on_fire(in->o.ctx, &fire);
	}
	return NULL;
}

/* Arm slot for symbol at addr (lock held). */
static struct kterr *arm(struct intro *in, unsigned slot, const char *symbol, uint64_t addr,
			 bool trigger)
{
	struct watch *w = &in->watches.w[slot];
	struct freeze f;
	uint64_t v = 0;
	struct kterr *e = freeze(in, &f), *e2;

	if (e)
		return e;
	e = gdb_watch_insert(in->m->gdb, addr, WATCH_LEN);
	if (!e)
		e = kmem_read_uint(&in->km, addr, WATCH_LEN, &v);
	e2 = thaw(in, &f, trigger ? "arm the sched_ext exit trigger" : "watch-snapshot");
	if (e || e2) {
		kterr_free(e2 == e ? NULL : e2);
		return e ? e : e2;
	}
	memset(w, 0, sizeof(*w));
	w->armed = true;
	w->trigger = trigger;
	snprintf(w->symbol, sizeof(w->symbol), "%s", symbol);
	w->addr = addr;
	w->last = (uint32_t)v;
	return NULL;
}

static struct kterr *op_watch_arm(void *ctx, const char *symbol, unsigned user_slot)
{
	struct intro *in = ctx;
	uint64_t addr;
	unsigned slot;
	struct kterr *e = watch_resolve(in->syms, symbol, &addr);

	if (e)
		return kterr_wrap(e, "watch-snapshot %s", symbol);
	pthread_mutex_lock(&in->lock);
	e = watch_user_slot(&in->watches, user_slot, &slot);
	if (!e && in->broken)
		e = kterr_new(EPIPE, "the gdb connection failed earlier: no watches");
	if (!e)
		e = arm(in, slot, symbol, addr, false);
	pthread_mutex_unlock(&in->lock);
	if (!e)
		logf_(in, "watching %s at 0x%" PRIx64 " (slot %u)", symbol, addr, slot);
	return e ? kterr_wrap(e, "watch-snapshot %s (0x%" PRIx64 ")", symbol, addr) : NULL;
}

/* While the guest runs with watches armed: wait for a stop, handle it.
 * A stop reply can sit in the client's buffers (it raced the ack of our
 * continue) where poll() cannot see it: look before every poll. */
static void *watcher(void *arg)
{
	struct intro *in = arg;

	while (!atomic_load(&in->stopping)) {
		struct pollfd p = { .fd = -1, .events = POLLIN };
		struct gdb_stop why;
		bool stopped = false, buffered = false;
		struct kterr *e = NULL;

		pthread_mutex_lock(&in->lock);
		if (!in->broken && in->m->gdb && !gdb_is_stopped(in->m->gdb) &&
		    watch_armed(&in->watches)) {
			e = gdb_wait_stop(in->m->gdb, 0, &why, &stopped);
			if (!e && stopped) {
				struct freeze f;

				e = freeze_begin(in->m, &f);	/* stopped: lists the vCPUs */
				if (!e && f.why.watch != GDB_WATCH_NONE)
					e = handle_fire(in, &f, true);
				else if (!e)
					e = thaw(in, &f, "an unexpected stop");
			}
			if (!e && in->m->gdb && !gdb_is_stopped(in->m->gdb)) {
				p.fd = gdb_fd(in->m->gdb);
				buffered = gdb_buffered(in->m->gdb);
			}
		}
		if (e) {
			char *m = kterr_strdup(e);

			logf_(in, "watches stop: %s", m ? m : "gdb failed");
			free(m);
			kterr_free(e);
			in->broken = true;
		}
		pthread_mutex_unlock(&in->lock);
		if (buffered)
			continue;
		if (p.fd < 0)
			usleep(WATCHER_POLL_MS * 1000);
		else
			poll(&p, 1, WATCHER_POLL_MS);
	}
	return NULL;
}

static void arm_exit_trigger(struct intro *in)
{
	const char *sym = "scx_exit_kind";
	uint64_t addr;
	struct kterr *e;

	if (!ksyms_find(in->syms, sym)) {
		logf_(in, "no sched_ext exit trigger: this kernel has no %s (later kernels keep "
		      "the exit kind in scx_root)", sym);
		return;
	}
	if (!kbtf_enum_value(in->btf, "SCX_EXIT_ERROR", &in->exit_error)) {
		logf_(in, "no sched_ext exit trigger: no SCX_EXIT_ERROR in the kernel's BTF");
		return;
	}
	e = watch_resolve(in->syms, sym, &addr);
	if (!e) {
		pthread_mutex_lock(&in->lock);
		e = arm(in, WATCH_TRIGGER_SLOT, sym, addr, true);
		pthread_mutex_unlock(&in->lock);
	}
	if (e) {
		char *m = kterr_strdup(e);

		logf_(in, "no sched_ext exit trigger: %s", m ? m : "?");
		free(m);
		kterr_free(e);
	}
}

static void disarm_all(struct intro *in)
{
	struct freeze f;
	struct kterr *e;

	pthread_mutex_lock(&in->lock);
	if (!watch_armed(&in->watches) || in->broken || !in->m->gdb || machine_exited(in->m)) {
		pthread_mutex_unlock(&in->lock);
		return;
	}
	e = freeze(in, &f);
	if (!e) {
		for (int i = 0; i < WATCH_SLOTS; i++) {
			struct watch *w = &in->watches.w[i];

			if (w->armed)
				kterr_free(gdb_watch_remove(in->m->gdb, w->addr, WATCH_LEN));
			w->armed = false;
		}
		e = thaw(in, &f, "disarm the watches");
	}
	kterr_free(e);
	pthread_mutex_unlock(&in->lock);
}

/* ---- the engine's interface ---- */

static const struct kt_host_ops intro_ops = {
	.snapshot_capture = op_snapshot_capture,
	.snapshot_var = op_snapshot_var,
	.snapshot_json = op_snapshot_json,
	.watch_arm = op_watch_arm,
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
		logf_(in, "snapshots without kernel state: %s", in->plan_why);
		kterr_free(e);
	}
	e = bpfsnap_plan_new(in->syms, in->btf, &in->bpf);
	if (e) {
		char *why = kterr_strdup(e);

		logf_(in, "snapshots without BPF maps: %s", why ? why : "?");
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
	if (in->o.exit_trigger)
		arm_exit_trigger(in);
	if (!pthread_create(&in->watcher, NULL, watcher, in))
		in->watcher_started = true;
	*out = in;
	return NULL;
}

void intro_close(struct intro *in)
{
	if (!in)
		return;
	sampler_stop(in->sampler);
	atomic_store(&in->stopping, true);
	if (in->watcher_started)
		pthread_join(in->watcher, NULL);
	if (in->syms)
		disarm_all(in);
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
