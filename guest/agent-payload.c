/*
 * agent-payload.c - run-payload, wait-payload, kill-payload.
 *
 * A payload is a staged binary (/staging/payloads/NAME/BINARY) started in
 * the background by /bin/sh -c "exec BINARY ARGS", so ARGS split and quote
 * the way the recipe's author would expect from a shell. The child places
 * itself in its cgroup (writes 0 to cgroup.procs) before it execs, so not
 * one instruction of the payload runs elsewhere; a failure to place or to
 * exec comes back through a close-on-exec pipe as the op's error.
 *
 * Output (stdout and stderr) goes to a file in /tmp; its tail is returned
 * with the exit. wait-payload has no timeout: its reply is deferred (the
 * agent keeps serving other requests) and sent when the payload exits.
 * A record is forgotten once its exit has been handed over (a wait's
 * reply, or a kill); a cancelled wait leaves it for a later kill. An exit
 * nobody is waiting for is also announced at once (a payload-exit EVENT),
 * for expectations that wait for it.
 */
#include "guest/agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"
#include "guest/layout.h"

#define PAYLOADS 64
#define PAYLOAD_TAIL 2048	/* bytes of output returned */

struct payload {
	bool used;
	uint64_t handle;
	char name[80];
	char cgroup[256];
	pid_t pid;
	uint64_t start_ns, end_ns;
	bool exited;
	int status;		/* wait status */
	bool waiting;		/* a deferred wait-payload reply is owed */
	uint32_t wait_seq;
	char out[64];		/* output file */
};

static struct payload payloads[PAYLOADS];
static uint64_t next_handle = 1;

static struct payload *find_handle(uint64_t h)
{
	for (int i = 0; i < PAYLOADS; i++)
		if (payloads[i].used && payloads[i].handle == h)
			return &payloads[i];
	return NULL;
}

/* A payload whose exit has been handed to the host is forgotten. */
static void forget(struct payload *p)
{
	unlink(p->out);
	p->used = false;
}

/* exit code, or -SIGNAL when killed by one */
static int exit_code(int status)
{
	if (WIFSIGNALED(status))
		return -WTERMSIG(status);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void put_exit(struct wire_buf *b, const struct payload *p)
{
	char tail[PAYLOAD_TAIL + 1] = "";
	int fd = open(p->out, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		off_t end = lseek(fd, 0, SEEK_END);
		off_t from = end > PAYLOAD_TAIL ? end - PAYLOAD_TAIL : 0;
		ssize_t n = pread(fd, tail, PAYLOAD_TAIL, from);

		tail[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	wire_put_i64(b, "exit_status", exit_code(p->status));
	if (WIFSIGNALED(p->status))
		wire_put_u64(b, "signal", WTERMSIG(p->status));
	wire_put_u64(b, "runtime_ns", p->end_ns - p->start_ns);
	wire_put_str(b, "output", tail);
}

static struct kterr *op_run(struct agent *a, const struct wire_msg *req, struct wire_buf *reply)
{
	const char *name = wire_get(req, "name"), *cg = wire_get(req, "cgroup");
	const char *args = wire_get(req, "args");
	char bin[512], cgdir[256] = "";
	struct payload *p = NULL;
	struct kterr *e = agent_staged_binary(KT_GUEST_PAYLOADS, "payload", name, bin, sizeof(bin));

	if (e)
		return kterr_wrap(e, "run-payload %s", name ? name : "");
	if (cg && *cg) {
		e = agent_cgroup_path(cg, cgdir, sizeof(cgdir));
		if (!e && !kt_is_dir(cgdir))
			e = kterr_hint(kterr_new(ENOENT, "cgroup %s: %s does not exist", cg, cgdir),
				       "create it first (add-cgroup, add-cgroup-def, or a `cgroup` "
				       "line)");
		if (e)
			return kterr_wrap(e, "run-payload %s", name);
	}
	for (int i = 0; i < PAYLOADS && !p; i++)
		if (!payloads[i].used)
			p = &payloads[i];
	if (!p)
		return kterr_hint(kterr_new(EAGAIN, "run-payload %s: %d payloads are already "
					    "tracked", name, PAYLOADS),
				  "wait for or kill earlier payloads");
	memset(p, 0, sizeof(*p));
	p->handle = next_handle++;
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->cgroup, sizeof(p->cgroup), "%s", cg ? cg : "");
	snprintf(p->out, sizeof(p->out), "/tmp/ktcon-payload-%llu.out",
		 (unsigned long long)p->handle);
	p->start_ns = kt_now_ns();
	e = agent_spawn(cgdir[0] ? cgdir : NULL, p->out, false, bin, args, &p->pid);
	if (e) {
		unlink(p->out);
		return kterr_wrap(e, "run-payload %s", name);
	}
	p->used = true;
	wire_put_u64(reply, "handle", p->handle);
	wire_put_u64(reply, "pid", (uint64_t)p->pid);
	return NULL;
}

static struct kterr *need_payload(const struct wire_msg *req, const char *op, struct payload **out)
{
	uint64_t h;

	if (!wire_get_u64(req, "handle", &h))
		return kterr_new(EINVAL, "%s: no payload handle", op);
	*out = find_handle(h);
	if (!*out)
		return kterr_new(ENOENT, "%s %s: the guest has no payload with handle %llu", op,
				 wire_get(req, "name") ? wire_get(req, "name") : "",
				 (unsigned long long)h);
	return NULL;
}

/* Exits are collected here, every turn of the agent's loop. */
void agent_payloads_poll(struct agent *a)
{
	for (int i = 0; i < PAYLOADS; i++) {
		struct payload *p = &payloads[i];
		struct wire_buf res;

		if (!p->used || p->exited || !agent_wait_child(p->pid, 0, &p->status))
			continue;
		p->exited = true;
		p->end_ns = kt_now_ns();
		if (!p->waiting) {
			/* Nobody waits yet: say so, so `expect payload ...
			 * within=` sees it; the record stays for a wait or a kill. */
			wire_buf_init(&res);
			wire_begin(&res, WIRE_EVENT, 0);
			wire_put_str(&res, "event", "payload-exit");
			wire_put_str(&res, "name", p->name);
			wire_put_u64(&res, "handle", p->handle);
			wire_put_i64(&res, "exit_status", exit_code(p->status));
			kterr_free(agent_send(a, &res));
			wire_buf_free(&res);
			continue;
		}
		p->waiting = false;
		wire_buf_init(&res);
		wire_begin(&res, WIRE_OP_REPLY, p->wait_seq);
		put_exit(&res, p);
		agent_reply(a, p->wait_seq, "wait-payload", NULL, &res);
		wire_buf_free(&res);
		forget(p);
	}
}

bool agent_payloads_waiting(void)
{
	for (int i = 0; i < PAYLOADS; i++)
		if (payloads[i].used && payloads[i].waiting)
			return true;
	return false;
}

bool agent_payload_cancel_wait(struct agent *a, uint32_t seq)
{
	for (int i = 0; i < PAYLOADS; i++) {
		struct payload *p = &payloads[i];

		if (!p->used || !p->waiting || p->wait_seq != seq)
			continue;
		/* The payload runs on (teardown or kill-payload ends it); only
		 * the wait is over. */
		p->waiting = false;
		agent_reply(a, seq, "wait-payload",
			    kterr_new(ECANCELED, "wait-payload %s: cancelled by the host", p->name),
			    NULL);
		return true;
	}
	return false;
}

static struct kterr *op_wait(struct agent *a, const struct wire_msg *req, struct wire_buf *reply)
{
	struct payload *p;
	struct kterr *e = need_payload(req, "wait-payload", &p);

	if (e)
		return e;
	if (p->exited) {
		put_exit(reply, p);
		forget(p);
		return NULL;
	}
	/* A second wait for the same payload replaces the first (its host
	 * side gave up on it: the only way to send another). */
	p->waiting = true;
	p->wait_seq = req->seq;
	a->deferred = true;
	return NULL;
}

static struct kterr *op_kill(struct agent *a, const struct wire_msg *req, struct wire_buf *reply)
{
	struct payload *p;
	struct kterr *e = need_payload(req, "kill-payload", &p);

	if (e)
		return e;
	if (!p->exited) {
		/* A payload that is a sched_ext scheduler: a SIGKILL would send
		 * the kernel down the struct_ops unregister path that can stall
		 * (the seed's detach note); disable through sysrq S first. */
		if (agent_holds_struct_ops(p->pid)) {
			e = agent_sched_disable(KT_LIM_KILL);
			if (e) {
				char buf[256];

				agent_send_log(a, "kill-payload %s: %s", p->name,
					       kterr_str(e, buf, sizeof(buf)));
				kterr_free(e);
			}
		}
		kill(p->pid, SIGKILL);
		if (!agent_wait_child(p->pid, (int)kt_limit_ms(KT_LIM_KILL), &p->status))
			return kterr_hint(kterr_silent(ETIMEDOUT, "kill-payload %s: pid %d did not "
						       "exit within %llu ms (kill x scale %g) of "
						       "SIGKILL", p->name, (int)p->pid,
						       (unsigned long long)kt_limit_ms(KT_LIM_KILL),
						       kt_scale()),
					  "a task in D state (see /proc/%d/stack in the guest); on a "
					  "loaded host raise --timeout-scale", (int)p->pid);
		p->exited = true;
		p->end_ns = kt_now_ns();
	}
	/* A wait still owed was abandoned by the host (cancelled): the kill
	 * is the answer now. */
	p->waiting = false;
	put_exit(reply, p);
	forget(p);
	return NULL;
}

const struct agent_op agent_payload_ops[] = {
	{ "run-payload", op_run },
	{ "wait-payload", op_wait },
	{ "kill-payload", op_kill },
	{ NULL, NULL },
};
