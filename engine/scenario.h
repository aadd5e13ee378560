/*
 * scenario.h - what the engine knows about the live scenario, and the op
 * contract's rules that depend on it (doc/seed-rules.md lists them with
 * their tests).
 *
 * Ownership: every cgroup, worker handle and payload handle belongs to the
 * backdrop (lives for the scenario) or to the current step (torn down at
 * step end). Workers are keyed by cgroup, the runner's own cgroup being
 * the key "" (spawn @runner); payloads by (name, cgroup). The rule
 * functions here return the errors the seed prescribes; the executor
 * (executor.c) calls them before it talks to the guest and applies the
 * bookkeeping after the guest said ok.
 *
 * Worker handles are keyed by (cgroup, owner). A named cgroup's workers
 * all have its owner; the runner's cgroup, which no step removes, can hold
 * both the backdrop's workers and a step's, and the seed's ownership table
 * holds for each: the step's die at its teardown, the backdrop's survive.
 */
#ifndef KTCON_SCENARIO_H
#define KTCON_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/cpuset.h"
#include "lib/err.h"
#include "engine/gevent.h"
#include "engine/ktarget.h"

/* The hardware keeps slot 0 for the scheduler-error trigger; 3 are left. */
#define KT_MAX_WATCHES 3

/* The key of workers spawned into the runner's own cgroup. */
#define KT_RUNNER ""

enum kt_owner {
	KT_OWN_STEP,
	KT_OWN_BACKDROP,
};

/* A watch-snapshot op's watch (watches.h). */
struct kt_watch {
	char *symbol;
	enum kt_owner owner;
	bool armed;		/* false once its owner's teardown or unwatch disarmed it */
	uint64_t fires, captures;	/* exact totals */
	uint64_t told, told_captures;	/* ...as of the last line */
	uint64_t reported_ns;	/* that line's time; 0: none yet */
	/* The latest fire as the host reported it (its strings not kept:
	 * a watch's own fires are no exit trigger). */
	struct kt_watch_fire latest;
};

struct kt_cg {
	char *name;
	enum kt_owner owner;
	bool from_def;		/* a CgroupDef (cgroup line, add-cgroup-def) */
	/* made as a level above a nested name (add-cgroup x/y makes x):
	 * removed with its owner, and when its last tracked child goes */
	bool implicit;
	bool frozen;
	bool has_cpus;
	struct kt_cpuset cpus;
};

struct kt_workers {
	char *cgroup;		/* KT_RUNNER for the runner */
	enum kt_owner owner;
	int *pids;
	size_t npids;
};

enum kt_payload_state {
	KT_PAYLOAD_LIVE,
	KT_PAYLOAD_CONSUMED,	/* waited for or killed */
};

struct kt_payload {
	char *name;
	char *cgroup;		/* "" when run without cgroup= */
	enum kt_owner owner;
	uint64_t handle;
	enum kt_payload_state state;
	bool by_teardown;	/* consumed: killed when its owner's step ended */
	/* The guest said it exited (a payload-exit event) before anyone
	 * waited for it: exit_status is known while it is still LIVE (a
	 * wait-payload or kill-payload still collects it). */
	bool exited;
	int exit_status;
};

enum kt_capture_kind {
	KT_CAP_PROCS,
	KT_CAP_SNAPSHOT,
	KT_CAP_READ,
};

struct kt_capture {
	char *tag;
	enum kt_capture_kind kind;
	char *cgroup;		/* PROCS */
	int *pids;		/* PROCS */
	size_t npids;
	uint64_t snap;		/* SNAPSHOT: the host's id */
	/* SNAPSHOT: made by capture-snapshot, so `expect snapshot ...
	 * within=` takes it again on each check; false for a watch fire or a
	 * failure dump, which within= waits for instead. */
	bool retake;
	struct kt_kvalue value;	/* READ */
	/* READ: what was read, and how, so `expect read ... within=` reads
	 * it again on each check. */
	struct kt_ktarget target;
	bool cold;
};

struct kt_scenario {
	struct kt_cg *cgs;
	size_t ncgs;
	struct kt_workers *workers;
	size_t nworkers;
	struct kt_payload *payloads;
	size_t npayloads;
	struct kt_capture *captures;
	size_t ncaptures;
	struct kt_watch watches[KT_MAX_WATCHES];	/* every watch op, armed or not */
	size_t nwatches;
	char **pinned;
	size_t npinned;
	/* Ops target the backdrop: they run in the backdrop pass, where
	 * what they create persists and no step-local cgroup exists yet. */
	bool in_backdrop;
	bool sched_attached;
	char *sched_name;	/* what is attached, NULL: none */
};

void kt_scn_init(struct kt_scenario *s);
void kt_scn_free(struct kt_scenario *s);

/* The owner of what the current pass creates. */
enum kt_owner kt_scn_scope(const struct kt_scenario *s);

struct kt_cg *kt_scn_cgroup(const struct kt_scenario *s, const char *name);

/* add-cgroup / add-cgroup-def / cgroup line: a name already tracked is a
 * collision naming who owns it. */
struct kterr *kt_scn_check_add(const struct kt_scenario *s, const char *name, bool from_def);
struct kterr *kt_scn_add_cgroup(struct kt_scenario *s, const char *name, bool from_def,
				const struct kt_cpuset *cpus);
/* add-cgroup NAME made the `levels` levels right above NAME too: track
 * them with the current pass's owner, so teardown removes them. */
struct kterr *kt_scn_add_implicit(struct kt_scenario *s, const char *name, unsigned levels);
/* After NAME was removed: the implicitly made parent left with no tracked
 * child, to be removed too (a static buffer), or NULL. */
const char *kt_scn_orphaned_parent(const struct kt_scenario *s, const char *name);

/* remove-cgroup: stop tracking it (and its workers), so that a backdrop
 * cgroup removed mid-scenario can be added again. Unknown names are fine:
 * the guest reports a typo on the next op that uses it. */
void kt_scn_remove_cgroup(struct kt_scenario *s, const char *name);

/* move-all-tasks: self-move (also @runner to @runner) and the
 * backdrop -> step-local orphaning move are rejected; the latter not in the
 * backdrop pass. */
struct kterr *kt_scn_check_move(const struct kt_scenario *s, const char *from, const char *to);
/* After the guest moved the tasks: re-key from's worker handles to `to`;
 * they take to's owner (a step-local -> backdrop move hands them to the
 * backdrop so they survive step teardown); moved into the runner's cgroup,
 * which no teardown removes, they keep their own. */
void kt_scn_move_handles(struct kt_scenario *s, const char *from, const char *to);

/* Workers spawned into cgroup; owned by the cgroup's owner (the runner's
 * by the current pass: a step's @runner workers are the step's). */
struct kterr *kt_scn_add_workers(struct kt_scenario *s, const char *cgroup, const int *pids,
				 size_t n);
/* The first handle of cgroup (any owner), or the one of owner o. */
struct kt_workers *kt_scn_workers(const struct kt_scenario *s, const char *cgroup);
struct kt_workers *kt_scn_workers_of(const struct kt_scenario *s, const char *cgroup,
				     enum kt_owner o);
/* Forget every handle of cgroup (stop-cgroup stopped them all), or only
 * owner o's (teardown stopped those). */
void kt_scn_drop_workers(struct kt_scenario *s, const char *cgroup);
void kt_scn_drop_workers_of(struct kt_scenario *s, const char *cgroup, enum kt_owner o);

/* run-payload bookkeeping and the (name, cgroup) lookup of wait/kill:
 * cgroup NULL matches the unique live copy; two live copies are
 * "ambiguous — specify cgroup"; a consumed or unknown pair is an error. */
struct kterr *kt_scn_add_payload(struct kt_scenario *s, const char *name, const char *cgroup,
				 uint64_t handle);
struct kterr *kt_scn_find_payload(const struct kt_scenario *s, const char *op, const char *name,
				  const char *cgroup, struct kt_payload **out);
/* The most recent payload record for expect payload (live or consumed). */
struct kt_payload *kt_scn_last_payload(const struct kt_scenario *s, const char *name,
				       const char *cgroup);

/* watch-snapshot: at most KT_MAX_WATCHES; *slot is the slot to arm. */
struct kterr *kt_scn_add_watch(struct kt_scenario *s, const char *symbol, unsigned *slot);
/* Undo the last kt_scn_add_watch (its arming failed). */
void kt_scn_drop_last_watch(struct kt_scenario *s);

/* pin-bpf-map: true when newly pinned, false when already (a no-op). */
bool kt_scn_pin(struct kt_scenario *s, const char *map);

/* Captured data by tag; captures append, lookups return the first (the
 * seed's cgroup-procs and reads), except snapshots: a snapshot under a tag
 * already taken overwrites it (a watch fires many times under one tag). */
struct kt_capture *kt_scn_add_capture(struct kt_scenario *s, const char *tag,
				      enum kt_capture_kind kind);
const struct kt_capture *kt_scn_capture(const struct kt_scenario *s, const char *tag,
					enum kt_capture_kind kind);
/* The same capture, to be taken again in place (within=). */
struct kt_capture *kt_scn_capture_mut(struct kt_scenario *s, const char *tag,
				      enum kt_capture_kind kind);

/* The step-local cgroups, deepest first (children before parents), as
 * indexes into s->cgs; returns how many (out has room for s->ncgs). */
size_t kt_scn_step_cgroups(const struct kt_scenario *s, size_t *out);
/* The same for the backdrop's, for scenario teardown. */
size_t kt_scn_backdrop_cgroups(const struct kt_scenario *s, size_t *out);

#endif
