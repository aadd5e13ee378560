/* guest-opts.c - the guest options' table; see guest-opts.h. */
#include "tui/guest-opts.h"

#include <errno.h>
#include <string.h>

#include "lib/timeouts.h"
#include "vmm/machine/warm.h"

static const struct {
	unsigned bit;
	struct option opt;
	const char *help;	/* a paragraph for --help, NULL: the usage line says it */
} table[] = {
	{ GOPT_CPUS, { "cpus", required_argument, NULL, 'c' }, NULL },
	{ GOPT_TOPOLOGY, { "topology", required_argument, NULL, 't' }, NULL },
	{ GOPT_MEMORY, { "memory", required_argument, NULL, 'm' }, NULL },
	{ GOPT_KERNEL, { "kernel", required_argument, NULL, 'k' },
	  "--kernel X.Y|PATH\n"
	  "           a version's newest cached build (7.3), a bzImage or a cache entry;\n"
	  "           without it the cached 6.12 build of the current fragment\n" },
	{ GOPT_ACCEL, { "accel", required_argument, NULL, 'a' }, NULL },
	{ GOPT_TIMEOUT_SCALE, { "timeout-scale", required_argument, NULL, 'X' },
	  "--timeout-scale F\n"
	  "           multiply every limit ktcon and the agent wait under by F\n"
	  "           (`ktcon help timeouts` lists them)\n" },
	{ GOPT_SCHEDULER, { "scheduler", required_argument, NULL, 'S' },
	  "--scheduler NAME\n"
	  "           boot under one of the kernel's sched_ext schedulers (scx_simple,\n"
	  "           scx_qmap, scx_central, scx_flatcg; 7.3 adds scx_cpu0, scx_pair,\n"
	  "           scx_sdt, scx_userland): the guest is ready once it is enabled\n" },
	{ GOPT_SCHED_ARGS, { "sched-args", required_argument, NULL, 'A' }, NULL },
	{ GOPT_STAGE_PAYLOAD, { "stage-payload", required_argument, NULL, 'P' },
	  "--stage-payload NAME=PATH\n"
	  "           put the host binary PATH in the guest as\n"
	  "           /staging/payloads/NAME/, with the libraries it needs\n" },
	{ GOPT_WARM, { "warm", no_argument, NULL, 'W' },
	  "--warm     start from the saved ready state of this kernel, vm line and\n"
	  "           initramfs, saving one first when there is none\n"
	  "--cold     boot (the default; KTCON_WARM=1 makes --warm the default)\n" },
	{ GOPT_WARM, { "cold", no_argument, NULL, 'C' }, NULL },
};

#define N (sizeof(table) / sizeof(table[0]))

void guest_opts_init(struct guest_opts *g, unsigned mask, const struct option *own)
{
	size_t n = 0, s = 0;

	memset(g, 0, sizeof(*g));
	g->v.warm = -1;
	for (size_t i = 0; i < N; i++)
		if (mask & table[i].bit)
			g->longopts[n++] = table[i].opt;
	g->longopts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	for (; own && own->name && n < GUEST_OPTS_MAX; own++)
		g->longopts[n++] = *own;
	/* The letters too, so the short forms work as they always did. */
	for (size_t i = 0; i < n; i++) {
		if (g->longopts[i].val <= 0 || g->longopts[i].val > 0x7f)
			continue;
		g->shortopts[s++] = (char)g->longopts[i].val;
		if (g->longopts[i].has_arg == required_argument)
			g->shortopts[s++] = ':';
	}
	optind = 1;
	opterr = 0;
}

int guest_opts_next(struct guest_opts *g, int argc, char **argv, struct kterr **e)
{
	int c;

	*e = NULL;
	while ((c = getopt_long(argc, argv, g->shortopts, g->longopts, NULL)) != -1) {
		switch (c) {
		case 'k': g->v.kernel = optarg; break;
		case 'a': *e = accel_parse(optarg, &g->v.accel); break;
		case 'X': *e = kt_scale_from_flag(optarg); break;
		case 'W': g->v.warm = 1; break;
		case 'C': g->v.warm = 0; break;
		case 'h': g->help = true; break;
		case '?':
		case ':':
			*e = kterr_new(EINVAL, "unknown or incomplete option '%s'",
				       argv[optind - 1]);
			break;
		default:
			return c;
		}
		if (*e)
			return -1;
	}
	return -1;
}

struct kterr *guest_opts_warm(const struct guest_opts *g, bool dflt, bool *warm)
{
	*warm = dflt;
	if (g->v.warm >= 0) {
		*warm = g->v.warm;
		return NULL;
	}
	return warm_env(warm);
}

void guest_opts_help(FILE *f, unsigned mask)
{
	for (size_t i = 0; i < N; i++)
		if ((mask & table[i].bit) && table[i].help)
			fputs(table[i].help, f);
}
