/* test_initramfs.c - the guest root filesystem, read back from the archive. */
#include <errno.h>
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
#include "guest/layout.h"
#include "vmm/image/initramfs.h"
#include "tests/unit/newc_reader.h"

#define MAXE 256
/* Any static binary does as the agent here; the archive does not run it. */
#define AGENT "/bin/busybox"

static struct newc_entry ents[MAXE];

static int assemble(const struct initramfs_spec *s, struct cpio *c, struct kterr **err)
{
	cpio_init(c);
	*err = initramfs_assemble(s, c);
	if (*err)
		return -1;
	assert_null(cpio_finish(c));
	return newc_read(c->buf, c->len, ents, MAXE);
}

static void test_base_layout(void **state)
{
	struct initramfs_spec s = { .agent = AGENT };
	struct kterr *e;
	struct cpio c;
	int n;

	(void)state;
	n = assemble(&s, &c, &e);
	assert_null(e);
	assert_true(n > 0);
	const struct newc_entry *init = newc_find(ents, n, "init");
	assert_non_null(init);
	assert_true(init->mode & 0100);	/* executable */
	const struct newc_entry *sh = newc_find(ents, n, "bin/sh");
	assert_non_null(sh);
	assert_true(S_ISLNK(sh->mode));
	assert_non_null(newc_find(ents, n, "bin/busybox"));
	const struct newc_entry *con = newc_find(ents, n, "dev/console");
	assert_non_null(con);
	assert_true(S_ISCHR(con->mode));
	assert_int_equal(con->rmaj, 5);
	assert_int_equal(con->rmin, 1);
	assert_non_null(newc_find(ents, n, KT_GUEST_LIBDIR + 1));
	assert_null(newc_find(ents, n, KT_GUEST_BOOT_SCHED + 1));
	cpio_free(&c);
}

static void test_staged_items_with_args_and_libraries(void **state)
{
	const struct initramfs_item sched[] = {
		{ .name = "scx_test", .path = "/bin/busybox", .args = "-v -s 5000" },
	};
	const struct initramfs_item pay[] = {
		{ .name = "lister", .path = "/bin/ls" },
		{ .name = "lister2", .path = "/bin/ls", .args = "-l" },
	};
	struct initramfs_spec s = {
		.agent = AGENT, .schedulers = sched, .n_schedulers = 1,
		.payloads = pay, .n_payloads = 2, .boot_scheduler = "scx_test",
	};
	struct kterr *e;
	struct cpio c;
	int n;

	(void)state;
	n = assemble(&s, &c, &e);
	assert_null(e);
	assert_non_null(newc_find(ents, n, "staging/schedulers/scx_test/busybox"));
	const struct newc_entry *a = newc_find(ents, n, "staging/schedulers/scx_test/args");
	assert_non_null(a);
	assert_int_equal(a->size, strlen("-v -s 5000"));
	assert_memory_equal(a->data, "-v -s 5000", a->size);
	const struct newc_entry *b = newc_find(ents, n, "staging/boot-scheduler");
	assert_non_null(b);
	assert_memory_equal(b->data, "scx_test", 8);

	assert_non_null(newc_find(ents, n, "staging/payloads/lister/ls"));
	assert_null(newc_find(ents, n, "staging/payloads/lister/args"));
	assert_non_null(newc_find(ents, n, "staging/payloads/lister2/args"));
	const struct newc_entry *libc = newc_find(ents, n, "staging/lib/libc.so.6");
	assert_non_null(libc);
	assert_true(S_ISREG(libc->mode));	/* the file, not a host symlink */
	assert_true(libc->size > 100000);
	int loaders = 0;
	for (int i = 0; i < n; i++)
		if (strstr(ents[i].name, "ld-linux"))
			loaders++;
	assert_int_equal(loaders, 1);	/* two payloads, one loader */
	cpio_free(&c);
}

static void expect_fail(const struct initramfs_spec *s, int err, const char *text)
{
	struct kterr *e;
	struct cpio c;

	assert_int_equal(assemble(s, &c, &e), -1);
	assert_non_null(e);
	if (!kterr_contains(e, text) || kterr_errno_of(e) != err) {
		char buf[512];

		fail_msg("expected errno %d and '%s', got %d: %s", err, text, kterr_errno_of(e),
			 kterr_str(e, buf, sizeof(buf)));
	}
	kterr_free(e);
	cpio_free(&c);
}

static void test_bad_names_are_refused(void **state)
{
	static const char *const bad[] = { "", "..", ".", "a/b", "has space", "x\ny" };
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct initramfs_item it = { .name = bad[i], .path = "/bin/busybox" };
		struct initramfs_spec s = { .agent = AGENT, .payloads = &it, .n_payloads = 1 };

		expect_fail(&s, EINVAL, "payload");
	}
	char longname[INITRAMFS_NAME_MAX + 2];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	struct initramfs_item it = { .name = longname, .path = "/bin/busybox" };
	struct initramfs_spec s = { .agent = AGENT, .schedulers = &it, .n_schedulers = 1 };
	expect_fail(&s, EINVAL, "longer than");
}

static void test_errors_name_the_culprit(void **state)
{
	const struct initramfs_item twice[] = {
		{ .name = "p", .path = "/bin/busybox" },
		{ .name = "p", .path = "/bin/ls" },
	};
	const struct initramfs_item missing = { .name = "ghost", .path = "/nonexistent/ghost" };
	const struct initramfs_item sched = { .name = "s", .path = "/bin/busybox" };
	struct initramfs_spec s = { .agent = AGENT, .payloads = twice, .n_payloads = 2 };

	(void)state;
	expect_fail(&s, EEXIST, "two staged payloads are named 'p'");
	s = (struct initramfs_spec){ .agent = AGENT, .payloads = &missing, .n_payloads = 1 };
	expect_fail(&s, ENOENT, "stage payload ghost");
	s = (struct initramfs_spec){ .agent = AGENT, .schedulers = &sched, .n_schedulers = 1,
				     .boot_scheduler = "scx_nope" };
	expect_fail(&s, ENOENT, "boot scheduler 'scx_nope' is not staged");
	s = (struct initramfs_spec){ .agent = "/nonexistent/ktcon-guest" };
	expect_fail(&s, ENOENT, "guest agent");
	s = (struct initramfs_spec){ .agent = AGENT, .busybox = "/nonexistent/busybox" };
	expect_fail(&s, ENOENT, "/nonexistent/busybox");
	s = (struct initramfs_spec){ 0 };
	expect_fail(&s, EINVAL, "no guest agent");
}

static void test_build_writes_the_archive(void **state)
{
	struct initramfs_spec s = { .agent = AGENT };
	char path[] = "/tmp/ktcon-test-initrd-XXXXXX";
	int fd = mkstemp(path);
	size_t size = 0, len = 0;
	char *data = NULL;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_null(initramfs_build(&s, path, &size));
	assert_null(kt_read_file(path, 64 << 20, &data, &len));
	assert_int_equal(len, size);
	assert_true(newc_read((const uint8_t *)data, len, ents, MAXE) > 0);
	free(data);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_layout),
		cmocka_unit_test(test_staged_items_with_args_and_libraries),
		cmocka_unit_test(test_bad_names_are_refused),
		cmocka_unit_test(test_errors_name_the_culprit),
		cmocka_unit_test(test_build_writes_the_archive),
	};
	return cmocka_run_group_tests_name("initramfs", tests, NULL, NULL);
}
