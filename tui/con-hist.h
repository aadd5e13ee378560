/*
 * con-hist.h - the history view: the last minute of the session's
 * timeline (con-live.h) as sparklines, one row each, on one time axis
 * (the window ends at the latest sample, now; its left edge is a minute
 * before):
 *   switches/s   context switches per second, every CPU
 *   rejected/s   sched_ext's nr_rejected, per second
 *   cpuN busy    the share of samples with a task running on CPU N
 *   GROUP it/s   each worker group's iterations per second
 *   scx queued   tasks sched_ext has queued (nr_running + local DSQs)
 *   irq/s        interrupts per second, every CPU
 * then, fixed at the bottom, the event strip (A attach, D detach, X
 * scheduler exit, F freeze, U unfreeze, W watch fire) in the same
 * columns, the latest event in words, and the axis. Each sparkline is
 * scaled to its own largest value in the window, which the row prints at
 * its right with the latest value. Series rows scroll; the strip stays.
 *
 * Each column covers an equal slice of the minute: a rate is the mean of
 * the rates between the samples that fall in it, a level the mean of the
 * values, a share the fraction of samples; a column no sample fell in
 * between two that had some shows the one before (the sampler is slower
 * than the columns at large widths). Pure.
 */
#ifndef KTCON_TUI_CON_HIST_H
#define KTCON_TUI_CON_HIST_H

#include <stdbool.h>

#include "tui/con-buf.h"
#include "tui/con-live.h"

/* dim: the guest is gone (the last data, greyed). Returns the largest
 * useful scroll. */
int con_hist_render(const struct con_live *m, bool dim, struct con_buf *b,
		    const struct con_rect *r, int scroll);

/* The scaling: v[0..n) (has[i] false: no data) to levels, 0 for no
 * data, else 1..CON_SPARK_LEVELS in proportion to the largest value
 * (a value of 0 or less: 1). */
void con_hist_levels(const double *v, const bool *has, int n, unsigned char *level);

/* "950", "12.3k", "4.1M": a value in at most 6 columns. */
const char *con_hist_fmt(double v, char *buf, size_t size);

#endif
