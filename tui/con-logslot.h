/*
 * con-logslot.h - the log's slot: two tabs, the log (the operator's ops,
 * results, errors, guest and host lines) and the scheduler's own output
 * (each line it prints, "sched NAME: ..." from the agent), so a
 * scheduler printing stats ten times a second cannot scroll an op's
 * result or error away; search (/TEXT, then n older, N newer) and
 * filters (errors, host lines, lines about the scheduler) on the tab
 * shown.
 *
 * The tab shown uses the console's scroll and view for the log pane
 * (c->scroll[CON_P_LOG], c->logview); the other tab's are kept here and
 * swapped in by `tab`. Scheduler lines arrive on the agent's reader
 * thread: the store is a con_log (locked), the one-time note is atomic.
 */
#ifndef KTCON_TUI_CON_LOGSLOT_H
#define KTCON_TUI_CON_LOGSLOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "tui/con-buf.h"
#include "tui/con-log.h"

#define CON_SCHED_LINES 5000

enum con_logtab {
	CON_LT_LOG,
	CON_LT_SCHED,
	CON_LT__COUNT,
};

struct con_logslot {
	struct con_log *sched;		/* the scheduler's output */
	enum con_logtab tab;		/* shown */
	int other_scroll;		/* the hidden tab's scroll and view */
	struct con_log_view other_view;
	char search[128];		/* the last /TEXT; "" none */
	uint64_t match;			/* the line it is on */
	bool searching;			/* n and N move between matches */
	atomic_bool told;		/* the log said where scheduler output goes */
};

struct ktconsole;

/* 0, or -1 out of memory. */
int con_logslot_init(struct con_logslot *s);
void con_logslot_free(struct con_logslot *s);

/* A line the scheduler printed (any thread). */
void con_logslot_sched_line(struct ktconsole *c, const char *text);

/* The log pane: the tab shown, its title with both tabs, the filter and
 * the search. r: the pane without its title row. */
void con_logslot_draw(struct ktconsole *c, struct con_buf *b, const struct con_rect *pane,
		      const struct con_rect *r, bool focus);

/* /TEXT at the prompt (no snapshot open): the newest match in the tab
 * shown, at the top of the log pane; n and N go on from it. */
void con_logslot_search(struct ktconsole *c, const char *text);
/* n and N act while a search is on (it ends with End or a typed line). */
bool con_logslot_searching(const struct ktconsole *c);
void con_logslot_end_search(struct ktconsole *c);

#endif
