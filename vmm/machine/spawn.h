/*
 * spawn.h - run a build tool as a child, stream its output line by line.
 *
 * Output (stdout and stderr merged) goes to a log file, to an optional line
 * callback (progress parsing), and the last lines are kept so a failure can
 * show them. The child dies with us (PR_SET_PDEATHSIG).
 */
#ifndef KTCON_VMM_SPAWN_H
#define KTCON_VMM_SPAWN_H

#include "lib/err.h"

#define SPAWN_TAIL_LINES 25

struct spawn_opts {
	const char *cwd;		/* NULL: inherit */
	const char *const *env_add;	/* "K=V" entries added to the env, NULL-terminated */
	int log_fd;			/* -1: no log */
	void (*on_line)(const char *line, void *ctx);
	void *ctx;
};

/* Run argv to completion. A non-zero exit or a signal is an error naming
 * argv[0], the status, and carrying the output tail. */
struct kterr *spawn_run(const char *const *argv, const struct spawn_opts *o);

#endif
