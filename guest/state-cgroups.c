/* state-cgroups.c - read a cgroup tree; see state-cgroups.h. */
#include "guest/state-cgroups.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A cgroup's directory, and a file in it. */
#define DIR_BUF (CG_STATE_PATH_MAX * 2 + 64)
#define FILE_BUF (DIR_BUF + 64)

const char *const cg_knob_files[CG_NKNOBS] = {
	"cpu.weight", "cpu.max", "memory.max", "io.weight", "pids.max",
};

const char *const cg_cpustat_keys[CG_NCPUSTAT] = {
	"usage_usec", "user_usec", "system_usec", "nr_periods", "nr_throttled", "throttled_usec",
};

void cg_cpustat_parse(const char *text, int64_t vals[CG_NCPUSTAT])
{
	for (int k = 0; k < CG_NCPUSTAT; k++)
		vals[k] = -1;
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t kl = strcspn(l, " \n");
		char *end;
		unsigned long long v;

		if (l[kl] != ' ' || !isdigit((unsigned char)l[kl + 1]))
			continue;
		errno = 0;
		v = strtoull(l + kl + 1, &end, 10);
		if (errno || end == l + kl + 1 || (*end && *end != '\n') || v > INT64_MAX)
			continue;
		for (int k = 0; k < CG_NCPUSTAT; k++)
			if (strlen(cg_cpustat_keys[k]) == kl && !strncmp(l, cg_cpustat_keys[k], kl))
				vals[k] = (int64_t)v;
	}
}

/* dir/file into buf, trailing whitespace dropped, newlines as "; " (io.weight
 * has a line per device). False when it cannot be read. */
static bool read_small(const char *dir, const char *file, char *buf, size_t size)
{
	char path[FILE_BUF], raw[512];
	size_t o = 0;
	ssize_t r;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path))
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	r = read(fd, raw, sizeof(raw) - 1);
	close(fd);
	if (r < 0)
		return false;
	while (r > 0 && (raw[r - 1] == '\n' || raw[r - 1] == ' '))
		r--;
	raw[r] = '\0';
	for (const char *s = raw; *s && o + 1 < size; s++) {
		if (*s != '\n') {
			buf[o++] = *s;
		} else if (o + 3 < size) {
			buf[o++] = ';';
			buf[o++] = ' ';
		}
	}
	buf[o] = '\0';
	return true;
}

/* Lines of dir/cgroup.procs, -1 when unreadable. */
static long count_procs(const char *dir)
{
	char path[FILE_BUF], buf[4096];
	long n = 0;
	ssize_t r;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= sizeof(path))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < r; i++)
			n += buf[i] == '\n';
	close(fd);
	return r < 0 ? -1 : n;
}

/* "populated 1\nfrozen 0" */
static void read_events(const char *dir, struct cg_state *cg)
{
	char buf[256];

	cg->populated = cg->frozen = -1;
	if (!read_small(dir, "cgroup.events", buf, sizeof(buf)))
		return;
	for (char *save, *tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		int v;
		char key[32];

		if (sscanf(tok, " %31s %d", key, &v) != 2)
			continue;
		if (!strcmp(key, "populated"))
			cg->populated = v;
		else if (!strcmp(key, "frozen"))
			cg->frozen = v;
	}
}

static void read_cgroup(const char *dir, const char *rel, struct cg_state *cg)
{
	memset(cg, 0, sizeof(*cg));
	snprintf(cg->path, sizeof(cg->path), "%s", rel);
	cg->has_cpus = read_small(dir, "cpuset.cpus.effective", cg->cpus, sizeof(cg->cpus));
	read_events(dir, cg);
	cg->nprocs = count_procs(dir);
	for (int k = 0; k < CG_NKNOBS; k++)
		cg->has_knob[k] = read_small(dir, cg_knob_files[k], cg->knob[k], sizeof(cg->knob[k]));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The subdirectories of dir, sorted; NULL-terminated, malloc'd. */
static struct kterr *subdirs(const char *dir, char ***out, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (!d)
		return kterr_errno("open %s", dir);
	while ((de = readdir(d))) {
		char sub[FILE_BUF];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (de->d_type == DT_UNKNOWN) {
			snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
			if (lstat(sub, &st) < 0 || !S_ISDIR(st.st_mode))
				continue;
		} else if (de->d_type != DT_DIR) {
			continue;
		}
		if (*n + 1 >= cap) {
			char **nv = realloc(v, (cap = cap ? cap * 2 : 8) * sizeof(*nv));

			if (!nv)
				goto oom;
			v = nv;
		}
		if (!(v[*n] = strdup(de->d_name)))
			goto oom;
		v[++*n] = NULL;
	}
	closedir(d);
	if (v)
		qsort(v, *n, sizeof(*v), by_name);
	*out = v;
	return NULL;
oom:
	closedir(d);
	for (size_t i = 0; i < *n; i++)
		free(v[i]);
	free(v);
	*n = 0;
	return kterr_new(ENOMEM, "list %s", dir);
}

struct walk {
	cg_visit_fn visit;
	void *ctx;
	bool stopped;
};

/* Visit the children of dir (rel is its path below the root, "" for
 * the root). False when the walk must end. */
static bool walk_dir(struct walk *w, const char *dir, const char *rel, int depth)
{
	char **names;
	size_t n;
	bool go = true;
	struct kterr *e = subdirs(dir, &names, &n);

	/* A cgroup removed while we walk is not an error: it is gone. */
	kterr_free(e);
	if (depth >= CG_STATE_MAX_DEPTH && n) {
		w->stopped = true;
		n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		char sub[DIR_BUF], subrel[CG_STATE_PATH_MAX];
		struct cg_state cg;
		int l1 = snprintf(sub, sizeof(sub), "%s/%s", dir, names[i]);
		int l2 = snprintf(subrel, sizeof(subrel), "%s%s%s", rel, *rel ? "/" : "",
				  names[i]);

		if (!go || l1 >= (int)sizeof(sub) || l2 >= (int)sizeof(subrel)) {
			/* a path the host could not be told whole: say so */
			w->stopped = w->stopped || go;
			continue;
		}
		read_cgroup(sub, subrel, &cg);
		if (!w->visit(&cg, w->ctx)) {
			w->stopped = true;
			go = false;
			continue;
		}
		go = walk_dir(w, sub, subrel, depth + 1);
	}
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
	return go;
}

struct kterr *cg_walk(const char *root, cg_visit_fn visit, void *ctx, bool *stopped)
{
	struct walk w = { visit, ctx, false };
	struct stat st;

	if (stopped)
		*stopped = false;
	if (stat(root, &st) < 0)
		return kterr_errno("cgroup tree %s", root);
	if (!S_ISDIR(st.st_mode))
		return kterr_new(ENOTDIR, "cgroup tree %s is not a directory", root);
	walk_dir(&w, root, "", 0);
	if (stopped)
		*stopped = w.stopped;
	return NULL;
}
