/*
 * con-down.h - the panes once the guest is gone: what they show is the
 * last the console saw, so each pane's title is greyed and says since
 * when ("guest died at 12:03:41", or "no guest: the boot failed").
 *
 * The console learns the guest died from the engine's guest state
 * (con_engine_guest: CON_G_DOWN once QEMU exited, or when the boot
 * failed); the time is the first draw that saw it, within a UI tick of
 * QEMU's exit. Powering off at `quit` (CON_G_OFF) is not a death. While
 * `restart` boots the guest again (CON_G_BOOTING after the death) the
 * titles stay greyed and say so; once it is up they are live again. Pure:
 * the caller feeds the state and draws the titles first.
 */
#ifndef KTCON_TUI_CON_DOWN_H
#define KTCON_TUI_CON_DOWN_H

#include <stdbool.h>
#include <time.h>

#include "tui/con-buf.h"
#include "tui/con-status.h"

struct con_down {
	bool down;
	bool boot_failed;
	bool restarting;	/* booting again after the death */
	char at[16];		/* HH:MM:SS, local time */
};

/* The guest's state as of now (now: the wall clock, for the time);
 * boot_failed: the console has not seen the guest up (a guest that dies
 * before its boot job is taken back says so once it is). */
void con_down_update(struct con_down *d, enum con_guest_state gs, bool boot_failed, time_t now);

/* Grey the title row of a pane (already drawn in pane's first row) and
 * say on its right why; nothing while the guest lives. */
void con_down_title(const struct con_down *d, struct con_buf *b, const struct con_rect *pane);

#endif
