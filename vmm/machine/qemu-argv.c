/* qemu-argv.c - build QEMU's command line; see qemu-argv.h. */
#include "vmm/machine/qemu-argv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/timeouts.h"
#include "lib/util.h"

struct argv_buf {
	char **v;
	size_t n;
	bool oom;
};

static void add(struct argv_buf *b, char *s)
{
	char **nv;

	if (!s || b->oom) {
		b->oom = true;
		free(s);
		return;
	}
	nv = realloc(b->v, (b->n + 2) * sizeof(*nv));
	if (!nv) {
		b->oom = true;
		free(s);
		return;
	}
	b->v = nv;
	b->v[b->n++] = s;
	b->v[b->n] = NULL;
}

#define ADD(b, ...) add((b), kt_strfmt(__VA_ARGS__))

static void add_socket_chardev(struct argv_buf *b, const char *id, const char *rundir,
			       const char *file)
{
	ADD(b, "-chardev");
	ADD(b, "socket,id=%s,path=%s/%s,server=on,wait=off", id, rundir, file);
}

struct kterr *qemu_argv_build(const struct qemu_spec *s, char ***out)
{
	struct argv_buf b = { 0 };
	const struct topology *t = &s->topo;
	unsigned cpus = topology_cpus(t);
	struct kterr *e = topology_check(t);

	if (e)
		return e;
	if (s->accel != ACCEL_KVM && s->accel != ACCEL_TCG)
		return kterr_new(EINVAL, "qemu argv: accelerator must be resolved first");

	ADD(&b, "%s", s->qemu);
	ADD(&b, "-M");
	ADD(&b, "microvm,acpi=off,x-option-roms=off,rtc=on,memory-backend=ram");
	ADD(&b, "-accel");
	/* One host thread per vCPU under TCG, so 2 guest CPUs use 2 cores. */
	ADD(&b, s->accel == ACCEL_KVM ? "kvm" : "tcg,thread=multi");
	ADD(&b, "-cpu");
	ADD(&b, s->accel == ACCEL_KVM ? "host" : "max");
	/* An LLC is a package: QEMU's L3 is shared per socket, so the guest
	 * sees numa*llcs separate last-level caches. */
	ADD(&b, "-smp");
	ADD(&b, "cpus=%u,sockets=%u,cores=%u,threads=%u", cpus, t->numa * t->llcs,
	    t->cores, t->threads);
	ADD(&b, "-m");
	ADD(&b, "%uM", t->memory_mib);
	ADD(&b, "-object");
	ADD(&b, "memory-backend-file,id=ram,size=%uM,mem-path=%s,share=on", t->memory_mib,
	    s->ram_path);
	ADD(&b, "-nodefaults");
	ADD(&b, "-no-user-config");
	ADD(&b, "-display");
	ADD(&b, "none");
	ADD(&b, "-no-reboot");
	ADD(&b, "-S");
	if (s->incoming) {
		/* The state comes by migrate-incoming once every socket is
		 * connected (migrate.h); -S keeps it paused after. */
		ADD(&b, "-incoming");
		ADD(&b, "defer");
	}
	ADD(&b, "-kernel");
	ADD(&b, "%s", s->kernel);
	ADD(&b, "-initrd");
	ADD(&b, "%s", s->initrd);
	ADD(&b, "-append");
	{
		char tsc[48] = "", scale[48];

		if (s->tsc_khz)
			snprintf(tsc, sizeof(tsc), " tsc_early_khz=%lu", s->tsc_khz);
		/* The agent's waits get the host's timeout scale. */
		snprintf(scale, sizeof(scale), " ktcon.timeout_scale=%g", kt_scale());
		/* panic=-1: reboot at once on panic, which -no-reboot turns into
		 * QEMU's exit; the console tail tells why. no_timer_check: the
		 * IO-APIC timer check counts ticks in a busy loop, which a TCG
		 * guest on a loaded host can miss ("IO-APIC + timer doesn't
		 * work!" panic, seen here under load); virtual timers need no
		 * such check. nokaslr: host introspection reads the kernel at its
		 * vmlinux link addresses (vmm/intro/kva.h); a user's kernel with
		 * RANDOMIZE_BASE would move. */
		ADD(&b, "console=ttyS0 loglevel=4 reboot=t panic=-1 no_timer_check nokaslr "
		    "rdinit=/init%s%s%s%s", tsc, scale,
		    s->append_extra ? " " : "", s->append_extra ? s->append_extra : "");
	}
	/* kernel console: the 8250 UART */
	add_socket_chardev(&b, "serial", s->rundir, QEMU_SOCK_SERIAL);
	ADD(&b, "-serial");
	ADD(&b, "chardev:serial");
	/* control channel: virtio-serial with hvc0 and ktcon.0 */
	ADD(&b, "-device");
	ADD(&b, "virtio-serial-device,max_ports=4");
	add_socket_chardev(&b, "hvc", s->rundir, QEMU_SOCK_HVC);
	ADD(&b, "-device");
	ADD(&b, "virtconsole,chardev=hvc,name=console");
	add_socket_chardev(&b, "ctl", s->rundir, QEMU_SOCK_CTL);
	ADD(&b, "-device");
	ADD(&b, "virtserialport,chardev=ctl,name=%s", QEMU_CTL_PORT_NAME);
	/* lifecycle and freeze */
	ADD(&b, "-qmp");
	ADD(&b, "unix:%s/%s,server=on,wait=off", s->rundir, QEMU_SOCK_QMP);
	add_socket_chardev(&b, "gdb", s->rundir, QEMU_SOCK_GDB);
	ADD(&b, "-gdb");
	ADD(&b, "chardev:gdb");

	if (b.oom) {
		qemu_argv_free(b.v);
		return kterr_new(ENOMEM, "qemu command line");
	}
	*out = b.v;
	return NULL;
}

void qemu_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

char *qemu_argv_join(char *const *argv)
{
	size_t len = 1;
	char *s, *p;

	for (size_t i = 0; argv[i]; i++)
		len += strlen(argv[i]) * 4 + 3;
	s = p = malloc(len);
	if (!s)
		return NULL;
	for (size_t i = 0; argv[i]; i++) {
		bool plain = strspn(argv[i], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					     "0123456789-_=,./:@+%") == strlen(argv[i]);

		if (i)
			*p++ = ' ';
		if (plain) {
			p = stpcpy(p, argv[i]);
			continue;
		}
		*p++ = '\'';
		for (const char *c = argv[i]; *c; c++) {
			if (*c == '\'')
				p = stpcpy(p, "'\\''");
			else
				*p++ = *c;
		}
		*p++ = '\'';
	}
	*p = '\0';
	return s;
}
