/* util.c - see util.h. */
#include "lib/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* What a file that is not a regular one is, for the refusal. */
static const char *file_kind(mode_t m)
{
	static const struct { mode_t type; const char *what; } kinds[] = {
		{ S_IFIFO, "a FIFO" }, { S_IFCHR, "a character device" },
		{ S_IFBLK, "a block device" }, { S_IFSOCK, "a socket" }, { S_IFDIR, "a directory" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if ((m & S_IFMT) == kinds[i].type)
			return kinds[i].what;
	return "not a regular file";
}

struct kterr *kt_read_file(const char *path, size_t max, char **out, size_t *len)
{
	/* O_NONBLOCK: opening a FIFO with no writer would wait forever. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	size_t cap = 4096, n = 0;
	struct stat st;
	char *buf;

	*out = NULL;
	if (len)
		*len = 0;
	if (fd < 0)
		return kterr_errno("open %s", path);
	/* A FIFO, a device or a socket may never end (or never start): only
	 * a regular file has a size to read up to. */
	if (fstat(fd, &st) < 0) {
		struct kterr *e = kterr_errno("stat %s", path);

		close(fd);
		return e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return kterr_hint(kterr_new(0, "read %s: %s, not a regular file", path,
					    file_kind(st.st_mode)),
				  "give the path of a regular file (save what a pipe or device "
				  "gives into one first)");
	}
	buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		return kterr_new(ENOMEM, "read %s", path);
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			if (cap >= max) {
				free(buf);
				close(fd);
				return kterr_new(EFBIG, "read %s: larger than %zu bytes", path, max);
			}
			cap = cap * 2 > max ? max : cap * 2;
			char *nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				close(fd);
				return kterr_new(ENOMEM, "read %s", path);
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			struct kterr *e = kterr_errno("read %s", path);
			free(buf);
			close(fd);
			return e;
		}
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return NULL;
}

static struct kterr *write_all(int fd, const char *path, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return kterr_errno("write %s", path);
		}
		p += w;
		len -= w;
	}
	return NULL;
}

struct kterr *kt_write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	struct kterr *e;

	if (fd < 0)
		return kterr_errno("open %s for writing", path);
	e = write_all(fd, path, data, len);
	if (close(fd) < 0 && !e)
		e = kterr_errno("close %s", path);
	return e;
}

struct kterr *kt_write_file_atomic(const char *path, const void *data, size_t len)
{
	char *tmp = kt_strfmt("%s.tmp.%d", path, (int)getpid());
	struct kterr *e;
	int fd;

	if (!tmp)
		return kterr_new(ENOMEM, "write %s", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		e = kterr_errno("open %s for writing", tmp);
		free(tmp);
		return e;
	}
	e = write_all(fd, tmp, data, len);
	if (!e && fsync(fd) < 0)
		e = kterr_errno("fsync %s", tmp);
	close(fd);
	if (!e && rename(tmp, path) < 0)
		e = kterr_errno("rename %s to %s", tmp, path);
	if (e)
		unlink(tmp);
	free(tmp);
	return e;
}

struct kterr *kt_mkdir_p(const char *path, mode_t mode)
{
	char *p = strdup(path);

	if (!p)
		return kterr_new(ENOMEM, "mkdir %s", path);
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
				struct kterr *e = kterr_errno("mkdir %s", p);
				free(p);
				return e;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	if (!kt_is_dir(path))
		return kterr_new(ENOTDIR, "mkdir %s", path);
	return NULL;
}

struct kterr *kt_rm_rf(const char *path)
{
	struct stat st;
	struct kterr *e = NULL;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? NULL : kterr_errno("stat %s", path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0 && errno != ENOENT)
			return kterr_errno("unlink %s", path);
		return NULL;
	}
	DIR *d = opendir(path);
	if (!d)
		return kterr_errno("opendir %s", path);
	struct dirent *de;
	while (!e && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *sub = kt_path_join(path, de->d_name);
		if (!sub) {
			e = kterr_new(ENOMEM, "rm -rf %s", path);
			break;
		}
		e = kt_rm_rf(sub);
		free(sub);
	}
	closedir(d);
	if (!e && rmdir(path) < 0 && errno != ENOENT)
		e = kterr_errno("rmdir %s", path);
	return e;
}

bool kt_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

bool kt_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *kt_path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	return kt_strfmt("%s%s%s", a, la && a[la - 1] == '/' ? "" : "/", b);
}

char *kt_strfmt(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

uint64_t kt_fnv1a64(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t kt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

const char *kt_fmt_duration(uint64_t ns, char *buf, size_t size)
{
	uint64_t ms = ns / 1000000;

	if (ms < 1000)
		snprintf(buf, size, "%llums", (unsigned long long)ms);
	else if (ms < 60000)
		snprintf(buf, size, "%llu.%llus", (unsigned long long)(ms / 1000),
			 (unsigned long long)(ms % 1000 / 100));
	else
		snprintf(buf, size, "%llum%02llus", (unsigned long long)(ms / 60000),
			 (unsigned long long)(ms % 60000 / 1000));
	return buf;
}

char *kt_strtrim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

const char *kt_tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	return t && t[0] == '/' ? t : "/tmp";
}

bool kt_parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 0);
	/* strtoull reads "010" as octal; recipes mean ten. */
	if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
		*out = strtoull(s, &end, 10);
	return !errno && *end == '\0';
}

uint64_t kt_checked_u64(const char *s)
{
	uint64_t u;

	return s && kt_parse_u64(s, &u) ? u : 0;
}

int kt_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool kt_parse_i64(const char *s, int64_t *out)
{
	uint64_t u;

	if (*s == '-') {
		if (!kt_parse_u64(s + 1, &u) || u > (uint64_t)INT64_MAX + 1)
			return false;
		*out = (int64_t)(0 - u);
		return true;
	}
	if (!kt_parse_u64(s, &u) || u > INT64_MAX)
		return false;
	*out = (int64_t)u;
	return true;
}
