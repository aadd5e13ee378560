/* cmd-table.c - every ktcon subcommand, in the order help lists them. */
#include "tui/cmd.h"

#include <stddef.h>
#include <string.h>

extern const struct ktcmd_entry ktcmd_kernel_entry;
extern const struct ktcmd_entry ktcmd_check_entry;
extern const struct ktcmd_entry ktcmd_boot_entry;
extern const struct ktcmd_entry ktcmd_console_entry;
extern const struct ktcmd_entry ktcmd_run_entry;
extern const struct ktcmd_entry ktcmd_compare_entry;
extern const struct ktcmd_entry ktcmd_diff_entry;
extern const struct ktcmd_entry ktcmd_help_entry;

const struct ktcmd_entry *const ktcmd_table[] = {
	&ktcmd_console_entry,
	&ktcmd_boot_entry,
	&ktcmd_run_entry,
	&ktcmd_compare_entry,
	&ktcmd_diff_entry,
	&ktcmd_check_entry,
	&ktcmd_kernel_entry,
	&ktcmd_help_entry,
	NULL,
};

const struct ktcmd_entry *ktcmd_find(const char *name)
{
	for (size_t i = 0; ktcmd_table[i]; i++)
		if (!strcmp(ktcmd_table[i]->name, name))
			return ktcmd_table[i];
	return NULL;
}
