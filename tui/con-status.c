/* con-status.c - the status line; see con-status.h. */
#include "tui/con-status.h"

#include <stdio.h>
#include <string.h>

#include "lib/util.h"

#define KEYS_HINT "? keys"

static const char *const guest_states[] = {
	[CON_G_BOOTING] = "booting", [CON_G_UP] = "up", [CON_G_DOWN] = "DOWN",
	[CON_G_OFF] = "powering off",
};

/* A segment of the line; lower rank goes first when the line is short. */
struct seg {
	char text[256];
	int rank;
};

void con_status_render(const struct con_status *s, struct con_buf *b, const struct con_rect *r)
{
	struct seg segs[8];
	char d[32], line[1024];
	size_t n = 0, len;
	bool keys = true, shrunk = false;

#define SEG(rank_, ...) \
	do { \
		snprintf(segs[n].text, sizeof(segs[n].text), __VA_ARGS__); \
		segs[n++].rank = (rank_); \
	} while (0)

	/* What the operator must always see ranks 0. */
	SEG(3, "%s %s", s->guest ? s->guest : "guest", guest_states[s->gs]);
	SEG(2, "sched %s", s->sched ? s->sched : "?");
	if (s->step)
		SEG(0, "step %d%s%s", s->step, s->hold ? " " : "", s->hold ? s->hold : "");
	else
		SEG(0, "backdrop%s%s", s->hold ? " " : "", s->hold ? s->hold : "");
	if (s->busy)
		SEG(0, "running %s %s", s->busy, kt_fmt_duration(s->busy_ns, d, sizeof(d)));
	if (s->replay)
		SEG(1, "replay %s", s->replay);
	if (s->record)
		SEG(0, "REC %s", s->record);
#undef SEG
	/* Drop the keys hint, shrink the guest to its state, then drop the
	 * highest ranks, until the line fits. */
	for (int drop = 4;;) {
		len = 0;
		line[0] = '\0';
		for (size_t i = 0; i < n; i++)
			if (segs[i].rank < drop)
				len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s",
							len ? " | " : " ", segs[i].text);
		if ((int)len + (keys ? (int)strlen(KEYS_HINT) + 2 : 0) <= r->w)
			break;
		if (keys) {
			keys = false;
		} else if (!shrunk && s->guest) {
			/* Short, it stays: a guest gone DOWN must be seen. */
			snprintf(segs[0].text, sizeof(segs[0].text), "guest %s", guest_states[s->gs]);
			segs[0].rank = 0;
			shrunk = true;
		} else if (drop > 1) {
			drop--;
		} else {
			break;
		}
	}
	con_fill(b, r, 0, 0, r->w, ' ', CON_A_STATUS);
	con_put(b, r, 0, 0, CON_A_STATUS, line, -1);
	if (keys)
		con_put(b, r, 0, r->w - (int)strlen(KEYS_HINT) - 1, CON_A_STATUS, KEYS_HINT, -1);
}
