/*
 * bench-ops.c - op round trips on one booted guest, against the channel's
 * own floor measured in the same run.
 *
 *   bench-ops [-n N] [--cpus C]
 *
 *   ping        an op that does nothing in the agent: the control
 *               channel's round trip (virtio-serial, the agent's loop)
 *   add+remove  add-cgroup then remove-cgroup of the same name: what an
 *               operator's cgroup op costs on real cgroup v2 files
 *   spawn+stop  spawn 2 spin workers into a cgroup, stop them (fork, place,
 *               start, SIGKILL, reap, reports)
 * Prints medians and the ratios to ping; exit 1 when an op failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "vmm/session.h"
#include "tests/bench/bench-util.h"

#define TIMEOUT_MS 30000

static double median_us(uint64_t *v, int n)
{
	return bench_median(v, n) / 1e3;
}

struct args {
	const char *cgroup;
	const char *workers;
};

static void fill(struct wire_buf *b, void *ctx)
{
	const struct args *a = ctx;

	if (a && a->cgroup)
		wire_put_str(b, "cgroup", a->cgroup);
	if (a && a->workers)
		wire_put_str(b, "workers", a->workers);
}

/* One op, timed; false (and said) when it failed. */
static bool timed(struct session *s, const char *op, const struct args *a, uint64_t *ns)
{
	const struct wire_msg *m;
	uint64_t t0 = kt_now_ns();
	struct kterr *e = agentlink_request(&s->link, op, fill, (void *)a, TIMEOUT_MS, NULL, &m);

	*ns += kt_now_ns() - t0;
	if (e) {
		char *t = kterr_strdup(e);

		fprintf(stderr, "bench-ops: %s: %s\n", op, t ? t : "failed");
		free(t);
		kterr_free(e);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	int n = 100, cpus = 2, bad = 0;
	struct session_opts o = { .accel = ACCEL_AUTO };
	struct session s;
	struct kterr *e;
	char c[16];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			n = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--cpus") && i + 1 < argc) {
			cpus = atoi(argv[++i]);
		} else {
			fprintf(stderr, "usage: bench-ops [-n N] [--cpus C]\n");
			return 2;
		}
	}
	if (n < 1)
		n = 1;
	topology_default(&o.topo);
	snprintf(c, sizeof(c), "%d", cpus);
	kterr_free(topology_set_cpus(&o.topo, c));
	e = session_boot(&o, &s);
	if (e) {
		char *t = kterr_strdup(e);

		fprintf(stderr, "bench-ops: boot: %s\n", t ? t : "failed");
		return 77;
	}
	uint64_t *ping = calloc(n, sizeof(*ping)), *pair = calloc(n, sizeof(*pair));
	uint64_t *spawn = calloc(n, sizeof(*spawn));
	const struct args cg = { "bench", NULL }, spawn2 = { "bench", "2" };

	printf("op benchmark: %d rounds, %d vCPUs, %s\n", n, cpus, accel_name(s.m.accel));
	/* Interleaved rounds: the three share whatever load the host has. */
	for (int i = 0; i < n && ping && pair && spawn; i++) {
		bad += !timed(&s, "ping", NULL, &ping[i]);
		bad += !timed(&s, "add-cgroup", &cg, &pair[i]);
		bad += !timed(&s, "remove-cgroup", &cg, &pair[i]);
		bad += !timed(&s, "add-cgroup", &cg, &spawn[i]);
		bad += !timed(&s, "spawn", &spawn2, &spawn[i]);
		bad += !timed(&s, "stop-cgroup", &cg, &spawn[i]);
		bad += !timed(&s, "remove-cgroup", &cg, &spawn[i]);
		if (bad)
			break;
	}
	double p = median_us(ping, n), a = median_us(pair, n), w = median_us(spawn, n);

	printf("  %-28s %10s %12s\n", "", "median us", "ratio/ping");
	printf("  %-28s %10.0f %12.2f\n", "ping (channel floor)", p, 1.0);
	printf("  %-28s %10.0f %12.2f   (%.0f pairs/s)\n", "add-cgroup + remove-cgroup", a,
	       p > 0 ? a / p : 0, a > 0 ? 1e6 / a : 0);
	printf("  %-28s %10.0f %12.2f\n", "cgroup + spawn 2 + stop", w, p > 0 ? w / p : 0);
	session_shutdown(&s, 10000);
	free(ping);
	free(pair);
	free(spawn);
	return bad ? 1 : 0;
}
