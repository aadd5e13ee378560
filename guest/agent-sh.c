/* agent-sh.c - the `sh` op: run a command with busybox sh, return its
 * exit status and (bounded) output. A timeout, or the host's `cancel` of
 * the request (C-c at the console), kills the whole process group, so a
 * command that forks cannot outlive its op. */
#include "guest/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"

#define SH_MAX_OUTPUT (64 * 1024)

struct kterr *agent_op_sh(struct agent *a, const struct wire_msg *req, struct wire_buf *reply);

struct kterr *agent_op_sh(struct agent *a, const struct wire_msg *req, struct wire_buf *reply)
{
	const char *cmd = wire_get(req, "cmd");
	uint64_t timeout_ms = 0;
	char *out;
	size_t len = 0, dropped = 0;
	int p[2], status = 0;
	pid_t pid;
	bool timed_out = false, cancelled = false, watch_port = a->port_fd >= 0;

	if (!cmd || !*cmd)
		return kterr_new(EINVAL, "sh: no command");
	if (wire_get(req, "timeout_ms") && !wire_get_u64(req, "timeout_ms", &timeout_ms))
		return kterr_new(EINVAL, "sh: timeout_ms '%s' is not a number",
				 wire_get(req, "timeout_ms"));
	if (timeout_ms == 0 || timeout_ms > kt_limit_ms(KT_LIM_SH_MAX))
		timeout_ms = kt_limit_ms(KT_LIM_SH_MAX);
	out = malloc(SH_MAX_OUTPUT);
	if (!out)
		return kterr_new(ENOMEM, "sh");
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(out);
		return kterr_errno("sh: pipe");
	}
	pid = fork();
	if (pid < 0) {
		struct kterr *e = kterr_errno("sh: fork");
		close(p[0]);
		close(p[1]);
		free(out);
		return e;
	}
	if (pid == 0) {
		setpgid(0, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		int nul = open("/dev/null", O_RDONLY);
		if (nul >= 0)
			dup2(nul, 0);
		setenv("PATH", "/bin:/sbin:/usr/bin:/usr/sbin", 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	uint64_t end = kt_now_ns() + timeout_ms * 1000000ULL;
	for (;;) {
		struct pollfd pfd[2] = { { .fd = p[0], .events = POLLIN },
					 { .fd = a->port_fd, .events = POLLIN } };
		int64_t left = (int64_t)(end - kt_now_ns()) / 1000000;
		char buf[4096];

		if (left <= 0) {
			timed_out = true;
			kill(-pid, SIGKILL);
			break;
		}
		/* The state stream goes on while a command runs. */
		int nap = agent_stream_timeout_ms(a);
		/* Once cancelled, the port waits: the kill is on its way. */
		int r = poll(pfd, watch_port && !cancelled ? 2 : 1, left < nap ? (int)left : nap);

		agent_reap();
		agent_stream_tick(a);
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		if (watch_port && !cancelled && (pfd[1].revents & POLLIN) &&
		    agent_take_cancel(a, req->seq)) {
			cancelled = true;
			kill(-pid, SIGKILL);
		}
		/* No host on the port: nothing to cancel us; do not spin on it. */
		if ((pfd[1].revents & (POLLHUP | POLLERR | POLLNVAL)) && !(pfd[1].revents & POLLIN))
			watch_port = false;
		if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		ssize_t n = read(p[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* every writer is gone */
		size_t take = (size_t)n > SH_MAX_OUTPUT - len ? SH_MAX_OUTPUT - len : (size_t)n;
		memcpy(out + len, buf, take);
		len += take;
		dropped += n - take;
	}
	close(p[0]);
	if (!agent_wait_child(pid, 5000, &status)) {
		kill(-pid, SIGKILL);
		agent_wait_child(pid, -1, &status);
	}
	wire_put(reply, "output", out, len);
	free(out);
	if (dropped)
		wire_put_u64(reply, "truncated", dropped);
	if (cancelled)
		return kterr_new(ECANCELED, "sh: '%s' was cancelled by the host and killed", cmd);
	if (timed_out)
		return kterr_silent(ETIMEDOUT, "sh: '%s' ran longer than %llu ms and was killed", cmd,
				 (unsigned long long)timeout_ms);
	if (WIFEXITED(status))
		wire_put_u64(reply, "status", WEXITSTATUS(status));
	else if (WIFSIGNALED(status)) {
		wire_put_u64(reply, "status", 128 + WTERMSIG(status));
		wire_put_u64(reply, "signal", WTERMSIG(status));
	}
	return NULL;
}
