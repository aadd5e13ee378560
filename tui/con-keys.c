/* con-keys.c - the key table; see con-keys.h. */
#include "tui/con-keys.h"

#include <string.h>

/* Several terminals, several spellings: xterm and tmux first. */
const struct con_key con_keys[] = {
	{ "?", "?", "keys", CON_KEY_EMPTY_LINE },
	{ "\033OP", "F1", "keys", 0 },
	{ "\033[11~", "F1", "keys", 0 },
	{ "\003", "C-c", "cancel", 0 },
	{ "\017", "C-o", "focus next", 0 },
	{ "\033OQ", "F2", "focus next", 0 },
	{ "\033[12~", "F2", "focus next", 0 },
	{ "\032", "C-z", "zoom", 0 },
	{ "\033OR", "F3", "zoom", 0 },
	{ "\033[13~", "F3", "zoom", 0 },
	{ "\033[5~", "PgUp", "scroll up", 0 },
	{ "\033[6~", "PgDn", "scroll down", 0 },
	{ "\033[1;2A", "S-Up", "scroll up 1", 0 },
	{ "\033[1;2B", "S-Down", "scroll down 1", 0 },
	{ "\033[1;5H", "C-Home", "scroll top", 0 },
	{ "\033[1;5F", "C-End", "scroll bottom", 0 },
	/* End on an empty line (on a typed one readline moves the cursor). */
	{ "\033[F", "End", "scroll bottom", CON_KEY_EMPTY_LINE },
	{ "\033OF", "End", "scroll bottom", CON_KEY_EMPTY_LINE },
	{ "\033[4~", "End", "scroll bottom", CON_KEY_EMPTY_LINE },
	{ "\014", "C-l", "redraw", 0 },
	{ "\024", "C-t", "tab", 0 },
	{ "\033OS", "F4", "tab", 0 },
	{ "\033[14~", "F4", "tab", 0 },
	{ "\033[15~", "F5", "filter", 0 },
	{ "n", "n", "search next", CON_KEY_SEARCHING | CON_KEY_EMPTY_LINE },
	{ "N", "N", "search prev", CON_KEY_SEARCHING | CON_KEY_EMPTY_LINE },
	{ "\033[A", "Up", "browse up", CON_KEY_BROWSING },
	{ "\033OA", "Up", "browse up", CON_KEY_BROWSING },
	{ "\033[B", "Down", "browse down", CON_KEY_BROWSING },
	{ "\033OB", "Down", "browse down", CON_KEY_BROWSING },
	{ "\033[C", "Right", "browse fold", CON_KEY_BROWSING | CON_KEY_EMPTY_LINE },
	{ "\033OC", "Right", "browse fold", CON_KEY_BROWSING | CON_KEY_EMPTY_LINE },
	{ "q", "q", "browse close", CON_KEY_BROWSING | CON_KEY_EMPTY_LINE },
	{ "]", "]", "browse next-change", CON_KEY_BROWSING | CON_KEY_EMPTY_LINE },
	{ "[", "[", "browse prev-change", CON_KEY_BROWSING | CON_KEY_EMPTY_LINE },
	/* The cgroup tree, focused: a selection, and its workers. */
	{ "\033[A", "Up", "select up", CON_KEY_TREE },
	{ "\033OA", "Up", "select up", CON_KEY_TREE },
	{ "\033[B", "Down", "select down", CON_KEY_TREE },
	{ "\033OB", "Down", "select down", CON_KEY_TREE },
	{ "\r", "Enter", "workers", CON_KEY_TREE | CON_KEY_EMPTY_LINE },
	{ "q", "q", "workers close", CON_KEY_WORKERS | CON_KEY_EMPTY_LINE },
	{ "\033", "Esc", "workers close", CON_KEY_WORKERS | CON_KEY_ALONE },
	{ NULL, NULL, NULL, 0 },
};

const struct con_key *con_key_find(const char *seq, size_t len)
{
	for (const struct con_key *k = con_keys; k->seq; k++)
		if (strlen(k->seq) == len && !memcmp(k->seq, seq, len))
			return k;
	return NULL;
}

const struct con_key *con_key_next(const struct con_key *k)
{
	for (const struct con_key *n = k + 1; n->seq; n++)
		if (!strcmp(n->seq, k->seq))
			return n;
	return NULL;
}
