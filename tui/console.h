/*
 * console.h - the full-screen console: what its modules share.
 *
 * The UI thread (con-ui.c) owns this struct: it reads the terminal, feeds
 * readline (con-prompt.h), runs what is typed (con-cmds.c: a console
 * command, or a recipe statement handed to the engine thread,
 * con-engine.h), takes finished jobs back (recording them, con-record.h,
 * and moving a replay on, con-replay.h) and draws the panes from their
 * models (con-tree, con-sched, con-caps, con-log, con-status) into an
 * off-screen buffer that con-screen.c puts on the terminal.
 *
 * Only the log (its own lock) and the watch fires (fires_lock) are
 * written from the engine's thread, by the event handler (con-events.c).
 */
#ifndef KTCON_TUI_CONSOLE_H
#define KTCON_TUI_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/form.h"
#include "engine/gstate.h"
#include "engine/recipe.h"
#include "tui/con-browse.h"
#include "tui/con-cands.h"
#include "tui/con-compare.h"
#include "tui/con-down.h"
#include "tui/con-engine.h"
#include "tui/con-keys.h"
#include "tui/con-layout.h"
#include "tui/con-log.h"
#include "tui/con-logslot.h"
#include "tui/con-record.h"
#include "tui/con-replay.h"
#include "tui/con-rq.h"
#include "tui/con-scn.h"
#include "tui/con-sched.h"
#include "tui/con-sym.h"
#include "tui/con-treeslot.h"

#define CON_FIRES_MAX 64

/* Where a job came from. */
enum con_origin {
	CON_FROM_TYPED,
	CON_FROM_REPLAY,
};

struct ktconsole {
	struct con_log *log;
	struct con_syms *syms;		/* vmlinux's, once booted (con-sym.h) */
	struct con_engine *eng;
	struct con_rec *rec;
	struct kt_recipe *header;	/* what booted this guest; the executor's recipe */
	char *header_text;		/* the same as recipe text, for the recording */
	char *record_path;		/* --record, or `record` typed while booting:
					 * recording starts once booted; owned */

	struct con_replay replay;
	bool continuing;		/* `continue` runs until the end or a failure */
	uint64_t replay_hold_ns;	/* the replayed step's hold, taken before the next */
	bool replay_wait;		/* a replay job is in flight */

	/* The view. */
	enum con_pane focus;
	int zoom;			/* a pane, or -1 */
	int scroll[CON_P__COUNT];
	struct con_log_view logview;	/* the log's scroll, held still (con-log.h) */
	struct con_logslot logslot;	/* the log's tabs, search, filters */
	struct con_treeslot treeslot;	/* the tree's selection, the workers view */
	int scroll_max[CON_P__COUNT];	/* as the last draw found */
	struct con_layout lay;
	struct con_down down;		/* the guest died: titles greyed (con-down.h) */
	int rows, cols;
	/*
	 * Redrawing (con-ui.c). dirty: the view changed (a command, a key, a
	 * finished job, a resize); the loop reads it. The loop also draws when
	 * what the panes draw from moved (view_sig: the log's, the guest
	 * state's, the scenario's and the fires' generations, the job in
	 * flight, the guest's state line), and a draw sends the terminal only
	 * the panes whose cells differ from frame, the screen as last shown.
	 */
	bool dirty;
	uint64_t drawn_sig;		/* view_sig at the last draw */
	struct con_buf frame;
	uint64_t scn_gen;		/* of the scenario copy in scn */

	/* Models the panes render; refreshed on the UI thread. */
	struct kt_gstate g;
	struct con_sched sched;
	struct con_live *live;		/* the live views' model, from the session's timeline
					 * (con-live.h): the runqueues and the history */
	bool history;			/* the scheduler's place shows the history (con-hist.h) */
	enum con_fold fold;		/* the runqueues by CPU, LLC or node (con-rq.h) */
	struct con_scn scn;
	struct con_browse *browse;	/* a snapshot (or JSON file) open in the captures pane */
	int browse_from_focus;		/* where the focus and zoom were before it opened */
	int browse_from_zoom;
	pthread_mutex_t fires_lock;
	char *fires[CON_FIRES_MAX];
	size_t nfires;
	uint64_t fires_gen;		/* bumped with each fire (under fires_lock) */

	struct con_compare *cmp;	/* `compare`: running, or done and not yet joined */
	char *echo;			/* console_echo_line's, until a job takes it */
	struct con_cands cands;		/* Tab's, above the prompt (con-cands.h) */
	uint64_t watch_cc_ns;		/* a C-c found armed watches then (con_cmd_cancel) */

	int step;			/* 0: the backdrop */
	bool booted, boot_failed;
	bool restarting;		/* a `restart` job is queued or running */
	bool shell_wanted;		/* `sh` alone: the UI loop hands the terminal over */
	bool shell_kept;		/* the last visit left the guest's shell running (C-]) */
	bool quitting, done;
	int exit_status;
};

/* A line typed at the prompt (NULL: end of input). It is the prompt's
 * line hook itself (con_prompt_ops.line, ctx the console), so a typed line
 * goes from readline straight to the command table. */
void console_line(void *ctx, const char *line);
/* A key (con-keys.h): run its command; false when it is not the
 * console's now. */
bool console_key(struct ktconsole *c, const struct con_key *k);
/* A finished job from the engine. */
void console_job_done(struct ktconsole *c, struct con_job *j);
/* The guest is up for the first time (the boot, or the first restart that
 * worked after a failed boot): symbols, the recorder, --record. */
void console_booted(struct ktconsole *c, uint64_t took_ns);
/* `sh` alone: the guest's shell in this terminal until it exits or C-]
 * (con-shell.c); sig_fd is readable on SIGWINCH. The UI loop calls it. */
void console_shell(struct ktconsole *c, int sig_fd);
/* The restart job came back (con-restart.c). */
void console_restart_done(struct ktconsole *c, struct con_job *j);
/* Open JSON in the captures pane's browser, zoomed (con-cmd-view.c). */
void console_browse(struct ktconsole *c, const char *title, const char *json, size_t len);
/* b (owned from now) in the captures pane, zoomed; how is said in the log
 * (con-cmd-snap.c, as the next two). */
void console_browse_show(struct ktconsole *c, struct con_browse *b, const char *how);
/* Open a tree (the caller's; its RIPs get their symbols) the same way. */
void console_browse_tree(struct ktconsole *c, const char *title, struct json_object *tree);
/* A snapshot job came back: show, diff or save its trees. */
void console_snapshot_done(struct ktconsole *c, struct con_job *j);
/* Begin powering off (quit, a signal, the terminal gone). */
void console_quit(struct ktconsole *c);
/* C-t on the scheduler's place: its next view (runqueues, history);
 * false when the next tab is another pane's (con-cmd-live.c). */
bool console_live_tab(struct ktconsole *c);
/* Completion candidates (con_prompt_ops.live). */
size_t console_complete(struct ktconsole *c, const char *line, enum kt_argtype t,
			const char *prefix, char **out, size_t max);

/* The engine's events, as log lines (engine thread). */
void console_on_event(void *ctx, const struct kt_event *ev);
/* A job begins (engine thread): its echo (con_job.echo) goes in the log;
 * it has run: what `sh` printed, a step's or unwatch's error. */
void console_on_job(void *ctx, struct con_job *j, bool finished);

/* The echo of a line ("> LINE", malloc'd; ownership passes): logged now
 * when the engine is idle, else kept for the job the line submits (so
 * it is logged when that job begins, beside its result) or for
 * console_echo. */
void console_echo_line(struct ktconsole *c, char *text);
/* The kept echo, now (before an error the line gave at once). */
void console_echo(struct ktconsole *c);
/* The kept echo for the job that takes it (ownership passes; NULL when
 * there is none). */
char *console_take_echo(struct ktconsole *c);

/* The UI loop: returns the exit status once the guest is off. */
int console_ui_run(struct ktconsole *c);

/* A job whose argument is text (sh COMMAND, unwatch SYMBOL, show snapshot
 * TAG); WHAT names the command in an out-of-memory error. */
void console_submit_text(struct ktconsole *c, enum con_job_kind kind, const char *text,
			 const char *what);
/* Submit a statement to the engine (ownership of st's contents passes). */
void console_submit(struct ktconsole *c, enum con_job_kind kind, struct kt_stmt *st,
		    enum con_origin origin);
/* Replay: apply the next statement. */
void console_replay_next(struct ktconsole *c);

#endif
