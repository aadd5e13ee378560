/* warm.c - saved ready states; see warm.h. */
#include "vmm/machine/warm.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/timeouts.h"
#include "lib/util.h"
#include "guest/wire.h"
#include "vmm/machine/migrate.h"

#define WARM_META "meta"
#define WARM_STREAM "stream"
#define WARM_RAM "ram"
#define WARM_PAGE 4096u

/* ---- the key ---- */

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static struct kterr *file_id(const char *path, char *buf, size_t size)
{
	struct stat st;
	char real[PATH_MAX];

	if (!realpath(path, real) || stat(real, &st) < 0)
		return kterr_errno("%s", path);
	snprintf(buf, size, "%.400s %lld %" PRId64, real, (long long)st.st_size, mtime_ns(&st));
	return NULL;
}

/* name or path -> the binary execvp would run. */
static struct kterr *which(const char *name, char *out, size_t size)
{
	const char *path = getenv("PATH");

	if (strchr(name, '/')) {
		snprintf(out, size, "%s", name);
		return NULL;
	}
	for (const char *p = path ? path : "/usr/bin:/bin"; *p; ) {
		size_t n = strcspn(p, ":");

		snprintf(out, size, "%.*s/%s", (int)n, p, name);
		if (n && access(out, X_OK) == 0)
			return NULL;
		p += n + (p[n] == ':');
	}
	return kterr_new(ENOENT, "%s is not on the PATH", name);
}

static struct kterr *hash_fd(int fd, char *out, size_t size)
{
	uint64_t h = KT_FNV_INIT, total = 0;
	char *buf = malloc(1 << 16);
	ssize_t n;

	if (!buf)
		return kterr_new(ENOMEM, "hash the initramfs");
	while ((n = pread(fd, buf, 1 << 16, (off_t)total)) > 0) {
		h = kt_fnv1a64(h, buf, (size_t)n);
		total += (uint64_t)n;
	}
	free(buf);
	if (n < 0)
		return kterr_errno("read the initramfs");
	snprintf(out, size, "%016" PRIx64 " %" PRIu64, h, total);
	return NULL;
}

struct kterr *warm_key_make(const struct warm_inputs *in, struct warm_key *k)
{
	char bz[440], vl[64] = "none", q[PATH_MAX];
	const struct topology *t = in->topo;
	struct kterr *e;

	memset(k, 0, sizeof(*k));
	snprintf(k->format, sizeof(k->format), "%d", WARM_FORMAT);
	e = file_id(in->kernel, bz, sizeof(bz));
	if (!e && in->vmlinux) {
		struct stat st;

		if (stat(in->vmlinux, &st) < 0)
			e = kterr_errno("%s", in->vmlinux);
		else
			snprintf(vl, sizeof(vl), "%lld %" PRId64, (long long)st.st_size,
				 mtime_ns(&st));
	}
	if (!e)
		snprintf(k->kernel, sizeof(k->kernel), "%s; vmlinux %s", bz, vl);
	snprintf(k->vm, sizeof(k->vm), "numa=%u llcs=%u cores=%u threads=%u memory=%u",
		 t->numa, t->llcs, t->cores, t->threads, t->memory_mib);
	/* The initramfs holds the agent, the boot scheduler and its
	 * arguments, and whatever the recipe stages: its bytes are the key. */
	if (!e)
		e = hash_fd(in->initrd_fd, k->initramfs, sizeof(k->initramfs));
	if (!e)
		e = which(in->qemu, q, sizeof(q));
	if (!e)
		e = file_id(q, k->qemu, sizeof(k->qemu));
	snprintf(k->accel, sizeof(k->accel), "%s", accel_name(in->accel));
	/* Measured anew by each ktcon (vmm/tsc.h), it wobbles by a few
	 * hundred kHz: the key takes the host's TSC to 10 MHz, which is what
	 * tells one host (or a changed frequency) from another. */
	snprintf(k->tsc_khz, sizeof(k->tsc_khz), "%lu MHz", (in->tsc_khz + 5000) / 10000 * 10);
	snprintf(k->wire, sizeof(k->wire), "%d", WIRE_VERSION);
	return kterr_wrap(e, "the warm state's key");
}

/* ---- whether ---- */

struct kterr *warm_env(bool *warm)
{
	const char *v = getenv("KTCON_WARM");

	if (!v || !*v)
		return NULL;
	if (!strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "on"))
		*warm = true;
	else if (!strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "off"))
		*warm = false;
	else
		return kterr_new(EINVAL, "KTCON_WARM='%s' is not 1 or 0", v);
	return NULL;
}

/* ---- checking a saved state ---- */

static struct kterr *crc_file(const char *path, uint64_t *size, uint32_t *crc)
{
	static __thread char buf[1 << 16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	*size = 0;
	*crc = 0;
	if (fd < 0)
		return kterr_errno("%s", path);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		*crc = wire_crc32c(*crc, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	close(fd);
	return n < 0 ? kterr_errno("read %s", path) : NULL;
}

/* Everything that can be checked before QEMU runs: the metadata parses,
 * names this key, and the files are whole. */
static struct kterr *check(struct warm *w)
{
	char *text = NULL, *mp = kt_path_join(w->dir, WARM_META);
	size_t len;
	uint64_t size;
	uint32_t crc;
	struct stat st;
	struct kterr *e = mp ? kt_read_file(mp, 65536, &text, &len) :
			       kterr_new(ENOMEM, "path");

	free(mp);
	if (!e)
		e = kterr_wrap(warm_meta_parse(text, len, &w->meta), "metadata");
	free(text);
	if (e)
		return e;
	e = warm_key_compare(&w->meta.key, &w->key);
	if (e)
		return e;
	e = crc_file(w->stream, &size, &crc);
	if (e)
		return e;
	if (size != w->meta.stream_bytes)
		return kterr_new(0, "stream is %" PRIu64 " bytes, the metadata says %" PRIu64
				 " (truncated?)", size, w->meta.stream_bytes);
	if (crc != w->meta.stream_crc)
		return kterr_new(0, "stream's CRC is %08" PRIx32 ", the metadata says %08"
				 PRIx32 " (damaged)", crc, w->meta.stream_crc);
	if (stat(w->ram, &st) < 0)
		return kterr_errno("%s", w->ram);
	if ((uint64_t)st.st_size != w->meta.ram_bytes)
		return kterr_new(0, "ram is %lld bytes, the metadata says %" PRIu64
				 " (truncated?)", (long long)st.st_size, w->meta.ram_bytes);
	return NULL;
}

/* ---- locking and deciding ---- */

static bool try_lock(int fd, int how)
{
	while (flock(fd, how | LOCK_NB) < 0)
		if (errno != EINTR)
			return false;
	return true;
}

static struct kterr *paths(struct warm *w, const char *root)
{
	char *lock;

	w->root = strdup(root);
	w->dir = kt_path_join(root, w->hash);
	w->stream = w->dir ? kt_path_join(w->dir, WARM_STREAM) : NULL;
	w->ram = w->dir ? kt_path_join(w->dir, WARM_RAM) : NULL;
	lock = kt_strfmt("%s/%s.lock", root, w->hash);
	if (!w->root || !w->dir || !w->stream || !w->ram || !lock) {
		free(lock);
		return kterr_new(ENOMEM, "warm state paths");
	}
	w->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	free(lock);
	return w->lock_fd < 0 ? kterr_errno("lock %s.lock", w->dir) : NULL;
}

/* Remove this hash's state and the leftovers of killed saves; the
 * exclusive lock is held. */
static void sweep(struct warm *w)
{
	DIR *d = opendir(w->root);
	struct dirent *de;
	char prefix[40];

	kterr_free(kt_rm_rf(w->dir));
	snprintf(prefix, sizeof(prefix), ".tmp-%s-", w->hash);
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		char *p = kt_path_join(w->root, de->d_name);

		if (p)
			kterr_free(kt_rm_rf(p));
		free(p);
	}
	if (d)
		closedir(d);
}

static void busy(struct warm *w, const char *doing)
{
	w->mode = WARM_COLD;
	w->why = kterr_new(0, "warm state %s: another ktcon is %s it: booting cold", w->dir,
			   doing);
}

struct kterr *warm_begin(const struct warm_key *k, const char *root, struct warm *w)
{
	struct kterr *e;

	memset(w, 0, sizeof(*w));
	w->lock_fd = w->fd = -1;
	w->mode = WARM_COLD;
	w->key = *k;
	warm_key_hash(k, w->hash);
	e = kt_mkdir_p(root, 0755);
	if (!e)
		e = paths(w, root);
	if (e)
		return kterr_wrap(e, "warm state");
	if (kt_is_dir(w->dir)) {
		if (!try_lock(w->lock_fd, LOCK_SH)) {
			busy(w, "saving or dropping");
			return NULL;
		}
		e = check(w);
		if (!e) {
			w->mode = WARM_RESTORE;
			/* The lock file's mtime is the state's last use:
			 * eviction (warm_evict) keeps the recently used. */
			futimens(w->lock_fd, NULL);
			return NULL;
		}
		warm_refuse(w, e);
		return NULL;
	}
	if (!try_lock(w->lock_fd, LOCK_EX)) {
		busy(w, "saving");
		return NULL;
	}
	sweep(w);
	w->mode = WARM_SAVE;
	return NULL;
}

void warm_refuse(struct warm *w, struct kterr *why)
{
	char *s = kterr_strdup(why);

	kterr_free(why);
	kterr_free(w->why);
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	w->why = kterr_new(0, "warm state %s: %s: booting cold and rebuilding it", w->dir,
			   s ? s : "unusable");
	free(s);
	/* From shared to exclusive: flock drops the shared lock first, so
	 * another run may slip in; then it is theirs to rebuild. */
	if (!try_lock(w->lock_fd, LOCK_EX)) {
		flock(w->lock_fd, LOCK_UN);
		w->mode = WARM_COLD;
		return;
	}
	sweep(w);
	w->mode = WARM_SAVE;
}

void warm_end(struct warm *w)
{
	if (w->fd >= 0)
		close(w->fd);
	/* A save that did not finish: its directory goes (we hold the
	 * lock, so it is ours). */
	if (w->tmp)
		kterr_free(kt_rm_rf(w->tmp));
	free(w->tmp);
	if (w->lock_fd >= 0)
		close(w->lock_fd);
	kterr_free(w->why);
	free(w->root);
	free(w->dir);
	free(w->stream);
	free(w->ram);
	memset(w, 0, sizeof(*w));
	w->lock_fd = w->fd = -1;
}

/* ---- RAM ---- */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return x;
}

uint64_t warm_ram_sum(const uint8_t *p, size_t len, uint64_t off)
{
	uint64_t sum = 0;

	for (size_t i = 0; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		if (w)
			sum += mix64(w ^ ((off + i) * 0x9e3779b97f4a7c15ULL));
	}
	return sum;
}

static bool zero_page(const uint8_t *p)
{
	static const uint8_t zero[WARM_PAGE];

	return !memcmp(p, zero, WARM_PAGE);
}

static struct kterr *write_all(int fd, const uint8_t *p, size_t len, off_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return kterr_errno("write");
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return NULL;
}

/* The RAM, sparse: the memfd's holes (pages the guest never touched) and
 * its zero pages are not written. */
static struct kterr *save_ram(const struct guestmem *gm, const char *path, uint64_t *data,
			      uint64_t *sum)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	off_t pos = 0, end = (off_t)gm->size;
	struct kterr *e = NULL;

	*data = *sum = 0;
	if (fd < 0)
		return kterr_errno("create %s", path);
	while (!e && pos < end) {
		off_t d = lseek(gm->fd, pos, SEEK_DATA), h;

		if (d < 0)
			break;		/* ENXIO: holes to the end */
		h = lseek(gm->fd, d, SEEK_HOLE);
		if (h < 0 || h > end)
			h = end;
		for (off_t p = d; !e && p < h; ) {
			off_t run = p;

			while (run < h && !zero_page(gm->base + run))
				run += WARM_PAGE;
			if (run > p) {
				e = write_all(fd, gm->base + p, (size_t)(run - p), p);
				*data += (uint64_t)(run - p);
				*sum += warm_ram_sum(gm->base + p, (size_t)(run - p), (uint64_t)p);
			}
			p = run + WARM_PAGE;
		}
		pos = h;
	}
	if (!e && ftruncate(fd, end) < 0)
		e = kterr_errno("size %s", path);
	if (close(fd) < 0 && !e)
		e = kterr_errno("close %s", path);
	return e ? kterr_wrap(e, "save the guest RAM to %s", path) : NULL;
}

/* Through a buffer and pwrite(2) into the memfd rather than read(2)
 * straight into its mapping: tmpfs allocates the pages in the write
 * instead of taking a fault per page (measured here on a 59 MiB state:
 * 25-60% less time; a MAP_PRIVATE copy-on-write mapping of the file is
 * not an option, as x-ignore-shared needs share=on and host introspection
 * needs to see the guest's writes). */
#define LOAD_CHUNK (1u << 20)

struct kterr *warm_load_ram(const char *path, struct guestmem *gm, uint64_t want_sum,
			    uint64_t *copied)
{
	uint64_t sum = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	off_t pos = 0, end = (off_t)gm->size;
	uint8_t *buf = malloc(LOAD_CHUNK);
	struct kterr *e = NULL;

	*copied = 0;
	if (fd < 0 || !buf) {
		e = fd < 0 ? kterr_errno("open %s", path) : kterr_new(ENOMEM, "RAM copy buffer");
		goto out;
	}
	while (!e && pos < end) {
		off_t d = lseek(fd, pos, SEEK_DATA), h;

		if (d < 0)
			break;		/* ENXIO: holes to the end */
		h = lseek(fd, d, SEEK_HOLE);
		if (h < 0 || h > end)
			h = end;
		/* Only the data: the new memfd's holes stay holes. */
		for (off_t p = d; !e && p < h; ) {
			size_t want = (size_t)(h - p) < LOAD_CHUNK ? (size_t)(h - p) : LOAD_CHUNK;
			ssize_t n = pread(fd, buf, want, p);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				e = n < 0 ? kterr_errno("read %s", path) :
					    kterr_new(EIO, "%s ends early", path);
				break;
			}
			e = write_all(gm->fd, buf, (size_t)n, p);
			sum += warm_ram_sum(buf, (size_t)n, (uint64_t)p);
			p += n;
			*copied += (uint64_t)n;
		}
		pos = h;
	}
	if (!e && sum != want_sum)
		e = kterr_new(0, "ram's checksum is %016" PRIx64 ", the metadata says %016" PRIx64
			      " (damaged)", sum, want_sum);
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return e ? kterr_wrap(e, "load the saved guest RAM") : NULL;
}

/* ---- saving ---- */

struct kterr *warm_stream_fd(struct warm *w, int *fd)
{
	char *stream = NULL;

	if (w->fd >= 0) {
		*fd = w->fd;
		return NULL;
	}
	if (w->mode == WARM_RESTORE) {
		w->fd = open(w->stream, O_RDONLY | O_CLOEXEC);
		if (w->fd < 0)
			return kterr_errno("open %s", w->stream);
		*fd = w->fd;
		return NULL;
	}
	if (w->mode != WARM_SAVE)
		return kterr_new(EPERM, "not holding the lock of %s", w->dir);
	w->tmp = kt_strfmt("%s/.tmp-%s-%d-%llx", w->root, w->hash, (int)getpid(),
			   (unsigned long long)kt_now_ns());
	if (!w->tmp)
		return kterr_new(ENOMEM, "warm state paths");
	if (mkdir(w->tmp, 0755) < 0) {
		struct kterr *e = kterr_errno("create %s", w->tmp);

		free(w->tmp);
		w->tmp = NULL;
		return e;
	}
	stream = kt_path_join(w->tmp, WARM_STREAM);
	w->fd = stream ? open(stream, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
	if (w->fd < 0) {
		struct kterr *e = stream ? kterr_errno("create %s", stream) :
					   kterr_new(ENOMEM, "path");

		free(stream);
		return e;
	}
	free(stream);
	*fd = w->fd;
	return NULL;
}

struct kterr *warm_save(struct warm *w, struct qmp *q, const struct guestmem *gm,
			struct warm_meta *m)
{
	char *stream = w->tmp ? kt_path_join(w->tmp, WARM_STREAM) : NULL;
	char *ram = w->tmp ? kt_path_join(w->tmp, WARM_RAM) : NULL;
	char *meta = w->tmp ? kt_path_join(w->tmp, WARM_META) : NULL;
	char *text = NULL;
	struct kterr *e = NULL;

	if (w->mode != WARM_SAVE || !w->tmp || w->fd < 0)
		e = kterr_new(EPERM, "no stream file open for %s", w->dir);
	else if (!stream || !ram || !meta)
		e = kterr_new(ENOMEM, "warm state paths");
	if (!e)
		e = migrate_save(q, w->fd, (int)kt_limit_ms(KT_LIM_BOOT));
	if (!e)
		e = crc_file(stream, &m->stream_bytes, &m->stream_crc);
	if (!e && m->stream_bytes == 0)
		e = kterr_new(EIO, "QEMU wrote an empty stream");
	if (!e)
		e = save_ram(gm, ram, &m->ram_data_bytes, &m->ram_sum);
	if (!e) {
		m->key = w->key;
		memcpy(m->hash, w->hash, sizeof(m->hash));
		m->ram_bytes = gm->size;
		m->created = (int64_t)time(NULL);
		text = warm_meta_format(m);
		if (!text)
			e = kterr_new(ENOMEM, "warm state metadata");
	}
	/* The metadata last: a directory with it is whole. */
	if (!e)
		e = kt_write_file(meta, text, strlen(text));
	if (!e && rename(w->tmp, w->dir) < 0)
		e = kterr_errno("rename %s to %s", w->tmp, w->dir);
	if (!e) {
		free(w->tmp);
		w->tmp = NULL;
		futimens(w->lock_fd, NULL);
	}
	free(text);
	free(stream);
	free(ram);
	free(meta);
	return kterr_wrap(e, "save the warm state %s", w->dir);
}

/* ---- listing and dropping ---- */

struct kterr *warm_each(const char *root,
			void (*fn)(const char *dir, const struct warm_meta *m, void *ctx),
			void *ctx)
{
	struct dirent **names = NULL;
	int n = scandir(root, &names, NULL, alphasort);

	if (n < 0)
		return errno == ENOENT ? NULL : kterr_errno("list %s", root);
	for (int i = 0; i < n; i++) {
		char *dir = names[i]->d_name[0] == '.' ? NULL :
			    kt_path_join(root, names[i]->d_name);
		char *mp = dir && kt_is_dir(dir) ? kt_path_join(dir, WARM_META) : NULL;
		char *text = NULL;
		size_t len;
		struct warm_meta m;
		struct kterr *e = mp ? kt_read_file(mp, 65536, &text, &len) : NULL;

		if (mp) {
			if (!e)
				e = warm_meta_parse(text, len, &m);
			fn(dir, e ? NULL : &m, ctx);
		}
		kterr_free(e);
		free(text);
		free(mp);
		free(dir);
		free(names[i]);
	}
	free(names);
	return NULL;
}

struct kterr *warm_drop(const char *dir, bool *busy_out)
{
	char *lock = kt_strfmt("%s.lock", dir);
	int fd = lock ? open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644) : -1;
	struct kterr *e = NULL;

	*busy_out = false;
	if (fd < 0) {
		e = lock ? kterr_errno("open %s", lock) : kterr_new(ENOMEM, "path");
		free(lock);
		return e;
	}
	if (!try_lock(fd, LOCK_EX)) {
		*busy_out = true;
	} else {
		/* The lock file stays: a run that opened it before us
		 * must lock the same file as one that opens it after. */
		e = kt_rm_rf(dir);
	}
	close(fd);
	free(lock);
	return e;
}

/* ---- eviction ---- */

struct warm_aged {
	char *dir;
	int64_t used;		/* ns: the lock file's mtime, else the dir's */
};

static int newest_first(const void *a, const void *b)
{
	const struct warm_aged *x = a, *y = b;

	return x->used < y->used ? 1 : x->used > y->used ? -1 : strcmp(x->dir, y->dir);
}

struct kterr *warm_keep_env(unsigned *keep)
{
	const char *v = getenv("KTCON_WARM_KEEP");
	char *end;
	unsigned long n;

	*keep = WARM_KEEP_DEFAULT;
	if (!v || !*v)
		return NULL;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n == 0 || n > 1000)
		return kterr_hint(kterr_new(EINVAL, "KTCON_WARM_KEEP='%s' is not a count from 1 to 1000", v),
				  "it is how many saved ready states each kernel keeps");
	*keep = (unsigned)n;
	return NULL;
}

struct kterr *warm_evict(const char *root, unsigned keep, unsigned *dropped)
{
	struct dirent **names = NULL;
	struct warm_aged *aged = NULL;
	size_t na = 0;
	struct kterr *first = NULL;
	int n = scandir(root, &names, NULL, alphasort);

	*dropped = 0;
	if (n < 0)
		return errno == ENOENT ? NULL : kterr_errno("list %s", root);
	aged = calloc((size_t)n + 1, sizeof(*aged));
	for (int i = 0; i < n; i++) {
		char *dir = names[i]->d_name[0] == '.' || !aged ? NULL :
			    kt_path_join(root, names[i]->d_name);
		char *lock = dir ? kt_strfmt("%s.lock", dir) : NULL;
		struct stat st;

		if (dir && kt_is_dir(dir) && lock) {
			if (stat(lock, &st) < 0 && stat(dir, &st) < 0)
				st.st_mtim.tv_sec = st.st_mtim.tv_nsec = 0;
			aged[na].dir = dir;
			aged[na++].used = mtime_ns(&st);
			dir = NULL;
		}
		free(lock);
		free(dir);
		free(names[i]);
	}
	free(names);
	if (!aged)
		return kterr_new(ENOMEM, "list %s", root);
	qsort(aged, na, sizeof(*aged), newest_first);
	for (size_t i = 0; i < na; i++) {
		bool busy_now = false;

		if (i >= keep) {
			struct kterr *e = warm_drop(aged[i].dir, &busy_now);

			if (e && !first)
				first = e;
			else
				kterr_free(e);
			if (!e && !busy_now)
				(*dropped)++;
		}
		free(aged[i].dir);
	}
	free(aged);
	return first ? kterr_wrap(first, "evict warm states in %s", root) : NULL;
}
