/* worker-work.c - the work types, one iteration each, and the loop that
 * measures them (see worker.h for what is measured and how). */
#include "guest/worker-int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REPORT_EVERY_NS 1000000ull	/* getrusage at most once a ms of work */
#define SPIN_ROUNDS 20000		/* one spin iteration: tens of us */
#define CACHE_BYTES (4u << 20)		/* cache-pressure: bigger than an LLC slice */
#define CACHE_STEP (64u << 10)		/* ...touched 64 KiB per iteration */
#define CHURN_BYTES (256u << 10)	/* page-fault-churn: 64 pages per iteration */
#define IO_BYTES 4096u

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void note_max(uint64_t *max, uint64_t v)
{
	if (v > *max)
		*max = v;
}

static void spin(unsigned rounds)
{
	volatile uint64_t x = rounds;

	for (unsigned k = 0; k < rounds; k++)
		x = x * 6364136223846793005ull + 1442695040888963407ull;
}

/* One wakeup's lateness: the max, and a bucket of the shared histogram
 * (only this worker writes it; the parent reads it any time). */
static void note_wake_ns(struct worker_ctx *c, uint64_t ns)
{
	struct worker_report *out = &c->self->report;
	unsigned b = wake_hist_bucket(ns);

	note_max(&c->rep.max_wake_ns, ns);
	__atomic_store_n(&out->wake_hist[b], out->wake_hist[b] + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&out->wake_samples, out->wake_samples + 1, __ATOMIC_RELAXED);
}

/* Sleep until now + ms and count how late the wakeup was. */
static void sleep_ms(struct worker_ctx *c, unsigned ms)
{
	uint64_t deadline = mono_ns() + (uint64_t)ms * 1000000ull, now;
	struct timespec ts = { (time_t)(deadline / 1000000000ull), (long)(deadline % 1000000000ull) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
	now = mono_ns();
	note_wake_ns(c, now > deadline ? now - deadline : 0);
	c->last_usage_ns = 0;	/* a sleep is a switch: refresh the report */
}

static void futex_wait(uint32_t *w, uint32_t val)
{
	syscall(SYS_futex, w, FUTEX_WAIT, val, NULL, NULL, 0);
}

static void futex_wake(uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* The partner's message arrived: how long after it was sent. */
static void note_wake(struct worker_ctx *c)
{
	uint64_t sent = __atomic_load_n(&c->pair->sent_ns, __ATOMIC_ACQUIRE), now = mono_ns();

	if (sent && now > sent)
		note_wake_ns(c, now - sent);
}

static void stamp_send(struct worker_ctx *c)
{
	__atomic_store_n(&c->pair->sent_ns, mono_ns(), __ATOMIC_RELEASE);
}

/* ---- the work types ---- */

static void work_spin(struct worker_ctx *c)
{
	spin(SPIN_ROUNDS);
}

static void work_yield(struct worker_ctx *c)
{
	spin(SPIN_ROUNDS / 10);
	sched_yield();
}

static void work_mixed(struct worker_ctx *c)
{
	spin(SPIN_ROUNDS * 5);
	sleep_ms(c, 1);
}

static void work_io_sync(struct worker_ctx *c)
{
	c->buf[0]++;
	if (pwrite(c->io_fd, c->buf, IO_BYTES, 0) < 0 || fsync(c->io_fd) < 0)
		sched_yield();	/* a full disk still lets the others run */
}

static void work_bursty(struct worker_ctx *c)
{
	uint64_t end = mono_ns() + (uint64_t)c->work.param[0] * 1000000ull;

	while (mono_ns() < end)
		spin(SPIN_ROUNDS / 10);
	if (c->work.param[1])
		sleep_ms(c, c->work.param[1]);
}

static void work_pipe_pingpong(struct worker_ctx *c)
{
	char b = 0;

	if (!(c->i & 1)) {
		stamp_send(c);
		if (write(WORKER_FD_WR, &b, 1) != 1 || read(WORKER_FD_RD, &b, 1) != 1)
			_exit(3);	/* the partner is gone */
		note_wake(c);
	} else {
		if (read(WORKER_FD_RD, &b, 1) != 1)
			_exit(3);
		note_wake(c);
		stamp_send(c);
		if (write(WORKER_FD_WR, &b, 1) != 1)
			_exit(3);
	}
	c->last_usage_ns = 0;
}

static void work_futex_pingpong(struct worker_ctx *c)
{
	uint32_t me = c->i & 1, *turn = &c->pair->turn;

	while (__atomic_load_n(turn, __ATOMIC_ACQUIRE) != me)
		futex_wait(turn, !me);
	note_wake(c);
	spin(SPIN_ROUNDS / 20);
	stamp_send(c);
	__atomic_store_n(turn, !me, __ATOMIC_RELEASE);
	futex_wake(turn);
	c->last_usage_ns = 0;
}

static void work_cache_pressure(struct worker_ctx *c)
{
	for (size_t off = 0; off < CACHE_STEP; off += 64)
		c->buf[(c->cursor + off) % c->buf_size]++;
	c->cursor = (c->cursor + CACHE_STEP) % c->buf_size;
}

static void work_sleep(struct worker_ctx *c)
{
	sleep_ms(c, c->work.param[0]);
}

static void work_fork_exit(struct worker_ctx *c)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, &st, 0);
	else
		sched_yield();	/* pids.max reached: that is the test */
}

static void work_page_fault_churn(struct worker_ctx *c)
{
	unsigned char *m = mmap(NULL, CHURN_BYTES, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED) {
		sched_yield();
		return;
	}
	for (size_t off = 0; off < CHURN_BYTES; off += 4096)
		m[off] = 1;
	munmap(m, CHURN_BYTES);
}

static void (*const work_fn[KT_WORK_NTYPES])(struct worker_ctx *) = {
	[KT_WORK_SPIN] = work_spin,
	[KT_WORK_YIELD] = work_yield,
	[KT_WORK_MIXED] = work_mixed,
	[KT_WORK_IO_SYNC] = work_io_sync,
	[KT_WORK_BURSTY] = work_bursty,
	[KT_WORK_PIPE_PINGPONG] = work_pipe_pingpong,
	[KT_WORK_FUTEX_PINGPONG] = work_futex_pingpong,
	[KT_WORK_CACHE_PRESSURE] = work_cache_pressure,
	[KT_WORK_SLEEP] = work_sleep,
	[KT_WORK_FORK_EXIT] = work_fork_exit,
	[KT_WORK_PAGE_FAULT_CHURN] = work_page_fault_churn,
};

int worker_prepare(struct worker_ctx *c)
{
	c->rep.last_cpu = -1;
	c->rep.run_delay_ns = UINT64_MAX;
	/* Opened once: the loop then pays one pread, not an open. */
	c->schedstat_fd = open("/proc/self/schedstat", O_RDONLY | O_CLOEXEC);
	if (c->work.type == KT_WORK_CACHE_PRESSURE || c->work.type == KT_WORK_IO_SYNC) {
		c->buf_size = c->work.type == KT_WORK_IO_SYNC ? IO_BYTES : CACHE_BYTES;
		c->buf = calloc(1, c->buf_size);
		if (!c->buf) {
			snprintf(c->rep.setup_stage, sizeof(c->rep.setup_stage), "buffer");
			return ENOMEM;
		}
	}
	if (c->work.type == KT_WORK_IO_SYNC) {
		char path[64];

		/* /tmp is the initramfs' tmpfs in the guest; unlinked at once
		 * so a killed worker leaves nothing behind. */
		snprintf(path, sizeof(path), "/tmp/kt-io-%d", (int)getpid());
		c->io_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (c->io_fd < 0) {
			snprintf(c->rep.setup_stage, sizeof(c->rep.setup_stage), "open /tmp/kt-io-*");
			return errno;
		}
		unlink(path);
	}
	return 0;
}

/* /proc/self/schedstat: "exec_ns run_delay_ns timeslices"; field 2. */
static void read_run_delay(struct worker_ctx *c)
{
	char buf[96];
	ssize_t n;
	char *p, *end;
	unsigned long long v;

	if (c->schedstat_fd < 0)
		return;
	n = pread(c->schedstat_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return;
	buf[n] = '\0';
	strtoull(buf, &p, 10);
	v = strtoull(p, &end, 10);
	if (end != p)
		c->rep.run_delay_ns = v;
}

/* After an iteration: the counters, and now and then the rusage. */
static void account(struct worker_ctx *c)
{
	uint64_t now = mono_ns();
	int cpu = sched_getcpu();

	c->rep.iterations++;
	note_max(&c->rep.max_gap_ns, now - c->last_end_ns);
	c->last_end_ns = now;
	if (cpu >= 0) {
		if (c->rep.last_cpu >= 0 && cpu != c->rep.last_cpu)
			c->rep.migrations++;
		c->rep.last_cpu = cpu;
		if (cpu < WORKER_CPU_WORDS * 64)
			c->rep.cpus[cpu / 64] |= 1ull << (cpu % 64);
	}
	if (now - c->last_usage_ns >= REPORT_EVERY_NS) {
		struct rusage ru;

		if (!getrusage(RUSAGE_SELF, &ru)) {
			c->rep.cpu_ns = ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) *
						1000000000ull +
					((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) *
						1000ull;
			c->rep.nvcsw = (uint64_t)ru.ru_nvcsw;
			c->rep.nivcsw = (uint64_t)ru.ru_nivcsw;
		}
		read_run_delay(c);
		c->last_usage_ns = now;
	}
	/* Field by field: the parent may read while this runs; every field
	 * is an aligned 8-byte word, so none is ever torn. */
	struct worker_report *out = &c->self->report;

	__atomic_store_n(&out->iterations, c->rep.iterations, __ATOMIC_RELAXED);
	__atomic_store_n(&out->cpu_ns, c->rep.cpu_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&out->nvcsw, c->rep.nvcsw, __ATOMIC_RELAXED);
	__atomic_store_n(&out->nivcsw, c->rep.nivcsw, __ATOMIC_RELAXED);
	__atomic_store_n(&out->migrations, c->rep.migrations, __ATOMIC_RELAXED);
	for (unsigned w = 0; w < WORKER_CPU_WORDS; w++)
		__atomic_store_n(&out->cpus[w], c->rep.cpus[w], __ATOMIC_RELAXED);
	__atomic_store_n(&out->max_gap_ns, c->rep.max_gap_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&out->max_wake_ns, c->rep.max_wake_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&out->run_delay_ns, c->rep.run_delay_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&out->last_cpu, c->rep.last_cpu, __ATOMIC_RELAXED);
}

void worker_run(struct worker_ctx *c)
{
	void (*fn)(struct worker_ctx *) = work_fn[c->work.type];

	c->last_end_ns = mono_ns();
	for (;;) {
		fn(c);
		account(c);
	}
}
