/* test_recipe_input.c - bad input refused by the parser and `ktcon check`:
 * bytes that are not text, values outside the ranges of limits.h, the
 * cgroup name rule, files that are not regular, and the diagnostic cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/cgroup-name.h"
#include "engine/lint.h"
#include "engine/recipe.h"
#include "lib/util.h"

static struct kt_recipe *parse_n(const char *text, size_t len)
{
	struct kt_recipe *r;

	assert_null(kt_recipe_parse("t.recipe", text, len, &r));
	return r;
}

static struct kt_recipe *parse(const char *text)
{
	return parse_n(text, strlen(text));
}

/* The recipe has exactly one diagnostic, at line:col, containing msg. */
static void assert_one_diag(const struct kt_recipe *r, int line, int col, const char *msg)
{
	if (r->ndiags != 1 || r->diags[0].line != line || r->diags[0].col != col ||
	    !strstr(r->diags[0].msg, msg)) {
		kt_recipe_print_diags(r, stderr);
		fail_msg("want one diagnostic at %d:%d with \"%s\"", line, col, msg);
	}
}

static void test_nul_byte_is_an_error_and_drops_its_line(void **state)
{
	static const char text[] = "backdrop\n  add-cgroup a\0../../etc\n";
	struct kt_recipe *r = parse_n(text, sizeof(text) - 1);

	assert_one_diag(r, 2, 15, "NUL byte");
	/* Only `backdrop`: the line is not cut at the NUL into add-cgroup a. */
	assert_int_equal(r->nstmts, 1);
	assert_string_equal(r->diags[0].src, "  add-cgroup a?../../etc");
	kt_recipe_free(r);
}

static void test_a_file_of_nuls_is_not_ok(void **state)
{
	char zeros[4096] = { 0 };
	struct kt_recipe *r = parse_n(zeros, sizeof(zeros));

	assert_one_diag(r, 1, 1, "NUL byte");
	assert_int_equal(r->nstmts, 0);
	kt_recipe_free(r);
}

static void test_control_bytes_are_errors_but_tab_and_crlf_are_not(void **state)
{
	struct kt_recipe *r = parse("backdrop\r\n\tadd-cgroup a\r\n  add-cgroup\x01 b\n");

	assert_one_diag(r, 3, 13, "control character 0x01");
	assert_int_equal(r->nstmts, 2);
	kt_recipe_free(r);
	r = parse("backdrop\n  add-cgroup\vb\n");
	assert_one_diag(r, 2, 13, "control character 0x0b");
	kt_recipe_free(r);
	r = parse("backdrop\n  add-cgroup b\x7f\n");
	assert_one_diag(r, 2, 15, "control character 0x7f");
	kt_recipe_free(r);
}

static void test_invalid_utf8_is_an_error_valid_utf8_is_text(void **state)
{
	static const char *const bad[] = {
		"backdrop\n  add-cgroup caf\xe9\n",		/* Latin-1 */
		"backdrop\n  add-cgroup caf\xc0\x80\n",		/* overlong NUL */
		"backdrop\n  add-cgroup caf\xed\xa0\x80\n",	/* a surrogate */
		"backdrop\n  add-cgroup caf\xf4\x90\x80\x80\n",	/* past U+10FFFF */
		"backdrop\n  add-cgroup caf\xe2\x82\n",		/* cut short */
	};
	struct kt_recipe *r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = parse(bad[i]);
		assert_one_diag(r, 2, 17, "invalid UTF-8");
		kt_recipe_free(r);
	}
	r = parse("stage-payload p /bin/true args=\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"\n");
	assert_int_equal(r->ndiags, 0);
	assert_int_equal(r->nstmts, 1);
	kt_recipe_free(r);
}

static void test_a_bom_is_named_and_the_line_still_read(void **state)
{
	struct kt_recipe *r = parse("\xef\xbb\xbfvm cpus=2\nbackdrop\n");

	assert_one_diag(r, 1, 1, "byte order mark");
	assert_int_equal(r->nstmts, 2);
	kt_recipe_free(r);
}

/* One line, one diagnostic naming the value and its range. */
static void assert_refused(const char *text, int line, int col, const char *msg)
{
	struct kt_recipe *r = parse(text);

	assert_one_diag(r, line, col, msg);
	kt_recipe_free(r);
}

static void test_vm_line_out_of_range_is_refused_not_defaulted(void **state)
{
	assert_refused("vm cpus=100000\n", 1, 4, "cpus=100000 is out of range 1..64");
	assert_refused("vm cpus=0\n", 1, 4, "cpus=0 is out of range 1..64");
	assert_refused("vm cpus=2 memory=0\n", 1, 11, "memory=0 is out of range 128..65536");
	assert_refused("vm memory=99999999\n", 1, 4, "out of range 128..65536");
	assert_refused("vm topology=2,1,2,1\n", 1, 4, "2 NUMA nodes");
	assert_refused("vm topology=1,1,65,1\n", 1, 4, "is 65 CPUs");
	assert_refused("vm cpus=99999999999\n", 1, 4, "too large");
}

static void test_op_ranges_are_refused_at_their_argument(void **state)
{
	assert_refused("backdrop\n  spawn @runner workers=100000\n", 2, 17,
		       "workers=100000 is out of range 1..4096");
	assert_refused("backdrop\n  spawn @runner workers=0\n", 2, 17, "workers=0 is out of range");
	assert_refused("backdrop\n  add-cgroup a\n  spawn a workers-pct=1001\n", 3, 11,
		       "workers-pct=1001 is out of range 1..1000");
	assert_refused("backdrop\n  cgroup a workers=5000\n", 2, 12, "workers=5000 is out of range");
	assert_refused("backdrop\n  cgroup a cpu.weight=0\n", 2, 12, "cpu.weight=0 is out of range");
	assert_refused("backdrop\n  cgroup a io.weight=10001\n", 2, 12, "io.weight=10001");
	assert_refused("backdrop\n  cgroup a pids.max=9999999\n", 2, 12, "pids.max=9999999");
	assert_refused("backdrop\n  cgroup a cpu.max=10/100000\n", 2, 12, "quota 10 is out of range");
	assert_refused("backdrop\n  cgroup a cpu.max=max/10\n", 2, 12, "period 10 is out of range");
	assert_refused("backdrop\n  steer-irq 99999 0\n", 2, 13, "IRQ 99999 is out of range");
	assert_refused("backdrop\n  steer-irq 1 64\n", 2, 15, "not a CPU number");
	assert_refused("step hold=600000m\n", 1, 6, "longer than a day");
	assert_refused("duration 25h\n", 1, 10, "bad duration");
	assert_refused("duration 1441m\n", 1, 10, "longer than a day");
	assert_refused("backdrop\n  cgroup a work=sleep:60001\n", 2, 12, "bad parameter");
	assert_refused("backdrop\n  cgroup a policy=fifo:100\n", 2, 12, "bad policy");
	assert_refused("step\n  read-kernel-hot t jiffies bytes:257\n", 2, 29, "bad width");

	/* The edges themselves are fine. */
	struct kt_recipe *r = parse("vm cpus=64 memory=128\nbackdrop\n"
				    "  cgroup a workers=0 cpu.weight=10000 pids.max=max "
				    "cpu.max=1000/1000000 memory.max=16G\n"
				    "  spawn @runner workers=4096\n  steer-irq 16639 63\n"
				    "step hold=1440m\n");

	if (r->ndiags)
		kt_recipe_print_diags(r, stderr);
	assert_int_equal(r->ndiags, 0);
	kt_recipe_free(r);
}

/* `ktcon check`: parse, then the rules that read the vm line. */
static struct kt_recipe *check(const char *text)
{
	struct kt_recipe *r = parse(text);

	kt_recipe_lint(r);
	return r;
}

static void test_check_names_cpus_the_vm_line_does_not_give(void **state)
{
	struct kt_recipe *r = check("vm cpus=4\nbackdrop\n  cgroup a cpuset=0-5\n");

	assert_one_diag(r, 3, 3, "CPU 4 is not in the guest (4 CPUs)");
	kt_recipe_free(r);
	r = check("vm cpus=4\nbackdrop\n  add-cgroup a\n  set-cpuset a llc:1\n");
	assert_one_diag(r, 4, 3, "the guest has 1 LLCs");
	kt_recipe_free(r);
	r = check("vm cpus=4\nbackdrop\n  steer-irq 4 9\n");
	assert_one_diag(r, 3, 3, "CPU 9 is not online (the guest has 4 CPUs)");
	kt_recipe_free(r);
	r = check("vm cpus=2\nbackdrop\n  add-cgroup a\n  set-affinity a exact:0,3\n");
	assert_one_diag(r, 4, 3, "CPU 3 is not online");
	kt_recipe_free(r);
	r = check("vm cpus=2\nstep\n  read-kernel-hot t runqueues@3+8 u64\n");
	assert_one_diag(r, 3, 3, "CPU 3 is not online");
	kt_recipe_free(r);
	r = check("vm cpus=2\nstep\n  write-kernel-cold runqueues@1 u32=1 runqueues@5 u32=2\n");
	assert_one_diag(r, 3, 3, "CPU 5 is not online");
	kt_recipe_free(r);
	/* Without a vm line the guest has 2 CPUs. */
	r = check("backdrop\n  steer-irq 4 2\n");
	assert_one_diag(r, 2, 3, "CPU 2 is not online (the guest has 2 CPUs)");
	kt_recipe_free(r);
	r = check("vm topology=1,2,2,1\nbackdrop\n  cgroup a cpuset=llc:1\n  steer-irq 4 3\n");
	assert_int_equal(r->ndiags, 0);
	kt_recipe_free(r);
}

static void test_cgroup_names_follow_the_one_rule(void **state)
{
	static const char *const good[] = {
		"a", "workers", "bg/hot", "a-b_c.d", "A9", "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p",
	};
	static const char *const bad[] = {
		"/a", "a/", "a//b", "..", "../etc", "a/../b", ".hidden", "a/.b", "a$b", "a=b",
		"caf\xc3\xa9", "a:b", "a*", "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q",
	};
	char longname[300];
	struct kterr *e;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		e = kt_cgroup_name_check(good[i]);
		if (e)
			fail_msg("'%s' refused", good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = kt_cgroup_name_check(bad[i]);
		if (!e)
			fail_msg("'%s' accepted", bad[i]);
		/* The hint is the rule the check applies. */
		assert_string_equal(kterr_hint_of(e), KT_CGROUP_NAME_HINT);
		kterr_free(e);
	}
	memset(longname, 'a', 256);
	longname[256] = '\0';
	e = kt_cgroup_name_check(longname);
	assert_non_null(e);
	kterr_free(e);
	longname[255] = '\0';
	assert_null(kt_cgroup_name_check(longname));
	/* And the parser reads the same rule. */
	assert_refused("backdrop\n  add-cgroup a/.x\n", 2, 14, "a level starts with '.'");
}

static void test_diagnostics_stop_at_the_cap_and_count_the_rest(void **state)
{
	size_t n = 5000, len = 0;
	char *text = malloc(n * 8), *out = NULL;
	struct kt_recipe *r;
	FILE *f;

	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "bogus\n");
	r = parse_n(text, len);
	assert_int_equal(r->ndiags, KT_RECIPE_MAX_DIAGS);
	assert_int_equal(kt_recipe_nerrors(r), n);
	f = open_memstream(&out, &len);
	kt_recipe_print_diags(r, f);
	fclose(f);
	assert_non_null(strstr(out, "t.recipe: 4950 more errors not shown"));
	free(out);
	kt_recipe_free(r);
	free(text);
}

static void test_a_long_line_is_shown_as_a_window(void **state)
{
	size_t n = 100000;
	char *text = malloc(n + 64), *out = NULL;
	size_t len;
	struct kt_recipe *r;
	FILE *f;

	len = (size_t)sprintf(text, "backdrop\n  add-cgroup a ");
	memset(text + len, 'x', n);
	len += n;
	text[len++] = '\n';
	r = parse_n(text, len);
	assert_int_equal(r->ndiags, 1);
	assert_true(strlen(r->diags[0].src) <= KT_DIAG_SRC_MAX);
	f = open_memstream(&out, &len);
	kt_recipe_print_diags(r, f);
	fclose(f);
	assert_true(strlen(out) < 1024);
	free(out);
	kt_recipe_free(r);
	free(text);
}

/* A FIFO with no writer: refused at once instead of waiting forever. The
 * alarm turns a regression into a failure, not a hung test. */
static void test_a_fifo_is_refused_not_waited_on(void **state)
{
	char dir[] = "/tmp/ktcon-input-XXXXXX", path[64];
	struct kt_recipe *r = NULL;
	struct kterr *e;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(10);
	e = kt_recipe_load(path, &r);
	alarm(0);
	assert_non_null(e);
	assert_true(kterr_contains(e, "a FIFO, not a regular file"));
	assert_null(r);
	kterr_free(e);
	e = kt_recipe_load(dir, &r);
	assert_non_null(e);
	assert_true(kterr_contains(e, "a directory, not a regular file"));
	kterr_free(e);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nul_byte_is_an_error_and_drops_its_line),
		cmocka_unit_test(test_a_file_of_nuls_is_not_ok),
		cmocka_unit_test(test_control_bytes_are_errors_but_tab_and_crlf_are_not),
		cmocka_unit_test(test_invalid_utf8_is_an_error_valid_utf8_is_text),
		cmocka_unit_test(test_a_bom_is_named_and_the_line_still_read),
		cmocka_unit_test(test_vm_line_out_of_range_is_refused_not_defaulted),
		cmocka_unit_test(test_op_ranges_are_refused_at_their_argument),
		cmocka_unit_test(test_check_names_cpus_the_vm_line_does_not_give),
		cmocka_unit_test(test_cgroup_names_follow_the_one_rule),
		cmocka_unit_test(test_diagnostics_stop_at_the_cap_and_count_the_rest),
		cmocka_unit_test(test_a_long_line_is_shown_as_a_window),
		cmocka_unit_test(test_a_fifo_is_refused_not_waited_on),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
