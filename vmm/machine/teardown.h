/*
 * teardown.h - nothing of a guest outlives a ktcon that is killed.
 *
 * machine_stop() cleans up on every normal path. This covers the others:
 * Ctrl-C, a closed terminal (SIGHUP, e.g. a tmux pane killed), SIGTERM.
 * Each running machine registers its QEMU pid and its run directory with
 * the files in it (the guest RAM and the initramfs are memfds: nothing to
 * remove); a handler for SIGINT, SIGTERM and SIGHUP kills those QEMUs,
 * removes those files and directories with async-signal-safe calls only,
 * then dies of the same signal so the shell sees the real cause. QEMU's
 * PR_SET_PDEATHSIG covers SIGKILL, which no handler can; the run directory
 * a SIGKILL leaves is swept by the next start (rundir.h).
 *
 * `ktcon run` takes these signals itself (one thread sigwaits, to write
 * its results first) and calls teardown_now() only on the second.
 *
 * The handler is installed at the first registration, and only for
 * signals whose disposition is still the default: a program that handles
 * them itself (the console) calls teardown_now() from its own handler.
 */
#ifndef KTCON_VMM_TEARDOWN_H
#define KTCON_VMM_TEARDOWN_H

#include <sys/types.h>

#define TEARDOWN_SLOTS 32

/* Track a machine; returns a slot, or -1 when the table is full or the
 * paths are too long (the machine then runs without the net). */
int teardown_register(pid_t qemu, const char *rundir, const char *const *files, int nfiles);

/* Forget one file of the slot (it has been removed by its owner). */
void teardown_forget_file(int slot, const char *path);

/* The machine was stopped normally. */
void teardown_unregister(int slot);

/* Kill and remove everything registered. Async-signal-safe. */
void teardown_now(void);

#endif
