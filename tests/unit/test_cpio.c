/* test_cpio.c - the newc writer, read back field by field. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "vmm/image/cpio.h"
#include "tests/unit/newc_reader.h"

#define MAXE 64

static int finish_and_read(struct cpio *c, struct newc_entry *e)
{
	assert_null(cpio_finish(c));
	assert_int_equal(c->len % 512, 0);
	return newc_read(c->buf, c->len, e, MAXE);
}

static void test_file_dir_symlink_and_node_read_back(void **state)
{
	struct newc_entry e[MAXE];
	struct cpio c;
	int n;

	(void)state;
	cpio_init(&c);
	assert_null(cpio_add_dir(&c, "/dev", 0755));
	assert_null(cpio_add_file(&c, "/init", 0755, "hello", 5));
	assert_null(cpio_add_symlink(&c, "/bin/sh", "busybox"));
	assert_null(cpio_add_chardev(&c, "/dev/console", 0600, 5, 1));
	n = finish_and_read(&c, e);
	assert_int_equal(n, 5);	/* dev, init, bin (parent), bin/sh, dev/console */

	const struct newc_entry *init = newc_find(e, n, "init");
	assert_non_null(init);
	assert_int_equal(init->mode, S_IFREG | 0755);
	assert_int_equal(init->size, 5);
	assert_memory_equal(init->data, "hello", 5);
	assert_int_equal(init->nlink, 1);

	const struct newc_entry *sh = newc_find(e, n, "bin/sh");
	assert_non_null(sh);
	assert_true(S_ISLNK(sh->mode));
	assert_int_equal(sh->size, 7);
	assert_memory_equal(sh->data, "busybox", 7);

	const struct newc_entry *bin = newc_find(e, n, "bin");
	assert_non_null(bin);
	assert_int_equal(bin->mode, S_IFDIR | 0755);
	assert_true(bin < sh);	/* a parent comes before its child */

	const struct newc_entry *con = newc_find(e, n, "dev/console");
	assert_non_null(con);
	assert_int_equal(con->mode, S_IFCHR | 0600);
	assert_int_equal(con->rmaj, 5);
	assert_int_equal(con->rmin, 1);

	for (int i = 0; i < n; i++)	/* inodes are distinct */
		for (int j = i + 1; j < n; j++)
			assert_int_not_equal(e[i].ino, e[j].ino);
	cpio_free(&c);
}

/* Name and data lengths of every residue mod 4 keep the stream aligned. */
static void test_alignment_for_every_length(void **state)
{
	static const char data[] = "0123456789";
	struct newc_entry e[MAXE];
	struct cpio c;
	int n;

	(void)state;
	cpio_init(&c);
	for (int i = 1; i <= 8; i++) {
		char name[16];

		snprintf(name, sizeof(name), "/%.*s", i, "abcdefgh");
		assert_null(cpio_add_file(&c, name, 0644, data, (size_t)i));
	}
	n = finish_and_read(&c, e);
	assert_int_equal(n, 8);
	for (int i = 0; i < n; i++) {
		assert_int_equal(e[i].size, strlen(e[i].name));
		assert_memory_equal(e[i].data, data, e[i].size);
	}
	cpio_free(&c);
}

static void test_parents_emitted_once(void **state)
{
	struct newc_entry e[MAXE];
	struct cpio c;
	int n;

	(void)state;
	cpio_init(&c);
	assert_null(cpio_add_file(&c, "/staging/schedulers/a/a", 0755, "x", 1));
	assert_null(cpio_add_file(&c, "/staging/schedulers/b/b", 0755, "y", 1));
	assert_null(cpio_add_dir(&c, "/staging/schedulers", 0755));	/* no-op */
	assert_true(cpio_has(&c, "/staging"));
	n = finish_and_read(&c, e);
	/* staging, schedulers, a, a/a, b, b/b */
	assert_int_equal(n, 6);
	cpio_free(&c);
}

static void test_duplicates_and_bad_paths_are_refused(void **state)
{
	static const char *const bad[] = {
		"init", "/", "/a//b", "/a/../b", "/a/./b", "/a/", "",
	};
	struct cpio c;
	struct kterr *e;

	(void)state;
	cpio_init(&c);
	assert_null(cpio_add_file(&c, "/init", 0755, "a", 1));
	e = cpio_add_file(&c, "/init", 0755, "b", 1);
	assert_non_null(e);
	assert_int_equal(kterr_errno_of(e), EEXIST);
	assert_true(kterr_contains(e, "/init"));
	kterr_free(e);
	e = cpio_add_symlink(&c, "/init", "x");	/* a different kind is no better */
	assert_int_equal(kterr_errno_of(e), EEXIST);
	kterr_free(e);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = cpio_add_file(&c, bad[i], 0644, "", 0);
		assert_non_null(e);
		assert_int_equal(kterr_errno_of(e), EINVAL);
		kterr_free(e);
	}
	e = cpio_add_symlink(&c, "/l", "");
	assert_int_equal(kterr_errno_of(e), EINVAL);
	kterr_free(e);
	assert_null(cpio_finish(&c));
	e = cpio_add_file(&c, "/late", 0644, "", 0);
	assert_non_null(e);
	assert_true(kterr_contains(e, "finished"));
	kterr_free(e);
	cpio_free(&c);
}

static void test_host_file_copied_with_its_mode(void **state)
{
	struct newc_entry e[MAXE];
	struct cpio c;
	struct kterr *err;
	char path[] = "/tmp/ktcon-test-cpio-XXXXXX";
	int fd = mkstemp(path), n;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "payload", 7), 7);
	close(fd);
	chmod(path, 0750);
	cpio_init(&c);
	assert_null(cpio_add_host_file(&c, "/p", path));
	err = cpio_add_host_file(&c, "/q", "/nonexistent/ktcon");
	assert_int_equal(kterr_errno_of(err), ENOENT);
	assert_true(kterr_contains(err, "/nonexistent/ktcon"));
	kterr_free(err);
	err = cpio_add_host_file(&c, "/r", "/tmp");
	assert_true(kterr_contains(err, "not a regular file"));
	kterr_free(err);
	n = finish_and_read(&c, e);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].mode, S_IFREG | 0750);
	assert_memory_equal(e[0].data, "payload", 7);
	cpio_free(&c);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_dir_symlink_and_node_read_back),
		cmocka_unit_test(test_alignment_for_every_length),
		cmocka_unit_test(test_parents_emitted_once),
		cmocka_unit_test(test_duplicates_and_bad_paths_are_refused),
		cmocka_unit_test(test_host_file_copied_with_its_mode),
	};
	return cmocka_run_group_tests_name("cpio", tests, NULL, NULL);
}
