/*
 * timeouts.h - every limit ktcon waits under, in one table, and the one
 * scale factor that stretches them all.
 *
 * A limit is how long ktcon waits for something that should happen (a
 * guest to say HELLO, a worker to be ready, a cgroup to freeze) before it
 * calls it a failure. The defaults suit an idle machine; a loaded host or
 * TCG makes everything slower, so every limit is multiplied by one scale:
 * `--timeout-scale F`, else KTCON_TIMEOUT_SCALE, else (under TCG) what the
 * boot's own timing says (vmm/session.c), else 1. The guest gets the same
 * scale on its kernel command line (`ktcon.timeout_scale=F`) and from the
 * host after HELLO.
 *
 * The scale is process-wide state this module owns: set once from the
 * command line, read by every wait (lib/wait.h) through kt_limit_ms().
 */
#ifndef KTCON_TIMEOUTS_H
#define KTCON_TIMEOUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

enum kt_limit {
	KT_LIM_BOOT,		/* host: QEMU start to the agent's HELLO */
	KT_LIM_CHAN_OPEN,	/* guest: the control port appears */
	KT_LIM_WORKER_READY,	/* guest: forked workers finish their setup */
	KT_LIM_FREEZE,		/* guest: a cgroup reports frozen */
	KT_LIM_STOP,		/* guest: workers exit after SIGKILL */
	KT_LIM_KILL,		/* both: a process exits after SIGKILL */
	KT_LIM_ATTACH,		/* guest: a started scheduler is enabled */
	KT_LIM_DETACH,		/* guest: sched_ext disables after sysrq S */
	KT_LIM_POWEROFF_SCX,	/* guest: sched_ext disables before power-off */
	KT_LIM_SH,		/* host: a console `sh` command */
	KT_LIM_SH_MAX,		/* guest: the longest any `sh` may run */
	KT_LIM_SH_MARGIN,	/* host: beyond sh's own limit, for its reply */
	KT_LIM_GUEST_REQUEST,	/* host: any op's reply from the agent */
	KT_LIM_CANCEL,		/* host: a cancelled op's own reply */
	KT_LIM_STATE,		/* host: a fresh STATE frame (boot --state) */
	KT_LIM_POWEROFF,	/* host: the guest powers off when asked */
	KT_LIM_QMP_CONNECT,	/* host: QEMU's QMP socket accepts */
	KT_LIM_QMP_REPLY,	/* host: QEMU answers a QMP command */
	KT_LIM_GDB_CONNECT,	/* host: QEMU's gdb stub accepts */
	KT_LIM_GDB_REPLY,	/* host: the gdb stub answers or the guest stops */
	KT_LIM_N
};

struct kt_limit_def {
	const char *name;	/* "worker-ready": for help and errors */
	unsigned default_ms;
	const char *side;	/* "host", "guest" or "both": who waits */
	const char *what;	/* what is waited for, for ktcon(1) */
};

extern const struct kt_limit_def kt_limits[KT_LIM_N];

/* The smallest and largest scale accepted. */
#define KT_SCALE_MIN 0.1
#define KT_SCALE_MAX 100.0

/* Parse a scale ("2", "1.5"): a number in [KT_SCALE_MIN, KT_SCALE_MAX].
 * ORIGIN names where it came from ("--timeout-scale") for the error. */
struct kterr *kt_scale_parse(const char *text, const char *origin, double *out);

/* Where the scale in force came from. */
enum kt_scale_origin { KT_SCALE_DEFAULT, KT_SCALE_AUTO, KT_SCALE_ENV, KT_SCALE_FLAG };

/* Set the scale; a lower-ranked origin never overrides a higher one
 * (flag > environment > auto > default), so the automatic TCG scale
 * applies only when the user said nothing, and a measured scale only
 * ever rises (the slowest boot of the process holds). Returns true if it
 * took. */
bool kt_scale_set(double scale, enum kt_scale_origin origin);
double kt_scale(void);
/* Back to 1 from the default origin (tests; a process starting over). */
void kt_scale_reset(void);
enum kt_scale_origin kt_scale_origin(void);
const char *kt_scale_origin_name(enum kt_scale_origin o);

/* The scale a measurement says: TOOK_MS against REF_MS (what the same
 * thing takes on an idle host), in tenths, never below 1 (an idle or fast
 * host keeps the defaults) nor above KT_SCALE_MAX. */
double kt_scale_measured(uint64_t took_ms, uint64_t ref_ms);

/* --timeout-scale F: parse and set (origin FLAG). */
struct kterr *kt_scale_from_flag(const char *text);

/* Read KTCON_TIMEOUT_SCALE, if set, into the scale (origin ENV). */
struct kterr *kt_scale_from_env(void);

/* A limit, scaled. */
uint64_t kt_limit_ms(enum kt_limit l);

/* Scale an arbitrary millisecond count (a caller's own default). */
uint64_t kt_scaled_ms(uint64_t ms);

/* The same in nanoseconds (a recipe's within=, the executor's own
 * listening bounds). */
uint64_t kt_scaled_ns(uint64_t ns);

/* A limit by name, or -1. */
int kt_limit_find(const char *name);

/* The table as text, one limit a line: name, default, scaled, side, what. */
void kt_limits_print(char *buf, size_t size);

#endif
