/*
 * ksource.h - the kernel versions ktcon builds, and where each one's source
 * comes from: Debian's architecture-independent linux-source-X.Y packages.
 *
 * A version's tarball is the system's /usr/src/linux-source-X.Y.tar.xz when
 * that package is installed. Otherwise ktcon fetches the package itself into
 * SOURCES = ${XDG_CACHE_HOME:-~/.cache}/ktcon/sources/X.Y/ with apt-get
 * through a private sources list, state and cache directory: the system's
 * apt configuration is read only for its Debian mirror URI and never
 * changed, and no root is needed beyond what apt-get download needs.
 *
 * A version may carry an addition to guest/kernel.config for the options
 * that changed since 6.12 (renamed, removed, or needed by that release's
 * tools/sched_ext); it is read after the fragment, so it overrides it.
 */
#ifndef KTCON_VMM_KSOURCE_H
#define KTCON_VMM_KSOURCE_H

#include <stdbool.h>
#include <stdio.h>

#include "lib/err.h"

/* What `ktcon kernel build` builds and what a test boots by default: the
 * LTS, until a newer version passes everything. */
#define KSOURCE_DEFAULT_VERSION "6.12"

/* Used when the system's apt sources name no Debian mirror. */
#define KSOURCE_FALLBACK_MIRROR "http://deb.debian.org/debian"

struct ksource_version {
	const char *version;	/* "7.3" */
	const char *package;	/* "linux-source-7.3" */
	const char *suite;	/* the Debian suite that carries it */
	const char *fragment;	/* addition to guest/kernel.config (paths_data
				 * relative), or NULL */
};

/* The table entry of VERSION ("7.3"), or NULL (the error names the known
 * versions). */
const struct ksource_version *ksource_lookup(const char *version);
struct kterr *ksource_find(const char *version, const struct ksource_version **out);

/* "X.Y" (digits, one dot): a version, as opposed to a path. */
bool ksource_is_version(const char *s);

/* The first Debian archive URI (path ending in /debian) in apt sources
 * text, one-line ("deb [opts] URI suite ...") or deb822 ("URIs: ..."), or
 * NULL. malloc'd. */
char *ksource_mirror_in(const char *text);

/* The mirror the system's apt sources name (sources.list, then
 * sources.list.d/ *.list and *.sources), else KSOURCE_FALLBACK_MIRROR. */
char *ksource_system_mirror(void);

/* The tarball of version v if this machine has it already (the system's,
 * else the one in SOURCES), without fetching; NULL when neither. */
char *ksource_local_tarball(const struct ksource_version *v);

/* The tarball of version v: the system's, else the one in SOURCES, else
 * fetched into SOURCES (progress and notes to out). *tarball malloc'd. */
struct kterr *ksource_tarball(const struct ksource_version *v, FILE *out, char **tarball);

#endif
