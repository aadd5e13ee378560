/*
 * cmd-boot.c - `ktcon boot`: boot a guest to its agent, print the timings,
 * and power it off (or give an interactive shell on hvc0 with --shell, the
 * way virtme-ng does).
 */
#include "tui/cmd.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "lib/timeouts.h"
#include "lib/util.h"
#include "tui/guest-opts.h"
#include "tui/state-print.h"
#include "vmm/backend.h"
#include "vmm/machine/freeze.h"
#include "vmm/intro/intro.h"
#include "vmm/intro/sampler.h"
#include "vmm/machine/warm.h"

static const char usage_text[] =
	"usage: ktcon boot [--cpus N | --topology NUMA,LLCS,CORES,THREADS] [--memory MiB]\n"
	"                  [--kernel X.Y|PATH] [--accel auto|kvm|tcg] [--timeout SEC]\n"
	"                  [--stage-payload NAME=PATH]... [--scheduler NAME [--sched-args ARGS]]\n"
	"                  [--shell] [--sh CMD] [--state] [--sched-state MS] [--verbose]\n"
	"                  [--timeout-scale F] [--warm | --cold]\n"
	"\n"
	"Boots a guest to its agent's HELLO, prints the timings and powers it off.\n"
	"--shell    an interactive busybox shell on the guest (exit or Ctrl-] ends it)\n"
	"--sched-state MS\n"
	"           while --sh runs, read the sched_ext state and the runqueues from\n"
	"           the host every MS ms without pausing the guest; print a line on\n"
	"           stderr when it changes\n"
	"--sh CMD   run CMD in the guest once it is up; print its output; exit with\n"
	"           its status\n"
	"--state    print the state the agent streams (cgroups below the managed\n"
	"           parent, sched_ext, IRQ counts per CPU), read after --sh if given\n"
	"--verbose  copy the guest's kernel console to stderr\n";

/* The guest options `ktcon boot` takes (guest-opts.h). */
#define BOOT_GUEST_OPTS (GOPT_CPUS | GOPT_TOPOLOGY | GOPT_MEMORY | GOPT_MACHINE | GOPT_WARM | \
			 GOPT_SCHEDULER | GOPT_SCHED_ARGS | GOPT_STAGE_PAYLOAD)

#define BOOT_MAX_PAYLOADS 16

struct boot_args {
	struct session_opts so;
	bool verbose;
	bool freeze;
	bool state;
	unsigned sched_state_ms;	/* 0: no sampling */
	const char *sh;
	struct initramfs_item payloads[BOOT_MAX_PAYLOADS];
	char payload_names[BOOT_MAX_PAYLOADS][INITRAMFS_NAME_MAX + 1];
};

/* NAME=PATH; the name is checked by the initramfs builder. */
static struct kterr *add_payload(struct boot_args *a, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t i = a->so.n_payloads;

	if (!eq || eq == arg || !eq[1])
		return kterr_new(EINVAL, "--stage-payload '%s' is not NAME=PATH", arg);
	if (i == BOOT_MAX_PAYLOADS)
		return kterr_new(E2BIG, "more than %d --stage-payload options", BOOT_MAX_PAYLOADS);
	if ((size_t)(eq - arg) > INITRAMFS_NAME_MAX)
		return kterr_new(EINVAL, "--stage-payload name '%.*s' is longer than %d bytes",
				 (int)(eq - arg), arg, INITRAMFS_NAME_MAX);
	memcpy(a->payload_names[i], arg, (size_t)(eq - arg));
	a->payload_names[i][eq - arg] = '\0';
	a->payloads[i] = (struct initramfs_item){ .name = a->payload_names[i], .path = eq + 1 };
	a->so.n_payloads = i + 1;
	a->so.payloads = a->payloads;
	return NULL;
}

/* "ktcon boot: [WHAT: ]the chain" on stderr; e is freed. */
static void say_error(const char *what, struct kterr *e, const char *dflt)
{
	char *m = kterr_strdup(e);

	fprintf(stderr, "ktcon boot: %s%s%s\n", what ? what : "", what ? ": " : "", m ? m : dflt);
	free(m);
	kterr_free(e);
}

static void print_console(const char *line, void *ctx)
{
	fprintf(stderr, "[console] %s\n", line);
}

/* --sched-state: a line when the sampled state changes, on stderr (stdout
 * is the command's output). */
struct sched_lines {
	char *last;
};

static void print_sched(void *ctx, const char *line)
{
	struct sched_lines *sl = ctx;

	if (sl->last && !strcmp(sl->last, line))
		return;
	free(sl->last);
	sl->last = strdup(line);
	fprintf(stderr, "[sched] %s\n", line);
}

/* What the guest and the host said unasked (the backend's one event
 * source: the agent's log lines, the host's notes, the guest going down),
 * on stderr, each with whose it is. Printed after each thing the command
 * does, and after a boot that failed (what the agent said on the way). */
static void print_events(struct kt_backend *b)
{
	static const char *const whose[] = {
		[KT_GEV_LOG] = "agent", [KT_GEV_NOTE] = "host", [KT_GEV_DIED] = "ktcon",
	};
	struct kt_guest_event *ev;
	char line[4096];

	while (b && (ev = kt_backend_next_event(b))) {
		const char *w = (size_t)ev->kind < ARRAY_SIZE(whose) && whose[ev->kind] ?
				whose[ev->kind] : "guest";

		kt_gev_text(ev, line, sizeof(line));
		if (ev->kind == KT_GEV_DIED)
			fprintf(stderr, "[%s] the guest went down: %s\n", w, line);
		else
			fprintf(stderr, "[%s] %s\n", w, line);
		kt_gev_free(ev);
	}
	fflush(stderr);
}

static struct kterr *parse(int argc, char **argv, struct boot_args *a, bool *help)
{
	static const struct option own[] = {
		{ "timeout", required_argument, NULL, 'T' },
		{ "shell", no_argument, NULL, 's' },
		{ "sh", required_argument, NULL, 'x' },
		{ "freeze", no_argument, NULL, 'F' },
		{ "state", no_argument, NULL, 'O' },
		{ "sched-state", required_argument, NULL, 'Q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 },
	};
	struct guest_opts g;
	struct kterr *e = NULL;
	int c;

	memset(a, 0, sizeof(*a));
	topology_default(&a->so.topo);
	guest_opts_init(&g, BOOT_GUEST_OPTS, own);
	while (!e && (c = guest_opts_next(&g, argc, argv, &e)) != -1) {
		switch (c) {
		case 'c': e = topology_set_cpus(&a->so.topo, optarg); break;
		case 't': e = topology_parse(&a->so.topo, optarg); break;
		case 'm': e = topology_set_memory(&a->so.topo, optarg); break;
		case 'T': {
			char *end;
			long s = strtol(optarg, &end, 10);

			if (*end || s < 1 || s > 3600)
				e = kterr_new(EINVAL, "--timeout '%s' is not 1..3600 seconds", optarg);
			a->so.boot_timeout_ms = (int)s * 1000;
			break;
		}
		case 's': a->so.shell = true; break;
		case 'x': a->sh = optarg; break;
		case 'F': a->freeze = true; break;
		case 'O': a->state = true; break;
		case 'Q': {
			char *end;
			long ms = strtol(optarg, &end, 10);

			if (*end || ms < SAMPLER_MIN_MS || ms > 60000)
				e = kterr_new(EINVAL, "--sched-state '%s' is not %d..60000 ms", optarg,
					      SAMPLER_MIN_MS);
			a->sched_state_ms = (unsigned)ms;
			break;
		}
		case 'P': e = add_payload(a, optarg); break;
		case 'S': a->so.boot_scheduler = optarg; break;
		case 'A': a->so.boot_scheduler_args = optarg; break;
		case 'v': a->verbose = true; break;
		}
	}
	a->so.kernel = g.v.kernel;
	a->so.accel = g.v.accel;
	*help = g.help;
	if (!e)
		e = guest_opts_warm(&g, false, &a->so.warm);
	if (e)
		return e;
	if (optind < argc)
		return kterr_new(EINVAL, "unexpected argument '%s'", argv[optind]);
	return topology_check(&a->so.topo);
}

/* Relay the terminal and hvc0 until the guest goes away or Ctrl-]. */
static void relay_shell(struct session *s)
{
	struct termios saved, raw;
	bool tty = tcgetattr(0, &saved) == 0;

	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
	}
	fprintf(stderr, "[ktcon] shell on the guest; exit or Ctrl-] to end it\r\n");
	for (;;) {
		struct pollfd p[2] = { { .fd = 0, .events = POLLIN },
				       { .fd = s->m.hvc_fd, .events = POLLIN } };
		char buf[4096];
		ssize_t n;

		if (poll(p, 2, 200) < 0 && errno != EINTR)
			break;
		if (machine_exited(&s->m))
			break;
		if (p[1].revents & (POLLIN | POLLHUP)) {
			n = read(s->m.hvc_fd, buf, sizeof(buf));
			if (n <= 0)
				break;
			if (write(1, buf, n) < 0)
				break;
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			n = read(0, buf, sizeof(buf));
			if (n <= 0)
				break;
			if (memchr(buf, 0x1d, n))	/* Ctrl-] */
				break;
			if (write(s->m.hvc_fd, buf, n) < 0)
				break;
		}
	}
	if (tty)
		tcsetattr(0, TCSANOW, &saved);
	fprintf(stderr, "\n");
}

/* The first STATE read after everything before it: frames already in the
 * channel are drained first (they may be old, after a long --shell), and
 * frames after --sh's reply were sampled after the command ran. */
static int print_state(struct session *s)
{
	struct kterr *e = agentlink_pump(&s->link, 0);
	uint64_t t0 = kt_now_ns();
	char d[32];

	if (!e)
		e = agentlink_wait_state(&s->link, s->link.nstates,
					 (int)kt_limit_ms(KT_LIM_STATE));
	if (e) {
		say_error("state", e, "failed");
		return -1;
	}
	printf("  state after        %8s  (%llu STATE frames so far, the last %zu bytes)\n",
	       kt_fmt_duration(kt_now_ns() - t0, d, sizeof(d)),
	       (unsigned long long)s->link.nstates, s->link.state_bytes);
	state_print(stdout, &s->link.state);
	if (s->link.bad_states)
		printf("  warning: %llu STATE frames from the guest were bad (see [agent] lines)\n",
		       (unsigned long long)s->link.bad_states);
	return 0;
}

/* Park every vCPU, read each one's registers, resume; then prove the guest
 * still answers. */
static int freeze_once(struct session *s)
{
	struct freeze f;
	struct kterr *e = freeze_begin(&s->m, &f);

	if (!e) {
		for (size_t i = 0; i < f.nvcpus && !e; i++) {
			struct gdb_x86_regs r;
			char tid[32];

			e = gdb_read_regs(s->m.gdb, f.vcpus[i], &r);
			gdb_format_tid(f.vcpus[i], tid, sizeof(tid));
			if (!e)
				printf("  vcpu %-6s rip=0x%016llx cr3=0x%llx\n", tid,
				       (unsigned long long)r.rip, (unsigned long long)r.cr3);
		}
		struct kterr *e2 = freeze_end(&s->m, &f);
		if (!e)
			e = e2;
		else
			kterr_free(e2);
	}
	if (!e) {
		int st;
		char *out = NULL;

		e = agentlink_sh(&s->link, "true", (int)kt_limit_ms(KT_LIM_SH), &st, &out);
		free(out);
	}
	if (e) {
		say_error("freeze", e, "failed");
		return -1;
	}
	printf("  froze %zu vCPUs for %llu us; the guest answers after resume\n", f.nvcpus,
	       (unsigned long long)(f.paused_ns / 1000));
	return 0;
}

static int cmd_boot_exec(int argc, char **argv)
{
	struct boot_args a;
	struct kt_backend *b = NULL;
	struct session *s;
	bool help;
	char d1[32], d2[32], d3[32];
	struct kterr *e = parse(argc, argv, &a, &help);

	if (e || help) {
		FILE *to = e ? stderr : stdout;

		if (e)
			say_error(NULL, e, "bad arguments");
		fputs(usage_text, to);
		guest_opts_help(to, BOOT_GUEST_OPTS);
		return to == stderr ? KTCMD_USAGE : KTCMD_OK;
	}
	if (a.verbose)
		a.so.on_console = print_console;
	/* Through the front door, as `ktcon run` and the console boot. The
	 * host is read only for --sched-state, and then only sampled: no
	 * introspection otherwise, and never the exit trigger. */
	e = kt_backend_boot(&(struct kt_backend_opts){ .so = a.so, .no_host = !a.sched_state_ms,
						       .no_exit_trigger = true }, &b);
	print_events(b);
	if (e) {
		say_error(NULL, e, "failed");
		kt_backend_free(b);
		return KTCMD_FAIL;
	}
	s = kt_backend_session(b);	/* HELLO, the timings, the agent link for --sh */
	const struct agent_hello *h = &s->link.hello;
	printf("guest: %s, %u CPUs (%s), %u MiB, %s (%s)\n", h->release, h->cpus,
	       h->cpus_online, a.so.topo.memory_mib, accel_name(s->m.accel), s->m.accel_why);
	printf("  initramfs built    %8s\n",
	       kt_fmt_duration(s->t.initramfs_ns - s->t.start_ns, d1, sizeof(d1)));
	printf("  qemu started       %8s\n", kt_fmt_duration(s->t.qemu_ns - s->t.start_ns, d1, sizeof(d1)));
	if (s->start == SESSION_RESTORED)
		printf("  guest uptime       %8s  (restored: its cold boot's, continued)\n",
		       kt_fmt_duration(s->t.kernel_init_ms * 1000000ULL, d2, sizeof(d2)));
	else
		printf("  kernel to /init    %8s  (guest uptime when the agent started)\n",
		       kt_fmt_duration(s->t.kernel_init_ms * 1000000ULL, d2, sizeof(d2)));
	printf("  agent HELLO        %8s\n", kt_fmt_duration(s->t.hello_ns - s->t.start_ns, d3, sizeof(d3)));
	if (h->scheduler[0])
		printf("  sched_ext          %s under %s\n", h->sched_ext, h->scheduler);
	if (h->agent_class[0])
		printf("  agent class        %s\n", h->agent_class);
	{
		static const char *const starts[] = {
			[SESSION_BOOTED] = "cold", [SESSION_SAVED] = "cold, warm state saved",
			[SESSION_RESTORED] = "warm (restored from a saved state)",
		};

		printf("  start              %s\n", starts[s->start]);
	}
	printf("  timeout scale      %g (%s)\n", kt_scale(), kt_scale_origin_name(kt_scale_origin()));
	if (h->mount_errors[0])
		printf("  warning: the guest could not mount: %s\n", h->mount_errors);
	if (strcmp(h->controllers, "cpuset cpu io memory pids"))
		printf("  warning: managed cgroup controllers are '%s'\n", h->controllers);
	fflush(stdout);
	int rc = KTCMD_OK;
	if (a.freeze && freeze_once(s) != 0)
		rc = KTCMD_FAIL;
	print_events(b);
	struct sched_lines sl = { .last = NULL };
	if (a.sched_state_ms) {
		/* Not required to boot: its failure was a note (printed). */
		e = kt_backend_intro(b) ? intro_sample(kt_backend_intro(b), a.sched_state_ms,
						       print_sched, &sl)
					: kterr_new(ENOTSUP, "no host introspection (the [host] "
						    "line above says why)");
		if (e) {
			say_error("--sched-state", e, "failed");
			rc = KTCMD_FAIL;
		}
	}
	if (a.sh) {
		int status;
		char *out = NULL;

		e = agentlink_sh(&s->link, a.sh, 0, &status, &out);
		print_events(b);
		if (e) {
			say_error(NULL, e, "sh failed");
			rc = KTCMD_FAIL;
		} else {
			fputs(out, stdout);
			printf("  sh exit status     %8d\n", status);
			rc = status ? KTCMD_FAIL : KTCMD_OK;
		}
		free(out);
	}
	fflush(stdout);
	if (a.state && print_state(s) != 0)
		rc = KTCMD_FAIL;
	intro_sample_stop(kt_backend_intro(b));	/* not into the shell */
	print_events(b);
	if (a.so.shell)
		relay_shell(s);
	uint64_t t0 = kt_now_ns();
	bool was_up = !machine_exited(&s->m);
	kt_backend_shutdown(b, (int)kt_limit_ms(KT_LIM_POWEROFF));
	if (was_up)
		printf("  powered off        %8s\n", kt_fmt_duration(kt_now_ns() - t0, d1, sizeof(d1)));
	print_events(b);
	kt_backend_free(b);
	free(sl.last);
	return rc;
}

const struct ktcmd_entry ktcmd_boot_entry = {
	.name = "boot",
	.usage = "boot [--cpus N | --topology N,L,C,T] [--memory MiB] [--kernel X.Y|PATH] [--accel auto|kvm|tcg] [--shell] [--sh CMD] [--state]",
	.summary = "boot a guest, print its timings, and exit (or give a shell)",
	.exec = cmd_boot_exec,
};
