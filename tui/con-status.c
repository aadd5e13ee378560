/* con-status.c - the status line; see con-status.h. */
#include "tui/con-status.h"

#include <stdio.h>
#include <string.h>

#include "engine/util.h"

#define KEYS_HINT "? keys"

static const char *const guest_states[] = {
	[CON_G_BOOTING] = "booting", [CON_G_UP] = "up", [CON_G_DOWN] = "DOWN",
	[CON_G_OFF] = "powering off",
};

void con_status_render(const struct con_status *s, struct con_buf *b, const struct con_rect *r)
{
	char line[512], d[32];
	size_t n = 0;

#define SEG(...) \
	n += (size_t)snprintf(line + n, n < sizeof(line) ? sizeof(line) - n : 0, __VA_ARGS__)

	SEG(" ktcon | %s%s%s", s->guest ? s->guest : "guest", s->guest ? " " : " ",
	    guest_states[s->gs]);
	SEG(" | sched %s", s->sched ? s->sched : "?");
	if (s->step)
		SEG(" | step %d", s->step);
	else
		SEG(" | backdrop");
	if (s->hold)
		SEG(" %s", s->hold);
	if (s->busy)
		SEG(" | running %s %s", s->busy, kt_fmt_duration(s->busy_ns, d, sizeof(d)));
	if (s->replay)
		SEG(" | replay %s", s->replay);
	if (s->record)
		SEG(" | REC %s", s->record);
#undef SEG
	con_fill(b, r, 0, 0, r->w, ' ', CON_A_STATUS);
	con_put(b, r, 0, 0, CON_A_STATUS, line, -1);
	if ((int)strlen(line) + (int)strlen(KEYS_HINT) + 2 <= r->w)
		con_put(b, r, 0, r->w - (int)strlen(KEYS_HINT) - 1, CON_A_STATUS, KEYS_HINT, -1);
}
