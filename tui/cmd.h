/*
 * cmd.h - the ktcon subcommand table.
 *
 * Like tmux's cmd_entry: each subcommand is one file defining one
 * `const struct ktcmd_entry`; cmd-table.c lists them; main() parses nothing
 * but global options and hands argv to the entry. Help and "not yet" come
 * from the same table.
 */
#ifndef KTCON_CMD_H
#define KTCON_CMD_H

struct ktcmd_entry {
	const char *name;
	const char *usage;	/* "kernel build [--source DIR] ..." */
	const char *summary;	/* one line for `ktcon --help` */
	/* argv[0] is the subcommand name. Returns the process exit status. */
	int (*exec)(int argc, char **argv);
	/* When exec is NULL: which issue brings it, said honestly. */
	const char *not_yet;
};

extern const struct ktcmd_entry *const ktcmd_table[];

const struct ktcmd_entry *ktcmd_find(const char *name);

/* Exit statuses shared by subcommands. */
enum {
	KTCMD_OK = 0,
	KTCMD_FAIL = 1,		/* the thing asked for failed */
	KTCMD_USAGE = 2,	/* bad command line */
	KTCMD_NOT_YET = 3,	/* exists in the table, not built yet */
};

#endif
