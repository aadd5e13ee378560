/*
 * vmmprobe.c - drive a QEMU's QMP and gdbstub sockets with ktcon's own
 * clients: the integration test's worker, and a debugging aid.
 *
 *   vmmprobe [-q QMP.trace] [-g GDB.trace] [-w MS] QMP_SOCK GDB_SOCK [WATCH_ADDR]
 *
 * Connects to both, prints the run state, lets the guest run MS ms (-w;
 * so a kernel gets far enough to have page tables), stops it, lists the vCPUs
 * and prints each one's rip/cr3/cr4, continues, stops again and prints how
 * long the guest was frozen; with WATCH_ADDR (hex), arms a write watchpoint
 * there, continues and waits for it to fire. Ends with quit. -q/-g write
 * transcripts in the tests/data/{qmp,gdb} format. Exit 0 on success, 1 with
 * the error chain on stderr.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "vmm/machine/gdbstub.h"
#include "vmm/machine/qmp.h"

#define DEADLINE_NS (10ull * 1000 * 1000 * 1000)

static int fail(struct kterr *e)
{
	char buf[1024];

	fprintf(stderr, "vmmprobe: %s\n", kterr_str(e, buf, sizeof(buf)));
	kterr_free(e);
	return 1;
}

static void print_events(struct qmp *q)
{
	struct qmp_msg *m;
	struct kterr *e = qmp_pump(q);

	kterr_free(e);	/* EOF after quit is expected here */
	while ((m = qmp_event_pop(q))) {
		printf("event %s\n", m->event);
		qmp_msg_free(m);
	}
}

static struct kterr *probe(struct qmp *q, struct gdb *g, int run_ms, const char *watch)
{
	struct gdb_tid tids[64];
	struct qmp_status st;
	struct gdb_stop why;
	uint64_t paused;
	struct kterr *e;
	size_t n, i;

	e = qmp_query_status(q, &st);
	if (e)
		return e;
	printf("status %s running=%d\n", st.status, st.running);
	if (run_ms) {
		e = gdb_continue(g, NULL);
		if (e)
			return e;
		usleep((useconds_t)run_ms * 1000);
	}
	e = gdb_interrupt(g, &why);
	if (!e)
		e = gdb_threads(g, tids, 64, &n);
	if (e)
		return e;
	printf("vcpus %zu\n", n);
	for (i = 0; i < n; i++) {
		struct gdb_x86_regs r;
		char t[32];

		e = gdb_read_regs(g, tids[i], &r);
		if (e)
			return e;
		gdb_format_tid(tids[i], t, sizeof(t));
		printf("vcpu %s rip=0x%" PRIx64 " cr0=0x%" PRIx64 " cr3=0x%" PRIx64
		       " cr4=0x%" PRIx64 " have=0x%" PRIx64 "\n",
		       t, r.rip, r.cr0, r.cr3, r.cr4, r.have);
	}
	e = gdb_continue(g, &paused);
	if (e)
		return e;
	printf("paused_us %" PRIu64 "\n", paused / 1000);
	usleep(200 * 1000);
	e = gdb_interrupt(g, &why);
	if (e)
		return e;
	printf("stop signal=%u\n", why.code);
	e = qmp_query_status(q, &st);
	if (e)
		return e;
	printf("status %s running=%d\n", st.status, st.running);
	if (watch) {
		uint64_t addr = strtoull(watch, NULL, 16);
		bool stopped;

		e = gdb_watch_insert(g, addr, 8);
		if (!e)
			e = gdb_continue(g, &paused);
		if (!e)
			e = gdb_wait_stop(g, 10000, &why, &stopped);
		if (!e && !stopped)
			e = kterr_new(ETIMEDOUT, "watch at 0x%" PRIx64 " did not fire in 10 s", addr);
		if (e)
			return e;
		printf("watch fired addr=0x%" PRIx64 " kind=%d\n", why.watch_addr, why.watch);
		e = gdb_watch_remove(g, addr, 8);
		if (e)
			return e;
	}
	e = gdb_continue(g, &paused);
	if (e)
		return e;
	print_events(q);
	return qmp_quit(q);
}

int main(int argc, char **argv)
{
	FILE *qt = NULL, *gt = NULL;
	struct qmp *q = NULL;
	struct gdb *g = NULL;
	struct kterr *e;
	int opt, rc, run_ms = 0;

	while ((opt = getopt(argc, argv, "q:g:w:")) != -1) {
		FILE **f = opt == 'q' ? &qt : opt == 'g' ? &gt : NULL;

		if (opt == 'w') {
			run_ms = atoi(optarg);
			continue;
		}
		if (!f) {
			fprintf(stderr, "usage: vmmprobe [-q TRACE] [-g TRACE] [-w MS] QMP GDB [ADDR]\n");
			return 2;
		}
		*f = fopen(optarg, "w");
		if (!*f) {
			perror(optarg);
			return 1;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "usage: vmmprobe [-q TRACE] [-g TRACE] [-w MS] QMP GDB [ADDR]\n");
		return 2;
	}
	e = qmp_connect(argv[optind], kt_now_ns() + DEADLINE_NS, qt, &q);
	if (!e) {
		printf("qmp %s\n", qmp_version(q));
		e = gdb_connect(argv[optind + 1], kt_now_ns() + DEADLINE_NS, gt, &g);
	}
	if (!e)
		e = probe(q, g, run_ms, argc - optind > 2 ? argv[optind + 2] : NULL);
	rc = e ? fail(e) : 0;
	gdb_close(g);
	qmp_close(q);
	if (qt)
		fclose(qt);
	if (gt)
		fclose(gt);
	return rc;
}
