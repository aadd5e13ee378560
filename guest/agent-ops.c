/* agent-ops.c - the table of ops the agent answers. Each domain adds its
 * handlers in its own file; this table is the one place that names them. */
#include "guest/agent.h"

#include <string.h>

struct kterr *agent_op_sh(struct agent *a, const struct wire_msg *req, struct wire_buf *reply);

static struct kterr *op_ping(struct agent *a, const struct wire_msg *req,
			     struct wire_buf *reply)
{
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

const struct agent_op agent_ops[] = {
	{ "ping", op_ping },
	{ "sh", agent_op_sh },
	{ "poweroff", op_poweroff },
	{ NULL, NULL },
};
