/*
 * state-cgroups.h - walk a cgroup v2 tree and read what the host shows of
 * each cgroup. Pure over a root path: the agent walks the managed parent,
 * tests walk a temporary directory with the same file names.
 *
 * Every cgroup below root (not root itself) is visited once, parents
 * before children, siblings in name order, so two walks of an unchanged
 * tree read the same. A cgroup that disappears during the walk is simply
 * not visited; a file that is absent reads as unknown (-1, or has_* false).
 */
#ifndef KTCON_GUEST_STATE_CGROUPS_H
#define KTCON_GUEST_STATE_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define CG_STATE_PATH_MAX 256
#define CG_STATE_CPUS_MAX 256
#define CG_STATE_KNOB_MAX 64
#define CG_STATE_MAX_DEPTH 16

/* The knob files read for every cgroup, in this order. */
enum { CG_NKNOBS = 5 };
extern const char *const cg_knob_files[CG_NKNOBS];

struct cg_state {
	char path[CG_STATE_PATH_MAX];	/* relative to root: "a", "a/b" */
	bool has_cpus;
	char cpus[CG_STATE_CPUS_MAX];	/* cpuset.cpus.effective */
	int populated, frozen;		/* cgroup.events; -1 unknown */
	long nprocs;			/* lines of cgroup.procs; -1 unknown */
	bool has_knob[CG_NKNOBS];
	char knob[CG_NKNOBS][CG_STATE_KNOB_MAX];	/* as read, "; " for newlines */
};

/* The cpu.stat fields a STATE frame carries (wk.I.cpu.KEY), in this
 * order: CPU time, and CFS bandwidth throttling where cpu.max is set. */
enum { CG_NCPUSTAT = 6 };
extern const char *const cg_cpustat_keys[CG_NCPUSTAT];

/* cpu.stat's text ("usage_usec 1234\nuser_usec ...") into vals, in
 * cg_cpustat_keys' order; -1 for a key the text lacks or garbles. */
void cg_cpustat_parse(const char *text, int64_t vals[CG_NCPUSTAT]);

/* Called for each cgroup; return false to stop the walk. */
typedef bool (*cg_visit_fn)(const struct cg_state *cg, void *ctx);

/* Walk the tree under root. *stopped (may be NULL) tells whether visit
 * stopped it or the depth limit cut it. An unreadable root is an error. */
struct kterr *cg_walk(const char *root, cg_visit_fn visit, void *ctx, bool *stopped);

#endif
