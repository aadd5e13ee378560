/*
 * rundir.h - a guest's run directory, and the sweep of those a dead ktcon
 * left behind.
 *
 * QEMU's sockets and the console log need names, so each machine gets a
 * private directory TMPDIR/ktcon-run-XXXXXX. A ktcon killed with SIGKILL
 * cannot remove it, so each directory holds an "owner" file that its ktcon
 * keeps locked (flock) for as long as it lives, with its pid written after
 * the lock is taken. The kernel drops the lock when the process dies,
 * however it dies: a directory whose owner file is written and unlocked
 * belongs to nobody, and the next ktcon that starts a guest removes it.
 * That test is immune to pid reuse and never touches a live ktcon's
 * directory (a written owner file was locked first).
 */
#ifndef KTCON_VMM_RUNDIR_H
#define KTCON_VMM_RUNDIR_H

#include "lib/err.h"

#define RUNDIR_PREFIX "ktcon-run-"
#define RUNDIR_OWNER "owner"

/* Create a run directory under kt_tmpdir(); *path is malloc'd, *lock_fd
 * holds the lock until rundir_remove. */
struct kterr *rundir_create(char **path, int *lock_fd);

/* Remove the directory and everything in it, then drop the lock. */
void rundir_remove(char *path, int lock_fd);

/* Remove every run directory under DIR whose owner is gone; returns how
 * many. Errors are not fatal: what cannot be removed stays for later. */
int rundir_sweep(const char *dir);

#endif
