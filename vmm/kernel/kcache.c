/* kcache.c - the guest kernel cache; see kcache.h. */
#include "vmm/kernel/kcache.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"

struct kterr *kcache_root(char **root)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	if (xdg && *xdg == '/')
		*root = kt_strfmt("%s/ktcon/kernels", xdg);
	else if (home && *home)
		*root = kt_strfmt("%s/.cache/ktcon/kernels", home);
	else
		return kterr_hint(kterr_new(ENOENT, "kernel cache: neither XDG_CACHE_HOME nor HOME is set"),
				  "set XDG_CACHE_HOME to a writable directory");
	return *root ? NULL : kterr_new(ENOMEM, "kernel cache path");
}

void kcache_key(const char *const *inputs, const size_t *lens, size_t n, char key[17])
{
	uint64_t h = KT_FNV_INIT;

	for (size_t i = 0; i < n; i++) {
		/* Length-prefix each input so ("ab","c") and ("a","bc") differ. */
		uint64_t l = lens[i];

		h = kt_fnv1a64(h, &l, sizeof(l));
		h = kt_fnv1a64(h, inputs[i], lens[i]);
	}
	snprintf(key, 17, "%016llx", (unsigned long long)h);
}

char *kcache_meta_get(const char *text, const char *key)
{
	size_t kl = strlen(key);

	for (const char *p = text; p && *p; ) {
		const char *nl = strchr(p, '\n');
		size_t ll = nl ? (size_t)(nl - p) : strlen(p);

		if (ll > kl && !strncmp(p, key, kl) && p[kl] == '=')
			return strndup(p + kl + 1, ll - kl - 1);
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

/* An entry name is "<release>-<16 hex>"; the key is its last 16 chars. */
static bool split_name(const char *name, char **release, char **key)
{
	size_t n = strlen(name);

	if (name[0] == '.' || n < 18 || name[n - 17] != '-')
		return false;
	for (size_t i = n - 16; i < n; i++)
		if (!strchr("0123456789abcdef", name[i]))
			return false;
	*release = strndup(name, n - 17);
	*key = strdup(name + n - 16);
	return *release && *key;
}

static struct kterr *load_entry(const char *root, const char *name,
				struct kcache_entry *e, bool *ok)
{
	struct stat st;
	char *meta_path, *meta = NULL;

	memset(e, 0, sizeof(*e));
	*ok = false;
	if (!split_name(name, &e->release, &e->key)) {
		kcache_entry_free(e);
		return NULL;
	}
	e->name = strdup(name);
	e->dir = kt_path_join(root, name);
	if (!e->name || !e->dir) {
		kcache_entry_free(e);
		return kterr_new(ENOMEM, "kernel cache entry %s", name);
	}
	if (stat(e->dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		kcache_entry_free(e);
		return NULL;
	}
	e->built = st.st_mtime;
	meta_path = kt_path_join(e->dir, KCACHE_META);
	if (meta_path && !kt_read_file(meta_path, 1 << 16, &meta, NULL)) {
		char *b = kcache_meta_get(meta, "built");
		char *r = kcache_meta_get(meta, "release");
		char *src = kcache_meta_get(meta, "source");
		size_t sl = src ? strlen(src) : 0;

		/* Debian's builds come from a tarball; anything else is a
		 * user's tree (kbuild --source). */
		e->tree = src && (sl < 7 || strcmp(src + sl - 7, ".tar.xz"));
		free(src);

		if (b)
			e->built = strtoll(b, NULL, 10);
		if (r) {
			free(e->release);
			e->release = r;
		}
		free(b);
	}
	free(meta);
	free(meta_path);
	e->version = kcache_version_of_release(e->release);
	if (!e->version) {
		kcache_entry_free(e);
		return kterr_new(ENOMEM, "kernel cache entry %s", name);
	}
	*ok = true;
	return NULL;
}

static int by_built_desc(const void *a, const void *b)
{
	const struct kcache_entry *x = a, *y = b;

	if (x->built != y->built)
		return x->built < y->built ? 1 : -1;
	return strcmp(x->name, y->name);
}

struct kterr *kcache_list(const char *root, struct kcache_entry **entries, size_t *n)
{
	DIR *d = opendir(root);
	struct kcache_entry *v = NULL;
	size_t cnt = 0;
	struct dirent *de;
	struct kterr *err = NULL;

	*entries = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? NULL : kterr_errno("open kernel cache %s", root);
	while (!err && (de = readdir(d))) {
		struct kcache_entry e;
		bool ok;

		err = load_entry(root, de->d_name, &e, &ok);
		if (err || !ok)
			continue;
		struct kcache_entry *nv = realloc(v, (cnt + 1) * sizeof(*nv));
		if (!nv) {
			kcache_entry_free(&e);
			err = kterr_new(ENOMEM, "list kernel cache %s", root);
			break;
		}
		v = nv;
		v[cnt++] = e;
	}
	closedir(d);
	if (err) {
		kcache_entries_free(v, cnt);
		return err;
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), by_built_desc);
	*entries = v;
	*n = cnt;
	return NULL;
}

void kcache_entry_free(struct kcache_entry *e)
{
	free(e->name);
	free(e->dir);
	free(e->release);
	free(e->version);
	free(e->key);
	memset(e, 0, sizeof(*e));
}

void kcache_entries_free(struct kcache_entry *entries, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kcache_entry_free(&entries[i]);
	free(entries);
}

struct kterr *kcache_find_key(const char *root, const char *key,
			      struct kcache_entry *out, bool *found)
{
	struct kcache_entry *v;
	size_t n;
	struct kterr *e = kcache_list(root, &v, &n);

	*found = false;
	if (e)
		return e;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i].key, key)) {
			*out = v[i];
			memset(&v[i], 0, sizeof(v[i]));
			*found = true;
			break;
		}
	}
	kcache_entries_free(v, n);
	return NULL;
}

char *kcache_version_of_release(const char *release)
{
	size_t n = 0;

	while (release && isdigit((unsigned char)release[n]))
		n++;
	if (!n || release[n] != '.' || !isdigit((unsigned char)release[n + 1]))
		return strdup("");
	n++;
	while (isdigit((unsigned char)release[n]))
		n++;
	return strndup(release, n);
}

size_t kcache_pick(const struct kcache_entry *v, size_t n, const char *version,
		   const char *key)
{
	size_t newest = n;

	for (size_t i = 0; i < n; i++) {
		if (v[i].tree || strcmp(v[i].version, version))
			continue;
		if (key && !strcmp(v[i].key, key))
			return i;
		if (newest == n)
			newest = i;
	}
	return newest;
}

struct kterr *kcache_select(const char *root, const char *version, const char *key,
			    struct kcache_entry *out, bool *stale)
{
	struct kcache_entry *v;
	size_t n, i;
	struct kterr *e = kcache_list(root, &v, &n);

	if (e)
		return e;
	i = kcache_pick(v, n, version, key);
	if (i == n) {
		kcache_entries_free(v, n);
		return kterr_hint(kterr_new(ENOENT, "no %s guest kernel in %s", version, root),
				  "run `ktcon kernel build --version %s` (about 10 minutes on "
				  "2 cores), or pass --kernel PATH to a bzImage with its "
				  "vmlinux beside it", version);
	}
	*out = v[i];
	memset(&v[i], 0, sizeof(v[i]));
	if (stale)
		*stale = !key || strcmp(out->key, key);
	kcache_entries_free(v, n);
	return NULL;
}

struct kterr *kcache_lock(const char *root, int *fdp, void (*on_wait)(void *), void *ctx)
{
	struct kterr *e = kt_mkdir_p(root, 0755);
	char *path;
	int fd;

	if (e)
		return kterr_wrap(e, "kernel cache");
	path = kt_path_join(root, ".lock");
	if (!path)
		return kterr_new(ENOMEM, "kernel cache lock");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		e = kterr_errno("open %s", path);
		free(path);
		return e;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK) {
			e = kterr_errno("lock %s", path);
			goto fail;
		}
		if (on_wait)
			on_wait(ctx);
		while (flock(fd, LOCK_EX) < 0) {
			if (errno != EINTR) {
				e = kterr_errno("lock %s", path);
				goto fail;
			}
		}
	}
	/* Who holds it, for whoever waits next. */
	if (ftruncate(fd, 0) == 0) {
		char pid[32];
		int l = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
		if (pwrite(fd, pid, l, 0) < 0) {
			/* informational only */
		}
	}
	free(path);
	*fdp = fd;
	return NULL;
fail:
	close(fd);
	free(path);
	return e;
}

void kcache_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* drops the flock */
}

struct kterr *kcache_commit(const char *root, const char *staged, const char *name)
{
	char *final = kt_path_join(root, name);
	char *old = kt_strfmt("%s/.old-%s-%d", root, name, (int)getpid());
	struct kterr *e = NULL;
	bool moved_old = false;

	if (!final || !old) {
		e = kterr_new(ENOMEM, "commit kernel cache entry %s", name);
		goto out;
	}
	if (kt_exists(final)) {
		if (rename(final, old) < 0) {
			e = kterr_errno("move old entry %s aside", final);
			goto out;
		}
		moved_old = true;
	}
	if (rename(staged, final) < 0) {
		e = kterr_errno("rename %s to %s", staged, final);
		if (moved_old && rename(old, final) == 0)
			moved_old = false;
		goto out;
	}
	if (moved_old)
		kterr_free(kt_rm_rf(old));
out:
	free(final);
	free(old);
	return e;
}

int kcache_gc(const char *root, const char *keep_key)
{
	DIR *d = opendir(root);
	struct dirent *de;
	int removed = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, ".work-", 6) && strncmp(de->d_name, ".old-", 5))
			continue;
		if (keep_key && !strncmp(de->d_name, ".work-", 6) &&
		    !strcmp(de->d_name + 6, keep_key))
			continue;
		char *p = kt_path_join(root, de->d_name);
		struct kterr *e = p ? kt_rm_rf(p) : NULL;

		if (p && !e)
			removed++;
		kterr_free(e);
		free(p);
	}
	closedir(d);
	return removed;
}

/* Where the warm states of a kernel live (vmm/machine/warm.h): here, the
 * cache knows its own layout. */
struct kterr *kcache_warm_root(const char *bzimage, char **root)
{
	const char *env = getenv("KTCON_WARM_DIR");
	char *kroot = NULL, real_k[PATH_MAX], real_b[PATH_MAX];
	struct kterr *e;

	if (env && *env) {
		*root = strdup(env);
		return *root ? NULL : kterr_new(ENOMEM, "warm state path");
	}
	e = kcache_root(&kroot);
	if (e)
		return e;
	if (realpath(kroot, real_k) && realpath(bzimage, real_b) &&
	    !strncmp(real_b, real_k, strlen(real_k)) && real_b[strlen(real_k)] == '/') {
		/* <root>/<entry>/bzImage: beside it */
		*root = kt_strfmt("%s/warm", dirname(real_b));
	} else {
		*root = kt_strfmt("%s/warm", dirname(kroot));
	}
	free(kroot);
	return *root ? NULL : kterr_new(ENOMEM, "warm state path");
}
