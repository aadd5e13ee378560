/* test_err.c - error chains keep every layer and the errno. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/err.h"

static void test_chain_reads_outer_to_inner_with_errno(void **state)
{
	struct kterr *e = kterr_new(ENOENT, "open /sys/fs/cgroup/ktcon/x/cgroup.freeze");
	char buf[256];

	e = kterr_wrap(e, "freeze-cgroup x");
	assert_string_equal(kterr_str(e, buf, sizeof(buf)),
			    "freeze-cgroup x: open /sys/fs/cgroup/ktcon/x/cgroup.freeze: "
			    "No such file or directory");
	assert_int_equal(kterr_errno_of(e), ENOENT);
	assert_true(kterr_contains(e, "cgroup.freeze"));
	assert_false(kterr_contains(e, "thaw"));
	kterr_free(e);
}

static void test_wrap_of_null_is_success(void **state)
{
	assert_null(kterr_wrap(NULL, "anything %d", 1));
}

static void test_hint_is_shown_after_chain(void **state)
{
	struct kterr *e = kterr_hint(kterr_new(EBUSY, "attach"), "detach first");
	char buf[128];

	e = kterr_wrap(e, "attach-scheduler scx_qmap");
	assert_string_equal(kterr_str(e, buf, sizeof(buf)),
			    "attach-scheduler scx_qmap: attach: Device or resource busy "
			    "(hint: detach first)");
	assert_string_equal(kterr_hint_of(e), "detach first");
	kterr_free(e);
}

static void test_truncation_never_overflows(void **state)
{
	struct kterr *e = kterr_wrap(kterr_new(EIO, "inner"), "outer");
	char buf[8];

	kterr_str(e, buf, sizeof(buf));
	assert_int_equal(strlen(buf), 7);
	kterr_free(e);
}

static void test_notes_follow_chain_and_hint(void **state)
{
	struct kterr *e = kterr_new(0, "qemu exited with status 1");
	char buf[256];

	e = kterr_hint(e, "check the kernel");
	e = kterr_note(e, "qemu stderr:\nbad option");
	e = kterr_note(e, "console:\nKernel panic");
	assert_string_equal(kterr_str(e, buf, sizeof(buf)),
			    "qemu exited with status 1 (hint: check the kernel)\n"
			    "qemu stderr:\nbad option\nconsole:\nKernel panic");
	e = kterr_wrap(e, "boot");
	assert_true(kterr_contains(e, "boot: qemu exited"));
	assert_true(kterr_contains(e, "Kernel panic"));
	kterr_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_reads_outer_to_inner_with_errno),
		cmocka_unit_test(test_wrap_of_null_is_success),
		cmocka_unit_test(test_hint_is_shown_after_chain),
		cmocka_unit_test(test_truncation_never_overflows),
		cmocka_unit_test(test_notes_follow_chain_and_hint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
