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
	struct con_rq rq;		/* per-CPU runqueues, from the host sampler (con-rq.h) */
	struct con_scn scn;
	struct con_browse *browse;	/* a snapshot (or JSON file) open in the captures pane */
	int browse_from_focus;		/* where the focus and zoom were before it opened */
	int browse_from_zoom;
	pthread_mutex_t fires_lock;
	char *fires[CON_FIRES_MAX];
	size_t nfires;
	uint64_t fires_gen;		/* bumped with each fire (under fires_lock) */

	struct con_compare *cmp;	/* `compare`: running, or done and not yet joined */

	int step;			/* 0: the backdrop */
	bool booted, boot_failed;
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
/* Open JSON in the captures pane's browser, zoomed (con-cmd-view.c). */
void console_browse(struct ktconsole *c, const char *title, const char *json, size_t len);
/* Begin powering off (quit, a signal, the terminal gone). */
void console_quit(struct ktconsole *c);
/* Completion candidates (con_prompt_ops.live). */
size_t console_complete(struct ktconsole *c, const char *line, enum kt_argtype t,
			const char *prefix, char **out, size_t max);

/* The engine's events, as log lines (engine thread). */
void console_on_event(void *ctx, const struct kt_event *ev);

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
