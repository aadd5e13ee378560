/*
 * bench-warm.c - warm start against a cold boot, to agent-ready.
 *
 *   bench-warm [-n N] [--cpus C] [--memory MiB]
 *
 * With a warm-state directory of its own (KTCON_WARM_DIR, removed at the
 * end): one boot saves the state (its save time reported), then N rounds,
 * each a cold session_boot() and a warm one back to back, so both see the
 * same load. Timed from the call to its return (the guest ready to take
 * ops: initramfs, QEMU, HELLO, timeout scale). Prints the medians, the
 * warm start's parts (RAM copied in, device state loaded, agent resumed),
 * and warm/cold as a ratio; the goal is at most 0.25. Exit 1 if a boot
 * failed or a warm boot did not restore.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/timeouts.h"
#include "lib/util.h"
#include "vmm/session.h"
#include "tests/bench/bench-util.h"

static double median_ms(uint64_t *v, int n)
{
	return bench_median(v, n) / 1e6;
}

static void quiet(const char *line, void *ctx)
{
	(void)line;
	(void)ctx;
}

/* One boot; its wall time, and how it started. */
static int boot(struct session_opts *o, uint64_t *ns, struct session *s)
{
	uint64_t t0 = kt_now_ns();
	struct kterr *e = session_boot(o, s);

	*ns = kt_now_ns() - t0;
	if (e) {
		char *m = kterr_strdup(e);

		fprintf(stderr, "bench-warm: %s\n", m ? m : "boot failed");
		free(m);
		kterr_free(e);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int n = 5, nc = 0, nw = 0, bad = 0;
	struct session_opts o = { 0 };
	char dir[] = "/tmp/ktcon-bench-warm-XXXXXX";
	uint64_t *cold, *warm, *key, *ram, *load, *resume, ns;
	struct session s;

	topology_default(&o.topo);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--cpus") && i + 1 < argc)
			kterr_free(topology_set_cpus(&o.topo, argv[++i]));
		else if (!strcmp(argv[i], "--memory") && i + 1 < argc)
			kterr_free(topology_set_memory(&o.topo, argv[++i]));
		else {
			fprintf(stderr, "usage: bench-warm [-n N] [--cpus C] [--memory MiB]\n");
			return 2;
		}
	}
	if (n < 1 || !mkdtemp(dir))
		return 2;
	setenv("KTCON_WARM_DIR", dir, 1);
	o.on_note = quiet;
	cold = calloc(n, sizeof(*cold));
	warm = calloc(n, sizeof(*warm));
	key = calloc(n, sizeof(*key));
	ram = calloc(n, sizeof(*ram));
	load = calloc(n, sizeof(*load));
	resume = calloc(n, sizeof(*resume));

	o.warm = true;
	if (boot(&o, &ns, &s) < 0 || s.start != SESSION_SAVED) {
		fprintf(stderr, "bench-warm: the first boot did not save a warm state\n");
		kterr_free(kt_rm_rf(dir));
		return 1;
	}
	printf("first boot (cold, then saving the state): %.0f ms, of which saving %llu ms\n",
	       ns / 1e6, (unsigned long long)s.t.save_ms);
	session_shutdown(&s, (int)kt_limit_ms(KT_LIM_POWEROFF));
	for (int i = 0; i < n; i++) {
		o.warm = false;
		if (boot(&o, &ns, &s) == 0) {
			cold[nc++] = ns;
			session_shutdown(&s, (int)kt_limit_ms(KT_LIM_POWEROFF));
		} else {
			bad++;
		}
		o.warm = true;
		if (boot(&o, &ns, &s) == 0) {
			if (s.start != SESSION_RESTORED) {
				fprintf(stderr, "bench-warm: round %d: the warm boot booted cold\n", i);
				bad++;
			} else {
				key[nw] = s.t.warm_ns - s.t.initramfs_ns;
				ram[nw] = s.m.t.ram_ns - s.t.warm_ns;
				load[nw] = s.m.t.incoming_ns - s.m.t.ram_ns;
				resume[nw] = s.t.hello_ns - s.m.t.ready_ns;
				warm[nw++] = ns;
			}
			session_shutdown(&s, (int)kt_limit_ms(KT_LIM_POWEROFF));
		} else {
			bad++;
		}
		printf("round %d: cold %.0f ms, warm %.0f ms\n", i + 1,
		       nc ? cold[nc - 1] / 1e6 : 0, nw ? warm[nw - 1] / 1e6 : 0);
		fflush(stdout);
	}
	double c = median_ms(cold, nc), w = median_ms(warm, nw);

	printf("cold boot to ready:  median %.0f ms (%d boots)\n", c, nc);
	printf("warm start to ready: median %.0f ms (%d starts): key (initramfs hash, state check) %.0f ms, RAM copy %.0f ms, "
	       "QEMU start and device state %.0f ms, agent resume %.0f ms\n", w, nw,
	       median_ms(key, nw), median_ms(ram, nw), median_ms(load, nw), median_ms(resume, nw));
	printf("warm/cold: %.3f (goal: at most 0.25)%s\n", c ? w / c : 0,
	       c && w / c <= 0.25 ? "" : "  ** above the goal **");
	kterr_free(kt_rm_rf(dir));
	return bad ? 1 : 0;
}
