/*
 * exit-nap.h - sleep until one of some child processes exits, or a time
 * passes, whichever is first.
 *
 * A wait for a killed child used to nap 2 ms between looks; this sleeps
 * on pidfds (Linux 5.3+: readable once the process has exited, before
 * it is reaped), so the waiter wakes when the exit happens and not up to
 * a nap later, and does not spin while a stuck task holds it. Where
 * pidfd_open is missing it naps the time given.
 */
#ifndef KTCON_GUEST_EXIT_NAP_H
#define KTCON_GUEST_EXIT_NAP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* At most this many pidfds are watched at once; a longer list is watched
 * by its first EXIT_NAP_MAX live entries (the caller rescans on wake). */
#define EXIT_NAP_MAX 64

/* Sleep up to ms until one of pids[i] (i < n, pids[i] > 0 and, when
 * done is not NULL, !done[i]) has exited. Returns at once when one has
 * already exited or is already gone. */
void exit_nap(const pid_t *pids, const bool *done, size_t n, int ms);

#endif
