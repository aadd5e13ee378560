/*
 * session.h - a booted guest ready for ops: the kernel chosen, the
 * initramfs built, the machine started, and the agent's HELLO received.
 * `ktcon boot` starts its guest here; `ktcon run` and the console through
 * the backend (backend.h), which calls session_boot() once. It sits at the
 * top of vmm/ with the backend because it uses the kernel (vmm/kernel/),
 * the image (vmm/image/), the machine (vmm/machine/) and the agent link
 * (vmm/link/).
 */
#ifndef KTCON_VMM_SESSION_H
#define KTCON_VMM_SESSION_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"
#include "vmm/link/agentlink.h"
#include "vmm/image/initramfs.h"
#include "vmm/machine/machine.h"

/* Under TCG, the boot's own time (QEMU released to the agent's HELLO) on
 * an idle host, for the automatic timeout scale: a boot that takes N times
 * this sets the scale to N (never below 1) unless --timeout-scale or
 * KTCON_TIMEOUT_SCALE said otherwise. Measured here: 2.2 s on a 2-core host
 * with a load average of 4, under TCG; see doc/ktcon.1. */
#define SESSION_TCG_BOOT_REF_MS 2500

struct session_opts {
	struct topology topo;
	enum accel accel;
	const char *kernel;		/* bzImage; NULL: the newest cached kernel */
	bool shell;			/* an interactive shell on hvc0 */
	/* Staged beside the kernel's own schedulers (a staged scheduler with
	 * the name of one of those replaces it), and payloads. */
	const struct initramfs_item *schedulers;
	size_t n_schedulers;
	const struct initramfs_item *payloads;
	size_t n_payloads;
	const char *boot_scheduler;	/* attached at boot, or NULL */
	const char *boot_scheduler_args; /* NULL: its staged default */
	int boot_timeout_ms;		/* 0: the boot limit, scaled (lib/timeouts.h) */
	/* Turns true to abandon the boot (ktcon run's SIGTERM): the wait for
	 * HELLO ends with ECANCELED. May be NULL. */
	const atomic_bool *cancel;
	/* Warm start (vmm/machine/warm.h): restore the saved ready state of this
	 * kernel, vm line and initramfs when there is a good one, else boot
	 * and save one for the next run. Never with shell. */
	bool warm;
	/* ktcon's own notes on the way (a warm state restored, saved or
	 * refused, and why); NULL: to stderr, "ktcon: ...". */
	void (*on_note)(const char *line, void *ctx);
	void (*on_console)(const char *line, void *ctx);
	void (*on_log)(const char *line, void *ctx);	/* agent LOG frames */
	void *ctx;
	void *log_ctx;			/* on_log's; NULL: ctx */
};

struct session_times {
	uint64_t start_ns;		/* session_boot called */
	uint64_t initramfs_ns;		/* initramfs written */
	uint64_t qemu_ns;		/* QEMU up, vCPUs released */
	uint64_t kernel_init_ms;	/* guest uptime when the agent started */
	uint64_t hello_ns;		/* HELLO received */
	uint64_t warm_ns;		/* warm start: key made, state checked */
	uint64_t save_ms;		/* a warm state saved: how long that took */
	int64_t clock_step_ms;		/* restored: the guest's wall clock moved */
};

enum session_start {
	SESSION_BOOTED,			/* cold, nothing saved */
	SESSION_SAVED,			/* cold, and a warm state saved after HELLO */
	SESSION_RESTORED,		/* from a warm state */
};

struct session {
	struct machine m;
	struct agentlink link;
	char *kernel;			/* the bzImage booted */
	char *vmlinux;			/* beside it, when present */
	char *schedulers_dir;		/* the kernel's schedulers/, when present */
	char *initrd;			/* /proc/self/fd/<initrd_fd> while booting */
	int initrd_fd;			/* a memfd, closed once QEMU has it */
	struct session_times t;
	enum session_start start;
	bool up;
	const atomic_bool *cancel;	/* the opts', until HELLO */
};

struct kterr *session_boot(const struct session_opts *o, struct session *s);

/* Power off through the agent (grace_ms), then stop the machine. */
void session_shutdown(struct session *s, int grace_ms);

#endif
