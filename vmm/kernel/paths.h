/*
 * paths.h - where ktcon finds its own files.
 *
 * ktcon runs from its build tree (./ktcon after ./bootstrap) and from an
 * installation. Data files (guest/kernel.config) and helper programs
 * (ktcon-guest) are looked up in order: $KTCON_DATADIR / $KTCON_LIBEXECDIR,
 * the build tree ktcon was built in, its source tree, then the installed
 * pkgdatadir / pkglibexecdir.
 */
#ifndef KTCON_VMM_PATHS_H
#define KTCON_VMM_PATHS_H

#include "lib/err.h"

/* REL is relative to the source tree ("guest/kernel.config"); when
 * installed, its basename is looked up in pkgdatadir. */
struct kterr *paths_data(const char *rel, char **out);

/* A helper program: REL relative to the build tree ("ktcon-guest"). */
struct kterr *paths_libexec(const char *rel, char **out);

#endif
