/* timeouts.c - the limits table and the scale; see timeouts.h. */
#include "lib/timeouts.h"

#include <errno.h>
#include <math.h>	/* isfinite: a macro, no libm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The defaults, measured on an idle 2-core host under TCG with room to
 * spare; a slower machine raises the scale, not these. */
const struct kt_limit_def kt_limits[KT_LIM_N] = {
	[KT_LIM_BOOT] = { "boot", 60000, "host",
			  "QEMU's start to the agent's HELLO (ktcon boot --timeout sets it unscaled)" },
	[KT_LIM_CHAN_OPEN] = { "chan-open", 3000, "guest",
			       "the agent's control port (virtio-serial ktcon.0) to appear" },
	[KT_LIM_WORKER_READY] = { "worker-ready", 5000, "guest",
				  "spawned workers to finish their setup (policy, cgroup, affinity)" },
	[KT_LIM_FREEZE] = { "freeze", 5000, "guest",
			    "a cgroup to report frozen in cgroup.events (freeze-cgroup, spawn frozen)" },
	[KT_LIM_STOP] = { "stop", 3000, "guest",
			  "workers to exit after SIGKILL (stop-cgroup, teardown)" },
	[KT_LIM_KILL] = { "kill", 5000, "both",
			  "a process to exit after SIGKILL: a payload (and sched_ext to disable when "
			  "it was a scheduler), a scheduler that never enabled, QEMU at the end" },
	[KT_LIM_ATTACH] = { "attach", 30000, "guest",
			    "a started scheduler to be enabled (attach, replace, restart, boot)" },
	[KT_LIM_DETACH] = { "detach", 10000, "guest",
			    "sched_ext to disable after sysrq S and SIGTERM (detach, replace)" },
	[KT_LIM_POWEROFF_SCX] = { "poweroff-scx", 2000, "guest",
				  "sched_ext to disable before the guest powers off" },
	[KT_LIM_SH] = { "sh", 30000, "host", "a console `sh` command to finish" },
	[KT_LIM_SH_MAX] = { "sh-max", 600000, "guest",
			    "the longest any `sh` command may run before the agent kills it" },
	[KT_LIM_SH_MARGIN] = { "sh-margin", 5000, "host",
			       "an `sh` reply beyond the command's own limit" },
	[KT_LIM_GUEST_REQUEST] = { "guest-request", 120000, "host",
				   "the agent's reply to any op (wait-payload has no limit)" },
	[KT_LIM_CANCEL] = { "cancel-grace", 10000, "host",
			    "a cancelled op's own reply (done anyway, or cancelled), after C-c" },
	[KT_LIM_STATE] = { "state", 5000, "host", "a fresh STATE frame (ktcon boot --state)" },
	[KT_LIM_POWEROFF] = { "poweroff", 10000, "host",
			      "the guest to power off when asked, before QEMU is told to quit" },
	[KT_LIM_QMP_CONNECT] = { "qmp-connect", 15000, "host", "QEMU's QMP socket to accept" },
	[KT_LIM_QMP_REPLY] = { "qmp-reply", 10000, "host", "QEMU's answer to a QMP command" },
	[KT_LIM_GDB_CONNECT] = { "gdb-connect", 5000, "host", "QEMU's gdb stub to accept" },
	[KT_LIM_GDB_REPLY] = { "gdb-reply", 10000, "host",
			       "the gdb stub's answer, or the guest's stop after an interrupt" },
};

static double scale = 1.0;
static enum kt_scale_origin origin = KT_SCALE_DEFAULT;

struct kterr *kt_scale_parse(const char *text, const char *from, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = text ? strtod(text, &end) : 0;
	if (!text || end == text || *end || errno || !isfinite(v) || v < KT_SCALE_MIN ||
	    v > KT_SCALE_MAX)
		return kterr_hint(kterr_new(EINVAL, "%s '%s' is not a timeout scale", from,
					    text ? text : ""),
				  "give a number from %g to %g: 2 doubles every limit (see `ktcon "
				  "help timeouts`)", KT_SCALE_MIN, KT_SCALE_MAX);
	*out = v;
	return NULL;
}

bool kt_scale_set(double v, enum kt_scale_origin o)
{
	if (o < origin)
		return false;
	/* Guests booted in parallel (ktcon run -j) each measure: the slowest
	 * boot seen so far holds, so one fast boot does not cut the limits
	 * of a slow guest still running. */
	if (o == KT_SCALE_AUTO && origin == KT_SCALE_AUTO && v < scale)
		return false;
	scale = v;
	origin = o;
	return true;
}

void kt_scale_reset(void)
{
	scale = 1.0;
	origin = KT_SCALE_DEFAULT;
}

double kt_scale(void)
{
	return scale;
}

enum kt_scale_origin kt_scale_origin(void)
{
	return origin;
}

const char *kt_scale_origin_name(enum kt_scale_origin o)
{
	static const char *const names[] = {
		[KT_SCALE_DEFAULT] = "default", [KT_SCALE_AUTO] = "measured under TCG",
		[KT_SCALE_ENV] = "KTCON_TIMEOUT_SCALE", [KT_SCALE_FLAG] = "--timeout-scale",
	};

	return o <= KT_SCALE_FLAG ? names[o] : "?";
}

double kt_scale_measured(uint64_t took_ms, uint64_t ref_ms)
{
	double f = ref_ms ? (double)took_ms / (double)ref_ms : 1;

	if (f <= 1)
		return 1;
	if (f >= KT_SCALE_MAX)
		return KT_SCALE_MAX;
	return (double)(uint64_t)(f * 10 + 0.5) / 10;
}

struct kterr *kt_scale_from_flag(const char *text)
{
	double f;
	struct kterr *e = kt_scale_parse(text, "--timeout-scale", &f);

	if (!e)
		kt_scale_set(f, KT_SCALE_FLAG);
	return e;
}

struct kterr *kt_scale_from_env(void)
{
	const char *v = getenv("KTCON_TIMEOUT_SCALE");
	double f;
	struct kterr *e;

	if (!v || !*v)
		return NULL;
	e = kt_scale_parse(v, "KTCON_TIMEOUT_SCALE", &f);
	if (!e)
		kt_scale_set(f, KT_SCALE_ENV);
	return e;
}

uint64_t kt_scaled_ms(uint64_t ms)
{
	return (uint64_t)((double)ms * scale + 0.5);
}

uint64_t kt_scaled_ns(uint64_t ns)
{
	return (uint64_t)((double)ns * scale + 0.5);
}

uint64_t kt_limit_ms(enum kt_limit l)
{
	return l < KT_LIM_N ? kt_scaled_ms(kt_limits[l].default_ms) : 0;
}

int kt_limit_find(const char *name)
{
	for (int i = 0; i < KT_LIM_N; i++)
		if (name && !strcmp(kt_limits[i].name, name))
			return i;
	return -1;
}

void kt_limits_print(char *buf, size_t size)
{
	size_t off = 0;

	if (!size)
		return;
	buf[0] = '\0';
	off += snprintf(buf, size, "timeout scale %g (%s)\n  %-14s %9s %9s  %-5s  %s\n", scale,
			kt_scale_origin_name(origin), "LIMIT", "DEFAULT", "NOW", "WHO", "WAITS FOR");
	for (int i = 0; i < KT_LIM_N && off < size; i++)
		off += snprintf(buf + off, size - off, "  %-14s %7.1f s %7.1f s  %-5s  %s\n",
				kt_limits[i].name, kt_limits[i].default_ms / 1000.0,
				kt_limit_ms(i) / 1000.0, kt_limits[i].side, kt_limits[i].what);
}
