/* intro-watch.c - host introspection's watchpoints: arming on every vCPU,
 * the thread that waits for fires while the guest runs, a capture per
 * fire, and the sched_ext exit trigger in the reserved slot; see intro.h
 * and watch.h. */
#include <bpf/btf.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "vmm/intro/intro-priv.h"
#include "vmm/intro/kbtf.h"


static unsigned vcpu_index(const struct freeze *f, struct gdb_tid t)
{
	for (size_t i = 0; i < f->nvcpus; i++)
		if (f->vcpus[i].tid == t.tid)
			return (unsigned)i;
	return 0;
}

/* A fire over the capture budget (watch.h): counted, resumed at once, and
 * announced without a capture (snap 0). */
static struct kterr *count_fire(struct intro *in, struct freeze *f, struct watch *w,
				uint32_t now, bool resume)
{
	struct kterr *e = resume ? intro_thaw(in, f, NULL) : NULL;
	struct kt_guest_event ev = {
		.kind = KT_GEV_WATCH_FIRE, .at_ns = kt_now_ns(), .name = w->symbol,
		.fire = { .symbol = w->symbol, .n = ++w->fires, .vcpu = vcpu_index(f, f->why.thread),
			  .old_value = w->last, .new_value = now,
			  .t_ns = f->why.stopped_ns - in->t0_ns },
	};

	w->last = now;
	if (e)
		return kterr_wrap(e, "watch %s fired", w->symbol);
	if (in->o.on_event)
		in->o.on_event(in->o.ctx, &ev);
	return NULL;
}

/* The guest stopped on a watch (lock held, f from the stop): capture under
 * the watch's symbol, resume when asked, announce. */
struct kterr *intro_handle_fire(struct intro *in, struct freeze *f, bool resume)
{
	struct watch *w = watch_find(&in->watches, f->why.watch_addr);
	struct snapshot *s = NULL;
	uint64_t now = 0;
	struct kterr *e;
	char what[KT_SYMBOL_MAX + 32];

	if (!w) {
		intro_log(in, "a watch stop at 0x%" PRIx64 " that is not ours: resuming",
			  f->why.watch_addr);
		return resume ? intro_thaw(in, f, "stray watch stop") : NULL;
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
		return resume ? intro_thaw(in, f, "sched_ext exit kind written") : NULL;
	}
	if (!w->trigger && !watch_may_capture(w, f->why.stopped_ns))
		return count_fire(in, f, w, (uint32_t)now, resume);
	e = intro_take(in, f, w->trigger ? EXIT_TAG : w->symbol, &s);
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
		struct kterr *e2 = intro_thaw(in, f, w->trigger ? what : NULL);

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
	struct kt_guest_event ev = {
		.kind = KT_GEV_WATCH_FIRE, .at_ns = kt_now_ns(), .name = s->tag, .snap = s->id,
		.fire = { .symbol = w->symbol, .n = w->fires, .vcpu = s->watch.vcpu,
			  .has_rip = true, .rip = s->watch.rip, .old_value = s->watch.old,
			  .new_value = s->watch.new, .t_ns = s->watch.t_ns,
			  .trigger = w->trigger, .exit_value = (int32_t)now },
	};
	if (w->trigger) {
		int32_t kind_id = btf__find_by_name_kind(in->btf, "scx_exit_kind", BTF_KIND_ENUM);

		ev.fire.exit_kind = kind_id > 0 ? kbtf_enum_name(in->btf, (uint32_t)kind_id,
								 (int32_t)now) : NULL;
	}
	w->last = (uint32_t)now;
	intro_finish_capture(in, s, f);
	if (in->o.on_event)
		in->o.on_event(in->o.ctx, &ev);
	return NULL;
}

/* Arm slot for symbol at addr (lock held). */
static struct kterr *arm(struct intro *in, unsigned slot, const char *symbol, uint64_t addr,
			 bool trigger)
{
	struct watch *w = &in->watches.w[slot];
	struct freeze f;
	uint64_t v = 0;
	struct kterr *e = intro_freeze(in, &f), *e2;

	if (e)
		return e;
	e = gdb_watch_insert(in->m->gdb, addr, WATCH_LEN);
	if (!e)
		e = kmem_read_uint(&in->km, addr, WATCH_LEN, &v);
	e2 = intro_thaw(in, &f, trigger ? "arm the sched_ext exit trigger" : "watch-snapshot");
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

struct kterr *intro_watch_arm(void *ctx, const char *symbol, unsigned user_slot)
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
		intro_log(in, "watching %s at 0x%" PRIx64 " (slot %u)", symbol, addr, slot);
	return e ? kterr_wrap(e, "watch-snapshot %s (0x%" PRIx64 ")", symbol, addr) : NULL;
}

struct kterr *intro_watch_disarm(void *ctx, unsigned user_slot)
{
	struct intro *in = ctx;
	unsigned slot = user_slot + 1;
	struct freeze f;
	struct watch *w;
	struct kterr *e = NULL;

	if (user_slot >= WATCH_SLOTS - 1)
		return kterr_new(EINVAL, "watch slot %u: no such user slot", user_slot);
	pthread_mutex_lock(&in->lock);
	w = &in->watches.w[slot];
	if (!w->armed || in->broken || !in->m->gdb || machine_exited(in->m)) {
		w->armed = false;
		pthread_mutex_unlock(&in->lock);
		return NULL;
	}
	/* A fire waiting in the freeze is handled (and counted) first. */
	e = intro_freeze(in, &f);
	if (!e) {
		e = gdb_watch_remove(in->m->gdb, w->addr, WATCH_LEN);
		struct kterr *e2 = intro_thaw(in, &f, "unwatch");

		if (!e)
			e = e2;
		else
			kterr_free(e2);
	}
	if (!e)
		w->armed = false;
	pthread_mutex_unlock(&in->lock);
	if (!e)
		intro_log(in, "unwatched %s after %" PRIu64 " fires (%" PRIu64 " captured)",
			  w->symbol, w->fires, w->captures);
	return e ? kterr_wrap(e, "unwatch %s", w->symbol) : NULL;
}

/* A stop on a user watch whose captures this second are taken (lock held). */
static bool counted_only(struct intro *in, const struct gdb_stop *why)
{
	struct watch *w = why->watch != GDB_WATCH_NONE ? watch_find(&in->watches, why->watch_addr)
						       : NULL;

	return w && !w->trigger && in->nvcpus && watch_budget_spent(w, why->stopped_ns);
}

static void follow_root(struct intro *in);

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
		follow_root(in);
		if (!in->broken && in->m->gdb && !gdb_is_stopped(in->m->gdb) &&
		    watch_armed(&in->watches)) {
			e = gdb_wait_stop(in->m->gdb, 0, &why, &stopped);
			if (!e && stopped && counted_only(in, &why)) {
				/* Over its capture budget: a stop and a continue,
				 * with the vCPUs as last listed (two fewer round
				 * trips to the gdbstub per fire). */
				struct freeze f = { .nvcpus = in->nvcpus, .why = why };

				memcpy(f.vcpus, in->vcpus, in->nvcpus * sizeof(*in->vcpus));
				e = intro_handle_fire(in, &f, true);
			} else if (!e && stopped) {
				struct freeze f;

				e = freeze_begin(in->m, &f);	/* stopped: lists the vCPUs */
				if (!e && f.why.watch != GDB_WATCH_NONE)
					e = intro_handle_fire(in, &f, true);
				else if (!e)
					e = intro_thaw(in, &f, "an unexpected stop");
			}
			if (!e && in->m->gdb && !gdb_is_stopped(in->m->gdb)) {
				p.fd = gdb_fd(in->m->gdb);
				buffered = gdb_buffered(in->m->gdb);
			}
		}
		if (e) {
			char *m = kterr_strdup(e);

			intro_log(in, "watches stop: %s", m ? m : "gdb failed");
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

static void log_err(struct intro *in, const char *what, struct kterr *e)
{
	char *m = kterr_strdup(e);

	intro_log(in, "%s: %s", what, m ? m : "?");
	free(m);
	kterr_free(e);
}

/* Where the exit kind lives when the scheduler instance holds it (lock
 * held): follow scx_root. A new instance moves the trigger to its
 * exit_kind; none (NULL) disarms it, so a freed instance's memory never
 * fires. Polled by the watcher (WATCHER_POLL_MS), so an error within that
 * long of an enable has the kernel's exit message but no failure dump. */
static void follow_root(struct intro *in)
{
	struct watch *w = &in->watches.w[WATCH_TRIGGER_SLOT];
	uint64_t root = 0;
	struct freeze f;
	struct kterr *e;

	/* No in->m->gdb test: the gdb connection is made by the first freeze,
	 * which arm() is. */
	if (!in->root_addr || in->broken || machine_exited(in->m))
		return;
	e = kmem_read_uint(&in->km, in->root_addr, 8, &root);
	if (e || root == in->root_seen) {
		kterr_free(e);
		return;
	}
	if (w->armed) {
		e = intro_freeze(in, &f);
		if (!e) {
			e = gdb_watch_remove(in->m->gdb, w->addr, WATCH_LEN);
			struct kterr *e2 = intro_thaw(in, &f, "move the sched_ext exit trigger");

			if (!e)
				e = e2;
			else
				kterr_free(e2);
		}
		if (e) {
			log_err(in, "sched_ext exit trigger: disarm", e);
			return;
		}
		w->armed = false;
	}
	in->root_seen = root;
	if (!root)
		return;
	e = arm(in, WATCH_TRIGGER_SLOT, "scx_root->exit_kind", root + in->root_exit_off, true);
	if (e) {
		log_err(in, "no sched_ext exit trigger", e);
		return;
	}
	intro_log(in, "sched_ext exit trigger on scx_root->exit_kind at 0x%" PRIx64,
		  root + in->root_exit_off);
}

/* 6.12 keeps the exit kind in a global (scx_exit_kind): one watch for the
 * whole run. Later kernels keep it in the scheduler instance scx_root
 * points to: the trigger follows scx_root (follow_root). Both layouts come
 * from the kernel's symbols and BTF; neither is assumed. */
static void arm_exit_trigger(struct intro *in)
{
	const char *sym = "scx_exit_kind";
	struct kbtf_field fl;
	int32_t sched_id;
	uint64_t addr;
	struct kterr *e;

	if (!kbtf_enum_value(in->btf, "SCX_EXIT_ERROR", &in->exit_error)) {
		intro_log(in, "no sched_ext exit trigger: no SCX_EXIT_ERROR in the kernel's BTF");
		return;
	}
	if (!ksyms_find(in->syms, sym)) {
		sched_id = btf__find_by_name_kind(in->btf, "scx_sched", BTF_KIND_STRUCT);
		if (!ksyms_find(in->syms, "scx_root") || sched_id <= 0) {
			intro_log(in, "no sched_ext exit trigger: this kernel has neither %s nor "
				  "scx_root with a struct scx_sched in its BTF", sym);
			return;
		}
		e = kbtf_member(in->btf, (uint32_t)sched_id, "exit_kind", &fl);
		if (!e)
			e = watch_resolve(in->syms, "scx_root", &in->root_addr);
		if (!e && (fl.bit_size || fl.size != WATCH_LEN || fl.offset % WATCH_LEN))
			e = kterr_new(EINVAL, "scx_sched.exit_kind is %u bytes at +%" PRIu64
				      ", not a %d-byte aligned word", fl.size, fl.offset, WATCH_LEN);
		if (e) {
			in->root_addr = 0;
			log_err(in, "no sched_ext exit trigger", e);
			return;
		}
		in->root_exit_off = fl.offset;
		pthread_mutex_lock(&in->lock);
		follow_root(in);
		pthread_mutex_unlock(&in->lock);
		return;
	}
	e = watch_resolve(in->syms, sym, &addr);
	if (!e) {
		pthread_mutex_lock(&in->lock);
		e = arm(in, WATCH_TRIGGER_SLOT, sym, addr, true);
		pthread_mutex_unlock(&in->lock);
	}
	if (e)
		log_err(in, "no sched_ext exit trigger", e);
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
	e = intro_freeze(in, &f);
	if (!e) {
		for (int i = 0; i < WATCH_SLOTS; i++) {
			struct watch *w = &in->watches.w[i];

			if (w->armed)
				kterr_free(gdb_watch_remove(in->m->gdb, w->addr, WATCH_LEN));
			w->armed = false;
		}
		e = intro_thaw(in, &f, "disarm the watches");
	}
	kterr_free(e);
	pthread_mutex_unlock(&in->lock);
}

void intro_watch_start(struct intro *in)
{
	if (in->o.exit_trigger)
		arm_exit_trigger(in);
	if (!pthread_create(&in->watcher, NULL, watcher, in))
		in->watcher_started = true;
}

void intro_watch_stop(struct intro *in)
{
	atomic_store(&in->stopping, true);
	if (in->watcher_started)
		pthread_join(in->watcher, NULL);
	in->watcher_started = false;
	if (in->syms)
		disarm_all(in);
}
