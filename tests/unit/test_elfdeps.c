/* test_elfdeps.c - DT_NEEDED closure against the host's own binaries. */
#include <elf.h>
#include <fcntl.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/util.h"
#include "vmm/image/elfdeps.h"

/* Debian's coreutils ls is dynamically linked against libc (and
 * libselinux); busybox-static is static. Both are ktcon dependencies. */
#define DYN_BIN "/bin/ls"
#define STATIC_BIN "/bin/busybox"

static const struct elfdep *find(const struct elfdeps *d, const char *name)
{
	for (size_t i = 0; i < d->n_libs; i++)
		if (!strcmp(d->libs[i].name, name))
			return &d->libs[i];
	return NULL;
}

static void test_dynamic_binary_has_loader_and_libc(void **state)
{
	struct elfdeps d;

	(void)state;
	assert_null(elfdeps_resolve(DYN_BIN, NULL, &d));
	assert_non_null(d.interp);
	assert_true(strstr(d.interp, "ld-linux") != NULL);
	const struct elfdep *libc = find(&d, "libc.so.6");
	assert_non_null(libc);
	assert_true(kt_exists(libc->host_path));
	/* libselinux needs libpcre2: the closure goes beyond the binary. */
	assert_non_null(find(&d, "libpcre2-8.so.0"));
	for (size_t i = 0; i < d.n_libs; i++)	/* each name once */
		for (size_t j = i + 1; j < d.n_libs; j++)
			assert_string_not_equal(d.libs[i].name, d.libs[j].name);
	elfdeps_free(&d);
}

static void test_static_binary_needs_nothing(void **state)
{
	struct elfdeps d;

	(void)state;
	assert_null(elfdeps_resolve(STATIC_BIN, NULL, &d));
	assert_null(d.interp);
	assert_int_equal(d.n_libs, 0);
	elfdeps_free(&d);
}

static void test_missing_library_names_it_and_the_binary(void **state)
{
	static const char *const nowhere[] = { "/nonexistent/ktcon-lib", NULL };
	struct elfdeps d;
	struct kterr *e;

	(void)state;
	e = elfdeps_resolve(DYN_BIN, nowhere, &d);
	assert_non_null(e);
	assert_int_equal(kterr_errno_of(e), ENOENT);
	assert_true(kterr_contains(e, "needed by " DYN_BIN));
	assert_true(kterr_contains(e, ".so."));
	assert_non_null(kterr_hint_of(e));
	assert_int_equal(d.n_libs, 0);	/* nothing half-filled */
	kterr_free(e);
}

static void test_not_elf_and_missing_file(void **state)
{
	char path[] = "/tmp/ktcon-test-elf-XXXXXX";
	int fd = mkstemp(path);
	struct elfdeps d;
	struct kterr *e;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "#!/bin/sh\necho hi\n", 18), 18);
	close(fd);
	e = elfdeps_resolve(path, NULL, &d);
	assert_int_equal(kterr_errno_of(e), ENOEXEC);
	assert_true(kterr_contains(e, "not an ELF"));
	kterr_free(e);
	unlink(path);

	e = elfdeps_resolve("/nonexistent/payload", NULL, &d);
	assert_int_equal(kterr_errno_of(e), ENOENT);
	assert_true(kterr_contains(e, "/nonexistent/payload"));
	kterr_free(e);
}

/* A 32-bit "libc.so.6" earlier in the search list is passed over, as the
 * loader would, and the real one found after it. */
static void test_wrong_class_candidate_is_skipped(void **state)
{
	char dir[] = "/tmp/ktcon-test-lib32-XXXXXX";
	Elf32_Ehdr eh;
	struct elfdeps d;
	char *fake;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	fake = kt_path_join(dir, "libc.so.6");
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS32;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_DYN;
	eh.e_machine = EM_386;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	fd = open(fake, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, &eh, sizeof(eh)), (ssize_t)sizeof(eh));
	close(fd);

	const char *const dirs[] = { dir, "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
				     "/lib64", "/usr/lib", NULL };
	assert_null(elfdeps_resolve(DYN_BIN, dirs, &d));
	const struct elfdep *libc = find(&d, "libc.so.6");
	assert_non_null(libc);
	assert_string_not_equal(libc->host_path, fake);
	elfdeps_free(&d);
	unlink(fake);
	rmdir(dir);
	free(fake);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dynamic_binary_has_loader_and_libc),
		cmocka_unit_test(test_static_binary_needs_nothing),
		cmocka_unit_test(test_missing_library_names_it_and_the_binary),
		cmocka_unit_test(test_not_elf_and_missing_file),
		cmocka_unit_test(test_wrong_class_candidate_is_skipped),
	};
	return cmocka_run_group_tests_name("elfdeps", tests, NULL, NULL);
}
