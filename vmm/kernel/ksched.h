/*
 * ksched.h - the schedulers a guest kernel ships, and the ones known not
 * to work on its release.
 *
 * A cache entry's schedulers/ folder holds what its tools/sched_ext built
 * (6.12: scx_central, scx_flatcg, scx_qmap, scx_simple; 7.3 adds scx_cpu0,
 * scx_pair, scx_sdt, scx_userland). A recipe naming one its kernel lacks,
 * or one in the broken table for that release, cannot pass there: `ktcon
 * run` reports it PENDING with this reason, never as passing, and never
 * boots a guest to find out.
 */
#ifndef KTCON_VMM_KSCHED_H
#define KTCON_VMM_KSCHED_H

#include <stdbool.h>

#include "lib/err.h"

struct ksched_kernel {
	char *dir;		/* the bzImage's directory (a cache entry) */
	char *release;		/* meta's release, else the directory's name */
	char *version;		/* its X.Y, "" when it has none */
	bool has_list;		/* dir has a schedulers/ folder */
};

/* The kernel spec (kpick.h: NULL, "default", X.Y or a path) boots. */
struct kterr *ksched_open(const char *spec, struct ksched_kernel *k);
void ksched_close(struct ksched_kernel *k);

/* Whether k ships scheduler name (true when it has no list to judge by). */
bool ksched_has(const struct ksched_kernel *k, const char *name);

/* The schedulers k ships, sorted, space-separated (malloc'd; "" when
 * none, NULL on OOM). */
char *ksched_names(const struct ksched_kernel *k);

/* Why name does not work on kernels of version (X.Y), or NULL. */
const char *ksched_broken(const char *version, const char *name);

#endif
