/*
 * cmd-kernel.h - `ktcon kernel`: argument parsing, exposed for tests.
 */
#ifndef KTCON_TUI_CMD_KERNEL_H
#define KTCON_TUI_CMD_KERNEL_H

#include <stdbool.h>

#include "lib/err.h"

enum kernel_action { KERNEL_BUILD, KERNEL_LIST, KERNEL_PATH, KERNEL_CLEAN_WARM, KERNEL_HELP };
enum kernel_path_what { KPATH_BZIMAGE, KPATH_VMLINUX, KPATH_DIR };

struct kernel_args {
	enum kernel_action action;
	const char *source;	/* build --source DIR */
	const char *version;	/* build/path --version X.Y; NULL: the default */
	int jobs;		/* build --jobs N; 0 = all CPUs */
	bool force;		/* build --force */
	bool scheduler_only;	/* build --source DIR --scheduler-only */
	enum kernel_path_what what;
};

/* argv[0] is "kernel". Errors name the offending argument. */
struct kterr *kernel_parse_args(int argc, char **argv, struct kernel_args *out);

#endif
