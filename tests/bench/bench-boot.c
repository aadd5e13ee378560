/*
 * bench-boot.c - boot to agent ready: ktcon against a bare QEMU.
 *
 *   bench-boot [-n N] [--cpus C] [--ktcon-only]
 *
 * For each round, in the same run so the machine's load is shared:
 *   bare   the same bzImage under the same QEMU, TCG and CPU count, with a
 *          trivial /init (busybox script) that prints one line; timed from
 *          fork to that line on the serial console.
 *   ktcon  session_boot(): initramfs, QEMU, kernel, agent HELLO.
 * Prints the medians, the ratio ktcon/bare, and the failed boots by kind
 * (no HELLO in time, oops, panic, QEMU exit). Exit 1 if any boot failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"
#include "vmm/machine/accel.h"
#include "vmm/image/cpio.h"
#include "vmm/kernel/kcache.h"
#include "vmm/kernel/kpick.h"
#include "vmm/session.h"
#include "tests/bench/bench-util.h"
#include "vmm/machine/tsc.h"

#define BARE_LINE "KTCON-BARE-INIT-OK"
#define TIMEOUT_MS 60000

static double median_ms(uint64_t *v, int n)
{
	return bench_median(v, n) / 1e6;
}

/* A cpio with /init (a busybox script), /bin/busybox and /dev/console,
 * written with ktcon's own cpio writer (no cpio(1) needed). */
static int make_bare_initrd(const char *dir, char *out, size_t size)
{
	static const char init[] = "#!/bin/busybox sh\n/bin/busybox echo " BARE_LINE "\n"
				   "/bin/busybox reboot -f\n";
	struct cpio c;
	struct kterr *e;

	snprintf(out, size, "%s/bare.cpio", dir);
	cpio_init(&c);
	e = cpio_add_chardev(&c, "/dev/console", 0600, 5, 1);
	if (!e)
		e = cpio_add_host_file(&c, "/bin/busybox", "/bin/busybox");
	if (!e)
		e = cpio_add_file(&c, "/init", 0755, init, sizeof(init) - 1);
	if (!e)
		e = cpio_finish(&c);
	if (!e)
		e = kt_write_file(out, c.buf, c.len);
	cpio_free(&c);
	if (e) {
		char *m = kterr_strdup(e);

		fprintf(stderr, "bench-boot: %s\n", m ? m : "bare initramfs");
		free(m);
		kterr_free(e);
		return -1;
	}
	return 0;
}

/* Fork QEMU with the serial console on a pipe; ns until BARE_LINE. */
static int bare_boot(const char *kernel, const char *initrd, int cpus, uint64_t *ns)
{
	int p[2];
	uint64_t t0 = kt_now_ns();
	char smp[32], append[128], buf[4096], seen[8192] = "";
	size_t seen_len = 0;
	pid_t pid;
	int ok = -1, st;

	snprintf(smp, sizeof(smp), "%d", cpus);
	snprintf(append, sizeof(append), "console=ttyS0 loglevel=4 reboot=t panic=-1 no_timer_check tsc_early_khz=%lu",
		 tsc_host_khz());
	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		int nul = open("/dev/null", O_RDWR);
		dup2(nul, 0);
		dup2(nul, 2);
		execlp("qemu-system-x86_64", "qemu-system-x86_64", "-M", "microvm,acpi=off",
		       "-accel", "tcg,thread=multi", "-cpu", "max", "-smp", smp, "-m", "512",
		       "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
		       "-serial", "stdio", "-kernel", kernel, "-initrd", initrd,
		       "-append", append, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (kt_now_ns() - t0 < TIMEOUT_MS * 1000000ULL) {
		struct pollfd pf = { .fd = p[0], .events = POLLIN };

		if (poll(&pf, 1, 500) <= 0)
			continue;
		ssize_t n = read(p[0], buf, sizeof(buf) - 1);
		if (n <= 0)
			break;
		if (seen_len + n >= sizeof(seen)) {
			memmove(seen, seen + seen_len / 2, seen_len - seen_len / 2);
			seen_len -= seen_len / 2;
		}
		memcpy(seen + seen_len, buf, n);
		seen_len += n;
		seen[seen_len] = '\0';
		if (strstr(seen, BARE_LINE)) {
			*ns = kt_now_ns() - t0;
			ok = 0;
			break;
		}
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	close(p[0]);
	return ok;
}

/* Console lines that precede trouble without being an oops themselves
 * (the TSC falling back is what led to the int3 oops under TCG). */
static int warnings;
static void watch_console(const char *line, void *ctx)
{
	(void)ctx;
	if (strstr(line, "WARNING:") || strstr(line, "TSC unstable") ||
	    strstr(line, "could not calculate TSC")) {
		warnings++;
		fprintf(stderr, "\nconsole: %s\n", line);
	}
}

enum fail_kind { F_HELLO_TIMEOUT, F_OOPS, F_PANIC, F_QEMU_EXIT, F_OTHER, F_KINDS };
static const char *const fail_names[F_KINDS] = {
	"no HELLO in time", "oops", "panic", "qemu exited", "other",
};

static enum fail_kind classify(struct kterr *e)
{
	if (kterr_contains(e, "Kernel panic") || kterr_contains(e, "kernel panic"))
		return F_PANIC;
	if (kterr_contains(e, "Oops") || kterr_contains(e, "BUG:"))
		return F_OOPS;
	if (kterr_contains(e, "qemu exited") || kterr_contains(e, "qemu killed"))
		return F_QEMU_EXIT;
	if (kterr_errno_of(e) == ETIMEDOUT)
		return F_HELLO_TIMEOUT;
	return F_OTHER;
}

int main(int argc, char **argv)
{
	int n = 10, cpus = 2;
	bool ktcon_only = false;
	char dir[] = "/tmp/ktcon-bench-XXXXXX", bare_initrd[256];
	uint64_t *kt, *bare;
	int nkt = 0, nbare = 0, fails[F_KINDS] = { 0 }, bare_fails = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--cpus") && i + 1 < argc)
			cpus = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--ktcon-only"))
			ktcon_only = true;
		else {
			fprintf(stderr, "usage: bench-boot [-n N] [--cpus C] [--ktcon-only]\n");
			return 2;
		}
	}
	char *root;
	struct kcache_entry ent;
	struct kterr *e = kcache_root(&root);
	if (!e)
		e = kpick_entry(NULL, &ent);
	if (e) {
		char *s = kterr_strdup(e);
		fprintf(stderr, "bench-boot: %s\n", s);
		return 77;
	}
	char *kernel = kt_path_join(ent.dir, KCACHE_BZIMAGE);
	if (!mkdtemp(dir) || make_bare_initrd(dir, bare_initrd, sizeof(bare_initrd))) {
		fprintf(stderr, "bench-boot: cannot make the bare initramfs in %s\n", dir);
		return 1;
	}
	kt = calloc(n, sizeof(*kt));
	bare = calloc(n, sizeof(*bare));
	printf("boot benchmark: %s, %d vCPUs, %d rounds\n", ent.name, cpus, n);
	for (int i = 0; i < n; i++) {
		struct session_opts o = { .accel = ACCEL_AUTO, .on_console = watch_console };
		struct session s;

		if (!ktcon_only) {
			if (bare_boot(kernel, bare_initrd, cpus, &bare[nbare]) == 0)
				nbare++;
			else
				bare_fails++;
		}
		topology_default(&o.topo);
		char c[16];
		snprintf(c, sizeof(c), "%d", cpus);
		kterr_free(topology_set_cpus(&o.topo, c));
		e = session_boot(&o, &s);
		if (e) {
			char *m = kterr_strdup(e);
			enum fail_kind k = classify(e);

			fails[k]++;
			fprintf(stderr, "round %d: ktcon boot failed (%s): %s\n", i + 1,
				fail_names[k], m);
			free(m);
			kterr_free(e);
			continue;
		}
		/* A guest that said hello after an oops is a failed boot too. */
		char line[256];
		if (serial_alarm(&s.m.serial, line, sizeof(line)) != SERIAL_OK) {
			fails[F_OOPS]++;
			fprintf(stderr, "round %d: the guest console says: %s\n", i + 1, line);
			session_shutdown(&s, 10000);
			continue;
		}
		kt[nkt++] = s.t.hello_ns - s.t.start_ns;
		session_shutdown(&s, 10000);
		fprintf(stderr, "\rround %d/%d", i + 1, n);
	}
	fprintf(stderr, "\n");
	int failed = 0;
	for (int k = 0; k < F_KINDS; k++)
		failed += fails[k];
	double mk = median_ms(kt, nkt), mb = median_ms(bare, nbare);
	printf("  ktcon boot to HELLO   median %7.0f ms   (%d ok)\n", mk, nkt);
	if (!ktcon_only) {
		printf("  bare qemu to /init    median %7.0f ms   (%d ok, %d failed)\n", mb, nbare,
		       bare_fails);
		printf("  ratio ktcon/bare      %.2f\n", mb > 0 ? mk / mb : 0);
	}
	printf("  console warnings      %d\n", warnings);
	printf("  failed ktcon boots    %d of %d", failed, n);
	for (int k = 0; k < F_KINDS; k++)
		if (fails[k])
			printf("  [%s: %d]", fail_names[k], fails[k]);
	printf("\n");
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd)) {
		/* best effort */
	}
	return failed ? 1 : 0;
}
