/*
 * cmd-run.c - `ktcon run`: replay recipes headless, one fresh guest per
 * recipe, one line per statement, a summary, optional TAP and JSON.
 *
 * A recipe that needs what this build cannot do yet (an op the guest agent
 * does not list in its HELLO), or a scheduler its kernel does not ship or
 * that is known broken there (recipe-scheds.h), is reported PENDING with
 * what it needs, and never counted as passing. Host-side ops (kernel memory, snapshots,
 * watches) go to host introspection (vmm/intro/intro.h) over the guest's RAM,
 * its vmlinux and the gdbstub.
 *
 * SIGINT, SIGTERM and SIGHUP (a CI job's timeout, a closed terminal) are
 * waited for by one thread, every other thread blocking them. The first
 * interrupts: the op or hold in flight is cancelled, the guest torn down,
 * recipes not started are not started, and the summary, TAP and JSON are
 * written with the results so far, marked INTERRUPTED; the exit status is
 * 128 + the signal's number. The second kills every QEMU, removes what it
 * can (vmm/machine/teardown.h) and dies of the signal at once.
 *
 * --shard K/N runs the K-th of N deterministic slices (engine/shard.h), so a
 * CI matrix of N jobs runs every recipe once; --timings balances them by
 * earlier durations; --list prints the slice and boots nothing. --junit
 * writes JUnit XML (engine/results.h) beside --json and --tap.
 */
#include "tui/cmd.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/timeouts.h"
#include "engine/executor.h"
#include "engine/form.h"
#include "engine/header.h"
#include "engine/results.h"
#include "engine/shard.h"
#include "lib/util.h"
#include "tui/recipe-boot.h"
#include "tui/run-status.h"
#include "vmm/link/guestlink.h"
#include "vmm/intro/intro.h"
#include "vmm/kernel/paths.h"
#include "vmm/machine/session.h"
#include "vmm/machine/teardown.h"
#include "lib/kjson.h"
#include "engine/timeline.h"
#include "engine/trace-tef.h"
#include "tui/recipe-scheds.h"
#include "tui/run-timeline.h"

static const char usage_text[] =
	"usage: ktcon run [--kernel X.Y|PATH] [--accel auto|kvm|tcg] [--json FILE] [--tap]\n"
	"                 [--junit FILE] [-j N] [--allow-pending] [--verbose] [--timeout-scale F]\n"
	"                 [--sample-rate HZ | --no-timeline] [--trace FILE]\n"
	"                 [--shard K/N [--timings FILE]] [--list] RECIPE...\n"
	"\n"
	"Boots one guest per recipe, replays it, prints a line per statement and a\n"
	"summary. Exit 0 only when every expectation held and no op failed\n"
	"unexpectedly. --allow-pending: recipes that need what this build cannot do\n"
	"yet are listed as PENDING and do not make the run fail. --timeout-scale F\n"
	"multiplies every limit ktcon and the agent wait under (`ktcon help timeouts`).\n"
	"While a recipe runs the host samples the guest's runqueues, sched_ext, IRQ rate\n"
	"and worker progress without pausing it, at --sample-rate HZ (1-100, default 10),\n"
	"into a timeline with every step, op, attach, exit, freeze and watch fire: the\n"
	"\"timeline\" member of each recipe in --json. --no-timeline: none. --trace FILE:\n"
	"the timelines as a Trace Event Format file (Perfetto, chrome://tracing), one\n"
	"process per recipe, a track per CPU.\n"
	"SIGINT, SIGTERM or SIGHUP: tear down, write the results so far (marked\n"
	"INTERRUPTED), exit 128+N; a second signal exits at once.\n"
	"--junit FILE: JUnit XML, one test case per recipe (CI test reporters).\n"
	"--shard K/N: run only the K-th of N slices (1 <= K <= N <= 256): the\n"
	"recipes sorted by path as given (leading ./ ignored) and dealt round-robin,\n"
	"so N jobs with K=1..N run each recipe once, whatever the argument order.\n"
	"--timings FILE: balance the shards by the durations in an earlier run's\n"
	"--json file (or several merged with `jq -s`), longest first onto the\n"
	"least-loaded shard; unknown recipes count as the median. --list: print\n"
	"the recipes that would run (with their estimates under --timings), one a\n"
	"line, and exit 0 without reading a recipe or booting anything.\n"
	"-j N: guests at once, each one QEMU with the recipe's vm cpus= and\n"
	"memory= (ktcon(1) and doc/ci-matrix.md say how to choose N).\n";

enum outcome { OUT_PASS, OUT_FAIL, OUT_PENDING, OUT_ERROR, OUT_INTERRUPTED, OUT_N };
static const char *const outcome_names[OUT_N] = { "PASS", "FAIL", "PENDING", "ERROR",
						  "INTERRUPTED" };

struct run_opts {
	const char *kernel;
	const char *json, *junit;
	enum accel accel;
	bool tap, allow_pending, verbose, list;
	int jobs;
	unsigned rate_hz;	/* 0: --no-timeline */
	const char *trace;
	unsigned shard_k, shard_n;	/* 0/0: no --shard */
	const char *timings_file;
	struct kt_timings *timings;
};

struct job {
	const char *path;
	const struct run_opts *o;
	enum outcome outcome;
	char *why;		/* pending: what is missing; error: the chain */
	char *json;		/* this recipe's results as JSON */
	char *tap;
	char *ju_detail, *ju_out;	/* for --junit: kt_junit_detail(), _out() */
	int ju_line;
	uint64_t ns;
	size_t npass, nfail;
	int slot;		/* on the status line */
	struct kt_exec *x;	/* while the recipe runs: where watch fires go */
	struct fired {		/* per watch tag: how often, and the last capture */
		char *tag, *json;
		uint64_t n;
	} *fired;
	size_t nfired;
	pthread_mutex_t fire_lock;
	struct kt_timeline *tl;	/* kept for --json and --trace; NULL: none */
};

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static struct run_status *status;	/* NULL unless stderr is a terminal */

static void say(const struct job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct job *j, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	run_status_pause(status);
	if (j->o->jobs > 1)
		printf("[%s] ", j->path);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	run_status_resume(status);
	pthread_mutex_unlock(&out_lock);
}

/* ---- what a statement needs ---- */

static const char *expect_needs(const struct kt_stmt *st)
{
	static const struct { const char *kind, *need; } t[] = {
		{ "cgroup", "query-cgroup" }, { "sched", "query-sched" },
		{ "workers", "query-workers" }, { "payload", "run-payload" },
		{ "procs", "capture-cgroup-procs" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (!strcmp(st->form->name, t[i].kind))
			return t[i].need;
	return NULL;
}

static bool has_word(const char *words, const char *w)
{
	size_t wl = strlen(w);

	for (const char *p = words; p && *p; ) {
		const char *sp = strchr(p, ' ');
		size_t l = sp ? (size_t)(sp - p) : strlen(p);

		if (l == wl && !strncmp(p, w, l))
			return true;
		p = sp ? sp + 1 : NULL;
	}
	return false;
}

/* The first thing st needs that this build cannot do: an op the guest
 * agent does not answer (features: the ops its HELLO listed; NULL when no
 * guest has said hello yet, then nothing is judged). Host-side ops need
 * nothing of the agent. */
static const char *missing(const struct kt_stmt *st, const char *features)
{
	const char *need[3] = { 0 };
	size_t n = 0;

	switch (st->kind) {
	case KT_STMT_OP:
		if (st->form->side != KT_SIDE_HOST)
			need[n++] = st->form->name;
		if (kt_stmt_get(st, "workers") || kt_stmt_get(st, "workers-pct"))
			need[n++] = "spawn";
		break;
	case KT_STMT_CGROUP:
		need[n++] = "add-cgroup-def";
		if (kt_stmt_get(st, "workers"))
			need[n++] = "spawn";
		break;
	case KT_STMT_EXPECT:
		need[n++] = expect_needs(st);
		break;
	case KT_STMT_DIRECTIVE:
		if (!strcmp(st->form->name, "scheduler") || !strcmp(st->form->name, "stage-scheduler"))
			need[n++] = "attach-scheduler";
		else if (!strcmp(st->form->name, "stage-payload"))
			need[n++] = "run-payload";
		break;
	default:
		break;
	}
	for (size_t i = 0; i < n; i++) {
		if (!need[i])
			continue;
		if (features && !has_word(features, need[i]))
			return need[i];
	}
	return NULL;
}

static char *pending_reason(const struct kt_recipe *r, const char *features)
{
	for (size_t i = 0; i < r->nstmts; i++) {
		const char *m = missing(&r->stmts[i], features);

		if (m)
			return kt_strfmt("line %d needs %s", r->stmts[i].line, m);
	}
	return NULL;
}

/* The first guest's HELLO features, so later recipes that need what the
 * agent lacks are judged without booting a guest just to ask. */
static char *known_features;
static pthread_mutex_t known_lock = PTHREAD_MUTEX_INITIALIZER;

static char *pending_before_boot(const struct kt_recipe *r)
{
	char *why;

	pthread_mutex_lock(&known_lock);
	why = pending_reason(r, known_features);
	pthread_mutex_unlock(&known_lock);
	return why;
}

/* The agent says what it answers without a guest: `ktcon-guest
 * --features`. A guest's HELLO may still say less (and then wins). */
static void agent_features(void)
{
	char *agent = NULL, *cmd, line[1024];
	struct kterr *e = paths_libexec("ktcon-guest", &agent);
	FILE *f;

	if (e) {
		kterr_free(e);
		return;
	}
	cmd = kt_strfmt("'%s' --features", agent);
	f = cmd ? popen(cmd, "r") : NULL;
	if (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		known_features = strdup(line);
	}
	if (f)
		pclose(f);
	free(cmd);
	free(agent);
}

static void remember_features(const char *features)
{
	pthread_mutex_lock(&known_lock);
	if (!known_features)
		known_features = strdup(features);
	pthread_mutex_unlock(&known_lock);
}

/* ---- events: one line per statement ---- */

static void on_event(void *ctx, const struct kt_event *ev)
{
	struct job *j = ctx;
	char d[32];

	switch (ev->kind) {
	case KT_EV_HOLD:
		run_status_hold(status, j->slot, ev->ns);
		break;
	case KT_EV_STEP_BEGIN:
		run_status_step(status, j->slot, ev->step);
		if (ev->step > 0)
			say(j, "step %d\n", ev->step);
		break;
	case KT_EV_OP_APPLIED:
		say(j, "  ok     %4d  %s  (%s)\n", ev->stmt ? ev->stmt->line : 0,
		    ev->text ? ev->text : "", kt_fmt_duration(ev->ns, d, sizeof(d)));
		break;
	case KT_EV_OP_FAILED: {
		char *m = ev->err ? kterr_strdup(ev->err) : NULL;

		say(j, "  %-6s %4d  %s\n", ev->expected ? "xfail" : "FAIL",
		    ev->stmt ? ev->stmt->line : 0, m ? m : (ev->text ? ev->text : ""));
		free(m);
		break;
	}
	case KT_EV_EXPECT: {
		char *m = ev->err ? kterr_strdup(ev->err) : NULL;
		char *st = ev->stmt ? kt_stmt_print(ev->stmt) : NULL;

		/* How long a within= waited: the measure of a loaded host. */
		if (ev->ok && ev->stmt && kt_stmt_get(ev->stmt, "within"))
			say(j, "  ok     %4d  %s  (%s)\n", ev->stmt->line, st ? st : "expect",
			    kt_fmt_duration(ev->ns, d, sizeof(d)));
		else
			say(j, "  %-6s %4d  %s%s%s\n", ev->ok ? "ok" : "FAIL",
			    ev->stmt ? ev->stmt->line : 0, st ? st : (ev->text ? ev->text : "expect"),
			    m ? ": " : "", m ? m : "");
		free(st);
		free(m);
		break;
	}
	case KT_EV_WARN:
		say(j, "  warn         %s\n", ev->text ? ev->text : "");
		break;
	case KT_EV_GUEST:
		say(j, "  guest        %s\n", ev->text ? ev->text : "");
		break;
	default:
		break;
	}
}

static void on_guest_log(const char *line, void *ctx)
{
	struct job *j = ctx;

	if (j->o->verbose)
		say(j, "  [agent] %s\n", line);
}

static void on_host_log(void *ctx, const char *line)
{
	struct job *j = ctx;

	if (j->o->verbose)
		say(j, "  [host] %s\n", line);
}

static void on_watch_fire(void *ctx, const struct intro_fire *f)
{
	struct job *j = ctx;
	struct kt_guest_event ev = {
		.kind = KT_GEV_WATCH_FIRE, .name = f->symbol, .text = f->text, .snap = f->snap,
	};

	if (j->x)
		kt_exec_guest_event(j->x, &ev);
	if (j->tl)	/* every fire, at its time (the engine tells some) */
		kt_timeline_event(j->tl, KT_TL_WATCH_FIRE, f->symbol, 0);
	/* The results keep the last capture of each watch (they overwrite
	 * under the tag, as the seed says) and count the fires. */
	pthread_mutex_lock(&j->fire_lock);
	size_t i;
	for (i = 0; i < j->nfired && strcmp(j->fired[i].tag, f->symbol); i++)
		;
	if (i == j->nfired) {
		struct fired *nf = realloc(j->fired, (j->nfired + 1) * sizeof(*nf));

		if (nf && (nf[i].tag = strdup(f->symbol))) {
			nf[i].json = NULL;
			nf[i].n = 0;
			j->nfired++;
		}
		if (nf)
			j->fired = nf;
	}
	if (i < j->nfired) {
		j->fired[i].n++;	/* every fire; only some were captured */
		if (f->json) {
			free(j->fired[i].json);
			j->fired[i].json = strdup(f->json);
		}
	}
	pthread_mutex_unlock(&j->fire_lock);
}

/* "[{"tag": ..., "fires": N, "last": {...}}, ...]" into f (NULL: nowhere);
 * frees them. */
static void write_fires(FILE *f, struct job *j)
{
	if (f)
		fputc('[', f);
	for (size_t i = 0; i < j->nfired; i++) {
		if (f) {
			fputs(i ? ", {\"tag\": " : "{\"tag\": ", f);
			kt_json_string(f, j->fired[i].tag);
			fprintf(f, ", \"fires\": %llu, \"last\": %s}",
				(unsigned long long)j->fired[i].n,
				j->fired[i].json ? j->fired[i].json : "null");
		}
		free(j->fired[i].tag);
		free(j->fired[i].json);
	}
	if (f)
		fputc(']', f);
	free(j->fired);
	j->fired = NULL;
	j->nfired = 0;
}

static bool uses_host(const struct kt_recipe *r)
{
	for (size_t i = 0; i < r->nstmts; i++)
		if (r->stmts[i].kind == KT_STMT_OP && r->stmts[i].form->side == KT_SIDE_HOST)
			return true;
	return false;
}

static char *capture(void (*write)(const struct kt_results *, FILE *), const struct kt_results *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	write(r, f);
	fclose(f);
	return buf;
}

/* ---- interruption ---- */

static atomic_int stop_sig;		/* the first stop signal; 0: none yet */
static atomic_bool stop_boot;		/* session_opts.cancel */
/* Guards job.x between the worker setting or clearing it and the signal
 * thread interrupting it. */
static pthread_mutex_t x_lock = PTHREAD_MUTEX_INITIALIZER;
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

static const char *sig_name(int sig)
{
	static const struct { int sig; const char *name; } t[] = {
		{ SIGINT, "SIGINT" }, { SIGTERM, "SIGTERM" }, { SIGHUP, "SIGHUP" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (t[i].sig == sig)
			return t[i].name;
	return "a signal";
}

struct sigwaiter {
	sigset_t set;
	struct job *jobs;
	size_t n;
};

static void *wait_signals(void *arg)
{
	struct sigwaiter *w = arg;
	int sig;

	for (;;) {
		if (sigwait(&w->set, &sig))
			continue;
		if (!atomic_load(&stop_sig)) {
			atomic_store(&stop_sig, sig);
			atomic_store(&stop_boot, true);
			dprintf(2, "\nktcon run: %s: cancelling, tearing down and writing the "
				"results so far (%s again exits at once)\n", sig_name(sig),
				sig_name(sig));
			pthread_mutex_lock(&x_lock);
			for (size_t i = 0; i < w->n; i++)
				if (w->jobs[i].x)
					kt_exec_interrupt(w->jobs[i].x);
			pthread_mutex_unlock(&x_lock);
			continue;
		}
		dprintf(2, "ktcon run: %s again: exiting now\n", sig_name(sig));
		teardown_now();
		sigset_t one;
		sigemptyset(&one);
		sigaddset(&one, sig);
		signal(sig, SIG_DFL);
		pthread_sigmask(SIG_UNBLOCK, &one, NULL);
		raise(sig);
		_exit(128 + sig);
	}
	return NULL;
}

/* What the record says of a recipe the stop signal ended. */
static char *interrupted_why(const char *what, struct kterr *e)
{
	char *m = e ? kterr_strdup(e) : NULL;
	char *why = kt_strfmt("interrupted by %s%s%s%s", sig_name(atomic_load(&stop_sig)),
			      what, m ? ": " : "", m ? m : "");

	free(m);
	return why;
}

/* Why r cannot pass on the kernel spec boots (recipe-scheds.h), or NULL.
 * A kernel that cannot be found is the boot's to report, with its hint. */
static char *kernel_pending(const struct kt_recipe *r, const char *spec)
{
	struct ksched_kernel k;
	struct kterr *e = ksched_open(spec, &k);
	char *why;

	if (e) {
		kterr_free(e);
		return NULL;
	}
	why = recipe_scheds_pending(r, &k);
	ksched_close(&k);
	return why;
}

static void run_one(struct job *j)
{
	struct kt_recipe *r = NULL;
	struct recipe_boot rb = { 0 };
	struct session_opts so = { 0 };
	struct session s;
	struct kterr *e;
	uint64_t t0 = kt_now_ns();

	j->slot = run_status_add(status, j->path);
	say(j, "== %s\n", j->path);
	e = kt_recipe_load(j->path, &r);
	if (!e && r->ndiags) {
		pthread_mutex_lock(&out_lock);
		kt_recipe_print_diags(r, stdout);
		pthread_mutex_unlock(&out_lock);
		e = kterr_new(EINVAL, "%zu error%s in %s", kt_recipe_nerrors(r),
			      kt_recipe_nerrors(r) > 1 ? "s" : "", j->path);
	}
	if (e)
		goto out;
	/* What this build cannot do at all needs no guest to find out. */
	j->why = pending_before_boot(r);
	if (j->why) {
		j->outcome = OUT_PENDING;
		goto out;
	}
	run_status_phase(status, j->slot, "booting");
	so.accel = j->o->accel;
	so.kernel = j->o->kernel;
	e = recipe_boot_opts(r, &so, &rb);
	if (e)
		goto out;
	/* A scheduler the kernel lacks, or one known broken on it: no boot. */
	j->why = kernel_pending(r, so.kernel);
	if (j->why) {
		j->outcome = OUT_PENDING;
		goto out;
	}
	so.on_log = on_guest_log;
	so.ctx = j;
	so.cancel = &stop_boot;
	e = session_boot(&so, &s);
	if (e && atomic_load(&stop_sig)) {
		j->why = interrupted_why(" while the guest booted", NULL);
		j->outcome = OUT_INTERRUPTED;
		kterr_free(e);
		e = NULL;
	}
	if (e || j->outcome == OUT_INTERRUPTED)
		goto out;
	remember_features(s.link.hello.features);
	j->why = pending_reason(r, s.link.hello.features);
	if (j->why) {
		j->outcome = OUT_PENDING;
		session_shutdown(&s, (int)kt_limit_ms(KT_LIM_POWEROFF));
		goto out;
	}
	struct intro *in = NULL;
	struct intro_opts io = { .exit_trigger = true, .on_log = on_host_log,
				 .on_fire = on_watch_fire, .ctx = j };
	e = intro_open(&s.m, s.vmlinux, &io, &in);
	if (e && !uses_host(r)) {	/* nobody asks: not worth failing for */
		kterr_free(e);
		e = NULL;
	}
	if (e) {
		session_shutdown(&s, (int)kt_limit_ms(KT_LIM_POWEROFF));
		goto out;
	}
	struct kt_events *ev = kt_events_new();
	struct kt_exec_config cfg = { .link = guestlink_make(&s.link), .events = ev };
	if (in)
		cfg.host = intro_host(in);
	kt_events_subscribe(ev, on_event, j);
	struct kt_exec *x = kt_exec_new(r, &cfg);
	guestlink_route_events(&s.link, x);
	pthread_mutex_lock(&x_lock);
	j->x = x;
	if (atomic_load(&stop_sig))	/* came before the signal thread could see x */
		kt_exec_interrupt(x);
	pthread_mutex_unlock(&x_lock);
	struct run_timeline rt;
	struct kterr *te = run_timeline_start(&rt, j->o->rate_hz, s.link.hello.cpus, in, x, ev,
						s.link.hello.scheduler);
	if (te) {	/* the run goes on without one, and says so */
		char *m = kterr_strdup(te);
		say(j, "  warn         no timeline: %s\n", m ? m : "?");
		free(m);
		kterr_free(te);
	}
	j->tl = rt.tl;
	e = kt_exec_run(x);
	run_timeline_stop(&rt);
	guestlink_route_events(&s.link, NULL);
	const struct kt_results *res = kt_exec_results(x);
	j->json = capture(kt_results_json, res);
	j->tap = capture(kt_results_tap, res);
	j->ju_detail = kt_junit_detail(res, &j->ju_line);
	j->ju_out = kt_junit_out(res);
	j->npass = kt_results_count(res, KT_RES_PASS) + kt_results_count(res, KT_RES_XFAIL);
	j->nfail = kt_results_count(res, KT_RES_FAIL);
	j->outcome = res->passed && !e ? OUT_PASS : OUT_FAIL;
	if (j->outcome == OUT_FAIL && kt_exec_interrupted(x)) {
		j->outcome = OUT_INTERRUPTED;
		j->why = interrupted_why("", e);
		kterr_free(e);
		e = NULL;
	}
	for (size_t i = 0; i < res->nteardown; i++)
		say(j, "  teardown: %s\n", res->teardown_errors[i]);
	intro_close(in);	/* no more fires: then the executor can go */
	pthread_mutex_lock(&x_lock);
	j->x = NULL;
	pthread_mutex_unlock(&x_lock);
	kt_exec_free(x);
	kt_events_free(ev);
	run_status_phase(status, j->slot, "powering off");
	session_shutdown(&s, (int)kt_limit_ms(KT_LIM_POWEROFF));
out:
	if (e) {
		j->why = kterr_strdup(e);
		if (j->outcome != OUT_FAIL)
			j->outcome = OUT_ERROR;
		kterr_free(e);
	}
	j->ns = kt_now_ns() - t0;
	run_status_remove(status, j->slot);
	recipe_boot_free(&rb);
	kt_recipe_free(r);
}

struct pool {
	struct job *jobs;
	size_t n, next;
	pthread_mutex_t lock;
};

static void *worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		size_t i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			return NULL;
		if (atomic_load(&stop_sig)) {	/* not started: said so, not run */
			p->jobs[i].outcome = OUT_INTERRUPTED;
			p->jobs[i].why = interrupted_why(" before it started", NULL);
			continue;
		}
		run_one(&p->jobs[i]);
	}
}

static struct kterr *parse(int argc, char **argv, struct run_opts *o, bool *help)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "accel", required_argument, NULL, 'a' },
		{ "json", required_argument, NULL, 'J' },
		{ "tap", no_argument, NULL, 't' },
		{ "junit", required_argument, NULL, 'U' },
		{ "shard", required_argument, NULL, 'S' },
		{ "timings", required_argument, NULL, 'T' },
		{ "list", no_argument, NULL, 'L' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "allow-pending", no_argument, NULL, 'P' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "timeout-scale", required_argument, NULL, 'X' },
		{ "sample-rate", required_argument, NULL, 'R' },
		{ "no-timeline", no_argument, NULL, 'N' },
		{ "trace", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->jobs = 1;
	o->rate_hz = KT_TL_DEFAULT_HZ;
	bool no_timeline = false;
	*help = false;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "k:a:J:tj:PvX:h", opts, NULL)) != -1) {
		struct kterr *e = NULL;

		switch (c) {
		case 'k': o->kernel = optarg; break;
		case 'a': e = accel_parse(optarg, &o->accel); break;
		case 'J': o->json = optarg; break;
		case 't': o->tap = true; break;
		case 'U': o->junit = optarg; break;
		case 'S': e = kt_shard_parse(optarg, &o->shard_k, &o->shard_n); break;
		case 'T': o->timings_file = optarg; break;
		case 'L': o->list = true; break;
		case 'j': {
			char *end;
			long n = strtol(optarg, &end, 10);

			if (*end || n < 1 || n > 64)
				e = kterr_new(EINVAL, "-j '%s' is not a number of guests (1-64)", optarg);
			o->jobs = (int)n;
			break;
		}
		case 'P': o->allow_pending = true; break;
		case 'v': o->verbose = true; break;
		case 'X': e = kt_scale_from_flag(optarg); break;
		case 'R': {
			char *end;
			long n = strtol(optarg, &end, 10);

			if (*end || n < KT_TL_MIN_HZ || n > KT_TL_MAX_HZ)
				e = kterr_new(EINVAL, "--sample-rate '%s' is not a rate in Hz (%d-%d)",
					      optarg, KT_TL_MIN_HZ, KT_TL_MAX_HZ);
			o->rate_hz = (unsigned)n;
			break;
		}
		case 'N': no_timeline = true; break;
		case 'F': o->trace = optarg; break;
		case 'h': *help = true; break;
		default:
			e = kterr_new(EINVAL, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
		if (e)
			return e;
	}
	if (no_timeline)
		o->rate_hz = 0;
	if (no_timeline && o->trace)
		return kterr_hint(kterr_new(EINVAL, "--trace %s needs the timeline that --no-timeline "
					    "turns off", o->trace), "drop one of them");
	if (*help)
		return NULL;
	if (optind >= argc)
		return kterr_new(EINVAL, "no recipe given");
	if (o->timings_file)
		return kt_timings_load(o->timings_file, &o->timings);
	return NULL;
}

/* --trace: every recipe's timeline, one process each; frees them. */
static void write_trace(const struct run_opts *o, struct job *jobs, size_t n)
{
	const struct kt_timeline **tls = calloc(n ? n : 1, sizeof(*tls));
	const char **names = calloc(n ? n : 1, sizeof(*names));
	FILE *f = NULL;

	if (o->trace && tls && names && !(f = fopen(o->trace, "w")))
		fprintf(stderr, "ktcon run: cannot write %s: %s\n", o->trace, strerror(errno));
	if (f) {
		for (size_t i = 0; i < n; i++) {
			tls[i] = jobs[i].tl;
			names[i] = jobs[i].path;
		}
		kt_tef_write(f, tls, names, n);
		if (fclose(f))
			fprintf(stderr, "ktcon run: writing %s: %s\n", o->trace, strerror(errno));
	}
	for (size_t i = 0; i < n; i++) {
		kt_timeline_free(jobs[i].tl);
		jobs[i].tl = NULL;
	}
	free(tls);
	free(names);
}

/* ---- which recipes: all, or a shard ---- */

/* The recipes to run, in the order to run them: as given without --shard
 * (and without --timings), else the shard's in key order (shard.h). */
static struct kterr *select_recipes(const struct run_opts *o, char **paths, size_t n,
				    struct kt_shard_item **out, size_t *nout)
{
	struct kt_shard_item *v = calloc(n ? n : 1, sizeof(*v));
	struct kterr *e = NULL;
	size_t k = 0;

	if (!v)
		return kterr_new(ENOMEM, "%zu recipes", n);
	for (size_t i = 0; i < n; i++)
		v[i].path = paths[i];
	if (o->timings)
		kt_timings_estimate(o->timings, v, n);
	if (o->shard_n || o->timings)
		e = kt_shard_assign(v, n, o->shard_n ? o->shard_n : 1, o->timings != NULL);
	for (size_t i = 0; !e && i < n; i++)
		if (!o->shard_n || v[i].shard == o->shard_k)
			v[k++] = v[i];
	if (e) {
		free(v);
		return e;
	}
	*out = v;
	*nout = k;
	return NULL;
}

/* ---- JUnit ---- */

static void write_junit(const struct run_opts *o, const struct job *jobs, size_t n)
{
	static const enum kt_junit_verdict verdict[OUT_N] = {
		[OUT_PASS] = KT_JUNIT_PASS, [OUT_FAIL] = KT_JUNIT_FAILURE,
		[OUT_PENDING] = KT_JUNIT_SKIPPED, [OUT_ERROR] = KT_JUNIT_ERROR,
		[OUT_INTERRUPTED] = KT_JUNIT_ERROR,
	};
	struct kt_junit_case *c = calloc(n ? n : 1, sizeof(*c));
	char suite[64] = "ktcon run";
	FILE *f;

	if (!c || !(f = fopen(o->junit, "w"))) {
		fprintf(stderr, "ktcon run: cannot write %s: %s\n", o->junit, strerror(errno));
		free(c);
		return;
	}
	if (o->shard_n)	/* merged reports tell the shards apart */
		snprintf(suite, sizeof(suite), "ktcon run shard %u/%u", o->shard_k, o->shard_n);
	for (size_t i = 0; i < n; i++)
		c[i] = (struct kt_junit_case){
			.name = jobs[i].path, .verdict = verdict[jobs[i].outcome],
			.type = outcome_names[jobs[i].outcome], .why = jobs[i].why,
			.detail = jobs[i].ju_detail, .line = jobs[i].ju_line,
			.out = jobs[i].ju_out, .ns = jobs[i].ns,
		};
	kt_results_junit(f, suite, c, n);
	if (fclose(f))
		fprintf(stderr, "ktcon run: cannot write %s: %s\n", o->junit, strerror(errno));
	free(c);
}

static int cmd_run_exec(int argc, char **argv)
{
	struct run_opts o;
	bool help;
	struct kterr *e = parse(argc, argv, &o, &help);
	size_t counts[OUT_N] = { 0 };
	char d[32];

	if (e || help) {
		if (e) {
			char *m = kterr_strdup(e);
			fprintf(stderr, "ktcon run: %s\n", m ? m : "bad arguments");
			free(m);
			kterr_free(e);
		}
		fputs(usage_text, e ? stderr : stdout);
		return e ? KTCMD_USAGE : KTCMD_OK;
	}
	struct kt_shard_item *sel = NULL;
	size_t nsel = 0;
	e = select_recipes(&o, argv + optind, (size_t)(argc - optind), &sel, &nsel);
	if (e) {
		char *m = kterr_strdup(e);
		fprintf(stderr, "ktcon run: %s\n", m ? m : "out of memory");
		free(m);
		kterr_free(e);
		kt_timings_free(o.timings);
		return KTCMD_FAIL;
	}
	if (o.list) {
		for (size_t i = 0; i < nsel; i++)
			if (o.timings)
				printf("%s\t%s%s\n", sel[i].path,
				       kt_fmt_duration(sel[i].est_ns, d, sizeof(d)),
				       sel[i].known ? "" : " (not in the timings)");
			else
				printf("%s\n", sel[i].path);
		free(sel);
		kt_timings_free(o.timings);
		return KTCMD_OK;
	}
	if (o.shard_n && !nsel)
		fprintf(stderr, "ktcon run: shard %u/%u holds none of the %d recipes given\n",
			o.shard_k, o.shard_n, argc - optind);
	struct pool p = { .n = nsel, .lock = PTHREAD_MUTEX_INITIALIZER };
	p.jobs = calloc(p.n ? p.n : 1, sizeof(*p.jobs));
	if (!p.jobs)
		return KTCMD_FAIL;
	for (size_t i = 0; i < p.n; i++) {
		p.jobs[i].path = sel[i].path;
		p.jobs[i].o = &o;
		pthread_mutex_init(&p.jobs[i].fire_lock, NULL);
	}
	int nthreads = o.jobs < (int)p.n ? o.jobs : (int)p.n;
	pthread_t th[64], sigth;
	struct sigwaiter sw = { .jobs = p.jobs, .n = p.n };
	agent_features();
	/* Blocked in every thread made from here on (and cleared again in
	 * QEMU's child); one thread takes them. */
	sigemptyset(&sw.set);
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaddset(&sw.set, stop_signals[i]);
	pthread_sigmask(SIG_BLOCK, &sw.set, NULL);
	pthread_create(&sigth, NULL, wait_signals, &sw);
	status = run_status_start(2);
	for (int i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, worker, &p);
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	run_status_stop(status);
	status = NULL;

	FILE *jf = NULL;
	if (o.json && !(jf = fopen(o.json, "w")))
		fprintf(stderr, "ktcon run: cannot write %s: %s\n", o.json, strerror(errno));
	if (jf)
		fputs("[\n", jf);
	printf("\nsummary\n");
	for (size_t i = 0; i < p.n; i++) {
		struct job *j = &p.jobs[i];

		counts[j->outcome]++;
		printf("  %-7s %s (%s)%s%s\n", outcome_names[j->outcome], j->path,
		       kt_fmt_duration(j->ns, d, sizeof(d)), j->why ? ": " : "", j->why ? j->why : "");
		if (o.tap && j->tap)
			fputs(j->tap, stdout);
		if (jf) {
			fprintf(jf, "%s{\"recipe\": ", i ? ",\n" : "");
			kt_json_string(jf, j->path);
			fprintf(jf, ", \"outcome\": \"%s\", \"why\": ", outcome_names[j->outcome]);
			if (j->why)
				kt_json_string(jf, j->why);
			else
				fputs("null", jf);
			fprintf(jf, ", \"results\": %s, \"watch_fires\": ", j->json ? j->json : "null");
			write_fires(jf, j);
			fputs(", \"timeline\": ", jf);
			if (j->tl)
				kt_timeline_json(j->tl, jf);
			else
				fputs("null", jf);
			fputc('}', jf);
		}
		free(j->json);
		free(j->tap);
		write_fires(NULL, j);	/* when there was no --json */
		pthread_mutex_destroy(&j->fire_lock);
	}
	if (jf) {
		fputs("\n]\n", jf);
		fclose(jf);
	}
	write_trace(&o, p.jobs, p.n);
	int sig = atomic_load(&stop_sig);
	if (o.junit)
		write_junit(&o, p.jobs, p.n);
	for (size_t i = 0; i < p.n; i++) {
		free(p.jobs[i].ju_detail);
		free(p.jobs[i].ju_out);
	}
	free(sel);
	kt_timings_free(o.timings);
	if (o.tap && sig)	/* TAP's word for a run that stopped short */
		printf("Bail out! interrupted by %s\n", sig_name(sig));
	printf("  %zu passed, %zu failed, %zu pending, %zu errors", counts[OUT_PASS],
	       counts[OUT_FAIL], counts[OUT_PENDING], counts[OUT_ERROR]);
	if (sig)
		printf(", %zu interrupted (by %s)", counts[OUT_INTERRUPTED], sig_name(sig));
	printf("\n");
	fflush(stdout);
	/* Written: from now on a signal is the shell's to see. */
	pthread_cancel(sigth);
	pthread_join(sigth, NULL);
	for (size_t i = 0; i < p.n; i++)
		free(p.jobs[i].why);
	free(p.jobs);
	if (sig)
		return 128 + sig;
	if (counts[OUT_FAIL] || counts[OUT_ERROR])
		return KTCMD_FAIL;
	if (counts[OUT_PENDING] && !o.allow_pending)
		return KTCMD_FAIL;
	return KTCMD_OK;
}

const struct ktcmd_entry ktcmd_run_entry = {
	.name = "run",
	.usage = "run [--kernel X.Y|PATH] [--json FILE] [--tap] [--junit FILE] [-j N] "
		 "[--allow-pending] [--sample-rate HZ|--no-timeline] [--trace FILE] "
		 "[--shard K/N [--timings FILE]] [--list] RECIPE...",
	.summary = "replay recipes headless on fresh guests and report",
	.exec = cmd_run_exec,
};
