/* ksched.c - the schedulers a guest kernel ships; see ksched.h. */
#include "vmm/kernel/ksched.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/util.h"
#include "vmm/kernel/kcache.h"
#include "vmm/kernel/kpick.h"

/*
 * Known broken: the scheduler builds and stages, but the kernel refuses
 * it for a reason outside ktcon. Each row says why, so the PENDING line
 * tells the user what would fix it.
 */
static const struct {
	const char *version, *name, *why;
} broken[] = {
	{ "7.3", "scx_qmap",
	  "the verifier refuses qmap_dequeue (-EACCES): bookworm's clang-19 emits stores "
	  "through an arena pointer before its addr_space_cast, a code generation bug fixed "
	  "in later clang; bookworm has no newer one" },
	/*
	 * Not TCG's and not ktcon's: 6.12's scx_central.c pins its loader to
	 * CPU 0 before it attaches, but 6.12's scx_ops_enable() (kernel/sched/
	 * ext.c) runs the enable, ops.init included, in the unbound RT kthread
	 * it creates on the first attach, which wakes where it last ran: where
	 * it was made decides for the boot (one 2-CPU guest failed 10 attaches
	 * out of 10, another passed 5 of 5). Later tools/sched_ext
	 * (7.3's) no longer checks: central_init kicks the central CPU and its
	 * dispatch starts the timer. tests/integration/central.int shows both
	 * by pinning that kthread. ktcon does not pin it for the user: that
	 * would pass a scheduler whose init is wrong on this kernel.
	 */
	{ "6.12", "scx_central",
	  "its central_init (tools/sched_ext/scx_central.bpf.c) fails with 'init from "
	  "non-central CPU' unless it runs on CPU 0; it relies on its loader's pinning to "
	  "CPU 0, but 6.12 runs ops.init in the scx_ops_enable_helper kthread "
	  "(scx_ops_enable() in kernel/sched/ext.c), on whatever CPU that last ran; "
	  "later scx_central (7.3) starts its timer from the central CPU's dispatch instead" },
};

const char *ksched_broken(const char *version, const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(broken); i++)
		if (version && name && !strcmp(broken[i].version, version) &&
		    !strcmp(broken[i].name, name))
			return broken[i].why;
	return NULL;
}

struct kterr *ksched_open(const char *spec, struct ksched_kernel *k)
{
	char *bz = NULL, *copy, *meta_path, *meta = NULL, *sched;
	struct kterr *e = kpick_bzimage(spec, &bz);

	memset(k, 0, sizeof(*k));
	if (e)
		return e;
	copy = strdup(bz);
	k->dir = copy ? strdup(dirname(copy)) : NULL;
	free(copy);
	free(bz);
	if (!k->dir)
		return kterr_new(ENOMEM, "kernel directory");
	/* No meta (a bzImage outside the cache): the directory's name. */
	meta_path = kt_path_join(k->dir, KCACHE_META);
	if (meta_path && kt_exists(meta_path)) {
		e = kt_read_file(meta_path, 1 << 16, &meta, NULL);
		if (!e)
			k->release = kcache_meta_get(meta, "release");
		kterr_free(e);
		e = NULL;
	}
	if (!k->release) {
		const char *base = strrchr(k->dir, '/');
		k->release = strdup(base ? base + 1 : k->dir);
	}
	k->version = k->release ? kcache_version_of_release(k->release) : NULL;
	sched = kt_path_join(k->dir, KCACHE_SCHEDULERS);
	k->has_list = sched && kt_is_dir(sched);
	free(sched);
	free(meta);
	free(meta_path);
	if (!k->release || !k->version) {
		ksched_close(k);
		return kterr_new(ENOMEM, "kernel release");
	}
	return NULL;
}

void ksched_close(struct ksched_kernel *k)
{
	free(k->dir);
	free(k->release);
	free(k->version);
	memset(k, 0, sizeof(*k));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *ksched_names(const struct ksched_kernel *k)
{
	char *dir = kt_path_join(k->dir, KCACHE_SCHEDULERS), *names[128], *out;
	DIR *dp = dir ? opendir(dir) : NULL;
	struct dirent *d;
	size_t n = 0, len = 1, off = 0;

	while (dp && (d = readdir(dp)) && n < ARRAY_SIZE(names))
		if (d->d_name[0] != '.' && (names[n] = strdup(d->d_name)))
			len += strlen(names[n++]) + 1;
	if (dp)
		closedir(dp);
	free(dir);
	qsort(names, n, sizeof(names[0]), cmp_str);
	out = malloc(len);
	if (out) {
		*out = '\0';
		for (size_t i = 0; i < n; i++)
			off += (size_t)snprintf(out + off, len - off, "%s%s", i ? " " : "", names[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	return out;
}

bool ksched_has(const struct ksched_kernel *k, const char *name)
{
	char *p;
	struct stat st;
	bool ok;

	if (!k->has_list)
		return true;
	if (!name || !*name || strchr(name, '/'))
		return false;
	p = kt_strfmt("%s/%s/%s", k->dir, KCACHE_SCHEDULERS, name);
	ok = p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
	free(p);
	return ok;
}
