/*
 * test_con_sym.c - RIPs in console lines get their symbols (a watch
 * fire, a rate-limited summary, a snapshot's JSON, an oops line the
 * kernel did not symbolize), others stay untouched; Tab's symbol list is
 * bounded and keeps the common prefix honest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/util.h"
#include "mini_elf.h"
#include "tui/con-sym.h"

#define IMAGE_VA 0xffffffff81000000ULL

static char dir[64], bz[96];

static int setup(void **state)
{
	static const struct mini_sec secs[] = { { ".text", IMAGE_VA, 0x100000 } };
	static struct mini_sym syms[80] = {
		{ "_text", 1, IMAGE_VA, 0, false, true },
		{ "schedule", 1, IMAGE_VA + 0x1000, 0x34, false, true },
		{ "__cond_resched", 1, IMAGE_VA + 0x1034, 0x20, false, true },
		{ "do_timer", 1, IMAGE_VA + 0x2000, 0x30, false, true },
	};
	static char names[70][32];
	static const struct mini_seg segs[] = { { IMAGE_VA, 0x1000000, 0x100000 } };
	char path[128];

	(void)state;
	/* Many names under one prefix: sched_0 .. sched_69. */
	for (int i = 0; i < 70; i++) {
		snprintf(names[i], sizeof(names[i]), "sched_%02d", i);
		syms[4 + i] = (struct mini_sym){ names[i], 1, IMAGE_VA + 0x3000 + 0x10 * i, 0x10,
						 false, true };
	}
	snprintf(dir, sizeof(dir), "/tmp/ktcon-test-consym-%d", (int)getpid());
	assert_true(mkdir(dir, 0700) == 0 || access(dir, F_OK) == 0);
	snprintf(path, sizeof(path), "%s/vmlinux", dir);
	snprintf(bz, sizeof(bz), "%s/bzImage", dir);
	assert_int_equal(mini_elf_write(path, secs, 1, syms, 74, segs, 1), 0);
	return 0;
}

static int teardown(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/vmlinux", dir);
	unlink(path);
	rmdir(dir);
	return 0;
}

static void test_rips_get_their_symbols(void **state)
{
	struct con_syms *s = con_syms_new();
	char *t;

	(void)state;
	/* Before loading: lines pass as they are. */
	assert_null(con_syms_rewrite(s, "fire 1 on vCPU 0 at rip 0xffffffff8100101d: 0x1 -> 0x2"));
	assert_null(con_syms_load(s, bz));
	t = con_syms_rewrite(s, "watch on jiffies_64 fired: fire 1 on vCPU 0 at rip "
				"0xffffffff8100101d: 0x1 -> 0x2 at +3.0 ms");
	assert_non_null(t);
	assert_string_equal(t, "watch on jiffies_64 fired: fire 1 on vCPU 0 at rip "
			       "0xffffffff8100101d (schedule+0x1d/0x34): 0x1 -> 0x2 at +3.0 ms");
	free(t);
	/* Two in a line, the JSON form, and RIP= as a register dump says it. */
	t = con_syms_rewrite(s, "{\"rip\": \"0xffffffff81002004\", \"x\": 1, \"rip\": "
				"\"0xffffffff81001034\"}");
	assert_string_equal(t, "{\"rip\": \"0xffffffff81002004 (do_timer+0x4/0x1000)\", \"x\": 1, "
			       "\"rip\": \"0xffffffff81001034 (__cond_resched+0x0/0xfcc)\"}");
	free(t);
	t = con_syms_rewrite(s, "RIP=0xffffffff81001000 rest");
	assert_string_equal(t, "RIP=0xffffffff81001000 (schedule+0x0/0x34) rest");
	free(t);
	/* Untouched: no rip, a rip outside the image, "rip" inside a word,
	 * an address not after rip, an oops line the kernel symbolized. */
	assert_null(con_syms_rewrite(s, "ok    add-cgroup a  (1 ms)"));
	assert_null(con_syms_rewrite(s, "at rip 0x401000: user space"));
	assert_null(con_syms_rewrite(s, "strip 0xffffffff81001000"));
	assert_null(con_syms_rewrite(s, "value 0xffffffff81001000"));
	assert_null(con_syms_rewrite(s, "RIP: 0010:schedule+0x1d/0x34"));
	assert_null(con_syms_rewrite(s, "rip 0x"));
	/* Loading again does nothing. */
	assert_null(con_syms_load(s, "/nonexistent/bzImage"));
	con_syms_free(s);
}

static void test_no_vmlinux_is_said_and_harmless(void **state)
{
	struct con_syms *s = con_syms_new();
	struct kterr *e;
	char *out[8];

	(void)state;
	e = con_syms_load(s, "/nonexistent/bzImage");
	assert_non_null(e);
	assert_true(kterr_contains(e, "/nonexistent/vmlinux"));
	assert_true(kterr_contains(e, "RIPs stay unsymbolized"));
	kterr_free(e);
	assert_null(con_syms_rewrite(s, "rip 0xffffffff8100101d"));
	assert_int_equal(con_syms_complete(s, "sch", out, 8), 0);
	con_syms_free(s);
}

static void test_tab_list_is_bounded(void **state)
{
	struct con_syms *s = con_syms_new();
	char *out[256];
	size_t n;

	(void)state;
	assert_null(con_syms_load(s, bz));
	n = con_syms_complete(s, "sched", out, 256);
	assert_int_equal(n, CON_SYM_COMPLETE_MAX);
	assert_string_equal(out[0], "sched_00");
	/* the last slot is the range's last name: "sched" stays the
	 * common prefix readline inserts, not "sched_" (schedule is a
	 * match cut from the middle) */
	assert_string_equal(out[n - 2], "sched_46");
	assert_string_equal(out[n - 1], "schedule");
	for (size_t i = 0; i < n; i++)
		free(out[i]);
	n = con_syms_complete(s, "sche", out, 3);
	assert_int_equal(n, 3);
	assert_string_equal(out[0], "sched_00");
	assert_string_equal(out[2], "schedule");
	for (size_t i = 0; i < n; i++)
		free(out[i]);
	n = con_syms_complete(s, "do_", out, 256);
	assert_int_equal(n, 1);
	assert_string_equal(out[0], "do_timer");
	free(out[0]);
	assert_int_equal(con_syms_complete(s, "", out, 256), 0);
	assert_int_equal(con_syms_complete(s, "nope", out, 256), 0);
	con_syms_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rips_get_their_symbols),
		cmocka_unit_test(test_no_vmlinux_is_said_and_harmless),
		cmocka_unit_test(test_tab_list_is_bounded),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
