/* freeze.c - park and resume every vCPU; see freeze.h. */
#include "vmm/machine/freeze.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/timeouts.h"
#include "lib/util.h"
#include "vmm/machine/qemu-argv.h"


struct kterr *freeze_begin(struct machine *m, struct freeze *f)
{
	struct kterr *e;

	memset(f, 0, sizeof(*f));
	if (machine_exited(m))
		return machine_health(m);
	if (!m->gdb) {
		char *path = kt_path_join(m->rundir, QEMU_SOCK_GDB);

		if (!path)
			return kterr_new(ENOMEM, "freeze");
		/* Connecting stops the guest: that is this freeze's stop. */
		const char *trace = getenv("KTCON_GDB_TRACE");
		FILE *tr = trace ? fopen(trace, "we") : NULL;

		e = gdb_connect(path, kt_now_ns() + kt_limit_ms(KT_LIM_GDB_CONNECT) * 1000000ULL,
				tr, &m->gdb);
		free(path);
		if (e)
			return kterr_wrap(e, "freeze: connect to QEMU's gdbstub");
		f->why.kind = GDB_STOP_SIGNAL;
		f->why.code = 2;
		f->why.core = -1;
	} else {
		e = gdb_interrupt(m->gdb, &f->why);
		if (e)
			return kterr_wrap(e, "freeze: stop the vCPUs");
	}
	f->begin_ns = kt_now_ns();
	e = gdb_threads(m->gdb, f->vcpus, FREEZE_MAX_VCPUS, &f->nvcpus);
	if (e) {
		kterr_free(gdb_continue(m->gdb, NULL));
		return kterr_wrap(e, "freeze: list the vCPUs");
	}
	return NULL;
}

struct kterr *freeze_end(struct machine *m, struct freeze *f)
{
	struct kterr *e;

	if (!m->gdb)
		return kterr_new(EINVAL, "freeze_end without freeze_begin");
	e = gdb_continue(m->gdb, &f->paused_ns);
	return e ? kterr_wrap(e, "resume the vCPUs") : NULL;
}
