/* test_kcache.c - the kernel cache: keys, listing, atomic commit, lock,
 * and what an interrupted build leaves behind. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/util.h"
#include "vmm/kernel/kcache.h"
#include "vmm/kernel/kpick.h"

static char root[] = "/tmp/ktcon-test-kcache-XXXXXX";

static int setup(void **state)
{
	strcpy(root, "/tmp/ktcon-test-kcache-XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	kterr_free(kt_rm_rf(root));
	return 0;
}

/* Make a complete-looking entry directory with a meta release and
 * "built" time. */
static void make_entry_rel(const char *name, const char *release, long long built)
{
	char *dir = kt_path_join(root, name), *meta = kt_path_join(dir, KCACHE_META);
	char *text = kt_strfmt("release=%s\nbuilt=%lld\n", release, built);

	assert_null(kt_mkdir_p(dir, 0755));
	assert_null(kt_write_file(meta, text, strlen(text)));
	free(dir);
	free(meta);
	free(text);
}

static void make_entry(const char *name, long long built)
{
	make_entry_rel(name, "x", built);
}

static void test_key_is_stable_and_input_sensitive(void **state)
{
	const char *a[] = { "frag", "src" }, *b[] = { "fra", "gsrc" }, *c[] = { "frag", "src2" };
	size_t la[] = { 4, 3 }, lb[] = { 3, 4 }, lc[] = { 4, 4 };
	char k1[17], k2[17], k3[17], k4[17];

	kcache_key(a, la, 2, k1);
	kcache_key(a, la, 2, k2);
	kcache_key(b, lb, 2, k3);
	kcache_key(c, lc, 2, k4);
	assert_int_equal(strlen(k1), 16);
	assert_string_equal(k1, k2);
	/* Same bytes split differently must not collide. */
	assert_string_not_equal(k1, k3);
	assert_string_not_equal(k1, k4);
}

static void test_list_is_newest_first_and_skips_non_entries(void **state)
{
	struct kcache_entry *v;
	size_t n;

	make_entry("6.12.1-ktcon-00000000000000aa", 100);
	make_entry("6.12.2-ktcon-00000000000000bb", 300);
	make_entry("6.12.3-ktcon-00000000000000cc", 200);
	make_entry(".work-00000000000000dd", 999);
	make_entry("not-an-entry", 999);
	make_entry("6.12-ktcon-XYZ0000000000000", 999);

	assert_null(kcache_list(root, &v, &n));
	assert_int_equal(n, 3);
	assert_string_equal(v[0].key, "00000000000000bb");
	assert_string_equal(v[1].key, "00000000000000cc");
	assert_string_equal(v[2].key, "00000000000000aa");
	assert_string_equal(v[0].release, "x");
	kcache_entries_free(v, n);
}

static void test_missing_root_is_empty_and_default_says_how_to_build(void **state)
{
	struct kcache_entry *v, e;
	size_t n;
	char *missing = kt_path_join(root, "nope");
	struct kterr *err;

	assert_null(kcache_list(missing, &v, &n));
	assert_int_equal(n, 0);
	err = kcache_select(missing, "6.12", NULL, &e, NULL);
	assert_non_null(err);
	assert_true(kterr_contains(err, "no 6.12 guest kernel"));
	assert_non_null(strstr(kterr_hint_of(err), "ktcon kernel build --version 6.12"));
	kterr_free(err);
	free(missing);
}

static void test_find_key_and_default(void **state)
{
	struct kcache_entry e;
	bool found;

	make_entry_rel("6.12.1-ktcon-0000000000000001", "6.12.1-ktcon", 10);
	make_entry_rel("6.12.1-ktcon-0000000000000002", "6.12.1-ktcon", 20);
	assert_null(kcache_find_key(root, "0000000000000001", &e, &found));
	assert_true(found);
	assert_string_equal(e.name, "6.12.1-ktcon-0000000000000001");
	kcache_entry_free(&e);
	assert_null(kcache_find_key(root, "00000000000000ff", &e, &found));
	assert_false(found);
	assert_null(kcache_select(root, "6.12", NULL, &e, NULL));
	assert_string_equal(e.key, "0000000000000002");
	kcache_entry_free(&e);
}

static void test_version_of_release(void **state)
{
	static const char *const cases[][2] = {
		{ "6.12.117-ktcon", "6.12" }, { "7.3.4-ktcon", "7.3" }, { "7.3", "7.3" },
		{ "10.0-rc1", "10.0" }, { "x", "" }, { "7.-ktcon", "" }, { "", "" },
		{ "v7.3.4", "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *v = kcache_version_of_release(cases[i][0]);
		assert_string_equal(v, cases[i][1]);
		free(v);
	}
}

/* The bug this guards: the default was the newest entry of any version,
 * so building 7.3 once made every test boot 7.3. */
static void test_default_is_the_default_version_never_a_newer_one(void **state)
{
	struct kcache_entry e;
	bool stale;

	make_entry_rel("7.3.4-ktcon-00000000000000f3", "7.3.4-ktcon", 400);
	make_entry_rel("6.12.117-ktcon-00000000000000a1", "6.12.117-ktcon", 300);
	make_entry_rel("6.12.117-ktcon-00000000000000b2", "6.12.117-ktcon", 200);
	make_entry_rel("6.12.110-ktcon-00000000000000c3", "6.12.110-ktcon", 100);

	/* The build of the current fragment, though an older one is newer. */
	assert_null(kcache_select(root, "6.12", "00000000000000b2", &e, &stale));
	assert_string_equal(e.key, "00000000000000b2");
	assert_string_equal(e.version, "6.12");
	assert_false(stale);
	kcache_entry_free(&e);
	/* The fragment changed since: the newest of the version, marked so. */
	assert_null(kcache_select(root, "6.12", "00000000000000ff", &e, &stale));
	assert_string_equal(e.key, "00000000000000a1");
	assert_true(stale);
	kcache_entry_free(&e);
	/* The 7.3 key never picks across versions. */
	assert_null(kcache_select(root, "6.12", "00000000000000f3", &e, &stale));
	assert_string_equal(e.key, "00000000000000a1");
	kcache_entry_free(&e);
	assert_null(kcache_select(root, "7.3", NULL, &e, NULL));
	assert_string_equal(e.name, "7.3.4-ktcon-00000000000000f3");
	kcache_entry_free(&e);
	/* "7" is not "7.3", and "6.1" is not a prefix match of "6.12". */
	struct kterr *err = kcache_select(root, "6.1", NULL, &e, NULL);
	assert_non_null(err);
	assert_true(kterr_contains(err, "no 6.1 guest kernel"));
	kterr_free(err);
}

/* What --kernel and a recipe's `kernel` line accept: a version, default,
 * a cache entry's directory, a bzImage. */
static void test_kernel_spec_by_version_default_or_path(void **state)
{
	char *kroot = kt_path_join(root, "ktcon/kernels"), *bz = NULL, *want = NULL;
	char *old = getenv("XDG_CACHE_HOME") ? strdup(getenv("XDG_CACHE_HOME")) : NULL;
	char *dir73, *file;
	struct kterr *err;

	setenv("XDG_CACHE_HOME", root, 1);
	assert_null(kt_mkdir_p(kroot, 0755));
	err = kpick_bzimage("7.3", &bz);
	assert_non_null(err);
	assert_non_null(strstr(kterr_hint_of(err), "--version 7.3"));
	kterr_free(err);

	dir73 = kt_path_join(kroot, "7.3.4-ktcon-00000000000000f3");
	file = kt_path_join(dir73, KCACHE_BZIMAGE);
	{
		char *m = kt_path_join(dir73, KCACHE_META);
		assert_null(kt_mkdir_p(dir73, 0755));
		assert_null(kt_write_file(m, "release=7.3.4-ktcon\nbuilt=500\n", 30));
		assert_null(kt_write_file(file, "bz", 2));
		free(m);
	}
	{
		char *d = kt_path_join(kroot, "6.12.117-ktcon-00000000000000a1");
		char *m = kt_path_join(d, KCACHE_META);
		assert_null(kt_mkdir_p(d, 0755));
		assert_null(kt_write_file(m, "release=6.12.117-ktcon\nbuilt=100\n", 33));
		want = kt_path_join(d, KCACHE_BZIMAGE);
		free(m);
		free(d);
	}
	/* The newer 7.3 is not the default. */
	assert_null(kpick_bzimage(NULL, &bz));
	assert_string_equal(bz, want);
	free(bz);
	assert_null(kpick_bzimage("default", &bz));
	assert_string_equal(bz, want);
	free(bz);
	assert_null(kpick_bzimage("7.3", &bz));
	assert_string_equal(bz, file);
	free(bz);
	assert_null(kpick_bzimage(dir73, &bz));
	assert_string_equal(bz, file);
	free(bz);
	assert_null(kpick_bzimage(file, &bz));
	assert_string_equal(bz, file);
	free(bz);
	/* KTCON_KERNEL stands for "default" (and nothing), never for what
	 * was named: the 7.3 pass of make check boots 7.3 this way. */
	setenv("KTCON_KERNEL", "7.3", 1);
	assert_null(kpick_bzimage(NULL, &bz));
	assert_string_equal(bz, file);
	free(bz);
	assert_null(kpick_bzimage("default", &bz));
	assert_string_equal(bz, file);
	free(bz);
	assert_null(kpick_bzimage("6.12", &bz));
	assert_string_equal(bz, want);
	free(bz);
	{
		struct kcache_entry ent;

		assert_null(kpick_entry(NULL, &ent));
		assert_string_equal(ent.dir, dir73);
		kcache_entry_free(&ent);
	}
	setenv("KTCON_KERNEL", dir73, 1);
	assert_null(kpick_bzimage(NULL, &bz));
	assert_string_equal(bz, file);
	free(bz);
	setenv("KTCON_KERNEL", "default", 1);
	assert_null(kpick_bzimage(NULL, &bz));
	assert_string_equal(bz, want);
	free(bz);
	unsetenv("KTCON_KERNEL");
	err = kpick_bzimage("/nonexistent/bzImage", &bz);
	assert_non_null(err);
	assert_null(bz);
	assert_true(kterr_contains(err, "/nonexistent/bzImage"));
	kterr_free(err);

	if (old)
		setenv("XDG_CACHE_HOME", old, 1);
	else
		unsetenv("XDG_CACHE_HOME");
	free(old);
	free(want);
	free(file);
	free(dir73);
	free(kroot);
}

static void test_pick_on_an_empty_or_foreign_list(void **state)
{
	struct kcache_entry v[1] = { { .name = (char *)"n", .key = (char *)"k",
				       .version = (char *)"" } };

	assert_int_equal(kcache_pick(v, 0, "6.12", NULL), 0);
	assert_int_equal(kcache_pick(v, 1, "6.12", "k"), 1);
}

static void test_commit_publishes_and_replaces(void **state)
{
	char *staged = kt_path_join(root, ".work-1/stage");
	char *f = kt_path_join(staged, "bzImage"), *final = NULL, *text = NULL;

	assert_null(kt_mkdir_p(staged, 0755));
	assert_null(kt_write_file(f, "new", 3));
	make_entry("6.12.1-ktcon-0000000000000003", 1);
	assert_null(kcache_commit(root, staged, "6.12.1-ktcon-0000000000000003"));
	assert_false(kt_exists(staged));
	final = kt_path_join(root, "6.12.1-ktcon-0000000000000003/bzImage");
	assert_null(kt_read_file(final, 100, &text, NULL));
	assert_string_equal(text, "new");
	/* The replaced entry is gone, not left aside. */
	assert_int_equal(kcache_gc(root, NULL), 1);	/* only .work-1 remains to collect */
	free(staged);
	free(f);
	free(final);
	free(text);
}

static void note_wait(void *ctx)
{
	int *fd = ctx;

	if (write(*fd, "w", 1) != 1)
		_exit(3);
}

static void test_lock_makes_second_build_wait(void **state)
{
	int held, p[2];
	pid_t pid;
	char c;
	int status;

	assert_null(kcache_lock(root, &held, NULL, NULL));
	assert_int_equal(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		int fd;

		/* flock belongs to the open file description, which fork shares:
		 * drop the parent's copy or its unlock could never release. */
		close(held);
		close(p[0]);
		if (kcache_lock(root, &fd, note_wait, &p[1]))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	/* The child reports that it is waiting, and is still blocked. */
	assert_int_equal(read(p[0], &c, 1), 1);
	assert_int_equal(waitpid(pid, &status, WNOHANG), 0);
	kcache_unlock(held);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(p[0]);
}

static void test_interrupted_build_leaves_no_entry_and_frees_lock(void **state)
{
	struct kcache_entry *v;
	size_t n;
	int p[2], fd, status;
	pid_t pid;
	char c;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		/* A build that holds the lock and is half way through staging. */
		char *stage = kt_path_join(root, ".work-0000000000000009/stage");
		char *f = kt_path_join(stage, "bzImage");

		if (kcache_lock(root, &fd, NULL, NULL) || kt_mkdir_p(stage, 0755) ||
		    kt_write_file(f, "half", 4))
			_exit(1);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(p[0]);

	assert_null(kcache_list(root, &v, &n));
	assert_int_equal(n, 0);
	/* The dead build's lock is free: we get it without waiting. */
	assert_null(kcache_lock(root, &fd, (void (*)(void *))abort, NULL));
	/* A build of the same key keeps the work tree to resume from... */
	assert_int_equal(kcache_gc(root, "0000000000000009"), 0);
	/* ...any other build collects it. */
	assert_int_equal(kcache_gc(root, "00000000000000aa"), 1);
	kcache_unlock(fd);
	assert_null(kcache_list(root, &v, &n));
	assert_int_equal(n, 0);
}

static void test_root_follows_xdg_cache_home(void **state)
{
	char *r = NULL;
	struct kterr *e;

	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	assert_null(kcache_root(&r));
	assert_string_equal(r, "/x/cache/ktcon/kernels");
	free(r);
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/home/u", 1);
	assert_null(kcache_root(&r));
	assert_string_equal(r, "/home/u/.cache/ktcon/kernels");
	free(r);
	unsetenv("HOME");
	e = kcache_root(&r);
	assert_non_null(e);
	kterr_free(e);
}

static void test_meta_get(void **state)
{
	char *v = kcache_meta_get("release=6.12\nbuilt=5\n", "built");

	assert_string_equal(v, "5");
	free(v);
	assert_null(kcache_meta_get("release=6.12\n", "built"));
	assert_null(kcache_meta_get("builtx=1\n", "built"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_is_stable_and_input_sensitive),
		cmocka_unit_test_setup_teardown(test_list_is_newest_first_and_skips_non_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_root_is_empty_and_default_says_how_to_build, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_key_and_default, setup, teardown),
		cmocka_unit_test(test_version_of_release),
		cmocka_unit_test_setup_teardown(test_default_is_the_default_version_never_a_newer_one,
						setup, teardown),
		cmocka_unit_test(test_pick_on_an_empty_or_foreign_list),
		cmocka_unit_test_setup_teardown(test_kernel_spec_by_version_default_or_path,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_publishes_and_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_makes_second_build_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_build_leaves_no_entry_and_frees_lock, setup, teardown),
		cmocka_unit_test(test_root_follows_xdg_cache_home),
		cmocka_unit_test(test_meta_get),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
