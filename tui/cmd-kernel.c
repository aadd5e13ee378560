/* cmd-kernel.c - `ktcon kernel build|list|path|clean-warm`. */
#include "tui/cmd-kernel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util.h"
#include "tui/cmd.h"
#include "vmm/kernel/kbuild.h"
#include "vmm/kernel/kcache.h"
#include "vmm/kernel/kpick.h"
#include "vmm/kernel/ksource.h"
#include "vmm/kernel/paths.h"
#include "vmm/machine/warm.h"

struct kterr *kernel_parse_args(int argc, char **argv, struct kernel_args *a)
{
	static const struct { const char *name; enum kernel_action act; } actions[] = {
		{ "build", KERNEL_BUILD }, { "list", KERNEL_LIST },
		{ "path", KERNEL_PATH }, { "clean-warm", KERNEL_CLEAN_WARM },
		{ "help", KERNEL_HELP },
		{ "--help", KERNEL_HELP }, { "-h", KERNEL_HELP },
	};
	int i;

	memset(a, 0, sizeof(*a));
	if (argc < 2)
		return kterr_hint(kterr_new(EINVAL, "kernel: missing action"),
				  "use build, list, path or clean-warm");
	for (i = 0; i < (int)ARRAY_SIZE(actions); i++)
		if (!strcmp(argv[1], actions[i].name))
			break;
	if (i == (int)ARRAY_SIZE(actions))
		return kterr_hint(kterr_new(EINVAL, "kernel: unknown action '%s'", argv[1]),
				  "use build, list, path or clean-warm");
	a->action = actions[i].act;

	for (i = 2; i < argc; i++) {
		const char *o = argv[i];
		bool build = a->action == KERNEL_BUILD, path = a->action == KERNEL_PATH;
		const struct ksource_version *ver;

		if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
			a->action = KERNEL_HELP;
		} else if (build && !strcmp(o, "--force")) {
			a->force = true;
		} else if (build && !strcmp(o, "--scheduler-only")) {
			a->scheduler_only = true;
		} else if (build && (!strcmp(o, "--source") || !strcmp(o, "--jobs") ||
				     !strcmp(o, "-j"))) {
			if (i + 1 >= argc)
				return kterr_new(EINVAL, "kernel build: %s needs a value", o);
			const char *v = argv[++i];
			if (!strcmp(o, "--source")) {
				a->source = v;
			} else {
				char *end;
				long n = strtol(v, &end, 10);

				if (*end || n < 1 || n > 1024)
					return kterr_new(EINVAL, "kernel build: %s '%s' is not a "
							 "number of jobs (1-1024)", o, v);
				a->jobs = (int)n;
			}
		} else if ((build || path) && !strcmp(o, "--version")) {
			if (i + 1 >= argc)
				return kterr_new(EINVAL, "kernel %s: --version needs a value", argv[1]);
			struct kterr *e = ksource_find(argv[++i], &ver);
			if (e)
				return kterr_wrap(e, "kernel %s --version", argv[1]);
			a->version = ver->version;
		} else if (path && !strcmp(o, "--vmlinux")) {
			a->what = KPATH_VMLINUX;
		} else if (path && !strcmp(o, "--dir")) {
			a->what = KPATH_DIR;
		} else {
			return kterr_hint(kterr_new(EINVAL, "kernel %s: unknown option '%s'",
						    argv[1], o),
					  "see `ktcon kernel --help`");
		}
	}
	if (a->scheduler_only && !a->source)
		return kterr_hint(kterr_new(EINVAL, "kernel build: --scheduler-only needs --source DIR"),
				  "it rebuilds tools/sched_ext of a tree built before with --source");
	return NULL;
}

#ifndef KTCON_UNIT_TEST
static const char usage_text[] =
	"usage: ktcon kernel build [--version X.Y] [--source DIR [--scheduler-only]] [--jobs N]\n"
	"                          [--force]\n"
	"       ktcon kernel list\n"
	"       ktcon kernel path [--version X.Y] [--vmlinux | --dir]\n"
	"       ktcon kernel clean-warm\n"
	"\n"
	"build  build the guest kernel (Debian's linux-source-X.Y, default "
	KSOURCE_DEFAULT_VERSION ",\n"
	"       fetched into the cache when not installed; or DIR) with\n"
	"       guest/kernel.config (+ guest/kernel-X.Y.config where options\n"
	"       changed; with --source, the tree's Makefile or --version names its\n"
	"       release) and every sched_ext scheduler of its tools/sched_ext into\n"
	"       the cache\n"
	"       --source DIR builds a kernel tree out of tree (DIR stays clean) in\n"
	"       a build directory kept under the cache, so the next build of DIR\n"
	"       recompiles only what changed; its entry replaces DIR's last one:\n"
	"       boot it with --kernel and the directory `kernel list` shows\n"
	"       --scheduler-only rebuilds just DIR's tools/sched_ext into its entry\n"
	"list   the cached kernels with their versions, newest first; * marks\n"
	"       the default (the newest " KSOURCE_DEFAULT_VERSION
	" built from the current fragment)\n"
	"       and, under each, its saved warm states (ktcon run --warm)\n"
	"path   the default kernel's bzImage (or vmlinux, or its directory)\n"
	"clean-warm\n"
	"       remove every saved warm state (a state a run is using stays)\n"
	"\n"
	"versions: 6.12 (LTS, the default), 7.3\n"
	"cache: ${XDG_CACHE_HOME:-~/.cache}/ktcon/kernels, sources in .../ktcon/sources\n";

static int fail(struct kterr *e, const char *what)
{
	char *s = kterr_strdup(e);

	fprintf(stderr, "ktcon kernel %s: %s\n", what, s ? s : "error");
	free(s);
	kterr_free(e);
	return KTCMD_FAIL;
}

static int do_build(const struct kernel_args *a)
{
	struct kbuild_opts o = {
		.source = a->source, .version = a->version, .jobs = a->jobs,
		.force = a->force, .scheduler_only = a->scheduler_only, .out = stderr,
	};
	struct kbuild_result r;
	char *frag = NULL;
	struct kterr *e = paths_data("guest/kernel.config", &frag);
	char dur[32];

	if (e)
		return fail(e, "build");
	o.fragment = frag;
	e = kbuild_run(&o, &r);
	free(frag);
	if (e)
		return fail(e, "build");
	if (r.cached)
		fprintf(stderr, "kernel %s is already built (use --force to rebuild)\n",
			r.entry.name);
	else
		fprintf(stderr, "built %s%s in %s (%lu files compiled)%s%s\n",
			a->scheduler_only ? "the schedulers of " : "", r.entry.name,
			kt_fmt_duration(r.build_ns, dur, sizeof(dur)), r.files,
			a->source ? "; boot it with --kernel " : "", a->source ? r.entry.dir : "");
	printf("%s/%s\n", r.entry.dir, KCACHE_BZIMAGE);
	kbuild_result_free(&r);
	return KTCMD_OK;
}

/* Where each kernel's warm states are, and the one place for kernels
 * outside the cache (or KTCON_WARM_DIR): each once. */
static void warm_roots(const struct kcache_entry *v, size_t n, char ***roots, size_t *nr)
{
	*roots = calloc(n + 1, sizeof(**roots));
	*nr = 0;
	for (size_t i = 0; *roots && i <= n; i++) {
		char *bz = i < n ? kt_path_join(v[i].dir, KCACHE_BZIMAGE) : strdup("/");
		char *r = NULL;
		bool seen = false;

		kterr_free(bz ? kcache_warm_root(bz, &r) : NULL);
		free(bz);
		for (size_t j = 0; r && j < *nr; j++)
			seen |= !strcmp((*roots)[j], r);
		if (r && !seen)
			(*roots)[(*nr)++] = r;
		else
			free(r);
	}
}

/* ctx: a heading printed before the first state, or NULL. */
static void print_state(const char *dir, const struct warm_meta *m, void *ctx)
{
	char when[32] = "?";
	struct tm tm;
	time_t t;
	char **heading = ctx;

	if (*heading) {
		printf("%s\n", *heading);
		*heading = NULL;
	}
	if (!m) {
		printf("    warm  (unreadable: the next run refuses and rebuilds it)  %s\n", dir);
		return;
	}
	t = (time_t)m->created;
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	printf("    warm  %s  %s  %s, %s, RAM %llu of %llu MiB  %s\n", m->key.vm, when,
	       m->key.accel, m->qemu_version, (unsigned long long)(m->ram_data_bytes >> 20),
	       (unsigned long long)(m->ram_bytes >> 20), dir);
}

static void list_warm(const char *root, char *heading)
{
	kterr_free(warm_each(root, print_state, &heading));
}

static void drop_state(const char *dir, const struct warm_meta *m, void *ctx)
{
	bool busy;
	struct kterr *e = warm_drop(dir, &busy);
	int *n = ctx;

	(void)m;
	if (e) {
		char *s = kterr_strdup(e);

		fprintf(stderr, "ktcon kernel clean-warm: %s: %s\n", dir, s ? s : "error");
		free(s);
		kterr_free(e);
	} else if (busy) {
		printf("kept %s (a run is using it)\n", dir);
	} else {
		printf("removed %s\n", dir);
		(*n)++;
	}
}

static int do_clean_warm(void)
{
	char *root, **roots = NULL;
	struct kcache_entry *v = NULL;
	size_t n = 0, nr = 0;
	int removed = 0;
	struct kterr *e = kcache_root(&root);

	if (!e)
		e = kcache_list(root, &v, &n);
	if (e)
		return fail(e, "clean-warm");
	warm_roots(v, n, &roots, &nr);
	for (size_t i = 0; i < nr; i++) {
		kterr_free(warm_each(roots[i], drop_state, &removed));
		free(roots[i]);
	}
	free(roots);
	printf("%d warm state%s removed\n", removed, removed == 1 ? "" : "s");
	kcache_entries_free(v, n);
	free(root);
	return KTCMD_OK;
}

/* One line per entry: the default marked, its version, name, date, dir. */
static int do_list(void)
{
	char *root;
	struct kcache_entry *v, def = { 0 };
	size_t n;
	struct kterr *e = kcache_root(&root);

	if (!e)
		e = kcache_list(root, &v, &n);
	if (e)
		return fail(e, "list");
	/* No default (no 6.12 yet) is not an error for a listing. */
	kterr_free(kpick_entry(NULL, &def));
	if (!n)
		printf("no kernels in %s; `ktcon kernel build` makes one\n", root);
	for (size_t i = 0; i < n; i++) {
		char when[32];
		struct tm tm;
		bool is_def = def.name && !strcmp(def.name, v[i].name);

		localtime_r(&v[i].built, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
		printf("%s %-5s %-40s %s  %s%s\n", is_def ? "*" : " ",
		       *v[i].version ? v[i].version : "?", v[i].name, when, v[i].dir,
		       v[i].tree ? "  (your tree: --kernel this dir)" : "");
		{
			char *bz = kt_path_join(v[i].dir, KCACHE_BZIMAGE), *wr = NULL;

			kterr_free(bz ? kcache_warm_root(bz, &wr) : NULL);
			/* KTCON_WARM_DIR puts every kernel's in one place:
			 * listed once, below. */
			if (wr && !getenv("KTCON_WARM_DIR"))
				list_warm(wr, NULL);
			free(wr);
			free(bz);
		}
	}
	{
		char *wr = NULL;

		kterr_free(kcache_warm_root("/", &wr));
		char *h = wr ? kt_strfmt("  warm states %s %s:", getenv("KTCON_WARM_DIR") ?
					 "in KTCON_WARM_DIR" : "of kernels outside the cache, in", wr) :
			       NULL;

		if (h)
			list_warm(wr, h);
		free(h);
		free(wr);
	}
	kcache_entry_free(&def);
	kcache_entries_free(v, n);
	free(root);
	return KTCMD_OK;
}

static int do_path(const struct kernel_args *a)
{
	static const char *const file[] = {
		[KPATH_BZIMAGE] = KCACHE_BZIMAGE, [KPATH_VMLINUX] = KCACHE_VMLINUX,
		[KPATH_DIR] = NULL,
	};
	char *root;
	struct kcache_entry ent;
	struct kterr *e = kcache_root(&root);

	if (!e)
		e = kpick_entry(a->version, &ent);
	free(root);
	if (e)
		return fail(e, "path");
	if (file[a->what])
		printf("%s/%s\n", ent.dir, file[a->what]);
	else
		printf("%s\n", ent.dir);
	kcache_entry_free(&ent);
	return KTCMD_OK;
}

static int cmd_kernel_exec(int argc, char **argv)
{
	struct kernel_args a;
	struct kterr *e = kernel_parse_args(argc, argv, &a);

	if (e) {
		fail(e, argc > 1 ? argv[1] : "");
		fputs(usage_text, stderr);
		return KTCMD_USAGE;
	}
	switch (a.action) {
	case KERNEL_BUILD:
		return do_build(&a);
	case KERNEL_LIST:
		return do_list();
	case KERNEL_PATH:
		return do_path(&a);
	case KERNEL_CLEAN_WARM:
		return do_clean_warm();
	case KERNEL_HELP:
		fputs(usage_text, stdout);
		return KTCMD_OK;
	}
	return KTCMD_FAIL;
}

const struct ktcmd_entry ktcmd_kernel_entry = {
	.name = "kernel",
	.usage = "kernel build [--version X.Y] [--source DIR [--scheduler-only]] [--jobs N] "
		 "[--force] | list | path [--version X.Y] [--vmlinux|--dir] | clean-warm",
	.summary = "build, list and locate guest kernels and their schedulers",
	.exec = cmd_kernel_exec,
};
#endif
