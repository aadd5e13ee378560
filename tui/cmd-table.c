/* cmd-table.c - every ktcon subcommand, in the order help lists them. */
#include "tui/cmd.h"

#include <stddef.h>
#include <string.h>

extern const struct ktcmd_entry ktcmd_kernel_entry;
extern const struct ktcmd_entry ktcmd_check_entry;

static const struct ktcmd_entry ktcmd_console_entry = {
	.name = "console",
	.usage = "console [--kernel PATH] [--record FILE] [RECIPE]",
	.summary = "boot the default guest and open the console (the default)",
	.not_yet = "the console arrives with issue 8; meanwhile `ktcon boot --shell` gives a guest shell once issue 3 lands",
};

static const struct ktcmd_entry ktcmd_boot_entry = {
	.name = "boot",
	.usage = "boot [--cpus N | --topology N,L,C,T] [--memory MiB] [--kernel PATH] [--accel auto|kvm|tcg] [--shell]",
	.summary = "boot a guest, print its timings, and exit (or give a shell)",
	.not_yet = "booting the guest arrives with issue 3 (the machine)",
};

static const struct ktcmd_entry ktcmd_run_entry = {
	.name = "run",
	.usage = "run [--kernel PATH] [--json FILE] [--tap] [-j N] RECIPE...",
	.summary = "replay recipes headless on fresh guests and report",
	.not_yet = "headless replay arrives with issue 4 (the engine)",
};

const struct ktcmd_entry *const ktcmd_table[] = {
	&ktcmd_console_entry,
	&ktcmd_boot_entry,
	&ktcmd_run_entry,
	&ktcmd_check_entry,
	&ktcmd_kernel_entry,
	NULL,
};

const struct ktcmd_entry *ktcmd_find(const char *name)
{
	for (size_t i = 0; ktcmd_table[i]; i++)
		if (!strcmp(ktcmd_table[i]->name, name))
			return ktcmd_table[i];
	return NULL;
}
