/*
 * con-log.h - the log pane's model: a bounded list of lines, each with
 * what it is (an echoed command, an op result, an error chain, a hint,
 * guest output, the kernel console).
 *
 * Written from any thread (the engine's event handlers, the kernel
 * console's reader, the UI), read by the UI when it draws: every call
 * takes the log's lock. Text with newlines becomes several lines. The
 * oldest lines are dropped past the cap. gen counts additions, so the UI
 * redraws only when something was written.
 *
 * Rendering wraps long lines to the pane's width (continuations indented)
 * and shows the newest lines at the bottom, `scroll` rows up from the end.
 * A view scrolled back holds still: it stays on the lines it showed while
 * new ones arrive below (counted, for a "N new lines below" marker), until
 * it is scrolled to the bottom again.
 */
#ifndef KTCON_TUI_CON_LOG_H
#define KTCON_TUI_CON_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "tui/con-buf.h"

struct con_log;

struct con_log *con_log_new(size_t max_lines);
void con_log_free(struct con_log *l);

/* A rewrite of every text added (symbolizing addresses, con-sym.h): a
 * malloc'd replacement, or NULL to keep it. Called on the writer's thread
 * before the lock; set it before any writer starts. */
typedef char *(*con_log_rewrite_fn)(void *ctx, const char *text);
void con_log_set_rewrite(struct con_log *l, con_log_rewrite_fn fn, void *ctx);

/* Add text (split at newlines) shown with attribute a. */
void con_log_add(struct con_log *l, enum con_attr a, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A line that supersedes the newest one when both start with key (a
 * scheduler's periodic stats: the log keeps the latest, not a flood);
 * otherwise added like con_log_add. */
void con_log_update(struct con_log *l, enum con_attr a, const char *key, const char *text);

/* An error as the operator reads it: prefix then the whole chain in the
 * error colour, then its hint and its notes on their own lines. */
void con_log_error(struct con_log *l, const char *prefix, const struct kterr *e);

uint64_t con_log_gen(struct con_log *l);
size_t con_log_count(struct con_log *l);

/* Draw into r (no title: the caller draws it). scroll: rows up from the
 * newest; clamped. Returns the largest useful scroll, so the caller can
 * clamp its own. */
int con_log_render(struct con_log *l, struct con_buf *b, const struct con_rect *r, int scroll);

/* A view of the log that holds still when scrolled back. The UI sets
 * scroll (rows up from the newest; a scroll command changes it by rows);
 * con_log_render_view keeps the rest and, after drawing, says where the
 * view is: scroll as it now is (the same lines stay on screen as lines
 * arrive, so it grows) and new_below, the lines added since the view left
 * the bottom. */
/* Which lines a view shows (con_log_keeps says). */
enum con_log_filter {
	CON_LF_ALL,
	CON_LF_ERRORS,		/* errors, their hints, warnings */
	CON_LF_HOST,		/* the host's notes: "host  ..." */
	CON_LF_SCHED,		/* lines about the scheduler: sched, scx_ */
	CON_LF__COUNT,
};

bool con_log_keeps(enum con_log_filter f, enum con_attr a, const char *text);
/* "all", "errors", "host", "sched"; and back (-1 unknown). */
const char *con_log_filter_name(enum con_log_filter f);
int con_log_filter_find(const char *name);

struct con_log_view {
	int scroll;
	size_t new_below;
	enum con_log_filter filter;	/* lines other filters keep take no rows */
	/* kept between renders */
	bool anchored;
	uint64_t top_seq;	/* the line at the top of the view */
	int top_skip;		/* its rows above the view */
	int last_scroll;	/* scroll as the last render left it */
	uint64_t seen_seq;	/* lines ever added when the view left the bottom */
};

int con_log_render_view(struct con_log *l, struct con_buf *b, const struct con_rect *r,
			struct con_log_view *v);

/* Search: the line (by sequence number: lines ever added, the oldest
 * still held is the smallest) holding text that filter f keeps, from
 * `from` (exclusive) towards older lines (dir < 0) or newer ones; from
 * out of range: from the newest (older) or the oldest (newer). */
bool con_log_find(struct con_log *l, const char *text, enum con_log_filter f, uint64_t from,
		  int dir, uint64_t *found);
/* Scroll the view so line seq is at its top (held there while lines
 * arrive, as a scrolled-back view is); the caller's scroll becomes
 * v->scroll. A line near the newest shows at the bottom instead. */
void con_log_view_goto(struct con_log *l, struct con_log_view *v, uint64_t seq);

#endif
