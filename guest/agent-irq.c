/* agent-irq.c - steer-irq: write /proc/irq/N/smp_affinity_list, the knob
 * that reprograms the interrupt controller (a write to the irq_desc mask
 * in kernel memory would not re-route anything). */
#include "guest/agent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static struct kterr *op_steer_irq(struct agent *a, const struct wire_msg *req,
				  struct wire_buf *reply)
{
	uint64_t irq, cpu;
	char online[256], path[64], val[24];
	struct kterr *e;
	bool ok = false;

	if (!wire_get_u64(req, "irq", &irq) || !wire_get_u64(req, "cpu", &cpu))
		return kterr_new(EINVAL, "steer-irq: irq and cpu must be numbers");
	e = agent_read_file("/sys/devices/system/cpu/online", online, sizeof(online));
	if (e)
		return e;
	/* The kernel would say EINVAL; say which CPU and what is online. */
	for (char *p = online; *p; ) {
		char *end;
		unsigned long lo = strtoul(p, &end, 10), hi = lo;

		if (end == p)
			break;
		if (*end == '-')
			hi = strtoul(end + 1, &end, 10);
		if (cpu >= lo && cpu <= hi)
			ok = true;
		if (*end != ',')
			break;
		p = end + 1;
	}
	if (!ok)
		return kterr_hint(kterr_new(EINVAL, "steer-irq %llu: CPU %llu is not online (online: %s)",
					    (unsigned long long)irq, (unsigned long long)cpu, online),
				  "pick one of the online CPUs");
	snprintf(path, sizeof(path), "/proc/irq/%llu/smp_affinity_list", (unsigned long long)irq);
	snprintf(val, sizeof(val), "%llu", (unsigned long long)cpu);
	e = agent_write_file(path, val);
	if (e && kterr_errno_of(e) == ENOENT)
		e = kterr_hint(e, "IRQ %llu does not exist; /proc/interrupts lists them",
			       (unsigned long long)irq);
	return e;
}

const struct agent_op agent_irq_ops[] = {
	{ "steer-irq", op_steer_irq },
	{ NULL, NULL },
};
