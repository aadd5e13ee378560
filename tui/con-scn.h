/*
 * con-scn.h - what the console shows of the engine's scenario state: which
 * cgroups the backdrop owns and which the current step owns, the captures
 * by tag, the armed watches, the scheduler the engine thinks is attached,
 * and where the session is (backdrop or step N).
 *
 * The scenario (engine/scenario.h) lives on the engine's thread; the
 * console builds this view out of it there (at each state event, after
 * each job) and hands it over to the UI, which keeps it: one copy, made
 * once. A plain value: fill and clear; strings and arrays are owned.
 */
#ifndef KTCON_TUI_CON_SCN_H
#define KTCON_TUI_CON_SCN_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/scenario.h"

struct con_scn_cg {
	char *name;
	enum kt_owner owner;
	bool frozen;		/* the engine froze it */
};

struct con_scn_cap {
	char *tag;
	enum kt_capture_kind kind;
	char *what;		/* "4 pids in w", "0x2a", "snapshot 3" */
};

struct con_scn {
	struct con_scn_cg *cgs;
	size_t ncgs;
	struct con_scn_cap *caps;
	size_t ncaps;
	struct kt_watch watches[KT_MAX_WATCHES];	/* symbol owned */
	size_t nwatches;
	bool in_backdrop;
	int step;		/* 0: the backdrop */
	bool sched_attached;
	char *sched;		/* what the engine attached, or NULL */
};

/* 0, or -1 when out of memory (v is then empty). */
int con_scn_fill(struct con_scn *v, const struct kt_scenario *s, int step);
void con_scn_clear(struct con_scn *v);

/* The tracked cgroup called name, or NULL. */
const struct con_scn_cg *con_scn_cgroup(const struct con_scn *v, const char *name);

#endif
