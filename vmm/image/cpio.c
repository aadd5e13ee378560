/* cpio.c - the newc writer; see cpio.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/util.h"
#include "vmm/image/cpio.h"

#define CPIO_MAGIC "070701"
#define CPIO_HDR_LEN 110
#define CPIO_TRAILER "TRAILER!!!"
/* The largest file the initramfs takes: far above any scheduler or
 * payload, far below what would make guest RAM a problem. */
#define CPIO_MAX_FILE (512u << 20)

void cpio_init(struct cpio *c)
{
	memset(c, 0, sizeof(*c));
	c->next_ino = 1;
}

void cpio_free(struct cpio *c)
{
	for (size_t i = 0; i < c->n_paths; i++)
		free(c->paths[i]);
	free(c->paths);
	free(c->buf);
	memset(c, 0, sizeof(*c));
}

static struct kterr *reserve(struct cpio *c, size_t more)
{
	size_t cap = c->cap ? c->cap : 1 << 16;

	if (c->len + more <= c->cap)
		return NULL;
	while (cap < c->len + more)
		cap *= 2;
	uint8_t *nb = realloc(c->buf, cap);
	if (!nb)
		return kterr_new(ENOMEM, "grow the archive to %zu bytes", cap);
	c->buf = nb;
	c->cap = cap;
	return NULL;
}

static void pad4(struct cpio *c)
{
	while (c->len % 4)
		c->buf[c->len++] = 0;
}

/* A guest path: absolute, no empty, "." or ".." component, no trailing
 * slash. Everything else is the caller's bug, reported with the path. */
static struct kterr *check_path(const char *path)
{
	if (!path || path[0] != '/' || !path[1])
		return kterr_new(EINVAL, "'%s' is not an absolute guest path", path ? path : "(null)");
	for (const char *p = path; *p; ) {
		const char *s = ++p;
		size_t n = strcspn(s, "/");

		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return kterr_new(EINVAL, "guest path '%s' has an empty, '.' or '..' component",
					 path);
		p = s + n;
	}
	return NULL;
}

int cpio_has(const struct cpio *c, const char *path)
{
	for (size_t i = 0; i < c->n_paths; i++)
		if (!strcmp(c->paths[i], path))
			return 1;
	return 0;
}

static struct kterr *remember(struct cpio *c, const char *path)
{
	if (c->n_paths == c->cap_paths) {
		size_t cap = c->cap_paths ? 2 * c->cap_paths : 32;
		char **np = realloc(c->paths, cap * sizeof(*np));

		if (!np)
			return kterr_new(ENOMEM, "remember %s", path);
		c->paths = np;
		c->cap_paths = cap;
	}
	if (!(c->paths[c->n_paths] = strdup(path)))
		return kterr_new(ENOMEM, "remember %s", path);
	c->n_paths++;
	return NULL;
}

/* One entry: header, name (without the leading slash), data. */
static struct kterr *emit(struct cpio *c, const char *name, uint32_t mode,
			  const void *data, size_t len, unsigned rmaj, unsigned rmin)
{
	size_t namesz = strlen(name) + 1;
	char hdr[CPIO_HDR_LEN + 1];
	struct kterr *e;

	if (c->finished)
		return kterr_new(EINVAL, "add %s: the archive is already finished", name);
	if (len > CPIO_MAX_FILE)
		return kterr_new(EFBIG, "%s is %zu bytes; the initramfs takes files up to %u MiB",
				 name, len, CPIO_MAX_FILE >> 20);
	e = reserve(c, CPIO_HDR_LEN + namesz + len + 8);
	if (e)
		return kterr_wrap(e, "add %s", name);
	snprintf(hdr, sizeof(hdr), CPIO_MAGIC "%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 c->next_ino++, mode, 0u, 0u, S_ISDIR(mode) ? 2u : 1u, 0u, (unsigned)len,
		 0u, 0u, rmaj, rmin, (unsigned)namesz, 0u);
	memcpy(c->buf + c->len, hdr, CPIO_HDR_LEN);
	c->len += CPIO_HDR_LEN;
	memcpy(c->buf + c->len, name, namesz);
	c->len += namesz;
	pad4(c);
	if (len) {
		memcpy(c->buf + c->len, data, len);
		c->len += len;
		pad4(c);
	}
	return NULL;
}

/* Emit each missing ancestor of PATH as a 0755 directory. */
static struct kterr *add_parents(struct cpio *c, const char *path)
{
	char *p = strdup(path);
	struct kterr *e = NULL;

	if (!p)
		return kterr_new(ENOMEM, "add %s", path);
	for (char *s = strchr(p + 1, '/'); s && !e; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (!cpio_has(c, p)) {
			e = emit(c, p + 1, S_IFDIR | 0755, NULL, 0, 0, 0);
			if (!e)
				e = remember(c, p);
		}
		*s = '/';
	}
	free(p);
	return e;
}

/* Validate, refuse duplicates, create parents, then emit. */
static struct kterr *add(struct cpio *c, const char *path, uint32_t mode,
			 const void *data, size_t len, unsigned rmaj, unsigned rmin)
{
	struct kterr *e = check_path(path);

	if (e)
		return e;
	if (cpio_has(c, path))
		return kterr_new(EEXIST, "%s is already in the initramfs", path);
	e = add_parents(c, path);
	if (!e)
		e = emit(c, path + 1, mode, data, len, rmaj, rmin);
	if (!e)
		e = remember(c, path);
	return e;
}

struct kterr *cpio_add_dir(struct cpio *c, const char *path, mode_t perm)
{
	struct kterr *e = check_path(path);

	if (e || cpio_has(c, path))
		return e;
	return add(c, path, S_IFDIR | (perm & 07777), NULL, 0, 0, 0);
}

struct kterr *cpio_add_file(struct cpio *c, const char *path, mode_t perm,
			    const void *data, size_t len)
{
	return add(c, path, S_IFREG | (perm & 07777), data, len, 0, 0);
}

struct kterr *cpio_add_host_file(struct cpio *c, const char *path, const char *host_path)
{
	struct stat st;
	char *data = NULL;
	size_t len = 0;
	struct kterr *e;

	if (stat(host_path, &st) < 0)
		return kterr_errno("stat %s", host_path);
	if (!S_ISREG(st.st_mode))
		return kterr_new(EINVAL, "%s is not a regular file", host_path);
	e = kt_read_file(host_path, CPIO_MAX_FILE, &data, &len);
	if (!e)
		e = cpio_add_file(c, path, st.st_mode & 07777, data, len);
	free(data);
	return e ? kterr_wrap(e, "stage %s as %s", host_path, path) : NULL;
}

struct kterr *cpio_add_symlink(struct cpio *c, const char *path, const char *target)
{
	if (!target || !*target)
		return kterr_new(EINVAL, "symlink %s has an empty target", path);
	return add(c, path, S_IFLNK | 0777, target, strlen(target), 0, 0);
}

struct kterr *cpio_add_chardev(struct cpio *c, const char *path, mode_t perm,
			       unsigned major, unsigned minor)
{
	return add(c, path, S_IFCHR | (perm & 07777), NULL, 0, major, minor);
}

struct kterr *cpio_finish(struct cpio *c)
{
	struct kterr *e = emit(c, CPIO_TRAILER, 0, NULL, 0, 0, 0);

	if (e)
		return e;
	c->finished = 1;
	/* The kernel does not need it, but cpio(1) and the unpacker's
	 * concatenation rule like whole 512-byte blocks. */
	e = reserve(c, 512);
	if (e)
		return e;
	while (c->len % 512)
		c->buf[c->len++] = 0;
	return NULL;
}
