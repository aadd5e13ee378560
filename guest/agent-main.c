/*
 * agent-main.c - ktcon-guest: PID 1 of a ktcon guest.
 *
 * Order matters: mounts first (everything else reads /proc and /sys), then
 * the cgroup subtree, then the control port and HELLO, which tells the
 * host the guest is ready. After that, a loop answers requests and reaps.
 */
#include "guest/agent.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/util.h"
#include "guest/layout.h"
#include "guest/wire-reply.h"

static void cmdline_flags(struct agent *a)
{
	char buf[4096], msg[256];
	struct kterr *e = agent_read_file("/proc/cmdline", buf, sizeof(buf));

	if (e) {
		kterr_free(e);
		return;
	}
	for (char *save, *tok = strtok_r(buf, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save)) {
		static const char scale_key[] = "ktcon.timeout_scale=";
		double f;

		if (!strcmp(tok, "ktcon.shell=1"))
			a->shell = true;
		/* The host's timeout scale, for every wait in the agent. */
		if (!strncmp(tok, scale_key, sizeof(scale_key) - 1)) {
			e = kt_scale_parse(tok + sizeof(scale_key) - 1, "ktcon.timeout_scale", &f);
			if (!e)
				kt_scale_set(f, KT_SCALE_FLAG);
			else
				agent_console("%s", kterr_str(e, msg, sizeof(msg)));
			kterr_free(e);
		}
	}
}

static unsigned count_cpus(const char *list)
{
	unsigned n = 0;

	/* "0-3,6" */
	for (const char *p = list; *p; ) {
		char *end;
		unsigned long lo = strtoul(p, &end, 10), hi = lo;

		if (end == p)
			break;
		if (*end == '-')
			hi = strtoul(end + 1, &end, 10);
		if (hi >= lo)
			n += hi - lo + 1;
		p = *end == ',' ? end + 1 : end;
		if (*end != ',')
			break;
	}
	return n;
}

/* Every op this agent answers, space-separated. */
static const char *features(char *feat, size_t size)
{
	size_t used = 0;

	feat[0] = '\0';
	for (size_t t = 0; agent_op_tables[t]; t++)
		for (const struct agent_op *op = agent_op_tables[t]; op->name; op++)
			used += snprintf(feat + used, used < size ? size - used : 0, "%s%s",
					 used ? " " : "", op->name);
	return feat;
}

struct kterr *agent_send_hello(struct agent *a, const struct kterr *sched_err)
{
	struct wire_buf b;
	struct utsname u;
	char online[256] = "", up[64] = "0", scx[32], ctrl[128] = "";
	struct kterr *e;

	uname(&u);
	kterr_free(agent_read_file("/sys/devices/system/cpu/online", online, sizeof(online)));
	kterr_free(agent_read_file("/proc/uptime", up, sizeof(up)));
	kterr_free(agent_read_file(AGENT_CGROUP_MANAGED "/cgroup.controllers", ctrl, sizeof(ctrl)));
	wire_buf_init(&b);
	wire_begin(&b, WIRE_HELLO, 0);
	wire_put_str(&b, "agent", AGENT_VERSION);
	wire_put_str(&b, "release", u.release);
	wire_put_str(&b, "cpus_online", online);
	wire_put_u64(&b, "cpus", count_cpus(online));
	wire_put_str(&b, "sched_ext", agent_scx_state(scx, sizeof(scx)));
	/* /proc/uptime's first field: seconds since the kernel started. */
	wire_put_u64(&b, "uptime_ms", (uint64_t)(strtod(up, NULL) * 1000));
	wire_put_str(&b, "controllers", ctrl);
	wire_put_str(&b, "mount_errors", a->mount_errors);
	wire_put_str(&b, "scheduler", agent_sched_name());
	{
		char cls[64];

		wire_put_str(&b, "agent_class", agent_class_name(cls, sizeof(cls)));
	}
	if (sched_err) {
		char *s = kterr_strdup(sched_err);

		wire_put_str(&b, "scheduler_error", s ? s : "boot scheduler failed");
		free(s);
	}
	{
		char feat[4096];

		wire_put_str(&b, "features", features(feat, sizeof(feat)));
	}
	e = agent_send(a, &b);
	wire_buf_free(&b);
	return e;
}

void agent_reply(struct agent *a, uint32_t seq, const char *name, struct kterr *e,
		 struct wire_buf *res)
{
	struct wire_buf reply;
	bool built;

	/* ok and the results, or the chain; ENOMEM rather than a bare ok. */
	wire_buf_init(&reply);
	built = wire_reply_build(&reply, seq, name, e, res);
	kterr_free(e);
	e = built ? agent_send(a, &reply) : kterr_new(ENOMEM, "out of memory building the reply");
	if (e) {
		char buf[256];

		agent_console("reply to %s: %s", name ? name : "?", kterr_str(e, buf, sizeof(buf)));
		kterr_free(e);
	}
	wire_buf_free(&reply);
}

static void answer(struct agent *a, const struct wire_msg *req)
{
	const char *name = wire_get(req, "op");
	const struct agent_op *op = agent_find_op(name);
	struct wire_buf res;
	struct kterr *e;

	/* Results are built apart, then appended after "ok"/"error", so a
	 * handler never has to know the reply's framing. */
	wire_buf_init(&res);
	wire_begin(&res, WIRE_OP_REPLY, req->seq);
	a->deferred = false;
	if (!op)
		e = kterr_hint(kterr_new(ENOSYS, "unknown op '%s'", name ? name : "(none)"),
			       "this agent (%s) answers: see its HELLO features", AGENT_VERSION);
	else
		e = op->run(a, req, &res);
	/* A handler that answers later (wait-payload) has kept the seq. */
	if (!a->deferred || e)
		agent_reply(a, req->seq, name, e, &res);
	wire_buf_free(&res);
}

bool agent_take_cancel(struct agent *a, uint32_t seq)
{
	static struct wire_msg *m;	/* a->msg holds the request in hand */
	char buf[4096], why[160];
	bool cancel = false;
	ssize_t n = read(a->port_fd, buf, sizeof(buf));

	if (n <= 0)
		return false;
	if (!m && !(m = malloc(sizeof(*m))))
		return false;
	wire_feed(&a->dec, buf, n);
	for (;;) {
		enum wire_status st = wire_next(&a->dec, m, why, sizeof(why));
		const char *op;
		uint64_t which = 0;

		if (st == WIRE_NEED_MORE)
			break;
		if (st == WIRE_BAD || m->type != WIRE_OP_REQ)
			continue;
		op = wire_get(m, "op");
		if (op && !strcmp(op, "cancel") && wire_get_u64(m, "seq", &which) && which == seq) {
			cancel = true;
			agent_reply(a, m->seq, op, NULL, NULL);
		} else if (op && !strcmp(op, "cancel")) {
			agent_reply(a, m->seq, op, NULL, NULL);	/* nothing of that seq */
		} else {
			agent_reply(a, m->seq, op ? op : "?",
				    kterr_new(EBUSY, "%s: the agent is busy with request %u; "
					      "send one request at a time", op ? op : "request",
					      seq), NULL);
		}
	}
	return cancel;
}

static void serve(struct agent *a)
{
	char buf[65536], why[160];

	for (;;) {
		struct pollfd pfd = { .fd = a->port_fd, .events = POLLIN };
		/* Wake for the next STATE sample, and take short naps while
		 * a payload is being waited for, so its exit is answered
		 * within a few ms of happening. */
		int timeout = agent_stream_timeout_ms(a);
		int r, st;

		if (agent_payloads_waiting() && timeout > 5)
			timeout = 5;
		r = poll(&pfd, 1, timeout);
		agent_reap();
		agent_payloads_poll(a);
		agent_sched_poll(a);
		if (a->shell && a->shell_pid > 0 && agent_wait_child(a->shell_pid, 0, &st)) {
			agent_console("shell exited; powering off");
			agent_power_off();
		}
		agent_stream_tick(a);
		if (r <= 0)
			continue;
		ssize_t n = read(a->port_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* Host not connected (yet, or any more): wait for it. */
			usleep(50 * 1000);
			continue;
		}
		wire_feed(&a->dec, buf, n);
		for (;;) {
			enum wire_status s = wire_next(&a->dec, a->msg, why, sizeof(why));

			if (s == WIRE_NEED_MORE)
				break;
			if (s == WIRE_BAD) {
				agent_console("bad frame from host: %s", why);
				agent_send_log(a, "agent: skipped a bad frame from the host: %s", why);
				continue;
			}
			if (a->msg->type == WIRE_OP_REQ) {
				answer(a, a->msg);
				/* Show the op's effect right after its reply. */
				agent_stream_poke(a);
			} else {
				agent_send_log(a, "agent: ignored a %s frame (seq %u)",
					       wire_type_name(a->msg->type), a->msg->seq);
			}
			if (a->poweroff)
				agent_power_off();
		}
	}
}

int main(int argc, char **argv)
{
	static struct agent a = { .port_fd = -1 };
	struct kterr *e;

	/* The host asks what this build answers before it boots anything. */
	if (argc == 2 && !strcmp(argv[1], "--features")) {
		char feat[4096];

		puts(features(feat, sizeof(feat)));
		return 0;
	}
	if (getpid() != 1)
		fprintf(stderr, "ktcon-guest: not PID 1; running anyway (for tests)\n");
	/* PID 1 must not die of a stray signal. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	/* Everything the agent starts inherits these: staged binaries on the
	 * PATH, staged payloads' libraries where their loader looks. */
	setenv("PATH", KT_GUEST_PATH, 1);
	setenv("LD_LIBRARY_PATH", KT_GUEST_LIBDIR, 1);

	/* First, so nothing the agent does can be held up by a scheduler
	 * under test; a failure is told on the console and in HELLO. */
	e = agent_class_enter();
	if (e) {
		char buf[512];

		agent_console("%s", kterr_str(e, buf, sizeof(buf)));
		kterr_free(e);
	}
	agent_mount_all(&a);
	agent_cgroup_setup(&a);
	cmdline_flags(&a);
	wire_decoder_init(&a.dec);
	a.msg = malloc(sizeof(*a.msg));
	if (!a.msg) {
		agent_console("out of memory");
		agent_power_off();
	}
	e = agent_chan_open(&a);
	if (e) {
		char buf[256];

		agent_console("%s; powering off", kterr_str(e, buf, sizeof(buf)));
		agent_power_off();
	}
	/* The guest is ready only once its boot scheduler is enabled; a
	 * boot scheduler that fails is in the HELLO for the host to report. */
	struct kterr *sched_err = agent_sched_boot();

	e = agent_send_hello(&a, sched_err);
	kterr_free(sched_err);
	if (e) {
		char buf[256];

		agent_console("HELLO: %s", kterr_str(e, buf, sizeof(buf)));
	}
	agent_console("ready (agent %s, control port %s)", AGENT_VERSION, a.port_path);
	if (a.shell)
		agent_shell_start(&a);
	serve(&a);
	return 0;
}
