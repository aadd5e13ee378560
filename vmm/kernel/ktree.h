/*
 * ktree.h - a kernel tree of the user's own (`ktcon kernel build --source
 * DIR`): where its build directory lives and which release it is.
 *
 * The tree is built out of tree (make O=), so it stays as the user left
 * it. Its O= directory is kept between builds, under
 *
 *   ${XDG_CACHE_HOME:-~/.cache}/ktcon/builds/<basename>-<key>/out
 *
 * keyed by the tree's real path alone (not by its HEAD nor its files), so
 * every build of the same tree reuses it and make recompiles only what
 * changed since the last one. Its cache entry is keyed the same way: a new
 * build of the tree replaces the tree's entry.
 */
#ifndef KTCON_VMM_KTREE_H
#define KTCON_VMM_KTREE_H

#include "lib/err.h"

/* The tree's real path (malloc'd); an error naming DIR when it is not a
 * kernel tree (no top-level Makefile with VERSION and PATCHLEVEL). */
struct kterr *ktree_realpath(const char *dir, char **real);

/* "X.Y" from the tree's top-level Makefile (VERSION, PATCHLEVEL),
 * malloc'd; NULL when it has none. */
char *ktree_version(const char *real);

/* The 16-hex key of a tree: its real path. */
void ktree_key(const char *real, char key[17]);

/* The tree's build directory (see above), malloc'd. kernels_root is
 * kcache_root()'s ROOT; builds/ is its sibling. */
struct kterr *ktree_build_dir(const char *kernels_root, const char *real, char **dir);

#endif
