/* agent-ops.c - the table of ops the agent answers. Each domain adds its
 * handlers in its own file; this table is the one place that names them. */
#include "guest/agent.h"

#include <stdio.h>
#include <errno.h>
#include <string.h>
#include <time.h>

struct kterr *agent_op_sh(struct agent *a, const struct wire_msg *req, struct wire_buf *reply);

static struct kterr *op_ping(struct agent *a, const struct wire_msg *req,
			     struct wire_buf *reply)
{
	return NULL;
}

/* `cancel seq=N`: the host gave up on request N. An op that runs in its
 * own loop (sh) sees the cancel there (agent_take_cancel); here, between
 * requests, the one left to cancel is a deferred wait-payload. Anything
 * else had finished: its reply is already on its way, and says what
 * happened. */
static struct kterr *op_cancel(struct agent *a, const struct wire_msg *req,
			       struct wire_buf *reply)
{
	uint64_t seq;

	if (!wire_get_u64(req, "seq", &seq))
		return kterr_new(EINVAL, "cancel: no seq=");
	wire_put_u64(reply, "cancelled", agent_payload_cancel_wait(a, (uint32_t)seq));
	return NULL;
}

/* The reply goes out before the guest goes down (the main loop powers off
 * once it has sent it), so the host sees "ok" and then QEMU's exit. */
static struct kterr *op_poweroff(struct agent *a, const struct wire_msg *req,
				 struct wire_buf *reply)
{
	a->poweroff = true;
	return NULL;
}

/* The host's timeout scale, measured after HELLO (under TCG): every wait
 * of the agent's from now on (lib/timeouts.h). Answers the scale in
 * force, so the host can see it took. */
static struct kterr *op_set_timeout_scale(struct agent *a, const struct wire_msg *req,
					  struct wire_buf *reply)
{
	double f;
	struct kterr *e = kt_scale_parse(wire_get(req, "scale"), "set-timeout-scale scale", &f);
	char now[32];

	if (e)
		return e;
	kt_scale_set(f, KT_SCALE_FLAG);
	snprintf(now, sizeof(now), "%g", kt_scale());
	wire_put_str(reply, "scale", now);
	return NULL;
}

/* `resume realtime_ns=N scale=F`: this guest was just restored from a warm state
 * (the host's vmm/machine/warm.h), stopped right after its first HELLO. Its
 * CLOCK_REALTIME is the save's: set it to the host's, then say HELLO
 * again, fresh (uptime, cpus), before the reply, so the host takes the
 * guest as ready exactly as after a boot. The reply says how far the wall
 * clock stepped. CLOCK_MONOTONIC is left alone: it continues from the
 * save, as the restored timers expect. */
static struct kterr *op_resume(struct agent *a, const struct wire_msg *req,
			       struct wire_buf *reply)
{
	int64_t ns;
	struct timespec old, now;
	struct kterr *e;

	if (!wire_get_i64(req, "realtime_ns", &ns) || ns <= 0)
		return kterr_new(EINVAL, "resume: no realtime_ns=");
	clock_gettime(CLOCK_REALTIME, &old);
	now.tv_sec = (time_t)(ns / 1000000000);
	now.tv_nsec = (long)(ns % 1000000000);
	if (clock_settime(CLOCK_REALTIME, &now) < 0)
		return kterr_errno("resume: set the wall clock (clock_settime)");
	/* The host's timeout scale, as set-timeout-scale would: the one on
	 * the command line is the cold boot's. */
	if (wire_get(req, "scale")) {
		double f;

		e = kt_scale_parse(wire_get(req, "scale"), "resume scale", &f);
		if (e)
			return e;
		kt_scale_set(f, KT_SCALE_FLAG);
	}
	wire_put_i64(reply, "stepped_ms",
		     (ns - ((int64_t)old.tv_sec * 1000000000 + old.tv_nsec)) / 1000000);
	e = agent_send_hello(a, NULL);
	return e ? kterr_wrap(e, "resume: HELLO") : NULL;
}

const struct agent_op agent_ops[] = {
	{ "resume", op_resume },
	{ "ping", op_ping },
	{ "sh", agent_op_sh },
	{ "shell", agent_op_shell },
	{ "poweroff", op_poweroff },
	{ "set-timeout-scale", op_set_timeout_scale },
	{ "cancel", op_cancel },
	{ NULL, NULL },
};

const struct agent_op *const agent_op_tables[] = {
	agent_ops, agent_cgroup_ops, agent_worker_ops, agent_irq_ops, agent_payload_ops,
	agent_sched_ops, agent_bpf_ops, agent_batch_ops, NULL,
};

const struct agent_op *agent_find_op(const char *name)
{
	for (size_t t = 0; name && agent_op_tables[t]; t++)
		for (const struct agent_op *op = agent_op_tables[t]; op->name; op++)
			if (!strcmp(op->name, name))
				return op;
	return NULL;
}
