/* test_ksched.c - which schedulers a kernel ships and which recipes are
 * PENDING on it (ksched, recipe-scheds), and a user's tree (ktree). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/recipe.h"
#include "lib/util.h"
#include "tui/recipe-scheds.h"
#include "vmm/kernel/kcache.h"
#include "vmm/kernel/ksched.h"
#include "vmm/kernel/ktree.h"

static char root[] = "/tmp/ktcon-ksched-XXXXXX";
static char *e612, *e73;

static char *entry(const char *name, const char *release, const char *const *scheds)
{
	char *d = kt_strfmt("%s/ktcon/kernels/%s", root, name);
	char *m = kt_path_join(d, KCACHE_META), *bz = kt_path_join(d, KCACHE_BZIMAGE);
	char *sd = kt_path_join(d, KCACHE_SCHEDULERS);
	char *meta = kt_strfmt("release=%s\nbuilt=100\n", release);

	assert_null(kt_mkdir_p(sd, 0755));
	assert_null(kt_write_file(m, meta, strlen(meta)));
	assert_null(kt_write_file(bz, "bz", 2));
	for (; *scheds; scheds++) {
		char *f = kt_path_join(sd, *scheds);
		assert_null(kt_write_file(f, "elf", 3));
		free(f);
	}
	free(m);
	free(bz);
	free(sd);
	free(meta);
	return d;
}

static int setup(void **state)
{
	static const char *const s612[] = { "scx_simple", "scx_qmap", "scx_central",
					    "scx_flatcg", NULL };
	static const char *const s73[] = { "scx_simple", "scx_qmap", "scx_pair", "scx_cpu0",
					   NULL };

	if (!mkdtemp(root))
		return -1;
	setenv("XDG_CACHE_HOME", root, 1);
	unsetenv("KTCON_KERNEL");
	e612 = entry("6.12.117-ktcon-00000000000000a1", "6.12.117-ktcon", s612);
	e73 = entry("7.3.4-ktcon-00000000000000f3", "7.3.4-ktcon", s73);
	{
		/* A newer build of a user's 7.3 tree: never picked by version. */
		char *t = entry("7.3.4-ktcon+-00000000000000e1", "7.3.4-ktcon+", s73);
		char *m = kt_path_join(t, KCACHE_META);
		static const char meta[] = "release=7.3.4-ktcon+\nbuilt=900\nsource=/home/u/linux\n";

		assert_null(kt_write_file(m, meta, strlen(meta)));
		free(m);
		free(t);
	}
	return 0;
}

static int teardown(void **state)
{
	kterr_free(kt_rm_rf(root));
	free(e612);
	free(e73);
	return 0;
}

static void test_kernel_of_spec(void **state)
{
	struct ksched_kernel k;
	char *names;

	assert_null(ksched_open("7.3", &k));
	assert_string_equal(k.dir, e73);
	assert_string_equal(k.release, "7.3.4-ktcon");
	assert_string_equal(k.version, "7.3");
	assert_true(ksched_has(&k, "scx_pair"));
	assert_false(ksched_has(&k, "scx_flatcg"));
	assert_false(ksched_has(&k, "../scx_pair"));
	names = ksched_names(&k);
	assert_string_equal(names, "scx_cpu0 scx_pair scx_qmap scx_simple");
	free(names);
	ksched_close(&k);
	assert_null(ksched_open(NULL, &k));
	assert_string_equal(k.version, "6.12");
	assert_false(ksched_has(&k, "scx_pair"));
	ksched_close(&k);
}

static void test_broken_table(void **state)
{
	assert_non_null(ksched_broken("7.3", "scx_qmap"));
	assert_non_null(strstr(ksched_broken("7.3", "scx_qmap"), "clang"));
	assert_null(ksched_broken("6.12", "scx_qmap"));
	assert_null(ksched_broken("7.3", "scx_simple"));
	assert_non_null(ksched_broken("6.12", "scx_central"));
	/* The reason names the check that fails and the kthread it runs in. */
	assert_non_null(strstr(ksched_broken("6.12", "scx_central"), "non-central CPU"));
	assert_non_null(strstr(ksched_broken("6.12", "scx_central"), "scx_ops_enable_helper"));
	assert_null(ksched_broken("7.3", "scx_central"));
	assert_null(ksched_broken(NULL, NULL));
}

static char *pending(const char *text, const char *spec)
{
	struct kt_recipe *r = NULL;
	struct ksched_kernel k;
	char *why;

	assert_null(kt_recipe_parse("t.recipe", text, strlen(text), &r));
	assert_int_equal(r->ndiags, 0);
	assert_null(ksched_open(spec, &k));
	why = recipe_scheds_pending(r, &k);
	ksched_close(&k);
	kt_recipe_free(r);
	return why;
}

/* A scheduler the kernel lacks, by line and with what it has; one known
 * broken, with the reason; neither when the recipe stages it itself or
 * expects the op to fail. */
static void test_recipe_pending(void **state)
{
	char *why;

	why = pending("vm cpus=2\nscheduler scx_pair\n\nstep hold=1s\n", "6.12");
	assert_non_null(why);
	assert_non_null(strstr(why, "line 2 needs scx_pair, which kernel 6.12.117-ktcon does not ship"));
	assert_non_null(strstr(why, "it has: scx_central scx_flatcg scx_qmap scx_simple"));
	free(why);
	assert_null(pending("vm cpus=2\nscheduler scx_pair\n\nstep hold=1s\n", "7.3"));

	why = pending("vm cpus=2\nscheduler scx_simple\n\nstep hold=1s\n"
		      "  replace-scheduler scx_qmap\n", "7.3");
	assert_non_null(why);
	assert_non_null(strstr(why, "line 5 needs scx_qmap, known broken on 7.3: "));
	free(why);
	assert_null(pending("vm cpus=2\nscheduler scx_simple\n\nstep hold=1s\n"
			    "  replace-scheduler scx_qmap\n", "6.12"));

	why = pending("vm cpus=2\n\nstep hold=1s\n  attach-scheduler scx_cpu0\n", "6.12");
	assert_non_null(why);
	assert_non_null(strstr(why, "line 4 needs scx_cpu0"));
	free(why);

	/* A refusal under test needs no working scheduler. */
	assert_null(pending("vm cpus=2\nscheduler scx_simple\n\nstep hold=1s\n"
			    "  attach-scheduler scx_qmap\n"
			    "  expect error \"use replace-scheduler, or detach-scheduler first\"\n",
			    "7.3"));
	/* The recipe's own build of a name wins over the kernel's. */
	assert_null(pending("vm cpus=2\nstage-scheduler scx_pair /bin/true\n\nstep hold=1s\n"
			    "  attach-scheduler scx_pair\n", "6.12"));
}

static void test_tree(void **state)
{
	char *tree = kt_strfmt("%s/linux", root), *mk = kt_path_join(tree, "Makefile");
	char *real = NULL, *ver, *dir = NULL, *kroot = kt_strfmt("%s/ktcon/kernels", root);
	char k1[17], k2[17];
	struct kterr *e;

	assert_null(kt_mkdir_p(tree, 0755));
	e = ktree_realpath(tree, &real);
	assert_non_null(e);	/* no Makefile */
	kterr_free(e);
	{
		static const char text[] = "# x\nVERSION = 7\nPATCHLEVEL = 3\nSUBLEVEL = 4\n";
		assert_null(kt_write_file(mk, text, strlen(text)));
	}
	assert_null(ktree_realpath(tree, &real));
	ver = ktree_version(real);
	assert_string_equal(ver, "7.3");
	ktree_key(real, k1);
	ktree_key(real, k2);
	assert_string_equal(k1, k2);
	assert_null(ktree_build_dir(kroot, real, &dir));
	{
		char *want = kt_strfmt("%s/ktcon/builds/linux-%s", root, k1);
		assert_string_equal(dir, want);
		free(want);
	}
	free(real);
	e = ktree_realpath("/nonexistent/linux", &real);
	assert_null(real);
	assert_non_null(e);
	assert_true(kterr_contains(e, "/nonexistent/linux"));
	kterr_free(e);
	free(tree);
	free(mk);
	free(ver);
	free(dir);
	free(kroot);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_of_spec),
		cmocka_unit_test(test_broken_table),
		cmocka_unit_test(test_recipe_pending),
		cmocka_unit_test(test_tree),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
