/*
 * machine.h - one guest: a QEMU process and everything ktcon holds on it.
 *
 * machine_start() resolves the accelerator, sweeps the run directories of
 * dead ktcons (rundir.h), creates a private run directory (sockets, console
 * log) and the guest RAM (an anonymous memfd, guestmem.h), starts QEMU
 * paused (-S) with PR_SET_PDEATHSIG so it never outlives us, handing it the
 * RAM's (and the initramfs') descriptors, connects QMP, the kernel console,
 * hvc0 and the ktcon.0 control port, and only then lets the vCPUs run.
 * Nothing it makes has a name a SIGKILL could strand but the run
 * directory, and that one the next start sweeps. Whatever fails on the way is reported with what
 * QEMU printed on stderr or what the guest printed on its console.
 *
 * machine_stop() asks nicely (the caller's poweroff request, then QMP quit)
 * and then kills; it always removes the run directory.
 */
#ifndef KTCON_VMM_MACHINE_H
#define KTCON_VMM_MACHINE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"
#include "vmm/machine/accel.h"
#include "vmm/machine/serial.h"
#include "vmm/machine/guestmem.h"
#include "vmm/machine/topology.h"

struct qmp;
struct gdb;

struct machine_opts {
	struct topology topo;
	enum accel accel;		/* AUTO resolves here */
	const char *qemu;		/* NULL: the configured qemu-system-x86_64 */
	const char *kernel;		/* bzImage */
	const char *initrd;		/* initramfs file */
	/* > 0: initrd is /proc/self/fd/<initrd_fd>, a descriptor QEMU
	 * inherits (a memfd: no name to strand); 0: initrd is a plain file. */
	int initrd_fd;
	const char *append_extra;	/* more kernel command line, or NULL */
	/* With incoming: the migration stream, open for reading (migrate.h). */
	int state_fd;
	/* A warm start (warm.h): QEMU starts with -incoming defer, the RAM
	 * from incoming_ram, the device state from state_fd, and must be of
	 * version incoming_qemu (its QMP greeting, "QEMU 7.2.22"), or the
	 * start fails saying so. false: a cold boot. */
	bool incoming;
	const char *incoming_ram;
	uint64_t incoming_ram_sum;	/* its checksum (warm_ram_sum) */
	const char *incoming_qemu;
	/* Console lines as they arrive (may be NULL); runs on the reader
	 * thread. */
	void (*on_console)(const char *line, void *ctx);
	void *ctx;
};

struct machine_times {
	uint64_t spawn_ns;	/* QEMU forked */
	uint64_t ready_ns;	/* sockets connected, vCPUs released */
	uint64_t ram_ns;	/* warm start: the saved RAM copied in */
	uint64_t incoming_ns;	/* warm start: the device state loaded */
	uint64_t ram_copied;	/* warm start: bytes of RAM copied */
};

struct machine {
	pid_t pid;
	int exit_status;	/* once reaped: waitpid status */
	bool reaped;
	enum accel accel;
	const char *accel_why;
	char *rundir;
	int rundir_lock;	/* rundir.h: held while we live */
	char *cmdline;		/* the QEMU command line, for the record */
	struct guestmem ram;
	struct qmp *qmp;
	struct gdb *gdb;		/* connected at the first freeze (freeze.h) */
	struct serial serial;	/* the kernel console on ttyS0 */
	int hvc_fd;		/* hvc0, the guest's interactive console */
	int ctl_fd;		/* ktcon.0, the agent's control channel */
	int err_fd;		/* QEMU's stderr pipe */
	int td_slot;		/* teardown.h registration, -1 when none */
	char err_tail[4096];	/* last bytes QEMU wrote to stderr */
	size_t err_len;
	struct machine_times t;
};

struct kterr *machine_start(const struct machine_opts *o, struct machine *m);

/* Has QEMU exited? Reaps it once; reads what it left on stderr. */
bool machine_exited(struct machine *m);

/* "exited with status 1", "killed by signal 9". */
const char *machine_exit_str(const struct machine *m, char *buf, size_t size);

/* Why the guest is gone or dying, with the console tail and QEMU's stderr,
 * as an error; NULL while all looks well. */
struct kterr *machine_health(struct machine *m);

/* Wait up to timeout_ms for QEMU to exit on its own. */
bool machine_wait_exit(struct machine *m, int timeout_ms);

/* Stop: QMP quit, wait grace_ms, then SIGKILL; release everything. */
void machine_stop(struct machine *m, int grace_ms);

#endif
