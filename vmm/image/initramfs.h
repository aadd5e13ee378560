/*
 * initramfs.h - the guest's root filesystem, built in memory per boot.
 *
 * What goes in (layout in guest/layout.h): the agent as /init, busybox as
 * /bin/busybox with /bin/sh, /dev/console and /dev/null (the kernel opens
 * the console before devtmpfs exists), the staged schedulers and payloads
 * with their default arguments, and for dynamically linked ones their
 * loader and the closure of their DT_NEEDED libraries (vmm/image/elfdeps.h).
 *
 * Names of staged things become directory names in the guest and words in
 * recipes, so they are checked: [A-Za-z0-9_.-], at most 64 bytes, not "."
 * or "..", unique within their kind.
 */
#ifndef KTCON_VMM_INITRAMFS_H
#define KTCON_VMM_INITRAMFS_H

#include <stddef.h>

#include "lib/err.h"
#include "vmm/image/cpio.h"

#define INITRAMFS_NAME_MAX 64
#define INITRAMFS_BUSYBOX "/bin/busybox"	/* Debian's busybox-static */

struct initramfs_item {
	const char *name;	/* the recipe's name for it */
	const char *path;	/* host path of the binary */
	const char *args;	/* default arguments, or NULL */
};

struct initramfs_spec {
	const char *agent;	/* host path of ktcon-guest (static) */
	const char *busybox;	/* NULL: INITRAMFS_BUSYBOX */
	const struct initramfs_item *schedulers;
	size_t n_schedulers;
	const struct initramfs_item *payloads;
	size_t n_payloads;
	const char *boot_scheduler;	/* a staged scheduler's name, or NULL */
	const char *boot_scheduler_args; /* NULL: the staged default */
};

/* Add everything SPEC asks for to C (not finished). */
struct kterr *initramfs_assemble(const struct initramfs_spec *spec, struct cpio *c);

/* Assemble, finish, and write the archive to OUT_PATH; *SIZE gets its
 * length. */
struct kterr *initramfs_build(const struct initramfs_spec *spec, const char *out_path,
			      size_t *size);

/* NULL when NAME is usable as a staged scheduler or payload name. */
struct kterr *initramfs_check_name(const char *kind, const char *name);

#endif
