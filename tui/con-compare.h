/*
 * con-compare.h - the console's `compare SCHEDULER [RUNS]`: the loaded
 * recipe (the replay's file, else the recording's) RUNS times (default 3)
 * as written (side A) and under SCHEDULER (side B, as `ktcon run
 * --scheduler`), on fresh guests beside the console's own, through `ktcon
 * run`'s machinery (tui/run-batch.h) on a thread of its own; the table
 * (engine/compare.h) goes to the log pane when it is done. One at a time.
 */
#ifndef KTCON_TUI_CON_COMPARE_H
#define KTCON_TUI_CON_COMPARE_H

#include "tui/con-log.h"

struct con_compare;

/* Start comparing path's recipe; says why not in the log. *cmp keeps the
 * comparison running. */
void con_compare_start(struct con_compare **cmp, struct con_log *log, const char *path,
		       const char *scheduler, int runs);
/* Interrupt a comparison still running (its guests are torn down);
 * returns at once. */
void con_compare_interrupt(struct con_compare *cmp);
/* Interrupt it, wait for it, free it. */
void con_compare_stop(struct con_compare **cmp);

#endif
