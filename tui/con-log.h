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
struct con_log_view {
	int scroll;
	size_t new_below;
	/* kept between renders */
	bool anchored;
	uint64_t top_seq;	/* the line at the top of the view */
	int top_skip;		/* its rows above the view */
	int last_scroll;	/* scroll as the last render left it */
	uint64_t seen_seq;	/* lines ever added when the view left the bottom */
};

int con_log_render_view(struct con_log *l, struct con_buf *b, const struct con_rect *r,
			struct con_log_view *v);

#endif
