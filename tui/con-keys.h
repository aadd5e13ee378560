/*
 * con-keys.h - the console's key table.
 *
 * Like htop's key table, but every entry is a console command string, so
 * a key does exactly what typing its command does (and `?` lists both).
 * Readline owns the keyboard; con-prompt.c binds each sequence here to a
 * dispatcher that looks the sequence up and runs the command. Line
 * editing (arrows, C-a, C-e, C-r history search, Tab completion) is
 * readline's own.
 */
#ifndef KTCON_TUI_CON_KEYS_H
#define KTCON_TUI_CON_KEYS_H

#include <stdbool.h>
#include <stddef.h>

enum {
	/* Only on an empty line; otherwise the key does what readline
	 * would (inserts itself, edits). */
	CON_KEY_EMPTY_LINE = 1 << 0,
	/* Only while a snapshot is open in the focused pane; otherwise
	 * readline's (arrows walk the history). */
	CON_KEY_BROWSING = 1 << 1,
	/* Only while a log search (/TEXT) is on: End or a typed line ends
	 * it; otherwise the key types itself. */
	CON_KEY_SEARCHING = 1 << 2,
	/* Only while the cgroup tree has the focus (con-treeslot.h). */
	CON_KEY_TREE = 1 << 3,
	/* Only while a workers view has the focus (con-treeslot.h). */
	CON_KEY_WORKERS = 1 << 4,
	/* A read of this byte alone (Esc: terminals send an escape sequence
	 * in one write, so a lone ESC is the key); not bound in readline,
	 * where ESC begins Meta sequences. */
	CON_KEY_ALONE = 1 << 5,
};

struct con_key {
	const char *seq;	/* the bytes the terminal sends */
	const char *name;	/* as `?` shows it: "C-o", "PgUp" */
	const char *command;	/* the console command it runs */
	unsigned flags;
};

extern const struct con_key con_keys[];	/* ends with seq NULL */

/* The entry for a sequence, or NULL; the next entry for the same one
 * (a key may mean one thing while browsing and another in the tree: the
 * first whose condition holds runs). */
const struct con_key *con_key_find(const char *seq, size_t len);
const struct con_key *con_key_next(const struct con_key *k);

#endif
