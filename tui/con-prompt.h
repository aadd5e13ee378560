/*
 * con-prompt.h - the prompt line: GNU readline through its callback
 * interface, fed the bytes the UI reads from the terminal, drawing
 * through a hook instead of writing to the terminal itself, so curses
 * keeps the screen.
 *
 * Readline gives line editing, history (kept in a file across runs) and
 * Tab completion; completion asks the engine's tables (op names, keys,
 * their choices: engine/form.h) and, for the argument being typed, the
 * live values the console knows (cgroup names, tags). Matches that do not
 * fit on the line are listed through a hook (above the prompt). Keys in
 * con-keys.h are bound to their commands.
 *
 * One prompt per process (readline is global state).
 */
#ifndef KTCON_TUI_CON_PROMPT_H
#define KTCON_TUI_CON_PROMPT_H

#include <stddef.h>

#include <stdbool.h>

#include "engine/form.h"
#include "tui/con-keys.h"

#define CON_PROMPT_FILES ((size_t)-1)

struct con_prompt_ops {
	/* A whole line (NULL: end of input, C-d on an empty line). */
	void (*line)(void *ctx, const char *line);
	/* A key from con-keys.h: run its command; false when the key is
	 * not the console's now (then readline does what it would). */
	bool (*key)(void *ctx, const struct con_key *k);
	/* More candidates for the word being typed (prefix), given the line
	 * up to it and the type the engine's tables say it is (KT_T_NONE
	 * when they know none): the console's own commands, live values
	 * (cgroup names, tags). Up to max malloc'd strings into out; returns
	 * how many, or CON_PROMPT_FILES to complete file names instead. */
	size_t (*live)(void *ctx, const char *line, enum kt_argtype t, const char *prefix,
		       char **out, size_t max);
	/* Several matches for line (as it is now): show them. */
	void (*matches)(void *ctx, const char *line, char **words, size_t n);
	/* Whether a line goes into the history (NULL: every line): a
	 * search in the snapshot browser (/TEXT) is not a command. */
	bool (*remember)(void *ctx, const char *line);
	/* The line changed: draw prompt + text, cursor at point (bytes). */
	void (*draw)(void *ctx, const char *prompt, const char *text, size_t point);
	void *ctx;
};

/* history: the history file (its directory is created), or NULL. */
void con_prompt_init(const struct con_prompt_ops *ops, const char *prompt, const char *history);
/* Bytes read from the terminal. */
void con_prompt_feed(const char *buf, size_t n);
/* Empty the line being typed (C-c with nothing to cancel). */
void con_prompt_clear_line(void);
/* Draw again (after the screen was redrawn). */
void con_prompt_redraw(void);
void con_prompt_end(void);

/* ${XDG_STATE_HOME:-~/.local/state}/ktcon/history, malloc'd (NULL when
 * neither is set). */
char *con_prompt_history_path(void);

#endif
