/* cmd-kernel.c - `ktcon kernel build|list|path`. */
#include "tui/cmd.h"

#include <stdio.h>

static int cmd_kernel_exec(int argc, char **argv)
{
	fprintf(stderr, "ktcon kernel: not yet\n");
	return KTCMD_NOT_YET;
}

const struct ktcmd_entry ktcmd_kernel_entry = {
	.name = "kernel",
	.usage = "kernel build [--source DIR] [--jobs N] [--force] | list | path [--vmlinux|--dir]",
	.summary = "build, list and locate guest kernels and their schedulers",
	.exec = cmd_kernel_exec,
};
