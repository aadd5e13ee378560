/* session.c - boot a guest to its agent's HELLO; see session.h. */
#include "vmm/session.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/header.h"
#include "lib/timeouts.h"
#include "lib/util.h"
#include "vmm/kernel/kbuild.h"
#include "vmm/kernel/kcache.h"
#include "vmm/kernel/kpick.h"
#include "vmm/kernel/paths.h"

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

struct kterr *session_boot(const struct session_opts *o, struct session *s)
{
	struct machine_opts mo = { 0 };
	struct kterr *e;

	memset(s, 0, sizeof(*s));
	s->t.start_ns = kt_now_ns();
	e = pick_kernel(o, s);
	if (!e)
		e = build_initrd(o, s);
	if (e)
		goto fail;
	s->t.initramfs_ns = kt_now_ns();

	mo.topo = o->topo;
	mo.accel = o->accel;
	mo.kernel = s->kernel;
	mo.initrd = s->initrd;
	mo.initrd_fd = s->initrd_fd;
	mo.append_extra = o->shell ? "ktcon.shell=1" : NULL;
	mo.on_console = o->on_console;
	mo.ctx = o->ctx;
	e = machine_start(&mo, &s->m);
	/* QEMU has loaded it (or failed): our copy can go. */
	close(s->initrd_fd);
	s->initrd_fd = -1;
	if (e)
		goto fail;
	s->t.qemu_ns = s->m.t.ready_ns;
	s->cancel = o->cancel;
	e = agentlink_init(&s->link, s->m.ctl_fd, health, s);
	if (e)
		goto fail_machine;
	s->link.on_log = o->on_log;
	s->link.log_ctx = o->log_ctx ? o->log_ctx : o->ctx;
	e = agentlink_wait_hello(&s->link, o->boot_timeout_ms > 0 ? o->boot_timeout_ms
								 : (int)kt_limit_ms(KT_LIM_BOOT));
	if (e) {
		/* A guest that never says hello: the console tells why. */
		if (!kterr_contains(e, "guest console")) {
			char *tail = console_tail(&s->m.console, 20);

			e = kterr_note(e, "guest console, last lines:\n%s", tail ? tail : "");
			free(tail);
		}
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
	s->cancel = NULL;	/* booted: the caller's cancel is the executor's now */
	s->t.hello_ns = s->link.hello_ns;
	s->t.kernel_init_ms = s->link.hello.uptime_ms;
	s->up = true;
	e = auto_scale(s);
	if (e)
		goto fail_link;
	return NULL;
fail_link:
	agentlink_release(&s->link);
fail_machine:
	machine_stop(&s->m, 0);
fail:
	if (s->initrd_fd > 0)
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
