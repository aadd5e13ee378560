/*
 * con-engine.h - the console's engine thread.
 *
 * It boots the guest and wires an executor to it (guest-exec.h, through
 * the backend, from the options the console built from its header), then
 * takes jobs from a queue one at a time: apply a statement, begin a step,
 * run `sh` in the guest, hold, power off. Between jobs it pumps the
 * executor, which takes the guest's state and its typed events (watch
 * fires, log lines, host notes, the guest going down) through the link.
 * The UI thread never waits for it: it submits jobs and takes finished
 * ones back after the wake fd becomes readable (a byte is written there
 * for each finished job and whenever an event handler asks,
 * con_engine_wake).
 *
 * Engine events (events.h) go to the handler given at start, on this
 * thread. What the UI reads while the thread runs (the guest's state, the
 * scenario view, the job in flight, the guest's health) is copied out
 * under a lock. Only the engine thread touches the backend and the
 * executor; the UI frees the runner after the quit job finished.
 *
 * The thread keeps the backdrop applied so far (con-backdrop.h) for
 * `restart`, which replaces the guest and its executor in place: the
 * events, the wake fd and the UI's copies carry on, and step numbers in
 * the events go on from the session's.
 */
#ifndef KTCON_TUI_CON_ENGINE_H
#define KTCON_TUI_CON_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/events.h"
#include "engine/gstate.h"
#include "engine/recipe.h"
#include "tui/con-sampler.h"
#include "tui/con-scn.h"
#include "tui/con-status.h"
#include "vmm/session.h"

struct json_object;

enum con_job_kind {
	CON_JOB_BOOT,		/* finished once, by the thread itself */
	CON_JOB_APPLY,		/* st: a statement (op, cgroup line, expect) */
	CON_JOB_STEP,		/* st: the `step` line; closes the current step */
	CON_JOB_SH,		/* text: a shell command in the guest */
	CON_JOB_HOLD,		/* ns: wait, pumping; cancel ends it */
	CON_JOB_QUIT,		/* tear down the scenario, power off */
	CON_JOB_SNAPSHOT,	/* text (and text2 for a diff): tags; tree[]: the snapshots */
	CON_JOB_UNWATCH,	/* text: the symbol whose watch to disarm */
	/* Power the guest off if it still runs, boot it again as before (the
	 * kernel booted first, pinned by path; the same vm line, accel,
	 * staged binaries, boot scheduler, warm start), re-apply the backdrop
	 * (con-backdrop.h) and, when the session was in step N, begin a
	 * fresh step N+1. err: the boot's failure (no guest), or the
	 * backdrop statement that failed (the guest is up; the rest of the
	 * backdrop was skipped); status: the backdrop statements re-applied. */
	CON_JOB_RESTART,
	/* The guest's interactive shell (`sh` alone): text its TERM, rows and
	 * cols the terminal's size; it runs until the shell exits (status)
	 * or con_engine_cancel detaches (detached: the shell lives on). The
	 * UI relays the terminal and con_engine_console_fd meanwhile. */
	CON_JOB_SHELL,
};

struct con_job {
	enum con_job_kind kind;
	struct kt_stmt st;	/* owned (kt_stmt_clear) */
	/* APPLY: the `expect error` after st in a replayed recipe, or NULL;
	 * borrowed: the recipe outlives the job. */
	const struct kt_stmt *xerr;
	char *text;		/* SH: the command; UNWATCH: the symbol; owned */
	uint64_t ns;		/* HOLD */
	unsigned rows, cols;	/* SHELL */
	int origin;		/* the submitter's tag (typed, replay) */
	/* The line to log as the job begins (on_start): a line typed while
	 * others were queued is echoed next to its own result. Owned. */
	char *echo;
	/* Results. */
	struct kterr *err;
	struct kterr *xfail;	/* APPLY: the failure that xerr wanted */
	char *out;		/* SH: the output */
	/* SNAPSHOT: what the trees are for; text2 is the second tag (diff)
	 * or the file (save), owned; tree[i] is text's (and for a diff
	 * text2's) snapshot, a json-c tree the job owns until taken. */
	enum con_snap_use { CON_SNAP_SHOW, CON_SNAP_DIFF, CON_SNAP_SAVE } use;
	char *text2;
	struct json_object *tree[2];
	int status;		/* SH, SHELL: the exit status */
	bool detached;		/* SHELL: detached, the shell lives on */
	uint64_t took_ns;
	struct con_job *next;
};

struct con_engine;

struct con_engine_opts {
	/* What to boot; on_console and ctx are the caller's (the agent's log
	 * lines come as KT_EV_LOG events). */
	struct session_opts so;
	const struct kt_recipe *header;	/* validation sees it; outlives the engine */
	kt_event_fn on_event;
	void *event_ctx;
	/* A job begins (finished false) or has run and is about to go back
	 * to the UI (true), on the engine thread (event_ctx), or NULL: what
	 * it logs falls in line with the events the job caused. */
	void (*on_job)(void *ctx, struct con_job *j, bool finished);
	/* The live sampler's rate once the guest is up: 0 the default
	 * (CON_LIVE_DEFAULT_HZ), < 0 not sampling (`live HZ` starts it). */
	int live_hz;
};

/* Start the thread, which boots the guest. The wake fd is readable when
 * jobs have finished (or an event handler woke the UI). */
struct kterr *con_engine_start(const struct con_engine_opts *o, struct con_engine **out);
int con_engine_wake_fd(const struct con_engine *g);
/* From any thread: make the wake fd readable. */
void con_engine_wake(struct con_engine *g);

/* Queue a job (ownership passes). */
void con_engine_submit(struct con_engine *g, struct con_job *j);
/* Queue a statement's job (APPLY, STEP): st's contents move into it, xerr
 * is its `expect error` (NULL: none), origin the submitter's tag, echo
 * the typed line's echo (con_job.echo; owned, may be NULL). False when out
 * of memory (st is cleared and echo freed all the same). */
bool con_engine_submit_stmt(struct con_engine *g, enum con_job_kind kind, struct kt_stmt *st,
			    const struct kt_stmt *xerr, int origin, char *echo);
/* Finished jobs, oldest first (ownership passes); also drains the wake fd. */
struct con_job *con_engine_take(struct con_engine *g);
void con_job_free(struct con_job *j);

/* Cancel the op, `sh` or hold in flight; nothing when idle. A cancelled
 * `sh` is killed in the guest; an op the guest had done all the same
 * stands (the events say the cancel came too late). A restart's boot
 * gives up (no guest then), or, once up, the backdrop statement being
 * applied again is cancelled (the rest is skipped). */
void con_engine_cancel(struct con_engine *g);

/* Detach from the guest's shell: the SHELL job in flight comes back with
 * detached (the shell lives on); nothing when another job is in flight
 * (a detach asked before the job was taken is lost: ask again). */
void con_engine_detach(struct con_engine *g);

/* The guest's interactive console (hvc0), for the UI to relay while a
 * SHELL job runs: a new descriptor the caller closes, or -1 when there is
 * no guest. */
int con_engine_console_fd(struct con_engine *g);

/* How long a console `sh` may run before the guest kills it: the limit
 * `sh` (lib/timeouts.h) until `sh-timeout SECONDS` sets it, from any
 * thread. */
void con_engine_set_sh_timeout(struct con_engine *g, int ms);
int con_engine_sh_timeout(struct con_engine *g);

/* What the UI shows. The guest's state is handed over (kt_exec_gstate):
 * true only when one newer than the last taken has come. */
bool con_engine_gstate(struct con_engine *g, struct kt_gstate *out);
/* The scenario's view, handed over (moved) once it is published: 0 with
 * it, 1 (out empty) when the last one published was taken already. */
int con_engine_scn(struct con_engine *g, struct con_scn *out);
/* Bumped each time the scenario's copy changes: the UI takes a copy only
 * then. */
uint64_t con_engine_scn_gen(struct con_engine *g);
/* The job in flight as text (malloc'd, NULL when idle) and since when. */
char *con_engine_busy(struct con_engine *g, uint64_t *since_ns);
enum con_guest_state con_engine_guest(struct con_engine *g, char *desc, size_t size);
/* The kernel booted and the vm line that reproduces the guest (for the
 * recording's header), once booted; false before. */
bool con_engine_booted(struct con_engine *g, char *kernel, size_t ksize, char *release,
		       size_t rsize);
/* Jobs queued or in flight. */
bool con_engine_idle(struct con_engine *g);

/* The session's timeline and its sampler (con-sampler.h): started once
 * the guest is up, halted when it goes down; valid until con_engine_free. */
struct con_sampler *con_engine_sampler(struct con_engine *g);

/* After the quit job finished: join and free. */
void con_engine_free(struct con_engine *g);

#endif
