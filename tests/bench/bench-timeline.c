/*
 * bench-timeline.c - the timeline sampler's cost, on one booted guest:
 * the throughput of a spin group (iterations per second) in windows with
 * the run's sampler on (vmm/intro/run-sampler.h at HZ, reading every CPU's
 * runqueue and the sched_ext globals from guest memory) and off,
 * alternating, so both sides share the same guest and whatever load the
 * host has.
 *
 *   bench-timeline [-n PAIRS] [--window S] [--rate HZ] [--cpus C]
 *
 * Prints each window, the mean and spread per side, the ratio on/off of
 * the means and the median of each pair's own ratio (goal: within 2%,
 * >= 0.98), and the host CPU the sampler itself used (this process's CPU
 * time in on windows less off windows): on a loaded host the throughput
 * of a TCG guest swings more than 2% from window to window, and the
 * sampler's own CPU time is the cost that does not. The sampler here has no executor, so its
 * samples lack the STATE part (IRQ rate, worker progress): that part is a
 * copy of what the host already received, no guest work. Exit 77 when no
 * guest boots, 1 when an op failed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/timeline.h"
#include "lib/util.h"
#include "vmm/intro/intro.h"
#include "vmm/intro/run-sampler.h"
#include "vmm/session.h"

#define TIMEOUT_MS 30000

static void put_spawn(struct wire_buf *b, void *ctx)
{
	wire_put_str(b, "workers", ctx);
	wire_put_str(b, "work", "spin");
}

static bool op(struct session *s, const char *name, void (*fill)(struct wire_buf *, void *),
	       void *ctx, const struct wire_msg **m)
{
	struct kterr *e = agentlink_request(&s->link, name, fill, ctx, TIMEOUT_MS, NULL, m);

	if (e) {
		char *t = kterr_strdup(e);

		fprintf(stderr, "bench-timeline: %s: %s\n", name, t ? t : "failed");
		free(t);
		kterr_free(e);
		return false;
	}
	return true;
}

/* Iterations of every runner worker now; false when the reply is bad. */
static bool iterations(struct session *s, uint64_t *sum)
{
	const struct wire_msg *m;
	const struct wire_field *f;
	char why[128];
	size_t n;

	*sum = 0;
	if (!op(s, "query-workers", NULL, NULL, &m))
		return false;
	if (!(f = wire_field(m, "workers")) ||
	    !wire_workers_check(f, &n, why, sizeof(why))) {
		fprintf(stderr, "bench-timeline: query-workers: %s\n", f ? why : "no reports");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		struct wire_worker_rec r;

		wire_worker_at(f, i, &r);
		*sum += r.iterations;
	}
	return true;
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void stats(const double *v, int n, double *mean, double *sd)
{
	double s = 0, q = 0;

	for (int i = 0; i < n; i++)
		s += v[i];
	*mean = n ? s / n : 0;
	for (int i = 0; i < n; i++)
		q += (v[i] - *mean) * (v[i] - *mean);
	*sd = n > 1 ? sqrt(q / (n - 1)) : 0;
}

int main(int argc, char **argv)
{
	int pairs = 5, cpus = 2, window_s = 3, rate = KT_TL_DEFAULT_HZ;
	struct session_opts o = { .accel = ACCEL_AUTO };
	struct session s;
	struct intro *in = NULL;
	struct kterr *e;
	char c[16];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			pairs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--window") && i + 1 < argc)
			window_s = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--rate") && i + 1 < argc)
			rate = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--cpus") && i + 1 < argc)
			cpus = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: bench-timeline [-n PAIRS] [--window S] [--rate HZ] "
				"[--cpus C]\n");
			return 2;
		}
	}
	if (pairs < 1 || window_s < 1 || rate < KT_TL_MIN_HZ || rate > KT_TL_MAX_HZ)
		return 2;
	topology_default(&o.topo);
	snprintf(c, sizeof(c), "%d", cpus);
	kterr_free(topology_set_cpus(&o.topo, c));
	if ((e = session_boot(&o, &s))) {
		char *t = kterr_strdup(e);

		fprintf(stderr, "bench-timeline: boot: %s\n", t ? t : "failed");
		return 77;
	}
	if ((e = intro_open(&s.m, s.vmlinux, NULL, &in))) {
		char *t = kterr_strdup(e);

		fprintf(stderr, "bench-timeline: host introspection: %s\n", t ? t : "failed");
		session_shutdown(&s, 10000);
		return 77;
	}
	const struct wire_msg *m;
	char nworkers[16];
	double *on = calloc(pairs, sizeof(*on)), *off = calloc(pairs, sizeof(*off));
	double *pr = calloc(pairs, sizeof(*pr)), cpu_on = 0, cpu_off = 0, secs_on = 0;
	uint64_t nsamples = 0;
	int bad = 0;

	snprintf(nworkers, sizeof(nworkers), "%d", cpus);
	bad += !op(&s, "spawn", put_spawn, nworkers, &m);
	printf("timeline sampler cost: %d spin workers on %d vCPUs (%s), %d pairs of %d s "
	       "windows, sampler at %d Hz\n", cpus, cpus, accel_name(s.m.accel), pairs, window_s,
	       rate);
	sleep(1);	/* past the workers' start */
	for (int k = 0; k < pairs && !bad; k++) {
		/* Alternate which side goes first: neither always follows the other. */
		for (int h = 0; h < 2 && !bad; h++) {
			bool sampling = (k % 2 == 0) == (h == 0);
			struct kt_timeline *tl = NULL;
			struct run_sampler *rs = NULL;
			uint64_t i0, i1, t0, t1, c0 = cpu_ns();

			if (sampling) {
				tl = kt_timeline_new((unsigned)rate, (unsigned)cpus, 0, 0);
				e = tl ? run_sampler_start(tl, in, NULL, &rs) : NULL;
				if (!tl || e) {
					kterr_free(e);
					bad++;
					break;
				}
			}
			bad += !iterations(&s, &i0);
			t0 = kt_now_ns();
			usleep((useconds_t)window_s * 1000000);
			bad += !iterations(&s, &i1);
			t1 = kt_now_ns();
			run_sampler_stop(rs);
			double tput = (double)(i1 - i0) * 1e9 / (double)(t1 - t0);
			double used = (double)(cpu_ns() - c0) / 1e6;

			(sampling ? on : off)[k] = tput;
			if (sampling) {
				cpu_on += used;
				secs_on += (double)(t1 - t0) / 1e9;
				nsamples += kt_timeline_nsamples(tl);
			} else {
				cpu_off += used;
			}
			printf("  pair %d  sampler %-3s %10.0f iterations/s", k + 1,
			       sampling ? "on" : "off", tput);
			if (tl)
				printf("  (%zu samples)", kt_timeline_nsamples(tl));
			printf("\n");
			fflush(stdout);
			kt_timeline_free(tl);
		}
	}
	double mon, son, moff, soff;

	stats(on, pairs, &mon, &son);
	stats(off, pairs, &moff, &soff);
	if (!bad) {
		double ratio = moff > 0 ? mon / moff : 0, med;

		for (int k = 0; k < pairs; k++)
			pr[k] = off[k] > 0 ? on[k] / off[k] : 0;
		qsort(pr, pairs, sizeof(*pr), cmp_d);
		med = pairs % 2 ? pr[pairs / 2] : (pr[pairs / 2 - 1] + pr[pairs / 2]) / 2;
		printf("  on  %.0f +- %.0f /s, off %.0f +- %.0f /s\n", mon, son, moff, soff);
		printf("  ratio on/off %.4f, median pair ratio %.4f (goal >= 0.98: %s; window "
		       "spread %.1f%%)\n", ratio, med, med >= 0.98 ? "met" : "NOT met",
		       100.0 * fmax(mon > 0 ? son / mon : 0, moff > 0 ? soff / moff : 0));
		printf("  sampler host CPU: %.2f ms per second sampling (%.3f%% of one CPU), %.0f us "
		       "per sample (%llu samples)\n", (cpu_on - cpu_off) / secs_on,
		       (cpu_on - cpu_off) / secs_on / 10.0,
		       nsamples ? (cpu_on - cpu_off) * 1000.0 / (double)nsamples : 0,
		       (unsigned long long)nsamples);
	}
	intro_close(in);
	session_shutdown(&s, 10000);
	free(on);
	free(off);
	free(pr);
	return bad ? 1 : 0;
}
