/*
 * kbuild.h - build the guest kernel and its sched_ext schedulers into the
 * kernel cache (see kcache.h).
 *
 * Phases: locate the source and fragment, compute the key, lock the cache,
 * extract (Debian's tarball) or use a tree, configure (allnoconfig + the
 * fragment), check the required options survived, compile bzImage, build
 * tools/sched_ext with clang-19, strip DWARF from vmlinux (keeping symbols
 * and .BTF), stage the entry and rename it into place.
 *
 * A tree of the user's own (source) is built in a kept O= directory
 * (ktree.h), always, so the rebuild after a change is make's incremental
 * one; its entry replaces the tree's previous one.
 */
#ifndef KTCON_VMM_KBUILD_H
#define KTCON_VMM_KBUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/err.h"
#include "vmm/kernel/kcache.h"

#define KBUILD_DEFAULT_TARBALL "/usr/src/linux-source-6.12.tar.xz"

/* An entry carries every C scheduler of its tools/sched_ext (`make
 * all_targets`), so 7.3's scx_cpu0, scx_pair, scx_sdt and scx_userland
 * come with it. */

struct kbuild_opts {
	const char *source;	/* a kernel tree; NULL: the Debian tarball */
	const char *version;	/* "7.3" (ksource.h); NULL: KSOURCE_DEFAULT_VERSION.
				 * Picks the tarball (fetched when the system
				 * has none) and the fragment's addition. */
	const char *tarball;	/* NULL: the version's (ksource_tarball) */
	const char *fragment;	/* path of guest/kernel.config */
	const char *cache_root;	/* NULL: kcache_root() */
	int jobs;		/* 0: number of online CPUs */
	bool force;		/* rebuild even when the key is cached */
	bool scheduler_only;	/* with source: only tools/sched_ext, into the
				 * tree's existing entry (ktree.h) */
	FILE *out;		/* progress and notes (stderr) */
};

struct kbuild_result {
	struct kcache_entry entry;
	bool cached;		/* it was already there; nothing built */
	uint64_t build_ns;	/* whole build, 0 when cached */
	unsigned long files;	/* files compiled */
};

/* The key of a build: fragment text + source identity + recipe version. */
struct kterr *kbuild_key(const struct kbuild_opts *o, const char *fragment_text,
			 char key[17]);

/* The key a build of version (NULL: the default) with fragment would
 * have, without fetching or building anything: *found=false when that
 * version's tarball is neither installed nor in the sources cache. */
struct kterr *kbuild_expected_key(const char *version, const char *fragment,
				  char key[17], bool *found);

struct kterr *kbuild_run(const struct kbuild_opts *o, struct kbuild_result *res);

void kbuild_result_free(struct kbuild_result *r);

#endif
