/* session.c - boot a guest to its agent's HELLO; see session.h. */
#include "vmm/session.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "engine/header.h"
#include "lib/timeouts.h"
#include "lib/util.h"
#include "vmm/kernel/kbuild.h"
#include "vmm/kernel/kcache.h"
#include "vmm/kernel/kpick.h"
#include "vmm/kernel/paths.h"
#include "vmm/machine/qmp.h"
#include "vmm/machine/tsc.h"
#include "vmm/machine/warm.h"

static struct kterr *health(void *ctx)
{
	struct session *s = ctx;

	if (s->cancel && atomic_load(s->cancel))
		return kterr_new(ECANCELED, "interrupted");
	return machine_health(&s->m);
}

/* The kernel (kpick.h: default, a version, or a path), and what sits
 * beside it in a cache entry. */
static struct kterr *pick_kernel(const struct session_opts *o, struct session *s)
{
	char *dir, *copy;
	struct kterr *e = kpick_bzimage(o->kernel, &s->kernel);

	if (e)
		return e;
	copy = strdup(s->kernel);
	dir = copy ? strdup(dirname(copy)) : NULL;
	free(copy);
	if (!dir || !s->kernel) {
		free(dir);
		return kterr_new(ENOMEM, "kernel path");
	}
	s->vmlinux = kt_path_join(dir, KCACHE_VMLINUX);
	s->schedulers_dir = kt_path_join(dir, KCACHE_SCHEDULERS);
	if (s->vmlinux && !kt_exists(s->vmlinux)) {
		free(s->vmlinux);
		s->vmlinux = NULL;
	}
	if (s->schedulers_dir && !kt_is_dir(s->schedulers_dir)) {
		free(s->schedulers_dir);
		s->schedulers_dir = NULL;
	}
	free(dir);
	return NULL;
}

static bool staged_by_user(const struct session_opts *o, const char *name)
{
	for (size_t i = 0; i < o->n_schedulers; i++)
		if (o->schedulers[i].name && !strcmp(o->schedulers[i].name, name))
			return true;
	return false;
}

/* The kernel's sample schedulers (by name, when it has them), the user's
 * staged schedulers and payloads, into a fresh file for QEMU. */
static struct kterr *build_initrd(const struct session_opts *o, struct session *s)
{
	size_t nk = 0, cap = o->n_schedulers;
	struct initramfs_item *sched;
	char **paths;
	size_t n = 0, size;
	char *agent = NULL;
	struct kterr *e;
	int fd;

	/* Every scheduler the kernel's build made (its tools/sched_ext's
	 * list: 7.3 has more than 6.12), not a list of our own. */
	struct dirent **names = NULL;
	int nn = s->schedulers_dir ? scandir(s->schedulers_dir, &names, NULL, alphasort) : 0;

	nk = nn > 0 ? (size_t)nn : 0;
	cap += nk;
	sched = calloc(cap ? cap : 1, sizeof(*sched));
	paths = calloc(nk ? nk : 1, sizeof(*paths));
	if (!sched || !paths) {
		e = kterr_new(ENOMEM, "list of schedulers");
		goto out;
	}
	e = paths_libexec("ktcon-guest", &agent);
	if (e) {
		e = kterr_wrap(e, "find the guest agent");
		goto out;
	}
	for (size_t i = 0; i < nk; i++) {
		const char *name = names[i]->d_name;
		char *p = name[0] == '.' || staged_by_user(o, name) ? NULL :
			  kt_path_join(s->schedulers_dir, name);

		if (p && !kt_is_dir(p) && kt_exists(p)) {
			paths[i] = p;
			sched[n++] = (struct initramfs_item){ .name = name, .path = p };
		} else {
			free(p);
		}
	}
	for (size_t i = 0; i < o->n_schedulers; i++)
		sched[n++] = o->schedulers[i];
	/* A memfd: QEMU reads it as /proc/self/fd/N, and no crash can leave
	 * it behind. */
	fd = memfd_create("ktcon-initramfs", MFD_CLOEXEC);
	if (fd < 0) {
		e = kterr_errno("create the initramfs (memfd_create)");
		goto out;
	}
	s->initrd = kt_strfmt("/proc/self/fd/%d", fd);
	if (!s->initrd) {
		close(fd);
		e = kterr_new(ENOMEM, "initrd path");
		goto out;
	}
	s->initrd_fd = fd;
	struct initramfs_spec spec = {
		.agent = agent,
		.schedulers = sched,
		.n_schedulers = n,
		.payloads = o->payloads,
		.n_payloads = o->n_payloads,
		.boot_scheduler = o->boot_scheduler,
		.boot_scheduler_args = o->boot_scheduler_args,
	};
	e = initramfs_build(&spec, s->initrd, &size);
out:
	for (size_t i = 0; paths && i < nk; i++)
		free(paths[i]);
	for (size_t i = 0; i < nk; i++)
		free(names[i]);
	free(names);
	free(paths);
	free(sched);
	free(agent);
	return e ? kterr_wrap(e, "build the initramfs") : NULL;
}

static void fill_scale(struct wire_buf *b, void *ctx)
{
	wire_put_str(b, "scale", ctx);
}

/* Under TCG, this boot's time against an idle host's says how slow the
 * machine is now; every limit (here and in the agent) is stretched by as
 * much, unless the user set the scale. The boot is the one measurement
 * every session makes, it runs the same code each time, and it exercises
 * exactly what a loaded host slows down: the vCPUs' emulation. */
static struct kterr *auto_scale(struct session *s)
{
	uint64_t boot_ms = (s->t.hello_ns - s->t.qemu_ns) / 1000000;
	double f = kt_scale_measured(boot_ms, SESSION_TCG_BOOT_REF_MS);
	const struct wire_msg *r;
	char arg[32];
	struct kterr *e;

	if (s->m.accel != ACCEL_TCG || kt_scale_origin() > KT_SCALE_AUTO)
		return NULL;
	kt_scale_set(f, KT_SCALE_AUTO);
	if (kt_scale() == 1)
		return NULL;
	snprintf(arg, sizeof(arg), "%g", kt_scale());
	e = agentlink_request(&s->link, "set-timeout-scale", fill_scale, arg,
			      (int)kt_limit_ms(KT_LIM_GUEST_REQUEST), NULL, &r);
	return kterr_wrap(e, "give the agent the timeout scale %s measured from the boot "
			  "(%llu ms under TCG)", arg, (unsigned long long)boot_ms);
}

static void note(const struct session_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(const struct session_opts *o, const char *fmt, ...)
{
	va_list ap;
	char line[2048];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (o->on_note)
		o->on_note(line, o->ctx);
	else
		fprintf(stderr, "ktcon: %s\n", line);
}

static void note_err(const struct session_opts *o, const struct kterr *e)
{
	char *m = kterr_strdup(e);

	note(o, "%s", m ? m : "(out of memory)");
	free(m);
}

static void machine_opts_of(const struct session_opts *o, const struct session *s,
			    struct machine_opts *mo)
{
	memset(mo, 0, sizeof(*mo));
	mo->topo = o->topo;
	mo->accel = o->accel;
	mo->kernel = s->kernel;
	mo->initrd = s->initrd;
	mo->initrd_fd = s->initrd_fd;
	mo->append_extra = o->shell ? "ktcon.shell=1" : NULL;
	mo->on_console = o->on_console;
	mo->ctx = o->ctx;
}

/* The key of this boot and what to do with it (warm.h). An error means
 * no warm start at all this time (said, not fatal). */
static struct kterr *warm_prepare(const struct session_opts *o, const struct session *s,
				  struct warm *w)
{
	struct warm_inputs in = {
		.kernel = s->kernel, .vmlinux = s->vmlinux, .topo = &o->topo,
		.initrd_fd = s->initrd_fd, .qemu = KTCON_QEMU, .tsc_khz = tsc_host_khz(),
	};
	struct warm_key k;
	const char *why;
	char *root = NULL;
	struct kterr *e = accel_resolve(o->accel, &in.accel, &why);

	if (!e)
		e = warm_key_make(&in, &k);
	if (!e)
		e = kcache_warm_root(s->kernel, &root);
	if (!e)
		e = warm_begin(&k, root, w);
	free(root);
	return e;
}

static void fill_resume(struct wire_buf *b, void *ctx)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	wire_put_i64(b, "realtime_ns", (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
	wire_put_str(b, "scale", ctx);
}

static struct kterr *with_console(struct session *s, struct kterr *e)
{
	if (!kterr_contains(e, "guest console")) {
		char *tail = serial_tail(&s->m.serial, 20);

		e = kterr_note(e, "guest console, last lines:\n%s", tail ? tail : "");
		free(tail);
	}
	return e;
}

/* The guest from a saved state: QEMU loads it, the agent is told the
 * time and says HELLO again; the timeout scale is the one its cold boot
 * measured. On error the machine is gone and s is as before. */
static struct kterr *restore(const struct session_opts *o, struct session *s, struct warm *w)
{
	struct machine_opts mo;
	const struct wire_msg *r;
	char arg[32];
	int64_t step = 0;
	struct kterr *e;

	machine_opts_of(o, s, &mo);
	mo.incoming = true;
	mo.incoming_ram = w->ram;
	mo.incoming_ram_sum = w->meta.ram_sum;
	mo.incoming_qemu = w->meta.qemu_version;
	e = warm_stream_fd(w, &mo.state_fd);
	if (!e)
		e = machine_start(&mo, &s->m);
	if (e)
		return e;
	s->t.qemu_ns = s->m.t.ready_ns;
	e = agentlink_init(&s->link, s->m.ctl_fd, health, s);
	if (e) {
		machine_stop(&s->m, 0);
		return e;
	}
	s->link.on_log = o->on_log;
	s->link.log_ctx = o->log_ctx ? o->log_ctx : o->ctx;
	/* The scale its cold boot measured, unless the user set one; the
	 * agent's is its cold boot's command line: resume gives it the one
	 * in force now, with the time, in one round trip. */
	if (s->m.accel == ACCEL_TCG)
		kt_scale_set(w->meta.timeout_scale, KT_SCALE_AUTO);
	snprintf(arg, sizeof(arg), "%g", kt_scale());
	e = agentlink_request(&s->link, "resume", fill_resume, arg,
			      o->boot_timeout_ms > 0 ? o->boot_timeout_ms :
						       (int)kt_limit_ms(KT_LIM_GUEST_REQUEST),
			      o->cancel, &r);
	if (!e && !s->link.have_hello)
		e = kterr_new(EPROTO, "the restored agent answered resume without a HELLO");
	if (!e) {
		wire_get_i64(r, "stepped_ms", &step);
		s->t.clock_step_ms = step;
	}
	if (e) {
		e = with_console(s, kterr_wrap(e, "resume the restored guest"));
		agentlink_release(&s->link);
		machine_stop(&s->m, 0);
		return e;
	}
	return NULL;
}

/* After a save: the kernel's states beyond KTCON_WARM_KEEP, least
 * recently used first, go (each is 60-75 MiB). */
static void evict(const struct session_opts *o, const struct warm *w)
{
	unsigned keep, dropped = 0;
	struct kterr *e = warm_keep_env(&keep);

	if (!e)
		e = warm_evict(w->root, keep, &dropped);
	if (e) {
		note_err(o, e);
		kterr_free(e);
	}
	if (dropped)
		note(o, "warm states: dropped %u least recently used (keeping %u per kernel; "
		     "KTCON_WARM_KEEP)", dropped, keep);
}

/* Right after HELLO, nothing asked yet: stop, save, continue. A save that
 * fails is said and the run goes on (the guest continues either way). */
static void save(const struct session_opts *o, struct session *s, struct warm *w)
{
	uint64_t t0 = kt_now_ns(), boot_ms = (s->t.hello_ns - s->t.qemu_ns) / 1000000;
	struct warm_meta m = { 0 };
	const struct agent_hello *h = &s->link.hello;
	struct kterr *e, *c;

	snprintf(m.qemu_version, sizeof(m.qemu_version), "%s", qmp_version(s->m.qmp));
	m.boot_ms = boot_ms;
	m.timeout_scale = s->m.accel == ACCEL_TCG ?
			  kt_scale_measured(boot_ms, SESSION_TCG_BOOT_REF_MS) : 1;
	snprintf(m.hello_agent, sizeof(m.hello_agent), "%s", h->agent);
	snprintf(m.hello_release, sizeof(m.hello_release), "%s", h->release);
	snprintf(m.hello_cpus_online, sizeof(m.hello_cpus_online), "%s", h->cpus_online);
	snprintf(m.hello_scheduler, sizeof(m.hello_scheduler), "%s", h->scheduler);
	m.hello_uptime_ms = h->uptime_ms;
	e = warm_save(w, s->m.qmp, &s->m.ram, &m);
	/* Stopped for the save (or by a save that failed half-way). */
	c = qmp_execute(s->m.qmp, "cont", NULL, NULL);
	s->t.save_ms = (kt_now_ns() - t0) / 1000000;
	if (e) {
		note(o, "warm state %s: not saved: %s", w->dir,
		     kterr_str(e, (char[512]){ 0 }, 512));
	} else {
		s->start = SESSION_SAVED;
		note(o, "warm state saved: %s (stream %" PRIu64 " KiB, RAM %" PRIu64 " of %"
		     PRIu64 " MiB, in %" PRIu64 " ms)", w->dir, m.stream_bytes >> 10,
		     m.ram_data_bytes >> 20, m.ram_bytes >> 20, s->t.save_ms);
		evict(o, w);
	}
	kterr_free(e);
	if (c) {
		/* A guest that cannot continue is no guest: the health check
		 * of the next request says so. */
		note_err(o, c);
		kterr_free(c);
	}
}

struct kterr *session_boot(const struct session_opts *o, struct session *s)
{
	struct machine_opts mo;
	struct warm w = { .lock_fd = -1, .fd = -1 };
	bool warm = false;
	struct kterr *e;

	memset(s, 0, sizeof(*s));
	s->initrd_fd = -1;
	s->t.start_ns = kt_now_ns();
	e = pick_kernel(o, s);
	if (!e)
		e = build_initrd(o, s);
	if (e)
		goto fail;
	s->t.initramfs_ns = kt_now_ns();
	s->cancel = o->cancel;

	if (o->warm && o->shell)
		note(o, "warm start is not used with a shell (its guest boots with ktcon.shell=1): "
		     "booting cold");
	if (o->warm && !o->shell) {
		struct kterr *we = warm_prepare(o, s, &w);

		warm = !we;
		s->t.warm_ns = kt_now_ns();
		if (we) {
			we = kterr_wrap(we, "warm start off for this run");
			note_err(o, we);
			kterr_free(we);
		}
	}
	if (warm && w.mode == WARM_RESTORE) {
		e = restore(o, s, &w);
		if (!e) {
			s->start = SESSION_RESTORED;
			note(o, "warm start from %s: ready in %" PRIu64 " ms (RAM %" PRIu64
			     " MiB copied; guest wall clock stepped %+" PRId64 " ms)", w.dir,
			     (kt_now_ns() - s->t.initramfs_ns) / 1000000,
			     s->m.t.ram_copied >> 20, s->t.clock_step_ms);
			goto booted;
		}
		if (o->cancel && atomic_load(o->cancel))
			goto fail;
		warm_refuse(&w, e);
		e = NULL;
	}
	if (warm && w.why)
		note_err(o, w.why);

	machine_opts_of(o, s, &mo);
	if (warm && w.mode == WARM_SAVE) {
		/* The stream file, made now: a state that cannot be written
		 * is said before the boot, not after. */
		int fd;
		struct kterr *we = warm_stream_fd(&w, &fd);

		if (we) {
			we = kterr_wrap(we, "warm state %s: not saved", w.dir);
			note_err(o, we);
			kterr_free(we);
			w.mode = WARM_COLD;
		}
	}
	e = machine_start(&mo, &s->m);
	if (e)
		goto fail;
	s->t.qemu_ns = s->m.t.ready_ns;
	e = agentlink_init(&s->link, s->m.ctl_fd, health, s);
	if (e)
		goto fail_machine;
	s->link.on_log = o->on_log;
	s->link.log_ctx = o->log_ctx ? o->log_ctx : o->ctx;
	e = agentlink_wait_hello(&s->link, o->boot_timeout_ms > 0 ? o->boot_timeout_ms
								 : (int)kt_limit_ms(KT_LIM_BOOT));
	if (e) {
		/* A guest that never says hello: the console tells why. */
		e = with_console(s, e);
		goto fail_link;
	}
	if (s->link.hello.scheduler_error[0]) {
		/* Ready means under its boot scheduler: without it, no guest. */
		e = kterr_hint(kterr_new(ECHILD, "the guest's %s",
					 s->link.hello.scheduler_error),
			       "run it by hand to see more: ktcon boot --shell, then /scheduler "
			       "$(cat /sched_args)");
		goto fail_link;
	}
	s->t.hello_ns = s->link.hello_ns;
	/* Saved before anything is asked of the guest: a restored one is
	 * as fresh as this one is now. */
	if (warm && w.mode == WARM_SAVE)
		save(o, s, &w);
	s->up = true;
	e = auto_scale(s);
	if (e)
		goto fail_link;
booted:
	s->cancel = NULL;	/* booted: the caller's cancel is the executor's now */
	s->t.hello_ns = s->link.hello_ns;
	s->t.kernel_init_ms = s->link.hello.uptime_ms;
	s->up = true;
	/* QEMU has loaded it: our copy can go. */
	close(s->initrd_fd);
	s->initrd_fd = -1;
	warm_end(&w);
	return NULL;
fail_link:
	s->up = false;
	agentlink_release(&s->link);
fail_machine:
	machine_stop(&s->m, 0);
fail:
	warm_end(&w);
	if (s->initrd_fd >= 0)
		close(s->initrd_fd);
	free(s->kernel);
	free(s->vmlinux);
	free(s->schedulers_dir);
	free(s->initrd);
	s->kernel = s->vmlinux = s->schedulers_dir = s->initrd = NULL;
	return kterr_wrap(e, "boot the guest");
}

void session_shutdown(struct session *s, int grace_ms)
{
	if (s->up && !machine_exited(&s->m)) {
		struct kterr *e = agentlink_poweroff(&s->link, grace_ms);

		if (!e)
			machine_wait_exit(&s->m, grace_ms);
		kterr_free(e);
	}
	if (s->up)
		agentlink_release(&s->link);
	machine_stop(&s->m, grace_ms);
	free(s->kernel);
	free(s->vmlinux);
	free(s->schedulers_dir);
	free(s->initrd);
	memset(s, 0, sizeof(*s));
}
