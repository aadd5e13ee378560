/* test_state_print.c - the guest's state as lines (`ktcon boot --state`):
 * what is known is printed, what is not says so, quiet IRQ rows are
 * counted rather than listed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tui/state-print.h"

static char *print(const struct kt_gstate *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	state_print(f, s);
	fclose(f);
	return buf;
}

static void assert_line(const char *text, const char *line)
{
	const char *p = text;
	size_t n = strlen(line);

	for (; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, line, n) && (p[n] == '\n' || !p[n]))
			return;
	fail_msg("no line \"%s\" in:\n%s", line, text);
}

static void test_nothing_received_says_so(void **state)
{
	struct kt_gstate s;
	char *out;

	kt_gstate_init(&s);
	out = print(&s);
	assert_string_equal(out, "state: none received\n");
	free(out);
}

static void test_cgroups_sched_and_irqs(void **state)
{
	struct kt_gstate s;
	struct kt_gstate_cgroup cg[2] = { 0 };
	struct kt_gstate_irq irqs[3] = { { "0", "IO-APIC 2-edge timer", true, 40 },
					 { "9", "acpi", true, 0 },
					 { "ERR", "", false, 2 } };
	unsigned cpu[2] = { 0, 3 };
	uint64_t tot[2] = { 30, 12 }, counts[6] = { 30, 10, 0, 0, 0, 0 };
	char *out;

	kt_gstate_init(&s);
	s.valid = true;
	s.gen = 4;
	s.uptime_ms = 2410;
	snprintf(cg[0].path, sizeof(cg[0].path), "x");
	cg[0].has_cpus = true;
	snprintf(cg[0].cpus_effective, sizeof(cg[0].cpus_effective), "0-1");
	cg[0].frozen = 1;
	cg[0].populated = 0;
	cg[0].nprocs = 0;
	cg[0].has_knob[0] = cg[0].has_knob[1] = true;
	snprintf(cg[0].knobs[0], sizeof(cg[0].knobs[0]), "100");
	snprintf(cg[0].knobs[1], sizeof(cg[0].knobs[1]), "max 100000");
	snprintf(cg[1].path, sizeof(cg[1].path), "x/y");
	cg[1].populated = cg[1].frozen = -1;
	cg[1].nprocs = -1;
	s.cgroups = cg;
	s.ncgroups = 2;
	snprintf(s.sched.state, sizeof(s.sched.state), "enabled");
	snprintf(s.sched.ops, sizeof(s.sched.ops), "simple");
	s.sched.enable_seq = 1;
	s.ncpus = 2;
	s.cpu = cpu;
	s.cpu_irqs = tot;
	s.irqs = irqs;
	s.nirqs = 3;
	s.irq_counts = counts;
	out = print(&s);
	assert_line(out, "state: gen 4, guest uptime 2.4s, 0 rounds skipped");
	assert_line(out, "cgroup x: cpus=0-1 populated=0 frozen=1 procs=0 cpu.weight=100 "
			 "cpu.max=\"max 100000\"");
	assert_line(out, "cgroup x/y: cpus=? populated=? frozen=? procs=?");
	/* counters this kernel lacks are left out */
	assert_line(out, "sched_ext: state=enabled ops=simple enable_seq=1");
	assert_line(out, "irqs per cpu: cpu0=30 cpu3=12");
	assert_line(out, "irq 0: 30 10 (IO-APIC 2-edge timer)");
	assert_line(out, "irq ERR: 2 (all CPUs)");
	assert_line(out, "irqs: 3 rows, 1 at zero not shown");
	assert_null(strstr(out, "irq 9:"));
	free(out);
}

static void test_errors_from_the_guest_are_shown(void **state)
{
	struct kt_gstate s;
	char *out;

	kt_gstate_init(&s);
	s.valid = true;
	snprintf(s.cgroups_error, sizeof(s.cgroups_error), "cgroup tree /sys/fs/cgroup/ktcon: "
		 "No such file or directory");
	snprintf(s.irqs_error, sizeof(s.irqs_error), "open /proc/interrupts: Permission denied");
	out = print(&s);
	assert_line(out, "cgroups: not read: cgroup tree /sys/fs/cgroup/ktcon: No such file or "
			 "directory");
	assert_line(out, "sched_ext: state=?");
	assert_line(out, "irqs: not read: open /proc/interrupts: Permission denied");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_received_says_so),
		cmocka_unit_test(test_cgroups_sched_and_irqs),
		cmocka_unit_test(test_errors_from_the_guest_are_shown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
