/* test_machine_parts.c - the machine's pure parts: accelerator choice,
 * topology parsing, the QEMU command line, guest RAM bounds. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/util.h"
#include "vmm/machine/accel.h"
#include "vmm/machine/guestmem.h"
#include "vmm/machine/qemu-argv.h"
#include "vmm/machine/rundir.h"
#include "vmm/machine/topology.h"

/* /proc/cpuinfo of this project's CI hosts: a paravirtual /dev/kvm and no
 * vmx/svm ("hypervisor" but no hardware virtualization). */
static const char *cpuinfo_pv =
	"processor\t: 0\nvendor_id\t: AuthenticAMD\n"
	"flags\t\t: fpu vme de pse tsc msr pae hypervisor lahf_lm cr8_legacy svm_lock\n"
	"processor\t: 1\n";
static const char *cpuinfo_vmx =
	"processor\t: 0\nflags\t\t: fpu vme vmx ept\n";
static const char *cpuinfo_svm =
	"processor\t: 0\nflags\t\t: fpu svm\n";

static void test_auto_picks_tcg_on_paravirtual_kvm(void **state)
{
	const char *why;

	assert_int_equal(accel_decide(cpuinfo_pv, true, &why), ACCEL_TCG);
	assert_non_null(strstr(why, "no vmx/svm"));
}

static void test_auto_picks_kvm_with_vmx_or_svm(void **state)
{
	const char *why;

	assert_int_equal(accel_decide(cpuinfo_vmx, true, &why), ACCEL_KVM);
	assert_int_equal(accel_decide(cpuinfo_svm, true, &why), ACCEL_KVM);
}

static void test_auto_picks_tcg_without_dev_kvm(void **state)
{
	const char *why;

	assert_int_equal(accel_decide(cpuinfo_vmx, false, &why), ACCEL_TCG);
	assert_non_null(strstr(why, "/dev/kvm"));
}

static void test_accel_names_round_trip_and_bad_name(void **state)
{
	enum accel a;
	struct kterr *e;

	assert_null(accel_parse("tcg", &a));
	assert_int_equal(a, ACCEL_TCG);
	assert_string_equal(accel_name(ACCEL_KVM), "kvm");
	e = accel_parse("hvf", &a);
	assert_true(kterr_contains(e, "'hvf'"));
	kterr_free(e);
}

static void test_topology_parse_and_errors(void **state)
{
	struct topology t;
	struct kterr *e;

	topology_default(&t);
	assert_int_equal(topology_cpus(&t), 2);
	assert_null(topology_parse(&t, "1,2,2,1"));
	assert_int_equal(topology_cpus(&t), 4);
	assert_int_equal(t.llcs, 2);
	e = topology_parse(&t, "1,2,2");
	assert_true(kterr_contains(e, "needs four numbers"));
	kterr_free(e);
	e = topology_parse(&t, "1,x,2,1");
	assert_true(kterr_contains(e, "LLCs per node 'x'"));
	kterr_free(e);
	e = topology_parse(&t, "1,8,8,2");
	assert_true(kterr_contains(e, "128 CPUs"));
	kterr_free(e);
	assert_null(topology_set_cpus(&t, "4"));
	assert_int_equal(topology_cpus(&t), 4);
	e = topology_set_cpus(&t, "0");
	assert_non_null(e);
	kterr_free(e);
	e = topology_set_memory(&t, "64");
	assert_non_null(e);
	kterr_free(e);
	assert_null(topology_parse(&t, "2,1,1,1"));
	e = topology_check(&t);
	assert_true(kterr_contains(e, "NUMA"));
	kterr_free(e);
}

static int argv_has(char **argv, const char *s)
{
	for (int i = 0; argv[i]; i++)
		if (strstr(argv[i], s))
			return i;
	return -1;
}

static void test_qemu_argv_for_tcg_topology(void **state)
{
	struct qemu_spec s = {
		.qemu = "qemu-system-x86_64", .accel = ACCEL_TCG,
		.ram_path = "/dev/shm/r", .kernel = "/k/bzImage", .initrd = "/r/initrd",
		.tsc_khz = 2095998, .rundir = "/run/kt",
	};
	char **argv, *line;
	int i;

	topology_default(&s.topo);
	assert_null(topology_parse(&s.topo, "1,2,2,1"));
	assert_null(qemu_argv_build(&s, &argv));
	assert_true(argv_has(argv, "tcg,thread=multi") > 0);
	assert_true(argv_has(argv, "cpus=4,sockets=2,cores=2,threads=1") > 0);
	assert_true(argv_has(argv, "mem-path=/dev/shm/r,share=on") > 0);
	assert_true(argv_has(argv, "tsc_early_khz=2095998") > 0);
	assert_true(argv_has(argv, "name=ktcon.0") > 0);
	assert_true(argv_has(argv, "path=/run/kt/serial.sock") > 0);
	i = argv_has(argv, "-S");
	assert_true(i > 0);
	line = qemu_argv_join(argv);
	/* the -append value has spaces, so it is quoted */
	assert_non_null(strstr(line, "-append 'console=ttyS0"));
	free(line);
	qemu_argv_free(argv);
}

static void test_qemu_argv_refuses_unresolved_accel(void **state)
{
	struct qemu_spec s = { .qemu = "q", .accel = ACCEL_AUTO, .ram_path = "r",
			       .kernel = "k", .initrd = "i", .rundir = "d" };
	char **argv;
	struct kterr *e;

	topology_default(&s.topo);
	e = qemu_argv_build(&s, &argv);
	assert_non_null(e);
	kterr_free(e);
}

static void test_guestmem_bounds_and_high_ram(void **state)
{
	/* A struct over a plain buffer: the translation is what is tested. */
	static uint8_t buf[4096];
	struct guestmem gm = { .fd = -1, .base = buf, .size = sizeof(buf) };
	uint8_t v = 0x5a, r = 0;
	struct kterr *e;

	assert_non_null(guestmem_ptr(&gm, 0, 4096));
	assert_null(guestmem_ptr(&gm, 1, 4096));
	assert_null(guestmem_ptr(&gm, 4096, 1));
	assert_null(guestmem_ptr(&gm, UINT64_MAX, 2));
	assert_null(guestmem_write(&gm, 100, &v, 1));
	assert_null(guestmem_read(&gm, 100, &r, 1));
	assert_int_equal(r, 0x5a);
	e = guestmem_read(&gm, 4095, &r, 2);
	assert_true(kterr_contains(e, "0xfff..0x1001 is not guest RAM"));
	kterr_free(e);

	/* 4 GiB of RAM: 3 GiB low, 1 GiB at 4 GiB; the hole is not RAM. The
	 * base pointer is never dereferenced by guestmem_ptr. */
	struct guestmem big = { .fd = -1, .base = (uint8_t *)0x1000,
				.size = 4ULL << 30 };
	assert_ptr_equal(guestmem_ptr(&big, 0xbfffffff, 1), (uint8_t *)0x1000 + 0xbfffffff);
	assert_null(guestmem_ptr(&big, 0xc0000000, 1));
	assert_null(guestmem_ptr(&big, 0xbfffffff, 2));
	assert_ptr_equal(guestmem_ptr(&big, 0x100000000ULL, 8), (uint8_t *)0x1000 + 0xc0000000);
	assert_non_null(guestmem_ptr(&big, 0x13fffffffULL, 1));
	assert_null(guestmem_ptr(&big, 0x140000000ULL, 1));
}

/* The RAM has no name to strand, and what opens /proc/self/fd/N (as QEMU
 * does with the inherited descriptor) shares the same memory. */
static void test_guestmem_is_anonymous_and_shared_through_fd_path(void **state)
{
	struct guestmem gm;
	uint8_t b = 0;
	int fd;

	(void)state;
	assert_null(guestmem_create(&gm, 1 << 20));
	assert_non_null(strstr(gm.path, "/proc/self/fd/"));
	fd = open(gm.path, O_RDWR);
	assert_true(fd >= 0);
	gm.base[123] = 7;
	assert_int_equal(pread(fd, &b, 1, 123), 1);
	assert_int_equal(b, 7);
	b = 9;
	assert_int_equal(pwrite(fd, &b, 1, 4567), 1);
	assert_int_equal(*(uint8_t *)guestmem_ptr(&gm, 4567, 1), 9);
	close(fd);
	/* close-on-exec until the child that needs it clears it */
	assert_true(fcntl(gm.fd, F_GETFD) & FD_CLOEXEC);
	guestmem_destroy(&gm);
}

static void test_guestmem_too_big_is_named(void **state)
{
	struct guestmem gm;
	struct kterr *e;

	(void)state;
	/* more than any tmpfs or address space holds: 1 EiB */
	e = guestmem_create(&gm, 1ULL << 60);
	assert_non_null(e);
	assert_true(kterr_contains(e, "guest RAM"));
	kterr_free(e);
}

/* A run directory whose ktcon lives is never swept; one whose ktcon died
 * (here: a child that made one and _exit'ed without cleaning up, as a
 * SIGKILL would) is; one being created (no owner written yet) is left. */
static void test_rundir_sweep_takes_only_the_dead(void **state)
{
	char tmp[] = "/tmp/ktcon-test-rundir-XXXXXX", *live, *dead = NULL, *young;
	int lock, st, p[2];
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(tmp));
	setenv("TMPDIR", tmp, 1);
	assert_null(rundir_create(&live, &lock));
	assert_int_equal(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		char *d;
		int l;

		if (rundir_create(&d, &l))
			_exit(1);
		if (write(p[1], d, strlen(d)) < 0)
			_exit(1);
		_exit(0);	/* the lock dies with us, the directory stays */
	}
	close(p[1]);
	char buf[512] = "";
	assert_true(read(p[0], buf, sizeof(buf) - 1) > 0);
	close(p[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	dead = buf;
	young = kt_strfmt("%s/" RUNDIR_PREFIX "young", tmp);
	assert_int_equal(mkdir(young, 0700), 0);
	assert_int_equal(access(dead, F_OK), 0);

	assert_int_equal(rundir_sweep(tmp), 1);
	assert_int_not_equal(access(dead, F_OK), 0);
	assert_int_equal(access(live, F_OK), 0);
	assert_int_equal(access(young, F_OK), 0);

	rundir_remove(live, lock);
	assert_int_not_equal(access(live, F_OK), 0);
	free(live);
	rmdir(young);
	free(young);
	assert_int_equal(rmdir(tmp), 0);
	unsetenv("TMPDIR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auto_picks_tcg_on_paravirtual_kvm),
		cmocka_unit_test(test_auto_picks_kvm_with_vmx_or_svm),
		cmocka_unit_test(test_auto_picks_tcg_without_dev_kvm),
		cmocka_unit_test(test_accel_names_round_trip_and_bad_name),
		cmocka_unit_test(test_topology_parse_and_errors),
		cmocka_unit_test(test_qemu_argv_for_tcg_topology),
		cmocka_unit_test(test_qemu_argv_refuses_unresolved_accel),
		cmocka_unit_test(test_guestmem_bounds_and_high_ram),
		cmocka_unit_test(test_guestmem_is_anonymous_and_shared_through_fd_path),
		cmocka_unit_test(test_guestmem_too_big_is_named),
		cmocka_unit_test(test_rundir_sweep_takes_only_the_dead),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
