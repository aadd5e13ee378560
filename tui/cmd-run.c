/*
 * cmd-run.c - `ktcon run`: replay recipes headless, one fresh guest per
 * recipe, one line per statement, a summary, optional TAP and JSON.
 *
 * A recipe that needs what this build cannot do yet (an op the guest agent
 * does not list in its HELLO), or a scheduler its kernel does not ship or
 * that is known broken there (recipe-scheds.h), is reported PENDING with
 * what it needs, and never counted as passing. Host-side ops (kernel
 * memory, snapshots, watches) go to host introspection over the guest's
 * RAM, its vmlinux and the gdbstub; the guest comes from the backend
 * (vmm/backend.h) through tui/guest-exec.h, as the console's does.
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
#include "engine/sched-override.h"
#include "engine/shard.h"
#include "lib/util.h"
#include "tui/guest-exec.h"
#include "tui/plot.h"
#include "tui/guest-opts.h"
#include "tui/recipe-boot.h"
#include "tui/run-batch.h"
#include "tui/run-status.h"
#include "vmm/kernel/paths.h"
#include "vmm/machine/teardown.h"
#include "lib/kjson.h"
#include "engine/timeline.h"
#include "engine/trace-tef.h"
#include "engine/watches.h"
#include "tui/recipe-scheds.h"
#include "tui/run-timeline.h"
#include "vmm/machine/warm.h"

/* Whether `ktcon run` starts guests warm when neither --warm, --cold nor
 * KTCON_WARM says (see doc/ktcon.1, WARM START). */
#define RUN_WARM_DEFAULT false

static const char usage_text[] =
	"usage: ktcon run [--kernel X.Y|PATH] [--accel auto|kvm|tcg] [--json FILE] [--tap]\n"
	"                 [--junit FILE] [-j N] [--allow-pending] [--verbose] [--timeout-scale F]\n"
	"                 [--sample-rate HZ | --no-timeline] [--trace FILE]\n"
	"                 [--shard K/N [--timings FILE]] [--list]\n"
	"                 [--scheduler NAME] [--scheduler-args ARGS] [--plot DIR]\n"
	"                 [--warm | --cold] RECIPE...\n"
	"\n"
	"Boots one guest per recipe, replays it, prints a line per statement and a\n"
	"summary. Exit 0 only when every expectation held and no op failed\n"
	"unexpectedly. --allow-pending: recipes that need what this build cannot do\n"
	"yet are listed as PENDING and do not make the run fail.\n"
	"While a recipe runs the host samples the guest's runqueues, sched_ext, IRQ rate\n"
	"and worker progress without pausing it, at --sample-rate HZ (1-100, default 10),\n"
	"into a timeline with every step, op, attach, exit, freeze and watch fire: the\n"
	"\"timeline\" member of each recipe in --json. --no-timeline: none. --trace FILE:\n"
	"the timelines as a Trace Event Format file (Perfetto, chrome://tracing), one\n"
	"process per recipe, a track per CPU.\n"
	"--scheduler NAME runs each recipe under NAME in place of the scheduler it\n"
	"names (its header's `scheduler`, else its first attach-scheduler);\n"
	"--scheduler-args ARGS replaces the arguments of every attach. --plot DIR\n"
	"writes an SVG timeline per recipe (when the results have a timeline).\n"
	"--warm: start each guest from the saved ready state of its kernel, vm line\n"
	"and initramfs (the first run boots and saves it); --cold: always boot.\n"
	"KTCON_WARM=1 or 0 sets the default (ktcon(1), WARM START).\n"
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

const char *const run_outcome_names[OUT_N] = { "PASS", "FAIL", "PENDING", "ERROR",
					       "INTERRUPTED" };
#define outcome_names run_outcome_names

struct job {
	const char *path;
	const struct run_opts *o;
	enum run_outcome outcome;
	char *why;		/* pending: what is missing; error: the chain */
	char *json;		/* this recipe's results as JSON */
	char *tap;
	char *ju_detail, *ju_out;	/* for --junit: kt_junit_detail(), _out() */
	int ju_line;
	uint64_t ns;
	size_t npass, nfail;
	char *fires;		/* the watch fires by tag, as JSON */
	char *guest;		/* the guest it ran on, as JSON (guest_json) */
	int slot;		/* on the status line */
	struct kt_exec *x;	/* while the recipe runs: what a signal interrupts */
	struct kt_timeline *tl;	/* kept for --json and --trace; NULL: none */
};

/* What a recipe ran on, for --json (so two runs, or compare's two kernels,
 * say which kernel each booted): the release the agent saw, the bzImage,
 * the accelerator, the CPUs and how the guest started. */
static char *guest_json(const struct session *s)
{
	static const char *const starts[] = {
		[SESSION_BOOTED] = "cold", [SESSION_SAVED] = "cold, saved", [SESSION_RESTORED] = "warm",
	};
	struct json_object *o = json_object_new_object();
	char *text;

	if (!o)
		return NULL;
	json_object_object_add(o, "release", kjson_string(s->link.hello.release));
	json_object_object_add(o, "kernel", s->kernel ? kjson_string(s->kernel) : NULL);
	json_object_object_add(o, "accel", kjson_string(accel_name(s->m.accel)));
	json_object_object_add(o, "cpus", json_object_new_int((int)s->link.hello.cpus));
	json_object_object_add(o, "start", kjson_string(starts[s->start]));
	text = strdup(kjson_text(o));
	json_object_put(o);
	return text;
}

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static struct run_status *status;	/* NULL unless stderr is a terminal */

static void say(const struct job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct job *j, const char *fmt, ...)
{
	va_list ap;

	if (j->o->quiet)	/* the caller reports per recipe */
		return;
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
	case KT_EV_WATCH: {
		char line[1024];

		kt_watch_text(ev->watch, line, sizeof(line));
		say(j, "  guest        %s\n", line);
		break;
	}
	case KT_EV_LOG:
		if (j->o->verbose)
			say(j, "  [agent] %s\n", ev->text ? ev->text : "");
		break;
	case KT_EV_NOTE:
		if (j->o->verbose)
			say(j, "  [host] %s\n", ev->text ? ev->text : "");
		break;
	default:
		break;
	}
}

/* ktcon's own notes while a guest starts (a warm state restored, saved or
 * refused): on stderr, as "ktcon: ...", clear of the status line. */
static void on_note(const char *line, void *ctx)
{
	(void)ctx;
	pthread_mutex_lock(&out_lock);
	run_status_pause(status);
	fprintf(stderr, "ktcon: %s\n", line);
	fflush(stderr);
	run_status_resume(status);
	pthread_mutex_unlock(&out_lock);
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
#define STOP_BY_CALLER (-1)		/* stop_sig: run_batch_stop, no signal */
static atomic_bool stop_boot;		/* session_opts.cancel */
/* Guards job.x between the worker setting or clearing it and the signal
 * thread interrupting it. */
static pthread_mutex_t x_lock = PTHREAD_MUTEX_INITIALIZER;
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

static const char *sig_name(int sig)
{
	static const struct { int sig; const char *name; } t[] = {
		{ SIGINT, "SIGINT" }, { SIGTERM, "SIGTERM" }, { SIGHUP, "SIGHUP" },
		{ STOP_BY_CALLER, "its caller (run_batch_stop)" },
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
	struct kt_backend_opts bo = { 0 };
	struct guest_exec ge = { 0 };
	struct kt_events *ev = NULL;
	struct kterr *e;
	uint64_t t0 = kt_now_ns();

	j->slot = run_status_add(status, j->path);
	say(j, "== %s\n", j->path);
	e = kt_recipe_load(j->path, &r);
	if (!e && r->ndiags) {
		pthread_mutex_lock(&out_lock);
		if (!j->o->quiet)
			kt_recipe_print_diags(r, stdout);
		pthread_mutex_unlock(&out_lock);
		e = kterr_new(EINVAL, "%zu error%s in %s", kt_recipe_nerrors(r),
			      kt_recipe_nerrors(r) > 1 ? "s" : "", j->path);
	}
	if (!e && j->o->scheduler)
		e = kt_recipe_set_scheduler(r, j->o->scheduler);
	if (e)
		goto out;
	/* What this build cannot do at all needs no guest to find out. */
	j->why = pending_before_boot(r);
	if (j->why) {
		j->outcome = OUT_PENDING;
		goto out;
	}
	run_status_phase(status, j->slot, "booting");
	bo.so.accel = j->o->accel;
	bo.so.kernel = j->o->kernel;
	e = recipe_boot_opts(r, &bo.so, &rb);
	if (e)
		goto out;
	/* A scheduler the kernel lacks, or one known broken on it: no boot. */
	j->why = kernel_pending(r, bo.so.kernel);
	if (j->why) {
		j->outcome = OUT_PENDING;
		goto out;
	}
	if (j->o->sched_args && bo.so.boot_scheduler)
		bo.so.boot_scheduler_args = j->o->sched_args;
	bo.so.ctx = j;
	bo.so.cancel = &stop_boot;
	bo.so.warm = j->o->warm;
	bo.so.on_note = on_note;
	/* Nobody asks for the host: not worth failing for. */
	bo.host_required = uses_host(r);
	if (!(ev = kt_events_new())) {
		e = kterr_new(ENOMEM, "%s: events", j->path);
		goto out;
	}
	kt_events_subscribe(ev, on_event, j);
	e = guest_exec_start(&bo, r, &(struct kt_exec_config){ .events = ev,
							       .sched_args = j->o->sched_args },
			     &ge);
	if (e && atomic_load(&stop_sig)) {
		j->why = interrupted_why(" while the guest booted", NULL);
		j->outcome = OUT_INTERRUPTED;
		kterr_free(e);
		e = NULL;
	}
	if (e || j->outcome == OUT_INTERRUPTED)
		goto out;
	const char *features = kt_backend_session(ge.b)->link.hello.features;
	j->guest = guest_json(kt_backend_session(ge.b));
	remember_features(features);
	j->why = pending_reason(r, features);
	if (j->why) {
		j->outcome = OUT_PENDING;
		goto out;
	}
	struct kt_exec *x = ge.x;
	pthread_mutex_lock(&x_lock);
	j->x = x;
	if (atomic_load(&stop_sig))	/* came before the signal thread could see x */
		kt_exec_interrupt(x);
	pthread_mutex_unlock(&x_lock);
	struct run_timeline rt;
	const struct agent_hello *hello = &kt_backend_session(ge.b)->link.hello;
	struct kterr *te = run_timeline_start(&rt, j->o->rate_hz, hello->cpus,
					      kt_backend_intro(ge.b), x, ev, hello->scheduler);
	if (te) {	/* the run goes on without one, and says so */
		char *m = kterr_strdup(te);
		say(j, "  warn         no timeline: %s\n", m ? m : "?");
		free(m);
		kterr_free(te);
	}
	j->tl = rt.tl;
	e = kt_exec_run(x);
	run_timeline_stop(&rt);
	const struct kt_results *res = kt_exec_results(x);
	j->json = capture(kt_results_json, res);
	j->tap = capture(kt_results_tap, res);
	j->fires = capture(kt_results_fires_json, res);
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
	pthread_mutex_lock(&x_lock);
	j->x = NULL;
	pthread_mutex_unlock(&x_lock);
	run_status_phase(status, j->slot, "powering off");
	kt_backend_shutdown(ge.b, (int)kt_limit_ms(KT_LIM_POWEROFF));
out:
	guest_exec_free(&ge);
	kt_events_free(ev);
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

/* The jobs of the batch running, for run_batch_stop (under x_lock). */
static struct job *batch_jobs;
static size_t batch_n;

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

/* Run the pool's jobs on at most nthreads threads, with the signal thread
 * running (*sigth, left running: the caller writes the results first and
 * then stops it with stop_signal_thread). */
static void start_pool(struct pool *p, int nthreads, struct sigwaiter *sw, pthread_t *sigth,
		       bool embedded)
{
	pthread_t th[64];

	if (nthreads > (int)p->n)
		nthreads = (int)p->n;
	if (nthreads > (int)ARRAY_SIZE(th))
		nthreads = (int)ARRAY_SIZE(th);
	pthread_mutex_lock(&known_lock);
	if (!known_features)
		agent_features();
	pthread_mutex_unlock(&known_lock);
	pthread_mutex_lock(&x_lock);
	batch_jobs = p->jobs;
	batch_n = p->n;
	pthread_mutex_unlock(&x_lock);
	if (!embedded) {
		/* Blocked in every thread made from here on (and cleared again
		 * in QEMU's child); one thread takes them. */
		sw->jobs = p->jobs;
		sw->n = p->n;
		sigemptyset(&sw->set);
		for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
			sigaddset(&sw->set, stop_signals[i]);
		pthread_sigmask(SIG_BLOCK, &sw->set, NULL);
		pthread_create(sigth, NULL, wait_signals, sw);
		status = run_status_start(2);
	}
	for (int i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, worker, p);
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_lock(&x_lock);
	batch_jobs = NULL;
	batch_n = 0;
	pthread_mutex_unlock(&x_lock);
	if (!embedded) {
		run_status_stop(status);
		status = NULL;
	}
}

void run_batch_stop(void)
{
	int none = 0;

	if (!atomic_compare_exchange_strong(&stop_sig, &none, STOP_BY_CALLER))
		return;
	atomic_store(&stop_boot, true);
	pthread_mutex_lock(&x_lock);
	for (size_t i = 0; i < batch_n; i++)
		if (batch_jobs[i].x)
			kt_exec_interrupt(batch_jobs[i].x);
	pthread_mutex_unlock(&x_lock);
}

/* Written: from now on a signal is the shell's to see. */
static void stop_signal_thread(pthread_t sigth)
{
	pthread_cancel(sigth);
	pthread_join(sigth, NULL);
}

/* A timeline as JSON text (NULL: none, or out of memory). */
static char *timeline_text(const struct kt_timeline *tl)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!tl || !(f = open_memstream(&buf, &len)))
		return NULL;
	kt_timeline_json(tl, f);
	fclose(f);
	return buf;
}

int run_batch(struct run_item *items, size_t n, int nthreads, bool embedded)
{
	struct pool p = { .n = n, .lock = PTHREAD_MUTEX_INITIALIZER };
	struct sigwaiter sw;
	pthread_t sigth;

	p.jobs = calloc(n ? n : 1, sizeof(*p.jobs));
	if (!p.jobs) {
		for (size_t i = 0; i < n; i++) {
			items[i].outcome = OUT_ERROR;
			items[i].why = NULL;
		}
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		p.jobs[i].path = items[i].path;
		p.jobs[i].o = items[i].o;
	}
	start_pool(&p, nthreads, &sw, &sigth, embedded);
	if (!embedded)
		stop_signal_thread(sigth);
	for (size_t i = 0; i < n; i++) {
		struct job *j = &p.jobs[i];

		items[i].outcome = j->outcome;
		items[i].why = j->why;
		items[i].json = j->json;
		items[i].timeline = timeline_text(j->tl);
		items[i].guest = j->guest;
		items[i].ns = j->ns;
		kt_timeline_free(j->tl);
		free(j->tap);
		free(j->ju_detail);
		free(j->ju_out);
		free(j->fires);
	}
	free(p.jobs);
	return atomic_load(&stop_sig);
}

void run_item_clear(struct run_item *it)
{
	free(it->why);
	free(it->json);
	free(it->timeline);
	free(it->guest);
	it->why = it->json = it->timeline = it->guest = NULL;
}

/* Long options without a short letter. */
enum { OPT_SCHEDULER = 256, OPT_SCHED_ARGS, OPT_PLOT };

static struct kterr *parse(int argc, char **argv, struct run_opts *o, bool *help)
{
	static const struct option own[] = {
		{ "json", required_argument, NULL, 'J' },
		{ "tap", no_argument, NULL, 't' },
		{ "junit", required_argument, NULL, 'U' },
		{ "shard", required_argument, NULL, 'S' },
		{ "timings", required_argument, NULL, 'T' },
		{ "list", no_argument, NULL, 'L' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "allow-pending", no_argument, NULL, 'P' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "sample-rate", required_argument, NULL, 'R' },
		{ "no-timeline", no_argument, NULL, 'N' },
		{ "trace", required_argument, NULL, 'F' },
		{ "scheduler", required_argument, NULL, OPT_SCHEDULER },
		{ "scheduler-args", required_argument, NULL, OPT_SCHED_ARGS },
		{ "plot", required_argument, NULL, OPT_PLOT },
		{ 0 },
	};
	struct guest_opts g;
	struct kterr *e = NULL;
	int c;

	memset(o, 0, sizeof(*o));
	o->jobs = 1;
	o->rate_hz = KT_TL_DEFAULT_HZ;
	bool no_timeline = false;
	guest_opts_init(&g, GOPT_MACHINE | GOPT_WARM, own);
	while (!e && (c = guest_opts_next(&g, argc, argv, &e)) != -1) {
		switch (c) {
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
		case OPT_SCHEDULER: o->scheduler = optarg; break;
		case OPT_SCHED_ARGS: o->sched_args = optarg; break;
		case OPT_PLOT: o->plot = optarg; break;
		}
	}
	o->kernel = g.v.kernel;
	o->accel = g.v.accel;
	*help = g.help;
	if (!e)
		e = guest_opts_warm(&g, RUN_WARM_DEFAULT, &o->warm);
	if (e)
		return e;
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
		guest_opts_help(e ? stderr : stdout, GOPT_MACHINE);
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
	}
	pthread_t sigth;
	struct sigwaiter sw;

	start_pool(&p, o.jobs, &sw, &sigth, false);

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
			fprintf(jf, ", \"guest\": %s, \"results\": %s, \"watch_fires\": %s, "
				"\"timeline\": ", j->guest ? j->guest : "null",
				j->json ? j->json : "null", j->fires ? j->fires : "[]");
			if (j->tl)
				kt_timeline_json(j->tl, jf);
			else
				fputs("null", jf);
			fputc('}', jf);
		}
		if (o.plot) {	/* the same recipe twice: numbered */
			size_t rep = 0;
			char *tl = timeline_text(j->tl);

			for (size_t k = 0; k < i; k++)
				rep += !strcmp(p.jobs[k].path, j->path);
			plot_run_timeline(o.plot, j->path, rep, tl, stdout);
			free(tl);
		}
		free(j->json);
		free(j->tap);
		free(j->fires);
		free(j->guest);
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
	stop_signal_thread(sigth);
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
		 "[--shard K/N [--timings FILE]] [--list] [--scheduler NAME] [--plot DIR] [--warm|--cold] RECIPE...",
	.summary = "replay recipes headless on fresh guests and report",
	.exec = cmd_run_exec,
};
