/*
 * main.c - `ktcon`: global options, then the subcommand from the table.
 * With no subcommand, ktcon opens the console on the default guest.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "lib/timeouts.h"
#include "tui/cmd.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ktcon [--help] [--version] [COMMAND [ARGS...]]\n"
		"\n"
		"A terminal console for exploring a Linux guest under a sched_ext\n"
		"scheduler. With no COMMAND, boots the default guest and opens the\n"
		"console.\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; ktcmd_table[i]; i++) {
		const struct ktcmd_entry *c = ktcmd_table[i];

		fprintf(f, "  %-9s %s%s\n", c->name, c->summary,
			c->exec ? "" : " (not yet)");
	}
	fprintf(f, "\n`ktcon COMMAND --help` shows a command's options.\n");
}

int main(int argc, char **argv)
{
	const struct ktcmd_entry *c;

	/* A guest that dies closes its sockets under us: that is an error to
	 * report (EPIPE), not a reason for ktcon to die. */
	signal(SIGPIPE, SIG_IGN);

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return KTCMD_OK;
	}
	if (argc >= 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
		printf("ktcon %s\n", PACKAGE_VERSION);
		return KTCMD_OK;
	}
	if (argc >= 2 && argv[1][0] == '-' && strcmp(argv[1], "--")) {
		/* Options before a command belong to the console. */
		c = ktcmd_find("console");
		argv[0] = (char *)"console";
	} else if (argc < 2) {
		c = ktcmd_find("console");
		argv[0] = (char *)"console";
	} else {
		c = ktcmd_find(argv[1]);
		if (!c) {
			fprintf(stderr, "ktcon: unknown command '%s'\n\n", argv[1]);
			usage(stderr);
			return KTCMD_USAGE;
		}
		argc--;
		argv++;
	}
	/* The environment's timeout scale; --timeout-scale overrides it. */
	{
		struct kterr *e = kt_scale_from_env();

		if (e) {
			char buf[512];

			fprintf(stderr, "ktcon: %s\n", kterr_str(e, buf, sizeof(buf)));
			kterr_free(e);
			return KTCMD_USAGE;
		}
	}
	if (!c->exec) {
		fprintf(stderr, "ktcon %s: not yet: %s\n", c->name, c->not_yet);
		return KTCMD_NOT_YET;
	}
	return c->exec(argc, argv);
}
