/* con-keys.c - the key table; see con-keys.h. */
#include "tui/con-keys.h"

#include <string.h>

/* Several terminals, several spellings: xterm and tmux first. */
const struct con_key con_keys[] = {
	{ "?", "?", "keys", true },
	{ "\033OP", "F1", "keys", false },
	{ "\033[11~", "F1", "keys", false },
	{ "\003", "C-c", "cancel", false },
	{ "\017", "C-o", "focus next", false },
	{ "\033OQ", "F2", "focus next", false },
	{ "\033[12~", "F2", "focus next", false },
	{ "\032", "C-z", "zoom", false },
	{ "\033OR", "F3", "zoom", false },
	{ "\033[13~", "F3", "zoom", false },
	{ "\033[5~", "PgUp", "scroll up", false },
	{ "\033[6~", "PgDn", "scroll down", false },
	{ "\033[1;2A", "S-Up", "scroll up 1", false },
	{ "\033[1;2B", "S-Down", "scroll down 1", false },
	{ "\033[1;5H", "C-Home", "scroll top", false },
	{ "\033[1;5F", "C-End", "scroll bottom", false },
	{ "\014", "C-l", "redraw", false },
	{ NULL, NULL, NULL, false },
};

const struct con_key *con_key_find(const char *seq, size_t len)
{
	for (const struct con_key *k = con_keys; k->seq; k++)
		if (strlen(k->seq) == len && !memcmp(k->seq, seq, len))
			return k;
	return NULL;
}
