/* agent-class.c - put the agent in a scheduling class sched_ext does not
 * manage.
 *
 * ktcon runs schedulers under test, and those are often broken: one that
 * never dispatches, with switch-all, stops every SCHED_NORMAL task in the
 * guest until the kernel's watchdog ejects it (seconds later) or forever if
 * the watchdog is off. sched_ext schedules only SCHED_NORMAL, SCHED_BATCH,
 * SCHED_IDLE and SCHED_EXT tasks; the real-time classes run above it. So
 * the agent (PID 1, single-threaded: ops, the state stream and teardown all
 * run in it) is SCHED_FIFO, at priority 1, the lowest: it preempts every
 * sched_ext task but yields to any real-time task a recipe asks for (a
 * worker with policy=fifo:2 or more).
 *
 * SCHED_RESET_ON_FORK makes every child (workers, payloads, schedulers,
 * sh) start as SCHED_NORMAL with nice 0, whatever the agent runs as, so
 * they get exactly the policy the recipe asks for and nothing inherited. */
#include "guest/agent.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif

/* The agent's real-time priority: the lowest, see above. */
#define AGENT_RT_PRIO 1

struct kterr *agent_class_enter(void)
{
	struct sched_param sp = { .sched_priority = AGENT_RT_PRIO };

	if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) < 0)
		return kterr_hint(kterr_errno("sched_setscheduler(SCHED_FIFO %d | "
					      "SCHED_RESET_ON_FORK) for the agent", AGENT_RT_PRIO),
				  "a stalling scheduler under test can now stall the agent too; "
				  "a kernel with CONFIG_RT_GROUP_SCHED needs cpu.rt_runtime_us "
				  "in the agent's cgroup");
	return NULL;
}

const char *agent_class_name(char *buf, size_t size)
{
	struct sched_param sp;
	int p = sched_getscheduler(0);

	if (p < 0)
		snprintf(buf, size, "unknown (errno %d)", errno);
	else if ((p & ~SCHED_RESET_ON_FORK) == SCHED_FIFO && !sched_getparam(0, &sp))
		snprintf(buf, size, "fifo:%d%s", sp.sched_priority,
			 p & SCHED_RESET_ON_FORK ? " reset-on-fork" : "");
	else
		snprintf(buf, size, "policy %d", p & ~SCHED_RESET_ON_FORK);
	return buf;
}
