/* test_worker.c - the worker library on the host: work types and policies
 * parse as the checker says, affinity kinds resolve against a fixture
 * topology, and real workers hold at the gate, work, report, and die. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"
#include "guest/exit-nap.h"
#include "guest/worker.h"

static bool wait_child(pid_t pid, int timeout_ms, int *status)
{
	for (int waited = 0;; waited++) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return true;
		if (r < 0 || waited >= timeout_ms)
			return false;
		usleep(1000);
	}
}

/* What a worker must have shown before a test looks at its report. */
enum { SEEN_ITER = 1, SEEN_CPU = 2, SEEN_GAP = 4, SEEN_WAKE = 8 };

static bool worker_shows(const struct worker_report *r, unsigned need)
{
	return (!(need & SEEN_ITER) || r->iterations) && (!(need & SEEN_CPU) || r->cpu_ns) &&
	       (!(need & SEEN_GAP) || r->max_gap_ns) && (!(need & SEEN_WAKE) || r->max_wake_ns);
}

/* Wait until every worker of G shows NEED: a condition, not a fixed
 * sleep, so a loaded host (or ASan) slows the test without failing it.
 * The bound only keeps a broken worker from hanging the suite. */
#define PROGRESS_BOUND_NS (60ull * 1000000000ull)
static void await_progress(struct worker_group *g, unsigned need, const char *what)
{
	uint64_t end = kt_now_ns() + PROGRESS_BOUND_NS;
	struct worker_report r;

	for (unsigned i = 0; i < g->n; ) {
		worker_group_report(g, i, &r);
		if (worker_shows(&r, need)) {
			i++;
			continue;
		}
		if (kt_now_ns() > end)
			fail_msg("work %s: worker %u showed no progress in 60 s (iterations %llu, "
				 "cpu %llu ns, gap %llu ns, wake %llu ns)", what, i,
				 (unsigned long long)r.iterations, (unsigned long long)r.cpu_ns,
				 (unsigned long long)r.max_gap_ns, (unsigned long long)r.max_wake_ns);
		usleep(10 * 1000);
	}
}

static void must_fail(struct kterr *e, const char *needle)
{
	char buf[1024];
	const char *hint;

	assert_non_null(e);
	kterr_str(e, buf, sizeof(buf));
	hint = kterr_hint_of(e);
	if (!strstr(buf, needle) && !(hint && strstr(hint, needle)))
		fail_msg("'%s' not in '%s' (hint: %s)", needle, buf, hint ? hint : "none");
	kterr_free(e);
}

static void test_work_parse(void **state)
{
	struct kt_work w;

	assert_null(kt_work_parse(NULL, &w));
	assert_int_equal(w.type, KT_WORK_SPIN);
	assert_null(kt_work_parse("bursty", &w));
	assert_int_equal(w.type, KT_WORK_BURSTY);
	assert_int_equal(w.param[0], 5);
	assert_int_equal(w.param[1], 5);
	assert_null(kt_work_parse("bursty:3/7", &w));
	assert_int_equal(w.param[0], 3);
	assert_int_equal(w.param[1], 7);
	assert_null(kt_work_parse("sleep:20", &w));
	assert_int_equal(w.param[0], 20);
	must_fail(kt_work_parse("bursty:0/5", &w), "bad parameter '0'");
	must_fail(kt_work_parse("bursty:3", &w), "missing parameter");
	must_fail(kt_work_parse("sleep:x", &w), "bad parameter 'x'");
	must_fail(kt_work_parse("spin:3", &w), "takes no parameters");
	must_fail(kt_work_parse("spinn", &w), "pipe-pingpong");
	assert_null(kt_work_parse("futex-pingpong", &w));
	must_fail(kt_work_check_count(&w, 3), "3 workers is odd");
	assert_null(kt_work_check_count(&w, 4));
}

static void test_policy_parse(void **state)
{
	struct kt_policy p;

	assert_null(kt_policy_parse(NULL, &p));
	assert_int_equal(p.kind, KT_POLICY_NORMAL);
	assert_null(kt_policy_parse("fifo:50", &p));
	assert_int_equal(p.kind, KT_POLICY_FIFO);
	assert_int_equal(p.prio, 50);
	assert_null(kt_policy_parse("idle", &p));
	assert_int_equal(p.kind, KT_POLICY_IDLE);
	must_fail(kt_policy_parse("fifo:0", &p), "PRIO 1..99");
	must_fail(kt_policy_parse("rr", &p), "bad policy 'rr'");
	must_fail(kt_policy_parse("batch:3", &p), "bad policy");
	must_fail(kt_policy_parse("deadline", &p), "bad policy");
}

static void mask_is(const struct worker_affinity *a, const struct worker_topo *t, unsigned i,
		    const char *want)
{
	struct kt_cpuset m;
	char buf[256];

	assert_null(worker_affinity_mask(a, t, i, &m));
	assert_string_equal(kt_cpulist_format(&m, buf, sizeof(buf)), want);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_affinity(void **state)
{
	char root[] = "/tmp/kt-worker-sysfs-XXXXXX", dir[256], cmd[320];
	struct worker_topo t = { .seed = 42 };
	struct worker_affinity a;
	struct kt_cpuset m, sub;

	assert_non_null(mkdtemp(root));
	t.sysfs_root = root;
	/* cpu2 shares its L3 (index3) with cpu3; index2 is per-core */
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/devices/system/cpu/cpu2/cache/index2 "
		 "%s/devices/system/cpu/cpu2/cache/index3", root, root);
	assert_int_equal(system(cmd), 0);
	snprintf(dir, sizeof(dir), "%s/devices/system/cpu/cpu2/cache/index3/shared_cpu_list", root);
	write_file(dir, "2-3\n");
	snprintf(dir, sizeof(dir), "%s/devices/system/cpu/cpu2/cache/index2/shared_cpu_list", root);
	write_file(dir, "2\n");
	assert_null(kt_cpulist_parse("2-5", &t.effective));
	assert_null(kt_cpulist_parse("0-7", &t.online));

	assert_null(worker_affinity_parse("inherit", &a));
	mask_is(&a, &t, 0, "2-5");
	assert_null(worker_affinity_parse("cross-cgroup", &a));
	mask_is(&a, &t, 0, "0-7");
	assert_null(worker_affinity_parse("single-cpu", &a));
	mask_is(&a, &t, 0, "2");
	mask_is(&a, &t, 5, "3");
	assert_null(worker_affinity_parse("llc-aligned", &a));
	mask_is(&a, &t, 0, "2-3");
	assert_null(worker_affinity_parse("exact:1,3,9", &a));
	mask_is(&a, &t, 0, "1,3");
	assert_null(worker_affinity_parse("exact:9", &a));
	must_fail(worker_affinity_mask(&a, &t, 0, &m), "names no online CPU");
	assert_null(worker_affinity_parse("random-subset", &a));
	for (unsigned i = 0; i < 16; i++) {
		assert_null(worker_affinity_mask(&a, &t, i, &sub));
		assert_true(kt_cpuset_count(&sub) >= 1);
		assert_true(kt_cpuset_subset(&sub, &t.effective));
	}
	must_fail(worker_affinity_parse("everywhere", &a), "unknown affinity 'everywhere'");
	/* no cache info: the CPU is its own LLC */
	assert_null(kt_cpulist_parse("4-5", &t.effective));
	assert_null(worker_affinity_parse("llc-aligned", &a));
	mask_is(&a, &t, 0, "4");
	kt_cpuset_zero(&t.effective);
	assert_null(worker_affinity_parse("inherit", &a));
	must_fail(worker_affinity_mask(&a, &t, 0, &m), "no effective CPUs");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

static struct worker_spec spec_of(const char *work, unsigned n)
{
	struct worker_spec s = { .n = n, .label = "test" };

	assert_null(kt_work_parse(work, &s.work));
	return s;
}

static void test_gate_holds_then_work(void **state)
{
	struct worker_spec spec = spec_of("spin", 2);
	struct worker_group g;
	struct worker_report r;
	struct kt_cpuset cpus;

	assert_null(worker_group_fork(&g, &spec, wait_child));
	assert_int_equal(g.n, 2);
	usleep(100 * 1000);
	for (unsigned i = 0; i < g.n; i++) {
		worker_group_report(&g, i, &r);
		assert_int_equal(r.ready, 1);
		assert_int_equal(r.iterations, 0);	/* held at the gate */
	}
	worker_group_start(&g);
	await_progress(&g, SEEN_ITER | SEEN_CPU | SEEN_GAP, "spin");
	for (unsigned i = 0; i < g.n; i++) {
		worker_group_report(&g, i, &r);
		worker_report_cpus(&r, &cpus);
		assert_true(kt_cpuset_count(&cpus) >= 1);
	}
	assert_null(worker_group_kill(&g, wait_child, 2000));
	for (unsigned i = 0; i < g.n; i++) {
		assert_true(g.exited[i]);
		assert_true(WIFSIGNALED(g.status[i]));
		assert_int_equal(WTERMSIG(g.status[i]), SIGKILL);
		assert_int_equal(kill(g.pids[i], 0), -1);
	}
	worker_group_report(&g, 0, &r);
	assert_true(r.iterations > 0);	/* readable after the kill */
	worker_group_free(&g);
}

/* Every work type does real work: each of its workers advances. */
static void test_every_type_progresses(void **state)
{
	for (unsigned t = 0; t < KT_WORK_NTYPES; t++) {
		struct worker_spec spec = spec_of(kt_work_info[t].name, 2);
		struct worker_group g;
		bool wakes = t == KT_WORK_SLEEP || t == KT_WORK_PIPE_PINGPONG ||
			     t == KT_WORK_FUTEX_PINGPONG;

		assert_null(worker_group_fork(&g, &spec, wait_child));
		worker_group_start(&g);
		/* A sleeper or a ping-pong pair also measures a wake-up. */
		await_progress(&g, SEEN_ITER | (wakes ? SEEN_WAKE : 0), kt_work_info[t].name);
		assert_null(worker_group_kill(&g, wait_child, 2000));
		worker_group_free(&g);
	}
}

static void test_pairs_need_even(void **state)
{
	struct worker_spec spec = spec_of("pipe-pingpong", 3);
	struct worker_group g;

	must_fail(worker_group_fork(&g, &spec, wait_child), "3 workers is odd");
	spec = spec_of("spin", 0);
	must_fail(worker_group_fork(&g, &spec, wait_child), "no workers");
}

/* A worker that died before the stop (and was reaped elsewhere) does not
 * make the stop wait or fail. */
static void test_kill_after_death(void **state)
{
	struct worker_spec spec = spec_of("sleep:1", 2);
	struct worker_group g;
	int st;

	assert_null(worker_group_fork(&g, &spec, wait_child));
	worker_group_start(&g);
	kill(g.pids[1], SIGKILL);
	assert_true(wait_child(g.pids[1], 2000, &st));
	assert_null(worker_group_kill(&g, wait_child, 2000));
	assert_true(g.exited[0] && g.exited[1]);
	worker_group_free(&g);
}

/* The histogram's buckets: every value lands in the bucket whose bound is
 * at or above it and within 12.5%; percentiles are ordered and clamped. */
static void test_wake_hist(void **state)
{
	static uint32_t h[WAKE_HIST_BUCKETS];
	const uint64_t vals[] = { 0, 1, 7, 8, 9, 15, 16, 17, 100, 1000, 123456, 999999999,
				  1ull << 39, (1ull << 40) - 1, 1ull << 45, UINT64_MAX };

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		unsigned b = wake_hist_bucket(vals[i]);

		assert_true(b < WAKE_HIST_BUCKETS);
		assert_true(wake_hist_upper(b) >= vals[i]);
		if (b && b < WAKE_HIST_BUCKETS - 1) {
			assert_true(wake_hist_upper(b - 1) < vals[i]);
			assert_true(wake_hist_upper(b) - vals[i] <= vals[i] / 8);
		}
	}
	for (unsigned b = 1; b < WAKE_HIST_BUCKETS; b++)
		assert_true(wake_hist_upper(b) > wake_hist_upper(b - 1));
	/* 98 at ~1 us, 2 at ~1 ms: p50 near 1 us, p99 near 1 ms, clamped to max */
	memset(h, 0, sizeof(h));
	h[wake_hist_bucket(1000)] += 98;
	h[wake_hist_bucket(1000000)] += 2;
	assert_int_equal(wake_hist_pct(h, 100, 1000500, 50), wake_hist_upper(wake_hist_bucket(1000)));
	assert_true(wake_hist_pct(h, 100, 1000500, 99) <= 1000500);
	assert_true(wake_hist_pct(h, 100, 1000500, 99) >= 1000000);
	assert_int_equal(wake_hist_pct(h, 100, 1003, 50), 1003 > wake_hist_upper(wake_hist_bucket(1000))
			 ? wake_hist_upper(wake_hist_bucket(1000)) : 1003);
	assert_int_equal(wake_hist_pct(h, 0, 5, 50), 0);
	/* counts read mid-update (fewer than n): the max, never past it */
	assert_int_equal(wake_hist_pct(h, 1000, 1000500, 99), 1000500);
}

/* A sleeping worker's report: samples counted, the histogram holds them
 * all, p50 <= p99 <= max, and its run delay read from schedstat. */
static void test_wake_percentiles_and_run_delay(void **state)
{
	struct worker_spec spec = spec_of("sleep:1", 1);
	struct worker_group g;
	struct worker_report r;
	uint64_t end = kt_now_ns() + PROGRESS_BOUND_NS, sum = 0;

	assert_null(worker_group_fork(&g, &spec, wait_child));
	worker_group_start(&g);
	do {
		usleep(10 * 1000);
		worker_group_report(&g, 0, &r);
		if (kt_now_ns() > end)
			fail_msg("20 wakeups not seen in 60 s: %llu",
				 (unsigned long long)r.wake_samples);
	} while (r.wake_samples < 20 || r.iterations < 20);
	assert_null(worker_group_kill(&g, wait_child, 5000));
	worker_group_report(&g, 0, &r);
	for (unsigned b = 0; b < WAKE_HIST_BUCKETS; b++)
		sum += r.wake_hist[b];
	assert_int_equal(sum, r.wake_samples);
	assert_true(worker_report_wake_pct(&r, 50) <= worker_report_wake_pct(&r, 99));
	assert_true(worker_report_wake_pct(&r, 99) <= r.max_wake_ns);
	if (access("/proc/self/schedstat", R_OK) == 0)
		assert_true(r.run_delay_ns != UINT64_MAX);
	worker_group_free(&g);
}

/* The agent's shape: PID 1 reaps every child into a table, and a wait
 * takes a pid's status out of it, once. */
static struct {
	pid_t pid;
	int status;
} reaped[16];
static int nreaped;

static void reap_all(void)
{
	pid_t p;
	int st;

	while (nreaped < 16 && (p = waitpid(-1, &st, WNOHANG)) > 0)
		reaped[nreaped++] = (typeof(reaped[0])){ p, st };
}

static bool table_wait(pid_t pid, int timeout_ms, int *status)
{
	for (int waited = 0;; waited++) {
		reap_all();
		for (int i = 0; i < nreaped; i++)
			if (reaped[i].pid == pid) {
				*status = reaped[i].status;
				reaped[i] = reaped[--nreaped];
				return true;
			}
		if (waited >= timeout_ms)
			return false;
		usleep(1000);
	}
}

/* A batch signals every group first and kills (waits) after: by then the
 * reaper has the workers' statuses. The kill takes them and is done at
 * once, each with its SIGKILL status (it once took the status on ESRCH
 * and then waited the whole limit for an exit it had already seen). */
static void test_signal_first_then_kill_takes_the_reaped_status(void **state)
{
	struct worker_spec spec = spec_of("spin", 2);
	struct worker_group g;
	uint64_t t0;

	nreaped = 0;
	assert_null(worker_group_fork(&g, &spec, table_wait));
	worker_group_start(&g);
	worker_group_signal(&g, table_wait);
	for (int i = 0; i < 200 && nreaped < 2; i++) {
		usleep(5000);
		reap_all();
	}
	assert_int_equal(nreaped, 2);
	t0 = kt_now_ns();
	/* a long limit, so that waiting it out cannot pass for a slow host */
	assert_null(worker_group_kill(&g, table_wait, 30000));
	assert_true(kt_now_ns() - t0 < 10000000000ULL);
	for (unsigned i = 0; i < g.n; i++) {
		assert_true(g.exited[i]);
		assert_true(WIFSIGNALED(g.status[i]));
		assert_int_equal(WTERMSIG(g.status[i]), SIGKILL);
	}
	worker_group_free(&g);
}

/* exit_nap wakes on the exit itself: with no time limit (-1) it can only
 * return because the child exited (a broken one hangs the test), and a
 * pid already reaped, or every pid done, returns at once. */
static void test_exit_nap(void **state)
{
	int fds[2], st;
	pid_t pids[2];
	bool done[2] = { true, false };
	char c = 0;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pids[0] = 1;		/* done: not looked at */
	pids[1] = fork();
	assert_true(pids[1] >= 0);
	if (pids[1] == 0) {
		/* Exit once the parent is about to sleep (the pipe closes). */
		close(fds[1]);
		while (read(fds[0], &c, 1) > 0)
			;
		_exit(3);
	}
	close(fds[0]);
	close(fds[1]);
	exit_nap(pids, done, 2, -1);
	assert_int_equal(waitpid(pids[1], &st, 0), pids[1]);
	assert_int_equal(WEXITSTATUS(st), 3);
	/* Reaped: gone, so no wait at all even with no limit. */
	exit_nap(pids, done, 2, -1);
	done[1] = true;
	exit_nap(pids, done, 2, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_work_parse),
		cmocka_unit_test(test_exit_nap),
		cmocka_unit_test(test_wake_hist),
		cmocka_unit_test(test_wake_percentiles_and_run_delay),
		cmocka_unit_test(test_policy_parse),
		cmocka_unit_test(test_affinity),
		cmocka_unit_test(test_gate_holds_then_work),
		cmocka_unit_test(test_every_type_progresses),
		cmocka_unit_test(test_pairs_need_even),
		cmocka_unit_test(test_kill_after_death),
		cmocka_unit_test(test_signal_first_then_kill_takes_the_reaped_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
