/* worker.c - a group of workers: fork, hold at the gate, start, report,
 * kill and reap. See worker.h. */
#include "guest/worker-int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"
#include "lib/wait.h"
#include "guest/exit-nap.h"

static void futex_wake_all(uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}

static void futex_wait_while(uint32_t *w, uint32_t val)
{
	while (__atomic_load_n(w, __ATOMIC_ACQUIRE) == val)
		syscall(SYS_futex, w, FUTEX_WAIT, val, NULL, NULL, 0);
}

static int policy_apply(const struct kt_policy *p)
{
	static const int sched[] = {
		[KT_POLICY_NORMAL] = SCHED_OTHER, [KT_POLICY_BATCH] = SCHED_BATCH,
		[KT_POLICY_IDLE] = SCHED_IDLE, [KT_POLICY_FIFO] = SCHED_FIFO,
		[KT_POLICY_RR] = SCHED_RR,
	};
	struct sched_param sp = { .sched_priority = (int)p->prio };

	if (p->kind == KT_POLICY_NORMAL)
		return 0;
	return sched_setscheduler(0, sched[p->kind], &sp) < 0 ? errno : 0;
}

static void setup_failed(struct worker_ctx *c, const char *stage, int err)
{
	snprintf(c->self->report.setup_stage, sizeof(c->self->report.setup_stage), "%s", stage);
	__atomic_store_n(&c->self->report.setup_errno, err, __ATOMIC_RELEASE);
	_exit(127);
}

/* The child between fork and work. */
static void __attribute__((noreturn))
child(struct worker_group *g, const struct worker_spec *spec, unsigned i, int rd, int wr)
{
	struct worker_ctx c = { .i = i, .work = spec->work, .shm = g->shm, .io_fd = -1 };
	char comm[16];
	sigset_t none;
	int err;

	c.self = &g->shm->slot[i];
	c.pair = &g->shm->slot[i & ~1u];
	/* The agent ignores these as PID 1; a worker dies of them. */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	snprintf(comm, sizeof(comm), "kt-w:%s", spec->label ? spec->label : "");
	prctl(PR_SET_NAME, comm);
	/* Keep only stdio and this worker's pipe ends: the control port and
	 * every other worker's pipes are not ours to hold open. */
	if (rd >= 0) {
		/* Lift both above the targets first: rd or wr may be 3 or 4. */
		rd = fcntl(rd, F_DUPFD, 64);
		wr = fcntl(wr, F_DUPFD, 64);
		if (rd < 0 || wr < 0 || dup2(rd, WORKER_FD_RD) < 0 || dup2(wr, WORKER_FD_WR) < 0)
			setup_failed(&c, "dup pipes", errno);
	}
	close_range(rd >= 0 ? WORKER_FD_WR + 1 : 3, ~0u, 0);
	if ((err = policy_apply(&spec->policy)))
		setup_failed(&c, "sched_setscheduler", err);
	if ((err = worker_prepare(&c)))
		setup_failed(&c, c.rep.setup_stage, err);
	__atomic_store_n(&c.self->report.ready, 1, __ATOMIC_RELEASE);
	futex_wait_while(&g->shm->gate, 0);
	worker_run(&c);
}

/* What a worker that is not ready is doing, for the timeout error: its
 * state in /proc (R = runnable but not run: a scheduler that does not run
 * it) and sched_ext's. */
static void describe_unready(const struct worker_group *g, unsigned i, unsigned nready,
			     struct kt_wait *w)
{
	char path[64], buf[512] = "", scx[32] = "absent";
	const char *st = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)g->pids[i]);
	if ((f = fopen(path, "r"))) {
		if (fgets(buf, sizeof(buf), f) && (st = strrchr(buf, ')')) && st[1])
			st += 2;
		fclose(f);
	}
	if ((f = fopen("/sys/kernel/sched_ext/state", "r"))) {
		if (fgets(scx, sizeof(scx), f))
			scx[strcspn(scx, "\n")] = '\0';
		fclose(f);
	}
	kt_wait_seen(w, "%u of %u ready; worker %u (pid %d) in state %c%s, its setup not done; "
		     "sched_ext %s", nready, g->n, i, (int)g->pids[i], st ? *st : '?',
		     st && *st == 'R' ? " (runnable, not run)" : "", scx);
}

/* Wait until every worker is ready; the first setup failure or early exit
 * is the error. */
static struct kterr *await_ready(struct worker_group *g, worker_wait_fn wait)
{
	struct kt_wait w;

	kt_wait_begin(&w, KT_LIM_WORKER_READY, "%u worker(s) ready", g->n);
	for (unsigned i = 0; i < g->n; ) {
		struct worker_report *r = &g->shm->slot[i].report;
		int err = __atomic_load_n(&r->setup_errno, __ATOMIC_ACQUIRE), st;

		if (err)
			return kterr_new(err, "worker %u (pid %d): %s", i, g->pids[i], r->setup_stage);
		if (__atomic_load_n(&r->ready, __ATOMIC_ACQUIRE)) {
			i++;
			continue;
		}
		if (wait(g->pids[i], 0, &st)) {
			g->exited[i] = true;
			g->status[i] = st;
			if (__atomic_load_n(&r->setup_errno, __ATOMIC_ACQUIRE))
				continue;	/* reported on the next pass */
			return kterr_new(ECHILD, "worker %u (pid %d) exited during setup (status "
					 "0x%x)", i, g->pids[i], st);
		}
		if (kt_wait_expired(&w)) {
			describe_unready(g, i, i, &w);
			return kt_wait_error(&w, "a worker in state R never got to run its setup: "
					     "a scheduler that does not run it (see "
					     "/sys/kernel/sched_ext/state) or a starved guest");
		}
		usleep(kt_wait_nap_ms(&w, 1) * 1000);
	}
	return NULL;
}

struct kterr *worker_group_fork(struct worker_group *g, const struct worker_spec *spec,
				worker_wait_fn wait)
{
	int (*pipes)[2][2] = NULL;
	struct kterr *e;

	memset(g, 0, sizeof(*g));
	if ((e = kt_work_check_count(&spec->work, spec->n)))
		return e;
	if (!spec->n)
		return kterr_new(EINVAL, "no workers asked for");
	g->work = spec->work;
	g->shm_size = sizeof(struct worker_shm) + spec->n * sizeof(struct worker_slot);
	g->shm = mmap(NULL, g->shm_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g->shm == MAP_FAILED) {
		g->shm = NULL;
		return kterr_errno("mmap %zu bytes of worker reports", g->shm_size);
	}
	g->shm->n = spec->n;
	g->pids = calloc(spec->n, sizeof(*g->pids));
	g->exited = calloc(spec->n, sizeof(*g->exited));
	g->status = calloc(spec->n, sizeof(*g->status));
	if (spec->work.type == KT_WORK_PIPE_PINGPONG)
		pipes = calloc(spec->n / 2, sizeof(*pipes));
	if (!g->pids || !g->exited || !g->status ||
	    (spec->work.type == KT_WORK_PIPE_PINGPONG && !pipes)) {
		free(pipes);
		worker_group_free(g);
		return kterr_new(ENOMEM, "%u workers", spec->n);
	}
	/* pipes[p][0]: even -> odd, pipes[p][1]: odd -> even. */
	for (unsigned p = 0; pipes && p < spec->n / 2; p++) {
		if (pipe(pipes[p][0]) < 0 || pipe(pipes[p][1]) < 0) {
			e = kterr_errno("pipe for worker pair %u", p);
			break;
		}
	}
	for (unsigned i = 0; !e && i < spec->n; i++) {
		int rd = -1, wr = -1;

		if (pipes) {
			rd = pipes[i / 2][i & 1 ? 0 : 1][0];
			wr = pipes[i / 2][i & 1 ? 1 : 0][1];
		}
		g->pids[i] = fork();
		if (g->pids[i] < 0) {
			g->pids[i] = 0;
			e = kterr_errno("fork worker %u of %u", i, spec->n);
		} else if (!g->pids[i]) {
			child(g, spec, i, rd, wr);
		}
		g->n = i + 1;
	}
	for (unsigned p = 0; pipes && p < spec->n / 2; p++)
		for (int k = 0; k < 4; k++)
			if (pipes[p][k / 2][k % 2] > 0)
				close(pipes[p][k / 2][k % 2]);
	free(pipes);
	if (!e)
		e = await_ready(g, wait);
	if (e) {
		kterr_free(worker_group_kill(g, wait, 1000));
		worker_group_free(g);
	}
	return e;
}

void worker_group_start(struct worker_group *g)
{
	__atomic_store_n(&g->shm->gate, 1, __ATOMIC_RELEASE);
	futex_wake_all(&g->shm->gate);
	g->started = true;
}

void worker_group_report(const struct worker_group *g, unsigned i, struct worker_report *out)
{
	memcpy(out, &g->shm->slot[i].report, sizeof(*out));
}

void worker_group_signal(struct worker_group *g, worker_wait_fn wait)
{
	for (unsigned i = 0; i < g->n; i++) {
		if (g->pids[i] <= 0 || g->exited[i] || !kill(g->pids[i], SIGKILL))
			continue;
		/* Gone already: reaped, its status kept for us (taken now:
		 * it is there once) or lost. Nothing left to wait for. */
		if (errno == ESRCH) {
			if (!wait(g->pids[i], 0, &g->status[i]))
				g->status[i] = -1;
			g->exited[i] = true;
		}
	}
}

struct kterr *worker_group_kill(struct worker_group *g, worker_wait_fn wait, int timeout_ms)
{
	struct kt_wait w;

	kt_wait_begin_ms(&w, timeout_ms, "%u worker(s) to exit after SIGKILL", g->n);
	worker_group_signal(g, wait);
	for (;;) {
		char stuck[256] = "";
		unsigned nstuck = 0;

		for (unsigned i = 0; i < g->n; i++) {
			size_t l = strlen(stuck);

			if (g->pids[i] <= 0 || g->exited[i])
				continue;
			if (wait(g->pids[i], 0, &g->status[i]))
				g->exited[i] = true;
			else
				snprintf(stuck + l, sizeof(stuck) - l, "%s%d", nstuck++ ? " " : "",
					 g->pids[i]);
		}
		if (!nstuck)
			return NULL;
		kt_wait_seen(&w, "%u still there: %s", nstuck, stuck);
		if (kt_wait_expired(&w))
			return kt_wait_error(&w, "a task in D state (see /proc/PID/stack) or a "
					     "stuck scheduler");
		exit_nap(g->pids, g->exited, g->n, kt_wait_nap_ms(&w, 100));
	}
}

void worker_group_free(struct worker_group *g)
{
	if (g->shm)
		munmap(g->shm, g->shm_size);
	free(g->pids);
	free(g->exited);
	free(g->status);
	memset(g, 0, sizeof(*g));
}

uint64_t worker_report_wake_pct(const struct worker_report *r, unsigned pct)
{
	return wake_hist_pct(r->wake_hist, r->wake_samples, r->max_wake_ns, pct);
}

void worker_report_cpus(const struct worker_report *r, struct kt_cpuset *out)
{
	kt_cpuset_zero(out);
	for (unsigned w = 0; w < WORKER_CPU_WORDS; w++)
		out->bits[w] = r->cpus[w];
}
