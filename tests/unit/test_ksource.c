/* test_ksource.c - kernel versions, and the Debian mirror borrowed from the
 * system's apt sources (read, never changed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/kernel/ksource.h"

static void test_versions_and_paths_are_told_apart(void **state)
{
	static const char *const yes[] = { "6.12", "7.3", "10.0" };
	static const char *const no[] = { "7", "7.", ".3", "7.3.4", "7.3-rc1", "v7.3",
					  "/boot/vmlinuz", "default", "", "7..3" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(ksource_is_version(yes[i]));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(ksource_is_version(no[i]));
	assert_false(ksource_is_version(NULL));
}

static void test_lookup_knows_the_lts_and_7_3(void **state)
{
	const struct ksource_version *v = ksource_lookup(KSOURCE_DEFAULT_VERSION);

	assert_non_null(v);
	assert_string_equal(v->package, "linux-source-6.12");
	/* 6.12 has no addition: its cache key is what it was. */
	assert_null(v->fragment);
	v = ksource_lookup("7.3");
	assert_non_null(v);
	assert_string_equal(v->suite, "trixie-backports");
	assert_string_equal(v->fragment, "guest/kernel-7.3.config");
	assert_null(ksource_lookup("7.2"));
	assert_null(ksource_lookup(NULL));
}

static void mirror_is(const char *text, const char *want)
{
	char *got = ksource_mirror_in(text);

	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_mirror_from_one_line_and_deb822_sources(void **state)
{
	/* bookworm's deb822 file: security comes second and is not the archive. */
	mirror_is("Types: deb\n"
		  "# http://snapshot.debian.org/archive/debian/20250520T000000Z\n"
		  "URIs: http://deb.debian.org/debian\n"
		  "Suites: bookworm bookworm-updates\n\n"
		  "Types: deb\nURIs: http://deb.debian.org/debian-security\n",
		  "http://deb.debian.org/debian");
	mirror_is("URIs: https://mirror.example/debian-security https://mirror.example/debian/\n",
		  "https://mirror.example/debian");
	mirror_is("# deb http://commented.example/debian bookworm main\n"
		  "deb-src http://src.example/debian bookworm main\n"
		  "deb [arch=amd64 signed-by=/k.gpg] http://ftp.de.debian.org/debian/ bookworm main\n",
		  "http://ftp.de.debian.org/debian");
	mirror_is("deb http://security.debian.org/debian-security bookworm-security main\n", NULL);
	mirror_is("deb http://archive.ubuntu.com/ubuntu jammy main\n", NULL);
	mirror_is("deb /debian bookworm main\n", NULL);
	mirror_is("", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions_and_paths_are_told_apart),
		cmocka_unit_test(test_lookup_knows_the_lts_and_7_3),
		cmocka_unit_test(test_mirror_from_one_line_and_deb822_sources),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
