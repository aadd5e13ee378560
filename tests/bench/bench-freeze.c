/*
 * bench-freeze.c - how long capture-snapshot keeps every vCPU parked,
 * against peers measured on the same guest in the same run.
 *
 *   bench-freeze [-n N] [--cpus C] [--no-qmap]
 *
 * Boots a guest (2 vCPUs by default) with scx_qmap from the kernel cache
 * staged and started (unless --no-qmap), waits until sched_ext says
 * "enabled", keeps the CPUs busy with two spinning shells, then measures
 * N rounds of each, in microseconds (median and max):
 *   qmp      a bare QMP stop + cont round trip (before the gdbstub is in
 *            use: QEMU tells a connected debugger about QMP stops);
 *   empty    a freeze with nothing inside (gdbstub stop, list vCPUs,
 *            continue): the floor a capture cannot go under;
 *   capture  capture-snapshot through host introspection: registers of
 *            each vCPU, runqueues, sched_ext state, the BPF maps with the
 *            scheduler's globals, .data/.bss; the window, and the part of
 *            it spent reading.
 * Prints the ratios capture/qmp and capture/empty. Exit 1 if anything
 * failed (no guest, no scheduler, a capture without the BPF globals).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "vmm/machine/freeze.h"
#include "vmm/intro/intro.h"
#include "vmm/kernel/kcache.h"
#include "vmm/kernel/kpick.h"
#include "vmm/machine/qmp.h"
#include "vmm/session.h"
#include "tests/bench/bench-util.h"

#define MAX_ROUNDS 1000
#define QMAP_WAIT_S 30

struct series {
	const char *name;
	uint64_t v[MAX_ROUNDS];
	int n;
};

static double median_us(struct series *s)
{
	return bench_median(s->v, s->n) / 1e3;
}

static double max_us(const struct series *s)
{
	uint64_t m = 0;

	for (int i = 0; i < s->n; i++)
		m = s->v[i] > m ? s->v[i] : m;
	return m / 1e3;
}

static int fail(const char *what, struct kterr *e)
{
	char *m = kterr_strdup(e);

	fprintf(stderr, "bench-freeze: %s: %s\n", what, m ? m : "failed");
	free(m);
	kterr_free(e);
	return 1;
}

static struct kterr *sh(struct session *s, const char *cmd, char **out)
{
	int status = 0;
	char *o = NULL;
	struct kterr *e = agentlink_sh(&s->link, cmd, 30000, &status, &o);

	if (!e && status)
		e = kterr_new(0, "`%s` exited %d: %s", cmd, status, o ? o : "");
	if (out && !e)
		*out = o;
	else
		free(o);
	return e;
}

static struct kterr *start_qmap(struct session *s)
{
	char *state = NULL;
	struct kterr *e = sh(s, "setsid /staging/payloads/qmap/scx_qmap >/dev/null 2>&1 &", NULL);

	for (int i = 0; !e && i < QMAP_WAIT_S * 2; i++) {
		free(state);
		state = NULL;
		e = sh(s, "cat /sys/kernel/sched_ext/state", &state);
		if (!e && !strncmp(state, "enabled", 7)) {
			free(state);
			return NULL;
		}
		usleep(500000);
	}
	free(state);
	return e ? e : kterr_new(ETIMEDOUT, "scx_qmap not enabled after %d s", QMAP_WAIT_S);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, 'c' },
		{ "no-qmap", no_argument, NULL, 'Q' },
		{ 0 },
	};
	int rounds = 30, cpus = 2, c;
	bool qmap = true;
	static struct series qmp = { .name = "qmp stop+cont" }, empty = { .name = "empty freeze" };
	static struct series cap = { .name = "capture-snapshot" }, inside = { .name = "  reading inside" };
	struct session_opts so = { 0 };
	struct initramfs_item item;
	char sched[4096];
	struct session s;
	struct intro *in = NULL;
	struct kterr *e;
	int rc = 0;

	while ((c = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		switch (c) {
		case 'n': rounds = atoi(optarg); break;
		case 'c': cpus = atoi(optarg); break;
		case 'Q': qmap = false; break;
		default:
			fprintf(stderr, "usage: bench-freeze [-n N] [--cpus C] [--no-qmap]\n");
			return 2;
		}
	}
	if (rounds < 1 || rounds > MAX_ROUNDS || cpus < 1)
		return 2;
	topology_default(&so.topo);
	so.topo.cores = (unsigned)cpus;
	so.accel = ACCEL_AUTO;
	if (qmap) {
		struct kcache_entry ent;
		char *root = NULL;

		e = kcache_root(&root);
		if (!e)
			e = kpick_entry(NULL, &ent);
		free(root);
		if (e)
			return fail("kernel cache", e);
		snprintf(sched, sizeof(sched), "%s/schedulers/scx_qmap", ent.dir);
		kcache_entry_free(&ent);
		item = (struct initramfs_item){ .name = "qmap", .path = sched };
		so.payloads = &item;
		so.n_payloads = 1;
	}
	e = session_boot(&so, &s);
	if (e)
		return fail("boot", e);
	if (qmap && (e = start_qmap(&s))) {
		rc = fail("scx_qmap", e);
		goto out;
	}
	/* Busy CPUs: the scheduler has work, the vCPUs are not idle. */
	if ((e = sh(&s, "for i in 1 2; do setsid sh -c 'while :; do :; done' >/dev/null 2>&1 & "
		       "done", NULL))) {
		rc = fail("load", e);
		goto out;
	}

	for (int i = 0; i < rounds; i++) {
		uint64_t t0 = kt_now_ns();

		e = qmp_execute(s.m.qmp, "stop", NULL, NULL);
		if (!e)
			e = qmp_execute(s.m.qmp, "cont", NULL, NULL);
		if (e) {
			rc = fail("qmp stop/cont", e);
			goto out;
		}
		qmp.v[qmp.n++] = kt_now_ns() - t0;
		usleep(20000);
	}

	e = intro_open(&s.m, s.vmlinux, NULL, &in);
	if (e) {
		rc = fail("host introspection", e);
		goto out;
	}
	struct kt_host h = intro_host(in);
	for (int i = 0; i < rounds; i++) {
		struct freeze f;
		uint64_t snap, window, reading, v;

		e = freeze_begin(&s.m, &f);
		if (!e)
			e = freeze_end(&s.m, &f);
		if (e) {
			rc = fail("empty freeze", e);
			goto out;
		}
		/* The first freeze connects to the gdbstub: not a sample. */
		if (i)
			empty.v[empty.n++] = f.paused_ns;
		usleep(20000);
		e = h.ops->snapshot_capture(h.ctx, "bench", &snap);
		if (!e && qmap)
			e = h.ops->snapshot_var(h.ctx, snap, "nr_enqueued", &v);
		if (e) {
			rc = fail("capture", e);
			goto out;
		}
		intro_last_freeze(in, &window, &reading);
		cap.v[cap.n++] = window;
		inside.v[inside.n++] = reading;
		usleep(20000);
	}

	printf("freeze window, %d vCPUs, %s, %d rounds (us):\n", cpus,
	       qmap ? "scx_qmap running, CPUs busy" : "no scheduler, CPUs busy", rounds);
	struct series *all[] = { &cap, &inside, &empty, &qmp };
	double med[4];
	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		med[i] = median_us(all[i]);
		printf("  %-20s median %8.0f   max %8.0f\n", all[i]->name, med[i], max_us(all[i]));
	}
	printf("  ratio capture / qmp stop+cont: %.2f\n", med[3] > 0 ? med[0] / med[3] : 0);
	printf("  ratio capture / empty freeze:  %.2f\n", med[2] > 0 ? med[0] / med[2] : 0);
out:
	intro_close(in);
	session_shutdown(&s, 10000);
	return rc;
}
