/*
 * con-cands.h - Tab's candidates while the line is typed: shown on the rows
 * just above the status line (over the log), once, until the line changes
 * or is entered. They are not log lines: a Tab pressed again does not add
 * them again, and they never scroll the operator's results away.
 *
 * Pure: a model and its drawing into an off-screen buffer.
 */
#ifndef KTCON_TUI_CON_CANDS_H
#define KTCON_TUI_CON_CANDS_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/con-buf.h"

/* At most this many rows (the rest is counted: "+N more"). */
#define CON_CANDS_ROWS 3

struct con_cands {
	char *line;		/* the line they complete; NULL: none shown */
	char **words;
	size_t n;
};

/* Show words (copied) for line. */
void con_cands_set(struct con_cands *k, const char *line, char *const *words, size_t n);
void con_cands_clear(struct con_cands *k);
/* The line is now `line` (drawn at the prompt): candidates for another
 * line go. True when they went (the screen needs a draw). */
bool con_cands_seen(struct con_cands *k, const char *line);

/* Draw them on the rows of b right above row `above` (the status line),
 * full width, at most CON_CANDS_ROWS and no higher than row `top`;
 * returns the rows drawn. */
int con_cands_render(const struct con_cands *k, struct con_buf *b, int top, int above);

#endif
