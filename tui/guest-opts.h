/*
 * guest-opts.h - the options of the commands that boot a guest (`ktcon
 * boot`, `ktcon run`, the console): one table for getopt_long, the short
 * option string and the help paragraphs, so --kernel, --accel,
 * --timeout-scale and the rest are spelt, parsed and explained once.
 *
 * Each command picks the guest options it takes (a mask) and adds its own;
 * the option values (the `val` getopt returns) are the same letters in
 * every command, so a command never takes two options with one letter.
 */
#ifndef KTCON_TUI_GUEST_OPTS_H
#define KTCON_TUI_GUEST_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/err.h"
#include "vmm/machine/accel.h"

enum {
	GOPT_CPUS = 1 << 0,		/* --cpus N (c) */
	GOPT_TOPOLOGY = 1 << 1,		/* --topology NUMA,LLCS,CORES,THREADS (t) */
	GOPT_MEMORY = 1 << 2,		/* --memory MiB (m) */
	GOPT_KERNEL = 1 << 3,		/* --kernel X.Y|PATH (k) */
	GOPT_ACCEL = 1 << 4,		/* --accel auto|kvm|tcg (a) */
	GOPT_TIMEOUT_SCALE = 1 << 5,	/* --timeout-scale F (X) */
	GOPT_SCHEDULER = 1 << 6,	/* --scheduler NAME (S) */
	GOPT_SCHED_ARGS = 1 << 7,	/* --sched-args ARGS (A) */
	GOPT_STAGE_PAYLOAD = 1 << 8,	/* --stage-payload NAME=PATH (P) */
	GOPT_WARM = 1 << 9,		/* --warm (W), --cold (C) */
};

/* The machine every guest command takes. */
#define GOPT_MACHINE (GOPT_KERNEL | GOPT_ACCEL | GOPT_TIMEOUT_SCALE)

/* Room for the guest options plus a command's own in a getopt table. */
#define GUEST_OPTS_MAX 48

/* What the options every guest command reads the same way leave behind. */
struct guest_optvals {
	const char *kernel;
	enum accel accel;
	int warm;		/* --warm 1, --cold 0, neither -1 (guest_opts_warm) */
};

struct guest_opts {
	struct option longopts[GUEST_OPTS_MAX + 1];	/* ends with { 0 } */
	char shortopts[2 * GUEST_OPTS_MAX + 1];
	struct guest_optvals v;		/* --kernel, --accel */
	bool help;			/* --help (-h) was given */
};

/* Start reading a command line: the getopt tables (the guest options in
 * mask, --help, then own, which ends with a zero entry), getopt reset. */
void guest_opts_init(struct guest_opts *g, unsigned mask, const struct option *own);

/*
 * The next option for the command to handle (getopt's val; optarg is its
 * argument), -1 at the end or on an error (*e set: an unknown or
 * incomplete option, or a bad value of one taken here). Taken here:
 * --kernel and --accel into g->v, --timeout-scale (applied to the
 * process's limits at once), --help into g->help.
 */
int guest_opts_next(struct guest_opts *g, int argc, char **argv, struct kterr **e);

/* Whether to start warm (vmm/machine/warm.h): --warm or --cold as given,
 * else KTCON_WARM, else dflt. */
struct kterr *guest_opts_warm(const struct guest_opts *g, bool dflt, bool *warm);

/* The help paragraphs of the guest options in mask, in table order. */
void guest_opts_help(FILE *f, unsigned mask);

#endif
