/*
 * qemu-argv.h - the QEMU command line for a ktcon guest, built from data so
 * it can be tested and printed (`ktcon boot --print-cmdline`).
 *
 *   -M microvm,acpi=off   no firmware tables to wait for; virtio-mmio devices
 *                         are passed on the kernel command line by QEMU.
 *                         Without ACPI the guest cannot power off, so the
 *                         agent reboots (reboot=t: triple fault, immediate)
 *                         and -no-reboot turns that into QEMU's exit.
 *   -S                    start paused: every socket is connected before the
 *                         first instruction, so no console byte is lost.
 *   memory-backend-file   guest RAM in a file we map too (guestmem.h).
 */
#ifndef KTCON_VMM_QEMU_ARGV_H
#define KTCON_VMM_QEMU_ARGV_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "vmm/machine/accel.h"
#include "vmm/machine/topology.h"

struct qemu_spec {
	const char *qemu;		/* binary */
	enum accel accel;		/* resolved: KVM or TCG */
	struct topology topo;
	const char *ram_path;		/* the guestmem file */
	const char *kernel;		/* bzImage */
	const char *initrd;
	const char *append_extra;	/* more kernel command line, or NULL */
	unsigned long tsc_khz;		/* 0: let the guest calibrate */
	const char *rundir;		/* sockets: qmp, gdb, serial, hvc, ctl */
	bool incoming;			/* -incoming defer: a warm start (warm.h) */
};

/* NULL-terminated argv; free with qemu_argv_free. */
struct kterr *qemu_argv_build(const struct qemu_spec *s, char ***argv);
void qemu_argv_free(char **argv);

/* The argv as one shell-quoted line (for logs and --print-cmdline). */
char *qemu_argv_join(char *const *argv);

/* Socket file names inside rundir. */
#define QEMU_SOCK_QMP "qmp.sock"
#define QEMU_SOCK_GDB "gdb.sock"
#define QEMU_SOCK_SERIAL "serial.sock"
#define QEMU_SOCK_HVC "hvc.sock"
#define QEMU_SOCK_CTL "ctl.sock"

/* The virtio-serial port name the agent opens. */
#define QEMU_CTL_PORT_NAME "ktcon.0"

#endif
