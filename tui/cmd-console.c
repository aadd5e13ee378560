/*
 * cmd-console.c - `ktcon` with no command: the console on the default
 * guest.
 *
 * The full-screen console (panes, prompt, recording) is issue 8. Until it
 * lands this says so and gives what exists: the default guest with an
 * interactive shell, the same as `ktcon boot --shell`.
 */
#include "tui/cmd.h"

#include <stdio.h>
#include <string.h>

extern const struct ktcmd_entry ktcmd_boot_entry;

static int cmd_console_exec(int argc, char **argv)
{
	char *bargv[argc + 2];
	int n = 0;

	fprintf(stderr, "ktcon: the full-screen console is not built yet; "
		"booting the default guest with a shell instead (ktcon boot --shell)\n");
	bargv[n++] = (char *)"boot";
	bargv[n++] = (char *)"--shell";
	for (int i = 1; i < argc; i++)
		bargv[n++] = argv[i];
	bargv[n] = NULL;
	return ktcmd_boot_entry.exec(n, bargv);
}

const struct ktcmd_entry ktcmd_console_entry = {
	.name = "console",
	.usage = "console [boot options]",
	.summary = "boot the default guest and open the console (the default; for now a guest shell)",
	.exec = cmd_console_exec,
};
