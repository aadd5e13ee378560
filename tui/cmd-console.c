/*
 * cmd-console.c - `ktcon` with no command: boot the default guest (or the
 * one the options or a recipe ask for) and open the full-screen console
 * on it (console.h).
 *
 * The options become recipe header lines (vm, kernel, scheduler,
 * stage-payload, stage-scheduler): the guest boots from them the way
 * `ktcon run` boots a recipe's guest (recipe-boot.h), the engine
 * validates against them, and a recording starts with them, so what is
 * recorded here replays on the same guest.
 */
#include "tui/cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/timeouts.h"
#include "engine/header.h"
#include "lib/util.h"
#include "tui/console.h"
#include "tui/guest-opts.h"
#include "tui/recipe-boot.h"
#include "vmm/machine/warm.h"

#define LOG_LINES 5000

static const char usage_text[] =
	"usage: ktcon [--cpus N | --topology NUMA,LLCS,CORES,THREADS] [--memory MiB]\n"
	"             [--kernel BZIMAGE] [--accel auto|kvm|tcg] [--scheduler NAME [--sched-args ARGS]]\n"
	"             [--stage-payload NAME=PATH]... [--stage-scheduler NAME=PATH]...\n"
	"             [--record FILE] [--replay RECIPE] [--timeout-scale F] [--warm | --cold]\n"
	"             [--live HZ|off]\n"
	"\n"
	"Boots a guest and opens the console: panes for the cgroup tree, the\n"
	"scheduler, captures and the log, and a prompt where each line is a recipe\n"
	"statement applied to the guest now (`help` lists them, ? the keys).\n"
	"--record FILE   record the session as a recipe (also `record FILE`)\n"
	"--replay RECIPE boot the guest RECIPE's header asks for and load it for\n"
	"                `next` / `continue`\n"
	"--warm          start from the saved ready state of this kernel, vm line and\n"
	"                initramfs (saving one first when there is none); --cold: boot\n"
	"                (the default; KTCON_WARM=1 makes --warm the default)\n"
	"--live HZ|off   sample the runqueues for the live views at HZ (2..10, default 4)\n"
	"                without pausing the guest, or not (`live` changes it)\n";

/* The guest options the console takes (guest-opts.h); they become the
 * recipe header's lines. */
#define CONSOLE_GUEST_OPTS (GOPT_CPUS | GOPT_TOPOLOGY | GOPT_MEMORY | GOPT_MACHINE | GOPT_WARM | \
			    GOPT_SCHEDULER | GOPT_SCHED_ARGS | GOPT_STAGE_PAYLOAD)

struct console_args {
	struct session_opts so;		/* accel and kernel override */
	char *header;			/* built from the options */
	const char *record, *replay;
	int live_hz;			/* 0 default, < 0 off */
};

static struct kterr *append(char **h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static struct kterr *append(char **h, const char *fmt, ...)
{
	va_list ap;
	char *line = NULL, *n;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		line = NULL;
	va_end(ap);
	n = line ? kt_strfmt("%s%s\n", *h ? *h : "", line) : NULL;
	free(line);
	if (!n)
		return kterr_new(ENOMEM, "options");
	free(*h);
	*h = n;
	return NULL;
}

/* NAME=PATH into a stage line. */
static struct kterr *stage(char **h, const char *dir, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *name, *path;
	struct kterr *e;

	if (!eq || eq == arg || !eq[1])
		return kterr_new(EINVAL, "--%s '%s' is not NAME=PATH", dir, arg);
	name = strndup(arg, (size_t)(eq - arg));
	path = kt_quote(eq + 1, false);
	e = name && path ? append(h, "%s %s %s", dir, name, path) : kterr_new(ENOMEM, "options");
	free(name);
	free(path);
	return e;
}

/* --live HZ|off */
static struct kterr *live_rate(const char *arg, int *hz)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (!strcmp(arg, "off")) {
		*hz = -1;
		return NULL;
	}
	if (*end || end == arg || v < CON_LIVE_MIN_HZ || v > CON_LIVE_MAX_HZ)
		return kterr_hint(kterr_new(EINVAL, "--live '%s' is not %d..%d or off", arg,
					    CON_LIVE_MIN_HZ, CON_LIVE_MAX_HZ),
				  "samples a second for the live runqueues and history");
	*hz = (int)v;
	return NULL;
}

static struct kterr *parse(int argc, char **argv, struct console_args *a, bool *help)
{
	static const struct option own[] = {
		{ "stage-scheduler", required_argument, NULL, 'Q' },
		{ "record", required_argument, NULL, 'r' },
		{ "replay", required_argument, NULL, 'R' },
		{ "live", required_argument, NULL, 'L' },
		{ 0 },
	};
	const char *cpus = NULL, *topo = NULL, *mem = NULL, *kernel, *sched = NULL,
		   *sargs = NULL;
	char *stages = NULL;
	struct kterr *e = NULL;
	struct guest_opts g;
	int c;

	memset(a, 0, sizeof(*a));
	guest_opts_init(&g, CONSOLE_GUEST_OPTS, own);
	while (!e && (c = guest_opts_next(&g, argc, argv, &e)) != -1) {
		switch (c) {
		case 'c': cpus = optarg; break;
		case 't': topo = optarg; break;
		case 'm': mem = optarg; break;
		case 'S': sched = optarg; break;
		case 'A': sargs = optarg; break;
		case 'P': e = stage(&stages, "stage-payload", optarg); break;
		case 'Q': e = stage(&stages, "stage-scheduler", optarg); break;
		case 'r': a->record = optarg; break;
		case 'R': a->replay = optarg; break;
		case 'L': e = live_rate(optarg, &a->live_hz); break;
		}
	}
	kernel = g.v.kernel;
	a->so.accel = g.v.accel;
	*help = g.help;
	if (!e)
		e = guest_opts_warm(&g, false, &a->so.warm);
	if (!e && optind < argc)
		e = kterr_new(EINVAL, "unexpected argument '%s'", argv[optind]);
	if (!e && a->replay && (cpus || topo || mem || sched || stages))
		e = kterr_hint(kterr_new(EINVAL, "--replay boots the guest its recipe's header asks "
					 "for"), "edit the recipe's vm, scheduler and stage lines "
					 "instead of giving options");
	if (e || *help || a->replay) {
		free(stages);
		return e;
	}
	if (topo)
		e = append(&a->header, "vm topology=%s memory=%s", topo, mem ? mem : "512");
	else
		e = append(&a->header, "vm cpus=%s memory=%s", cpus ? cpus : "2", mem ? mem : "512");
	if (!e && kernel) {
		char *q = kt_quote(kernel, false);

		e = q ? append(&a->header, "kernel %s", q) : kterr_new(ENOMEM, "options");
		free(q);
	} else if (!e) {
		e = append(&a->header, "kernel default");
	}
	if (!e && sched) {
		char *q = sargs ? kt_quote(sargs, true) : NULL;

		e = append(&a->header, "scheduler %s%s%s", sched, q ? " args=" : "", q ? q : "");
		free(q);
	}
	if (!e && stages)
		e = append(&a->header, "%.*s", (int)strlen(stages) - 1, stages);
	free(stages);
	return e;
}

/* The header lines of a recipe, as text. */
static char *header_of(const struct kt_recipe *r)
{
	char *h = NULL;

	for (size_t i = 0; i < r->nstmts; i++) {
		char *s;
		struct kterr *e;

		if (r->stmts[i].kind != KT_STMT_DIRECTIVE)
			continue;
		s = kt_stmt_print(&r->stmts[i]);
		e = s ? append(&h, "%s", s) : kterr_new(ENOMEM, "header");
		free(s);
		if (e) {
			kterr_free(e);
			free(h);
			return NULL;
		}
	}
	return h ? h : strdup("");
}

static void say_error(const char *what, struct kterr *e)
{
	char *m = kterr_strdup(e);

	fprintf(stderr, "ktcon: %s%s\n", what, m ? m : "failed");
	free(m);
	kterr_free(e);
}

static void on_console_line(const char *line, void *ctx)
{
	struct ktconsole *c = ctx;

	con_log_add(c->log, CON_A_DIM, "%s", line);
}

/* ktcon's notes while it boots (a warm state restored, saved, refused). */
static void on_note(const char *line, void *ctx)
{
	struct ktconsole *c = ctx;

	con_log_add(c->log, CON_A_OK, "%s", line);
}

static int cmd_console_exec(int argc, char **argv)
{
	struct console_args a;
	struct ktconsole c = { .zoom = -1, .focus = CON_P_LOG };
	struct recipe_boot rb = { 0 };
	struct con_engine_opts eo = { 0 };
	bool help;
	int rc;
	struct kterr *e = parse(argc, argv, &a, &help);

	if (e || help) {
		if (e)
			say_error("", e);
		fputs(usage_text, e ? stderr : stdout);
		/* --kernel here is a header line: a bzImage, not a version. */
		guest_opts_help(e ? stderr : stdout, CONSOLE_GUEST_OPTS & ~GOPT_KERNEL);
		free(a.header);
		return e ? KTCMD_USAGE : KTCMD_OK;
	}
	pthread_mutex_init(&c.fires_lock, NULL);
	c.record_path = a.record ? strdup(a.record) : NULL;
	c.log = con_log_new(LOG_LINES);
	c.syms = con_syms_new();
	c.live = con_live_new();
	if (con_logslot_init(&c.logslot)) {
		say_error("", kterr_new(ENOMEM, "the console's log"));
		con_log_free(c.log);
		con_syms_free(c.syms);
		return KTCMD_FAIL;
	}
	if (c.log && c.syms)
		con_log_set_rewrite(c.log, con_syms_rewrite, c.syms);
	if (a.replay) {
		e = con_replay_load(&c.replay, a.replay);
		if (!e && !(a.header = header_of(c.replay.r)))
			e = kterr_new(ENOMEM, "reading %s", a.replay);
		if (e) {
			say_error("", e);
			con_replay_clear(&c.replay);
			con_log_free(c.log);
			return KTCMD_FAIL;
		}
	}
	c.header_text = a.header;
	e = kt_recipe_parse("<options>", a.header, strlen(a.header), &c.header);
	if (!e && c.header->ndiags) {
		kt_recipe_print_diags(c.header, stderr);
		e = kterr_new(EINVAL, "the options make a header that does not parse");
	}
	eo.so = a.so;
	if (!e)
		e = recipe_boot_opts(c.header, &eo.so, &rb);
	if (e) {
		say_error("", e);
		rc = KTCMD_USAGE;
		goto out;
	}
	eo.so.on_console = on_console_line;
	eo.so.on_note = on_note;
	eo.so.ctx = &c;
	eo.header = c.header;
	eo.on_event = console_on_event;
	eo.event_ctx = &c;
	eo.on_job = console_on_job;
	eo.live_hz = a.live_hz;
	con_log_add(c.log, CON_A_DIM, "booting the guest...");
	if (c.replay.r)
		con_log_add(c.log, CON_A_OK, "loaded %s: %zu statements; `next` applies one, "
			    "`continue` runs to the end", a.replay, c.replay.total);
	e = con_engine_start(&eo, &c.eng);
	if (e) {
		say_error("", e);
		rc = KTCMD_FAIL;
		goto out;
	}
	rc = console_ui_run(&c);
	con_compare_stop(&c.cmp);
	if (rc < 0) {
		/* No terminal: the guest still has to go. */
		console_quit(&c);
		while (!c.done) {
			struct con_job *j = NULL, *next;

			while (!(j = con_engine_take(c.eng)))
				usleep(20000);
			for (; j; j = next) {
				next = j->next;
				console_job_done(&c, j);
				con_job_free(j);
			}
		}
		rc = KTCMD_FAIL;
	}
	con_engine_free(c.eng);
	if (c.rec && c.rec && con_rec_file(c.rec))
		printf("ktcon: recorded to %s (replay it with `ktcon run %s`)\n",
		       con_rec_file(c.rec), con_rec_file(c.rec));
	printf("ktcon: the guest is powered off\n");
out:
	free(c.record_path);
	free(c.echo);
	con_browse_free(c.browse);
	con_rec_free(c.rec);
	recipe_boot_free(&rb);
	kt_recipe_free(c.header);
	con_replay_clear(&c.replay);
	kt_gstate_clear(&c.g);
	con_scn_clear(&c.scn);
	for (size_t i = 0; i < c.nfires; i++)
		free(c.fires[i]);
	con_log_free(c.log);
	con_syms_free(c.syms);
	con_logslot_free(&c.logslot);
	con_treeslot_free(&c.treeslot);
	con_live_free(c.live);
	free(a.header);
	return rc;
}

const struct ktcmd_entry ktcmd_console_entry = {
	.name = "console",
	.usage = "console [--cpus N] [--kernel PATH] [--scheduler NAME] [--record FILE] [--replay RECIPE]",
	.summary = "boot a guest and open the full-screen console (the default)",
	.exec = cmd_console_exec,
};
