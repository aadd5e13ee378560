/*
 * con-status.h - the status line: the guest (kernel, CPUs, accelerator,
 * booting/up/down), the scheduler, where the session is (backdrop, step
 * N, a hold), recording and replay, and the statement in flight. Pure: a
 * struct of what to say, rendered into one row; segments that do not fit
 * are cut from the right, and the key hint stays when there is room.
 */
#ifndef KTCON_TUI_CON_STATUS_H
#define KTCON_TUI_CON_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "tui/con-buf.h"

enum con_guest_state {
	CON_G_BOOTING,
	CON_G_UP,
	CON_G_DOWN,		/* died or failed to boot */
	CON_G_OFF,		/* powering off / off */
};

struct con_status {
	enum con_guest_state gs;
	const char *guest;	/* "6.12.117 2cpu tcg", NULL while booting */
	const char *sched;	/* "scx_simple enabled", "none" */
	int step;		/* 0: backdrop */
	const char *hold;	/* "hold 1.2s left", or NULL */
	const char *record;	/* the recording's file, or NULL */
	const char *replay;	/* "file.recipe 3/10", or NULL */
	const char *busy;	/* the statement in flight, or NULL */
	uint64_t busy_ns;	/* how long it has been in flight */
};

void con_status_render(const struct con_status *s, struct con_buf *b, const struct con_rect *r);

#endif
