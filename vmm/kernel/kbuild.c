/* kbuild.c - build the guest kernel into the cache; see kbuild.h. */
#include "vmm/kernel/kbuild.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/header.h"
#include "lib/util.h"
#include "vmm/kernel/kconfig.h"
#include "vmm/kernel/ksource.h"
#include "vmm/kernel/ktree.h"
#include "vmm/kernel/paths.h"
#include "vmm/kernel/progress.h"
#include "vmm/machine/spawn.h"

/* Bump when the build steps change what lands in an entry. */
#define KBUILD_RECIPE "ktcon-kbuild-1"

/* Everything a build needs to carry between phases. */
struct kb {
	const struct kbuild_opts *o;
	struct progress prog;
	char *root, *work, *src, *out, *stage, *log_path, *add_path;
	int log_fd;
	char jobs[16];
	unsigned long files;
};

static void count_compile(const char *line, void *ctx)
{
	struct kb *b = ctx;

	if (progress_is_kbuild_compile(line))
		progress_tick(&b->prog, ++b->files);
}

static void capture_line(const char *line, void *ctx)
{
	char **dst = ctx;

	if (!*dst && *line)
		*dst = strdup(line);
}

static struct kterr *run(struct kb *b, const char *const *argv, const char *cwd,
			 void (*on_line)(const char *, void *), void *ctx)
{
	struct spawn_opts so = {
		.cwd = cwd, .log_fd = b->log_fd, .on_line = on_line, .ctx = ctx,
	};
	struct kterr *e = spawn_run(argv, &so);

	return e ? kterr_hint(e, "the full log is %s", b->log_path) : NULL;
}

/* What identifies the source: for the tarball its path, size and mtime;
 * for a tree its real path alone (ktree.h): a tree's build is incremental
 * and always runs, make deciding what changed, and its new entry replaces
 * the tree's last one. */
static char *source_identity(const struct kbuild_opts *o)
{
	struct stat st;

	if (!o->source) {
		const char *t = o->tarball ? o->tarball : KBUILD_DEFAULT_TARBALL;

		if (stat(t, &st) < 0)
			return NULL;
		return kt_strfmt("tarball %s %lld %lld", t, (long long)st.st_size,
				 (long long)st.st_mtime);
	}
	char rp[PATH_MAX];
	if (!realpath(o->source, rp))
		return NULL;
	return kt_strfmt("tree %s", rp);
}

/* The key's inputs: the recipe, the fragment, the source, and (for a
 * version that has one) the fragment's addition. Without an addition the
 * key is what it was before versions existed, so a 6.12 entry stays. */
static struct kterr *key_of(const struct kbuild_opts *o, const char *fragment_text,
			    const char *add_text, char key[17])
{
	char *id = source_identity(o);

	if (!id) {
		if (o->source)
			return kterr_errno("kernel source %s", o->source);
		return kterr_hint(kterr_errno("kernel source %s",
					      o->tarball ? o->tarball : KBUILD_DEFAULT_TARBALL),
				  "apt-get install linux-source-6.12, or pass --source DIR");
	}
	const char *in[] = { KBUILD_RECIPE, fragment_text, id, add_text ? add_text : "" };
	size_t len[] = { strlen(in[0]), strlen(in[1]), strlen(in[2]), strlen(in[3]) };
	kcache_key(in, len, add_text ? 4 : 3, key);
	free(id);
	return NULL;
}

struct kterr *kbuild_key(const struct kbuild_opts *o, const char *fragment_text,
			 char key[17])
{
	return key_of(o, fragment_text, NULL, key);
}

/* The version's fragment addition: its path and text, or NULLs. */
static struct kterr *read_addition(const struct ksource_version *v, char **path, char **text)
{
	struct kterr *e;

	*path = *text = NULL;
	if (!v || !v->fragment)
		return NULL;
	e = paths_data(v->fragment, path);
	if (!e)
		e = kt_read_file(*path, 1 << 20, text, NULL);
	return e ? kterr_wrap(e, "read the %s addition to the kernel config fragment",
			      v->version) : NULL;
}

struct kterr *kbuild_expected_key(const char *version, const char *fragment,
				  char key[17], bool *found)
{
	const struct ksource_version *v;
	struct kbuild_opts o = { .fragment = fragment };
	char *tarball = NULL, *text = NULL, *add_path = NULL, *add_text = NULL;
	struct kterr *e = ksource_find(version ? version : KSOURCE_DEFAULT_VERSION, &v);

	*found = false;
	if (e)
		return e;
	tarball = ksource_local_tarball(v);
	if (!tarball)
		return NULL;
	o.tarball = tarball;
	e = kt_read_file(fragment, 1 << 20, &text, NULL);
	if (!e)
		e = read_addition(v, &add_path, &add_text);
	if (!e)
		e = key_of(&o, text, add_text, key);
	*found = !e;
	free(tarball);
	free(text);
	free(add_path);
	free(add_text);
	return e;
}

static struct kterr *need_tool(const char *tool, const char *pkg)
{
	const char *path = getenv("PATH");
	char *dup = strdup(path ? path : "/usr/bin:/bin"), *save = NULL;
	bool found = false;

	for (char *d = strtok_r(dup, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *p = kt_path_join(d, tool);
		found = p && access(p, X_OK) == 0;
		free(p);
	}
	free(dup);
	if (found)
		return NULL;
	return kterr_hint(kterr_new(ENOENT, "%s not found in PATH", tool),
			  "apt-get install %s (./bootstrap installs everything)", pkg);
}

static struct kterr *check_tools(void)
{
	static const char *const tools[][2] = {
		{ "make", "make" }, { "gcc", "gcc" }, { "tar", "tar" },
		{ "xz", "xz-utils" }, { "flex", "flex" }, { "bison", "bison" },
		{ "bc", "bc" }, { "pahole", "dwarves" }, { "objcopy", "binutils" },
		{ "clang-19", "clang-19" }, { "llvm-strip-19", "llvm-19" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(tools); i++) {
		struct kterr *e = need_tool(tools[i][0], tools[i][1]);
		if (e)
			return kterr_wrap(e, "kernel build needs %s", tools[i][0]);
	}
	return NULL;
}

static struct kterr *phase_extract(struct kb *b)
{
	const char *tarball = b->o->tarball ? b->o->tarball : KBUILD_DEFAULT_TARBALL;
	struct kterr *e;

	if (b->o->source) {
		b->src = strdup(b->o->source);
		if (!kt_exists(b->src) || !b->src)
			return kterr_errno("kernel source %s", b->o->source);
		return NULL;
	}
	b->src = kt_path_join(b->work, "src");
	char *done = kt_path_join(b->work, "extracted");
	if (!b->src || !done) {
		free(done);
		return kterr_new(ENOMEM, "extract");
	}
	/* A resumed build reuses a complete extraction (the marker is
	 * written after tar succeeds); a partial one is redone. */
	if (kt_exists(done)) {
		progress_note(&b->prog, "resuming the interrupted build in %s", b->work);
		free(done);
		return NULL;
	}
	progress_phase(&b->prog, "extract");
	e = kt_rm_rf(b->src);
	if (!e)
		e = kt_mkdir_p(b->src, 0755);
	if (!e) {
		const char *argv[] = { "tar", "-xf", tarball, "-C", b->src,
				       "--strip-components=1", NULL };
		e = kterr_wrap(run(b, argv, NULL, NULL, NULL), "extract %s", tarball);
	}
	if (!e)
		e = kt_write_file(done, "", 0);
	free(done);
	return e;
}

static struct kterr *phase_configure(struct kb *b, const struct kconfig_frag *frag)
{
	char *allconfig = kt_path_join(b->out, "ktcon.allconfig");
	char *rendered = kconfig_frag_render(frag);
	char *dotconfig = kt_path_join(b->out, ".config"), *text = NULL, *warn = NULL;
	char *kca = kt_strfmt("KCONFIG_ALLCONFIG=%s", allconfig ? allconfig : "");
	char *odir = kt_strfmt("O=%s", b->out);
	struct kterr *e;

	progress_phase(&b->prog, "configure");
	e = kt_mkdir_p(b->out, 0755);
	if (!e && (!allconfig || !rendered || !dotconfig || !kca || !odir))
		e = kterr_new(ENOMEM, "configure");
	/* A kept tree build whose fragment did not change keeps its .config:
	 * rewriting it would make kbuild recheck every option. */
	if (!e && b->o->source && kt_exists(dotconfig) && kt_exists(allconfig)) {
		struct kterr *re = kt_read_file(allconfig, 1 << 20, &text, NULL);
		bool same = !re && !strcmp(text, rendered);

		kterr_free(re);
		free(text);
		text = NULL;
		if (same) {
			progress_note(&b->prog, "the configuration in %s is unchanged", b->out);
			goto done;
		}
	}
	if (!e)
		e = kt_write_file(allconfig, rendered, strlen(rendered));
	if (!e) {
		/* allnoconfig, not defconfig: the fragment lists all a guest
		 * needs, so everything else stays out of the build. */
		const char *argv[] = { "make", "-C", b->src, odir, kca, "allnoconfig", NULL };
		e = run(b, argv, NULL, NULL, NULL);
	}
	if (!e)
		e = kt_read_file(dotconfig, 16 << 20, &text, NULL);
	if (!e)
		e = kconfig_check(frag, text, &warn);
	if (warn) {
		for (char *l = strtok(warn, "\n"); l; l = strtok(NULL, "\n"))
			progress_note(&b->prog, "note: %s", l);
	}
done:
	free(allconfig);
	free(rendered);
	free(dotconfig);
	free(text);
	free(warn);
	free(kca);
	free(odir);
	return kterr_wrap(e, "configure the guest kernel");
}

static struct kterr *phase_compile(struct kb *b)
{
	char *odir = kt_strfmt("O=%s", b->out);
	struct kterr *e;

	progress_phase(&b->prog, "compile");
	const char *argv[] = { "make", "-C", b->src, odir, "-j", b->jobs, "bzImage", NULL };
	e = run(b, argv, NULL, count_compile, b);
	free(odir);
	return kterr_wrap(e, "compile the guest kernel");
}

static struct kterr *phase_release(struct kb *b, char **release)
{
	char *odir = kt_strfmt("O=%s", b->out);
	const char *argv[] = { "make", "-s", "-C", b->src, odir, "kernelrelease", NULL };
	struct kterr *e;

	*release = NULL;
	e = run(b, argv, NULL, capture_line, release);
	free(odir);
	if (!e && (!*release || !**release || strchr(*release, '/')))
		e = kterr_new(EINVAL, "make kernelrelease printed '%s'", *release ? *release : "");
	return e;
}

/* tools/sched_ext's arguments: its tree, O= and the vmlinux it reads BTF
 * from (tools/ makefiles insist that O= exists). */
struct sched_make {
	char *tools, *odir, *btf, *libbpf, *bpftool;
};

static struct kterr *sched_make_init(struct kb *b, struct sched_make *sm)
{
	sm->tools = kt_path_join(b->src, "tools/sched_ext");
	sm->odir = kt_strfmt("O=%s/sched_ext", b->out);
	sm->btf = kt_strfmt("VMLINUX_BTF=%s/vmlinux", b->out);
	sm->libbpf = kt_strfmt("%s/sched_ext/build/obj/libbpf/libbpf.a", b->out);
	sm->bpftool = kt_strfmt("%s/sched_ext/build/sbin/bpftool", b->out);
	if (!sm->tools || !sm->odir || !sm->btf || !sm->libbpf || !sm->bpftool)
		return kterr_new(ENOMEM, "tools/sched_ext");
	return kt_mkdir_p(sm->odir + 2, 0755);
}

static void sched_make_free(struct sched_make *sm)
{
	free(sm->tools);
	free(sm->odir);
	free(sm->btf);
	free(sm->libbpf);
	free(sm->bpftool);
}

/*
 * The schedulers' tools (libbpf and bpftool) do not need the kernel, so
 * they build on a thread of their own, one job, while the kernel compiles:
 * they use the core the kernel's serial link steps leave idle. Their
 * output goes to a log of their own so the two never interleave.
 *
 * bpftool's own skeletons want a vmlinux BTF while the kernel's does not
 * exist yet; they are CO-RE, so the host's BTF serves. A host without
 * /sys/kernel/btf/vmlinux builds the tools after the kernel instead.
 */
#define HOST_BTF "/sys/kernel/btf/vmlinux"

struct tools_job {
	struct kb *b;
	struct sched_make sm;
	const char *btf;	/* VMLINUX_BTF=... for this pass */
	pthread_t thread;
	bool started, deferred;
	struct kterr *err;
	atomic_ulong files;
};

static void count_tools(const char *line, void *ctx)
{
	struct tools_job *t = ctx;

	if (progress_is_kbuild_compile(line))
		atomic_fetch_add(&t->files, 1);
}

static void *tools_thread(void *arg)
{
	struct tools_job *t = arg;
	char *log = kt_path_join(t->b->work, "tools.log");
	int fd = log ? open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
	/* Two passes in all: these tools first with their own LDFLAGS, then
	 * (phase_schedulers) the schedulers linked statically, so the guest
	 * needs no shared libraries for them. One pass would leak -static
	 * into the libbpf.so link, which fails. */
	const char *argv[] = { "make", "-C", t->sm.tools, t->sm.odir, t->btf, "-j", "1",
			       "LLVM=-19", t->sm.libbpf, t->sm.bpftool, NULL };
	struct spawn_opts so = { .log_fd = fd, .on_line = count_tools, .ctx = t };

	t->err = spawn_run(argv, &so);
	if (t->err)
		t->err = kterr_hint(t->err, "the full log is %s", log ? log : "tools.log");
	if (fd >= 0)
		close(fd);
	free(log);
	return NULL;
}

static struct kterr *tools_start(struct kb *b, struct tools_job *t)
{
	int r;

	memset(t, 0, sizeof(*t));
	t->b = b;
	struct kterr *e = sched_make_init(b, &t->sm);

	if (e)
		return kterr_wrap(e, "prepare the tools/sched_ext build");
	if (!kt_exists(HOST_BTF)) {
		t->deferred = true;
		t->btf = t->sm.btf;
		return NULL;
	}
	t->btf = "VMLINUX_BTF=" HOST_BTF;
	r = pthread_create(&t->thread, NULL, tools_thread, t);
	if (r)
		return kterr_new(r, "start the tools/sched_ext build");
	t->started = true;
	return NULL;
}

static struct kterr *tools_join(struct tools_job *t)
{
	struct kterr *e;

	if (!t->started)
		return NULL;
	pthread_join(t->thread, NULL);
	t->started = false;
	t->b->files += atomic_load(&t->files);
	e = t->err;
	t->err = NULL;
	return e ? kterr_wrap(e, "build libbpf and bpftool for tools/sched_ext") : NULL;
}

static struct kterr *phase_schedulers(struct kb *b, struct tools_job *t)
{
	struct kterr *e;

	progress_phase(&b->prog, "schedulers");
	if (t->deferred) {
		t->deferred = false;
		tools_thread(t);
		t->b->files += atomic_load(&t->files);
		e = t->err ? kterr_wrap(t->err, "build libbpf and bpftool for tools/sched_ext")
			   : NULL;
		t->err = NULL;
	} else {
		e = tools_join(t);
	}
	if (e)
		return e;
	const char *argv[] = { "make", "-C", t->sm.tools, t->sm.odir, t->sm.btf, "-j", b->jobs,
			       "LLVM=-19", "LDFLAGS=-static -lelf -lz -lpthread",
			       "all_targets", NULL };
	e = run(b, argv, NULL, count_compile, b);
	return kterr_wrap(e, "build tools/sched_ext with clang-19");
}

static bool elf_has_section(const char *path, const char *want)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf;
	size_t shstrndx;
	bool found = false;

	if (fd < 0)
		return false;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf && elf_getshdrstrndx(elf, &shstrndx) == 0) {
		for (Elf_Scn *s = NULL; !found && (s = elf_nextscn(elf, s)); ) {
			GElf_Shdr sh;
			const char *name;

			if (gelf_getshdr(s, &sh) && (name = elf_strptr(elf, shstrndx, sh.sh_name)))
				found = !strcmp(name, want);
		}
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return found;
}

static struct kterr *copy_file(struct kb *b, const char *from, const char *to)
{
	const char *argv[] = { "cp", "--", from, to, NULL };

	return run(b, argv, NULL, NULL, NULL);
}

/* Every scheduler tools/sched_ext built: its Makefile's list is the
 * kernel's, not ours. None at all means the build went wrong. */
static struct kterr *stage_schedulers(struct kb *b, const char *to_dir)
{
	char *bin = kt_strfmt("%s/sched_ext/build/bin", b->out);
	DIR *d = bin ? opendir(bin) : NULL;
	struct dirent *de;
	struct kterr *e = NULL;
	int n = 0;

	if (!d) {
		e = bin ? kterr_errno("open %s", bin) : kterr_new(ENOMEM, "stage");
		free(bin);
		return e;
	}
	while (!e && (de = readdir(d))) {
		char *from = kt_path_join(bin, de->d_name);
		struct stat st;

		if (from && de->d_name[0] != '.' && stat(from, &st) == 0 &&
		    S_ISREG(st.st_mode) && (st.st_mode & S_IXUSR)) {
			char *to = kt_path_join(to_dir, de->d_name);
			e = to ? copy_file(b, from, to) : kterr_new(ENOMEM, "stage");
			free(to);
			n++;
		}
		free(from);
	}
	closedir(d);
	if (!e && !n)
		e = kterr_new(ENOENT, "tools/sched_ext built no scheduler into %s", bin);
	free(bin);
	return e;
}

static struct kterr *phase_stage(struct kb *b, const char *release, const char *key)
{
	char *p_bz = kt_path_join(b->out, "arch/x86/boot/bzImage");
	char *p_vml = kt_path_join(b->out, "vmlinux");
	char *p_cfg = kt_path_join(b->out, ".config");
	char *s_bz = kt_path_join(b->stage, KCACHE_BZIMAGE);
	char *s_vml = kt_path_join(b->stage, KCACHE_VMLINUX);
	char *s_cfg = kt_path_join(b->stage, KCACHE_CONFIG);
	char *s_sch = kt_path_join(b->stage, KCACHE_SCHEDULERS);
	char *s_meta = kt_path_join(b->stage, KCACHE_META);
	char *meta = NULL;
	struct kterr *e;

	progress_phase(&b->prog, "install");
	e = kt_rm_rf(b->stage);	/* a resumed build's half stage */
	if (!e)
		e = kt_mkdir_p(s_sch, 0755);
	if (!e)
		e = copy_file(b, p_bz, s_bz);
	if (!e)
		e = copy_file(b, p_cfg, s_cfg);
	if (!e) {
		/* Symbols and .BTF stay; DWARF (most of the size) goes. */
		const char *argv[] = { "objcopy", "--strip-debug", p_vml, s_vml, NULL };
		e = run(b, argv, NULL, NULL, NULL);
	}
	if (!e && !elf_has_section(s_vml, ".BTF"))
		e = kterr_hint(kterr_new(ENOENT, "%s has no .BTF section", s_vml),
			       "CONFIG_DEBUG_INFO_BTF needs pahole (apt-get install dwarves)");
	if (!e)
		e = stage_schedulers(b, s_sch);
	if (!e) {
		meta = kt_strfmt("release=%s\nkey=%s\nbuilt=%lld\nsource=%s\nfragment=%s\n"
				 "fragment-addition=%s\nfiles=%lu\nrecipe=%s\n",
				 release, key, (long long)time(NULL),
				 b->o->source ? b->o->source :
				 (b->o->tarball ? b->o->tarball : KBUILD_DEFAULT_TARBALL),
				 b->o->fragment, b->add_path ? b->add_path : "",
				 b->files, KBUILD_RECIPE);
		e = meta ? kt_write_file(s_meta, meta, strlen(meta)) : kterr_new(ENOMEM, "meta");
	}
	free(p_bz); free(p_vml); free(p_cfg);
	free(s_bz); free(s_vml); free(s_cfg); free(s_sch); free(s_meta);
	free(meta);
	return kterr_wrap(e, "install into the kernel cache");
}

/* Swap dir/schedulers for a freshly staged dir/.schedulers-new: the old
 * folder is moved aside first, so a failure leaves one of the two whole. */
static struct kterr *swap_schedulers(const char *dir, const char *fresh)
{
	char *cur = kt_path_join(dir, KCACHE_SCHEDULERS);
	char *old = kt_path_join(dir, ".schedulers-old");
	struct kterr *e = cur && old ? kt_rm_rf(old) : kterr_new(ENOMEM, "swap");

	if (!e && rename(cur, old) < 0)
		e = kterr_errno("rename %s to %s", cur, old);
	if (!e && rename(fresh, cur) < 0) {
		e = kterr_errno("rename %s to %s", fresh, cur);
		if (rename(old, cur) < 0)
			e = kterr_hint(e, "the old schedulers are in %s", old);
	}
	if (!e)
		kterr_free(kt_rm_rf(old));
	free(cur);
	free(old);
	return e;
}

/*
 * --scheduler-only: make tools/sched_ext again in the tree's kept build
 * directory (make rebuilds the schedulers whose sources changed, against
 * the vmlinux BTF of the last kernel build) and put them into the tree's
 * entry; the kernel is not touched.
 */
static struct kterr *schedulers_only(struct kb *b, const char *key, struct kbuild_result *res)
{
	char *vmlinux = kt_path_join(b->out, "vmlinux");
	char *fresh = NULL;
	struct tools_job t;
	bool found = false;
	struct kterr *e = kcache_find_key(b->root, key, &res->entry, &found);

	if (!e && (!found || !vmlinux || !kt_exists(vmlinux)))
		e = kterr_hint(kterr_new(ENOENT, "no kernel build of %s yet (in %s)",
					 b->o->source, b->work),
			       "build it once: ktcon kernel build --source %s", b->o->source);
	if (!e)
		e = sched_make_init(b, &t.sm);
	if (!e) {
		/* The tools are up to date, so no thread; they see the BTF
		 * the full build gave them (tools_start), or bpftool would
		 * regenerate its vmlinux.h from the newer kernel's and
		 * rebuild itself. */
		t.b = b;
		t.deferred = true;
		t.started = false;
		t.err = NULL;
		atomic_init(&t.files, 0);
		t.btf = kt_exists(HOST_BTF) ? "VMLINUX_BTF=" HOST_BTF : t.sm.btf;
		e = phase_schedulers(b, &t);
		sched_make_free(&t.sm);
	}
	if (!e)
		fresh = kt_path_join(res->entry.dir, ".schedulers-new");
	if (!e && !fresh)
		e = kterr_new(ENOMEM, "stage");
	if (!e)
		e = kt_rm_rf(fresh);
	if (!e)
		e = kt_mkdir_p(fresh, 0755);
	if (!e) {
		progress_phase(&b->prog, "install");
		e = stage_schedulers(b, fresh);
	}
	if (!e)
		e = swap_schedulers(res->entry.dir, fresh);
	progress_done(&b->prog, &res->build_ns);
	res->files = b->files;
	free(vmlinux);
	free(fresh);
	return kterr_wrap(e, "rebuild the schedulers of %s", b->o->source);
}

/* A tree's new entry replaces its last one even when the release changed
 * (a new tag, a changed EXTRAVERSION): one entry per tree. */
static void remove_other_entries(const char *root, const char *key, const char *keep)
{
	struct kcache_entry *v;
	size_t n;

	if (kcache_list(root, &v, &n))
		return;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].key, key) && strcmp(v[i].name, keep))
			kterr_free(kt_rm_rf(v[i].dir));
	kcache_entries_free(v, n);
}

static void on_lock_wait(void *ctx)
{
	struct kb *b = ctx;

	progress_note(&b->prog, "another `ktcon kernel build` holds %s/.lock; waiting for it",
		      b->root);
}

/* Files compiled by the last build, for an "n/~total" progress figure. */
static unsigned long expected_files(const char *root)
{
	struct kcache_entry *v;
	size_t n;
	unsigned long files = 0;

	if (kcache_list(root, &v, &n))
		return 0;
	for (size_t i = 0; i < n && !files; i++) {
		char *mp = kt_path_join(v[i].dir, KCACHE_META), *meta = NULL;

		if (mp && !kt_read_file(mp, 1 << 16, &meta, NULL)) {
			char *f = kcache_meta_get(meta, "files");
			files = f ? strtoul(f, NULL, 10) : 0;
			free(f);
		}
		free(meta);
		free(mp);
	}
	kcache_entries_free(v, n);
	return files;
}

static void kb_free(struct kb *b)
{
	if (b->log_fd >= 0)
		close(b->log_fd);
	free(b->root);
	free(b->work);
	free(b->src);
	free(b->out);
	free(b->stage);
	free(b->log_path);
	free(b->add_path);
}

/* The build the key names is in the cache already: *found, res says where.
 * Never for --force, nor for a tree, which is always built: make, in its
 * kept directory, knows what changed. */
static struct kterr *cached(const struct kbuild_opts *o, const char *root, const char *key,
			    struct kbuild_result *res, bool *found)
{
	struct kterr *e;

	*found = false;
	if (o->force || o->source)
		return NULL;
	e = kcache_find_key(root, key, &res->entry, found);
	if (e || *found)
		res->cached = *found;
	return e;
}

struct kterr *kbuild_run(const struct kbuild_opts *user, struct kbuild_result *res)
{
	/* The caller's options with the version's tarball filled in. */
	struct kbuild_opts ro = *user;
	const struct kbuild_opts *o = &ro;
	struct kb b = { .o = o, .log_fd = -1 };
	struct kconfig_frag frag = { 0 }, add = { 0 };
	const struct ksource_version *v = NULL;
	char *frag_text = NULL, *add_text = NULL, *tarball = NULL, *release = NULL,
	     *name = NULL, *tree = NULL, *tree_ver = NULL;
	char key[17];
	int lock = -1;
	bool found;
	struct kterr *e;

	memset(res, 0, sizeof(*res));
	progress_init(&b.prog, o->out ? o->out : stderr, "kernel build");
	snprintf(b.jobs, sizeof(b.jobs), "%d",
		 o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN));

	/* A tree of the user's own takes the addition of its release (from
	 * its Makefile, or --version); Debian's source always has one. */
	if (o->source) {
		e = ktree_realpath(o->source, &tree);
		if (e)
			goto out;
		ro.source = tree;
		tree_ver = ktree_version(tree);
		if (!o->version && tree_ver && ksource_lookup(tree_ver))
			ro.version = tree_ver;
	}
	if (o->scheduler_only && !o->source) {
		e = kterr_hint(kterr_new(EINVAL, "--scheduler-only needs --source DIR"),
			       "a Debian source build keeps no build directory; "
			       "`ktcon kernel build --force` rebuilds it all");
		goto out;
	}
	if (o->version || !o->source)
		e = ksource_find(o->version ? o->version : KSOURCE_DEFAULT_VERSION, &v);
	else
		e = NULL;
	if (!e && v && !o->source && !o->tarball) {
		e = ksource_tarball(v, o->out ? o->out : stderr, &tarball);
		ro.tarball = tarball;
	}
	if (e)
		goto out;
	e = kt_read_file(o->fragment, 1 << 20, &frag_text, NULL);
	if (e) {
		e = kterr_wrap(e, "read the kernel config fragment");
		goto out;
	}
	e = kconfig_frag_parse(frag_text, o->fragment, &frag);
	if (!e)
		e = read_addition(v, &b.add_path, &add_text);
	if (!e && add_text)
		e = kconfig_frag_parse(add_text, b.add_path, &add);
	if (!e && add_text)
		e = kconfig_frag_merge(&frag, &add);
	if (!e)
		e = key_of(o, frag_text, add_text, key);
	if (!e)
		e = o->cache_root ? ((b.root = strdup(o->cache_root)) ? NULL :
				     kterr_new(ENOMEM, "cache root"))
				  : kcache_root(&b.root);
	if (e)
		goto out;

	/* Fast path: already built, no lock or tools needed. */
	if ((e = cached(o, b.root, key, res, &found)) || found)
		goto out;
	e = check_tools();
	if (e)
		goto out;
	e = kcache_lock(b.root, &lock, on_lock_wait, &b);
	if (e)
		goto out;
	/* Someone may have built it while we waited. */
	if ((e = cached(o, b.root, key, res, &found)) || found)
		goto out;
	if (kcache_gc(b.root, key))
		progress_note(&b.prog, "removed the leftovers of other interrupted builds");

	if (o->source)
		e = ktree_build_dir(b.root, tree, &b.work);
	else
		b.work = kt_strfmt("%s/.work-%s", b.root, key);
	if (e)
		goto out;
	b.out = b.work ? kt_path_join(b.work, "out") : NULL;
	b.stage = b.work ? kt_path_join(b.work, "stage") : NULL;
	b.log_path = kt_path_join(b.root, "last-build.log");
	if (!b.work || !b.out || !b.stage || !b.log_path) {
		e = kterr_new(ENOMEM, "kernel build");
		goto out;
	}
	e = kt_mkdir_p(b.work, 0755);
	if (e)
		goto out;
	b.log_fd = open(b.log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (b.log_fd < 0) {
		e = kterr_errno("open %s", b.log_path);
		goto out;
	}
	b.prog.expect = expected_files(b.root);
	progress_note(&b.prog, "building %s with %s%s%s into %s (log: %s)",
		      o->source ? o->source : (o->tarball ? o->tarball : KBUILD_DEFAULT_TARBALL),
		      o->fragment, b.add_path ? " + " : "", b.add_path ? b.add_path : "",
		      b.root, b.log_path);

	e = phase_extract(&b);
	if (!e && o->scheduler_only) {
		e = schedulers_only(&b, key, res);
		goto out;
	}
	if (!e)
		e = phase_configure(&b, &frag);
	struct tools_job tools = { 0 };
	if (!e)
		e = tools_start(&b, &tools);
	if (!e)
		e = phase_compile(&b);
	if (!e)
		e = phase_release(&b, &release);
	if (!e)
		e = phase_schedulers(&b, &tools);
	/* On any failure, wait for the tools thread before cleaning up. */
	kterr_free(tools_join(&tools));
	sched_make_free(&tools.sm);
	if (!e)
		e = phase_stage(&b, release, key);
	if (!e) {
		name = kt_strfmt("%s-%s", release, key);
		e = name ? kcache_commit(b.root, b.stage, name) : kterr_new(ENOMEM, "commit");
	}
	if (!e && o->source)
		remove_other_entries(b.root, key, name);
	if (!e)
		e = kcache_find_key(b.root, key, &res->entry, &found);
	if (!e && !found)
		e = kterr_new(ENOENT, "the new entry %s vanished from %s", name, b.root);
	progress_done(&b.prog, &res->build_ns);
	res->files = b.files;
	if (!e && !o->source) {
		/* The work tree is only objects now; the entry has what we keep.
		 * A tree's stays: its next build is incremental. */
		kterr_free(kt_rm_rf(b.work));
	}
out:
	kcache_unlock(lock);
	kconfig_frag_free(&frag);
	kconfig_frag_free(&add);
	free(frag_text);
	free(add_text);
	free(tarball);
	free(release);
	free(name);
	free(tree);
	free(tree_ver);
	kb_free(&b);
	return e;
}

void kbuild_result_free(struct kbuild_result *r)
{
	kcache_entry_free(&r->entry);
}
