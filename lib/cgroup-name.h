/*
 * cgroup-name.h - the one rule for a cgroup name, read by `ktcon check`
 * (the NAME argument type) and by the guest agent before it touches
 * /sys/fs/cgroup, so the two never disagree.
 *
 * A name is one or more levels joined by '/': each level is letters,
 * digits, '-', '_' and '.', not starting with '.' (".", ".." and hidden
 * names; the state stream skips dot-names), at most KT_CGROUP_NAME_MAX
 * bytes in all and KT_CGROUP_MAX_DEPTH levels. The empty name is not
 * checked here: it is the ops' rule (`expect error` catches it).
 */
#ifndef KTCON_CGROUP_NAME_H
#define KTCON_CGROUP_NAME_H

#include "lib/err.h"

/* The hint every refusal carries: what a name may be. */
#define KT_CGROUP_NAME_HINT \
	"a cgroup name is relative to the managed parent: letters, digits, -_. (not first) " \
	"and / between levels (e.g. workers or bg/hot)"

/* NULL when name is a valid cgroup name (or empty); else an error naming
 * the first offending byte. */
struct kterr *kt_cgroup_name_check(const char *name);

#endif
