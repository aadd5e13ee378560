/* con-down.c - greyed pane titles once the guest died; see con-down.h. */
#include "tui/con-down.h"

#include <stdio.h>
#include <string.h>

void con_down_update(struct con_down *d, enum con_guest_state gs, bool boot_failed, time_t now)
{
	struct tm tm;

	if (gs == CON_G_UP) {	/* (again, after a restart): live */
		memset(d, 0, sizeof(*d));
		return;
	}
	d->restarting = d->down && gs == CON_G_BOOTING;
	if (d->down)	/* the time stays; whether it ever booted may be learnt later */
		d->boot_failed = boot_failed;
	if (d->down || gs != CON_G_DOWN)
		return;
	d->down = true;
	d->boot_failed = boot_failed;
	localtime_r(&now, &tm);
	strftime(d->at, sizeof(d->at), "%H:%M:%S", &tm);
}

void con_down_title(const struct con_down *d, struct con_buf *b, const struct con_rect *pane)
{
	char say[64], title[512];
	struct con_rect row = { pane->y, pane->x, 1, pane->w };
	int keep;

	if (!d->down || pane->h <= 0 || pane->w <= 0)
		return;
	if (d->restarting)
		snprintf(say, sizeof(say), d->boot_failed ? "restarting" : "restarting (died at %s)",
			 d->at);
	else
		snprintf(say, sizeof(say), d->boot_failed ? "no guest: the boot failed"
			 : "guest died at %s", d->at);
	/* Keep the pane's name (up to two blanks: its own right side goes). */
	con_buf_row(b, pane->y, title, sizeof(title));
	keep = pane->x < (int)strlen(title) ? (int)strlen(title) - pane->x : 0;
	if (keep > pane->w)
		keep = pane->w;
	{
		const char *name = title + pane->x;
		const char *gap = keep > 0 ? strstr(name, "  ") : NULL;

		if (gap && gap - name < keep)
			keep = (int)(gap - name);
		memmove(title, name, (size_t)keep);
		title[keep] = '\0';
	}
	con_fill(b, &row, 0, 0, pane->w, ' ', CON_A_DIM);
	con_put(b, &row, 0, 0, CON_A_DIM, title, -1);
	if ((int)strlen(say) + keep + 1 <= pane->w)
		con_put(b, &row, 0, pane->w - (int)strlen(say) - 1, CON_A_DIM, say, -1);
	else
		con_put(b, &row, 0, keep < pane->w ? keep + 1 : pane->w, CON_A_DIM, say, -1);
}
