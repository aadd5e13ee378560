/*
 * cpio.h - an in-memory cpio archive in the kernel's "newc" format.
 *
 * The initramfs is assembled in memory and written once: no staging
 * directory on disk, no cpio(1), nothing to clean up after a crash. The
 * format is the one the kernel's initramfs unpacker reads
 * (Documentation/driver-api/early-userspace/buffer-format.rst): a 110-byte
 * ASCII header per entry, the NUL-terminated name, then the data, each
 * padded to 4 bytes, and a "TRAILER!!!" entry at the end.
 *
 * Names are given as absolute guest paths ("/bin/sh") and stored without
 * the leading slash. Parent directories are emitted on first use, so a
 * caller adds "/staging/schedulers/scx_simple/scx_simple" and gets the
 * three directories above it for free, each once. Adding a path twice is
 * an error: the unpacker would silently keep the second copy, and two
 * sources for one guest path is always a bug in the caller.
 */
#ifndef KTCON_VMM_CPIO_H
#define KTCON_VMM_CPIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"

struct cpio {
	uint8_t *buf;
	size_t len, cap;
	uint32_t next_ino;
	char **paths;		/* every path emitted, for parents and duplicates */
	size_t n_paths, cap_paths;
	int finished;
};

void cpio_init(struct cpio *c);

/* A directory (parents too). Adding an existing directory is a no-op. */
struct kterr *cpio_add_dir(struct cpio *c, const char *path, mode_t perm);

/* A regular file with LEN bytes of DATA. */
struct kterr *cpio_add_file(struct cpio *c, const char *path, mode_t perm,
			    const void *data, size_t len);

/* A regular file copied from the host file HOST_PATH (followed if it is a
 * symlink); the guest permission bits are the host's. */
struct kterr *cpio_add_host_file(struct cpio *c, const char *path, const char *host_path);

/* A symbolic link PATH -> TARGET. */
struct kterr *cpio_add_symlink(struct cpio *c, const char *path, const char *target);

/* A character device node (S_IFCHR) with the given numbers. */
struct kterr *cpio_add_chardev(struct cpio *c, const char *path, mode_t perm,
			       unsigned major, unsigned minor);

/* True when PATH has been added (or created as a parent). */
int cpio_has(const struct cpio *c, const char *path);

/* Append the trailer; nothing may be added afterwards. */
struct kterr *cpio_finish(struct cpio *c);

void cpio_free(struct cpio *c);

#endif
