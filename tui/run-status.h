/*
 * run-status.h - the live status line of `ktcon run` on a terminal.
 *
 * While recipes run, the last line of the terminal says what each running
 * guest is doing: booting, which step, how much of its hold is left,
 * powering off. It is redrawn four times a second and erased around every
 * line of output, so scrollback holds only the real output. When the
 * stream is not a terminal (CI logs, pipes) there is no status line and
 * every call is a no-op.
 */
#ifndef KTCON_TUI_RUN_STATUS_H
#define KTCON_TUI_RUN_STATUS_H

#include <stdint.h>

struct run_status;

/* A status line on FD, or NULL (calls with NULL do nothing) when FD is
 * not a terminal. */
struct run_status *run_status_start(int fd);
void run_status_stop(struct run_status *st);

/* A running recipe; returns its slot (or -1: not shown). NAME is kept. */
int run_status_add(struct run_status *st, const char *name);
void run_status_remove(struct run_status *st, int slot);

/* What it is doing now: a phase ("booting", "powering off"), a step
 * number (0 = backdrop), a hold of NS nanoseconds starting now. Setting
 * the step ends any hold. */
void run_status_phase(struct run_status *st, int slot, const char *phase);
void run_status_step(struct run_status *st, int slot, int step);
void run_status_hold(struct run_status *st, int slot, uint64_t ns);

/* Around printing to the same terminal: erase the line and hold it off,
 * then redraw it. */
void run_status_pause(struct run_status *st);
void run_status_resume(struct run_status *st);

#endif
