/*
 * kcache.h - the guest kernel cache.
 *
 * Layout: ROOT = ${XDG_CACHE_HOME:-~/.cache}/ktcon/kernels, and in it
 *
 *   <release>-<key>/         a complete entry: bzImage, vmlinux (symbols and
 *                            .BTF, no DWARF), config, schedulers/, meta
 *   .work-<key>/             a build in progress (or an interrupted one)
 *   .lock                    flock()ed by the one build that may run
 *
 * An entry appears only by rename(2) of a fully written directory, so a
 * killed build can leave a .work-* directory behind but never a half entry.
 * Names starting with '.' are never entries. Entries of several versions
 * (6.12, 7.3) live side by side; kcache_pick says which one a run boots.
 * The source tarballs ktcon fetched itself are in ROOT/../sources
 * (ksource.h).
 */
#ifndef KTCON_VMM_KCACHE_H
#define KTCON_VMM_KCACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "lib/err.h"

/* Files of an entry. */
#define KCACHE_BZIMAGE "bzImage"
#define KCACHE_VMLINUX "vmlinux"
#define KCACHE_CONFIG "config"
#define KCACHE_SCHEDULERS "schedulers"
#define KCACHE_META "meta"

struct kcache_entry {
	char *name;		/* "6.12.117-ktcon-1f2e3d4c5b6a7988" */
	char *dir;		/* ROOT/name */
	char *release;		/* from meta, else the name's release part */
	char *version;		/* the release's X.Y ("6.12"), "" when it has none */
	char *key;		/* 16 hex digits */
	time_t built;		/* from meta, else the directory's mtime */
	bool tree;		/* built from a user's tree (--source), not a
				 * release's tarball: booted by path only */
};

/* ROOT from the environment (XDG_CACHE_HOME, else HOME/.cache). malloc'd. */
struct kterr *kcache_root(char **root);

/* Where the saved ready states (vmm/machine/warm.h) of the kernel bzimage
 * live: <its cache entry>/warm, or for a kernel outside the cache the
 * cache's own warm/; KTCON_WARM_DIR overrides both. malloc'd. */
struct kterr *kcache_warm_root(const char *bzimage, char **root);

/* The key: FNV-1a over every input that changes the build, as 16 hex. */
void kcache_key(const char *const *inputs, const size_t *lens, size_t n,
		char key[17]);

/* Entries in ROOT, newest first. A missing ROOT is an empty list. */
struct kterr *kcache_list(const char *root, struct kcache_entry **entries,
			  size_t *n);
void kcache_entries_free(struct kcache_entry *entries, size_t n);

/* The entry with this key, if any (*found=false otherwise). */
struct kterr *kcache_find_key(const char *root, const char *key,
			      struct kcache_entry *out, bool *found);

/* The X.Y a kernel release starts with ("6.12.117-ktcon" -> "6.12");
 * malloc'd, "" when it does not start with one. */
char *kcache_version_of_release(const char *release);

/* Which of entries (newest first) a run of version boots: the newest with
 * that version and key (the build the current fragment gives), else the
 * newest of that version (key NULL, or the fragment changed since the last
 * build). Versions never mix: a 7.3 build never stands in for 6.12, and a
 * user's tree never stands in for a release (its entry is booted by
 * path). n when there is none. */
size_t kcache_pick(const struct kcache_entry *entries, size_t n, const char *version,
		   const char *key);

/* kcache_pick over ROOT; an error saying how to build one when there is
 * none (*stale=true when the entry is not of key). */
struct kterr *kcache_select(const char *root, const char *version, const char *key,
			    struct kcache_entry *out, bool *stale);
void kcache_entry_free(struct kcache_entry *e);

/* Take the build lock, blocking; on_wait (may be NULL) is called once if
 * someone else holds it. Returns the fd to pass to kcache_unlock. */
struct kterr *kcache_lock(const char *root, int *fd,
			  void (*on_wait)(void *ctx), void *ctx);
void kcache_unlock(int fd);

/* Publish a fully written directory `staged` as ROOT/<name>. When an entry
 * of that name exists it is replaced (old moved aside, then removed). */
struct kterr *kcache_commit(const char *root, const char *staged, const char *name);

/* Remove .work-* and .old-* directories, except .work-<keep_key> (NULL:
 * keep none), which a build of that key resumes: kbuild writes a target's
 * .cmd file only after the target is complete, so an interrupted make
 * redoes exactly what was cut short. Call with the lock held: then no build
 * can be using them. Returns how many were removed. */
int kcache_gc(const char *root, const char *keep_key);

/* Parse "key=value" lines of a meta file; value of KEY malloc'd or NULL. */
char *kcache_meta_get(const char *meta_text, const char *key);

#endif
