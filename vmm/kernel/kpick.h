/*
 * kpick.h - which guest kernel a run boots, from what the user said:
 * nothing or "default", a version ("7.3"), or a path.
 *
 *   default  the newest cached build of KSOURCE_DEFAULT_VERSION made from
 *            the current guest/kernel.config (the key a build would have
 *            now); when the fragment changed since, the newest of that
 *            version. A newer 7.3 build never becomes the default.
 *   X.Y      the same rule for that version.
 *   PATH     a bzImage (its vmlinux and schedulers/ beside it), or a cache
 *            entry's directory.
 *
 * The environment's KTCON_KERNEL (a version or a path) stands for nothing
 * and "default": so --kernel and a recipe's non-default `kernel` line still
 * win over it, and a whole test suite boots another kernel without
 * touching its recipes (make check-7.3).
 */
#ifndef KTCON_VMM_KPICK_H
#define KTCON_VMM_KPICK_H

#include <stdbool.h>

#include "lib/err.h"
#include "vmm/kernel/kcache.h"

#define KPICK_ENV "KTCON_KERNEL"

/* The cached entry of version (NULL: KTCON_KERNEL when it is a version,
 * else the default version). */
struct kterr *kpick_entry(const char *version, struct kcache_entry *out);

/* The bzImage spec names (malloc'd); spec NULL is "default". */
struct kterr *kpick_bzimage(const char *spec, char **bzimage);

/* The schedulers a cached kernel built (its schedulers/ folder), as one
 * line for help texts: "RELEASE has: scx_central scx_flatcg ..." (sorted),
 * then a line "NAME is known broken on X.Y: WHY" per scheduler in
 * ksched's table, or, when there is no such kernel, what to do about it.
 * malloc'd; NULL
 * only on OOM. version NULL: the default. */
char *kpick_schedulers_line(const char *version);

#endif
